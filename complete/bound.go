package complete

import (
	"bytes"
	"errors"
	"unicode/utf8"
)

// Bounds on the work of one request. A keystroke in a 5 MB file, or in a buffer of binary bytes
// opened as code, must be answered as quickly as one in a small file: the engine parses, windows and
// tokenizes only a bounded window of text around the cursor, and declines text that is not code.
const (
	// maxWholeText is the largest document handled whole; above it the engine works on a window.
	maxWholeText = 64 << 10
	// windowBefore and windowAfter bound the window: it starts between windowBefore and
	// windowBefore+windowAlign bytes before the cursor and ends windowAfter bytes after it (both moved
	// to the nearest line boundary within lineSlack bytes).
	windowBefore = 48 << 10
	windowAfter  = 16 << 10
	// windowAlign is the granularity of the window's start: it stays put while the user types, so
	// each keystroke re-parses incrementally and the KV cache keeps serving the prompt.
	windowAlign = 16 << 10
	// maxLineBytes bounds the cursor's line: a longer one (minified code, a data blob) cannot be
	// put in a prompt and is declined.
	maxLineBytes = 8 << 10
	// errorDensity: in text with more than one syntax error per errorDensity bytes (and more than
	// minErrors in all), such as JSON opened as Go, candidates skip the syntax check (Engine.pick).
	errorDensity = 64
	minErrors    = 64
	// Text with more than one syntax error per garbageDensity bytes (and over minGarbage in all) is
	// not code in the document's language at all, and is declined; code being edited has far fewer
	// (a half-typed function in an 8 KB Go file: one per 100 bytes).
	garbageDensity = 16
	minGarbage     = 256
	lineSlack      = 4 << 10
	// sniffBytes is how much text either side of the cursor is looked at to decide it is code.
	sniffBytes = 4 << 10
)

// ErrNotCode is returned (wrapped, with the reason) for a request whose text around the cursor is not
// code: binary bytes, a line too long for a prompt, or text that does not parse in the document's
// language at all. Parsing, tokenizing and checking such text costs a lot and gives nothing.
var ErrNotCode = errors.New("not code")

// textWindow returns the part of text, [start, end), that a request at off works on: all of it up to
// maxWholeText bytes, else a window around off cut at line boundaries (or, in a file without line
// breaks nearby, at UTF-8 character boundaries).
func textWindow(text []byte, off int) (start, end int) {
	if len(text) <= maxWholeText {
		return 0, len(text)
	}
	start = max(off-windowBefore, 0) / windowAlign * windowAlign
	if start > 0 {
		if i := bytes.IndexByte(text[start:min(start+lineSlack, off)], '\n'); i >= 0 {
			start += i + 1
		} else {
			for start < off && !utf8.RuneStart(text[start]) {
				start++
			}
		}
	}
	end = min(off+windowAfter, len(text))
	if end < len(text) {
		if i := bytes.LastIndexByte(text[max(end-lineSlack, off):end], '\n'); i >= 0 {
			end = max(end-lineSlack, off) + i + 1
		} else {
			for end > off && !utf8.RuneStart(text[end]) {
				end--
			}
		}
	}
	return start, end
}

// looksBinary reports whether the text within sniffBytes of off is not code: it holds a NUL byte, or
// more than one byte in 32 is a control character other than tab, line feed, carriage return and form
// feed, or part of an invalid UTF-8 sequence.
func looksBinary(text []byte, off int) bool {
	s := text[max(off-sniffBytes, 0):min(off+sniffBytes, len(text))]
	bad := 0
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == 0:
			return true
		case c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f', c == 0x7f:
			bad++
			i++
		case c < utf8.RuneSelf:
			i++
		default:
			r, n := utf8.DecodeRune(s[i:])
			if r == utf8.RuneError && n == 1 && i+utf8.UTFMax <= len(s) && i >= utf8.UTFMax {
				bad++ // an invalid sequence, not one cut by the sniffed range's edges
			}
			i += n
		}
	}
	return bad*32 > len(s)
}

// lineTooLong reports whether the line holding off is longer than maxLineBytes.
func lineTooLong(text []byte, off int) bool {
	start := bytes.LastIndexByte(text[max(off-maxLineBytes-1, 0):off], '\n')
	if start < 0 && off > maxLineBytes {
		return true
	}
	end := bytes.IndexByte(text[off:min(off+maxLineBytes+1, len(text))], '\n')
	if end < 0 && len(text)-off > maxLineBytes {
		return true
	}
	lineStart := max(off-maxLineBytes-1, 0) + start + 1
	lineEnd := len(text)
	if end >= 0 {
		lineEnd = off + end
	}
	return lineEnd-lineStart > maxLineBytes
}
