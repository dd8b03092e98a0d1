package main

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/weft-dev/weft/model"
	"github.com/weft-dev/weft/model/gguf"
	"github.com/weft-dev/weft/model/tokenizer"
)

func cmdModelSynth(e *env, args []string) error {
	fs, _ := flags(e, "model synth")
	preset := fs.String("preset", "qwen2.5-coder-0.5b", "shape preset: "+strings.Join(model.SynthPresets(), ", "))
	arch := fs.String("arch", "", "architecture (default: the preset's): "+strings.Join(model.SupportedArchs(), ", "))
	typ := fs.String("type", "q8_0", "llama.cpp file type, typed per tensor as llama-quantize does ("+strings.Join(model.FTypes(), ", ")+
		"), or a tensor type (q4_k, q5_k) for every 2-D weight")
	pure := fs.Bool("pure", false, "give every 2-D weight the one --type (Q8_0, else F16, where its blocks do not fit), like llama-quantize --pure")
	vocab := fs.String("vocab", "", "GGUF file whose tokenizer to copy (default: a synthetic byte-level vocab)")
	seed := fs.Uint64("seed", 1, "random seed")
	out := fs.String("o", "", "output GGUF file (required)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return usageErr("-o FILE is required")
	}
	name := strings.ToLower(*typ)
	_, isFType := model.FTypeByName(name)
	if *pure || !isFType {
		// A tensor type: "q4_k_m" with --pure means Q4_K.
		*pure = true
		name = strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(name, "_s"), "_m"), "_l")
	}
	t, isType := gguf.TypeByName(name)
	if *pure && !isType {
		return usageErr("unknown type %q (llama.cpp file types: %s)", *typ, strings.Join(model.FTypes(), ", "))
	}
	var vf *gguf.File
	if *vocab != "" {
		var err error
		if vf, err = gguf.Open(*vocab); err != nil {
			return err
		}
		defer vf.Close()
	}
	var w *gguf.Writer
	var err error
	if *pure {
		w, err = model.Synth(*preset, *arch, t, vf, *seed)
	} else {
		w, err = model.SynthFType(*preset, *arch, name, vf, *seed)
	}
	if err != nil {
		return err
	}
	if err := w.WriteFile(*out); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, *out)
	return nil
}

func cmdBench(e *env, args []string) error {
	fs, mf := flags(e, "bench")
	asJSON := fs.Bool("json", false, "print one JSON object")
	pp := fs.Int("pp", 512, "prompt tokens (prefill)")
	tg := fs.Int("tg", 128, "generated tokens (decode)")
	reps := fs.Int("reps", 3, "repetitions (the median is reported)")
	lspMode := fs.Bool("lsp", false, "replay a typing session through the completion engine instead")
	file := fs.String("file", "", "with --lsp: the source file to type (default: a Go standard library file)")
	keys := fs.Int("keystrokes", 200, "with --lsp: keystrokes to replay")
	maxTokens := fs.Int("max-tokens", 0, "with --lsp: most tokens per completion (0: the engine's default)")
	latency := fs.Int("latency-ms", -1, "with --lsp: single-line latency budget (-1: the server's default; 0: none)")
	draft := fs.Int("draft", 0, "with --lsp: tokens guessed ahead from the document per step (0: the engine's default; -1: none)")
	shift := fs.Bool("shift-reuse", false, "with --lsp: reuse the suffix's KV cache across keystrokes in the PSM order, shifted (an approximation)")
	noBatch := fs.Bool("no-batch", false, "with --lsp: decode the consensus samples one after another instead of batched with greedy")
	samples := fs.Int("samples", -1, "with --lsp: consensus samples per completion (-1: the server's default; 0: greedy only)")
	if err := parse(fs, args); err != nil {
		return err
	}
	m, err := mf.load(e)
	if err != nil {
		return err
	}
	defer m.Close()
	if *lspMode {
		return benchLSP(e, m, lspBench{file: *file, keystrokes: *keys, maxTokens: *maxTokens, samples: *samples, latencyMs: *latency, draft: *draft, noBatch: *noBatch, shift: *shift}, *asJSON)
	}
	r, err := model.Bench(e.ctx, m, mf.threads, *pp, *tg, *reps)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(e.stdout).Encode(map[string]any{
			"model": mf.name(), "arch": m.Info().Arch, "type": m.Info().FileType, "params": m.Info().Params,
			"threads": r.Threads, "pp": r.PP, "tg": r.TG, "reps": r.Reps,
			"pp512_tps": r.PPTokS, "tg128_tps": r.TGTokS, "model_bytes": r.ModelBytes, "gb_per_s": r.GBs,
		})
	}
	fmt.Fprintf(e.stdout, "model %s (%s %s), %d threads\n", mf.name(), m.Info().Arch, m.Info().FileType, r.Threads)
	fmt.Fprintf(e.stdout, "pp%d: %8.1f tok/s\n", r.PP, r.PPTokS)
	fmt.Fprintf(e.stdout, "tg%d: %8.1f tok/s  (%.1f GB/s of weights)\n", r.TG, r.TGTokS, r.GBs)
	return nil
}

// specials names the special tokens a vocab has.
func specials(t *tokenizer.Tokenizer) string {
	sp := t.Special()
	var parts []string
	add := func(name string, id int32) {
		if id >= 0 {
			parts = append(parts, fmt.Sprintf("%s=%d %q", name, id, t.Text(id)))
		}
	}
	add("bos", sp.BOS)
	add("eos", sp.EOS)
	add("eot", sp.EOT)
	add("pad", sp.PAD)
	add("fim_pre", sp.FIMPre)
	add("fim_suf", sp.FIMSuf)
	add("fim_mid", sp.FIMMid)
	add("fim_pad", sp.FIMPad)
	add("fim_rep", sp.FIMRep)
	add("fim_sep", sp.FIMSep)
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}
