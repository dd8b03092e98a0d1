package complete

import "strings"

// stopper watches the decoded text as it streams and says when to stop. It keeps the stop decision
// incremental (a lexer state for brackets, strings and comments, and the start of the current line), so
// each pushed piece costs time proportional to its own length.
//
// Rules, in order of precedence:
//   - single-line mode: the first newline ends the completion (the newline is not kept);
//   - multi-line, bracket languages: a closing bracket that closes the block enclosing the cursor ends
//     it. When the file already closes that block (the usual case: the editor inserted the '}'), the
//     completion is cut before the closer (and before its line if only indentation precedes it); when
//     the file leaves it open, the closer's line is kept and the completion ends after it;
//   - multi-line, indentation languages: a non-blank line indented left of the block's level ends it,
//     cut before that line;
//   - multi-line at the level of declarations (file top level, class or impl body): once a bracketed
//     declaration has been opened and closed again (brackets back to the cursor's level at a line's
//     end), or, for indentation languages, once an indented body is followed by a line back at the
//     cursor's level, the completion ends: one declaration per completion;
//   - multi-line: a line equal (ignoring indentation) to the suffix's first non-empty line ends it, cut
//     before that line: the model has started to repeat what follows the cursor. Lines of closing
//     brackets alone are left to the bracket rule (a nested block's "}" is not a repetition).
//
// EOG/FIM tokens and the token limit are handled by the decoding loop, not here.
type stopper struct {
	multiline    bool
	indentBlocks bool        // Python-like: blocks by indentation
	st           indentStyle // to measure indentation widths
	level        int         // multi-line, indentation languages: minimum width of a continuing line; <0 = unknown yet
	linePrefix   string      // text of the cursor line before the cursor
	suffixLine   string      // first non-empty line of the suffix, trimmed
	openBlocks   int         // blocks the file leaves open around the cursor (may be closed by the completion)
	declLevel    bool        // the cursor is where declarations go: stop after one
	opened       bool        // a bracket was opened (declaration level)
	indented     bool        // an indented line was seen (declaration level, indentation languages)

	buf       []byte
	lineStart int // offset in buf of the current (incomplete) line
	depth     int // bracket depth relative to the cursor
	quote     byte
	escape    bool
	lineCmt   bool
	blockCmt  bool
	prev      byte
	done      bool
	cut       int // valid when done: length of the kept text
	keepLine  bool
	reason    string
	lineEnds  []int // offsets of every '\n' in buf, candidate cut points for the syntax check
	pieceEnds []int // offsets after each pushed piece (token boundaries), for single-line cut points
}

func newStopper(multiline bool, indentBlocks bool, st indentStyle, linePrefix, suffix string, openBlocks int, declLevel bool) *stopper {
	s := &stopper{
		declLevel:    declLevel,
		multiline:    multiline,
		indentBlocks: indentBlocks,
		st:           st,
		level:        -1,
		linePrefix:   linePrefix,
		suffixLine:   firstNonEmptyLine(suffix),
		openBlocks:   openBlocks,
	}
	if multiline && indentBlocks {
		ws := leadingWS(linePrefix)
		switch {
		case endsWithOpener(linePrefix, true):
			// After "def f():": the body must be indented deeper than the opener's line.
			s.level = st.width(ws) + 1
		case linePrefix != "" && !isBlank(linePrefix):
			s.level = st.width(ws)
		}
		// Otherwise the first line's own indentation sets the level (see line).
	}
	return s
}

// push adds decoded text and reports whether decoding should stop.
func (s *stopper) push(text string) bool {
	if s.done {
		return true
	}
	for i := 0; i < len(text); i++ {
		c := text[i]
		s.buf = append(s.buf, c)
		if c == '\n' {
			if !s.multiline {
				s.finish(len(s.buf)-1, "newline")
				return true
			}
			if s.quote == '"' || s.quote == '\'' {
				s.quote = 0 // an unterminated literal (or a Rust lifetime): resynchronise at the line end
			}
			if s.endLine(len(s.buf) - 1) {
				return true
			}
			s.lineEnds = append(s.lineEnds, len(s.buf)-1)
			s.lineStart = len(s.buf)
			s.lineCmt = false
			s.prev = c
			continue
		}
		if s.multiline && !s.indentBlocks {
			if s.lex(c) {
				return true
			}
		} else {
			s.prev = c
		}
	}
	s.pieceEnds = append(s.pieceEnds, len(s.buf))
	return false
}

// lex advances the bracket lexer by one byte and reports a stop when the enclosing block closes.
func (s *stopper) lex(c byte) bool {
	prev := s.prev
	switch {
	case s.lineCmt:
	case s.blockCmt:
		if prev == '*' && c == '/' {
			s.blockCmt = false
			c = 0 // "*/*" must not reopen
		}
	case s.quote != 0:
		if s.escape {
			s.escape = false
		} else if c == '\\' {
			s.escape = true
		} else if c == s.quote {
			s.quote = 0
		}
	case c == '/' && prev == '/':
		s.lineCmt = true
	case c == '*' && prev == '/':
		s.blockCmt = true
		c = 0
	case c == '"' || c == '\'' || c == '`':
		s.quote = c
	case c == '{' || c == '(' || c == '[':
		s.depth++
		if c == '{' {
			s.opened = true
		}
	case c == '}' || c == ')' || c == ']':
		s.depth--
		if s.depth < 0 {
			pos := len(s.buf) - 1
			if s.openBlocks > 0 {
				// The file leaves this block open: keep the closer's line, stop at its end.
				s.openBlocks--
				s.depth = 0
				s.keepLine = true
				s.prev = c
				return false
			}
			if isBlank(string(s.buf[s.lineStart:pos])) {
				pos = s.lineStart
				if pos > 0 {
					pos-- // drop the newline before the closer's line too
				}
			}
			s.finish(pos, "block closed")
			return true
		}
	}
	s.prev = c
	return false
}

// endLine examines the line ending at nl (a '\n' offset in buf) and reports a stop.
func (s *stopper) endLine(nl int) bool {
	line := string(s.buf[s.lineStart:nl])
	first := s.lineStart == 0
	if s.keepLine {
		s.finish(nl, "block closed")
		return true
	}
	if s.declLevel && !s.indentBlocks && s.opened && s.depth == 0 && s.quote == 0 && !s.blockCmt {
		s.finish(nl, "declaration complete")
		return true
	}
	if first {
		// The first line continues the cursor's line.
		if s.indentBlocks && s.level < 0 && !isBlank(s.linePrefix+line) {
			s.level = s.st.width(leadingWS(s.linePrefix + line))
		}
		return false
	}
	return s.checkLine(line)
}

// checkLine applies the line rules to a complete non-first line starting at s.lineStart.
func (s *stopper) checkLine(line string) bool {
	if isBlank(line) {
		return false
	}
	cutBefore := s.lineStart - 1 // drop the newline that introduced the line
	if s.suffixLine != "" && strings.Trim(s.suffixLine, closers+" ") != "" && strings.TrimSpace(line) == s.suffixLine {
		s.finish(cutBefore, "repeats suffix")
		return true
	}
	if s.indentBlocks {
		w := s.st.width(leadingWS(line))
		switch {
		case s.level < 0:
			s.level = w
		case w < s.level:
			s.finish(cutBefore, "dedent")
			return true
		case s.declLevel && w > s.level:
			s.indented = true
		case s.declLevel && w == s.level && s.indented && !continuesBlock(line):
			s.finish(cutBefore, "declaration complete")
			return true
		}
	}
	return false
}

// continuesBlock reports whether a Python line at a block's own level continues the statement above
// (else, elif, except, finally, a decorator's function) rather than starting a new one.
func continuesBlock(line string) bool {
	t := strings.TrimSpace(line)
	for _, kw := range []string{"else", "elif ", "except", "finally", ")", "]", "}"} {
		if strings.HasPrefix(t, kw) {
			return true
		}
	}
	return false
}

// flush applies the line rules to the unterminated last line when decoding ends for another reason
// (EOG, token limit), so that a final dedented or suffix-repeating line is still cut.
func (s *stopper) flush() {
	if s.done {
		return
	}
	if s.multiline && s.lineStart > 0 && s.lineStart < len(s.buf) {
		s.checkLine(string(s.buf[s.lineStart:]))
	}
}

func (s *stopper) finish(cut int, reason string) {
	s.done, s.cut, s.reason = true, cut, reason
}

// text returns the kept completion (valid after a stop or flush).
func (s *stopper) text() string {
	if s.done {
		return string(s.buf[:s.cut])
	}
	return string(s.buf)
}

// cuts returns the candidate truncations of the kept text, longest first: the whole text, then each
// shorter prefix ending at a line boundary (multi-line) or token boundary (single-line). The syntax
// check walks them until one does not add parse errors.
func (s *stopper) cuts(max int) []string {
	full := s.text()
	out := []string{full}
	ends := s.lineEnds
	if !s.multiline || len(ends) == 0 {
		ends = s.pieceEnds
	}
	for i := len(ends) - 1; i >= 0 && len(out) < max; i-- {
		e := ends[i]
		if e <= 0 || e >= len(full) || isBlank(full[e:]) {
			continue
		}
		c := full[:e]
		if strings.TrimSpace(c) == "" || c == out[len(out)-1] {
			continue
		}
		out = append(out, c)
	}
	return out
}
