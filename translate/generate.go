package translate

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/weft-dev/weft/complete"
	"github.com/weft-dev/weft/grammars"
)

// GenerateRequest asks for code written from a natural-language instruction.
type GenerateRequest struct {
	Lang       *grammars.Language
	Path       string // shown to the model; optional
	Text       []byte // the whole document
	Start, End int    // cursor or selection, bytes
	// Instruction is what to implement. Empty: it is taken from the target at the range (a comment, a
	// TODO, a docstring, or the signature and comment of a function with an empty body).
	Instruction string
}

// TextEdit replaces Text[Start:End] by NewText.
type TextEdit struct {
	Start, End int
	NewText    string
}

// GenerateResult is the edit that implements the instruction.
type GenerateResult struct {
	Edit        TextEdit
	Instruction string
	Verdict     Verdict // of the edited document (parse, and compile when the file compiled before)
	Candidates  int
}

// Target is where an instruction is implemented.
type Target struct {
	Instruction string
	Insert      int    // where the generated code goes
	ReplaceEnd  int    // end of the replaced range (a placeholder like "pass"); == Insert for pure insertion
	Indent      string // indentation of the generated lines
	Before      string // text written before the code in the edit ("\n" to open an empty brace body)
	After       string // text written after the code (the closing brace's indentation)
	Shown       bool   // the instruction is already in the text right above (a comment): not repeated in the prompt
}

var (
	commentMarks = regexp.MustCompile(`(?m)^\s*(//+|#+|/\*+|\*+/?|--)\s?`)
	todoMark     = regexp.MustCompile(`^(?i)\s*(todo|fixme|implement)\b[:\s-]*`)
	placeholder  = regexp.MustCompile(`^\s*(pass|\.\.\.|todo!\(\)|unimplemented!\(\)|throw new UnsupportedOperationException\(\);|panic\("[^"]*"\))\s*$`)
)

// cleanComment turns a comment or docstring into an instruction: markers, quotes and "TODO:" removed.
func cleanComment(s string) string {
	s = strings.TrimSpace(s)
	for _, q := range []string{`"""`, `'''`} {
		if strings.HasPrefix(s, q) && strings.HasSuffix(s, q) && len(s) >= 6 {
			s = s[3 : len(s)-3]
		}
	}
	s = strings.TrimSuffix(strings.TrimSpace(s), "*/")
	s = commentMarks.ReplaceAllString(s, "")
	s = todoMark.ReplaceAllString(strings.TrimSpace(s), "")
	return strings.TrimSpace(s)
}

// FindTarget locates what to implement at [start, end): an empty function body (instruction: the comment
// above or the docstring, and the signature), a comment or TODO (the code goes on the next lines, or
// into the function that follows it when that function is empty), or, with an explicit instruction,
// the cursor or selection itself.
func FindTarget(lang *grammars.Language, text []byte, start, end int, instruction string) (*Target, error) {
	if start < 0 || end > len(text) || start > end {
		return nil, fmt.Errorf("generate: range [%d,%d) outside a text of %d bytes", start, end, len(text))
	}
	d, err := grammars.NewDocument(lang, text)
	if err != nil {
		return nil, fmt.Errorf("generate: %w", err)
	}
	defer d.Close()
	unit := indentUnit(text, lang)

	emptyBody := func(f grammars.Function, instr string) *Target {
		body := string(text[f.BodyStartByte:f.BodyEndByte])
		fnIndent := indentOf(text, f.StartByte)
		if lang.IndentBlocks {
			// Python: the block holds at most a docstring and a placeholder.
			var doc string
			rest := body
			for _, c := range grammars.Comments(d) {
				if c.Kind == "docstring" && c.StartByte >= f.BodyStartByte && c.EndByte <= f.BodyEndByte {
					doc = c.Text
					rest = string(text[c.EndByte:f.BodyEndByte])
					if instr == "" {
						instr = cleanComment(c.Text)
					}
					t := &Target{Insert: c.EndByte, ReplaceEnd: f.BodyEndByte, Indent: fnIndent + unit, Before: "\n"}
					if strings.TrimSpace(rest) != "" && !placeholder.MatchString(rest) {
						return nil
					}
					t.Instruction = joinInstruction(instr, f.Signature)
					return t
				}
			}
			if doc == "" && !placeholder.MatchString(rest) {
				return nil
			}
			t := &Target{Instruction: joinInstruction(instr, f.Signature), Insert: f.BodyStartByte, ReplaceEnd: f.BodyEndByte,
				Indent: fnIndent + unit, Before: "\n"}
			if ls := lineStart(text, f.BodyStartByte); strings.TrimSpace(string(text[ls:f.BodyStartByte])) == "" {
				t.Insert, t.Before = ls, ""
			}
			return t
		}
		inner := strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(body), "{"), "}"))
		insert := f.BodyStartByte + 1
		if inner != "" && !placeholder.MatchString(inner) {
			// A body holding only a comment counts as empty: the comment is the instruction and stays.
			if !commentOnly(inner) {
				return nil
			}
			if instr == "" {
				instr = cleanComment(inner)
			}
			for insert = f.BodyEndByte - 1; insert > f.BodyStartByte+1 && isSpace(text[insert-1]); insert-- {
			}
		}
		ind := fnIndent + unit
		// An indented blank line the user left in the body shows the indentation they want.
		for _, l := range strings.Split(body, "\n") {
			if strings.TrimSpace(l) == "" && len(l) > len(fnIndent) && strings.HasPrefix(l, fnIndent) {
				ind = l
				break
			}
		}
		return &Target{Instruction: joinInstruction(instr, f.Signature), Insert: insert, ReplaceEnd: f.BodyEndByte - 1,
			Indent: ind, Before: "\n", After: "\n" + fnIndent}
	}

	funcs := grammars.Functions(d)
	innermost := func(off int) (grammars.Function, bool) {
		var best grammars.Function
		found := false
		for _, f := range funcs {
			if f.StartByte <= off && off <= f.EndByte {
				if !found || f.EndByte-f.StartByte < best.EndByte-best.StartByte {
					best, found = f, true
				}
			}
		}
		return best, found
	}

	if instruction == "" {
		if c, ok := grammars.CommentAt(d, start); ok {
			// A comment right above an empty function: implement the function.
			for _, f := range funcs {
				if f.StartByte >= c.EndByte && strings.TrimSpace(string(text[c.EndByte:f.StartByte])) == "" {
					if t := emptyBody(f, cleanComment(c.Text)); t != nil {
						return t, nil
					}
				}
			}
			if f, ok := innermost(start); ok && f.BodyStartByte <= c.StartByte {
				if t := emptyBody(f, ""); t != nil && c.Kind == "docstring" {
					return t, nil
				}
			}
			instr := cleanComment(c.Text)
			if instr == "" {
				return nil, errors.New("generate: the comment is empty")
			}
			ins := lineEnd(text, c.EndByte)
			return &Target{Instruction: instr, Insert: ins, ReplaceEnd: ins, Indent: indentOf(text, c.StartByte), Before: "\n", Shown: true}, nil
		}
		if f, ok := innermost(start); ok {
			if t := emptyBody(f, precedingComment(d, text, f.StartByte)); t != nil {
				return t, nil
			}
		}
		return nil, errors.New("generate: nothing to implement here: put the cursor on a comment, a TODO, a docstring or an empty function body, or give an instruction")
	}
	if f, ok := innermost(start); ok && start == end {
		if t := emptyBody(f, instruction); t != nil {
			return t, nil
		}
	}
	t := &Target{Instruction: strings.TrimSpace(instruction), Insert: start, ReplaceEnd: end, Indent: indentOf(text, start)}
	if ls := lineStart(text, start); strings.TrimSpace(string(text[ls:start])) == "" {
		t.Insert = ls // the generated lines carry their own indentation
		t.After = ""
		if end == start && lineEnd(text, start) == start+len(strings.TrimRight(string(text[start:lineEnd(text, start)]), " \t")) &&
			strings.TrimSpace(string(text[start:lineEnd(text, start)])) == "" {
			t.ReplaceEnd = lineEnd(text, start) // an empty line is replaced
		} else if end == start {
			t.After = "\n" // the code goes before what follows on the line
		}
		if end > start && text[end-1] == '\n' {
			t.After = "\n" // whole lines were selected: the code ends its last line
		}
	} else if start == end && strings.TrimSpace(string(text[start:lineEnd(text, start)])) == "" {
		// The cursor ends a non-empty line: the code goes on new lines below it.
		t.Insert, t.ReplaceEnd, t.Before = lineEnd(text, start), lineEnd(text, start), "\n"
	}
	return t, nil
}

func commentOnly(s string) bool {
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimSpace(l)
		if l != "" && !strings.HasPrefix(l, "//") && !strings.HasPrefix(l, "/*") && !strings.HasPrefix(l, "*") && !strings.HasPrefix(l, "#") {
			return false
		}
	}
	return true
}

func joinInstruction(instr, signature string) string {
	instr = strings.TrimSpace(instr)
	if instr == "" {
		return "Implement " + strings.TrimSpace(signature)
	}
	return instr
}

// precedingComment returns the comment ending right above off (blank space between), cleaned.
func precedingComment(d *grammars.Document, text []byte, off int) string {
	var out string
	for _, c := range grammars.Comments(d) {
		if c.EndByte <= off && strings.TrimSpace(string(text[c.EndByte:off])) == "" {
			out = cleanComment(c.Text)
		}
	}
	return out
}

func lineEnd(text []byte, off int) int {
	for off < len(text) && text[off] != '\n' {
		off++
	}
	return off
}

// indentUnit guesses the file's indentation step: a tab for Go, else the smallest indentation found.
func indentUnit(text []byte, lang *grammars.Language) string {
	if lang.ID == "go" {
		return "\t"
	}
	best := ""
	for _, l := range strings.Split(string(text), "\n") {
		ind := l[:len(l)-len(strings.TrimLeft(l, " \t"))]
		if ind == "" || strings.TrimSpace(l) == "" {
			continue
		}
		if strings.HasPrefix(ind, "\t") {
			return "\t"
		}
		if best == "" || len(ind) < len(best) {
			best = ind
		}
	}
	if best == "" || len(best) > 8 {
		return "    "
	}
	return best
}

// Generate writes code for an instruction and returns the edit that inserts it, properly indented. The
// candidates (greedy and sampled) are checked on the edited document: it must parse no worse than
// before, and, when verification is on and the file compiled before, it must still compile.
func (e *Engine) Generate(ctx context.Context, req GenerateRequest) (*GenerateResult, error) {
	if req.Lang == nil {
		return nil, errors.New("generate: unknown language")
	}
	if e.Sampler == nil {
		return nil, errors.New("generate: no model loaded")
	}
	t, err := FindTarget(req.Lang, req.Text, req.Start, req.End, req.Instruction)
	if err != nil {
		return nil, err
	}
	prompt, err := generatePrompt(req, t)
	if err != nil {
		return nil, err
	}
	baseErrors := syntaxErrors(req.Lang, req.Text)
	why := rejections{}
	compileBase := false
	v := e.Verifier
	if v != nil && v.Compile && v.Tool(checkTools[req.Lang.ID]) != "" {
		vd, err := v.Check(ctx, req.Lang, string(req.Text))
		if err != nil {
			return nil, err
		}
		compileBase = vd.Compiled
	}
	var cands []Candidate
	var edits []TextEdit
	seen := map[string]bool{}
	var feedback string
	for round := 0; round <= e.retries(); round++ {
		p := prompt
		if feedback != "" && !t.Shown {
			p = strings.Replace(prompt, "\n"+t.Indent+req.Lang.LineComment+" "+firstLine(t.Instruction),
				"\n"+t.Indent+req.Lang.LineComment+" (a previous attempt failed: "+firstLine(feedback)+")\n"+t.Indent+req.Lang.LineComment+" "+firstLine(t.Instruction), 1)
		}
		for i := 0; i < e.candidates(); i++ {
			o := SampleOptions{MaxTokens: e.maxTokens(), Stop: []string{fence, "\n\n\n"}}
			if i > 0 {
				o.Temperature, o.TopP, o.Seed = e.temperature(), 0.95, uint64(round*1000+i)
			}
			s, err := e.Sampler.Sample(ctx, p, o)
			if err != nil {
				return nil, fmt.Errorf("generate: %w", err)
			}
			// The prompt ends with the target's indentation, so the model's own leading blanks on the
			// first line would indent it past the block (a 5-space line in a 4-space body).
			code := strings.TrimLeft(cutBlock(cutAtStop(s.Text, o.Stop), t.Indent, req.Lang), " \t")
			if seen[code] {
				continue
			}
			seen[code] = true
			if r := Substance(req.Lang, code); r != "" {
				why[r]++
				continue
			}
			if names := UndefinedNames(req.Lang, code, req.Text); len(names) > 0 {
				why["use names defined nowhere ("+strings.Join(names[:min(3, len(names))], ", ")+")"]++
				continue
			}
			edit := TextEdit{Start: t.Insert, End: t.ReplaceEnd, NewText: t.Before + t.Indent + code + t.After}
			edited := applyEdit(req.Text, edit)
			c := Candidate{Code: code, LogProb: s.LogProb, Tokens: s.Tokens, Round: round}
			c.Verdict.ParseErrors = syntaxErrors(req.Lang, edited)
			if c.Verdict.ParseErrors <= baseErrors && c.Verdict.ParseErrors >= 0 {
				c.Verdict.Level, c.Verdict.Status = LevelParses, "parses"
				if compileBase {
					vd, err := v.Check(ctx, req.Lang, string(edited))
					if err != nil {
						return nil, err
					}
					c.Verdict = vd
				} else if v != nil && v.Compile {
					c.Verdict.Status = "parses; not compiled (the file did not compile alone before the edit)"
				}
			} else {
				c.Verdict.Status = "breaks the syntax of the file"
				c.Verdict.Message = c.Verdict.Status
				why["break the syntax of the file"]++
			}
			cands = append(cands, c)
			edits = append(edits, edit)
		}
		if len(cands) == 0 {
			continue
		}
		order := rankIndex(cands)
		best := cands[order[0]]
		goal := LevelParses
		if compileBase {
			goal = LevelCompiles
		}
		if best.Verdict.Level >= goal {
			break
		}
		feedback = best.Verdict.Message
	}
	if len(cands) == 0 || cands[rankIndex(cands)[0]].Verdict.Level == LevelNone {
		msg := "generate: the model produced no code"
		if len(why) > 0 {
			msg = "generate: no candidate is an answer (" + why.String() + ")"
		}
		if e.Hint != "" {
			msg += "; " + e.Hint
		}
		return nil, errors.New(msg)
	}
	order := rankIndex(cands)
	best := cands[order[0]]
	return &GenerateResult{Edit: edits[order[0]], Instruction: t.Instruction, Verdict: best.Verdict, Candidates: len(cands)}, nil
}

// rankIndex returns the candidates' indices in Rank order, leaving cs untouched.
func rankIndex(cs []Candidate) []int {
	tmp := make([]Candidate, len(cs))
	for i, c := range cs {
		c.Round = i // carry the index through the stable sort
		tmp[i] = c
	}
	Rank(tmp)
	out := make([]int, len(tmp))
	for i, c := range tmp {
		out[i] = c.Round
	}
	return out
}

func applyEdit(text []byte, e TextEdit) []byte {
	out := make([]byte, 0, len(text)+len(e.NewText))
	out = append(out, text[:e.Start]...)
	out = append(out, e.NewText...)
	return append(out, text[e.End:]...)
}

// generatePrompt is the file's context (imports and signatures outside the window, from
// complete.BuildContext), the text before the insertion point, the instruction as a comment at the
// target's indentation, and that indentation.
func generatePrompt(req GenerateRequest, t *Target) (string, error) {
	d, err := grammars.NewDocument(req.Lang, req.Text)
	if err != nil {
		return "", err
	}
	defer d.Close()
	c, err := complete.BuildContext(complete.ContextInput{Doc: d, Offset: t.Insert, Path: req.Path, Budget: complete.DefaultBudget(3072)})
	if err != nil {
		return "", fmt.Errorf("generate: %w", err)
	}
	var b strings.Builder
	if req.Path != "" {
		fmt.Fprintf(&b, "%s %s\n", req.Lang.LineComment, req.Path)
	}
	b.WriteString(c.Header)
	b.WriteString(c.Prefix)
	b.WriteString(t.Before)
	if !strings.HasSuffix(b.String(), "\n") && !strings.HasSuffix(c.Prefix, "\n") {
		b.WriteString("\n")
	}
	if t.ReplaceEnd > t.Insert && t.Before == "" {
		// A selection is being rewritten: the model sees it, commented out, above the instruction.
		fmt.Fprintf(&b, "%s%s Replacing:\n", t.Indent, req.Lang.LineComment)
		for _, l := range strings.Split(strings.TrimRight(string(req.Text[t.Insert:t.ReplaceEnd]), "\n"), "\n") {
			fmt.Fprintf(&b, "%s%s %s\n", t.Indent, req.Lang.LineComment, strings.TrimPrefix(l, t.Indent))
		}
	}
	if !t.Shown {
		for _, l := range strings.Split(t.Instruction, "\n") {
			fmt.Fprintf(&b, "%s%s %s\n", t.Indent, req.Lang.LineComment, strings.TrimSpace(l))
		}
	}
	b.WriteString(t.Indent)
	return b.String(), nil
}

// cutBlock keeps the generated lines that belong at the insertion point: it stops at the first line
// indented less than the block (the end of the enclosing scope) and, in brace languages, at a closing
// brace that would close an enclosing block. Later lines get no extra indentation: the model wrote
// them relative to the file.
func cutBlock(gen, ind string, lang *grammars.Language) string {
	lines := strings.Split(gen, "\n")
	depth := 0
	var out []string
outer:
	for i, l := range lines {
		if i > 0 && strings.TrimSpace(l) != "" && !strings.HasPrefix(l, ind) {
			break
		}
		if !lang.IndentBlocks {
			inStr := byte(0)
			for j := 0; j < len(l); j++ {
				ch := l[j]
				switch {
				case inStr != 0:
					if ch == '\\' {
						j++
					} else if ch == inStr {
						inStr = 0
					}
				case ch == '"' || ch == '\'' || ch == '`':
					inStr = ch
				case ch == '/' && j+1 < len(l) && l[j+1] == '/':
					j = len(l)
				case ch == '{' || ch == '(' || ch == '[':
					depth++
				case ch == '}' || ch == ')' || ch == ']':
					depth--
					if depth < 0 {
						if s := strings.TrimRight(l[:j], " \t"); strings.TrimSpace(s) != "" {
							out = append(out, s)
						}
						break outer
					}
				}
			}
		}
		out = append(out, l)
	}
	return strings.TrimRight(strings.Join(out, "\n"), " \t\n")
}

// firstLine is s's first non-blank line, cut at 200 bytes: an error's gist for a one-line message.
func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return s
}
