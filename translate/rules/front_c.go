package rules

import (
	"regexp"
	"strings"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

// cFront maps Java, C and C++ trees to the IR. The three share statements and expressions; they
// differ in declarations, types and library calls. Java's and C's int is 32 bits, long 64.
type cFront struct {
	src
	lang     string // "java", "c" or "cpp"
	tmp      int
	locals   map[string]Type // declared types in the current function (for Java's overloaded methods)
	builders map[string]bool // StringBuilder variables of the current function
	consts   map[string]*Expr
	// pre holds the statements an expression of the current statement needs run before it: x++
	// inside an expression is tmp = x; x += 1 there, and the expression reads tmp. hoisted counts
	// the variables so changed, to refuse a statement that reads one elsewhere.
	pre     []*Stmt
	hoisted []hoist
	noHoist int // inside && || ?: where a hoisted update would run when Java's does not
	// kinds are the Java collections of the current function that are not lists, maps or sets:
	// "stack", "deque" (ArrayDeque, Queue, LinkedList used as one), "pq" and "pqmax".
	kinds map[string]string
	// entries are the Map.Entry loop variables of the current function and the map each iterates.
	entries map[string]*Expr
}

// hoist is a variable x++ or ++x changed inside an expression; reads says how many reads of it the
// statement may have (1 for ++x, which reads x after the update; 0 for x++, which reads a copy).
type hoist struct {
	name  string
	reads int
}

func (p *cFront) program(root *sitter.Node) *Program {
	prog := &Program{}
	var visit func(n *sitter.Node)
	visit = func(n *sitter.Node) {
		for _, c := range named(n) {
			switch c.Kind() {
			case "method_declaration", "function_definition":
				if p.isMain(c) {
					continue // a test driver, not part of the unit
				}
				if f := p.function(c); f != nil {
					prog.Funcs = append(prog.Funcs, f)
				}
			case "class_declaration":
				visit(field(c, "body"))
			case "class_body", "declaration_list":
				visit(c)
			case "import_declaration", "package_declaration", "preproc_include", "using_declaration",
				"preproc_def", "comment", "line_comment", "block_comment":
			case "namespace_definition":
				visit(field(c, "body"))
			case "field_declaration", "declaration":
				// static final int MOD = 1000000007; const int N = 100: constants substituted where read.
				if !p.constant(c) {
					p.add(line(c), "top-level %s", strings.ReplaceAll(c.Kind(), "_", " "))
				}
			default:
				p.add(line(c), "top-level %s", strings.ReplaceAll(c.Kind(), "_", " "))
			}
		}
	}
	visit(root)
	if len(p.consts) > 0 {
		for _, f := range prog.Funcs {
			substConsts(f, p.consts)
		}
	}
	return prog
}

// constant records a constant declaration (final in Java, const in C and C++) of literal values.
func (p *cFront) constant(n *sitter.Node) bool {
	text := p.str(n)
	if !(p.lang == "java" && strings.Contains(text, "final") && strings.Contains(text, "static")) &&
		!(p.lang != "java" && strings.HasPrefix(strings.TrimSpace(text), "const")) {
		return false
	}
	t := p.typ(field(n, "type"), nil)
	if t.K != TInt && t.K != TFloat && t.K != TString && t.K != TBool && t.K != TChar {
		return false
	}
	for _, d := range n.ChildrenByFieldName("declarator", n.Walk()) {
		d := d
		var nm string
		var v *sitter.Node
		if p.lang == "java" {
			nm, v = p.str(field(&d, "name")), field(&d, "value")
		} else if d.Kind() == "init_declarator" {
			nm, v = p.str(field(&d, "declarator")), field(&d, "value")
		}
		if nm == "" || v == nil || !cConstant(v) {
			return false
		}
		if p.consts == nil {
			p.consts = map[string]*Expr{}
		}
		e := p.expr(v)
		if e.K == ELit && e.T.K == TInt {
			e.T = t
		} else {
			e = &Expr{K: ECast, T: t, Args: []*Expr{e}, Line: e.Line}
		}
		p.consts[nm] = e
	}
	return true
}

// cConstant reports an expression of literals and operators only.
func cConstant(n *sitter.Node) bool {
	switch n.Kind() {
	case "decimal_integer_literal", "hex_integer_literal", "number_literal", "decimal_floating_point_literal",
		"string_literal", "character_literal", "char_literal", "true", "false":
		return true
	case "binary_expression", "unary_expression", "parenthesized_expression":
		for _, c := range named(n) {
			if !cConstant(c) {
				return false
			}
		}
		return true
	}
	return false
}

// isMain reports a program entry point: Java's main(String[]) or C's main.
func (p *cFront) isMain(n *sitter.Node) bool {
	if p.lang == "java" {
		return p.str(field(n, "name")) == "main" && strings.Contains(p.str(field(n, "parameters")), "String")
	}
	d := field(n, "declarator")
	return d != nil && d.Kind() == "function_declarator" && p.str(field(d, "declarator")) == "main"
}

func (p *cFront) function(n *sitter.Node) *Func {
	f := &Func{Line: line(n)}
	p.locals = map[string]Type{}
	p.builders = map[string]bool{}
	p.kinds = map[string]string{}
	p.entries = map[string]*Expr{}
	var params *sitter.Node
	if p.lang == "java" {
		f.Name = p.str(field(n, "name"))
		f.Result = p.typ(field(n, "type"), nil)
		params = field(n, "parameters")
		if mods := named(n); len(mods) > 0 && mods[0].Kind() == "modifiers" && !strings.Contains(p.str(mods[0]), "static") {
			// An instance method without fields is translated as a function; fields are not covered.
		}
	} else {
		decl := field(n, "declarator")
		for decl != nil && decl.Kind() != "function_declarator" {
			if decl.Kind() == "pointer_declarator" || decl.Kind() == "reference_declarator" {
				p.add(line(n), "function returning a pointer or reference")
			}
			next := field(decl, "declarator")
			if next == nil && len(named(decl)) > 0 {
				next = named(decl)[0]
			}
			decl = next
		}
		if decl == nil {
			p.add(line(n), "function declarator")
			return nil
		}
		f.Name = p.str(field(decl, "declarator"))
		f.Result = p.typ(field(n, "type"), nil)
		params = field(decl, "parameters")
	}
	for _, c := range named(params) {
		switch c.Kind() {
		case "formal_parameter", "parameter_declaration":
			nm, t := p.declarator(field(c, "declarator"), p.typ(field(c, "type"), c))
			if nm == "" {
				nm = p.str(field(c, "name"))
				if d := field(c, "dimensions"); d != nil {
					for i := 0; i < strings.Count(p.str(d), "["); i++ {
						t = listOf(t)
					}
				}
			}
			if nm == "" {
				if t.K == TVoid {
					continue // f(void)
				}
				p.add(line(c), "unnamed parameter")
			}
			p.locals[nm] = t
			f.Params = append(f.Params, Param{Name: nm, T: t, Decl: p.str(c)})
		default:
			p.add(line(c), "parameter %s", p.str(c))
		}
	}
	f.Body = p.block(field(n, "body"))
	return f
}

// declarator unwraps a C declarator (array, pointer, reference, init) to its name and type.
func (p *cFront) declarator(d *sitter.Node, t Type) (string, Type) {
	for d != nil {
		switch d.Kind() {
		case "identifier":
			return p.str(d), t
		case "array_declarator":
			t = listOf(t)
			d = field(d, "declarator")
		case "pointer_declarator":
			if t.K == TChar {
				t = tString // char *s
			} else {
				t = listOf(t) // int *arr
			}
			d = field(d, "declarator")
		case "reference_declarator":
			d = named(d)[0]
		case "init_declarator":
			d = field(d, "declarator")
		default:
			p.add(line(d), "declarator %s", p.str(d))
			return "", t
		}
	}
	return "", t
}

// typ reads a type node. Java arrays written after the name ("int arr[]") are handled by callers.
func (p *cFront) typ(n *sitter.Node, _ *sitter.Node) Type {
	if n == nil {
		return tUnknown
	}
	text := strings.Join(strings.Fields(p.str(n)), " ")
	text = strings.TrimPrefix(text, "const ")
	text = strings.TrimPrefix(text, "final ")
	text = strings.TrimPrefix(text, "std::")
	switch n.Kind() {
	case "array_type":
		t := p.typ(field(n, "element"), nil)
		for i := 0; i < strings.Count(p.str(field(n, "dimensions")), "["); i++ {
			t = listOf(t)
		}
		return t
	case "generic_type", "template_type":
		var base string
		var args []Type
		for _, c := range named(n) {
			switch c.Kind() {
			case "type_identifier", "scoped_type_identifier":
				base = p.str(c)
			case "type_arguments", "template_argument_list":
				for _, a := range named(c) {
					if a.Kind() == "type_descriptor" {
						a = field(a, "type")
					}
					args = append(args, p.typ(a, nil))
				}
			}
		}
		if base == "" {
			base = p.str(field(n, "name"))
		}
		base = strings.TrimPrefix(base, "std::")
		switch base {
		case "ArrayList", "List", "Vector", "LinkedList", "vector", "Stack", "Deque", "ArrayDeque", "Queue", "PriorityQueue":
			if len(args) == 1 {
				return listOf(args[0])
			}
			return listOf(tUnknown)
		case "HashMap", "Map", "TreeMap", "LinkedHashMap", "unordered_map", "map":
			if len(args) == 2 {
				return mapOf(args[0], args[1])
			}
			return mapOf(tUnknown, tUnknown)
		case "HashSet", "Set", "TreeSet", "LinkedHashSet", "unordered_set", "set":
			if len(args) == 1 {
				return setOf(args[0])
			}
			return setOf(tUnknown)
		}
		p.add(line(n), "type %s", p.str(n))
		return tUnknown
	case "qualified_identifier":
		if name := field(n, "name"); name != nil && name.Kind() == "template_type" {
			return p.typ(name, nil)
		}
	}
	if t := p.scalar(text); t.K == TInt && (strings.HasPrefix(text, "unsigned") || strings.HasPrefix(text, "uint") || text == "size_t") {
		t.Unsigned = true
		return t
	}
	if t := p.scalar(text); t.K != TUnknown || text == "auto" || text == "var" {
		return t
	}
	p.add(line(n), "type %s", p.str(n))
	return tUnknown
}

// scalar maps the name of a scalar type.
func (p *cFront) scalar(text string) Type {
	switch text {
	case "int", "short", "byte", "Integer", "Short", "Byte", "signed", "signed int", "unsigned", "unsigned int",
		"short int", "unsigned short", "int32_t", "uint32_t", "int16_t", "uint8_t", "int8_t":
		return Type{K: TInt, Bits: 32}
	case "long", "long long", "Long", "long int", "long long int", "unsigned long", "unsigned long long",
		"unsigned long int", "int64_t", "uint64_t", "size_t", "ll":
		return Type{K: TInt, Bits: 64}
	case "char", "Character", "unsigned char", "signed char":
		return tChar
	case "float", "double", "Float", "Double", "long double":
		return tFloat
	case "boolean", "bool", "Boolean":
		return tBool
	case "String", "string", "StringBuilder", "StringBuffer":
		return tString // a StringBuilder is a string that append reassigns
	case "void":
		return tVoid
	}
	return tUnknown
}

func (p *cFront) block(n *sitter.Node) []*Stmt {
	if n == nil {
		return nil
	}
	if n.Kind() != "block" && n.Kind() != "compound_statement" {
		return p.stmt(n)
	}
	var out []*Stmt
	for _, c := range named(n) {
		out = append(out, p.stmt(c)...)
	}
	return out
}

// stmt maps a statement, with the updates hoisted out of its expressions run before it.
func (p *cFront) stmt(n *sitter.Node) []*Stmt {
	outerPre, outerHoisted := p.pre, p.hoisted
	p.pre, p.hoisted = nil, nil
	out := p.stmt1(n)
	pre, hoisted := p.pre, p.hoisted
	p.pre, p.hoisted = outerPre, outerHoisted
	if len(pre) == 0 {
		return out
	}
	ln := line(n)
	// The hoisted statements belong to this statement's own expressions, not to its nested blocks.
	if len(out) == 1 {
		s := out[0]
		var exprs []*Expr
		switch s.K {
		case SWhile:
			// while (n-- > 0) body: while True: tmp = n; n -= 1; if not (tmp > 0): break; body
			s.Body = append(append(pre, &Stmt{K: SIf, Cond: &Expr{K: EUn, Op: "!", Args: []*Expr{s.Cond}, Line: ln},
				Body: []*Stmt{{K: SBreak, Line: ln}}, Line: ln}), s.Body...)
			s.Cond = lit(tBool, "true", ln)
			exprs = []*Expr{s.Body[len(pre)].Cond}
			pre = nil
		case SDoWhile:
			if hasContinue(s.Body) {
				p.add(ln, "continue inside do ... while")
			}
			s.Body = append(s.Body, pre...)
			exprs = []*Expr{s.Cond}
			pre = nil
		case SFor:
			p.add(ln, "++ or -- inside a for loop's condition")
			return out
		case SIf:
			exprs = []*Expr{s.Cond}
		default:
			exprs = []*Expr{s.Target, s.Value, s.Cond}
		}
		for _, h := range hoisted {
			n := 0
			for _, e := range exprs {
				n += countName(e, h.name)
			}
			if n > h.reads {
				p.add(ln, "%s changed by ++ or -- and read in the same expression", h.name)
			}
		}
	} else {
		p.add(ln, "++ or -- inside this statement")
	}
	return append(pre, out...)
}

// countName counts the reads of a name in e.
func countName(e *Expr, v string) int {
	if e == nil {
		return 0
	}
	n := 0
	if e.K == EName && e.Op == v {
		n++
	}
	for _, a := range e.Args {
		n += countName(a, v)
	}
	return n
}

func (p *cFront) stmt1(n *sitter.Node) []*Stmt {
	ln := line(n)
	switch n.Kind() {
	case "local_variable_declaration", "declaration":
		return p.declaration(n)
	case "expression_statement":
		c := named(n)
		if len(c) == 0 {
			return nil
		}
		return p.exprStmt(c[0])
	case "block", "compound_statement":
		return p.block(n)
	case "return_statement":
		s := &Stmt{K: SReturn, Line: ln}
		if c := named(n); len(c) > 0 {
			s.Value = p.expr(c[0])
		}
		return []*Stmt{s}
	case "break_statement":
		return p.jump(n, SBreak, ln)
	case "continue_statement":
		return p.jump(n, SContinue, ln)
	case "if_statement":
		s := &Stmt{K: SIf, Cond: p.cond(field(n, "condition")), Body: p.block(field(n, "consequence")), Line: ln}
		if alt := field(n, "alternative"); alt != nil {
			if alt.Kind() == "else_clause" {
				if c := named(alt); len(c) > 0 {
					alt = c[0]
				}
			}
			s.Else = p.block(alt)
			if s.Else == nil {
				s.Else = []*Stmt{}
			}
		}
		return []*Stmt{s}
	case "while_statement":
		return []*Stmt{{K: SWhile, Cond: p.cond(field(n, "condition")), Body: p.block(field(n, "body")), Line: ln}}
	case "do_statement":
		return []*Stmt{{K: SDoWhile, Cond: p.cond(field(n, "condition")), Body: p.block(field(n, "body")), Line: ln}}
	case "for_statement":
		return p.forStmt(n)
	case "enhanced_for_statement":
		v := p.str(field(n, "name"))
		if val := field(n, "value"); p.lang == "java" && strings.Contains(p.str(field(n, "type")), "Entry") && val.Kind() == "method_invocation" &&
			p.str(field(val, "name")) == "entrySet" && field(val, "object") != nil {
			// for (Map.Entry<K, V> e : m.entrySet()): a loop over the keys, e.getKey() the key and
			// e.getValue() m[key].
			m := p.expr(field(val, "object"))
			kt := tUnknown
			if mt := p.locals[p.str(field(val, "object"))]; mt.K == TMap {
				kt = mt.key()
			}
			p.locals[v] = kt
			p.entries[v] = m
			body := p.block(field(n, "body"))
			delete(p.entries, v)
			return []*Stmt{{K: SForEach, Var: v, T: kt, Value: m, Body: body, Line: ln}}
		}
		if k := p.kinds[p.str(field(n, "value"))]; k == "pq" || k == "pqmax" {
			p.add(ln, "iteration over a PriorityQueue")
		}
		t := p.typ(field(n, "type"), nil)
		p.locals[v] = t
		return []*Stmt{{K: SForEach, Var: v, T: t, Value: p.expr(field(n, "value")), Body: p.block(field(n, "body")), Line: ln}}
	case "for_range_loop":
		t := p.typ(field(n, "type"), nil)
		v, t := p.declarator(field(n, "declarator"), t)
		return []*Stmt{{K: SForEach, Var: v, T: t, Value: p.expr(field(n, "right")), Body: p.block(field(n, "body")), Line: ln}}
	case "comment", "line_comment", "block_comment", "empty_statement":
		return nil
	case ";":
		return nil
	case "switch_expression":
		if p.lang == "java" {
			return p.switchStmt(n)
		}
	}
	p.add(ln, "%s", strings.ReplaceAll(n.Kind(), "_", " "))
	return nil
}

func (p *cFront) cond(n *sitter.Node) *Expr {
	if n == nil {
		return lit(tBool, "true", 0)
	}
	if n.Kind() == "condition_clause" || n.Kind() == "parenthesized_expression" {
		if c := named(n); len(c) == 1 {
			return p.cond(c[0])
		}
	}
	return p.expr(n)
}

func (p *cFront) forStmt(n *sitter.Node) []*Stmt {
	ln := line(n)
	s := &Stmt{K: SFor, Line: ln}
	inits := n.ChildrenByFieldName("init", n.Walk())
	if in := field(n, "initializer"); in != nil {
		inits = append(inits, *in)
	}
	for i := range inits {
		c := &inits[i]
		switch c.Kind() {
		case "local_variable_declaration", "declaration":
			s.Init = append(s.Init, p.declaration(c)...)
		default:
			s.Init = append(s.Init, p.exprStmt(c)...)
		}
	}
	if c := field(n, "condition"); c != nil {
		s.Cond = p.cond(c)
	}
	for _, u := range n.ChildrenByFieldName("update", n.Walk()) {
		u := u
		s.Post = append(s.Post, p.exprStmt(&u)...)
	}
	s.Body = p.block(field(n, "body"))
	return []*Stmt{s}
}

func (p *cFront) declaration(n *sitter.Node) []*Stmt {
	base := p.typ(field(n, "type"), nil)
	builder := strings.Contains(p.str(field(n, "type")), "StringBu")
	var out []*Stmt
	for _, d := range n.ChildrenByFieldName("declarator", n.Walk()) {
		d := d
		ln := line(&d)
		var nm string
		var t Type
		var value *sitter.Node
		if p.lang == "java" {
			nm = p.str(field(&d, "name"))
			t = base
			if dims := field(&d, "dimensions"); dims != nil {
				for i := 0; i < strings.Count(p.str(dims), "["); i++ {
					t = listOf(t)
				}
			}
			value = field(&d, "value")
		} else {
			nm, t = p.declarator(&d, base)
			if d.Kind() == "init_declarator" {
				value = field(&d, "value")
			}
		}
		if d.Kind() == "identifier" && p.lang == "java" {
			nm = p.str(&d)
		}
		p.locals[nm] = t
		if p.lang == "java" {
			delete(p.kinds, nm)
			tt := p.str(field(n, "type"))
			switch {
			case strings.HasPrefix(tt, "Stack"):
				p.kinds[nm] = "stack"
			case strings.HasPrefix(tt, "Deque") || strings.HasPrefix(tt, "ArrayDeque") || strings.HasPrefix(tt, "Queue") ||
				(strings.HasPrefix(tt, "LinkedList") && value != nil && strings.Contains(p.str(value), "LinkedList")):
				p.kinds[nm] = "deque"
			case strings.HasPrefix(tt, "PriorityQueue"):
				p.kinds[nm] = "pq"
				if value != nil && strings.Contains(p.str(value), "reverseOrder") {
					p.kinds[nm] = "pqmax"
				}
				if e := t.elem(); e.K != TInt && e.K != TFloat {
					p.add(ln, "PriorityQueue of %s", e)
				}
			}
		}
		if builder {
			if p.builders == nil {
				p.builders = map[string]bool{}
			}
			p.builders[nm] = true
		}
		s := &Stmt{K: SAssign, Decl: true, T: t, Target: name(nm, ln), Line: ln}
		switch {
		case value != nil && value.Kind() == "argument_list": // vector<int> v(n, 0)
			args := named(value)
			s.Value = p.construct(t, args, ln)
		case value != nil && (value.Kind() == "initializer_list" || value.Kind() == "array_initializer"):
			s.Value = p.initList(value, t)
		case value != nil:
			s.Value = p.expr(value)
		case t.K == TList && p.lang != "java":
			// int a[n][m]: a zeroed array (C leaves it undefined; weft gives the zero value).
			s.Value = &Expr{K: ENew, T: t, Args: p.arrayDims(&d), Line: ln}
			if len(s.Value.Args) == 0 {
				s.Value = &Expr{K: EList, T: t, Line: ln}
			}
		case t.K == TMap && p.lang != "java":
			s.Value = &Expr{K: EMap, T: t, Line: ln}
		case t.K == TSet && p.lang != "java":
			s.Value = &Expr{K: ESetLit, T: t, Line: ln}
		case p.lang != "java":
			s.Value = zero(t, ln)
		}
		if s.Value != nil && s.Value.K == EList && s.Value.T.K == TUnknown {
			s.Value.T = t
		}
		out = append(out, s)
	}
	return out
}

// arrayDims returns the sizes of a C array declarator, outermost first.
func (p *cFront) arrayDims(d *sitter.Node) []*Expr {
	var dims []*Expr
	for d != nil && d.Kind() != "identifier" {
		if d.Kind() == "array_declarator" {
			if sz := field(d, "size"); sz != nil {
				dims = append([]*Expr{p.expr(sz)}, dims...)
			} else {
				return nil
			}
		}
		if d.Kind() == "init_declarator" || d.Kind() == "array_declarator" || d.Kind() == "pointer_declarator" {
			d = field(d, "declarator")
			continue
		}
		break
	}
	return dims
}

// construct is a C++ constructor call: vector<T> v(n), v(n, x), string s(n, c).
func (p *cFront) construct(t Type, args []*sitter.Node, ln int) *Expr {
	switch {
	case t.K == TList && len(args) == 1:
		return &Expr{K: ENew, T: t, Args: []*Expr{p.expr(args[0])}, Line: ln}
	case t.K == TList && len(args) == 2:
		return &Expr{K: EBuiltin, Op: "fill", T: t, Args: []*Expr{p.expr(args[0]), p.expr(args[1])}, Line: ln}
	case t.K == TString && len(args) == 2:
		return bi("repeat", ln, &Expr{K: ECast, T: tString, Args: []*Expr{p.expr(args[1])}, Line: ln}, p.expr(args[0]))
	}
	p.add(ln, "constructor of %s with %d arguments", t, len(args))
	return zero(t, ln)
}

func (p *cFront) initList(n *sitter.Node, t Type) *Expr {
	e := &Expr{K: EList, T: t, Line: line(n)}
	for _, c := range named(n) {
		if c.Kind() == "initializer_list" || c.Kind() == "array_initializer" {
			e.Args = append(e.Args, p.initList(c, t.elem()))
		} else {
			e.Args = append(e.Args, p.expr(c))
		}
	}
	return e
}

func zero(t Type, ln int) *Expr {
	switch t.K {
	case TInt:
		return &Expr{K: ELit, Op: "0", T: t, Line: ln}
	case TFloat:
		return lit(tFloat, "0.0", ln)
	case TBool:
		return lit(tBool, "false", ln)
	case TString:
		return lit(tString, "", ln)
	case TChar:
		return lit(tChar, "\x00", ln)
	case TList:
		return &Expr{K: EList, T: t, Line: ln}
	case TMap:
		return &Expr{K: EMap, T: t, Line: ln}
	case TSet:
		return &Expr{K: ESetLit, T: t, Line: ln}
	}
	return lit(tInt, "0", ln)
}

func (p *cFront) exprStmt(n *sitter.Node) []*Stmt {
	ln := line(n)
	switch n.Kind() {
	case "assignment_expression":
		op := p.opText(n)
		left, right := field(n, "left"), field(n, "right")
		if right.Kind() == "assignment_expression" && op == "=" { // a = b = 0
			inner := p.exprStmt(right)
			if len(inner) == 1 && inner[0].K == SAssign {
				return append(inner, &Stmt{K: SAssign, Target: p.expr(left), Value: inner[0].Target, Line: ln})
			}
		}
		if op == "=" {
			return []*Stmt{{K: SAssign, Target: p.expr(left), Value: p.expr(right), Line: ln}}
		}
		o := strings.TrimSuffix(op, "=")
		if o == ">>>" && p.lang != "java" {
			p.add(ln, "operator >>>")
		}
		return []*Stmt{{K: SAugment, Target: p.expr(left), Op: o, Value: p.expr(right), Line: ln}}
	case "update_expression":
		op := "+"
		if strings.Contains(p.str(n), "--") {
			op = "-"
		}
		arg := field(n, "argument")
		if arg == nil {
			arg = named(n)[0]
		}
		return []*Stmt{{K: SAugment, Target: p.expr(arg), Op: op, Value: lit(tInt, "1", ln), Line: ln}}
	case "comma_expression":
		return append(p.exprStmt(field(n, "left")), p.exprStmt(field(n, "right"))...)
	case "parenthesized_expression":
		if c := named(n); len(c) == 1 {
			return p.exprStmt(c[0])
		}
	case "switch_expression":
		if p.lang == "java" {
			return p.switchStmt(n)
		}
	case "method_invocation", "call_expression":
		if s := p.mutatingCall(n); s != nil {
			return s
		}
		v := p.expr(n)
		if v.K == EBuiltin && v.Op == "setaddBool" {
			v.Op = "setadd"
		}
		return []*Stmt{{K: SExpr, Value: v, Line: ln}}
	}
	p.add(ln, "statement %s", oneLine(p.str(n)))
	return nil
}

// mutatingCall turns list.set(i, v), map.put(k, v) and memset into assignments.
func (p *cFront) mutatingCall(n *sitter.Node) []*Stmt {
	ln := line(n)
	args := named(field(n, "arguments"))
	if p.lang == "java" {
		obj, nm := field(n, "object"), p.str(field(n, "name"))
		if obj == nil {
			return nil
		}
		// sb.append(x).append(y); sb.reverse(); sb.insert(0, x) on a StringBuilder variable.
		if root := p.builderRoot(n); root != nil {
			var out []*Stmt
			var chain []*sitter.Node
			for c := n; c.Kind() == "method_invocation"; c = field(c, "object") {
				chain = append([]*sitter.Node{c}, chain...)
			}
			target := p.expr(root)
			for _, c := range chain {
				cargs := named(field(c, "arguments"))
				switch m := p.str(field(c, "name")); {
				case m == "append" && len(cargs) == 1:
					out = append(out, &Stmt{K: SAugment, Target: target, Op: "+", Value: p.expr(cargs[0]), Line: ln})
				case m == "reverse" && len(cargs) == 0:
					out = append(out, &Stmt{K: SAssign, Target: target, Value: bi("revslice", ln, p.expr(root)), Line: ln})
				case m == "insert" && len(cargs) == 2 && p.str(cargs[0]) == "0":
					v := &Expr{K: ECast, T: tString, Args: []*Expr{p.expr(cargs[1])}, Line: ln}
					out = append(out, &Stmt{K: SAssign, Target: target, Value: bin("+", v, p.expr(root)), Line: ln})
				case m == "insert" && len(cargs) == 2:
					i := p.expr(cargs[0])
					v := &Expr{K: ECast, T: tString, Args: []*Expr{p.expr(cargs[1])}, Line: ln}
					out = append(out, &Stmt{K: SAssign, Target: target, Value: bin("+", bin("+", bi("substring", ln, p.expr(root), lit(tInt, "0", ln), i), v),
						bi("substring", ln, p.expr(root), copyExpr(i))), Line: ln})
				case m == "deleteCharAt" && len(cargs) == 1:
					i := p.expr(cargs[0])
					out = append(out, &Stmt{K: SAssign, Target: target, Value: bin("+", bi("substring", ln, p.expr(root), lit(tInt, "0", ln), i),
						bi("substring", ln, p.expr(root), bin("+", copyExpr(i), lit(tInt, "1", ln)))), Line: ln})
				case m == "setCharAt" && len(cargs) == 2:
					i := p.expr(cargs[0])
					v := &Expr{K: ECast, T: tString, Args: []*Expr{p.expr(cargs[1])}, Line: ln}
					out = append(out, &Stmt{K: SAssign, Target: target, Value: bin("+", bin("+", bi("substring", ln, p.expr(root), lit(tInt, "0", ln), i), v),
						bi("substring", ln, p.expr(root), bin("+", copyExpr(i), lit(tInt, "1", ln)))), Line: ln})
				default:
					p.add(ln, "StringBuilder.%s", m)
				}
			}
			return out
		}
		switch {
		case nm == "set" && len(args) == 2 && p.str(obj) != "Arrays":
			return []*Stmt{{K: SAssign, Target: &Expr{K: EIndex, Args: []*Expr{p.expr(obj), p.expr(args[0])}, Line: ln}, Value: p.expr(args[1]), Line: ln}}
		case nm == "merge" && len(args) == 3 && p.flat(args[2]) == "Integer::sum":
			m, k := p.expr(obj), p.expr(args[0])
			return []*Stmt{{K: SAssign, Target: &Expr{K: EIndex, Args: []*Expr{m, k}, Line: ln},
				Value: bin("+", bi("mapget", ln, copyExpr(m), copyExpr(k), lit(tInt, "0", ln)), p.expr(args[1])), Line: ln}}
		case nm == "put" && len(args) == 2:
			return []*Stmt{{K: SAssign, Target: &Expr{K: EIndex, Args: []*Expr{p.expr(obj), p.expr(args[0])}, Line: ln}, Value: p.expr(args[1]), Line: ln}}
		case p.str(obj) == "Arrays" && nm == "fill" && len(args) == 2:
			return []*Stmt{{K: SExpr, Value: bi("fillAll", ln, p.expr(args[0]), p.expr(args[1])), Line: ln}}
		}
		return nil
	}
	fn := strings.TrimPrefix(p.str(field(n, "function")), "std::")
	if fn == "memset" && len(args) == 3 {
		v := p.str(args[1])
		if v != "0" && v != "-1" {
			p.add(ln, "memset to %s", v)
			return nil
		}
		return []*Stmt{{K: SExpr, Value: bi("fillAll", ln, p.expr(args[0]), lit(tInt, v, ln)), Line: ln}}
	}
	if fn == "fill" && len(args) == 3 && args[1].Kind() == "binary_expression" && p.str(field(args[1], "left")) == p.str(args[0]) {
		// fill(a, a + n, v)
		return []*Stmt{{K: SExpr, Value: bi("fillN", ln, p.expr(args[0]), p.expr(field(args[1], "right")), p.expr(args[2])), Line: ln}}
	}
	if fn == "swap" && len(args) == 2 {
		p.tmp++
		t := "tmp" + itoa(p.tmp)
		a, b := p.expr(args[0]), p.expr(args[1])
		return []*Stmt{
			{K: SAssign, Target: name(t, ln), Value: a, Line: ln},
			{K: SAssign, Target: p.expr(args[0]), Value: b, Line: ln},
			{K: SAssign, Target: p.expr(args[1]), Value: name(t, ln), Line: ln},
		}
	}
	return nil
}

var cBinOps = map[string]string{
	"+": "+", "-": "-", "*": "*", "/": OpTruncDiv, "%": OpRem, "&": "&", "|": "|", "^": "^", "<<": "<<", ">>": ">>",
	"==": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">=", "&&": "&&", "||": "||",
}

func (p *cFront) expr(n *sitter.Node) *Expr {
	if n == nil {
		return lit(tInt, "0", 0)
	}
	ln := line(n)
	text := p.str(n)
	switch n.Kind() {
	case "decimal_integer_literal", "hex_integer_literal", "octal_integer_literal", "binary_integer_literal":
		v, ok := intLit(text)
		if !ok {
			p.add(ln, "integer literal %s", text)
		}
		t := Type{K: TInt}
		if strings.HasSuffix(strings.ToLower(text), "l") {
			t.Bits = 64
		}
		return lit(t, v, ln)
	case "number_literal":
		if v, ok := intLit(text); ok && !strings.ContainsAny(text, ".eE") || strings.HasPrefix(strings.ToLower(text), "0x") {
			t := Type{K: TInt}
			if strings.Contains(strings.ToLower(text), "l") {
				t.Bits = 64
			}
			return lit(t, v, ln)
		}
		v, ok := floatLit(text)
		if !ok {
			p.add(ln, "number literal %s", text)
		}
		return lit(tFloat, v, ln)
	case "decimal_floating_point_literal":
		v, ok := floatLit(text)
		if !ok {
			p.add(ln, "float literal %s", text)
		}
		return lit(tFloat, v, ln)
	case "true":
		return lit(tBool, "true", ln)
	case "false":
		return lit(tBool, "false", ln)
	case "character_literal", "char_literal":
		v, ok := unescape(strings.TrimSuffix(strings.TrimPrefix(text, "'"), "'"))
		if !ok || len([]rune(v)) != 1 {
			p.add(ln, "character literal %s", text)
			v = "?"
		}
		return lit(tChar, v, ln)
	case "string_literal":
		body := text
		if i := strings.IndexByte(body, '"'); i >= 0 {
			body = body[i+1:]
		}
		body = strings.TrimSuffix(body, `"`)
		v, ok := unescape(body)
		if !ok {
			p.add(ln, "string literal %s", text)
		}
		return lit(tString, v, ln)
	case "null_literal", "null":
		if p.lang != "java" {
			p.add(ln, "null")
			return lit(tInt, "0", ln)
		}
		return &Expr{K: ELit, Op: "null", Line: ln} // isNull; Python's None, not covered in Go

	case "identifier":
		switch text {
		case "INT_MAX":
			return lit(Type{K: TInt, Bits: 32}, "2147483647", ln)
		case "INT_MIN":
			return lit(Type{K: TInt, Bits: 32}, "-2147483648", ln)
		case "M_PI":
			return lit(tFloat, "3.141592653589793", ln)
		case "LLONG_MAX", "LONG_MAX":
			return lit(Type{K: TInt, Bits: 64}, "9223372036854775807", ln)
		case "LLONG_MIN", "LONG_MIN":
			return lit(Type{K: TInt, Bits: 64}, "-9223372036854775808", ln)
		}
		return name(text, ln)
	case "parenthesized_expression":
		if c := named(n); len(c) == 1 {
			return p.expr(c[0])
		}
	case "binary_expression":
		op := p.opText(n)
		if op == ">>>" && p.lang == "java" {
			return bin(">>>", p.expr(field(n, "left")), p.expr(field(n, "right")))
		}
		o, ok := cBinOps[op]
		if !ok {
			p.add(ln, "operator %s", op)
		}
		l := p.expr(field(n, "left"))
		if op == "&&" || op == "||" {
			p.noHoist++
			defer func() { p.noHoist-- }()
		}
		return bin(o, l, p.expr(field(n, "right")))
	case "unary_expression":
		op := p.opText(n)
		arg := field(n, "argument")
		if arg == nil {
			arg = field(n, "operand")
		}
		switch op {
		case "-", "!", "~", "+":
			return &Expr{K: EUn, Op: op, Args: []*Expr{p.expr(arg)}, Line: ln}
		}
		p.add(ln, "unary operator %s", op)
	case "ternary_expression", "conditional_expression":
		c := p.cond(field(n, "condition"))
		p.noHoist++
		defer func() { p.noHoist-- }()
		return &Expr{K: ECond, Args: []*Expr{c, p.expr(field(n, "consequence")), p.expr(field(n, "alternative"))}, Line: ln}
	case "array_access":
		return &Expr{K: EIndex, Args: []*Expr{p.expr(field(n, "array")), p.expr(field(n, "index"))}, Line: ln}
	case "subscript_expression":
		idx := field(n, "index")
		if idx == nil {
			if l := field(n, "indices"); l != nil && len(named(l)) == 1 {
				idx = named(l)[0]
			}
		}
		if idx == nil {
			break
		}
		return &Expr{K: EIndex, Args: []*Expr{p.expr(field(n, "argument")), p.expr(idx)}, Line: ln}
	case "field_access":
		obj, f := p.str(field(n, "object")), p.str(field(n, "field"))
		switch obj + "." + f {
		case "Integer.MAX_VALUE":
			return lit(Type{K: TInt, Bits: 32}, "2147483647", ln)
		case "Integer.MIN_VALUE":
			return lit(Type{K: TInt, Bits: 32}, "-2147483648", ln)
		case "Long.MAX_VALUE":
			return lit(Type{K: TInt, Bits: 64}, "9223372036854775807", ln)
		case "Long.MIN_VALUE":
			return lit(Type{K: TInt, Bits: 64}, "-9223372036854775808", ln)
		case "Math.PI":
			return lit(tFloat, "3.141592653589793", ln)
		case "Math.E":
			return lit(tFloat, "2.718281828459045", ln)
		}
		if f == "length" {
			return bi("len", ln, p.expr(field(n, "object")))
		}
	case "array_creation_expression":
		t := p.typ(field(n, "type"), nil)
		var dims []*Expr
		extra := 0
		for _, c := range named(n) {
			switch c.Kind() {
			case "dimensions_expr":
				dims = append(dims, p.expr(named(c)[0]))
			case "dimensions":
				extra += strings.Count(p.str(c), "[")
			case "array_initializer":
				for i := 0; i < len(dims)+extra; i++ {
					t = listOf(t)
				}
				return p.initList(c, t)
			}
		}
		for i := 0; i < len(dims)+extra; i++ {
			t = listOf(t)
		}
		if extra > 0 && len(dims) > 0 {
			// new int[n][]: the inner arrays come later.
			lt := t
			for i := 0; i < len(dims)-1; i++ {
				lt = lt.elem()
			}
			_ = lt
		}
		return &Expr{K: ENew, T: t, Args: dims, Line: ln}
	case "object_creation_expression":
		t := p.typ(field(n, "type"), nil)
		args := named(field(n, "arguments"))
		switch t.K {
		case TList:
			if len(args) == 0 || (len(args) == 1 && p.str(args[0]) != "" && t.K == TList && isNumberNode(args[0]) &&
				(args[0].Kind() != "identifier" || p.locals[p.str(args[0])].K == TInt)) {
				return &Expr{K: EList, T: t, Line: ln}
			}
			if len(args) == 1 && p.flat(args[0]) == "Collections.reverseOrder()" && strings.HasPrefix(p.str(field(n, "type")), "PriorityQueue") {
				return &Expr{K: EList, T: t, Line: ln} // the declaration records the order
			}
			if strings.HasPrefix(p.str(field(n, "type")), "PriorityQueue") {
				p.add(ln, "PriorityQueue with a comparator")
				return &Expr{K: EList, T: t, Line: ln}
			}
			if len(args) == 1 {
				return &Expr{K: EBuiltin, Op: "copy", T: t, Args: []*Expr{p.expr(args[0])}, Line: ln}
			}
		case TMap:
			if len(args) == 0 || (len(args) == 1 && p.capacity(args[0])) {
				return &Expr{K: EMap, T: t, Line: ln}
			}
		case TSet:
			if len(args) == 0 || (len(args) == 1 && p.capacity(args[0])) {
				return &Expr{K: ESetLit, T: t, Line: ln}
			}
			if len(args) == 1 {
				return &Expr{K: EBuiltin, Op: "set", T: t, Args: []*Expr{p.expr(args[0])}, Line: ln} // new HashSet<>(list)
			}
		case TString:
			if len(args) == 0 {
				return lit(tString, "", ln)
			}
			if len(args) == 1 {
				e := p.expr(args[0])
				if isNumberNode(args[0]) && args[0].Kind() != "identifier" {
					return lit(tString, "", ln) // new StringBuilder(capacity)
				}
				return &Expr{K: ECast, T: tString, Args: []*Expr{e}, Line: ln}
			}
		}
		p.add(ln, "new %s", oneLine(text))
	case "cast_expression":
		t := p.typ(field(n, "type"), nil)
		if tt := field(n, "type"); tt != nil && tt.Kind() == "type_descriptor" {
			t = p.typ(field(tt, "type"), nil)
		}
		return &Expr{K: ECast, T: t, Args: []*Expr{p.expr(field(n, "value"))}, Line: ln}
	case "method_invocation":
		return p.javaCall(n)
	case "call_expression":
		return p.cCall(n)
	case "update_expression":
		arg := field(n, "argument")
		if arg == nil {
			arg = named(n)[0]
		}
		if p.noHoist > 0 || arg.Kind() != "identifier" {
			p.add(ln, "assignment inside an expression: %s", oneLine(text))
			return lit(tInt, "0", ln)
		}
		op := "+"
		if strings.Contains(text, "--") {
			op = "-"
		}
		v := p.str(arg)
		upd := &Stmt{K: SAugment, Target: name(v, ln), Op: op, Value: lit(tInt, "1", ln), Line: ln}
		if strings.HasPrefix(strings.TrimSpace(text), "++") || strings.HasPrefix(strings.TrimSpace(text), "--") {
			p.pre = append(p.pre, upd)
			p.hoisted = append(p.hoisted, hoist{v, 1})
			return name(v, ln)
		}
		p.tmp++
		t := "tmp" + itoa(p.tmp)
		p.pre = append(p.pre, &Stmt{K: SAssign, Target: name(t, ln), Value: name(v, ln), Line: ln}, upd)
		p.hoisted = append(p.hoisted, hoist{v, 0})
		return name(t, ln)
	case "assignment_expression":
		// int a = b[i] = 0: the inner assignment runs first, and its target is read back.
		if left := field(n, "left"); p.noHoist == 0 && p.opText(n) == "=" && (left.Kind() == "identifier" || left.Kind() == "array_access") {
			stmts := p.exprStmt(n)
			if len(stmts) > 0 && stmts[len(stmts)-1].K == SAssign && pure(stmts[len(stmts)-1].Target) {
				p.pre = append(p.pre, stmts...)
				return copyExpr(stmts[len(stmts)-1].Target)
			}
		}
		p.add(ln, "assignment inside an expression: %s", oneLine(text))
		return lit(tInt, "0", ln)
	case "switch_expression":
		if p.lang == "java" {
			return p.switchValue(n)
		}
	}
	p.add(ln, "expression %s", oneLine(text))
	return lit(tInt, "0", ln)
}

func isNumberNode(n *sitter.Node) bool {
	return strings.Contains(n.Kind(), "integer_literal") || n.Kind() == "number_literal" || n.Kind() == "identifier"
}

// javaStatic maps Class.method calls to builtins.
var javaStatic = map[string]string{
	"Math.max": "max", "Math.min": "min", "Math.abs": "abs", "Math.sqrt": "sqrt", "Math.pow": "fpow",
	"Math.floor": "floor", "Math.ceil": "ceil", "Math.log": "log", "Math.log10": "log10", "Math.exp": "exp",
	"Math.sin": "sin", "Math.cos": "cos", "Math.tan": "tan", "Math.atan": "atan", "Math.atan2": "atan2",
	"Math.cbrt": "cbrt", "Math.hypot": "hypot", "Math.asin": "asin", "Math.acos": "acos",
	"Arrays.sort": "sort", "Collections.sort": "sort", "Arrays.parallelSort": "sort", "Integer.parseInt": "int", "Long.parseLong": "int",
	"String.valueOf": "str", "Integer.toString": "str", "Long.toString": "str", "Double.toString": "str",
	"Character.isDigit": "isdigit", "Character.isLetter": "isalpha", "Character.isUpperCase": "isupper",
	"Character.isLowerCase": "islower", "Character.isLetterOrDigit": "isalnum", "Character.isWhitespace": "isspace",
	"Character.toUpperCase": "upper", "Character.toLowerCase": "lower", "Collections.reverse": "reverse",
	"Math.round": "jround", "Integer.valueOf": "int", "Math.floorMod": "floorMod", "Math.floorDiv": "floorDiv",
	"Integer.bitCount": "bitCount", "Long.bitCount": "bitCount", "Integer.compare": "compareTo", "Long.compare": "compareTo",
	"Character.compare": "compareTo", "Collections.max": "maxOf", "Collections.min": "minOf", "Integer.max": "max",
	"Integer.min": "min", "Long.max": "max", "Long.min": "min",
	"Integer.toBinaryString": "jbin", "Long.toBinaryString": "jbin64", "Character.getNumericValue": "numval",
}

// javaMethods maps instance methods to builtins taking the receiver first.
var javaMethods = map[string]string{
	"length": "len", "size": "len", "charAt": "charAt", "substring": "substring", "equals": "equals",
	"indexOf": "find", "contains": "contains", "toUpperCase": "upper", "toLowerCase": "lower", "trim": "strip",
	"add": "append", "get": "get", "containsKey": "containsKey", "getOrDefault": "mapget", "isEmpty": "isEmpty",
	"startsWith": "startswith", "endsWith": "endswith", "replace": "replace", "toCharArray": "chars",
	"remove": "remove", "keySet": "keys", "values": "values", "lastIndexOf": "rfind", "split": "split",
	"compareTo": "compareTo", "clear": "clear", "reverse": "reverse",
}

// builderRoot returns the variable at the root of a chain of StringBuilder calls (sb.append(x).append(y)),
// or nil when n is not such a chain on a declared StringBuilder variable.
func (p *cFront) builderRoot(n *sitter.Node) *sitter.Node {
	for n != nil && n.Kind() == "method_invocation" {
		switch p.str(field(n, "name")) {
		case "append", "reverse", "insert", "deleteCharAt", "setCharAt":
		default:
			return nil
		}
		n = field(n, "object")
	}
	if n == nil || n.Kind() != "identifier" || !p.builders[p.str(n)] {
		return nil
	}
	return n
}

func (p *cFront) javaCall(n *sitter.Node) *Expr {
	ln := line(n)
	obj, nm := field(n, "object"), p.str(field(n, "name"))
	if an := named(field(n, "arguments")); obj != nil && (p.str(obj) == "Arrays" || p.str(obj) == "Collections") && nm == "sort" &&
		len(an) == 2 && p.flat(an[1]) == "Collections.reverseOrder()" {
		return bi("sortDesc", ln, p.expr(an[0]))
	}
	// Arrays.sort(xs, (a, b) -> ...), Collections.sort(xs, ...), xs.sort(...): a stable sort by a
	// comparator, as Python's sort with cmp_to_key.
	if an := named(field(n, "arguments")); obj != nil && len(an) > 0 && an[len(an)-1].Kind() == "lambda_expression" &&
		((len(an) == 2 && (p.str(obj) == "Arrays" || p.str(obj) == "Collections") && nm == "sort") || (len(an) == 1 && nm == "sort")) {
		lam := an[len(an)-1]
		var ps []string
		for _, c := range named(field(lam, "parameters")) {
			switch c.Kind() {
			case "identifier":
				ps = append(ps, p.str(c))
			case "formal_parameter":
				ps = append(ps, p.str(field(c, "name")))
			}
		}
		if field(lam, "parameters").Kind() == "identifier" {
			ps = []string{p.str(field(lam, "parameters"))}
		}
		body := field(lam, "body")
		if len(ps) != 2 || body == nil || body.Kind() == "block" {
			p.add(ln, "comparator %s", oneLine(p.str(lam)))
			return lit(tInt, "0", ln)
		}
		seq := p.expr(an[0])
		if len(an) == 1 {
			seq = p.expr(obj)
		}
		p.noHoist++
		b := p.expr(body)
		p.noHoist--
		inner := &Expr{K: EComp, Op: ps[1], Args: []*Expr{b, seq, nil}, Line: ln}
		return bi("sortCmp", ln, seq, &Expr{K: EComp, Op: ps[0], Args: []*Expr{inner, seq, nil}, Line: ln})
	}
	var args []*Expr
	for _, a := range named(field(n, "arguments")) {
		args = append(args, p.expr(a))
	}
	if obj == nil {
		return &Expr{K: ECall, Op: nm, Args: args, Line: ln}
	}
	o := p.flat(obj)
	if o == "System.out" && (nm == "println" || nm == "print") && len(args) <= 1 {
		end := "\n"
		if nm == "print" {
			end = ""
		}
		return bi("print", ln, append([]*Expr{lit(tString, "", ln), lit(tString, end, ln)}, args...)...)
	}
	if m, ok := p.entries[o]; ok && len(args) == 0 {
		switch nm {
		case "getKey":
			return name(o, ln)
		case "getValue":
			return &Expr{K: EIndex, Args: []*Expr{copyExpr(m), name(o, ln)}, Line: ln}
		}
		p.add(ln, "Map.Entry.%s", nm)
		return lit(tInt, "0", ln)
	}
	if k := p.kinds[o]; k != "" && obj.Kind() == "identifier" {
		if e := p.collection(k, obj, nm, args, ln); e != nil {
			return e
		}
	}
	if o == "Arrays" && nm == "sort" && len(args) == 3 {
		return bi("sortRange", ln, args...)
	}
	if (o == "String" && nm == "format" || o == "System.out" && nm == "printf") && len(args) >= 1 {
		// String.format("%d: %s%n", a, b): Python's % formatting, which reads these specs alike.
		f := args[0]
		if f.K != ELit || f.T.K != TString || !javaFormat.MatchString(f.Op) {
			p.add(ln, "%s.%s with this format", o, nm)
			return lit(tString, "", ln)
		}
		out := bi("jformat", ln, append([]*Expr{lit(tString, strings.ReplaceAll(f.Op, "%n", "\n"), ln)}, args[1:]...)...)
		if nm == "printf" {
			return bi("print", ln, lit(tString, "", ln), lit(tString, "", ln), out)
		}
		return out
	}
	if o == "String" && nm == "join" && len(args) == 2 {
		return bi("join", ln, args[0], args[1])
	}
	if o == "Arrays" && nm == "copyOf" && len(args) == 2 {
		an := named(field(n, "arguments"))
		if p.flat(an[1]) == p.flat(an[0])+".length" {
			return bi("copy", ln, args[0])
		}
		return bi("copyOfJava", ln, args[0], args[1])
	}
	if o == "Arrays" && nm == "copyOfRange" && len(args) == 3 {
		return bi("copyOfRangeJava", ln, args...)
	}
	if nm == "clone" && len(args) == 0 && p.locals[o].K == TList {
		return bi("copy", ln, p.expr(obj))
	}
	if (o == "Arrays" && nm == "asList") || (o == "List" && nm == "of") {
		return &Expr{K: EList, Args: args, Line: ln}
	}
	if nm == "sum" && len(args) == 0 && obj.Kind() == "method_invocation" && p.str(field(obj, "object")) == "Arrays" &&
		p.str(field(obj, "name")) == "stream" && len(named(field(obj, "arguments"))) == 1 {
		return bi("sum", ln, p.expr(named(field(obj, "arguments"))[0])) // Arrays.stream(a).sum()
	}
	if (nm == "getAsInt" || nm == "getAsLong" || nm == "getAsDouble") && len(args) == 0 && obj.Kind() == "method_invocation" &&
		(p.str(field(obj, "name")) == "max" || p.str(field(obj, "name")) == "min") && len(named(field(obj, "arguments"))) == 0 {
		// Arrays.stream(a).max().getAsInt()
		st := field(obj, "object")
		if st != nil && st.Kind() == "method_invocation" && p.flat(field(st, "object")) == "Arrays" && p.str(field(st, "name")) == "stream" &&
			len(named(field(st, "arguments"))) == 1 {
			return bi(p.str(field(obj, "name"))+"Of", ln, p.expr(named(field(st, "arguments"))[0]))
		}
	}
	if nm == "equalsIgnoreCase" && len(args) == 1 {
		return bi("equals", ln, bi("lower", ln, p.expr(obj)), bi("lower", ln, args[0]))
	}
	if (o == "String" && (nm == "valueOf" || nm == "copyValueOf")) && len(args) == 1 {
		if t := p.locals[p.str(named(field(n, "arguments"))[0])]; t.K == TList && t.elem().K == TChar {
			return bi("join", ln, lit(tString, "", ln), args[0])
		}
	}
	if b, ok := javaStatic[o+"."+nm]; ok {
		if b == "sort" && len(args) != 1 {
			p.add(ln, "%s.sort with a range or comparator", o)
		}
		return bi(b, ln, args...)
	}
	if o == "Math" || o == "Arrays" || o == "Collections" || o == "Integer" || o == "Character" || o == "String" || o == "Long" || o == "System" {
		p.add(ln, "call to %s.%s", o, nm)
		return lit(tInt, "0", ln)
	}
	if nm == "toString" && len(args) == 0 {
		return &Expr{K: ECast, T: tString, Args: []*Expr{p.expr(obj)}, Line: ln}
	}
	if nm == "reverse" && len(args) == 0 && strings.Contains(p.str(obj), "StringBu") {
		return bi("revslice", ln, p.expr(obj)) // new StringBuilder(s).reverse()
	}
	b, ok := javaMethods[nm]
	if !ok {
		p.add(ln, "method %s", nm)
		return lit(tInt, "0", ln)
	}
	recv := p.expr(obj)
	switch b {
	case "get":
		if len(args) == 1 && p.locals[o].K == TMap {
			return bi("mapget", ln, recv, args[0]) // Map.get: null (None) for a missing key
		}
		if len(args) == 1 {
			return &Expr{K: EIndex, Args: []*Expr{recv, args[0]}, Line: ln}
		}
	case "append":
		if len(args) == 2 {
			return bi("insert", ln, recv, args[0], args[1])
		}
		if t := p.locals[o]; t.K == TSet {
			b = "setaddBool" // a statement drops the result (exprStmt)
		}
	case "remove":
		if t := p.locals[o]; t.K == TList && len(args) == 1 {
			b = "popAtJava"
		}
	}
	return bi(b, ln, append([]*Expr{recv}, args...)...)
}

// cFuncs maps C and C++ library functions to builtins.
var cFuncs = map[string]string{
	"max": "max", "min": "min", "abs": "abs", "fabs": "fabs", "sqrt": "sqrt", "pow": "fpow", "floor": "floor",
	"ceil": "ceil", "log": "log", "log10": "log10", "log2": "log2", "exp": "exp", "sin": "sin", "cos": "cos",
	"tan": "tan", "atan": "atan", "atan2": "atan2", "cbrt": "cbrt", "hypot": "hypot", "llabs": "abs", "labs": "abs",
	"__gcd": "gcd", "gcd": "gcd", "isdigit": "isdigit", "isalpha": "isalpha", "isupper": "isupper", "islower": "islower",
	"isalnum": "isalnum", "isspace": "isspace", "toupper": "upper", "tolower": "lower", "strlen": "len",
	"to_string": "str", "stoi": "int", "atoi": "int", "round": "jround", "__builtin_popcount": "bitCount",
	"reverse": "reverseRange", "sort": "sortRange", "asin": "asin", "acos": "acos",
}

var cMethods = map[string]string{
	"size": "len", "length": "len", "push_back": "append", "substr": "substr", "find": "find", "empty": "isEmpty",
	"count": "containsKey", "insert": "setadd", "pop_back": "pop", "back": "back", "front": "front", "clear": "clear",
	"append": "concat", "at": "get",
}

func (p *cFront) cCall(n *sitter.Node) *Expr {
	ln := line(n)
	fn := field(n, "function")
	var args []*Expr
	argNodes := named(field(n, "arguments"))
	for _, a := range argNodes {
		args = append(args, p.expr(a))
	}
	switch fn.Kind() {
	case "identifier", "qualified_identifier":
		f := strings.TrimPrefix(p.str(fn), "std::")
		if b, ok := cFuncs[f]; ok {
			if b == "sortRange" || b == "reverseRange" {
				// sort(a, a + n), sort(v.begin(), v.end())
				if len(args) == 2 {
					whole := strings.HasSuffix(p.str(argNodes[0]), ".begin()") && strings.HasSuffix(p.str(argNodes[1]), ".end()")
					if whole {
						recv := p.expr(field(field(argNodes[0], "function"), "argument"))
						if b == "sortRange" {
							return bi("sort", ln, recv)
						}
						return bi("reverse", ln, recv)
					}
					if argNodes[1].Kind() == "binary_expression" && p.str(field(argNodes[1], "left")) == p.str(argNodes[0]) && p.opText(argNodes[1]) == "+" {
						return bi(b, ln, args[0], lit(tInt, "0", ln), p.expr(field(argNodes[1], "right")))
					}
				}
				p.add(ln, "%s over %s", f, oneLine(p.str(field(n, "arguments"))))
				return lit(tInt, "0", ln)
			}
			return bi(b, ln, args...)
		}
		if strings.Contains(p.str(fn), "::") {
			p.add(ln, "call to %s", p.str(fn))
			return lit(tInt, "0", ln)
		}
		return &Expr{K: ECall, Op: f, Args: args, Line: ln}
	case "field_expression":
		m := p.str(field(fn, "field"))
		b, ok := cMethods[m]
		if !ok {
			p.add(ln, "method %s", m)
			return lit(tInt, "0", ln)
		}
		recv := p.expr(field(fn, "argument"))
		switch b {
		case "substr":
			if len(args) == 1 {
				return bi("substring", ln, recv, args[0])
			}
			return bi("substring", ln, recv, args[0], bin("+", args[0], args[1]))
		case "get":
			return &Expr{K: EIndex, Args: []*Expr{recv, args[0]}, Line: ln}
		case "back":
			return &Expr{K: EIndex, Args: []*Expr{recv, bin("-", bi("len", ln, recv), lit(tInt, "1", ln))}, Line: ln}
		case "front":
			return &Expr{K: EIndex, Args: []*Expr{recv, lit(tInt, "0", ln)}, Line: ln}
		case "find":
			if p.locals[p.str(field(fn, "argument"))].K != TString {
				p.add(ln, "find on a container")
			}
		}
		return bi(b, ln, append([]*Expr{recv}, args...)...)
	}
	p.add(ln, "call of %s", oneLine(p.str(fn)))
	return lit(tInt, "0", ln)
}

// collection maps a method of a Java Stack, Deque/Queue or PriorityQueue (kind) to list operations:
// a stack's top is the list's end, a queue's head its start; a priority queue is a binary heap
// (heappush, heappop; its least element first), holding negated values for a max-heap. It returns
// nil for the methods these share with lists (size, isEmpty, contains, clear).
func (p *cFront) collection(kind string, obj *sitter.Node, nm string, args []*Expr, ln int) *Expr {
	recv := func() *Expr { return p.expr(obj) }
	last := func() *Expr {
		return &Expr{K: EIndex, Args: []*Expr{recv(), bin("-", bi("len", ln, recv()), lit(tInt, "1", ln))}, Line: ln}
	}
	first := func() *Expr { return &Expr{K: EIndex, Args: []*Expr{recv(), lit(tInt, "0", ln)}, Line: ln} }
	neg := func(e *Expr) *Expr { return &Expr{K: EUn, Op: "-", Args: []*Expr{e}, Line: ln} }
	switch kind {
	case "stack":
		switch {
		case (nm == "push" || nm == "add" || nm == "addElement") && len(args) == 1:
			return bi("append", ln, recv(), args[0])
		case nm == "pop" && len(args) == 0:
			return bi("pop", ln, recv())
		case (nm == "peek" || nm == "lastElement") && len(args) == 0:
			return last()
		case nm == "empty" && len(args) == 0:
			return bi("isEmpty", ln, recv())
		case nm == "firstElement" && len(args) == 0:
			return first()
		}
	case "deque":
		switch {
		case (nm == "add" || nm == "addLast" || nm == "offer" || nm == "offerLast") && len(args) == 1:
			return bi("append", ln, recv(), args[0])
		case (nm == "addFirst" || nm == "offerFirst" || nm == "push") && len(args) == 1:
			return bi("insert", ln, recv(), lit(tInt, "0", ln), args[0])
		case (nm == "poll" || nm == "pollFirst" || nm == "remove" || nm == "removeFirst" || nm == "pop") && len(args) == 0:
			return bi("popAtJava", ln, recv(), lit(tInt, "0", ln))
		case (nm == "pollLast" || nm == "removeLast") && len(args) == 0:
			return bi("pop", ln, recv())
		case (nm == "peek" || nm == "peekFirst" || nm == "getFirst" || nm == "element") && len(args) == 0:
			return first()
		case (nm == "peekLast" || nm == "getLast") && len(args) == 0:
			return last()
		}
	case "pq", "pqmax":
		switch {
		case (nm == "add" || nm == "offer") && len(args) == 1:
			if kind == "pqmax" {
				return bi("heappush", ln, recv(), neg(args[0]))
			}
			return bi("heappush", ln, recv(), args[0])
		case (nm == "poll" || nm == "remove") && len(args) == 0:
			if kind == "pqmax" {
				return neg(bi("heappop", ln, recv()))
			}
			return bi("heappop", ln, recv())
		case (nm == "peek" || nm == "element") && len(args) == 0:
			if kind == "pqmax" {
				return neg(first())
			}
			return first()
		case nm == "size" || nm == "isEmpty" || nm == "clear":
			return nil
		}
		p.add(ln, "PriorityQueue.%s", nm)
		return lit(tInt, "0", ln)
	}
	switch nm {
	case "size", "isEmpty", "contains", "clear", "get", "set":
		return nil
	}
	p.add(ln, "%s.%s", kind, nm)
	return lit(tInt, "0", ln)
}

// switchSubject returns the value a switch compares, read once: a name as it is, anything else
// through a temporary assigned before the statement (pre).
func (p *cFront) switchSubject(n *sitter.Node) *Expr {
	ln := line(n)
	c := p.cond(field(n, "condition"))
	if c.K == EName || c.K == ELit {
		return c
	}
	p.tmp++
	t := "tmp" + itoa(p.tmp)
	p.pre = append(p.pre, &Stmt{K: SAssign, Target: name(t, ln), Value: c, Line: ln})
	return name(t, ln)
}

// switchLabels is the condition of one case's labels (subject == a || subject == b), nil for default.
func (p *cFront) switchLabels(subject *Expr, labels []*sitter.Node) (cond *Expr, isDefault bool) {
	for _, l := range labels {
		vals := named(l)
		if len(vals) == 0 {
			isDefault = true
			continue
		}
		for _, v := range vals {
			if v.Kind() == "identifier" && p.locals[p.str(v)].K == TUnknown && p.consts[p.str(v)] == nil {
				p.add(line(v), "case label %s (an enum constant)", p.str(v))
			}
			c := bin("==", copyExpr(subject), p.expr(v))
			if cond == nil {
				cond = c
			} else {
				cond = bin("||", cond, c)
			}
		}
	}
	return cond, isDefault
}

// breaksOut reports a break that would leave the switch (one not inside a nested loop).
func breaksOut(ss []*Stmt) bool {
	for _, s := range ss {
		switch s.K {
		case SBreak:
			return true
		case SIf:
			if breaksOut(s.Body) || breaksOut(s.Else) {
				return true
			}
		}
	}
	return false
}

// switchStmt maps a switch statement, old (case x: ... break;) or arrow (case x -> ...) form, to an
// if ... else if chain. A group that falls through into the next (no break, return, continue or
// throw at its end) and a break inside a group's if are not covered.
func (p *cFront) switchStmt(n *sitter.Node) []*Stmt {
	ln := line(n)
	subject := p.switchSubject(n)
	type arm struct {
		cond      *Expr
		isDefault bool
		body      []*Stmt
	}
	var arms []arm
	var pending []*sitter.Node // labels of empty groups: case 4: case 6: share the next body
	groups := named(field(n, "body"))
	for gi, g := range groups {
		var labels []*sitter.Node
		var stmts []*sitter.Node
		for _, c := range named(g) {
			if c.Kind() == "switch_label" {
				labels = append(labels, c)
			} else {
				stmts = append(stmts, c)
			}
		}
		switch g.Kind() {
		case "switch_block_statement_group":
			if len(stmts) == 0 && gi < len(groups)-1 {
				pending = append(pending, labels...)
				continue
			}
			labels = append(pending, labels...)
			pending = nil
			var body []*Stmt
			for _, c := range stmts {
				body = append(body, p.stmt(c)...)
			}
			ends := false
			if len(body) > 0 {
				switch body[len(body)-1].K {
				case SBreak:
					body, ends = body[:len(body)-1], true
				case SReturn, SContinue:
					ends = true
				}
			}
			if len(stmts) > 0 && stmts[len(stmts)-1].Kind() == "throw_statement" {
				ends = true
			}
			if !ends && gi < len(groups)-1 {
				p.add(line(g), "switch case falling through to the next")
			}
			if breaksOut(body) {
				p.add(line(g), "break inside a switch case's if")
			}
			cond, def := p.switchLabels(subject, labels)
			arms = append(arms, arm{cond, def, body})
		case "switch_rule":
			var body []*Stmt
			for _, c := range stmts {
				body = append(body, p.stmt(c)...)
			}
			if breaksOut(body) {
				p.add(line(g), "break inside a switch rule")
			}
			cond, def := p.switchLabels(subject, labels)
			arms = append(arms, arm{cond, def, body})
		default:
			p.add(line(g), "switch %s", g.Kind())
		}
	}
	var out *Stmt
	var last *Stmt
	var deflt []*Stmt
	hasDefault := false
	for _, a := range arms {
		if a.isDefault {
			deflt, hasDefault = a.body, true
			continue
		}
		s := &Stmt{K: SIf, Cond: a.cond, Body: a.body, Line: ln}
		if out == nil {
			out = s
		} else {
			last.Else = []*Stmt{s}
		}
		last = s
	}
	if out == nil {
		return deflt
	}
	if hasDefault {
		last.Else = deflt
		if last.Else == nil {
			last.Else = []*Stmt{}
		}
	}
	return []*Stmt{out}
}

// switchValue maps a switch expression (case x -> value; default -> value) to nested conditionals.
func (p *cFront) switchValue(n *sitter.Node) *Expr {
	ln := line(n)
	subject := p.switchSubject(n)
	var conds, vals []*Expr
	var deflt *Expr
	for _, g := range named(field(n, "body")) {
		var labels []*sitter.Node
		var body []*sitter.Node
		for _, c := range named(g) {
			if c.Kind() == "switch_label" {
				labels = append(labels, c)
			} else {
				body = append(body, c)
			}
		}
		if g.Kind() != "switch_rule" || len(body) != 1 || body[0].Kind() != "expression_statement" || len(named(body[0])) != 1 {
			p.add(line(g), "switch expression case %s", oneLine(p.str(g)))
			continue
		}
		p.noHoist++
		v := p.expr(named(body[0])[0])
		p.noHoist--
		cond, def := p.switchLabels(subject, labels)
		if def {
			deflt = v
			continue
		}
		conds, vals = append(conds, cond), append(vals, v)
	}
	if deflt == nil {
		p.add(ln, "switch expression without default")
		return lit(tInt, "0", ln)
	}
	e := deflt
	for i := len(conds) - 1; i >= 0; i-- {
		e = &Expr{K: ECond, Args: []*Expr{conds[i], vals[i], e}, Line: ln}
	}
	return e
}

// flat is the text of n without blanks ("System . out" is System.out).
func (p *cFront) flat(n *sitter.Node) string {
	return strings.Join(strings.Fields(p.str(n)), "")
}

// capacity reports an int argument of a collection's constructor (new HashSet<>(n)): a size hint.
func (p *cFront) capacity(n *sitter.Node) bool {
	if strings.Contains(n.Kind(), "integer_literal") {
		return true
	}
	if n.Kind() == "identifier" {
		t := p.locals[p.str(n)]
		return t.K == TInt
	}
	return n.Kind() == "binary_expression" && !strings.Contains(p.str(n), "\"")
}

// javaFormat matches the format strings whose specs Java and Python read alike: %d, %s, %c, %x and %f
// with flags - and 0, a width and a precision; %% and %n.
var javaFormat = regexp.MustCompile(`^([^%]|%%|%n|%-?0?[0-9]*(\.[0-9]+)?[dsfcx])*$`)
