package rules

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// cfEmit writes the IR as Java (static methods, to be placed in a class) or as C++17 (free
// functions). The two share C's statement and expression syntax; they differ in types, strings and
// the library.
//
// Integers: a 32-bit int of the source (Java's int, C's int) stays int and wraps as the source's does
// (in C++ through unsigned arithmetic, since signed overflow is undefined there); Python's and
// JavaScript's unbounded integers and Go's int become Java's long and C++'s long long, so results
// beyond 2^63 are not reproduced (as in the Go translation). Python's flooring // and % become
// Math.floorDiv/Math.floorMod in Java and small helpers in C++; the C-family truncating / and % are
// the targets' own.
//
// Strings: a Python string is a String (std::string) whose elements are one-character strings: s[i]
// is String.valueOf(s.charAt(i)) (std::string(1, s[i])). Java indexes UTF-16 units and C++ bytes, so
// text outside the Basic Multilingual Plane (Java) or outside ASCII (C++) is not indexed as Python
// indexes it; differential testing shows it. A character of a C-family or Go source is a char.
//
// Lists: in Java, arrays (long[], int[], String[] ...): a list that grows (append, insert, pop ...) is
// not covered. A Python or JavaScript function with a list-of-int parameter gets a second entry that
// takes int[], as GfG-style callers pass it, and converts (writing the elements back after the call).
// In C++, std::vector; a list-of-int parameter that the function only indexes is written int a[] (as
// those callers pass a pointer), one it measures or iterates is a std::vector passed by reference.
// Maps and sets are HashMap/HashSet (std::unordered_map/set); iterating one is covered only when the
// source language is the target's own (elsewhere the order would differ).
type cfEmit struct {
	gaps
	java    bool
	src     string
	b       strings.Builder
	helpers map[string]bool
	fn      *Func
	prog    *Program
	depth   int
	tmp     int
	ng      *goEmit         // for nonNeg (Python's negative indices)
	ptr     map[string]bool // C++: list parameters passed as pointers (only indexed)
	ptrs    map[string]map[string]bool
	rename  map[string]string
	lazy    int // > 0 inside && || ?: (no hoisting of comprehensions there)
	pre     []string
}

var javaReserved = map[string]bool{
	"abstract": true, "assert": true, "boolean": true, "break": true, "byte": true, "case": true, "catch": true,
	"char": true, "class": true, "const": true, "continue": true, "default": true, "do": true, "double": true,
	"else": true, "enum": true, "extends": true, "final": true, "finally": true, "float": true, "for": true,
	"goto": true, "if": true, "implements": true, "import": true, "instanceof": true, "int": true, "interface": true,
	"long": true, "native": true, "new": true, "package": true, "private": true, "protected": true, "public": true,
	"return": true, "short": true, "static": true, "strictfp": true, "super": true, "switch": true,
	"synchronized": true, "this": true, "throw": true, "throws": true, "transient": true, "try": true,
	"void": true, "volatile": true, "while": true, "true": true, "false": true, "null": true, "var": true,
	"record": true, "yield": true, "String": true, "Math": true, "System": true, "Integer": true, "Long": true,
	"Character": true, "Arrays": true, "java": true,
}

var cppReserved = map[string]bool{
	"alignas": true, "alignof": true, "and": true, "and_eq": true, "asm": true, "auto": true, "bitand": true,
	"bitor": true, "bool": true, "break": true, "case": true, "catch": true, "char": true, "class": true,
	"compl": true, "const": true, "constexpr": true, "const_cast": true, "continue": true, "decltype": true,
	"default": true, "delete": true, "do": true, "double": true, "dynamic_cast": true, "else": true, "enum": true,
	"explicit": true, "export": true, "extern": true, "false": true, "float": true, "for": true, "friend": true,
	"goto": true, "if": true, "inline": true, "int": true, "long": true, "mutable": true, "namespace": true,
	"new": true, "noexcept": true, "not": true, "not_eq": true, "nullptr": true, "operator": true, "or": true,
	"or_eq": true, "private": true, "protected": true, "public": true, "register": true, "reinterpret_cast": true,
	"return": true, "short": true, "signed": true, "sizeof": true, "static": true, "static_assert": true,
	"static_cast": true, "struct": true, "switch": true, "template": true, "this": true, "thread_local": true,
	"throw": true, "true": true, "try": true, "typedef": true, "typeid": true, "typename": true, "union": true,
	"unsigned": true, "using": true, "virtual": true, "void": true, "volatile": true, "wchar_t": true,
	"while": true, "xor": true, "xor_eq": true, "std": true, "main": true,
}

func emitJava(prog *Program, from string) (string, error) { return emitCFamily(prog, from, true) }
func emitCpp(prog *Program, from string) (string, error)  { return emitCFamily(prog, from, false) }

func emitCFamily(prog *Program, from string, java bool) (string, error) {
	if java {
		renameVars(prog, javaReserved)
	} else {
		renameVars(prog, cppReserved)
	}
	e := &cfEmit{java: java, src: from, helpers: map[string]bool{}, prog: prog}
	var body strings.Builder
	if !java {
		// Every function is declared first: C++ needs a declaration before a call, and the source's
		// functions may call each other in any order.
		for _, f := range prog.Funcs {
			e.fn = f
			e.ptrParams(f)
			body.WriteString(e.header(f) + ";\n")
		}
		body.WriteString("\n")
	}
	functions(&body, prog, "\n", &e.b, e.function)
	if err := e.err(); err != nil {
		return "", err
	}
	var out strings.Builder
	if !java {
		out.WriteString("#include <bits/stdc++.h>\n\n")
	}
	hs := slices.Sorted(maps.Keys(e.helpers))
	lib := cppHelpers
	if java {
		lib = javaHelpers
	}
	for _, h := range hs {
		out.WriteString(lib[h])
		out.WriteString("\n")
	}
	out.WriteString(body.String())
	return out.String(), nil
}

var javaHelpers = map[string]string{
	"weftPow": `static long weftPow(long a, long b) {
    long r = 1;
    for (; b > 0; b--) r *= a;
    return r;
}
`,
	"weftFMod": `// weftFMod is Python's a % b on floats: the result has the divisor's sign.
static double weftFMod(double a, double b) {
    double r = a % b;
    return r != 0 && (r < 0) != (b < 0) ? r + b : r;
}
`,
	"weftLongs": `static long[] weftLongs(int[] a) {
    long[] r = new long[a.length];
    for (int i = 0; i < a.length; i++) r[i] = a[i];
    return r;
}
`,
	"weftStore": `// weftStore writes the elements of a list back to the int[] it was made from, as the caller's list
// would see them.
static void weftStore(int[] dst, long[] src) {
    for (int i = 0; i < dst.length && i < src.length; i++) dst[i] = (int) src[i];
}
`,
	"weftIdx": `// weftIdx is the position of Python's xs[i]: a negative i counts from the end.
static int weftIdx(long i, int n) {
    return (int) (i < 0 ? i + n : i);
}
`,
	"weftGcd": `static long weftGcd(long a, long b) {
    a = Math.abs(a);
    b = Math.abs(b);
    while (b != 0) { long t = a % b; a = b; b = t; }
    return a;
}
`,
	"weftStr": `// weftStr is Python's str() of a bool.
static String weftStr(boolean b) {
    return b ? "True" : "False";
}
`,
	"weftSlice": `// weftSlice is Python's s[lo:hi] on a string: bounds counted from the end when negative, clamped.
static String weftSlice(String s, long lo, long hi) {
    int n = s.length();
    if (lo < 0) lo += n;
    if (hi < 0) hi += n;
    lo = Math.max(0, Math.min(lo, n));
    hi = Math.max(lo, Math.min(hi, n));
    return s.substring((int) lo, (int) hi);
}
`,
	"weftRev": `static String weftRev(String s) {
    return new StringBuilder(s).reverse().toString();
}
`,
}

var cppHelpers = map[string]string{
	"weft_floordiv": `// weft_floordiv is Python's a // b on integers: the quotient rounded toward negative infinity.
static long long weft_floordiv(long long a, long long b) {
    long long q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) q--;
    return q;
}
`,
	"weft_mod": `// weft_mod is Python's a % b on integers: the result has the divisor's sign.
static long long weft_mod(long long a, long long b) {
    long long r = a % b;
    if (r != 0 && ((r < 0) != (b < 0))) r += b;
    return r;
}
`,
	"weft_fmod": `// weft_fmod is Python's a % b on floats: the result has the divisor's sign.
static double weft_fmod(double a, double b) {
    double r = std::fmod(a, b);
    if (r != 0 && ((r < 0) != (b < 0))) r += b;
    return r;
}
`,
	"weft_pow": `static long long weft_pow(long long a, long long b) {
    long long r = 1;
    for (; b > 0; b--) r *= a;
    return r;
}
`,
	"weft_idx": `// weft_idx is the position of Python's xs[i]: a negative i counts from the end.
static long long weft_idx(long long i, size_t n) {
    return i < 0 ? i + (long long) n : i;
}
`,
	"weft_gcd": `static long long weft_gcd(long long a, long long b) {
    a = a < 0 ? -a : a;
    b = b < 0 ? -b : b;
    while (b != 0) { long long t = a % b; a = b; b = t; }
    return a;
}
`,
	"weft_slice": `// weft_slice is Python's s[lo:hi] on a string: bounds counted from the end when negative, clamped.
static std::string weft_slice(const std::string &s, long long lo, long long hi) {
    long long n = (long long) s.size();
    if (lo < 0) lo += n;
    if (hi < 0) hi += n;
    lo = std::max(0LL, std::min(lo, n));
    hi = std::max(lo, std::min(hi, n));
    return s.substr(lo, hi - lo);
}
`,
	"weft_upper": `static std::string weft_upper(std::string s) {
    for (auto &c : s) c = (char) std::toupper((unsigned char) c);
    return s;
}
`,
	"weft_lower": `static std::string weft_lower(std::string s) {
    for (auto &c : s) c = (char) std::tolower((unsigned char) c);
    return s;
}
`,
	"weft_strpred": `// weft_strpred is Python's str.isdigit(), isalpha(), isalnum(), isspace() (every character, not
// empty), isupper() and islower() (at least one cased character, none of the other case), on ASCII.
static bool weft_strpred(const std::string &s, const std::string &what) {
    bool cased = false;
    for (unsigned char c : s) {
        if (what == "isupper" || what == "islower") {
            if (std::isupper(c) || std::islower(c)) cased = true;
            if (what == "isupper" ? std::islower(c) : std::isupper(c)) return false;
            continue;
        }
        bool ok = what == "isdigit" ? std::isdigit(c) : what == "isalpha" ? std::isalpha(c) : what == "isalnum" ? std::isalnum(c) : std::isspace(c);
        if (!ok) return false;
    }
    return what == "isupper" || what == "islower" ? cased : !s.empty();
}
`,
	"weft_rev": `static std::string weft_rev(std::string s) {
    std::reverse(s.begin(), s.end());
    return s;
}
`,
}

func (e *cfEmit) line(format string, args ...any) {
	e.b.WriteString(strings.Repeat("    ", e.depth))
	fmt.Fprintf(&e.b, format, args...)
	e.b.WriteString("\n")
}

// pyInts reports a source whose integers are unbounded (written as 64-bit in the target).
func (e *cfEmit) pyInts() bool {
	return e.src == "python" || e.src == "javascript" || e.src == "typescript"
}

func (e *cfEmit) typ(t Type, line int) string {
	switch t.K {
	case TInt:
		if e.java {
			if t.Unsigned {
				e.add(line, "unsigned integers in Java")
			}
			if t.Bits == 32 {
				return "int"
			}
			return "long"
		}
		u := ""
		if t.Unsigned {
			u = "unsigned "
		}
		if t.Bits == 32 {
			return u + "int"
		}
		return u + "long long"
	case TFloat:
		return "double"
	case TBool:
		if e.java {
			return "boolean"
		}
		return "bool"
	case TString:
		if e.java {
			return "String"
		}
		return "std::string"
	case TChar:
		return "char"
	case TList:
		if e.java {
			return e.typ(t.elem(), line) + "[]"
		}
		return "std::vector<" + e.typ(t.elem(), line) + ">"
	case TSet:
		if e.java {
			return "java.util.HashSet<" + e.boxed(t.elem(), line) + ">"
		}
		return "std::unordered_set<" + e.typ(t.elem(), line) + ">"
	case TMap:
		if e.java {
			return "java.util.HashMap<" + e.boxed(t.key(), line) + ", " + e.boxed(t.elem(), line) + ">"
		}
		return "std::unordered_map<" + e.typ(t.key(), line) + ", " + e.typ(t.elem(), line) + ">"
	case TVoid:
		return "void"
	}
	e.add(line, "type %s", t)
	return "int"
}

func (e *cfEmit) boxed(t Type, line int) string {
	switch t.K {
	case TInt:
		if t.Bits == 32 {
			return "Integer"
		}
		return "Long"
	case TFloat:
		return "Double"
	case TBool:
		return "Boolean"
	case TChar:
		return "Character"
	case TString:
		return "String"
	}
	e.add(line, "%s as a key or element of a Java map or set", t)
	return "Object"
}

func (e *cfEmit) zero(t Type, line int) string {
	switch t.K {
	case TInt:
		if e.java && t.Bits != 32 {
			return "0L"
		}
		return "0"
	case TFloat:
		return "0.0"
	case TBool:
		return "false"
	case TChar:
		return "'\\0'"
	case TString:
		if e.java {
			return `""`
		}
		return ""
	}
	if e.java {
		e.typ(t, line)
		return "null"
	}
	return ""
}

// intList reports a list of unbounded (Python, JavaScript) or 64-bit ints, the parameter type that
// GfG-style callers pass as int[] / int*.
func intList(t Type) bool {
	return t.K == TList && t.elem().K == TInt && !t.elem().Unsigned
}

// ptrParams finds the C++ list-of-int parameters that are only indexed, or passed on to a parameter of
// the same kind (passed as a pointer, as GfG-style callers pass them).
func (e *cfEmit) ptrParams(f *Func) {
	if e.ptrs == nil {
		e.ptrs = ptrParamsAll(e.prog, e.java)
	}
	e.ptr = e.ptrs[f.Name]
}

func ptrParamsAll(prog *Program, java bool) map[string]map[string]bool {
	all := map[string]map[string]bool{}
	for _, f := range prog.Funcs {
		all[f.Name] = map[string]bool{}
	}
	if java {
		return all
	}
	type pass struct {
		callee string
		arg    int
		name   string
	}
	passes := map[string][]pass{} // function -> its parameters handed on whole to a function of the unit
	for _, f := range prog.Funcs {
		ptr := all[f.Name]
		for _, p := range f.Params {
			if intList(p.T) && p.T.elem().Bits != 64 {
				ptr[p.Name] = true
			}
		}
		var visit func(x *Expr, ok bool)
		visit = func(x *Expr, ok bool) {
			if x == nil {
				return
			}
			if x.K == EName && !ok {
				delete(ptr, x.Op)
			}
			for i, a := range x.Args {
				handed := x.K == ECall && prog.fn(x.Op) != nil && a.K == EName
				if handed {
					passes[f.Name] = append(passes[f.Name], pass{x.Op, i, a.Op})
				}
				visit(a, x.K == EIndex && i == 0 || handed)
			}
		}
		walkStmts(f.Body, func(s *Stmt) {
			for _, x := range []*Expr{s.Target, s.Value, s.Cond, s.Start, s.Stop, s.Step} {
				visit(x, false)
			}
			if s.Var != "" {
				delete(ptr, s.Var)
			}
			if (s.K == SAssign || s.K == SAugment) && s.Target.K == EName {
				delete(ptr, s.Target.Op)
			}
		})
	}
	// A list handed on must be a pointer on both sides or on neither.
	for changed := true; changed; {
		changed = false
		for caller, ps := range passes {
			for _, p := range ps {
				g := prog.fn(p.callee)
				if p.arg >= len(g.Params) {
					continue
				}
				cp := g.Params[p.arg].Name
				a, b := all[caller][p.name], all[p.callee][cp]
				if a != b {
					delete(all[caller], p.name)
					delete(all[p.callee], cp)
					changed = true
				}
			}
		}
	}
	return all
}

func (e *cfEmit) param(p Param) string {
	if e.ptr[p.Name] {
		return "int " + p.Name + "[]"
	}
	t := e.typ(p.T, e.fn.Line)
	if !e.java && (p.T.K == TList || p.T.K == TMap || p.T.K == TSet) && changes(e.prog, e.fn, p.Name) {
		return t + " &" + p.Name // Python's, Java's and Go's lists, maps and sets are shared with the caller
	}
	return t + " " + p.Name
}

// changes reports whether f may change the list, map or set its parameter name refers to: an element
// assigned, a mutating method, or the value handed to another function. One it does not change is
// passed by value in C++ (the same behaviour, and callers may pass a temporary).
func changes(prog *Program, f *Func, name string) bool {
	found := false
	isName := func(x *Expr) bool { return x != nil && x.K == EName && x.Op == name }
	walkStmts(f.Body, func(s *Stmt) {
		if (s.K == SAssign || s.K == SAugment) && s.Target != nil {
			t := s.Target
			for t.K == EIndex {
				t = t.Args[0]
			}
			if isName(t) {
				found = true
			}
		}
	})
	walkExprs(f.Body, func(x *Expr) {
		switch x.K {
		case ECall:
			for _, a := range x.Args {
				if isName(a) {
					found = true
				}
			}
		case EBuiltin:
			switch x.Op {
			case "len", "min", "max", "minOf", "maxOf", "sum", "sorted", "sortedDesc", "contains", "containsKey", "mapget",
				"isEmpty", "count", "index", "find", "rangeLen", "copy", "reversed", "keys", "values", "set", "str", "join":
			default:
				if len(x.Args) > 0 && isName(x.Args[0]) {
					found = true
				}
			}
		}
	})
	return found
}

func (e *cfEmit) header(f *Func) string {
	var ps []string
	for _, p := range f.Params {
		ps = append(ps, e.param(p))
	}
	res := "void"
	switch f.Result.K {
	case TVoid, TUnknown:
		if f.Result.K == TUnknown && returnsValue(f.Body) {
			e.add(f.Line, "the result type of %s", f.Name)
		}
	case TTuple:
		e.add(f.Line, "a function of several results")
	default:
		res = e.typ(f.Result, f.Line)
	}
	if e.java {
		return "static " + res + " " + f.Name + "(" + strings.Join(ps, ", ") + ")"
	}
	return res + " " + f.Name + "(" + strings.Join(ps, ", ") + ")"
}

func returnsValue(ss []*Stmt) bool {
	found := false
	walkStmts(ss, func(s *Stmt) {
		if s.K == SReturn && s.Value != nil {
			found = true
		}
	})
	return found
}

func (e *cfEmit) function(f *Func) {
	e.fn = f
	e.ng = &goEmit{}
	e.ng.nonNegVars(f)
	e.ptrParams(f)
	e.rename = map[string]string{}
	e.line("%s {", e.header(f))
	e.depth++
	params := map[string]bool{}
	for _, p := range f.Params {
		params[p.Name] = true
	}
	// Locals are declared at the top, initialised (Java's definite assignment): Python's are
	// function-scoped, and the C-family sources' block scopes nest inside this.
	seen := map[string]bool{}
	var vars []string
	note := func(v string) {
		if v != "" && v != "_" && !params[v] && !seen[v] {
			seen[v] = true
			vars = append(vars, v)
		}
	}
	walkStmts(f.Body, func(s *Stmt) {
		if (s.K == SAssign || s.K == SAugment) && s.Target.K == EName {
			note(s.Target.Op)
		}
		if s.K == SAssign && s.Target.K == ETuple {
			for _, a := range s.Target.Args {
				if a.K == EName {
					note(a.Op)
				}
			}
		}
		if s.K == SRange || s.K == SForEach {
			note(s.Var)
		}
	})
	sort.Strings(vars)
	for _, v := range vars {
		t, ok := f.vars[v]
		if !ok {
			walkStmts(f.Body, func(s *Stmt) {
				if (s.K == SRange || s.K == SForEach) && s.Var == v && !ok {
					t, ok = s.T, true
					if s.K == SRange && t.K == TUnknown {
						t = tInt
					}
				}
			})
		}
		z := e.zero(t, f.Line)
		if z == "" {
			e.line("%s %s;", e.typ(t, f.Line), v)
		} else {
			e.line("%s %s = %s;", e.typ(t, f.Line), v, z)
		}
	}
	e.block(f.Body)
	if f.Result.K != TVoid && f.Result.K != TUnknown && !terminates(f.Body) && !endless(f.Body) {
		if e.java {
			e.line("throw new IllegalStateException(\"unreachable\");")
		} else {
			e.line("throw std::logic_error(\"unreachable\");")
		}
	}
	e.depth--
	e.line("}")
	if e.java && (e.pyInts() || e.src == "go") {
		e.intArrayEntry(f) // a Go []int is long[] too
	}
}

// endless reports a body that ends in a loop without a condition and without a break of its own
// (Java rejects a statement after it as unreachable).
func endless(ss []*Stmt) bool {
	if len(ss) == 0 {
		return false
	}
	s := ss[len(ss)-1]
	forever := s.K == SWhile && s.Cond != nil && s.Cond.K == ELit && s.Cond.Op == "true" ||
		s.K == SFor && s.Cond == nil
	return forever && !hasBreak(s.Body)
}

func hasBreak(ss []*Stmt) bool {
	for _, s := range ss {
		switch s.K {
		case SBreak:
			return true
		case SIf:
			if hasBreak(s.Body) || hasBreak(s.Else) {
				return true
			}
		}
	}
	return false
}

// intArrayEntry writes, for a Python, JavaScript or Go function with list-of-int or string parameters,
// the entries GfG-style Java callers use: int[] (int[][]) for a list of ints, converted to long[] and
// written back after the call, and char[] for a string.
func (e *cfEmit) intArrayEntry(f *Func) {
	hasList, hasStr := false, false
	for _, p := range f.Params {
		hasList = hasList || intArrayParam(p.T) != 0
		hasStr = hasStr || p.T.K == TString
	}
	if hasList {
		e.entry(f, false)
	}
	if hasStr {
		e.entry(f, true)
	}
}

// intArrayParam is the depth of a list-of-long parameter (1: long[], 2: long[][]), 0 for others.
func intArrayParam(t Type) int {
	if intList(t) && t.elem().Bits != 32 {
		return 1
	}
	if t.K == TList && intList(t.elem()) && t.elem().elem().Bits != 32 {
		return 2
	}
	return 0
}

func (e *cfEmit) entry(f *Func, chars bool) {
	var ps, as, pre, back []string
	for _, p := range f.Params {
		switch d := intArrayParam(p.T); {
		case d == 1:
			e.helpers["weftLongs"], e.helpers["weftStore"] = true, true
			ps = append(ps, "int[] "+p.Name)
			pre = append(pre, fmt.Sprintf("long[] %s_ = weftLongs(%s);", p.Name, p.Name))
			back = append(back, fmt.Sprintf("weftStore(%s, %s_);", p.Name, p.Name))
			as = append(as, p.Name+"_")
		case d == 2:
			e.helpers["weftLongs"], e.helpers["weftStore"] = true, true
			ps = append(ps, "int[][] "+p.Name)
			pre = append(pre, fmt.Sprintf("long[][] %s_ = new long[%s.length][];", p.Name, p.Name),
				fmt.Sprintf("for (int _k = 0; _k < %s.length; _k++) %s_[_k] = weftLongs(%s[_k]);", p.Name, p.Name, p.Name))
			back = append(back, fmt.Sprintf("for (int _k = 0; _k < %s.length; _k++) weftStore(%s[_k], %s_[_k]);", p.Name, p.Name, p.Name))
			as = append(as, p.Name+"_")
		case chars && p.T.K == TString:
			ps = append(ps, "char[] "+p.Name)
			as = append(as, "new String("+p.Name+")")
		default:
			ps = append(ps, e.typ(p.T, f.Line)+" "+p.Name)
			as = append(as, p.Name)
		}
	}
	res := "void"
	if f.Result.K != TVoid && f.Result.K != TUnknown {
		res = e.typ(f.Result, f.Line)
	}
	e.line("")
	e.line("static %s %s(%s) {", res, f.Name, strings.Join(ps, ", "))
	for _, l := range pre {
		e.line("    %s", l)
	}
	call := f.Name + "(" + strings.Join(as, ", ") + ")"
	if res == "void" {
		e.line("    %s;", call)
	} else {
		e.line("    %s _r = %s;", res, call)
	}
	for _, b := range back {
		e.line("    %s", b)
	}
	if res != "void" {
		e.line("    return _r;")
	}
	e.line("}")
}

// block writes a statement list up to its first statement that never completes (a return, break,
// continue, or a loop without condition or break): what follows is dead in the source too, and Java
// rejects it as unreachable.
func (e *cfEmit) block(ss []*Stmt) {
	for i, s := range ss {
		e.stmt(s)
		if s.K == SReturn || s.K == SBreak || s.K == SContinue || endless(ss[:i+1]) {
			return
		}
	}
}

func (e *cfEmit) nested(ss []*Stmt) {
	e.depth++
	e.block(ss)
	e.depth--
}

// emitLine writes a statement after the comprehensions its expressions hoisted.
func (e *cfEmit) emitLine(s string) {
	pre := e.pre
	e.pre = nil
	for _, p := range pre {
		for _, l := range strings.Split(p, "\n") {
			e.line("%s", l)
		}
	}
	e.line("%s", s)
}

func (e *cfEmit) stmt(s *Stmt) {
	switch s.K {
	case SAssign:
		if s.Value == nil {
			return
		}
		if s.Target.K == ETuple {
			e.tupleAssign(s)
			return
		}
		e.emitLine(e.assign(s.Target, e.conv(s.Value, s.Target.T)) + ";")
	case SAugment:
		e.emitLine(e.augment(s) + ";")
	case SExpr:
		switch s.Value.K {
		case ECall, EBuiltin:
			e.emitLine(e.exprStmt(s.Value) + ";")
		case ELit:
		default:
			e.add(s.Line, "expression statement")
		}
	case SIf:
		e.lazy++ // a condition is evaluated where it stands, nothing hoisted before the if/else chain
		e.line("if (%s) {", e.cond(s.Cond))
		e.nested(s.Body)
		for len(s.Else) == 1 && s.Else[0].K == SIf {
			s = s.Else[0]
			e.line("} else if (%s) {", e.cond(s.Cond))
			e.nested(s.Body)
		}
		e.lazy--
		if len(s.Else) > 0 {
			e.line("} else {")
			e.nested(s.Else)
		}
		e.line("}")
	case SWhile:
		e.lazy++
		e.line("while (%s) {", e.cond(s.Cond))
		e.lazy--
		e.nested(s.Body)
		e.line("}")
	case SDoWhile:
		e.line("do {")
		e.nested(s.Body)
		e.lazy++
		e.line("} while (%s);", e.cond(s.Cond))
		e.lazy--
	case SFor:
		e.lazy++
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
		e.lazy--
		e.line("for (%s; %s; %s) {", strings.Join(init, ", "), cond, strings.Join(post, ", "))
		e.nested(s.Body)
		e.line("}")
	case SRange:
		e.rangeLoop(s)
	case SForEach:
		e.forEach(s)
	case SReturn:
		if s.Value == nil {
			if e.fn.Result.K != TVoid && e.fn.Result.K != TUnknown {
				e.add(s.Line, "returning None from a function that also returns a value")
			}
			e.line("return;")
			return
		}
		e.emitLine("return " + e.conv(s.Value, e.fn.Result) + ";")
	case SBreak:
		e.line("break;")
	case SContinue:
		e.line("continue;")
	}
}

func (e *cfEmit) tupleAssign(s *Stmt) {
	if s.Value.K != ETuple || len(s.Value.Args) != len(s.Target.Args) {
		e.add(s.Line, "tuple unpacking of %s", s.Value.T)
		return
	}
	// a, b = b, a + b: every right side is evaluated before any target is assigned.
	var tmps []string
	for i, v := range s.Value.Args {
		t := s.Target.Args[i].T
		e.tmp++
		n := fmt.Sprintf("_t%d", e.tmp)
		tmps = append(tmps, n)
		e.emitLine(e.typ(t, s.Line) + " " + n + " = " + e.conv(v, t) + ";")
	}
	for i, t := range s.Target.Args {
		e.line("%s;", e.assign(t, tmps[i]))
	}
}

func (e *cfEmit) simple(s *Stmt) string {
	switch s.K {
	case SAssign:
		if s.Target.K == EName {
			return e.assign(s.Target, e.conv(s.Value, s.Target.T))
		}
	case SAugment:
		return e.augment(s)
	case SExpr:
		if s.Value.K == EBuiltin || s.Value.K == ECall {
			return e.exprStmt(s.Value)
		}
	}
	e.add(s.Line, "statement in a for clause")
	return ""
}

// rangeLoop writes for v in range(start, stop, step) with its own counter: the bound is evaluated
// once and the variable keeps the value Python gives it after the loop.
func (e *cfEmit) rangeLoop(s *Stmt) {
	e.tmp++
	i, end, cmp, inc, ok := countedLoop(s, e.tmp)
	if !ok {
		e.add(s.Line, "range with a step that is not a constant")
		return
	}
	t := e.typ(tInt, s.Line)
	vt := tInt
	if s.Var != "_" {
		if v, ok := e.fn.vars[s.Var]; ok && v.K == TInt {
			vt = v
		}
		t = e.typ(vt, s.Line)
	}
	e.lazy++
	start, stop := e.conv(s.Start, vt), e.conv(s.Stop, vt)
	e.lazy--
	e.line("for (%s %s = %s, %s = %s; %s %s %s; %s) {", t, i, start, end, stop, i, cmp, end, inc)
	e.depth++
	if s.Var != "_" {
		e.line("%s = %s;", s.Var, i)
	}
	e.block(s.Body)
	e.depth--
	e.line("}")
}

func (e *cfEmit) forEach(s *Stmt) {
	ct := s.Value.T
	e.tmp++
	v := "_v" + itoa(e.tmp)
	e.lazy++
	c := e.expr(s.Value)
	e.lazy--
	switch ct.K {
	case TList:
		if e.ptr[s.Value.Op] && s.Value.K == EName {
			e.add(s.Line, "iteration over a list passed as a pointer")
		}
		e.line("for (%s %s : %s) {", e.typ(ct.elem(), s.Line), v, c)
		e.depth++
		e.line("%s = %s;", s.Var, v)
	case TString:
		if e.java {
			e.line("for (char %s : %s.toCharArray()) {", v, e.paren(s.Value))
		} else {
			e.line("for (char %s : %s) {", v, c)
		}
		e.depth++
		if e.pyStrings() {
			e.line("%s = %s;", s.Var, e.charStr(v))
		} else {
			e.line("%s = %s;", s.Var, v)
		}
	case TSet, TMap:
		if !(e.java && e.src == "java" || !e.java && e.src == "cpp") {
			e.add(s.Line, "iteration over a map or set (its order differs between the languages)")
		}
		kt := ct.elem()
		if ct.K == TMap {
			kt = ct.key()
		}
		if e.java {
			if ct.K == TMap {
				c = e.paren(s.Value) + ".keySet()"
			}
			e.line("for (%s %s : %s) {", e.boxed(kt, s.Line), v, c)
		} else {
			if ct.K == TMap {
				e.line("for (auto &_kv%d : %s) {", e.tmp, c)
				e.line("    %s %s = _kv%d.first;", e.typ(kt, s.Line), v, e.tmp)
			} else {
				e.line("for (%s %s : %s) {", e.typ(kt, s.Line), v, c)
			}
		}
		e.depth++
		e.line("%s = %s;", s.Var, v)
	default:
		e.add(s.Line, "iteration over %s", ct)
		return
	}
	e.block(s.Body)
	e.depth--
	e.line("}")
}

// pyStrings reports a source whose strings index to one-character strings.
func (e *cfEmit) pyStrings() bool { return e.pyInts() }

func (e *cfEmit) charStr(c string) string {
	if e.java {
		return "String.valueOf(" + c + ")"
	}
	return "std::string(1, " + c + ")"
}

// assign writes target = value.
func (e *cfEmit) assign(t *Expr, v string) string {
	switch t.K {
	case EName:
		return t.Op + " = " + v
	case EIndex:
		c, i := t.Args[0], t.Args[1]
		switch c.T.K {
		case TMap:
			if e.java {
				return e.paren(c) + ".put(" + e.conv(i, c.T.key()) + ", " + v + ")"
			}
			return e.paren(c) + "[" + e.conv(i, c.T.key()) + "] = " + v
		case TList:
			if e.ptr[c.Op] && c.K == EName {
				v = "(int) (" + v + ")"
			}
			return e.indexed(c, i) + " = " + v
		case TString:
			if !e.java && !e.pyStrings() {
				return e.indexed(c, i) + " = " + v
			}
			e.add(t.Line, "assignment to a character of a string")
		}
	}
	e.add(t.Line, "assignment to %s", t.Op)
	return ""
}

func (e *cfEmit) augment(s *Stmt) string {
	tt := s.Target.T
	if s.Target.K == EName && tt.K != TString && tt.K != TList && plainOp(s.Op) && tt.numeric() && s.Value.T.numeric() && tt.K == s.Value.T.K &&
		!(tt.K == TInt && tt.Bits == 32 && !e.java && e.src == "java") && !(e.java && tt.Bits == 32 && s.Value.T.Bits != 32) {
		if c := constText(s.Value); c == "1" && (s.Op == "+" || s.Op == "-") {
			return s.Target.Op + s.Op + s.Op
		}
		return s.Target.Op + " " + s.Op + "= " + e.num(s.Value)
	}
	v := &Expr{K: EBin, Op: s.Op, Args: []*Expr{s.Target, s.Value}, Line: s.Line}
	v.T = (&inferer{charIndex: !e.pyStrings()}).arith(s.Op, tt, s.Value.T)
	if tt.K == TString && s.Op == "+" {
		v.T = tString
	}
	if tt.K == TInt && tt.Bits == 32 && v.T.K == TInt && e.src == "java" {
		v.T = tt // Java's compound assignment narrows to the target's type
	}
	return e.assign(s.Target, e.conv(v, tt))
}

func (e *cfEmit) exprStmt(x *Expr) string {
	if x.K == EBuiltin {
		a := func(i int) string { return e.expr(x.Args[i]) }
		switch x.Op {
		case "append":
			if !e.java && x.Args[0].T.K == TList {
				return e.paren(x.Args[0]) + ".push_back(" + e.conv(x.Args[1], x.Args[0].T.elem()) + ")"
			}
		case "setadd":
			if e.java {
				return e.paren(x.Args[0]) + ".add(" + a(1) + ")"
			}
			return e.paren(x.Args[0]) + ".insert(" + a(1) + ")"
		case "sort":
			if len(x.Args) == 1 && x.Args[0].T.K == TList && x.Args[0].T.elem().K != TList {
				if e.java {
					return "java.util.Arrays.sort(" + a(0) + ")"
				}
				if e.ptr[x.Args[0].Op] {
					break
				}
				return "std::sort(" + e.paren(x.Args[0]) + ".begin(), " + e.paren(x.Args[0]) + ".end())"
			}
		case "fillAll":
			// Arrays.fill(a, v) of a one-dimensional array.
			if x.Args[0].T.K == TList && x.Args[0].T.elem().K != TList && len(x.Args) == 2 {
				if e.java {
					return "java.util.Arrays.fill(" + a(0) + ", " + e.conv(x.Args[1], x.Args[0].T.elem()) + ")"
				}
				if !e.ptr[x.Args[0].Op] {
					return "std::fill(" + e.paren(x.Args[0]) + ".begin(), " + e.paren(x.Args[0]) + ".end(), " + e.conv(x.Args[1], x.Args[0].T.elem()) + ")"
				}
			}
		case "reverse":
			if !e.java && x.Args[0].T.K == TList && !e.ptr[x.Args[0].Op] {
				return "std::reverse(" + e.paren(x.Args[0]) + ".begin(), " + e.paren(x.Args[0]) + ".end())"
			}
		}
	}
	return e.expr(x)
}

// cond writes x as a condition, with Python's and C's truthiness of non-bool values.
func (e *cfEmit) cond(x *Expr) string {
	switch x.T.K {
	case TBool:
		return e.expr(x)
	case TInt, TFloat, TChar:
		return e.paren(x) + " != 0"
	case TString:
		if e.java {
			return "!" + e.paren(x) + ".isEmpty()"
		}
		return "!" + e.paren(x) + ".empty()"
	case TList:
		if e.java {
			return e.paren(x) + ".length > 0"
		}
		return "!" + e.paren(x) + ".empty()"
	case TMap, TSet:
		if e.java {
			return "!" + e.paren(x) + ".isEmpty()"
		}
		return "!" + e.paren(x) + ".empty()"
	}
	e.add(x.Line, "condition of type %s", x.T)
	return "false"
}

// conv writes x as a value of type want.
func (e *cfEmit) conv(x *Expr, want Type) string {
	have := x.T
	switch {
	case want.K == TInt && have.K == TInt:
		if want.Bits == 32 && have.Bits != 32 && x.K != ELit {
			return "(int) " + e.paren(x)
		}
		if x.K == ELit {
			if n, err := strconv.ParseInt(x.Op, 10, 64); err == nil && n <= 1<<31-1 && n >= -1<<31 {
				return e.intLit(x.Op, want) // a literal takes the type it is used as (Java's Integer key: 1, not 1L)
			}
		}
		if want.Unsigned != have.Unsigned && !e.java && x.K != ELit {
			return "(" + e.typ(want, x.Line) + ") " + e.paren(x)
		}
	case want.K == TInt && have.K == TChar:
		if e.java && want.Bits != 32 {
			return "(long) " + e.paren(x)
		}
		if !e.java {
			return "(" + e.typ(want, x.Line) + ") " + e.paren(x)
		}
	case want.K == TInt && have.K == TBool:
		return "(" + e.expr(x) + " ? 1 : 0)"
	case want.K == TInt && have.K == TFloat:
		return "(" + e.typ(want, x.Line) + ") " + e.paren(x)
	case want.K == TFloat && (have.K == TInt || have.K == TChar):
		if x.K == ELit && have.K == TInt {
			return x.Op + ".0"
		}
		return "(double) " + e.paren(x)
	case want.K == TChar && have.K == TInt:
		if x.K == ELit {
			n, _ := strconv.Atoi(x.Op)
			if n >= 32 && n < 127 && n != '\'' && n != '\\' {
				return "'" + string(rune(n)) + "'"
			}
		}
		return "(char) " + e.paren(x)
	case want.K == TString && have.K == TChar:
		return e.charStr(e.expr(x))
	case want.K == TBool && have.K != TBool && have.K != TUnknown:
		return e.cond(x)
	}
	return e.expr(x)
}

// convP writes x as a value of type want, as an operand (in parentheses unless atomic).
func (e *cfEmit) convP(x *Expr, want Type) string {
	s := e.conv(x, want)
	if s == e.expr(x) {
		return e.paren(x)
	}
	if strings.HasSuffix(s, ".0") && x.K == ELit {
		return s
	}
	return "(" + s + ")"
}

func (e *cfEmit) intLit(v string, t Type) string {
	if t.K == TInt && t.Bits != 32 && !t.Unsigned {
		if e.java {
			return v + "L"
		}
		return v + "LL"
	}
	return v
}

func (e *cfEmit) paren(x *Expr) string {
	s := e.expr(x)
	if atomic(x) && !(x.K == EBuiltin && strings.ContainsAny(s, " ?")) {
		return s
	}
	return "(" + s + ")"
}

// num writes x as an arithmetic operand: a bool as 0 or 1.
func (e *cfEmit) num(x *Expr) string {
	if x.T.K == TBool {
		return "(" + e.expr(x) + " ? 1 : 0)"
	}
	return e.paren(x)
}

// idx writes an index: Java's are int.
func (e *cfEmit) idx(x *Expr) string {
	if x.T.K != TInt && x.T.K != TChar && x.T.K != TBool {
		e.add(x.Line, "an index of type %s", x.T)
	}
	if x.K == ELit {
		return x.Op
	}
	if e.java && x.T.K == TInt && x.T.Bits != 32 {
		return "(int) " + e.paren(x)
	}
	return e.expr(x)
}

// indexed writes c[i] (a list, or a C-family source's string), with Python's negative indices.
func (e *cfEmit) indexed(c, i *Expr) string {
	e.idx(i)
	cs := e.paren(c)
	if e.pyInts() && !e.ng.nonNeg(i) {
		if e.ptr[c.Op] && c.K == EName {
			e.add(i.Line, "an index that may be negative into a list passed as a pointer")
		}
		n := cs + ".size()"
		if e.java {
			n = cs + ".length"
			if c.T.K == TString {
				n = cs + ".length()"
			}
		}
		if ct := constText(i); strings.HasPrefix(ct, "-") {
			return cs + "[" + n + " - " + ct[1:] + "]"
		}
		if e.java {
			e.helpers["weftIdx"] = true
			return cs + "[weftIdx(" + e.expr(i) + ", " + n + ")]"
		}
		e.helpers["weft_idx"] = true
		return cs + "[weft_idx(" + e.expr(i) + ", " + n + ")]"
	}
	return cs + "[" + e.idx(i) + "]"
}

func (e *cfEmit) strLit(s string) string {
	q := javaQuote(s, '"')
	if e.java {
		return q
	}
	for _, r := range s {
		if r > 126 || r < 32 {
			q = cQuote(s)
			break
		}
	}
	return "std::string(" + q + ")"
}

// cQuote writes s as a C string literal of its UTF-8 bytes.
func cQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 32 || c > 126:
			fmt.Fprintf(&b, "\\%03o", c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func (e *cfEmit) expr(x *Expr) string {
	switch x.K {
	case ELit:
		switch x.T.K {
		case TString:
			return e.strLit(x.Op)
		case TChar:
			if x.Op == "" {
				return "'\\0'"
			}
			r := []rune(x.Op)[0]
			if !e.java && r > 127 {
				e.add(x.Line, "non-ASCII character literal in C++")
			}
			return javaQuote(string(r), '\'')
		case TInt:
			if n, err := strconv.ParseInt(x.Op, 10, 64); err == nil && (n > 1<<31-1 || n < -1<<31) {
				return e.intLit(x.Op, Type{K: TInt, Bits: 64})
			} else if err != nil {
				e.add(x.Line, "integer literal %s beyond 64 bits", x.Op)
			}
			return e.intLit(x.Op, x.T)
		case TFloat:
			if !strings.ContainsAny(x.Op, ".eE") && !strings.Contains(x.Op, "inf") {
				return x.Op + ".0"
			}
		}
		return x.Op
	case EName:
		if r, ok := e.rename[x.Op]; ok {
			return r
		}
		return x.Op
	case EUn:
		a := x.Args[0]
		switch x.Op {
		case "!":
			return "!(" + e.cond(a) + ")"
		case "-":
			if x.T.K == TInt && x.T.Bits == 32 && !e.java && e.src == "java" {
				return "(int) (0u - (unsigned) " + e.num(a) + ")"
			}
			return "-" + e.num(a)
		case "~":
			return "~" + e.num(a)
		}
		return e.num(a)
	case EBin:
		return e.binary(x)
	case ECond:
		e.lazy++
		defer func() { e.lazy-- }()
		return "(" + e.cond(x.Args[0]) + " ? " + e.conv(x.Args[1], x.T) + " : " + e.conv(x.Args[2], x.T) + ")"
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
		return x.Op + "(" + strings.Join(as, ", ") + ")"
	case EIndex:
		c, i := x.Args[0], x.Args[1]
		switch c.T.K {
		case TMap:
			if e.java {
				if e.src == "go" {
					return e.paren(c) + ".getOrDefault(" + e.conv(i, c.T.key()) + ", " + e.zero(c.T.elem(), x.Line) + ")"
				}
				return e.paren(c) + ".get(" + e.conv(i, c.T.key()) + ")"
			}
			switch e.src {
			case "cpp", "c":
				return e.paren(c) + "[" + e.conv(i, c.T.key()) + "]"
			case "go":
				k := e.conv(i, c.T.key())
				z := e.zero(c.T.elem(), x.Line)
				if z == "" {
					z = e.typ(c.T.elem(), x.Line) + "()"
				}
				return "(" + e.paren(c) + ".count(" + k + ") ? " + e.paren(c) + ".at(" + k + ") : " + z + ")"
			}
			return e.paren(c) + ".at(" + e.conv(i, c.T.key()) + ")"
		case TList:
			return e.indexed(c, i)
		case TString:
			if e.pyStrings() {
				if e.java {
					return "String.valueOf(" + e.paren(c) + ".charAt(" + e.strIdx(c, i) + "))"
				}
				return "std::string(1, " + e.paren(c) + ".at(" + e.strIdx(c, i) + "))"
			}
			if e.java {
				return e.paren(c) + ".charAt(" + e.idx(i) + ")"
			}
			return e.paren(c) + "[" + e.idx(i) + "]"
		}
		e.add(x.Line, "indexing a %s", c.T)
		return "0"
	case ESlice:
		return e.slice(x)
	case EList:
		var as []string
		for _, a := range x.Args {
			as = append(as, e.conv(a, x.T.elem()))
		}
		if e.java {
			return "new " + e.typ(x.T, x.Line) + "{" + strings.Join(as, ", ") + "}"
		}
		return e.typ(x.T, x.Line) + "{" + strings.Join(as, ", ") + "}"
	case ESetLit:
		var as []string
		for _, a := range x.Args {
			as = append(as, e.conv(a, x.T.elem()))
		}
		if e.java {
			return "new " + e.typ(x.T, x.Line) + "(java.util.Arrays.asList(" + strings.Join(as, ", ") + "))"
		}
		return e.typ(x.T, x.Line) + "{" + strings.Join(as, ", ") + "}"
	case EMap:
		if len(x.Args) == 0 {
			if e.java {
				return "new " + e.typ(x.T, x.Line) + "()"
			}
			return e.typ(x.T, x.Line) + "()"
		}
		if e.java {
			e.add(x.Line, "a map literal with entries in Java")
			return "null"
		}
		var as []string
		for i := 0; i+1 < len(x.Args); i += 2 {
			as = append(as, "{"+e.conv(x.Args[i], x.T.key())+", "+e.conv(x.Args[i+1], x.T.elem())+"}")
		}
		return e.typ(x.T, x.Line) + "{" + strings.Join(as, ", ") + "}"
	case ECast:
		return e.cast(x)
	case ENew:
		return e.newList(x.T, x.Args, x.Line)
	case EComp:
		return e.comprehension(x)
	case EBuiltin:
		return e.builtin(x)
	}
	e.add(x.Line, "expression")
	return "0"
}

// strIdx writes the index into a Python string, counting a negative one from the end.
func (e *cfEmit) strIdx(c, i *Expr) string {
	e.idx(i)
	if e.ng.nonNeg(i) {
		return e.idx(i)
	}
	n := e.paren(c) + ".size()"
	if e.java {
		n = e.paren(c) + ".length()"
	}
	if ct := constText(i); strings.HasPrefix(ct, "-") {
		return n + " - " + ct[1:]
	}
	if e.java {
		e.helpers["weftIdx"] = true
		return "weftIdx(" + e.expr(i) + ", " + n + ")"
	}
	e.helpers["weft_idx"] = true
	return "weft_idx(" + e.expr(i) + ", " + n + ")"
}

func (e *cfEmit) slice(x *Expr) string {
	c, lo, hi := x.Args[0], x.Args[1], x.Args[2]
	if c.T.K != TString {
		if (lo == nil || constText(lo) == "0") && hi == nil && c.T.K == TList {
			if e.java {
				return e.paren(c) + ".clone()"
			}
			return e.expr(c)
		}
		e.add(x.Line, "slicing a %s", c.T)
		return "0"
	}
	los, his := "0", "Long.MAX_VALUE"
	if !e.java {
		his = "LLONG_MAX"
	}
	if lo != nil {
		los = e.conv(lo, tInt)
	}
	if hi != nil {
		his = e.conv(hi, tInt)
	}
	if e.pyStrings() {
		if e.java {
			e.helpers["weftSlice"] = true
			return "weftSlice(" + e.expr(c) + ", " + los + ", " + his + ")"
		}
		e.helpers["weft_slice"] = true
		return "weft_slice(" + e.expr(c) + ", " + los + ", " + his + ")"
	}
	e.add(x.Line, "slicing a string")
	return "0"
}

func (e *cfEmit) cast(x *Expr) string {
	a := x.Args[0]
	switch x.T.K {
	case TInt:
		switch a.T.K {
		case TChar, TInt, TFloat:
			if e.java && a.T.K == TInt && x.T.Bits != 32 && a.T.Bits == 32 {
				return "(long) " + e.paren(a)
			}
			return "(" + e.typ(x.T, x.Line) + ") " + e.paren(a)
		case TBool:
			return "(" + e.expr(a) + " ? 1 : 0)"
		}
	case TFloat:
		if a.T.numeric() && a.T.K != TBool {
			return "(double) " + e.paren(a)
		}
	case TChar:
		if a.T.K == TChar {
			return e.expr(a)
		}
		if a.T.K == TInt || a.T.K == TFloat {
			return "(char) " + e.paren(a)
		}
	case TString:
		switch a.T.K {
		case TString:
			return e.expr(a)
		case TChar:
			return e.charStr(e.expr(a))
		}
	case TBool:
		return e.cond(a)
	}
	e.add(x.Line, "cast to %s from %s", x.T, a.T)
	return "0"
}

func (e *cfEmit) newList(t Type, dims []*Expr, line int) string {
	if e.java {
		if len(dims) == 0 {
			return "new " + e.typ(t, line) + "{}"
		}
		base := t
		for range dims {
			base = base.elem()
		}
		if base.K == TList {
			e.add(line, "a list of lists of unknown length in Java")
		}
		var b strings.Builder
		b.WriteString("new " + strings.TrimRight(e.typ(base, line), "[]"))
		for _, d := range dims {
			b.WriteString("[" + e.idx(d) + "]")
		}
		b.WriteString(strings.Repeat("[]", strings.Count(e.typ(base, line), "[]")))
		return b.String()
	}
	if len(dims) == 0 {
		return e.typ(t, line) + "()"
	}
	if len(dims) == 1 {
		return e.typ(t, line) + "(" + e.expr(dims[0]) + ")"
	}
	return e.typ(t, line) + "(" + e.expr(dims[0]) + ", " + e.newList(t.elem(), dims[1:], line) + ")"
}

// comprehension writes [elem for v in iterable if cond]. C++: a lambda that builds the vector. Java:
// an array filled by a loop hoisted before the statement, only over range(start, stop) without a
// condition (the array's length must be known first) and not where it would change evaluation order.
func (e *cfEmit) comprehension(x *Expr) string {
	elem, iter, cond := x.Args[0], x.Args[1], x.Args[2]
	e.tmp++
	v := "_c" + itoa(e.tmp)
	old, had := e.rename[x.Op]
	e.rename[x.Op] = v
	defer func() {
		if had {
			e.rename[x.Op] = old
		} else {
			delete(e.rename, x.Op)
		}
	}()
	isRange := iter.K == EBuiltin && iter.Op == "range"
	if e.java {
		if !isRange || cond != nil || constText(iter.Args[2]) != "1" || e.lazy > 0 {
			e.add(x.Line, "a list comprehension in Java other than [... for v in range(a, b)]")
			return "null"
		}
		r := "_r" + itoa(e.tmp)
		start, stop := e.conv(iter.Args[0], tInt), e.conv(iter.Args[1], tInt)
		ind := ""
		st := "_s" + itoa(e.tmp)
		el := e.typ(x.T, x.Line)
		var b strings.Builder
		fmt.Fprintf(&b, "%slong %s = %s;\n", ind, st, start)
		n := "(int) Math.max(0L, " + stop + " - " + st + ")"
		alloc := "new " + strings.Replace(el, "[]", "["+n+"]", 1)
		fmt.Fprintf(&b, "%s%s %s = %s;\n", ind, el, r, alloc)
		fmt.Fprintf(&b, "%sfor (long %s = %s; %s < %s + %s.length; %s++) {\n", ind, v, st, v, st, r, v)
		fmt.Fprintf(&b, "%s    %s[(int) (%s - %s)] = %s;\n", ind, r, v, st, e.conv(elem, x.T.elem()))
		fmt.Fprintf(&b, "%s}", ind)
		e.pre = append(e.pre, b.String())
		return r
	}
	el := e.typ(x.T.elem(), x.Line)
	var b strings.Builder
	fmt.Fprintf(&b, "[&]() { %s _r; ", e.typ(x.T, x.Line))
	if isRange {
		step := constText(iter.Args[2])
		n, err := strconv.Atoi(step)
		if err != nil || n == 0 {
			e.add(x.Line, "range with a step that is not a constant")
			return "0"
		}
		cmp := "<"
		if n < 0 {
			cmp = ">"
		}
		fmt.Fprintf(&b, "for (long long %s = %s, _e = %s; %s %s _e; %s += %d) { ", v, e.conv(iter.Args[0], tInt), e.conv(iter.Args[1], tInt), v, cmp, v, n)
	} else {
		switch iter.T.K {
		case TList:
			fmt.Fprintf(&b, "for (%s %s : %s) { ", e.typ(iter.T.elem(), x.Line), v, e.expr(iter))
		case TString:
			if e.pyStrings() {
				fmt.Fprintf(&b, "for (char _ch : %s) { std::string %s(1, _ch); ", e.expr(iter), v)
			} else {
				fmt.Fprintf(&b, "for (char %s : %s) { ", v, e.expr(iter))
			}
		default:
			e.add(x.Line, "comprehension over %s", iter.T)
		}
	}
	if cond != nil {
		fmt.Fprintf(&b, "if (%s) ", e.cond(cond))
	}
	fmt.Fprintf(&b, "_r.push_back(%s); } return _r; }()", e.conv(elem, x.T.elem()))
	_ = el
	return b.String()
}

func isIntT(t Type) bool { return t.K == TInt || t.K == TChar || t.K == TBool }

func (e *cfEmit) binary(x *Expr) string {
	l, r := x.Args[0], x.Args[1]
	lt, rt := l.T, r.T
	bothInt := isIntT(lt) && isIntT(rt)
	// An int literal takes the type of the operation (or of the other operand in a comparison): a
	// Java int expression must not become long through a 1L.
	litT := x.T
	if litT.K != TInt {
		litT = lt
		if l.K == ELit {
			litT = rt
		}
	}
	num := func(s *Expr) string {
		if s.K == ELit && s.T.K == TInt && litT.K == TInt {
			if n, err := strconv.ParseInt(s.Op, 10, 64); err == nil && n <= 1<<31-1 && n >= -1<<31 {
				if strings.HasPrefix(s.Op, "-") {
					return "(" + e.intLit(s.Op, litT) + ")"
				}
				return e.intLit(s.Op, litT)
			}
		}
		return e.num(s)
	}
	std := func(op string) string { return num(l) + " " + op + " " + num(r) }
	// A Java int's + - * wrap; in C++ signed overflow is undefined, so they go through unsigned.
	wrap := func(op string) string {
		if !e.java && e.src == "java" && x.T.K == TInt && x.T.Bits == 32 && bothInt {
			return "(int) ((unsigned) " + num(l) + " " + op + " (unsigned) " + num(r) + ")"
		}
		return std(op)
	}
	long := func(s *Expr) string {
		// An operand widened to the expression's 64 bits before the operation (a Java int literal
		// would otherwise overflow first).
		if x.T.K == TInt && x.T.Bits != 32 && s.T.K == TInt && s.T.Bits == 32 && s.K != ELit {
			if e.java {
				return "(long) " + e.paren(s)
			}
			return "(long long) " + e.paren(s)
		}
		return num(s)
	}
	switch x.Op {
	case "&&", "||":
		e.lazy++
		defer func() { e.lazy-- }()
		return "(" + e.cond(l) + ") " + x.Op + " (" + e.cond(r) + ")"
	case "in", "not in":
		var s string
		switch rt.K {
		case TString:
			if e.java {
				s = e.paren(r) + ".contains(" + e.convP(l, tString) + ")"
			} else {
				s = "(" + e.paren(r) + ".find(" + e.expr(l) + ") != std::string::npos)"
			}
		case TSet, TMap:
			if e.java {
				m := ".contains("
				if rt.K == TMap {
					m = ".containsKey("
				}
				s = e.paren(r) + m + e.convP(l, keyOrElem(rt)) + ")"
			} else {
				s = "(" + e.paren(r) + ".count(" + e.convP(l, keyOrElem(rt)) + ") > 0)"
			}
		case TList:
			if e.java {
				if rt.elem().K == TList || rt.elem().K == TUnknown {
					break
				}
				if r.K == EList {
					s = "java.util.Arrays.asList(" + listItems(e, r) + ").contains(" + e.convP(l, rt.elem()) + ")"
				} else {
					s = "java.util.Arrays.asList(" + boxedArr(e, r) + ").contains(" + e.convP(l, rt.elem()) + ")"
				}
			} else if !e.ptr[r.Op] {
				s = "(std::find(" + e.paren(r) + ".begin(), " + e.paren(r) + ".end(), " + e.convP(l, rt.elem()) + ") != " + e.paren(r) + ".end())"
			}
		}
		if s == "" {
			e.add(x.Line, "in on %s", rt)
			return "false"
		}
		if x.Op == "not in" {
			return "!" + s
		}
		return s
	case "+":
		if x.T.K == TString {
			return e.concat(l, r)
		}
		if lt.K == TList {
			e.add(x.Line, "list concatenation")
			return "0"
		}
		if bothInt {
			return wrapOr(long(l)+" + "+long(r), wrap("+"), !e.java && e.src == "java" && x.T.Bits == 32)
		}
		return std("+")
	case "-":
		if bothInt {
			return wrapOr(long(l)+" - "+long(r), wrap("-"), !e.java && e.src == "java" && x.T.Bits == 32)
		}
		return std("-")
	case "*":
		if lt.K == TList && l.K == EList && len(l.Args) == 1 && isIntT(rt) {
			// [v] * n
			f := &Expr{K: EBuiltin, Op: "fill", Args: []*Expr{r, l.Args[0]}, T: x.T, Line: x.Line}
			return e.builtin(f)
		}
		if lt.K == TString || lt.K == TList || rt.K == TString || rt.K == TList {
			e.add(x.Line, "repetition of a %s", lt)
			return "0"
		}
		if bothInt {
			return wrapOr(long(l)+" * "+long(r), wrap("*"), !e.java && e.src == "java" && x.T.Bits == 32)
		}
		return std("*")
	case "<<":
		if !e.java && e.src == "java" && x.T.Bits == 32 {
			return "(int) ((unsigned) " + num(l) + " << (" + num(r) + " & 31))"
		}
		return long(l) + " << " + num(r)
	case ">>":
		return long(l) + " >> " + num(r)
	case ">>>":
		if e.java {
			return std(">>>")
		}
		if x.T.Bits == 32 {
			return "(int) ((unsigned) " + num(l) + " >> (" + num(r) + " & 31))"
		}
		return "(long long) ((unsigned long long) " + num(l) + " >> (" + num(r) + " & 63))"
	case "&", "|", "^":
		if lt.K == TBool && rt.K == TBool {
			if e.java {
				return e.paren(l) + " " + x.Op + " " + e.paren(r)
			}
			return "(bool) (" + e.paren(l) + " " + x.Op + " " + e.paren(r) + ")"
		}
		return long(l) + " " + x.Op + " " + long(r)
	case OpTruncDiv:
		if x.T.K == TFloat || !bothInt {
			return e.convP(l, tFloat) + " / " + e.convP(r, tFloat)
		}
		return long(l) + " / " + long(r)
	case OpRem:
		if x.T.K == TFloat || !bothInt {
			if e.java {
				return e.convP(l, tFloat) + " % " + e.convP(r, tFloat)
			}
			return "std::fmod(" + e.convP(l, tFloat) + ", " + e.convP(r, tFloat) + ")"
		}
		return long(l) + " % " + long(r)
	case OpFloorDiv:
		if x.T.K == TFloat || !bothInt {
			if e.java {
				return "Math.floor(" + e.convP(l, tFloat) + " / " + e.convP(r, tFloat) + ")"
			}
			return "std::floor(" + e.convP(l, tFloat) + " / " + e.convP(r, tFloat) + ")"
		}
		if e.java {
			return "Math.floorDiv(" + e.convP(l, x.T) + ", " + e.convP(r, x.T) + ")"
		}
		e.helpers["weft_floordiv"] = true
		return "weft_floordiv(" + e.expr(l) + ", " + e.expr(r) + ")"
	case OpMod:
		if x.T.K == TFloat || !bothInt {
			if e.java {
				e.helpers["weftFMod"] = true
				return "weftFMod(" + e.convP(l, tFloat) + ", " + e.convP(r, tFloat) + ")"
			}
			e.helpers["weft_fmod"] = true
			return "weft_fmod(" + e.convP(l, tFloat) + ", " + e.convP(r, tFloat) + ")"
		}
		if e.java {
			return "Math.floorMod(" + e.convP(l, x.T) + ", " + e.convP(r, x.T) + ")"
		}
		e.helpers["weft_mod"] = true
		return "weft_mod(" + e.expr(l) + ", " + e.expr(r) + ")"
	case OpTrueDiv:
		return e.convP(l, tFloat) + " / " + e.convP(r, tFloat)
	case "**":
		if x.T.K == TFloat || !bothInt {
			if e.java {
				return "Math.pow(" + e.convP(l, tFloat) + ", " + e.convP(r, tFloat) + ")"
			}
			return "std::pow(" + e.convP(l, tFloat) + ", " + e.convP(r, tFloat) + ")"
		}
		if e.java {
			e.helpers["weftPow"] = true
			return "weftPow(" + e.expr(l) + ", " + e.expr(r) + ")"
		}
		e.helpers["weft_pow"] = true
		return "weft_pow(" + e.expr(l) + ", " + e.expr(r) + ")"
	case "==", "!=":
		if lt.K == TList || rt.K == TList {
			if e.java {
				s := "java.util.Arrays.equals(" + e.expr(l) + ", " + e.expr(r) + ")"
				if lt.elem().K == TList {
					s = "java.util.Arrays.deepEquals(" + e.expr(l) + ", " + e.expr(r) + ")"
				}
				if x.Op == "!=" {
					return "!" + s
				}
				return s
			}
			return e.paren(l) + " " + x.Op + " " + e.paren(r)
		}
		if lt.K == TString || rt.K == TString {
			ls, rs := e.convP(l, tString), e.convP(r, tString)
			if e.java {
				s := "(" + ls + ").equals(" + rs + ")"
				if atomic(l) {
					s = ls + ".equals(" + rs + ")"
				}
				if x.Op == "!=" {
					return "!" + s
				}
				return s
			}
			return "(" + ls + ") " + x.Op + " (" + rs + ")"
		}
		if (lt.K == TMap || lt.K == TSet) && e.java {
			s := e.paren(l) + ".equals(" + e.expr(r) + ")"
			if x.Op == "!=" {
				return "!" + s
			}
			return s
		}
		return std(x.Op)
	case "<", "<=", ">", ">=":
		if lt.K == TString && rt.K == TString {
			if e.java {
				return e.paren(l) + ".compareTo(" + e.expr(r) + ") " + x.Op + " 0"
			}
			return e.paren(l) + " " + x.Op + " " + e.paren(r)
		}
		if lt.K == TList || rt.K == TList || lt.K == TString || rt.K == TString {
			e.add(x.Line, "comparison of %s and %s", lt, rt)
			return "false"
		}
		return std(x.Op)
	}
	e.add(x.Line, "operator %s", x.Op)
	return "0"
}

func wrapOr(plain, wrapped string, useWrap bool) string {
	if useWrap {
		return wrapped
	}
	return plain
}

func keyOrElem(t Type) Type {
	if t.K == TMap {
		return t.key()
	}
	return t.elem()
}

func listItems(e *cfEmit, r *Expr) string {
	var as []string
	for _, a := range r.Args {
		as = append(as, e.conv(a, r.T.elem()))
	}
	return strings.Join(as, ", ")
}

// boxedArr writes a Java array as an Object array whose elements Arrays.asList sees one by one.
func boxedArr(e *cfEmit, r *Expr) string {
	switch r.T.elem().K {
	case TInt:
		if r.T.elem().Bits == 32 {
			return "java.util.Arrays.stream(" + e.expr(r) + ").boxed().toArray(Integer[]::new)"
		}
		return "java.util.Arrays.stream(" + e.expr(r) + ").boxed().toArray(Long[]::new)"
	case TFloat:
		return "java.util.Arrays.stream(" + e.expr(r) + ").boxed().toArray(Double[]::new)"
	}
	return e.expr(r)
}

// concat writes a string concatenation: Python's str + str; Java's "a" + x, with C++'s
// std::to_string where the operand is a number.
func (e *cfEmit) concat(l, r *Expr) string {
	part := func(x *Expr, first bool) string {
		switch x.T.K {
		case TString:
			return e.paren(x)
		case TChar:
			if first {
				return e.charStr(e.expr(x))
			}
			return e.paren(x)
		case TInt:
			if e.java {
				if first {
					return "String.valueOf(" + e.expr(x) + ")"
				}
				return e.paren(x)
			}
			return "std::to_string(" + e.expr(x) + ")"
		case TBool:
			if e.pyStrings() {
				if e.java {
					e.helpers["weftStr"] = true
					return "weftStr(" + e.expr(x) + ")"
				}
				return "std::string(" + e.paren(x) + " ? \"True\" : \"False\")"
			}
			if e.java {
				return "String.valueOf(" + e.expr(x) + ")"
			}
			return "std::string(" + e.paren(x) + " ? \"true\" : \"false\")"
		}
		e.add(x.Line, "%s in a string concatenation", x.T)
		return "0"
	}
	return part(l, true) + " + " + part(r, false)
}

// countedLoop returns the counter and bound names (numbered n), the comparison and the increment of a
// C-style for header (C, C++, Java, JavaScript) for range loop s; ok is false when its step is not a
// non-zero constant.
func countedLoop(s *Stmt, n int) (i, end, cmp, inc string, ok bool) {
	step := int64(1)
	if s.Step != nil {
		v, err := strconv.ParseInt(constText(s.Step), 10, 64)
		if err != nil || v == 0 {
			return "", "", "", "", false
		}
		step = v
	}
	i, end = "_i"+itoa(n), "_end"+itoa(n)
	cmp, inc = "<", i+"++"
	if step < 0 {
		cmp = ">"
	}
	switch {
	case step == -1:
		inc = i + "--"
	case step != 1:
		inc = fmt.Sprintf("%s += %d", i, step)
	}
	return i, end, cmp, inc, true
}
