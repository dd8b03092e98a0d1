package rules

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/weft-dev/weft/grammars"
)

func lang(t *testing.T, id string) *grammars.Language {
	t.Helper()
	l, ok := grammars.Lookup(id)
	if !ok {
		t.Fatalf("no language %s", id)
	}
	return l
}

// translateHas translates code from one language to another and checks that the output holds every
// string of want and none of absent.
func translateHas(t *testing.T, from, to, code string, want, absent []string) {
	t.Helper()
	out, err := Translate(context.Background(), lang(t, from), lang(t, to), code)
	if err != nil {
		t.Fatalf("%v", err)
	}
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("missing %q in\n%s", w, out)
		}
	}
	for _, a := range absent {
		if strings.Contains(out, a) {
			t.Errorf("unexpected %q in\n%s", a, out)
		}
	}
}

// irOf runs a front-end and inference and returns the program.
func irOf(t *testing.T, id, code string) *Program {
	t.Helper()
	d, err := grammars.NewDocument(lang(t, id), []byte(code))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	prog, charIndex, err := front(lang(t, id), d)
	if err != nil {
		t.Fatal(err)
	}
	infer(prog, charIndex)
	return prog
}

// firstBin finds the first binary expression with one of ops in f's body.
func firstBin(f *Func, ops ...string) *Expr {
	var found *Expr
	walkExprs(f.Body, func(e *Expr) {
		for _, op := range ops {
			if found == nil && e.K == EBin && e.Op == op {
				found = e
			}
		}
	})
	return found
}

// TestSemanticsIR checks that each source's arithmetic gets the IR operator of its own semantics.
func TestSemanticsIR(t *testing.T) {
	tests := []struct {
		lang, code string
		ops        []string // any of the IR ops, the first found is checked
		want       string
		bits       int
		typ        Kind
	}{
		{"python", "def f(a, b):\n    return a // b\n", []string{OpFloorDiv, OpTruncDiv}, OpFloorDiv, 0, TInt},
		{"python", "def f(a, b):\n    return a % b\n", []string{OpMod, OpRem}, OpMod, 0, TInt},
		{"python", "def f(a, b):\n    return a / b\n", []string{OpTrueDiv, OpTruncDiv}, OpTrueDiv, 0, TFloat},
		{"java", "static int f(int a, int b) { return a / b; }", []string{OpFloorDiv, OpTruncDiv}, OpTruncDiv, 32, TInt},
		{"java", "static int f(int a, int b) { return a % b; }", []string{OpMod, OpRem}, OpRem, 32, TInt},
		{"java", "static long f(long a, int b) { return a * b; }", []string{"*"}, "*", 64, TInt},
		{"java", "static int f(int a, int b) { return a * b; }", []string{"*"}, "*", 32, TInt},
		{"java", "static double f(int a, double b) { return a / b; }", []string{OpTruncDiv}, OpTruncDiv, 0, TFloat},
		{"cpp", "int f(int a, int b) { return a % b; }", []string{OpMod, OpRem}, OpRem, 32, TInt},
	}
	for _, tc := range tests {
		t.Run(tc.lang+" "+tc.want, func(t *testing.T) {
			p := irOf(t, tc.lang, tc.code)
			e := firstBin(p.Funcs[0], tc.ops...)
			if e == nil {
				t.Fatalf("no %v in the IR", tc.ops)
			}
			if e.Op != tc.want || e.T.K != tc.typ || (tc.typ == TInt && e.T.Bits != tc.bits) {
				t.Errorf("got %s of type %s, want %s of kind %d with %d bits", e.Op, e.T, tc.want, tc.typ, tc.bits)
			}
		})
	}
}

// TestInferPython checks types inferred from use.
func TestInferPython(t *testing.T) {
	code := `def f(xs, s, k):
    out = []
    for x in xs:
        if s.startswith("a") and x > k:
            out.append(x * 1.5)
    return out

def g():
    return f([1, 2], "ab", 1)
`
	p := irOf(t, "python", code)
	f := p.Funcs[0]
	got := []string{f.Params[0].T.String(), f.Params[1].T.String(), f.Params[2].T.String(), f.Result.String()}
	want := []string{"list[int]", "string", "int", "list[float]"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("got %v, want %v", got, want)
	}
}

// TestUncovered checks that a construct outside the rules is named with its line and nothing is
// returned.
func TestUncovered(t *testing.T) {
	code := "def f(x):\n    global g\n    return x\n"
	out, err := Translate(context.Background(), lang(t, "python"), lang(t, "go"), code)
	var u *Uncovered
	if !errors.As(err, &u) || out != "" {
		t.Fatalf("got %q, %v; want an Uncovered error and no code", out, err)
	}
	if u.Items[0].Line != 2 {
		t.Errorf("line %d, want 2: %v", u.Items[0].Line, u)
	}
}
