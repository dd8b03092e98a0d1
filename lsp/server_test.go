package lsp_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/weft-dev/weft/lsp"
	"github.com/weft-dev/weft/lsp/internal/fake"
	"github.com/weft-dev/weft/lsp/lsptest"
	"github.com/weft-dev/weft/translate"
)

func protocolURI(s string) uri.URI { return uri.URI(s) }

func TestInitializeCapabilities(t *testing.T) {
	tests := []struct {
		name       string
		caps       protocol.ClientCapabilities
		wantEnc    protocol.PositionEncodingKind
		wantInline bool
		wantOpts   bool // CodeActionOptions with resolveProvider rather than a bool
	}{
		{"full client utf-16", lsptest.ClientCaps(protocol.PositionEncodingKindUTF16), protocol.PositionEncodingKindUTF16, true, true},
		{"utf-8 offered", lsptest.ClientCaps(protocol.PositionEncodingKindUTF16, protocol.PositionEncodingKindUTF8), protocol.PositionEncodingKindUTF8, true, true},
		{"bare client", protocol.ClientCapabilities{}, protocol.PositionEncodingKindUTF16, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := pipeServer(t, fakeConfig(0))
			res := c.Handshake(tt.caps, "")
			caps := res.Capabilities
			if caps.PositionEncoding != tt.wantEnc {
				t.Errorf("positionEncoding = %q, want %q", caps.PositionEncoding, tt.wantEnc)
			}
			if got := caps.InlineCompletionProvider != nil; got != tt.wantInline {
				t.Errorf("inlineCompletionProvider present = %v, want %v", got, tt.wantInline)
			}
			sync, ok := caps.TextDocumentSync.(*protocol.TextDocumentSyncOptions)
			if !ok || sync.Change == nil || *sync.Change != protocol.TextDocumentSyncKindIncremental || sync.OpenClose == nil || !*sync.OpenClose {
				t.Errorf("textDocumentSync = %#v, want incremental with openClose", caps.TextDocumentSync)
			}
			if caps.CompletionProvider == nil {
				t.Error("no completionProvider")
			}
			opts, isOpts := caps.CodeActionProvider.(*protocol.CodeActionOptions)
			if isOpts != tt.wantOpts || (isOpts && (opts.ResolveProvider == nil || !*opts.ResolveProvider)) {
				t.Errorf("codeActionProvider = %#v", caps.CodeActionProvider)
			}
			if got := strings.Join(caps.ExecuteCommandProvider.Commands, ","); got != "weft.generate,weft.translate" {
				t.Errorf("executeCommand commands = %q", got)
			}
			if res.ServerInfo.Name != "weft-test" {
				t.Errorf("serverInfo.name = %q", res.ServerInfo.Name)
			}
		})
	}
}

// TestLoadProgress checks that the model load is reported with
// window/workDoneProgress/create and $/progress begin ... end.
func TestLoadProgress(t *testing.T) {
	c, _ := pipeServer(t, fakeConfig(0))
	c.Handshake(lsptest.ClientCaps(), "")
	create := c.WaitEvent(protocol.MethodWindowWorkDoneProgressCreate, nil)
	var cp struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(create, &cp); err != nil || cp.Token == "" {
		t.Fatalf("create params %s: %v", create, err)
	}
	c.WaitEvent(protocol.MethodProgress, lsptest.Contains(`"kind":"end"`))
	var kinds []string
	for _, p := range c.Events(protocol.MethodProgress) {
		var v struct {
			Token string `json:"token"`
			Value struct {
				Kind string `json:"kind"`
			} `json:"value"`
		}
		if err := json.Unmarshal(p, &v); err != nil {
			t.Fatal(err)
		}
		if v.Token != cp.Token {
			t.Errorf("progress with token %q, created %q", v.Token, cp.Token)
		}
		kinds = append(kinds, v.Value.Kind)
	}
	if len(kinds) < 2 || kinds[0] != "begin" || kinds[len(kinds)-1] != "end" {
		t.Errorf("progress kinds = %v, want begin ... end", kinds)
	}
}

// TestDidChangeOrderAndEncodings opens a document with non-ASCII text and an
// emoji, applies three incremental changes and one full change right before
// completion requests, and checks the text, the hooks' byte edits, and the
// completion ranges in both position encodings. The expected texts and
// positions are worked out by hand from the LSP rules (UTF-16 code units:
// "é" is 1, "😀" is 2; UTF-8: bytes).
func TestDidChangeOrderAndEncodings(t *testing.T) {
	type step struct {
		r    protocol.Range
		text string
	}
	tests := []struct {
		enc   protocol.PositionEncodingKind
		steps []step
		// completion at the end of line 1 of the final text
		cursor    protocol.Position
		wantRange protocol.Range
	}{
		{
			enc: protocol.PositionEncodingKindUTF16,
			steps: []step{
				{rng(1, 2, 1, 2), "X"},  // after 😀 (2 units): "😀X naïve"
				{rng(0, 1, 0, 2), "E"},  // replace "é" (1 unit): "hEllo wörld"
				{rng(1, 9, 1, 9), "té"}, // after "😀X naïve" (2+1+1+5 units)
			},
			cursor:    pos(1, 11),
			wantRange: rng(1, 4, 1, 11), // "naïveté" starts after "😀X " (2+1+1)
		},
		{
			enc: protocol.PositionEncodingKindUTF8,
			steps: []step{
				{rng(1, 4, 1, 4), "X"},    // after 😀 (4 bytes)
				{rng(0, 1, 0, 3), "E"},    // replace "é" (2 bytes)
				{rng(1, 12, 1, 12), "té"}, // after "😀X naïve" (4+1+1+6 bytes)
			},
			cursor:    pos(1, 15),
			wantRange: rng(1, 6, 1, 15),
		},
	}
	const (
		u     = "file:///tmp/a.go"
		open  = "héllo wörld\n😀 naïve\n"
		final = "hEllo wörld\n😀X naïveté\n"
	)
	for _, tt := range tests {
		t.Run(string(tt.enc), func(t *testing.T) {
			cfg := fakeConfig(0)
			cfg.Documents = lsp.NewDocuments()
			var (
				mu    sync.Mutex
				trace []string
			)
			cfg.Documents.Listen(lsp.Hooks{
				OnOpen: func(d *lsp.Snapshot) {
					mu.Lock()
					defer mu.Unlock()
					trace = append(trace, fmt.Sprintf("open v%d", d.Version))
				},
				OnChange: func(old, d *lsp.Snapshot, edits []lsp.ByteEdit) {
					mu.Lock()
					defer mu.Unlock()
					for _, e := range edits {
						trace = append(trace, fmt.Sprintf("v%d [%d,%d)=%q", d.Version, e.Start, e.End, e.New))
					}
				},
			})
			c, _ := pipeServer(t, cfg)
			c.Handshake(lsptest.ClientCaps(tt.enc), "")
			c.Open(u, "go", open)
			for i, s := range tt.steps {
				c.Change(u, int32(i+2), lsptest.Partial(s.r, s.text))
			}
			list, err := c.Completion(u, tt.cursor)
			if err != nil {
				t.Fatalf("completion: %v", err)
			}
			snap, ok := cfg.Documents.Get(u)
			if !ok || string(snap.Text) != final || snap.Version != 4 {
				t.Fatalf("document = %q v%d, want %q v4", snap.Text, snap.Version, final)
			}
			// Byte edits as the hooks saw them, identical for both encodings:
			// line 0 is 14 bytes (é, ö are 2), 😀 is 4, ï is 2.
			wantTrace := []string{"open v1", `v2 [18,18)="X"`, `v3 [1,3)="E"`, `v4 [25,25)="té"`}
			mu.Lock()
			if fmt.Sprint(trace) != fmt.Sprint(wantTrace) {
				t.Errorf("hook trace = %q, want %q", trace, wantTrace)
			}
			mu.Unlock()
			if len(list.Items) != 1 {
				t.Fatalf("completion items = %d, want 1", len(list.Items))
			}
			item := list.Items[0]
			te, ok := item.TextEdit.(*protocol.TextEdit)
			if !ok {
				t.Fatalf("textEdit = %#v", item.TextEdit)
			}
			if te.NewText != "naïvetéDone()" || te.Range != tt.wantRange {
				t.Errorf("textEdit = %q %v, want %q %v", te.NewText, te.Range, "naïvetéDone()", tt.wantRange)
			}
			if ft, _ := item.FilterText.Get(); ft != "naïvetéDone()" {
				t.Errorf("filterText = %q", ft)
			}
			if it, _ := item.InsertText.Get(); it != "naïvetéDone()" {
				t.Errorf("insertText = %q", it)
			}

			inl, err := c.InlineCompletion(u, tt.cursor)
			if err != nil {
				t.Fatalf("inlineCompletion: %v", err)
			}
			if len(inl.Items) != 1 || inl.Items[0].Range == nil || *inl.Items[0].Range != tt.wantRange ||
				inl.Items[0].InsertText != protocol.String("naïvetéDone()") {
				t.Errorf("inline items = %+v", inl.Items)
			}

			// A full change replaces the text; the next request sees it.
			c.Change(u, 5, &protocol.TextDocumentContentChangeWholeDocument{Text: "x := 😀fo"})
			list, err = c.Completion(u, pos(0, 100)) // past the line end: clamps
			if err != nil {
				t.Fatal(err)
			}
			te = list.Items[0].TextEdit.(*protocol.TextEdit)
			wantStart := uint32(7) // "x := 😀" is 5+2 UTF-16 units
			if tt.enc == protocol.PositionEncodingKindUTF8 {
				wantStart = 9
			}
			if te.NewText != "foDone()" || te.Range.Start != pos(0, wantStart) || te.Range.End != pos(0, wantStart+2) {
				t.Errorf("after full change: textEdit = %q %v", te.NewText, te.Range)
			}
		})
	}
}

// TestManyChangesInWireOrder fires many small incremental changes, each
// followed by no wait, and checks the final text: any reordering would
// corrupt it.
func TestManyChangesInWireOrder(t *testing.T) {
	cfg := fakeConfig(0)
	cfg.Documents = lsp.NewDocuments()
	c, _ := pipeServer(t, cfg)
	c.Handshake(lsptest.ClientCaps(), "")
	const u = "file:///tmp/order.go"
	c.Open(u, "go", "")
	var want strings.Builder
	for i := range 200 {
		s := fmt.Sprintf("%d,", i%10)
		c.Change(u, int32(i+2), lsptest.Partial(rng(0, uint32(want.Len()), 0, uint32(want.Len())), s))
		want.WriteString(s)
	}
	if _, err := c.Completion(u, pos(0, 0)); err != nil {
		t.Fatal(err)
	}
	snap, _ := cfg.Documents.Get(u)
	if string(snap.Text) != want.String() || snap.Version != 201 {
		t.Errorf("text = %q (v%d), want %q (v201)", snap.Text, snap.Version, want.String())
	}
}

func TestCancelRequest(t *testing.T) {
	// 1000 tokens at 10ms: the completion would take 10s.
	c, _ := pipeServer(t, fakeConfig(10*time.Millisecond))
	c.Handshake(lsptest.ClientCaps(), `{"maxTokens": 1000}`)
	const u = "file:///tmp/c.go"
	c.Open(u, "go", "package main\nfunc f() { x }\n")
	id := c.NextID()
	errc := make(chan error, 1)
	start := time.Now()
	go func() {
		_, err := c.Completion(u, pos(1, 12))
		errc <- err
	}()
	time.Sleep(150 * time.Millisecond)
	select {
	case err := <-errc:
		t.Fatalf("completion finished before cancel: %v", err)
	default:
	}
	cancelled := time.Now()
	c.Notify(protocol.MethodCancelRequest, &protocol.CancelParams{ID: protocol.Integer(id)})
	err := <-errc
	took := time.Since(cancelled)
	if lsptest.RPCCode(err) != protocol.CodeRequestCancelled {
		t.Fatalf("cancelled completion: err = %v, want code %d", err, protocol.CodeRequestCancelled)
	}
	if took > 50*time.Millisecond {
		t.Errorf("answer came %v after $/cancelRequest, want < 50ms (request ran %v)", took, time.Since(start))
	}
	// The server still serves.
	if err := c.Call(protocol.MethodShutdown, nil, nil); err != nil {
		t.Fatal(err)
	}
}

func TestRobustness(t *testing.T) {
	cfg := fakeConfig(0)
	cfg.MaxMessageBytes = 8 << 10
	c, _ := pipeServer(t, cfg)
	c.Handshake(lsptest.ClientCaps(), "")
	const u = "file:///tmp/r.go"
	c.Open(u, "go", "func main() { ab }\n")

	// Garbage between frames.
	if err := c.WriteRaw([]byte("this is not a header\r\n\r\n{\"garbage\": true}\n")); err != nil {
		t.Fatal(err)
	}
	// A frame whose body is not JSON.
	if err := c.WriteRaw([]byte("Content-Length: 9\r\n\r\nnot json!")); err != nil {
		t.Fatal(err)
	}
	// Unknown notification, and a known one with undecodable params.
	c.Notify("weft/noSuchNotification", map[string]any{"x": 1})
	c.Conn().Notify(context.Background(), protocol.MethodTextDocumentDidOpen, json.RawMessage(`{"textDocument": 5}`))
	c.Conn().Notify(context.Background(), protocol.MethodTextDocumentDidChange, json.RawMessage(`[1,2,3]`))
	// Unknown request.
	if err := c.Call("weft/noSuchMethod", map[string]any{"x": 1}, nil); lsptest.RPCCode(err) != jsonrpc2.MethodNotFound {
		t.Errorf("unknown request: err = %v, want MethodNotFound", err)
	}
	// Invalid params on a request.
	if err := c.Call(protocol.MethodTextDocumentCompletion, map[string]any{"textDocument": 7}, nil); lsptest.RPCCode(err) != jsonrpc2.InvalidParams {
		t.Errorf("bad completion params: err = %v, want InvalidParams", err)
	}
	// A request too large to read is refused with a clear error, by id.
	big := map[string]any{
		"textDocument": map[string]string{"uri": u},
		"position":     map[string]int{"line": 0, "character": 16},
		"padding":      strings.Repeat("x", 20<<10),
	}
	err := c.Call(protocol.MethodTextDocumentCompletion, big, nil)
	if lsptest.RPCCode(err) != jsonrpc2.InvalidRequest || !strings.Contains(err.Error(), "exceeds the limit") {
		t.Errorf("huge request: err = %v, want InvalidRequest 'exceeds the limit'", err)
	}
	// A handler panic becomes an InternalError answer.
	c.Open("file:///tmp/p.go", "go", "x := "+fake.PanicMarker)
	_, err = c.Completion("file:///tmp/p.go", pos(0, 11))
	if lsptest.RPCCode(err) != jsonrpc2.InternalError || !strings.Contains(err.Error(), "panic") {
		t.Errorf("panicking completer: err = %v, want InternalError mentioning the panic", err)
	}
	// After all that the server still completes.
	list, err := c.Completion(u, pos(0, 16))
	if err != nil || len(list.Items) != 1 || list.Items[0].TextEdit.(*protocol.TextEdit).NewText != "abDone()" {
		t.Fatalf("completion after abuse: %+v, %v", list, err)
	}
	c.WaitEvent(protocol.MethodWindowLogMessage, lsptest.Contains("not an LSP message"))
	c.WaitEvent(protocol.MethodWindowLogMessage, lsptest.Contains("exceeds the limit"))
}

func TestHugeNotificationForgetsDocument(t *testing.T) {
	cfg := fakeConfig(0)
	cfg.MaxMessageBytes = 4 << 10
	cfg.Documents = lsp.NewDocuments()
	c, _ := pipeServer(t, cfg)
	c.Handshake(lsptest.ClientCaps(), "")
	const u = "file:///tmp/h.go"
	c.Open(u, "go", "small")
	c.Change(u, 2, &protocol.TextDocumentContentChangeWholeDocument{Text: strings.Repeat("y", 8<<10)})
	c.WaitEvent(protocol.MethodWindowShowMessage, lsptest.Contains("reopen"))
	_, err := c.Completion(u, pos(0, 1))
	if err == nil || !strings.Contains(err.Error(), "not open") {
		t.Errorf("completion on a document whose change was lost: err = %v, want 'not open'", err)
	}
}

func TestLifecycle(t *testing.T) {
	t.Run("requests before initialize", func(t *testing.T) {
		c, _ := pipeServer(t, fakeConfig(0))
		_, err := c.Completion("file:///x", pos(0, 0))
		if lsptest.RPCCode(err) != jsonrpc2.ServerNotInitialized {
			t.Errorf("err = %v, want ServerNotInitialized", err)
		}
	})
	t.Run("shutdown then exit", func(t *testing.T) {
		c, done := pipeServer(t, fakeConfig(0))
		c.Handshake(lsptest.ClientCaps(), "")
		if err := c.Call(protocol.MethodShutdown, nil, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Completion("file:///x", pos(0, 0)); lsptest.RPCCode(err) != jsonrpc2.InvalidRequest {
			t.Errorf("request after shutdown: err = %v, want InvalidRequest", err)
		}
		c.Notify(protocol.MethodExit, nil)
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Serve = %v, want nil after shutdown+exit", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("Serve did not return after exit")
		}
	})
	t.Run("exit without shutdown", func(t *testing.T) {
		c, done := pipeServer(t, fakeConfig(0))
		c.Handshake(lsptest.ClientCaps(), "")
		c.Notify(protocol.MethodExit, nil)
		if err := <-done; !errors.Is(err, lsp.ErrExitWithoutShutdown) {
			t.Errorf("Serve = %v, want ErrExitWithoutShutdown", err)
		}
	})
	t.Run("initialize twice", func(t *testing.T) {
		c, _ := pipeServer(t, fakeConfig(0))
		c.Handshake(lsptest.ClientCaps(), "")
		if err := c.Call(protocol.MethodInitialize, &protocol.InitializeParams{}, nil); lsptest.RPCCode(err) != jsonrpc2.InvalidRequest {
			t.Errorf("err = %v, want InvalidRequest", err)
		}
	})
	t.Run("load failure", func(t *testing.T) {
		c, _ := pipeServer(t, fakeConfig(0))
		c.Handshake(lsptest.ClientCaps(), fmt.Sprintf(`{"modelPath": %q}`, fake.MissingModel))
		c.WaitEvent(protocol.MethodWindowShowMessage, lsptest.Contains("cannot load the model"))
		c.Open("file:///x.go", "go", "ab")
		if _, err := c.Completion("file:///x.go", pos(0, 2)); err == nil || !strings.Contains(err.Error(), "not loaded") {
			t.Errorf("completion without a model: err = %v", err)
		}
	})
}

func TestSettings(t *testing.T) {
	c, _ := pipeServer(t, fakeConfig(0))
	// The pull answer restricts completion to Go; initializationOptions set
	// an invalid value, which is reported and ignored.
	c.SetConfiguration(json.RawMessage(`{"languages": ["go"]}`))
	c.Handshake(lsptest.ClientCaps(), `{"multiline": "sometimes", "maxTokens": 4}`)
	c.WaitEvent(protocol.MethodWindowShowMessage, lsptest.Contains("multiline"))
	c.WaitEvent(protocol.MethodWorkspaceConfiguration, nil)
	c.WaitEvent(protocol.MethodProgress, lsptest.Contains(`"kind":"end"`))
	c.Open("file:///a.py", "python", "ab")
	c.Open("file:///a.go", "go", "ab")
	if list, err := c.Completion("file:///a.py", pos(0, 2)); err != nil || len(list.Items) != 0 {
		t.Errorf("python completion with languages=[go]: %+v, %v; want empty", list, err)
	}
	if list, err := c.Completion("file:///a.go", pos(0, 2)); err != nil || len(list.Items) != 1 {
		t.Errorf("go completion: %+v, %v", list, err)
	}
	// didChangeConfiguration pushes new settings (and the server pulls too).
	c.SetConfiguration(json.RawMessage(`{"languages": []}`))
	c.Notify(protocol.MethodWorkspaceDidChangeConfiguration, &protocol.DidChangeConfigurationParams{Settings: protocol.LSPAny(`{"weft": {"languages": []}}`)})
	if list, err := c.Completion("file:///a.py", pos(0, 2)); err != nil || len(list.Items) != 1 {
		t.Errorf("python completion after languages=[]: %+v, %v", list, err)
	}
}

func TestCodeActions(t *testing.T) {
	const u = "file:///tmp/act.go"
	t.Run("lazy resolve", func(t *testing.T) {
		c, _ := pipeServer(t, fakeConfig(0))
		c.Handshake(lsptest.ClientCaps(), "")
		c.Open(u, "go", "é := naïve\n")
		acts, err := c.CodeActions(u, rng(0, 5, 0, 10)) // "naïve" in UTF-16
		if err != nil || len(acts) != 1 {
			t.Fatalf("codeAction: %+v, %v", acts, err)
		}
		if acts[0].Edit != nil || acts[0].Kind == nil || *acts[0].Kind != protocol.CodeActionKindRefactorRewrite {
			t.Errorf("action = %+v, want kind refactor.rewrite and no edit before resolve", acts[0])
		}
		var resolved protocol.CodeAction
		if err := c.Call(protocol.MethodCodeActionResolve, &acts[0], &resolved); err != nil {
			t.Fatal(err)
		}
		checkUpperEdit(t, resolved.Edit, u)
	})
	t.Run("eager for clients without resolve", func(t *testing.T) {
		c, _ := pipeServer(t, fakeConfig(0))
		caps := lsptest.ClientCaps()
		caps.TextDocument.CodeAction.ResolveSupport = protocol.ClientCodeActionResolveOptions{}
		c.Handshake(caps, "")
		c.Open(u, "go", "é := naïve\n")
		acts, err := c.CodeActions(u, rng(0, 5, 0, 10))
		if err != nil || len(acts) != 1 {
			t.Fatalf("codeAction: %+v, %v", acts, err)
		}
		checkUpperEdit(t, acts[0].Edit, u)
	})
	t.Run("stale resolve", func(t *testing.T) {
		c, _ := pipeServer(t, fakeConfig(0))
		c.Handshake(lsptest.ClientCaps(), "")
		c.Open(u, "go", "é := naïve\n")
		acts, err := c.CodeActions(u, rng(0, 5, 0, 10))
		if err != nil || len(acts) != 1 {
			t.Fatalf("codeAction: %+v, %v", acts, err)
		}
		c.Change(u, 2, lsptest.Partial(rng(0, 0, 0, 0), "// moved\n"))
		err = c.Call(protocol.MethodCodeActionResolve, &acts[0], nil)
		if lsptest.RPCCode(err) != protocol.CodeContentModified {
			t.Errorf("resolve after change: err = %v, want ContentModified", err)
		}
	})
}

func checkUpperEdit(t *testing.T, we *protocol.WorkspaceEdit, u string) {
	t.Helper()
	if we == nil || len(we.DocumentChanges) != 1 {
		t.Fatalf("edit = %+v, want one document change", we)
	}
	tde, ok := we.DocumentChanges[0].(*protocol.TextDocumentEdit)
	if !ok || string(tde.TextDocument.URI) != u || tde.TextDocument.Version == nil || *tde.TextDocument.Version != 1 || len(tde.Edits) != 1 {
		t.Fatalf("document change = %#v", we.DocumentChanges[0])
	}
	ae, ok := tde.Edits[0].(*protocol.AnnotatedTextEdit)
	if !ok || ae.NewText != "NAÏVE" || ae.Range != rng(0, 5, 0, 10) || ae.AnnotationID == "" {
		t.Errorf("edit = %#v, want annotated NAÏVE at 0:5-0:10", tde.Edits[0])
	}
	a, ok := we.ChangeAnnotations[ae.AnnotationID]
	if !ok || a.NeedsConfirmation == nil || !*a.NeedsConfirmation {
		t.Errorf("annotation = %+v, want needsConfirmation", a)
	}
}

func execute(c *lsptest.Client, command string, arg string) error {
	return c.Call(protocol.MethodWorkspaceExecuteCommand, &protocol.ExecuteCommandParams{
		Command: command, Arguments: []protocol.LSPAny{protocol.LSPAny(arg)},
	}, nil)
}

func TestExecuteCommand(t *testing.T) {
	const u = "file:///tmp/gen.go"
	c, _ := pipeServer(t, fakeConfig(0))
	c.Handshake(lsptest.ClientCaps(), "")
	c.WaitEvent(protocol.MethodProgress, lsptest.Contains(`"kind":"end"`))
	c.Open(u, "go", "package main\n\nfunc main() {}\n")

	before := len(c.Events(protocol.MethodProgress))
	if err := execute(c, translate.CommandGenerate, `{"uri":"`+u+`","range":{"start":{"line":2,"character":0},"end":{"line":2,"character":14}},"instruction":"say hi"}`); err != nil {
		t.Fatalf("weft.generate: %v", err)
	}
	applied := c.Applied()
	if len(applied) != 1 {
		t.Fatalf("applyEdit calls = %d, want 1", len(applied))
	}
	tde := applied[0].Edit.DocumentChanges[0].(*protocol.TextDocumentEdit)
	ae := tde.Edits[0].(*protocol.AnnotatedTextEdit)
	if ae.NewText != "// say hi\n" || ae.Range != rng(2, 0, 2, 0) {
		t.Errorf("generate edit = %q at %v", ae.NewText, ae.Range)
	}
	var kinds []string
	for _, p := range c.Events(protocol.MethodProgress)[before:] {
		var v struct {
			Value struct{ Kind string } `json:"value"`
		}
		json.Unmarshal(p, &v)
		kinds = append(kinds, v.Value.Kind)
	}
	if len(kinds) < 2 || kinds[0] != "begin" || kinds[len(kinds)-1] != "end" {
		t.Errorf("command progress = %v, want begin ... end", kinds)
	}

	// translate to a new file: CreateFile then its content.
	if err := execute(c, translate.CommandTranslate, `{"uri":"`+u+`","to":"python"}`); err != nil {
		t.Fatalf("weft.translate: %v", err)
	}
	applied = c.Applied()
	dc := applied[1].Edit.DocumentChanges
	cf, ok := dc[0].(*protocol.CreateFile)
	if !ok || string(cf.URI) != u+".python" || len(dc) != 2 {
		t.Fatalf("translate edit = %#v", dc)
	}

	// A failing command is reported with showMessage and applies nothing.
	err := execute(c, translate.CommandGenerate, `{"uri":"`+u+`","instruction":"fail"}`)
	if err == nil {
		t.Error("failing generate: no error")
	}
	c.WaitEvent(protocol.MethodWindowShowMessage, lsptest.Contains("failed as asked"))
	n := len(c.Applied())
	c.ResetApplied()
	c.SetApplyEdit(false)
	if n != 2 {
		t.Errorf("applyEdit calls after the failure = %d, want 2", n)
	}
	// The editor declining the edit is reported too.
	if err := execute(c, translate.CommandGenerate, `{"uri":"`+u+`","instruction":"x"}`); err == nil {
		t.Error("declined edit: no error")
	}
	c.WaitEvent(protocol.MethodWindowShowMessage, lsptest.Contains("user declined"))
	// Bad arguments.
	for _, arg := range []string{`{"range":{}}`, `{"uri":"` + u + `"}`, `17`} {
		if err := execute(c, translate.CommandGenerate, arg); lsptest.RPCCode(err) != jsonrpc2.InvalidParams {
			t.Errorf("generate %s: err = %v, want InvalidParams", arg, err)
		}
	}
	if err := execute(c, "weft.nope", `{}`); lsptest.RPCCode(err) != jsonrpc2.InvalidParams {
		t.Errorf("unknown command: err = %v", err)
	}
}

// TestConcurrentRequests runs completions from several goroutines while
// changes stream in, for the race detector.
func TestConcurrentRequests(t *testing.T) {
	c, _ := pipeServer(t, fakeConfig(time.Millisecond))
	c.Handshake(lsptest.ClientCaps(), `{"maxTokens": 3}`)
	const u = "file:///tmp/cc.go"
	c.Open(u, "go", "ab\n")
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 10 {
				if _, err := c.Completion(u, pos(0, 2)); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	for i := range 50 {
		c.Change(u, int32(i+2), lsptest.Partial(rng(1, 0, 1, 0), "z"))
	}
	wg.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.CallCtx(ctx, protocol.MethodShutdown, nil, nil); err != nil {
		t.Fatal(err)
	}
}
