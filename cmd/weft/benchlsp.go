package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/weft-dev/weft/complete"
	"github.com/weft-dev/weft/eval"
	"github.com/weft-dev/weft/grammars"
	"github.com/weft-dev/weft/lsp"
	"github.com/weft-dev/weft/model"
)

// lspBench is what `weft bench --lsp` replays.
type lspBench struct {
	file       string // the source file typed ("": strings.go of the Go installation)
	keystrokes int
	maxTokens  int // per completion; 0: the engine's default
	samples    int // consensus samples; < 0: the server's default
	latencyMs  int // single-line latency budget; < 0: the server's default, 0: none
	draft      int // complete.Config.Draft
	noBatch    bool
	shift      bool // complete.Config.ShiftReuse
}

// benchLSP replays a typing session through the completion engine (the path
// the server uses, with the server's settings) and reports per-keystroke
// latency, tokens generated and KV prefix reuse.
func benchLSP(e *env, m *model.Model, b lspBench, asJSON bool) error {
	file, n := b.file, b.keystrokes
	if file == "" {
		file = filepath.Join(runtime.GOROOT(), "src", "strings", "strings.go")
	}
	text, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	lang, ok := grammars.Lookup(filepath.Ext(file))
	if !ok {
		return fmt.Errorf("%s: no grammar for this file type", file)
	}
	cfg := completeConfig(m, 0)
	if b.samples >= 0 {
		cfg.Samples = b.samples
	}
	cfg.Draft, cfg.NoBatch, cfg.ShiftReuse = b.draft, b.noBatch, b.shift
	if b.latencyMs < 0 {
		b.latencyMs = lsp.DefaultSettings().LatencyMs
	}
	eng := complete.NewEngine(m, cfg)
	opt := complete.Options{MaxTokens: b.maxTokens, Latency: latencyOption(b.latencyMs)}
	r, err := eval.ReplayTypingWith(e.ctx, eng, text, lang.ID, n, eval.ReplayOptions{Request: opt})
	if err != nil {
		return err
	}
	if asJSON {
		return json.NewEncoder(e.stdout).Encode(map[string]any{
			"file": file, "max_tokens": b.maxTokens, "samples": cfg.Samples, "latency_ms": b.latencyMs, "draft": b.draft, "no_batch": b.noBatch, "shift_reuse": b.shift, "keystrokes": r.Keystrokes, "errors": r.Errors, "cache_hits": r.CacheHits,
			"p50_ms": r.P50.Seconds() * 1000, "p95_ms": r.P95.Seconds() * 1000, "mean_ms": r.Mean.Seconds() * 1000,
			"max_ms": r.Max.Seconds() * 1000, "prompt_tokens": r.PromptTokens, "reused_tokens": r.ReusedTokens,
			"generated_tokens": r.GeneratedTokens, "reuse_share": r.ReuseShare,
		})
	}
	fmt.Fprintf(e.stdout, "typing session: %s, %d keystrokes, %d samples, max tokens %d, latency budget %d ms, draft %d, no-batch %v, shift-reuse %v\n%s\n",
		file, n, cfg.Samples, b.maxTokens, b.latencyMs, b.draft, b.noBatch, b.shift, r)
	return nil
}

// latencyOption turns --latency-ms into complete.Options.Latency (0 there would mean the engine's
// default, so "none" is negative), as the server does with its latencyMs setting.
func latencyOption(ms int) time.Duration {
	if ms <= 0 {
		return -1
	}
	return time.Duration(ms) * time.Millisecond
}
