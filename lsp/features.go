package lsp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/weft-dev/weft/complete"
	"github.com/weft-dev/weft/translate"
)

// snapshot returns the open document uri or a RequestFailed error.
func (s *server) snapshot(u uri.URI) (*Snapshot, error) {
	snap, ok := s.docs.Get(string(u))
	if !ok {
		return nil, jsonrpc2.Errorf(codeRequestFailed, "weft: document %s is not open", u)
	}
	return snap, nil
}

// ---- completion ----

func (s *server) prepareCompletion(params []byte, inline bool) (prepared, error) {
	var pos protocol.TextDocumentPositionParams
	if inline {
		var p protocol.InlineCompletionParams
		if err := decode(protocol.MethodTextDocumentInlineCompletion, params, &p); err != nil {
			return nil, err
		}
		pos = p.TextDocumentPositionParams
	} else {
		var p protocol.CompletionParams
		if err := decode(protocol.MethodTextDocumentCompletion, params, &p); err != nil {
			return nil, err
		}
		pos = p.TextDocumentPositionParams
	}
	snap, err := s.snapshot(pos.TextDocument.URI)
	if err != nil {
		return nil, err
	}
	off := snap.Offset(s.enc, pos.Position)
	settings := s.currentSettings()
	// prepare runs in wire order: this number is the request's arrival order.
	seq := s.completionSeq.Add(1)
	return func(ctx context.Context) (any, error) {
		return s.complete(ctx, snap, off, inline, settings, seq)
	}, nil
}

func (s *server) complete(ctx context.Context, snap *Snapshot, off int, inline bool, st Settings, seq uint64) (any, error) {
	empty := func() any {
		if inline {
			return &protocol.InlineCompletionList{Items: []protocol.InlineCompletionItem{}}
		}
		return &protocol.CompletionList{Items: []protocol.CompletionItem{}}
	}
	if !st.completes(snap.LanguageID) {
		return empty(), nil
	}
	feat, err := s.waitFeatures(ctx)
	if err != nil {
		return nil, err
	}
	if feat.Completer == nil {
		return nil, jsonrpc2.NewError(codeRequestFailed, "weft: completion is not available")
	}
	if st.DebounceMs > 0 {
		t := time.NewTimer(time.Duration(st.DebounceMs) * time.Millisecond)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		}
	}
	res, err := feat.Completer.Complete(ctx, complete.Request{
		URI:        snap.URI,
		Path:       filePath(snap.URI),
		LanguageID: snap.LanguageID,
		Text:       snap.Text,
		Offset:     off,
		Options:    st.completeOptions(),
		Seq:        seq,
		ReadPath:   s.ws.readPath(snap.URI),
	})
	if err != nil {
		return nil, err
	}
	if res.Text == "" {
		return empty(), nil
	}
	if res.ReplaceStart < 0 || res.ReplaceStart > off || res.ReplaceEnd < off || res.ReplaceEnd > len(snap.Text) {
		return nil, jsonrpc2.Errorf(jsonrpc2.InternalError,
			"weft: completer returned replace range [%d,%d) that does not contain the cursor at byte %d",
			res.ReplaceStart, res.ReplaceEnd, off)
	}
	rng := snap.Range(s.enc, res.ReplaceStart, res.ReplaceEnd)
	if rng.Start.Line != rng.End.Line {
		return nil, jsonrpc2.Errorf(jsonrpc2.InternalError, "weft: completer returned a replace range spanning lines %d-%d", rng.Start.Line, rng.End.Line)
	}
	filter := res.FilterText
	if filter == "" {
		filter = res.Text
	}
	if inline {
		return &protocol.InlineCompletionList{Items: []protocol.InlineCompletionItem{{
			InsertText: protocol.String(res.Text),
			FilterText: &filter,
			Range:      &rng,
		}}}, nil
	}
	return &protocol.CompletionList{Items: []protocol.CompletionItem{{
		Label:            completionLabel(res.Text),
		Kind:             protocol.CompletionItemKindText,
		Detail:           protocol.NewOptional("weft"),
		FilterText:       protocol.NewOptional(filter),
		InsertText:       protocol.NewOptional(res.Text),
		InsertTextFormat: protocol.InsertTextFormatPlainText,
		TextEdit:         &protocol.TextEdit{Range: rng, NewText: res.Text},
	}}}, nil
}

// completionLabel is the first non-blank line of text, shortened for menus.
func completionLabel(text string) string {
	label := ""
	for line := range strings.SplitSeq(text, "\n") {
		if label = strings.TrimSpace(line); label != "" {
			break
		}
	}
	if utf8.RuneCountInString(label) > 60 {
		r := []rune(label)
		label = string(r[:59]) + "…"
	}
	if strings.Contains(strings.TrimRight(text, "\n"), "\n") {
		label += " …"
	}
	if label == "" {
		label = "⏎"
	}
	return label
}

// ---- code actions ----

// actionData is what travels in CodeAction.data between codeAction and
// codeAction/resolve.
type actionData struct {
	Weft    int             `json:"weft"`
	Title   string          `json:"title"`
	Kind    string          `json:"kind"`
	URI     string          `json:"uri"`
	Version int32           `json:"version"`
	Start   int             `json:"start"`
	End     int             `json:"end"`
	Data    json.RawMessage `json:"data,omitempty"`
}

func (d actionData) action() translate.Action {
	return translate.Action{Title: d.Title, Kind: d.Kind, URI: d.URI, Version: d.Version, Start: d.Start, End: d.End, Data: d.Data}
}

func (s *server) prepareCodeAction(params []byte) (prepared, error) {
	var p protocol.CodeActionParams
	if err := decode(protocol.MethodTextDocumentCodeAction, params, &p); err != nil {
		return nil, err
	}
	snap, err := s.snapshot(p.TextDocument.URI)
	if err != nil {
		return nil, err
	}
	start, end, err := snap.index().rangeOffsets(snap.Text, s.enc, p.Range)
	if err != nil {
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "weft: codeAction: %v", err)
	}
	st := s.currentSettings()
	req := translate.ActionRequest{
		URI: snap.URI, Path: filePath(snap.URI), LanguageID: snap.LanguageID, Version: snap.Version, Text: snap.Text,
		Start: start, End: end, Verification: st.Verification, TargetMode: st.TranslateTarget,
	}
	only := p.Context.Only
	return func(ctx context.Context) (any, error) {
		feat, err := s.waitFeatures(ctx)
		out := []protocol.CodeAction{}
		if err != nil {
			if ctx.Err() != nil {
				return nil, err
			}
			// No model: offer nothing. Editors ask for code actions on every
			// cursor move, and the load failure was reported once already.
			return out, nil
		}
		if feat.Actions == nil {
			return out, nil
		}
		actions, err := feat.Actions.CodeActions(ctx, req)
		if err != nil {
			return nil, err
		}
		lazy := s.resolvesEdit()
		for _, a := range actions {
			if !kindWanted(a.Kind, only) {
				continue
			}
			if a.URI == "" {
				a.URI, a.Version = req.URI, req.Version
			}
			data, err := json.Marshal(actionData{Weft: 1, Title: a.Title, Kind: a.Kind, URI: a.URI, Version: a.Version, Start: a.Start, End: a.End, Data: a.Data})
			if err != nil {
				return nil, fmt.Errorf("encoding action %q: %w", a.Title, err)
			}
			kind := protocol.CodeActionKind(a.Kind)
			ca := protocol.CodeAction{Title: a.Title, Kind: &kind, Data: data}
			if !lazy {
				// The client cannot resolve: compute the edit now.
				we, err := s.resolveEdit(ctx, feat.Actions, a)
				if err != nil {
					if ctx.Err() != nil {
						return nil, ctx.Err()
					}
					s.logf(protocol.MessageTypeWarning, "code action %q: %v", a.Title, err)
					continue
				}
				ca.Edit = we
			}
			out = append(out, ca)
		}
		return out, nil
	}, nil
}

// kindWanted applies CodeActionContext.only: a kind is wanted when it
// equals or is a sub-kind of one of only's entries.
func kindWanted(kind string, only []protocol.CodeActionKind) bool {
	if len(only) == 0 {
		return true
	}
	for _, o := range only {
		if kind == string(o) || strings.HasPrefix(kind, string(o)+".") {
			return true
		}
	}
	return false
}

func (s *server) prepareResolve(params []byte) (prepared, error) {
	var ca protocol.CodeAction
	if err := decode(protocol.MethodCodeActionResolve, params, &ca); err != nil {
		return nil, err
	}
	var d actionData
	if err := json.Unmarshal(ca.Data, &d); err != nil || d.Weft != 1 {
		return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, "weft: codeAction/resolve: not a weft code action (data missing or altered)")
	}
	return func(ctx context.Context) (any, error) {
		feat, err := s.waitFeatures(ctx)
		if err != nil {
			return nil, err
		}
		if feat.Actions == nil {
			return nil, jsonrpc2.NewError(codeRequestFailed, "weft: code actions are not available")
		}
		we, err := s.resolveEdit(ctx, feat.Actions, d.action())
		if err != nil {
			return nil, err
		}
		ca.Edit = we
		return &ca, nil
	}, nil
}

// resolveEdit computes an action's edit on the document version it was
// offered on, which must still be the current one: an edit for an older text
// would be refused when applied anyway.
func (s *server) resolveEdit(ctx context.Context, actions Actions, a translate.Action) (*protocol.WorkspaceEdit, error) {
	snap, ok := s.docs.Get(a.URI)
	if !ok {
		return nil, jsonrpc2.Errorf(codeRequestFailed, "weft: document %s is not open", a.URI)
	}
	if snap.Version != a.Version {
		return nil, jsonrpc2.Errorf(protocol.CodeContentModified,
			"weft: document %s changed (version %d, action offered on %d); ask for actions again", a.URI, snap.Version, a.Version)
	}
	a.Text, a.Path = snap.Text, filePath(a.URI)
	e, err := actions.Resolve(ctx, a)
	if err != nil {
		return nil, err
	}
	we, err := s.workspaceEdit(e)
	if err != nil {
		return nil, err
	}
	return &we, nil
}

// ---- commands ----

// commandArgs is the single argument of weft.generate / weft.translate.
type commandArgs struct {
	URI         string          `json:"uri"`
	Range       *protocol.Range `json:"range"`
	Instruction string          `json:"instruction"`
	To          string          `json:"to"`
}

func (s *server) prepareExecute(params []byte) (prepared, error) {
	var p protocol.ExecuteCommandParams
	if err := decode(protocol.MethodWorkspaceExecuteCommand, params, &p); err != nil {
		return nil, err
	}
	if p.Command != translate.CommandGenerate && p.Command != translate.CommandTranslate {
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "weft: unknown command %q", p.Command)
	}
	if len(p.Arguments) != 1 {
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "weft: %s takes one argument {uri, range, ...}, got %d", p.Command, len(p.Arguments))
	}
	var a commandArgs
	if err := json.Unmarshal(p.Arguments[0], &a); err != nil {
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "weft: %s: argument: %v", p.Command, err)
	}
	switch {
	case a.URI == "":
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "weft: %s: argument needs uri", p.Command)
	case p.Command == translate.CommandGenerate && strings.TrimSpace(a.Instruction) == "":
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "weft: %s: argument needs instruction", p.Command)
	case p.Command == translate.CommandTranslate && a.To == "":
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "weft: %s: argument needs to (the target language)", p.Command)
	}
	snap, err := s.snapshot(uri.URI(a.URI))
	if err != nil {
		return nil, err
	}
	start, end := 0, len(snap.Text)
	if a.Range != nil {
		if start, end, err = snap.index().rangeOffsets(snap.Text, s.enc, *a.Range); err != nil {
			return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "weft: %s: %v", p.Command, err)
		}
	}
	st := s.currentSettings()
	req := translate.CommandRequest{
		Command: p.Command, URI: snap.URI, Path: filePath(snap.URI), LanguageID: snap.LanguageID, Version: snap.Version, Text: snap.Text,
		Start: start, End: end, Instruction: a.Instruction, To: a.To, Verification: st.Verification, TargetMode: st.TranslateTarget,
	}
	token := p.WorkDoneToken
	return func(ctx context.Context) (any, error) {
		err := s.execute(ctx, req, token)
		if err != nil && ctx.Err() == nil && !errors.Is(err, context.Canceled) {
			s.showMessage(protocol.MessageTypeError, fmt.Sprintf("weft: %s failed: %v", req.Command, err))
		}
		return nil, err
	}, nil
}

// execute runs a command under $/progress and applies its edit with
// workspace/applyEdit. The edit is applied whole or not at all: it is
// computed completely, checked against the document version it was computed
// from, and sent as one WorkspaceEdit.
func (s *server) execute(ctx context.Context, req translate.CommandRequest, token protocol.ProgressToken) error {
	feat, err := s.waitFeatures(ctx)
	if err != nil {
		return err
	}
	if feat.Actions == nil {
		return errors.New("commands are not available")
	}
	if !s.supportsApplyEdit() {
		return errors.New("the editor does not support workspace/applyEdit")
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	p := s.startProgress(ctx, req.Command, token, cancel)
	outcome := "failed"
	defer func() { p.end(outcome) }()
	edit, err := feat.Actions.Execute(ctx, req, p.report)
	if err != nil {
		return err
	}
	we, err := s.workspaceEdit(edit)
	if err != nil {
		return err
	}
	label := edit.Label
	if label == "" {
		label = req.Command
	}
	var res protocol.ApplyWorkspaceEditResult
	if err := s.call(ctx, protocol.MethodWorkspaceApplyEdit, &protocol.ApplyWorkspaceEditParams{Label: &label, Edit: we}, &res); err != nil {
		return err
	}
	if !res.Applied {
		reason := "no reason given"
		if res.FailureReason != nil {
			reason = *res.FailureReason
		}
		outcome = "not applied"
		return fmt.Errorf("the editor did not apply the edit: %s", reason)
	}
	outcome = "done"
	return nil
}

// ---- edits ----

const annotationID = protocol.ChangeAnnotationIdentifier("weft")

// workspaceEdit converts a byte-offset Edit to an LSP WorkspaceEdit using
// what the client supports: versioned documentChanges (so a stale edit is
// rejected by the editor too), file creation, and change annotations that
// ask the user to confirm.
func (s *server) workspaceEdit(e translate.Edit) (protocol.WorkspaceEdit, error) {
	var we protocol.WorkspaceEdit
	caps := s.editCaps()
	docChanges := isTrue(caps.DocumentChanges)
	annotate := docChanges && caps.ChangeAnnotationSupport != nil
	if annotate {
		label := e.Label
		if label == "" {
			label = "weft"
		}
		// Ask for confirmation only when the edit replaces or deletes the
		// user's text. VS Code shows confirmable edits unticked in its
		// refactor preview, so inserting new code or creating a file applies
		// at once (and stays undoable), as a code action's edit does.
		confirm := false
		for _, c := range e.Changes {
			confirm = confirm || c.End > c.Start
		}
		a := protocol.ChangeAnnotation{Label: label, NeedsConfirmation: &confirm}
		if e.Description != "" {
			a.Description = &e.Description
		}
		we.ChangeAnnotations = map[protocol.ChangeAnnotationIdentifier]protocol.ChangeAnnotation{annotationID: a}
	}
	textEdit := func(r protocol.Range, text string) protocol.TextDocumentEditElement {
		if annotate {
			return &protocol.AnnotatedTextEdit{TextEdit: protocol.TextEdit{Range: r, NewText: text}, AnnotationID: annotationID}
		}
		return &protocol.TextEdit{Range: r, NewText: text}
	}
	if e.CreateURI != "" {
		if !docChanges || !slices.Contains(caps.ResourceOperations, protocol.ResourceOperationKindCreate) {
			return we, errors.New(`the editor cannot create files through edits; set translateTarget to "replace"`)
		}
		cf := &protocol.CreateFile{Kind: "create", URI: uri.URI(e.CreateURI)}
		if annotate {
			cf.AnnotationID = annotationID
		}
		we.DocumentChanges = append(we.DocumentChanges, cf, &protocol.TextDocumentEdit{
			TextDocument: protocol.OptionalVersionedTextDocumentIdentifier{TextDocumentIdentifier: protocol.TextDocumentIdentifier{URI: uri.URI(e.CreateURI)}},
			Edits:        []protocol.TextDocumentEditElement{textEdit(protocol.Range{}, e.CreateText)},
		})
	}
	if len(e.Changes) == 0 {
		if e.CreateURI == "" {
			return we, errors.New("the edit is empty")
		}
		return we, nil
	}
	snap, ok := s.docs.Get(e.URI)
	if !ok {
		return we, fmt.Errorf("document %s was closed", e.URI)
	}
	if snap.Version != e.Version {
		return we, jsonrpc2.Errorf(protocol.CodeContentModified,
			"document %s changed (version %d, edit computed for %d); nothing was applied", e.URI, snap.Version, e.Version)
	}
	changes := slices.Clone(e.Changes)
	slices.SortStableFunc(changes, func(a, b translate.TextEdit) int { return a.Start - b.Start })
	edits := make([]protocol.TextDocumentEditElement, 0, len(changes))
	plain := make([]protocol.TextEdit, 0, len(changes))
	for i, c := range changes {
		if c.Start < 0 || c.Start > c.End || c.End > len(snap.Text) {
			return we, fmt.Errorf("edit range [%d,%d) is outside the document (%d bytes)", c.Start, c.End, len(snap.Text))
		}
		if i > 0 && c.Start < changes[i-1].End {
			return we, fmt.Errorf("edit ranges [%d,%d) and [%d,%d) overlap", changes[i-1].Start, changes[i-1].End, c.Start, c.End)
		}
		r := snap.Range(s.enc, c.Start, c.End)
		edits = append(edits, textEdit(r, c.NewText))
		plain = append(plain, protocol.TextEdit{Range: r, NewText: c.NewText})
	}
	if docChanges {
		v := snap.Version
		we.DocumentChanges = append(we.DocumentChanges, &protocol.TextDocumentEdit{
			TextDocument: protocol.OptionalVersionedTextDocumentIdentifier{TextDocumentIdentifier: protocol.TextDocumentIdentifier{URI: uri.URI(e.URI)}, Version: &v},
			Edits:        edits,
		})
	} else {
		we.Changes = map[uri.URI][]protocol.TextEdit{uri.URI(e.URI): plain}
	}
	return we, nil
}
