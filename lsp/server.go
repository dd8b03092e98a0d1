package lsp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
)

// Why not protocol.NewServer / jsonrpc2.Conn: in v1.0.1 a notification
// whose params fail to decode (or any unknown one routed through the
// generated dispatcher) returns an error that fails the whole connection;
// a handler panic also fails the connection after answering; handlers run
// inline or, once released with Async, with no ordering between a didChange
// and the request after it; and CancelHandler races with synchronous
// dispatch. weft therefore keeps jsonrpc2's message decoding and encoding
// and protocol's types, and dispatches itself:
//
//   - one reader goroutine decodes frames, delivers responses to our
//     outgoing calls, and applies $/cancelRequest immediately;
//   - everything else enters one ordered queue, drained by one worker that
//     applies notifications and prepares requests (decoding params and taking
//     the document snapshot they refer to) in wire order;
//   - a prepared request then runs on its own goroutine with a cancellable
//     context, and a panic there becomes an InternalError answer.

// ErrExitWithoutShutdown is returned by Serve when the client sent `exit`
// (or closed the stream) without a `shutdown` request first; per the LSP
// specification the process should then exit with status 1.
var ErrExitWithoutShutdown = errors.New("lsp: exit without shutdown")

// codeRequestFailed is LSP's RequestFailed: the request was valid but the
// server could not complete it.
const codeRequestFailed jsonrpc2.Code = -32803

// errCancelledByClient is the cancellation cause set by $/cancelRequest.
var errCancelledByClient = errors.New("cancelled by the client")

type lifecycle int32

const (
	stateNew lifecycle = iota
	stateInitialized
	stateShutdown
)

// item is one entry of the ordered queue.
type item struct {
	call *jsonrpc2.Call
	note *jsonrpc2.Notification
	ctx  context.Context // for calls: cancelled by $/cancelRequest

	// dropped is the URI of a document whose notification was too large to
	// read: its state is unknown from here on, so it is forgotten.
	dropped string

	end    bool  // the input ended
	endErr error // why
}

type server struct {
	cfg  Config
	log  *slog.Logger
	out  *frameWriter
	docs *Documents

	base context.Context // cancelled when Serve returns

	mu       sync.Mutex
	queue    []item
	queueSig chan struct{}
	inflight map[jsonrpc2.ID]context.CancelCauseFunc
	pending  map[int64]chan *jsonrpc2.Response
	settings Settings
	progress map[string]context.CancelFunc // our progress tokens -> cancel of the work
	ws       workspace                     // the client's workspace folders: where files may be read

	nextID atomic.Int64
	// completionSeq numbers completion requests in arrival order (CompletionRequest.Seq).
	completionSeq atomic.Uint64
	state         atomic.Int32
	running       sync.WaitGroup // request goroutines and the loader
	done          chan error     // the worker's verdict: exit, or end of input
	doneOnce      sync.Once

	// Fixed after initialize (written by the worker before any request runs).
	enc    Encoding
	caps   protocol.ClientCapabilities
	inline bool

	loaded   chan struct{} // closed when Load finished
	loadOnce sync.Once
	features Features // valid after loaded is closed
	loadErr  error

	closeOnce sync.Once
}

// Serve runs the language server on in/out until the client sends `exit`,
// the input ends, writing fails, or ctx is cancelled. It returns nil after a
// clean shutdown+exit (exit status 0) and ErrExitWithoutShutdown or another
// error otherwise (exit status 1).
func Serve(ctx context.Context, in io.Reader, out io.Writer, cfg Config) error {
	if cfg.Name == "" {
		cfg.Name = "weft"
	}
	if cfg.MaxMessageBytes <= 0 {
		cfg.MaxMessageBytes = defaultMaxMessage
	}
	if cfg.Documents == nil {
		cfg.Documents = NewDocuments()
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s := &server{
		cfg:      cfg,
		log:      log,
		docs:     cfg.Documents,
		base:     ctx,
		queueSig: make(chan struct{}, 1),
		inflight: make(map[jsonrpc2.ID]context.CancelCauseFunc),
		pending:  make(map[int64]chan *jsonrpc2.Response),
		settings: DefaultSettings(),
		progress: make(map[string]context.CancelFunc),
		done:     make(chan error, 1),
		loaded:   make(chan struct{}),
	}
	s.out = newFrameWriter(out, s.finish)
	fr := newFrameReader(in, cfg.MaxMessageBytes)
	defer fr.close()
	go s.read(fr)
	workerDone := make(chan struct{})
	go func() {
		defer close(workerDone)
		s.work()
	}()

	var err error
	select {
	case err = <-s.done:
	case <-ctx.Done():
		err = ctx.Err()
	}
	cancel()
	s.push(item{end: true}) // wake the worker so it sees base is done
	<-workerDone
	s.failPending()
	// Handlers were cancelled with base; give them a moment to answer
	// so the client does not wait on calls that will never be answered.
	waited := make(chan struct{})
	go func() {
		s.running.Wait()
		close(waited)
	}()
	select {
	case <-waited:
	case <-time.After(2 * time.Second):
		s.log.Warn("request handlers still running at exit")
	}
	s.out.close(2 * time.Second)
	select {
	case <-s.loaded:
		s.closeFeatures()
	default:
		// Load is still unwinding; it closes what it built itself.
	}
	return err
}

// closeFeatures releases what Load built, once.
func (s *server) closeFeatures() {
	s.closeOnce.Do(func() {
		if s.features.Close != nil {
			if err := s.features.Close(); err != nil {
				s.log.Warn("closing features", "err", err)
			}
		}
	})
}

func (s *server) finish(err error) {
	s.doneOnce.Do(func() { s.done <- err })
}

// ---- reading ----

// read is the reader goroutine.
func (s *server) read(fr *frameReader) {
	for {
		f, err := fr.next()
		if f.garbage > 0 {
			s.logf(protocol.MessageTypeWarning, "skipped %d bytes of input that are not an LSP message (starting %q)", f.garbage, f.garbageSample)
		}
		for _, n := range f.notes {
			s.logf(protocol.MessageTypeWarning, "framing: %s", n)
		}
		if err != nil {
			if !errors.Is(err, errReaderClosed) {
				s.push(item{end: true, endErr: err})
			}
			return
		}
		if s.base.Err() != nil {
			return
		}
		if f.skipped || f.refused != "" {
			s.refuseOversized(f)
			continue
		}
		s.handleFrame(f.body)
	}
}

func (s *server) handleFrame(body []byte) {
	msg, err := jsonrpc2.DecodeMessage(body)
	if err != nil {
		env := peekEnvelope(body)
		code := jsonrpc2.ParseError
		if errors.Is(err, jsonrpc2.ErrInvalidRequest) {
			code = jsonrpc2.InvalidRequest
		}
		s.logf(protocol.MessageTypeWarning, "ignoring a malformed message (%v): %.80q", err, body)
		switch {
		case env.badID: // JSON-RPC: an id is a string, a number without fraction, or null
			s.reply(jsonrpc2.ID{}, nil, jsonrpc2.Errorf(jsonrpc2.InvalidRequest, "weft: request id must be a string or an integer"))
		case env.method != "" && env.hasID: // a request: answer it
			s.reply(env.id, nil, jsonrpc2.Errorf(code, "weft: malformed JSON-RPC request: %v", err))
		case env.method == "" && !env.hasID: // unidentifiable: null id, as JSON-RPC asks
			s.reply(env.id, nil, jsonrpc2.Errorf(code, "weft: malformed JSON-RPC message: %v", err))
		}
		// A notification or a malformed response gets no answer.
		return
	}
	switch m := msg.(type) {
	case *jsonrpc2.Response:
		s.deliver(m)
	case *jsonrpc2.Notification:
		if m.Method() == protocol.MethodCancelRequest {
			s.cancelRequest(m.Params())
			return
		}
		s.push(item{note: m})
	case *jsonrpc2.Call:
		ctx, cancel := context.WithCancelCause(s.base)
		if !s.register(m.ID(), cancel) {
			cancel(nil)
			s.reply(m.ID(), nil, jsonrpc2.Errorf(jsonrpc2.InvalidRequest, "weft: request id %v is already in use", m.ID()))
			return
		}
		s.push(item{call: m, ctx: ctx})
	}
}

// register records the cancel func of an incoming request, refusing an id
// that is already in flight.
func (s *server) register(id jsonrpc2.ID, cancel context.CancelCauseFunc) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.inflight[id]; dup {
		return false
	}
	s.inflight[id] = cancel
	return true
}

// refuseOversized answers a message that exceeded MaxMessageBytes.
func (s *server) refuseOversized(f frame) {
	env := peekEnvelope(f.peek)
	msg := fmt.Sprintf("weft: message of %d bytes exceeds the limit of %d bytes", f.size, s.cfg.MaxMessageBytes)
	if env.method != "" {
		msg = fmt.Sprintf("weft: %s message of %d bytes exceeds the limit of %d bytes", env.method, f.size, s.cfg.MaxMessageBytes)
	}
	if f.refused != "" {
		msg = "weft: message refused: " + f.refused
		if env.method != "" {
			msg = fmt.Sprintf("weft: %s message refused: %s", env.method, f.refused)
		}
	}
	s.logf(protocol.MessageTypeError, "%s; skipped it", msg)
	switch {
	case env.hasID && env.method != "": // a request
		s.reply(env.id, nil, jsonrpc2.NewError(jsonrpc2.InvalidRequest, msg))
		return
	case env.hasID: // the client's answer to one of our calls
		s.deliver(jsonrpc2.NewResponse(env.id, nil, errors.New(msg)))
		return
	}
	if env.uri != "" {
		// A lost didOpen/didChange leaves the document's text unknown:
		// forget it rather than complete against wrong text.
		s.notify(protocol.MethodWindowShowMessage, &protocol.ShowMessageParams{
			Type:    protocol.MessageTypeError,
			Message: msg + "; reopen " + env.uri + " to use weft on it",
		})
		s.push(item{dropped: env.uri})
	}
}

func (s *server) cancelRequest(params []byte) {
	var p struct {
		ID json.RawMessage `json:"id"`
	}
	if err := json.Unmarshal(params, &p); err != nil {
		s.logf(protocol.MessageTypeWarning, "ignoring $/cancelRequest with bad params: %v", err)
		return
	}
	id, ok := parseID(p.ID)
	if !ok {
		s.logf(protocol.MessageTypeWarning, "ignoring $/cancelRequest with bad id %s", p.ID)
		return
	}
	s.mu.Lock()
	cancel := s.inflight[id]
	s.mu.Unlock()
	if cancel != nil {
		cancel(errCancelledByClient)
	}
}

// deliver routes a response to the outgoing call waiting for it.
func (s *server) deliver(r *jsonrpc2.Response) {
	n, _ := r.ID().Number() // our calls have numeric ids; 0 is never used
	s.mu.Lock()
	ch := s.pending[n]
	delete(s.pending, n)
	s.mu.Unlock()
	if ch == nil {
		s.log.Debug("response to an unknown request", "id", r.ID())
		return
	}
	ch <- r
}

func (s *server) failPending() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, ch := range s.pending {
		ch <- jsonrpc2.NewResponse(jsonrpc2.NewNumberID(id), nil, errors.New("server stopped"))
		delete(s.pending, id)
	}
}

// ---- the ordered queue ----

func (s *server) push(it item) {
	s.mu.Lock()
	s.queue = append(s.queue, it)
	s.mu.Unlock()
	select {
	case s.queueSig <- struct{}{}:
	default:
	}
}

// work drains the queue in order until the server stops.
func (s *server) work() {
	for {
		s.mu.Lock()
		batch := s.queue
		s.queue = nil
		s.mu.Unlock()
		for _, it := range batch {
			if s.base.Err() != nil {
				return
			}
			s.process(it)
		}
		if s.base.Err() != nil {
			return
		}
		if len(batch) == 0 {
			select {
			case <-s.queueSig:
			case <-s.base.Done():
				return
			}
		}
	}
}

func (s *server) process(it item) {
	switch {
	case it.end:
		if it.endErr == nil {
			return // the wake-up pushed by Serve
		}
		if lifecycle(s.state.Load()) == stateShutdown && errors.Is(it.endErr, io.EOF) {
			s.finish(nil)
			return
		}
		if errors.Is(it.endErr, io.EOF) || errors.Is(it.endErr, io.ErrUnexpectedEOF) {
			s.finish(fmt.Errorf("%w: input ended (%v)", ErrExitWithoutShutdown, it.endErr))
			return
		}
		s.finish(fmt.Errorf("lsp: reading from client: %w", it.endErr))
	case it.dropped != "":
		_ = s.docs.Close(it.dropped)
	case it.note != nil:
		s.notification(it.note)
	case it.call != nil:
		s.startCall(it)
	}
}

// ---- requests ----

// prepared is the concurrent half of a request: it runs on its own goroutine
// with a context that $/cancelRequest cancels.
type prepared func(ctx context.Context) (any, error)

func (s *server) startCall(it item) {
	c := it.call
	method := c.Method()
	var (
		run prepared
		err error
	)
	func() {
		defer func() {
			if r := recover(); r != nil {
				err = s.panicked(method, r)
			}
		}()
		run, err = s.prepare(method, c.Params())
	}()
	if err != nil || run == nil {
		s.finishCall(it, nil, err)
		return
	}
	if method == protocol.MethodShutdown {
		// Answered here, in wire order: an exit right behind it must not
		// cancel it.
		res, err := run(it.ctx)
		s.finishCall(it, res, err)
		return
	}
	s.running.Add(1)
	go func() {
		defer s.running.Done()
		var (
			res any
			err error
		)
		func() {
			defer func() {
				if r := recover(); r != nil {
					err = s.panicked(method, r)
				}
			}()
			if it.ctx.Err() == nil {
				res, err = run(it.ctx)
			}
		}()
		s.finishCall(it, res, err)
	}()
}

// finishCall answers a request and forgets it.
func (s *server) finishCall(it item, res any, err error) {
	id := it.call.ID()
	s.mu.Lock()
	cancel := s.inflight[id]
	delete(s.inflight, id)
	s.mu.Unlock()
	if cause := context.Cause(it.ctx); cause != nil {
		// A cancelled request answers RequestCancelled whatever the handler
		// managed to return.
		res, err = nil, protocol.ErrRequestCancelled
		if !errors.Is(cause, errCancelledByClient) {
			err = jsonrpc2.Errorf(protocol.CodeRequestCancelled, "weft: %v", cause)
		}
	}
	if cancel != nil {
		cancel(nil)
	}
	s.reply(id, res, err)
}

func (s *server) panicked(method string, r any) error {
	s.log.Error("handler panic", "method", method, "panic", r, "stack", string(debug.Stack()))
	s.logf(protocol.MessageTypeError, "internal error handling %s: %v", method, r)
	return jsonrpc2.Errorf(jsonrpc2.InternalError, "weft: internal error handling %s: %v", method, r)
}

// prepare runs on the worker, in wire order: it validates the lifecycle,
// decodes params and captures the state the request refers to. Fast
// requests are answered here by returning a prepared func that does no
// work beyond returning the answer.
func (s *server) prepare(method string, params []byte) (prepared, error) {
	st := lifecycle(s.state.Load())
	switch {
	case method == protocol.MethodInitialize:
		if st != stateNew {
			return nil, jsonrpc2.NewError(jsonrpc2.InvalidRequest, "weft: initialize sent twice")
		}
		res, err := s.initialize(params)
		return func(context.Context) (any, error) { return res, err }, nil
	case st == stateNew:
		return nil, jsonrpc2.Errorf(jsonrpc2.ServerNotInitialized, "weft: %s before initialize", method)
	case st == stateShutdown:
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidRequest, "weft: %s after shutdown", method)
	}
	switch method {
	case protocol.MethodShutdown:
		s.state.Store(int32(stateShutdown))
		return func(context.Context) (any, error) { return nil, nil }, nil
	case protocol.MethodTextDocumentCompletion:
		return s.prepareCompletion(params, false)
	case protocol.MethodTextDocumentInlineCompletion:
		return s.prepareCompletion(params, true)
	case protocol.MethodTextDocumentCodeAction:
		return s.prepareCodeAction(params)
	case protocol.MethodCodeActionResolve:
		return s.prepareResolve(params)
	case protocol.MethodWorkspaceExecuteCommand:
		return s.prepareExecute(params)
	}
	return nil, jsonrpc2.Errorf(jsonrpc2.MethodNotFound, "weft: method not found: %s", method)
}

// decode unmarshals params with protocol's union-aware decoder, turning a
// failure into InvalidParams.
func decode(method string, params []byte, v any) error {
	if len(params) == 0 {
		return jsonrpc2.Errorf(jsonrpc2.InvalidParams, "weft: %s: missing params", method)
	}
	if err := protocol.Unmarshal(params, v); err != nil {
		return jsonrpc2.Errorf(jsonrpc2.InvalidParams, "weft: %s: invalid params: %v", method, err)
	}
	return nil
}

// ---- notifications ----

func (s *server) notification(n *jsonrpc2.Notification) {
	method := n.Method()
	defer func() {
		if r := recover(); r != nil {
			_ = s.panicked(method, r)
		}
	}()
	st := lifecycle(s.state.Load())
	if method == protocol.MethodExit {
		if st == stateShutdown {
			s.finish(nil)
		} else {
			s.finish(ErrExitWithoutShutdown)
		}
		return
	}
	if st == stateNew {
		s.log.Debug("notification before initialize dropped", "method", method)
		return
	}
	var err error
	switch method {
	case protocol.MethodInitialized:
		s.loadOnce.Do(func() {
			s.running.Add(1)
			go func() {
				defer s.running.Done()
				s.load()
			}()
		})
	case protocol.MethodTextDocumentDidOpen:
		var p protocol.DidOpenTextDocumentParams
		if err = decode(method, n.Params(), &p); err == nil {
			s.docs.Open(string(p.TextDocument.URI), string(p.TextDocument.LanguageID), p.TextDocument.Version, []byte(p.TextDocument.Text))
		}
	case protocol.MethodTextDocumentDidChange:
		var p protocol.DidChangeTextDocumentParams
		if err = decode(method, n.Params(), &p); err == nil {
			uri := string(p.TextDocument.URI)
			if _, err = s.docs.Change(uri, p.TextDocument.Version, s.enc, p.ContentChanges); err != nil {
				// The client's and our text now disagree; forget the document
				// instead of completing against wrong text.
				_ = s.docs.Close(uri)
				s.showMessage(protocol.MessageTypeError, "weft lost track of "+uri+"; reopen it: "+err.Error())
			}
		}
	case protocol.MethodTextDocumentDidSave:
		var p protocol.DidSaveTextDocumentParams
		if err = decode(method, n.Params(), &p); err == nil {
			err = s.docs.Save(string(p.TextDocument.URI), p.Text)
		}
	case protocol.MethodTextDocumentDidClose:
		var p protocol.DidCloseTextDocumentParams
		if err = decode(method, n.Params(), &p); err == nil {
			err = s.docs.Close(string(p.TextDocument.URI))
		}
	case protocol.MethodWorkspaceDidChangeConfiguration:
		s.didChangeConfiguration(n.Params())
	case protocol.MethodWorkspaceDidChangeWorkspaceFolders:
		err = s.ws.change(n.Params())
	case protocol.MethodWindowWorkDoneProgressCancel:
		var p protocol.WorkDoneProgressCancelParams
		if err = decode(method, n.Params(), &p); err == nil {
			s.mu.Lock()
			cancel := s.progress[tokenKey(p.Token)]
			s.mu.Unlock()
			if cancel != nil {
				cancel()
			}
		}
	default:
		// Unknown notifications ($/setTrace, $/progress echoes, custom
		// ones) are ignored, as LSP asks.
		s.log.Debug("ignored notification", "method", method)
	}
	if err != nil {
		s.logf(protocol.MessageTypeWarning, "ignored %s: %v", method, err)
	}
}

// ---- writing ----

func (s *server) reply(id jsonrpc2.ID, res any, err error) {
	var raw []byte
	if err == nil {
		var merr error
		raw, merr = marshal(res)
		if merr != nil {
			err = jsonrpc2.Errorf(jsonrpc2.InternalError, "weft: encoding result: %v", merr)
		}
	} else {
		var werr *jsonrpc2.Error
		switch {
		case errors.As(err, &werr):
		case errors.Is(err, context.Canceled):
			err = protocol.ErrRequestCancelled
		default:
			err = jsonrpc2.NewError(codeRequestFailed, err.Error())
		}
	}
	s.write(jsonrpc2.AppendResponse(nil, id, raw, err))
}

func (s *server) notify(method string, params any) {
	raw, err := marshal(params)
	if err != nil {
		s.log.Error("encoding notification", "method", method, "err", err)
		return
	}
	s.write(jsonrpc2.AppendNotification(nil, method, raw))
}

// call sends a request to the client and waits for its answer.
func (s *server) call(ctx context.Context, method string, params, result any) error {
	raw, err := marshal(params)
	if err != nil {
		return fmt.Errorf("encoding %s: %w", method, err)
	}
	n := s.nextID.Add(1)
	ch := make(chan *jsonrpc2.Response, 1)
	s.mu.Lock()
	s.pending[n] = ch
	s.mu.Unlock()
	if err := s.out.write(jsonrpc2.AppendCall(nil, jsonrpc2.NewNumberID(n), method, raw)); err != nil {
		s.mu.Lock()
		delete(s.pending, n)
		s.mu.Unlock()
		return err
	}
	select {
	case r := <-ch:
		if r.Err() != nil {
			return fmt.Errorf("%s: %w", method, r.Err())
		}
		if result != nil {
			if err := protocol.Unmarshal(r.Result(), result); err != nil {
				return fmt.Errorf("decoding %s result: %w", method, err)
			}
		}
		return nil
	case <-ctx.Done():
		s.mu.Lock()
		delete(s.pending, n)
		s.mu.Unlock()
		return ctx.Err()
	}
}

func (s *server) write(body []byte) {
	_ = s.out.write(body) // a failed writer has already ended the session
}

func marshal(v any) ([]byte, error) {
	if v == nil {
		return []byte("null"), nil
	}
	return protocol.Marshal(v)
}

// logf reports to the client's log (window/logMessage) and to the logger.
func (s *server) logf(t protocol.MessageType, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	switch t {
	case protocol.MessageTypeError:
		s.log.Error(msg)
	case protocol.MessageTypeWarning:
		s.log.Warn(msg)
	default:
		s.log.Info(msg)
	}
	// LSP allows window/logMessage even before the initialize answer.
	s.notify(protocol.MethodWindowLogMessage, &protocol.LogMessageParams{Type: t, Message: msg})
}

// showMessage shows msg to the user (window/showMessage) and logs it.
func (s *server) showMessage(t protocol.MessageType, msg string) {
	s.log.Info("showMessage", "type", t, "msg", msg)
	s.notify(protocol.MethodWindowShowMessage, &protocol.ShowMessageParams{Type: t, Message: msg})
}
