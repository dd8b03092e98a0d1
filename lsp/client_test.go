package lsp_test

import (
	"context"
	"io"
	"testing"
	"time"

	"go.lsp.dev/protocol"

	"github.com/weft-dev/weft/lsp"
	"github.com/weft-dev/weft/lsp/internal/fake"
	"github.com/weft-dev/weft/lsp/lsptest"
)

// pipeServer runs lsp.Serve over in-memory pipes and returns a client
// connected to it and the channel Serve's result arrives on.
func pipeServer(t *testing.T, cfg lsp.Config) (*lsptest.Client, <-chan error) {
	t.Helper()
	serverIn, clientOut := io.Pipe()
	clientIn, serverOut := io.Pipe()
	done := make(chan error, 1)
	finished := make(chan struct{})
	go func() {
		err := lsp.Serve(context.Background(), serverIn, serverOut, cfg)
		serverOut.CloseWithError(io.EOF)
		serverIn.CloseWithError(io.EOF)
		done <- err
		close(finished)
	}()
	c := lsptest.NewClient(t, clientIn, clientOut)
	t.Cleanup(func() {
		clientOut.Close()
		select {
		case <-finished:
		case <-time.After(5 * time.Second):
			t.Error("Serve did not return after the client closed its stream")
		}
		c.Close()
	})
	return c, done
}

// fakeConfig is a server config over the fake features.
func fakeConfig(tokenDelay time.Duration) lsp.Config {
	return lsp.Config{
		Name:    "weft-test",
		Version: "test",
		Load:    fake.Load(time.Millisecond, fake.Completer{TokenDelay: tokenDelay}, fake.Actions{StepDelay: time.Millisecond}),
	}
}

func pos(line, char uint32) protocol.Position { return lsptest.Pos(line, char) }

func rng(l1, c1, l2, c2 uint32) protocol.Range { return lsptest.Range(l1, c1, l2, c2) }
