package tokenizer

// SentencePiece (tokenizer.ggml.model = "llama") as llama.cpp's
// llm_tokenizer_spm_session runs it: the text (spaces already replaced by
// U+2581) is cut into UTF-8 characters, then the adjacent pair whose
// concatenation is the vocab token with the highest score is merged, again and
// again (the leftmost on ties). Characters that end up as no token are emitted
// as byte tokens <0xXX>.

type spmScratch struct {
	starts []int
	sym    []spmSym
	heap   candHeap[spmCand]
}

type spmSym struct {
	start, n   int32
	prev, next int32
}

type spmCand struct {
	score       float32
	left, right int32
	size        int32
}

func (a spmCand) before(b spmCand) bool {
	return a.score > b.score || (a.score == b.score && a.left < b.left)
}

func (t *Tokenizer) spmTryPair(s *spmScratch, text string, l, r int32) {
	if l < 0 || r < 0 {
		return
	}
	a, b := s.sym[l], s.sym[r]
	piece := text[a.start : a.start+a.n+b.n]
	id, ok := t.byText[piece]
	if !ok {
		return
	}
	s.heap.push(spmCand{score: t.scores[id], left: l, right: r, size: a.n + b.n})
}

// encodeSPM appends the tokens of text (already whitespace-escaped) to out.
//
// llama.cpp merges the whole text in one priority queue. A symbol that is a
// single "isolated" byte (one that no multi-byte token contains, typically
// '\n') can never merge, so the symbols on either side of it never interact:
// merging each stretch between isolated symbols on its own gives the same
// tokens with much smaller queues. segment=false runs the plain algorithm.
func (t *Tokenizer) encodeSPM(s *spmScratch, text string, out []int32, segment bool) []int32 {
	starts := s.starts[:0]
	for off := 0; off < len(text); off += min(utf8Len(text[off]), len(text)-off) {
		starts = append(starts, off)
	}
	starts = append(starts, len(text))
	s.starts = starts
	nsym := len(starts) - 1
	first := 0
	if segment {
		for i := 0; i < nsym; i++ {
			if a := starts[i]; starts[i+1]-a == 1 && t.spmIsolated[text[a]] {
				out = t.spmMerge(s, text, starts[first:i+1], out)
				out = t.spmEmit(text[a:a+1], out)
				first = i + 1
			}
		}
	}
	return t.spmMerge(s, text, starts[first:], out)
}

// spmMerge runs the merge loop over the symbols [starts[k], starts[k+1]).
func (t *Tokenizer) spmMerge(s *spmScratch, text string, starts []int, out []int32) []int32 {
	n := len(starts) - 1
	if n <= 0 {
		return out
	}
	s.sym = s.sym[:0]
	s.heap = s.heap[:0]
	for i := 0; i < n; i++ {
		next := int32(i + 1)
		if i == n-1 {
			next = -1
		}
		s.sym = append(s.sym, spmSym{start: int32(starts[i]), n: int32(starts[i+1] - starts[i]), prev: int32(i - 1), next: next})
	}
	for i := 1; i < n; i++ {
		t.spmTryPair(s, text, int32(i-1), int32(i))
	}
	for len(s.heap) > 0 {
		c := s.heap.pop()
		L, R := &s.sym[c.left], &s.sym[c.right]
		if L.n == 0 || R.n == 0 || L.n+R.n != c.size {
			continue
		}
		L.n += R.n
		R.n = 0
		L.next = R.next
		if R.next >= 0 {
			s.sym[R.next].prev = c.left
		}
		t.spmTryPair(s, text, L.prev, c.left)
		t.spmTryPair(s, text, c.left, L.next)
	}
	for i := int32(0); i >= 0; i = s.sym[i].next {
		sy := s.sym[i]
		out = t.spmEmit(text[sy.start:sy.start+sy.n], out)
	}
	return out
}

// spmEmit outputs a final symbol: its token, or its bytes as byte tokens.
func (t *Tokenizer) spmEmit(piece string, out []int32) []int32 {
	if id, ok := t.byText[piece]; ok {
		return append(out, id)
	}
	for j := 0; j < len(piece); j++ {
		if id := t.byteToken[piece[j]]; id >= 0 {
			out = append(out, id)
		}
	}
	return out
}
