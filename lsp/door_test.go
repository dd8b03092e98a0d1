package lsp_test

import (
	"context"
	"encoding/json"
	"slices"
	"sync"
	"testing"
	"time"

	"go.lsp.dev/protocol"

	"github.com/weft-dev/weft/complete"
	"github.com/weft-dev/weft/lsp"
	"github.com/weft-dev/weft/lsp/lsptest"
)

// recorder is a Completer that tracks documents, as complete.Engine does, and records what the
// server gives it.
type recorder struct {
	mu      sync.Mutex
	reqs    []complete.Request
	updates []string // "uri path"
	closed  []string
}

func (r *recorder) Complete(_ context.Context, req complete.Request) (complete.Result, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reqs = append(r.reqs, req)
	return complete.Result{Text: "x", ReplaceStart: req.Offset, ReplaceEnd: req.Offset}, nil
}

func (r *recorder) Update(uri, path string, _ []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.updates = append(r.updates, uri+" "+path)
}

func (r *recorder) Close(uri string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = append(r.closed, uri)
}

func (r *recorder) last() complete.Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.reqs[len(r.reqs)-1]
}

// TestDoorConvertsOnce checks what the features get from the door: a file path for the URI, options
// from the settings current at each request (a changed setting applies to the next request), the
// open documents for a Completer that tracks them, and a restart notice for the settings that only
// apply when the model loads.
func TestDoorConvertsOnce(t *testing.T) {
	rec := &recorder{}
	cfg := lsp.Config{Name: "weft-test", Version: "test",
		Load: func(context.Context, lsp.Settings, func(string, int)) (lsp.Features, error) {
			return lsp.Features{Completer: rec}, nil
		}}
	c, _ := pipeServer(t, cfg)
	c.Handshake(lsptest.ClientCaps(), "")
	c.WaitEvent(protocol.MethodProgress, lsptest.Contains(`"kind":"end"`))
	const u = "file:///tmp/door%20dir/a.go"
	c.Open(u, "go", "ab")
	if _, err := c.Completion(u, pos(0, 2)); err != nil {
		t.Fatal(err)
	}
	got := rec.last()
	want := complete.Options{Multiline: "auto", Samples: complete.DefaultSamples, Latency: complete.DefaultLatency} // MaxTokens 0: complete's defaults
	if got.Path != "/tmp/door dir/a.go" || got.Offset != 2 || got.Options != want {
		t.Errorf("first request: path %q offset %d options %+v; want /tmp/door dir/a.go, 2, %+v", got.Path, got.Offset, got.Options, want)
	}

	c.Notify(protocol.MethodWorkspaceDidChangeConfiguration, &protocol.DidChangeConfigurationParams{
		Settings: protocol.LSPAny(json.RawMessage(`{"samples": 0, "maxTokens": 7, "temperature": 0.5, "multiline": "never", "latencyMs": 0}`))})
	if _, err := c.Completion(u, pos(0, 1)); err != nil {
		t.Fatal(err)
	}
	want = complete.Options{MaxTokens: 7, Temperature: 0.5, Multiline: "never", Samples: -1, Latency: -1} // 0s: none
	if got := rec.last().Options; got != want {
		t.Errorf("after the change: options %+v, want %+v", got, want)
	}

	c.Notify(protocol.MethodWorkspaceDidChangeConfiguration, &protocol.DidChangeConfigurationParams{
		Settings: protocol.LSPAny(json.RawMessage(`{"contextSize": 2048}`))})
	c.WaitEvent(protocol.MethodWindowShowMessage, lsptest.Contains("contextSize takes effect when the server restarts"))

	c.Notify(protocol.MethodTextDocumentDidClose, &protocol.DidCloseTextDocumentParams{TextDocument: protocol.TextDocumentIdentifier{URI: u}})
	deadline := time.Now().Add(5 * time.Second)
	for {
		rec.mu.Lock()
		updates, closed := slices.Clone(rec.updates), slices.Clone(rec.closed)
		rec.mu.Unlock()
		if len(closed) > 0 {
			if len(updates) == 0 || updates[0] != u+" /tmp/door dir/a.go" || closed[0] != u {
				t.Errorf("tracked documents: updates %q, closed %q", updates, closed)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the Completer was not told of the close (updates %q)", updates)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
