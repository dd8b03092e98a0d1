package complete

import (
	"strings"
)

// Text helpers and the post-processing of a finished completion. Everything here works on plain strings
// so it can be tested without a model or a parser.

// lineStart returns the offset of the first byte of the line holding off.
func lineStart(text []byte, off int) int {
	for off > 0 && text[off-1] != '\n' {
		off--
	}
	return off
}

// lineEnd returns the offset of the '\n' ending the line holding off (or len(text)).
func lineEnd(text []byte, off int) int {
	for off < len(text) && text[off] != '\n' {
		off++
	}
	return off
}

// leadingWS returns the run of spaces and tabs that starts s.
func leadingWS(s string) string {
	i := 0
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	return s[:i]
}

// isBlank reports whether s holds only whitespace.
func isBlank(s string) bool { return strings.TrimSpace(s) == "" }

// indentStyle is a file's indentation: one level is Unit ("\t" or some spaces).
type indentStyle struct {
	Unit     string
	TabWidth int  // columns a tab counts for when mixing with spaces
	Known    bool // seen in the text (or the language's convention): completions are converted to it
}

// width returns the indentation width of ws in columns.
func (st indentStyle) width(ws string) int {
	w := 0
	for i := 0; i < len(ws); i++ {
		if ws[i] == '\t' {
			w += st.TabWidth
		} else {
			w++
		}
	}
	return w
}

// make returns indentation of w columns in the file's style.
func (st indentStyle) make(w int) string {
	if w <= 0 {
		return ""
	}
	if st.Unit == "\t" {
		return strings.Repeat("\t", (w+st.TabWidth/2)/st.TabWidth)
	}
	return strings.Repeat(" ", w)
}

// detectIndent guesses the indentation style of text: tabs if more lines start with a tab than with
// spaces, otherwise the smallest space indent seen (2, 4, 8 ...). Without indented lines it is the
// language's convention (tabs for Go) or an unknown four spaces, which converts nothing.
func detectIndent(text string, langID string) indentStyle {
	tabs, spaces, minSp := 0, 0, 0
	for len(text) > 0 {
		nl := strings.IndexByte(text, '\n')
		line := text
		if nl >= 0 {
			line, text = text[:nl], text[nl+1:]
		} else {
			text = ""
		}
		if isBlank(line) {
			continue
		}
		switch line[0] {
		case '\t':
			tabs++
		case ' ':
			spaces++
			n := len(leadingWS(line))
			if n >= 2 && (minSp == 0 || n < minSp) {
				minSp = n
			}
		}
	}
	if tabs > spaces || tabs == 0 && spaces == 0 && langID == "go" {
		return indentStyle{Unit: "\t", TabWidth: 4, Known: true}
	}
	if spaces == 0 {
		return indentStyle{Unit: "    ", TabWidth: 4}
	}
	if minSp == 0 || minSp > 8 {
		minSp = 4
	}
	return indentStyle{Unit: strings.Repeat(" ", minSp), TabWidth: minSp, Known: true}
}

// endsWithOpener reports whether a line opens a block: a trailing '{', '(', '[' or, for Python, ':'.
func endsWithOpener(line string, indentBlocks bool) bool {
	t := strings.TrimRight(stripLineComment(line), " \t\r")
	if t == "" {
		return false
	}
	switch t[len(t)-1] {
	case '{', '(', '[':
		return true
	case ':':
		return indentBlocks
	}
	return false
}

// stripLineComment cuts a trailing // or # comment, ignoring ones inside simple quotes. It is a
// heuristic used for the "line opens a block" test only.
func stripLineComment(line string) string {
	var q byte
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case q != 0:
			if c == '\\' {
				i++
			} else if c == q {
				q = 0
			}
		case c == '"' || c == '\'' || c == '`':
			q = c
		case c == '#' && (i == 0 || line[i-1] == ' ' || line[i-1] == '\t'):
			return line[:i]
		case c == '/' && i+1 < len(line) && line[i+1] == '/':
			return line[:i]
		}
	}
	return line
}

// reindent adapts a completion to the indentation at the cursor. linePrefix is the text of the cursor's
// line before the cursor. Models see that indentation in the prompt and usually continue it, but small
// models repeat it on the first line, switch between tabs and spaces, or drift left of the block; each of
// those is fixed here:
//   - a first line that repeats indentation the cursor already has loses it;
//   - later lines are converted to the file's indentation style (when the file shows one);
//   - if later lines sit left of the cursor's indentation, or the first line opens a block (a '{', or
//     ':' with indentBlocks) and the next line is not indented deeper than it, all later lines are
//     shifted right by the same amount, keeping their relative layout. Lines holding only closing
//     brackets do not count: they may close a block the file left open.
func reindent(c, linePrefix string, st indentStyle, indentBlocks bool) string {
	if c == "" {
		return c
	}
	lines := strings.Split(c, "\n")
	prefixIsIndent := linePrefix != "" && isBlank(linePrefix)
	if prefixIsIndent {
		lines[0] = strings.TrimLeft(lines[0], " \t")
	}
	if len(lines) == 1 {
		return lines[0]
	}
	// Effective indentation of the first line.
	var base int
	if prefixIsIndent || linePrefix == "" {
		base = st.width(leadingWS(linePrefix + lines[0]))
	} else {
		base = st.width(leadingWS(linePrefix))
	}
	// Normalise the indentation characters of the later lines.
	minW, second := -1, -1
	for i := 1; i < len(lines); i++ {
		ws := leadingWS(lines[i])
		if isBlank(lines[i]) {
			lines[i] = ""
			continue
		}
		w := st.width(ws)
		if st.Known && (st.Unit == "\t" && strings.Contains(ws, " ") || st.Unit != "\t" && strings.Contains(ws, "\t")) {
			lines[i] = st.make(w) + lines[i][len(ws):]
		}
		if strings.Trim(lines[i], closers+" \t") == "" {
			continue
		}
		if second < 0 {
			second = w
		}
		if minW < 0 || w < minW {
			minW = w
		}
	}
	shift := 0
	if minW >= 0 && minW < base {
		shift = base - minW
	}
	if second >= 0 && opensBody(linePrefix+lines[0], indentBlocks) && second+shift <= base {
		shift = base + st.width(st.Unit) - second
	}
	if shift > 0 {
		for i := 1; i < len(lines); i++ {
			if lines[i] == "" {
				continue
			}
			ws := leadingWS(lines[i])
			lines[i] = st.make(st.width(ws)+shift) + lines[i][len(ws):]
		}
	}
	return strings.Join(lines, "\n")
}

// closers are the characters an editor typically auto-inserts after the cursor.
const closers = ")]}>\"'`;,"

// dedupeSuffix removes the part of a completion that the suffix already holds, so accepting it does
// not leave a doubled closing bracket or line:
//   - the completion's tail equal to the start of the rest of the cursor line when that start is made
//     of closing characters ("foo(a)" before ")" becomes "foo(a"), or equal to the whole rest of line;
//   - for multi-line completions, a last line equal (ignoring indentation, except for lines of closers
//     alone) to the suffix's first non-empty line.
func dedupeSuffix(c, suffix string) string {
	rest := suffix
	if nl := strings.IndexByte(rest, '\n'); nl >= 0 {
		rest = rest[:nl]
	}
	if strings.Contains(c, "\n") {
		if first := firstNonEmptyLine(suffix); first != "" {
			t := strings.TrimRight(c, " \t\n")
			if lastNL := strings.LastIndexByte(t, '\n'); lastNL >= 0 {
				last := t[lastNL+1:]
				// A line of closers alone must match with its indentation: a nested block's "}" is not
				// the enclosing block's.
				same := strings.TrimSpace(last) == first
				if same && strings.Trim(first, closers+" ") == "" {
					same = strings.TrimRight(last, " \t") == strings.TrimRight(firstLineOf(suffix, first), " \t\r")
				}
				if same {
					c = c[:lastNL]
				}
			}
		}
	}
	if rt := strings.TrimSpace(rest); rt != "" {
		// Drop the rest of the line when the completion ends by repeating it whole.
		if strings.HasSuffix(strings.TrimRight(c, " \t"), rt) && len(strings.TrimRight(c, " \t")) > len(rt) {
			t := strings.TrimRight(c, " \t")
			return strings.TrimRight(t[:len(t)-len(rt)], " \t")
		}
		// Otherwise drop the longest tail made of closers that starts the rest of the line.
		n := 0
		for n < len(rest) && strings.IndexByte(closers, rest[n]) >= 0 {
			n++
		}
		for k := min(n, len(c)); k > 0; k-- {
			if strings.HasSuffix(c, rest[:k]) {
				return c[:len(c)-k]
			}
		}
	}
	return c
}

// firstNonEmptyLine returns the first line of s that is not blank, trimmed.
func firstNonEmptyLine(s string) string {
	for len(s) > 0 {
		nl := strings.IndexByte(s, '\n')
		line := s
		if nl >= 0 {
			line, s = s[:nl], s[nl+1:]
		} else {
			s = ""
		}
		if t := strings.TrimSpace(line); t != "" {
			return t
		}
	}
	return ""
}

// firstLineOf returns the untrimmed line of s whose trimmed text is trimmed.
func firstLineOf(s, trimmed string) string {
	for _, line := range strings.Split(s, "\n") {
		if strings.TrimSpace(line) == trimmed {
			return line
		}
	}
	return ""
}

// trimTrailing removes trailing blanks from every line and blank lines at the end.
func trimTrailing(c string) string {
	lines := strings.Split(c, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t\r")
	}
	for len(lines) > 1 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return strings.Join(lines, "\n")
}

// postProcess applies the post-processing steps in order: leading blank lines dropped (cursor on a
// blank line), re-indentation (multi-line only), suffix dedupe, trailing whitespace.
func postProcess(c, linePrefix, suffix string, st indentStyle, indentBlocks bool) string {
	// On a blank line, blank lines the model wrote before its code would only push the code down.
	if isBlank(linePrefix) {
		for {
			nl := strings.IndexByte(c, '\n')
			if nl < 0 || !isBlank(c[:nl]) || isBlank(c[nl+1:]) {
				break
			}
			c = c[nl+1:]
		}
	}
	if strings.Contains(c, "\n") {
		c = reindent(c, linePrefix, st, indentBlocks)
	}
	c = trimTrailing(c)
	c = dedupeSuffix(c, suffix)
	return trimTrailing(c)
}
