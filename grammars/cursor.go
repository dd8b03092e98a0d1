package grammars

import (
	"bytes"
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

	root := d.tree.RootNode()
	if n := root.NamedDescendantForByteRange(uint(max(off-1, 0)), uint(off)); n != nil {
		c.Kind = n.Kind()
		for p := n; p != nil; p = p.Parent() {
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

	for _, b := range Blocks(d) {
		if b.StartByte < off && (off < b.EndByte || (off == b.EndByte && d.lang.IndentBlocks)) {
			c.Block, c.HasBlock = b, true // spans are outermost first: the last hit is innermost
		}
	}
	c.AtEmptyBlock = atEmptyBlock(d, off, c)
	return c
}

// atEmptyBlock decides whether off is at the start of a body with nothing in it yet. It looks at the
// text rather than the tree because the tree of an unfinished body is an ERROR node more often than not.
func atEmptyBlock(d *Document, off int, c Cursor) bool {
	text := d.text
	if d.lang.IndentBlocks {
		// Python: the previous non-blank line opens a block (ends with ':'), the cursor is indented
		// deeper than it, and no deeper-indented line follows.
		if !c.LineEmpty {
			return false
		}
		lineStart := bytes.LastIndexByte(text[:off], '\n') + 1
		prev, prevIndent, ok := prevLine(text, lineStart)
		if !ok || !strings.HasSuffix(stripHashComment(prev), ":") {
			return false
		}
		if len(c.Indent) <= prevIndent && off-lineStart <= prevIndent {
			return false
		}
		next, nextIndent, ok := nextLine(text, off)
		return !ok || nextIndent <= prevIndent || len(next) == 0
	}
	// Bracket languages: the nearest non-space byte before the cursor opens a block and the nearest
	// after it closes one (or the text ends).
	i := off - 1
	for i >= 0 && isSpace(text[i]) {
		i--
	}
	j := off
	for j < len(text) && isSpace(text[j]) {
		j++
	}
	return i >= 0 && text[i] == '{' && (j == len(text) || text[j] == '}')
}

func isSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\r' }

// prevLine returns the last non-blank line ending before byte lineStart, and its indentation width.
func prevLine(text []byte, lineStart int) (string, int, bool) {
	end := lineStart - 1
	for end > 0 {
		start := bytes.LastIndexByte(text[:end], '\n') + 1
		line := text[start:end]
		if len(bytes.TrimSpace(line)) > 0 {
			return string(bytes.TrimSpace(line)), len(line) - len(bytes.TrimLeft(line, " \t")), true
		}
		end = start - 1
	}
	return "", 0, false
}

// nextLine returns the first non-blank line after the one containing off, and its indentation width.
func nextLine(text []byte, off int) (string, int, bool) {
	i := bytes.IndexByte(text[off:], '\n')
	if i < 0 {
		return "", 0, false
	}
	rest := text[off+i+1:]
	for len(rest) > 0 {
		j := bytes.IndexByte(rest, '\n')
		line := rest
		if j >= 0 {
			line = rest[:j]
		}
		if len(bytes.TrimSpace(line)) > 0 {
			return string(bytes.TrimSpace(line)), len(line) - len(bytes.TrimLeft(line, " \t")), true
		}
		if j < 0 {
			break
		}
		rest = rest[j+1:]
	}
	return "", 0, false
}

// stripHashComment drops a trailing "# ..." comment (outside quotes, roughly) and trailing space.
func stripHashComment(line string) string {
	inQuote := byte(0)
	for i := 0; i < len(line); i++ {
		ch := line[i]
		switch {
		case inQuote != 0:
			if ch == '\\' {
				i++
			} else if ch == inQuote {
				inQuote = 0
			}
		case ch == '"' || ch == '\'':
			inQuote = ch
		case ch == '#':
			return strings.TrimSpace(line[:i])
		}
	}
	return strings.TrimSpace(line)
}
