package translate

import (
	"context"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/weft-dev/weft/internal/refdata"
	"github.com/weft-dev/weft/model"
)

func sharedDir(t *testing.T) string { return refdata.Dir(t) }

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

func TestModelSampler(t *testing.T) {
	s := NewModelSampler(openTinyModel(t), 512)
	ctx := context.Background()
	prompt := "```python\ndef add(a, b):\n    return a + b\n```\n\n```go\n// Go translation of the Python code above\nfunc add("
	o := SampleOptions{MaxTokens: 24}
	a, err := s.Sample(ctx, prompt, o)
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.Sample(ctx, prompt, o)
	if err != nil {
		t.Fatal(err)
	}
	if a.Text != b.Text || a.LogProb != b.LogProb || a.Tokens == 0 || a.Tokens > 24 {
		t.Fatalf("greedy not repeatable or out of bounds: %+v vs %+v", a, b)
	}
	if a.LogProb > 0 || math.IsNaN(a.LogProb) {
		t.Fatalf("log-prob %v", a.LogProb)
	}
	o.Temperature, o.Seed = 1, 7
	c, err := s.Sample(ctx, prompt, o)
	if err != nil {
		t.Fatal(err)
	}
	if c.Text == a.Text {
		t.Logf("a sampled candidate equals greedy (possible, unlikely): %q", c.Text)
	}
	// A stop string seen in the greedy text cuts it there.
	if len(a.Text) > 2 {
		stop := a.Text[len(a.Text)/2:]
		o = SampleOptions{MaxTokens: 24, Stop: []string{stop}}
		d, err := s.Sample(ctx, prompt, o)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(d.Text, stop) || !strings.HasPrefix(a.Text, d.Text) {
			t.Fatalf("stop %q: got %q from %q", stop, d.Text, a.Text)
		}
	}
	ctx2, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.Sample(ctx2, prompt+"x", SampleOptions{MaxTokens: 8}); err == nil {
		t.Fatal("cancelled context not honoured")
	}
}

// With a model that writes noise, translation ends in a verdict (no candidate parses or compiles), and
// the action refuses to apply anything.
func TestTranslateWithNoiseModel(t *testing.T) {
	e := &Engine{Sampler: NewModelSampler(openTinyModel(t), 512), Verifier: NewVerifier(nil, false), Candidates: 2, Retries: 1, MaxTokens: 32}
	req := Request{Code: "def add(a, b):\n    return a + b\n", From: mustLang(t, "python"), To: mustLang(t, "rust")}
	res, err := e.Translate(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Candidates) == 0 || res.Rounds < 1 || !strings.HasPrefix(res.Code, "fn add(") {
		t.Fatalf("result %+v", res)
	}
	a := NewActions(e)
	src := "def add(a, b):\n    return a + b\n"
	ed, err := a.Execute(context.Background(), CommandRequest{Command: CommandTranslate, URI: "file:///x/a.py", LanguageID: "python",
		Text: []byte(src), Start: 5, End: 5, To: "rust"}, nil)
	if res.Verdict.Level == LevelNone {
		if err == nil || len(ed.Changes) != 0 || ed.CreateURI != "" {
			t.Fatalf("noise applied: %+v %v", ed, err)
		}
	} else if err != nil {
		t.Fatal(err)
	}
}
