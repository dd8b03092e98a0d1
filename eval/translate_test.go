package eval

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/weft-dev/weft/grammars"
	"github.com/weft-dev/weft/internal/refdata"
	"github.com/weft-dev/weft/model"
	"github.com/weft-dev/weft/translate"
)

// sharedDir locates the reference data (../shared next to the repository root, or $WEFT_SHARED).
func sharedDir(t *testing.T) string { return refdata.Dir(t) }

// goldTranslator returns, for a source f_gold, the set's own f_gold of the same problem in the target
// language: a perfect translator, which the harness must score at 100%.
type goldTranslator map[string]string

func (g goldTranslator) Translate(ctx context.Context, req translate.Request) (*translate.Result, error) {
	code, ok := g[req.Code]
	if !ok {
		return nil, errors.New("gold translator: unknown source")
	}
	return &translate.Result{Code: code}, nil
}

// echoTranslator returns the source unchanged: a wrong translation the harness must fail.
type echoTranslator struct{}

func (echoTranslator) Translate(ctx context.Context, req translate.Request) (*translate.Result, error) {
	return &translate.Result{Code: req.Code}, nil
}

func TestEvalTranslateGold(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs many programs; skipped with -short")
	}
	set := filepath.Join(sharedDir(t), "eval", "transcoder-gfg")
	v := translate.NewVerifier(nil, true)
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
			rep, err := Translation(context.Background(), gold, set, p.from, p.to, n, nil)
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
		rep, err := Translation(context.Background(), echoTranslator{}, set, "python", "go", 2, nil)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Accuracy() != 0 || rep.CompileRate() != 0 {
			t.Fatalf("untranslated Python scored in Go: %s", rep)
		}
	})
	t.Run("C target refused", func(t *testing.T) {
		_, err := Translation(context.Background(), echoTranslator{}, set, "python", "c", 1, nil)
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
	f, err := translate.FunctionSource(lang, text, "f_gold")
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
	v := translate.NewVerifier(nil, true)
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
			rep, err := HumanEvalX(context.Background(), gen, set, c.lang, n, nil)
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
			rep, err = HumanEvalX(context.Background(), wrong, set, c.lang, 1, nil)
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

func (p promptSampler) Sample(ctx context.Context, prompt string, o translate.SampleOptions) (translate.Sample, error) {
	body, ok := p.bodies[prompt]
	if !ok {
		return translate.Sample{}, errors.New("unknown prompt")
	}
	return translate.Sample{Text: cutAtStop(body+p.junk, o.Stop), LogProb: -1, Tokens: 10}, nil
}

// TestGenerateBodyCutsAtFunctionEnd runs the engine's GenerateBody (stop sequences, closing brace put
// back, compile-checked candidates) through the HumanEval-X harness with a model that writes the
// canonical body and then keeps going.
func TestGenerateBodyCutsAtFunctionEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs many programs; skipped with -short")
	}
	set := filepath.Join(sharedDir(t), "eval", "humaneval-x")
	v := translate.NewVerifier(nil, true)
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
			e := &translate.Engine{Sampler: ps, Verifier: v, Candidates: 1}
			rep, err := HumanEvalX(context.Background(), e, set, c.lang, 1, nil)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Accuracy() != 1 {
				t.Fatalf("%s\n%+v", rep, rep.Items)
			}
		})
	}
}

func mustLang(t *testing.T, name string) *grammars.Language {
	t.Helper()
	l, err := translate.LookupLanguage(name)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// cutAtStop cuts text before the first stop string, as a model session stops at one.
func cutAtStop(text string, stops []string) string {
	for _, s := range stops {
		if i := strings.Index(text, s); s != "" && i >= 0 {
			text = text[:i]
		}
	}
	return text
}

// openTinyModel opens the random-weight parity model: real tokenizer, real decoder, meaningless text.
func openTinyModel(t *testing.T) *model.Model {
	t.Helper()
	m, err := model.Open(filepath.Join(sharedDir(t), "testdata", "parity", "models", "tiny-qwen2-Q8_0.gguf"), model.Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// The whole evaluation path with the real decoder: prompt, candidates, compile checks, splice, sandboxed
// run. The noise model's score is whatever it is; the harness must simply get through and count.
func TestTranslationWithNoiseModel(t *testing.T) {
	set := filepath.Join(sharedDir(t), "eval", "transcoder-gfg")
	e := &translate.Engine{Sampler: translate.NewModelSampler(openTinyModel(t), 512), Verifier: translate.NewVerifier(nil, true), Candidates: 2, Retries: -1, MaxTokens: 24}
	if e.Verifier.Tool("python3") == "" {
		t.Skip("python3 not installed")
	}
	var bar strings.Builder
	rep, err := Translation(context.Background(), e, set, "java", "python", 2, &bar)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Items) != 2 || !strings.Contains(bar.String(), "2/2") {
		t.Fatalf("report %s, progress %q", rep, bar.String())
	}
	for _, it := range rep.Items {
		if it.Status == "" && !it.Passed {
			t.Errorf("%s: failed without a reason", it.Name)
		}
	}
}

// handTranslator returns, for a problem's source f_gold, a translation written by hand (selected by
// a fragment of the source), or the source itself.
type handTranslator map[string]string

func (h handTranslator) Translate(ctx context.Context, req translate.Request) (*translate.Result, error) {
	for frag, code := range h {
		if strings.Contains(req.Code, frag) {
			return &translate.Result{Code: code}, nil
		}
	}
	return &translate.Result{Code: req.Code}, nil
}

// TestEvalTranslateGfGJavaScript: GfG has no JavaScript files, so python->javascript is scored
// against the Python f_gold on the set's inputs. Translations written by hand from the Python (the
// first three problems add 1, add 1, and add two numbers with bit operations) score 10/10; a wrong one
// and untranslated Python score 0; other sources are refused.
func TestEvalTranslateGfGJavaScript(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs programs; skipped with -short")
	}
	set := filepath.Join(sharedDir(t), "eval", "transcoder-gfg")
	v := translate.NewVerifier(nil, true)
	for _, tool := range []string{"python3", "node"} {
		if v.Tool(tool) == "" {
			t.Skipf("%s not installed", tool)
		}
	}
	right := handTranslator{
		"m = 1":       "function f_gold(x) {\n  return x + 1;\n}\n",
		"( ~ x )":     "function f_gold(x) {\n  return x + 1;\n}\n",
		"carry = x &": "function f_gold(x, y) {\n  return x + y;\n}\n",
	}
	rep, err := Translation(context.Background(), right, set, "python", "javascript", 3, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Accuracy() != 1 || len(rep.Items) != 3 {
		for _, it := range rep.Items {
			t.Logf("%+v", it)
		}
		t.Fatalf("hand translations scored %s", rep)
	}
	for _, it := range rep.Items {
		if it.Score != "10/10" {
			t.Errorf("%s: score %q", it.Name, it.Score)
		}
	}
	wrong := handTranslator{"": "function f_gold(x, y) {\n  return x + 2;\n}\n"}
	if rep, err := Translation(context.Background(), wrong, set, "python", "javascript", 3, nil); err != nil || rep.Accuracy() != 0 {
		t.Fatalf("wrong translations scored %v, %v", rep, err)
	}
	if rep, err := Translation(context.Background(), echoTranslator{}, set, "python", "javascript", 2, nil); err != nil || rep.Accuracy() != 0 || rep.CompileRate() != 0 {
		t.Fatalf("untranslated Python scored %v, %v", rep, err)
	}
	if _, err := Translation(context.Background(), echoTranslator{}, set, "java", "javascript", 1, nil); !errors.Is(err, errGfGJS) {
		t.Fatalf("java->javascript: got %v", err)
	}
}
