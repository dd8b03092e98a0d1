package rules

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/weft-dev/weft/grammars"
)

// Differential testing: the entry function of a unit (its last function) is run, in its source
// language and in a translation, on the same generated inputs, and their outputs are compared. This
// file generates the inputs from the inferred parameter types and writes the driver programs; running
// them is the caller's (translate/ runs them in its sandbox, only when verification is on).
//
// A driver prints one line per input: "ok " and the result in a canonical form that every language
// writes alike (ints in decimal, floats as %.6e, strings and characters as their code points, lists
// bracketed), or "error" when the call raised. Lines are flushed as they are written, so a crash
// (a Go stack overflow) still leaves the inputs before it.

// Signature is the entry function of a unit with its inferred types.
type Signature struct {
	Name   string
	Params []Param
	Result Type
}

// Analyze parses and type-checks code and returns the signature of its last function.
func Analyze(ctx context.Context, lang *grammars.Language, code string) (*Signature, error) {
	d, err := grammars.NewDocumentContext(ctx, lang, []byte(code))
	if err != nil {
		return nil, err
	}
	defer d.Close()
	prog, charIndex, err := front(lang, d)
	if err != nil {
		return nil, err
	}
	if len(prog.Funcs) == 0 {
		return nil, errors.New("rules: no function")
	}
	inferConcat(prog, charIndex, lang.ID == "javascript" || lang.ID == "typescript")
	f := prog.Funcs[len(prog.Funcs)-1]
	return &Signature{Name: f.Name, Params: f.Params, Result: f.Result}, nil
}

// Value is a generated input: int64, float64, bool, string, Char, or []Value.
type Value any

// Char is a character input.
type Char rune

var (
	intPool   = []int64{0, 1, 2, 3, 5, 7, 10, 4, 13, 6, 1, 8, -1, -4, -13}
	floatPool = []float64{0, 1.5, 2.25, 3, 10.5, 0.1, 7, -2.5, -0.75}
	strPool   = []string{"", "a", "abc", "hello world", "aab", "Zebra", "racecar", "12321", "a b c", "héllo", "xyzzy", "AbBa"}
	charPool  = []rune{'a', 'z', 'A', '0', ' ', 'm', 'Z', '9'}
	intLists  = [][]int64{{}, {1}, {3, 1, 2}, {5, 5, 1, 0}, {2, 4, 6, 8, 10}, {1, 2, 3, 4, 5, 6, 7}, {9, 8, 7, 6}, {4, 4, 4}, {-3, 7, 7, 0, 2, -9}, {-1, -2}}
)

// sizeName matches parameter names that usually give the length of the list before them.
var sizeName = regexp.MustCompile(`^(n|N|size|len|length|l|m|sz|num|cnt|count)$`)

// Inputs generates n argument lists for sig: zero, small positive values, empty and repeated lists
// first, negative values and non-ASCII text last (so an input that crashes a translation without
// recovery, such as unbounded recursion, comes after the others). An int parameter named like a size
// that follows a list gets that list's length. ok is false when a parameter type has no generator.
func Inputs(sig *Signature, n int) ([][]Value, bool) {
	var out [][]Value
	for k := 0; k < n; k++ {
		var args []Value
		var lastList []Value
		for j, p := range sig.Params {
			if p.T.K == TInt && lastList != nil && sizeName.MatchString(p.Name) {
				args = append(args, int64(len(lastList)))
				lastList = nil
				continue
			}
			v, ok := gen(p.T, k+3*j, k)
			if !ok {
				return nil, false
			}
			if l, isList := v.([]Value); isList {
				lastList = l
			}
			args = append(args, v)
		}
		out = append(out, args)
	}
	return out, true
}

func gen(t Type, i, k int) (Value, bool) {
	switch t.K {
	case TInt:
		// Negative values only in the last third of the inputs.
		pool := intPool[:12]
		if k >= 8 {
			pool = intPool
		}
		return pool[i%len(pool)], true
	case TFloat:
		return floatPool[i%len(floatPool)], true
	case TBool:
		return i%2 == 0, true
	case TString:
		pool := strPool[:9]
		if k >= 8 {
			pool = strPool
		}
		return pool[i%len(pool)], true
	case TChar:
		return Char(charPool[i%len(charPool)]), true
	case TList:
		el := t.elem()
		switch el.K {
		case TInt:
			pool := intLists[:8]
			if k >= 8 {
				pool = intLists
			}
			l := pool[i%len(pool)]
			out := []Value{}
			for _, x := range l {
				out = append(out, x)
			}
			return out, true
		case TFloat, TString, TChar, TBool:
			out := []Value{}
			for j := 0; j < i%6; j++ {
				v, _ := gen(el, i+j*5, k)
				out = append(out, v)
			}
			return out, true
		case TList:
			out := []Value{}
			for j := 0; j < 1+i%3; j++ {
				v, _ := gen(el, i+j, k%8)
				if l, _ := v.([]Value); len(l) == 0 {
					v, _ = gen(el, i+j+1, k%8)
				}
				out = append(out, v)
			}
			return out, true
		}
	}
	return nil, false
}

// Show writes an input for humans (the verdict's first differing input).
func Show(args []Value) string {
	var s []string
	for _, a := range args {
		s = append(s, showValue(a))
	}
	return "(" + strings.Join(s, ", ") + ")"
}

func showValue(v Value) string {
	switch x := v.(type) {
	case string:
		return strconv.Quote(x)
	case Char:
		return strconv.QuoteRune(rune(x))
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case []Value:
		var s []string
		for _, e := range x {
			s = append(s, showValue(e))
		}
		return "[" + strings.Join(s, ", ") + "]"
	}
	return fmt.Sprint(v)
}

// Driver returns the files of a program that runs sig's function in code on each input and prints
// the canonical results, and the name of its main file. Languages: python, go, java, cpp, javascript.
func Driver(lang *grammars.Language, code string, sig *Signature, inputs [][]Value) (map[string]string, string, error) {
	switch lang.ID {
	case "python":
		return pyDriver(code, sig, inputs)
	case "go":
		return goDriver(code, sig, inputs)
	case "java":
		return javaDriver(code, sig, inputs)
	case "cpp":
		return cppDriver(code, sig, inputs)
	case "javascript":
		return jsDriver(code, sig, inputs)
	}
	return nil, "", fmt.Errorf("rules: no differential-test driver for %s", lang.Name)
}

// typeTag is the result type as the drivers' show functions take it.
func typeTag(t Type) string {
	switch t.K {
	case TInt:
		return "i"
	case TFloat:
		return "f"
	case TBool:
		return "b"
	case TString, TChar:
		return "s"
	case TList:
		return "l" + typeTag(t.elem())
	case TVoid:
		return "v"
	}
	return "?"
}

func pyLit(v Value) string {
	switch x := v.(type) {
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64) + func() string {
			if x == float64(int64(x)) {
				return ".0"
			}
			return ""
		}()
	case bool:
		if x {
			return "True"
		}
		return "False"
	case string:
		return strconv.Quote(x)
	case Char:
		return strconv.Quote(string(rune(x)))
	case []Value:
		var s []string
		for _, e := range x {
			s = append(s, pyLit(e))
		}
		return "[" + strings.Join(s, ", ") + "]"
	}
	return "None"
}

const pyShow = `
def _weft_show(v, t):
    if t == "v":
        return "none"
    if t == "b":
        return "true" if v else "false"
    if t == "i":
        if isinstance(v, str):
            return str(ord(v))
        return str(int(v)) if not isinstance(v, float) or v == int(v) else "%.6e" % v
    if t == "f":
        return "%.6e" % float(v)
    if t == "s":
        return "s" + ",".join(str(ord(c)) for c in v)
    if t[0] == "l":
        return "[" + ",".join(_weft_show(x, t[1:]) for x in v) + "]"
    return repr(v)
`

func pyDriver(code string, sig *Signature, inputs [][]Value) (map[string]string, string, error) {
	var b strings.Builder
	b.WriteString(code)
	b.WriteString("\n\nimport sys as _weft_sys\n")
	b.WriteString("_weft_sys.setrecursionlimit(20000)\n")
	b.WriteString(pyShow)
	b.WriteString("\n_weft_inputs = [\n")
	for _, in := range inputs {
		var as []string
		for _, a := range in {
			as = append(as, pyLit(a))
		}
		fmt.Fprintf(&b, "    (%s,),\n", strings.Join(as, ", "))
	}
	b.WriteString("]\n")
	fmt.Fprintf(&b, `for _weft_args in _weft_inputs:
    try:
        _weft_r = %s(*_weft_args)
        print("ok " + _weft_show(_weft_r, %q), flush=True)
    except BaseException:
        print("error", flush=True)
`, pyName(sig.Name), typeTag(sig.Result))
	if len(sig.Params) == 0 {
		return nil, "", errors.New("rules: no parameters to vary")
	}
	return map[string]string{"main.py": b.String()}, "main.py", nil
}

func goTypeName(t Type) string {
	switch t.K {
	case TInt:
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
		return "[]" + goTypeName(t.elem())
	}
	return "any"
}

func goLit(v Value, t Type) string {
	switch x := v.(type) {
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case string:
		return strconv.Quote(x)
	case Char:
		return "byte(" + strconv.QuoteRune(rune(x)) + ")"
	case []Value:
		var s []string
		for _, e := range x {
			s = append(s, goLit(e, t.elem()))
		}
		return goTypeName(t) + "{" + strings.Join(s, ", ") + "}"
	}
	return "nil"
}

var goPkg = regexp.MustCompile(`(?m)^package\s+\w+`)

func goDriver(code string, sig *Signature, inputs [][]Value) (map[string]string, string, error) {
	if goPkg.MatchString(code) {
		code = goPkg.ReplaceAllString(code, "package main")
	} else {
		code = "package main\n\n" + code
	}
	if regexp.MustCompile(`(?m)^func main\(\)`).MatchString(code) {
		return nil, "", errors.New("rules: the Go code has its own main")
	}
	var b strings.Builder
	b.WriteString(`package main

import (
	"fmt"
	"os"
	"reflect"
	"strconv"
	"strings"
)

func weftShow(v any, t string) string {
	switch t {
	case "v":
		return "none"
	case "b":
		return strconv.FormatBool(reflect.ValueOf(v).Bool())
	case "i":
		r := reflect.ValueOf(v)
		switch r.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			return strconv.FormatInt(r.Int(), 10)
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			return strconv.FormatUint(r.Uint(), 10)
		}
		return fmt.Sprintf("%.6e", r.Float())
	case "f":
		r := reflect.ValueOf(v)
		if r.CanFloat() {
			return fmt.Sprintf("%.6e", r.Float())
		}
		return fmt.Sprintf("%.6e", float64(r.Int()))
	case "s":
		var parts []string
		switch x := v.(type) {
		case string:
			for _, c := range x {
				parts = append(parts, strconv.Itoa(int(c)))
			}
		case byte:
			parts = append(parts, strconv.Itoa(int(x)))
		case rune:
			parts = append(parts, strconv.Itoa(int(x)))
		}
		return "s" + strings.Join(parts, ",")
	}
	if t[0] == 'l' {
		r := reflect.ValueOf(v)
		var parts []string
		for i := 0; i < r.Len(); i++ {
			parts = append(parts, weftShow(r.Index(i).Interface(), t[1:]))
		}
		return "[" + strings.Join(parts, ",") + "]"
	}
	return fmt.Sprint(v)
}

func weftRun(i int, f func() any, t string) {
	defer func() {
		if recover() != nil {
			fmt.Fprintln(os.Stdout, "error")
		}
	}()
	r := f()
	fmt.Fprintln(os.Stdout, "ok "+weftShow(r, t))
}

func main() {
`)
	tag := typeTag(sig.Result)
	for i, in := range inputs {
		var as []string
		for j, a := range in {
			as = append(as, goLit(a, sig.Params[j].T))
		}
		call := sig.Name + "(" + strings.Join(as, ", ") + ")"
		if sig.Result.K == TVoid {
			fmt.Fprintf(&b, "\tweftRun(%d, func() any { %s; return nil }, %q)\n", i, call, tag)
		} else {
			fmt.Fprintf(&b, "\tweftRun(%d, func() any { return %s }, %q)\n", i, call, tag)
		}
	}
	b.WriteString("}\n")
	return map[string]string{"unit.go": code, "main.go": b.String()}, "main.go", nil
}

// javaLit writes an input for a parameter declared as decl (the source text, "int arr[]").
func javaLit(v Value, t Type, decl string) string {
	switch x := v.(type) {
	case int64:
		if t.Bits == 64 {
			return strconv.FormatInt(x, 10) + "L"
		}
		return strconv.FormatInt(x, 10)
	case float64:
		s := strconv.FormatFloat(x, 'g', -1, 64)
		if !strings.ContainsAny(s, ".e") {
			s += ".0"
		}
		if strings.HasPrefix(decl, "float") {
			s += "f"
		}
		return s
	case bool:
		return strconv.FormatBool(x)
	case string:
		return javaQuote(x, '"')
	case Char:
		return javaQuote(string(rune(x)), '\'')
	case []Value:
		var s []string
		for _, e := range x {
			s = append(s, javaLit(e, t.elem(), ""))
		}
		if strings.Contains(decl, "List") || strings.Contains(decl, "Vector") {
			return "new java.util.ArrayList<>(java.util.Arrays.asList(" + strings.Join(s, ", ") + "))"
		}
		return "new " + javaArrayType(t) + "{" + strings.Join(s, ", ") + "}"
	}
	return "null"
}

func javaArrayType(t Type) string {
	switch t.K {
	case TInt:
		if t.Bits == 64 {
			return "long"
		}
		return "int"
	case TFloat:
		return "double"
	case TBool:
		return "boolean"
	case TString:
		return "String"
	case TChar:
		return "char"
	case TList:
		return javaArrayType(t.elem()) + "[]"
	}
	return "Object"
}

func javaQuote(s string, q rune) string {
	var b strings.Builder
	b.WriteRune(q)
	for _, r := range s {
		switch {
		case r == q || r == '\\':
			b.WriteRune('\\')
			b.WriteRune(r)
		case r < 32 || r > 126:
			if r > 0xFFFF {
				r1, r2 := utf16Pair(r)
				fmt.Fprintf(&b, "\\u%04x\\u%04x", r1, r2)
			} else {
				fmt.Fprintf(&b, "\\u%04x", r)
			}
		default:
			b.WriteRune(r)
		}
	}
	b.WriteRune(q)
	return b.String()
}

func utf16Pair(r rune) (rune, rune) {
	r -= 0x10000
	return 0xD800 + (r>>10)&0x3FF, 0xDC00 + r&0x3FF
}

var (
	javaClass  = regexp.MustCompile(`(?m)^\s*(public\s+)?(final\s+)?class\s+(\w+)`)
	javaPublic = regexp.MustCompile(`(?m)^(\s*)public(\s+(final\s+)?class\s)`)
)

func javaDriver(code string, sig *Signature, inputs [][]Value) (map[string]string, string, error) {
	owner := "WeftUnit"
	if m := javaClass.FindStringSubmatch(code); m != nil {
		owner = m[3]
		code = javaPublic.ReplaceAllString(code, "$1$2")
	} else {
		code = "class WeftUnit {\n" + code + "\n}\n"
	}
	var imports []string
	code = regexp.MustCompile(`(?m)^import\s+[^;]+;\s*$`).ReplaceAllStringFunc(code, func(s string) string {
		if !strings.Contains(s, "javafx") {
			imports = append(imports, strings.TrimSpace(s))
		}
		return ""
	})
	var b strings.Builder
	b.WriteString("import java.util.*;\n")
	for _, i := range imports {
		b.WriteString(i + "\n")
	}
	b.WriteString("\npublic class WeftMain {\n")
	b.WriteString(`    static String show(Object v, String t) {
        if (t.equals("v")) return "none";
        if (t.equals("b")) return v.toString();
        if (t.equals("i")) {
            if (v instanceof Character) return Integer.toString((Character) v);
            if (v instanceof Double || v instanceof Float) return String.format(Locale.ROOT, "%.6e", ((Number) v).doubleValue());
            return v.toString();
        }
        if (t.equals("f")) {
            if (v instanceof Character) return String.format(Locale.ROOT, "%.6e", (double) (Character) v);
            return String.format(Locale.ROOT, "%.6e", ((Number) v).doubleValue());
        }
        if (t.equals("s")) {
            StringBuilder b = new StringBuilder("s");
            String s = v instanceof Character ? String.valueOf((char) (Character) v) : v.toString();
            int[] cps = s.codePoints().toArray();
            for (int i = 0; i < cps.length; i++) { if (i > 0) b.append(','); b.append(cps[i]); }
            return b.toString();
        }
        if (t.charAt(0) == 'l') {
            List<Object> xs = new ArrayList<>();
            if (v instanceof List) xs.addAll((List<?>) v);
            else { int n = java.lang.reflect.Array.getLength(v); for (int i = 0; i < n; i++) xs.add(java.lang.reflect.Array.get(v, i)); }
            StringBuilder b = new StringBuilder("[");
            for (int i = 0; i < xs.size(); i++) { if (i > 0) b.append(','); b.append(show(xs.get(i), t.substring(1))); }
            return b.append(']').toString();
        }
        return String.valueOf(v);
    }

    interface Call { Object run() throws Throwable; }

    static void run(Call c, String t) {
        try {
            System.out.println("ok " + show(c.run(), t));
        } catch (Throwable e) {
            System.out.println("error");
        }
        System.out.flush();
    }

    public static void main(String[] args) {
`)
	static := regexp.MustCompile(`\bstatic\b[^;{=]*\b` + regexp.QuoteMeta(sig.Name) + `\s*\(`).MatchString(code)
	recv := owner
	if !static {
		recv = "new " + owner + "()"
	}
	tag := typeTag(sig.Result)
	for _, in := range inputs {
		var as []string
		for j, a := range in {
			as = append(as, javaLit(a, sig.Params[j].T, sig.Params[j].Decl))
		}
		call := recv + "." + sig.Name + "(" + strings.Join(as, ", ") + ")"
		if sig.Result.K == TVoid {
			fmt.Fprintf(&b, "        run(() -> { %s; return null; }, %q);\n", call, tag)
		} else {
			fmt.Fprintf(&b, "        run(() -> %s, %q);\n", call, tag)
		}
	}
	b.WriteString("    }\n}\n\n")
	b.WriteString(code)
	return map[string]string{"WeftMain.java": b.String()}, "WeftMain.java", nil
}

// Compare reads the outputs of the source's and the candidate's drivers: the number of inputs on
// which both ran and agree, and the index of the first input where they differ (-1 when none). An
// input on which the source itself fails is left out; the candidate must then only not hang.
func Compare(source, candidate string) (agree, first int) {
	sl := strings.Split(strings.TrimRight(source, "\n"), "\n")
	cl := strings.Split(strings.TrimRight(candidate, "\n"), "\n")
	first = -1
	for i, s := range sl {
		if !strings.HasPrefix(s, "ok ") {
			continue
		}
		if i >= len(cl) || cl[i] != s {
			if first < 0 {
				first = i
			}
			continue
		}
		agree++
	}
	return agree, first
}

// Line returns the i-th line of a driver's output ("" past the end), for the verdict's message.
func Line(out string, i int) string {
	ls := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if i < len(ls) {
		l := ls[i]
		if len(l) > 120 && utf8.ValidString(l) {
			l = l[:120] + "..."
		}
		return l
	}
	return "(no output)"
}

func cppElem(t Type) string {
	switch t.K {
	case TInt:
		if t.Bits != 32 { // Go's int, and an untyped source's (the C++ translation's long long)
			return "long long"
		}
		return "int"
	case TFloat:
		return "double"
	case TBool:
		return "bool"
	case TChar:
		return "char"
	case TString:
		return "std::string"
	case TList:
		return "std::vector<" + cppElem(t.elem()) + ">"
	}
	return "int"
}

func cppLit(v Value) string {
	switch x := v.(type) {
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		s := strconv.FormatFloat(x, 'g', -1, 64)
		if !strings.ContainsAny(s, ".e") {
			s += ".0"
		}
		return s
	case bool:
		return strconv.FormatBool(x)
	case string:
		return strconv.Quote(x)
	case Char:
		if x > 127 {
			return "'?'"
		}
		return strconv.QuoteRuneToASCII(rune(x))
	case []Value:
		var s []string
		for _, e := range x {
			s = append(s, cppLit(e))
		}
		return "{" + strings.Join(s, ", ") + "}"
	}
	return "0"
}

const cppShow = `
struct weft_ints {
    std::vector<int> i;
    std::vector<long long> l;
    operator int *() { return i.data(); }
    operator std::vector<long long> &() { return l; }
};
static std::string weft_show(long long v, char t) { if (t == 'f') { char b[64]; snprintf(b, sizeof b, "%.6e", (double) v); return b; } if (t == 's') return "s" + std::to_string(v); return std::to_string(v); }
static std::string weft_show(int v, char t) { return weft_show((long long) v, t); }
static std::string weft_show(unsigned v, char t) { return weft_show((long long) v, t); }
static std::string weft_show(long v, char t) { return weft_show((long long) v, t); }
static std::string weft_show(char v, char t) { return t == 'i' ? std::to_string((int) v) : "s" + std::to_string((int) (unsigned char) v); }
static std::string weft_show(bool v, char t) { return v ? "true" : "false"; }
static std::string weft_show(double v, char t) { char b[64]; if (t == 'i' && v == (long long) v) return std::to_string((long long) v); snprintf(b, sizeof b, "%.6e", v); return b; }
static std::string weft_show(float v, char t) { return weft_show((double) v, t); }
static std::string weft_show(const std::string &v, char t) { std::string r = "s"; for (size_t i = 0; i < v.size(); i++) { if (i) r += ","; r += std::to_string((int) (unsigned char) v[i]); } return r; }
template <class T> static std::string weft_show(const std::vector<T> &v, char t) { std::string r = "["; for (size_t i = 0; i < v.size(); i++) { if (i) r += ","; r += weft_show(v[i], t); } return r + "]"; }
`

func cppDriver(code string, sig *Signature, inputs [][]Value) (map[string]string, string, error) {
	var b strings.Builder
	b.WriteString("#include <bits/stdc++.h>\n")
	b.WriteString(code)
	b.WriteString("\n" + cppShow + "\nint main() {\n")
	tag := typeTag(sig.Result)
	for len(tag) > 0 && tag[0] == 'l' {
		tag = tag[1:]
	}
	if sig.Result.K == TVoid || tag == "?" {
		return nil, "", errors.New("rules: no C++ driver for this result type")
	}
	for _, in := range inputs {
		b.WriteString("    {\n")
		var args []string
		for j, a := range in {
			p := sig.Params[j]
			v := fmt.Sprintf("a%d", j)
			switch {
			case p.Decl == "" && intList(p.T) && p.T.elem().Bits == 0:
				// An untyped source's list of ints: the C++ translation takes int a[] (GfG-style callers
				// pass a pointer) or std::vector<long long>&; weft_ints converts to either.
				fmt.Fprintf(&b, "        weft_ints %s{%s, %s};\n", v, cppLit(a), cppLit(a))
				args = append(args, v)
			case p.T.K == TList && (strings.Contains(p.Decl, "[") || strings.Contains(p.Decl, "*")):
				fmt.Fprintf(&b, "        %s %s = %s;\n", cppElem(p.T), v, cppLit(a))
				args = append(args, v+".data()")
			case p.T.K == TString && (strings.Contains(p.Decl, "char")):
				fmt.Fprintf(&b, "        std::string %s = %s;\n", v, cppLit(a))
				args = append(args, "(char *) "+v+".c_str()")
			default:
				fmt.Fprintf(&b, "        %s %s = %s;\n", cppElem(p.T), v, cppLit(a))
				args = append(args, v)
			}
		}
		fmt.Fprintf(&b, "        try { auto r = %s(%s); printf(\"ok %%s\\n\", weft_show(r, '%s').c_str()); } catch (...) { printf(\"error\\n\"); }\n", sig.Name, strings.Join(args, ", "), tag[:1])
		b.WriteString("        fflush(stdout);\n    }\n")
	}
	b.WriteString("}\n")
	return map[string]string{"main.cpp": b.String()}, "main.cpp", nil
}

func jsLit(v Value) string {
	switch x := v.(type) {
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case string:
		b, _ := json.Marshal(x)
		return string(b)
	case Char:
		b, _ := json.Marshal(string(rune(x)))
		return string(b)
	case []Value:
		var s []string
		for _, e := range x {
			s = append(s, jsLit(e))
		}
		return "[" + strings.Join(s, ", ") + "]"
	}
	return "undefined"
}

// jsShow writes a result as the other drivers do; JavaScript has one number type, so an "i" result
// that is not a whole number and every "f" result are written as Python's "%.6e" writes them.
const jsShow = `
function _weftExp(v) {
    if (!isFinite(v)) return v > 0 ? "inf" : v < 0 ? "-inf" : "nan";
    const [m, e] = v.toExponential(6).split("e");
    const d = e.slice(1);
    return m + "e" + e[0] + (d.length < 2 ? "0" + d : d);
}
function _weftShow(v, t) {
    if (t === "v") return "none";
    if (t === "b") return v ? "true" : "false";
    if (t === "i") {
        if (typeof v === "string") return String(v.codePointAt(0));
        if (typeof v === "boolean") return v ? "1" : "0";
        if (typeof v === "bigint") return v.toString();
        return Number.isInteger(v) ? String(v) : _weftExp(v);
    }
    if (t === "f") return _weftExp(Number(v));
    if (t === "s") return "s" + Array.from(String(v), (c) => c.codePointAt(0)).join(",");
    if (t[0] === "l") return "[" + Array.from(v, (x) => _weftShow(x, t.slice(1))).join(",") + "]";
    return String(v);
}
`

func jsDriver(code string, sig *Signature, inputs [][]Value) (map[string]string, string, error) {
	if len(sig.Params) == 0 {
		return nil, "", errors.New("rules: no parameters to vary")
	}
	var b strings.Builder
	b.WriteString(code)
	b.WriteString("\n")
	b.WriteString(jsShow)
	b.WriteString("const _weftInputs = [\n")
	for _, in := range inputs {
		var as []string
		for _, a := range in {
			as = append(as, jsLit(a))
		}
		fmt.Fprintf(&b, "    [%s],\n", strings.Join(as, ", "))
	}
	b.WriteString("];\n")
	fmt.Fprintf(&b, `for (const _weftArgs of _weftInputs) {
    let _weftLine;
    try {
        _weftLine = "ok " + _weftShow(%s(..._weftArgs), %q);
    } catch (_weftErr) {
        _weftLine = "error";
    }
    process.stdout.write(_weftLine + "\n");
}
`, sig.Name, typeTag(sig.Result))
	return map[string]string{"main.js": b.String()}, "main.js", nil
}
