package lsp

import (
	"fmt"
	"sync"

	"go.lsp.dev/protocol"
)

// ByteEdit replaces bytes [Start, End) of a text with New. A list of
// ByteEdits is applied in order, each against the text the previous ones
// produced, which is exactly the shape of grammars.Document.Edit and of LSP's
// contentChanges.
type ByteEdit struct {
	Start, End int
	New        []byte
}

// Snapshot is an immutable view of an open document. Text is never modified
// after the snapshot is taken, so it may be kept and read from any goroutine.
type Snapshot struct {
	URI        string
	LanguageID string
	Version    int32
	Text       []byte

	lines lineIndex
}

// index returns the snapshot's line index; a Snapshot built outside this
// package has none cached and gets a fresh one.
func (s *Snapshot) index() lineIndex {
	if s.lines == nil {
		return newLineIndex(s.Text)
	}
	return s.lines
}

// Offset converts an LSP position in this snapshot to a byte offset.
func (s *Snapshot) Offset(enc Encoding, pos protocol.Position) int {
	return s.index().offset(s.Text, enc, pos)
}

// Position converts a byte offset in this snapshot to an LSP position.
func (s *Snapshot) Position(enc Encoding, off int) protocol.Position {
	return s.index().position(s.Text, enc, off)
}

// Range converts a byte range in this snapshot to an LSP range.
func (s *Snapshot) Range(enc Encoding, start, end int) protocol.Range {
	return protocol.Range{Start: s.Position(enc, start), End: s.Position(enc, end)}
}

func newSnapshot(uri, lang string, version int32, text []byte) *Snapshot {
	return &Snapshot{URI: uri, LanguageID: lang, Version: version, Text: text, lines: newLineIndex(text)}
}

// Hooks observe the document store. They are called in wire order, one at a
// time, on the goroutine that applies document notifications, so a hook must
// be quick and must not call back into the store's mutating methods. Any nil
// hook is skipped. Snapshots passed to hooks are immutable.
type Hooks struct {
	// OnOpen is called when a document is opened, and once for every open
	// document when the hooks are registered.
	OnOpen func(doc *Snapshot)
	// OnChange is called after edits turned old into doc: edits are byte
	// edits applied in order (a full-text change is one edit spanning the whole
	// old text).
	OnChange func(old, doc *Snapshot, edits []ByteEdit)
	// OnSave is called when the client saved the document.
	OnSave func(doc *Snapshot)
	// OnClose is called after a document was closed.
	OnClose func(uri string)
}

// trackerHooks tell t of every open document's text and file path.
func trackerHooks(t documentTracker) Hooks {
	return Hooks{
		OnOpen:   func(d *Snapshot) { t.Update(d.URI, filePath(d.URI), d.Text) },
		OnChange: func(_, d *Snapshot, _ []ByteEdit) { t.Update(d.URI, filePath(d.URI), d.Text) },
		OnClose:  t.Close,
	}
}

// Documents is the store of open text documents: text and version per URI.
// Reads (Get) may happen from any goroutine; mutations are serialised and
// reach the registered Hooks in the order they were applied.
type Documents struct {
	apply sync.Mutex // serialises mutation + hook delivery, so hooks see wire order

	mu    sync.RWMutex
	docs  map[string]*Snapshot
	hooks []Hooks
}

// NewDocuments returns an empty store.
func NewDocuments() *Documents {
	return &Documents{docs: make(map[string]*Snapshot)}
}

// Listen registers h. Every currently open document is replayed to h.OnOpen
// first, under the same lock that orders mutations, so h misses no change.
func (d *Documents) Listen(h Hooks) {
	d.apply.Lock()
	defer d.apply.Unlock()
	d.mu.Lock()
	d.hooks = append(d.hooks, h)
	open := make([]*Snapshot, 0, len(d.docs))
	for _, s := range d.docs {
		open = append(open, s)
	}
	d.mu.Unlock()
	if h.OnOpen != nil {
		for _, s := range open {
			h.OnOpen(s)
		}
	}
}

// Get returns the current snapshot of uri.
func (d *Documents) Get(uri string) (*Snapshot, bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	s, ok := d.docs[uri]
	return s, ok
}

// URIs returns the URIs of all open documents, in no particular order.
func (d *Documents) URIs() []string {
	d.mu.RLock()
	defer d.mu.RUnlock()
	out := make([]string, 0, len(d.docs))
	for u := range d.docs {
		out = append(out, u)
	}
	return out
}

func (d *Documents) hooksLocked() []Hooks {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.hooks
}

// Open records a newly opened document (replacing any previous state for the
// URI, as a re-open from the client does).
func (d *Documents) Open(uri, languageID string, version int32, text []byte) *Snapshot {
	d.apply.Lock()
	defer d.apply.Unlock()
	s := newSnapshot(uri, languageID, version, text)
	d.mu.Lock()
	d.docs[uri] = s
	d.mu.Unlock()
	for _, h := range d.hooksLocked() {
		if h.OnOpen != nil {
			h.OnOpen(s)
		}
	}
	return s
}

// Change applies LSP content changes (full or incremental, in order) to uri,
// converting their positions with enc against the text each previous change
// produced. Either all changes apply or none do.
func (d *Documents) Change(uri string, version int32, enc Encoding, changes []protocol.TextDocumentContentChangeEvent) (*Snapshot, error) {
	d.apply.Lock()
	defer d.apply.Unlock()
	old, ok := d.Get(uri)
	if !ok {
		return nil, fmt.Errorf("didChange for %s, which is not open", uri)
	}
	text := old.Text
	lines := old.lines
	edits := make([]ByteEdit, 0, len(changes))
	for i, c := range changes {
		var e ByteEdit
		switch c := c.(type) {
		case *protocol.TextDocumentContentChangeWholeDocument:
			e = ByteEdit{Start: 0, End: len(text), New: []byte(c.Text)}
		case *protocol.TextDocumentContentChangePartial:
			start, end, err := lines.rangeOffsets(text, enc, c.Range)
			if err != nil {
				return nil, fmt.Errorf("didChange %s change %d: %w", uri, i, err)
			}
			e = ByteEdit{Start: start, End: end, New: []byte(c.Text)}
		default:
			return nil, fmt.Errorf("didChange %s change %d: unsupported change %T", uri, i, c)
		}
		text = applyEdit(text, e)
		lines = newLineIndex(text)
		edits = append(edits, e)
	}
	s := &Snapshot{URI: uri, LanguageID: old.LanguageID, Version: version, Text: text, lines: lines}
	d.mu.Lock()
	d.docs[uri] = s
	d.mu.Unlock()
	for _, h := range d.hooksLocked() {
		if h.OnChange != nil {
			h.OnChange(old, s, edits)
		}
	}
	return s, nil
}

// Edit applies byte edits directly (for callers that already speak bytes).
func (d *Documents) Edit(uri string, version int32, edits []ByteEdit) (*Snapshot, error) {
	d.apply.Lock()
	defer d.apply.Unlock()
	old, ok := d.Get(uri)
	if !ok {
		return nil, fmt.Errorf("edit of %s, which is not open", uri)
	}
	text := old.Text
	for i, e := range edits {
		if e.Start < 0 || e.Start > e.End || e.End > len(text) {
			return nil, fmt.Errorf("edit %d of %s: range [%d,%d) outside text of %d bytes", i, uri, e.Start, e.End, len(text))
		}
		text = applyEdit(text, e)
	}
	s := newSnapshot(uri, old.LanguageID, version, text)
	d.mu.Lock()
	d.docs[uri] = s
	d.mu.Unlock()
	for _, h := range d.hooksLocked() {
		if h.OnChange != nil {
			h.OnChange(old, s, edits)
		}
	}
	return s, nil
}

// Save reports a save of uri to the hooks. When text is non-nil (the client
// includes it on save) it replaces the stored text first, as a full change.
func (d *Documents) Save(uri string, text *string) error {
	d.apply.Lock()
	defer d.apply.Unlock()
	s, ok := d.Get(uri)
	if !ok {
		return fmt.Errorf("didSave for %s, which is not open", uri)
	}
	hooks := d.hooksLocked()
	if text != nil && *text != string(s.Text) {
		old := s
		s = newSnapshot(uri, old.LanguageID, old.Version, []byte(*text))
		d.mu.Lock()
		d.docs[uri] = s
		d.mu.Unlock()
		edits := []ByteEdit{{Start: 0, End: len(old.Text), New: s.Text}}
		for _, h := range hooks {
			if h.OnChange != nil {
				h.OnChange(old, s, edits)
			}
		}
	}
	for _, h := range hooks {
		if h.OnSave != nil {
			h.OnSave(s)
		}
	}
	return nil
}

// Close forgets uri.
func (d *Documents) Close(uri string) error {
	d.apply.Lock()
	defer d.apply.Unlock()
	d.mu.Lock()
	_, ok := d.docs[uri]
	delete(d.docs, uri)
	hooks := d.hooks
	d.mu.Unlock()
	if !ok {
		return fmt.Errorf("didClose for %s, which is not open", uri)
	}
	for _, h := range hooks {
		if h.OnClose != nil {
			h.OnClose(uri)
		}
	}
	return nil
}

// applyEdit returns a new slice holding text with e applied; text itself is
// left untouched because snapshots sharing it may still be read.
func applyEdit(text []byte, e ByteEdit) []byte {
	out := make([]byte, 0, len(text)-(e.End-e.Start)+len(e.New))
	out = append(out, text[:e.Start]...)
	out = append(out, e.New...)
	return append(out, text[e.End:]...)
}
