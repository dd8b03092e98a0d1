// Command testserver runs weft's language server with fake features
// (internal/fake) on stdio, for client tests (lsp's Go tests and the Node
// tests in lsp/nodetest). WEFT_FAKE_TOKEN_DELAY sets the fake per-token
// generation time (a Go duration, default 5ms).
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/weft-dev/weft/lsp"
	"github.com/weft-dev/weft/lsp/internal/fake"
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
	cfg := lsp.Config{
		Name:    "weft-testserver",
		Version: "test",
		Load:    fake.Load(10*time.Millisecond, fake.Completer{TokenDelay: delay}, fake.Actions{StepDelay: 10 * time.Millisecond}),
		Logger:  slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
	}
	if err := lsp.Serve(context.Background(), os.Stdin, os.Stdout, cfg); err != nil {
		fmt.Fprintf(os.Stderr, "testserver: %v\n", err)
		os.Exit(1)
	}
}
