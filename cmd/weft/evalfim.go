package main

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/weft-dev/weft/complete"
	"github.com/weft-dev/weft/eval"
	defaultmodel "github.com/weft-dev/weft/model/default"
	"github.com/weft-dev/weft/model/gguf"
	"github.com/weft-dev/weft/model/train"
)

// fimSets describes the sets of `weft eval fim`.
var fimSets = map[string]string{
	"a": "validation split of the default training corpus (held out by model/train)",
	"b": "Go files of the module cache (never trained on)",
	"c": "HumanEval single-line infilling (Python)",
}

// cmdEvalFIM scores fill-in-the-middle completions: holes cut reproducibly from held-out files are
// filled through complete.Engine, as the language server fills them, and by a token n-gram baseline
// trained on the training split with the model's own tokenizer.
func cmdEvalFIM(e *env, args []string) error {
	fs, mf := flags(e, "eval fim")
	sets := fs.String("sets", "a,b,c", "sets to run: a (validation split), b (Go module cache), c (HumanEval infilling)")
	limit := fs.Int("limit", 0, "holes per set (0 = 200 for a and b, all 1033 tasks for c)")
	seed := fs.Uint64("seed", 1, "seed of the hole positions")
	ngramBytes := fs.Int("ngram-bytes", 20_000_000, "training text of the n-gram baseline, in bytes")
	ngramOrder := fs.Int("ngram-order", 4, "n of the n-gram baseline")
	noNGram := fs.Bool("no-ngram", false, "skip the n-gram baseline")
	noHeal := fs.Bool("no-heal", false, "turn the model's token healing off (the language server has it on)")
	noRepeatGuard := fs.Bool("no-repeat-guard", false, "turn the model's line repeat guard off (the language server has it on)")
	noDocCache := fs.Bool("no-doc-cache", false, "turn the document cache off (the language server has it on)")
	noConsensus := fs.Bool("no-consensus", false, "greedy completions only, without the samples' vote (the language server has it on)")
	noNeighbors := fs.Bool("no-neighbors", false, "give the document cache no files from a hole's directory (the language server reads them)")
	modCache := fs.String("modcache", "", "Go module cache for set b (default: go env GOMODCACHE)")
	humanEval := fs.String("humaneval", filepath.Join(defaultEvalDir("human-eval-infilling"), "HumanEval-SingleLineInfilling.jsonl.gz"), "HumanEval single-line infilling file for set c")
	nCtx := fs.Int("ctx", 0, "engine context in tokens (0 = the engine's default, as the language server)")
	asJSON := fs.Bool("json", false, "print JSON")
	ceiling := fs.Bool("ceiling", false, "add a row for a perfect model through the same engine (what stopping, post-processing and the syntax check allow)")
	dump := fs.String("dump", "", "write every hole's middle and fills here (JSON lines)")
	if err := parse(fs, args); err != nil {
		return err
	}
	var want []string
	for _, s := range strings.Split(*sets, ",") {
		s = strings.TrimSpace(s)
		if _, ok := fimSets[s]; !ok {
			return usageErr("unknown set %q (a, b, c)", s)
		}
		want = append(want, s)
	}
	if *ngramOrder < 1 || *ngramOrder > 8 {
		return usageErr("--ngram-order must be 1..8")
	}
	m, err := mf.load(e)
	if err != nil {
		return err
	}
	defer m.Close()

	// The corpus gives set a, the baseline's training text, and the training files that set b must
	// leave out.
	var corpus *train.Corpus
	needCorpus := !*noNGram
	for _, s := range want {
		needCorpus = needCorpus || s == "a" || s == "b"
	}
	if needCorpus {
		t0 := time.Now()
		if corpus, err = train.BuildCorpus(train.CorpusOptions{Sources: corpusSources(e.ctx, nil), Forbidden: corpusForbidden(e.ctx)}); err != nil {
			return err
		}
		fmt.Fprintf(e.stderr, "weft: corpus: %s (%v)\n", corpus.Summary(), time.Since(t0).Round(time.Millisecond))
		// Set a is held out only if the model was trained on this very corpus; its card says which.
		if card, ok := modelCorpus(mf); ok && card != corpus.Summary() {
			fmt.Fprintf(e.stderr, "weft: warning: the model was trained on another corpus (%s): set a is not its held-out split\n", card)
		}
	}
	var ngram *eval.NGram
	ngramInfo := map[string]any{}
	if !*noNGram {
		t0 := time.Now()
		var texts []string
		size := 0
		for _, d := range corpus.Split(false) {
			if size >= *ngramBytes {
				break
			}
			t := d.Text
			if len(t) > *ngramBytes-size { // cut the last file at a line break
				t = t[:*ngramBytes-size]
				t = t[:strings.LastIndexByte(t, '\n')+1]
			}
			texts = append(texts, t)
			size += len(t)
		}
		if ngram, err = eval.TrainNGram(e.ctx, m.Tokenizer(), texts, *ngramOrder); err != nil {
			return err
		}
		ngramInfo = map[string]any{"order": *ngramOrder, "smoothing": "stupid backoff 0.4", "train_files": len(texts),
			"train_bytes": size, "train_tokens": ngram.Tokens()}
		fmt.Fprintf(e.stderr, "weft: %d-gram baseline: %d files, %.1f MB, %d tokens of the training split (%v)\n",
			*ngramOrder, len(texts), float64(size)/1e6, ngram.Tokens(), time.Since(t0).Round(time.Millisecond))
	}

	cfg := completeConfig(m, *nCtx)
	cfg.TokenHealing = !*noHeal
	cfg.RepeatGuard = !*noRepeatGuard
	cfg.DocCache = !*noDocCache
	if *noConsensus {
		cfg.Samples = 0
	}
	cfg.Neighbors = nil // a hole's neighbors come from the set's files (neighborsFrom), not from disk
	eng := complete.NewEngine(m, cfg)
	var dumpEnc *json.Encoder
	if *dump != "" {
		f, err := os.Create(*dump)
		if err != nil {
			return err
		}
		defer f.Close()
		dumpEnc = json.NewEncoder(f)
		dumpEnc.SetEscapeHTML(false)
	}
	var reports []eval.FIMSetReport
	for _, set := range want {
		holes, pool, err := fimHoles(e, set, corpus, *limit, *seed, *modCache, *humanEval)
		if err != nil {
			return err
		}
		inf := &eval.EngineInfiller{Engine: eng}
		if !*noNeighbors {
			inf.Neighbors = neighborsFrom(pool)
		}
		rep := eval.NewFIMSetReport(set, fimSets[set], holes)
		fmt.Fprintf(e.stderr, "weft: set %s: %d holes (%d single-line, %d multi-line)\n", set, rep.Holes, rep.Single, rep.Multi)
		r, err := eval.FIM(e.ctx, "model", holes, dumper(dumpEnc, set, "model", inf), e.stderr)
		if err != nil {
			return err
		}
		rep.Results = append(rep.Results, r)
		if ngram != nil {
			name := fmt.Sprintf("%d-gram", *ngramOrder)
			r, err := eval.FIM(e.ctx, name, holes, dumper(dumpEnc, set, name, eval.NGramInfiller{Model: ngram}), e.stderr)
			if err != nil {
				return err
			}
			rep.Results = append(rep.Results, r)
		}
		if *ceiling {
			oracle := eval.NewOracleInfiller(complete.Config{NCtx: *nCtx})
			r, err := eval.FIM(e.ctx, "ceiling", holes, dumper(dumpEnc, set, "ceiling", oracle), e.stderr)
			if err != nil {
				return err
			}
			rep.Results = append(rep.Results, r)
		}
		reports = append(reports, rep)
		if !*asJSON {
			fmt.Fprintln(e.stdout, rep)
		}
	}
	if *asJSON {
		info := m.Info()
		out := map[string]any{
			"model":     mf.name(),
			"arch":      info.Arch,
			"params":    info.Params,
			"file_type": info.FileType,
			"engine":    map[string]any{"family": eng.Family().String(), "layout": eng.Layout().String(), "ctx": *nCtx},
			"seed":      *seed,
			"ngram":     ngramInfo,
			"sets":      reports,
		}
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(out)
	}
	fmt.Fprintln(e.stdout, "EM: exact match after trimming trailing whitespace; ES: mean edit similarity (1 - Levenshtein/max length, runes);\n1 = single-line holes, m = multi-line holes; latency: mean per hole.")
	return nil
}

// fimHoles cuts (or loads) the holes of one set.
// With the holes it returns the files that lie beside them (the pool that the language server's reads
// of a file's directory stand for): for set a the whole corpus, for set b the module cache's Go files,
// for set c none.
func fimHoles(e *env, set string, corpus *train.Corpus, limit int, seed uint64, modCache, humanEval string) ([]eval.Hole, []eval.FIMDoc, error) {
	n := limit
	if n <= 0 {
		n = 200
	}
	switch set {
	case "a":
		var docs []eval.FIMDoc
		for _, d := range corpus.Split(true) {
			docs = append(docs, eval.FIMDoc{Path: d.Path, Lang: d.Lang, Text: d.Text})
		}
		if len(docs) == 0 {
			return nil, nil, fmt.Errorf("eval fim: the corpus has no validation files")
		}
		var pool []eval.FIMDoc
		for _, d := range corpus.Docs {
			pool = append(pool, eval.FIMDoc{Path: d.Path, Lang: d.Lang, Text: d.Text})
		}
		return eval.CutHoles(docs, n, seed), pool, nil
	case "b":
		root := modCache
		if root == "" {
			root = os.Getenv("GOMODCACHE")
		}
		if root == "" {
			out, err := exec.Command("go", "env", "GOMODCACHE").Output()
			if err != nil {
				return nil, nil, fmt.Errorf("eval fim: finding the module cache (pass --modcache): %w", err)
			}
			root = strings.TrimSpace(string(out))
		}
		docs, err := eval.GoModuleDocs(root)
		if err != nil {
			return nil, nil, err
		}
		pool := slices.Clone(docs)
		// The trainer refuses the module cache, but a file may also exist elsewhere: drop exact copies
		// of training files.
		if corpus != nil {
			seen := map[uint64]bool{}
			for _, d := range corpus.Docs {
				seen[textHash(d.Text)] = true
			}
			kept := docs[:0]
			for _, d := range docs {
				if !seen[textHash(d.Text)] {
					kept = append(kept, d)
				}
			}
			if dropped := len(docs) - len(kept); dropped > 0 {
				fmt.Fprintf(e.stderr, "weft: set b: dropped %d files that are also in the corpus\n", dropped)
			}
			docs = kept
		}
		fmt.Fprintf(e.stderr, "weft: set b: %d Go files under %s\n", len(docs), root)
		return eval.CutHoles(docs, n, seed), pool, nil
	case "c":
		holes, err := eval.LoadHumanEvalInfilling(humanEval, limit, seed)
		return holes, nil, err
	}
	return nil, nil, usageErr("unknown set %q", set)
}

// dumper wraps an infiller to write each hole and its fill to enc (when not nil).
func dumper(enc *json.Encoder, set, name string, inf eval.Infiller) eval.Infiller {
	if enc == nil {
		return inf
	}
	return dumpInfiller{enc, set, name, inf}
}

type dumpInfiller struct {
	enc       *json.Encoder
	set, name string
	inf       eval.Infiller
}

func (d dumpInfiller) Infill(ctx context.Context, h eval.Hole) (string, error) {
	got, err := d.inf.Infill(ctx, h)
	rec := map[string]any{"set": d.set, "infiller": d.name, "id": h.ID, "kind": h.Kind.String(), "middle": h.Middle, "got": got,
		"em": eval.NormalizeMiddle(got) == eval.NormalizeMiddle(h.Middle),
		"es": complete.EditSimilarity(eval.NormalizeMiddle(got), eval.NormalizeMiddle(h.Middle))}
	if err != nil {
		rec["error"] = err.Error()
	}
	if werr := d.enc.Encode(rec); werr != nil && err == nil {
		err = werr
	}
	return got, err
}

// modelCorpus returns the corpus summary that model/train writes into a model's card.
func modelCorpus(mf *modelFlags) (string, bool) {
	var (
		f   *gguf.File
		err error
	)
	if mf.path == "" || mf.path == "default" {
		b, err := defaultmodel.Bytes()
		if err != nil {
			return "", false
		}
		f, err = gguf.Parse(b)
		if err != nil {
			return "", false
		}
	} else if f, err = gguf.Open(mf.path); err != nil {
		return "", false
	}
	defer f.Close()
	return f.String("weft.card.corpus")
}

func textHash(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

// neighborsFrom returns, for a hole, the files of pool in the hole's directory, named by their base
// names as the hole's own file is (EngineInfiller shows the model only base names).
func neighborsFrom(pool []eval.FIMDoc) func(eval.Hole) []complete.Neighbor {
	byDir := map[string][]complete.Neighbor{} // built once: texts are converted once, not per hole
	for _, d := range pool {
		dir := path.Dir(d.Path)
		byDir[dir] = append(byDir[dir], complete.Neighbor{Path: d.Path, Text: []byte(d.Text)})
	}
	return func(h eval.Hole) []complete.Neighbor {
		var ns []complete.Neighbor
		for _, n := range byDir[path.Dir(h.Path)] {
			if n.Path != h.Path {
				ns = append(ns, complete.Neighbor{Path: path.Base(n.Path), Text: n.Text})
			}
		}
		return ns
	}
}
