package tokenizer

import (
	"fmt"
	"strings"
)

// bpeModel holds byte-level BPE merges in a form that makes merging cheap.
// Symbols are byte strings (raw bytes, not GPT-2's printable alphabet); each
// distinct string that can appear during merging gets a symbol id. Vocab tokens
// keep their token id as symbol id; strings that only appear as merge results
// but are no token (a malformed but possible vocab) get ids past the vocab.
type bpeModel struct {
	nTokens int
	byteSym [256]int32          // symbol id of each single byte
	merges  map[uint64]bpeMerge // (left sym, right sym) -> merge
	symText []string            // raw bytes of symbols >= nTokens
	raw     map[string]int32    // raw bytes -> token id, for tokens in GPT-2's alphabet
	byText  func(s string) (int32, bool)
}

type bpeMerge struct {
	rank   int32
	result int32
}

func pairKey(l, r int32) uint64 { return uint64(uint32(l))<<32 | uint64(uint32(r)) }

// newBPEModel parses merges ("left right" in GPT-2's alphabet, rank = index).
func newBPEModel(tokens []string, merges []string, byText func(string) (int32, bool)) (*bpeModel, error) {
	m := &bpeModel{nTokens: len(tokens), merges: make(map[uint64]bpeMerge, len(merges)), raw: make(map[string]int32, len(tokens)), byText: byText}
	var buf []byte
	for id, s := range tokens {
		raw, ok := decodeByteLevel(buf[:0], s)
		buf = raw
		if !ok || len(raw) == 0 {
			continue
		}
		if string(raw) == s {
			m.raw[s] = int32(id) // printable ASCII: share the token's string
		} else if _, dup := m.raw[string(raw)]; !dup {
			m.raw[string(raw)] = int32(id)
		}
	}
	sym := func(raw []byte) int32 {
		if id, ok := m.raw[string(raw)]; ok {
			return id
		}
		id := int32(m.nTokens + len(m.symText))
		m.symText = append(m.symText, string(raw))
		m.raw[string(raw)] = id
		return id
	}
	for b := 0; b < 256; b++ {
		m.byteSym[b] = sym([]byte{byte(b)})
	}
	var lbuf, rbuf, both []byte
	for rank, line := range merges {
		// llama.cpp splits at the first space after the first byte.
		sp := -1
		if len(line) > 1 {
			if k := strings.IndexByte(line[1:], ' '); k >= 0 {
				sp = k + 1
			}
		}
		if sp < 0 {
			continue // never matches: llama.cpp stores it as the pair ("", "")
		}
		var okL, okR bool
		lbuf, okL = decodeByteLevel(lbuf[:0], line[:sp])
		rbuf, okR = decodeByteLevel(rbuf[:0], line[sp+1:])
		if !okL || !okR || len(lbuf) == 0 || len(rbuf) == 0 {
			continue // cannot occur in a byte-encoded word
		}
		key := pairKey(sym(lbuf), sym(rbuf))
		if _, dup := m.merges[key]; dup {
			continue // llama.cpp's emplace keeps the first rank
		}
		both = append(append(both[:0], lbuf...), rbuf...)
		m.merges[key] = bpeMerge{rank: int32(rank), result: sym(both)}
	}
	if len(m.symText) > 1<<20 {
		return nil, fmt.Errorf("tokenizer: %d merge results are not tokens", len(m.symText))
	}
	return m, nil
}

// bpeScratch is the per-call state of the merge loop.
type bpeScratch struct {
	sym  []bpeSym
	heap candHeap[bpeCand]
}

type bpeSym struct {
	id         int32
	start, end int32 // byte range in the word
	prev, next int32
}

type bpeCand struct {
	rank        int32
	left, right int32
	lid, rid    int32 // symbol ids when queued (stale check)
}

func (a bpeCand) before(b bpeCand) bool {
	return a.rank < b.rank || (a.rank == b.rank && a.left < b.left)
}

func (m *bpeModel) tryPair(s *bpeScratch, l, r int32) {
	if l < 0 || r < 0 {
		return
	}
	a, b := s.sym[l].id, s.sym[r].id
	if mg, ok := m.merges[pairKey(a, b)]; ok {
		s.heap.push(bpeCand{rank: mg.rank, left: l, right: r, lid: a, rid: b})
	}
}

// encodeWord merges one pre-tokenized word (raw bytes) like llama.cpp's
// llm_tokenizer_bpe_session: always the lowest-rank adjacent pair first, the
// leftmost on ties. It appends the token ids to out.
func (m *bpeModel) encodeWord(s *bpeScratch, word []byte, out []int32) []int32 {
	n := len(word)
	s.sym = s.sym[:0]
	s.heap = s.heap[:0]
	for i := 0; i < n; i++ {
		next := int32(i + 1)
		if i == n-1 {
			next = -1
		}
		s.sym = append(s.sym, bpeSym{id: m.byteSym[word[i]], start: int32(i), end: int32(i + 1), prev: int32(i - 1), next: next})
	}
	for i := 1; i < n; i++ {
		m.tryPair(s, int32(i-1), int32(i))
	}
	for len(s.heap) > 0 {
		c := s.heap.pop()
		L, R := &s.sym[c.left], &s.sym[c.right]
		if L.end == L.start || R.end == R.start || L.id != c.lid || R.id != c.rid {
			continue // stale: one side has changed since it was queued
		}
		L.id = m.merges[pairKey(c.lid, c.rid)].result
		L.end = R.end
		R.start = R.end
		L.next = R.next
		if R.next >= 0 {
			s.sym[R.next].prev = c.left
		}
		m.tryPair(s, L.prev, c.left)
		m.tryPair(s, c.left, L.next)
	}
	for i := int32(0); i >= 0 && n > 0; i = s.sym[i].next {
		sy := &s.sym[i]
		if sy.id < int32(m.nTokens) {
			out = append(out, sy.id)
			continue
		}
		out = m.fallback(word[sy.start:sy.end], out)
	}
	return out
}

// fallback is llama.cpp's answer for a merged string that is no token: each
// byte of the GPT-2-encoded string is looked up as a one-byte token text, and
// bytes without one are dropped.
func (m *bpeModel) fallback(raw []byte, out []int32) []int32 {
	var enc []byte
	for _, b := range raw {
		enc = appendCpt(enc[:0], byteToRune[b])
		for _, e := range enc {
			if id, ok := m.byText(string([]byte{e})); ok {
				out = append(out, id)
			}
		}
	}
	return out
}
