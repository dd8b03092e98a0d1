// Package lsptest is an LSP client for tests, in the spirit of
// net/http/httptest: it speaks JSON-RPC over any pair of streams (in-memory
// pipes to lsp.Serve, or the stdio of a `weft serve` subprocess), sends typed
// requests, answers the server's own requests as a full-featured editor would
// (progress creation, workspace/configuration, workspace/applyEdit) and
// records every message the server sends so that tests can wait for them.
//
// It depends only on the protocol and jsonrpc2 modules, never on package lsp,
// so that it tests the server from the outside, as an editor sees it.
package lsptest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
)

// CallTimeout bounds Call; use CallCtx for another deadline.
const CallTimeout = 20 * time.Second

// EventTimeout bounds WaitEvent.
const EventTimeout = 10 * time.Second

// Event is a message the server sent to the client.
type Event struct {
	Method string
	Params json.RawMessage
	Call   bool // a request (it had an id), not a notification
}

// Client is an LSP client over one connection. Its methods are safe for
// concurrent use; a test may call from several goroutines (e.g. to cancel a
// request in flight).
type Client struct {
	t    testing.TB
	conn jsonrpc2.Conn
	raw  io.Writer // the client->server byte stream, for writing garbage

	mu      sync.Mutex
	calls   int64 // calls made so far: the id of the next is calls+1
	events  []Event
	sig     chan struct{}
	config  json.RawMessage // answer to each workspace/configuration item
	applyOK bool
	applied []protocol.ApplyWorkspaceEditParams
}

type rwc struct {
	io.Reader
	io.Writer
	close func() error
}

func (c rwc) Close() error { return c.close() }

// NewClient starts a client that reads the server's messages from in and
// writes its own to out. Closing the client closes out.
func NewClient(t testing.TB, in io.Reader, out io.WriteCloser) *Client {
	c := &Client{t: t, raw: out, sig: make(chan struct{}, 1), applyOK: true, config: json.RawMessage(`null`)}
	stream := jsonrpc2.NewHeaderStream(rwc{Reader: in, Writer: out, close: out.Close})
	c.conn = jsonrpc2.NewConn(stream)
	c.conn.Go(context.Background(), c.handle)
	return c
}

// Conn is the underlying connection, for messages the typed helpers cannot
// express (e.g. a notification with params of the wrong shape).
func (c *Client) Conn() jsonrpc2.Conn { return c.conn }

// WriteRaw writes b to the server's input as is, outside any frame.
func (c *Client) WriteRaw(b []byte) error {
	_, err := c.raw.Write(b)
	return err
}

// Close closes the connection (and with it the client->server stream).
func (c *Client) Close() error { return c.conn.Close() }

// Done is closed when the connection is closed or its stream fails (e.g.
// the server exited).
func (c *Client) Done() <-chan struct{} { return c.conn.Done() }

// SetConfiguration sets the settings object the client answers to every item
// of a workspace/configuration request (JSON null until set).
func (c *Client) SetConfiguration(settings json.RawMessage) {
	c.mu.Lock()
	c.config = settings
	c.mu.Unlock()
}

// SetApplyEdit sets whether the client accepts workspace/applyEdit requests
// (true until set); declined edits are answered "user declined".
func (c *Client) SetApplyEdit(ok bool) {
	c.mu.Lock()
	c.applyOK = ok
	c.mu.Unlock()
}

// Applied returns a copy of the workspace/applyEdit requests received so far.
func (c *Client) Applied() []protocol.ApplyWorkspaceEditParams {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.applied)
}

// ResetApplied forgets the applyEdit requests received so far.
func (c *Client) ResetApplied() {
	c.mu.Lock()
	c.applied = nil
	c.mu.Unlock()
}

// handle serves the server's requests and records its notifications. It
// runs on the connection's read goroutine, so it never blocks.
func (c *Client) handle(ctx context.Context, req *jsonrpc2.Request) (any, error) {
	// The request borrows the frame buffer: copy what is kept.
	params := json.RawMessage(append([]byte(nil), req.Params()...))
	c.mu.Lock()
	c.events = append(c.events, Event{Method: strings.Clone(req.Method()), Params: params, Call: req.IsCall()})
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
		var p protocol.ConfigurationParams
		n := 1
		if err := protocol.Unmarshal(params, &p); err == nil && len(p.Items) > 1 {
			n = len(p.Items)
		}
		items := make([]string, n)
		for i := range items {
			items[i] = string(config)
		}
		return json.RawMessage(`[` + strings.Join(items, ",") + `]`), nil
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

// Call sends a request, waits up to CallTimeout for its response and decodes
// the result into result (when non-nil) with protocol.Unmarshal. A response
// error is returned as is (see RPCCode).
func (c *Client) Call(method string, params, result any) error {
	ctx, cancel := context.WithTimeout(context.Background(), CallTimeout)
	defer cancel()
	return c.CallCtx(ctx, method, params, result)
}

// CallCtx is Call with the caller's context. Note that jsonrpc2 sends
// $/cancelRequest itself when ctx ends before the response.
func (c *Client) CallCtx(ctx context.Context, method string, params, result any) error {
	raw, err := marshal(method, params)
	if err != nil {
		return err
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
			c.t.Errorf("decode %s result %s: %v", method, res, err)
			return err
		}
	}
	return nil
}

// NextID is the id jsonrpc2.Conn will give the next call (it numbers calls
// 1, 2, 3, ...); used to cancel a call in flight. It holds only while calls
// are not issued concurrently.
func (c *Client) NextID() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.calls + 1
}

// Notify sends a notification; a send failure fails the test.
func (c *Client) Notify(method string, params any) {
	raw, err := marshal(method, params)
	if err == nil {
		err = c.conn.Notify(context.Background(), method, raw)
	}
	if err != nil {
		c.t.Errorf("notify %s: %v", method, err)
	}
}

// Cancel sends $/cancelRequest for the call with the given id.
func (c *Client) Cancel(id int64) {
	c.Notify(protocol.MethodCancelRequest, &protocol.CancelParams{ID: protocol.Integer(id)})
}

// marshal encodes params with protocol.Marshal; a json.RawMessage is sent
// as is and nil as no params.
func marshal(method string, params any) (jsonrpc2.RawMessage, error) {
	if params == nil {
		return nil, nil
	}
	if raw, ok := params.(json.RawMessage); ok {
		return jsonrpc2.RawMessage(raw), nil
	}
	b, err := protocol.Marshal(params)
	if err != nil {
		return nil, fmt.Errorf("lsptest: marshal %s params: %w", method, err)
	}
	return b, nil
}

// WaitEvent waits up to EventTimeout until the server sent a message with
// method whose params satisfy match (nil matches all), searching from the
// start of the record, and returns its params. It fails the test (FailNow)
// on timeout, so call it from the test's goroutine.
func (c *Client) WaitEvent(method string, match func(json.RawMessage) bool) json.RawMessage {
	c.t.Helper()
	deadline := time.After(EventTimeout)
	for {
		c.mu.Lock()
		for _, e := range c.events {
			if e.Method == method && (match == nil || match(e.Params)) {
				c.mu.Unlock()
				return e.Params
			}
		}
		c.mu.Unlock()
		select {
		case <-c.sig:
		case <-time.After(20 * time.Millisecond):
		case <-deadline:
			c.t.Fatalf("no %s from the server within %v; got %v", method, EventTimeout, c.Methods())
		}
	}
}

// Methods lists the methods of the messages the server sent, in order.
func (c *Client) Methods() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var m []string
	for _, e := range c.events {
		m = append(m, e.Method)
	}
	return m
}

// Events returns the params of the server's messages with method, in order.
func (c *Client) Events(method string) []json.RawMessage {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []json.RawMessage
	for _, e := range c.events {
		if e.Method == method {
			out = append(out, e.Params)
		}
	}
	return out
}

// Contains matches params whose JSON text contains sub.
func Contains(sub string) func(json.RawMessage) bool {
	return func(p json.RawMessage) bool { return strings.Contains(string(p), sub) }
}

// RPCCode returns the JSON-RPC error code of err, or 0.
func RPCCode(err error) jsonrpc2.Code {
	var e *jsonrpc2.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return 0
}

// ClientCaps returns client capabilities as a full-featured editor sends
// them, offering the given position encodings (none: UTF-16 only).
func ClientCaps(encodings ...protocol.PositionEncodingKind) protocol.ClientCapabilities {
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

// Handshake sends initialize (with initializationOptions when options is not
// empty) and then initialized, and returns the server's InitializeResult. It
// does not wait for the model to load: wait for the end of the load progress
// with WaitEvent(protocol.MethodProgress, Contains(`"kind":"end"`)).
func (c *Client) Handshake(caps protocol.ClientCapabilities, options string) *protocol.InitializeResult {
	c.t.Helper()
	var res protocol.InitializeResult
	p := &protocol.InitializeParams{Capabilities: caps}
	if options != "" {
		p.InitializationOptions = protocol.LSPAny(options)
	}
	if err := c.Call(protocol.MethodInitialize, p, &res); err != nil {
		c.t.Fatalf("initialize: %v", err)
	}
	c.Notify(protocol.MethodInitialized, &protocol.InitializedParams{})
	return &res
}

// Open sends didOpen for a document at version 1.
func (c *Client) Open(u, lang, text string) {
	c.Notify(protocol.MethodTextDocumentDidOpen, &protocol.DidOpenTextDocumentParams{
		TextDocument: protocol.TextDocumentItem{URI: uri.URI(u), LanguageID: protocol.LanguageKind(lang), Version: 1, Text: text},
	})
}

// Change sends didChange with the given content changes (see Partial).
func (c *Client) Change(u string, version int32, changes ...protocol.TextDocumentContentChangeEvent) {
	c.Notify(protocol.MethodTextDocumentDidChange, &protocol.DidChangeTextDocumentParams{
		TextDocument:   protocol.VersionedTextDocumentIdentifier{TextDocumentIdentifier: protocol.TextDocumentIdentifier{URI: uri.URI(u)}, Version: version},
		ContentChanges: changes,
	})
}

// Partial is an incremental content change: replace r with text.
func Partial(r protocol.Range, text string) protocol.TextDocumentContentChangeEvent {
	return &protocol.TextDocumentContentChangePartial{Range: r, Text: text}
}

// Completion requests textDocument/completion at p.
func (c *Client) Completion(u string, p protocol.Position) (*protocol.CompletionList, error) {
	return c.CompletionCtx(context.Background(), u, p)
}

// CompletionCtx is Completion with the caller's context (no CallTimeout).
func (c *Client) CompletionCtx(ctx context.Context, u string, p protocol.Position) (*protocol.CompletionList, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, CallTimeout)
		defer cancel()
	}
	var res protocol.CompletionList
	err := c.CallCtx(ctx, protocol.MethodTextDocumentCompletion, &protocol.CompletionParams{
		TextDocumentPositionParams: protocol.TextDocumentPositionParams{TextDocument: protocol.TextDocumentIdentifier{URI: uri.URI(u)}, Position: p},
	}, &res)
	return &res, err
}

// InlineCompletion requests textDocument/inlineCompletion at p (automatic
// trigger).
func (c *Client) InlineCompletion(u string, p protocol.Position) (*protocol.InlineCompletionList, error) {
	var res protocol.InlineCompletionList
	err := c.Call(protocol.MethodTextDocumentInlineCompletion, &protocol.InlineCompletionParams{
		TextDocumentPositionParams: protocol.TextDocumentPositionParams{TextDocument: protocol.TextDocumentIdentifier{URI: uri.URI(u)}, Position: p},
		Context:                    protocol.InlineCompletionContext{TriggerKind: protocol.InlineCompletionTriggerKindAutomatic},
	}, &res)
	return &res, err
}

// Pos is a position.
func Pos(line, char uint32) protocol.Position { return protocol.Position{Line: line, Character: char} }

// Range is the range from (l1, c1) to (l2, c2).
func Range(l1, c1, l2, c2 uint32) protocol.Range {
	return protocol.Range{Start: Pos(l1, c1), End: Pos(l2, c2)}
}

// CodeActions requests textDocument/codeAction for r (no diagnostics).
func (c *Client) CodeActions(u string, r protocol.Range) ([]protocol.CodeAction, error) {
	var res []protocol.CodeAction
	err := c.Call(protocol.MethodTextDocumentCodeAction, &protocol.CodeActionParams{
		TextDocument: protocol.TextDocumentIdentifier{URI: uri.URI(u)}, Range: r,
		Context: protocol.CodeActionContext{Diagnostics: []protocol.Diagnostic{}},
	}, &res)
	return res, err
}
