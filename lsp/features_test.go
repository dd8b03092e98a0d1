package lsp_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"go.lsp.dev/protocol"

	"github.com/weft-dev/weft/lsp"
	"github.com/weft-dev/weft/lsp/internal/fake"
	"github.com/weft-dev/weft/lsp/lsptest"
	"github.com/weft-dev/weft/translate"
)

// TestRequestWaitsForLoad checks that a request sent while the model
// loads waits for it, and that Features.Hooks are registered once loading
// finished, with documents opened before that replayed to OnOpen, then see
// later changes.
func TestRequestWaitsForLoad(t *testing.T) {
	release := make(chan struct{})
	var mu sync.Mutex
	var trace []string
	cfg := fakeConfig(0)
	cfg.Load = func(ctx context.Context, s lsp.Settings, progress func(string, int)) (lsp.Features, error) {
		select {
		case <-release:
		case <-ctx.Done():
			return lsp.Features{}, ctx.Err()
		}
		return lsp.Features{
			Completer: fake.Completer{},
			Hooks: lsp.Hooks{
				OnOpen: func(d *lsp.Snapshot) {
					mu.Lock()
					defer mu.Unlock()
					trace = append(trace, "open "+string(d.Text))
				},
				OnChange: func(_, d *lsp.Snapshot, _ []lsp.ByteEdit) {
					mu.Lock()
					defer mu.Unlock()
					trace = append(trace, "change "+string(d.Text))
				},
			},
		}, nil
	}
	c, _ := pipeServer(t, cfg)
	c.Handshake(lsptest.ClientCaps(), "")
	const u = "file:///tmp/wait.go"
	c.Open(u, "go", "ab")
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	err := c.CallCtx(ctx, protocol.MethodTextDocumentCompletion, &protocol.CompletionParams{
		TextDocumentPositionParams: protocol.TextDocumentPositionParams{TextDocument: protocol.TextDocumentIdentifier{URI: protocolURI(u)}, Position: pos(0, 2)},
	}, nil)
	if err == nil {
		t.Fatal("completion answered while the model was loading")
	}
	close(release)
	list, err := c.Completion(u, pos(0, 2))
	if err != nil || len(list.Items) != 1 {
		t.Fatalf("completion after load: %+v, %v", list, err)
	}
	c.Change(u, 2, lsptest.Partial(rng(0, 2, 0, 2), "c"))
	if _, err := c.Completion(u, pos(0, 3)); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if strings.Join(trace, "|") != "open ab|change abc" {
		t.Errorf("hooks saw %q, want the replayed open then the change", trace)
	}
}

// TestEditsForPlainClients checks the WorkspaceEdit shapes for a client
// without documentChanges: a plain changes map, and a clear error for file
// creation.
func TestEditsForPlainClients(t *testing.T) {
	cfg := fakeConfig(0)
	c, _ := pipeServer(t, cfg)
	caps := lsptest.ClientCaps()
	caps.Workspace.WorkspaceEdit = nil
	c.Handshake(caps, "")
	c.WaitEvent(protocol.MethodProgress, lsptest.Contains(`"kind":"end"`))
	const u = "file:///tmp/plain.go"
	c.Open(u, "go", "héllo")
	if err := execute(c, translate.CommandGenerate, `{"uri":"`+u+`","range":{"start":{"line":0,"character":5},"end":{"line":0,"character":5}},"instruction":"x"}`); err != nil {
		t.Fatal(err)
	}
	applied := c.Applied()
	if len(applied) != 1 || len(applied[0].Edit.DocumentChanges) != 0 || len(applied[0].Edit.ChangeAnnotations) != 0 {
		t.Fatalf("applied = %+v, want a plain changes map", applied)
	}
	edits := applied[0].Edit.Changes[protocolURI(u)]
	if len(edits) != 1 || edits[0].NewText != "// x\n" || edits[0].Range != rng(0, 5, 0, 5) {
		t.Errorf("changes = %+v", applied[0].Edit.Changes)
	}
	err := execute(c, translate.CommandTranslate, `{"uri":"`+u+`","to":"rust"}`)
	if err == nil || !strings.Contains(err.Error(), "cannot create files") {
		t.Errorf("translate to a new file without resource operations: err = %v", err)
	}
}

// TestProgressCancel cancels a running command from the progress UI
// (window/workDoneProgress/cancel).
func TestProgressCancel(t *testing.T) {
	cfg := fakeConfig(0)
	cfg.Load = fake.Load(time.Millisecond, fake.Completer{}, fake.Actions{StepDelay: 2 * time.Second})
	c, _ := pipeServer(t, cfg)
	c.Handshake(lsptest.ClientCaps(), "")
	c.WaitEvent(protocol.MethodProgress, lsptest.Contains(`"kind":"end"`))
	const u = "file:///tmp/pc.go"
	c.Open(u, "go", "x")
	errc := make(chan error, 1)
	go func() {
		errc <- c.Call(protocol.MethodWorkspaceExecuteCommand, &protocol.ExecuteCommandParams{
			WorkDoneProgressParams: protocol.WorkDoneProgressParams{WorkDoneToken: protocol.String("cmd-1")},
			Command:                translate.CommandGenerate,
			Arguments:              []protocol.LSPAny{protocol.LSPAny(`{"uri":"` + u + `","instruction":"slow"}`)},
		}, nil)
	}()
	begin := c.WaitEvent(protocol.MethodProgress, lsptest.Contains(`"cmd-1"`))
	var v struct {
		Value struct {
			Kind        string `json:"kind"`
			Cancellable bool   `json:"cancellable"`
		} `json:"value"`
	}
	if err := json.Unmarshal(begin, &v); err != nil || v.Value.Kind != "begin" || !v.Value.Cancellable {
		t.Fatalf("first progress on the client token = %s", begin)
	}
	c.Notify(protocol.MethodWindowWorkDoneProgressCancel, &protocol.WorkDoneProgressCancelParams{Token: protocol.String("cmd-1")})
	select {
	case err := <-errc:
		if lsptest.RPCCode(err) != protocol.CodeRequestCancelled {
			t.Errorf("cancelled command: err = %v, want RequestCancelled", err)
		}
	case <-time.After(time.Second):
		t.Fatal("command still running 1s after window/workDoneProgress/cancel")
	}
	c.WaitEvent(protocol.MethodProgress, func(p json.RawMessage) bool {
		return strings.Contains(string(p), `"cmd-1"`) && strings.Contains(string(p), `"kind":"end"`)
	})
}
