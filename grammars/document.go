package grammars

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

// Document is the text of one open buffer together with its syntax tree, kept current by incremental
// reparsing. A Document is safe for use by one goroutine at a time: the LSP server's document store
// serialises didChange edits, and hands readers (completion, code actions) a Snapshot, which is a
// separate Document sharing nothing mutable with the original.
//
// Close frees the tree and parser (C memory that Go's collector cannot see); a Document must not be used
// after Close.
type Document struct {
	lang   *Language
	parser *sitter.Parser // nil for snapshots until they are edited
	tree   *sitter.Tree
	text   []byte // never mutated in place: every edit builds a new slice, so snapshots may share it

	// cancel is the parser's cancellation flag (C memory, see newCancelFlag): set when the
	// context of the parse in progress is done. go-tree-sitter v0.25.0's ParseWithOptions keeps every
	// ParseOptions it is given (pointer.Save without Unref), and with it the progress callback and the
	// request context that callback holds: a server that parsed on every keystroke grew by about a
	// kilobyte a keystroke. The flag costs nothing per parse.
	cancel *uintptr
}

// NewDocument parses text as lang. The text is copied.
func NewDocument(lang *Language, text []byte) (*Document, error) {
	return NewDocumentContext(context.Background(), lang, text)
}

// NewDocumentContext is NewDocument with cancellation of the initial parse.
func NewDocumentContext(ctx context.Context, lang *Language, text []byte) (*Document, error) {
	d := &Document{lang: lang, text: bytes.Clone(text)}
	if d.text == nil {
		d.text = []byte{}
	}
	tree, err := d.parse(ctx, nil)
	if err != nil {
		d.Close()
		return nil, err
	}
	d.tree = tree
	return d, nil
}

// Parse is a convenience for NewDocument; the caller must Close the result.
func Parse(lang *Language, text []byte) (*Document, error) { return NewDocument(lang, text) }

// Language returns the document's language.
func (d *Document) Language() *Language { return d.lang }

// Text returns the current text. The caller must not modify it; it stays valid (and unchanged) after
// later edits, because edits build a new slice.
func (d *Document) Text() []byte { return d.text }

// Tree returns the current syntax tree, for callers that need raw tree-sitter access (most should use
// the query functions, which return plain values). It is valid until the next Edit, SetText or Close of
// this Document; do not Close or Edit it.
func (d *Document) Tree() *sitter.Tree { return d.tree }

// Root returns the root node of the current tree (valid like Tree), nil once closed.
func (d *Document) Root() *sitter.Node {
	if d.tree == nil {
		return nil
	}
	return d.tree.RootNode()
}

// Close frees the C memory held by the document. It is safe to call more than once; afterwards the
// query functions answer nothing (no scopes, no spans) and Edit fails.
func (d *Document) Close() {
	if d == nil {
		return
	}
	if d.tree != nil {
		d.tree.Close()
		d.tree = nil
	}
	if d.parser != nil {
		d.parser.SetCancellationFlag(nil)
		d.parser.Close()
		d.parser = nil
		freeCancelFlag(d.cancel)
		d.cancel = nil
	}
}

// Snapshot returns an independent copy of the document for a reader on another goroutine. It is cheap:
// tree-sitter trees are reference counted and copied lazily, and the text slice is immutable and shared.
// The snapshot must be closed by its user. A snapshot of a closed document is closed too.
func (d *Document) Snapshot() *Document {
	s := &Document{lang: d.lang, text: d.text}
	if d.tree != nil {
		s.tree = d.tree.Clone()
	}
	return s
}

// Edit replaces text[startByte:oldEndByte] by newText and reparses incrementally: it describes the change
// to tree-sitter as an InputEdit (byte offsets and row/column points, columns in bytes), edits the old tree
// and parses with it, so only the changed region is re-analysed. The old tree is closed.
func (d *Document) Edit(startByte, oldEndByte int, newText []byte) error {
	return d.EditContext(context.Background(), startByte, oldEndByte, newText)
}

// EditContext is Edit with cancellation. On error the document is unchanged.
func (d *Document) EditContext(ctx context.Context, startByte, oldEndByte int, newText []byte) error {
	if d.tree == nil {
		return errors.New("grammars: edit of a closed document")
	}
	if startByte < 0 || oldEndByte < startByte || oldEndByte > len(d.text) {
		return fmt.Errorf("grammars: edit range [%d,%d) outside text of %d bytes", startByte, oldEndByte, len(d.text))
	}
	old := d.text
	text := make([]byte, 0, len(old)-(oldEndByte-startByte)+len(newText))
	text = append(text, old[:startByte]...)
	text = append(text, newText...)
	text = append(text, old[oldEndByte:]...)

	start := pointAt(old, startByte)
	edit := sitter.InputEdit{
		StartByte:      uint(startByte),
		OldEndByte:     uint(oldEndByte),
		NewEndByte:     uint(startByte + len(newText)),
		StartPosition:  start,
		OldEndPosition: advance(start, old[startByte:oldEndByte]),
		NewEndPosition: advance(start, newText),
	}
	// Edit a clone so that a failed (cancelled) parse leaves the document as it was.
	edited := d.tree.Clone()
	edited.Edit(&edit)
	d.text = text
	tree, err := d.parse(ctx, edited)
	edited.Close()
	if err != nil {
		d.text = old
		return err
	}
	d.tree.Close()
	d.tree = tree
	return nil
}

// SetText replaces the whole text and parses it from scratch (didChange with full sync, didOpen reuse).
func (d *Document) SetText(text []byte) error {
	if d.tree == nil {
		return errors.New("grammars: SetText on a closed document")
	}
	old := d.text
	d.text = bytes.Clone(text)
	if d.text == nil {
		d.text = []byte{}
	}
	tree, err := d.parse(context.Background(), nil)
	if err != nil {
		d.text = old
		return err
	}
	d.tree.Close()
	d.tree = tree
	return nil
}

// parse parses d.text, reusing old (already edited to match) when not nil. It creates the parser on
// first use, so snapshots pay for one only when edited.
func (d *Document) parse(ctx context.Context, old *sitter.Tree) (*sitter.Tree, error) {
	if d.parser == nil {
		tl, err := d.lang.sitterLanguage()
		if err != nil {
			return nil, err
		}
		p := sitter.NewParser()
		if err := p.SetLanguage(tl); err != nil {
			p.Close()
			return nil, fmt.Errorf("grammars: %s: %w", d.lang.ID, err)
		}
		d.cancel = newCancelFlag()
		p.SetCancellationFlag(d.cancel)
		d.parser = p
	}
	// go-tree-sitter copies every chunk the parser reads into C memory and keeps it until the parse
	// ends, and the parser re-reads from many positions during an incremental parse: handing it the
	// whole rest of the text each time made a keystroke in a 10k-line file cost megabytes of copying.
	// Small chunks keep each read cheap.
	const chunk = 4 << 10
	text := d.text
	n := len(text)
	read := func(i int, _ sitter.Point) []byte {
		if i < n {
			return text[i:min(n, i+chunk)]
		}
		return nil
	}
	atomic.StoreUintptr(d.cancel, 0)
	if ctx.Done() != nil {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("grammars: parse %s: %w", d.lang.ID, err)
		}
		stop := context.AfterFunc(ctx, func() { atomic.StoreUintptr(d.cancel, 1) })
		defer stop()
	}
	tree := d.parser.ParseWith(read, old)
	if tree == nil && ctx.Err() == nil {
		// The flag was set by a previous parse's context that ended just as that parse did.
		d.parser.Reset()
		atomic.StoreUintptr(d.cancel, 0)
		tree = d.parser.ParseWith(read, old)
	}
	if tree == nil {
		// A cancelled parse leaves the parser mid-way; reset it so the next parse starts clean.
		d.parser.Reset()
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("grammars: parse %s: %w", d.lang.ID, err)
		}
		return nil, fmt.Errorf("grammars: parse %s failed", d.lang.ID)
	}
	return tree, nil
}

// pointAt returns the tree-sitter point (row, byte column) of offset off in text.
func pointAt(text []byte, off int) sitter.Point {
	return advance(sitter.Point{}, text[:off])
}

// advance returns the point reached after inserting s at p.
func advance(p sitter.Point, s []byte) sitter.Point {
	nl := bytes.Count(s, []byte{'\n'})
	if nl == 0 {
		return sitter.Point{Row: p.Row, Column: p.Column + uint(len(s))}
	}
	last := bytes.LastIndexByte(s, '\n')
	return sitter.Point{Row: p.Row + uint(nl), Column: uint(len(s) - last - 1)}
}
