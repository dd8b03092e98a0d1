package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/weft-dev/weft/complete"
	"github.com/weft-dev/weft/translate"
)

// The demo's inputs: small, ordinary code of the kind the embedded model was
// trained on.
const (
	demoGo = `package main

import "strings"

// countWords returns the number of words in s.
func countWords(s string) int {
	return len(strings.Fields(s))
}

// isPalindrome reports whether s reads the same backwards.
func isPalindrome(s string) bool {
	for i := 0; i < len(s)/2; i++ {
		
`
	demoPy = `import os


def list_python_files(root):
    """Return the paths of the .py files under root."""
`
	demoPyComplete = `import sys


def main():
    args = sys.argv[1:]
    if not args:
        `
	demoTranslate = `def gcd(a, b):
    while b:
        a, b = b, a % b
    return a
`
)

func cmdDemo(e *env, args []string) error {
	fs, mf := flags(e, "demo")
	if err := parse(fs, args); err != nil {
		return err
	}
	m, err := mf.load(e)
	if err != nil {
		return err
	}
	defer m.Close()
	w := e.stdout
	section := func(title, input string) {
		fmt.Fprintf(w, "── %s ──\n", title)
		if input != "" {
			fmt.Fprintf(w, "%s\n", indent(strings.TrimRight(input, "\n"), "  │ "))
		}
	}

	// 1. A completion at the cursor (the end of demoGo), as the server gives it.
	section("completion (Go, cursor at the end)", demoGo)
	eng := complete.NewEngine(m, completeConfig(m, 0))
	lines := strings.Split(demoGo, "\n")
	start := time.Now()
	res, err := eng.CompleteText(e.ctx, "demo.go", []byte(demoGo), len(lines), len(lines[len(lines)-1])+1, complete.Options{})
	if err != nil {
		return fmt.Errorf("completion: %w", err)
	}
	fmt.Fprintf(w, "  weft ▸ (%v)\n%s\n\n", time.Since(start).Round(time.Millisecond), indent(res.Text, "  + "))
	// 2. Another completion, in Python, one line as the user types.
	section("completion (Python, cursor at the end)", demoPyComplete)
	pyLines := strings.Split(demoPyComplete, "\n")
	start = time.Now()
	res, err = eng.CompleteText(e.ctx, "demo.py", []byte(demoPyComplete), len(pyLines), len(pyLines[len(pyLines)-1])+1, complete.Options{})
	if err != nil {
		return fmt.Errorf("completion: %w", err)
	}
	fmt.Fprintf(w, "  weft ▸ (%v)\n%s\n\n", time.Since(start).Round(time.Millisecond), indent(res.Text, "  + "))

	// Instruction edits and translations need a model that follows
	// instructions; a base model's attempts would be comments that restate
	// the request, so the demo says so instead of showing them.
	if hint := translate.ModelHint(m); hint != "" {
		section("instruction edits and translation", "")
		fmt.Fprintf(w, "  weft ▸ not with this model: %s.\n", hint)
		fmt.Fprintf(w, "         Then: weft demo --model %s\n", translate.SuggestedModel)
		return nil
	}
	// The model may fail to write code that parses: that is a result to
	// show, not a reason to stop the demo.
	noResult := func(err error) {
		fmt.Fprintf(w, "  weft ▸ no result: %v\n\n", err)
	}

	// 3. An instruction edit: the docstring becomes the function's body.
	tr := translateEngine(m, false)
	lang, _ := translate.LookupLanguage("python")
	section("instruction edit (Python docstring → body)", demoPy)
	start = time.Now()
	gen, err := tr.Generate(e.ctx, translate.GenerateRequest{Lang: lang, Path: "demo.py", Text: []byte(demoPy), Start: len(demoPy) - 1, End: len(demoPy) - 1})
	if err != nil {
		noResult(err)
	} else {
		fmt.Fprintf(w, "  weft ▸ %q (%v, %s)\n%s\n\n", gen.Instruction, time.Since(start).Round(time.Millisecond), gen.Verdict.Status, indent(gen.Edit.NewText, "  + "))
	}

	// 4. A translation, checked by parsing the result with the Go grammar.
	section("translation (Python → Go)", demoTranslate)
	to, _ := translate.LookupLanguage("go")
	start = time.Now()
	out, err := tr.Translate(e.ctx, translate.Request{Code: demoTranslate, From: lang, To: to})
	if err != nil {
		noResult(err)
	} else {
		fmt.Fprintf(w, "  weft ▸ (%v, %s)\n%s\n", time.Since(start).Round(time.Millisecond), out.Verdict.Status, indent(out.Code, "  + "))
	}
	return nil
}

func indent(s, prefix string) string {
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return prefix + "(nothing)"
	}
	return prefix + strings.ReplaceAll(s, "\n", "\n"+prefix)
}
