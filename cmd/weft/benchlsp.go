package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	"github.com/weft-dev/weft/complete"
	"github.com/weft-dev/weft/eval"
	"github.com/weft-dev/weft/grammars"
	"github.com/weft-dev/weft/model"
)

// benchLSP replays a typing session through the completion engine (the path
// the server uses) and reports per-keystroke latency and KV prefix reuse.
func benchLSP(e *env, m *model.Model, file string, n int, asJSON bool) error {
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
	eng := complete.NewEngine(m, completeConfig(m, 0))
	r, err := eval.ReplayTyping(e.ctx, eng, text, lang.ID, n)
	if err != nil {
		return err
	}
	if asJSON {
		return json.NewEncoder(e.stdout).Encode(map[string]any{
			"file": file, "keystrokes": r.Keystrokes, "errors": r.Errors, "cache_hits": r.CacheHits,
			"p50_ms": r.P50.Seconds() * 1000, "p95_ms": r.P95.Seconds() * 1000, "mean_ms": r.Mean.Seconds() * 1000,
			"max_ms": r.Max.Seconds() * 1000, "prompt_tokens": r.PromptTokens, "reused_tokens": r.ReusedTokens,
			"generated_tokens": r.GeneratedTokens, "reuse_share": r.ReuseShare,
		})
	}
	fmt.Fprintf(e.stdout, "typing session: %s, %d keystrokes\n%s\n", file, n, r)
	return nil
}
