package complete

import (
	"context"
	"strings"
	"testing"
)

// sequentialLM hides a model's GenerateBatch, so the engine decodes greedy and samples one after
// another (the reference the batch must reproduce).
type sequentialLM struct{ LM }

func (l sequentialLM) NewSession(nCtx int) LMSession {
	return struct{ LMSession }{l.LM.NewSession(nCtx)}
}

// TestDecodeBatchMatchesSequential: on a real model, the engine's batched decoding (greedy, consensus
// samples and document drafts in one batch) chooses the same completions as decoding them one by one.
func TestDecodeBatchMatchesSequential(t *testing.T) {
	m := tinyModel(t, t.TempDir())
	src := goSource(t)
	cfg := Config{Samples: 8, DocCache: true, RepeatGuard: true, TokenHealing: true}
	lm := modelLM{m: m, batch: true} // the tiny model is below batchMinBytes
	batched, seq := New(lm, cfg), New(sequentialLM{lm}, cfg)
	if _, ok := lm.NewSession(64).(BatchSession); !ok {
		t.Fatal("the model's sessions do not batch")
	}
	ctx := context.Background()
	for _, at := range []string{"func Count(s, substr string) int {\n", "\tif n == 0 {\n", "func Contains(s, substr string) bool {\n\treturn "} {
		i := strings.Index(string(src), at)
		if i < 0 {
			t.Fatalf("%q not in the source", at)
		}
		for _, ml := range []string{MultilineNever, MultilineAlways} {
			req := Request{URI: "file:///strings.go", LanguageID: "go", Path: "strings.go", Text: src, Offset: i + len(at),
				Options: Options{MaxTokens: 16, NoCache: true, Multiline: ml}}
			want, err := seq.Complete(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			got, err := batched.Complete(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			if got.Text != want.Text || got.Stats.Samples != want.Stats.Samples {
				t.Errorf("at %q (%s): batched %q after %d samples, sequential %q after %d", at, ml, got.Text, got.Stats.Samples, want.Text, want.Stats.Samples)
			}
		}
	}
}

// TestShiftReuse: in the PSM order a keystroke moves the suffix; with Config.ShiftReuse the session
// reuses its keys and values instead of evaluating it again.
func TestShiftReuse(t *testing.T) {
	m := tinyModel(t, t.TempDir())
	src := goSource(t)
	at := strings.Index(string(src), "func Count(s, substr string) int {\n") + len("func Count(s, substr string) int {\n")
	ctx := context.Background()
	evaluated := func(shift bool) int {
		e := NewEngine(m, Config{ShiftReuse: shift})
		o := Options{MaxTokens: 4, NoCache: true, Multiline: MultilineNever}
		if _, err := e.Complete(ctx, Request{URI: "file:///s.go", LanguageID: "go", Path: "s.go", Text: src, Offset: at, Options: o}); err != nil {
			t.Fatal(err)
		}
		typed := append(append(append([]byte{}, src[:at]...), "\tn"...), src[at:]...)
		r, err := e.Complete(ctx, Request{URI: "file:///s.go", LanguageID: "go", Path: "s.go", Text: typed, Offset: at + 2, Options: o})
		if err != nil {
			t.Fatal(err)
		}
		return r.Stats.PromptTokens - r.Stats.ReusedTokens
	}
	exact, shifted := evaluated(false), evaluated(true)
	t.Logf("prompt tokens evaluated after a keystroke: %d exact, %d with the suffix reused", exact, shifted)
	if shifted >= exact || shifted > 4 {
		t.Errorf("with ShiftReuse %d prompt tokens evaluated, without %d; want a few", shifted, exact)
	}
}
