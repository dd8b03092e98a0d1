package tokenizer

import (
	"strings"
	"unicode/utf8"
)

// buildPiece is llama.cpp's token_to_piece(id, special=true) without lstrip:
// CONTROL, UNKNOWN and USER_DEFINED tokens render as their text, NORMAL tokens
// are decoded (GPT-2 alphabet -> bytes, or U+2581 -> space), BYTE tokens are
// their byte, and anything else renders as nothing.
func (t *Tokenizer) buildPiece(id int32) string {
	attr, text := t.attrs[id], t.texts[id]
	switch {
	case attr&(attrUnknown|attrControl|attrUserDefined) != 0:
		return text
	case attr&attrNormal != 0:
		if t.kind == kindSPM {
			return strings.ReplaceAll(text, "\u2581", " ")
		}
		return decodeTokenText(text)
	case attr&attrByte != 0:
		return string([]byte{hexByte(text)})
	}
	return ""
}

// decodeTokenText is llama.cpp's llama_decode_text: every code point of a
// byte-level token maps back to its byte; code points outside the alphabet
// produce llama.cpp's "[UNK_BYTE_0x..]" marker.
func decodeTokenText(text string) string {
	plain := true // printable ASCII stands for itself
	for i := 0; i < len(text) && plain; i++ {
		plain = text[i] >= 0x21 && text[i] <= 0x7E
	}
	if plain {
		return text
	}
	out := make([]byte, 0, len(text))
	for i := 0; i < len(text); {
		c, n := decodeCpt(text, i)
		i += n
		if b, ok := byteOf(c); ok {
			out = append(out, b)
			continue
		}
		out = append(out, "[UNK_BYTE_0x"...)
		for _, u := range appendCpt(nil, c) {
			out = append(out, "0123456789abcdef"[u>>4], "0123456789abcdef"[u&15])
		}
		out = append(out, text...)
		out = append(out, ']')
	}
	return string(out)
}

// hexByte reads the two hex digits of "<0xXX>" the way strtol does (stopping
// at the first non-digit).
func hexByte(text string) byte {
	if len(text) < 4 {
		return 0
	}
	s := text[3:min(5, len(text))]
	var v byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			v = v<<4 | (c - '0')
		case c >= 'a' && c <= 'f':
			v = v<<4 | (c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			v = v<<4 | (c - 'A' + 10)
		default:
			return v
		}
	}
	return v
}

// piece is token_to_piece(id, special): CONTROL and UNKNOWN tokens render as
// nothing unless special is set. Out-of-range ids render as nothing.
func (t *Tokenizer) piece(id int32, special bool) string {
	if id < 0 || int(id) >= len(t.pieces) {
		return ""
	}
	if !special && t.attrs[id]&(attrUnknown|attrControl) != 0 {
		return ""
	}
	return t.pieces[id]
}

// Piece returns the bytes token id stands for when detokenized (control
// tokens give nothing). The slice must not be modified.
func (t *Tokenizer) Piece(id int32) []byte { return []byte(t.piece(id, false)) }

// PieceString is Piece as a string, without a copy.
func (t *Tokenizer) PieceString(id int32) string { return t.piece(id, false) }

// PieceSpecial is Piece with control tokens rendered as their text.
func (t *Tokenizer) PieceSpecial(id int32) []byte { return []byte(t.piece(id, true)) }

// Decode is llama_detokenize(ids, remove_special=false, unparse_special=false):
// the pieces joined, the space SentencePiece adds before the text removed, and
// for the vocabs llama.cpp cleans (clean_spaces) " ," " ." " 's" ... tidied.
func (t *Tokenizer) Decode(ids []int32) string { return t.Detokenize(ids, false, false) }

// Detokenize is llama.cpp's llama_detokenize: removeSpecial drops a leading
// BOS / trailing EOS the vocab adds; unparseSpecial renders control tokens.
func (t *Tokenizer) Detokenize(ids []int32, removeSpecial, unparseSpecial bool) string {
	return string(t.detokenize(ids, removeSpecial, unparseSpecial, t.cleanSpaces))
}

func (t *Tokenizer) detokenize(ids []int32, removeSpecial, unparseSpecial, clean bool) []byte {
	removeSpace := t.addSpacePrefix
	sp := t.special
	if removeSpecial && sp.AddBOS && len(ids) > 0 && ids[0] == sp.BOS {
		removeSpace = false
		ids = ids[1:]
	}
	if removeSpecial && sp.AddEOS && len(ids) > 0 && ids[len(ids)-1] == sp.EOS {
		ids = ids[:len(ids)-1]
	}
	var text []byte
	for _, id := range ids {
		p := t.piece(id, unparseSpecial)
		if removeSpace && len(p) > 0 && p[0] == ' ' {
			p = p[1:]
		}
		removeSpace = false
		text = append(text, p...)
	}
	if clean {
		text = cleanSpaces(text)
	}
	return text
}

// cleanSpaces is the clean_up_tokenization_spaces pass of llama_detokenize,
// three passes over the bytes exactly as llama.cpp runs them.
func cleanSpaces(text []byte) []byte {
	// " ?" " !" " ." " ,"
	total := len(text)
	n := 0
	if total > 0 {
		n = 1
	}
	for i := 1; i < total; i++ {
		x := text[i]
		if text[i-1] == ' ' && (x == '?' || x == '!' || x == '.' || x == ',') {
			n--
		}
		text[n] = x
		n++
	}
	// " ' " -> "'"
	total = n
	if total > 0 {
		n = 1
	} else {
		n = 0
	}
	for i := 1; i < total; i++ {
		x := text[i]
		if x == '\'' && i+1 < total && text[i-1] == ' ' && text[i+1] == ' ' {
			n--
			i++
			text[i] = 0
		}
		text[n] = x
		n++
	}
	// " 's" " 'm" " 're" " 've"
	total = n
	if total > 0 {
		n = 1
	} else {
		n = 0
	}
	for i := 1; i < total; i++ {
		x := text[i]
		if text[i-1] == ' ' && x == '\'' && i+1 < total {
			x1 := text[i+1]
			if x1 == 's' || x1 == 'm' {
				n--
			} else if x1 != 't' && x1 != 'd' && i+2 < total {
				x2 := text[i+2]
				if (x1 == 'r' && x2 == 'e') || (x1 == 'v' && x2 == 'e') {
					n--
				}
			}
		}
		text[n] = x
		n++
	}
	return text[:n]
}

// StreamDecoder turns generated tokens into text as they come, never splitting
// a UTF-8 sequence: bytes of a character still incomplete are held back until
// a later token completes it. Pieces are joined without the clean-up Decode
// does, which is what llama.cpp's servers stream.
type StreamDecoder struct {
	t       *Tokenizer
	special bool
	pending []byte
}

// NewStreamDecoder returns a decoder that renders control tokens as nothing.
func (t *Tokenizer) NewStreamDecoder() *StreamDecoder { return &StreamDecoder{t: t} }

// SetSpecial makes the decoder render control tokens as their text.
func (d *StreamDecoder) SetSpecial(on bool) { d.special = on }

// Push adds one token and returns the text that is now complete.
func (d *StreamDecoder) Push(id int32) string {
	d.pending = append(d.pending, d.t.piece(id, d.special)...)
	cut := completePrefix(d.pending)
	out := string(d.pending[:cut])
	d.pending = append(d.pending[:0], d.pending[cut:]...)
	return out
}

// Flush returns the bytes still held back (an incomplete UTF-8 sequence at
// the end of the stream), as they are.
func (d *StreamDecoder) Flush() string {
	out := string(d.pending)
	d.pending = d.pending[:0]
	return out
}

// completePrefix returns the length of the longest prefix of b that does not
// end inside a UTF-8 sequence that could still be completed.
func completePrefix(b []byte) int {
	for k := 1; k <= 3 && k <= len(b); k++ {
		i := len(b) - k
		c := b[i]
		if c&0xC0 == 0x80 {
			continue // continuation byte: look further back for the lead
		}
		if c >= 0xC0 && !utf8.FullRune(b[i:]) {
			return i
		}
		return len(b)
	}
	return len(b)
}
