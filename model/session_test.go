package model

import (
	"bytes"
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/weft-dev/weft/model/gguf"
	"github.com/weft-dev/weft/model/quant"
)

// synthBytes caches encoded tiny models by arch and type.
var synthBytes sync.Map

// tinyBytes returns the GGUF bytes of Synth("tiny", arch, typ, nil, 1).
func tinyBytes(t testing.TB, arch string, typ gguf.Type) []byte {
	t.Helper()
	key := arch + "/" + typ.String()
	if b, ok := synthBytes.Load(key); ok {
		return b.([]byte)
	}
	w, err := Synth("tiny", arch, typ, nil, 1)
	if err != nil {
		t.Fatal(err)
	}
	b, err := w.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	synthBytes.Store(key, b)
	return b
}

// tinyModel loads a synthesized tiny model with opt.
func tinyModel(t testing.TB, arch string, typ gguf.Type, opt Options) *Model {
	t.Helper()
	m, err := FromBytes(tinyBytes(t, arch, typ), opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// seq returns n deterministic token ids below vocab (byte tokens of text).
func seq(n, offset int) []int32 {
	out := make([]int32, n)
	for i := range out {
		out[i] = int32((i*37 + offset*11 + 5) % 256)
	}
	return out
}

func maxDiff(a, b []float32) float64 {
	var d float64
	for i := range a {
		d = max(d, math.Abs(float64(a[i])-float64(b[i])))
	}
	return d
}

func TestSynthInfo(t *testing.T) {
	for _, arch := range []string{"qwen2", "llama"} {
		for _, typ := range []gguf.Type{gguf.TypeF32, gguf.TypeF16, gguf.TypeQ8_0, gguf.TypeQ4_0, gguf.TypeQ4_K, gguf.TypeQ6_K,
			gguf.TypeQ4_1, gguf.TypeQ5_0, gguf.TypeQ5_1, gguf.TypeQ2_K, gguf.TypeQ3_K, gguf.TypeIQ4_NL, gguf.TypeIQ4_XS} {
			m := tinyModel(t, arch, typ, Options{Threads: 1})
			in := m.Info()
			cfg := synthPresets["tiny"]
			if in.Arch != arch || in.NLayer != cfg.nLayer || in.NEmbd != cfg.nEmbd || in.NHead != cfg.nHead ||
				in.NHeadKV != cfg.nKV || in.NFF != cfg.nFF || in.NVocab != cfg.nVocab || in.FileType != typ.String() {
				t.Errorf("%s/%v: info %+v does not match the preset %+v", arch, typ, in, cfg)
			}
			if in.Tied != (arch == "qwen2") {
				t.Errorf("%s: Tied = %v", arch, in.Tied)
			}
			if m.Tokenizer().NumTokens() != cfg.nVocab {
				t.Errorf("tokenizer has %d tokens", m.Tokenizer().NumTokens())
			}
		}
	}
	// The synthetic vocabulary is byte-level: one token per byte, round trip.
	tok := tinyModel(t, "qwen2", gguf.TypeF32, Options{Threads: 1}).Tokenizer()
	text := "héllo\n\tworld"
	ids := tok.Encode(text, false, false)
	if len(ids) != len(text) || tok.Decode(ids) != text {
		t.Errorf("byte vocab: %q -> %v -> %q", text, ids, tok.Decode(ids))
	}
	if sp := tok.Special(); !tok.IsEOG(256) || sp.FIMPre != 257 || sp.FIMMid != 258 || sp.FIMSuf != 259 {
		t.Errorf("byte vocab specials: %+v, EOG(256) %v", sp, tok.IsEOG(256))
	}

	// Same seed, same bytes (the slabs are drawn in parallel); another seed differs.
	w2, err := Synth("tiny", "qwen2", gguf.TypeF32, nil, 1)
	if err != nil {
		t.Fatal(err)
	}
	b2, _ := w2.Bytes()
	w3, _ := Synth("tiny", "qwen2", gguf.TypeF32, nil, 2)
	b3, _ := w3.Bytes()
	if b1 := tinyBytes(t, "qwen2", gguf.TypeF32); !bytes.Equal(b1, b2) || bytes.Equal(b1, b3) {
		t.Error("Synth is not a function of its seed")
	}
	if _, err := Synth("nope", "", gguf.TypeF32, nil, 1); err == nil || !strings.Contains(err.Error(), "tiny") {
		t.Errorf("unknown preset: err = %v, want the list of presets", err)
	}
}

// TestSynthVocab copies a real vocabulary and checks the tokenizer behaves as
// the source's.
func TestSynthVocab(t *testing.T) {
	src := filepath.Join(sharedDir(t), "testdata", "parity", "models", "tiny-qwen2-F32.gguf")
	vf, err := gguf.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer vf.Close()
	ref, err := Open(src, Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer ref.Close()
	w, err := Synth("tiny", "", gguf.TypeQ8_0, vf, 3)
	if err != nil {
		t.Fatal(err)
	}
	b, err := w.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	m, err := FromBytes(b, Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if m.Info().NVocab != 32256 {
		t.Errorf("NVocab = %d, want the vocab file's 32256", m.Info().NVocab)
	}
	text := "func main() {\n\tfmt.Println(\"héllo\")\n}\n"
	got, want := m.Tokenizer().Encode(text, true, true), ref.Tokenizer().Encode(text, true, true)
	if !slicesEqual(got, want) {
		t.Errorf("tokens %v, want %v", got, want)
	}
}

func slicesEqual(a, b []int32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestPrefixReuse: P then P+Q evaluates only Q and matches P+Q from scratch.
func TestPrefixReuse(t *testing.T) {
	ctx := context.Background()
	for _, arch := range []string{"qwen2", "llama"} {
		m := tinyModel(t, arch, gguf.TypeF32, Options{Threads: 2, KVType: gguf.TypeF32})
		// P spans more than one batch so that chunking is exercised too.
		p := seq(maxBatch+9, 1)
		pq := append(append([]int32(nil), p...), seq(7, 2)...)

		s := m.NewSession(256)
		if _, err := s.Eval(ctx, p); err != nil {
			t.Fatal(err)
		}
		before := s.Stats()
		got, err := s.Eval(ctx, pq)
		if err != nil {
			t.Fatal(err)
		}
		st := s.Stats()
		if ev := st.Evaluated - before.Evaluated; ev != 7 {
			t.Errorf("%s: P+Q after P evaluated %d tokens, want 7", arch, ev)
		}
		if re := st.Reused - before.Reused; re != int64(len(p)) {
			t.Errorf("%s: reused %d tokens, want %d", arch, re, len(p))
		}
		fresh := m.NewSession(256)
		want, err := fresh.Eval(ctx, pq)
		if err != nil {
			t.Fatal(err)
		}
		if d := maxDiff(got, want); d > 1e-4 {
			t.Errorf("%s: logits after reuse differ from scratch by %g", arch, d)
		}

		// Diverging suffix: P+R keeps P and drops Q.
		pr := append(append([]int32(nil), p...), seq(5, 3)...)
		before = s.Stats()
		got, err = s.Eval(ctx, pr)
		if err != nil {
			t.Fatal(err)
		}
		if ev := s.Stats().Evaluated - before.Evaluated; ev != 5 {
			t.Errorf("%s: P+R after P+Q evaluated %d tokens, want 5", arch, ev)
		}
		want, _ = m.NewSession(256).Eval(ctx, pr)
		if d := maxDiff(got, want); d > 1e-4 {
			t.Errorf("%s: P+R logits differ from scratch by %g", arch, d)
		}
		if !slicesEqual(s.Tokens(), pr) {
			t.Errorf("%s: session holds %v, want %v", arch, s.Tokens(), pr)
		}

		// The same list again costs nothing; a strict prefix re-runs one token.
		before = s.Stats()
		if _, err := s.Eval(ctx, pr); err != nil {
			t.Fatal(err)
		}
		if ev := s.Stats().Evaluated - before.Evaluated; ev != 0 {
			t.Errorf("%s: same tokens evaluated %d, want 0", arch, ev)
		}
		got, _ = s.Eval(ctx, p)
		want, _ = m.NewSession(256).Eval(ctx, p)
		if d := maxDiff(got, want); d > 1e-4 {
			t.Errorf("%s: prefix logits differ from scratch by %g", arch, d)
		}
	}
}

// TestBatchMatchesSingle: a batched prefill and token-by-token decoding agree,
// and EvalAll's rows agree with Eval's last row.
func TestBatchMatchesSingle(t *testing.T) {
	ctx := context.Background()
	m := tinyModel(t, "qwen2", gguf.TypeF32, Options{Threads: 2, KVType: gguf.TypeF32})
	toks := seq(20, 4)
	all, err := m.NewSession(64).EvalAll(ctx, toks)
	if err != nil {
		t.Fatal(err)
	}
	s := m.NewSession(64)
	for i := range toks {
		got, err := s.Eval(ctx, toks[:i+1])
		if err != nil {
			t.Fatal(err)
		}
		if d := maxDiff(got, all[i]); d > 1e-4 {
			t.Fatalf("position %d: token-by-token differs from batch by %g", i, d)
		}
	}
}

// TestKVF16 checks the F16 cache stays close to the F32 one.
func TestKVF16(t *testing.T) {
	ctx := context.Background()
	toks := seq(40, 5)
	a, err := tinyModel(t, "llama", gguf.TypeF32, Options{Threads: 2, KVType: gguf.TypeF32}).NewSession(64).Eval(ctx, toks)
	if err != nil {
		t.Fatal(err)
	}
	b, err := tinyModel(t, "llama", gguf.TypeF32, Options{Threads: 2, KVType: gguf.TypeF16}).NewSession(64).Eval(ctx, toks)
	if err != nil {
		t.Fatal(err)
	}
	if d := maxDiff(a, b); d > 0.5 || d == 0 {
		t.Errorf("F16 vs F32 cache: max logit difference %g, want (0, 0.5]", d)
	}
}

func TestCancel(t *testing.T) {
	m := tinyModel(t, "qwen2", gguf.TypeQ8_0, Options{Threads: 2})
	s := m.NewSession(512)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Eval(ctx, seq(10, 0)); !errors.Is(err, context.Canceled) {
		t.Errorf("Eval with a cancelled ctx: err = %v", err)
	}
	if len(s.Tokens()) != 0 {
		t.Errorf("a cancelled Eval left %d tokens", len(s.Tokens()))
	}

	// Cancel in the middle of a long prefill: it must stop within a layer.
	ctx, cancel = context.WithCancel(context.Background())
	cancelled := make(chan time.Time, 1)
	go func() {
		time.Sleep(5 * time.Millisecond)
		cancelled <- time.Now()
		cancel()
	}()
	_, err := s.Eval(ctx, seq(500, 1))
	if errors.Is(err, context.Canceled) {
		if d := time.Since(<-cancelled); d > 500*time.Millisecond {
			t.Errorf("Eval took %v to notice cancellation", d)
		}
	} else if err != nil {
		t.Fatal(err)
	} else {
		t.Log("prefill finished before the cancel; promptness not measured")
	}

	// Generate stops when the caller cancels from emit.
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	n := 0
	res, err := s.Generate(ctx, seq(8, 2), GenerateOptions{MaxTokens: 100, IgnoreEOG: true}, func(int32, string) bool {
		n++
		if n == 3 {
			cancel()
		}
		return true
	})
	if !errors.Is(err, context.Canceled) || len(res.Tokens) != 3 {
		t.Errorf("Generate after cancel: %d tokens, err %v; want 3, context.Canceled", len(res.Tokens), err)
	}
}

func TestContextOverflow(t *testing.T) {
	m := tinyModel(t, "qwen2", gguf.TypeF32, Options{Threads: 1})
	s := m.NewSession(16)
	if _, err := s.Eval(context.Background(), seq(17, 0)); err == nil || !strings.Contains(err.Error(), "context") {
		t.Errorf("17 tokens in a 16-token session: err = %v", err)
	}
	if _, err := s.Eval(context.Background(), []int32{1, 2, 600}); err == nil || !strings.Contains(err.Error(), "600") {
		t.Errorf("token outside the vocabulary: err = %v", err)
	}
	res, err := s.Generate(context.Background(), seq(10, 0), GenerateOptions{IgnoreEOG: true}, nil)
	if err != nil || res.StopReason != StopContext || len(res.Tokens) != 7 {
		t.Errorf("generation to a full context: %v, %v; want 7 tokens, %s", res, err, StopContext)
	}
}

// TestConcurrentSessions runs sessions of one model from several goroutines
// (meaningful under -race) and checks they agree with a sequential run.
func TestConcurrentSessions(t *testing.T) {
	m := tinyModel(t, "llama", gguf.TypeQ4_0, Options{Threads: 2})
	ctx := context.Background()
	want := make([][]float32, 4)
	for g := range want {
		l, err := m.NewSession(64).Eval(ctx, seq(12, g))
		if err != nil {
			t.Fatal(err)
		}
		want[g] = append([]float32(nil), l...)
	}
	var wg sync.WaitGroup
	errs := make([]error, len(want))
	for g := range want {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := m.NewSession(64)
			for rep := 0; rep < 3; rep++ {
				s.Reset()
				l, err := s.Eval(ctx, seq(12, g))
				if err != nil {
					errs[g] = err
					return
				}
				if d := maxDiff(l, want[g]); d != 0 {
					errs[g] = errors.New("concurrent logits differ")
					return
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

// TestDecodeAllocs: decoding a token allocates nothing.
func TestDecodeAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	for _, kv := range []gguf.Type{gguf.TypeF32, gguf.TypeF16} {
		m := tinyModel(t, "qwen2", gguf.TypeQ8_0, Options{Threads: 2, KVType: kv})
		s := m.NewSession(512)
		ctx := context.Background()
		if _, err := s.Eval(ctx, seq(8, 0)); err != nil {
			t.Fatal(err)
		}
		i := 0
		allocs := testing.AllocsPerRun(50, func() {
			if _, err := s.step(ctx, int32(i%256)); err != nil {
				t.Fatal(err)
			}
			i++
		})
		if allocs != 0 {
			t.Errorf("KV %v: decoding one token allocates %.1f times", kv, allocs)
		}
	}
}

func BenchmarkDecode(b *testing.B) {
	m := tinyModel(b, "qwen2", gguf.TypeQ8_0, Options{KVType: gguf.TypeF16})
	s := m.NewSession(512)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if len(s.Tokens()) == s.NCtx() {
			s.Reset()
			b.StopTimer()
			s.Eval(ctx, seq(1, 0))
			b.StartTimer()
		}
		if _, err := s.step(ctx, int32(len(s.Tokens())%256)); err != nil {
			b.Fatal(err)
		}
	}
}

func TestBench(t *testing.T) {
	m := tinyModel(t, "qwen2", gguf.TypeQ4_K, Options{Threads: 1})
	r, err := Bench(context.Background(), m, 2, 16, 8, 1)
	if err != nil {
		t.Fatal(err)
	}
	if r.PPTokS <= 0 || r.TGTokS <= 0 || r.GBs <= 0 || r.Threads != 2 || r.ModelBytes != m.Info().Bytes {
		t.Errorf("Bench = %+v", r)
	}
	t.Log(r)
	if _, err := Bench(context.Background(), m, 0, 0, 0, 1); err == nil {
		t.Error("Bench with nothing to do: no error")
	}
}

// TestBadInput: broken files produce errors that name the problem.
func TestBadInput(t *testing.T) {
	good := tinyBytes(t, "qwen2", gguf.TypeF32)
	build := func(cfg synthConfig, edit func(*synthTensor) bool, meta func(*gguf.Writer)) []byte {
		w, err := synth(cfg, "tiny", pureTypes(gguf.TypeF32), nil, 1, edit)
		if err != nil {
			t.Fatal(err)
		}
		if meta != nil {
			meta(w)
		}
		b, err := w.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	cfg := synthPresets["tiny"]
	tests := []struct {
		name string
		data []byte
		want []string
	}{
		{"truncated", good[:len(good)/2], []string{"end of"}},
		{"empty", nil, []string{""}},
		{"missing tensor", build(cfg, func(s *synthTensor) bool { return s.name != "blk.1.ffn_up.weight" }, nil),
			[]string{"missing tensor blk.1.ffn_up.weight"}},
		{"missing bias", build(cfg, func(s *synthTensor) bool { return s.name != "blk.0.attn_k.bias" }, nil),
			[]string{"blk.0.attn_k.bias"}},
		{"wrong shape", build(cfg, func(s *synthTensor) bool {
			if s.name == "blk.0.attn_k.weight" {
				s.dims = []int{s.dims[1], s.dims[0]}
			}
			return true
		}, nil), []string{"blk.0.attn_k.weight", "shape [128 256]", "want [256 128]"}},
		{"unknown arch", build(cfg, nil, func(w *gguf.Writer) { w.Set("general.architecture", "gpt9") }),
			[]string{`"gpt9"`, "llama, qwen2"}},
		{"missing hparam", build(cfg, nil, func(w *gguf.Writer) { w.Delete("qwen2.embedding_length") }),
			[]string{"qwen2.embedding_length"}},
		{"bad heads", build(cfg, nil, func(w *gguf.Writer) { w.Set("qwen2.attention.head_count", uint32(3)) }),
			[]string{"head_count 3"}},
		{"shape vs hparam", build(cfg, nil, func(w *gguf.Writer) { w.Set("qwen2.feed_forward_length", uint32(1024)) }),
			[]string{"blk.0.ffn_gate.weight", "want [256 1024]"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := FromBytes(tc.data, Options{Threads: 1})
			if err == nil {
				m.Close()
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
	// A truncated file on disk goes through the mmap path.
	path := filepath.Join(t.TempDir(), "trunc.gguf")
	if err := os.WriteFile(path, good[:len(good)-100], 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(path, Options{}); err == nil || !strings.Contains(err.Error(), "trunc.gguf") {
		t.Errorf("truncated file: err = %v, want an error naming the file", err)
	}
}

// TestRopeScaling: rope_freqs factors of 2 and linear scaling by 2 both halve
// every angle (exactly, in float32), so they must give identical logits, and
// different ones from the unscaled model.
func TestRopeScaling(t *testing.T) {
	ctx := context.Background()
	cfg := synthPresets["tiny"]
	cfg.arch = "llama"
	build := func(meta func(*gguf.Writer) error) []float32 {
		w, err := synth(cfg, "tiny", pureTypes(gguf.TypeF32), nil, 1, nil)
		if err != nil {
			t.Fatal(err)
		}
		if meta != nil {
			if err := meta(w); err != nil {
				t.Fatal(err)
			}
		}
		b, err := w.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		m, err := FromBytes(b, Options{Threads: 1, KVType: gguf.TypeF32})
		if err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		l, err := m.NewSession(32).Eval(ctx, seq(20, 3))
		if err != nil {
			t.Fatal(err)
		}
		return append([]float32(nil), l...)
	}
	base := build(nil)
	freqs := build(func(w *gguf.Writer) error {
		half := cfg.nEmbd / cfg.nHead / 2
		f := make([]float32, half)
		for i := range f {
			f[i] = 2
		}
		d, _ := quant.Quantize(gguf.TypeF32, f)
		return w.AddTensor("rope_freqs.weight", gguf.TypeF32, []int{half}, d)
	})
	linear := build(func(w *gguf.Writer) error {
		w.Set("llama.rope.scaling.type", "linear")
		w.Set("llama.rope.scaling.factor", float32(2))
		return nil
	})
	if d := maxDiff(freqs, linear); d != 0 {
		t.Errorf("rope_freqs 2 and linear scaling 2 differ by %g", d)
	}
	if d := maxDiff(base, linear); d == 0 {
		t.Error("rope scaling changed nothing")
	}
	w, _ := synth(cfg, "tiny", pureTypes(gguf.TypeF32), nil, 1, nil)
	w.Set("llama.rope.scaling.type", "yarn")
	b, _ := w.Bytes()
	if _, err := FromBytes(b, Options{}); err == nil || !strings.Contains(err.Error(), "yarn") {
		t.Errorf("yarn scaling: err = %v", err)
	}
}
