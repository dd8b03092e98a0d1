package translate

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/weft-dev/weft/grammars"
)

// Unit is the code to translate: a function, class or selection with what it depends on in its file.
type Unit struct {
	Lang       *grammars.Language
	Name       string // the function or class name; "" for a plain selection
	Kind       string // grammars.KindFunction, KindMethod, KindClass ... or "selection"
	Start, End int    // byte range of the unit itself in the file (what a replacing edit replaces)
	Code       string // what is sent to the model: imports, used types, called helpers, then the unit
	Helpers    []string
	Types      []string
}

// ExtractUnit finds the unit at [start, end) of text in lang. An empty range (a cursor) selects the
// innermost named function, method or class around it; a non-empty one is taken as selected, and must
// parse on its own. The unit's Code adds, in file order, the file's imports, the type declarations it
// names, and the same-file functions it calls (transitively).
func ExtractUnit(lang *grammars.Language, text []byte, start, end int) (*Unit, error) {
	if lang == nil {
		return nil, fmt.Errorf("translate: unknown source language")
	}
	if start < 0 || end > len(text) || start > end {
		return nil, fmt.Errorf("translate: range [%d,%d) outside a text of %d bytes", start, end, len(text))
	}
	d, err := grammars.NewDocument(lang, text)
	if err != nil {
		return nil, fmt.Errorf("translate: %w", err)
	}
	defer d.Close()
	u := &Unit{Lang: lang}
	if start == end {
		var found bool
		scopes := grammars.EnclosingScopes(d, start)
		for i := len(scopes) - 1; i >= 0; i-- { // innermost first
			s := scopes[i]
			if s.Name != "" && s.Kind != grammars.KindClosure && s.Kind != grammars.KindModule && s.Kind != grammars.KindNamespace {
				u.Name, u.Kind, u.Start, u.End = s.Name, s.Kind, s.StartByte, s.EndByte
				found = true
				break
			}
		}
		if !found {
			return nil, fmt.Errorf("translate: no function or class at the cursor; select the code to translate")
		}
		// Include decorators, "export" and template wrappers, as Functions and Definitions report them.
		for _, f := range grammars.Functions(d) {
			if f.Name == u.Name && f.EndByte == u.End && f.StartByte < u.Start {
				u.Start = f.StartByte
			}
		}
	} else {
		u.Kind, u.Start, u.End = "selection", start, end
		sel := blockText(text, start, end)
		if strings.TrimSpace(sel) == "" {
			return nil, fmt.Errorf("translate: the selection is empty")
		}
		if n := grammars.ErrorCount(lang, []byte(sel)); n != 0 {
			return nil, fmt.Errorf("translate: the selection does not parse as %s (%d syntax errors); select whole statements or declarations", lang.Name, n)
		}
		// A selection that is exactly one function is that function.
		s, e := start, end
		for s < e && isSpace(text[s]) {
			s++
		}
		for e > s && isSpace(text[e-1]) {
			e--
		}
		for _, f := range grammars.Functions(d) {
			if f.StartByte == s && f.EndByte == e {
				u.Name, u.Kind = f.Name, f.Kind
			}
		}
	}
	unitText := blockText(text, u.Start, u.End)

	// Same-file helpers called from the unit, transitively; functions inside the unit are part of it.
	funcs := grammars.Functions(d)
	byName := map[string][]grammars.Function{}
	for _, f := range funcs {
		byName[f.Name] = append(byName[f.Name], f)
	}
	inUnit := func(a, b int) bool { return a >= u.Start && b <= u.End }
	outside := func(a, b int) bool { return b <= u.Start || a >= u.End }
	picked := map[int]grammars.Function{} // by start byte
	var queue []string
	for _, f := range funcs {
		if inUnit(f.StartByte, f.EndByte) || (u.Kind == "selection" && f.StartByte <= u.Start && f.EndByte >= u.End) {
			queue = append(queue, f.Calls...)
		}
	}
	if u.Kind == "selection" {
		queue = append(queue, identifiers(unitText)...)
	}
	seen := map[string]bool{}
	for len(queue) > 0 {
		name := queue[0]
		queue = queue[1:]
		if seen[name] {
			continue
		}
		seen[name] = true
		for _, f := range byName[name] {
			if outside(f.StartByte, f.EndByte) && f.Container == "" && !nestedIn(funcs, f) {
				if _, ok := picked[f.StartByte]; !ok {
					picked[f.StartByte] = f
					queue = append(queue, f.Calls...)
				}
			}
		}
	}

	// Type declarations named in the unit or in the picked helpers.
	var used strings.Builder
	used.WriteString(unitText)
	for _, f := range picked {
		used.WriteString("\n" + string(text[f.StartByte:f.EndByte]))
	}
	words := map[string]bool{}
	for _, w := range identifiers(used.String()) {
		words[w] = true
	}
	type piece struct {
		start, end int
	}
	var pieces []piece
	for _, def := range grammars.Definitions(d) {
		if def.Container != "" || !outside(def.StartByte, def.EndByte) || !words[def.Name] {
			continue
		}
		switch def.Kind {
		case grammars.KindClass, grammars.KindStruct, grammars.KindInterface, grammars.KindEnum, grammars.KindType,
			grammars.KindTrait, grammars.KindConstant:
			pieces = append(pieces, piece{def.StartByte, def.EndByte})
			u.Types = append(u.Types, def.Name)
		}
	}
	for _, f := range picked {
		pieces = append(pieces, piece{f.StartByte, f.EndByte})
		u.Helpers = append(u.Helpers, f.Name)
	}
	sort.Slice(pieces, func(i, j int) bool { return pieces[i].start < pieces[j].start })
	sort.Strings(u.Helpers)

	var b strings.Builder
	for _, im := range grammars.Imports(d) {
		if outside(im.StartByte, im.EndByte) {
			b.WriteString(strings.TrimSpace(im.Text) + "\n")
		}
	}
	if b.Len() > 0 {
		b.WriteString("\n")
	}
	for _, p := range pieces {
		b.WriteString(strings.TrimRight(string(text[p.start:p.end]), "\n") + "\n\n")
	}
	b.WriteString(strings.TrimRight(unitText, "\n") + "\n")
	u.Code = b.String()
	return u, nil
}

// nestedIn reports whether f lies inside another function (a local helper, not a file-level one).
func nestedIn(funcs []grammars.Function, f grammars.Function) bool {
	for _, g := range funcs {
		if g.StartByte <= f.StartByte && g.EndByte >= f.EndByte && (g.StartByte != f.StartByte || g.EndByte != f.EndByte) {
			return true
		}
	}
	return false
}

func isSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\r' }

var identRE = regexp.MustCompile(`[A-Za-z_][A-Za-z0-9_]*`)

func identifiers(s string) []string { return identRE.FindAllString(s, -1) }

// blockText returns text[start:end] dedented. When only indentation precedes start on its line, that
// indentation counts as the first line's, so a method's body keeps its depth relative to the method.
func blockText(text []byte, start, end int) string {
	if ls := lineStart(text, start); strings.TrimSpace(string(text[ls:start])) == "" {
		start = ls
	}
	return dedent(string(text[start:end]))
}

// dedent removes the indentation common to all non-blank lines.
func dedent(s string) string {
	lines := strings.Split(s, "\n")
	common := -1
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		n := len(l) - len(strings.TrimLeft(l, " \t"))
		if common < 0 || n < common {
			common = n
		}
	}
	if common <= 0 {
		return s
	}
	for i, l := range lines {
		if len(l) >= common && strings.TrimSpace(l[:common]) == "" {
			lines[i] = l[common:]
		} else {
			lines[i] = strings.TrimLeft(l, " \t")
		}
	}
	return strings.Join(lines, "\n")
}

// indentOf returns the leading whitespace of the line holding off.
func indentOf(text []byte, off int) string {
	ls := lineStart(text, off)
	e := ls
	for e < len(text) && (text[e] == ' ' || text[e] == '\t') {
		e++
	}
	return string(text[ls:e])
}

func lineStart(text []byte, off int) int {
	for off > 0 && text[off-1] != '\n' {
		off--
	}
	return off
}

// indent prefixes every non-blank line of s with ind.
func indent(s, ind string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if strings.TrimSpace(l) != "" {
			lines[i] = ind + l
		}
	}
	return strings.Join(lines, "\n")
}

// FunctionSource returns the text of the function or method called name in src (modifiers included),
// found with tree-sitter.
func FunctionSource(lang *grammars.Language, src, name string) (string, error) {
	d, err := grammars.NewDocument(lang, []byte(src))
	if err != nil {
		return "", err
	}
	defer d.Close()
	for _, f := range grammars.Functions(d) {
		if f.Name == name {
			return src[f.StartByte:f.EndByte], nil
		}
	}
	return "", fmt.Errorf("no function %s in the %s source", name, lang.Name)
}
