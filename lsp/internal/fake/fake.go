// Package fake provides stand-in weft features for testing the language
// server: a Completer whose generation takes time and honours its context,
// Actions that edit text predictably, and a Load that reports progress.
package fake

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/weft-dev/weft/complete"
	"github.com/weft-dev/weft/lsp"
	"github.com/weft-dev/weft/translate"
)

// PanicMarker, typed just before the cursor, makes the Completer panic.
const PanicMarker = "panic!"

// Completer completes the identifier before the cursor with the suffix
// "Done()": for "foo|" it proposes replacing "foo" with "fooDone()". It
// "decodes" Options.MaxTokens tokens (complete.DefaultSingleLineTokens when
// 0), sleeping TokenDelay for each, and stops
// as soon as ctx is cancelled.
type Completer struct {
	TokenDelay time.Duration
}

// Complete implements lsp.Completer.
func (c Completer) Complete(ctx context.Context, req complete.Request) (complete.Result, error) {
	if req.Offset < 0 || req.Offset > len(req.Text) {
		return complete.Result{}, fmt.Errorf("offset %d outside text of %d bytes", req.Offset, len(req.Text))
	}
	before := req.Text[:req.Offset]
	if strings.HasSuffix(string(before), PanicMarker) {
		panic("fake completer asked to panic")
	}
	n := req.Options.MaxTokens
	if n == 0 {
		n = complete.DefaultSingleLineTokens
	}
	for range n {
		if c.TokenDelay == 0 {
			if err := ctx.Err(); err != nil {
				return complete.Result{}, err
			}
			continue
		}
		t := time.NewTimer(c.TokenDelay)
		select {
		case <-ctx.Done():
			t.Stop()
			return complete.Result{}, ctx.Err()
		case <-t.C:
		}
	}
	start := wordStart(before)
	word := string(before[start:])
	return complete.Result{Text: word + "Done()", ReplaceStart: start, ReplaceEnd: req.Offset}, nil
}

// wordStart returns where the identifier ending at len(b) starts.
func wordStart(b []byte) int {
	i := len(b)
	for i > 0 {
		r, size := utf8.DecodeLastRune(b[:i])
		if r != '_' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			break
		}
		i -= size
	}
	return i
}

// Actions offers one action, "weft: upper-case selection", whose edit
// upper-cases the selected bytes. Execute implements weft.generate by
// inserting "// <instruction>\n" at the range start, and weft.translate by
// creating <uri>.<to> (translateTarget "newFile") or replacing the range
// with "/* <to> */" ("replace"). An instruction or target of "fail" fails.
type Actions struct {
	StepDelay time.Duration
}

// CodeActions implements lsp.Actions.
func (a Actions) CodeActions(ctx context.Context, req translate.ActionRequest) ([]translate.Action, error) {
	if req.Start == req.End {
		return nil, nil
	}
	return []translate.Action{{
		Title: "weft: upper-case selection", Kind: "refactor.rewrite",
		URI: req.URI, Version: req.Version, Start: req.Start, End: req.End,
		Data: json.RawMessage(fmt.Sprintf(`{"text":%q}`, req.Text[req.Start:req.End])),
	}}, nil
}

// Resolve implements lsp.Actions.
func (a Actions) Resolve(ctx context.Context, act translate.Action) (translate.Edit, error) {
	var d struct {
		Text string `json:"text"`
	}
	if err := json.Unmarshal(act.Data, &d); err != nil {
		return translate.Edit{}, fmt.Errorf("action data: %w", err)
	}
	return translate.Edit{
		Label: act.Title, URI: act.URI, Version: act.Version,
		Changes: []translate.TextEdit{{Start: act.Start, End: act.End, NewText: strings.ToUpper(d.Text)}},
	}, nil
}

// Execute implements lsp.Actions.
func (a Actions) Execute(ctx context.Context, req translate.CommandRequest, progress func(string, int)) (translate.Edit, error) {
	for i := range 3 {
		progress(fmt.Sprintf("step %d", i+1), (i+1)*30)
		select {
		case <-ctx.Done():
			return translate.Edit{}, ctx.Err()
		case <-time.After(a.StepDelay):
		}
	}
	e := translate.Edit{Label: req.Command, URI: req.URI, Version: req.Version}
	switch req.Command {
	case translate.CommandGenerate:
		if req.Instruction == "fail" {
			return translate.Edit{}, errors.New("the fake generator failed as asked")
		}
		e.Changes = []translate.TextEdit{{Start: req.Start, End: req.Start, NewText: "// " + req.Instruction + "\n"}}
	case translate.CommandTranslate:
		if req.To == "fail" {
			return translate.Edit{}, errors.New("the fake translator failed as asked")
		}
		if req.TargetMode == "replace" {
			e.Changes = []translate.TextEdit{{Start: req.Start, End: req.End, NewText: "/* " + req.To + " */"}}
		} else {
			e.CreateURI = req.URI + "." + req.To
			e.CreateText = "translated to " + req.To + "\n"
		}
	default:
		return translate.Edit{}, fmt.Errorf("unknown command %q", req.Command)
	}
	return e, nil
}

// MissingModel as modelPath makes Load fail.
const MissingModel = "/nonexistent/model.gguf"

// Load returns a Config.Load that "loads a model" in steps of stepDelay,
// reporting progress, and serves c and a.
func Load(stepDelay time.Duration, c Completer, a lsp.Actions) func(context.Context, lsp.Settings, func(string, int)) (lsp.Features, error) {
	return func(ctx context.Context, s lsp.Settings, progress func(string, int)) (lsp.Features, error) {
		if s.ModelPath == MissingModel {
			return lsp.Features{}, fmt.Errorf("open %s: no such file", s.ModelPath)
		}
		for i := range 4 {
			progress(fmt.Sprintf("loading layer %d/4", i+1), (i+1)*25)
			select {
			case <-ctx.Done():
				return lsp.Features{}, ctx.Err()
			case <-time.After(stepDelay):
			}
		}
		return lsp.Features{Completer: c, Actions: a}, nil
	}
}
