package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/weft-dev/weft/complete"
	"github.com/weft-dev/weft/lsp"
	"github.com/weft-dev/weft/model"
	"github.com/weft-dev/weft/translate"
)

// version is weft's version, reported to clients in InitializeResult.
const version = "0.1.0"

func cmdServe(e *env, args []string) error {
	fs, mf := flags(e, "serve")
	fs.Bool("stdio", true, "serve over stdin/stdout (the only transport; accepted for editors that pass it)")
	verbose := fs.Bool("v", false, "debug logging on stderr")
	if err := parse(fs, args); err != nil {
		return err
	}
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: level}))
	cfg := lsp.Config{
		Name:    "weft",
		Version: version,
		Logger:  logger,
		Load: func(ctx context.Context, s lsp.Settings, progress func(string, int)) (lsp.Features, error) {
			if s.ModelPath != "" {
				mf.path = s.ModelPath
			}
			progress("loading "+mf.name(), 0)
			m, err := mf.load(e)
			if err != nil {
				return lsp.Features{}, err
			}
			progress("model loaded", 100)
			return features(m, s.ContextSize, s.Samples), nil
		},
	}
	return lsp.Serve(e.ctx, e.stdin, e.stdout, cfg)
}

// features builds the server's features on one loaded model.
func features(m *model.Model, nCtx, samples int) lsp.Features {
	cfg := completeConfig(m, nCtx)
	cfg.Samples = samples
	eng := complete.NewEngine(m, cfg)
	acts := translate.NewActions(translate.NewModelEngine(m, 0, false))
	return lsp.Features{
		Completer: completer{eng},
		Actions:   lsp.TranslateActions(acts),
		Hooks: lsp.Hooks{
			// complete/ keeps each open document's text for its repo map.
			OnOpen:   func(d *lsp.Snapshot) { eng.Update(d.URI, uriPath(d.URI), d.Text) },
			OnChange: func(_, d *lsp.Snapshot, _ []lsp.ByteEdit) { eng.Update(d.URI, uriPath(d.URI), d.Text) },
			OnClose:  eng.Close,
		},
		Close: m.Close,
	}
}

// completeConfig is the completion engine's set-up for m, with token healing
// (the prompt ends one token before the cursor), the line repeat guard and the
// document cache, which also reads the files beside the document, and
// consensus decoding over the server's default number of samples (see
// complete.Config). The prompt layout is left to complete.NewEngine, which
// reads it from the model's metadata.
func completeConfig(m *model.Model, nCtx int) complete.Config {
	return complete.Config{NCtx: nCtx, TokenHealing: true, RepeatGuard: true, DocCache: true,
		Neighbors: newDirNeighbors().neighbors, Samples: lsp.DefaultSettings().Samples}
}

// completer adapts complete.Engine to lsp.Completer.
type completer struct{ e *complete.Engine }

func (c completer) Complete(ctx context.Context, r lsp.CompletionRequest) (lsp.CompletionResult, error) {
	res, err := c.e.Complete(ctx, complete.Request{
		URI: r.URI, LanguageID: r.LanguageID, Text: r.Text, Offset: r.Offset, Path: uriPath(r.URI), Seq: r.Seq,
		Options: complete.Options{MaxTokens: r.Options.MaxTokens, Temperature: float32(r.Options.Temperature), Multiline: r.Options.Multiline,
			Latency: latencyOption(r.Options.LatencyMs)},
	})
	if err != nil {
		return lsp.CompletionResult{}, err
	}
	return lsp.CompletionResult{Text: res.Text, ReplaceStart: res.ReplaceStart, ReplaceEnd: res.ReplaceEnd, FilterText: res.FilterText}, nil
}

// uriPath returns the file path of a file:// URI, for the prompt header.
func uriPath(uri string) string {
	const p = "file://"
	if len(uri) > len(p) && uri[:len(p)] == p {
		return uri[len(p):]
	}
	return ""
}

// latencyOption turns the latencyMs setting into complete.Options.Latency (0 there would mean the
// engine's default, so "none" is negative).
func latencyOption(ms int) time.Duration {
	if ms <= 0 {
		return -1
	}
	return time.Duration(ms) * time.Millisecond
}
