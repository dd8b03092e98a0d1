package lsp

import (
	"context"

	"github.com/weft-dev/weft/translate"
)

// TranslateActions serves code actions and the weft.generate and
// weft.translate commands with translate's pipeline. The conversion lives
// here, not in translate, because features never see lsp's types.
func TranslateActions(a *translate.Actions) Actions { return translateActions{a} }

type translateActions struct{ a *translate.Actions }

func (x translateActions) CodeActions(ctx context.Context, r ActionRequest) ([]Action, error) {
	as, err := x.a.CodeActions(ctx, translate.ActionRequest{
		URI: r.URI, LanguageID: r.LanguageID, Version: r.Version, Text: r.Text, Start: r.Start, End: r.End,
		Verification: r.Settings.Verification, TargetMode: r.Settings.TranslateTarget,
	})
	if err != nil {
		return nil, err
	}
	out := make([]Action, len(as))
	for i, a := range as {
		out[i] = Action{Title: a.Title, Kind: a.Kind, URI: a.URI, Version: a.Version, Start: a.Start, End: a.End, Data: a.Data}
	}
	return out, nil
}

func (x translateActions) Resolve(ctx context.Context, a Action) (Edit, error) {
	ed, err := x.a.Resolve(ctx, translate.Action{Title: a.Title, Kind: a.Kind, URI: a.URI, Version: a.Version, Start: a.Start, End: a.End, Data: a.Data})
	return fromTranslateEdit(ed), err
}

func (x translateActions) Execute(ctx context.Context, r CommandRequest, progress func(string, int)) (Edit, error) {
	ed, err := x.a.Execute(ctx, translate.CommandRequest{
		Command: r.Command, URI: r.URI, LanguageID: r.LanguageID, Version: r.Version, Text: r.Text, Start: r.Start, End: r.End,
		Instruction: r.Instruction, To: r.To, Verification: r.Settings.Verification, TargetMode: r.Settings.TranslateTarget,
	}, progress)
	return fromTranslateEdit(ed), err
}

func fromTranslateEdit(e translate.Edit) Edit {
	out := Edit{Label: e.Label, Description: e.Description, URI: e.URI, Version: e.Version, CreateURI: e.CreateURI, CreateText: e.CreateText}
	for _, c := range e.Changes {
		out.Changes = append(out.Changes, TextChange{Start: c.Start, End: c.End, NewText: c.NewText})
	}
	return out
}
