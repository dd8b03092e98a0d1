package lsp

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"go.lsp.dev/protocol"
)

func TestOffsetOf(t *testing.T) {
	const text = "héllo\r\n😀x\rlast"
	// bytes: h0 é1-2 l3 l4 o5 \r6 \n7 | 😀8-11 x12 \r13 | l14 a15 s16 t17
	tests := []struct {
		name string
		enc  Encoding
		pos  protocol.Position
		want int
	}{
		{"start", UTF16, pos(0, 0), 0},
		{"after é utf16", UTF16, pos(0, 2), 3},
		{"after é utf8", UTF8, pos(0, 3), 3},
		{"inside é utf8 rounds down", UTF8, pos(0, 2), 1},
		{"line end clamps before CRLF", UTF16, pos(0, 99), 6},
		{"second line start", UTF16, pos(1, 0), 8},
		{"inside surrogate pair rounds down", UTF16, pos(1, 1), 8},
		{"after emoji utf16", UTF16, pos(1, 2), 12},
		{"after emoji utf8", UTF8, pos(1, 4), 12},
		{"lone CR ends a line", UTF16, pos(2, 1), 15},
		{"past last line clamps to end", UTF16, pos(9, 0), 18},
		{"end of last line", UTF8, pos(2, 4), 18},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := OffsetOf([]byte(text), tt.enc, tt.pos); got != tt.want {
				t.Errorf("OffsetOf(%v, %v) = %d, want %d", tt.enc, tt.pos, got, tt.want)
			}
		})
	}
}

func pos(line, char uint32) protocol.Position { return protocol.Position{Line: line, Character: char} }

// referencePosition computes the LSP position of byte offset off
// independently of lineIndex: split into lines with strings.Split on "\n"
// (the random texts below have no "\r"), then count UTF-16 units with
// unicode/utf16 or bytes.
func referencePosition(text string, enc Encoding, off int) protocol.Position {
	lines := strings.Split(text[:off], "\n")
	last := lines[len(lines)-1]
	col := len(last)
	if enc == UTF16 {
		col = len(utf16.Encode([]rune(last)))
	}
	return pos(uint32(len(lines)-1), uint32(col))
}

// TestPositionRoundTrip checks, on random texts mixing ASCII, Latin,
// CJK and astral characters, that every rune boundary maps to the position
// the reference computes and back.
func TestPositionRoundTrip(t *testing.T) {
	alphabet := []rune{'a', 'b', ' ', '\n', 'é', 'ß', '中', '😀', '𝄞', '\t'}
	r := rand.New(rand.NewPCG(1, 2))
	for iter := range 200 {
		var sb strings.Builder
		for range r.IntN(40) {
			sb.WriteRune(alphabet[r.IntN(len(alphabet))])
		}
		text := sb.String()
		b := []byte(text)
		idx := newLineIndex(b)
		for _, enc := range []Encoding{UTF16, UTF8} {
			for off := 0; off <= len(b); off++ {
				if off < len(b) && !utf8.RuneStart(b[off]) {
					continue
				}
				want := referencePosition(text, enc, off)
				if got := idx.position(b, enc, off); got != want {
					t.Fatalf("iter %d %v: position(%q, %d) = %v, want %v", iter, enc, text, off, got, want)
				}
				if got := idx.offset(b, enc, want); got != off {
					t.Fatalf("iter %d %v: offset(%q, %v) = %d, want %d", iter, enc, text, want, got, off)
				}
			}
		}
	}
}

func TestNegotiateEncoding(t *testing.T) {
	tests := []struct {
		offered []protocol.PositionEncodingKind
		want    Encoding
	}{
		{nil, UTF16},
		{[]protocol.PositionEncodingKind{"utf-16"}, UTF16},
		{[]protocol.PositionEncodingKind{"utf-32", "utf-16"}, UTF16},
		{[]protocol.PositionEncodingKind{"utf-16", "utf-8"}, UTF8},
	}
	for _, tt := range tests {
		if got := negotiateEncoding(tt.offered); got != tt.want {
			t.Errorf("negotiateEncoding(%v) = %v, want %v", tt.offered, got, tt.want)
		}
	}
}
