package rules

import (
	"fmt"
	"go/format"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// goEmit writes the IR as Go. Integers are Go's int (64 bits); Python's floor division and modulo
// become helper functions; a Python string is a Go string indexed by rune ([]rune(s)[i]), so non-ASCII
// text keeps Python's character positions; a string of a C-family or Go source is indexed by byte.
type goEmit struct {
	gaps
	b        strings.Builder
	imports  map[string]bool
	helpers  map[string]bool
	fn       *Func
	depth    int
	tmp      int
	pyStr    bool // strings index by rune (Python, JavaScript sources)
	prog     *Program
	declared map[string]bool // variables declared at the top of the current function
	// nonNegVar holds the variables of the current function that are never negative, whose use
	// as an index needs no count from the end (Python sources).
	nonNegVar map[string]bool
	// orderFree is set while the argument of an operation that ignores order (sum, max, sorted ...)
	// is written: the keys or values of a dict may then come in Go's map order.
	orderFree bool
}

// goReserved are Go keywords and predeclared names a source may use for its variables.
var goReserved = map[string]bool{
	"break": true, "case": true, "chan": true, "const": true, "continue": true, "default": true, "defer": true,
	"else": true, "fallthrough": true, "for": true, "func": true, "go": true, "goto": true, "if": true, "import": true,
	"interface": true, "map": true, "package": true, "range": true, "return": true, "select": true, "struct": true,
	"switch": true, "type": true, "var": true, "len": true, "cap": true, "make": true, "new": true, "append": true,
	"copy": true, "delete": true, "string": true, "int": true, "byte": true, "rune": true, "bool": true, "float64": true,
	"min": true, "max": true, "panic": true, "print": true, "true": true, "false": true, "nil": true, "clear": true,
	"close": true, "complex": true, "real": true, "imag": true, "iota": true, "error": true, "uint": true,
	"math": true, "strings": true, "slices": true, "strconv": true, "unicode": true, "sort": true, "utf8": true, "cmp": true,
}

// renameVars renames the variables (not the functions) that reserved names the target reserves.
func renameVars(prog *Program, reserved map[string]bool) {
	re := func(n string) string {
		if reserved[n] {
			return n + "_"
		}
		return n
	}
	for _, f := range prog.Funcs {
		for i := range f.Params {
			f.Params[i].Name = re(f.Params[i].Name)
		}
		walkStmts(f.Body, func(s *Stmt) {
			s.Var = re(s.Var)
		})
		walkExprs(f.Body, func(e *Expr) {
			if e.K == EName || e.K == EComp {
				e.Op = re(e.Op)
			}
		})
		vars := map[string]Type{}
		for k, v := range f.vars {
			vars[re(k)] = v
		}
		f.vars = vars
	}
}

func emitGo(prog *Program, pyStr bool) (string, error) {
	renameVars(prog, goReserved)
	g := &goEmit{imports: map[string]bool{}, helpers: map[string]bool{}, pyStr: pyStr, prog: prog}
	var body strings.Builder
	functions(&body, prog, "\n", &g.b, g.function)
	if err := g.err(); err != nil {
		return "", err
	}
	// Helpers may need imports and other helpers.
	var names []string
	for changed := true; changed; {
		changed = false
		for h := range g.helpers {
			for _, dep := range goHelperDeps[h] {
				if !g.helpers[dep] {
					g.helpers[dep], changed = true, true
				}
			}
		}
	}
	for h := range g.helpers {
		names = append(names, h)
		for _, imp := range goHelperImports[h] {
			g.imports[imp] = true
		}
	}
	sort.Strings(names)
	var out strings.Builder
	out.WriteString("package main\n\n")
	if len(g.imports) > 0 {
		out.WriteString("import (\n")
		for _, i := range slices.Sorted(maps.Keys(g.imports)) {
			fmt.Fprintf(&out, "\t%q\n", i)
		}
		out.WriteString(")\n\n")
	}
	out.WriteString(body.String())
	for _, h := range names {
		out.WriteString("\n")
		out.WriteString(goHelpers[h])
	}
	src, err := format.Source([]byte(out.String()))
	if err != nil {
		return "", fmt.Errorf("rules: the Go translation does not format: %w", err)
	}
	return string(src), nil
}

func (g *goEmit) line(format string, args ...any) {
	g.b.WriteString(strings.Repeat("\t", g.depth))
	fmt.Fprintf(&g.b, format, args...)
	g.b.WriteString("\n")
}

func (g *goEmit) typ(t Type) string {
	switch t.K {
	case TInt:
		if t.Unsigned {
			return "uint"
		}
		return "int"
	case TFloat:
		return "float64"
	case TBool:
		return "bool"
	case TString:
		return "string"
	case TChar:
		return "byte"
	case TList:
		return "[]" + g.typ(t.elem())
	case TSet:
		return "map[" + g.typ(t.elem()) + "]bool"
	case TMap:
		return "map[" + g.typ(t.key()) + "]" + g.typ(t.elem())
	}
	g.add(0, "type %s", t)
	return "int"
}

func (g *goEmit) function(f *Func) {
	g.fn = f
	g.nonNegVars(f)
	var ps []string
	for _, p := range f.Params {
		ps = append(ps, p.Name+" "+g.typ(p.T))
	}
	res := ""
	if f.Result.K != TVoid && f.Result.K != TUnknown && f.Result.K != TTuple {
		res = " " + g.typ(f.Result)
	}
	if f.Result.K == TTuple {
		var rs []string
		for _, t := range f.Result.Elems {
			rs = append(rs, g.typ(t))
		}
		res = " (" + strings.Join(rs, ", ") + ")"
	}
	g.line("func %s(%s)%s {", f.Name, strings.Join(ps, ", "), res)
	g.depth++
	// Variables are declared at the top of the function: Python's are function-scoped, and the
	// C-family sources' block scopes nest inside this.
	params := map[string]bool{}
	for _, p := range f.Params {
		params[p.Name] = true
	}
	assigned := map[string]bool{}
	walkStmts(f.Body, func(s *Stmt) {
		if (s.K == SAssign || s.K == SAugment) && s.Target.K == EName {
			assigned[s.Target.Op] = true
		}
		if s.K == SAssign && s.Target.K == ETuple {
			for _, a := range s.Target.Args {
				if a.K == EName {
					assigned[a.Op] = true
				}
			}
		}
	})
	reads := readNames(f.Body)
	var vars []string
	for v := range assigned {
		if !params[v] {
			vars = append(vars, v)
		}
	}
	sort.Strings(vars)
	g.declared = map[string]bool{}
	for _, v := range vars {
		g.line("var %s %s", v, g.typ(f.vars[v]))
		g.declared[v] = true
	}
	for _, v := range vars {
		if !reads[v] {
			g.line("_ = %s", v)
		}
	}
	g.block(f.Body)
	if f.Result.K != TVoid && !terminates(f.Body) {
		g.line("panic(\"unreachable\")")
	}
	g.depth--
	g.line("}")
}

// readNames is the set of names read anywhere (not only assigned).
func readNames(ss []*Stmt) map[string]bool {
	reads := map[string]bool{}
	var ex func(e *Expr)
	ex = func(e *Expr) {
		if e == nil {
			return
		}
		if e.K == EName {
			reads[e.Op] = true
		}
		for _, a := range e.Args {
			ex(a)
		}
	}
	walkStmts(ss, func(s *Stmt) {
		if s.Target != nil {
			if s.Target.K != EName || s.K == SAugment {
				ex(s.Target)
			}
		}
		for _, e := range []*Expr{s.Value, s.Cond, s.Start, s.Stop, s.Step} {
			ex(e)
		}
	})
	return reads
}

// terminates reports whether a statement list always ends in a return (Go's rule, simplified).
func terminates(ss []*Stmt) bool {
	if len(ss) == 0 {
		return false
	}
	s := ss[len(ss)-1]
	switch s.K {
	case SReturn:
		return true
	case SIf:
		return s.Else != nil && terminates(s.Body) && terminates(s.Else)
	}
	return false
}

func (g *goEmit) block(ss []*Stmt) {
	for _, s := range ss {
		g.stmt(s)
	}
}

func (g *goEmit) stmt(s *Stmt) {
	switch s.K {
	case SAssign:
		if s.Value == nil {
			return
		}
		if s.Target.K == EName && s.Value.K == EName && s.Target.Op == s.Value.Op {
			return
		}
		if s.Target.K == ETuple {
			if s.Value.K != ECall || s.Value.T.K != TTuple || len(s.Value.T.Elems) != len(s.Target.Args) {
				g.add(s.Line, "tuple unpacking of %s", s.Value.T)
				return
			}
			var ts []string
			for _, a := range s.Target.Args {
				ts = append(ts, g.expr(a, 0))
			}
			g.line("%s = %s", strings.Join(ts, ", "), g.expr(s.Value, 0))
			return
		}
		g.line("%s = %s", g.expr(s.Target, 0), g.conv(s.Value, s.Target.T))
	case SAugment:
		g.augment(s)
	case SExpr:
		g.exprStmt(s.Value)
	case SIf:
		g.line("if %s {", g.cond(s.Cond))
		g.nested(s.Body)
		for len(s.Else) == 1 && s.Else[0].K == SIf {
			s = s.Else[0]
			g.line("} else if %s {", g.cond(s.Cond))
			g.nested(s.Body)
		}
		if len(s.Else) > 0 {
			g.line("} else {")
			g.nested(s.Else)
		}
		g.line("}")
	case SWhile:
		if s.Cond.K == ELit && s.Cond.Op == "true" {
			g.line("for {")
		} else {
			g.line("for %s {", g.cond(s.Cond))
		}
		g.nested(s.Body)
		g.line("}")
	case SDoWhile:
		if hasContinue(s.Body) {
			g.add(s.Line, "continue inside do ... while")
		}
		g.line("for {")
		g.nested(s.Body)
		g.depth++
		g.line("if !(%s) {", g.cond(s.Cond))
		g.line("\tbreak")
		g.line("}")
		g.depth--
		g.line("}")
	case SFor:
		g.forStmt(s)
	case SRange:
		g.rangeStmt(s)
	case SForEach:
		g.forEach(s)
	case SReturn:
		if s.Value == nil {
			if g.fn.Result.K != TVoid && g.fn.Result.K != TUnknown {
				g.add(s.Line, "returning None from a function that also returns a value (Optional)")
			}
			g.line("return")
			return
		}
		if g.fn.Result.K == TTuple {
			switch {
			case s.Value.K == ETuple && len(s.Value.Args) == len(g.fn.Result.Elems):
				var vs []string
				for i, a := range s.Value.Args {
					vs = append(vs, g.conv(a, g.fn.Result.Elems[i]))
				}
				g.line("return %s", strings.Join(vs, ", "))
			case s.Value.K == ECall && equal(s.Value.T, g.fn.Result):
				g.line("return %s", g.expr(s.Value, 0))
			default:
				g.add(s.Line, "returning %s from a function of results %s", s.Value.T, g.fn.Result)
			}
			return
		}
		g.line("return %s", g.conv(s.Value, g.fn.Result))
	case SBreak:
		g.line("break")
	case SContinue:
		g.line("continue")
	}
}

func (g *goEmit) nested(ss []*Stmt) {
	g.depth++
	g.block(ss)
	g.depth--
}

// hasContinue reports a continue that belongs to the enclosing loop (not to a nested one).
func hasContinue(ss []*Stmt) bool {
	for _, s := range ss {
		switch s.K {
		case SContinue:
			return true
		case SIf:
			if hasContinue(s.Body) || hasContinue(s.Else) {
				return true
			}
		}
	}
	return false
}

// simple writes an assignment or augmentation as a Go simple statement (for a for clause).
func (g *goEmit) simple(s *Stmt) (string, bool) {
	switch s.K {
	case SAssign:
		return g.expr(s.Target, 0) + " = " + g.conv(s.Value, s.Target.T), true
	case SAugment:
		if v, ok := g.augmentText(s); ok {
			return v, true
		}
	case SExpr:
		return g.expr(s.Value, 0), true
	}
	return "", false
}

func (g *goEmit) forStmt(s *Stmt) {
	var init, post string
	okInit, okPost := true, true
	if len(s.Init) == 1 {
		init, okInit = g.simple(s.Init[0])
	} else if len(s.Init) > 1 {
		init, okInit = g.parallel(s.Init)
	}
	if len(s.Post) == 1 {
		post, okPost = g.simple(s.Post[0])
	} else if len(s.Post) > 1 {
		post, okPost = g.parallel(s.Post)
	}
	if !okInit {
		for _, st := range s.Init {
			g.stmt(st)
		}
		init = ""
	}
	if !okPost {
		g.add(s.Line, "for loop update")
		return
	}
	cond := ""
	if s.Cond != nil {
		cond = g.cond(s.Cond)
	}
	if init == "" && post == "" {
		if cond == "" {
			g.line("for {")
		} else {
			g.line("for %s {", cond)
		}
	} else {
		g.line("for %s; %s; %s {", init, cond, post)
	}
	g.nested(s.Body)
	g.line("}")
}

// parallel writes several assignments as one: i, j = 0, n-1. Only when no right side reads a target.
func (g *goEmit) parallel(ss []*Stmt) (string, bool) {
	var ls, rs []string
	targets := map[string]bool{}
	for _, s := range ss {
		if s.Target == nil || s.Target.K != EName {
			return "", false
		}
		targets[s.Target.Op] = true
	}
	for _, s := range ss {
		var r string
		switch s.K {
		case SAssign:
			if mentionsAny(s.Value, targets) {
				return "", false
			}
			r = g.conv(s.Value, s.Target.T)
		case SAugment:
			if mentionsAny(s.Value, targets) || !plainOp(s.Op) {
				return "", false
			}
			v := &Expr{K: EBin, Op: s.Op, Args: []*Expr{s.Target, s.Value}, T: s.Target.T, Line: s.Line}
			r = g.conv(v, s.Target.T)
		default:
			return "", false
		}
		ls = append(ls, s.Target.Op)
		rs = append(rs, r)
	}
	return strings.Join(ls, ", ") + " = " + strings.Join(rs, ", "), true
}

func plainOp(op string) bool {
	switch op {
	case "+", "-", "*", "&", "|", "^", "<<", ">>":
		return true
	}
	return false
}

func mentionsAny(e *Expr, names map[string]bool) bool {
	if e == nil {
		return false
	}
	if e.K == EName && names[e.Op] {
		return true
	}
	for _, a := range e.Args {
		if mentionsAny(a, names) {
			return true
		}
	}
	return false
}

func assigns(ss []*Stmt, v string) bool {
	found := false
	walkStmts(ss, func(s *Stmt) {
		if (s.K == SAssign || s.K == SAugment) && s.Target.K == EName && s.Target.Op == v {
			found = true
		}
	})
	return found
}

func (g *goEmit) rangeStmt(s *Stmt) {
	v := s.Var
	if assigns(s.Body, v) || g.usedOutside(s) {
		// Python rebinding the loop variable does not change the iteration.
		g.tmp++
		v = fmt.Sprintf("%s%d", s.Var, g.tmp)
		s.Body = append([]*Stmt{{K: SAssign, Target: &Expr{K: EName, Op: s.Var, T: tInt}, Value: &Expr{K: EName, Op: v, T: tInt}}}, s.Body...)
		if !g.declared[s.Var] {
			g.declared[s.Var] = true
			g.fn.vars[s.Var] = tInt
			g.line("var %s int", s.Var)
			g.line("_ = %s", s.Var)
		}
	}
	start, stop := g.conv(s.Start, tInt), g.conv(s.Stop, tInt)
	if mentionsAssigned(s.Stop, s.Body) {
		g.tmp++
		lim := fmt.Sprintf("stop%d", g.tmp)
		g.line("%s := %s", lim, stop)
		stop = lim
	}
	if s.Step == nil {
		if v == "_" {
			g.tmp++
			v = fmt.Sprintf("i%d", g.tmp)
		}
		g.line("for %s := %s; %s < %s; %s++ {", v, start, v, stop, v)
	} else {
		step := g.conv(s.Step, tInt)
		n, err := strconv.Atoi(constText(s.Step))
		switch {
		case err == nil && n > 0:
			g.line("for %s := %s; %s < %s; %s += %s {", v, start, v, stop, v, step)
		case err == nil && n < 0:
			g.line("for %s := %s; %s > %s; %s -= %d {", v, start, v, stop, v, -n)
		default:
			g.tmp++
			st := fmt.Sprintf("step%d", g.tmp)
			g.line("%s := %s", st, step)
			g.line("for %s := %s; (%s > 0 && %s < %s) || (%s < 0 && %s > %s); %s += %s {", v, start, st, v, stop, st, v, stop, v, st)
		}
	}
	g.nested(s.Body)
	g.line("}")
}

// mentionsAssigned reports whether e reads a variable that body assigns (so a loop bound must be
// evaluated once, as Python's range does).
func mentionsAssigned(e *Expr, body []*Stmt) bool {
	names := map[string]bool{}
	walkStmts(body, func(s *Stmt) {
		if (s.K == SAssign || s.K == SAugment) && s.Target.K == EName {
			names[s.Target.Op] = true
		}
		if s.K == SExpr && s.Value.K == EBuiltin && len(s.Value.Args) > 0 && s.Value.Args[0].K == EName {
			names[s.Value.Args[0].Op] = true // xs.append(...) changes len(xs)
		}
	})
	return mentionsAny(e, names)
}

// constText is the text of an integer constant, negated ones included, or "".
func constText(e *Expr) string {
	if e == nil {
		return ""
	}
	if e.K == ELit && e.T.K == TInt {
		return e.Op
	}
	if e.K == EUn && e.Op == "-" {
		if c := constText(e.Args[0]); c != "" {
			return "-" + c
		}
	}
	return ""
}

// usedOutside reports whether the loop variable of s is used outside the loop (Python's loop
// variables outlive their loop).
func (g *goEmit) usedOutside(s *Stmt) bool {
	found := false
	var visit func(ss []*Stmt)
	visit = func(ss []*Stmt) {
		for _, x := range ss {
			if x == s || x == nil {
				continue
			}
			for _, e := range []*Expr{x.Target, x.Value, x.Cond, x.Start, x.Stop, x.Step} {
				if mentionsAny(e, map[string]bool{s.Var: true}) {
					found = true
				}
			}
			if (x.K == SRange || x.K == SForEach) && x.Var == s.Var {
				found = true
			}
			visit(x.Init)
			visit(x.Post)
			visit(x.Body)
			visit(x.Else)
		}
	}
	visit(g.fn.Body)
	return found && s.Var != "_"
}

func (g *goEmit) forEach(s *Stmt) {
	ct := s.Value.T
	v := s.Var
	switch ct.K {
	case TList:
		g.line("for _, %s := range %s {", v, g.expr(s.Value, 0))
	case TString:
		if g.pyStr {
			g.tmp++
			r := fmt.Sprintf("r%d", g.tmp)
			g.line("for _, %s := range %s {", r, g.expr(s.Value, 0))
			g.line("\t%s := string(%s)", v, r)
		} else {
			g.line("for _, %s := range []byte(%s) {", v, g.expr(s.Value, 0))
		}
	case TSet, TMap:
		if g.pyStr {
			g.add(s.Line, "iteration over a dict or set (insertion order has no Go equivalent)")
		}
		g.line("for %s := range %s {", v, g.expr(s.Value, 0))
	default:
		g.add(s.Line, "iteration over %s", ct)
	}
	g.nested(s.Body)
	g.line("}")
}

func (g *goEmit) augment(s *Stmt) {
	if t, ok := g.augmentText(s); ok {
		g.line("%s", t)
		return
	}
	v := &Expr{K: EBin, Op: s.Op, Args: []*Expr{s.Target, s.Value}, Line: s.Line}
	v.T = (&inferer{charIndex: !g.pyStr}).arith(s.Op, s.Target.T, s.Value.T)
	g.line("%s = %s", g.expr(s.Target, 0), g.conv(v, s.Target.T))
}

func (g *goEmit) augmentText(s *Stmt) (string, bool) {
	tt, vt := s.Target.T, s.Value.T
	if !plainOp(s.Op) && !(s.Op == OpTruncDiv && tt.K == vt.K) && !(s.Op == OpRem && tt.K == TInt && vt.K == TInt) {
		return "", false
	}
	if tt.K == TList || (tt.K == TString && s.Op != "+") {
		return "", false
	}
	if tt.K == TString && vt.K == TChar {
		return g.expr(s.Target, 0) + " += string(" + g.expr(s.Value, 0) + ")", true
	}
	if s.Op == "+" || s.Op == "-" {
		if c := constText(s.Value); c == "1" {
			return g.expr(s.Target, 0) + s.Op + s.Op, true
		}
	}
	return g.expr(s.Target, 0) + " " + s.Op + "= " + g.conv(s.Value, tt), true
}

func (g *goEmit) exprStmt(e *Expr) {
	if e.K == EBuiltin && len(e.Args) > 0 {
		x := func(i int) string { return g.expr(e.Args[i], 0) }
		switch e.Op {
		case "print":
			g.print(e)
			return
		case "sortKey", "sortKeyDesc":
			g.imports["slices"] = true
			g.imports["cmp"] = true
			a, b := "a", "b"
			if e.Op == "sortKeyDesc" {
				a, b = b, a
			}
			g.line("slices.SortStableFunc(%s, func(a, b %s) int { key := %s; return cmp.Compare(key(%s), key(%s)) })",
				x(0), g.typ(e.Args[0].T.elem()), g.keyFunc(e.Args[1]), a, b)
			return
		case "append":
			if len(e.Args) == 2 {
				g.line("%s = append(%s, %s)", x(0), x(0), g.conv(e.Args[1], e.Args[0].T.elem()))
				return
			}
		case "extend":
			g.line("%s = append(%s, %s...)", x(0), x(0), x(1))
			return
		case "insert":
			g.imports["slices"] = true
			g.line("%s = slices.Insert(%s, %s, %s)", x(0), x(0), g.conv(e.Args[1], tInt), g.conv(e.Args[2], e.Args[0].T.elem()))
			return
		case "setadd":
			g.line("%s[%s] = true", x(0), g.conv(e.Args[1], e.Args[0].T.elem()))
			return
		case "remove", "setdiscard":
			if e.Args[0].T.K == TSet || e.Args[0].T.K == TMap {
				g.line("delete(%s, %s)", x(0), x(1))
				return
			}
			g.helpers["removeFirst"] = true
			g.line("%s = removeFirst(%s, %s)", x(0), x(0), x(1))
			return
		case "clear":
			if e.Args[0].T.K == TList {
				g.line("%s = %s[:0]", x(0), x(0))
			} else {
				g.line("clear(%s)", x(0))
			}
			return
		case "pop":
			if len(e.Args) == 1 {
				g.line("%s = %s[:len(%s)-1]", x(0), x(0), x(0))
				return
			}
		case "sortRange", "reverseRange":
			g.imports["slices"] = true
			f := "Sort"
			if e.Op == "reverseRange" {
				f = "Reverse"
			}
			g.line("slices.%s(%s[%s:%s])", f, x(0), g.conv(e.Args[1], tInt), g.conv(e.Args[2], tInt))
			return
		case "fillN":
			g.tmp++
			i := fmt.Sprintf("i%d", g.tmp)
			g.line("for %s := 0; %s < %s; %s++ {", i, i, g.conv(e.Args[1], tInt), i)
			g.line("\t%s[%s] = %s", x(0), i, g.conv(e.Args[2], e.Args[0].T.elem()))
			g.line("}")
			return
		case "fillAll":
			t := e.Args[0].T
			target := x(0)
			var idx []string
			open := 0
			for t.K == TList {
				g.tmp++
				i := fmt.Sprintf("i%d", g.tmp)
				g.line("%sfor %s := range %s {", strings.Repeat("\t", open), i, target)
				target += "[" + i + "]"
				idx = append(idx, i)
				open++
				t = t.elem()
			}
			g.line("%s%s = %s", strings.Repeat("\t", open), target, g.conv(e.Args[1], t))
			for open > 0 {
				open--
				g.line("%s}", strings.Repeat("\t", open))
			}
			return
		}
	}
	switch e.K {
	case ECall, EBuiltin:
		s := g.expr(e, 0)
		if e.K == EBuiltin && !strings.Contains(s, "(") {
			g.add(e.Line, "expression statement")
			return
		}
		if e.K == EBuiltin && e.T.K != TVoid {
			g.line("_ = %s", s)
			return
		}
		g.line("%s", s)
		return
	}
	if e.K == ELit && e.T.K == TString {
		return // docstring
	}
	g.add(e.Line, "expression statement")
}

// cond writes e as a Go condition, with Python's truthiness for non-bool values.
func (g *goEmit) cond(e *Expr) string {
	switch e.T.K {
	case TBool:
		return g.expr(e, 0)
	case TInt, TFloat, TChar:
		return g.expr(e, 4) + " != 0"
	case TString:
		return g.expr(e, 4) + ` != ""`
	case TList, TMap, TSet:
		return "len(" + g.expr(e, 0) + ") > 0"
	}
	g.add(e.Line, "condition of type %s", e.T)
	return "false"
}

// conv writes e converted to type want where Go needs an explicit conversion.
func (g *goEmit) conv(e *Expr, want Type) string {
	have := e.T
	if want.K == TUnknown || want.K == have.K || e.K == ELit && (have.K == TInt || have.K == TChar) && (want.K == TFloat || want.K == TInt || want.K == TChar) {
		if e.K == ELit && have.K == TChar && want.K == TInt {
			return g.expr(e, 0)
		}
		if want.K == have.K && want.K == TList && (e.K == EList || e.K == ENew) {
			e.T = want
		}
		return g.expr(e, 0)
	}
	if want.K == TInt && have.K == TInt && want.Unsigned != have.Unsigned && e.K != ELit {
		return g.typ(want) + "(" + g.expr(e, 0) + ")"
	}
	switch want.K {
	case TFloat:
		if have.K == TInt || have.K == TChar || have.K == TUnknown {
			return "float64(" + g.expr(e, 0) + ")"
		}
	case TInt:
		switch have.K {
		case TFloat, TChar:
			return "int(" + g.expr(e, 0) + ")"
		case TBool:
			g.helpers["boolToInt"] = true
			return "boolToInt(" + g.expr(e, 0) + ")"
		}
	case TChar:
		if have.K == TInt {
			return "byte(" + g.expr(e, 0) + ")"
		}
	case TString:
		if have.K == TChar {
			return "string(" + g.expr(e, 0) + ")"
		}
	case TBool:
		return g.cond(e)
	}
	return g.expr(e, 0)
}

// Go operator precedence, for parentheses.
func goPrec(op string) int {
	switch op {
	case "*", "/", "%", "<<", ">>", "&", "&^":
		return 5
	case "+", "-", "|", "^":
		return 4
	case "==", "!=", "<", "<=", ">", ">=":
		return 3
	case "&&":
		return 2
	case "||":
		return 1
	}
	return 6
}

func paren(s string, prec, min int) string {
	if prec < min {
		return "(" + s + ")"
	}
	return s
}

// expr writes e; min is the precedence its context needs (0: any).
func (g *goEmit) expr(e *Expr, min int) string {
	switch e.K {
	case ELit:
		return g.literal(e)
	case EName:
		return e.Op
	case EUn:
		a := e.Args[0]
		switch e.Op {
		case "!":
			return "!" + g.paren(g.cond(a), a, 6)
		case "~":
			return "^" + g.expr(a, 6)
		case "+":
			return g.expr(a, min)
		}
		if a.T.K == TChar {
			return "-int(" + g.expr(a, 0) + ")"
		}
		return "-" + g.expr(a, 6)
	case EBin:
		return g.binary(e, min)
	case ECond:
		t := g.typ(e.T)
		return fmt.Sprintf("func() %s {\n%s\tif %s {\n%s\t\treturn %s\n%s\t}\n%s\treturn %s\n%s}()", t,
			g.ind(), g.cond(e.Args[0]), g.ind(), g.conv(e.Args[1], e.T), g.ind(), g.ind(), g.conv(e.Args[2], e.T), g.ind())
	case ECall:
		f := g.prog.fn(e.Op)
		var as []string
		for i, a := range e.Args {
			if f != nil && i < len(f.Params) {
				as = append(as, g.conv(a, f.Params[i].T))
			} else {
				as = append(as, g.expr(a, 0))
			}
		}
		return e.Op + "(" + strings.Join(as, ", ") + ")"
	case EIndex:
		return g.index(e)
	case ESlice:
		return g.slice(e)
	case EList:
		var as []string
		for _, a := range e.Args {
			as = append(as, g.conv(a, e.T.elem()))
		}
		return g.typ(e.T) + "{" + strings.Join(as, ", ") + "}"
	case ESetLit:
		var as []string
		for _, a := range e.Args {
			as = append(as, g.conv(a, e.T.elem())+": true")
		}
		return g.typ(e.T) + "{" + strings.Join(as, ", ") + "}"
	case EMap:
		var as []string
		for i := 0; i+1 < len(e.Args); i += 2 {
			as = append(as, g.conv(e.Args[i], e.T.key())+": "+g.conv(e.Args[i+1], e.T.elem()))
		}
		return g.typ(e.T) + "{" + strings.Join(as, ", ") + "}"
	case ECast:
		return g.conv(e.Args[0], e.T)
	case ENew:
		return g.newList(e.T, e.Args)
	case EComp:
		return g.comprehension(e)
	case EBuiltin:
		return g.builtin(e, min)
	}
	g.add(e.Line, "expression")
	return "0"
}

func (g *goEmit) ind() string { return strings.Repeat("\t", g.depth) }

func (g *goEmit) paren(s string, e *Expr, min int) string {
	if e.K == EBin || strings.Contains(s, " ") {
		return "(" + s + ")"
	}
	return s
}

func (g *goEmit) literal(e *Expr) string {
	if isNull(e) {
		g.add(e.Line, "null")
		return "nil"
	}
	switch e.T.K {
	case TString:
		return strconv.Quote(e.Op)
	case TChar:
		if e.Op == "" {
			return "0"
		}
		r := []rune(e.Op)[0]
		if r > 127 {
			g.add(e.Line, "non-ASCII character literal")
		}
		return strconv.QuoteRune(r)
	case TFloat:
		return e.Op
	}
	return e.Op
}

func (g *goEmit) newList(t Type, dims []*Expr) string {
	if len(dims) == 0 {
		return g.typ(t) + "{}"
	}
	if len(dims) == 1 {
		return "make(" + g.typ(t) + ", " + g.conv(dims[0], tInt) + ")"
	}
	g.tmp++
	r := fmt.Sprintf("r%d", g.tmp)
	i := fmt.Sprintf("i%d", g.tmp)
	ind := g.ind()
	return fmt.Sprintf("func() %s {\n%s\t%s := make(%s, %s)\n%s\tfor %s := range %s {\n%s\t\t%s[%s] = %s\n%s\t}\n%s\treturn %s\n%s}()",
		g.typ(t), ind, r, g.typ(t), g.conv(dims[0], tInt), ind, i, r, ind, r, i, g.newList(t.elem(), dims[1:]), ind, ind, r, ind)
}

func (g *goEmit) comprehension(e *Expr) string {
	elem, iter, cond := e.Args[0], e.Args[1], e.Args[2]
	g.tmp++
	r := fmt.Sprintf("r%d", g.tmp)
	ind := g.ind()
	var b strings.Builder
	fmt.Fprintf(&b, "func() %s {\n%s\t%s := %s{}\n", g.typ(e.T), ind, r, g.typ(e.T))
	g.depth++
	v := e.Op
	if v == "_" {
		v = fmt.Sprintf("i%d", g.tmp)
	}
	if iter.K == EBuiltin && iter.Op == "range" {
		step := constText(iter.Args[2])
		switch {
		case step == "1":
			fmt.Fprintf(&b, "%s\tfor %s := %s; %s < %s; %s++ {\n", ind, v, g.conv(iter.Args[0], tInt), v, g.conv(iter.Args[1], tInt), v)
		case strings.HasPrefix(step, "-"):
			fmt.Fprintf(&b, "%s\tfor %s := %s; %s > %s; %s += %s {\n", ind, v, g.conv(iter.Args[0], tInt), v, g.conv(iter.Args[1], tInt), v, step)
		case step != "":
			fmt.Fprintf(&b, "%s\tfor %s := %s; %s < %s; %s += %s {\n", ind, v, g.conv(iter.Args[0], tInt), v, g.conv(iter.Args[1], tInt), v, step)
		default:
			g.tmp++
			st := fmt.Sprintf("step%d", g.tmp)
			stop := g.conv(iter.Args[1], tInt)
			fmt.Fprintf(&b, "%s\t%s := %s\n", ind, st, g.conv(iter.Args[2], tInt))
			fmt.Fprintf(&b, "%s\tfor %s := %s; (%s > 0 && %s < %s) || (%s < 0 && %s > %s); %s += %s {\n", ind, v, g.conv(iter.Args[0], tInt),
				st, v, stop, st, v, stop, v, st)
		}
	} else {
		switch iter.T.K {
		case TList:
			fmt.Fprintf(&b, "%s\tfor _, %s := range %s {\n", ind, v, g.expr(iter, 0))
		case TString:
			fmt.Fprintf(&b, "%s\tfor _, %s := range strings.Split(%s, \"\") {\n", ind, v, g.expr(iter, 0))
			g.imports["strings"] = true
		default:
			g.add(e.Line, "comprehension over %s", iter.T)
		}
	}
	g.depth++
	if cond != nil {
		fmt.Fprintf(&b, "%s\tif %s {\n%s\t\t%s = append(%s, %s)\n%s\t}\n", ind, g.cond(cond), ind, r, r, g.conv(elem, e.T.elem()), ind)
	} else {
		fmt.Fprintf(&b, "%s\t\t%s = append(%s, %s)\n", ind, r, r, g.conv(elem, e.T.elem()))
	}
	g.depth -= 2
	fmt.Fprintf(&b, "%s\t}\n%s\treturn %s\n%s}()", ind, ind, r, ind)
	return b.String()
}

// indexText writes the index of a sequence, with Python's negative indices counted from the end:
// a constant one folded, one that may be negative through pyIdx.
func (g *goEmit) indexText(seq string, i *Expr) string {
	if c := constText(i); strings.HasPrefix(c, "-") && g.pyStr {
		return "len(" + seq + ")" + c
	}
	if g.pyStr && !g.nonNeg(i) {
		g.helpers["pyIdx"] = true
		return "pyIdx(" + g.conv(i, tInt) + ", len(" + seq + "))"
	}
	return g.conv(i, tInt)
}

// nonNeg reports an int expression that cannot be negative: constants, lengths, variables only
// ever given such values (nonNegVars), and sums, products and Python modulos of them.
func (g *goEmit) nonNeg(e *Expr) bool {
	switch e.K {
	case ELit:
		return e.T.K == TInt && !strings.HasPrefix(e.Op, "-")
	case EName:
		return g.nonNegVar[e.Op]
	case EBuiltin:
		switch e.Op {
		case "len", "abs", "ord", "count":
			return true
		case "min":
			for _, a := range e.Args {
				if !g.nonNeg(a) {
					return false
				}
			}
			return true
		case "max":
			for _, a := range e.Args {
				if g.nonNeg(a) {
					return true
				}
			}
		}
	case EBin:
		switch e.Op {
		case "+", "*", OpFloorDiv, "&", ">>":
			return g.nonNeg(e.Args[0]) && g.nonNeg(e.Args[1])
		case OpMod:
			return g.nonNeg(e.Args[1])
		}
	}
	return false
}

// nonNegVars finds the int variables of f never given a value that could be negative: loop
// counters of ranges from a non-negative start upwards, and variables assigned only such values
// and only increased. It assumes every candidate is one and removes those that are not until
// nothing changes.
func (g *goEmit) nonNegVars(f *Func) {
	g.nonNegVar = map[string]bool{}
	for v, t := range f.vars {
		if t.K == TInt {
			g.nonNegVar[v] = true
		}
	}
	for _, p := range f.Params {
		delete(g.nonNegVar, p.Name)
	}
	compRange := func(e *Expr) bool { // [... for v in range(start, stop, step)] with step > 0
		if it := e.Args[1]; it != nil && it.K == EBuiltin && it.Op == "range" {
			c := constText(it.Args[2])
			return c != "" && c != "0" && !strings.HasPrefix(c, "-")
		}
		return false
	}
	params := map[string]bool{}
	for _, p := range f.Params {
		params[p.Name] = true
	}
	bad := map[string]bool{}
	walkExprs(f.Body, func(e *Expr) {
		if e.K == EComp {
			if compRange(e) && !params[e.Op] {
				g.nonNegVar[e.Op] = true
			} else {
				bad[e.Op] = true
			}
		}
	})
	for v := range bad {
		delete(g.nonNegVar, v)
	}
	for changed := true; changed; {
		changed = false
		drop := func(v string) {
			if g.nonNegVar[v] {
				delete(g.nonNegVar, v)
				changed = true
			}
		}
		walkStmts(f.Body, func(s *Stmt) {
			switch s.K {
			case SAssign:
				if s.Target.K == EName && (s.Value == nil || !g.nonNeg(s.Value)) {
					drop(s.Target.Op)
				}
			case SAugment:
				if s.Target.K == EName {
					switch s.Op {
					case "+", "*", OpFloorDiv, "&", ">>":
						if !g.nonNeg(s.Value) {
							drop(s.Target.Op)
						}
					case OpMod:
						if !g.nonNeg(s.Value) {
							drop(s.Target.Op)
						}
					default:
						drop(s.Target.Op)
					}
				}
			case SRange:
				if !g.nonNeg(s.Start) {
					drop(s.Var)
				}
				if s.Step != nil {
					if c := constText(s.Step); c == "" || strings.HasPrefix(c, "-") {
						drop(s.Var)
					}
				}
			case SForEach:
				drop(s.Var)
			}
		})
		walkExprs(f.Body, func(e *Expr) {
			if e.K == EComp && compRange(e) && !g.nonNeg(e.Args[1].Args[0]) {
				drop(e.Op)
			}
		})
	}
}

func (g *goEmit) index(e *Expr) string {
	c, i := e.Args[0], e.Args[1]
	switch c.T.K {
	case TList:
		s := g.expr(c, 6)
		return s + "[" + g.indexText(s, i) + "]"
	case TMap:
		return g.expr(c, 6) + "[" + g.conv(i, c.T.key()) + "]"
	case TString:
		if g.pyStr {
			rs := "[]rune(" + g.expr(c, 0) + ")"
			return "string(" + rs + "[" + g.indexText(rs, i) + "])"
		}
		s := g.expr(c, 6)
		return s + "[" + g.indexText(s, i) + "]"
	}
	g.add(e.Line, "indexing a %s", c.T)
	return "0"
}

func (g *goEmit) slice(e *Expr) string {
	c := e.Args[0]
	if c.T.K != TList && c.T.K != TString {
		g.add(e.Line, "slicing a %s", c.T)
		return "nil"
	}
	lo, hi := e.Args[1], e.Args[2]
	if (lo == nil || constText(lo) == "0") && hi == nil {
		if c.T.K == TList {
			return "append(" + g.typ(c.T) + "{}, " + g.expr(c, 0) + "...)" // a copy, as in Python
		}
		return g.expr(c, 0)
	}
	// Python clamps slice bounds to the sequence and counts negative ones from its end.
	los, his := "0", "math.MaxInt"
	if lo != nil {
		los = g.conv(lo, tInt)
	}
	if hi != nil {
		his = g.conv(hi, tInt)
	} else {
		g.imports["math"] = true
	}
	if c.T.K == TString && g.pyStr {
		g.helpers["pySliceStr"] = true
		return "pySliceStr(" + g.expr(c, 0) + ", " + los + ", " + his + ")"
	}
	if c.T.K == TString {
		return g.expr(c, 6) + "[" + los + ":" + strings.Replace(his, "math.MaxInt", "", 1) + "]"
	}
	g.helpers["pySlice"] = true
	return "pySlice(" + g.expr(c, 0) + ", " + los + ", " + his + ")"
}

func (g *goEmit) binary(e *Expr, min int) string {
	l, r := e.Args[0], e.Args[1]
	lt, rt := l.T, r.T
	num := func(x *Expr) string {
		if e.T.K == TFloat || ((lt.K == TFloat || rt.K == TFloat) && isCompare(e.Op)) {
			return g.fside(x, goPrec(e.Op)+1)
		}
		if x.T.K == TChar && (lt.K != rt.K || isArith(e.Op)) {
			if x.K == ELit {
				return g.literal(x)
			}
			return "int(" + g.expr(x, 0) + ")"
		}
		if x.T.K == TBool && isArith(e.Op) {
			return g.conv(x, tInt)
		}
		if x.T.K == TInt && !x.T.Unsigned && x.K != ELit && lt.K == TInt && rt.K == TInt && (lt.Unsigned || rt.Unsigned) && e.Op != "<<" && e.Op != ">>" {
			return "uint(" + g.expr(x, 0) + ")" // C converts to unsigned
		}
		return g.expr(x, goPrec(e.Op)+1)
	}
	p := goPrec(e.Op)
	wrap := func(x *Expr, right bool) string {
		s := num(x)
		if x.K == EBin && !strings.HasPrefix(s, "float64(") && !strings.HasPrefix(s, "int(") {
			xp := goPrec(x.Op)
			if xp < p || (right && xp == p) || helperOp(x) {
				if xp < p || (right && xp == p) {
					s = "(" + s + ")"
				}
			}
		}
		return s
	}
	switch e.Op {
	case ">>>":
		g.add(e.Line, "operator >>> in Go")
		return "0"
	case "&&", "||":
		return paren(g.paren2(g.cond(l), l, p, false)+" "+e.Op+" "+g.paren2(g.cond(r), r, p, true), p, min)
	case "in", "not in":
		s := g.membership(l, r)
		if e.Op == "not in" {
			return "!" + s
		}
		return s
	case OpFloorDiv, OpMod:
		if e.T.K == TFloat {
			g.imports["math"] = true
			if e.Op == OpFloorDiv {
				return "math.Floor(" + g.fdiv(l, r) + ")"
			}
			g.helpers["pyFMod"] = true
			return "pyFMod(" + g.conv(l, tFloat) + ", " + g.conv(r, tFloat) + ")"
		}
		if e.Op == OpFloorDiv {
			g.helpers["pyFloorDiv"] = true
			return "pyFloorDiv(" + g.conv(l, tInt) + ", " + g.conv(r, tInt) + ")"
		}
		g.helpers["pyMod"] = true
		return "pyMod(" + g.conv(l, tInt) + ", " + g.conv(r, tInt) + ")"
	case OpTrueDiv:
		return paren(g.fdiv(l, r), 5, min)
	case "**":
		if e.T.K == TFloat {
			g.imports["math"] = true
			return "math.Pow(" + g.conv(l, tFloat) + ", " + g.conv(r, tFloat) + ")"
		}
		g.helpers["ipow"] = true
		return "ipow(" + g.conv(l, tInt) + ", " + g.conv(r, tInt) + ")"
	case OpRem:
		if e.T.K == TFloat {
			g.imports["math"] = true
			return "math.Mod(" + g.conv(l, tFloat) + ", " + g.conv(r, tFloat) + ")"
		}
	case "*":
		if lt.K == TList || rt.K == TList {
			lst, n := l, r
			if rt.K == TList {
				lst, n = r, l
			}
			if lst.K == EList && len(lst.Args) == 1 && isZero(lst.Args[0]) {
				if nonNeg(n) {
					return "make(" + g.typ(e.T) + ", " + g.conv(n, tInt) + ")"
				}
				return "make(" + g.typ(e.T) + ", max(" + g.conv(n, tInt) + ", 0))" // [0] * -1 is []
			}
			g.helpers["repeatList"] = true
			return "repeatList(" + g.expr(lst, 0) + ", " + g.conv(n, tInt) + ")"
		}
		if lt.K == TString || rt.K == TString {
			g.imports["strings"] = true
			if lt.K == TString {
				return "strings.Repeat(" + g.expr(l, 0) + ", " + g.conv(r, tInt) + ")"
			}
			return "strings.Repeat(" + g.expr(r, 0) + ", " + g.conv(l, tInt) + ")"
		}
	case "+":
		if lt.K == TList {
			return "append(append(" + g.typ(e.T) + "{}, " + g.expr(l, 0) + "...), " + g.expr(r, 0) + "...)"
		}
		if e.T.K == TString {
			return paren(g.conv(l, tString)+" + "+g.conv(r, tString), p, min)
		}
	case "==", "!=":
		if lt.K == TList && rt.K == TList {
			g.imports["slices"] = true
			s := "slices.Equal(" + g.expr(l, 0) + ", " + g.expr(r, 0) + ")"
			if e.Op == "!=" {
				return "!" + s
			}
			return s
		}
		if lt.K == TBool && rt.K != TBool {
			return paren(g.conv(l, tInt)+" "+e.Op+" "+g.expr(r, p+1), p, min)
		}
		if rt.K == TBool && lt.K != TBool {
			return paren(g.expr(l, p+1)+" "+e.Op+" "+g.conv(r, tInt), p, min)
		}
		if (lt.K == TString) != (rt.K == TString) && (lt.K == TChar || rt.K == TChar) {
			return paren(g.conv(l, tString)+" "+e.Op+" "+g.conv(r, tString), p, min)
		}
	case ">>", "<<":
		return paren(wrap(l, false)+" "+e.Op+" "+wrap(r, true), p, min)
	}
	if isArith(e.Op) && e.T.K == TInt && (lt.K == TFloat || rt.K == TFloat) {
		g.add(e.Line, "integer operation on a float")
	}
	return paren(wrap(l, false)+" "+e.Op+" "+wrap(r, true), p, min)
}

// fdiv writes l / r on floats, each side parenthesized where Go's precedence needs it.
func (g *goEmit) fdiv(l, r *Expr) string {
	return g.fside(l, 5) + " / " + g.fside(r, 6)
}

// fside writes x as a float operand of an operator of precedence min: a float expression is
// parenthesized by precedence, anything else converted as a whole (float64(...)).
func (g *goEmit) fside(x *Expr, min int) string {
	if x.T.K == TFloat {
		return g.expr(x, min)
	}
	return g.conv(x, tFloat)
}

func wrapF(s string, e *Expr) string {
	if e.K == EBin && !strings.HasPrefix(s, "float64(") {
		return "(" + s + ")"
	}
	return s
}

func helperOp(e *Expr) bool {
	return e.Op == OpFloorDiv || e.Op == OpMod || e.Op == "**" || e.Op == "in" || e.Op == "not in" || e.Op == OpTrueDiv
}

func (g *goEmit) paren2(s string, e *Expr, p int, right bool) string {
	if e.K == EBin && !helperOp(e) {
		xp := goPrec(e.Op)
		if xp < p || (right && xp == p) {
			return "(" + s + ")"
		}
	}
	return s
}

func isZero(e *Expr) bool {
	if e.K != ELit {
		return false
	}
	switch e.T.K {
	case TInt:
		return e.Op == "0"
	case TFloat:
		return e.Op == "0.0"
	case TBool:
		return e.Op == "false"
	case TString:
		return e.Op == ""
	}
	return false
}

func (g *goEmit) membership(x, c *Expr) string {
	switch c.T.K {
	case TList:
		g.imports["slices"] = true
		return "slices.Contains(" + g.expr(c, 0) + ", " + g.conv(x, c.T.elem()) + ")"
	case TString:
		g.imports["strings"] = true
		return "strings.Contains(" + g.expr(c, 0) + ", " + g.conv(x, tString) + ")"
	case TSet:
		return g.expr(c, 6) + "[" + g.conv(x, c.T.elem()) + "]"
	case TMap:
		g.helpers["hasKey"] = true
		return "hasKey(" + g.expr(c, 0) + ", " + g.conv(x, c.T.key()) + ")"
	}
	g.add(x.Line, "membership in %s", c.T)
	return "false"
}
