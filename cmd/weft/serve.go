package main

import (
	"context"
	"log/slog"

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
			return features(m, s.ContextSize), nil
		},
	}
	return lsp.Serve(e.ctx, e.stdin, e.stdout, cfg)
}

// features builds the server's features on one loaded model. lsp/ adapts them
// to the protocol: it converts URIs, positions and settings, and tells the
// completion engine of the open documents.
func features(m *model.Model, nCtx int) lsp.Features {
	return lsp.Features{
		Completer: complete.NewEngine(m, completeConfig(m, nCtx)),
		Actions:   translate.NewActions(translate.NewModelEngine(m, 0, translate.DefaultVerification)),
		Close:     m.Close,
	}
}

// completeConfig is the completion engine's set-up for m, with token healing
// (the prompt ends one token before the cursor), the line repeat guard and the
// document cache, which also reads the files beside the document, and
// consensus decoding over complete's default number of samples (a request's
// options may ask for another). The prompt layout is left to
// complete.NewEngine, which reads it from the model's metadata.
func completeConfig(m *model.Model, nCtx int) complete.Config {
	return complete.Config{NCtx: nCtx, TokenHealing: true, RepeatGuard: true, DocCache: true,
		Neighbors: newDirNeighbors().neighbors, Samples: complete.DefaultSamples}
}
