package eval

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/weft-dev/weft/complete"
	"github.com/weft-dev/weft/internal/refdata"
	"github.com/weft-dev/weft/model"
	"github.com/weft-dev/weft/model/gguf"
	"github.com/weft-dev/weft/model/tokenizer"
)

// parityModel opens one of the shared tiny parity models (n_embd 64, deepseek-coder vocabulary) with
// its context length raised to nCtx, so that realistic prompts fit: the weights are copied unchanged
// into a new file in dir.
func parityModel(t testing.TB, dir, name string, nCtx int) *model.Model {
	t.Helper()
	f, err := gguf.Open(refdata.Path(t, "testdata/parity/models/"+name+".gguf"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := gguf.NewWriter()
	w.CopyKV(f, func(string) bool { return true })
	arch, _ := f.String("general.architecture")
	w.Set(arch+".context_length", uint32(nCtx))
	for i := range f.Tensors {
		ti := &f.Tensors[i]
		if err := w.AddTensor(ti.Name, ti.Type, ti.Dims, f.TensorData(ti)); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, name+".gguf")
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

func loadTokenizer(t testing.TB, rel string) *tokenizer.Tokenizer {
	t.Helper()
	f, err := gguf.Open(refdata.Path(t, rel))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	tk, err := tokenizer.FromGGUF(f)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

// BenchmarkTypingSession replays typing 200 characters in the middle of strings.go (GOROOT), asking for
// a completion after each keystroke, with a tiny model (the shared tiny-qwen2 Q8_0 parity model, n_embd
// 64 with the deepseek-coder vocabulary and FIM tokens, given a 1024-token context). It reports the
// per-completion latency percentiles and the share of prompt tokens the document's session served from
// its KV cache.
func BenchmarkTypingSession(b *testing.B) {
	m := parityModel(b, b.TempDir(), "tiny-qwen2-Q8_0", 1024)
	src := goSource(b)
	for b.Loop() {
		e := complete.NewEngine(m, complete.Config{NCtx: 1024})
		cpu0 := cpuTime()
		r, err := ReplayTyping(context.Background(), e, src, "go", 200)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/float64(r.Keystrokes), "cpu-ms/completion")
		b.ReportMetric(float64(r.P50.Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(r.P95.Microseconds())/1000, "p95-ms")
		b.ReportMetric(100*r.ReuseShare, "kv-reuse-%")
		b.ReportMetric(float64(r.CacheHits), "cache-hits")
		b.Logf("%v", r)
	}
}

// fixedLM has a real vocabulary but no network: its sessions account for KV reuse like a model session
// and answer every prompt with the same text. It measures the engine's own cost per keystroke.
type fixedLM struct {
	v     complete.Vocab
	fim   complete.FIMTokens
	reply string
}

func (l fixedLM) Vocab() complete.Vocab             { return l.v }
func (l fixedLM) FIM() complete.FIMTokens           { return l.fim }
func (l fixedLM) ContextSize() int                  { return 4096 }
func (l fixedLM) NewSession(int) complete.LMSession { return &fixedSession{reply: l.reply} }

// fixedSession keeps the prompt it last saw, as a KV cache would, and emits its reply a byte at a time.
type fixedSession struct {
	reply             string
	held              []int32
	evaluated, reused int64
}

func (s *fixedSession) Counters() (int64, int64) { return s.evaluated, s.reused }

func (s *fixedSession) Generate(ctx context.Context, prompt []int32, o complete.GenOptions, emit func(int32, string) bool) (complete.GenResult, error) {
	keep := 0
	for keep < len(prompt) && keep < len(s.held) && prompt[keep] == s.held[keep] {
		keep++
	}
	keep = min(keep, len(prompt)-1)
	s.reused += int64(keep)
	s.evaluated += int64(len(prompt) - keep)
	s.held = append(s.held[:keep], prompt[keep:]...)
	var res complete.GenResult
	for i := 0; i < len(s.reply); i++ {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		if o.MaxTokens > 0 && res.Tokens >= o.MaxTokens {
			res.StopReason = "max_tokens"
			return res, nil
		}
		res.Tokens++
		s.held = append(s.held, int32(s.reply[i]))
		s.evaluated++
		if !emit(int32(s.reply[i]), s.reply[i:i+1]) {
			res.StopReason = "emit"
			return res, nil
		}
	}
	res.StopReason = "eog"
	return res, nil
}

// BenchmarkEngineOverhead replays the same typing session as BenchmarkTypingSession with a real
// tokenizer (deepseek-coder) but no model: what remains is the engine's own work per keystroke
// (incremental parse, cursor analysis, windows, header, prompt encoding, stop rules, syntax check).
func BenchmarkEngineOverhead(b *testing.B) {
	tk := loadTokenizer(b, "testdata/tokenizer/ggml-vocab-deepseek-coder.gguf")
	src := goSource(b)
	for b.Loop() {
		e := complete.New(fixedLM{v: tk, fim: complete.FIMFromSpecials(tk.Special()), reply: "x := 1\n"}, complete.Config{NCtx: 2048})
		cpu0 := cpuTime()
		r, err := ReplayTyping(context.Background(), e, src, "go", 200)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/float64(r.Keystrokes), "cpu-ms/completion")
		b.ReportMetric(float64(r.P50.Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(r.P95.Microseconds())/1000, "p95-ms")
		b.ReportMetric(100*r.ReuseShare, "kv-reuse-%")
		b.Logf("%v", r)
	}
}
