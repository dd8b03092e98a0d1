package rules

import (
	"context"
	"fmt"
	"strings"

	"github.com/weft-dev/weft/grammars"
)

// Sources and Targets are the language ids the translator reads and writes.
var (
	Sources = []string{"python", "java", "c", "cpp", "go", "javascript", "typescript"}
	Targets = []string{"go", "python", "javascript", "java", "cpp"}
)

func has(ids []string, id string) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// Supports reports whether the translator has a front-end for from and an emitter for to.
func Supports(from, to *grammars.Language) bool {
	return from != nil && to != nil && from.ID != to.ID && has(Sources, from.ID) && has(Targets, to.ID)
}

// Translate translates code (whole functions, with the helpers they call) from one language to
// another. The error is *Uncovered when some construct is not covered; the translation is then
// withheld, never returned in part.
func Translate(ctx context.Context, from, to *grammars.Language, code string) (out string, err error) {
	defer func() {
		// A construct the front-ends and emitters mishandle must not take the server down.
		if r := recover(); r != nil {
			out, err = "", fmt.Errorf("rules: internal error on this input: %v", r)
		}
	}()
	if !Supports(from, to) {
		return "", fmt.Errorf("rules: no %s -> %s translation", from.Name, to.Name)
	}
	d, err := grammars.NewDocumentContext(ctx, from, []byte(code))
	if err != nil {
		return "", fmt.Errorf("rules: %w", err)
	}
	defer d.Close()
	if n := d.ErrorCount(); n != 0 {
		return "", fmt.Errorf("rules: the source does not parse as %s (%d syntax errors)", from.Name, n)
	}
	prog, charIndex, err := front(from, d)
	if err != nil {
		return "", err
	}
	if len(prog.Funcs) == 0 {
		return "", &Uncovered{Items: []UncoveredItem{{Line: 1, What: "no function to translate"}}}
	}
	// A call to a function outside the unit (another file, a library the rules do not map) cannot be
	// translated.
	var g gaps
	for _, f := range prog.Funcs {
		walkExprs(f.Body, func(e *Expr) {
			if e.K == ECall && prog.fn(e.Op) == nil {
				g.add(e.Line, "call to %s", e.Op)
			}
		})
	}
	if err := g.err(); err != nil {
		return "", err
	}
	js := from.ID == "javascript" || from.ID == "typescript"
	inferConcat(prog, charIndex, js)
	if js {
		if err := jsChecks(prog); err != nil {
			return "", err
		}
	}
	pyStr := !charIndex
	switch to.ID {
	case "go":
		return emitGo(prog, pyStr)
	case "python":
		return emitPython(prog, from.ID)
	case "javascript":
		return emitJS(prog, from.ID)
	case "java":
		return emitJava(prog, from.ID)
	case "cpp":
		return emitCpp(prog, from.ID)
	}
	return "", fmt.Errorf("rules: no emitter for %s", to.Name)
}

// functions writes the code of each of prog's functions to body, sep between them: emit writes one
// function's code to b, which is reset before each.
func functions(body *strings.Builder, prog *Program, sep string, b *strings.Builder, emit func(*Func)) {
	for i, f := range prog.Funcs {
		if i > 0 {
			body.WriteString(sep)
		}
		b.Reset()
		emit(f)
		body.WriteString(b.String())
	}
}

// front runs the front-end of lang on d. charIndex says whether the source's strings index to
// characters.
func front(lang *grammars.Language, d *grammars.Document) (*Program, bool, error) {
	switch lang.ID {
	case "python":
		p := &pyFront{src: src{text: d.Text()}}
		prog := p.program(d.Root())
		return prog, false, p.err()
	case "go":
		p := &goFront{src: src{text: d.Text()}}
		prog := p.program(d.Root())
		return prog, true, p.err()
	case "java", "c", "cpp":
		p := &cFront{src: src{text: d.Text()}, lang: lang.ID}
		prog := p.program(d.Root())
		return prog, true, p.err()
	case "javascript", "typescript":
		p := &jsFront{src: src{text: d.Text()}}
		prog := p.program(d.Root())
		return prog, false, p.err()
	}
	return nil, false, fmt.Errorf("rules: no front-end for %s", lang.Name)
}
