package grammars

import (
	"bytes"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

// Unfinished code is the normal state of a buffer being completed: "func f() {\n\tx := 1\n\t" at the
// end of a file has no closing brace, and tree-sitter's error recovery then often leaves the function
// as a few pieces inside an ERROR node, so no scope encloses the cursor. repairedScopes parses the text
// before the cursor with the brackets it leaves open closed, which is what the user is about to write,
// and asks that tree instead.

// openBrackets returns the closing brackets for the brackets left open in text[:off], innermost first.
// It reads the tree's tokens, so brackets inside strings and comments do not count.
func openBrackets(d *Document, off int) []byte {
	var stack []byte
	c := d.tree.RootNode().Walk()
	defer c.Close()
	for {
		n := c.Node()
		if int(n.StartByte()) >= off {
			// Past the cursor: nothing further left in document order matters.
		} else if n.ChildCount() > 0 {
			// An error-free subtree before the cursor has its brackets paired (grammars keep a
			// bracket and its partner in one node), so only the damaged ones and the path to the
			// cursor need walking.
			if (n.HasError() || int(n.EndByte()) > off) && c.GotoFirstChild() {
				continue
			}
		} else if !n.IsNamed() && !n.IsMissing() && int(n.EndByte()) <= off {
			switch n.Kind() {
			case "{", "(", "[":
				stack = append(stack, n.Kind()[0])
			case "}", ")", "]":
				if len(stack) > 0 && closer(stack[len(stack)-1]) == n.Kind()[0] {
					stack = stack[:len(stack)-1]
				}
			}
		}
		for !c.GotoNextSibling() {
			if !c.GotoParent() {
				out := make([]byte, 0, len(stack))
				for i := len(stack) - 1; i >= 0; i-- {
					out = append(out, closer(stack[i]))
				}
				return out
			}
		}
	}
}

func closer(open byte) byte {
	switch open {
	case '{':
		return '}'
	case '(':
		return ')'
	}
	return ']'
}

// repairedScopes returns the scopes enclosing off in text[:off] completed with its missing closing
// brackets, or nil when nothing is open. Spans that reach past off are extended to the end of the
// document, since the real ends are not written yet.
func repairedScopes(d *Document, off int) []Scope {
	closers := openBrackets(d, off)
	if len(closers) == 0 {
		return nil
	}
	var buf bytes.Buffer
	buf.Write(d.text[:off])
	for _, c := range closers {
		buf.WriteByte('\n')
		buf.WriteByte(c)
	}
	buf.WriteByte('\n')
	r, err := NewDocument(d.lang, buf.Bytes())
	if err != nil {
		return nil
	}
	defer r.Close()
	var out []Scope
	for _, s := range scopesIn(r, off-1, off+1) {
		if !containsScope(r, s.node, off) {
			continue
		}
		v := s.value(r.text)
		for _, p := range []*int{&v.EndByte, &v.BodyStartByte, &v.BodyEndByte} {
			if *p > off {
				*p = len(d.text)
			}
		}
		out = append(out, v)
	}
	return out
}

// containsScope is contains for scopes: in indentation languages a body also owns the blank lines
// after it that are indented deeper than its first line (the cursor in "def f():\n    |" is in f, whose
// node ends at the colon).
func containsScope(d *Document, n sitter.Node, off int) bool {
	if contains(d.text, n, off) {
		return true
	}
	end := int(n.EndByte())
	if !d.lang.IndentBlocks || off <= end || off > len(d.text) {
		return false
	}
	gap := d.text[end:off]
	if len(bytes.Trim(gap, " \t\r\n")) != 0 || bytes.IndexByte(gap, '\n') < 0 {
		return false
	}
	start := int(n.StartByte())
	lineStart := bytes.LastIndexByte(d.text[:start], '\n') + 1
	indent := len(d.text[lineStart:start]) - len(bytes.TrimLeft(d.text[lineStart:start], " \t"))
	col := off - (bytes.LastIndexByte(d.text[:off], '\n') + 1)
	return col > indent
}
