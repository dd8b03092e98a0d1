package eval

import "strings"

// lineStart returns the offset of the first byte of the line holding off.
func lineStart(text []byte, off int) int {
	for off > 0 && text[off-1] != '\n' {
		off--
	}
	return off
}

// leadingWS returns the blanks (spaces and tabs) that begin s.
func leadingWS(s string) string {
	return s[:len(s)-len(strings.TrimLeft(s, " \t"))]
}

func isBlank(s string) bool { return strings.TrimSpace(s) == "" }
