package rules

import (
	"strings"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

// goFront maps a Go tree to the IR. Go's int is 64 bits; strings index to bytes (TChar).
type goFront struct {
	src
	tmp int
}

func (p *goFront) program(root *sitter.Node) *Program {
	prog := &Program{}
	for _, n := range named(root) {
		switch n.Kind() {
		case "function_declaration":
			if p.str(field(n, "name")) == "main" {
				continue // a test driver, not part of the unit
			}
			prog.Funcs = append(prog.Funcs, p.function(n))
		case "package_clause", "import_declaration", "comment":
		case "method_declaration":
			p.add(line(n), "method declaration")
		default:
			p.add(line(n), "top-level %s", strings.ReplaceAll(n.Kind(), "_", " "))
		}
	}
	return prog
}

func (p *goFront) function(n *sitter.Node) *Func {
	f := &Func{Name: p.str(field(n, "name")), Line: line(n), Result: tVoid}
	if field(n, "type_parameters") != nil {
		p.add(line(n), "generic function")
	}
	for _, c := range named(field(n, "parameters")) {
		if c.Kind() != "parameter_declaration" {
			p.add(line(c), "parameter %s", p.str(c))
			continue
		}
		t := p.typ(field(c, "type"))
		for _, nm := range c.ChildrenByFieldName("name", c.Walk()) {
			f.Params = append(f.Params, Param{Name: p.str(&nm), T: t, Decl: p.str(c)})
		}
	}
	if r := field(n, "result"); r != nil {
		if r.Kind() == "parameter_list" {
			ps := named(r)
			if len(ps) != 1 || field(ps[0], "name") != nil {
				p.add(line(r), "several or named results")
			} else {
				f.Result = p.typ(field(ps[0], "type"))
			}
		} else {
			f.Result = p.typ(r)
		}
	}
	f.Body = p.block(field(n, "body"))
	return f
}

func (p *goFront) typ(n *sitter.Node) Type {
	if n == nil {
		return tUnknown
	}
	switch n.Kind() {
	case "slice_type", "array_type":
		return listOf(p.typ(field(n, "element")))
	case "map_type":
		k, v := p.typ(field(n, "key")), p.typ(field(n, "value"))
		if v.K == TBool {
			return mapOf(k, v)
		}
		return mapOf(k, v)
	case "parenthesized_type":
		if c := named(n); len(c) == 1 {
			return p.typ(c[0])
		}
	}
	switch p.str(n) {
	case "int", "int64", "uint", "uint64", "uintptr":
		return Type{K: TInt, Bits: 64}
	case "int32", "int16", "int8", "uint32", "uint16":
		return Type{K: TInt, Bits: 32}
	case "byte", "uint8", "rune":
		return tChar
	case "float64", "float32":
		return tFloat
	case "bool":
		return tBool
	case "string":
		return tString
	}
	p.add(line(n), "type %s", p.str(n))
	return tUnknown
}

func (p *goFront) block(n *sitter.Node) []*Stmt {
	if n == nil {
		return nil
	}
	var out []*Stmt
	for _, c := range named(n) {
		if c.Kind() == "statement_list" {
			for _, s := range named(c) {
				out = append(out, p.stmt(s)...)
			}
			continue
		}
		out = append(out, p.stmt(c)...)
	}
	return out
}

func (p *goFront) stmt(n *sitter.Node) []*Stmt {
	ln := line(n)
	switch n.Kind() {
	case "short_var_declaration", "assignment_statement":
		return p.assign(n)
	case "var_declaration":
		var out []*Stmt
		var specs []*sitter.Node
		for _, c := range named(n) {
			if c.Kind() == "var_spec_list" {
				specs = append(specs, named(c)...)
			} else {
				specs = append(specs, c)
			}
		}
		for _, sp := range specs {
			if sp.Kind() != "var_spec" {
				continue
			}
			t := p.typ(field(sp, "type"))
			names := sp.ChildrenByFieldName("name", sp.Walk())
			var vals []*sitter.Node
			if v := field(sp, "value"); v != nil {
				vals = named(v)
			}
			for i := range names {
				s := &Stmt{K: SAssign, Decl: true, T: t, Target: name(p.str(&names[i]), ln), Line: ln}
				if i < len(vals) {
					s.Value = p.expr(vals[i])
				} else if len(vals) == 0 {
					s.Value = zero(t, ln)
				} else {
					p.add(ln, "var with fewer values than names")
				}
				out = append(out, s)
			}
		}
		return out
	case "inc_statement", "dec_statement":
		op := "+"
		if n.Kind() == "dec_statement" {
			op = "-"
		}
		return []*Stmt{{K: SAugment, Target: p.expr(named(n)[0]), Op: op, Value: lit(tInt, "1", ln), Line: ln}}
	case "expression_statement":
		c := named(n)[0]
		if c.Kind() == "call_expression" {
			return []*Stmt{{K: SExpr, Value: p.expr(c), Line: ln}}
		}
	case "return_statement":
		s := &Stmt{K: SReturn, Line: ln}
		if c := named(n); len(c) == 1 {
			vals := named(c[0])
			if c[0].Kind() != "expression_list" {
				vals = c
			}
			if len(vals) != 1 {
				p.add(ln, "returning several values")
			} else {
				s.Value = p.expr(vals[0])
			}
		}
		return []*Stmt{s}
	case "break_statement":
		return p.jump(n, SBreak, ln)
	case "continue_statement":
		return p.jump(n, SContinue, ln)
	case "block":
		return p.block(n)
	case "if_statement":
		var pre []*Stmt
		if in := field(n, "initializer"); in != nil {
			pre = p.stmt(in)
		}
		s := &Stmt{K: SIf, Cond: p.expr(field(n, "condition")), Body: p.block(field(n, "consequence")), Line: ln}
		if alt := field(n, "alternative"); alt != nil {
			s.Else = p.stmt(alt)
			if s.Else == nil {
				s.Else = []*Stmt{}
			}
		}
		return append(pre, s)
	case "for_statement":
		return p.forStmt(n)
	case "comment", "empty_statement":
		return nil
	}
	p.add(ln, "%s", strings.ReplaceAll(n.Kind(), "_", " "))
	return nil
}

func (p *goFront) assign(n *sitter.Node) []*Stmt {
	ln := line(n)
	ls, rs := named(field(n, "left")), named(field(n, "right"))
	op := p.opText(n)
	decl := n.Kind() == "short_var_declaration"
	if len(ls) != len(rs) {
		p.add(ln, "assignment of several results")
		return nil
	}
	if len(ls) == 1 {
		if op == "=" || op == ":=" {
			return []*Stmt{{K: SAssign, Decl: decl, Target: p.expr(ls[0]), Value: p.expr(rs[0]), Line: ln}}
		}
		o := strings.TrimSuffix(op, "=")
		if o == "&^" {
			p.add(ln, "operator &^=")
		}
		return []*Stmt{{K: SAugment, Target: p.expr(ls[0]), Op: goOp(o), Value: p.expr(rs[0]), Line: ln}}
	}
	if op != "=" && op != ":=" {
		p.add(ln, "%s with several targets", op)
		return nil
	}
	var out, set []*Stmt
	for i := range ls {
		p.tmp++
		t := "tmp" + itoa(p.tmp)
		out = append(out, &Stmt{K: SAssign, Target: name(t, ln), Value: p.expr(rs[i]), Line: ln})
		if p.str(ls[i]) != "_" {
			set = append(set, &Stmt{K: SAssign, Decl: decl, Target: p.expr(ls[i]), Value: name(t, ln), Line: ln})
		}
	}
	return append(out, set...)
}

func goOp(o string) string {
	switch o {
	case "/":
		return OpTruncDiv
	case "%":
		return OpRem
	}
	return o
}

func (p *goFront) forStmt(n *sitter.Node) []*Stmt {
	ln := line(n)
	body := p.block(field(n, "body"))
	var clause *sitter.Node
	for _, c := range named(n) {
		if c.Kind() == "for_clause" || c.Kind() == "range_clause" {
			clause = c
		}
	}
	if clause == nil {
		cond := lit(tBool, "true", ln)
		for _, c := range named(n) {
			if c.Kind() != "block" {
				cond = p.expr(c)
			}
		}
		return []*Stmt{{K: SWhile, Cond: cond, Body: body, Line: ln}}
	}
	if clause.Kind() == "for_clause" {
		s := &Stmt{K: SFor, Body: body, Line: ln}
		if in := field(clause, "initializer"); in != nil {
			s.Init = p.stmt(in)
		}
		if c := field(clause, "condition"); c != nil {
			s.Cond = p.expr(c)
		}
		if u := field(clause, "update"); u != nil {
			s.Post = p.stmt(u)
		}
		return []*Stmt{s}
	}
	// range clause: for i, v := range xs / for i := range n / for _, c := range s
	var vars []string
	if l := field(clause, "left"); l != nil {
		for _, v := range named(l) {
			vars = append(vars, p.str(v))
		}
	}
	right := p.expr(field(clause, "right"))
	idx, val := "_", "_"
	if len(vars) > 0 {
		idx = vars[0]
	}
	if len(vars) > 1 {
		val = vars[1]
	}
	p.tmp++
	seqName := "seq" + itoa(p.tmp)
	// Over an int (Go 1.22) or over the indices of a sequence, with the element bound first.
	s := &Stmt{K: SRange, Var: idx, T: tInt, Start: lit(tInt, "0", ln), Line: ln}
	if idx == "_" {
		s.Var = "i" + itoa(p.tmp)
	}
	pre := []*Stmt{{K: SAssign, Target: name(seqName, ln), Value: right, Line: ln}}
	s.Stop = &Expr{K: EBuiltin, Op: "rangeLen", Args: []*Expr{name(seqName, ln)}, Line: ln}
	if val != "_" {
		bind := &Stmt{K: SAssign, Target: name(val, ln), Value: &Expr{K: EIndex, Args: []*Expr{name(seqName, ln), name(s.Var, ln)}, Line: ln}, Line: ln}
		body = append([]*Stmt{bind}, body...)
	}
	s.Body = body
	return append(pre, s)
}

// goFuncs maps Go library calls to builtins.
var goFuncs = map[string]string{
	"len": "len", "min": "min", "max": "max", "math.Sqrt": "sqrt", "math.Pow": "fpow", "math.Abs": "fabs",
	"math.Floor": "floor", "math.Ceil": "ceil", "math.Log": "log", "math.Log2": "log2", "math.Log10": "log10",
	"math.Exp": "exp", "math.Sin": "sin", "math.Cos": "cos", "math.Tan": "tan", "math.Atan": "atan",
	"math.Atan2": "atan2", "math.Hypot": "hypot", "math.Cbrt": "cbrt", "math.Max": "max", "math.Min": "min",
	"strings.ToUpper": "upper", "strings.ToLower": "lower", "strings.TrimSpace": "strip", "strings.Split": "split",
	"strings.Fields": "split", "strings.Join": "joinGo", "strings.Index": "find", "strings.Contains": "contains",
	"strings.HasPrefix": "startswith", "strings.HasSuffix": "endswith", "strings.ReplaceAll": "replace",
	"strings.Count": "count", "strings.Repeat": "repeat", "sort.Ints": "sort", "slices.Sort": "sort",
	"sort.Strings": "sort", "sort.Float64s": "sort", "strconv.Itoa": "str", "strconv.Atoi": "int",
	"unicode.IsDigit": "isdigit", "unicode.IsLetter": "isalpha", "unicode.IsUpper": "isupper",
	"unicode.IsLower": "islower", "unicode.IsSpace": "isspace", "unicode.ToUpper": "upper", "unicode.ToLower": "lower",
	"slices.Contains": "contains", "slices.Reverse": "reverse", "slices.Max": "maxOf", "slices.Min": "minOf",
	"abs": "abs",
}

func (p *goFront) expr(n *sitter.Node) *Expr {
	if n == nil {
		return lit(tInt, "0", 0)
	}
	ln := line(n)
	text := p.str(n)
	switch n.Kind() {
	case "int_literal":
		v, ok := intLit(text)
		if !ok {
			p.add(ln, "integer literal %s", text)
		}
		return lit(tInt, v, ln)
	case "float_literal":
		v, ok := floatLit(text)
		if !ok {
			p.add(ln, "float literal %s", text)
		}
		return lit(tFloat, v, ln)
	case "rune_literal":
		v, ok := unescape(strings.TrimSuffix(strings.TrimPrefix(text, "'"), "'"))
		if !ok || len([]rune(v)) != 1 {
			p.add(ln, "rune literal %s", text)
			v = "?"
		}
		return lit(tChar, v, ln)
	case "interpreted_string_literal":
		v, ok := unescape(strings.TrimSuffix(strings.TrimPrefix(text, `"`), `"`))
		if !ok {
			p.add(ln, "string literal %s", text)
		}
		return lit(tString, v, ln)
	case "raw_string_literal":
		return lit(tString, strings.Trim(text, "`"), ln)
	case "true":
		return lit(tBool, "true", ln)
	case "false":
		return lit(tBool, "false", ln)
	case "identifier":
		return name(text, ln)
	case "parenthesized_expression":
		if c := named(n); len(c) == 1 {
			return p.expr(c[0])
		}
	case "binary_expression":
		op := p.opText(n)
		if op == "&^" {
			p.add(ln, "operator &^")
		}
		return bin(goOp(op), p.expr(field(n, "left")), p.expr(field(n, "right")))
	case "unary_expression":
		op := p.opText(n)
		arg := p.expr(field(n, "operand"))
		switch op {
		case "-", "!", "+":
			return &Expr{K: EUn, Op: op, Args: []*Expr{arg}, Line: ln}
		case "^":
			return &Expr{K: EUn, Op: "~", Args: []*Expr{arg}, Line: ln}
		}
		p.add(ln, "unary %s", op)
	case "index_expression":
		return &Expr{K: EIndex, Args: []*Expr{p.expr(field(n, "operand")), p.expr(field(n, "index"))}, Line: ln}
	case "slice_expression":
		e := &Expr{K: ESlice, Args: []*Expr{p.expr(field(n, "operand")), nil, nil}, Line: ln}
		if s := field(n, "start"); s != nil {
			e.Args[1] = p.expr(s)
		}
		if s := field(n, "end"); s != nil {
			e.Args[2] = p.expr(s)
		}
		if field(n, "capacity") != nil {
			p.add(ln, "slice capacity")
		}
		return e
	case "composite_literal":
		t := p.typ(field(n, "type"))
		body := field(n, "body")
		switch t.K {
		case TList:
			e := &Expr{K: EList, T: t, Line: ln}
			for _, el := range named(body) {
				c := named(el)
				if el.Kind() == "keyed_element" || len(c) != 1 {
					p.add(ln, "keyed slice element")
					continue
				}
				if c[0].Kind() == "literal_value" {
					p.add(ln, "nested composite literal without a type")
					continue
				}
				e.Args = append(e.Args, p.expr(c[0]))
			}
			return e
		case TMap:
			e := &Expr{K: EMap, T: t, Line: ln}
			for _, el := range named(body) {
				c := named(el)
				if el.Kind() != "keyed_element" || len(c) != 2 {
					p.add(ln, "map element")
					continue
				}
				e.Args = append(e.Args, p.expr(named(c[0])[0]), p.expr(named(c[1])[0]))
			}
			return e
		}
	case "selector_expression":
		switch text {
		case "math.MaxInt32":
			return lit(Type{K: TInt, Bits: 64}, "2147483647", ln)
		case "math.MinInt32":
			return lit(Type{K: TInt, Bits: 64}, "-2147483648", ln)
		case "math.MaxInt64", "math.MaxInt":
			return lit(Type{K: TInt, Bits: 64}, "9223372036854775807", ln)
		case "math.MinInt64", "math.MinInt":
			return lit(Type{K: TInt, Bits: 64}, "-9223372036854775808", ln)
		case "math.Pi":
			return lit(tFloat, "3.141592653589793", ln)
		case "math.E":
			return lit(tFloat, "2.718281828459045", ln)
		}
	case "call_expression":
		return p.call(n)
	case "type_conversion_expression":
		t := p.typ(field(n, "type"))
		return &Expr{K: ECast, T: t, Args: []*Expr{p.expr(field(n, "operand"))}, Line: ln}
	}
	p.add(ln, "expression %s", oneLine(text))
	return lit(tInt, "0", ln)
}

func (p *goFront) call(n *sitter.Node) *Expr {
	ln := line(n)
	fn := field(n, "function")
	argNodes := named(field(n, "arguments"))
	f := p.str(fn)
	switch f {
	case "make":
		if len(argNodes) >= 2 {
			t := p.typ(argNodes[0])
			if t.K == TList {
				return &Expr{K: ENew, T: t, Args: []*Expr{p.expr(argNodes[1])}, Line: ln}
			}
		}
		if len(argNodes) >= 1 {
			t := p.typ(argNodes[0])
			if t.K == TMap {
				return &Expr{K: EMap, T: t, Line: ln}
			}
		}
		p.add(ln, "make %s", oneLine(p.str(field(n, "arguments"))))
		return lit(tInt, "0", ln)
	case "int", "int64", "int32", "float64", "float32", "string", "byte", "rune", "uint", "uint64":
		if len(argNodes) == 1 {
			t := p.typ(fn)
			return &Expr{K: ECast, T: t, Args: []*Expr{p.expr(argNodes[0])}, Line: ln}
		}
	}
	var args []*Expr
	for _, a := range argNodes {
		args = append(args, p.expr(a))
	}
	if f == "append" {
		if strings.HasSuffix(p.str(field(n, "arguments")), "...)") {
			if len(args) == 2 {
				return bi("concatList", ln, args...)
			}
		} else if len(args) >= 2 {
			e := bi("appendExpr", ln, args[0], args[1])
			for _, a := range args[2:] {
				e = bi("appendExpr", ln, e, a)
			}
			return e
		}
		p.add(ln, "append of %d values", len(args)-1)
		return lit(tInt, "0", ln)
	}
	if fn.Kind() == "parenthesized_type" || fn.Kind() == "slice_type" {
		t := p.typ(fn)
		if len(args) == 1 {
			return &Expr{K: ECast, T: t, Args: args, Line: ln}
		}
	}
	if b, ok := goFuncs[f]; ok {
		if f == "strings.Fields" {
			return bi("split", ln, args[0])
		}
		return bi(b, ln, args...)
	}
	if fn.Kind() == "identifier" {
		return &Expr{K: ECall, Op: f, Args: args, Line: ln}
	}
	p.add(ln, "call to %s", f)
	return lit(tInt, "0", ln)
}
