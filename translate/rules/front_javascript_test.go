package rules

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/weft-dev/weft/grammars"
)

// TestSemanticsJS checks that JavaScript's number idioms get the IR operators of what they compute:
// every number is a float64, so a / b is true division and the integer quotient is spelt
// Math.floor(a / b) (flooring), Math.trunc(a / b), (a / b) | 0 or ~~(a / b) (truncating); % keeps
// the dividend's sign.
func TestSemanticsJS(t *testing.T) {
	tests := []struct {
		code string
		ops  []string
		want string
		typ  Kind
	}{
		{"function f(a, b) { return Math.floor(a / b); }", []string{OpFloorDiv, OpTruncDiv, OpTrueDiv}, OpFloorDiv, TInt},
		{"function f(a, b) { return Math.trunc(a / b); }", []string{OpFloorDiv, OpTruncDiv, OpTrueDiv}, OpTruncDiv, TInt},
		{"function f(a, b) { return (a / b) | 0; }", []string{OpFloorDiv, OpTruncDiv, OpTrueDiv, "|"}, OpTruncDiv, TInt},
		{"function f(a, b) { return ~~(a / b); }", []string{OpFloorDiv, OpTruncDiv, OpTrueDiv}, OpTruncDiv, TInt},
		{"function f(a, b) { return a / b; }", []string{OpFloorDiv, OpTruncDiv, OpTrueDiv}, OpTrueDiv, TFloat},
		{"function f(a, b) { return a % b; }", []string{OpMod, OpRem}, OpRem, TInt},
		{"function f(a, b) { return a === b; }", []string{"=="}, "==", TBool},
		{"function f(a, b) { return a !== b; }", []string{"!="}, "!=", TBool},
		{"function f(a) { return a * 1.5; }", []string{"*"}, "*", TFloat},
		{"function f(a) { return a * 2; }", []string{"*"}, "*", TInt},
		{"const M = 1e9 + 7;\nfunction f(a) { return a % M; }", []string{OpRem}, OpRem, TInt},
		{"function f(a: number, b: number): number { return Math.floor(a / b); }", []string{OpFloorDiv}, OpFloorDiv, TInt},
	}
	for _, tc := range tests {
		t.Run(tc.code, func(t *testing.T) {
			id := "javascript"
			if strings.Contains(tc.code, ": number") {
				id = "typescript"
			}
			p := irOfJS(t, id, tc.code)
			e := firstBin(p.Funcs[0], tc.ops...)
			if e == nil {
				t.Fatalf("no %v in the IR", tc.ops)
			}
			if e.Op != tc.want || e.T.K != tc.typ {
				t.Errorf("got %s of type %s, want %s of kind %d", e.Op, e.T, tc.want, tc.typ)
			}
		})
	}
}

func irOfJS(t *testing.T, id, code string) *Program {
	t.Helper()
	d, err := grammars.NewDocument(lang(t, id), []byte(code))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	p, charIndex, err := front(lang(t, id), d)
	if err != nil {
		t.Fatal(err)
	}
	inferConcat(p, charIndex, true)
	return p
}

// TestInferJS checks types inferred from literals, operators, indexing, library calls and the call
// sites of the file.
func TestInferJS(t *testing.T) {
	tests := []struct {
		code string
		want string // the first function's parameter types and result
	}{
		{`function f(xs, s, k) {
  const out = [];
  for (const x of xs) {
    if (s.startsWith("a") && x > k) out.push(x * 1.5);
  }
  return out;
}
function g() { return f([1, 2], "ab", 1); }`, "list[int] string int list[float]"},
		{"function f(s, i) { return s[i] === \"a\"; }", "string int bool"},
		{"function f(a, b) { return a / b; }", "int int float"},
		{"function f(m, k) { m.set(k, \"x\"); return m.has(k); }\nfunction g() { const m = new Map(); m.set(1, \"y\"); return f(m, 2); }", "map[int]string int bool"},
		{"function f(n) { return \"n=\" + n * 2; }", "int string"},
		{"function f(xs) { return Math.max(...xs); }", "list[int] int"},
		{"function f(xs: string[], n: number): boolean { return xs.length > n; }", "list[string] int bool"},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			id := "javascript"
			if strings.Contains(tc.code, ": number") {
				id = "typescript"
			}
			f := irOfJS(t, id, tc.code).Funcs[0]
			var got []string
			for _, p := range f.Params {
				got = append(got, p.T.String())
			}
			got = append(got, f.Result.String())
			if strings.Join(got, " ") != tc.want {
				t.Errorf("got %v, want %s", got, tc.want)
			}
		})
	}
}

// TestUncoveredJS: each construct outside the rules is named with its line, and no code is given.
func TestUncoveredJS(t *testing.T) {
	tests := []struct {
		code string
		line int
		what string
	}{
		{"function f(xs) {\n  xs.sort();\n  return xs;\n}", 2, "without a comparator"},
		{"function f(x) {\n  return x ?? 0;\n}", 2, "operator ??"},
		{"function f(o) {\n  let n = 0;\n  for (const k in o) n++;\n  return n;\n}", 3, "for ... in"},
		{"function f(x) {\n  return x === null;\n}", 2, "null"},
		{"function f(a, b) {\n  return a || b;\n}", 2, "|| on a int value"},
		{"function f(xs) {\n  if (xs) return xs[0] + 1;\n  return 0;\n}", 2, "truthiness"},
		{"function f(xs, i) {\n  return xs[i++];\n}", 2, "assignment inside an expression"},
		{"function f(x) {\n  const g = (y) => y + 1;\n  return g(x);\n}", 2, "nested function"},
		{"function f(x) {\n  console.log(x);\n  return x;\n}", 2, "console.log"},
		{"function f(x) {\n  switch (x) { case 1: return 2; }\n  return 0;\n}", 2, "switch"},
		{"function f(x) {\n  return x / 2 + \"\";\n}", 2, "float"},
		{"function f(x) {\n  return x >>> 1;\n}", 2, "operator >>>"},
		{"class A {}\nfunction f(x) { return x; }", 1, "class"},
		{"function f(x = 1) {\n  return x;\n}", 1, "default"},
	}
	for _, tc := range tests {
		t.Run(tc.what, func(t *testing.T) {
			for _, to := range []string{"python", "go"} {
				out, err := Translate(context.Background(), lang(t, "javascript"), lang(t, to), tc.code)
				var u *Uncovered
				if !errors.As(err, &u) || out != "" {
					t.Fatalf("to %s: got %q, %v; want an Uncovered error and no code", to, out, err)
				}
				found := false
				for _, it := range u.Items {
					if it.Line == tc.line && strings.Contains(it.What, tc.what) {
						found = true
					}
				}
				if !found {
					t.Errorf("to %s: %v; want line %d naming %q", to, u, tc.line, tc.what)
				}
			}
		})
	}
}
