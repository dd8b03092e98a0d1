package rules

import (
	"fmt"
	"strings"
)

// builtin writes a library operation in Go.
func (g *goEmit) builtin(e *Expr, min int) string {
	x := func(i int) string { return g.expr(e.Args[i], 0) }
	t := func(i int) Type { return e.Args[i].T }
	n := len(e.Args)
	use := func(h string) string { g.helpers[h] = true; return h }
	imp := func(p string) { g.imports[p] = true }
	flt := func(i int) string { return g.conv(e.Args[i], tFloat) }
	mathF := func(f string) string {
		imp("math")
		var as []string
		for i := range e.Args {
			as = append(as, flt(i))
		}
		return "math." + f + "(" + strings.Join(as, ", ") + ")"
	}
	switch e.Op {
	case "sum", "minOf", "maxOf", "len", "set", "sorted", "sortedDesc", "any", "all":
		// These do not depend on the order of their argument: the keys or values of a dict may
		// come in Go's map order.
		if n > 0 && e.Args[0].K == EBuiltin && (e.Args[0].Op == "keys" || e.Args[0].Op == "values") {
			g.orderFree = true
		}
	}
	switch e.Op {
	case "len":
		if t(0).K == TString && g.pyStr {
			imp("unicode/utf8")
			return "utf8.RuneCountInString(" + x(0) + ")"
		}
		return "len(" + x(0) + ")"
	case "min", "max":
		var as []string
		for i := range e.Args {
			as = append(as, g.conv(e.Args[i], e.T))
		}
		if e.T.K == TInt && n == 2 {
			return e.Op + "(" + strings.Join(as, ", ") + ")"
		}
		return use(e.Op+"Of") + "(" + strings.Join(as, ", ") + ")"
	case "minOf", "maxOf":
		if t(0).K == TList {
			imp("slices")
			f := "Min"
			if e.Op == "maxOf" {
				f = "Max"
			}
			return "slices." + f + "(" + x(0) + ")"
		}
	case "abs":
		if e.T.K == TFloat {
			return mathF("Abs")
		}
		return use("absInt") + "(" + g.conv(e.Args[0], tInt) + ")"
	case "fabs":
		return mathF("Abs")
	case "sqrt", "log", "log2", "log10", "exp", "sin", "cos", "tan", "atan", "asin", "acos", "hypot", "atan2", "floor", "ceil", "cbrt":
		if e.Op == "log" && n == 2 {
			imp("math")
			return "(math.Log(" + flt(0) + ") / math.Log(" + flt(1) + "))"
		}
		return mathF(strings.ToUpper(e.Op[:1]) + e.Op[1:])
	case "fpow":
		return mathF("Pow")
	case "ifloor":
		return "int(" + mathF("Floor") + ")"
	case "iceil":
		return "int(" + mathF("Ceil") + ")"
	case "jround":
		imp("math")
		return "int(math.Floor(" + flt(0) + " + 0.5))"
	case "fill":
		if isZero(e.Args[1]) {
			return "make(" + g.typ(e.T) + ", " + g.conv(e.Args[0], tInt) + ")"
		}
		g.tmp++
		r := fmt.Sprintf("r%d", g.tmp)
		ind := g.ind()
		return fmt.Sprintf("func() %s {\n%s\t%s := make(%s, %s)\n%s\tfor i := range %s {\n%s\t\t%s[i] = %s\n%s\t}\n%s\treturn %s\n%s}()",
			g.typ(e.T), ind, r, g.typ(e.T), g.conv(e.Args[0], tInt), ind, r, ind, r, g.conv(e.Args[1], e.T.elem()), ind, ind, r, ind)
	case "itrunc":
		return "int(" + x(0) + ")"
	case "round":
		if n == 1 {
			return "int(" + mathF("RoundToEven") + ")"
		}
	case "isqrt":
		return "int(math.Sqrt(" + flt(0) + "))"
	case "inf":
		imp("math")
		return "math.Inf(1)"
	case "pow":
		if e.T.K == TFloat {
			return mathF("Pow")
		}
		return use("ipow") + "(" + x(0) + ", " + x(1) + ")"
	case "powmod":
		return use("powMod") + "(" + x(0) + ", " + x(1) + ", " + x(2) + ")"
	case "gcd":
		return use("gcd") + "(" + x(0) + ", " + x(1) + ")"
	case "factorial":
		return use("factorial") + "(" + x(0) + ")"
	case "int":
		switch t(0).K {
		case TString:
			return use("atoi") + "(" + x(0) + ")"
		case TFloat, TChar:
			return "int(" + x(0) + ")"
		case TBool:
			return use("boolToInt") + "(" + x(0) + ")"
		}
		return x(0)
	case "float":
		if t(0).K == TString {
			return use("atof") + "(" + x(0) + ")"
		}
		return flt(0)
	case "bool":
		return g.cond(e.Args[0])
	case "str":
		switch t(0).K {
		case TInt:
			imp("strconv")
			return "strconv.Itoa(" + x(0) + ")"
		case TFloat:
			return use("pyFloatStr") + "(" + x(0) + ")"
		case TBool:
			return use("pyBoolStr") + "(" + x(0) + ")"
		case TChar:
			return "string(" + x(0) + ")"
		case TString:
			return x(0)
		}
	case "ord":
		if t(0).K == TChar {
			return "int(" + x(0) + ")"
		}
		return "int([]rune(" + x(0) + ")[0])"
	case "chr":
		return "string(rune(" + x(0) + "))"
	case "sum":
		return use("sum") + "(" + x(0) + ")"
	case "sorted", "sortedDesc":
		arg := x(0)
		if t(0).K == TMap {
			if e.Op == "sorted" {
				return use("keys") + "(" + arg + ")" // sorted(d): the keys in order
			}
			arg = use("keys") + "(" + arg + ")"
		}
		if t(0).K == TString {
			imp("strings")
			arg = "strings.Split(" + arg + ", \"\")"
		}
		return use(e.Op) + "(" + arg + ")"
	case "copy":
		if t(0).K == TString {
			imp("strings")
			return "strings.Split(" + x(0) + ", \"\")"
		}
		return "append(" + g.typ(e.T) + "{}, " + x(0) + "...)"
	case "reversed", "revslice":
		if t(0).K == TString && e.Op == "revslice" {
			return use("reverseString") + "(" + x(0) + ")"
		}
		if t(0).K == TString {
			imp("strings")
			return "strings.Split(" + use("reverseString") + "(" + x(0) + "), \"\")"
		}
		return use("reversed") + "(" + x(0) + ")"
	case "upper", "lower":
		imp("strings")
		return "strings.To" + strings.ToUpper(e.Op[:1]) + e.Op[1:] + "(" + x(0) + ")"
	case "strip", "lstrip", "rstrip":
		imp("strings")
		if n == 1 {
			f := map[string]string{"strip": "TrimSpace", "lstrip": "TrimLeft", "rstrip": "TrimRight"}[e.Op]
			if f == "TrimSpace" {
				return "strings.TrimSpace(" + x(0) + ")"
			}
			return "strings." + f + "(" + x(0) + ", \" \\t\\n\\r\\v\\f\")"
		}
		f := map[string]string{"strip": "Trim", "lstrip": "TrimLeft", "rstrip": "TrimRight"}[e.Op]
		return "strings." + f + "(" + x(0) + ", " + x(1) + ")"
	case "split":
		imp("strings")
		if n == 1 {
			return "strings.Fields(" + x(0) + ")"
		}
		return "strings.Split(" + x(0) + ", " + x(1) + ")"
	case "join":
		imp("strings")
		if t(1).K == TString {
			return "strings.Join(strings.Split(" + x(1) + ", \"\"), " + x(0) + ")"
		}
		return "strings.Join(" + x(1) + ", " + x(0) + ")"
	case "find", "index":
		if t(0).K == TString {
			if g.pyStr {
				return use("runeIndex") + "(" + x(0) + ", " + g.conv(e.Args[1], tString) + ")"
			}
			imp("strings")
			return "strings.Index(" + x(0) + ", " + g.conv(e.Args[1], tString) + ")"
		}
		imp("slices")
		return "slices.Index(" + x(0) + ", " + g.conv(e.Args[1], t(0).elem()) + ")"
	case "replace":
		imp("strings")
		if n == 3 {
			return "strings.ReplaceAll(" + x(0) + ", " + g.conv(e.Args[1], tString) + ", " + g.conv(e.Args[2], tString) + ")"
		}
	case "startswith", "endswith":
		imp("strings")
		f := "HasPrefix"
		if e.Op == "endswith" {
			f = "HasSuffix"
		}
		return "strings." + f + "(" + x(0) + ", " + x(1) + ")"
	case "count":
		if t(0).K == TString {
			imp("strings")
			return "strings.Count(" + x(0) + ", " + g.conv(e.Args[1], tString) + ")"
		}
		return use("countOf") + "(" + x(0) + ", " + x(1) + ")"
	case "isdigit", "isalpha", "isupper", "islower", "isalnum", "isspace":
		f := map[string]string{"isdigit": "IsDigit", "isalpha": "IsLetter", "isupper": "IsUpper", "islower": "IsLower",
			"isspace": "IsSpace", "isalnum": "isAlnum"}[e.Op]
		if t(0).K == TChar {
			if f == "isAlnum" {
				return use("isAlnum") + "(rune(" + x(0) + "))"
			}
			imp("unicode")
			return "unicode." + f + "(rune(" + x(0) + "))"
		}
		return use("pyStr"+f[:1]+strings.TrimPrefix(f[1:], "s")) + "(" + x(0) + ")"
	case "mapget":
		if n == 2 {
			return x(0) + "[" + x(1) + "]"
		}
		return use("getOr") + "(" + x(0) + ", " + g.conv(e.Args[1], t(0).key()) + ", " + g.conv(e.Args[2], t(0).elem()) + ")"
	case "contains", "containsKey":
		return g.membership(e.Args[1], e.Args[0])
	case "set":
		if t(0).K == TString {
			imp("strings")
			return use("setOf") + "(strings.Split(" + x(0) + ", \"\"))"
		}
		return use("setOf") + "(" + x(0) + ")"
	case "keys":
		if !g.pyStr || g.orderFree {
			g.orderFree = false
			return use("keys") + "(" + x(0) + ")"
		}
	case "values":
		if g.orderFree {
			g.orderFree = false
			return use("mapValues") + "(" + x(0) + ")"
		}
	case "pop":
		if n == 1 {
			return use("popLast") + "(&" + x(0) + ")"
		}
		return use("popAt") + "(&" + x(0) + ", " + g.conv(e.Args[1], tInt) + ")"
	case "sort":
		imp("slices")
		return "slices.Sort(" + x(0) + ")"
	case "sortDesc":
		imp("slices")
		imp("cmp")
		return "slices.SortFunc(" + x(0) + ", func(a, b " + g.typ(t(0).elem()) + ") int { return cmp.Compare(b, a) })"
	case "reverse":
		imp("slices")
		return "slices.Reverse(" + x(0) + ")"
	case "charAt":
		return x(0) + "[" + g.conv(e.Args[1], tInt) + "]"
	case "sliceStep":
		h := use("pySliceStep")
		args := x(1) + ", " + x(2) + ", " + x(3) + ", " + x(4) + ", " + x(5)
		if t(0).K == TString {
			return "string(" + h + "([]rune(" + x(0) + "), " + args + "))"
		}
		if t(0).K == TList {
			return h + "(" + x(0) + ", " + args + ")"
		}
	case "intBase":
		return use("atoiBase") + "(" + x(0) + ", " + g.conv(e.Args[1], tInt) + ")"
	case "bin":
		return use("pyBin") + "(" + g.conv(e.Args[0], tInt) + ")"
	case "mergeMaps":
		return use("mergeMaps") + "(" + x(0) + ")"
	case "flatten":
		return use("pyFlatten") + "(" + x(0) + ")"
	case "counter":
		if t(0).K == TString {
			imp("strings")
			return use("pyCounter") + "(strings.Split(" + x(0) + ", \"\"))"
		}
		return use("pyCounter") + "(" + x(0) + ")"
	case "sortedKey", "sortedKeyDesc", "minKey", "maxKey":
		seq := x(0)
		if t(0).K == TString {
			imp("strings")
			seq = "strings.Split(" + seq + ", \"\")"
		}
		return use(e.Op) + "(" + seq + ", " + g.keyFunc(e.Args[1]) + ")"
	case "any", "all":
		if t(0).elem().K == TBool {
			return use(e.Op+"Of") + "(" + x(0) + ")"
		}
	case "substring":
		if n == 2 {
			return x(0) + "[" + g.conv(e.Args[1], tInt) + ":]"
		}
		return x(0) + "[" + g.conv(e.Args[1], tInt) + ":" + g.conv(e.Args[2], tInt) + "]"
	case "equals":
		return x(0) + " == " + x(1)
	case "isEmpty":
		return "len(" + x(0) + ") == 0"
	case "repeat":
		imp("strings")
		return "strings.Repeat(" + x(0) + ", " + g.conv(e.Args[1], tInt) + ")"
	}
	g.add(e.Line, "%s on %s in Go", e.Op, argTypes(e))
	return "0"
}

func argTypes(e *Expr) string {
	var ts []string
	for _, a := range e.Args {
		ts = append(ts, a.T.String())
	}
	return strings.Join(ts, ", ")
}

// goHelpers are the functions a Go translation may need, written once each at its end.
var goHelpers = map[string]string{
	"pyFloorDiv": `// pyFloorDiv is Python's a // b on ints: the quotient rounded toward negative infinity.
func pyFloorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}
`,
	"pyMod": `// pyMod is Python's a % b on ints: the result has the sign of b.
func pyMod(a, b int) int {
	m := a % b
	if m != 0 && ((m < 0) != (b < 0)) {
		m += b
	}
	return m
}
`,
	"pyFMod": `// pyFMod is Python's a % b on floats: the result has the sign of b.
func pyFMod(a, b float64) float64 {
	m := math.Mod(a, b)
	if m != 0 && ((m < 0) != (b < 0)) {
		m += b
	}
	return m
}
`,
	"ipow": `// ipow is an integer power (b >= 0).
func ipow(a, b int) int {
	r := 1
	for ; b > 0; b-- {
		r *= a
	}
	return r
}
`,
	"powMod": `func powMod(a, b, m int) int {
	r := 1 % m
	a = ((a % m) + m) % m
	for ; b > 0; b >>= 1 {
		if b&1 == 1 {
			r = r * a % m
		}
		a = a * a % m
	}
	return r
}
`,
	"absInt": `func absInt(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
`,
	"minOf": `func minOf[T cmp.Ordered](x T, ys ...T) T {
	for _, y := range ys {
		x = min(x, y)
	}
	return x
}
`,
	"maxOf": `func maxOf[T cmp.Ordered](x T, ys ...T) T {
	for _, y := range ys {
		x = max(x, y)
	}
	return x
}
`,
	"gcd": `func gcd(a, b int) int {
	a, b = absInt(a), absInt(b)
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
`,
	"factorial": `func factorial(n int) int {
	r := 1
	for i := 2; i <= n; i++ {
		r *= i
	}
	return r
}
`,
	"boolToInt": `func boolToInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
`,
	"atoi": `// atoi is Python's int(s): surrounding blanks are allowed.
func atoi(s string) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		panic(err)
	}
	return n
}
`,
	"atof": `func atof(s string) float64 {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		panic(err)
	}
	return f
}
`,
	"pyFloatStr": `// pyFloatStr formats a float as Python's str does: the shortest text that reads back, with
// an exponent below 1e-4 and from 1e16 on, and ".0" on whole numbers.
func pyFloatStr(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		return "nan"
	}
	if a := math.Abs(f); a != 0 && (a < 1e-4 || a >= 1e16) {
		return strconv.FormatFloat(f, 'e', -1, 64)
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}
`,
	"pyFlatten": `// pyFlatten joins lists into one (a comprehension of several for clauses).
func pyFlatten[T any](xss [][]T) []T {
	var out []T
	for _, xs := range xss {
		out = append(out, xs...)
	}
	if out == nil {
		out = []T{}
	}
	return out
}
`,
	"pyCounter": `// pyCounter is Python's Counter(xs): how many times each element occurs.
func pyCounter[T comparable](xs []T) map[T]int {
	m := map[T]int{}
	for _, x := range xs {
		m[x]++
	}
	return m
}
`,
	"pySliceStep": `// pySliceStep is Python's xs[lo:hi:step]; hasLo and hasHi say whether the bounds were given.
func pySliceStep[T any](xs []T, lo, hi, step int, hasLo, hasHi bool) []T {
	n := len(xs)
	if step == 0 {
		panic("slice step cannot be zero")
	}
	clamp := func(i, def, low, high int, has bool) int {
		if !has {
			return def
		}
		if i < 0 {
			i += n
		}
		return min(max(i, low), high)
	}
	out := []T{}
	if step > 0 {
		lo, hi = clamp(lo, 0, 0, n, hasLo), clamp(hi, n, 0, n, hasHi)
		for i := lo; i < hi; i += step {
			out = append(out, xs[i])
		}
		return out
	}
	lo, hi = clamp(lo, n-1, -1, n-1, hasLo), clamp(hi, -1, -1, n-1, hasHi)
	for i := lo; i > hi; i += step {
		out = append(out, xs[i])
	}
	return out
}
`,
	"atoiBase": `// atoiBase is Python's int(s, base).
func atoiBase(s string, base int) int {
	n, err := strconv.ParseInt(strings.TrimSpace(s), base, 64)
	if err != nil {
		panic(err)
	}
	return int(n)
}
`,
	"pyBin": `// pyBin is Python's bin(n).
func pyBin(n int) string {
	if n < 0 {
		return "-0b" + strconv.FormatUint(uint64(-n), 2)
	}
	return "0b" + strconv.FormatInt(int64(n), 2)
}
`,
	"mergeMaps": `// mergeMaps joins maps in order, later keys replacing earlier ones (a dict comprehension).
func mergeMaps[K comparable, V any](ms []map[K]V) map[K]V {
	out := map[K]V{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}
`,
	"mapValues": `// mapValues is a map's values in no particular order (for sum, min, max and the like).
func mapValues[K comparable, V any](m map[K]V) []V {
	vs := make([]V, 0, len(m))
	for _, v := range m {
		vs = append(vs, v)
	}
	return vs
}
`,
	"pyIdx": `// pyIdx is Python's index i into a sequence of length n: a negative one counts from the end.
func pyIdx(i, n int) int {
	if i < 0 {
		return i + n
	}
	return i
}
`,
	"sortedKey": `// sortedKey is Python's sorted(xs, key=key): a stable sort of a copy.
func sortedKey[T any, K cmp.Ordered](xs []T, key func(T) K) []T {
	ys := append([]T{}, xs...)
	slices.SortStableFunc(ys, func(a, b T) int { return cmp.Compare(key(a), key(b)) })
	return ys
}
`,
	"sortedKeyDesc": `// sortedKeyDesc is Python's sorted(xs, key=key, reverse=True): equal keys keep their order.
func sortedKeyDesc[T any, K cmp.Ordered](xs []T, key func(T) K) []T {
	ys := append([]T{}, xs...)
	slices.SortStableFunc(ys, func(a, b T) int { return cmp.Compare(key(b), key(a)) })
	return ys
}
`,
	"minKey": `// minKey is Python's min(xs, key=key): the first element of least key.
func minKey[T any, K cmp.Ordered](xs []T, key func(T) K) T {
	best, bk := xs[0], key(xs[0])
	for _, x := range xs[1:] {
		if k := key(x); k < bk {
			best, bk = x, k
		}
	}
	return best
}
`,
	"maxKey": `// maxKey is Python's max(xs, key=key): the first element of greatest key.
func maxKey[T any, K cmp.Ordered](xs []T, key func(T) K) T {
	best, bk := xs[0], key(xs[0])
	for _, x := range xs[1:] {
		if k := key(x); k > bk {
			best, bk = x, k
		}
	}
	return best
}
`,
	"pyRepr": `// pyRepr formats a list as Python's str does.
func pyRepr(v any) string {
	switch x := v.(type) {
	case int:
		return strconv.Itoa(x)
	case float64:
		return pyFloatStr(x)
	case bool:
		if x {
			return "True"
		}
		return "False"
	case string:
		if strings.Contains(x, "'") && !strings.Contains(x, "\"") {
			return "\"" + strings.ReplaceAll(x, "\\", "\\\\") + "\""
		}
		return "'" + strings.ReplaceAll(strings.ReplaceAll(x, "\\", "\\\\"), "'", "\\'") + "'"
	}
	rv := reflect.ValueOf(v)
	var b strings.Builder
	b.WriteString("[")
	for i := 0; i < rv.Len(); i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(pyRepr(rv.Index(i).Interface()))
	}
	b.WriteString("]")
	return b.String()
}
`,
	"pyBoolStr": `func pyBoolStr(b bool) string {
	if b {
		return "True"
	}
	return "False"
}
`,
	"sum": `func sum[T cmp.Ordered](xs []T) T {
	var s T
	for _, x := range xs {
		s += x
	}
	return s
}
`,
	"sorted": `func sorted[T cmp.Ordered](xs []T) []T {
	ys := append([]T{}, xs...)
	slices.Sort(ys)
	return ys
}
`,
	"sortedDesc": `func sortedDesc[T cmp.Ordered](xs []T) []T {
	ys := append([]T{}, xs...)
	slices.SortFunc(ys, func(a, b T) int { return cmp.Compare(b, a) })
	return ys
}
`,
	"reversed": `func reversed[T any](xs []T) []T {
	ys := append([]T{}, xs...)
	slices.Reverse(ys)
	return ys
}
`,
	"runeIndex": `// runeIndex is Python's s.find(sub): the position in characters, -1 when absent.
func runeIndex(s, sub string) int {
	i := strings.Index(s, sub)
	if i < 0 {
		return -1
	}
	return utf8.RuneCountInString(s[:i])
}
`,
	"reverseString": `func reverseString(s string) string {
	r := []rune(s)
	slices.Reverse(r)
	return string(r)
}
`,
	"pySlice": `// pySlice is Python's xs[lo:hi]: a copy, bounds clamped, negative bounds counted from the end.
func pySlice[T any](xs []T, lo, hi int) []T {
	lo, hi = sliceBounds(len(xs), lo, hi)
	return append([]T{}, xs[lo:hi]...)
}
`,
	"pySliceStr": `// pySliceStr is Python's s[lo:hi] in characters.
func pySliceStr(s string, lo, hi int) string {
	r := []rune(s)
	lo, hi = sliceBounds(len(r), lo, hi)
	return string(r[lo:hi])
}
`,
	"sliceBounds": `func sliceBounds(n, lo, hi int) (int, int) {
	if lo < 0 {
		lo += n
	}
	if hi < 0 {
		hi += n
	}
	lo, hi = min(max(lo, 0), n), min(max(hi, 0), n)
	return lo, max(lo, hi)
}
`,
	"anyOf": `func anyOf(xs []bool) bool {
	for _, x := range xs {
		if x {
			return true
		}
	}
	return false
}
`,
	"allOf": `func allOf(xs []bool) bool {
	for _, x := range xs {
		if !x {
			return false
		}
	}
	return true
}
`,
	"countOf": `func countOf[T comparable](xs []T, v T) int {
	n := 0
	for _, x := range xs {
		if x == v {
			n++
		}
	}
	return n
}
`,
	"isAlnum": `func isAlnum(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }
`,
	"pyStrIDigit": `// pyStrIDigit is Python's s.isdigit().
func pyStrIDigit(s string) bool { return s != "" && strings.IndexFunc(s, func(r rune) bool { return !unicode.IsDigit(r) }) < 0 }
`,
	"pyStrILetter": `// pyStrILetter is Python's s.isalpha().
func pyStrILetter(s string) bool { return s != "" && strings.IndexFunc(s, func(r rune) bool { return !unicode.IsLetter(r) }) < 0 }
`,
	"pyStrISpace": `// pyStrISpace is Python's s.isspace().
func pyStrISpace(s string) bool { return s != "" && strings.IndexFunc(s, func(r rune) bool { return !unicode.IsSpace(r) }) < 0 }
`,
	"pyStrIUpper": `// pyStrIUpper is Python's s.isupper(): some cased character, none lower case.
func pyStrIUpper(s string) bool { return strings.ToUpper(s) == s && strings.ToLower(s) != s }
`,
	"pyStrILower": `// pyStrILower is Python's s.islower(): some cased character, none upper case.
func pyStrILower(s string) bool { return strings.ToLower(s) == s && strings.ToUpper(s) != s }
`,
	"pyStriAlnum": `// pyStriAlnum is Python's s.isalnum().
func pyStriAlnum(s string) bool { return s != "" && strings.IndexFunc(s, func(r rune) bool { return !isAlnum(r) }) < 0 }
`,
	"getOr": `func getOr[K comparable, V any](m map[K]V, k K, d V) V {
	if v, ok := m[k]; ok {
		return v
	}
	return d
}
`,
	"hasKey": `func hasKey[K comparable, V any](m map[K]V, k K) bool {
	_, ok := m[k]
	return ok
}
`,
	"setOf": `func setOf[T comparable](xs []T) map[T]bool {
	s := map[T]bool{}
	for _, x := range xs {
		s[x] = true
	}
	return s
}
`,
	"keys": `func keys[K cmp.Ordered, V any](m map[K]V) []K {
	ks := make([]K, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
`,
	"popLast": `func popLast[T any](xs *[]T) T {
	s := *xs
	v := s[len(s)-1]
	*xs = s[:len(s)-1]
	return v
}
`,
	"popAt": `func popAt[T any](xs *[]T, i int) T {
	s := *xs
	if i < 0 {
		i += len(s)
	}
	v := s[i]
	*xs = append(s[:i:i], s[i+1:]...)
	return v
}
`,
	"removeFirst": `func removeFirst[T comparable](xs []T, v T) []T {
	i := slices.Index(xs, v)
	if i < 0 {
		panic("remove: value not in list")
	}
	return append(xs[:i:i], xs[i+1:]...)
}
`,
	"repeatList": `func repeatList[T any](xs []T, n int) []T {
	var r []T
	for i := 0; i < n; i++ {
		r = append(r, xs...)
	}
	return r
}
`,
}

var goHelperDeps = map[string][]string{
	"pySlice":     {"sliceBounds"},
	"pySliceStr":  {"sliceBounds"},
	"gcd":         {"absInt"},
	"pyStriAlnum": {"isAlnum"},
	"pyRepr":      {"pyFloatStr"},
}

var goHelperImports = map[string][]string{
	"pyFMod": {"math"}, "minOf": {"cmp"}, "maxOf": {"cmp"}, "atoi": {"strconv", "strings"}, "atof": {"strconv", "strings"},
	"pyFloatStr": {"math", "strconv", "strings"}, "sortedKey": {"cmp", "slices"}, "sortedKeyDesc": {"cmp", "slices"},
	"minKey": {"cmp"}, "maxKey": {"cmp"}, "atoiBase": {"strconv", "strings"}, "pyBin": {"strconv"}, "pyRepr": {"reflect", "strconv", "strings"}, "sum": {"cmp"}, "sorted": {"cmp", "slices"}, "sortedDesc": {"cmp", "slices"},
	"reversed": {"slices"}, "reverseString": {"slices"}, "runeIndex": {"strings", "unicode/utf8"}, "isAlnum": {"unicode"},
	"pyStrIDigit": {"strings", "unicode"}, "pyStrILetter": {"strings", "unicode"}, "pyStrISpace": {"strings", "unicode"},
	"pyStrIUpper": {"strings"}, "pyStrILower": {"strings"}, "pyStriAlnum": {"strings"}, "keys": {"cmp", "slices"},
	"removeFirst": {"slices"},
}

// keyFunc writes the key of sorted, min, max or sort (an EComp: variable, body, sequence) as a Go
// function literal.
func (g *goEmit) keyFunc(k *Expr) string {
	elem := k.Args[1].T.elem()
	if k.Args[1].T.K == TString {
		elem = tString
	}
	body := k.Args[0]
	return "func(" + k.Op + " " + g.typ(elem) + ") " + g.typ(body.T) + " { return " + g.expr(body, 0) + " }"
}

// print writes Python's print: str() of each argument, joined by sep, then end.
func (g *goEmit) print(e *Expr) {
	g.imports["fmt"] = true
	parts := []string{}
	for i, a := range e.Args[2:] {
		if i > 0 {
			parts = append(parts, g.conv(e.Args[0], tString))
		}
		parts = append(parts, g.strOf(a))
	}
	parts = append(parts, g.conv(e.Args[1], tString))
	g.line("fmt.Print(%s)", strings.Join(parts, " + "))
}

// strOf writes Python's str(a).
func (g *goEmit) strOf(a *Expr) string {
	switch a.T.K {
	case TString:
		return g.expr(a, 5)
	case TInt:
		g.imports["strconv"] = true
		return "strconv.Itoa(" + g.conv(a, tInt) + ")"
	case TFloat:
		g.helpers["pyFloatStr"] = true
		return "pyFloatStr(" + g.expr(a, 0) + ")"
	case TBool:
		g.helpers["pyBoolStr"] = true
		return "pyBoolStr(" + g.expr(a, 0) + ")"
	case TChar:
		return "string(" + g.expr(a, 0) + ")"
	case TList:
		el := a.T
		for el.K == TList {
			el = el.elem()
		}
		if el.K == TInt || el.K == TFloat || el.K == TBool || el.K == TString {
			g.helpers["pyRepr"] = true
			return "pyRepr(" + g.expr(a, 0) + ")"
		}
	}
	g.add(a.Line, "printing a %s", a.T)
	return `""`
}
