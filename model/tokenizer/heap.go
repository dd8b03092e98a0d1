package tokenizer

// candHeap is a binary min-heap of merge candidates, ordered by their before
// method. BPE (lowest merge rank first) and SentencePiece (highest score
// first) each keep one in their scratch space and reuse its storage from word
// to word, so merging allocates nothing once the scratch has grown.
type candHeap[T interface{ before(T) bool }] []T

func (h *candHeap[T]) push(c T) {
	s := append(*h, c)
	for i := len(s) - 1; i > 0; {
		p := (i - 1) / 2
		if !s[i].before(s[p]) {
			break
		}
		s[i], s[p] = s[p], s[i]
		i = p
	}
	*h = s
}

func (h *candHeap[T]) pop() T {
	s := *h
	top := s[0]
	n := len(s) - 1
	s[0] = s[n]
	s = s[:n]
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < n && s[l].before(s[m]) {
			m = l
		}
		if r < n && s[r].before(s[m]) {
			m = r
		}
		if m == i {
			break
		}
		s[i], s[m] = s[m], s[i]
		i = m
	}
	*h = s
	return top
}
