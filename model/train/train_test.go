package train

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/weft-dev/weft/model/gguf"
	"github.com/weft-dev/weft/model/tokenizer"
)

// sampleCode is a few KB of varied source text: indentation runs, newlines,
// punctuation, digits and some non-ASCII, i.e. what the pre-tokenizer splits.
func sampleCode() string {
	names := []string{"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet",
		"kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo", "sierra", "tango"}
	var b strings.Builder
	for i, n := range names {
		fmt.Fprintf(&b, `// %s computes café-style results — naïve but fine.
func %s(values []int, limit int) (total int, err error) {
	for i, v := range values {
		if v > %d && i < limit {
			total += v * %d
		}
	}
	return total, nil
}

`, n, n, i*7, i+1)
	}
	b.WriteString("def main():\n    x = [1, 2, 3]\n    for i in range(10):\n        print(i, x)\n\n\nclass A:\n    pass\n")
	return b.String()
}

func trainSmallVocab(t *testing.T, text string, size int) *Vocab {
	t.Helper()
	counts, err := CountWords([]string{text})
	if err != nil {
		t.Fatal(err)
	}
	v, err := TrainBPE(context.Background(), counts, size)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestBPERoundTrip trains a vocabulary, writes it as a GGUF and checks that
// the engine's tokenizer (an independent implementation of llama.cpp's BPE)
// produces the same tokens as the trainer's encoder and decodes them back.
func TestBPERoundTrip(t *testing.T) {
	text := sampleCode()
	v := trainSmallVocab(t, text, 256+6+150)
	if len(v.Merges) != 150 || len(v.Tokens) != 256+6+150 {
		t.Fatalf("got %d merges, %d tokens", len(v.Merges), len(v.Tokens))
	}
	cfg := ModelConfig{Vocab: len(v.Tokens), Dim: 32, Layers: 1, Heads: 2, KVHeads: 1, FF: 64, Ctx: 16, RopeBase: 10000, NormEps: 1e-5}
	m, err := NewModel(cfg)
	if err != nil {
		t.Fatal(err)
	}
	m.Init(1)
	w, err := Export(m, v, gguf.TypeQ8_0, map[string]string{"name": "test"})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	f, err := gguf.Parse(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	tok, err := tokenizer.FromGGUF(f)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{text, "func add99(a, b int) int {\n\t\treturn  a\n}\n", "ünïcödé 🙂 x\r\n\t  y", "    \n\n\n    "} {
		want, err := v.Encode(s, nil)
		if err != nil {
			t.Fatal(err)
		}
		got := tok.Encode(s, true, false)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("engine tokens %v\ntrainer tokens %v\nfor %q", got, want, s)
		}
		if d := tok.Decode(got); d != s {
			t.Errorf("decode %q, want %q", d, s)
		}
	}
	if len(mustEncode(t, v, text)) >= len(text)/2 {
		t.Errorf("merges barely compress: %d tokens for %d bytes", len(mustEncode(t, v, text)), len(text))
	}
	sp := tok.Special()
	for name, got := range map[string]int32{TokEndOfText: sp.EOS, TokFIMPre: sp.FIMPre, TokFIMSuf: sp.FIMSuf, TokFIMMid: sp.FIMMid, TokFIMPad: sp.FIMPad, TokFileSep: sp.FIMSep} {
		if want := v.Special(name); got != want || !tok.IsControl(want) {
			t.Errorf("%s: engine id %d (control %v), want %d", name, got, tok.IsControl(want), want)
		}
	}
	if sp.AddBOS {
		t.Error("add_bos_token should be false")
	}
	if ids := tok.Encode("<|fim_prefix|>a<|fim_suffix|>", false, true); len(ids) < 2 || ids[0] != v.Special(TokFIMPre) {
		t.Errorf("special tokens not parsed: %v", ids)
	}
}

func mustEncode(t *testing.T, v *Vocab, s string) []int32 {
	ids, err := v.Encode(s, nil)
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// TestOverfit: a tiny model memorises ~2 KB of text, which it can only do if
// forward, backward and the optimizer work together.
func TestOverfit(t *testing.T) {
	text := sampleCode()[:2000]
	v := trainSmallVocab(t, text, 256+6+64)
	data := mustEncode(t, v, text)
	cfg := ModelConfig{Vocab: len(v.Tokens), Dim: 48, Layers: 2, Heads: 4, KVHeads: 2, FF: 96, Ctx: 32, RopeBase: 10000, NormEps: 1e-5}
	m, _ := NewModel(cfg)
	m.Init(3)
	h := Hyper{Batch: 8, Steps: 300, LR: 1e-2, MinLRFrac: 0.1, Warmup: 10, Beta1: 0.9, Beta2: 0.95, Eps: 1e-8, Clip: 1, Seed: 1}
	tr, err := newTrainer(m, h, data, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var first, loss float64
	for i := 0; i < h.Steps; i++ {
		loss, _, _ = tr.trainStep()
		if i == 0 {
			first = loss
		}
	}
	t.Logf("loss %.3f -> %.4f over %d tokens", first, loss, len(data))
	if loss > 0.15 {
		t.Fatalf("did not overfit: loss %.4f after %d steps (started at %.3f)", loss, h.Steps, first)
	}
}

// writeCorpus creates a small source tree in dir.
func writeCorpus(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func smallCorpus(t *testing.T) string {
	dir := t.TempDir()
	files := map[string]string{}
	for i := 0; i < 12; i++ {
		files[fmt.Sprintf("pkg%d/f%d.go", i%3, i)] = strings.ReplaceAll(sampleCode(), "demo", fmt.Sprintf("p%dq", i))
	}
	writeCorpus(t, dir, files)
	return dir
}

func tinyRunConfig(corpus, out string) Config {
	return Config{Sources: []Source{{Name: "corpus", Dir: corpus}}, OutDir: out, VocabSize: 256 + 6 + 40, Dim: 32, Layers: 2, Heads: 2, KVHeads: 1,
		FF: 64, Ctx: 32, Batch: 2, Steps: 8, LR: 3e-3, Warmup: 2, Seed: 5, LogEvery: 1, EvalEvery: 4, EvalWindows: 4, ExportType: "f32"}
}

// lossLines keeps the per-step loss lines of a run's log.
func lossLines(log string) []string {
	var out []string
	sc := bufio.NewScanner(strings.NewReader(log))
	for sc.Scan() {
		l := sc.Text()
		if strings.HasPrefix(l, "step ") {
			if i := strings.Index(l, " |"); i > 0 {
				l = l[:i] // drop timing
			}
			out = append(out, l)
		}
	}
	return out
}

// cancelAfter is a log writer that cancels the run once it logs a line.
type cancelAfter struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	marker string
	cancel func()
}

func (c *cancelAfter) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.buf.Write(p)
	if c.marker != "" && strings.Contains(c.buf.String(), c.marker) {
		c.cancel()
	}
	return len(p), nil
}

// TestResumeExact interrupts a run after step 3 and resumes it: the loss of
// every later step and the validation loss must equal an uninterrupted run's.
func TestResumeExact(t *testing.T) {
	corpus := smallCorpus(t)
	var full bytes.Buffer
	if err := Run(context.Background(), tinyRunConfig(corpus, t.TempDir()), &full); err != nil {
		t.Fatalf("%v\n%s", err, full.String())
	}
	out := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	part := &cancelAfter{marker: "step 3/8 loss", cancel: cancel}
	if err := Run(ctx, tinyRunConfig(corpus, out), part); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted run: %v\n%s", err, part.buf.String())
	}
	c := tinyRunConfig(corpus, out)
	c.Resume = true
	var rest bytes.Buffer
	if err := Run(context.Background(), c, &rest); err != nil {
		t.Fatalf("resume: %v\n%s", err, rest.String())
	}
	want := lossLines(full.String())
	got := append(lossLines(part.buf.String()), lossLines(rest.String())...)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("resumed run differs:\n%s\nuninterrupted:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !strings.Contains(rest.String(), "resume: step 3 of 8") {
		t.Errorf("resume did not start at step 3:\n%s", rest.String())
	}

	// A checkpoint from another configuration is refused.
	c.Dim = 64
	err := Run(context.Background(), c, io.Discard)
	if !errors.Is(err, ErrConfigMismatch) {
		t.Fatalf("resume with another config: got %v, want ErrConfigMismatch", err)
	}

	// The exported model loads for fine-tuning, with the same shape and vocabulary.
	f, err := gguf.Open(filepath.Join(out, ModelFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, v, err := loadGGUF(f, 0)
	if err != nil {
		t.Fatal(err)
	}
	if m.Cfg.Dim != 32 || len(v.Tokens) != 256+6+40 || m.Cfg.KVHeads != 1 {
		t.Fatalf("reloaded shape %+v, %d tokens", m.Cfg, len(v.Tokens))
	}
	for _, k := range []string{"weft.card.params", "weft.card.training_tokens", "weft.card.val_bits_per_byte", "weft.card.wall_time_s", "weft.card.corpus"} {
		if !f.Has(k) {
			t.Errorf("exported model lacks %s", k)
		}
	}
	// Fine-tuning from it runs through the same path.
	ft := tinyRunConfig(corpus, t.TempDir())
	ft.Init, ft.Steps = filepath.Join(out, ModelFile), 2
	var ftLog bytes.Buffer
	if err := Run(context.Background(), ft, &ftLog); err != nil {
		t.Fatalf("fine-tune: %v\n%s", err, ftLog.String())
	}
}

func TestCorpusFilters(t *testing.T) {
	dir := t.TempDir()
	code := "package a\n\nfunc A() int { return 1 }\n"
	writeCorpus(t, dir, map[string]string{
		"a.go":               code,
		"b/a_copy.go":        code,                                 // exact duplicate
		"c/a_spaces.go":      strings.ReplaceAll(code, " ", "   "), // near duplicate
		"gen.go":             "// Code generated by stringer; DO NOT EDIT.\npackage a\n",
		"min.js":             "var a=" + strings.Repeat("1+", 2000) + "1;\n",
		"vendor/x/x.go":      "package x\n",
		"testdata/t.go":      "package t\n",
		"notes.txt":          "not code",
		"ok.py":              "def f():\n    return 2\n",
		"lib/site/ok.ts":     "export const x: number = 3;\n",
		"empty.go":           "\n\n",
		"big/huge.go":        "package big\n" + strings.Repeat("// filler line\n", 30000),
		"latin1/bad_utf8.py": "s = '\xe9t\xe9'\n",
	})
	c, err := BuildCorpus(CorpusOptions{Sources: []Source{{Name: "t", Dir: dir, License: "test"}}})
	if err != nil {
		t.Fatal(err)
	}
	s := c.Stats
	checks := []struct {
		name      string
		got, want int
	}{
		{"files", s.Files, 3}, {"exact dup", s.DupExact, 1}, {"near dup", s.DupNear, 1}, {"generated", s.Generated, 1},
		{"minified", s.Minified, 1}, {"vendored", s.Vendored, 1}, {"testdata", s.TestData, 1}, {"huge", s.Huge, 1},
		{"non-UTF-8", s.NonUTF8, 1}, {"empty", s.Empty, 1},
	}
	for _, ck := range checks {
		if ck.got != ck.want {
			t.Errorf("%s: got %d, want %d", ck.name, ck.got, ck.want)
		}
	}
	langs := map[string]bool{}
	for _, d := range c.Docs {
		langs[d.Lang] = true
		if d.License != "test" {
			t.Errorf("%s: licence %q", d.Path, d.License)
		}
	}
	if !langs["go"] || !langs["python"] || !langs["typescript"] {
		t.Errorf("languages kept: %v", langs)
	}
	mf := filepath.Join(t.TempDir(), "manifest.json")
	if err := c.WriteManifest(mf); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(mf); !bytes.Contains(b, []byte(`"path": "t/ok.py"`)) {
		t.Errorf("manifest lacks ok.py:\n%s", b)
	}
}

// TestValidationSplitStable: the split depends on content only, and about
// ValFraction of the files land in validation.
func TestValidationSplitStable(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{}
	for i := 0; i < 400; i++ {
		files[fmt.Sprintf("f%03d.go", i)] = fmt.Sprintf("package p\n\nvar v%d = %d\n", i, i*i)
	}
	writeCorpus(t, dir, files)
	c, err := BuildCorpus(CorpusOptions{Sources: []Source{{Name: "p", Dir: dir}}, ValFraction: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	if c.Stats.ValFiles < 20 || c.Stats.ValFiles > 65 {
		t.Errorf("%d of 400 files in validation, want about 40", c.Stats.ValFiles)
	}
	c2, _ := BuildCorpus(CorpusOptions{Sources: []Source{{Name: "p", Dir: dir}}, ValFraction: 0.1})
	for i := range c.Docs {
		if c.Docs[i].Path != c2.Docs[i].Path || c.Docs[i].Val != c2.Docs[i].Val {
			t.Fatal("corpus order or split is not stable")
		}
	}
}

func TestBadInputs(t *testing.T) {
	empty := t.TempDir()
	writeCorpus(t, empty, map[string]string{"README.md": "no code here", "bad.go": "package \xff\xfe\n"})
	// The forbidden trees: an evaluation set and a module cache, as the caller names them.
	evalSet, modCache := t.TempDir(), t.TempDir()
	writeCorpus(t, evalSet, map[string]string{"p.go": "package p\n"})
	writeCorpus(t, filepath.Join(modCache, "golang.org"), map[string]string{"q.go": "package q\n"})
	forbidden := []string{evalSet, modCache}
	cases := []struct {
		name string
		src  Source
		want string
	}{
		{"empty corpus", Source{Name: "e", Dir: empty}, "empty corpus"},
		{"missing dir", Source{Name: "m", Dir: filepath.Join(empty, "nope")}, "no such file"},
		{"evaluation data", Source{Name: "x", Dir: evalSet}, "must never be trained on"},
		{"module cache", Source{Name: "x", Dir: filepath.Join(modCache, "golang.org")}, "must never be trained on"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := BuildCorpus(CorpusOptions{Sources: []Source{tc.src}, Forbidden: forbidden})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
	c, _ := BuildCorpus(CorpusOptions{Sources: []Source{{Name: "e", Dir: empty}}, Forbidden: []string{"/nonexistent"}})
	if c != nil {
		t.Fatal("corpus of only a non-UTF-8 file should be empty")
	}

	// A corpus tree that contains a forbidden tree skips it.
	root := t.TempDir()
	writeCorpus(t, root, map[string]string{"ok/a.go": "package a\nvar A = 1\n", "secret/b.go": "package b\nvar B = 2\n"})
	cc, err := BuildCorpus(CorpusOptions{Sources: []Source{{Name: "r", Dir: root}}, Forbidden: []string{filepath.Join(root, "secret")}})
	if err != nil {
		t.Fatal(err)
	}
	if cc.Stats.Files != 1 || cc.Docs[0].Path != "r/ok/a.go" {
		t.Fatalf("forbidden subtree not skipped: %+v", cc.Docs)
	}

	if _, err := TrainBPE(context.Background(), map[string]int64{}, 1000); err == nil {
		t.Error("BPE on no text: want error")
	}
	if _, err := TrainBPE(context.Background(), map[string]int64{"a": 1}, 100); err == nil {
		t.Error("vocab below 262: want error")
	}
	if err := Run(context.Background(), Config{Sources: []Source{{Name: "empty", Dir: empty}}, OutDir: t.TempDir()}, io.Discard); err == nil || !strings.Contains(err.Error(), "empty corpus") {
		t.Errorf("Run on empty corpus: %v", err)
	}
	if err := Run(context.Background(), Config{Sources: []Source{{Name: "small", Dir: smallCorpus(t)}}, OutDir: t.TempDir(), Resume: true}, io.Discard); err == nil || !strings.Contains(err.Error(), "resume") {
		t.Errorf("resume without a checkpoint: %v", err)
	}
}

func TestSchedule(t *testing.T) {
	h := Hyper{LR: 1, MinLRFrac: 0.1, Warmup: 10, Steps: 110}
	for _, c := range []struct {
		step int
		want float64
	}{{0, 0.1}, {9, 1}, {10, 1}, {60, 0.55}, {110, 0.1}} {
		if got := h.lr(c.step); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("lr(%d) = %v, want %v", c.step, got, c.want)
		}
	}
}

// TestFIM checks the PSM and SPM layouts token by token.
func TestFIM(t *testing.T) {
	v := trainSmallVocab(t, "abc", 262)
	enc := func(s string) []int32 { return mustEncode(t, v, s) }
	pre, mid, suf, eot := v.Special(TokFIMPre), v.Special(TokFIMMid), v.Special(TokFIMSuf), v.Special(TokEndOfText)
	text := "abcdef"
	join := func(parts ...[]int32) string {
		var all []int32
		for _, p := range parts {
			all = append(all, p...)
		}
		return fmt.Sprint(all)
	}
	psm, _ := v.encodeChunk(text, true, false, 2, 4, nil)
	if want := join([]int32{pre}, enc("ab"), []int32{suf}, enc("ef"), []int32{mid}, enc("cd"), []int32{eot}); fmt.Sprint(psm) != want {
		t.Errorf("PSM %v, want %v", psm, want)
	}
	spm, _ := v.encodeChunk(text, true, true, 2, 4, nil)
	if want := join([]int32{pre, suf}, enc("ef"), []int32{mid}, enc("ab"), enc("cd"), []int32{eot}); fmt.Sprint(spm) != want {
		t.Errorf("SPM %v, want %v", spm, want)
	}
}

func TestChunks(t *testing.T) {
	cases := []struct {
		text string
		max  int
		want []string
	}{
		{"a\nb\nc\n", 0, []string{"a\nb\nc\n"}},
		{"a\nb\nc\n", 100, []string{"a\nb\nc\n"}},
		{"aa\nbb\ncc\n", 6, []string{"aa\nbb\n", "cc\n"}},
		{"aa\nbb\ncc", 4, []string{"aa\n", "bb\n", "cc"}},
		{"aaaaaa\nb\n", 3, []string{"aaaaaa\n", "b\n"}}, // a long line stays whole
	}
	for _, c := range cases {
		got := chunks(c.text, c.max)
		if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", c.want) {
			t.Errorf("chunks(%q, %d) = %q, want %q", c.text, c.max, got, c.want)
		}
		if strings.Join(got, "") != c.text {
			t.Errorf("chunks(%q) lost text", c.text)
		}
	}
}
