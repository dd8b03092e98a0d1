package lsp

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"go.lsp.dev/protocol"

	"github.com/weft-dev/weft/translate"
)

// initialize negotiates the position encoding, reads the client's
// capabilities and initializationOptions, and describes the server.
func (s *server) initialize(params []byte) (*protocol.InitializeResult, error) {
	var p protocol.InitializeParams
	if err := decode(protocol.MethodInitialize, params, &p); err != nil {
		return nil, err
	}
	s.caps = p.Capabilities
	s.ws.declare(params)
	if g := p.Capabilities.General; g != nil {
		s.enc = negotiateEncoding(g.PositionEncodings)
	}
	s.inline = p.Capabilities.TextDocument != nil && p.Capabilities.TextDocument.InlineCompletion != nil
	s.state.Store(int32(stateInitialized))
	s.applySettings(p.InitializationOptions, "initializationOptions")

	yes := true
	change := protocol.TextDocumentSyncKindIncremental
	caps := protocol.ServerCapabilities{
		PositionEncoding: protocol.PositionEncodingKind(s.enc.String()),
		TextDocumentSync: &protocol.TextDocumentSyncOptions{
			OpenClose: &yes,
			Change:    &change,
			Save:      protocol.Boolean(true),
		},
		CompletionProvider: &protocol.CompletionOptions{},
		ExecuteCommandProvider: protocol.ExecuteCommandOptions{
			Commands: []string{translate.CommandGenerate, translate.CommandTranslate},
		},
	}
	// CodeActionOptions may only be sent to clients that understand code
	// action literals; older ones get the plain boolean.
	if ca := s.textDocumentCaps().CodeAction; ca != nil && len(ca.CodeActionLiteralSupport.CodeActionKind.ValueSet) > 0 {
		caps.CodeActionProvider = &protocol.CodeActionOptions{
			CodeActionKinds: []protocol.CodeActionKind{protocol.CodeActionKindRefactorRewrite, protocol.CodeActionKindRefactor},
			ResolveProvider: &yes,
		}
	} else {
		caps.CodeActionProvider = protocol.Boolean(true)
	}
	if s.inline {
		caps.InlineCompletionProvider = protocol.Boolean(true)
	}
	res := &protocol.InitializeResult{
		Capabilities: caps,
		ServerInfo:   protocol.ServerInfo{Name: s.cfg.Name},
	}
	if s.cfg.Version != "" {
		res.ServerInfo.Version = protocol.NewOptional(s.cfg.Version)
	}
	return res, nil
}

// ---- client capabilities ----

func (s *server) textDocumentCaps() protocol.TextDocumentClientCapabilities {
	if s.caps.TextDocument == nil {
		return protocol.TextDocumentClientCapabilities{}
	}
	return *s.caps.TextDocument
}

func (s *server) workspaceCaps() protocol.WorkspaceClientCapabilities {
	if s.caps.Workspace == nil {
		return protocol.WorkspaceClientCapabilities{}
	}
	return *s.caps.Workspace
}

func isTrue(b *bool) bool { return b != nil && *b }

func (s *server) supportsWorkDoneProgress() bool {
	return s.caps.Window != nil && isTrue(s.caps.Window.WorkDoneProgress)
}

func (s *server) supportsConfiguration() bool { return isTrue(s.workspaceCaps().Configuration) }

func (s *server) supportsApplyEdit() bool { return isTrue(s.workspaceCaps().ApplyEdit) }

func (s *server) editCaps() protocol.WorkspaceEditClientCapabilities {
	if e := s.workspaceCaps().WorkspaceEdit; e != nil {
		return *e
	}
	return protocol.WorkspaceEditClientCapabilities{}
}

// resolvesEdit reports whether the client asks codeAction/resolve for the
// edit property, so the edit can be computed lazily.
func (s *server) resolvesEdit() bool {
	ca := s.textDocumentCaps().CodeAction
	return ca != nil && slices.Contains(ca.ResolveSupport.Properties, "edit")
}

// ---- settings ----

func (s *server) currentSettings() Settings {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.settings
	st.Languages = slices.Clone(st.Languages)
	return st
}

// applySettings merges raw into the current settings; invalid fields are
// reported to the user and keep their previous value.
func (s *server) applySettings(raw []byte, source string) {
	s.mu.Lock()
	old := s.settings
	merged, err := old.merge(raw)
	s.settings = merged
	s.mu.Unlock()
	if err != nil {
		s.showMessage(protocol.MessageTypeWarning, fmt.Sprintf("weft: ignoring invalid %s: %v", source, err))
	}
	// Every other setting is read per request; these two shape the loaded
	// model and its sessions.
	select {
	case <-s.loaded:
		for _, c := range []struct {
			name    string
			changed bool
		}{{"modelPath", merged.ModelPath != old.ModelPath}, {"contextSize", merged.ContextSize != old.ContextSize}} {
			if c.changed {
				s.showMessage(protocol.MessageTypeInfo, "weft: the new "+c.name+" takes effect when the server restarts")
			}
		}
	default:
	}
}

func (s *server) didChangeConfiguration(params []byte) {
	var p struct {
		Settings json.RawMessage `json:"settings"`
	}
	if len(params) > 0 {
		if err := json.Unmarshal(params, &p); err != nil {
			s.logf(protocol.MessageTypeWarning, "ignored didChangeConfiguration: %v", err)
			return
		}
	}
	s.applySettings(p.Settings, "settings")
	// Clients that support pull usually send empty settings here and expect
	// the server to ask; the pull needs the reader, so it runs aside.
	if s.supportsConfiguration() {
		s.running.Add(1)
		go func() {
			defer s.running.Done()
			s.pullConfiguration(s.base)
		}()
	}
}

// pullConfiguration asks the client for the "weft" section.
func (s *server) pullConfiguration(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	section := settingsSection
	var res []protocol.LSPAny
	err := s.call(ctx, protocol.MethodWorkspaceConfiguration, &protocol.ConfigurationParams{
		Items: []protocol.ConfigurationItem{{Section: &section}},
	}, &res)
	if err != nil {
		s.logf(protocol.MessageTypeWarning, "workspace/configuration: %v", err)
		return
	}
	if len(res) > 0 {
		s.applySettings(res[0], "workspace configuration")
	}
}

// ---- loading ----

// load runs once after `initialized`: pull settings, then call Config.Load
// under a $/progress report.
func (s *server) load() {
	defer close(s.loaded)
	if s.supportsConfiguration() {
		s.pullConfiguration(s.base)
	}
	if s.cfg.Load == nil {
		return
	}
	settings := s.currentSettings()
	p := s.startProgress(s.base, "weft: loading model", nil, nil)
	var (
		feat Features
		err  error
	)
	func() {
		defer func() {
			if r := recover(); r != nil {
				err = s.panicked("Load", r)
			}
		}()
		feat, err = s.cfg.Load(s.base, settings, p.report)
	}()
	if err != nil {
		p.end("failed")
		s.loadErr = err
		if s.base.Err() == nil {
			s.showMessage(protocol.MessageTypeError, "weft: cannot load the model: "+err.Error())
			// Also in the log, where clients (and the VS Code status bar) watch for errors.
			s.logf(protocol.MessageTypeError, "weft: cannot load the model: %v", err)
		}
		return
	}
	p.end("ready")
	s.features = feat
	if s.base.Err() != nil {
		s.closeFeatures() // Serve is returning and may have missed them
		return
	}
	h := feat.Hooks
	if h.OnOpen != nil || h.OnChange != nil || h.OnSave != nil || h.OnClose != nil {
		s.docs.Listen(h)
	}
	if t, ok := feat.Completer.(documentTracker); ok {
		s.docs.Listen(trackerHooks(t))
	}
	s.logf(protocol.MessageTypeInfo, "weft: ready")
}

// waitFeatures blocks until Load finished or ctx is done.
func (s *server) waitFeatures(ctx context.Context) (Features, error) {
	select {
	case <-s.loaded:
	case <-ctx.Done():
		return Features{}, ctx.Err()
	}
	if s.loadErr != nil {
		return Features{}, fmt.Errorf("the model is not loaded: %w", s.loadErr)
	}
	return s.features, nil
}

// ---- progress ----

// progress reports one piece of work as $/progress begin/report/end. A
// progress whose token could not be created is silent.
type progress struct {
	s     *server
	token protocol.ProgressToken
	key   string

	mu      sync.Mutex
	ended   bool
	lastPct int
	lastMsg string
	last    time.Time
}

func tokenKey(t protocol.ProgressToken) string {
	switch t := t.(type) {
	case protocol.String:
		return "s:" + string(t)
	case protocol.Integer:
		return "i:" + strconv.Itoa(int(t))
	}
	return ""
}

// startProgress begins a progress report titled title. It uses token when
// the client supplied one (workDoneToken) and otherwise creates one with
// window/workDoneProgress/create when the client supports that. When
// cancel is non-nil the progress is cancellable from the client's UI.
func (s *server) startProgress(ctx context.Context, title string, token protocol.ProgressToken, cancel context.CancelFunc) *progress {
	p := &progress{s: s, lastPct: -1}
	if token == nil {
		if !s.supportsWorkDoneProgress() {
			return p
		}
		token = protocol.String("weft/" + strconv.FormatInt(s.nextID.Add(1), 10))
		if err := s.call(ctx, protocol.MethodWindowWorkDoneProgressCreate, &protocol.WorkDoneProgressCreateParams{Token: token}, nil); err != nil {
			s.log.Warn("window/workDoneProgress/create", "err", err)
			return p
		}
	}
	p.token, p.key = token, tokenKey(token)
	cancellable := cancel != nil
	if cancellable {
		s.mu.Lock()
		s.progress[p.key] = cancel
		s.mu.Unlock()
	}
	zero := uint32(0)
	p.send(&protocol.WorkDoneProgressBegin{Kind: "begin", Title: title, Cancellable: &cancellable, Percentage: &zero})
	return p
}

func (p *progress) send(v any) {
	raw, err := protocol.Marshal(v)
	if err != nil {
		return
	}
	p.s.notify(protocol.MethodProgress, &protocol.ProgressParams{Token: p.token, Value: raw})
}

// report sends a report; pct < 0 means unknown. Reports are throttled to
// one per 50 ms (except at 100%) and percentages never go backwards.
func (p *progress) report(msg string, pct int) {
	if p == nil || p.token == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ended || (msg == p.lastMsg && pct == p.lastPct) {
		return
	}
	if pct < 100 && time.Since(p.last) < 50*time.Millisecond {
		return
	}
	p.last, p.lastMsg = time.Now(), msg
	r := &protocol.WorkDoneProgressReport{Kind: "report", Message: &msg}
	if pct >= 0 {
		pct = max(min(pct, 100), p.lastPct)
		p.lastPct = pct
		u := uint32(pct)
		r.Percentage = &u
	}
	p.send(r)
}

func (p *progress) end(msg string) {
	if p.token == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ended {
		return
	}
	p.ended = true
	p.s.mu.Lock()
	delete(p.s.progress, p.key)
	p.s.mu.Unlock()
	p.send(&protocol.WorkDoneProgressEnd{Kind: "end", Message: &msg})
}
