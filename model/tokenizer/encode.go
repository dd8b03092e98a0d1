package tokenizer

import "strings"

// encodeScratch holds the buffers of one Encode call.
type encodeScratch struct {
	frags []fragment
	tmp   []fragment
	split splitScratch
	bpe   bpeScratch
	spm   spmScratch
	buf   []byte
}

// fragment is a piece of the input after special-token splitting: either a
// token (id >= 0) or raw text [start, end).
type fragment struct {
	id         int32
	start, end int
}

// maxCachedWord bounds the BPE word cache entries (bytes per word, words).
const (
	maxCachedWord = 64
	maxCacheSize  = 1 << 16
)

// Encode tokenizes text like llama_tokenize(text, addSpecial, parseSpecial):
// addSpecial adds BOS/EOS as the vocab asks (add_bos_token/add_eos_token);
// parseSpecial lets the text of CONTROL tokens become those tokens
// (USER_DEFINED tokens are always matched). Invalid UTF-8 is handled as
// llama.cpp does (U+FFFD for BPE, byte tokens for SentencePiece).
func (t *Tokenizer) Encode(text string, addSpecial, parseSpecial bool) []int32 {
	sc := t.scratch.Get().(*encodeScratch)
	defer t.scratch.Put(sc)
	frags := t.partition(sc, text, parseSpecial)
	out := make([]int32, 0, len(text)/3+2)
	sp := t.special
	if addSpecial && sp.AddBOS {
		out = append(out, sp.BOS)
	}
	switch t.kind {
	case kindSPM:
		prevSpecial := true
		for _, f := range frags {
			if f.id >= 0 {
				out = append(out, f.id)
				prevSpecial = true
				continue
			}
			b := sc.buf[:0]
			if t.addSpacePrefix && prevSpecial {
				b = append(b, "\xe2\x96\x81"...)
			}
			for i := f.start; i < f.end; i++ {
				if c := text[i]; c == ' ' {
					b = append(b, "\xe2\x96\x81"...)
				} else {
					b = append(b, c)
				}
			}
			sc.buf = b
			out = t.encodeSPM(&sc.spm, string(b), out, true)
			prevSpecial = false
		}
	case kindBPE:
		// One lock for the whole text: the word cache is consulted for every
		// word, and encoding a file takes well under a millisecond.
		t.cacheMu.Lock()
		defer t.cacheMu.Unlock()
		for _, f := range frags {
			if f.id >= 0 {
				out = append(out, f.id)
				continue
			}
			t.split.split(&sc.split, text[f.start:f.end], func(w []byte) {
				out = t.encodeBPEWord(&sc.bpe, w, out)
			})
		}
	}
	if addSpecial && sp.AddEOS {
		out = append(out, sp.EOS)
	}
	return out
}

// encodeBPEWord encodes one pre-tokenized word, through the word cache
// (t.cacheMu held).
func (t *Tokenizer) encodeBPEWord(s *bpeScratch, w []byte, out []int32) []int32 {
	if t.ignoreMerges {
		if id, ok := t.bpe.raw[string(w)]; ok && int(id) < len(t.texts) {
			return append(out, id)
		}
	}
	if len(w) == 1 {
		if id := t.bpe.byteSym[w[0]]; int(id) < len(t.texts) {
			return append(out, id)
		}
	}
	if len(w) > maxCachedWord {
		return t.bpe.encodeWord(s, w, out)
	}
	ids, ok := t.cache[string(w)]
	if ok {
		return append(out, ids...)
	}
	n := len(out)
	out = t.bpe.encodeWord(s, w, out)
	ids = append([]int32(nil), out[n:]...)
	if len(t.cache) >= maxCacheSize {
		clear(t.cache)
	}
	t.cache[string(w)] = ids
	return out
}

// partition splits text at the special tokens, like llama.cpp's
// tokenizer_st_partition: the special tokens are taken longest first, and
// each splits every raw fragment at all its (leftmost, non-overlapping)
// occurrences. CONTROL and UNKNOWN tokens only count when parseSpecial is set.
// LSTRIP/RSTRIP tokens eat the whitespace next to them.
func (t *Tokenizer) partition(sc *encodeScratch, text string, parseSpecial bool) []fragment {
	frags := sc.frags[:0]
	if text == "" {
		sc.frags = frags
		return frags
	}
	frags = append(frags, fragment{id: -1, start: 0, end: len(text)})
	for _, id := range t.partList {
		attr := t.attrs[id]
		if !parseSpecial && attr&(attrControl|attrUnknown) != 0 {
			continue
		}
		tok := t.texts[id]
		if !strings.Contains(text, tok) {
			continue
		}
		next := sc.tmp[:0]
		for _, f := range frags {
			if f.id >= 0 {
				next = append(next, f)
				continue
			}
			off, end := f.start, f.end
			for {
				k := strings.Index(text[off:end], tok)
				if k < 0 {
					if end > off {
						next = append(next, fragment{id: -1, start: off, end: end})
					}
					break
				}
				m := off + k
				if m > off {
					l := m
					if attr&attrLStrip != 0 {
						for l > off && isCSpace(text[l-1]) {
							l--
						}
					}
					if l > off {
						next = append(next, fragment{id: -1, start: off, end: l})
					}
				}
				next = append(next, fragment{id: id, start: m, end: m + len(tok)})
				off = m + len(tok)
				if off >= end {
					break
				}
				if attr&attrRStrip != 0 {
					for off < end && isCSpace(text[off]) {
						off++
					}
				}
			}
		}
		sc.tmp = frags
		frags = next
	}
	sc.frags = frags
	return frags
}

// isCSpace is C's isspace in the "C" locale.
func isCSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}
