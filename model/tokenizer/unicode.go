package tokenizer

import (
	"sync"
	"unicode"
)

// Code point flags, laid out like llama.cpp's unicode_cpt_flags so that the
// scanners below read like the reference. A code point has exactly one of the
// category bits (undefined for unassigned code points) plus, maybe, fWS.
const (
	fUndef   uint16 = 0x0001 // unassigned (Cn) or beyond U+10FFFF
	fNumber  uint16 = 0x0002 // \p{N}
	fLetter  uint16 = 0x0004 // \p{L}
	fSep     uint16 = 0x0008 // \p{Z}
	fMark    uint16 = 0x0010 // \p{M}
	fPunct   uint16 = 0x0020 // \p{P}
	fSymbol  uint16 = 0x0040 // \p{S}
	fControl uint16 = 0x0080 // \p{C} (Cc, Cf, Co, Cs)
	fWS      uint16 = 0x0100 // Unicode White_Space (what llama.cpp calls is_whitespace)
)

// maxCodepoint is one past the largest value llama.cpp's lenient UTF-8 decoder
// can produce (4-byte sequences are not range checked).
const maxCodepoint = 0x200000

// bmpFlags holds the flags of every code point below U+10000; astral code
// points are classified on demand (they are rare in source code).
var (
	bmpOnce  sync.Once
	bmpTable []uint16
)

func bmpFlags() []uint16 {
	bmpOnce.Do(func() {
		t := make([]uint16, 0x10000)
		fill := func(tab *unicode.RangeTable, f uint16) {
			for _, r := range tab.R16 {
				for c := uint32(r.Lo); c <= uint32(r.Hi); c += uint32(r.Stride) {
					t[c] |= f
				}
			}
		}
		fill(unicode.N, fNumber)
		fill(unicode.L, fLetter)
		fill(unicode.Z, fSep)
		fill(unicode.M, fMark)
		fill(unicode.P, fPunct)
		fill(unicode.S, fSymbol)
		// \p{C} without Cn: Go's unicode.C includes unassigned code points,
		// which llama.cpp flags as undefined.
		fill(unicode.Cc, fControl)
		fill(unicode.Cf, fControl)
		fill(unicode.Co, fControl)
		fill(unicode.Cs, fControl)
		// Unicode 15.1 additions that Go's 15.0 tables lack (llama.cpp's table is newer).
		for c := 0x2FFC; c <= 0x2FFF; c++ {
			t[c] = fSymbol
		}
		t[0x31EF] = fSymbol
		for c := range t {
			if t[c] == 0 {
				t[c] = fUndef
			}
		}
		fill(unicode.White_Space, fWS)
		bmpTable = t
	})
	return bmpTable
}

// cptFlags classifies one code point the way llama.cpp's unicode_cpt_flags_from_cpt does.
func cptFlags(c rune) uint16 {
	if c >= 0 && c < 0x80 {
		return asciiFlags[c]
	}
	if c < 0 {
		return fUndef
	}
	if c < 0x10000 {
		return bmpFlags()[c]
	}
	if c > unicode.MaxRune {
		return fUndef
	}
	switch {
	case unicode.Is(unicode.L, c):
		return fLetter
	case unicode.Is(unicode.N, c):
		return fNumber
	case unicode.Is(unicode.M, c):
		return fMark
	case unicode.Is(unicode.S, c):
		return fSymbol
	case unicode.Is(unicode.P, c):
		return fPunct
	case unicode.In(c, unicode.Cc, unicode.Cf, unicode.Co, unicode.Cs):
		return fControl
	case unicode.Is(unicode.Z, c):
		return fSep
	case c >= 0x2EBF0 && c <= 0x2EE5D: // CJK Extension I (Unicode 15.1)
		return fLetter
	}
	return fUndef
}

// asciiFlags caches the flags of ASCII, the common case.
var asciiFlags = func() (t [128]uint16) {
	for c := range t {
		t[c] = bmpFlags()[c]
	}
	return t
}()

// utf8Len is llama.cpp's unicode_len_utf8: the sequence length announced by a
// lead byte, looked up by its high nibble (continuation bytes count as 1).
func utf8Len(b byte) int {
	switch b >> 4 {
	case 0xC, 0xD:
		return 2
	case 0xE:
		return 3
	case 0xF:
		return 4
	}
	return 1
}

// decodeCpt decodes one code point at s[i:] with llama.cpp's lenient rules
// (unicode_cpt_from_utf8): overlong forms and surrogates are accepted, 4-byte
// forms are not range checked, and anything malformed yields U+FFFD for one
// byte. It returns the code point and the number of bytes consumed.
func decodeCpt(s string, i int) (rune, int) {
	b0 := s[i]
	if b0 < 0x80 {
		return rune(b0), 1
	}
	cont := func(k int) bool { return i+k < len(s) && s[i+k]&0xC0 == 0x80 }
	switch {
	case b0&0x40 == 0:
		return 0xFFFD, 1
	case b0&0x20 == 0:
		if !cont(1) {
			return 0xFFFD, 1
		}
		return rune(b0&0x1F)<<6 | rune(s[i+1]&0x3F), 2
	case b0&0x10 == 0:
		if !cont(1) || !cont(2) {
			return 0xFFFD, 1
		}
		return rune(b0&0x0F)<<12 | rune(s[i+1]&0x3F)<<6 | rune(s[i+2]&0x3F), 3
	case b0&0x08 == 0:
		if !cont(1) || !cont(2) || !cont(3) {
			return 0xFFFD, 1
		}
		return rune(b0&0x07)<<18 | rune(s[i+1]&0x3F)<<12 | rune(s[i+2]&0x3F)<<6 | rune(s[i+3]&0x3F), 4
	}
	return 0xFFFD, 1
}

// appendCpt appends the UTF-8 form of c the way llama.cpp's unicode_cpt_to_utf8
// does: surrogates are encoded like any other value. Values beyond U+10FFFF,
// which make llama.cpp throw, become U+FFFD.
func appendCpt(dst []byte, c rune) []byte {
	switch {
	case c >= 0 && c <= 0x7F:
		return append(dst, byte(c))
	case c >= 0x80 && c <= 0x7FF:
		return append(dst, 0xC0|byte(c>>6), 0x80|byte(c&0x3F))
	case c >= 0x800 && c <= 0xFFFF:
		return append(dst, 0xE0|byte(c>>12), 0x80|byte(c>>6&0x3F), 0x80|byte(c&0x3F))
	case c >= 0x10000 && c <= 0x10FFFF:
		return append(dst, 0xF0|byte(c>>18), 0x80|byte(c>>12&0x3F), 0x80|byte(c>>6&0x3F), 0x80|byte(c&0x3F))
	}
	return append(dst, 0xEF, 0xBF, 0xBD)
}

// byteToRune is GPT-2's reversible byte -> printable code point mapping:
// printable Latin-1 bytes map to themselves, the other 68 bytes to U+0100...
// runeToByte is its inverse, -1 for code points outside the alphabet.
var byteToRune, runeToByte = gpt2ByteMaps()

func gpt2ByteMaps() ([256]rune, [256 + 68]int16) {
	var b2r [256]rune
	var r2b [256 + 68]int16
	for i := range r2b {
		r2b[i] = -1
	}
	printable := func(b int) bool {
		return (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF)
	}
	n := 0
	for b := 0; b < 256; b++ {
		if printable(b) {
			b2r[b] = rune(b)
		} else {
			b2r[b] = rune(256 + n)
			n++
		}
		r2b[b2r[b]] = int16(b)
	}
	return b2r, r2b
}

// byteOf returns the byte a GPT-2 alphabet code point stands for.
func byteOf(c rune) (byte, bool) {
	if c < 0 || int(c) >= len(runeToByte) || runeToByte[c] < 0 {
		return 0, false
	}
	return byte(runeToByte[c]), true
}

// EncodeBytes maps raw bytes to GPT-2's byte-level alphabet (the form in which
// byte-level BPE vocabularies store their tokens and merges).
func EncodeBytes(b []byte) string {
	out := make([]byte, 0, len(b)*2)
	for _, c := range b {
		out = appendCpt(out, byteToRune[c])
	}
	return string(out)
}

// decodeByteLevel maps a token text in GPT-2's alphabet back to raw bytes. ok is
// false if the text holds a code point outside the alphabet (such tokens, e.g.
// added tokens with raw Unicode text, can never be produced by BPE merging).
// The result is appended to dst.
func decodeByteLevel(dst []byte, s string) (raw []byte, ok bool) {
	raw = dst
	for i := 0; i < len(s); {
		c, n := decodeCpt(s, i)
		i += n
		b, found := byteOf(c)
		if !found {
			return dst, false
		}
		raw = append(raw, b)
	}
	return raw, true
}
