package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"

	"github.com/weft-dev/weft/lsp/lsptest"
)

// These tests drive `weft serve` over stdio as an editor does, with the
// tiny synthesized model (see TestMain): its random weights make the text it
// generates arbitrary, so the tests check what does not depend on it (ranges
// in UTF-16, determinism at temperature 0, the protocol's behaviour).

// realModel is a model file that can really write code, from
// $WEFT_TEST_MODEL; the tests then also require what only such a model
// achieves (a translation that parses).
var realModel = os.Getenv("WEFT_TEST_MODEL")

// startServe starts `weft serve` on the tiny model (or realModel).
func startServe(t *testing.T) *lsptest.Process {
	t.Helper()
	m := realModel
	if m == "" {
		m = tiny(t)
	}
	return lsptest.StartProcess(t, exec.Command(weft(t), "serve", "--model", m))
}

// serveOptions are the initializationOptions of the tests: greedy, one line,
// and no latency budget, so that what the tests see does not depend on how
// busy the machine is (a spent budget answers with what the model has, which
// may be nothing).
const serveOptions = `{"temperature": 0, "maxTokens": 16, "multiline": "never", "verification": false, "latencyMs": 0}`

// handshake initializes with a full-featured client offering UTF-16 only
// and waits for the model to be loaded.
func handshake(t *testing.T, p *lsptest.Process, options string) *protocol.InitializeResult {
	t.Helper()
	res := p.Handshake(lsptest.ClientCaps(protocol.PositionEncodingKindUTF16), options)
	p.WaitEvent(protocol.MethodProgress, lsptest.Contains(`"kind":"end"`))
	if msgs := p.Events(protocol.MethodWindowShowMessage); len(msgs) > 0 {
		t.Errorf("showMessage during load: %s", msgs)
	}
	return res
}

func TestServeCapabilities(t *testing.T) {
	t.Parallel()
	bare := lsptest.ClientCaps(protocol.PositionEncodingKindUTF16)
	bare.TextDocument.InlineCompletion = nil
	tests := []struct {
		name       string
		caps       protocol.ClientCapabilities
		wantInline bool // offered only to clients that support it
	}{
		{"inline completion", lsptest.ClientCaps(protocol.PositionEncodingKindUTF16), true},
		{"no inline completion", bare, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := startServe(t)
			res := p.Handshake(tt.caps, serveOptions)
			caps := res.Capabilities
			if res.ServerInfo.Name != "weft" || res.ServerInfo.Version.IsZero() {
				t.Errorf("serverInfo = %+v, want weft and a version", res.ServerInfo)
			}
			if caps.PositionEncoding != protocol.PositionEncodingKindUTF16 {
				t.Errorf("positionEncoding = %q, want utf-16", caps.PositionEncoding)
			}
			if sync, ok := caps.TextDocumentSync.(*protocol.TextDocumentSyncOptions); !ok || sync.Change == nil || *sync.Change != protocol.TextDocumentSyncKindIncremental {
				t.Errorf("textDocumentSync = %#v, want incremental", caps.TextDocumentSync)
			}
			if caps.CompletionProvider == nil {
				t.Error("no completionProvider")
			}
			if got := caps.InlineCompletionProvider != nil; got != tt.wantInline {
				t.Errorf("inlineCompletionProvider present = %v, want %v", got, tt.wantInline)
			}
			if opts, ok := caps.CodeActionProvider.(*protocol.CodeActionOptions); !ok || opts.ResolveProvider == nil || !*opts.ResolveProvider {
				t.Errorf("codeActionProvider = %#v, want options with resolveProvider", caps.CodeActionProvider)
			}
			if cmds := caps.ExecuteCommandProvider.Commands; !slices.Contains(cmds, "weft.generate") || !slices.Contains(cmds, "weft.translate") {
				t.Errorf("executeCommandProvider.commands = %q, want weft.generate and weft.translate", cmds)
			}
			p.WaitEvent(protocol.MethodProgress, lsptest.Contains(`"kind":"end"`))
			shutdown(t, p)
		})
	}
}

// shutdown sends shutdown and exit and checks the exit code is 0.
func shutdown(t *testing.T, p *lsptest.Process) {
	t.Helper()
	if err := p.Call(protocol.MethodShutdown, nil, nil); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	p.Notify(protocol.MethodExit, nil)
	if code := p.Wait(10 * time.Second); code != 0 {
		t.Errorf("exit code after shutdown+exit = %d, want 0; stderr:\n%s", code, p.Stderr())
	}
}

func TestServeSession(t *testing.T) {
	t.Parallel()
	p := startServe(t)
	handshake(t, p, serveOptions)

	// A Python buffer edited incrementally with non-ASCII text; positions
	// are UTF-16 code units, counted by hand: é is one unit, 😀 and 🎉 two.
	const u = "file:///tmp/weft-serve-test/hello.py"
	p.Open(u, "python", "def greet(name):\n    # say hi to x\n    return name  # y\n")
	// v2: "x" (line 1, 16..17) -> "café😀": the line is 16+4+2 = 22 units.
	p.Change(u, 2, lsptest.Partial(lsptest.Range(1, 16, 1, 17), "café😀"))
	// v3: the emoji (20..22, a surrogate pair) -> "🎉ab": 24 units.
	p.Change(u, 3, lsptest.Partial(lsptest.Range(1, 20, 1, 22), "🎉ab"))
	// v4, two changes, the second on the text the first produced: a line
	// above, then "y" in the last comment (now line 3, 18..19).
	p.Change(u, 4,
		lsptest.Partial(lsptest.Range(0, 0, 0, 0), "# ünïcode ✓\n"),
		lsptest.Partial(lsptest.Range(3, 18, 3, 19), "nämé"))
	// The buffer is now
	//	# ünïcode ✓
	//	def greet(name):
	//	    # say hi to café🎉ab
	//	    return name  # nämé
	// A completion replaces the identifier before the cursor, which for
	// weft includes non-ASCII characters, so its range and the start of its
	// text show the server's view of the buffer. (Comments, so that any
	// text the random model writes keeps the file parsing.)
	probes := []struct {
		cursor protocol.Position
		want   protocol.Range
		word   string
	}{
		{lsptest.Pos(2, 24), lsptest.Range(2, 16, 2, 24), "café🎉ab"},
		{lsptest.Pos(3, 22), lsptest.Range(3, 18, 3, 22), "nämé"},
	}
	var first *protocol.TextEdit
	for _, pr := range probes {
		list, err := p.Completion(u, pr.cursor)
		if err != nil {
			t.Fatalf("completion at %v: %v", pr.cursor, err)
		}
		if len(list.Items) != 1 {
			t.Fatalf("completion at %v: items %+v, want one", pr.cursor, list.Items)
		}
		te, ok := list.Items[0].TextEdit.(*protocol.TextEdit)
		if !ok {
			t.Fatalf("textEdit = %#v, want a TextEdit", list.Items[0].TextEdit)
		}
		if te.Range != pr.want {
			t.Errorf("completion at %v: range %v, want %v", pr.cursor, te.Range, pr.want)
		}
		if !strings.HasPrefix(te.NewText, pr.word) || len(te.NewText) == len(pr.word) || strings.Contains(te.NewText, "\n") {
			t.Errorf("completion at %v: text %q, want %q and more on the same line", pr.cursor, te.NewText, pr.word)
		}
		if first == nil {
			first = te
		}
	}

	cursor := probes[0].cursor
	inl, err := p.InlineCompletion(u, cursor)
	if err != nil {
		t.Fatalf("inlineCompletion: %v", err)
	}
	if len(inl.Items) != 1 || inl.Items[0].Range == nil {
		t.Fatalf("inline items = %+v, want one with a range", inl.Items)
	}
	r := *inl.Items[0].Range
	if r.Start.Line != cursor.Line || r.End.Line != cursor.Line || r.Start.Character > cursor.Character || r.End.Character < cursor.Character || r != probes[0].want {
		t.Errorf("inline range %v, want %v (on the cursor's line, containing %v)", r, probes[0].want, cursor)
	}
	// Greedy decoding on the same buffer: the same text.
	if got, _ := inl.Items[0].InsertText.(protocol.String); string(got) != first.NewText {
		t.Errorf("inline text = %q, completion %q: want the same at temperature 0", got, first.NewText)
	}

	// Noise in the stream: a garbage line, an unknown request and an
	// unknown notification; the server answers what it can and goes on.
	if err := p.WriteRaw([]byte("this is not a header\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	if err := p.Call("weft/noSuchMethod", map[string]any{"x": 1}, nil); lsptest.RPCCode(err) != jsonrpc2.MethodNotFound {
		t.Errorf("unknown method: err = %v, want MethodNotFound", err)
	}
	p.Notify("weft/noSuchNotification", map[string]any{"x": 1})
	again, err := p.Completion(u, cursor)
	if err != nil || len(again.Items) != 1 {
		t.Fatalf("completion after the noise: %+v, %v", again, err)
	}
	if te := again.Items[0].TextEdit.(*protocol.TextEdit); *te != *first {
		t.Errorf("completion after the noise = %+v, before %+v: want the same", te, first)
	}
	shutdown(t, p)
}

// TestServeCancel cancels a long generation with $/cancelRequest and times
// the answer. It does not run in parallel with the other tests so that the
// timing measures the server, not the other tests' load.
func TestServeCancel(t *testing.T) {
	p := startServe(t)
	// As long a generation as the model's context allows: every line is
	// welcome, up to maxTokens (hundreds of tokens, most of a second here).
	handshake(t, p, `{"temperature": 0, "maxTokens": 100000, "multiline": "always", "latencyMs": 0}`)
	const u = "file:///tmp/weft-serve-test/long.py"
	p.Open(u, "python", "# a long story\n")

	id := p.NextID()
	errc := make(chan error, 1)
	go func() {
		_, err := p.Completion(u, lsptest.Pos(1, 0))
		errc <- err
	}()
	time.Sleep(100 * time.Millisecond)
	select {
	case err := <-errc:
		t.Fatalf("the completion was answered (%v) before it was cancelled: make generation longer", err)
	default:
	}
	sent := time.Now()
	p.Cancel(id)
	err := <-errc
	took := time.Since(sent)
	if lsptest.RPCCode(err) != protocol.CodeRequestCancelled || took > 50*time.Millisecond {
		t.Errorf("cancelled completion: err = %v after %v, want RequestCancelled within 50ms", err, took)
	}
	t.Logf("cancelled after %v", took)
	// The server goes on serving.
	p.Notify(protocol.MethodWorkspaceDidChangeConfiguration, &protocol.DidChangeConfigurationParams{
		Settings: protocol.LSPAny(`{"weft": {"maxTokens": 4, "multiline": "never"}}`)})
	if _, err := p.Completion(u, lsptest.Pos(0, 6)); err != nil {
		t.Errorf("completion after the cancellation: %v", err)
	}
	shutdown(t, p)
}

func TestServeCodeAction(t *testing.T) {
	t.Parallel()
	p := startServe(t)
	handshake(t, p, serveOptions)
	const u = "file:///tmp/weft-serve-test/add.py"
	p.Open(u, "python", "def add(a, b):\n    return a + b\n")
	acts, err := p.CodeActions(u, lsptest.Range(0, 4, 0, 4))
	if err != nil {
		t.Fatal(err)
	}
	var titles []string
	i := -1
	for j, a := range acts {
		titles = append(titles, a.Title)
		if strings.HasSuffix(a.Title, "Translate to Go") {
			i = j
		}
	}
	if i < 0 {
		t.Fatalf("code actions %q, want one ending \"Translate to Go\"", titles)
	}
	if acts[i].Edit != nil {
		t.Errorf("action %q carries its edit; want it resolved lazily", acts[i].Title)
	}
	// Resolving runs the translation. The tiny model's random weights
	// never write Go that parses, so the server must then fail the request
	// with a clear RequestFailed; a model that can translate (see
	// WEFT_TEST_MODEL) must return the edit.
	var resolved protocol.CodeAction
	err = p.Call(protocol.MethodCodeActionResolve, &acts[i], &resolved)
	switch {
	case err == nil:
		we := resolved.Edit
		if we == nil || (len(we.DocumentChanges) == 0 && len(we.Changes) == 0) {
			t.Fatalf("resolved action has no edit: %+v", resolved)
		}
		b, _ := protocol.Marshal(we)
		t.Logf("translation edit: %s", b)
		if !strings.Contains(string(b), "func ") {
			t.Errorf("translation edit %s has no Go function", b)
		}
	case realModel != "":
		t.Fatalf("resolve %q with %s: %v", acts[i].Title, realModel, err)
	case int32(lsptest.RPCCode(err)) != int32(protocol.LSPErrorCodesRequestFailed) || !strings.Contains(err.Error(), "Go"):
		t.Errorf("resolve %q: err = %v, want an edit or RequestFailed naming Go", acts[i].Title, err)
	default:
		t.Logf("resolve with random weights: %v", err)
	}
	shutdown(t, p)
}

func TestServeExitWithoutShutdown(t *testing.T) {
	t.Parallel()
	p := startServe(t)
	handshake(t, p, "")
	p.Notify(protocol.MethodExit, nil)
	if code := p.Wait(10 * time.Second); code != 1 {
		t.Errorf("exit without shutdown: code %d, want 1", code)
	}
}

// TestNodeClientWeft runs lsp/nodetest/weft.test.cjs, the
// vscode-languageserver-protocol client, against this weft binary and the
// tiny model, when Node and the npm packages are installed (cd lsp/nodetest
// && npm ci; under CI their absence is a failure).
func TestNodeClientWeft(t *testing.T) {
	t.Parallel()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed")
	}
	dir := filepath.Join("..", "..", "lsp", "nodetest")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "vscode-languageserver-protocol")); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("lsp/nodetest/node_modules missing: run npm ci in lsp/nodetest")
		}
		t.Skip("lsp/nodetest/node_modules missing: run npm ci in lsp/nodetest")
	}
	m := realModel
	if m == "" {
		m = tiny(t)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "--test", "weft.test.cjs")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "WEFT_BIN="+weft(t), "WEFT_MODEL="+m)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node --test weft.test.cjs: %v\n%s", err, out)
	}
	// The file skips itself without WEFT_BIN: make sure it ran.
	if !regexp.MustCompile(`(?m)^# pass [1-9]`).Match(out) || !regexp.MustCompile(`(?m)^# skipped 0$`).Match(out) {
		t.Fatalf("node --test weft.test.cjs did not run its tests:\n%s", out)
	}
	t.Logf("node --test weft.test.cjs:\n%s", out)
}
