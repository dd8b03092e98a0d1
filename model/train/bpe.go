package train

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/weft-dev/weft/model/tokenizer"
)

// PreTokenizer is the pre-tokenizer the trained vocabulary is meant for: the
// engine loads it through its standard gpt2/qwen2 path (tokenizer.ggml.pre).
const PreTokenizer = "qwen2"

// Special tokens appended after the merged tokens, all of type CONTROL. The
// names are Qwen2.5-Coder's so prompts built for that family work unchanged.
const (
	TokEndOfText = "<|endoftext|>"
	TokFIMPre    = "<|fim_prefix|>"
	TokFIMMid    = "<|fim_middle|>"
	TokFIMSuf    = "<|fim_suffix|>"
	TokFIMPad    = "<|fim_pad|>"
	TokFileSep   = "<|file_sep|>"
)

var specialTokens = []string{TokEndOfText, TokFIMPre, TokFIMMid, TokFIMSuf, TokFIMPad, TokFileSep}

// llama.cpp token types (llama_token_type).
const (
	tokenTypeNormal  = 1
	tokenTypeControl = 3
)

// Vocab is a trained byte-level BPE vocabulary. Tokens are in GPT-2's
// byte-to-unicode form, as tokenizer.ggml.tokens stores them: ids 0..255 are
// the single bytes, then one token per merge in rank order, then the specials.
type Vocab struct {
	Tokens []string
	Types  []int32
	Merges []string // "left right", rank order

	ranks   map[uint64]int32 // pair -> merge rank
	merged  map[uint64]int32 // pair -> id of the merged token
	special map[string]int32
	cache   map[string][]int32 // pre-token -> ids (training-side encoder)
}

// Special returns the id of a special token such as TokEndOfText.
func (v *Vocab) Special(name string) int32 {
	if id, ok := v.special[name]; ok {
		return id
	}
	return -1
}

func pairKey(a, b int32) uint64 { return uint64(uint32(a))<<32 | uint64(uint32(b)) }

// byteToUnicode is GPT-2's reversible map from bytes to printable runes:
// printable Latin-1 bytes map to themselves, the rest to U+0100 onwards.
func byteToUnicode() [256]rune {
	var m [256]rune
	n := 0
	for b := 0; b < 256; b++ {
		if (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF) {
			m[b] = rune(b)
		} else {
			m[b] = rune(256 + n)
			n++
		}
	}
	return m
}

// wordCount is one distinct pre-token with its frequency and current symbols.
type wordCount struct {
	syms  []int32
	count int64
}

// pairHeap is a max-heap of (count, pair) entries; stale entries (whose count
// no longer matches the live count) are skipped when popped.
type pairEntry struct {
	count int64
	key   uint64
}
type pairHeap []pairEntry

func (h pairHeap) Len() int { return len(h) }
func (h pairHeap) Less(i, j int) bool {
	if h[i].count != h[j].count {
		return h[i].count > h[j].count
	}
	return h[i].key < h[j].key // deterministic tie-break
}
func (h pairHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *pairHeap) Push(x any)   { *h = append(*h, x.(pairEntry)) }
func (h *pairHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}

// CountWords pre-tokenizes texts the way the engine will and counts each
// distinct pre-token; BPE training then works on the counts alone.
func CountWords(texts []string) (map[string]int64, error) {
	counts := map[string]int64{}
	for _, t := range texts {
		words, err := tokenizer.PreTokenize(PreTokenizer, t)
		if err != nil {
			return nil, fmt.Errorf("train: pre-tokenize: %w", err)
		}
		for _, w := range words {
			counts[w]++
		}
	}
	return counts, nil
}

// TrainBPE learns vocabSize-256-len(specials) merges from word counts. Pair
// counts are computed once and then updated incrementally: a merge only
// touches the words that contain its pair.
func TrainBPE(ctx context.Context, counts map[string]int64, vocabSize int) (*Vocab, error) {
	nMerges := vocabSize - 256 - len(specialTokens)
	if nMerges < 0 {
		return nil, fmt.Errorf("train: vocab size %d is below the %d byte and special tokens", vocabSize, 256+len(specialTokens))
	}
	if len(counts) == 0 {
		return nil, errors.New("train: BPE training needs text, got none")
	}
	b2u := byteToUnicode()
	tokens := make([]string, 256, vocabSize)
	for b := 0; b < 256; b++ {
		tokens[b] = string(b2u[b])
	}
	// Distinct words in sorted order so that training is deterministic.
	keys := make([]string, 0, len(counts))
	for w := range counts {
		keys = append(keys, w)
	}
	sort.Strings(keys)
	words := make([]wordCount, len(keys))
	pairs := map[uint64]int64{}
	where := map[uint64][]int32{}
	for i, w := range keys {
		syms := make([]int32, len(w))
		for j := 0; j < len(w); j++ {
			syms[j] = int32(w[j])
		}
		words[i] = wordCount{syms: syms, count: counts[w]}
		for j := 0; j+1 < len(syms); j++ {
			k := pairKey(syms[j], syms[j+1])
			pairs[k] += counts[w]
			where[k] = append(where[k], int32(i))
		}
	}
	h := make(pairHeap, 0, len(pairs))
	for k, c := range pairs {
		h = append(h, pairEntry{c, k})
	}
	heap.Init(&h)

	v := &Vocab{ranks: map[uint64]int32{}, merged: map[uint64]int32{}}
	lastSeen := make([]int32, len(words)) // merge step at which a word was last rewritten
	for i := range lastSeen {
		lastSeen[i] = -1
	}
	changed := map[uint64]bool{}
	for step := int32(0); int(step) < nMerges && h.Len() > 0; {
		if step%256 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		top := heap.Pop(&h).(pairEntry)
		if pairs[top.key] != top.count || top.count <= 0 {
			continue // stale
		}
		if top.count < 2 {
			break // nothing left worth a token
		}
		a, b := int32(top.key>>32), int32(uint32(top.key))
		id := int32(len(tokens))
		tokens = append(tokens, tokens[a]+tokens[b])
		v.Merges = append(v.Merges, tokens[a]+" "+tokens[b])
		v.ranks[top.key] = step
		v.merged[top.key] = id
		clear(changed)
		for _, wi := range where[top.key] {
			if lastSeen[wi] == step {
				continue // listed twice
			}
			lastSeen[wi] = step
			w := &words[wi]
			if !containsPair(w.syms, a, b) {
				continue
			}
			for j := 0; j+1 < len(w.syms); j++ {
				k := pairKey(w.syms[j], w.syms[j+1])
				pairs[k] -= w.count
				changed[k] = true
			}
			w.syms = mergePair(w.syms, a, b, id)
			for j := 0; j+1 < len(w.syms); j++ {
				k := pairKey(w.syms[j], w.syms[j+1])
				pairs[k] += w.count
				changed[k] = true
				if w.syms[j] == id || w.syms[j+1] == id {
					where[k] = append(where[k], wi)
				}
			}
		}
		delete(where, top.key)
		for k := range changed {
			if c := pairs[k]; c > 0 {
				heap.Push(&h, pairEntry{c, k})
			} else {
				delete(pairs, k)
			}
		}
		step++
	}
	v.Tokens = tokens
	v.Types = make([]int32, len(tokens), len(tokens)+len(specialTokens))
	for i := range v.Types {
		v.Types[i] = tokenTypeNormal
	}
	v.special = map[string]int32{}
	for _, s := range specialTokens {
		v.special[s] = int32(len(v.Tokens))
		v.Tokens = append(v.Tokens, s)
		v.Types = append(v.Types, tokenTypeControl)
	}
	v.cache = map[string][]int32{}
	return v, nil
}

func containsPair(s []int32, a, b int32) bool {
	for j := 0; j+1 < len(s); j++ {
		if s[j] == a && s[j+1] == b {
			return true
		}
	}
	return false
}

// mergePair replaces non-overlapping occurrences of (a,b), left to right, by id.
func mergePair(s []int32, a, b, id int32) []int32 {
	out := s[:0]
	for j := 0; j < len(s); j++ {
		if j+1 < len(s) && s[j] == a && s[j+1] == b {
			out = append(out, id)
			j++
			continue
		}
		out = append(out, s[j])
	}
	return out
}

// newVocab rebuilds the lookup tables of a vocabulary read from a file.
func newVocab(tokens []string, types []int32, merges []string) (*Vocab, error) {
	v := &Vocab{Tokens: tokens, Types: types, Merges: merges,
		ranks: map[uint64]int32{}, merged: map[uint64]int32{}, special: map[string]int32{}, cache: map[string][]int32{}}
	ids := make(map[string]int32, len(tokens))
	for i, t := range tokens {
		ids[t] = int32(i)
	}
	b2u := byteToUnicode()
	for b := 0; b < 256; b++ {
		if id, ok := ids[string(b2u[b])]; !ok || id != int32(b) {
			return nil, fmt.Errorf("train: vocabulary does not start with the 256 byte tokens in byte order (byte %d); only weft-trained vocabularies can be fine-tuned", b)
		}
	}
	for r, m := range merges {
		l, rr, ok := strings.Cut(m, " ")
		if !ok {
			return nil, fmt.Errorf("train: merge %d %q has no space", r, m)
		}
		a, okA := ids[l]
		b, okB := ids[rr]
		c, okC := ids[l+rr]
		if !okA || !okB || !okC {
			return nil, fmt.Errorf("train: merge %d %q refers to unknown tokens", r, m)
		}
		v.ranks[pairKey(a, b)] = int32(r)
		v.merged[pairKey(a, b)] = c
	}
	for _, s := range specialTokens {
		if id, ok := ids[s]; ok {
			v.special[s] = id
		}
	}
	if v.Special(TokEndOfText) < 0 {
		return nil, fmt.Errorf("train: vocabulary has no %s token", TokEndOfText)
	}
	return v, nil
}

// Encode tokenizes plain text (special-token text is not parsed) for training:
// pre-tokenize, then apply merges lowest rank first within each pre-token, as
// llama.cpp's BPE does. Results are cached per pre-token.
func (v *Vocab) Encode(text string, out []int32) ([]int32, error) {
	words, err := tokenizer.PreTokenize(PreTokenizer, text)
	if err != nil {
		return out, fmt.Errorf("train: pre-tokenize: %w", err)
	}
	for _, w := range words {
		if ids, ok := v.cache[w]; ok {
			out = append(out, ids...)
			continue
		}
		syms := make([]int32, len(w))
		for j := 0; j < len(w); j++ {
			syms[j] = int32(w[j])
		}
		for len(syms) > 1 {
			best, bestRank := -1, int32(1<<31-1)
			for j := 0; j+1 < len(syms); j++ {
				if r, ok := v.ranks[pairKey(syms[j], syms[j+1])]; ok && r < bestRank {
					best, bestRank = j, r
				}
			}
			if best < 0 {
				break
			}
			a, b := syms[best], syms[best+1]
			syms = mergePair(syms, a, b, v.merged[pairKey(a, b)])
		}
		if len(v.cache) < 1<<20 {
			v.cache[w] = syms
		}
		out = append(out, syms...)
	}
	return out, nil
}
