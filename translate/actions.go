package translate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"strings"
	"sync"

	"github.com/weft-dev/weft/grammars"
	"github.com/weft-dev/weft/translate/rules"
)

// The types below are the actions API that lsp/ serves as it is (lsp.Actions): plain values, byte
// offsets into Text, no LSP types. The language server fills them from the document store and the
// settings; the URI is the document's key and where a new file goes, Path its file path.

// ActionRequest is a request for the code actions at a selection.
type ActionRequest struct {
	URI          string
	Path         string // the document's file path ("" when it is not a file)
	LanguageID   string
	Version      int32
	Text         []byte
	Start, End   int
	Verification bool   // compile the candidates (settings.verification; DefaultVerification)
	TargetMode   string // settings.translateTarget: "newFile" (default) or "replace"
}

// Action is one offered action; Data comes back to Resolve. The caller gives Resolve the action with
// Text and Path set to the document version the action was offered on (Version): Actions keeps no
// copy of documents.
type Action struct {
	Title   string
	Kind    string
	URI     string
	Version int32
	Start   int
	End     int
	Data    json.RawMessage
	Text    []byte `json:"-"`
	Path    string `json:"-"`
}

// CommandRequest is weft.generate ({uri, range, instruction}) or weft.translate ({uri, range, to}).
type CommandRequest struct {
	Command      string // CommandGenerate or CommandTranslate
	URI          string
	Path         string
	LanguageID   string
	Version      int32
	Text         []byte
	Start, End   int
	Instruction  string
	To           string
	Verification bool
	TargetMode   string
}

// The commands of workspace/executeCommand.
const (
	CommandGenerate  = "weft.generate"
	CommandTranslate = "weft.translate"
)

// Edit is the outcome of an action or command: Changes to URI at Version, and/or a new file CreateURI
// holding CreateText.
type Edit struct {
	Label       string
	Description string
	URI         string
	Version     int32
	Changes     []TextEdit
	CreateURI   string
	CreateText  string
}

// Actions serves "Implement this" and "Translate to ..." code actions and the weft.generate and
// weft.translate commands with one Engine.
type Actions struct {
	Engine *Engine

	mu     sync.Mutex
	comp   *Verifier // compiling verifier for requests with verification on
	noComp *Verifier // parse-only verifier for requests with verification off
}

// NewActions returns the actions served with e.
func NewActions(e *Engine) *Actions { return &Actions{Engine: e} }

// actionData is what an Action carries to Resolve.
type actionData struct {
	Op           string `json:"op"` // "generate" or "translate"
	Lang         string `json:"lang"`
	To           string `json:"to,omitempty"`
	Verification bool   `json:"verification"`
	TargetMode   string `json:"targetMode,omitempty"`
}

// CodeActions offers "Implement this" where FindTarget finds something to implement, and "Translate to
// X" for every other supported language where a unit can be extracted. Only tree-sitter runs here; the
// model runs in Resolve.
func (a *Actions) CodeActions(ctx context.Context, req ActionRequest) ([]Action, error) {
	lang, err := LookupLanguage(req.LanguageID)
	if err != nil {
		if lang, err = LookupLanguage(path.Ext(req.URI)); err != nil {
			return nil, nil // not a language we serve: no actions, not an error
		}
	}
	if req.Start < 0 || req.End > len(req.Text) || req.Start > req.End {
		return nil, fmt.Errorf("actions: range [%d,%d) outside the document", req.Start, req.End)
	}
	var out []Action
	mk := func(title string, d actionData) {
		d.Lang, d.Verification, d.TargetMode = lang.ID, req.Verification, req.TargetMode
		raw, _ := json.Marshal(d)
		out = append(out, Action{Title: title, Kind: "refactor.rewrite", URI: req.URI, Version: req.Version,
			Start: req.Start, End: req.End, Data: raw})
	}
	if t, err := FindTarget(lang, req.Text, req.Start, req.End, ""); err == nil {
		mk("weft: Implement this ("+clipTitle(t.Instruction)+")", actionData{Op: "generate"})
	}
	if _, err := ExtractUnit(lang, req.Text, req.Start, req.End); err == nil {
		for _, id := range supported {
			if id == lang.ID || (lang.ID == "tsx" && id == "typescript") {
				continue
			}
			to, _ := LookupLanguage(id)
			mk("weft: Translate to "+to.Name, actionData{Op: "translate", To: id})
		}
	}
	return out, ctx.Err()
}

func clipTitle(s string) string {
	s = firstLine(s)
	if len(s) > 48 {
		s = s[:45] + "..."
	}
	return s
}

// Resolve computes an action's edit (this is where the model runs).
func (a *Actions) Resolve(ctx context.Context, act Action) (Edit, error) {
	var d actionData
	if err := json.Unmarshal(act.Data, &d); err != nil {
		return Edit{}, fmt.Errorf("actions: bad action data: %w", err)
	}
	if act.Text == nil {
		return Edit{}, errors.New("actions: resolve needs the text of the document the action was offered on")
	}
	req := CommandRequest{URI: act.URI, Path: act.Path, LanguageID: d.Lang, Version: act.Version, Text: act.Text, Start: act.Start, End: act.End,
		To: d.To, Verification: d.Verification, TargetMode: d.TargetMode, Command: CommandGenerate}
	if d.Op == "translate" {
		req.Command = CommandTranslate
	}
	return a.Execute(ctx, req, nil)
}

// rules returns the rules translator, verifying as the request's setting says: parse only, or
// compile and differential testing in the engine's sandbox.
func (a *Actions) rules(verify bool) *Rules {
	if !verify {
		return &Rules{}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.comp == nil {
		var sb *Sandbox
		if a.Engine != nil && a.Engine.Verifier != nil {
			sb = a.Engine.Verifier.Sandbox
		}
		a.comp = NewVerifier(sb, true)
	}
	return &Rules{Verifier: a.comp}
}

// engine returns the engine to use for a request: a copy of the configured one whose verifier compiles
// or only parses, as the request's verification setting says (both share the engine's sandbox).
func (a *Actions) engine(verify bool) (*Engine, error) {
	if a == nil || a.Engine == nil || a.Engine.Sampler == nil {
		return nil, errors.New("actions: no model loaded")
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	e := *a.Engine
	var sb *Sandbox
	if e.Verifier != nil {
		sb = e.Verifier.Sandbox
		if e.Verifier.Compile == verify {
			return &e, nil
		}
	}
	if verify {
		if a.comp == nil {
			a.comp = NewVerifier(sb, true)
		}
		e.Verifier = a.comp
	} else {
		if a.noComp == nil {
			a.noComp = NewVerifier(sb, false)
		}
		e.Verifier = a.noComp
	}
	return &e, nil
}

// Execute runs weft.generate or weft.translate. Nothing is applied on error: the edit is only returned
// once a verified candidate exists.
func (a *Actions) Execute(ctx context.Context, req CommandRequest, progress func(msg string, pct int)) (Edit, error) {
	if progress == nil {
		progress = func(string, int) {}
	}
	lang, err := LookupLanguage(req.LanguageID)
	if err != nil {
		if lang, err = LookupLanguage(path.Ext(req.URI)); err != nil {
			return Edit{}, fmt.Errorf("actions: %w", err)
		}
	}
	if req.Start < 0 || req.End > len(req.Text) || req.Start > req.End {
		return Edit{}, fmt.Errorf("actions: range [%d,%d) outside the document", req.Start, req.End)
	}
	e, engErr := a.engine(req.Verification) // a per-request copy: it carries the progress callback
	if engErr == nil {
		e.progress = progress
	}
	switch req.Command {
	case CommandGenerate:
		if engErr != nil {
			return Edit{}, engErr
		}
		progress("generating code", -1)
		res, err := e.Generate(ctx, GenerateRequest{Lang: lang, Path: req.Path, Text: req.Text, Start: req.Start, End: req.End,
			Instruction: req.Instruction})
		if err != nil {
			return Edit{}, err
		}
		progress("done", 100)
		return Edit{Label: "weft: " + clipTitle(res.Instruction), Description: res.Verdict.Status, URI: req.URI, Version: req.Version,
			Changes: []TextEdit{res.Edit}}, nil
	case CommandTranslate:
		to, err := LookupLanguage(req.To)
		if err != nil {
			return Edit{}, fmt.Errorf("actions: %w", err)
		}
		u, err := ExtractUnit(lang, req.Text, req.Start, req.End)
		if err != nil {
			return Edit{}, err
		}
		progress("translating "+unitTitle(u)+" to "+to.Name, -1)
		treq := Request{Code: u.Code, From: lang, To: to}
		// The rules translator first: a whole translation or none. The model where it falls short,
		// and, with a capable model and verification on, beside it: both go through the same
		// verification and Rank picks (see Capable).
		res, err := a.rules(req.Verification).Translate(ctx, treq)
		producer := "rules translation"
		if err == nil && engErr == nil && Capable(e, req.Verification, res) {
			if mres, merr := e.Translate(ctx, treq); merr == nil {
				res = Merge(res, mres)
			} else if ctx.Err() != nil {
				return Edit{}, ctx.Err()
			}
			producer = res.Producer() + " translation"
		}
		if err != nil {
			var unc *rules.Uncovered
			if ctx.Err() != nil {
				return Edit{}, ctx.Err()
			}
			errors.As(err, &unc)
			if engErr != nil {
				if rules.Supports(lang, to) {
					return Edit{}, fmt.Errorf("%v; no model loaded to try", err)
				}
				return Edit{}, engErr
			}
			producer = "model translation"
			if unc != nil {
				producer += " (" + unc.Error() + ")"
			}
			if res, err = e.Translate(ctx, treq); err != nil {
				return Edit{}, err
			}
			if res.Verdict.Level == LevelNone {
				return Edit{}, e.NoAnswer(res, to)
			}
		}
		progress("done", 100)
		ed := Edit{Label: "weft: translate " + unitTitle(u) + " to " + to.Name, Description: producer + "; " + res.Verdict.Status,
			URI: req.URI, Version: req.Version}
		if req.TargetMode == "replace" {
			ind := indentOf(req.Text, u.Start)
			code := strings.TrimRight(res.Code, "\n")
			lines := strings.SplitN(code, "\n", 2)
			newText := lines[0]
			if len(lines) == 2 {
				newText += "\n" + indent(lines[1], ind)
			}
			ed.Changes = []TextEdit{{Start: u.Start, End: u.End, NewText: newText}}
		} else {
			ed.CreateURI = TranslatedName(req.URI, to)
			ed.CreateText = res.Code
		}
		return ed, nil
	}
	return Edit{}, fmt.Errorf("actions: unknown command %q", req.Command)
}

func unitTitle(u *Unit) string {
	if u.Name != "" {
		return u.Name
	}
	return "the selection"
}

// TranslatedName derives the new file's name: the source name with the target's extension
// ("file:///a/b/util.py" -> "file:///a/b/util.go").
func TranslatedName(uri string, to *grammars.Language) string {
	ext := path.Ext(uri)
	base := strings.TrimSuffix(uri, ext)
	if base == "" {
		base = "translated"
	}
	return base + Extension(to)
}
