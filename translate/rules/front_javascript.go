package rules

import (
	"strconv"
	"strings"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

// jsFront maps a JavaScript or TypeScript tree to the IR. JavaScript has one number type (float64);
// the IR keeps ints and floats apart, so a number is an int unless something makes it a float: a
// literal with a fraction, true division (a / b), a float library call. The idioms that give an int
// result back are read as what they mean: Math.floor(a / b) is flooring division, Math.trunc(a / b),
// (a / b) | 0 and ~~(a / b) are truncating division, % keeps the dividend's sign (OpRem). Strings
// index to one-character strings, as Python's do, so the IR's string model is Python's (charIndex
// false). TypeScript annotations give parameter and result types (number stays open: inference
// decides between int and float).
//
// What has no IR form is reported, never guessed: objects with fields, classes, closures passed
// around, exceptions, null/undefined, for ... in, switch, and the array methods whose callback is
// not a one-expression arrow function.
type jsFront struct {
	src
	tmp    int
	consts map[string]*sitter.Node
	// owners records the names a function calls Map or Set methods on (m.set, m.get: a map;
	// s.add: a set), which say what an untyped parameter is where indexing alone would say a list.
	owners map[string]Kind
}

// owner records that the receiver obj of a Map or Set method is of kind k.
func (p *jsFront) owner(obj *sitter.Node, k Kind) {
	if obj != nil && obj.Kind() == "identifier" && p.owners != nil {
		p.owners[p.str(obj)] = k
	}
}

func (p *jsFront) program(root *sitter.Node) *Program {
	prog := &Program{}
	for _, n := range named(root) {
		p.topLevel(prog, n)
	}
	if len(p.consts) > 0 {
		consts := map[string]*Expr{}
		for k, n := range p.consts {
			consts[k] = p.expr(n)
		}
		for _, f := range prog.Funcs {
			substConsts(f, consts)
		}
	}
	return prog
}

func (p *jsFront) topLevel(prog *Program, n *sitter.Node) {
	switch n.Kind() {
	case "function_declaration":
		prog.Funcs = append(prog.Funcs, p.function(p.str(field(n, "name")), n))
	case "export_statement":
		if d := field(n, "declaration"); d != nil {
			p.topLevel(prog, d)
			return
		}
		p.add(line(n), "export %s", oneLine(p.str(n)))
	case "lexical_declaration", "variable_declaration":
		for _, d := range named(n) {
			if d.Kind() != "variable_declarator" {
				continue
			}
			nm, v := field(d, "name"), field(d, "value")
			if nm == nil || nm.Kind() != "identifier" || v == nil {
				p.add(line(d), "top-level declaration %s", oneLine(p.str(d)))
				continue
			}
			switch v.Kind() {
			case "arrow_function", "function_expression", "function":
				prog.Funcs = append(prog.Funcs, p.function(p.str(nm), v))
			default:
				if jsConstant(v) {
					if p.consts == nil {
						p.consts = map[string]*sitter.Node{}
					}
					p.consts[p.str(nm)] = v
					continue
				}
				p.add(line(d), "top-level variable %s", p.str(nm))
			}
		}
	case "expression_statement":
		c := named(n)
		if len(c) == 1 && c[0].Kind() == "string" {
			return // "use strict"
		}
		if len(c) == 1 && c[0].Kind() == "assignment_expression" && strings.HasPrefix(p.str(field(c[0], "left")), "module.exports") {
			return // exports name the functions; they are not part of a translation
		}
		p.add(line(n), "top-level statement")
	case "empty_statement", "hash_bang_line":
	case "import_statement":
		p.add(line(n), "import")
	default:
		p.add(line(n), "top-level %s", strings.ReplaceAll(n.Kind(), "_", " "))
	}
}

// jsConstant reports an expression of literals and operators only (const MOD = 1e9 + 7).
func jsConstant(n *sitter.Node) bool {
	switch n.Kind() {
	case "number", "string", "true", "false":
		return true
	case "binary_expression", "unary_expression", "parenthesized_expression":
		for _, c := range named(n) {
			if !jsConstant(c) {
				return false
			}
		}
		return true
	}
	return false
}

// function maps a function declaration, function expression or arrow function n called nm.
func (p *jsFront) function(nm string, n *sitter.Node) *Func {
	f := &Func{Name: nm, Line: line(n)}
	if n.Kind() == "generator_function_declaration" || strings.HasPrefix(p.str(n), "async") {
		p.add(line(n), "async or generator function")
	}
	params := field(n, "parameters")
	if params == nil {
		params = field(n, "parameter") // x => ...
		if params != nil {
			f.Params = append(f.Params, Param{Name: p.str(params)})
		}
	} else {
		for _, c := range named(params) {
			switch c.Kind() {
			case "identifier":
				f.Params = append(f.Params, Param{Name: p.str(c)})
			case "required_parameter":
				pat := field(c, "pattern")
				if pat == nil || pat.Kind() != "identifier" || field(c, "value") != nil {
					p.add(line(c), "parameter %s", oneLine(p.str(c)))
					continue
				}
				f.Params = append(f.Params, Param{Name: p.str(pat), T: p.annotation(field(c, "type")), Decl: p.str(c)})
			case "assignment_pattern", "optional_parameter":
				p.add(line(c), "default or optional parameter %s", oneLine(p.str(c)))
			default:
				p.add(line(c), "parameter %s", oneLine(p.str(c)))
			}
		}
	}
	if rt := field(n, "return_type"); rt != nil {
		f.Result = p.annotation(rt)
	}
	body := field(n, "body")
	if body == nil {
		p.add(line(n), "function without a body")
		return f
	}
	p.owners = map[string]Kind{}
	if body.Kind() == "statement_block" {
		f.Body = p.block(body)
	} else { // (a, b) => a + b
		f.Body = []*Stmt{{K: SReturn, Value: p.expr(body), Line: line(body)}}
	}
	for i, prm := range f.Params {
		switch {
		case prm.T.K != TUnknown:
		case p.owners[prm.Name] == TMap:
			f.Params[i].T = mapOf(tUnknown, tUnknown)
		case p.owners[prm.Name] == TSet:
			f.Params[i].T = setOf(tUnknown)
		}
	}
	p.owners = nil
	return f
}

// annotation reads a TypeScript type: number (left to inference), string, boolean, void, T[],
// Array<T>, Map<K, V>, Set<T>.
func (p *jsFront) annotation(n *sitter.Node) Type {
	if n == nil {
		return tUnknown
	}
	if n.Kind() == "type_annotation" {
		if c := named(n); len(c) == 1 {
			n = c[0]
		}
	}
	switch n.Kind() {
	case "predefined_type":
		switch p.str(n) {
		case "number":
			return tUnknown // int or float: inference decides
		case "string":
			return tString
		case "boolean":
			return tBool
		case "void":
			return tVoid
		}
	case "array_type":
		if c := named(n); len(c) == 1 {
			return listOf(p.annotation(c[0]))
		}
	case "parenthesized_type":
		if c := named(n); len(c) == 1 {
			return p.annotation(c[0])
		}
	case "generic_type":
		base := p.str(field(n, "name"))
		var args []*sitter.Node
		if ta := field(n, "type_arguments"); ta != nil {
			args = named(ta)
		}
		switch {
		case base == "Array" && len(args) == 1:
			return listOf(p.annotation(args[0]))
		case base == "Set" && len(args) == 1:
			return setOf(p.annotation(args[0]))
		case base == "Map" && len(args) == 2:
			return mapOf(p.annotation(args[0]), p.annotation(args[1]))
		}
	}
	p.add(line(n), "type annotation %s", p.str(n))
	return tUnknown
}

func (p *jsFront) block(n *sitter.Node) []*Stmt {
	if n == nil {
		return nil
	}
	if n.Kind() != "statement_block" {
		return p.stmt(n)
	}
	var out []*Stmt
	for _, c := range named(n) {
		out = append(out, p.stmt(c)...)
	}
	return out
}

// paren unwraps a parenthesized condition.
func (p *jsFront) paren(n *sitter.Node) *sitter.Node {
	for n != nil && n.Kind() == "parenthesized_expression" && len(named(n)) == 1 {
		n = named(n)[0]
	}
	return n
}

func (p *jsFront) stmt(n *sitter.Node) []*Stmt {
	ln := line(n)
	switch n.Kind() {
	case "statement_block":
		return p.block(n)
	case "expression_statement":
		c := named(n)
		if len(c) != 1 {
			p.add(ln, "statement %s", oneLine(p.str(n)))
			return nil
		}
		return p.exprStmt(c[0])
	case "lexical_declaration", "variable_declaration":
		return p.declaration(n)
	case "return_statement":
		s := &Stmt{K: SReturn, Line: ln}
		if c := named(n); len(c) == 1 {
			s.Value = p.expr(c[0])
		} else if len(c) > 1 {
			p.add(ln, "return %s", oneLine(p.str(n)))
		}
		return []*Stmt{s}
	case "empty_statement":
		return nil
	case "break_statement":
		return p.jump(n, SBreak, ln)
	case "continue_statement":
		return p.jump(n, SContinue, ln)
	case "if_statement":
		s := &Stmt{K: SIf, Cond: p.expr(p.paren(field(n, "condition"))), Body: p.block(field(n, "consequence")), Line: ln}
		if alt := field(n, "alternative"); alt != nil {
			for _, c := range named(alt) {
				s.Else = append(s.Else, p.stmt(c)...)
			}
		}
		return []*Stmt{s}
	case "while_statement":
		return []*Stmt{{K: SWhile, Cond: p.expr(p.paren(field(n, "condition"))), Body: p.block(field(n, "body")), Line: ln}}
	case "do_statement":
		return []*Stmt{{K: SDoWhile, Cond: p.expr(p.paren(field(n, "condition"))), Body: p.block(field(n, "body")), Line: ln}}
	case "for_statement":
		return p.forStmt(n)
	case "for_in_statement":
		left, right := field(n, "left"), field(n, "right")
		if p.str(field(n, "operator")) != "of" {
			p.add(ln, "for ... in (keys as strings)")
			return nil
		}
		if left == nil || left.Kind() != "identifier" {
			p.add(ln, "for target %s", oneLine(p.str(left)))
			return nil
		}
		return []*Stmt{{K: SForEach, Var: p.str(left), Value: p.expr(right), Body: p.block(field(n, "body")), Line: ln}}
	case "function_declaration":
		p.add(ln, "nested function %s", p.str(field(n, "name")))
		return nil
	}
	p.add(ln, "%s", strings.ReplaceAll(n.Kind(), "_", " "))
	return nil
}

func (p *jsFront) forStmt(n *sitter.Node) []*Stmt {
	ln := line(n)
	s := &Stmt{K: SFor, Line: ln}
	if in := field(n, "initializer"); in != nil {
		switch in.Kind() {
		case "lexical_declaration", "variable_declaration":
			s.Init = p.declaration(in)
		case "expression_statement":
			for _, c := range named(in) {
				s.Init = append(s.Init, p.exprStmt(c)...)
			}
		case "empty_statement":
		default:
			s.Init = p.exprStmt(in)
		}
	}
	for _, c := range n.ChildrenByFieldName("condition", n.Walk()) {
		c := c
		switch {
		case c.Kind() == "expression_statement":
			if e := named(&c); len(e) == 1 {
				s.Cond = p.expr(e[0])
			}
		case c.IsNamed() && c.Kind() != "empty_statement":
			s.Cond = p.expr(&c)
		}
	}
	if u := field(n, "increment"); u != nil {
		s.Post = p.exprStmt(u)
	}
	s.Body = p.block(field(n, "body"))
	return []*Stmt{s}
}

// declaration maps let/const/var declarators; one without a value declares nothing the IR needs
// (its first assignment does). TypeScript annotations type the variable.
func (p *jsFront) declaration(n *sitter.Node) []*Stmt {
	var out []*Stmt
	for _, d := range named(n) {
		if d.Kind() != "variable_declarator" {
			continue
		}
		ln := line(d)
		nm, v := field(d, "name"), field(d, "value")
		if nm.Kind() == "array_pattern" && v != nil {
			out = append(out, p.destructure(nm, v, ln)...)
			continue
		}
		if nm.Kind() != "identifier" {
			p.add(ln, "declaration of %s", oneLine(p.str(nm)))
			continue
		}
		if v == nil {
			continue
		}
		if v.Kind() == "arrow_function" || v.Kind() == "function_expression" {
			p.add(ln, "nested function %s", p.str(nm))
			continue
		}
		s := &Stmt{K: SAssign, Target: name(p.str(nm), ln), Value: p.expr(v), Line: ln}
		if t := field(d, "type"); t != nil {
			s.T = p.annotation(t)
		}
		out = append(out, s)
	}
	return out
}

// destructure maps [a, b] = [b, a]: every right side into a temporary first.
func (p *jsFront) destructure(left, right *sitter.Node, ln int) []*Stmt {
	ls, rs := named(left), named(right)
	if right.Kind() != "array" || len(ls) != len(rs) {
		p.add(ln, "destructuring %s", oneLine(p.str(left)))
		return nil
	}
	var out, set []*Stmt
	for i := range ls {
		if ls[i].Kind() == "rest_pattern" || rs[i].Kind() == "spread_element" {
			p.add(ln, "destructuring with ...")
			return nil
		}
		p.tmp++
		t := "tmp" + itoa(p.tmp)
		out = append(out, &Stmt{K: SAssign, Target: name(t, ln), Value: p.expr(rs[i]), Line: ln})
		set = append(set, &Stmt{K: SAssign, Target: p.target(ls[i]), Value: name(t, ln), Line: ln})
	}
	return append(out, set...)
}

func (p *jsFront) target(n *sitter.Node) *Expr {
	n = p.paren(n)
	switch n.Kind() {
	case "identifier", "subscript_expression":
		return p.expr(n)
	}
	p.add(line(n), "assignment to %s", oneLine(p.str(n)))
	return name("_", line(n))
}

var jsAugOps = map[string]string{
	"+=": "+", "-=": "-", "*=": "*", "/=": OpTrueDiv, "%=": OpRem, "**=": "**",
	"&=": "&", "|=": "|", "^=": "^", "<<=": "<<", ">>=": ">>",
}

func (p *jsFront) exprStmt(n *sitter.Node) []*Stmt {
	ln := line(n)
	switch n.Kind() {
	case "assignment_expression":
		left, right := field(n, "left"), field(n, "right")
		if left.Kind() == "array_pattern" {
			return p.destructure(left, right, ln)
		}
		if right.Kind() == "assignment_expression" { // a = b = 0
			inner := p.exprStmt(right)
			if len(inner) == 1 && inner[0].K == SAssign {
				return append(inner, &Stmt{K: SAssign, Target: p.target(left), Value: inner[0].Target, Line: ln})
			}
			p.add(ln, "chained assignment")
			return nil
		}
		return []*Stmt{{K: SAssign, Target: p.target(left), Value: p.expr(right), Line: ln}}
	case "augmented_assignment_expression":
		op, ok := jsAugOps[p.str(field(n, "operator"))]
		if !ok {
			p.add(ln, "operator %s", p.str(field(n, "operator")))
			return nil
		}
		return []*Stmt{{K: SAugment, Target: p.target(field(n, "left")), Op: op, Value: p.expr(field(n, "right")), Line: ln}}
	case "update_expression":
		op := "+"
		if strings.Contains(p.str(n), "--") {
			op = "-"
		}
		return []*Stmt{{K: SAugment, Target: p.target(field(n, "argument")), Op: op, Value: lit(tInt, "1", ln), Line: ln}}
	case "sequence_expression":
		var out []*Stmt
		for _, c := range named(n) {
			out = append(out, p.exprStmt(c)...)
		}
		return out
	case "parenthesized_expression":
		if c := named(n); len(c) == 1 {
			return p.exprStmt(c[0])
		}
	case "call_expression":
		if s := p.mutatingCall(n); s != nil {
			return s
		}
		return []*Stmt{{K: SExpr, Value: p.expr(n), Line: ln}}
	}
	p.add(ln, "statement %s", oneLine(p.str(n)))
	return nil
}

// method returns the receiver and name of a call obj.m(...), or nil.
func (p *jsFront) method(n *sitter.Node) (*sitter.Node, string) {
	fn := field(n, "function")
	if fn == nil || fn.Kind() != "member_expression" || strings.Contains(p.str(fn), "?.") {
		return nil, ""
	}
	return field(fn, "object"), p.str(field(fn, "property"))
}

func (p *jsFront) args(n *sitter.Node) []*sitter.Node {
	a := field(n, "arguments")
	if a == nil {
		return nil
	}
	return named(a)
}

// mutatingCall maps the calls that are statements: m.set(k, v), xs.push(a, b), xs.sort(cmp),
// xs.reverse(), xs.unshift(x), s.add(x) and m.delete(k).
func (p *jsFront) mutatingCall(n *sitter.Node) []*Stmt {
	ln := line(n)
	obj, m := p.method(n)
	if obj == nil {
		return nil
	}
	args := p.args(n)
	recv := func() *Expr { return p.expr(obj) }
	switch m {
	case "set":
		p.owner(obj, TMap)
		if len(args) == 2 {
			return []*Stmt{{K: SAssign, Target: &Expr{K: EIndex, Args: []*Expr{recv(), p.expr(args[0])}, Line: ln}, Value: p.expr(args[1]), Line: ln}}
		}
	case "push":
		var out []*Stmt
		for _, a := range args {
			if a.Kind() == "spread_element" {
				out = append(out, &Stmt{K: SExpr, Value: bi("extend", ln, recv(), p.expr(named(a)[0])), Line: ln})
				continue
			}
			out = append(out, &Stmt{K: SExpr, Value: bi("append", ln, recv(), p.expr(a)), Line: ln})
		}
		return out
	case "unshift":
		if len(args) == 1 {
			return []*Stmt{{K: SExpr, Value: bi("insert", ln, recv(), lit(tInt, "0", ln), p.expr(args[0])), Line: ln}}
		}
	case "sort":
		if op, ok := p.comparator(args); ok {
			return []*Stmt{{K: SExpr, Value: bi(op, ln, recv()), Line: ln}}
		}
		p.add(ln, "sort %s", p.sortWhy(args))
		return []*Stmt{}
	case "reverse":
		if len(args) == 0 {
			return []*Stmt{{K: SExpr, Value: bi("reverse", ln, recv()), Line: ln}}
		}
	}
	return nil
}

func (p *jsFront) sortWhy(args []*sitter.Node) string {
	if len(args) == 0 {
		return "without a comparator (JavaScript compares the elements as strings)"
	}
	return "with comparator " + oneLine(p.str(args[0]))
}

// comparator reads the comparators (a, b) => a - b (ascending) and (a, b) => b - a (descending).
func (p *jsFront) comparator(args []*sitter.Node) (string, bool) {
	if len(args) != 1 || args[0].Kind() != "arrow_function" {
		return "", false
	}
	f := args[0]
	ps := field(f, "parameters")
	body := field(f, "body")
	if ps == nil || body == nil {
		return "", false
	}
	names := named(ps)
	if len(names) != 2 || names[0].Kind() != "identifier" || names[1].Kind() != "identifier" {
		return "", false
	}
	if body.Kind() == "statement_block" {
		c := named(body)
		if len(c) != 1 || c[0].Kind() != "return_statement" || len(named(c[0])) != 1 {
			return "", false
		}
		body = named(c[0])[0]
	}
	body = p.paren(body)
	if body.Kind() != "binary_expression" || p.str(field(body, "operator")) != "-" {
		return "", false
	}
	a, b := p.str(names[0]), p.str(names[1])
	l, r := p.str(field(body, "left")), p.str(field(body, "right"))
	switch {
	case l == a && r == b:
		return "sort", true
	case l == b && r == a:
		return "sortDesc", true
	}
	return "", false
}

var jsBinOps = map[string]string{
	"+": "+", "-": "-", "*": "*", "/": OpTrueDiv, "%": OpRem, "**": "**",
	"&": "&", "|": "|", "^": "^", "<<": "<<", ">>": ">>",
	"===": "==", "==": "==", "!==": "!=", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">=",
	"&&": "&&", "||": "||",
}

// division returns the operands of n when n is a / b (in parentheses or not).
func (p *jsFront) division(n *sitter.Node) (*sitter.Node, *sitter.Node, bool) {
	n = p.paren(n)
	if n != nil && n.Kind() == "binary_expression" && p.str(field(n, "operator")) == "/" {
		return field(n, "left"), field(n, "right"), true
	}
	return nil, nil, false
}

func (p *jsFront) expr(n *sitter.Node) *Expr {
	if n == nil {
		return lit(tInt, "0", 0)
	}
	ln := line(n)
	text := p.str(n)
	switch n.Kind() {
	case "number":
		return p.number(n)
	case "true":
		return lit(tBool, "true", ln)
	case "false":
		return lit(tBool, "false", ln)
	case "string":
		return p.stringLit(n)
	case "template_string":
		return p.template(n)
	case "identifier":
		switch text {
		case "Infinity":
			return bi("inf", ln)
		case "undefined", "NaN":
			p.add(ln, "%s", text)
			return lit(tInt, "0", ln)
		}
		return name(text, ln)
	case "parenthesized_expression":
		if c := named(n); len(c) == 1 {
			return p.expr(c[0])
		}
	case "binary_expression":
		op := p.str(field(n, "operator"))
		l, r := field(n, "left"), field(n, "right")
		if op == "|" && p.str(r) == "0" {
			if a, b, ok := p.division(l); ok { // (a / b) | 0
				return bin(OpTruncDiv, p.expr(a), p.expr(b))
			}
			return bi("itrunc", ln, p.expr(l))
		}
		if op == "||" {
			if o, m := p.method(p.paren(l)); o != nil && m == "get" && len(p.args(p.paren(l))) == 1 {
				// m.get(k) || d: the value or a default when absent.
				return bi("mapget", ln, p.expr(o), p.expr(p.args(p.paren(l))[0]), p.expr(r))
			}
		}
		iop, ok := jsBinOps[op]
		if !ok {
			p.add(ln, "operator %s", op)
			return lit(tInt, "0", ln)
		}
		return bin(iop, p.expr(l), p.expr(r))
	case "unary_expression":
		op := p.str(field(n, "operator"))
		arg := field(n, "argument")
		switch op {
		case "!", "-", "+":
			return &Expr{K: EUn, Op: op, Args: []*Expr{p.expr(arg)}, Line: ln}
		case "~":
			if in := p.paren(arg); in.Kind() == "unary_expression" && p.str(field(in, "operator")) == "~" {
				if a, b, ok := p.division(field(in, "argument")); ok { // ~~(a / b)
					return bin(OpTruncDiv, p.expr(a), p.expr(b))
				}
				return bi("itrunc", ln, p.expr(field(in, "argument")))
			}
			return &Expr{K: EUn, Op: op, Args: []*Expr{p.expr(arg)}, Line: ln}
		}
		p.add(ln, "operator %s", op)
		return lit(tInt, "0", ln)
	case "ternary_expression":
		return &Expr{K: ECond, Args: []*Expr{p.expr(field(n, "condition")), p.expr(field(n, "consequence")), p.expr(field(n, "alternative"))}, Line: ln}
	case "subscript_expression":
		if strings.Contains(text, "?.") {
			break
		}
		return &Expr{K: EIndex, Args: []*Expr{p.expr(field(n, "object")), p.expr(field(n, "index"))}, Line: ln}
	case "member_expression":
		return p.member(n)
	case "array":
		e := &Expr{K: EList, Line: ln}
		c := named(n)
		if len(c) == 1 && c[0].Kind() == "spread_element" { // [...xs], [...s]
			return bi("copy", ln, p.expr(named(c[0])[0]))
		}
		for _, x := range c {
			if x.Kind() == "spread_element" {
				p.add(ln, "spread inside %s", oneLine(text))
				continue
			}
			e.Args = append(e.Args, p.expr(x))
		}
		return e
	case "object":
		if len(named(n)) == 0 {
			return &Expr{K: EMap, Line: ln}
		}
	case "new_expression":
		return p.newExpr(n)
	case "call_expression":
		return p.call(n)
	case "as_expression", "non_null_expression", "satisfies_expression":
		if c := named(n); len(c) >= 1 {
			return p.expr(c[0])
		}
	case "update_expression", "assignment_expression", "augmented_assignment_expression":
		p.add(ln, "assignment inside an expression: %s", oneLine(text))
		return lit(tInt, "0", ln)
	}
	p.add(ln, "expression %s", oneLine(text))
	return lit(tInt, "0", ln)
}

// number reads a numeric literal: an int when its value is a whole number written without a
// fraction (1e9 + 7 is an int, 2.0 a float as its author meant), else a float.
func (p *jsFront) number(n *sitter.Node) *Expr {
	ln, t := line(n), strings.ReplaceAll(p.str(n), "_", "")
	low := strings.ToLower(t)
	if strings.HasSuffix(low, "n") {
		p.add(ln, "BigInt literal %s", t)
		return lit(tInt, "0", ln)
	}
	if strings.HasPrefix(low, "0x") || strings.HasPrefix(low, "0o") || strings.HasPrefix(low, "0b") || !strings.ContainsAny(low, ".e") {
		if len(low) > 1 && low[0] == '0' && low[1] >= '0' && low[1] <= '9' {
			p.add(ln, "legacy octal literal %s", t)
		}
		v, ok := intLit(t)
		if !ok {
			p.add(ln, "number literal %s", t)
		}
		return lit(tInt, v, ln)
	}
	f, err := strconv.ParseFloat(low, 64)
	if err != nil {
		p.add(ln, "number literal %s", t)
		return lit(tFloat, "0.0", ln)
	}
	if !strings.Contains(low, ".") && f == float64(int64(f)) && f < 1<<53 && f > -(1<<53) {
		return lit(tInt, strconv.FormatInt(int64(f), 10), ln)
	}
	v, _ := floatLit(t)
	return lit(tFloat, v, ln)
}

func (p *jsFront) stringLit(n *sitter.Node) *Expr {
	ln := line(n)
	var b strings.Builder
	for _, c := range named(n) {
		switch c.Kind() {
		case "string_fragment":
			b.WriteString(p.str(c))
		case "escape_sequence":
			v, ok := unescape(p.str(c))
			if !ok {
				p.add(ln, "string escape %s", p.str(c))
			}
			b.WriteString(v)
		}
	}
	return lit(tString, b.String(), ln)
}

// template maps `a${x}b` to "a" + String(x) + "b".
func (p *jsFront) template(n *sitter.Node) *Expr {
	ln := line(n)
	var out *Expr
	add := func(e *Expr) {
		if out == nil {
			out = e
		} else {
			out = bin("+", out, e)
		}
	}
	for _, c := range named(n) {
		switch c.Kind() {
		case "string_fragment":
			add(lit(tString, p.str(c), ln))
		case "escape_sequence":
			v, ok := unescape(p.str(c))
			if !ok {
				p.add(ln, "string escape %s", p.str(c))
			}
			add(lit(tString, v, ln))
		case "template_substitution":
			if e := named(c); len(e) == 1 {
				add(bi("str", ln, p.expr(e[0])))
			}
		}
	}
	if out == nil {
		return lit(tString, "", ln)
	}
	if out.K != ELit && (out.K != EBin || out.Args[0].T.K != TString) {
		out = bin("+", lit(tString, "", ln), out)
	}
	return out
}

func (p *jsFront) member(n *sitter.Node) *Expr {
	ln := line(n)
	text := p.str(n)
	if strings.Contains(text, "?.") {
		p.add(ln, "optional chaining %s", oneLine(text))
		return lit(tInt, "0", ln)
	}
	obj, prop := field(n, "object"), p.str(field(n, "property"))
	switch p.str(obj) + "." + prop {
	case "Math.PI":
		return lit(tFloat, "3.141592653589793", ln)
	case "Math.E":
		return lit(tFloat, "2.718281828459045", ln)
	case "Number.MAX_SAFE_INTEGER":
		return lit(tInt, "9007199254740991", ln)
	case "Number.MIN_SAFE_INTEGER":
		return lit(tInt, "-9007199254740991", ln)
	case "Number.POSITIVE_INFINITY", "Number.MAX_VALUE":
		return bi("inf", ln)
	case "Number.NEGATIVE_INFINITY":
		return &Expr{K: EUn, Op: "-", Args: []*Expr{bi("inf", ln)}, Line: ln}
	}
	switch prop {
	case "length", "size":
		return bi("len", ln, p.expr(obj))
	}
	p.add(ln, "property %s", oneLine(text))
	return lit(tInt, "0", ln)
}

func (p *jsFront) newExpr(n *sitter.Node) *Expr {
	ln := line(n)
	args := p.args(n)
	switch p.str(field(n, "constructor")) {
	case "Map":
		if len(args) == 0 {
			return &Expr{K: EMap, Line: ln}
		}
	case "Set":
		if len(args) == 0 {
			return &Expr{K: ESetLit, Line: ln}
		}
		if len(args) == 1 {
			return bi("set", ln, p.expr(args[0]))
		}
	case "Array":
		p.add(ln, "new Array without fill (its elements are undefined)")
		return lit(tInt, "0", ln)
	}
	p.add(ln, "new %s", oneLine(p.str(n)))
	return lit(tInt, "0", ln)
}

// jsMath maps Math functions to builtins of the same arguments.
var jsMath = map[string]string{
	"abs": "abs", "sqrt": "sqrt", "cbrt": "cbrt", "log": "log", "log2": "log2", "log10": "log10", "exp": "exp",
	"sin": "sin", "cos": "cos", "tan": "tan", "atan": "atan", "atan2": "atan2", "asin": "asin", "acos": "acos",
	"hypot": "hypot", "ceil": "iceil", "round": "jround", "pow": "pow",
}

// jsMethods maps methods to builtins taking the receiver first.
var jsMethods = map[string]string{
	"toUpperCase": "upper", "toLowerCase": "lower", "trim": "strip", "trimStart": "lstrip", "trimEnd": "rstrip",
	"startsWith": "startswith", "endsWith": "endswith", "indexOf": "find", "lastIndexOf": "rfind",
	"replaceAll": "replace", "pop": "pop", "keys": "keys", "values": "values", "delete": "remove", "add": "setadd",
	"repeat": "repeat",
}

func (p *jsFront) call(n *sitter.Node) *Expr {
	ln := line(n)
	fn := field(n, "function")
	argNodes := p.args(n)
	if strings.Contains(p.str(fn), "?.") {
		p.add(ln, "optional call %s", oneLine(p.str(n)))
		return lit(tInt, "0", ln)
	}
	if obj, m := p.method(n); obj != nil {
		switch m {
		case "map", "filter", "some", "every", "reduce":
			return p.arrayMethod(n, m, p.expr(obj), argNodes)
		}
	}
	var args []*Expr
	spread := false
	for _, a := range argNodes {
		if a.Kind() == "spread_element" {
			spread = true
			args = append(args, p.expr(named(a)[0]))
			continue
		}
		args = append(args, p.expr(a))
	}
	if fn.Kind() == "identifier" {
		f := p.str(fn)
		switch f {
		case "parseInt":
			if len(args) == 1 || len(args) == 2 && p.str(argNodes[1]) == "10" {
				return bi("int", ln, args[0])
			}
		case "parseFloat":
			if len(args) == 1 {
				return bi("float", ln, args...)
			}
		case "String":
			if len(args) == 1 {
				return bi("str", ln, args...)
			}
		case "Boolean":
			if len(args) == 1 {
				return bi("bool", ln, args...)
			}
		case "Number", "isNaN", "isFinite", "eval", "require", "alert", "prompt":
		default:
			if spread {
				break
			}
			return &Expr{K: ECall, Op: f, Args: args, Line: ln}
		}
		p.add(ln, "call %s", oneLine(p.str(n)))
		return lit(tInt, "0", ln)
	}
	obj, m := p.method(n)
	if obj == nil {
		p.add(ln, "call of %s", oneLine(p.str(fn)))
		return lit(tInt, "0", ln)
	}
	o := p.str(obj)
	if spread && !(o == "Math" && (m == "max" || m == "min") && len(args) == 1) {
		p.add(ln, "spread argument in %s", oneLine(p.str(n)))
		return lit(tInt, "0", ln)
	}
	switch o {
	case "Math":
		switch m {
		case "max", "min":
			if spread {
				return bi(m+"Of", ln, args[0])
			}
			if len(args) >= 2 {
				e := bi(m, ln, args[0], args[1])
				for _, a := range args[2:] {
					e = bi(m, ln, e, a)
				}
				return e
			}
		case "floor":
			if a, b, ok := p.division(argNodes[0]); ok && len(args) == 1 {
				return bin(OpFloorDiv, p.expr(a), p.expr(b))
			}
			if len(args) == 1 {
				return bi("ifloor", ln, args[0])
			}
		case "trunc":
			if a, b, ok := p.division(argNodes[0]); ok && len(args) == 1 {
				return bin(OpTruncDiv, p.expr(a), p.expr(b))
			}
			if len(args) == 1 {
				return bi("itrunc", ln, args[0])
			}
		default:
			if b, ok := jsMath[m]; ok {
				return bi(b, ln, args...)
			}
		}
		p.add(ln, "call to Math.%s", m)
		return lit(tInt, "0", ln)
	case "String":
		if m == "fromCharCode" && len(args) == 1 {
			return bi("chr", ln, args[0])
		}
	case "Array":
		if m == "from" && len(args) == 1 && argNodes[0].Kind() != "object" {
			return bi("copy", ln, args[0])
		}
		p.add(ln, "call to Array.%s", m)
		return lit(tInt, "0", ln)
	case "Object", "Number", "JSON", "console", "Date", "process":
		p.add(ln, "call to %s.%s", o, m)
		return lit(tInt, "0", ln)
	}
	recv := func() *Expr { return p.expr(obj) }
	switch m {
	case "charAt":
		if len(args) == 1 {
			return &Expr{K: EIndex, Args: []*Expr{recv(), args[0]}, Line: ln}
		}
	case "charCodeAt", "codePointAt":
		if len(args) == 1 {
			return bi("ord", ln, &Expr{K: EIndex, Args: []*Expr{recv(), args[0]}, Line: ln})
		}
	case "includes", "has":
		if len(args) == 1 {
			return bin("in", args[0], recv())
		}
	case "get":
		p.owner(obj, TMap)
		if len(args) == 1 {
			return &Expr{K: EIndex, Args: []*Expr{recv(), args[0]}, Line: ln}
		}
	case "slice", "substring":
		e := &Expr{K: ESlice, Args: []*Expr{recv(), nil, nil}, Line: ln}
		switch len(args) {
		case 0:
			return bi("copy", ln, recv())
		case 1:
			e.Args[1] = args[0]
			return e
		case 2:
			e.Args[1], e.Args[2] = args[0], args[1]
			return e
		}
	case "split":
		if len(args) == 1 && argNodes[0].Kind() == "string" {
			if p.str(argNodes[0]) == `""` || p.str(argNodes[0]) == `''` {
				return bi("copy", ln, recv())
			}
			return bi("split", ln, recv(), args[0])
		}
	case "join":
		switch len(args) {
		case 0:
			return bi("join", ln, lit(tString, ",", ln), recv())
		case 1:
			return bi("join", ln, args[0], recv())
		}
	case "concat":
		if len(args) == 1 {
			return bin("+", recv(), args[0])
		}
	case "shift":
		if len(args) == 0 {
			return bi("pop", ln, recv(), lit(tInt, "0", ln))
		}
	case "toString":
		if len(args) == 0 {
			return bi("str", ln, recv())
		}
	default:
		if m == "add" {
			p.owner(obj, TSet)
		}
		if b, ok := jsMethods[m]; ok {
			if m == "pop" && len(args) != 0 || m == "indexOf" && len(args) != 1 {
				break
			}
			return bi(b, ln, append([]*Expr{recv()}, args...)...)
		}
	}
	p.add(ln, "method %s", m)
	return lit(tInt, "0", ln)
}

// arrayMethod maps xs.map(x => e), xs.filter(x => c), xs.some(x => c), xs.every(x => c) and
// xs.reduce((a, b) => a + b, 0) to comprehensions and sums; callbacks must be one-expression arrow
// functions of one parameter (the index parameter has no IR form).
func (p *jsFront) arrayMethod(n *sitter.Node, m string, recv *Expr, args []*sitter.Node) *Expr {
	ln := line(n)
	fail := func() *Expr {
		p.add(ln, "%s with callback %s", m, oneLine(p.str(n)))
		return lit(tInt, "0", ln)
	}
	if len(args) == 0 || args[0].Kind() != "arrow_function" {
		return fail()
	}
	f := args[0]
	var params []string
	if ps := field(f, "parameters"); ps != nil {
		for _, c := range named(ps) {
			if c.Kind() != "identifier" {
				return fail()
			}
			params = append(params, p.str(c))
		}
	} else if pr := field(f, "parameter"); pr != nil {
		params = []string{p.str(pr)}
	}
	body := field(f, "body")
	if body.Kind() == "statement_block" {
		c := named(body)
		if len(c) != 1 || c[0].Kind() != "return_statement" || len(named(c[0])) != 1 {
			return fail()
		}
		body = named(c[0])[0]
	}
	if m == "reduce" {
		body = p.paren(body)
		if len(params) == 2 && len(args) == 2 && p.str(args[1]) == "0" && body.Kind() == "binary_expression" &&
			p.str(field(body, "operator")) == "+" &&
			(p.str(field(body, "left")) == params[0] && p.str(field(body, "right")) == params[1] ||
				p.str(field(body, "left")) == params[1] && p.str(field(body, "right")) == params[0]) {
			return bi("sum", ln, recv)
		}
		return fail()
	}
	if len(params) != 1 || len(args) != 1 {
		return fail()
	}
	v := params[0]
	switch m {
	case "map":
		return &Expr{K: EComp, Op: v, Args: []*Expr{p.expr(body), recv, nil}, Line: ln}
	case "filter":
		return &Expr{K: EComp, Op: v, Args: []*Expr{name(v, ln), recv, p.expr(body)}, Line: ln}
	case "some":
		return bi("any", ln, &Expr{K: EComp, Op: v, Args: []*Expr{p.expr(body), recv, nil}, Line: ln})
	case "every":
		return bi("all", ln, &Expr{K: EComp, Op: v, Args: []*Expr{p.expr(body), recv, nil}, Line: ln})
	}
	return fail()
}

// jsChecks makes a string + int concatenation explicit and reports, once types are inferred, the JavaScript constructs whose meaning depends on
// types in a way the IR does not keep: && and || on values that are not booleans (JavaScript returns
// an operand), the truthiness of arrays, maps and sets (always true in JavaScript, unlike Python),
// unary + on a string (a number conversion), and a float turned into text (JavaScript writes 2.0 as
// "2", the targets as "2.0" or "2").
func jsChecks(prog *Program) error {
	var g gaps
	container := func(t Type) bool { return t.K == TList || t.K == TMap || t.K == TSet }
	cond := func(e *Expr) {
		if e != nil && container(e.T) {
			g.add(e.Line, "truthiness of an array, map or set (always true in JavaScript)")
		}
	}
	for _, f := range prog.Funcs {
		walkStmts(f.Body, func(s *Stmt) {
			switch s.K {
			case SIf, SWhile, SDoWhile, SFor:
				cond(s.Cond)
			}
		})
		walkExprs(f.Body, func(e *Expr) {
			switch {
			case e.K == EBin && (e.Op == "&&" || e.Op == "||"):
				for _, a := range e.Args {
					if a.T.K != TBool {
						g.add(e.Line, "%s on a %s value (JavaScript returns an operand)", e.Op, a.T)
					}
				}
			case e.K == EUn && e.Op == "!", e.K == ECond:
				cond(e.Args[0])
			case e.K == EUn && e.Op == "+" && e.Args[0].T.K != TInt && e.Args[0].T.K != TFloat:
				g.add(e.Line, "unary + on a %s value (a number conversion)", e.Args[0].T)
			case e.K == EBuiltin && e.Op == "str" && len(e.Args) == 1 && e.Args[0].T.K == TFloat:
				g.add(e.Line, "a float turned into text (JavaScript's number formatting)")
			case e.K == EBin && e.Op == "+" && (e.Args[0].T.K == TString && e.Args[1].T.K == TFloat || e.Args[0].T.K == TFloat && e.Args[1].T.K == TString):
				g.add(e.Line, "a float joined to text (JavaScript's number formatting)")
			case e.K == EBin && e.Op == "+" && (e.Args[0].T.K == TString) != (e.Args[1].T.K == TString):
				// "n = " + n: JavaScript converts the int or bool to text; the IR says so.
				for i, a := range e.Args {
					if a.T.K == TInt || a.T.K == TBool {
						e.Args[i] = &Expr{K: EBuiltin, Op: "str", Args: []*Expr{a}, T: tString, Line: a.Line}
						e.T = tString
					}
				}
			}
		})
	}
	return g.err()
}
