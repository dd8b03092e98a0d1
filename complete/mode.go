package complete

import (
	"strings"

	"github.com/weft-dev/weft/grammars"
)

// decideMultiline chooses between a single-line and a multi-line completion.
//
// "auto" follows what a programmer at that spot is about to write:
//   - inside a comment or string, or with code after the cursor on its line: finish this line only;
//   - in an empty block or body ("func f() {|}", an indented line under "def f():"), right after a
//     block opener at the end of a line, or on an empty line after an opener or a comment line: a
//     block of code, several lines;
//   - otherwise (end of a line of code, an empty line between statements): one line.
func decideMultiline(mode string, cur grammars.Cursor, text []byte, indentBlocks bool) bool {
	switch mode {
	case MultilineAlways:
		return true
	case MultilineNever:
		return false
	}
	off := cur.Offset
	ls := lineStart(text, off)
	linePrefix := string(text[ls:off])
	if cur.InComment || cur.InString {
		return false
	}
	if cur.AtEmptyBlock {
		return true
	}
	if !isBlank(string(text[off:lineEnd(text, off)])) {
		return false // code after the cursor, even just "}" or ")": finish this line
	}
	if opensBody(linePrefix, indentBlocks) {
		return true
	}
	if isBlank(linePrefix) {
		prev := prevNonBlankLine(text, ls)
		if opensBody(prev, indentBlocks) {
			return true
		}
		if t := strings.TrimSpace(prev); t != "" && isCommentLine(t) {
			// A comment line just above an empty line usually says what comes next.
			return true
		}
	}
	return false
}

// opensBody reports whether a line ends by opening a block of statements or declarations: '{', or ':'
// in Python. An open '(' or '[' starts an argument or element list, which is usually one line.
func opensBody(line string, indentBlocks bool) bool {
	t := strings.TrimRight(stripLineComment(line), " \t\r")
	return strings.HasSuffix(t, "{") || indentBlocks && strings.HasSuffix(t, ":")
}

// isCommentLine reports whether a trimmed line is a comment in one of the supported languages.
func isCommentLine(t string) bool {
	return strings.HasPrefix(t, "//") || strings.HasPrefix(t, "#") || strings.HasPrefix(t, "/*") ||
		strings.HasPrefix(t, "*") || strings.HasPrefix(t, `"""`)
}

// prevNonBlankLine returns the last non-blank line before the line starting at ls ("" if none).
func prevNonBlankLine(text []byte, ls int) string {
	for ls > 0 {
		ps := lineStart(text, ls-1)
		line := string(text[ps : ls-1])
		if !isBlank(line) {
			return line
		}
		ls = ps
	}
	return ""
}

// openBrackets returns how many brackets text opens and leaves unclosed (never negative), ignoring
// those in strings and comments (C-like lexing: // and /* */ comments, and the three quote characters). A
// document whose brackets are balanced closes every block the cursor is in, so a completion must not
// close one again; with unclosed brackets, it may.
func openBrackets(text []byte) int { return len(unclosedBrackets(text, nil)) }

// unclosedBrackets appends to stack the brackets text leaves open, innermost last, lexing as
// openBrackets does; a closing bracket with nothing open is ignored.
func unclosedBrackets(text []byte, stack []byte) []byte {
	var quote, prev byte
	lineCmt, blockCmt, escape := false, false, false
	for _, c := range text {
		switch {
		case c == '\n':
			lineCmt = false
			if quote == '"' || quote == '\'' {
				quote = 0 // unterminated literal; resynchronise at the line end
			}
		case lineCmt:
		case blockCmt:
			if prev == '*' && c == '/' {
				blockCmt = false
				c = 0
			}
		case quote != 0:
			if escape {
				escape = false
			} else if c == '\\' {
				escape = true
			} else if c == quote {
				quote = 0
			}
		case c == '/' && prev == '/':
			lineCmt = true
		case c == '*' && prev == '/':
			blockCmt = true
			c = 0
		case c == '"' || c == '\'' || c == '`':
			quote = c
		case c == '{' || c == '(' || c == '[':
			stack = append(stack, c)
		case c == '}' || c == ')' || c == ']':
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		}
		prev = c
	}
	return stack
}
