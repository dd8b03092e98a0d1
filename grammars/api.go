package grammars

import (
	"bytes"
	"context"
	"sort"
	"strings"
	"unicode"

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
	Name          string // as written ("Circle::area" for a C++ out-of-class method); "" when anonymous
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
	Container string // enclosing class/struct/impl, Go receiver type or C++ qualifier; "" at top level
	Signature string // the declaration without its body; one-line declarations are given whole
	StartByte int    // includes decorators, "export", "template<...>" wrappers
	EndByte   int
}

// Function is a named function or method anywhere in the file (nested ones included), with the names it
// calls, so that translate/ can pull helpers defined in the same file.
type Function struct {
	Name          string
	Kind          string // KindFunction or KindMethod
	Container     string // as in Definition
	Signature     string
	StartByte     int // includes decorators and wrappers, as in Definition
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
	container  string // from a @container capture (Go receiver type), "" if none
	start, end int    // the node's byte range, kept to spare cgo calls in the nesting walks
	parent     int    // index of the innermost enclosing scope, -1 if none
}

// scopes runs the scope query and returns every scope, outermost first, with methods recognised by
// their enclosing container.
func scopes(d *Document) []scopeNode { return scopesIn(d, 0, len(d.text)) }

// scopesIn is scopes limited to those intersecting text[lo:hi]. Every scope enclosing a scope in the
// range intersects it too, so method recognition is unaffected.
func scopesIn(d *Document, lo, hi int) []scopeNode {
	if d.lang.load() != nil {
		return nil
	}
	var out []scopeNode
	// One construct can match several patterns ("const f = () => {}" is a named function and a
	// closure; its declaration and declarator both name it): merge scopes with the same body (or node),
	// keeping the named, outermost one.
	seen := map[uintptr]int{}
	for _, m := range runRange(d, d.lang.qs.scopes, lo, hi) {
		n, cname, ok := m.get("scope")
		if !ok {
			continue
		}
		s := scopeNode{kind: strings.TrimPrefix(cname, "scope."), node: n,
			start: int(n.StartByte()), end: int(n.EndByte()), parent: -1}
		if nm, _, ok := m.get("name"); ok {
			s.name = nm.Utf8Text(d.text)
		}
		s.body, _, s.hasBody = m.get("body")
		if c, _, ok := m.get("container"); ok {
			s.container = c.Utf8Text(d.text)
		}
		key := n.Id()
		if s.hasBody {
			key = s.body.Id()
		}
		if i, dup := seen[key]; dup {
			if s.container == "" {
				s.container = out[i].container
			}
			if better(s, out[i]) {
				out[i] = s
			} else if out[i].container == "" {
				out[i].container = s.container
			}
			continue
		}
		seen[key] = len(out)
		out = append(out, s)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].start != out[j].start {
			return out[i].start < out[j].start
		}
		return out[i].end > out[j].end
	})
	// Syntax nodes nest, so with scopes in this order a stack of the open ones gives each its parent.
	var open []int
	for i := range out {
		for len(open) > 0 && out[open[len(open)-1]].end < out[i].end {
			open = open[:len(open)-1]
		}
		if len(open) > 0 {
			out[i].parent = open[len(open)-1]
		}
		open = append(open, i)
		// A function whose nearest enclosing scope is a class-like container is a method.
		if out[i].kind == KindFunction && out[i].parent >= 0 && isContainer(out[out[i].parent].kind) {
			out[i].kind = KindMethod
		}
	}
	return out
}

// better reports whether scope a describes a construct better than b, which has the same body.
func better(a, b scopeNode) bool {
	if (a.name != "") != (b.name != "") {
		return a.name != ""
	}
	return a.end-a.start > b.end-b.start
}

func (s scopeNode) value(text []byte) Scope {
	v := Scope{Kind: s.kind, Name: s.name, StartByte: int(s.node.StartByte()), EndByte: int(s.node.EndByte())}
	v.BodyStartByte, v.BodyEndByte = v.EndByte, v.EndByte
	if s.hasBody {
		v.BodyStartByte, v.BodyEndByte = int(s.body.StartByte()), int(s.body.EndByte())
	}
	v.Signature = signature(text, v.StartByte, sigEnd(s.node, v.BodyStartByte), v.EndByte, s.hasBody)
	return v
}

// sigEnd is where a declaration's signature ends: at its body, or earlier at an ERROR child before the
// body (unfinished code: "def f(x):\n    y = x +" parses with the statement in an ERROR node between
// the colon and an empty body).
func sigEnd(n sitter.Node, bodyStart int) int {
	for i := uint(0); i < n.ChildCount(); i++ {
		c := n.Child(i)
		if c == nil || int(c.StartByte()) >= bodyStart {
			break
		}
		if c.IsError() {
			return int(c.StartByte())
		}
	}
	return bodyStart
}

// signature is the declaration text before its body. Without a body the declaration is given whole
// when it fits on one line, else its first line without an opening brace. Line breaks inside a
// signature are kept as written.
func signature(text []byte, start, bodyStart, end int, hasBody bool) string {
	s := text[start:end]
	if hasBody && bodyStart >= start && bodyStart <= end {
		s = text[start:bodyStart]
	} else if i := bytes.IndexByte(s, '\n'); i >= 0 {
		s = bytes.TrimSuffix(bytes.TrimRight(s[:i], " \t\r"), []byte("{"))
	}
	return string(bytes.TrimRight(s, " \t\r\n"))
}

// EnclosingScopes returns the scopes containing byte offset off, outermost first. An offset equal to a
// scope's end counts as inside only when the scope's last byte is not a closing bracket (Python bodies
// end at their last statement, so typing at the end of a body is still inside it), and in Python the
// blank lines after a body, indented deeper than its header, belong to it.
//
// When the syntax around off is broken (unfinished code: no scope found, or the innermost one holds an
// error), the text before off is also parsed with its open brackets closed, and that answer is used if
// it finds more scopes; its spans reaching past off end at the end of the document.
func EnclosingScopes(d *Document, off int) []Scope {
	var out []Scope
	lo := off - 1
	if d.lang.IndentBlocks {
		lo = bytes.LastIndexByte(d.text[:max(0, min(off, len(d.text)))], '\n') // blank lines after a body
		lo = bytes.LastIndexFunc(d.text[:max(lo, 0)], func(r rune) bool { return !unicode.IsSpace(r) })
	}
	damaged := true // no scope found, or the innermost one holds a syntax error
	for _, s := range scopesIn(d, lo, off+1) {
		if containsScope(d, s.node, off) {
			out = append(out, s.value(d.text))
			damaged = s.node.HasError()
		}
	}
	// The repair costs a parse of the text before off; errors elsewhere in the file do not call for it.
	if damaged && off > 0 && off <= len(d.text) && d.tree != nil && d.tree.RootNode().HasError() {
		if r := repairedScopes(d, off); len(r) > len(out) {
			return r
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
	return spans(d, d.lang.qs.imports, "import", 0, len(d.text))
}

// Comments returns the comments and docstrings in file order; Kind is "comment" or "docstring".
func Comments(d *Document) []Span {
	return spans(d, d.lang.qs.comments, "comment", 0, len(d.text))
}

// CommentAt returns the comment or docstring containing off. Offsets after a line comment on its line
// count as inside (the cursor is still on the comment's line); right after "*/" or a closing quote
// does not.
func CommentAt(d *Document, off int) (Span, bool) {
	// A line comment may end before trailing blanks that still count: look back to the line start.
	lineStart := bytes.LastIndexByte(d.text[:max(0, min(off, len(d.text)))], '\n') + 1
	for _, c := range spans(d, d.lang.qs.comments, "comment", lineStart-1, off+1) {
		if off > c.StartByte && off < c.EndByte {
			return c, true
		}
		if off >= c.EndByte && off > c.StartByte && c.Kind == "comment" && !strings.HasSuffix(c.Text, "*/") &&
			len(bytes.Trim(d.text[c.EndByte:off], " \t")) == 0 {
			return c, true
		}
	}
	return Span{}, false
}

// Blocks returns every block and body (brace blocks, Python indented blocks, bracketed lists) in file
// order; Kind is the tree-sitter node kind.
func Blocks(d *Document) []Span {
	return spans(d, d.lang.qs.blocks, "", 0, len(d.text))
}

// spans runs q over the matches intersecting text[lo:hi] and returns the main capture of each match as
// a Span, in file order (outer before inner) without duplicates. kind "" means the node kind; otherwise
// kind, or "docstring" for @docstring captures.
func spans(d *Document, q *sitter.Query, kind string, lo, hi int) []Span {
	if d.lang.load() != nil {
		return nil
	}
	var out []Span
	seen := map[[2]uint]bool{}
	for _, m := range runRange(d, q, lo, hi) {
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
		// Some grammars end a line comment or #include with its line break; the span stops before it.
		start, end := int(key[0]), int(key[1])
		for end > start && (d.text[end-1] == '\n' || d.text[end-1] == '\r') {
			end--
		}
		out = append(out, Span{Kind: k, StartByte: start, EndByte: end, Text: string(d.text[start:end])})
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
	// (declaration, name) -> index in out, -1 when left out. One declaration may define several names
	// ("var a, b = 1, 2"), and patterns may overlap (one also capturing a Go receiver as @container).
	seen := map[[2]uintptr]int{}
	for _, m := range run(d, d.lang.qs.definitions) {
		n, cname, ok := m.get("definition")
		if !ok {
			continue
		}
		nm, _, hasName := m.get("name")
		key := [2]uintptr{n.Id(), 0}
		if hasName {
			key[1] = nm.Id()
		}
		cn, _, hasContainer := m.get("container")
		if i, dup := seen[key]; dup {
			if i >= 0 && hasContainer && out[i].Container == "" {
				out[i].Container = cn.Utf8Text(d.text)
			}
			continue
		}
		seen[key] = -1
		kind := strings.TrimPrefix(cname, "definition.")
		container, nested, ok := containerOf(ss, n)
		if !ok || nested > 1 {
			continue
		}
		if kind == KindFunction && nested == 1 {
			kind = KindMethod
		}
		if hasContainer && container == "" {
			container = cn.Utf8Text(d.text)
		}
		def := Definition{Kind: kind, Container: container, EndByte: int(n.EndByte())}
		if hasName {
			def.Name = nm.Utf8Text(d.text)
		}
		if q, name, ok := qualified(def.Name); ok && (kind == KindFunction || kind == KindMethod) {
			def.Kind, def.Container, def.Name = KindMethod, q, name
		}
		var sigStart int
		def.StartByte, sigStart = outerStart(n)
		body, _, hasBody := m.get("body")
		bodyStart := def.EndByte
		if hasBody {
			bodyStart = int(body.StartByte())
		}
		def.Signature = signature(d.text, sigStart, sigEnd(n, bodyStart), def.EndByte, hasBody)
		seen[key] = len(out)
		out = append(out, def)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].StartByte < out[j].StartByte })
	return out
}

// containerOf looks at the scopes enclosing n (ss from scopes: sorted, with parents). ok is false when
// n is inside a function-like scope; nested counts the class-like containers around it (modules and
// namespaces do not count), and container names the innermost one.
func containerOf(ss []scopeNode, n sitter.Node) (container string, nested int, ok bool) {
	start, end := int(n.StartByte()), int(n.EndByte())
	// The last scope starting at or before n is n's innermost enclosing scope or a descendant of it
	// (nodes nest), so the enclosing ones are on its parent chain.
	i := sort.Search(len(ss), func(k int) bool { return ss[k].start > start }) - 1
	for ; i >= 0; i = ss[i].parent {
		s := ss[i]
		if s.start > start || end > s.end || (s.start == start && s.end == end) {
			continue // not around n, or n itself seen as a scope
		}
		switch {
		case isFunc(s.kind):
			return "", 0, false
		case s.kind == KindModule || s.kind == KindNamespace:
		default:
			nested++
			if nested == 1 {
				container = s.name
			}
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
	for _, s := range ss {
		if (s.kind != KindFunction && s.kind != KindMethod) || s.name == "" {
			continue
		}
		v := s.value(d.text)
		f := Function{Name: v.Name, Kind: v.Kind, Signature: v.Signature, EndByte: v.EndByte,
			BodyStartByte: v.BodyStartByte, BodyEndByte: v.BodyEndByte}
		var sigStart int
		f.StartByte, sigStart = outerStart(s.node)
		if sigStart != v.StartByte {
			f.Signature = signature(d.text, sigStart, sigEnd(s.node, v.BodyStartByte), v.EndByte, s.hasBody)
		}
		if p := s.parent; p >= 0 && isContainer(ss[p].kind) {
			f.Container = ss[p].name
		} else {
			f.Container = s.container
		}
		if q, name, ok := qualified(f.Name); ok {
			f.Kind, f.Container, f.Name = KindMethod, q, name
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

// qualified splits a C++ out-of-class name "Circle::area" into its class and member.
func qualified(name string) (container, member string, ok bool) {
	i := strings.LastIndex(name, "::")
	if i <= 0 {
		return "", name, false
	}
	return name[:i], name[i+2:], true
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

// ErrorCountAfterEdit returns what ErrorCount would be after replacing text[start:end] by ins, without
// changing d: it edits a snapshot, so the reparse is incremental. complete/ uses it to test candidate
// completions against a large file far more cheaply than ErrorCount on the whole new text. On broken
// text, tree-sitter's error recovery after an incremental parse may rarely count differently from a
// fresh parse.
func (d *Document) ErrorCountAfterEdit(ctx context.Context, start, end int, ins []byte) (int, error) {
	s := d.Snapshot()
	defer s.Close()
	if err := s.EditContext(ctx, start, end, ins); err != nil {
		return 0, err
	}
	return s.ErrorCount(), nil
}

// ErrorCount counts ERROR and MISSING nodes in the document's current tree; -1 once closed.
func (d *Document) ErrorCount() int {
	if d.tree == nil {
		return -1 // closed
	}
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
