package lsp_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"

	"github.com/weft-dev/weft/lsp"
	"github.com/weft-dev/weft/lsp/internal/fake"
)

// testClient is an LSP client built on jsonrpc2.Conn: it sends typed
// requests, answers the server's requests (progress creation,
// configuration, applyEdit) and records every server notification.
type testClient struct {
	t    *testing.T
	conn jsonrpc2.Conn
	raw  io.Writer // the client->server byte stream, for writing garbage

	mu       sync.Mutex
	calls    int64 // client calls made so far: the id of the next is calls+1
	events   []event
	sig      chan struct{}
	config   json.RawMessage // answer to workspace/configuration
	applyOK  bool
	applied  []protocol.ApplyWorkspaceEditParams
	closeErr func() error
}

// event is a message the server sent to the client.
type event struct {
	method string
	params json.RawMessage
	call   bool
}

type rwc struct {
	io.Reader
	io.Writer
	close func() error
}

func (c rwc) Close() error { return c.close() }

func newTestClient(t *testing.T, in io.Reader, out io.WriteCloser) *testClient {
	c := &testClient{t: t, raw: out, sig: make(chan struct{}, 1), applyOK: true, config: json.RawMessage(`null`)}
	stream := jsonrpc2.NewHeaderStream(rwc{Reader: in, Writer: out, close: out.Close})
	c.conn = jsonrpc2.NewConn(stream)
	c.conn.Go(context.Background(), c.handle)
	return c
}

// handle serves the server's requests and records its notifications. It
// runs on the connection's read goroutine, so it never blocks.
func (c *testClient) handle(ctx context.Context, req *jsonrpc2.Request) (any, error) {
	params := json.RawMessage(append([]byte(nil), req.Params()...))
	c.mu.Lock()
	c.events = append(c.events, event{method: req.Method(), params: params, call: req.IsCall()})
	config, ok := c.config, c.applyOK
	c.mu.Unlock()
	select {
	case c.sig <- struct{}{}:
	default:
	}
	switch req.Method() {
	case protocol.MethodWindowWorkDoneProgressCreate:
		return nil, nil
	case protocol.MethodWorkspaceConfiguration:
		return json.RawMessage(`[` + string(config) + `]`), nil
	case protocol.MethodWorkspaceApplyEdit:
		var p protocol.ApplyWorkspaceEditParams
		if err := protocol.Unmarshal(params, &p); err != nil {
			return nil, err
		}
		c.mu.Lock()
		c.applied = append(c.applied, p)
		c.mu.Unlock()
		if !ok {
			return json.RawMessage(`{"applied":false,"failureReason":"user declined"}`), nil
		}
		return json.RawMessage(`{"applied":true}`), nil
	}
	if req.IsCall() {
		return nil, jsonrpc2.ErrMethodNotFound
	}
	return nil, nil
}

// call sends a request and decodes its result with protocol.Unmarshal.
func (c *testClient) call(method string, params, result any) error {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return c.callCtx(ctx, method, params, result)
}

func (c *testClient) callCtx(ctx context.Context, method string, params, result any) error {
	var raw jsonrpc2.RawMessage
	if params != nil {
		b, err := protocol.Marshal(params)
		if err != nil {
			c.t.Fatalf("marshal %s params: %v", method, err)
		}
		raw = b
	}
	c.mu.Lock()
	c.calls++
	c.mu.Unlock()
	var res jsonrpc2.RawMessage
	if _, err := c.conn.Call(ctx, method, raw, &res); err != nil {
		return err
	}
	if result != nil && len(res) > 0 {
		if err := protocol.Unmarshal(res, result); err != nil {
			c.t.Fatalf("decode %s result %s: %v", method, res, err)
		}
	}
	return nil
}

// nextID is the id jsonrpc2.Conn will give the next call (it numbers calls
// 1, 2, 3, ...); used to cancel a call in flight.
func (c *testClient) nextID() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.calls + 1
}

func (c *testClient) notify(method string, params any) {
	var raw jsonrpc2.RawMessage
	if params != nil {
		b, err := protocol.Marshal(params)
		if err != nil {
			c.t.Fatalf("marshal %s params: %v", method, err)
		}
		raw = b
	}
	if err := c.conn.Notify(context.Background(), method, raw); err != nil {
		c.t.Fatalf("notify %s: %v", method, err)
	}
}

// waitEvent waits until the server sent a message with method whose params
// satisfy match (nil matches all), searching from the start of the record.
func (c *testClient) waitEvent(method string, match func(json.RawMessage) bool) json.RawMessage {
	c.t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		c.mu.Lock()
		for _, e := range c.events {
			if e.method == method && (match == nil || match(e.params)) {
				c.mu.Unlock()
				return e.params
			}
		}
		c.mu.Unlock()
		select {
		case <-c.sig:
		case <-time.After(20 * time.Millisecond):
		case <-deadline:
			c.t.Fatalf("no %s from the server within 10s; got %v", method, c.methods())
		}
	}
}

func (c *testClient) methods() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var m []string
	for _, e := range c.events {
		m = append(m, e.method)
	}
	return m
}

func (c *testClient) eventsOf(method string) []json.RawMessage {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []json.RawMessage
	for _, e := range c.events {
		if e.method == method {
			out = append(out, e.params)
		}
	}
	return out
}

func contains(sub string) func(json.RawMessage) bool {
	return func(p json.RawMessage) bool { return strings.Contains(string(p), sub) }
}

// rpcCode returns the JSON-RPC error code of err, or 0.
func rpcCode(err error) jsonrpc2.Code {
	var e *jsonrpc2.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return 0
}

// pipeServer runs lsp.Serve over in-memory pipes and returns a client
// connected to it and the channel Serve's result arrives on.
func pipeServer(t *testing.T, cfg lsp.Config) (*testClient, <-chan error) {
	t.Helper()
	serverIn, clientOut := io.Pipe()
	clientIn, serverOut := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := lsp.Serve(context.Background(), serverIn, serverOut, cfg)
		serverOut.CloseWithError(io.EOF)
		serverIn.CloseWithError(io.EOF)
		done <- err
	}()
	c := newTestClient(t, clientIn, clientOut)
	t.Cleanup(func() {
		clientOut.Close()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Error("Serve did not return after the client closed its stream")
		}
		c.conn.Close()
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

// clientCaps returns client capabilities as a full-featured editor sends.
func clientCaps(encodings ...protocol.PositionEncodingKind) protocol.ClientCapabilities {
	yes := true
	return protocol.ClientCapabilities{
		General: &protocol.GeneralClientCapabilities{PositionEncodings: encodings},
		Window:  &protocol.WindowClientCapabilities{WorkDoneProgress: &yes},
		Workspace: &protocol.WorkspaceClientCapabilities{
			ApplyEdit:     &yes,
			Configuration: &yes,
			WorkspaceEdit: &protocol.WorkspaceEditClientCapabilities{
				DocumentChanges:         &yes,
				ResourceOperations:      []protocol.ResourceOperationKind{protocol.ResourceOperationKindCreate},
				ChangeAnnotationSupport: &protocol.ChangeAnnotationsSupportOptions{},
			},
		},
		TextDocument: &protocol.TextDocumentClientCapabilities{
			InlineCompletion: &protocol.InlineCompletionClientCapabilities{},
			CodeAction: &protocol.CodeActionClientCapabilities{
				CodeActionLiteralSupport: protocol.ClientCodeActionLiteralOptions{
					CodeActionKind: protocol.ClientCodeActionKindOptions{ValueSet: []protocol.CodeActionKind{protocol.CodeActionKindRefactor}},
				},
				ResolveSupport: protocol.ClientCodeActionResolveOptions{Properties: []string{"edit"}},
			},
		},
	}
}

// handshake runs initialize + initialized and waits until the model is
// loaded (the end of the load progress).
func (c *testClient) handshake(caps protocol.ClientCapabilities, options string) *protocol.InitializeResult {
	c.t.Helper()
	var res protocol.InitializeResult
	p := &protocol.InitializeParams{Capabilities: caps}
	if options != "" {
		p.InitializationOptions = protocol.LSPAny(options)
	}
	if err := c.call(protocol.MethodInitialize, p, &res); err != nil {
		c.t.Fatalf("initialize: %v", err)
	}
	c.notify(protocol.MethodInitialized, &protocol.InitializedParams{})
	return &res
}

func (c *testClient) open(uri, lang, text string) {
	c.notify(protocol.MethodTextDocumentDidOpen, &protocol.DidOpenTextDocumentParams{
		TextDocument: protocol.TextDocumentItem{URI: protocolURI(uri), LanguageID: protocol.LanguageKind(lang), Version: 1, Text: text},
	})
}

func pos(line, char uint32) protocol.Position { return protocol.Position{Line: line, Character: char} }

func rng(l1, c1, l2, c2 uint32) protocol.Range {
	return protocol.Range{Start: pos(l1, c1), End: pos(l2, c2)}
}
