package rules

import "regexp"

// Type inference: every expression gets a type, and the variables and parameters a source leaves
// untyped (Python, JavaScript) get one from how they are used: literals, operators, indexing, library
// calls, return statements and the call sites of the file's functions. It is a fixpoint over hints:
// each pass types expressions from what is known and pushes what an expression needs onto the
// variables in it (a name indexed by an int is a list; a name compared with a string is a string), until
// nothing changes. What stays unknown then defaults to int, the common case of the functions people
// translate.

type inferer struct {
	prog      *Program
	charIndex bool // indexing a string gives a character (C, C++, Java, Go) rather than a string (Python, JS)
	env       map[string]Type
	fn        *Func
	changed   bool
	defaults  bool // unknowns become int when read
	// weak holds hints that only a lack of better ones should decide: len(x) says x is a list or a
	// str, x[i] a list, a str or a dict. They are applied once the strong hints are exhausted.
	weak      map[*Func]map[string]Type
	applyWeak bool
	concat    bool // "a" + 1 is "a1" (JavaScript)
}

func infer(prog *Program, charIndex bool) { inferConcat(prog, charIndex, false) }

// inferConcat is infer for a source whose + joins text and a number into text (JavaScript; Java's
// is covered by charIndex).
func inferConcat(prog *Program, charIndex, concat bool) {
	in := &inferer{prog: prog, charIndex: charIndex, concat: concat}
	for _, f := range prog.Funcs {
		f.vars = map[string]Type{}
	}
	run := func() {
		for i := 0; i < 20; i++ {
			in.changed = false
			for _, f := range prog.Funcs {
				in.function(f)
			}
			if !in.changed {
				return
			}
		}
	}
	run()
	in.applyWeak = true
	run()
	in.defaults = true
	run()
}

// strName matches variable names that usually hold text.
var strName = regexp.MustCompile(`^(s|s1|s2|str|str1|str2|string|text|txt|word|w|st|sentence|name|line|chars|pattern|pat|sub|substr|t)_?$`)

// hintWeak records a weak hint (see inferer.weak) for a variable.
func (in *inferer) hintWeak(e *Expr, t Type) {
	if in.applyWeak {
		if e.K == EName && in.env[e.Op].K == TUnknown && !in.charIndex && t.K == TList && t.elem().K == TUnknown && strName.MatchString(e.Op) {
			t = tString
		}
		in.hint(e, t)
		return
	}
	if e.K != EName || in.env[e.Op].K != TUnknown {
		return
	}
	// s[i], len(s): a list or a str; the name decides (s, text, word ... are strings).
	if !in.charIndex && t.K == TList && t.elem().K == TUnknown && strName.MatchString(e.Op) {
		t = tString
	}
	if in.weak == nil {
		in.weak = map[*Func]map[string]Type{}
	}
	if in.weak[in.fn] == nil {
		in.weak[in.fn] = map[string]Type{}
	}
	in.weak[in.fn][e.Op] = t
}

func (in *inferer) function(f *Func) {
	in.fn = f
	in.env = f.vars
	for _, p := range f.Params {
		in.env[p.Name] = p.T
	}
	in.block(f.Body)
	if in.applyWeak && !in.charIndex {
		// A list whose elements nothing types is a list of str where its name says so (words).
		for _, p := range f.Params {
			if t := in.env[p.Name]; t.K == TList && t.elem().K == TUnknown && strListName.MatchString(p.Name) {
				in.hint(name(p.Name, f.Line), listOf(tString))
			}
		}
	}
	for i := range f.Params {
		t := in.env[f.Params[i].Name]
		if in.defaults {
			t = defaulted(t)
		}
		if !equal(t, f.Params[i].T) {
			f.Params[i].T = t
			in.changed = true
		}
		delete(in.env, f.Params[i].Name)
	}
	if in.defaults && f.Result.K == TUnknown {
		hasValue := false
		walkStmts(f.Body, func(s *Stmt) {
			if s.K == SReturn && s.Value != nil {
				hasValue = true
			}
		})
		if !hasValue {
			f.Result = tVoid
		} else {
			f.Result = defaulted(f.Result)
		}
		in.changed = true
	} else if in.defaults {
		r := defaulted(f.Result)
		if !equal(r, f.Result) {
			f.Result, in.changed = r, true
		}
	}
	for k, t := range in.env {
		if in.defaults {
			in.env[k] = defaulted(t)
		}
	}
}

// defaulted replaces unknown parts by int.
func defaulted(t Type) Type {
	switch t.K {
	case TUnknown:
		return tInt
	case TList, TSet:
		return Type{K: t.K, Elem: ptr(defaulted(t.elem()))}
	case TMap:
		return mapOf(defaulted(t.key()), defaulted(t.elem()))
	case TTuple:
		es := make([]Type, len(t.Elems))
		for i, e := range t.Elems {
			es[i] = defaulted(e)
		}
		return tupleOf(es...)
	}
	return t
}

func ptr(t Type) *Type { return &t }

func equal(a, b Type) bool {
	if a.K != b.K || a.Bits != b.Bits || a.Unsigned != b.Unsigned {
		return false
	}
	switch a.K {
	case TList, TSet:
		return equal(a.elem(), b.elem())
	case TMap:
		return equal(a.key(), b.key()) && equal(a.elem(), b.elem())
	case TTuple:
		if len(a.Elems) != len(b.Elems) {
			return false
		}
		for i := range a.Elems {
			if !equal(a.Elems[i], b.Elems[i]) {
				return false
			}
		}
	}
	return true
}

// merge combines what is known of one value's type from two places.
func merge(a, b Type) Type {
	switch {
	case a.K == TUnknown:
		return b
	case b.K == TUnknown:
		return a
	case a.K == b.K:
		switch a.K {
		case TList, TSet:
			return Type{K: a.K, Elem: ptr(merge(a.elem(), b.elem()))}
		case TMap:
			return mapOf(merge(a.key(), b.key()), merge(a.elem(), b.elem()))
		case TTuple:
			if len(a.Elems) != len(b.Elems) {
				return a
			}
			es := make([]Type, len(a.Elems))
			for i := range a.Elems {
				es[i] = merge(a.Elems[i], b.Elems[i])
			}
			return tupleOf(es...)
		case TInt:
			if b.Bits > a.Bits {
				return b
			}
		}
		return a
	case a.K == TInt && b.K == TFloat, a.K == TFloat && b.K == TInt:
		return tFloat
	case a.K == TBool && b.K == TInt:
		return b
	}
	return a
}

// hint records that e must have type t where e is a variable, or a list element of one.
func (in *inferer) hint(e *Expr, t Type) {
	if e == nil || t.K == TUnknown {
		return
	}
	switch e.K {
	case ETuple:
		if t.K == TTuple && len(t.Elems) == len(e.Args) {
			for i, a := range e.Args {
				in.hint(a, t.Elems[i])
			}
		}
	case EName:
		old, ok := in.env[e.Op]
		if !ok && in.prog.fn(e.Op) != nil {
			return
		}
		n := merge(old, t)
		if !equal(n, old) {
			in.env[e.Op] = n
			in.changed = true
		}
	case EIndex:
		ct := e.Args[0].T
		if ct.K == TMap {
			in.hint(e.Args[0], mapOf(e.Args[1].T, t))
		} else if ct.K == TUnknown && !in.charIndex && t.K == TString && e.Args[0].K == EName && strName.MatchString(e.Args[0].Op) {
			in.hint(e.Args[0], tString) // c = s[i] with c a str: s is a str by its name
		} else if ct.K == TList || ct.K == TUnknown {
			in.hint(e.Args[0], listOf(t))
		}
	}
}

func (in *inferer) block(ss []*Stmt) {
	for _, s := range ss {
		in.stmt(s)
	}
}

func (in *inferer) stmt(s *Stmt) {
	switch s.K {
	case SAssign:
		if s.Value == nil { // Java: int x; (assigned later)
			in.hint(s.Target, s.T)
			in.expr(s.Target)
			return
		}
		vt := in.expr(s.Value)
		if s.Decl || s.T.K != TUnknown {
			in.hint(s.Target, s.T)
		}
		in.hint(s.Target, vt)
		tt := in.expr(s.Target)
		in.hint(s.Value, tt)
		if s.Value.K == EList || s.Value.K == EMap || s.Value.K == ESetLit || s.Value.K == ENew || s.Value.K == EComp {
			s.Value.T = merge(s.Value.T, tt)
		}
	case SAugment:
		vt := in.expr(s.Value)
		tt := in.expr(s.Target)
		if s.Op == OpTrueDiv {
			in.hint(s.Target, tFloat)
		} else if tt.K == TUnknown && vt.K != TChar {
			in.hint(s.Target, vt)
		} else if tt.K == TInt && vt.K == TFloat && !in.charIndex {
			in.hint(s.Target, tFloat) // Python: x += 0.5 makes x a float
		}
		if vt.K == TUnknown && tt.K != TString {
			in.hint(s.Value, tt)
		}
		in.expr(s.Target)
	case SExpr:
		in.expr(s.Value)
	case SIf, SWhile, SDoWhile:
		in.expr(s.Cond)
		in.block(s.Body)
		in.block(s.Else)
	case SFor:
		in.block(s.Init)
		if s.Cond != nil {
			in.expr(s.Cond)
		}
		in.block(s.Post)
		in.block(s.Body)
	case SRange:
		in.hint(name(s.Var, s.Line), tInt)
		for _, e := range []*Expr{s.Start, s.Stop, s.Step} {
			if e != nil {
				in.expr(e)
				in.hint(e, tInt)
			}
		}
		in.block(s.Body)
	case SForEach:
		ct := in.expr(s.Value)
		vt := in.env[s.Var]
		if s.T.K != TUnknown {
			vt = merge(s.T, vt)
			in.hint(name(s.Var, s.Line), s.T)
		}
		switch ct.K {
		case TList, TSet:
			in.hint(name(s.Var, s.Line), ct.elem())
			if vt.K != TUnknown {
				in.hint(s.Value, Type{K: ct.K, Elem: &vt})
			}
		case TString:
			if in.charIndex {
				in.hint(name(s.Var, s.Line), tChar)
			} else {
				in.hint(name(s.Var, s.Line), tString)
			}
		case TMap:
			in.hint(name(s.Var, s.Line), ct.key())
		case TUnknown:
			in.iterHint(s.Value, vt)
		}
		s.T = in.env[s.Var]
		in.block(s.Body)
	case SReturn:
		if s.Value != nil {
			vt := in.expr(s.Value)
			r := merge(in.fn.Result, vt)
			if !equal(r, in.fn.Result) && (in.fn.Result.K == TUnknown || !in.charIndex) {
				in.fn.Result, in.changed = r, true
			}
			if !((vt.K == TInt || vt.K == TUnknown) && in.fn.Result.K == TFloat) {
				in.hint(s.Value, in.fn.Result) // an int returned where others are floats stays an int
			}
		}
	}
}

func isArith(op string) bool {
	switch op {
	case "+", "-", "*", OpTruncDiv, OpFloorDiv, OpRem, OpMod, OpTrueDiv, "**", "&", "|", "^", "<<", ">>", ">>>":
		return true
	}
	return false
}

func isCompare(op string) bool {
	switch op {
	case "==", "!=", "<", "<=", ">", ">=":
		return true
	}
	return false
}

// arith is the type of an arithmetic result on operands of types a and b.
func (in *inferer) arith(op string, a, b Type) Type {
	switch op {
	case OpTrueDiv:
		return tFloat
	case "&", "|", "^", "<<", ">>", ">>>":
		if a.K == TBool && b.K == TBool {
			return tBool
		}
		if a.K == TInt {
			return a // a shift has its left operand's width
		}
		return intOf(a, b)
	}
	if a.K == TString || b.K == TString {
		if op == "+" && (a.K == TString || a.K == TChar) && (b.K == TString || b.K == TChar) {
			return tString
		}
		if op == "+" && (in.charIndex || in.concat) {
			return tString // Java "a" + 1
		}
		if op == "*" && !in.charIndex {
			return tString // Python "ab" * 3
		}
	}
	if a.K == TList && (op == "+" || op == "*") {
		return a
	}
	if b.K == TList && op == "*" {
		return b
	}
	if a.K == TFloat || b.K == TFloat {
		return tFloat
	}
	if a.K == TUnknown || b.K == TUnknown {
		if a.K == TUnknown {
			a = b
		}
		if a.K == TChar || a.K == TBool {
			return tInt
		}
		return a
	}
	return intOf(a, b)
}

// intOf is the integer type of an operation on a and b: the wider width (chars promote to int).
func intOf(a, b Type) Type {
	bits := a.Bits
	if b.Bits > bits {
		bits = b.Bits
	}
	if (a.K == TChar && b.Bits == 0) || (b.K == TChar && a.Bits == 0) {
		if bits == 0 {
			bits = 32
		}
	}
	return Type{K: TInt, Bits: bits, Unsigned: a.Unsigned || b.Unsigned}
}

func (in *inferer) expr(e *Expr) Type {
	if e == nil {
		return tUnknown
	}
	t := in.exprType(e)
	if in.defaults && e.K != EName {
		t = defaulted(t)
	}
	e.T = t
	return t
}

func (in *inferer) exprType(e *Expr) Type {
	a := func(i int) Type { return in.expr(e.Args[i]) }
	switch e.K {
	case ELit, ECast:
		for _, x := range e.Args {
			in.expr(x)
		}
		return e.T
	case EName:
		t := in.env[e.Op]
		if in.defaults {
			t = defaulted(t)
		}
		return t
	case EBin:
		l, r := a(0), a(1)
		switch {
		case isArith(e.Op):
			if l.K == TUnknown && r.K != TList && r.K != TString {
				in.hint(e.Args[0], numericOr(r))
			}
			if r.K == TUnknown && l.K != TList && l.K != TString {
				in.hint(e.Args[1], numericOr(l))
			}
			if l.K == TList && e.Op == "*" {
				in.hint(e.Args[1], tInt)
			}
			if l.K == TString && e.Op == "+" && r.K == TUnknown && in.concat {
				in.hintWeak(e.Args[1], tString) // JavaScript: "n=" + n takes a number as well
			} else if l.K == TString && e.Op == "+" && r.K == TUnknown && !in.charIndex {
				in.hint(e.Args[1], tString)
			}
			if r.K == TString && e.Op == "+" && l.K == TUnknown && in.concat {
				in.hintWeak(e.Args[0], tString)
			} else if r.K == TString && e.Op == "+" && l.K == TUnknown && !in.charIndex {
				in.hint(e.Args[0], tString)
			}
			return in.arith(e.Op, l, r)
		case isCompare(e.Op):
			if l.K == TUnknown {
				in.hint(e.Args[0], r)
			}
			if r.K == TUnknown {
				in.hint(e.Args[1], l)
			}
			return tBool
		case e.Op == "in" || e.Op == "not in":
			switch {
			case r.K == TUnknown && l.K == TString:
				in.hint(e.Args[1], tString)
			case r.K == TUnknown && l.K != TUnknown:
				in.hint(e.Args[1], listOf(l))
			case r.K == TString && l.K == TUnknown && !in.charIndex:
				in.hint(e.Args[0], tString) // c in "aeiou": c is text
			case r.K == TList || r.K == TSet:
				in.hint(e.Args[0], r.elem())
			case r.K == TMap:
				in.hint(e.Args[0], r.key())
			}
			return tBool
		}
		return tBool // && ||
	case EUn:
		t := a(0)
		if e.Op == "!" {
			return tBool
		}
		if t.K == TChar || t.K == TBool {
			return Type{K: TInt, Bits: 32}
		}
		return t
	case ECond:
		a(0)
		x, y := a(1), a(2)
		in.hint(e.Args[1], y)
		in.hint(e.Args[2], x)
		return merge(x, y)
	case ECall:
		f := in.prog.fn(e.Op)
		var ts []Type
		for i := range e.Args {
			ts = append(ts, a(i))
		}
		if f == nil {
			return tUnknown
		}
		for i := range e.Args {
			if i >= len(f.Params) {
				break
			}
			pt := merge(f.Params[i].T, ts[i])
			if !equal(pt, f.Params[i].T) && (f.Params[i].T.K == TUnknown || !f.Params[i].T.complete()) {
				f.Params[i].T = pt
				in.changed = true
			}
			in.hint(e.Args[i], f.Params[i].T)
		}
		return f.Result
	case EIndex:
		c, i := a(0), a(1)
		switch c.K {
		case TList:
			in.hint(e.Args[1], tInt)
			return c.elem()
		case TString:
			in.hint(e.Args[1], tInt)
			if in.charIndex {
				return tChar
			}
			return tString
		case TMap:
			in.hint(e.Args[1], c.key())
			return c.elem()
		case TUnknown:
			if i.K == TInt || i.K == TUnknown {
				in.hintWeak(e.Args[0], listOf(tUnknown))
				in.hint(e.Args[1], tInt)
			} else if i.K == TString {
				in.hint(e.Args[0], mapOf(tString, tUnknown))
			}
		}
		return tUnknown
	case ESlice:
		c := a(0)
		for i := 1; i < 3; i++ {
			if e.Args[i] != nil {
				a(i)
				in.hint(e.Args[i], tInt)
			}
		}
		if c.K == TUnknown {
			in.hintWeak(e.Args[0], listOf(tUnknown))
		}
		return c
	case EList:
		el := e.T.elem()
		for i := range e.Args {
			el = merge(el, a(i))
		}
		for i := range e.Args {
			in.hint(e.Args[i], el)
		}
		return merge(e.T, listOf(el))
	case ESetLit:
		el := e.T.elem()
		for i := range e.Args {
			el = merge(el, a(i))
		}
		return merge(e.T, setOf(el))
	case EMap:
		k, v := e.T.key(), e.T.elem()
		for i := 0; i+1 < len(e.Args); i += 2 {
			k, v = merge(k, a(i)), merge(v, a(i+1))
		}
		return merge(e.T, mapOf(k, v))
	case ENew:
		for i := range e.Args {
			a(i)
			in.hint(e.Args[i], tInt)
		}
		return e.T
	case EComp:
		it := a(1)
		old, had := in.env[e.Op]
		if !had {
			old = tUnknown
		}
		in.env[e.Op] = tUnknown
		switch it.K {
		case TList, TSet:
			in.env[e.Op] = it.elem()
		case TString:
			if in.charIndex {
				in.env[e.Op] = tChar
			} else {
				in.env[e.Op] = tString
			}
		case TMap:
			in.env[e.Op] = it.key()
		case TUnknown:
		default:
			in.env[e.Op] = tInt
		}
		var el Type
		if b := e.Args[0]; it.K == TUnknown && b.K == EBuiltin && b.Op == "len" && b.Args[0].K == EName && b.Args[0].Op == e.Op {
			el = tInt // len(v) of an element not yet known: leave v to the iterable's hint
		} else {
			el = a(0)
		}
		if e.Args[2] != nil {
			a(2)
		}
		// What the body needs of the variable says what the iterable holds.
		if b := e.Args[0]; it.K == TUnknown && b.K == EBuiltin && b.Op == "len" && b.Args[0].K == EName && b.Args[0].Op == e.Op {
			in.hintWeak(e.Args[1], listOf(tString)) // key=len: words more often than lists
		} else if it.K == TUnknown {
			in.iterHint(e.Args[1], in.env[e.Op])
		} else if (it.K == TList || it.K == TSet) && it.elem().K == TUnknown && in.env[e.Op].K != TUnknown {
			in.hint(e.Args[1], Type{K: it.K, Elem: ptr(in.env[e.Op])})
		}
		if had {
			in.env[e.Op] = old
		} else {
			delete(in.env, e.Op)
		}
		return merge(e.T, listOf(el))
	case EBuiltin:
		var ts []Type
		for i := range e.Args {
			ts = append(ts, a(i))
		}
		return in.builtin(e, ts)
	case ETuple:
		ts := make([]Type, len(e.Args))
		for i := range e.Args {
			ts[i] = a(i)
		}
		return tupleOf(ts...)
	}
	return tUnknown
}

// strListName matches variable names that usually hold a list of str.
var strListName = regexp.MustCompile(`^(words|names|strs|strings|lines|tokens|sentences|letters|chars|wordlist|word_list)$`)

// listName matches variable names that usually hold a list (words, names, nums, arr ...).
var listName = regexp.MustCompile(`(s|list|lst|arr|array|_l|vec)$`)

// iterHint hints the type of an iterable of unknown type from its loop variable's type vt.
func (in *inferer) iterHint(it *Expr, vt Type) {
	switch {
	case vt.K == TString && !in.charIndex:
		// for c in s: c.isalpha(): s is a str, unless its name says a list (for w in words).
		if it.K == EName && !strName.MatchString(it.Op) && listName.MatchString(it.Op) {
			in.hint(it, listOf(tString))
		} else {
			in.hint(it, tString)
		}
	case vt.K != TUnknown:
		in.hint(it, listOf(vt))
	default:
		in.hintWeak(it, listOf(tUnknown)) // iterated over: a list (or a str, by its name)
	}
}

// numericOr is t when it is numeric, else unknown (no hint).
func numericOr(t Type) Type {
	if t.K == TChar || t.K == TBool || t.K == TFloat {
		// x * 1.5 says nothing of x: an int works as well.
		return tUnknown
	}
	if t.numeric() {
		return Type{K: t.K}
	}
	return tUnknown
}

func (in *inferer) builtin(e *Expr, ts []Type) Type {
	arg := func(i int) Type {
		if i < len(ts) {
			return ts[i]
		}
		return tUnknown
	}
	seq := func() {
		if arg(0).K == TUnknown {
			in.hintWeak(e.Args[0], listOf(tUnknown))
		}
	}
	str := func(i int) {
		if i < len(e.Args) && arg(i).K == TUnknown {
			in.hint(e.Args[i], tString)
		}
	}
	switch e.Op {
	case "len":
		seq()
		return tInt
	case "count", "find", "index", "rfind":
		if arg(0).K == TUnknown && !in.charIndex && (e.Op == "find" || e.Op == "rfind" || arg(1).K == TString) {
			str(0) // Python's find is a str method; s.count("a") counts in a str
		}
		if arg(0).K == TString {
			str(1)
		} else if arg(0).K == TList {
			in.hint(e.Args[1], arg(0).elem())
		}
		return tInt
	case "ord":
		str(0)
		return tInt
	case "int", "gcd", "factorial", "isqrt", "ifloor", "iceil", "itrunc", "round":
		for i := range e.Args {
			if arg(i).K == TUnknown && e.Op == "gcd" {
				in.hint(e.Args[i], tInt)
			}
		}
		return tInt
	case "float", "sqrt", "log", "log2", "log10", "exp", "sin", "cos", "tan", "atan", "asin", "acos", "fpow",
		"hypot", "atan2", "floor", "ceil", "inf", "cbrt", "fabs":
		return tFloat
	case "abs":
		if arg(0).K == TChar {
			return tInt
		}
		return arg(0)
	case "min", "max":
		t := tUnknown
		for _, x := range ts {
			t = merge(t, x)
		}
		for i := range e.Args {
			in.hint(e.Args[i], t)
		}
		if t.K == TChar && in.charIndex {
			return tChar
		}
		return t
	case "minOf", "maxOf", "sum":
		seq()
		if arg(0).K == TString {
			return tString
		}
		return arg(0).elem()
	case "pow":
		if arg(0).K == TFloat || arg(1).K == TFloat {
			return tFloat
		}
		return merge(arg(0), arg(1))
	case "powmod":
		return tInt
	case "str", "upper", "lower", "strip", "lstrip", "rstrip", "replace", "chr", "substring", "repeat":
		if e.Op != "str" && e.Op != "chr" && e.Op != "repeat" {
			str(0)
		}
		return tString
	case "join":
		str(0)
		if arg(1).K == TUnknown {
			in.hint(e.Args[1], listOf(tString))
		}
		return tString
	case "startswith", "endswith", "isdigit", "isalpha", "isupper", "islower", "isalnum", "isspace", "bool",
		"contains", "containsKey", "equals", "isEmpty":
		if e.Op == "startswith" || e.Op == "endswith" {
			str(0)
			str(1)
		}
		if e.Op == "contains" {
			switch arg(0).K {
			case TList, TSet:
				in.hint(e.Args[1], arg(0).elem())
			case TMap:
				in.hint(e.Args[1], arg(0).key())
			}
		}
		return tBool
	case "split":
		str(0)
		return listOf(tString)
	case "keys":
		return listOf(arg(0).key())
	case "values":
		return listOf(arg(0).elem())
	case "sorted", "sortedDesc", "copy", "reversed":
		seq()
		if arg(0).K == TString {
			return listOf(tString)
		}
		if arg(0).K == TMap && (e.Op == "sorted" || e.Op == "sortedDesc") {
			return listOf(arg(0).key())
		}
		if arg(0).K == TSet {
			return listOf(arg(0).elem())
		}
		return arg(0)
	case "set":
		seq()
		if arg(0).K == TString {
			return setOf(tString)
		}
		return setOf(arg(0).elem())
	case "append", "setadd":
		if len(e.Args) == 2 {
			if e.Op == "append" {
				in.hint(e.Args[0], listOf(arg(1)))
			} else {
				in.hint(e.Args[0], setOf(arg(1)))
			}
			if arg(0).K == TList || arg(0).K == TSet {
				in.hint(e.Args[1], arg(0).elem())
			}
		}
		return tVoid
	case "insert":
		if len(e.Args) == 3 {
			in.hint(e.Args[0], listOf(arg(2)))
			in.hint(e.Args[1], tInt)
		}
		return tVoid
	case "extend":
		in.hint(e.Args[0], arg(1))
		return tVoid
	case "sort", "sortDesc", "reverse", "clear":
		seq()
		return tVoid
	case "remove", "setdiscard":
		return tVoid
	case "pop":
		seq()
		return arg(0).elem()
	case "mapget":
		if arg(0).K == TMap {
			in.hint(e.Args[1], arg(0).key())
			if len(e.Args) > 2 {
				in.hint(e.Args[2], arg(0).elem())
			}
		} else if arg(0).K == TUnknown {
			v := tUnknown
			if len(e.Args) > 2 {
				v = arg(2)
			}
			in.hint(e.Args[0], mapOf(arg(1), v))
		}
		if len(e.Args) > 2 {
			return merge(arg(0).elem(), arg(2))
		}
		return arg(0).elem()
	case "range":
		return listOf(tInt)
	case "rangeLen":
		return tInt
	case "appendExpr":
		if len(e.Args) == 2 {
			in.hint(e.Args[0], listOf(arg(1)))
			if arg(0).K == TList {
				in.hint(e.Args[1], arg(0).elem())
			}
		}
		return arg(0)
	case "concatList":
		return merge(arg(0), arg(1))
	case "joinGo":
		return tString
	case "revslice":
		seq()
		return arg(0)
	case "any", "all":
		return tBool
	case "sortedKey", "sortedKeyDesc":
		seq()
		if arg(0).K == TString {
			return listOf(tString)
		}
		return arg(0)
	case "minKey", "maxKey":
		seq()
		if arg(0).K == TString {
			return tString
		}
		return arg(0).elem()
	case "sortKey", "sortKeyDesc", "print":
		return tVoid
	case "sortCmp":
		seq()
		return tVoid
	case "flatten":
		return arg(0).elem()
	case "sliceStep":
		for i := 1; i <= 3; i++ {
			in.hint(e.Args[i], tInt)
		}
		seq()
		return arg(0)
	case "intBase":
		str(0)
		in.hint(e.Args[1], tInt)
		return tInt
	case "bin":
		in.hint(e.Args[0], tInt)
		return tString
	case "mergeMaps":
		return arg(0).elem()
	case "counter":
		seq()
		if arg(0).K == TString {
			return mapOf(tString, tInt)
		}
		return mapOf(arg(0).elem(), tInt)
	case "copyOfJava", "copyOfRangeJava":
		return arg(0)
	case "jformat":
		return tString
	case "jbin", "jbin64":
		return tString
	case "numval":
		return Type{K: TInt, Bits: 32}
	case "heappush":
		if len(e.Args) == 2 {
			in.hint(e.Args[0], listOf(arg(1)))
		}
		return tVoid
	case "heappop":
		return arg(0).elem()
	case "setaddBool":
		if len(e.Args) == 2 {
			in.hint(e.Args[0], setOf(arg(1)))
		}
		return tBool
	case "compareTo":
		return Type{K: TInt, Bits: 32}
	case "charAt":
		str(0)
		return tChar
	}
	return e.T
}
