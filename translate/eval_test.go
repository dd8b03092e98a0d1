package translate

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/weft-dev/weft/grammars"
	"github.com/weft-dev/weft/internal/refdata"
)

// sharedDir finds /work/shared as ../shared from the module root, or $WEFT_SHARED.
func sharedDir(t *testing.T) string { return refdata.Dir(t) }

// goldTranslator returns, for a source f_gold, the set's own f_gold of the same problem in the target
// language: a perfect translator, which the harness must score at 100%.
type goldTranslator map[string]string

func (g goldTranslator) Translate(ctx context.Context, req Request) (*Result, error) {
	code, ok := g[req.Code]
	if !ok {
		return nil, errors.New("gold translator: unknown source")
	}
	return &Result{Code: code}, nil
}

// echoTranslator returns the source unchanged: a wrong translation the harness must fail.
type echoTranslator struct{}

func (echoTranslator) Translate(ctx context.Context, req Request) (*Result, error) {
	return &Result{Code: req.Code}, nil
}

func TestEvalTranslateGold(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs many programs; skipped with -short")
	}
	set := filepath.Join(sharedDir(t), "eval", "transcoder-gfg")
	v := NewVerifier(nil, true)
	pairs := []struct{ from, to, tool string }{
		{"java", "python", "python3"},
		{"python", "go", "go"},
		{"cpp", "java", "javac"},
		{"python", "cpp", "g++"},
		{"go", "rust", "rustc"},
	}
	const n = 3
	for _, p := range pairs {
		t.Run(p.from+"->"+p.to, func(t *testing.T) {
			if v.Tool(p.tool) == "" {
				t.Skipf("%s not installed", p.tool)
			}
			from, to := mustLang(t, p.from), mustLang(t, p.to)
			names, err := gfgProblems(set, from.ID, to.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(names) < n {
				t.Fatalf("only %d problems", len(names))
			}
			gold := goldTranslator{}
			for _, name := range names[:n] {
				src := gfgFunc(t, set, from, name)
				gold[src] = gfgFunc(t, set, to, name)
			}
			rep, err := EvalTranslate(context.Background(), gold, set, p.from, p.to, n, nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Log(rep.String())
			if len(rep.Items) != n || rep.Accuracy() != 1 || rep.CompileRate() != 1 || rep.ParseRate() != 1 {
				for _, it := range rep.Items {
					t.Logf("%s: %+v", it.Name, it)
				}
				t.Fatalf("gold translations scored CA %.2f", rep.Accuracy())
			}
			for _, it := range rep.Items {
				if it.Score != "10/10" {
					t.Errorf("%s: score %q", it.Name, it.Score)
				}
			}
		})
	}
	t.Run("echo fails", func(t *testing.T) {
		if v.Tool("go") == "" {
			t.Skip("go not installed")
		}
		rep, err := EvalTranslate(context.Background(), echoTranslator{}, set, "python", "go", 2, nil)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Accuracy() != 0 || rep.CompileRate() != 0 {
			t.Fatalf("untranslated Python scored in Go: %s", rep)
		}
	})
	t.Run("C target refused", func(t *testing.T) {
		_, err := EvalTranslate(context.Background(), echoTranslator{}, set, "python", "c", 1, nil)
		if err == nil || !strings.Contains(err.Error(), "C test harness") {
			t.Fatalf("got %v", err)
		}
	})
}

func gfgFunc(t *testing.T, set string, lang *grammars.Language, name string) string {
	t.Helper()
	text, err := gfgFile(set, lang.ID, name)
	if err != nil {
		t.Fatal(err)
	}
	f, err := FunctionSource(lang, text, "f_gold")
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return f
}

// canonicalGenerator returns the set's canonical solution: a perfect generator.
type canonicalGenerator map[string]string

func (g canonicalGenerator) GenerateBody(ctx context.Context, lang *grammars.Language, prompt string) (string, error) {
	body, ok := g[prompt]
	if !ok {
		return "", errors.New("canonical generator: unknown prompt")
	}
	return body, nil
}

func TestEvalHumanEvalXCanonical(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs many programs; skipped with -short")
	}
	set := filepath.Join(sharedDir(t), "eval", "humaneval-x")
	v := NewVerifier(nil, true)
	const n = 3
	for _, c := range []struct{ lang, tool string }{
		{"python", "python3"}, {"js", "node"}, {"go", "go"}, {"java", "javac"}, {"cpp", "g++"}, {"rust", "rustc"},
	} {
		t.Run(c.lang, func(t *testing.T) {
			if v.Tool(c.tool) == "" {
				t.Skipf("%s not installed", c.tool)
			}
			l := mustLang(t, c.lang)
			probs, err := LoadHumanEvalX(set, l)
			if err != nil {
				t.Fatal(err)
			}
			if len(probs) != 164 {
				t.Fatalf("%d problems, want 164", len(probs))
			}
			gen, wrong := canonicalGenerator{}, canonicalGenerator{}
			for _, p := range probs[:n] {
				gen[p.PromptFor(l)] = p.CanonicalSolution
				// The canonical solution of another problem: builds or not, but must fail the tests.
				wrong[p.PromptFor(l)] = probs[n].CanonicalSolution
			}
			rep, err := EvalHumanEvalX(context.Background(), gen, set, c.lang, n, nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Log(rep.String())
			if rep.Accuracy() != 1 {
				for _, it := range rep.Items {
					t.Logf("%+v", it)
				}
				t.Fatalf("canonical solutions scored %.2f", rep.Accuracy())
			}
			rep, err = EvalHumanEvalX(context.Background(), wrong, set, c.lang, 1, nil)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Accuracy() != 0 {
				t.Fatalf("a wrong body passed: %+v", rep.Items)
			}
		})
	}
}

// promptSampler answers every prompt with the canonical solution of the problem it ends, followed by
// text that must be cut off (the start of another function).
type promptSampler struct {
	bodies map[string]string
	junk   string
}

func (p promptSampler) Sample(ctx context.Context, prompt string, o SampleOptions) (Sample, error) {
	body, ok := p.bodies[prompt]
	if !ok {
		return Sample{}, errors.New("unknown prompt")
	}
	return Sample{Text: cutAtStop(body+p.junk, o.Stop), LogProb: -1, Tokens: 10}, nil
}

// TestGenerateBodyCutsAtFunctionEnd runs the engine's GenerateBody (stop sequences, closing brace put
// back, compile-checked candidates) through the HumanEval-X harness with a model that writes the
// canonical body and then keeps going.
func TestGenerateBodyCutsAtFunctionEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs many programs; skipped with -short")
	}
	set := filepath.Join(sharedDir(t), "eval", "humaneval-x")
	v := NewVerifier(nil, true)
	for _, c := range []struct{ lang, tool, junk string }{
		{"python", "python3", "\n\ndef extra():\n    return 1\n"},
		{"rust", "rustc", "\nfn extra() -> i32 { 1 }\n"},
		{"java", "javac", "\nclass Extra {}\n"},
	} {
		t.Run(c.lang, func(t *testing.T) {
			if v.Tool(c.tool) == "" {
				t.Skipf("%s not installed", c.tool)
			}
			l := mustLang(t, c.lang)
			probs, err := LoadHumanEvalX(set, l)
			if err != nil {
				t.Fatal(err)
			}
			ps := promptSampler{bodies: map[string]string{}, junk: c.junk}
			for _, p := range probs[:1] {
				ps.bodies[p.PromptFor(l)] = p.CanonicalSolution
			}
			e := &Engine{Sampler: ps, Verifier: v, Candidates: 1}
			rep, err := EvalHumanEvalX(context.Background(), e, set, c.lang, 1, nil)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Accuracy() != 1 {
				t.Fatalf("%s\n%+v", rep, rep.Items)
			}
		})
	}
}
