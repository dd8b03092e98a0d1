package translate

import (
	"fmt"
	"sort"
	"strings"

	"github.com/weft-dev/weft/grammars"
)

// Substance says why generated code is not an answer, or "" when it is one: it must hold at least
// one statement besides comments, docstrings, signatures and placeholders (pass, ..., todo!()).
// Small models answer an instruction they cannot follow with comments that restate it; those parse,
// and a parse check alone would present them as working code.
func Substance(lang *grammars.Language, code string) string {
	if strings.TrimSpace(code) == "" {
		return "empty"
	}
	text := code
	if lang.IndentBlocks {
		text = dropTripleQuoted(text)
	} else {
		text = dropBlockComments(text)
	}
	var rest []string
	for _, l := range strings.Split(text, "\n") {
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, lang.LineComment) || (!lang.IndentBlocks && strings.HasPrefix(t, "*")) {
			continue
		}
		rest = append(rest, t)
	}
	if len(rest) == 0 {
		return "only comments"
	}
	if repeats(strings.Split(code, "\n")) {
		return "the same line over and over"
	}
	sig := false
	for _, t := range rest {
		switch {
		case placeholderLine(t):
		case signatureLine(lang, t):
			sig = true
		default:
			return ""
		}
	}
	if sig {
		return "only a signature"
	}
	return "only a placeholder"
}

// repeats reports whether code is a loop of one line: a line (not a bracket) that comes three
// times in a row, or fewer than half of four or more lines distinct. Small models stuck in a loop
// write such text, and it can parse.
func repeats(lines []string) bool {
	var ls []string
	for _, l := range lines {
		if t := strings.TrimSpace(l); t != "" && !placeholderLine(t) {
			ls = append(ls, t)
		}
	}
	for _, l := range ls {
		if loopLine(l) {
			return true
		}
	}
	run := 1
	for i := 1; i < len(ls); i++ {
		if ls[i] == ls[i-1] {
			if run++; run >= 3 {
				return true
			}
		} else {
			run = 1
		}
	}
	if len(ls) >= 4 {
		distinct := map[string]bool{}
		for _, l := range ls {
			distinct[l] = true
		}
		return 2*len(distinct) < len(ls)
	}
	return false
}

// loopLine reports whether one word makes most of a line of at least four words
// ("return line, line, line, line").
func loopLine(l string) bool {
	words := strings.FieldsFunc(l, func(r rune) bool {
		return !(r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	})
	if len(words) < 4 {
		return false
	}
	n := map[string]int{}
	for _, w := range words {
		if n[w]++; n[w] >= 4 && 2*n[w] > len(words) {
			return true
		}
	}
	return false
}

// placeholderLine reports whether a trimmed line does nothing: a closing bracket, pass, an ellipsis, a
// bare return, or a not-implemented marker.
func placeholderLine(t string) bool {
	t = strings.TrimRight(t, ";")
	switch t {
	case "", "}", "{", ")", "]", "})", "pass", "...", "return", "todo!()", "unimplemented!()", "panic(\"TODO\")",
		"panic(\"not implemented\")", "raise NotImplementedError", "raise NotImplementedError()", "// TODO":
		return true
	}
	if strings.HasPrefix(t, "throw new UnsupportedOperationException") || strings.HasPrefix(t, "throw new Error(\"Not implemented") {
		return true
	}
	// A bare name is an expression with no effect (a fragment the model stopped in).
	for i, r := range t {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// signatureLine reports whether a trimmed line only opens a function or class: "def f(x):",
// "func f() {", "fn f() -> i32 {", "function f(a) {", "int f(int a) {", "class A:".
func signatureLine(lang *grammars.Language, t string) bool {
	if lang.IndentBlocks {
		return (strings.HasPrefix(t, "def ") || strings.HasPrefix(t, "async def ") || strings.HasPrefix(t, "class ")) && strings.HasSuffix(t, ":")
	}
	body := strings.TrimSuffix(strings.TrimSuffix(t, "}"), "{")
	if body == t || !strings.Contains(body, "(") {
		return strings.HasPrefix(t, "class ") && strings.HasSuffix(t, "{")
	}
	for _, kw := range []string{"if ", "if(", "for ", "for(", "while ", "while(", "switch ", "switch(", "else", "} else", "match ", "catch", "try", "do "} {
		if strings.HasPrefix(t, kw) {
			return false
		}
	}
	return !strings.Contains(body, "=") || strings.Contains(body, "=>") && strings.HasPrefix(t, "const ")
}

// dropTripleQuoted removes Python's triple-quoted strings (docstrings) from text.
func dropTripleQuoted(s string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, `"""`)
		j := strings.Index(s, `'''`)
		q := `"""`
		if i < 0 || (j >= 0 && j < i) {
			i, q = j, `'''`
		}
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		end := strings.Index(s[i+3:], q)
		if end < 0 {
			return b.String()
		}
		s = s[i+3+end+3:]
	}
}

// dropBlockComments removes /* */ comments from text (strings are not lexed: a "/*" inside a
// string literal may hide code, which errs on the side of rejecting).
func dropBlockComments(s string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, "/*")
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		end := strings.Index(s[i+2:], "*/")
		if end < 0 {
			return b.String()
		}
		s = s[i+2+end+2:]
	}
}

// IndentErrors counts the indentation errors Python's tokenizer would raise in text: an unexpected
// indent, an unindent that matches no outer level, and a missing indented block after a line ending
// in ':'. tree-sitter-python accepts some of these without an ERROR node, so a parse check alone can
// call a file with a 5-space line in a 4-space block valid. Lines inside brackets, triple-quoted
// strings and after a backslash continue the logical line and are not checked.
func IndentErrors(text []byte) int {
	stack := []int{0}
	errs := 0
	depth := 0       // open brackets
	var quote string // open string delimiter
	opener := false  // the last logical line ended with ':'
	cont := false    // the previous physical line ended with '\'
	lines := strings.Split(string(text), "\n")
	for _, line := range lines {
		startsLogical := depth == 0 && quote == "" && !cont
		cont = false
		if startsLogical {
			t := strings.TrimSpace(line)
			if t != "" && !strings.HasPrefix(t, "#") {
				ind := indentWidth(line)
				top := stack[len(stack)-1]
				switch {
				case ind > top:
					if !opener {
						errs++ // unexpected indent
					}
					stack = append(stack, ind)
				case opener:
					errs++ // expected an indented block
					fallthrough
				case ind < top:
					for len(stack) > 1 && ind < stack[len(stack)-1] {
						stack = stack[:len(stack)-1]
					}
					if stack[len(stack)-1] != ind {
						errs++ // unindent does not match any outer indentation level
						stack = append(stack, ind)
					}
				}
				opener = false
			}
		}
		// Lex the line for brackets, strings, comments and a trailing ':' or '\'.
		last := byte(0)
		for i := 0; i < len(line); i++ {
			c := line[i]
			if quote != "" {
				if c == '\\' {
					i++
					continue
				}
				if strings.HasPrefix(line[i:], quote) {
					i += len(quote) - 1
					quote = ""
				}
				continue
			}
			switch c {
			case '#':
				i = len(line)
				continue
			case '"', '\'':
				q := string(c)
				if strings.HasPrefix(line[i:], q+q+q) {
					q = q + q + q
				}
				quote = q
				i += len(q) - 1
			case '(', '[', '{':
				depth++
			case ')', ']', '}':
				if depth > 0 {
					depth--
				}
			}
			if c != ' ' && c != '\t' && c != '\r' {
				last = c
			}
		}
		if quote == `"` || quote == `'` {
			quote = "" // an unterminated one-line string ends at the line's end
		}
		if last == '\\' {
			cont = true
		} else if depth == 0 && quote == "" && strings.TrimSpace(line) != "" && !strings.HasPrefix(strings.TrimSpace(line), "#") {
			opener = last == ':'
		}
	}
	return errs
}

// indentWidth is a line's indentation in columns, tabs to the next multiple of 8 as Python counts.
func indentWidth(line string) int {
	w := 0
	for _, c := range line {
		switch c {
		case ' ':
			w++
		case '\t':
			w = (w/8 + 1) * 8
		default:
			return w
		}
	}
	return w
}

// syntaxErrors is the parse check of an edited document: tree-sitter's error count, plus Python's
// indentation errors for indentation-structured languages.
func syntaxErrors(lang *grammars.Language, text []byte) int {
	n := grammars.ErrorCount(lang, text)
	if n >= 0 && lang.IndentBlocks {
		n += IndentErrors(text)
	}
	return n
}

// rejections counts why candidates were turned down, for an error that says so.
type rejections map[string]int

func (r rejections) String() string {
	keys := make([]string, 0, len(r))
	for k := range r {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return r[keys[i]] > r[keys[j]] || r[keys[i]] == r[keys[j]] && keys[i] < keys[j] })
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%d %s", r[k], k)
	}
	return strings.Join(parts, ", ")
}
