package main

import (
	"flag"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/weft-dev/weft/model/train"
)

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

var _ flag.Value = (*stringList)(nil)

func cmdTrain(e *env, args []string) error {
	if len(args) > 0 && args[0] == "corpus" {
		return cmdTrainCorpus(e, args[1:])
	}
	fs, mf := flags(e, "train")
	var c train.Config
	var corpus stringList
	fs.Var(&corpus, "corpus", "source tree to train on (repeatable; default: Go stdlib, Python stdlib, system node_modules)")
	fs.StringVar(&c.OutDir, "out", "weft-train", "folder for checkpoints, vocabulary, manifest and the exported model")
	fs.IntVar(&c.VocabSize, "vocab", 0, "BPE vocabulary size (default 8192)")
	fs.IntVar(&c.Dim, "dim", 0, "model width")
	fs.IntVar(&c.Layers, "layers", 0, "layers")
	fs.IntVar(&c.Heads, "heads", 0, "attention heads")
	fs.IntVar(&c.KVHeads, "kv-heads", 0, "key/value heads (GQA)")
	fs.IntVar(&c.FF, "ff", 0, "feed-forward width")
	fs.IntVar(&c.Ctx, "ctx", 0, "training context length")
	fs.IntVar(&c.Batch, "batch", 0, "sequences per step")
	fs.IntVar(&c.Steps, "steps", 0, "optimizer steps")
	fs.Float64Var(&c.LR, "lr", 0, "peak learning rate")
	fs.IntVar(&c.Warmup, "warmup", 0, "warm-up steps")
	fs.Uint64Var(&c.Seed, "seed", 0, "random seed")
	fs.IntVar(&c.CheckpointEvery, "checkpoint-every", 0, "steps between checkpoints")
	fs.BoolVar(&c.Resume, "resume", false, "continue from OUT/checkpoint.bin")
	fs.StringVar(&c.Init, "init", "", `GGUF to fine-tune from ("default" = the embedded model)`)
	fs.StringVar(&c.ExportType, "export", "", "exported weight type: q8_0 (default), f16, f32")
	fs.StringVar(&c.Name, "name", "", "general.name of the exported model")
	fs.IntVar(&c.EvalEvery, "eval-every", 0, "steps between validation runs (default 100)")
	fs.IntVar(&c.EvalWindows, "eval-windows", 0, "validation windows of ctx tokens (default 64)")
	fs.IntVar(&c.TokenizerBytes, "tokenizer-bytes", 0, "training text used to learn the BPE vocabulary (default 16 MB)")
	fs.Float64Var(&c.FIMRate, "fim-rate", 0, "share of chunks turned into fill-in-the-middle examples (default 0.5)")
	fs.Float64Var(&c.WeightDecay, "weight-decay", 0, "AdamW weight decay (default 0.1)")
	fs.IntVar(&c.LogEvery, "log-every", 0, "steps between progress lines (default 10)")
	if err := parse(fs, args); err != nil {
		return err
	}
	c.Sources = corpusSources(e.ctx, corpus)
	c.Forbidden = corpusForbidden(e.ctx)
	c.Threads = mf.threads
	if err := train.Run(e.ctx, c, e.stderr); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, filepath.Join(c.OutDir, "model.gguf"))
	return nil
}

// cmdTrainCorpus builds the corpus alone and prints its summary (and writes
// the manifest with --manifest).
func cmdTrainCorpus(e *env, args []string) error {
	fs, _ := flags(e, "train corpus")
	var dirs stringList
	fs.Var(&dirs, "corpus", "source tree (repeatable; default: the default sources)")
	manifest := fs.String("manifest", "", "write the manifest (JSON) here")
	if err := parse(fs, args); err != nil {
		return err
	}
	dirs = append(dirs, fs.Args()...)
	c, err := train.BuildCorpus(train.CorpusOptions{Sources: corpusSources(e.ctx, dirs), Forbidden: corpusForbidden(e.ctx)})
	if err != nil {
		return err
	}
	if *manifest != "" {
		if err := c.WriteManifest(*manifest); err != nil {
			return err
		}
	}
	fmt.Fprintln(e.stdout, c.Summary())
	return nil
}
