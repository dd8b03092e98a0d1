package grammars

import (
	"bytes"
	"slices"
	"strings"
)

// Cursor describes the syntax around a byte offset, for complete/'s single- versus multi-line decision
// and its stop rules.
type Cursor struct {
	Offset int
	// Kind is the innermost named node touching the cursor from the left (the node that holds both the
	// byte before the cursor and the cursor position), e.g. "identifier", "argument_list", "comment".
	Kind      string
	InComment bool
	InString  bool
	// Block is the innermost block or body strictly containing the cursor (HasBlock says whether any).
	Block    Span
	HasBlock bool
	// AtEmptyBlock is true when the cursor is in a block or body that has nothing but whitespace and
	// comments in it yet: "func f() {|}", "def f():\n    |". A multi-line completion is wanted there.
	AtEmptyBlock bool
	// LineEmpty is true when the cursor's line holds only whitespace (before and after the cursor).
	LineEmpty bool
	// RestOfLineEmpty is true when only whitespace or closing brackets follow the cursor on its line.
	RestOfLineEmpty bool
	Indent          string // leading whitespace of the cursor's line
}

// NodeAt describes the syntax at byte offset off (clamped to the text).
func NodeAt(d *Document, off int) Cursor {
	text := d.text
	off = max(0, min(off, len(text)))
	c := Cursor{Offset: off}

	lineStart := bytes.LastIndexByte(text[:off], '\n') + 1
	lineEnd := len(text)
	if i := bytes.IndexByte(text[off:], '\n'); i >= 0 {
		lineEnd = off + i
	}
	before, after := text[lineStart:off], text[off:lineEnd]
	c.Indent = string(before[:len(before)-len(bytes.TrimLeft(before, " \t"))])
	c.LineEmpty = len(bytes.TrimSpace(before)) == 0 && len(bytes.TrimSpace(after)) == 0
	c.RestOfLineEmpty = len(bytes.Trim(after, " \t\r)]};")) == 0

	if d.tree == nil {
		return c // closed document: text facts only
	}
	root := d.tree.RootNode()
	if n := root.NamedDescendantForByteRange(uint(max(off-1, 0)), uint(off)); n != nil {
		c.Kind = n.Kind()
		// The string literal itself or its content/escape/fragment child; not any ancestor, so code
		// in a template substitution ("${x}") is not taken for string text.
		for p, depth := n, 0; p != nil && depth < 2; p, depth = p.Parent(), depth+1 {
			if k := p.Kind(); strings.Contains(k, "string") || k == "char_literal" || k == "rune_literal" {
				c.InString = int(p.StartByte()) < off && off < int(p.EndByte())
				break
			}
		}
	}
	_, c.InComment = CommentAt(d, off)
	if c.InComment {
		c.InString = false // a docstring is a comment for our purposes
	}

	for _, b := range spans(d, d.lang.qs.blocks, "", off-1, off+1) {
		if b.StartByte < off && (off < b.EndByte || (off == b.EndByte && d.lang.IndentBlocks)) {
			c.Block, c.HasBlock = b, true // spans are outermost first: the last hit is innermost
		}
	}
	c.AtEmptyBlock = atEmptyBlock(d, off, c)
	return c
}

// atEmptyBlock decides whether off is at the start of a body with nothing in it yet (comments and
// docstrings aside). It looks at the text rather than the tree because the tree of an unfinished body
// is an ERROR node more often than not.
func atEmptyBlock(d *Document, off int, c Cursor) bool {
	text := d.text
	// Comments near the cursor are enough: a body is not 4 KiB of comments.
	comments := spans(d, d.lang.qs.comments, "comment", off-4096, off+4096)
	prev := significantBefore(text, comments, off)
	next := significantAfter(text, comments, off)
	if !d.lang.IndentBlocks {
		// Bracket languages: the nearest code before the cursor opens a block and the nearest after it
		// closes one (or the text ends).
		return prev >= 0 && text[prev] == '{' && (next == len(text) || text[next] == '}')
	}
	// Python: the code before the cursor ends a block header (':' ending its line), the cursor sits on
	// a blank line indented deeper than the header, and no deeper-indented code follows.
	if !c.LineEmpty || prev < 0 || text[prev] != ':' {
		return false
	}
	if eol := bytes.IndexByte(text[prev:off], '\n'); eol < 0 {
		return false // "def f(): |" on the header's own line
	}
	header := indentOf(text, prev)
	if off-(bytes.LastIndexByte(text[:off], '\n')+1) <= header {
		return false
	}
	return next == len(text) || indentOf(text, next) <= header
}

// significantBefore returns the index of the last byte before off that is neither white space nor
// inside a comment or docstring, or -1.
func significantBefore(text []byte, comments []Span, off int) int {
	i := off - 1
	for i >= 0 {
		if isSpace(text[i]) {
			i--
			continue
		}
		k := slices.IndexFunc(comments, func(c Span) bool { return c.StartByte <= i && i < c.EndByte })
		if k < 0 {
			return i
		}
		i = comments[k].StartByte - 1
	}
	return -1
}

// significantAfter returns the index of the first byte at or after off that is neither white space
// nor inside a comment or docstring, or len(text).
func significantAfter(text []byte, comments []Span, off int) int {
	i := off
	for i < len(text) {
		if isSpace(text[i]) {
			i++
			continue
		}
		k := slices.IndexFunc(comments, func(c Span) bool { return c.StartByte <= i && i < c.EndByte })
		if k < 0 {
			return i
		}
		i = comments[k].EndByte
	}
	return len(text)
}

// indentOf returns the indentation width (bytes) of the line containing text[i].
func indentOf(text []byte, i int) int {
	start := bytes.LastIndexByte(text[:i], '\n') + 1
	line := text[start:]
	return len(line) - len(bytes.TrimLeft(line, " \t"))
}

func isSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\r' }
