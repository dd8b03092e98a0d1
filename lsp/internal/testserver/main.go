// Command testserver runs weft's language server with fake features
// (internal/fake) on stdio, for client tests (lsp's Go tests and the Node
// tests in lsp/nodetest). WEFT_FAKE_TOKEN_DELAY sets the fake per-token
// generation time (a Go duration, default 5ms). WEFT_FAKE_TRANSLATION
// replaces the fake actions with translate's real pipeline (unit extraction,
// prompts, candidates, parse checks, edits) over a scripted model that
// answers every prompt with that text, so editor tests can see a translation
// applied without a model that can write code.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/weft-dev/weft/lsp"
	"github.com/weft-dev/weft/lsp/internal/fake"
	"github.com/weft-dev/weft/translate"
)

func main() {
	delay := 5 * time.Millisecond
	if v := os.Getenv("WEFT_FAKE_TOKEN_DELAY"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			fmt.Fprintf(os.Stderr, "testserver: WEFT_FAKE_TOKEN_DELAY: %v\n", err)
			os.Exit(2)
		}
		delay = d
	}
	var acts lsp.Actions = fake.Actions{StepDelay: 10 * time.Millisecond}
	if text := os.Getenv("WEFT_FAKE_TRANSLATION"); text != "" {
		eng := translate.NewEngine(scripted(text), false)
		eng.Candidates, eng.Retries = 1, -1
		acts = translate.NewActions(eng)
	}
	cfg := lsp.Config{
		Name:    "weft-testserver",
		Version: "test",
		Load:    fake.Load(10*time.Millisecond, fake.Completer{TokenDelay: delay}, acts),
		Logger:  slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
	}
	if err := lsp.Serve(context.Background(), os.Stdin, os.Stdout, cfg); err != nil {
		fmt.Fprintf(os.Stderr, "testserver: %v\n", err)
		os.Exit(1)
	}
}

// scripted is a translate.Sampler whose answer to every prompt is its text.
// Prompts end with the start of the answer (a code fence, a signature), so
// like a model it continues from there: the longest end of the prompt that
// begins the text is not repeated.
type scripted string

func (s scripted) Sample(ctx context.Context, prompt string, o translate.SampleOptions) (translate.Sample, error) {
	text := string(s)
	for n := min(len(prompt), len(text)); n > 0; n-- {
		if strings.HasSuffix(prompt, text[:n]) {
			text = text[n:]
			break
		}
	}
	return translate.Sample{Text: text, Tokens: 1}, ctx.Err()
}
