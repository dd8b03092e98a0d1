package complete

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/weft-dev/weft/model"
	"github.com/weft-dev/weft/model/gguf"
)

// tinyModel synthesizes the "tiny" preset with the deepseek-coder vocabulary (which has FIM tokens),
// with a 2048-token context, writes it to dir and opens it. Same seed, same weights: outputs are
// deterministic.
func tinyModel(t testing.TB, dir string) *model.Model {
	t.Helper()
	vf, err := gguf.Open(sharedPath(t, "testdata/tokenizer/ggml-vocab-deepseek-coder.gguf"))
	if err != nil {
		t.Fatal(err)
	}
	defer vf.Close()
	w, err := model.Synth("tiny", "", gguf.TypeQ8_0, vf, 7)
	if err != nil {
		t.Fatal(err)
	}
	w.Set("qwen2.context_length", uint32(2048))
	path := filepath.Join(dir, "tiny.gguf")
	if err := w.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	m, err := model.Open(path, model.Options{Threads: min(2, runtime.NumCPU()), KVType: gguf.TypeF32})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// goSource returns a real Go file from GOROOT to type in.
func goSource(t testing.TB) []byte {
	t.Helper()
	p := filepath.Join(runtime.GOROOT(), "src", "strings", "strings.go")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Skipf("no Go source to replay: %v", err)
	}
	return b
}

func TestModelEndToEnd(t *testing.T) {
	m := tinyModel(t, t.TempDir())
	e := NewEngine(m, Config{})
	if e.Family() != FamilyDeepSeek || e.Layout() != LayoutPSM {
		t.Fatalf("family %v layout %v", e.Family(), e.Layout())
	}
	src := goSource(t)
	off := strings.Index(string(src), "func Count(s, substr string) int {\n") + len("func Count(s, substr string) int {\n")
	ctx := context.Background()
	req := Request{URI: "file:///strings.go", LanguageID: "go", Path: "strings.go", Text: src, Offset: off,
		Options: Options{MaxTokens: 24, NoCache: true, Multiline: MultilineNever}}
	r1, err := e.Complete(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(r1.Text, "\n") || r1.Stats.GeneratedTokens == 0 || r1.Stats.PromptTokens == 0 {
		t.Errorf("single-line result %q, stats %+v", r1.Text, r1.Stats)
	}
	// Independent of the engine's stop and post-processing logic: the raw greedy continuation of the
	// same prompt, from a fresh session, starts with the engine's (trimmed, single-line) completion.
	enc := newMemoEncoder(m.Tokenizer())
	c, err := BuildContext(ContextInput{Doc: parse(t, "go", src), Offset: off, Path: "strings.go", Count: enc.count, Budget: e.Budget()})
	if err != nil {
		t.Fatal(err)
	}
	p := BuildPrompt(m.Tokenizer(), FIMFromSpecials(m.Tokenizer().Special()), LayoutPSM,
		PromptParts{Path: "strings.go", LineComment: "//", Header: c.Header, Prefix: c.Prefix, Suffix: c.Suffix})
	if len(p.Tokens) != r1.Stats.PromptTokens {
		t.Errorf("engine prompt %d tokens, rebuilt %d", r1.Stats.PromptTokens, len(p.Tokens))
	}
	g, err := m.NewSession(2048).Generate(ctx, p.Tokens, model.GenerateOptions{MaxTokens: 24}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r1.Text != "" && !strings.HasPrefix(g.Text, strings.TrimRight(r1.Text, " \t")) {
		t.Errorf("engine completion %q is not a prefix of the model's greedy text %q", r1.Text, g.Text)
	}

	// Deterministic: a second engine gives the same text.
	r2, err := NewEngine(m, Config{}).Complete(ctx, req)
	if err != nil || r2.Text != r1.Text {
		t.Errorf("second engine: %q, %v; first %q", r2.Text, err, r1.Text)
	}

	// One keystroke later the session serves >= 90% of the prompt from its KV cache.
	typed := append(append(append([]byte{}, src[:off]...), '\t'), src[off:]...)
	r3, err := e.Complete(ctx, Request{URI: req.URI, LanguageID: "go", Path: "strings.go", Text: typed, Offset: off + 1, Options: req.Options})
	if err != nil {
		t.Fatal(err)
	}
	share := float64(r3.Stats.ReusedTokens) / float64(r3.Stats.PromptTokens)
	t.Logf("keystroke: %d of %d prompt tokens reused (%.1f%%), %v", r3.Stats.ReusedTokens, r3.Stats.PromptTokens, 100*share, r3.Stats.Duration)
	if share < 0.9 {
		t.Errorf("keystroke reused %.2f of the prompt, want >= 0.90", share)
	}
}

// TestModelCancellation: a newer request for the same document cancels the running one, which returns
// context.Canceled promptly; cancelling the caller's context does the same.
func TestModelCancellation(t *testing.T) {
	m := tinyModel(t, t.TempDir())
	e := NewEngine(m, Config{})
	src := goSource(t)
	off := len(src) / 2
	slow := Options{MaxTokens: 400, NoCache: true, Multiline: MultilineAlways}
	ctx := context.Background()

	var wg sync.WaitGroup
	var err1 error
	var d1 time.Duration
	wg.Add(1)
	go func() {
		defer wg.Done()
		t0 := time.Now()
		_, err1 = e.Complete(ctx, Request{URI: "file:///s.go", LanguageID: "go", Text: src, Offset: off, Options: slow})
		d1 = time.Since(t0)
	}()
	time.Sleep(50 * time.Millisecond)
	_, err2 := e.Complete(ctx, Request{URI: "file:///s.go", LanguageID: "go", Text: src, Offset: off, Options: Options{MaxTokens: 2, NoCache: true}})
	wg.Wait()
	if !errors.Is(err1, context.Canceled) {
		t.Errorf("superseded request: %v (after %v)", err1, d1)
	}
	if err2 != nil {
		t.Errorf("newer request: %v", err2)
	}

	cctx, cancel := context.WithTimeout(ctx, 30*time.Millisecond)
	defer cancel()
	t0 := time.Now()
	_, err := e.Complete(cctx, Request{URI: "file:///t.go", LanguageID: "go", Text: src, Offset: off, Options: slow})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("cancelled request: %v", err)
	}
	if d := time.Since(t0); d > 2*time.Second {
		t.Errorf("cancelled request took %v", d)
	}
}
