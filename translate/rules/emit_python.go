package rules

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// pyEmit writes the IR as Python 3. Truncating division and remainder (C, Java, Go) become _div and
// _rem unless both operands are provably non-negative, where // and % agree with them. A 32-bit int
// of the source wraps (_i32) after * and <<, the operations where small inputs overflow; + and - are
// left unbounded, so a sum that overflows in Java gives the mathematically right value in Python. A
// character is a one-character str: ord() where the source does arithmetic on it, chr() back.
type pyEmit struct {
	gaps
	b       strings.Builder
	imports map[string]bool
	helpers map[string]bool
	fn      *Func
	depth   int
	tmp     int
	prog    *Program
	src     string // source language id
	post    [][]*Stmt
	inSum   int // depth of 32-bit sums being written: only the outermost wraps (_i32)
}

// smallInt reports a small int constant (a character included) or a length: an operand with which a
// sum of Java ints needs 2^31 steps to overflow.
func smallInt(x *Expr) bool {
	switch x.K {
	case ELit:
		if x.T.K == TChar {
			return true
		}
		n, err := strconv.Atoi(x.Op)
		return err == nil && n > -1<<16 && n < 1<<16
	case EBuiltin:
		return x.Op == "len"
	case EUn:
		return x.Op == "-" && smallInt(x.Args[0])
	}
	return false
}

func emitPython(prog *Program, from string) (string, error) {
	e := &pyEmit{imports: map[string]bool{}, helpers: map[string]bool{}, prog: prog, src: from}
	var body strings.Builder
	functions(&body, prog, "\n\n", &e.b, e.function)
	if err := e.err(); err != nil {
		return "", err
	}
	var out strings.Builder
	imps := slices.Sorted(maps.Keys(e.imports))
	for _, i := range imps {
		fmt.Fprintf(&out, "import %s\n", i)
	}
	if len(imps) > 0 {
		out.WriteString("\n\n")
	}
	for _, h := range slices.Sorted(maps.Keys(e.helpers)) {
		out.WriteString(pyHelpers[h])
		out.WriteString("\n\n")
	}
	out.WriteString(body.String())
	// A function renamed because its name is a Python builtin (bin, max, sum) keeps its own name
	// as well where the translation does not call that builtin, so callers find it by either.
	text := out.String()
	for _, f := range prog.Funcs {
		pn := pyName(f.Name)
		if pn == f.Name || pyKeyword[f.Name] {
			continue
		}
		if !regexp.MustCompile(`(^|[^\w.])` + regexp.QuoteMeta(f.Name) + `\(`).MatchString(text) {
			text += "\n\n" + f.Name + " = " + pn + "\n"
		}
	}
	return text, nil
}

// pyKeyword are Python's keywords: names a function cannot be given.
var pyKeyword = map[string]bool{
	"and": true, "or": true, "not": true, "in": true, "is": true, "def": true, "del": true, "elif": true, "except": true,
	"from": true, "global": true, "lambda": true, "None": true, "True": true, "False": true, "nonlocal": true, "pass": true,
	"raise": true, "with": true, "yield": true, "assert": true, "async": true, "await": true, "import": true, "as": true,
	"class": true, "finally": true, "try": true, "if": true, "else": true, "for": true, "while": true, "return": true,
	"break": true, "continue": true,
}

var pyHelpers = map[string]string{
	"_div": `def _div(a, b):
    """Integer division truncating toward zero, as in C, Java and Go."""
    q = abs(a) // abs(b)
    return q if (a < 0) == (b < 0) else -q
`,
	"_rem": `def _rem(a, b):
    """Remainder with the sign of the dividend, as in C, Java and Go."""
    return a - b * _div(a, b)
`,
	"_i32": `def _i32(x):
    """Wraps x to a 32-bit signed integer, as Java's and C's int arithmetic does."""
    return (x + 0x80000000) % 0x100000000 - 0x80000000
`,
	"_i64": `def _i64(x):
    """Wraps x to a 64-bit signed integer."""
    return (x + 0x8000000000000000) % 0x10000000000000000 - 0x8000000000000000
`,
	"_setadd": `def _setadd(s, x):
    """Java's Set.add: adds x and says whether it was absent."""
    if x in s:
        return False
    s.add(x)
    return True
`,
	"_find": `def _find(xs, v):
    """Java's List.indexOf: the first index of v, or -1."""
    for i, x in enumerate(xs):
        if x == v:
            return i
    return -1
`,
	"_rfind": `def _rfind(xs, v):
    """Java's List.lastIndexOf: the last index of v, or -1."""
    for i in range(len(xs) - 1, -1, -1):
        if xs[i] == v:
            return i
    return -1
`,
	"_cmp": `def _cmp(a, b):
    """Java's String.compareTo: the difference of the first differing characters, else of the lengths."""
    for x, y in zip(a, b):
        if x != y:
            return ord(x) - ord(y)
    return len(a) - len(b)
`,
	"_fill": `def _fill(xs, v):
    """Sets every element of a (nested) list to v, as memset and Arrays.fill do."""
    for i in range(len(xs)):
        if isinstance(xs[i], list):
            _fill(xs[i], v)
        else:
            xs[i] = v
`,
}

func (e *pyEmit) line(format string, args ...any) {
	e.b.WriteString(strings.Repeat("    ", e.depth))
	fmt.Fprintf(&e.b, format, args...)
	e.b.WriteString("\n")
}

func (e *pyEmit) function(f *Func) {
	e.fn = f
	var ps []string
	for _, p := range f.Params {
		ps = append(ps, pyName(p.Name))
	}
	e.line("def %s(%s):", pyName(f.Name), strings.Join(ps, ", "))
	e.depth++
	n := e.b.Len()
	e.block(f.Body)
	if e.b.Len() == n {
		e.line("pass")
	}
	e.depth--
}

// pyName renames identifiers that are Python keywords or shadow what the translation uses.
func pyName(n string) string {
	switch n {
	case "and", "or", "not", "in", "is", "def", "del", "elif", "except", "from", "global", "lambda", "None", "True",
		"False", "nonlocal", "pass", "raise", "with", "yield", "assert", "async", "await", "import", "as", "class",
		"finally", "try", "print", "len", "str", "int", "float", "list", "dict", "set", "math", "min", "max",
		"abs", "sum", "ord", "chr", "range", "sorted", "map", "type", "bin", "pow", "round", "id", "input":
		return n + "_"
	}
	return n
}

func (e *pyEmit) block(ss []*Stmt) {
	for _, s := range ss {
		e.stmt(s)
	}
}

func (e *pyEmit) nested(ss []*Stmt) {
	e.depth++
	n := e.b.Len()
	e.block(ss)
	if e.b.Len() == n {
		e.line("pass")
	}
	e.depth--
}

func (e *pyEmit) stmt(s *Stmt) {
	switch s.K {
	case SAssign:
		if s.Value == nil {
			return
		}
		if v := s.Value; v.K == EBuiltin && v.Op == "appendExpr" && s.Target.K == EName && v.Args[0].K == EName && v.Args[0].Op == s.Target.Op {
			e.line("%s.append(%s)", pyName(s.Target.Op), e.conv(v.Args[1], s.Target.T.elem()))
			return
		}
		e.line("%s = %s", e.expr(s.Target, 0), e.conv(s.Value, s.Target.T))
	case SAugment:
		e.augment(s)
	case SExpr:
		e.exprStmt(s.Value)
	case SIf:
		e.line("if %s:", e.cond(s.Cond))
		e.nested(s.Body)
		for len(s.Else) == 1 && s.Else[0].K == SIf {
			s = s.Else[0]
			e.line("elif %s:", e.cond(s.Cond))
			e.nested(s.Body)
		}
		if len(s.Else) > 0 {
			e.line("else:")
			e.nested(s.Else)
		}
	case SWhile:
		e.line("while %s:", e.cond(s.Cond))
		e.loopBody(s.Body, nil)
	case SDoWhile:
		if hasContinue(s.Body) {
			e.add(s.Line, "continue inside do ... while")
		}
		e.line("while True:")
		e.depth++
		e.block(s.Body)
		e.line("if not (%s):", e.cond(s.Cond))
		e.line("    break")
		e.depth--
	case SFor:
		e.forStmt(s)
	case SRange:
		e.line("for %s in range(%s):", pyName(s.Var), e.rangeArgs(s.Start, s.Stop, s.Step))
		e.loopBody(s.Body, nil)
	case SForEach:
		v := e.expr(s.Value, 0)
		switch s.Value.T.K {
		case TMap:
			if e.src == "java" || e.src == "cpp" || e.src == "go" {
				v = "sorted(" + v + ")" // HashMap and std::map over small ints iterate in key order
			}
		case TSet:
			v = "sorted(" + v + ")"
		}
		e.line("for %s in %s:", pyName(s.Var), v)
		e.loopBody(s.Body, nil)
	case SReturn:
		if s.Value == nil {
			e.line("return")
			return
		}
		e.line("return %s", e.conv(s.Value, e.fn.Result))
	case SBreak:
		e.line("break")
	case SContinue:
		if len(e.post) > 0 && e.post[len(e.post)-1] != nil {
			for _, p := range e.post[len(e.post)-1] {
				e.stmt(p)
			}
		}
		e.line("continue")
	}
}

// loopBody writes a loop's body; post, when set, runs before every continue (a C for loop written
// as while).
func (e *pyEmit) loopBody(body, post []*Stmt) {
	e.post = append(e.post, post)
	e.depth++
	n := e.b.Len()
	e.block(body)
	if post != nil {
		// The update runs after the body unless the body always leaves the iteration itself.
		if len(body) == 0 || (body[len(body)-1].K != SContinue && body[len(body)-1].K != SReturn && body[len(body)-1].K != SBreak) {
			e.post = e.post[:len(e.post)-1]
			e.post = append(e.post, nil)
			e.block(post)
		}
	}
	if e.b.Len() == n {
		e.line("pass")
	}
	e.depth--
	e.post = e.post[:len(e.post)-1]
}

func (e *pyEmit) rangeArgs(start, stop, step *Expr) string {
	a, b := e.conv(start, tInt), e.conv(stop, tInt)
	if step == nil || constText(step) == "1" {
		if a == "0" {
			return b
		}
		return a + ", " + b
	}
	return a + ", " + b + ", " + e.conv(step, tInt)
}

// forStmt writes a C-style for: as a range where it is one (an int counter stepping by a constant to
// a bound the body does not change), as a while loop otherwise.
func (e *pyEmit) forStmt(s *Stmt) {
	if r := e.asRange(s); r != "" {
		e.line("%s", r)
		e.loopBody(s.Body, nil)
		return
	}
	for _, st := range s.Init {
		e.stmt(st)
	}
	cond := "True"
	if s.Cond != nil {
		cond = e.cond(s.Cond)
	}
	e.line("while %s:", cond)
	post := s.Post
	if post == nil {
		post = []*Stmt{}
	}
	e.loopBody(s.Body, post)
}

func (e *pyEmit) asRange(s *Stmt) string {
	if len(s.Init) != 1 || len(s.Post) != 1 || s.Cond == nil || s.Cond.K != EBin {
		return ""
	}
	in, post := s.Init[0], s.Post[0]
	if in.K != SAssign || in.Target.K != EName || in.Value == nil || in.Target.T.K != TInt {
		return ""
	}
	v := in.Target.Op
	if post.K != SAugment || post.Target.K != EName || post.Target.Op != v || (post.Op != "+" && post.Op != "-") {
		return ""
	}
	step := constText(post.Value)
	n, err := strconv.Atoi(step)
	if err != nil || n == 0 {
		return ""
	}
	if post.Op == "-" {
		n = -n
	}
	c := s.Cond
	l, r, op := c.Args[0], c.Args[1], c.Op
	if r.K == EName && r.Op == v { // n > i
		l, r = r, l
		op = map[string]string{"<": ">", "<=": ">=", ">": "<", ">=": "<=", "!=": "!="}[op]
	}
	if l.K != EName || l.Op != v || mentionsAny(r, map[string]bool{v: true}) {
		return ""
	}
	if assigns(s.Body, v) || mentionsAssigned(r, s.Body) || !pure(r) {
		return ""
	}
	if !in.Decl && e.readAfter(s, v) {
		return ""
	}
	stop := e.conv(r, tInt)
	switch {
	case n > 0 && op == "<":
	case n > 0 && op == "<=":
		stop = e.plusOne(r, 1)
	case n < 0 && op == ">":
	case n < 0 && op == ">=":
		stop = e.plusOne(r, -1)
	default:
		return ""
	}
	start := e.conv(in.Value, tInt)
	var args string
	switch {
	case n == 1 && start == "0":
		args = stop
	case n == 1:
		args = start + ", " + stop
	default:
		args = fmt.Sprintf("%s, %s, %d", start, stop, n)
	}
	return fmt.Sprintf("for %s in range(%s):", pyName(v), args)
}

// plusOne writes r + d, folding constants.
func (e *pyEmit) plusOne(r *Expr, d int) string {
	if c := constText(r); c != "" {
		if n, err := strconv.Atoi(c); err == nil {
			return strconv.Itoa(n + d)
		}
	}
	if r.K == EBin && (r.Op == "-" || r.Op == "+") {
		if c := constText(r.Args[1]); c != "" {
			n, _ := strconv.Atoi(c)
			if r.Op == "-" {
				n = -n
			}
			n += d
			switch {
			case n == 0:
				return e.expr(r.Args[0], 0)
			case n > 0:
				return e.expr(r.Args[0], 9) + " + " + strconv.Itoa(n)
			default:
				return e.expr(r.Args[0], 9) + " - " + strconv.Itoa(-n)
			}
		}
	}
	if d > 0 {
		return e.expr(r, 9) + " + 1"
	}
	return e.expr(r, 9) + " - 1"
}

// pure reports whether evaluating e has no effect and calls nothing of the file.
func pure(e *Expr) bool {
	if e == nil {
		return true
	}
	if e.K == ECall {
		return false
	}
	for _, a := range e.Args {
		if !pure(a) {
			return false
		}
	}
	return true
}

// readAfter reports whether v is read anywhere in the function outside loop s.
func (e *pyEmit) readAfter(s *Stmt, v string) bool {
	found := false
	var visit func(ss []*Stmt)
	visit = func(ss []*Stmt) {
		for _, x := range ss {
			if x == s || x == nil {
				continue
			}
			for _, ex := range []*Expr{x.Value, x.Cond, x.Start, x.Stop, x.Step} {
				if mentionsAny(ex, map[string]bool{v: true}) {
					found = true
				}
			}
			if x.Target != nil && (x.K == SAugment || x.Target.K != EName) && mentionsAny(x.Target, map[string]bool{v: true}) {
				found = true
			}
			visit(x.Init)
			visit(x.Post)
			visit(x.Body)
			visit(x.Else)
		}
	}
	visit(e.fn.Body)
	return found
}

func (e *pyEmit) augment(s *Stmt) {
	tt, vt := s.Target.T, s.Value.T
	t := e.expr(s.Target, 0)
	if tt.K == TChar {
		v := &Expr{K: EBin, Op: s.Op, Args: []*Expr{s.Target, s.Value}, T: Type{K: TInt, Bits: 32}, Line: s.Line}
		e.line("%s = chr(%s)", t, e.expr(v, 0))
		return
	}
	if tt.K == TString {
		if s.Op == "+" {
			e.line("%s += %s", t, e.strPart(s.Value))
			return
		}
	}
	switch s.Op {
	case "+", "-", "&", "|", "^", ">>", OpFloorDiv, OpMod:
		if tt.K == TInt && vt.K == TFloat {
			break // Java: i += 0.5 stays an int
		}
		if tt.K == TInt && tt.Bits != 0 && (s.Op == "+" || s.Op == "-") && hasMul(s.Value) {
			break // res += a * b wraps as a whole
		}
		if tt.K == TInt && tt.Bits == 32 && (s.Op == "+" || s.Op == "-") && (vt.K == TInt || vt.K == TChar) && !smallInt(s.Value) {
			break // sum += x wraps
		}
		op := s.Op
		if op == OpMod {
			op = "%"
		}
		e.line("%s %s= %s", t, op, e.conv(s.Value, tt))
		return
	case "*", "<<":
		if tt.K == TInt && tt.Bits == 0 || tt.K == TFloat {
			e.line("%s %s= %s", t, s.Op, e.expr(s.Value, 0))
			return
		}
	case OpTruncDiv, OpRem:
		if tt.K == TFloat {
			if s.Op == OpTruncDiv {
				e.line("%s /= %s", t, e.expr(s.Value, 0))
				return
			}
		}
	}
	v := &Expr{K: EBin, Op: s.Op, Args: []*Expr{s.Target, s.Value}, Line: s.Line}
	v.T = (&inferer{charIndex: true}).arith(s.Op, tt, vt)
	e.line("%s = %s", t, e.conv(v, tt))
}

func (e *pyEmit) exprStmt(x *Expr) {
	switch x.K {
	case ECall, EBuiltin:
		if x.K == EBuiltin {
			switch x.Op {
			case "concat":
				e.line("%s += %s", e.expr(x.Args[0], 0), e.conv(x.Args[1], tString))
				return
			case "fillAll":
				if x.Args[0].T.elem().K != TList {
					a := e.expr(x.Args[0], 0)
					e.line("%s[:] = [%s] * len(%s)", a, e.conv(x.Args[1], x.Args[0].T.elem()), a)
					return
				}
				e.helpers["_fill"] = true
				e.line("_fill(%s, %s)", e.expr(x.Args[0], 0), e.expr(x.Args[1], 0))
				return
			case "fillN":
				a, n := e.expr(x.Args[0], 0), e.expr(x.Args[1], 9)
				e.line("%s[:%s] = [%s] * %s", a, n, e.conv(x.Args[2], x.Args[0].T.elem()), n)
				return
			case "sortRange", "reverseRange":
				a, lo, hi := e.expr(x.Args[0], 0), e.expr(x.Args[1], 0), e.expr(x.Args[2], 0)
				f := "sorted"
				if x.Op == "reverseRange" {
					f = "list(reversed"
					e.line("%s[%s:%s] = %s(%s[%s:%s]))", a, lo, hi, f, a, lo, hi)
					return
				}
				e.line("%s[%s:%s] = %s(%s[%s:%s])", a, lo, hi, f, a, lo, hi)
				return
			}
		}
		e.line("%s", e.expr(x, 0))
		return
	}
	if x.K == ELit {
		return
	}
	e.add(x.Line, "expression statement")
}

// cond writes a condition; Python's truthiness agrees with C's for numbers.
func (e *pyEmit) cond(x *Expr) string { return e.expr(x, 0) }

// conv writes x as a value of type want.
func (e *pyEmit) conv(x *Expr, want Type) string {
	if isNull(x) {
		return "None"
	}
	have := x.T
	switch {
	case want.K == TChar && (have.K == TInt):
		if x.K == ELit {
			n, _ := strconv.Atoi(x.Op)
			return strconv.Quote(string(rune(n)))
		}
		return "chr(" + e.expr(x, 0) + ")"
	case want.K == TInt && have.K == TChar:
		return e.ord(x)
	case want.K == TInt && want.Bits == 32 && have.K == TInt && have.Bits == 64 && x.K == ECast:
		e.helpers["_i32"] = true
		return "_i32(" + e.expr(x, 0) + ")"
	case want.K == TFloat && have.K == TInt:
		if x.K == ELit {
			return x.Op + ".0"
		}
		return "float(" + e.expr(x, 0) + ")"
	case want.K == TInt && have.K == TFloat:
		return "int(" + e.expr(x, 0) + ")"
	case want.K == TString && have.K == TChar:
		return e.expr(x, 0)
	}
	return e.expr(x, 0)
}

func (e *pyEmit) ord(x *Expr) string {
	if x.T.K != TChar {
		return e.expr(x, 12)
	}
	return "ord(" + e.expr(x, 0) + ")"
}

func pyPrec(op string) int {
	switch op {
	case "||":
		return 1
	case "&&":
		return 2
	case "==", "!=", "<", "<=", ">", ">=", "in", "not in":
		return 4
	case "|":
		return 5
	case "^":
		return 6
	case "&":
		return 7
	case "<<", ">>":
		return 8
	case "+", "-":
		return 9
	case "*", OpTruncDiv, OpFloorDiv, OpRem, OpMod, OpTrueDiv:
		return 10
	case "**":
		return 12
	}
	return 13
}

func (e *pyEmit) literal(x *Expr) string {
	if isNull(x) {
		return "None"
	}
	switch x.T.K {
	case TString, TChar:
		return strconv.Quote(x.Op)
	case TBool:
		if x.Op == "true" {
			return "True"
		}
		return "False"
	}
	return x.Op
}

func (e *pyEmit) expr(x *Expr, min int) string {
	if !(x.K == EBin && (x.Op == "+" || x.Op == "-")) {
		saved := e.inSum
		e.inSum = 0 // a sum inside anything else but a sum wraps on its own
		defer func() { e.inSum = saved }()
	}
	s, p := e.exprP(x)
	if p < min {
		return "(" + s + ")"
	}
	return s
}

// exprP writes x and gives its precedence.
func (e *pyEmit) exprP(x *Expr) (string, int) {
	switch x.K {
	case ELit:
		if x.T.K == TInt && strings.HasPrefix(x.Op, "-") {
			return x.Op, 11
		}
		return e.literal(x), 13
	case EName:
		return pyName(x.Op), 13
	case EUn:
		a := x.Args[0]
		switch x.Op {
		case "!":
			return "not " + e.expr(a, 3), 3
		case "-":
			if x.T.K == TInt && x.T.Bits == 32 && constText(a) == "" {
				// -INT_MIN stays INT_MIN in Java; not worth a helper call everywhere.
			}
			return "-" + e.exprOrd(a, 11), 11
		case "~":
			return "~" + e.exprOrd(a, 11), 11
		}
		return e.expr(a, 11), 11
	case EBin:
		return e.binary(x)
	case ECond:
		return e.expr(x.Args[1], 1) + " if " + e.cond(x.Args[0]) + " else " + e.conv(x.Args[2], x.Args[1].T), 0
	case ECall:
		f := e.prog.fn(x.Op)
		var as []string
		for i, a := range x.Args {
			if f != nil && i < len(f.Params) {
				as = append(as, e.conv(a, f.Params[i].T))
			} else {
				as = append(as, e.expr(a, 0))
			}
		}
		return pyName(x.Op) + "(" + strings.Join(as, ", ") + ")", 13
	case EIndex:
		c, i := x.Args[0], x.Args[1]
		if c.T.K == TMap {
			return e.expr(c, 13) + "[" + e.conv(i, c.T.key()) + "]", 13
		}
		return e.expr(c, 13) + "[" + e.conv(i, tInt) + "]", 13
	case ESlice:
		lo, hi := "", ""
		if x.Args[1] != nil {
			lo = e.expr(x.Args[1], 0)
		}
		if x.Args[2] != nil {
			hi = e.expr(x.Args[2], 0)
		}
		return e.expr(x.Args[0], 13) + "[" + lo + ":" + hi + "]", 13
	case EList:
		var as []string
		for _, a := range x.Args {
			as = append(as, e.conv(a, x.T.elem()))
		}
		return "[" + strings.Join(as, ", ") + "]", 13
	case ESetLit:
		if len(x.Args) == 0 {
			return "set()", 13
		}
		var as []string
		for _, a := range x.Args {
			as = append(as, e.expr(a, 0))
		}
		return "{" + strings.Join(as, ", ") + "}", 13
	case EMap:
		var as []string
		for i := 0; i+1 < len(x.Args); i += 2 {
			as = append(as, e.expr(x.Args[i], 0)+": "+e.expr(x.Args[i+1], 0))
		}
		return "{" + strings.Join(as, ", ") + "}", 13
	case ECast:
		return e.cast(x)
	case ENew:
		return e.newList(x.T, x.Args), 13
	case EComp:
		return e.comprehension(x), 13
	case EBuiltin:
		return e.builtin(x)
	}
	e.add(x.Line, "expression")
	return "0", 13
}

// exprOrd writes x as a number: a character becomes its code.
func (e *pyEmit) exprOrd(x *Expr, min int) string {
	if x.T.K == TChar {
		if x.K == ELit {
			return strconv.Itoa(int([]rune(x.Op)[0]))
		}
		return "ord(" + e.expr(x, 0) + ")"
	}
	if x.T.K == TBool {
		return "int(" + e.expr(x, 0) + ")"
	}
	return e.expr(x, min)
}

func (e *pyEmit) cast(x *Expr) (string, int) {
	a := x.Args[0]
	switch x.T.K {
	case TInt:
		switch a.T.K {
		case TChar:
			return e.ord(a), 13
		case TFloat:
			return "int(" + e.expr(a, 0) + ")", 13
		case TBool:
			return "int(" + e.expr(a, 0) + ")", 13
		case TInt:
			if x.T.Bits == 32 && a.T.Bits == 64 {
				e.helpers["_i32"] = true
				return "_i32(" + e.expr(a, 0) + ")", 13
			}
			return e.exprP(a)
		}
	case TFloat:
		if a.T.K == TFloat {
			return e.exprP(a)
		}
		return "float(" + e.exprOrd(a, 0) + ")", 13
	case TChar:
		if a.T.K == TChar {
			return e.exprP(a)
		}
		if a.K == ELit && a.T.K == TInt {
			n, _ := strconv.Atoi(a.Op)
			return strconv.Quote(string(rune(n))), 13
		}
		return "chr(" + e.expr(a, 0) + ")", 13
	case TString:
		if a.T.K == TInt {
			return "chr(" + e.expr(a, 0) + ")", 13
		}
		if a.T.K == TList && (a.T.elem().K == TChar || a.T.elem().K == TString) {
			return "''.join(" + e.expr(a, 0) + ")", 13 // new String(chars)
		}
		return e.conv(a, tString), 13
	case TBool:
		return "bool(" + e.expr(a, 0) + ")", 13
	case TList:
		if a.T.K == TString {
			return "list(" + e.expr(a, 0) + ")", 13
		}
	}
	e.add(x.Line, "cast to %s", x.T)
	return "0", 13
}

func pyZero(t Type) string {
	switch t.K {
	case TFloat:
		return "0.0"
	case TBool:
		return "False"
	case TString:
		return `""`
	case TChar:
		return `"\x00"`
	}
	return "0"
}

func (e *pyEmit) newList(t Type, dims []*Expr) string {
	if len(dims) == 0 {
		return "[]"
	}
	if len(dims) == 1 {
		return "[" + pyZero(t.elem()) + "] * " + e.expr(dims[0], 10)
	}
	return "[" + e.newList(t.elem(), dims[1:]) + " for _ in range(" + e.expr(dims[0], 0) + ")]"
}

func (e *pyEmit) comprehension(x *Expr) string {
	elem, iter, cond := x.Args[0], x.Args[1], x.Args[2]
	var it string
	if iter.K == EBuiltin && iter.Op == "range" {
		it = "range(" + e.rangeArgs(iter.Args[0], iter.Args[1], iter.Args[2]) + ")"
	} else {
		it = e.expr(iter, 0)
	}
	s := "[" + e.expr(elem, 0) + " for " + pyName(x.Op) + " in " + it
	if cond != nil {
		s += " if " + e.cond(cond)
	}
	return s + "]"
}

// nonNeg reports whether an int expression is provably >= 0.
func nonNeg(x *Expr) bool {
	switch x.K {
	case ELit:
		return !strings.HasPrefix(x.Op, "-")
	case EBuiltin:
		return x.Op == "len"
	case EBin:
		switch x.Op {
		case "+", "*", OpTruncDiv, OpRem, "&", ">>":
			return nonNeg(x.Args[0]) && nonNeg(x.Args[1])
		}
	}
	return false
}

func (e *pyEmit) binary(x *Expr) (string, int) {
	l, r := x.Args[0], x.Args[1]
	lt, rt := l.T, r.T
	p := pyPrec(x.Op)
	bothInt := (lt.K == TInt || lt.K == TChar || lt.K == TBool) && (rt.K == TInt || rt.K == TChar || rt.K == TBool)
	side := func(a *Expr, right bool) string {
		q := p + 1
		if !right {
			q = p
		}
		if x.Op == "**" {
			q = 13 // -2 ** 2 and nested powers: parenthesise
		}
		if isArith(x.Op) || ((lt.K == TChar) != (rt.K == TChar) && isCompare(x.Op)) {
			return e.exprOrd(a, q)
		}
		return e.expr(a, q)
	}
	std := func(op string) (string, int) {
		return side(l, false) + " " + op + " " + side(r, true), p
	}
	wrap := func(s string) (string, int) {
		switch {
		case x.T.K == TInt && x.T.Bits == 32:
			e.helpers["_i32"] = true
			return "_i32(" + s + ")", 13
		case x.T.K == TInt && x.T.Bits == 64:
			e.helpers["_i64"] = true
			return "_i64(" + s + ")", 13
		}
		return s, p
	}
	switch x.Op {
	case "&&":
		return e.expr(l, 2) + " and " + e.expr(r, 3), 2
	case "||":
		return e.expr(l, 1) + " or " + e.expr(r, 2), 1
	case "in", "not in":
		return e.expr(l, 5) + " " + x.Op + " " + e.expr(r, 5), 4
	case "+", "-":
		if x.T.K == TString && x.Op == "+" {
			return e.strPart(l) + " + " + e.strPart(r), 9
		}
		if lt.K == TList {
			return std(x.Op)
		}
		// A sum with a wrapped product wraps too: Java's int arithmetic is modulo 2^32 throughout.
		if bothInt && x.T.Bits != 0 && (hasMul(l) || hasMul(r)) {
			s, _ := std(x.Op)
			return wrap(s)
		}
		// So does a sum of two 32-bit values neither of which is a small constant or a length
		// (a + b overflows where i + 1 would take 2^31 steps to); the outermost of nested sums
		// wraps once, which is the same modulo 2^32.
		if bothInt && x.T.K == TInt && x.T.Bits == 32 && !smallInt(l) && !smallInt(r) {
			outer := e.inSum == 0
			e.inSum++
			s, q := std(x.Op)
			e.inSum--
			if outer {
				return wrap(s)
			}
			return s, q
		}
	case "*":
		if bothInt {
			s, _ := std("*")
			return wrap(s)
		}
	case "<<":
		s, _ := std("<<")
		return wrap(s)
	case ">>>":
		// Java's unsigned shift: the operand's bits read as unsigned, the count taken modulo the width.
		mod, mask := "0x100000000", "31"
		if x.T.Bits == 64 {
			mod, mask = "0x10000000000000000", "63"
		}
		cnt := e.exprOrd(r, 8)
		if c, err := strconv.Atoi(constText(r)); err != nil || c < 0 || c > 31 {
			cnt = "(" + e.exprOrd(r, 7) + " & " + mask + ")"
		}
		s := "(" + e.exprOrd(l, 10) + " % " + mod + ") >> " + cnt
		if x.T.Bits == 64 {
			e.helpers["_i64"] = true
			return "_i64(" + s + ")", 13
		}
		e.helpers["_i32"] = true
		return "_i32(" + s + ")", 13
	case OpTruncDiv:
		if x.T.K == TFloat || !bothInt {
			return std("/")
		}
		if nonNeg(l) && nonNeg(r) {
			return std("//")
		}
		e.helpers["_div"] = true
		return "_div(" + e.exprOrd(l, 0) + ", " + e.exprOrd(r, 0) + ")", 13
	case OpRem:
		if x.T.K == TFloat || !bothInt {
			e.imports["math"] = true
			return "math.fmod(" + e.expr(l, 0) + ", " + e.expr(r, 0) + ")", 13
		}
		if nonNeg(l) && nonNeg(r) {
			return std("%")
		}
		e.helpers["_div"] = true
		e.helpers["_rem"] = true
		return "_rem(" + e.exprOrd(l, 0) + ", " + e.exprOrd(r, 0) + ")", 13
	case OpFloorDiv:
		return std("//")
	case OpMod:
		return std("%")
	case OpTrueDiv:
		return std("/")
	case "==", "!=":
		if lt.K == TChar && rt.K == TString || lt.K == TString && rt.K == TChar {
			return e.expr(l, 5) + " " + x.Op + " " + e.expr(r, 5), 4
		}
	}
	return std(x.Op)
}

// hasMul reports a multiplication or left shift in an arithmetic chain.
func hasMul(x *Expr) bool {
	if x.K != EBin {
		return false
	}
	switch x.Op {
	case "*", "<<":
		return true
	case "+", "-":
		return hasMul(x.Args[0]) || hasMul(x.Args[1])
	}
	return false
}

// strPart writes one operand of a string concatenation (Java "n=" + n).
func (e *pyEmit) strPart(x *Expr) string {
	switch x.T.K {
	case TString, TChar:
		return e.expr(x, 10)
	case TBool:
		return "str(" + e.expr(x, 0) + ").lower()"
	}
	return "str(" + e.expr(x, 0) + ")"
}

func (e *pyEmit) builtin(x *Expr) (string, int) {
	a := func(i int) string { return e.expr(x.Args[i], 0) }
	t := func(i int) Type { return x.Args[i].T }
	n := len(x.Args)
	math := func(f string) (string, int) {
		e.imports["math"] = true
		var as []string
		for i := range x.Args {
			as = append(as, e.exprOrd(x.Args[i], 0))
		}
		return "math." + f + "(" + strings.Join(as, ", ") + ")", 13
	}
	call := func(f string) (string, int) {
		var as []string
		for i := range x.Args {
			as = append(as, e.expr(x.Args[i], 0))
		}
		return f + "(" + strings.Join(as, ", ") + ")", 13
	}
	method := func(m string) (string, int) {
		var as []string
		for i := 1; i < n; i++ {
			as = append(as, e.expr(x.Args[i], 0))
		}
		return e.expr(x.Args[0], 13) + "." + m + "(" + strings.Join(as, ", ") + ")", 13
	}
	switch x.Op {
	case "print":
		args := ""
		if n > 2 {
			args = e.strPart(x.Args[2])
		}
		if constText(x.Args[1]) == "" && x.Args[1].K == ELit && x.Args[1].Op == "\n" {
			return "print(" + args + ")", 13
		}
		if args != "" {
			args += ", "
		}
		return "print(" + args + "end=" + e.expr(x.Args[1], 0) + ")", 13
	case "sortCmp":
		// A comparator: the outer EComp binds the first parameter, the inner one the second.
		e.imports["functools"] = true
		outer := x.Args[1]
		inner := outer.Args[0]
		return e.expr(x.Args[0], 13) + ".sort(key=functools.cmp_to_key(lambda " + pyName(outer.Op) + ", " + pyName(inner.Op) + ": " +
			e.conv(inner.Args[0], Type{K: TInt, Bits: 32}) + "))", 13
	case "copyOfJava", "copyOfRangeJava":
		// Arrays.copyOf(a, n), copyOfRange(a, lo, hi): a copy padded with zeros past a's end.
		var z string
		switch t(0).elem().K {
		case TInt:
			z = "0"
		case TFloat:
			z = "0.0"
		case TBool:
			z = "False"
		case TChar:
			z = `"\x00"`
		default:
			e.add(x.Line, "Arrays.%s of %s", strings.TrimSuffix(x.Op, "Java"), t(0))
			return "None", 13
		}
		lo, hi := "0", a(1)
		if x.Op == "copyOfRangeJava" {
			lo, hi = a(1), a(2)
		}
		arr := e.expr(x.Args[0], 13)
		return "(" + arr + "[" + lo + ":" + hi + "] + [" + z + "] * max(0, " + e.expr(x.Args[len(x.Args)-1], 9) + " - max(len(" + arr + "), " + lo + ")))", 13
	case "jformat":
		// The specs of the format are those Java and Python read alike (javaFormat); a bool
		// prints as Java's true, a negative %x as its 32 or 64 bits.
		specs := regexp.MustCompile(`%-?0?[0-9]*(\.[0-9]+)?[dsfcx]`).FindAllString(x.Args[0].Op, -1)
		if len(specs) != n-1 {
			e.add(x.Line, "format with %d specs and %d arguments", len(specs), n-1)
			return `""`, 13
		}
		var as []string
		for i, sp := range specs {
			arg := x.Args[i+1]
			v := e.expr(arg, 0)
			switch c := sp[len(sp)-1]; {
			case arg.T.K == TBool && c == 's':
				v = "str(" + v + ").lower()"
			case arg.T.K == TFloat && c == 's', arg.T.K == TFloat && (c == 'd' || c == 'x' || c == 'c'),
				arg.T.K != TFloat && arg.T.K != TInt && arg.T.K != TChar && c == 'f':
				e.add(x.Line, "format %s of a %s", sp, arg.T)
			case c == 'x' && arg.T.K == TInt:
				if arg.T.Bits == 64 {
					v = "(" + e.expr(arg, 7) + " & 0xFFFFFFFFFFFFFFFF)"
				} else {
					v = "(" + e.expr(arg, 7) + " & 0xFFFFFFFF)"
				}
			case c == 'd' && arg.T.K == TChar:
				e.add(x.Line, "format %%d of a char")
			}
			as = append(as, v)
		}
		return e.literal(x.Args[0]) + " % (" + strings.Join(as, ", ") + ",)", 10
	case "jbin":
		return "bin(" + e.exprOrd(x.Args[0], 10) + " % 0x100000000)[2:]", 13
	case "jbin64":
		return "bin(" + e.exprOrd(x.Args[0], 10) + " % 0x10000000000000000)[2:]", 13
	case "numval":
		return "int(" + a(0) + ", 36)", 13
	case "heappush", "heappop":
		e.imports["heapq"] = true
		return call("heapq." + x.Op)
	case "setaddBool":
		e.helpers["_setadd"] = true
		return call("_setadd")
	case "compareTo":
		switch {
		case t(0).K == TString && t(1).K == TString:
			e.helpers["_cmp"] = true
			return call("_cmp")
		case t(0).K == TInt && t(1).K == TInt, t(0).K == TChar && t(1).K == TChar:
			l, r := e.exprOrd(x.Args[0], 9), e.exprOrd(x.Args[1], 9)
			return "((" + l + " > " + r + ") - (" + l + " < " + r + "))", 13
		}
	case "len":
		return call("len")
	case "min", "max":
		if x.T.K == TChar {
			return call(x.Op)
		}
		var as []string
		for i := range x.Args {
			as = append(as, e.conv(x.Args[i], x.T))
		}
		return x.Op + "(" + strings.Join(as, ", ") + ")", 13
	case "minOf", "maxOf":
		return strings.TrimSuffix(x.Op, "Of") + "(" + a(0) + ")", 13
	case "abs":
		return "abs(" + e.exprOrd(x.Args[0], 0) + ")", 13
	case "fabs":
		return math("fabs")
	case "sqrt", "log", "log10", "log2", "exp", "sin", "cos", "tan", "atan", "atan2", "hypot", "asin", "acos":
		return math(x.Op)
	case "cbrt":
		return "(" + e.exprOrd(x.Args[0], 0) + ") ** (1 / 3)", 13
	case "fpow":
		return math("pow")
	case "floor", "ceil":
		s, _ := math(x.Op)
		return "float(" + s + ")", 13
	case "ifloor", "iceil":
		return math(x.Op[1:])
	case "jround":
		e.imports["math"] = true
		return "math.floor(" + e.expr(x.Args[0], 9) + " + 0.5)", 13
	case "gcd":
		return math("gcd")
	case "pow":
		return call("pow")
	case "floorMod":
		return e.expr(x.Args[0], 10) + " % " + e.expr(x.Args[1], 11), 10
	case "floorDiv":
		return e.expr(x.Args[0], 10) + " // " + e.expr(x.Args[1], 11), 10
	case "bitCount":
		return "bin(" + e.expr(x.Args[0], 7) + " & 0xFFFFFFFF).count(\"1\")", 13
	case "int":
		if t(0).K == TChar {
			return e.ord(x.Args[0]), 13
		}
		return call("int")
	case "float":
		return call("float")
	case "str":
		switch t(0).K {
		case TString, TChar:
			return e.exprP(x.Args[0])
		case TBool:
			return "str(" + a(0) + ").lower()", 13
		}
		return call("str")
	case "upper", "lower", "strip":
		return method(x.Op)
	case "isdigit", "isalpha", "isupper", "islower", "isalnum", "isspace":
		return method(x.Op)
	case "charAt":
		return e.expr(x.Args[0], 13) + "[" + e.conv(x.Args[1], tInt) + "]", 13
	case "substring":
		if n == 2 {
			return e.expr(x.Args[0], 13) + "[" + a(1) + ":]", 13
		}
		return e.expr(x.Args[0], 13) + "[" + a(1) + ":" + a(2) + "]", 13
	case "equals":
		return e.expr(x.Args[0], 5) + " == " + e.expr(x.Args[1], 5), 4
	case "find", "rfind":
		if t(0).K == TString {
			return method(x.Op)
		}
		if t(0).K == TList && n == 2 {
			// List.indexOf, lastIndexOf: -1 when absent.
			e.helpers["_"+x.Op] = true
			return call("_" + x.Op)
		}
		e.add(x.Line, "%s on a %s", x.Op, t(0))
	case "contains", "containsKey":
		return e.expr(x.Args[1], 5) + " in " + e.expr(x.Args[0], 5), 4
	case "mapget":
		return method("get")
	case "isEmpty":
		return "len(" + a(0) + ") == 0", 4
	case "startswith", "endswith", "replace":
		return method(x.Op)
	case "split":
		return method("split")
	case "chars":
		return "list(" + a(0) + ")", 13
	case "keys":
		return "list(" + a(0) + ".keys())", 13
	case "values":
		return "list(" + a(0) + ".values())", 13
	case "append":
		return method("append")
	case "setadd":
		return method("add")
	case "insert":
		return method("insert")
	case "pop":
		return method("pop")
	case "popAtJava":
		return method("pop")
	case "remove":
		switch t(0).K {
		case TSet:
			return method("discard")
		case TMap:
			return e.expr(x.Args[0], 13) + ".pop(" + a(1) + ", None)", 13
		}
		return method("remove")
	case "clear":
		return method("clear")
	case "sort":
		return method("sort")
	case "reverse":
		return method("reverse")
	case "copy":
		return "list(" + a(0) + ")", 13
	case "set":
		if n == 1 {
			return "set(" + a(0) + ")", 13
		}
	case "revslice":
		return e.expr(x.Args[0], 13) + "[::-1]", 13
	case "rangeLen":
		switch t(0).K {
		case TInt:
			return e.exprP(x.Args[0])
		case TList, TString:
			return call("len")
		}
	case "appendExpr":
		return e.expr(x.Args[0], 9) + " + [" + e.conv(x.Args[1], t(0).elem()) + "]", 9
	case "concatList":
		return e.expr(x.Args[0], 9) + " + " + e.expr(x.Args[1], 10), 9
	case "joinGo":
		return e.expr(x.Args[1], 13) + ".join(" + a(0) + ")", 13
	case "reversed":
		return "list(reversed(" + a(0) + "))", 13
	case "sum":
		return call("sum")
	case "any", "all":
		return call(x.Op)
	case "fill":
		v := x.Args[1]
		if v.T.K == TList || v.T.K == TMap || v.T.K == TSet {
			return "[" + e.expr(v, 0) + " for _ in range(" + a(0) + ")]", 13
		}
		return "[" + e.conv(v, x.T.elem()) + "] * " + e.expr(x.Args[0], 10), 10
	case "repeat":
		return e.expr(x.Args[0], 10) + " * " + e.expr(x.Args[1], 11), 10
	case "ord":
		return e.ord(x.Args[0]), 13
	case "itrunc":
		return math("trunc")
	case "inf":
		e.imports["math"] = true
		return "math.inf", 13
	case "bool":
		return call("bool")
	case "lstrip", "rstrip":
		return method(x.Op)
	case "extend":
		return method("extend")
	case "sortDesc":
		return e.expr(x.Args[0], 13) + ".sort(reverse=True)", 13
	case "join":
		switch t(1).elem().K {
		case TString, TChar:
			return e.expr(x.Args[0], 13) + ".join(" + a(1) + ")", 13
		case TInt:
			return e.expr(x.Args[0], 13) + ".join(map(str, " + a(1) + "))", 13
		}
	case "chr":
		return call("chr")
	}
	e.add(x.Line, "%s on %s in Python", x.Op, argTypes(x))
	return "0", 13
}
