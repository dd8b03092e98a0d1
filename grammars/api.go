package grammars

import (
	"bytes"
	"sort"
	"strings"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

// Kinds of scopes and definitions. Kind values are the suffixes of the capture names in the .scm files
// (@scope.function, @definition.constant ...), so a new kind needs no Go change.
const (
	KindFunction  = "function"
	KindMethod    = "method"
	KindClosure   = "closure" // anonymous function: lambda, arrow function, func literal
	KindClass     = "class"
	KindInterface = "interface"
	KindStruct    = "struct"
	KindEnum      = "enum"
	KindTrait     = "trait"
	KindImpl      = "impl"
	KindModule    = "module"
	KindNamespace = "namespace"
	KindType      = "type"
	KindConstant  = "constant"
	KindVariable  = "variable"
	KindField     = "field"
	KindMacro     = "macro"
)

// isContainer reports whether functions directly inside a scope of this kind are methods.
func isContainer(kind string) bool {
	switch kind {
	case KindClass, KindInterface, KindStruct, KindEnum, KindTrait, KindImpl:
		return true
	}
	return false
}

// isFunc reports whether a scope kind is function-like (its body holds statements, not declarations).
func isFunc(kind string) bool {
	return kind == KindFunction || kind == KindMethod || kind == KindClosure
}

// Span is a range of the document text with what it is. Offsets are bytes into Document.Text.
type Span struct {
	Kind      string // "import", "comment", "docstring", or the tree-sitter node kind for blocks
	StartByte int
	EndByte   int
	Text      string
}

// Scope is a function, method, class or similar construct enclosing an offset.
type Scope struct {
	Kind          string // KindFunction, KindMethod, KindClosure, KindClass, KindStruct, ...
	Name          string // "" for anonymous functions
	StartByte     int
	EndByte       int
	BodyStartByte int // the body node (block, class body); equal to EndByte when there is none
	BodyEndByte   int
	Signature     string // the declaration text before the body, trailing space trimmed
}

// Definition is a named declaration at the top of a file or directly inside a top-level type.
type Definition struct {
	Name      string
	Kind      string // function, method, class, struct, interface, type, constant, variable, field ...
	Container string // name of the enclosing class/struct/impl, "" at top level
	Signature string // the declaration without its body; one-line declarations are given whole
	StartByte int    // includes decorators, "export", "template<...>" wrappers
	EndByte   int
}

// Function is a named function or method anywhere in the file (nested ones included), with the names it
// calls, so that translate/ can pull helpers defined in the same file.
type Function struct {
	Name          string
	Kind          string // KindFunction or KindMethod
	Container     string // enclosing class/struct/impl name, if any
	Signature     string
	StartByte     int
	EndByte       int
	BodyStartByte int
	BodyEndByte   int
	Calls         []string // callee names (last identifier of a.b.c()), unique, in order of first call
}

// scopeNode is a scope match before conversion to values.
type scopeNode struct {
	kind       string
	node, body sitter.Node
	hasBody    bool
	name       string
}

// scopes runs the scope query and returns every scope, outermost first, with methods recognised by
// their enclosing container.
func scopes(d *Document) []scopeNode {
	if d.lang.load() != nil {
		return nil
	}
	var out []scopeNode
	seen := map[uintptr]bool{}
	for _, m := range run(d, d.lang.qs.scopes) {
		n, cname, ok := m.get("scope")
		if !ok || seen[n.Id()] {
			continue
		}
		seen[n.Id()] = true
		s := scopeNode{kind: strings.TrimPrefix(cname, "scope."), node: n}
		if nm, _, ok := m.get("name"); ok {
			s.name = nm.Utf8Text(d.text)
		}
		s.body, _, s.hasBody = m.get("body")
		out = append(out, s)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].node, out[j].node
		if a.StartByte() != b.StartByte() {
			return a.StartByte() < b.StartByte()
		}
		return a.EndByte() > b.EndByte()
	})
	// A function whose nearest enclosing scope is a class-like container is a method.
	for i := range out {
		if out[i].kind != KindFunction {
			continue
		}
		if p := parentScope(out, i); p >= 0 && isContainer(out[p].kind) {
			out[i].kind = KindMethod
		}
	}
	return out
}

// parentScope returns the index of the innermost scope strictly containing scope i (scopes sorted
// outermost first), or -1.
func parentScope(ss []scopeNode, i int) int {
	n := ss[i].node
	for j := i - 1; j >= 0; j-- {
		p := ss[j].node
		if p.StartByte() <= n.StartByte() && n.EndByte() <= p.EndByte() && p.Id() != n.Id() {
			return j
		}
	}
	return -1
}

func (s scopeNode) value(text []byte) Scope {
	v := Scope{Kind: s.kind, Name: s.name, StartByte: int(s.node.StartByte()), EndByte: int(s.node.EndByte())}
	v.BodyStartByte, v.BodyEndByte = v.EndByte, v.EndByte
	if s.hasBody {
		v.BodyStartByte, v.BodyEndByte = int(s.body.StartByte()), int(s.body.EndByte())
	}
	v.Signature = signature(text, v.StartByte, v.BodyStartByte, v.EndByte, s.hasBody)
	return v
}

// signature is the declaration text before its body. Without a body the declaration is given whole,
// up to its first line break. Runs of whitespace after line breaks are kept as written.
func signature(text []byte, start, bodyStart, end int, hasBody bool) string {
	s := text[start:end]
	if hasBody && bodyStart >= start && bodyStart <= end {
		s = text[start:bodyStart]
	} else if i := bytes.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return string(bytes.TrimRight(s, " \t\r\n"))
}

// EnclosingScopes returns the scopes containing byte offset off, outermost first. An offset equal to a
// scope's end counts as inside only when the scope's last byte is not a closing bracket (Python bodies
// end at their last statement, so typing at the end of a body is still inside it).
func EnclosingScopes(d *Document, off int) []Scope {
	var out []Scope
	for _, s := range scopes(d) {
		if contains(d.text, s.node, off) {
			out = append(out, s.value(d.text))
		}
	}
	return out
}

// EnclosingScope returns the innermost scope containing off. Closures count: use EnclosingScopes and
// skip KindClosure for the nearest named one.
func EnclosingScope(d *Document, off int) (Scope, bool) {
	ss := EnclosingScopes(d, off)
	if len(ss) == 0 {
		return Scope{}, false
	}
	return ss[len(ss)-1], true
}

func contains(text []byte, n sitter.Node, off int) bool {
	start, end := int(n.StartByte()), int(n.EndByte())
	if off <= start || off > end {
		return false
	}
	if off < end {
		return true
	}
	// off == end: inside unless the node is closed by a bracket or quote.
	switch text[end-1] {
	case '}', ')', ']', ';', '"', '\'':
		return false
	}
	return true
}

// Imports returns the import statements (Go import declarations, #include, use, ...) in file order.
func Imports(d *Document) []Span {
	return spans(d, d.lang.qs.imports, "import")
}

// Comments returns the comments and docstrings in file order; Kind is "comment" or "docstring".
func Comments(d *Document) []Span {
	out := spans(d, d.lang.qs.comments, "comment")
	// A docstring is also an expression statement's string; keep one span per range.
	return out
}

// CommentAt returns the comment or docstring containing off. The offset right after a line comment
// counts as inside (the cursor is still on the comment's line); right after "*/" or a closing quote
// does not.
func CommentAt(d *Document, off int) (Span, bool) {
	for _, c := range Comments(d) {
		if off > c.StartByte && off < c.EndByte {
			return c, true
		}
		if off == c.EndByte && off > c.StartByte && c.Kind == "comment" && !strings.HasSuffix(c.Text, "*/") {
			return c, true
		}
	}
	return Span{}, false
}

// Blocks returns every block and body (brace blocks, Python indented blocks, bracketed lists) in file
// order; Kind is the tree-sitter node kind.
func Blocks(d *Document) []Span {
	return spans(d, d.lang.qs.blocks, "")
}

// spans runs q and returns the first capture of each match as a Span, in file order without
// duplicates. kind "" means the node kind; otherwise the capture name is used when it names a kind.
func spans(d *Document, q *sitter.Query, kind string) []Span {
	if d.lang.load() != nil {
		return nil
	}
	var out []Span
	seen := map[[2]uint]bool{}
	for _, m := range run(d, q) {
		if len(m) == 0 {
			continue
		}
		c := m[0]
		for _, x := range m {
			if x.name == "import" || x.name == "comment" || x.name == "docstring" || x.name == "block" {
				c = x
				break
			}
		}
		key := [2]uint{c.node.StartByte(), c.node.EndByte()}
		if seen[key] {
			continue
		}
		seen[key] = true
		k := kind
		if k == "" {
			k = c.node.Kind()
		} else if c.name == "docstring" {
			k = "docstring"
		}
		out = append(out, Span{Kind: k, StartByte: int(key[0]), EndByte: int(key[1]), Text: c.node.Utf8Text(d.text)})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].StartByte != out[j].StartByte {
			return out[i].StartByte < out[j].StartByte
		}
		return out[i].EndByte > out[j].EndByte
	})
	return out
}

// wrapperKinds are nodes that wrap a declaration without being one: their text belongs to the
// declaration's span. decorated_definition is kept out of the signature (decorators are on lines of
// their own); the others are prefixes of the signature ("export", "template<typename T>").
var wrapperKinds = map[string]bool{
	"decorated_definition": true,
	"export_statement":     true,
	"template_declaration": true,
	"ambient_declaration":  true,
}

// outerStart widens a declaration over its wrappers and returns the span start and the signature start.
func outerStart(n sitter.Node) (start, sigStart int) {
	start, sigStart = int(n.StartByte()), int(n.StartByte())
	for p := n.Parent(); p != nil && wrapperKinds[p.Kind()]; p = p.Parent() {
		start = int(p.StartByte())
		if p.Kind() != "decorated_definition" {
			sigStart = start
		}
	}
	return start, sigStart
}

// Definitions returns the top-level declarations and the members of top-level types (methods, fields),
// in file order. Declarations inside function bodies are left out.
func Definitions(d *Document) []Definition {
	if d.lang.load() != nil {
		return nil
	}
	ss := scopes(d)
	var out []Definition
	seen := map[uintptr]bool{}
	for _, m := range run(d, d.lang.qs.definitions) {
		n, cname, ok := m.get("definition")
		if !ok || seen[n.Id()] {
			continue
		}
		seen[n.Id()] = true
		kind := strings.TrimPrefix(cname, "definition.")
		container, nested, ok := containerOf(ss, n)
		if !ok || nested > 1 {
			continue
		}
		if kind == KindFunction && nested == 1 {
			kind = KindMethod
		}
		def := Definition{Kind: kind, Container: container, EndByte: int(n.EndByte())}
		if nm, _, ok := m.get("name"); ok {
			def.Name = nm.Utf8Text(d.text)
		}
		var sigStart int
		def.StartByte, sigStart = outerStart(n)
		body, _, hasBody := m.get("body")
		bodyStart := def.EndByte
		if hasBody {
			bodyStart = int(body.StartByte())
		}
		def.Signature = signature(d.text, sigStart, bodyStart, def.EndByte, hasBody)
		out = append(out, def)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].StartByte < out[j].StartByte })
	return out
}

// containerOf looks at the scopes enclosing n (other than n itself). ok is false when n is inside a
// function-like scope; nested counts the class-like containers around it (modules and namespaces do
// not count), and container names the innermost one.
func containerOf(ss []scopeNode, n sitter.Node) (container string, nested int, ok bool) {
	for _, s := range ss {
		p := s.node
		if p.Id() == n.Id() || p.StartByte() > n.StartByte() || n.EndByte() > p.EndByte() {
			continue
		}
		if p.StartByte() == n.StartByte() && p.EndByte() == n.EndByte() {
			continue // the same declaration seen through a wrapper
		}
		switch {
		case isFunc(s.kind):
			// A body, not a signature: a parameter list's default value is not a declaration either.
			return "", 0, false
		case s.kind == KindModule || s.kind == KindNamespace:
		default:
			nested++
			container = s.name
		}
	}
	return container, nested, true
}

// Functions returns every named function and method in the file, outermost first, with the names of
// the functions each one calls (calls inside nested functions count for the outer one too).
func Functions(d *Document) []Function {
	if d.lang.load() != nil {
		return nil
	}
	ss := scopes(d)
	type call struct {
		at   int
		name string
	}
	var calls []call
	for _, m := range run(d, d.lang.qs.calls) {
		if n, _, ok := m.get("call"); ok {
			calls = append(calls, call{int(n.StartByte()), n.Utf8Text(d.text)})
		}
	}
	sort.Slice(calls, func(i, j int) bool { return calls[i].at < calls[j].at })
	var out []Function
	for i, s := range ss {
		if (s.kind != KindFunction && s.kind != KindMethod) || s.name == "" {
			continue
		}
		v := s.value(d.text)
		f := Function{Name: v.Name, Kind: v.Kind, Signature: v.Signature, EndByte: v.EndByte,
			BodyStartByte: v.BodyStartByte, BodyEndByte: v.BodyEndByte}
		var sigStart int
		f.StartByte, sigStart = outerStart(s.node)
		if sigStart != v.StartByte {
			f.Signature = signature(d.text, sigStart, v.BodyStartByte, v.EndByte, s.hasBody)
		}
		if p := parentScope(ss, i); p >= 0 && isContainer(ss[p].kind) {
			f.Container = ss[p].name
		}
		seen := map[string]bool{}
		lo := sort.Search(len(calls), func(k int) bool { return calls[k].at >= f.BodyStartByte })
		for k := lo; k < len(calls) && calls[k].at < f.BodyEndByte; k++ {
			if !seen[calls[k].name] {
				seen[calls[k].name] = true
				f.Calls = append(f.Calls, calls[k].name)
			}
		}
		out = append(out, f)
	}
	return out
}

// ErrorCount parses text as lang and counts ERROR and MISSING nodes; 0 means the text parses cleanly.
// complete/ uses it to reject completions that break the file, translate/ to check translations.
// It returns -1 when the text cannot be parsed at all (unknown language).
func ErrorCount(lang *Language, text []byte) int {
	d, err := NewDocument(lang, text)
	if err != nil {
		return -1
	}
	defer d.Close()
	return d.ErrorCount()
}

// ErrorCount counts ERROR and MISSING nodes in the document's current tree.
func (d *Document) ErrorCount() int {
	root := d.tree.RootNode()
	if !root.HasError() {
		return 0
	}
	c := root.Walk()
	defer c.Close()
	count := 0
	for {
		n := c.Node()
		if n.IsError() || n.IsMissing() {
			count++
		}
		// Only subtrees that contain errors are worth entering.
		if n.HasError() && c.GotoFirstChild() {
			continue
		}
		for !c.GotoNextSibling() {
			if !c.GotoParent() {
				return count
			}
		}
	}
}
