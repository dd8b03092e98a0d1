package lsp_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"

	"github.com/weft-dev/weft/lsp/internal/fake"
	"github.com/weft-dev/weft/lsp/lsptest"
)

var (
	buildOnce sync.Once
	buildBin  string
	buildErr  error
)

// testServerBinary builds lsp/internal/testserver once per test run.
func testServerBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("skipping the subprocess test in -short mode (it builds a binary)")
	}
	buildOnce.Do(func() {
		goBin, err := exec.LookPath("go")
		if err != nil {
			buildErr = err
			return
		}
		dir, err := os.MkdirTemp("", "weft-testserver")
		if err != nil {
			buildErr = err
			return
		}
		buildBin = filepath.Join(dir, "testserver")
		out, err := exec.Command(goBin, "build", "-o", buildBin, "github.com/weft-dev/weft/lsp/internal/testserver").CombinedOutput()
		if err != nil {
			buildErr = errors.New(string(out))
		}
	})
	if buildErr != nil {
		t.Fatalf("building the test server: %v", buildErr)
	}
	return buildBin
}

func TestMain(m *testing.M) {
	code := m.Run()
	if buildBin != "" {
		os.RemoveAll(filepath.Dir(buildBin))
	}
	os.Exit(code)
}

// startProcess runs the test server binary with env added to its
// environment and connects a client to its stdio.
func startProcess(t *testing.T, env ...string) *lsptest.Process {
	cmd := exec.Command(testServerBinary(t))
	cmd.Env = append(os.Environ(), env...)
	return lsptest.StartProcess(t, cmd)
}

func TestSubprocess(t *testing.T) {
	t.Run("session", func(t *testing.T) {
		c := startProcess(t, "WEFT_FAKE_TOKEN_DELAY=10ms")
		res := c.Handshake(lsptest.ClientCaps(protocol.PositionEncodingKindUTF16), `{"maxTokens": 5}`)
		if res.Capabilities.PositionEncoding != protocol.PositionEncodingKindUTF16 || res.Capabilities.InlineCompletionProvider == nil {
			t.Fatalf("capabilities = %+v", res.Capabilities)
		}
		const u = "file:///tmp/s.go"
		c.Open(u, "go", "// ünïcode\nx := 😀 fo\n")
		c.Change(u, 2, lsptest.Partial(rng(1, 5, 1, 7), "🎉🎉"))  // replace 😀 (2 units) with two emoji
		c.Change(u, 3, lsptest.Partial(rng(0, 3, 0, 10), "é"))  // "// é"
		c.Change(u, 4, lsptest.Partial(rng(1, 12, 1, 12), "ö")) // after "x := 🎉🎉 fo" (5+4+1+2)
		list, err := c.Completion(u, pos(1, 13))
		if err != nil {
			t.Fatal(err)
		}
		te := list.Items[0].TextEdit.(*protocol.TextEdit)
		if te.NewText != "foöDone()" || te.Range != rng(1, 10, 1, 13) {
			t.Errorf("completion edit = %q %v, want %q %v", te.NewText, te.Range, "foöDone()", rng(1, 10, 1, 13))
		}
		inl, err := c.InlineCompletion(u, pos(1, 13))
		if err != nil || len(inl.Items) != 1 || *inl.Items[0].Range != rng(1, 10, 1, 13) {
			t.Errorf("inline = %+v, %v", inl, err)
		}

		// Garbage, an unknown notification and an unknown method do not
		// stop the server.
		if err := c.WriteRaw([]byte("\r\nGARBAGE\r\n")); err != nil {
			t.Fatal(err)
		}
		c.Notify("weft/whatever", nil)
		if err := c.Call("weft/whatever", nil, nil); lsptest.RPCCode(err) != jsonrpc2.MethodNotFound {
			t.Errorf("unknown method: %v", err)
		}
		c.Open("file:///tmp/p.go", "go", fake.PanicMarker)
		if _, err := c.Completion("file:///tmp/p.go", pos(0, 6)); lsptest.RPCCode(err) != jsonrpc2.InternalError {
			t.Errorf("panic: err = %v, want InternalError", err)
		}

		// Cancellation of a long generation.
		c.Notify(protocol.MethodWorkspaceDidChangeConfiguration, &protocol.DidChangeConfigurationParams{Settings: protocol.LSPAny(`{"maxTokens": 1000}`)})
		id := c.NextID()
		errc := make(chan error, 1)
		go func() {
			_, err := c.Completion(u, pos(1, 13))
			errc <- err
		}()
		time.Sleep(150 * time.Millisecond)
		sent := time.Now()
		c.Notify(protocol.MethodCancelRequest, &protocol.CancelParams{ID: protocol.Integer(id)})
		err = <-errc
		if took := time.Since(sent); lsptest.RPCCode(err) != protocol.CodeRequestCancelled || took > 50*time.Millisecond {
			t.Errorf("cancelled completion: err = %v after %v, want RequestCancelled within 50ms", err, took)
		}

		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := c.CallCtx(ctx, protocol.MethodShutdown, nil, nil); err != nil {
			t.Fatal(err)
		}
		c.Notify(protocol.MethodExit, nil)
		if code := c.Wait(10 * time.Second); code != 0 {
			t.Errorf("exit code after shutdown+exit = %d, want 0", code)
		}
	})
	t.Run("exit without shutdown", func(t *testing.T) {
		c := startProcess(t)
		c.Handshake(lsptest.ClientCaps(), "")
		c.Notify(protocol.MethodExit, nil)
		if code := c.Wait(10 * time.Second); code != 1 {
			t.Errorf("exit code = %d, want 1", code)
		}
	})
}

// TestNodeClient runs the vscode-languageserver-protocol client tests of
// lsp/nodetest/server.test.cjs against the test server, when Node and the
// npm packages are installed (cd lsp/nodetest && npm ci).
func TestNodeClient(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed")
	}
	if _, err := os.Stat("nodetest/node_modules/vscode-languageserver-protocol"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("lsp/nodetest/node_modules missing: run npm ci in lsp/nodetest")
		}
		t.Skip("lsp/nodetest/node_modules missing: run npm ci in lsp/nodetest")
	}
	bin := testServerBinary(t)
	// weft.test.cjs, the same client against the real `weft serve`, needs
	// the weft binary and a model: cmd/weft's TestNodeClientWeft runs it.
	cmd := exec.Command(node, "--test", "server.test.cjs")
	cmd.Dir = "nodetest"
	cmd.Env = append(os.Environ(), "WEFT_TEST_SERVER="+bin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node --test: %v\n%s", err, out)
	}
	t.Logf("node --test:\n%s", out)
}
