package rules

import (
	"strconv"
	"strings"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

// src pairs the source text with helpers over its tree-sitter nodes.
type src struct {
	text []byte
	gaps
}

func (s *src) str(n *sitter.Node) string {
	if n == nil {
		return ""
	}
	return n.Utf8Text(s.text)
}

func line(n *sitter.Node) int { return int(n.StartPosition().Row) + 1 }

func field(n *sitter.Node, f string) *sitter.Node { return n.ChildByFieldName(f) }

// named returns the named children of n, comments left out.
func named(n *sitter.Node) []*sitter.Node {
	var out []*sitter.Node
	for i := uint(0); i < n.NamedChildCount(); i++ {
		c := n.NamedChild(i)
		if c == nil || c.Kind() == "comment" || c.Kind() == "line_comment" || c.Kind() == "block_comment" {
			continue
		}
		out = append(out, c)
	}
	return out
}

// opText is the operator of a binary or unary node: its "operator" field, or else its first
// anonymous child.
func (s *src) opText(n *sitter.Node) string {
	if o := field(n, "operator"); o != nil {
		return s.str(o)
	}
	for i := uint(0); i < n.ChildCount(); i++ {
		c := n.Child(i)
		if c != nil && !c.IsNamed() {
			return s.str(c)
		}
	}
	return ""
}

// unescape decodes the backslash escapes of a C-family or Python string body.
func unescape(body string) (string, bool) {
	if !strings.Contains(body, `\`) {
		return body, true
	}
	var b strings.Builder
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c != '\\' || i+1 == len(body) {
			b.WriteByte(c)
			continue
		}
		i++
		switch body[i] {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case '0':
			b.WriteByte(0)
		case '\\', '\'', '"':
			b.WriteByte(body[i])
		case 'u':
			if i+4 < len(body) {
				if v, err := strconv.ParseUint(body[i+1:i+5], 16, 32); err == nil {
					b.WriteRune(rune(v))
					i += 4
					continue
				}
			}
			return "", false
		default:
			return "", false
		}
	}
	return b.String(), true
}

// intLit normalises an integer literal (hex, octal, binary, suffixes, underscores) to decimal.
func intLit(t string) (string, bool) {
	t = strings.ReplaceAll(strings.ToLower(t), "_", "")
	t = strings.ReplaceAll(t, "'", "")
	t = strings.TrimRight(t, "lu")
	v, err := strconv.ParseInt(t, 0, 64)
	if err != nil {
		if u, err2 := strconv.ParseUint(t, 0, 64); err2 == nil {
			return strconv.FormatUint(u, 10), true
		}
		return "", false
	}
	return strconv.FormatInt(v, 10), true
}

// floatLit normalises a float literal ("1.", "2.5f", "1e3") to a form every target accepts.
func floatLit(t string) (string, bool) {
	t = strings.ReplaceAll(strings.ToLower(t), "_", "")
	t = strings.TrimRight(t, "fd")
	v, err := strconv.ParseFloat(t, 64)
	if err != nil {
		return "", false
	}
	s := strconv.FormatFloat(v, 'g', -1, 64)
	if !strings.ContainsAny(s, ".eEn") {
		s += ".0"
	}
	return s, true
}

// jump is a break or continue statement n (k: SBreak or SContinue) of the C-family and Go
// front-ends; one with a label is a construct the IR does not cover.
func (g *gaps) jump(n *sitter.Node, k SK, ln int) []*Stmt {
	if len(named(n)) > 0 {
		word := "break"
		if k == SContinue {
			word = "continue"
		}
		g.add(ln, "labelled %s", word)
	}
	return []*Stmt{{K: k, Line: ln}}
}
