package rules

import (
	"strconv"
	"strings"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

// pyFront maps a Python tree to the IR. Types come from annotations when present and from inference
// (infer.go) otherwise.
type pyFront struct {
	src
	tmp      int
	fromMath map[string]bool // names imported with "from math import ..."
	consts   map[string]*sitter.Node
}

// constantExpr reports an expression of literals and operators only (MOD = 10 ** 9 + 7).
func constantExpr(n *sitter.Node) bool {
	switch n.Kind() {
	case "integer", "float", "string", "true", "false":
		return true
	case "binary_operator", "unary_operator", "parenthesized_expression":
		for _, c := range named(n) {
			if !constantExpr(c) {
				return false
			}
		}
		return true
	}
	return false
}

func (p *pyFront) program(root *sitter.Node) *Program {
	prog := &Program{}
	for _, n := range named(root) {
		switch n.Kind() {
		case "function_definition":
			prog.Funcs = append(prog.Funcs, p.function(n))
		case "decorated_definition":
			p.add(line(n), "decorated function")
		case "import_from_statement":
			if p.str(field(n, "module_name")) == "math" {
				if p.fromMath == nil {
					p.fromMath = map[string]bool{}
				}
				for _, c := range n.ChildrenByFieldName("name", n.Walk()) {
					p.fromMath[p.str(&c)] = true
				}
				if strings.Contains(p.str(n), "*") {
					for k := range pyFuncs {
						if strings.HasPrefix(k, "math.") {
							p.fromMath[k[5:]] = true
						}
					}
				}
			}
		case "import_statement", "future_import_statement":
			// math and the like: calls are mapped by name.
		case "if_statement":
			// if __name__ == '__main__': a test driver, not part of the unit.
			if !strings.Contains(p.str(field(n, "condition")), "__name__") {
				p.add(line(n), "top-level statement")
			}
		case "expression_statement":
			if c := named(n); len(c) == 1 && c[0].Kind() == "string" {
				continue // module docstring
			}
			// NAME = constant expression: substituted where the functions read it.
			if c := named(n); len(c) == 1 && c[0].Kind() == "assignment" && field(c[0], "left").Kind() == "identifier" &&
				field(c[0], "right") != nil && constantExpr(field(c[0], "right")) {
				if p.consts == nil {
					p.consts = map[string]*sitter.Node{}
				}
				p.consts[p.str(field(c[0], "left"))] = field(c[0], "right")
				continue
			}
			p.add(line(n), "top-level statement")
		default:
			p.add(line(n), "top-level %s", n.Kind())
		}
	}
	if len(p.consts) > 0 {
		for _, f := range prog.Funcs {
			p.substConsts(f)
		}
	}
	return prog
}

// substConsts replaces reads of module constants in f by their value, unless f assigns the name.
func (p *pyFront) substConsts(f *Func) {
	consts := map[string]*Expr{}
	for k, n := range p.consts {
		consts[k] = p.expr(n)
	}
	substConsts(f, consts)
}

// substConsts replaces reads of constants in f by a copy of their value, unless f binds the name.
func substConsts(f *Func, consts map[string]*Expr) {
	local := map[string]bool{}
	for _, prm := range f.Params {
		local[prm.Name] = true
	}
	walkStmts(f.Body, func(s *Stmt) {
		if (s.K == SAssign || s.K == SAugment) && s.Target.K == EName {
			local[s.Target.Op] = true
		}
		if s.K == SRange || s.K == SForEach {
			local[s.Var] = true
		}
	})
	walkExprs(f.Body, func(e *Expr) {
		if e.K == EName && !local[e.Op] {
			if c, ok := consts[e.Op]; ok {
				*e = *copyExpr(c)
			}
		}
	})
}

func (p *pyFront) function(n *sitter.Node) *Func {
	f := &Func{Name: p.str(field(n, "name")), Line: line(n)}
	for _, c := range named(field(n, "parameters")) {
		switch c.Kind() {
		case "identifier":
			f.Params = append(f.Params, Param{Name: p.str(c)})
		case "typed_parameter":
			nm := named(c)[0]
			f.Params = append(f.Params, Param{Name: p.str(nm), T: p.annotation(field(c, "type"))})
		default:
			p.add(line(c), "parameter %s", c.Kind())
		}
	}
	if rt := field(n, "return_type"); rt != nil {
		f.Result = p.annotation(rt)
	}
	f.Body = p.block(field(n, "body"))
	// A docstring is not a statement to translate.
	if len(f.Body) > 0 && f.Body[0].K == SExpr && f.Body[0].Value.K == ELit && f.Body[0].Value.T.K == TString {
		f.Body = f.Body[1:]
	}
	return f
}

// annotation reads a type hint: int, float, bool, str, list[T], List[T], dict[K, V], set[T].
func (p *pyFront) annotation(n *sitter.Node) Type {
	if n == nil {
		return tUnknown
	}
	if n.Kind() == "type" {
		if c := named(n); len(c) == 1 {
			n = c[0]
		}
	}
	switch n.Kind() {
	case "identifier":
		switch p.str(n) {
		case "int":
			return tInt
		case "float":
			return tFloat
		case "bool":
			return tBool
		case "str":
			return tString
		case "list", "List":
			return listOf(tUnknown)
		case "dict", "Dict":
			return mapOf(tUnknown, tUnknown)
		case "set", "Set":
			return setOf(tUnknown)
		case "None":
			return tVoid
		}
	case "none":
		return tVoid
	case "generic_type", "subscript":
		var base string
		var args []*sitter.Node
		for _, c := range named(n) {
			switch c.Kind() {
			case "identifier":
				if base == "" {
					base = p.str(c)
				} else {
					args = append(args, c)
				}
			case "type_parameter":
				args = append(args, named(c)...)
			default:
				args = append(args, c)
			}
		}
		switch {
		case (base == "list" || base == "List") && len(args) == 1:
			return listOf(p.annotation(args[0]))
		case (base == "set" || base == "Set") && len(args) == 1:
			return setOf(p.annotation(args[0]))
		case (base == "dict" || base == "Dict") && len(args) == 2:
			return mapOf(p.annotation(args[0]), p.annotation(args[1]))
		}
	}
	p.add(line(n), "type annotation %s", p.str(n))
	return tUnknown
}

func (p *pyFront) block(n *sitter.Node) []*Stmt {
	var out []*Stmt
	if n == nil {
		return out
	}
	for _, c := range named(n) {
		out = append(out, p.stmt(c)...)
	}
	return out
}

func (p *pyFront) stmt(n *sitter.Node) []*Stmt {
	ln := line(n)
	switch n.Kind() {
	case "expression_statement":
		c := named(n)
		if len(c) != 1 {
			p.add(ln, "expression list statement")
			return nil
		}
		return p.exprStmt(c[0])
	case "return_statement":
		s := &Stmt{K: SReturn, Line: ln}
		if c := named(n); len(c) == 1 {
			if c[0].Kind() == "none" {
				return []*Stmt{s}
			}
			s.Value = p.expr(c[0])
		} else if len(c) > 1 {
			p.add(ln, "returning several values")
		}
		return []*Stmt{s}
	case "pass_statement":
		return nil
	case "break_statement":
		return []*Stmt{{K: SBreak, Line: ln}}
	case "continue_statement":
		return []*Stmt{{K: SContinue, Line: ln}}
	case "if_statement":
		s := &Stmt{K: SIf, Cond: p.expr(field(n, "condition")), Body: p.block(field(n, "consequence")), Line: ln}
		cur := s
		for _, alt := range n.ChildrenByFieldName("alternative", n.Walk()) {
			alt := alt
			switch alt.Kind() {
			case "elif_clause":
				e := &Stmt{K: SIf, Cond: p.expr(field(&alt, "condition")), Body: p.block(field(&alt, "consequence")), Line: line(&alt)}
				cur.Else = []*Stmt{e}
				cur = e
			case "else_clause":
				cur.Else = p.block(field(&alt, "body"))
			}
		}
		return []*Stmt{s}
	case "while_statement":
		if field(n, "alternative") != nil {
			p.add(ln, "while ... else")
		}
		return []*Stmt{{K: SWhile, Cond: p.expr(field(n, "condition")), Body: p.block(field(n, "body")), Line: ln}}
	case "for_statement":
		return p.forStmt(n)
	case "comment":
		return nil
	}
	p.add(ln, "%s", strings.ReplaceAll(n.Kind(), "_", " "))
	return nil
}

func (p *pyFront) forStmt(n *sitter.Node) []*Stmt {
	ln := line(n)
	if field(n, "alternative") != nil {
		p.add(ln, "for ... else")
	}
	left, right := field(n, "left"), field(n, "right")
	body := p.block(field(n, "body"))
	if right.Kind() == "call" && p.str(field(right, "function")) == "range" {
		args := named(field(right, "arguments"))
		s := &Stmt{K: SRange, Var: p.str(left), T: tInt, Body: body, Line: ln}
		if left.Kind() != "identifier" {
			p.add(ln, "for target %s", p.str(left))
		}
		switch len(args) {
		case 1:
			s.Start, s.Stop = lit(tInt, "0", ln), p.expr(args[0])
		case 2:
			s.Start, s.Stop = p.expr(args[0]), p.expr(args[1])
		case 3:
			s.Start, s.Stop, s.Step = p.expr(args[0]), p.expr(args[1]), p.expr(args[2])
		default:
			p.add(ln, "range with %d arguments", len(args))
		}
		return []*Stmt{s}
	}
	if left.Kind() == "identifier" {
		return []*Stmt{{K: SForEach, Var: p.str(left), Value: p.expr(right), Body: body, Line: ln}}
	}
	// for i, v in enumerate(xs): a range over the indices with v bound at the top of the body.
	if (left.Kind() == "pattern_list" || left.Kind() == "tuple_pattern") && right.Kind() == "call" &&
		p.str(field(right, "function")) == "enumerate" {
		vars, args := named(left), named(field(right, "arguments"))
		if len(vars) == 2 && len(args) == 1 && vars[0].Kind() == "identifier" && vars[1].Kind() == "identifier" {
			p.tmp++
			seq := p.expr(args[0])
			iv, vv := p.str(vars[0]), p.str(vars[1])
			bind := &Stmt{K: SAssign, Target: name(vv, ln), Value: &Expr{K: EIndex, Args: []*Expr{seq, name(iv, ln)}, Line: ln}, Line: ln}
			return []*Stmt{{K: SRange, Var: iv, T: tInt, Start: lit(tInt, "0", ln), Stop: bi("len", ln, seq),
				Body: append([]*Stmt{bind}, body...), Line: ln}}
		}
	}
	// for a, b in zip(xs, ys): a range over the shorter length with both bound at the top of the body.
	if (left.Kind() == "pattern_list" || left.Kind() == "tuple_pattern") && right.Kind() == "call" &&
		p.str(field(right, "function")) == "zip" {
		vars, args := named(left), named(field(right, "arguments"))
		if len(vars) == len(args) && len(args) >= 2 {
			p.tmp++
			iv := "i" + itoa(p.tmp)
			var binds []*Stmt
			var stop *Expr
			for k := range args {
				seq := p.expr(args[k])
				if vars[k].Kind() != "identifier" {
					p.add(ln, "for target %s", p.str(left))
					return nil
				}
				binds = append(binds, &Stmt{K: SAssign, Target: name(p.str(vars[k]), ln), Value: &Expr{K: EIndex, Args: []*Expr{seq, name(iv, ln)}, Line: ln}, Line: ln})
				if stop == nil {
					stop = bi("len", ln, seq)
				} else {
					stop = bi("min", ln, stop, bi("len", ln, seq))
				}
			}
			return []*Stmt{{K: SRange, Var: iv, T: tInt, Start: lit(tInt, "0", ln), Stop: stop, Body: append(binds, body...), Line: ln}}
		}
	}
	p.add(ln, "for target %s", p.str(left))
	return nil
}

func (p *pyFront) exprStmt(n *sitter.Node) []*Stmt {
	ln := line(n)
	switch n.Kind() {
	case "assignment":
		left, right := field(n, "left"), field(n, "right")
		if right == nil { // x: int (declaration without value)
			return nil
		}
		if right.Kind() == "assignment" { // a = b = 0
			inner := p.exprStmt(right)
			if len(inner) == 1 && inner[0].K == SAssign {
				return append(inner, &Stmt{K: SAssign, Target: p.target(left), Value: inner[0].Target, Line: ln})
			}
			p.add(ln, "chained assignment")
			return nil
		}
		if left.Kind() == "pattern_list" || left.Kind() == "tuple_pattern" {
			ls := named(left)
			if right.Kind() != "expression_list" && right.Kind() != "tuple" {
				p.add(ln, "tuple unpacking")
				return nil
			}
			rs := named(right)
			if len(ls) != len(rs) {
				p.add(ln, "tuple unpacking")
				return nil
			}
			// a, b = b, a + b: evaluate every right side into temporaries first.
			var out, set []*Stmt
			for i := range ls {
				p.tmp++
				t := "tmp" + itoa(p.tmp)
				out = append(out, &Stmt{K: SAssign, Target: name(t, ln), Value: p.expr(rs[i]), Line: ln})
				set = append(set, &Stmt{K: SAssign, Target: p.target(ls[i]), Value: name(t, ln), Line: ln})
			}
			return append(out, set...)
		}
		s := &Stmt{K: SAssign, Target: p.target(left), Value: p.expr(right), Line: ln}
		if t := field(n, "type"); t != nil {
			s.T = p.annotation(t)
		}
		return []*Stmt{s}
	case "augmented_assignment":
		op := strings.TrimSuffix(p.opText(n), "=")
		switch op {
		case "//":
			op = OpFloorDiv
		case "%":
			op = OpMod
		case "/":
			op = OpTrueDiv
		}
		return []*Stmt{{K: SAugment, Target: p.target(field(n, "left")), Op: op, Value: p.expr(field(n, "right")), Line: ln}}
	case "string":
		return []*Stmt{{K: SExpr, Value: lit(tString, "", ln), Line: ln}} // docstring
	case "call":
		return []*Stmt{{K: SExpr, Value: p.expr(n), Line: ln}}
	}
	p.add(ln, "statement %s", n.Kind())
	return nil
}

func (p *pyFront) target(n *sitter.Node) *Expr {
	switch n.Kind() {
	case "identifier", "subscript":
		return p.expr(n)
	}
	p.add(line(n), "assignment to %s", n.Kind())
	return name("_", line(n))
}

var pyBinOps = map[string]string{
	"+": "+", "-": "-", "*": "*", "/": OpTrueDiv, "//": OpFloorDiv, "%": OpMod, "**": "**",
	"&": "&", "|": "|", "^": "^", "<<": "<<", ">>": ">>",
}

func (p *pyFront) expr(n *sitter.Node) *Expr {
	if n == nil {
		return lit(tInt, "0", 0)
	}
	ln := line(n)
	switch n.Kind() {
	case "integer":
		v, ok := intLit(p.str(n))
		if !ok {
			p.add(ln, "integer literal %s", p.str(n))
		}
		return lit(tInt, v, ln)
	case "float":
		v, ok := floatLit(p.str(n))
		if !ok {
			p.add(ln, "float literal %s", p.str(n))
		}
		return lit(tFloat, v, ln)
	case "true":
		return lit(tBool, "true", ln)
	case "false":
		return lit(tBool, "false", ln)
	case "string":
		return p.stringLit(n)
	case "identifier":
		return name(p.str(n), ln)
	case "parenthesized_expression":
		c := named(n)
		if len(c) == 1 {
			return p.expr(c[0])
		}
	case "binary_operator":
		op, ok := pyBinOps[p.opText(n)]
		if !ok {
			p.add(ln, "operator %s", p.opText(n))
		}
		return bin(op, p.expr(field(n, "left")), p.expr(field(n, "right")))
	case "boolean_operator":
		op := "&&"
		if p.opText(n) == "or" {
			op = "||"
		}
		return bin(op, p.expr(field(n, "left")), p.expr(field(n, "right")))
	case "not_operator":
		return &Expr{K: EUn, Op: "!", Args: []*Expr{p.expr(field(n, "argument"))}, Line: ln}
	case "unary_operator":
		return &Expr{K: EUn, Op: p.opText(n), Args: []*Expr{p.expr(field(n, "argument"))}, Line: ln}
	case "comparison_operator":
		return p.comparison(n)
	case "conditional_expression":
		c := named(n)
		if len(c) == 3 {
			return &Expr{K: ECond, Args: []*Expr{p.expr(c[1]), p.expr(c[0]), p.expr(c[2])}, Line: ln}
		}
	case "subscript":
		v := p.expr(field(n, "value"))
		subs := n.ChildrenByFieldName("subscript", n.Walk())
		if len(subs) != 1 {
			break
		}
		sub := &subs[0]
		if sub.Kind() == "slice" {
			return p.slice(v, sub)
		}
		return &Expr{K: EIndex, Args: []*Expr{v, p.expr(sub)}, Line: ln}
	case "list":
		e := &Expr{K: EList, Line: ln}
		for _, c := range named(n) {
			e.Args = append(e.Args, p.expr(c))
		}
		return e
	case "set":
		e := &Expr{K: ESetLit, Line: ln}
		for _, c := range named(n) {
			e.Args = append(e.Args, p.expr(c))
		}
		return e
	case "dictionary":
		e := &Expr{K: EMap, Line: ln}
		for _, c := range named(n) {
			if c.Kind() != "pair" {
				p.add(ln, "dictionary entry %s", c.Kind())
				continue
			}
			e.Args = append(e.Args, p.expr(field(c, "key")), p.expr(field(c, "value")))
		}
		return e
	case "list_comprehension", "generator_expression":
		return p.comprehension(n) // a generator is consumed at once by sum, any, all, min, max ...
	case "call":
		return p.call(n)
	case "attribute":
		obj, attr := p.str(field(n, "object")), p.str(field(n, "attribute"))
		if obj == "math" {
			switch attr {
			case "pi":
				return lit(tFloat, "3.141592653589793", ln)
			case "e":
				return lit(tFloat, "2.718281828459045", ln)
			case "inf":
				return bi("inf", ln)
			}
		}
		if obj == "sys" && attr == "maxsize" {
			return lit(tInt, "9223372036854775807", ln)
		}
	}
	p.add(ln, "expression %s", oneLine(p.str(n)))
	return lit(tInt, "0", ln)
}

func oneLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i] + " ..."
	}
	if len(s) > 60 {
		s = s[:60] + "..."
	}
	return s
}

func (p *pyFront) stringLit(n *sitter.Node) *Expr {
	ln := line(n)
	var b strings.Builder
	for _, c := range named(n) {
		switch c.Kind() {
		case "string_start", "string_end":
			if strings.ContainsAny(strings.ToLower(p.str(c)), "fbr") {
				p.add(ln, "string prefix %s", p.str(c))
			}
		case "string_content":
			v, ok := unescape(p.str(c))
			if !ok {
				p.add(ln, "string escape in %s", p.str(c))
			}
			b.WriteString(v)
		case "escape_sequence":
			v, ok := unescape(p.str(c))
			if !ok {
				p.add(ln, "string escape %s", p.str(c))
			}
			b.WriteString(v)
		case "interpolation":
			p.add(ln, "f-string")
		}
	}
	return lit(tString, b.String(), ln)
}

func (p *pyFront) comparison(n *sitter.Node) *Expr {
	var operands []*Expr
	var ops []string
	pending := ""
	for i := uint(0); i < n.ChildCount(); i++ {
		c := n.Child(i)
		if c.IsNamed() {
			if len(operands) > 0 {
				ops = append(ops, pending)
			}
			pending = ""
			operands = append(operands, p.expr(c))
			continue
		}
		if pending != "" {
			pending += " "
		}
		pending += p.str(c)
	}
	var out *Expr
	for i, op := range ops {
		switch op {
		case "is":
			op = "=="
		case "is not":
			op = "!="
		}
		c := bin(op, operands[i], operands[i+1])
		if out == nil {
			out = c
		} else {
			out = bin("&&", out, c)
		}
	}
	if out == nil {
		p.add(line(n), "comparison")
		return lit(tBool, "false", line(n))
	}
	return out
}

func (p *pyFront) slice(v *Expr, n *sitter.Node) *Expr {
	e := &Expr{K: ESlice, Args: []*Expr{v, nil, nil}, Line: line(n)}
	part := 1
	for i := uint(0); i < n.ChildCount(); i++ {
		c := n.Child(i)
		if !c.IsNamed() {
			if p.str(c) == ":" {
				part++
			}
			continue
		}
		if part > 2 {
			// s[::-1] reverses; other steps are not covered.
			if t := p.str(c); (t == "-1" || t == "- 1") && e.Args[1] == nil && e.Args[2] == nil {
				return bi("revslice", line(n), v)
			}
			if p.str(c) == "1" {
				continue
			}
			p.add(line(n), "slice step %s", p.str(c))
			break
		}
		e.Args[part] = p.expr(c)
	}
	return e
}

// comprehension covers [expr for v in iterable] and [expr for v in iterable if cond], as an
// EComp: Op the variable, Args elem, iterable (a range call kept as a builtin "range"), cond or nil.
func (p *pyFront) comprehension(n *sitter.Node) *Expr {
	ln := line(n)
	var elem, iter, cond *Expr
	var v string
	for _, c := range named(n) {
		switch c.Kind() {
		case "for_in_clause":
			if iter != nil || field(c, "left").Kind() != "identifier" {
				p.add(ln, "comprehension %s", oneLine(p.str(n)))
				return lit(tInt, "0", ln)
			}
			v = p.str(field(c, "left"))
			iter = p.iterable(field(c, "right"))
		case "if_clause":
			if cond != nil {
				p.add(ln, "comprehension with two conditions")
			}
			cond = p.expr(named(c)[0])
		default:
			elem = p.expr(c)
		}
	}
	if elem == nil || iter == nil {
		p.add(ln, "comprehension %s", oneLine(p.str(n)))
		return lit(tInt, "0", ln)
	}
	return &Expr{K: EComp, Op: v, Args: []*Expr{elem, iter, cond}, Line: ln}
}

// iterable is the right side of a for: range(...) becomes the builtin "range".
func (p *pyFront) iterable(n *sitter.Node) *Expr {
	if n.Kind() == "call" && p.str(field(n, "function")) == "range" {
		ln := line(n)
		args := named(field(n, "arguments"))
		var es []*Expr
		for _, a := range args {
			es = append(es, p.expr(a))
		}
		switch len(es) {
		case 1:
			return bi("range", ln, lit(tInt, "0", ln), es[0], lit(tInt, "1", ln))
		case 2:
			return bi("range", ln, es[0], es[1], lit(tInt, "1", ln))
		case 3:
			return bi("range", ln, es...)
		}
	}
	return p.expr(n)
}

func itoa(i int) string { return strconv.Itoa(i) }

// pyFuncs maps Python builtins and math functions to IR builtins of the same arguments.
var pyFuncs = map[string]string{
	"len": "len", "abs": "abs", "int": "int", "float": "float", "str": "str", "ord": "ord", "chr": "chr",
	"sum": "sum", "sorted": "sorted", "list": "copy", "pow": "pow", "bool": "bool", "reversed": "reversed",
	"math.sqrt": "sqrt", "math.floor": "ifloor", "math.ceil": "iceil", "math.log": "log", "math.log2": "log2",
	"math.log10": "log10", "math.exp": "exp", "math.sin": "sin", "math.cos": "cos", "math.tan": "tan",
	"math.atan": "atan", "math.pow": "fpow", "math.fabs": "fabs", "math.gcd": "gcd", "math.hypot": "hypot",
	"math.factorial": "factorial", "math.isqrt": "isqrt", "math.trunc": "itrunc", "round": "round", "set": "set",
	"dict": "dict", "math.atan2": "atan2", "any": "any", "all": "all", "math.asin": "asin", "math.acos": "acos",
}

// pyMethods maps Python methods to IR builtins taking the receiver first.
var pyMethods = map[string]string{
	"append": "append", "pop": "pop", "upper": "upper", "lower": "lower", "strip": "strip", "split": "split",
	"find": "find", "replace": "replace", "startswith": "startswith", "endswith": "endswith", "count": "count",
	"index": "index", "isdigit": "isdigit", "isalpha": "isalpha", "isupper": "isupper", "islower": "islower",
	"isalnum": "isalnum", "isspace": "isspace", "get": "mapget", "keys": "keys", "values": "values",
	"add": "setadd", "remove": "remove", "reverse": "reverse", "sort": "sort", "lstrip": "lstrip",
	"rstrip": "rstrip", "insert": "insert", "extend": "extend", "discard": "setdiscard", "clear": "clear",
}

func (p *pyFront) call(n *sitter.Node) *Expr {
	ln := line(n)
	fn := field(n, "function")
	for fn.Kind() == "parenthesized_expression" && len(named(fn)) == 1 {
		fn = named(fn)[0] // ( int ) ( x )
	}
	var args []*Expr
	kw := map[string]*sitter.Node{}
	argList := named(field(n, "arguments"))
	if an := field(n, "arguments"); an != nil && an.Kind() == "generator_expression" {
		argList = []*sitter.Node{an} // sum(x for x in xs)
	}
	for _, a := range argList {
		if a.Kind() == "keyword_argument" {
			kw[p.str(field(a, "name"))] = field(a, "value")
			continue
		}
		if a.Kind() == "list_splat" || a.Kind() == "dictionary_splat" {
			p.add(ln, "argument unpacking")
			continue
		}
		args = append(args, p.expr(a))
	}
	reverse := false
	if r, ok := kw["reverse"]; ok {
		if p.str(r) != "True" && p.str(r) != "False" {
			p.add(ln, "sort with reverse=%s", p.str(r))
		}
		reverse = p.str(r) == "True"
		delete(kw, "reverse")
	}
	if len(kw) > 0 {
		for k := range kw {
			p.add(ln, "keyword argument %s=", k)
		}
	}
	switch fn.Kind() {
	case "identifier":
		f := p.str(fn)
		if p.fromMath[f] {
			if b, ok := pyFuncs["math."+f]; ok {
				return bi(b, ln, args...)
			}
		}
		switch f {
		case "min", "max":
			if len(args) == 1 {
				return bi(f+"Of", ln, args...)
			}
			return bi(f, ln, args...)
		case "sorted":
			if reverse {
				return bi("sortedDesc", ln, args...)
			}
		case "int", "float", "str":
			if len(args) != 1 {
				p.add(ln, "%s with %d arguments", f, len(args))
			}
		case "print", "input", "open", "exec", "eval":
			p.add(ln, "call to %s", f)
			return lit(tInt, "0", ln)
		}
		if b, ok := pyFuncs[f]; ok {
			if f == "pow" && len(args) == 3 {
				b = "powmod"
			}
			if (f == "set" || f == "dict" || f == "list") && len(args) == 0 {
				switch f {
				case "set":
					return &Expr{K: ESetLit, Line: ln}
				case "dict":
					return &Expr{K: EMap, Line: ln}
				default:
					return &Expr{K: EList, Line: ln}
				}
			}
			return bi(b, ln, args...)
		}
		return &Expr{K: ECall, Op: f, Args: args, Line: ln}
	case "attribute":
		obj, attr := field(fn, "object"), p.str(field(fn, "attribute"))
		if obj.Kind() == "identifier" && (p.str(obj) == "math" || p.str(obj) == "sys") {
			if b, ok := pyFuncs[p.str(obj)+"."+attr]; ok {
				return bi(b, ln, args...)
			}
			p.add(ln, "call to %s.%s", p.str(obj), attr)
			return lit(tInt, "0", ln)
		}
		if attr == "join" {
			return bi("join", ln, append([]*Expr{p.expr(obj)}, args...)...)
		}
		b, ok := pyMethods[attr]
		if !ok {
			p.add(ln, "method %s", attr)
			return lit(tInt, "0", ln)
		}
		if b == "sort" && reverse {
			b = "sortDesc"
		}
		return bi(b, ln, append([]*Expr{p.expr(obj)}, args...)...)
	}
	p.add(ln, "call of %s", oneLine(p.str(fn)))
	return lit(tInt, "0", ln)
}

func copyExpr(e *Expr) *Expr {
	if e == nil {
		return nil
	}
	c := *e
	c.Args = nil
	for _, a := range e.Args {
		c.Args = append(c.Args, copyExpr(a))
	}
	return &c
}
