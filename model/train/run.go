// Package train trains weft's small code models in pure Go: corpus building,
// byte-level BPE, a llama-architecture decoder with hand-written forward and
// backward passes, AdamW, exact checkpoints, and export to GGUF.
package train

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	defaultmodel "github.com/weft-dev/weft/model/default"
	"github.com/weft-dev/weft/model/gguf"
)

// Config is everything `weft train` takes. Zero values get the defaults
// listed in Defaults.
type Config struct {
	Sources   []Source // the trees the corpus is drawn from (at least one)
	Forbidden []string // trees the corpus must never read (CorpusOptions.Forbidden)
	OutDir    string   // checkpoints, manifest, vocabulary, exported model

	VocabSize int
	Dim       int
	Layers    int
	Heads     int
	KVHeads   int
	FF        int
	Ctx       int

	Batch           int
	Steps           int
	LR              float64
	Warmup          int
	Seed            uint64
	CheckpointEvery int    // steps between checkpoints (0 = only at the end)
	Resume          bool   // continue from OutDir/checkpoint.bin
	Init            string // GGUF to fine-tune from ("default" = the embedded model)
	ExportType      string // q8_0 (default), f16 or f32

	// Less common knobs.
	WeightDecay    float64
	FIMRate        float64 // share of documents turned into FIM examples (default 0.5)
	EvalEvery      int     // steps between validation runs (default 100)
	EvalWindows    int     // validation windows of Ctx tokens (default 64)
	TokenizerBytes int     // training text used for BPE (default 16 MB)
	LogEvery       int     // steps between progress lines (default 10)
	Threads        int     // goroutines for the model's computations (default GOMAXPROCS)
	Name           string  // general.name of the exported model
}

// Defaults fills zero fields of c with weft's defaults.
func (c Config) Defaults() Config {
	def := func(p *int, v int) {
		if *p == 0 {
			*p = v
		}
	}
	def(&c.VocabSize, 8192)
	def(&c.Dim, 128)
	def(&c.Layers, 4)
	def(&c.Heads, 4)
	def(&c.KVHeads, c.Heads)
	def(&c.FF, 4*c.Dim*2/3/32*32)
	def(&c.Ctx, 256)
	def(&c.Batch, 8)
	def(&c.Steps, 1000)
	def(&c.Warmup, min(100, c.Steps/10+1))
	def(&c.EvalEvery, 100)
	def(&c.EvalWindows, 64)
	def(&c.TokenizerBytes, 16<<20)
	def(&c.LogEvery, 10)
	if c.LR == 0 {
		c.LR = 3e-3
	}
	if c.Seed == 0 {
		c.Seed = 1
	}
	if c.WeightDecay == 0 {
		c.WeightDecay = 0.1
	}
	if c.FIMRate == 0 {
		c.FIMRate = 0.5
	}
	if c.ExportType == "" {
		c.ExportType = "q8_0"
	}
	if c.Name == "" {
		c.Name = "weft-trained"
	}
	return c
}

func (c Config) hyper() Hyper {
	return Hyper{Batch: c.Batch, Steps: c.Steps, LR: c.LR, MinLRFrac: 0.1, Warmup: c.Warmup, WeightDecay: c.WeightDecay,
		Beta1: 0.9, Beta2: 0.95, Eps: 1e-8, Clip: 1.0, Seed: c.Seed}
}

// Paths inside OutDir.
const (
	CheckpointFile = "checkpoint.bin"
	VocabFile      = "vocab.json"
	ManifestFile   = "manifest.json"
	ModelFile      = "model.gguf"
)

// Run trains (or fine-tunes, or resumes) a model as c describes, logging
// progress to logw, and exports OutDir/model.gguf. Cancelling ctx writes a
// checkpoint and returns ctx.Err().
func Run(ctx context.Context, c Config, logw io.Writer) error {
	start := time.Now()
	c = c.Defaults()
	if c.OutDir == "" {
		return errors.New("train: no output directory")
	}
	if c.Batch < 1 || c.Steps < 1 || c.LR <= 0 {
		return fmt.Errorf("train: batch %d, steps %d and learning rate %g must be positive", c.Batch, c.Steps, c.LR)
	}
	if c.VocabSize > 1<<16 {
		return fmt.Errorf("train: vocab size %d is too large (at most 65536)", c.VocabSize)
	}
	wt, err := ExportTypeByName(c.ExportType)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(c.OutDir, 0o755); err != nil {
		return fmt.Errorf("train: %w", err)
	}
	logf := func(format string, a ...any) { fmt.Fprintf(logw, format+"\n", a...) }

	// 1. Corpus.
	corpus, err := BuildCorpus(CorpusOptions{Sources: c.Sources, Forbidden: c.Forbidden})
	if err != nil {
		return err
	}
	if err := corpus.WriteManifest(filepath.Join(c.OutDir, ManifestFile)); err != nil {
		return err
	}
	logf("corpus: %s", corpus.Summary())
	trainDocs, valDocs := corpus.Split(false), corpus.Split(true)
	if len(trainDocs) == 0 {
		return errors.New("train: every corpus file fell into the validation split; add more files")
	}
	if len(valDocs) == 0 { // tiny corpora: validate on the last training file
		valDocs = trainDocs[len(trainDocs)-1:]
	}

	// 2. Vocabulary and initial weights.
	var m *Model
	var vocab *Vocab
	vocabPath := filepath.Join(c.OutDir, VocabFile)
	switch {
	case c.Init != "":
		m, vocab, err = initFrom(c.Init, c.Ctx)
		if err != nil {
			return err
		}
		logf("init: %s (%d params, vocab %d)", c.Init, m.NumParams(), len(vocab.Tokens))
	default:
		if c.Resume {
			vocab, err = readVocab(vocabPath)
		} else {
			vocab, err = trainVocab(ctx, trainDocs, c, logf)
			if err == nil {
				err = writeVocab(vocabPath, vocab)
			}
		}
		if err != nil {
			return err
		}
		mc := ModelConfig{Vocab: len(vocab.Tokens), Dim: c.Dim, Layers: c.Layers, Heads: c.Heads, KVHeads: c.KVHeads,
			FF: c.FF, Ctx: c.Ctx, RopeBase: 10000, NormEps: 1e-5}
		if m, err = NewModel(mc); err != nil {
			return err
		}
		m.Init(c.Seed)
	}
	mc := m.Cfg

	// 3. Token streams.
	want := c.Steps*c.Batch*mc.Ctx + mc.Ctx + 1
	trainTok, err := tokenStream(ctx, vocab, trainDocs, want, c.FIMRate, 3*mc.Ctx, c.Seed)
	if err != nil {
		return err
	}
	valTok, err := tokenStream(ctx, vocab, valDocs, c.EvalWindows*mc.Ctx+1, 0, 0, c.Seed)
	if err != nil {
		return err
	}
	logf("data: %d training tokens (%.2f epochs planned), %d validation tokens", len(trainTok),
		float64(c.Steps*c.Batch*mc.Ctx)/float64(len(trainTok)), len(valTok))
	if len(valTok) < mc.Ctx+1 {
		valTok = trainTok[:min(len(trainTok), c.EvalWindows*mc.Ctx+1)]
		logf("data: validation split too small, validating on training text")
	}

	hash := configHash(mc, c.hyper(), vocab, c.Init)
	t, err := newTrainer(m, c.hyper(), trainTok, hash, c.Threads)
	if err != nil {
		return err
	}
	ckpt := filepath.Join(c.OutDir, CheckpointFile)
	if c.Resume {
		if err := t.load(ckpt); err != nil {
			return err
		}
		logf("resume: step %d of %d from %s", t.step, c.Steps, ckpt)
	}
	logf("model: dim %d, layers %d, heads %d/%d, ff %d, ctx %d, vocab %d: %d params; batch %d, %d steps, %d threads",
		mc.Dim, mc.Layers, mc.Heads, mc.KVHeads, mc.FF, mc.Ctx, mc.Vocab, m.NumParams(), c.Batch, c.Steps, t.a.threads)

	// 4. The loop.
	tokBytes := vocab.tokenBytes()
	var valLoss, valBPB float64 = math.NaN(), math.NaN()
	segStart, segStep := time.Now(), t.step
	wall0 := t.wall
	for t.step < c.Steps {
		if err := ctx.Err(); err != nil {
			t.wall = wall0 + time.Since(segStart).Seconds()
			if serr := t.save(ckpt); serr != nil {
				return errors.Join(err, serr)
			}
			logf("interrupted at step %d; checkpoint %s", t.step, ckpt)
			return err
		}
		loss, gnorm, lr := t.trainStep()
		if math.IsNaN(loss) || math.IsInf(loss, 0) {
			return fmt.Errorf("train: loss is %v at step %d (learning rate %g too high?)", loss, t.step, lr)
		}
		t.wall = wall0 + time.Since(segStart).Seconds()
		if t.step%c.LogEvery == 0 || t.step == 1 {
			el := time.Since(segStart).Seconds()
			tps := float64((t.step-segStep)*c.Batch*mc.Ctx) / el
			eta := time.Duration(float64(c.Steps-t.step)*el/float64(t.step-segStep)) * time.Second
			logf("step %d/%d loss %.4f gnorm %.3f lr %.2e | %.0f tok/s, eta %s", t.step, c.Steps, loss, gnorm, lr, tps, eta.Round(time.Second))
		}
		if t.step%c.EvalEvery == 0 || t.step == c.Steps {
			valLoss, valBPB = t.evalLoss(valTok, tokBytes, c.EvalWindows)
			logf("step %d val loss %.4f, %.4f bits/byte", t.step, valLoss, valBPB)
		}
		if c.CheckpointEvery > 0 && t.step%c.CheckpointEvery == 0 {
			if err := t.save(ckpt); err != nil {
				return err
			}
		}
	}
	if math.IsNaN(valLoss) {
		valLoss, valBPB = t.evalLoss(valTok, tokBytes, c.EvalWindows)
	}
	if err := t.save(ckpt); err != nil {
		return err
	}

	// 5. Export.
	card := map[string]string{
		"name":              c.Name,
		"params":            fmt.Sprint(m.NumParams()),
		"training_tokens":   fmt.Sprint(t.tokens),
		"training_steps":    fmt.Sprint(t.step),
		"wall_time_s":       fmt.Sprintf("%.0f", t.wall),
		"val_loss":          fmt.Sprintf("%.4f", valLoss),
		"val_bits_per_byte": fmt.Sprintf("%.4f", valBPB),
		"corpus":            corpus.Summary(),
		"config":            fmt.Sprintf("vocab=%d dim=%d layers=%d heads=%d kv_heads=%d ff=%d ctx=%d batch=%d steps=%d lr=%g warmup=%d seed=%d fim=%g init=%q", mc.Vocab, mc.Dim, mc.Layers, mc.Heads, mc.KVHeads, mc.FF, mc.Ctx, c.Batch, c.Steps, c.LR, c.Warmup, c.Seed, c.FIMRate, c.Init),
		"trainer":           fmt.Sprintf("weft model/train (pure Go, float32, AdamW, FIM on %.0f%% of %d-byte chunks, PSM/SPM 50/50)", 100*c.FIMRate, 3*mc.Ctx),
		"license":           "trained on " + licenseSummary(corpus),
	}
	w, err := Export(m, vocab, wt, card)
	if err != nil {
		return err
	}
	out := filepath.Join(c.OutDir, ModelFile)
	if err := w.WriteFile(out); err != nil {
		return fmt.Errorf("train: export: %w", err)
	}
	logf("done: %d steps, %d tokens, %s this run; val loss %.4f, %.4f bits/byte; wrote %s", t.step, t.tokens,
		time.Since(start).Round(time.Second), valLoss, valBPB, out)
	return nil
}

func licenseSummary(c *Corpus) string {
	seen := map[string]bool{}
	var l []string
	for _, d := range c.Docs {
		if !seen[d.License] && len(l) < 12 {
			seen[d.License] = true
			l = append(l, d.License)
		}
	}
	return "code under: " + strings.Join(l, "; ") + " (see the training manifest)"
}

// initFrom loads the weights and vocabulary to fine-tune from.
func initFrom(path string, ctxLen int) (*Model, *Vocab, error) {
	var f *gguf.File
	var err error
	if path == "default" {
		b, berr := defaultmodel.Bytes()
		if berr != nil {
			return nil, nil, fmt.Errorf("train: --init default: %w", berr)
		}
		f, err = gguf.Parse(b)
	} else {
		f, err = gguf.Open(path)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("train: init model: %w", err)
	}
	defer f.Close()
	return loadGGUF(f, ctxLen)
}

// trainVocab learns the BPE vocabulary on the first TokenizerBytes of the
// training split.
func trainVocab(ctx context.Context, docs []Doc, c Config, logf func(string, ...any)) (*Vocab, error) {
	t0 := time.Now()
	var texts []string
	n := 0
	for _, d := range docs {
		if n >= c.TokenizerBytes {
			break
		}
		texts = append(texts, d.Text)
		n += len(d.Text)
	}
	counts, err := CountWords(texts)
	if err != nil {
		return nil, err
	}
	v, err := TrainBPE(ctx, counts, c.VocabSize)
	if err != nil {
		return nil, err
	}
	logf("tokenizer: %d tokens (%d merges) from %.1f MB, %d distinct pre-tokens, in %s",
		len(v.Tokens), len(v.Merges), float64(n)/1e6, len(counts), time.Since(t0).Round(time.Millisecond))
	return v, nil
}

type vocabJSON struct {
	Tokens []string `json:"tokens"`
	Types  []int32  `json:"token_type"`
	Merges []string `json:"merges"`
}

func writeVocab(path string, v *Vocab) error {
	b, err := json.Marshal(vocabJSON{v.Tokens, v.Types, v.Merges})
	if err == nil {
		err = os.WriteFile(path, b, 0o644)
	}
	if err != nil {
		return fmt.Errorf("train: writing vocabulary: %w", err)
	}
	return nil
}

func readVocab(path string) (*Vocab, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("train: resume needs the vocabulary of the first run: %w", err)
	}
	var j vocabJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return nil, fmt.Errorf("train: %s: %w", path, err)
	}
	return newVocab(j.Tokens, j.Types, j.Merges)
}
