package translate

import (
	"context"
	"strings"
	"testing"
)

func TestActions(t *testing.T) {
	src := "def helper(v):\n    return v * 2\n\ndef double_all(xs):\n    return [y for x in xs if (y := helper(x))]\n\ndef todo(xs):\n    # TODO: return the largest element of xs\n    pass\n"
	s := &scriptedSampler{}
	a := NewActions(&Engine{Sampler: s, Verifier: NewVerifier(nil, true), Candidates: 1, Retries: -1})
	ctx := context.Background()
	uri := "file:///w/util.py"

	off := strings.Index(src, "[y for")
	acts, err := a.CodeActions(ctx, ActionRequest{URI: uri, LanguageID: "python", Version: 3, Text: []byte(src), Start: off, End: off, Verification: true})
	if err != nil {
		t.Fatal(err)
	}
	titles := map[string]Action{}
	for _, x := range acts {
		titles[x.Title] = x
	}
	if len(acts) != 7 {
		t.Fatalf("want 7 translate actions (no Implement here), got %v", titles)
	}
	act, ok := titles["weft: Translate to Go"]
	if !ok {
		t.Fatalf("no Translate to Go: %v", titles)
	}
	// The model answers the Go prompt with helper-first code (the signature start is in the prompt).
	s.answers = []string{"xs []int) []int {\n\tout := []int{}\n\tfor _, x := range xs {\n\t\tout = append(out, helper(x))\n\t}\n\treturn out\n}\n\nfunc helper(v int) int {\n\treturn v * 2\n}\n```\n"}
	act.Text = []byte(src) // the caller gives Resolve the document the action was offered on
	ed, err := a.Resolve(ctx, act)
	if err != nil {
		t.Fatal(err)
	}
	if ed.CreateURI != "file:///w/util.go" || !strings.HasPrefix(ed.CreateText, "func double_all(xs []int) []int {") || len(ed.Changes) != 0 {
		t.Fatalf("edit %+v", ed)
	}
	if !strings.Contains(s.prompts[0], "def helper(v):") || !strings.Contains(s.prompts[0], "// Go translation of the Python code above\nfunc double_all(") {
		t.Fatalf("the prompt lacks the called helper:\n%s", s.prompts[0])
	}
	// An assignment expression (:=) is outside the rules, so the model's candidate is used, and the description says so.
	if v := a.Engine.Verifier; v.Tool("go") != "" && !strings.HasPrefix(ed.Description, "model translation (not covered by the rules translator: line 5: expression y := helper(x)); compiles") {
		t.Errorf("description %q", ed.Description)
	}

	// Replace mode: the unit's range gets the code.
	s.answers = []string{"xs []int) []int {\n\treturn xs\n}\n```"}
	ed, err = a.Execute(ctx, CommandRequest{Command: CommandTranslate, URI: uri, LanguageID: "python", Version: 3, Text: []byte(src),
		Start: off, End: off, To: "go", TargetMode: "replace"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(ed.Changes) != 1 || ed.CreateURI != "" || src[ed.Changes[0].Start:ed.Changes[0].End] != "def double_all(xs):\n    return [y for x in xs if (y := helper(x))]" {
		t.Fatalf("replace edit %+v", ed)
	}

	// Implement this on the TODO.
	off = strings.Index(src, "TODO")
	acts, err = a.CodeActions(ctx, ActionRequest{URI: uri, LanguageID: "python", Version: 4, Text: []byte(src), Start: off, End: off})
	if err != nil || len(acts) == 0 || !strings.HasPrefix(acts[0].Title, "weft: Implement this (return the largest element of xs)") {
		t.Fatalf("actions %v %v", acts, err)
	}
	s.answers = []string{"return max(xs)\n"}
	acts[0].Text = []byte(src)
	ed, err = a.Resolve(ctx, acts[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(ed.Changes) != 1 || ed.Changes[0].NewText != "\n    return max(xs)" {
		t.Fatalf("implement edit %+v", ed)
	}

	// Bad input: clear errors, no edit.
	for _, c := range []struct {
		req  CommandRequest
		want string
	}{
		{CommandRequest{Command: CommandTranslate, URI: uri, LanguageID: "python", Text: []byte(src), Start: 0, End: 5, To: "go"}, "does not parse"},
		{CommandRequest{Command: CommandTranslate, URI: uri, LanguageID: "python", Text: []byte(src), Start: off, End: off, To: "cobol"}, "unsupported language"},
		{CommandRequest{Command: CommandTranslate, URI: uri, LanguageID: "python", Text: []byte(src), Start: off, End: off, To: "python"}, "both Python"},
		{CommandRequest{Command: "weft.nope", URI: uri, LanguageID: "python", Text: []byte(src)}, "unknown command"},
		{CommandRequest{Command: CommandGenerate, URI: uri, LanguageID: "python", Text: []byte(src), Start: 0, End: 999}, "outside the document"},
	} {
		ed, err := a.Execute(ctx, c.req, nil)
		if err == nil || !strings.Contains(err.Error(), c.want) || len(ed.Changes) != 0 || ed.CreateURI != "" {
			t.Errorf("%+v: got %v / %+v, want error %q", c.req.Command, err, ed, c.want)
		}
	}
	if _, err := a.Resolve(ctx, Action{URI: uri, Version: 4, Data: acts[0].Data}); err == nil || !strings.Contains(err.Error(), "needs the text") {
		t.Errorf("action without its document: %v", err)
	}
	if _, err := NewActions(nil).Execute(ctx, CommandRequest{Command: CommandGenerate, URI: uri, LanguageID: "python", Text: []byte(src)}, nil); err == nil {
		t.Error("no engine accepted")
	}
}

// TestActionsRules: where the rules cover the unit, no model is needed and the edit says it came from
// the rules.
func TestActionsRules(t *testing.T) {
	src := "def add(a, b):\n    return a + b * 2\n"
	a := NewActions(nil)
	ed, err := a.Execute(context.Background(), CommandRequest{Command: CommandTranslate, URI: "file:///w/m.py", LanguageID: "python",
		Text: []byte(src), Start: 5, End: 5, To: "go"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(ed.Description, "rules translation; ") || !strings.Contains(ed.CreateText, "func add(a int, b int) int {") {
		t.Fatalf("edit %+v", ed)
	}
	// Outside the rules and without a model: an error naming the construct, and no edit.
	src = "def add(a, b):\n    return (lambda x: x)(a)\n"
	if _, err := a.Execute(context.Background(), CommandRequest{Command: CommandTranslate, URI: "file:///w/m.py", LanguageID: "python",
		Text: []byte(src), Start: 5, End: 5, To: "go"}, nil); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("err = %v, want the uncovered construct's line", err)
	}
}

// TestActionsRanksRulesAndModel: with an instruction-tuned model (no Hint) and verification on, a rule
// translation that differential testing could not confirm (a map parameter has no input generator)
// is ranked with the model's candidates; at the same level the rule translation wins, and the
// description names its producer. Without verification the model is not consulted.
func TestActionsRanksRulesAndModel(t *testing.T) {
	src := "def f(d):\n    return d.get(1, 0) + 1\n"
	s := &scriptedSampler{}
	v := NewVerifier(nil, true)
	if v.Tool("go") == "" {
		t.Skip("go not installed")
	}
	a := NewActions(&Engine{Sampler: s, Verifier: v, Candidates: 1, Retries: -1})
	req := CommandRequest{Command: CommandTranslate, URI: "file:///w/m.py", LanguageID: "python", Version: 1, Text: []byte(src),
		Start: 10, End: 10, To: "go", Verification: true}
	s.answers = []string{"d map[int]int) int {\n\treturn d[1] + 1\n}\n```"}
	ed, err := a.Execute(context.Background(), req, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.prompts) != 1 {
		t.Fatalf("the model was asked %d times, want once", len(s.prompts))
	}
	if !strings.HasPrefix(ed.Description, "rules translation; compiles") || !strings.Contains(ed.CreateText, "getOr") {
		t.Errorf("description %q\n%s", ed.Description, ed.CreateText)
	}
	req.Verification = false
	s.prompts = nil
	if ed, err = a.Execute(context.Background(), req, nil); err != nil || len(s.prompts) != 0 || !strings.HasPrefix(ed.Description, "rules translation; parses") {
		t.Fatalf("without verification: %v, %d prompts, %q", err, len(s.prompts), ed.Description)
	}
}
