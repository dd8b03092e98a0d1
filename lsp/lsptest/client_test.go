package lsptest_test

import (
	"context"
	"encoding/json"
	"io"
	"testing"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"

	"github.com/weft-dev/weft/lsp/lsptest"
)

// peer is the server side of a connection to a Client: a bare jsonrpc2.Conn
// whose handler echoes "echo" requests.
func peer(t *testing.T) (*lsptest.Client, jsonrpc2.Conn) {
	t.Helper()
	serverIn, clientOut := io.Pipe()
	clientIn, serverOut := io.Pipe()
	type rwc struct {
		io.Reader
		io.WriteCloser
	}
	srv := jsonrpc2.NewConn(jsonrpc2.NewHeaderStream(rwc{serverIn, serverOut}))
	srv.Go(context.Background(), func(ctx context.Context, req *jsonrpc2.Request) (any, error) {
		if req.Method() == "echo" {
			return json.RawMessage(append([]byte(nil), req.Params()...)), nil
		}
		return nil, jsonrpc2.ErrMethodNotFound
	})
	c := lsptest.NewClient(t, clientIn, clientOut)
	t.Cleanup(func() {
		c.Close()
		srv.Close()
	})
	return c, srv
}

func TestClientCalls(t *testing.T) {
	c, _ := peer(t)
	if id := c.NextID(); id != 1 {
		t.Errorf("NextID before any call = %d, want 1", id)
	}
	var got protocol.Position
	if err := c.Call("echo", lsptest.Pos(3, 4), &got); err != nil || got != lsptest.Pos(3, 4) {
		t.Errorf("echo = %v, %v", got, err)
	}
	if err := c.Call("nope", nil, nil); lsptest.RPCCode(err) != jsonrpc2.MethodNotFound {
		t.Errorf("unknown method: %v (code %d)", err, lsptest.RPCCode(err))
	}
	if id := c.NextID(); id != 3 {
		t.Errorf("NextID after two calls = %d, want 3", id)
	}
	if lsptest.RPCCode(io.EOF) != 0 {
		t.Error("RPCCode of a non-RPC error is not 0")
	}
}

func TestClientAnswersServerRequests(t *testing.T) {
	c, srv := peer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	c.SetConfiguration(json.RawMessage(`{"maxTokens":4}`))
	var conf []json.RawMessage
	if _, err := srv.Call(ctx, protocol.MethodWorkspaceConfiguration, json.RawMessage(`{"items":[{"section":"a"},{"section":"b"}]}`), &conf); err != nil {
		t.Fatal(err)
	}
	if len(conf) != 2 || string(conf[0]) != `{"maxTokens":4}` || string(conf[1]) != `{"maxTokens":4}` {
		t.Errorf("configuration answer = %s, want the settings per item", conf)
	}

	edit := json.RawMessage(`{"edit":{"changes":{"file:///a.go":[{"range":{"start":{"line":0,"character":0},"end":{"line":0,"character":0}},"newText":"x"}]}}}`)
	var res protocol.ApplyWorkspaceEditResult
	if _, err := srv.Call(ctx, protocol.MethodWorkspaceApplyEdit, edit, &res); err != nil || !res.Applied {
		t.Errorf("applyEdit = %+v, %v; want applied", res, err)
	}
	c.SetApplyEdit(false)
	if _, err := srv.Call(ctx, protocol.MethodWorkspaceApplyEdit, edit, &res); err != nil || res.Applied {
		t.Errorf("declined applyEdit = %+v, %v; want not applied", res, err)
	}
	if n := len(c.Applied()); n != 2 {
		t.Errorf("Applied() has %d edits, want 2", n)
	}
	c.ResetApplied()
	if n := len(c.Applied()); n != 0 {
		t.Errorf("Applied() after ResetApplied has %d edits", n)
	}
	if _, err := srv.Call(ctx, "client/unknown", nil, nil); lsptest.RPCCode(err) != jsonrpc2.MethodNotFound {
		t.Errorf("unknown server request: %v, want MethodNotFound", err)
	}

	if err := srv.Notify(ctx, protocol.MethodWindowShowMessage, json.RawMessage(`{"type":1,"message":"hello there"}`)); err != nil {
		t.Fatal(err)
	}
	p := c.WaitEvent(protocol.MethodWindowShowMessage, lsptest.Contains("hello"))
	if !json.Valid(p) {
		t.Errorf("event params %q", p)
	}
	if got := len(c.Events(protocol.MethodWorkspaceConfiguration)); got != 1 {
		t.Errorf("configuration events = %d, want 1", got)
	}
	if m := c.Methods(); len(m) != 5 || m[4] != protocol.MethodWindowShowMessage {
		t.Errorf("Methods() = %q", m)
	}
}
