package rules

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// jsEmit writes the IR as JavaScript (ES2020, runs on node). JavaScript has one number type, float64,
// so every integer operation of the source is written with what makes it exact there: truncating
// division is Math.trunc(a / b), flooring division Math.floor(a / b), Python's modulo a helper
// (_mod) because JavaScript's % keeps the dividend's sign, as C's does; a 32-bit int of the source
// multiplies with Math.imul and wraps with | 0 where the Python emitter wraps. Integers beyond 2^53 are
// not exact in JavaScript (a Go int or Java long that large is not reproduced; differential testing
// shows it). A character is a one-character string, as in the Python emitter: codePointAt(0) where
// the source does arithmetic on it, String.fromCodePoint back. Lists are arrays, maps Map, sets Set;
// == on lists compares elements (_eq), as Python's and Go's do.
type jsEmit struct {
	gaps
	b       strings.Builder
	helpers map[string]bool
	fn      *Func
	depth   int
	tmp     int
	prog    *Program
	src     string // source language id
}

func emitJS(prog *Program, from string) (string, error) {
	e := &jsEmit{helpers: map[string]bool{}, prog: prog, src: from}
	var body strings.Builder
	functions(&body, prog, "\n", &e.b, e.function)
	if err := e.err(); err != nil {
		return "", err
	}
	var out strings.Builder
	for _, h := range slices.Sorted(maps.Keys(e.helpers)) {
		out.WriteString(jsHelpers[h])
		out.WriteString("\n")
	}
	out.WriteString(body.String())
	return out.String(), nil
}

var jsHelpers = map[string]string{
	"_mod": `// _mod is Python's a % b: the result has the divisor's sign.
function _mod(a, b) {
  const r = a % b;
  return r !== 0 && (r < 0) !== (b < 0) ? r + b : r;
}
`,
	"_eq": `// _eq compares values as Python and Go do: arrays element by element.
function _eq(a, b) {
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => _eq(x, b[i]));
  }
  return a === b;
}
`,
	"_ix": `// _ix is the position Python's xs[i] = v assigns to: a negative i counts from the end.
function _ix(xs, i) {
  return i < 0 ? xs.length + i : i;
}
`,
	"_bitop": `// _bitop is a & b, a | b or a ^ b on integers wider than JavaScript's 32-bit bitwise operators.
function _bitop(op, a, b) {
  const x = BigInt(a), y = BigInt(b);
  return Number(op === "&" ? x & y : op === "|" ? x | y : x ^ y);
}
`,
	"_int": `// _int is int(s) on text: a whole decimal number or an error, where parseInt would stop at the first
// other character.
function _int(s) {
  const t = s.trim().replace(/_/g, "");
  if (!/^[+-]?[0-9]+$/.test(t)) throw new Error("int: invalid literal " + s);
  return parseInt(t, 10);
}
`,
	"_float": `// _float is float(s) on text: inf and nan by name, a number, or an error.
function _float(s) {
  const t = s.trim().toLowerCase();
  if (/^[+-]?(inf|infinity)$/.test(t)) return t[0] === "-" ? -Infinity : Infinity;
  if (/^[+-]?nan$/.test(t)) return NaN;
  const v = Number(t);
  if (t === "" || Number.isNaN(v)) throw new Error("float: invalid literal " + s);
  return v;
}
`,
	"_gcd": `function _gcd(a, b) {
  a = Math.abs(a);
  b = Math.abs(b);
  while (b !== 0) {
    [a, b] = [b, a % b];
  }
  return a;
}
`,
	"_range": `// _range is Python's range(start, stop, step) as an array.
function _range(start, stop, step) {
  const out = [];
  for (let i = start; step > 0 ? i < stop : i > stop; i += step) out.push(i);
  return out;
}
`,
	"_cmp": `// _cmp orders numbers by value and strings by code point, as the other languages do.
function _cmp(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}
`,
	"_split": `// _split is Python's s.split(): runs of whitespace separate, none at the ends.
function _split(s) {
  const t = s.trim();
  return t === "" ? [] : t.split(/\s+/);
}
`,
	"_remove": `// _remove removes the first element equal to x, as Python's list.remove does.
function _remove(xs, x) {
  const i = xs.indexOf(x);
  if (i < 0) throw new Error("remove: not in list");
  xs.splice(i, 1);
}
`,
	"_isqrt": `function _isqrt(n) {
  let r = Math.floor(Math.sqrt(n));
  while (r * r > n) r--;
  while ((r + 1) * (r + 1) <= n) r++;
  return r;
}
`,
	"_fact": `function _fact(n) {
  let r = 1;
  for (let i = 2; i <= n; i++) r *= i;
  return r;
}
`,
	"_round": `// _round is Python's round(x): halves go to the even neighbour.
function _round(x) {
  const f = Math.floor(x), d = x - f;
  if (d > 0.5 || (d === 0.5 && f % 2 !== 0)) return f + 1;
  return f;
}
`,
	"_count": `// _count is Python's s.count(sub) on strings and xs.count(x) on lists.
function _count(s, x) {
  if (typeof s === "string") {
    if (x === "") return [...s].length + 1;
    return s.split(x).length - 1;
  }
  return s.filter((y) => _eq(y, x)).length;
}
`,
	"_index": `function _index(s, x) {
  const i = s.indexOf(x);
  if (i < 0) throw new Error("index: not found");
  return i;
}
`,
	"_bits": `function _bits(x) {
  let n = 0;
  for (x = x >>> 0; x !== 0; x >>>= 1) n += x & 1;
  return n;
}
`,
	"_repeat": `function _repeat(xs, n) {
  let out = [];
  for (let i = 0; i < n; i++) out = out.concat(xs);
  return out;
}
`,
	"_isdigit": `const _isdigit = (s) => /^[0-9]+$/.test(s);
`,
	"_isalpha": `const _isalpha = (s) => /^\p{L}+$/u.test(s);
`,
	"_isalnum": `const _isalnum = (s) => /^[\p{L}\p{N}]+$/u.test(s);
`,
	"_isspace": `const _isspace = (s) => /^\s+$/.test(s);
`,
	"_isupper": `const _isupper = (s) => s.toLowerCase() !== s && s.toUpperCase() === s;
`,
	"_islower": `const _islower = (s) => s.toUpperCase() !== s && s.toLowerCase() === s;
`,
}

func (e *jsEmit) line(format string, args ...any) {
	e.b.WriteString(strings.Repeat("  ", e.depth))
	fmt.Fprintf(&e.b, format, args...)
	e.b.WriteString("\n")
}

// jsName renames identifiers that are JavaScript reserved words or names the translation uses.
func jsName(n string) string {
	switch n {
	case "break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete", "do", "else",
		"export", "extends", "finally", "for", "function", "if", "import", "in", "instanceof", "new", "return",
		"super", "switch", "this", "throw", "try", "typeof", "var", "void", "while", "with", "yield", "let",
		"static", "enum", "await", "implements", "package", "protected", "interface", "private", "public",
		"null", "true", "false", "undefined", "NaN", "Infinity", "arguments", "eval", "Math", "String", "Array",
		"Map", "Set", "Number", "Object", "Error", "JSON", "console", "process", "require", "module":
		return n + "_"
	}
	if strings.HasPrefix(n, "_") && jsHelpers[n] != "" {
		return n + "_"
	}
	return n
}

func (e *jsEmit) function(f *Func) {
	e.fn = f
	var ps []string
	declared := map[string]bool{}
	for _, p := range f.Params {
		ps = append(ps, jsName(p.Name))
		declared[p.Name] = true
	}
	e.line("function %s(%s) {", jsName(f.Name), strings.Join(ps, ", "))
	e.depth++
	// Every local is declared at the top, as Python's and Go's function scope have it (the IR's
	// assignments do not say where a block-scoped let would have to go).
	var locals []string
	walkStmts(f.Body, func(s *Stmt) {
		v := ""
		switch {
		case (s.K == SAssign || s.K == SAugment) && s.Target.K == EName:
			v = s.Target.Op
		case s.K == SRange:
			v = s.Var
		}
		if v != "" && !declared[v] {
			declared[v] = true
			locals = append(locals, jsName(v))
		}
	})
	if len(locals) > 0 {
		e.line("let %s;", strings.Join(locals, ", "))
	}
	e.block(f.Body)
	e.depth--
	e.line("}")
}

func (e *jsEmit) block(ss []*Stmt) {
	for _, s := range ss {
		e.stmt(s)
	}
}

func (e *jsEmit) nested(ss []*Stmt) {
	e.depth++
	e.block(ss)
	e.depth--
}

func (e *jsEmit) stmt(s *Stmt) {
	switch s.K {
	case SAssign:
		if s.Value == nil {
			return
		}
		e.line("%s;", e.assign(s.Target, e.conv(s.Value, s.Target.T)))
	case SAugment:
		e.line("%s;", e.augment(s))
	case SExpr:
		switch s.Value.K {
		case ECall, EBuiltin:
			e.line("%s;", e.exprStmt(s.Value))
		case ELit:
		default:
			e.add(s.Line, "expression statement")
		}
	case SIf:
		e.line("if (%s) {", e.cond(s.Cond))
		e.nested(s.Body)
		for len(s.Else) == 1 && s.Else[0].K == SIf {
			s = s.Else[0]
			e.line("} else if (%s) {", e.cond(s.Cond))
			e.nested(s.Body)
		}
		if len(s.Else) > 0 {
			e.line("} else {")
			e.nested(s.Else)
		}
		e.line("}")
	case SWhile:
		e.line("while (%s) {", e.cond(s.Cond))
		e.nested(s.Body)
		e.line("}")
	case SDoWhile:
		e.line("do {")
		e.nested(s.Body)
		e.line("} while (%s);", e.cond(s.Cond))
	case SFor:
		var init, post []string
		for _, st := range s.Init {
			init = append(init, e.simple(st))
		}
		for _, st := range s.Post {
			post = append(post, e.simple(st))
		}
		cond := ""
		if s.Cond != nil {
			cond = e.cond(s.Cond)
		}
		e.line("for (%s; %s; %s) {", strings.Join(init, ", "), cond, strings.Join(post, ", "))
		e.nested(s.Body)
		e.line("}")
	case SRange:
		e.rangeLoop(s)
	case SForEach:
		v := e.expr(s.Value)
		switch s.Value.T.K {
		case TMap:
			v = "[..." + v + ".keys()]"
			if e.src == "java" || e.src == "cpp" || e.src == "go" {
				e.helpers["_cmp"] = true
				v += ".sort(_cmp)" // HashMap and std::map over small keys iterate in key order
			}
		case TSet:
			e.helpers["_cmp"] = true
			v = "[..." + v + "].sort(_cmp)"
		case TList, TString:
		default:
			e.add(s.Line, "iteration over %s", s.Value.T)
		}
		e.line("for (let %s of %s) {", jsName(s.Var), v)
		e.nested(s.Body)
		e.line("}")
	case SReturn:
		if s.Value == nil {
			e.line("return;")
			return
		}
		e.line("return %s;", e.conv(s.Value, e.fn.Result))
	case SBreak:
		e.line("break;")
	case SContinue:
		e.line("continue;")
	}
}

// simple writes an assignment or update of a C-style for's init or post part.
func (e *jsEmit) simple(s *Stmt) string {
	switch s.K {
	case SAssign:
		return e.assign(s.Target, e.conv(s.Value, s.Target.T))
	case SAugment:
		return e.augment(s)
	}
	e.add(s.Line, "statement in a for clause")
	return ""
}

// rangeLoop writes for v in range(start, stop, step): the bound is evaluated once, as Python does,
// and the variable keeps its last value after the loop, as Python's does.
func (e *jsEmit) rangeLoop(s *Stmt) {
	e.tmp++
	i, end, cmp, inc, ok := countedLoop(s, e.tmp)
	if !ok {
		e.add(s.Line, "range with a step that is not a constant")
		return
	}
	e.line("for (let %s = %s, %s = %s; %s %s %s; %s) {", i, e.conv(s.Start, tInt), end, e.conv(s.Stop, tInt), i, cmp, end, inc)
	e.depth++
	e.line("%s = %s;", jsName(s.Var), i)
	e.block(s.Body)
	e.depth--
	e.line("}")
}

// assign writes target = value; a map element is set with Map.set.
func (e *jsEmit) assign(t *Expr, v string) string {
	if t.K == EIndex && t.Args[0].T.K == TMap {
		return e.expr(t.Args[0]) + ".set(" + e.conv(t.Args[1], t.Args[0].T.key()) + ", " + v + ")"
	}
	if t.K == EIndex && t.Args[0].T.K == TString {
		e.add(t.Line, "assignment to a character of a string")
	}
	if t.K == EName {
		return jsName(t.Op) + " = " + v
	}
	if t.K == EIndex && t.Args[0].T.K == TList {
		// .at() reads Python's negative indices but cannot be assigned to: xs[-k] is xs[xs.length - k].
		c, i := t.Args[0], t.Args[1]
		idx := e.conv(i, tInt)
		if e.src == "python" && !nonNeg(i) {
			if i.K == ELit || i.K == EUn && i.Op == "-" && i.Args[0].K == ELit {
				idx = e.paren(c) + ".length " + strings.Replace(e.expr(i), "-", "- ", 1)
			} else if pure(c) {
				e.helpers["_ix"] = true
				idx = "_ix(" + e.expr(c) + ", " + idx + ")"
			} else {
				e.add(t.Line, "assignment to an element at an index that may be negative")
			}
		}
		return e.paren(c) + "[" + idx + "] = " + v
	}
	return e.expr(t) + " = " + v
}

func (e *jsEmit) augment(s *Stmt) string {
	tt := s.Target.T
	v := &Expr{K: EBin, Op: s.Op, Args: []*Expr{s.Target, s.Value}, Line: s.Line}
	v.T = (&inferer{charIndex: e.src != "python" && e.src != "javascript" && e.src != "typescript"}).arith(s.Op, tt, s.Value.T)
	if tt.K == TString && s.Op == "+" {
		v.T = tString
	}
	return e.assign(s.Target, e.conv(v, tt))
}

// exprStmt writes a call used as a statement; the mutating builtins have statement forms.
func (e *jsEmit) exprStmt(x *Expr) string {
	if x.K == EBuiltin {
		a := func(i int) string { return e.expr(x.Args[i]) }
		switch x.Op {
		case "concat":
			return e.assign(x.Args[0], e.expr(x.Args[0])+" + "+e.strPart(x.Args[1]))
		case "fillAll":
			if x.Args[0].T.elem().K != TList {
				return a(0) + ".fill(" + e.conv(x.Args[1], x.Args[0].T.elem()) + ")"
			}
		case "fillN":
			return a(0) + ".fill(" + e.conv(x.Args[2], x.Args[0].T.elem()) + ", 0, " + a(1) + ")"
		case "sortRange":
			e.helpers["_cmp"] = true
			return a(0) + ".splice(" + a(1) + ", " + a(2) + " - " + a(1) + ", ..." + a(0) + ".slice(" + a(1) + ", " + a(2) + ").sort(_cmp))"
		case "reverseRange":
			return a(0) + ".splice(" + a(1) + ", " + a(2) + " - " + a(1) + ", ..." + a(0) + ".slice(" + a(1) + ", " + a(2) + ").reverse())"
		}
	}
	return e.expr(x)
}

// cond writes a condition: Python's and C's truthiness of a value becomes a comparison where
// JavaScript's differs (an empty array or map is true in JavaScript).
func (e *jsEmit) cond(x *Expr) string {
	switch x.T.K {
	case TList:
		return e.paren(x) + ".length > 0"
	case TMap, TSet:
		return e.paren(x) + ".size > 0"
	}
	return e.expr(x)
}

// conv writes x as a value of type want.
func (e *jsEmit) conv(x *Expr, want Type) string {
	have := x.T
	switch {
	case want.K == TChar && have.K == TInt:
		if x.K == ELit {
			n, _ := strconv.Atoi(x.Op)
			return jsQuote(string(rune(n)))
		}
		return "String.fromCodePoint(" + e.expr(x) + ")"
	case want.K == TInt && have.K == TChar:
		return e.ord(x)
	case want.K == TInt && have.K == TBool:
		return "(" + e.expr(x) + " ? 1 : 0)"
	case want.K == TInt && want.Bits == 32 && have.K == TInt && have.Bits == 64 && x.K == ECast:
		return "(" + e.expr(x) + " | 0)"
	case want.K == TInt && have.K == TFloat:
		return "Math.trunc(" + e.expr(x) + ")"
	}
	return e.expr(x)
}

func (e *jsEmit) ord(x *Expr) string {
	if x.T.K == TChar {
		if x.K == ELit {
			return strconv.Itoa(int([]rune(x.Op)[0]))
		}
		return e.paren(x) + ".codePointAt(0)"
	}
	if x.T.K == TBool {
		return "(" + e.expr(x) + " ? 1 : 0)"
	}
	return e.expr(x)
}

func jsQuote(s string) string {
	b, _ := json.Marshal(s)
	return strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(string(b))
}

// atomic reports whether x is written without operators at its top, so it needs no parentheses.
func atomic(x *Expr) bool {
	switch x.K {
	case ELit:
		return !strings.HasPrefix(x.Op, "-")
	case EName, ECall, EIndex, ESlice, EList, EMap, ESetLit, ENew, EComp:
		return true
	case EBuiltin:
		switch x.Op {
		case "len", "min", "max", "minOf", "maxOf", "abs", "ord", "chr", "str", "sqrt", "copy", "inf":
			return true
		}
	}
	return false
}

// paren writes x, in parentheses unless it is atomic.
func (e *jsEmit) paren(x *Expr) string {
	s := e.expr(x)
	if atomic(x) {
		return s
	}
	return "(" + s + ")"
}

// num writes x as a number operand: a character becomes its code, a bool 0 or 1.
func (e *jsEmit) num(x *Expr) string {
	if x.T.K == TChar || x.T.K == TBool {
		return e.ord(x)
	}
	return e.paren(x)
}

func (e *jsEmit) expr(x *Expr) string {
	switch x.K {
	case ELit:
		switch x.T.K {
		case TString, TChar:
			return jsQuote(x.Op)
		case TInt:
			if n, err := strconv.ParseInt(x.Op, 10, 64); err == nil && (n > 1<<53 || n < -(1<<53)) {
				e.add(x.Line, "integer literal %s beyond JavaScript's exact range", x.Op)
			}
		}
		return x.Op
	case EName:
		return jsName(x.Op)
	case EUn:
		a := x.Args[0]
		switch x.Op {
		case "!":
			return "!" + "(" + e.cond(a) + ")"
		case "-":
			if x.T.K == TInt && x.T.Bits == 32 {
				return "(-" + e.num(a) + " | 0)"
			}
			return "-" + e.num(a)
		case "~":
			if x.T.K == TInt && x.T.Bits == 0 || x.T.Bits == 64 {
				return "(-" + e.num(a) + " - 1)" // ~x on an int wider than 32 bits
			}
			return "~" + e.num(a)
		}
		return e.num(a)
	case EBin:
		return e.binary(x)
	case ECond:
		return "(" + e.cond(x.Args[0]) + " ? " + e.expr(x.Args[1]) + " : " + e.conv(x.Args[2], x.Args[1].T) + ")"
	case ECall:
		f := e.prog.fn(x.Op)
		var as []string
		for i, a := range x.Args {
			if f != nil && i < len(f.Params) {
				as = append(as, e.conv(a, f.Params[i].T))
			} else {
				as = append(as, e.expr(a))
			}
		}
		return jsName(x.Op) + "(" + strings.Join(as, ", ") + ")"
	case EIndex:
		c, i := x.Args[0], x.Args[1]
		switch c.T.K {
		case TMap:
			g := e.paren(c) + ".get(" + e.conv(i, c.T.key()) + ")"
			if e.src == "go" {
				return "(" + g + " ?? " + jsZero(c.T.elem()) + ")" // a Go map gives the zero value for a missing key
			}
			return g
		case TList, TString:
			if e.src == "python" && !nonNeg(i) {
				return e.paren(c) + ".at(" + e.conv(i, tInt) + ")" // Python's xs[-1]
			}
			return e.paren(c) + "[" + e.conv(i, tInt) + "]"
		}
		e.add(x.Line, "indexing a %s", c.T)
		return "0"
	case ESlice:
		var as []string
		if x.Args[1] != nil {
			as = append(as, e.conv(x.Args[1], tInt))
		} else if x.Args[2] != nil {
			as = append(as, "0")
		}
		if x.Args[2] != nil {
			as = append(as, e.conv(x.Args[2], tInt))
		}
		return e.paren(x.Args[0]) + ".slice(" + strings.Join(as, ", ") + ")"
	case EList:
		var as []string
		for _, a := range x.Args {
			as = append(as, e.conv(a, x.T.elem()))
		}
		return "[" + strings.Join(as, ", ") + "]"
	case ESetLit:
		var as []string
		for _, a := range x.Args {
			as = append(as, e.expr(a))
		}
		return "new Set([" + strings.Join(as, ", ") + "])"
	case EMap:
		var as []string
		for i := 0; i+1 < len(x.Args); i += 2 {
			as = append(as, "["+e.expr(x.Args[i])+", "+e.expr(x.Args[i+1])+"]")
		}
		if len(as) == 0 {
			return "new Map()"
		}
		return "new Map([" + strings.Join(as, ", ") + "])"
	case ECast:
		return e.cast(x)
	case ENew:
		return e.newList(x.T, x.Args)
	case EComp:
		return e.comprehension(x)
	case EBuiltin:
		return e.builtin(x)
	}
	e.add(x.Line, "expression")
	return "0"
}

func (e *jsEmit) cast(x *Expr) string {
	a := x.Args[0]
	switch x.T.K {
	case TInt:
		switch a.T.K {
		case TChar, TBool:
			return e.ord(a)
		case TFloat:
			if x.T.Bits == 32 {
				return "(" + e.paren(a) + " | 0)"
			}
			return "Math.trunc(" + e.expr(a) + ")"
		case TInt:
			if x.T.Bits == 32 && a.T.Bits != 32 {
				return "(" + e.paren(a) + " | 0)"
			}
			if x.T.Unsigned || a.T.Unsigned {
				break
			}
			return e.expr(a)
		}
	case TFloat:
		return e.num(a)
	case TChar:
		if a.T.K == TChar {
			return e.expr(a)
		}
		return e.conv(a, tChar)
	case TString:
		switch a.T.K {
		case TInt:
			return "String.fromCodePoint(" + e.expr(a) + ")"
		case TString, TChar:
			return e.expr(a)
		}
		return e.strPart(a)
	case TBool:
		return "(" + e.cond(a) + " ? true : false)"
	case TList:
		if a.T.K == TString {
			return "[..." + e.expr(a) + "]"
		}
	}
	e.add(x.Line, "cast to %s from %s", x.T, a.T)
	return "0"
}

func jsZero(t Type) string {
	switch t.K {
	case TFloat, TInt:
		return "0"
	case TBool:
		return "false"
	case TString:
		return `""`
	case TChar:
		return `"\u0000"`
	}
	return "undefined"
}

func (e *jsEmit) newList(t Type, dims []*Expr) string {
	if len(dims) == 0 {
		return "[]"
	}
	if len(dims) == 1 {
		return "new Array(" + e.conv(dims[0], tInt) + ").fill(" + jsZero(t.elem()) + ")"
	}
	return "Array.from({ length: " + e.conv(dims[0], tInt) + " }, () => " + e.newList(t.elem(), dims[1:]) + ")"
}

func (e *jsEmit) iterable(iter *Expr) string {
	if iter.K == EBuiltin && iter.Op == "range" {
		e.helpers["_range"] = true
		return "_range(" + e.conv(iter.Args[0], tInt) + ", " + e.conv(iter.Args[1], tInt) + ", " + e.conv(iter.Args[2], tInt) + ")"
	}
	switch iter.T.K {
	case TList:
		return e.paren(iter)
	case TString, TSet:
		return "[..." + e.expr(iter) + "]"
	case TMap:
		return "[..." + e.paren(iter) + ".keys()]"
	}
	e.add(iter.Line, "iteration over %s", iter.T)
	return "[]"
}

func (e *jsEmit) comprehension(x *Expr) string {
	elem, iter, cond := x.Args[0], x.Args[1], x.Args[2]
	v := jsName(x.Op)
	s := e.iterable(iter)
	if cond != nil {
		s += ".filter((" + v + ") => " + e.cond(cond) + ")"
	}
	if elem.K == EName && elem.Op == x.Op {
		if cond == nil {
			return "[..." + s + "]"
		}
		return s
	}
	return s + ".map((" + v + ") => " + e.conv(elem, x.T.elem()) + ")"
}

// wrap32 wraps an int expression of a 32-bit type to 32 bits.
func wrap32(t Type, s string) string {
	if t.K == TInt && t.Bits == 32 && !t.Unsigned {
		return "(" + s + " | 0)"
	}
	return s
}

func (e *jsEmit) binary(x *Expr) string {
	l, r := x.Args[0], x.Args[1]
	lt, rt := l.T, r.T
	isInt := func(t Type) bool { return t.K == TInt || t.K == TChar || t.K == TBool }
	bothInt := isInt(lt) && isInt(rt)
	std := func(op string) string { return e.num(l) + " " + op + " " + e.num(r) }
	if (lt.Unsigned || rt.Unsigned) && isArith(x.Op) {
		e.add(x.Line, "unsigned arithmetic")
	}
	switch x.Op {
	case "&&":
		return e.paren2(l) + " && " + e.paren2(r)
	case "||":
		return e.paren2(l) + " || " + e.paren2(r)
	case "in", "not in":
		var s string
		switch rt.K {
		case TList, TString:
			s = e.paren(r) + ".includes(" + e.expr(l) + ")"
		case TSet, TMap:
			s = e.paren(r) + ".has(" + e.expr(l) + ")"
		default:
			e.add(x.Line, "in on %s", rt)
			return "false"
		}
		if x.Op == "not in" {
			return "!" + s
		}
		return s
	case "+":
		if x.T.K == TString {
			return e.strPart(l) + " + " + e.strPart(r)
		}
		if lt.K == TList {
			return "[..." + e.expr(l) + ", ..." + e.expr(r) + "]"
		}
		if bothInt && x.T.Bits == 32 && (hasMul(l) || hasMul(r)) {
			return wrap32(x.T, std("+"))
		}
		return std("+")
	case "-":
		if bothInt && x.T.Bits == 32 && (hasMul(l) || hasMul(r)) {
			return wrap32(x.T, std("-"))
		}
		return std("-")
	case "*":
		if lt.K == TString || lt.K == TList {
			if lt.K == TString {
				return e.paren(l) + ".repeat(" + e.expr(r) + ")"
			}
			e.helpers["_repeat"] = true
			return "_repeat(" + e.expr(l) + ", " + e.expr(r) + ")"
		}
		if bothInt && x.T.K == TInt && x.T.Bits == 32 && !x.T.Unsigned {
			return "Math.imul(" + e.num(l) + ", " + e.num(r) + ")"
		}
		return std("*")
	case "<<":
		if x.T.Bits == 32 {
			return std("<<")
		}
		return e.num(l) + " * 2 ** " + e.num(r) // a shift wider than JavaScript's 32 bits
	case ">>":
		if x.T.Bits == 32 {
			return std(">>")
		}
		return "Math.floor(" + e.num(l) + " / 2 ** " + e.num(r) + ")"
	case "&", "|", "^":
		if lt.K == TBool && rt.K == TBool {
			return "Boolean(" + std(x.Op) + ")"
		}
		if x.T.Bits != 32 {
			// JavaScript's & | ^ work on 32 bits; BigInt's on the whole integer, as Python's, Go's
			// and Java's long do (exact while the values stay within 2^53).
			e.helpers["_bitop"] = true
			return "_bitop(" + jsQuote(x.Op) + ", " + e.num(l) + ", " + e.num(r) + ")"
		}
		return std(x.Op)
	case OpTruncDiv:
		if x.T.K == TFloat || !bothInt {
			return std("/")
		}
		return wrap32(x.T, "Math.trunc("+std("/")+")")
	case OpRem:
		return std("%")
	case OpFloorDiv:
		return "Math.floor(" + std("/") + ")"
	case OpMod:
		e.helpers["_mod"] = true
		return "_mod(" + e.num(l) + ", " + e.num(r) + ")"
	case OpTrueDiv:
		return std("/")
	case "**":
		return e.num(l) + " ** " + e.num(r)
	case "==", "!=":
		if lt.K == TList || rt.K == TList {
			e.helpers["_eq"] = true
			s := "_eq(" + e.expr(l) + ", " + e.expr(r) + ")"
			if x.Op == "!=" {
				return "!" + s
			}
			return s
		}
		op := x.Op + "="
		if (lt.K == TBool) != (rt.K == TBool) && lt.numeric() && rt.numeric() {
			return std(op) // Python's False == 0: a bool compared with a number is 0 or 1
		}
		if (lt.K == TChar) != (rt.K == TChar) && (lt.K == TString || rt.K == TString) {
			return e.paren(l) + " " + op + " " + e.paren(r)
		}
		if (lt.K == TChar) != (rt.K == TChar) {
			return std(op)
		}
		return e.paren(l) + " " + op + " " + e.paren(r)
	case "<", "<=", ">", ">=":
		if (lt.K == TChar) != (rt.K == TChar) {
			return std(x.Op)
		}
		return e.paren(l) + " " + x.Op + " " + e.paren(r)
	}
	e.add(x.Line, "operator %s", x.Op)
	return "0"
}

// paren2 writes an operand of && or ||: a condition in parentheses unless atomic.
func (e *jsEmit) paren2(x *Expr) string {
	s := e.cond(x)
	if atomic(x) && x.T.K != TList && x.T.K != TMap && x.T.K != TSet {
		return s
	}
	return "(" + s + ")"
}

// strPart writes one operand of a string concatenation: JavaScript's + converts numbers itself, a
// bool is written as the source writes it.
func (e *jsEmit) strPart(x *Expr) string {
	switch x.T.K {
	case TString, TChar, TInt:
		return e.paren(x)
	case TBool:
		if e.src == "python" {
			return "(" + e.expr(x) + " ? \"True\" : \"False\")"
		}
		return e.paren(x)
	}
	e.add(x.Line, "%s in a string concatenation", x.T)
	return e.paren(x)
}

// sortCmp is the comparator of a sort over elements of t: JavaScript's default compares as strings.
func (e *jsEmit) sortCmp(t Type, desc bool) string {
	switch t.K {
	case TInt, TFloat, TBool:
		if desc {
			return "(a, b) => b - a"
		}
		return "(a, b) => a - b"
	case TString, TChar:
		e.helpers["_cmp"] = true
		if desc {
			return "(a, b) => _cmp(b, a)"
		}
		return "_cmp"
	}
	return ""
}

func (e *jsEmit) builtin(x *Expr) string {
	a := func(i int) string { return e.expr(x.Args[i]) }
	t := func(i int) Type { return x.Args[i].T }
	n := len(x.Args)
	args := func(from int) string {
		var as []string
		for i := from; i < n; i++ {
			as = append(as, e.expr(x.Args[i]))
		}
		return strings.Join(as, ", ")
	}
	nums := func() string {
		var as []string
		for i := range x.Args {
			as = append(as, e.num(x.Args[i]))
		}
		return strings.Join(as, ", ")
	}
	fail := func() string {
		e.add(x.Line, "%s on %s in JavaScript", x.Op, argTypes(x))
		return "0"
	}
	switch x.Op {
	case "len":
		switch t(0).K {
		case TList:
			return e.paren(x.Args[0]) + ".length"
		case TString:
			return e.paren(x.Args[0]) + ".length"
		case TMap, TSet:
			return e.paren(x.Args[0]) + ".size"
		}
		return fail()
	case "min", "max":
		if x.T.K == TChar || x.T.K == TString {
			e.helpers["_cmp"] = true
			op := "<"
			if x.Op == "max" {
				op = ">"
			}
			return "(" + e.paren(x.Args[0]) + " " + op + " " + e.paren(x.Args[1]) + " ? " + a(0) + " : " + a(1) + ")"
		}
		return "Math." + x.Op + "(" + nums() + ")"
	case "minOf", "maxOf":
		if el := t(0).elem(); t(0).K == TList && (el.K == TInt || el.K == TFloat) {
			// reduce rather than Math.max(...xs): a spread of a long array overflows the stack, and
			// an empty one must raise as Python's max([]) does.
			op := strings.TrimSuffix(x.Op, "Of")
			return e.paren(x.Args[0]) + ".reduce((a, b) => Math." + op + "(a, b))"
		}
		return fail()
	case "abs", "fabs":
		return "Math.abs(" + nums() + ")"
	case "sqrt", "log", "log10", "log2", "exp", "sin", "cos", "tan", "atan", "atan2", "hypot", "asin", "acos", "cbrt":
		return "Math." + x.Op + "(" + nums() + ")"
	case "fpow":
		return "Math.pow(" + nums() + ")"
	case "floor", "ceil", "ifloor", "iceil":
		return "Math." + strings.TrimPrefix(strings.TrimPrefix(x.Op, "i"), "") + "(" + nums() + ")"
	case "itrunc":
		return "Math.trunc(" + nums() + ")"
	case "jround":
		return "Math.round(" + nums() + ")" // Java's and JavaScript's: floor(x + 0.5)
	case "round":
		if n != 1 {
			return fail()
		}
		e.helpers["_round"] = true
		return "_round(" + nums() + ")"
	case "gcd":
		e.helpers["_gcd"] = true
		return "_gcd(" + nums() + ")"
	case "pow":
		if n != 2 {
			return fail()
		}
		return e.num(x.Args[0]) + " ** " + e.num(x.Args[1])
	case "floorMod":
		e.helpers["_mod"] = true
		return "_mod(" + nums() + ")"
	case "floorDiv":
		return "Math.floor(" + e.num(x.Args[0]) + " / " + e.num(x.Args[1]) + ")"
	case "bitCount":
		e.helpers["_bits"] = true
		return "_bits(" + nums() + ")"
	case "isqrt":
		e.helpers["_isqrt"] = true
		return "_isqrt(" + nums() + ")"
	case "factorial":
		e.helpers["_fact"] = true
		return "_fact(" + nums() + ")"
	case "inf":
		return "Infinity"
	case "int":
		switch t(0).K {
		case TChar, TBool:
			return e.ord(x.Args[0])
		case TFloat:
			return "Math.trunc(" + a(0) + ")"
		case TInt:
			return a(0)
		case TString:
			if n == 1 {
				e.helpers["_int"] = true
				return "_int(" + a(0) + ")"
			}
		}
		return fail()
	case "float":
		if t(0).K == TString {
			if x.Args[0].K == ELit {
				switch strings.ToLower(strings.TrimSpace(x.Args[0].Op)) {
				case "inf", "+inf", "infinity", "+infinity":
					return "Infinity"
				case "-inf", "-infinity":
					return "-Infinity"
				}
			}
			e.helpers["_float"] = true
			return "_float(" + a(0) + ")"
		}
		return e.num(x.Args[0])
	case "bool":
		return "(" + e.cond(x.Args[0]) + " ? true : false)"
	case "str":
		switch t(0).K {
		case TString, TChar:
			return a(0)
		case TInt:
			return "String(" + a(0) + ")"
		case TBool:
			if e.src == "python" {
				return "(" + a(0) + " ? \"True\" : \"False\")"
			}
			return "String(" + a(0) + ")"
		}
		return fail() // a float: every language writes it its own way
	case "upper":
		return e.paren(x.Args[0]) + ".toUpperCase()"
	case "lower":
		return e.paren(x.Args[0]) + ".toLowerCase()"
	case "strip", "lstrip", "rstrip":
		if n != 1 {
			return fail()
		}
		m := map[string]string{"strip": "trim", "lstrip": "trimStart", "rstrip": "trimEnd"}[x.Op]
		return e.paren(x.Args[0]) + "." + m + "()"
	case "isdigit", "isalpha", "isupper", "islower", "isalnum", "isspace":
		e.helpers["_"+x.Op] = true
		return "_" + x.Op + "(" + a(0) + ")"
	case "charAt":
		return e.paren(x.Args[0]) + "[" + e.conv(x.Args[1], tInt) + "]"
	case "substring":
		if n == 2 {
			return e.paren(x.Args[0]) + ".slice(" + a(1) + ")"
		}
		return e.paren(x.Args[0]) + ".slice(" + a(1) + ", " + a(2) + ")"
	case "equals":
		return e.paren(x.Args[0]) + " === " + e.paren(x.Args[1])
	case "find":
		return e.paren(x.Args[0]) + ".indexOf(" + args(1) + ")"
	case "rfind":
		if n != 2 {
			return fail()
		}
		return e.paren(x.Args[0]) + ".lastIndexOf(" + a(1) + ")"
	case "index":
		if n != 2 {
			return fail()
		}
		e.helpers["_index"] = true
		return "_index(" + a(0) + ", " + a(1) + ")"
	case "count":
		if n != 2 {
			return fail()
		}
		e.helpers["_count"] = true
		e.helpers["_eq"] = true
		return "_count(" + a(0) + ", " + a(1) + ")"
	case "contains", "containsKey":
		switch t(0).K {
		case TList, TString:
			return e.paren(x.Args[0]) + ".includes(" + a(1) + ")"
		case TSet, TMap:
			return e.paren(x.Args[0]) + ".has(" + a(1) + ")"
		}
		return fail()
	case "mapget":
		if n == 2 {
			return "(" + e.paren(x.Args[0]) + ".get(" + a(1) + ") ?? null)"
		}
		return "(" + e.paren(x.Args[0]) + ".has(" + a(1) + ") ? " + e.paren(x.Args[0]) + ".get(" + a(1) + ") : " + e.conv(x.Args[2], t(0).elem()) + ")"
	case "isEmpty":
		if t(0).K == TMap || t(0).K == TSet {
			return e.paren(x.Args[0]) + ".size === 0"
		}
		return e.paren(x.Args[0]) + ".length === 0"
	case "startswith":
		return e.paren(x.Args[0]) + ".startsWith(" + args(1) + ")"
	case "endswith":
		return e.paren(x.Args[0]) + ".endsWith(" + args(1) + ")"
	case "replace":
		if n != 3 {
			return fail()
		}
		return e.paren(x.Args[0]) + ".replaceAll(" + a(1) + ", " + a(2) + ")"
	case "split":
		if n == 1 {
			e.helpers["_split"] = true
			return "_split(" + a(0) + ")"
		}
		if n == 2 && x.Args[1].K == ELit && x.Args[1].Op != "" {
			return e.paren(x.Args[0]) + ".split(" + a(1) + ")"
		}
		return fail()
	case "chars", "copy":
		if t(0).K == TString || t(0).K == TList {
			return "[..." + a(0) + "]"
		}
		return fail()
	case "keys":
		return "[..." + e.paren(x.Args[0]) + ".keys()]"
	case "values":
		return "[..." + e.paren(x.Args[0]) + ".values()]"
	case "append":
		return e.paren(x.Args[0]) + ".push(" + e.conv(x.Args[1], t(0).elem()) + ")"
	case "extend":
		return e.paren(x.Args[0]) + ".push(..." + a(1) + ")"
	case "setadd":
		return e.paren(x.Args[0]) + ".add(" + a(1) + ")"
	case "insert":
		return e.paren(x.Args[0]) + ".splice(" + a(1) + ", 0, " + e.conv(x.Args[2], t(0).elem()) + ")"
	case "pop", "popAtJava":
		if n == 1 {
			return e.paren(x.Args[0]) + ".pop()"
		}
		return e.paren(x.Args[0]) + ".splice(" + a(1) + ", 1)[0]"
	case "remove", "setdiscard":
		switch t(0).K {
		case TSet, TMap:
			return e.paren(x.Args[0]) + ".delete(" + a(1) + ")"
		case TList:
			e.helpers["_remove"] = true
			return "_remove(" + a(0) + ", " + a(1) + ")"
		}
		return fail()
	case "clear":
		if t(0).K == TList {
			return e.paren(x.Args[0]) + ".length = 0"
		}
		return e.paren(x.Args[0]) + ".clear()"
	case "sort", "sortDesc":
		c := e.sortCmp(t(0).elem(), x.Op == "sortDesc")
		if c == "" || n != 1 {
			return fail()
		}
		return e.paren(x.Args[0]) + ".sort(" + c + ")"
	case "sorted", "sortedDesc":
		el := t(0).elem()
		if t(0).K == TString {
			el = tString
		}
		c := e.sortCmp(el, x.Op == "sortedDesc")
		if c == "" || n != 1 {
			return fail()
		}
		return "[..." + a(0) + "].sort(" + c + ")"
	case "reverse":
		return e.paren(x.Args[0]) + ".reverse()"
	case "reversed":
		return "[..." + a(0) + "].reverse()"
	case "revslice":
		if t(0).K == TString {
			return "[..." + a(0) + "].reverse().join(\"\")"
		}
		return "[..." + a(0) + "].reverse()"
	case "rangeLen":
		switch t(0).K {
		case TInt:
			return a(0)
		case TList:
			return e.paren(x.Args[0]) + ".length"
		case TString:
			return "[..." + a(0) + "].length"
		}
		return fail()
	case "appendExpr":
		return "[..." + a(0) + ", " + e.conv(x.Args[1], t(0).elem()) + "]"
	case "concatList":
		return "[..." + a(0) + ", ..." + a(1) + "]"
	case "join":
		switch t(1).elem().K {
		case TString, TChar, TInt:
			return e.paren(x.Args[1]) + ".join(" + a(0) + ")"
		}
		return fail()
	case "joinGo":
		return e.paren(x.Args[0]) + ".join(" + a(1) + ")"
	case "sum":
		if t(0).K == TList {
			return e.paren(x.Args[0]) + ".reduce((a, b) => a + b, 0)"
		}
		return fail()
	case "any":
		return e.paren(x.Args[0]) + ".some(Boolean)"
	case "all":
		return e.paren(x.Args[0]) + ".every(Boolean)"
	case "set":
		if n == 0 {
			return "new Set()"
		}
		return "new Set(" + a(0) + ")"
	case "fill":
		v := x.Args[1]
		if v.T.K == TList || v.T.K == TMap || v.T.K == TSet {
			return "Array.from({ length: " + a(0) + " }, () => " + e.expr(v) + ")"
		}
		return "new Array(" + a(0) + ").fill(" + e.conv(v, x.T.elem()) + ")"
	case "repeat":
		return e.paren(x.Args[0]) + ".repeat(" + a(1) + ")"
	case "ord":
		if t(0).K == TString {
			return e.paren(x.Args[0]) + ".codePointAt(0)"
		}
		return e.ord(x.Args[0])
	case "chr":
		return "String.fromCodePoint(" + e.num(x.Args[0]) + ")"
	}
	return fail()
}
