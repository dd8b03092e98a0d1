package rules

import (
	"slices"
	"sort"
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
	// lambdas are the lambdas bound to names in the current function (sq = lambda x: x * x); a call
	// of one is its body with the arguments in place of the parameters, which reads the variables it
	// captures when it is called, as Python's closures do.
	lambdas map[string]*sitter.Node
	// tupleOK allows a tuple literal as a list: the right side of in and the sequence of a for.
	tupleOK bool
	// nested are the functions defined inside the current one, lifted to the top level once its body
	// is read (lift).
	nested []*Func
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
			p.nested = nil
			f := p.function(n)
			nested := p.nested
			p.nested = nil
			for _, nf := range nested {
				if prog.fn(nf.Name) != nil {
					p.add(nf.Line, "nested function %s with the name of another function", nf.Name)
				}
			}
			p.lift(f, nested)
			prog.Funcs = append(prog.Funcs, nested...)
			prog.Funcs = append(prog.Funcs, f)
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
	saved := p.lambdas
	p.lambdas = map[string]*sitter.Node{}
	for k, v := range saved {
		p.lambdas[k] = v
	}
	defer func() { p.lambdas = saved }()
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
		case (base == "tuple" || base == "Tuple") && len(args) >= 2:
			var ts []Type
			for _, a := range args {
				if p.str(a) == "..." {
					p.add(line(n), "type annotation %s", p.str(n))
				}
				ts = append(ts, p.annotation(a))
			}
			return tupleOf(ts...)
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
			if c[0].Kind() == "expression_list" || c[0].Kind() == "tuple" {
				// return a, b: the function has several results.
				t := &Expr{K: ETuple, Line: ln}
				for _, x := range named(c[0]) {
					t.Args = append(t.Args, p.expr(x))
				}
				if len(t.Args) < 2 {
					p.add(ln, "returning a tuple of %d", len(t.Args))
				}
				s.Value = t
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
	case "function_definition":
		// A nested function: lifted to the top level, with the enclosing variables it reads as
		// parameters (lift).
		outer := p.nested
		p.nested = nil
		f := p.function(n)
		inner := p.nested
		p.nested = outer
		p.lift(f, inner)
		p.nested = append(append(p.nested, inner...), f)
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
		p.tupleOK = right.Kind() == "tuple"
		v := p.expr(right)
		p.tupleOK = false
		return []*Stmt{{K: SForEach, Var: p.str(left), Value: v, Body: body, Line: ln}}
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
		// enumerate(xs, k), enumerate(xs, start=k): a hidden index j, with i = j + k.
		if len(vars) == 2 && len(args) == 2 && vars[0].Kind() == "identifier" && vars[1].Kind() == "identifier" {
			start := args[1]
			if start.Kind() == "keyword_argument" {
				if p.str(field(start, "name")) != "start" {
					p.add(ln, "enumerate with %s", p.str(start))
				}
				start = field(start, "value")
			}
			p.tmp++
			j := "j" + itoa(p.tmp)
			seq := p.expr(args[0])
			iv, vv := p.str(vars[0]), p.str(vars[1])
			binds := []*Stmt{
				{K: SAssign, Target: name(iv, ln), Value: bin("+", name(j, ln), p.expr(start)), Line: ln},
				{K: SAssign, Target: name(vv, ln), Value: &Expr{K: EIndex, Args: []*Expr{seq, name(j, ln)}, Line: ln}, Line: ln},
			}
			return []*Stmt{{K: SRange, Var: j, T: tInt, Start: lit(tInt, "0", ln), Stop: bi("len", ln, seq),
				Body: append(binds, body...), Line: ln}}
		}
	}
	// for k, v in sorted(d.items()): the keys in order, with v bound to d[k].
	if (left.Kind() == "pattern_list" || left.Kind() == "tuple_pattern") && right.Kind() == "call" && p.str(field(right, "function")) == "sorted" {
		vars, args := named(left), named(field(right, "arguments"))
		if len(vars) == 2 && len(args) == 1 && vars[0].Kind() == "identifier" && vars[1].Kind() == "identifier" && args[0].Kind() == "call" {
			if fa := field(args[0], "function"); fa.Kind() == "attribute" && p.str(field(fa, "attribute")) == "items" && len(named(field(args[0], "arguments"))) == 0 {
				d := p.expr(field(fa, "object"))
				k, v := p.str(vars[0]), p.str(vars[1])
				bind := &Stmt{K: SAssign, Target: name(v, ln), Value: &Expr{K: EIndex, Args: []*Expr{copyExpr(d), name(k, ln)}, Line: ln}, Line: ln}
				return []*Stmt{{K: SForEach, Var: k, Value: bi("sorted", ln, d), Body: append([]*Stmt{bind}, body...), Line: ln}}
			}
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
		// q, r = divmod(a, b)
		if (left.Kind() == "pattern_list" || left.Kind() == "tuple_pattern") && right.Kind() == "call" &&
			p.str(field(right, "function")) == "divmod" && len(named(left)) == 2 && len(named(field(right, "arguments"))) == 2 {
			args := named(field(right, "arguments"))
			ls := named(left)
			p.tmp++
			ta, tb := "tmp"+itoa(p.tmp), "tmp"+itoa(p.tmp+1)
			p.tmp++
			return []*Stmt{
				{K: SAssign, Target: name(ta, ln), Value: p.expr(args[0]), Line: ln},
				{K: SAssign, Target: name(tb, ln), Value: p.expr(args[1]), Line: ln},
				{K: SAssign, Target: p.target(ls[0]), Value: bin(OpFloorDiv, name(ta, ln), name(tb, ln)), Line: ln},
				{K: SAssign, Target: p.target(ls[1]), Value: bin(OpMod, name(ta, ln), name(tb, ln)), Line: ln},
			}
		}
		if left.Kind() == "pattern_list" || left.Kind() == "tuple_pattern" {
			ls := named(left)
			if right.Kind() == "call" {
				// a, b = f(x): the results of a function of the file.
				t := &Expr{K: ETuple, Line: ln}
				for _, x := range ls {
					if x.Kind() != "identifier" {
						p.add(ln, "tuple unpacking into %s", p.str(x))
					}
					t.Args = append(t.Args, p.target(x))
				}
				v := p.expr(right)
				if v.K != ECall {
					p.add(ln, "tuple unpacking of %s", oneLine(p.str(right)))
				}
				return []*Stmt{{K: SAssign, Target: t, Value: v, Line: ln}}
			}
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
		if right.Kind() == "lambda" && left.Kind() == "identifier" {
			p.lambdas[p.str(left)] = right
			return nil
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
		if l := field(n, "left"); p.opText(n) == "%" && l.Kind() == "string" {
			// "%d of %s" % (a, b)
			lt := p.expr(l)
			r := field(n, "right")
			var args []*Expr
			if r.Kind() == "tuple" {
				for _, c := range named(r) {
					args = append(args, p.expr(c))
				}
			} else {
				args = []*Expr{p.expr(r)}
			}
			if lt.K == ELit {
				return p.format(lt.Op, args, ln, true)
			}
		}
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
	case "tuple":
		// A tuple literal is read as a list where only membership and iteration can see it.
		if !p.tupleOK {
			break
		}
		fallthrough
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
	case "set_comprehension":
		return bi("set", ln, p.comprehension(n))
	case "dictionary_comprehension":
		// {k: v for ...}: a list of one-entry maps merged in order, later keys replacing earlier ones.
		return bi("mergeMaps", ln, p.comprehension(n))
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
	// An f-string is the concatenation of its text and of str() of each replacement field.
	var parts []*Expr
	fstr := false
	for _, c := range named(n) {
		switch c.Kind() {
		case "string_start", "string_end":
			pre := strings.ToLower(p.str(c))
			if c.Kind() == "string_start" && strings.Contains(pre, "f") && !strings.ContainsAny(pre, "br") {
				fstr = true
				continue
			}
			if strings.ContainsAny(pre, "fbr") {
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
			ic := named(c)
			if !fstr || len(ic) != 1 {
				p.add(ln, "f-string field %s", p.str(c))
				continue
			}
			if b.Len() > 0 {
				parts = append(parts, lit(tString, b.String(), ln))
				b.Reset()
			}
			parts = append(parts, bi("str", ln, p.expr(ic[0])))
		}
	}
	if !fstr {
		return lit(tString, b.String(), ln)
	}
	if b.Len() > 0 || len(parts) == 0 {
		parts = append(parts, lit(tString, b.String(), ln))
	}
	e := parts[0]
	if e.K != ELit {
		e = bin("+", lit(tString, "", ln), e) // "" + str(x): the sum is text whatever comes next
	}
	for _, x := range parts[1:] {
		e = bin("+", e, x)
	}
	return e
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
			if c.Kind() == "tuple" && len(operands) > 0 && (strings.HasSuffix(ops[len(ops)-1], "in")) {
				p.tupleOK = true
				operands = append(operands, p.expr(c))
				p.tupleOK = false
				continue
			}
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
			// xs[lo:hi:step]: Python's bounds for the step's direction (pySliceStep).
			ln := line(n)
			has := func(x *Expr) *Expr {
				if x == nil {
					return lit(tBool, "false", ln)
				}
				return lit(tBool, "true", ln)
			}
			or0 := func(x *Expr) *Expr {
				if x == nil {
					return lit(tInt, "0", ln)
				}
				return x
			}
			return bi("sliceStep", ln, v, or0(e.Args[1]), or0(e.Args[2]), p.expr(c), has(e.Args[1]), has(e.Args[2]))
		}
		e.Args[part] = p.expr(c)
	}
	return e
}

// comprehension covers [expr for v in iterable] and [expr for v in iterable if cond], as an
// EComp: Op the variable, Args elem, iterable (a range call kept as a builtin "range"), cond or nil.
func (p *pyFront) comprehension(n *sitter.Node) *Expr {
	ln := line(n)
	// Each for clause with the if clauses that follow it; the innermost produces the elements and
	// each outer one flattens the lists of the next (nested for clauses).
	type clause struct {
		v     string
		iter  *Expr
		subst map[string]*Expr
		cond  *Expr
	}
	var cls []*clause
	var elem *Expr
	for _, c := range named(n) {
		switch c.Kind() {
		case "for_in_clause":
			left, right := field(c, "left"), field(c, "right")
			cl := &clause{}
			if left.Kind() == "identifier" {
				cl.v, cl.iter = p.str(left), p.iterable(right)
			} else if cl.v, cl.iter, cl.subst = p.tupleIter(left, right); cl.iter == nil {
				p.add(ln, "comprehension %s", oneLine(p.str(n)))
				return lit(tInt, "0", ln)
			}
			cls = append(cls, cl)
		case "if_clause":
			if len(cls) == 0 {
				p.add(ln, "comprehension %s", oneLine(p.str(n)))
				return lit(tInt, "0", ln)
			}
			cl := cls[len(cls)-1]
			cond := p.expr(named(c)[0])
			if cl.cond == nil {
				cl.cond = cond
			} else {
				cl.cond = bin("&&", cl.cond, cond)
			}
		case "pair":
			elem = &Expr{K: EMap, Args: []*Expr{p.expr(field(c, "key")), p.expr(field(c, "value"))}, Line: ln}
		default:
			elem = p.expr(c)
		}
	}
	if elem == nil || len(cls) == 0 {
		p.add(ln, "comprehension %s", oneLine(p.str(n)))
		return lit(tInt, "0", ln)
	}
	// Names bound by tuple targets are replaced in everything after their clause.
	for i, cl := range cls {
		if cl.subst == nil {
			continue
		}
		elem = substNames(elem, cl.subst)
		for _, later := range cls[i:] {
			later.cond = substNames(later.cond, cl.subst)
			if later != cl {
				later.iter = substNames(later.iter, cl.subst)
			}
		}
	}
	last := cls[len(cls)-1]
	e := &Expr{K: EComp, Op: last.v, Args: []*Expr{elem, last.iter, last.cond}, Line: ln}
	for i := len(cls) - 2; i >= 0; i-- {
		cl := cls[i]
		e = bi("flatten", ln, &Expr{K: EComp, Op: cl.v, Args: []*Expr{e, cl.iter, cl.cond}, Line: ln})
	}
	return e
}

// tupleIter covers the tuple targets of a comprehension: i, x in enumerate(xs) and x, y in zip(a, b),
// as a range over the indices (the variable returned) with the names bound to elements (subst). The
// sequences must be names, read once per element. iter is nil where the target is not covered.
func (p *pyFront) tupleIter(left, right *sitter.Node) (v string, iter *Expr, subst map[string]*Expr) {
	ln := line(left)
	if (left.Kind() != "pattern_list" && left.Kind() != "tuple_pattern") || right.Kind() != "call" {
		return "", nil, nil
	}
	vars, args := named(left), named(field(right, "arguments"))
	for _, x := range vars {
		if x.Kind() != "identifier" {
			return "", nil, nil
		}
	}
	for _, a := range args {
		if a.Kind() == "keyword_argument" || a.Kind() == "list_splat" {
			return "", nil, nil
		}
	}
	subst = map[string]*Expr{}
	switch p.str(field(right, "function")) {
	case "enumerate":
		if len(vars) != 2 || len(args) != 1 {
			return "", nil, nil
		}
		v = p.str(vars[0])
		seq := p.expr(args[0])
		subst[p.str(vars[1])] = &Expr{K: EIndex, Args: []*Expr{seq, name(v, ln)}, Line: ln}
		return v, bi("range", ln, lit(tInt, "0", ln), bi("len", ln, seq), lit(tInt, "1", ln)), subst
	case "zip":
		if len(vars) != len(args) || len(args) < 2 {
			return "", nil, nil
		}
		p.tmp++
		v = "i" + itoa(p.tmp)
		var stop *Expr
		for k := range args {
			seq := p.expr(args[k])
			subst[p.str(vars[k])] = &Expr{K: EIndex, Args: []*Expr{seq, name(v, ln)}, Line: ln}
			if stop == nil {
				stop = bi("len", ln, seq)
			} else {
				stop = bi("min", ln, stop, bi("len", ln, seq))
			}
		}
		return v, bi("range", ln, lit(tInt, "0", ln), stop, lit(tInt, "1", ln)), subst
	}
	return "", nil, nil
}

// substNames returns e with the names of subst replaced by copies of their values.
func substNames(e *Expr, subst map[string]*Expr) *Expr {
	if e == nil {
		return nil
	}
	if e.K == EName {
		if r, ok := subst[e.Op]; ok {
			return copyExpr(r)
		}
		return e
	}
	if e.K == EComp {
		if _, ok := subst[e.Op]; ok {
			inner := map[string]*Expr{}
			for k, v := range subst {
				if k != e.Op {
					inner[k] = v
				}
			}
			subst = inner
		}
	}
	c := *e
	c.Args = make([]*Expr, len(e.Args))
	for i, a := range e.Args {
		c.Args[i] = substNames(a, subst)
	}
	return &c
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
	"copy": "copy",
}

func (p *pyFront) call(n *sitter.Node) *Expr {
	ln := line(n)
	fn := field(n, "function")
	for fn.Kind() == "parenthesized_expression" && len(named(fn)) == 1 {
		fn = named(fn)[0] // ( int ) ( x )
	}
	if f := p.str(fn); fn.Kind() == "identifier" && (f == "map" || f == "filter") && p.lambdas[f] == nil {
		if an := named(field(n, "arguments")); len(an) == 2 {
			return p.mapFilter(f, an, ln)
		}
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
	var key *Expr // key=: an EComp binding its variable to each element, with the key as its element
	if k, ok := kw["key"]; ok {
		delete(kw, "key")
		key = p.keyFunc(k)
	}
	reverse := false
	if r, ok := kw["reverse"]; ok {
		if p.str(r) != "True" && p.str(r) != "False" {
			p.add(ln, "sort with reverse=%s", p.str(r))
		}
		reverse = p.str(r) == "True"
		delete(kw, "reverse")
	}
	if fn.Kind() == "identifier" && p.str(fn) == "print" {
		return p.print(ln, args, kw)
	}
	if len(kw) > 0 {
		for k := range kw {
			p.add(ln, "keyword argument %s=", k)
		}
	}
	if key != nil {
		// sorted(xs, key=f), min(xs, key=f), max(xs, key=f), xs.sort(key=f)
		var op string
		var seq *Expr
		switch {
		case fn.Kind() == "identifier" && len(args) == 1 && (p.str(fn) == "sorted" || p.str(fn) == "min" || p.str(fn) == "max"):
			op, seq = p.str(fn)+"Key", args[0]
		case fn.Kind() == "attribute" && p.str(field(fn, "attribute")) == "sort" && len(args) == 0:
			op, seq = "sortKey", p.expr(field(fn, "object"))
		default:
			p.add(ln, "keyword argument key=")
			return lit(tInt, "0", ln)
		}
		if reverse && (op == "minKey" || op == "maxKey") {
			p.add(ln, "reverse= with %s", op)
		}
		if reverse {
			op += "Desc"
		}
		key.Args[1] = seq
		return bi(op, ln, seq, key)
	}
	switch fn.Kind() {
	case "identifier":
		f := p.str(fn)
		if lam, ok := p.lambdas[f]; ok {
			return p.inline(lam, args, ln)
		}
		if e := p.collections(f, fn, args, ln); e != nil {
			return e
		}
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
		case "int":
			if len(args) == 2 {
				return bi("intBase", ln, args...)
			}
			if len(args) != 1 {
				p.add(ln, "%s with %d arguments", f, len(args))
			}
		case "bin":
			if len(args) == 1 {
				return bi("bin", ln, args...)
			}
		case "float", "str":
			if len(args) != 1 {
				p.add(ln, "%s with %d arguments", f, len(args))
			}
		case "input", "open", "exec", "eval":
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
		if obj.Kind() == "identifier" && p.str(obj) == "collections" {
			if e := p.collections(attr, field(n, "arguments"), args, ln); e != nil {
				return e
			}
		}
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
		if attr == "format" && obj.Kind() == "string" {
			lt := p.expr(obj)
			if lt.K != ELit {
				p.add(ln, "format of an f-string")
				return lit(tString, "", ln)
			}
			return p.format(lt.Op, args, ln, false)
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

// keyFunc reads the key= of sorted, min, max and sort: a one-parameter lambda, a builtin (len, abs,
// str, int) or str.lower/str.upper. The result is an EComp whose variable is bound to each element;
// the caller fills in the sequence.
func (p *pyFront) keyFunc(n *sitter.Node) *Expr {
	ln := line(n)
	p.tmp++
	v := "k" + itoa(p.tmp)
	var body *Expr
	switch n.Kind() {
	case "lambda":
		ps := named(field(n, "parameters"))
		if len(ps) != 1 || ps[0].Kind() != "identifier" {
			p.add(ln, "key=%s", oneLine(p.str(n)))
			return &Expr{K: EComp, Op: v, Args: []*Expr{lit(tInt, "0", ln), nil, nil}, Line: ln}
		}
		v = p.str(ps[0])
		b := field(n, "body")
		if b.Kind() == "tuple" || b.Kind() == "expression_list" {
			p.add(ln, "key= returning a tuple")
		}
		body = p.expr(b)
	case "identifier":
		switch f := p.str(n); f {
		case "len", "abs", "str", "int", "float", "ord", "bool", "chr":
			body = bi(pyFuncs[f], ln, name(v, ln))
		default:
			p.add(ln, "key=%s", f)
			body = lit(tInt, "0", ln)
		}
	case "attribute":
		switch p.str(n) {
		case "str.lower":
			body = bi("lower", ln, name(v, ln))
		case "str.upper":
			body = bi("upper", ln, name(v, ln))
		default:
			p.add(ln, "key=%s", p.str(n))
			body = lit(tInt, "0", ln)
		}
	default:
		p.add(ln, "key=%s", oneLine(p.str(n)))
		body = lit(tInt, "0", ln)
	}
	return &Expr{K: EComp, Op: v, Args: []*Expr{body, nil, nil}, Line: ln}
}

// inline is the call of a lambda bound to a name: its body with the arguments in place of its
// parameters. An argument that has effects (a call of the file's functions) is not covered, as it
// could run more or fewer times than once.
func (p *pyFront) inline(lam *sitter.Node, args []*Expr, ln int) *Expr {
	ps := named(field(lam, "parameters"))
	if len(ps) != len(args) {
		p.add(ln, "call of a lambda with %d arguments", len(args))
		return lit(tInt, "0", ln)
	}
	subst := map[string]*Expr{}
	for i, prm := range ps {
		if prm.Kind() != "identifier" {
			p.add(ln, "lambda parameter %s", p.str(prm))
			return lit(tInt, "0", ln)
		}
		if !pure(args[i]) {
			p.add(ln, "call of a lambda with an argument that calls a function")
		}
		subst[p.str(prm)] = args[i]
	}
	return substNames(p.expr(field(lam, "body")), subst)
}

// print writes its arguments as Python does: str() of each, joined by sep, then end.
func (p *pyFront) print(ln int, args []*Expr, kw map[string]*sitter.Node) *Expr {
	sep, end := lit(tString, " ", ln), lit(tString, "\n", ln)
	for k, v := range kw {
		switch k {
		case "sep":
			sep = p.expr(v)
		case "end":
			end = p.expr(v)
		default:
			p.add(ln, "print with %s=", k)
		}
	}
	return bi("print", ln, append([]*Expr{sep, end}, args...)...)
}

// lift makes the functions defined inside f top-level functions. The variables of f a nested
// function reads become parameters it is passed at each call (so it sees their values at the call,
// as Python's closures do); one that changes such a variable's length or binding is not covered.
func (p *pyFront) lift(f *Func, nested []*Func) {
	if len(nested) == 0 {
		return
	}
	outer := map[string]bool{}
	for _, prm := range f.Params {
		outer[prm.Name] = true
	}
	walkStmts(f.Body, func(s *Stmt) {
		if (s.K == SAssign || s.K == SAugment) && s.Target.K == EName {
			outer[s.Target.Op] = true
		}
		if s.K == SRange || s.K == SForEach {
			outer[s.Var] = true
		}
	})
	captured := map[string][]string{}
	locals := map[string]map[string]bool{}
	for _, nf := range nested {
		local := map[string]bool{}
		for _, prm := range nf.Params {
			local[prm.Name] = true
		}
		walkStmts(nf.Body, func(s *Stmt) {
			if (s.K == SAssign || s.K == SAugment) && s.Target.K == EName {
				local[s.Target.Op] = true
			}
			if s.K == SRange || s.K == SForEach {
				local[s.Var] = true
			}
		})
		seen := map[string]bool{}
		var caps []string
		walkExprs(nf.Body, func(e *Expr) {
			if e.K == EName && outer[e.Op] && !local[e.Op] && !seen[e.Op] {
				seen[e.Op] = true
				caps = append(caps, e.Op)
			}
			if e.K == EBuiltin && len(e.Args) > 0 && e.Args[0].K == EName && outer[e.Args[0].Op] && !local[e.Args[0].Op] {
				switch e.Op {
				case "append", "pop", "insert", "extend", "remove", "clear", "setadd", "setdiscard", "sort", "sortKey", "reverse", "sortDesc", "sortKeyDesc":
					if e.Args[0].T.K != TSet && e.Op != "setadd" && e.Op != "setdiscard" {
						p.add(e.Line, "nested function %s changing the enclosing %s", nf.Name, e.Args[0].Op)
					}
				}
			}
		})
		captured[nf.Name] = caps
		locals[nf.Name] = local
	}
	// A nested function calling another passes it what that one captures, so captures it too.
	for changed := true; changed; {
		changed = false
		for _, nf := range nested {
			walkExprs(nf.Body, func(e *Expr) {
				if e.K != ECall || e.Op == nf.Name {
					return
				}
				for _, c := range captured[e.Op] {
					if !locals[nf.Name][c] && !slices.Contains(captured[nf.Name], c) {
						captured[nf.Name] = append(captured[nf.Name], c)
						changed = true
					}
				}
			})
		}
	}
	for _, nf := range nested {
		sort.Strings(captured[nf.Name])
		for _, c := range captured[nf.Name] {
			nf.Params = append(nf.Params, Param{Name: c})
		}
	}
	fix := func(ss []*Stmt) {
		walkExprs(ss, func(e *Expr) {
			if e.K == ECall {
				for _, c := range captured[e.Op] {
					e.Args = append(e.Args, name(c, e.Line))
				}
			}
		})
	}
	fix(f.Body)
	for _, nf := range nested {
		fix(nf.Body)
	}
}

// collections covers defaultdict of a scalar or list (a Go map gives the zero value of a missing key,
// as defaultdict gives int(), list() ...) and Counter of a list or str. It returns nil for other names.
func (p *pyFront) collections(f string, at *sitter.Node, args []*Expr, ln int) *Expr {
	switch f {
	case "defaultdict":
		an := named(field(at.Parent(), "arguments"))
		if at.Kind() == "argument_list" {
			an = named(at)
		}
		if len(an) == 1 {
			var vt Type
			switch p.str(an[0]) {
			case "int":
				vt = tInt
			case "float":
				vt = tFloat
			case "str":
				vt = tString
			case "bool":
				vt = tBool
			case "list":
				vt = listOf(tUnknown)
			}
			if vt.K != TUnknown {
				return &Expr{K: EMap, T: mapOf(tUnknown, vt), Line: ln}
			}
		}
		p.add(ln, "defaultdict of %s", oneLine(p.str(at)))
		return lit(tInt, "0", ln)
	case "Counter":
		if len(args) == 1 {
			return bi("counter", ln, args[0])
		}
		return &Expr{K: EMap, T: mapOf(tUnknown, tInt), Line: ln}
	}
	return nil
}

// mapFilter covers map(f, xs) and filter(f, xs) with f a lambda of one parameter or a builtin's
// name (int, str, abs ...), as comprehensions.
func (p *pyFront) mapFilter(f string, an []*sitter.Node, ln int) *Expr {
	key := p.keyFunc(an[0]) // a variable bound to each element, and the function's body
	seq := p.iterable(an[1])
	if f == "map" {
		return &Expr{K: EComp, Op: key.Op, Args: []*Expr{key.Args[0], seq, nil}, Line: ln}
	}
	return &Expr{K: EComp, Op: key.Op, Args: []*Expr{name(key.Op, ln), seq, key.Args[0]}, Line: ln}
}

// format covers str.format with {} and {0} fields and printf-style % with %s and %d: the text and
// str() of each argument, concatenated. Fields with a format spec are not covered.
func (p *pyFront) format(f string, args []*Expr, ln int, percent bool) *Expr {
	var parts []*Expr
	var b strings.Builder
	next := 0
	field := func(i int) {
		if i < 0 || i >= len(args) {
			p.add(ln, "format field %d of %d arguments", i, len(args))
			return
		}
		if b.Len() > 0 {
			parts = append(parts, lit(tString, b.String(), ln))
			b.Reset()
		}
		parts = append(parts, bi("str", ln, copyExpr(args[i])))
	}
	rs := []rune(f)
	for i := 0; i < len(rs); i++ {
		c := rs[i]
		switch {
		case percent && c == '%':
			if i+1 < len(rs) && rs[i+1] == '%' {
				b.WriteRune('%')
				i++
			} else if i+1 < len(rs) && (rs[i+1] == 's' || rs[i+1] == 'd' || rs[i+1] == 'i') {
				if rs[i+1] != 's' && next < len(args) && args[next].T.K == TFloat {
					p.add(ln, "%%d of a float")
				}
				field(next)
				next++
				i++
			} else {
				p.add(ln, "format %s", oneLine(f))
				return lit(tString, "", ln)
			}
		case !percent && c == '{':
			if i+1 < len(rs) && rs[i+1] == '{' {
				b.WriteRune('{')
				i++
				continue
			}
			j := i + 1
			for j < len(rs) && rs[j] != '}' {
				j++
			}
			spec := string(rs[i+1 : j])
			if spec == "" {
				field(next)
				next++
			} else if k, err := strconv.Atoi(spec); err == nil {
				field(k)
			} else {
				p.add(ln, "format field {%s}", spec)
			}
			i = j
		case !percent && c == '}':
			if i+1 < len(rs) && rs[i+1] == '}' {
				i++
			}
			b.WriteRune('}')
		default:
			b.WriteRune(c)
		}
	}
	if percent && next != len(args) {
		p.add(ln, "format %s with %d arguments", oneLine(f), len(args))
	}
	if b.Len() > 0 || len(parts) == 0 {
		parts = append(parts, lit(tString, b.String(), ln))
	}
	e := parts[0]
	if e.K != ELit {
		e = bin("+", lit(tString, "", ln), e)
	}
	for _, x := range parts[1:] {
		e = bin("+", e, x)
	}
	return e
}
