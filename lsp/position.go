package lsp

import (
	"fmt"
	"sort"
	"unicode/utf8"

	"go.lsp.dev/protocol"
)

// Encoding is the unit in which LSP positions count characters within a line.
// It is negotiated once at initialize (client capability
// general.positionEncodings) and fixed for the connection.
type Encoding int

const (
	// UTF16 counts UTF-16 code units: the LSP default and the only encoding
	// every client must support. A character outside the BMP (an emoji) is
	// two units.
	UTF16 Encoding = iota
	// UTF8 counts bytes, so positions map to byte offsets without decoding.
	UTF8
)

// String returns the encoding's LSP name.
func (e Encoding) String() string {
	if e == UTF8 {
		return string(protocol.PositionEncodingKindUTF8)
	}
	return string(protocol.PositionEncodingKindUTF16)
}

// negotiateEncoding picks utf-8 when the client offers it (positions are then
// byte offsets, the unit the rest of weft speaks) and falls back to the
// mandatory utf-16 otherwise.
func negotiateEncoding(offered []protocol.PositionEncodingKind) Encoding {
	for _, k := range offered {
		if k == protocol.PositionEncodingKindUTF8 {
			return UTF8
		}
	}
	return UTF16
}

// lineIndex holds the byte offset at which every line of a text starts. LSP
// treats "\n", "\r\n" and a lone "\r" as line terminators, so all three end a
// line here.
type lineIndex []int

func newLineIndex(text []byte) lineIndex {
	idx := lineIndex{0}
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '\n':
			idx = append(idx, i+1)
		case '\r':
			if i+1 < len(text) && text[i+1] == '\n' {
				i++
			}
			idx = append(idx, i+1)
		}
	}
	return idx
}

// lineEnd returns the byte offset where line's content ends (before its
// terminator) in text.
func (idx lineIndex) lineEnd(text []byte, line int) int {
	end := len(text)
	if line+1 < len(idx) {
		end = idx[line+1]
	}
	start := idx[line]
	if end > start && text[end-1] == '\n' {
		end--
	}
	if end > start && text[end-1] == '\r' {
		end--
	}
	return end
}

// offset converts an LSP position to a byte offset into text. Positions past
// the end of a line clamp to the line's end and lines past the end of the
// text clamp to the end of the text, as the specification asks. A UTF-16
// position inside a surrogate pair rounds down to the start of that
// character, since a byte offset cannot split a UTF-8 sequence.
func (idx lineIndex) offset(text []byte, enc Encoding, pos protocol.Position) int {
	line := int(pos.Line)
	if line >= len(idx) {
		return len(text)
	}
	start, end := idx[line], idx.lineEnd(text, line)
	want := int(pos.Character)
	if enc == UTF8 {
		off := min(start+want, end)
		// Do not split a UTF-8 sequence either: back up to a rune start.
		for off > start && off < end && !utf8.RuneStart(text[off]) {
			off--
		}
		return off
	}
	units := 0
	for off := start; off < end; {
		r, size := utf8.DecodeRune(text[off:])
		n := 1
		if r >= 0x10000 {
			n = 2
		}
		if units+n > want {
			return off
		}
		units += n
		off += size
	}
	return end
}

// position converts a byte offset into text to an LSP position. An offset
// inside a UTF-8 sequence is treated as the start of that sequence.
func (idx lineIndex) position(text []byte, enc Encoding, off int) protocol.Position {
	off = max(0, min(off, len(text)))
	line := sort.Search(len(idx), func(i int) bool { return idx[i] > off }) - 1
	start := idx[line]
	// An offset between "\r" and "\n" belongs to the line's end.
	off = min(off, idx.lineEnd(text, line))
	if enc == UTF8 {
		for off > start && off < len(text) && !utf8.RuneStart(text[off]) {
			off--
		}
		return protocol.Position{Line: uint32(line), Character: uint32(off - start)}
	}
	units := 0
	for p := start; p < off; {
		r, size := utf8.DecodeRune(text[p:])
		if p+size > off {
			break // off points inside this sequence
		}
		if r >= 0x10000 {
			units += 2
		} else {
			units++
		}
		p += size
	}
	return protocol.Position{Line: uint32(line), Character: uint32(units)}
}

// rangeOffsets converts an LSP range to a byte range, rejecting a range
// whose end precedes its start.
func (idx lineIndex) rangeOffsets(text []byte, enc Encoding, r protocol.Range) (start, end int, err error) {
	start = idx.offset(text, enc, r.Start)
	end = idx.offset(text, enc, r.End)
	if end < start {
		return 0, 0, fmt.Errorf("range end %d:%d precedes start %d:%d",
			r.End.Line, r.End.Character, r.Start.Line, r.Start.Character)
	}
	return start, end, nil
}

// OffsetOf converts an LSP position in text to a byte offset, using the given
// encoding. It is the function lsp applies at the door; exported for tests and
// tools that need the same mapping.
func OffsetOf(text []byte, enc Encoding, pos protocol.Position) int {
	return newLineIndex(text).offset(text, enc, pos)
}

// PositionOf converts a byte offset in text to an LSP position.
func PositionOf(text []byte, enc Encoding, off int) protocol.Position {
	return newLineIndex(text).position(text, enc, off)
}
