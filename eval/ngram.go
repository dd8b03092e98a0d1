package eval

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/weft-dev/weft/complete"
)

// The n-gram baseline of `weft eval fim`: a token n-gram language model over the evaluated model's own
// tokenizer, trained on the same training split, decoding greedily. It shows how much of a FIM score a
// model owes to memorised local patterns rather than to the prompt's prefix and suffix.
//
// Smoothing is "stupid backoff" (Brants et al., 2007): S(w | c) = count(c w) / count(c) when c w was
// seen, else 0.4 · S(w | c without its first token), down to unigram frequencies. S is not a
// probability, but greedy decoding only needs its argmax, which NGram.Next computes exactly.

// ngramBackoff is stupid backoff's factor per dropped context token.
const ngramBackoff = 0.4

// NGram is a trained token n-gram model. It is read-only after training and safe for concurrent use.
type NGram struct {
	order  int
	vocab  complete.Vocab
	levels []ngramLevel // levels[k]: contexts of k tokens, k < order
	tokens int          // training tokens
}

// ngramLevel holds the continuations of every context of one length, grouped by context: the contexts'
// hashes sorted, and for context i the continuations conts[start[i]:start[i+1]] sorted by count,
// largest first (ties: smaller token id first), with total[i] their summed count.
type ngramLevel struct {
	ctx   []uint64
	start []uint32
	total []uint32
	conts []ngramCont
}

type ngramCont struct {
	tok int32
	n   uint32
}

// TrainNGram counts the n-grams (n <= order) of texts tokenized by v; each text is a separate sequence
// (no n-gram crosses two texts).
func TrainNGram(ctx context.Context, v complete.Vocab, texts []string, order int) (*NGram, error) {
	if order < 1 || order > 8 {
		return nil, fmt.Errorf("eval: n-gram order %d outside 1..8", order)
	}
	seqs := make([][]int32, 0, len(texts))
	total := 0
	for i, t := range texts {
		if i%64 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		ids := v.Encode(t, false, false)
		if len(ids) > 0 {
			seqs = append(seqs, ids)
			total += len(ids)
		}
	}
	if total == 0 {
		return nil, errors.New("eval: n-gram: no training text")
	}
	if total >= 1<<32-1 {
		return nil, fmt.Errorf("eval: n-gram: %d training tokens is too many", total)
	}
	m := &NGram{order: order, vocab: v, tokens: total}
	type pair struct {
		h   uint64
		tok int32
	}
	pairs := make([]pair, 0, total)
	for k := 0; k < order; k++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		pairs = pairs[:0]
		for _, s := range seqs {
			for i := k; i < len(s); i++ {
				pairs = append(pairs, pair{ngramHash(s[i-k : i]), s[i]})
			}
		}
		slices.SortFunc(pairs, func(a, b pair) int {
			if a.h != b.h {
				if a.h < b.h {
					return -1
				}
				return 1
			}
			return int(a.tok) - int(b.tok)
		})
		var lv ngramLevel
		for i := 0; i < len(pairs); {
			j := i
			lv.ctx = append(lv.ctx, pairs[i].h)
			lv.start = append(lv.start, uint32(len(lv.conts)))
			first := len(lv.conts)
			for j < len(pairs) && pairs[j].h == pairs[i].h {
				t := j
				for t < len(pairs) && pairs[t].h == pairs[j].h && pairs[t].tok == pairs[j].tok {
					t++
				}
				lv.conts = append(lv.conts, ngramCont{pairs[j].tok, uint32(t - j)})
				j = t
			}
			g := lv.conts[first:]
			slices.SortStableFunc(g, func(a, b ngramCont) int { return int(b.n) - int(a.n) }) // ties keep token order
			lv.total = append(lv.total, uint32(j-i))
			i = j
		}
		lv.start = append(lv.start, uint32(len(lv.conts)))
		lv.ctx, lv.start, lv.total, lv.conts = slices.Clip(lv.ctx), slices.Clip(lv.start), slices.Clip(lv.total), slices.Clip(lv.conts)
		m.levels = append(m.levels, lv)
	}
	return m, nil
}

// ngramHash hashes a context (FNV-1a over the token ids, then mixed); the length is part of the hash
// only through the level the hash is looked up in.
func ngramHash(ctx []int32) uint64 {
	h := uint64(14695981039346656037)
	for _, t := range ctx {
		u := uint32(t)
		for b := 0; b < 4; b++ {
			h = (h ^ uint64(u&0xff)) * 1099511628211
			u >>= 8
		}
	}
	return fimMix(h)
}

// Order returns the model's n.
func (m *NGram) Order() int { return m.order }

// Tokens returns the number of training tokens.
func (m *NGram) Tokens() int { return m.tokens }

// group returns the continuations and total count of a context, or nil.
func (m *NGram) group(ctx []int32) ([]ngramCont, uint32) {
	lv := &m.levels[len(ctx)]
	h := ngramHash(ctx)
	i, ok := slices.BinarySearch(lv.ctx, h)
	if !ok {
		return nil, 0
	}
	return lv.conts[lv.start[i]:lv.start[i+1]], lv.total[i]
}

// Next returns the token with the highest stupid-backoff score after ctx (only its last order-1 tokens
// matter), and false when the model knows no token at all. A token's score comes from the longest
// context it was seen after, so at each shorter context only tokens unseen after the longer ones
// compete; ties go to the longer context, then to the smaller id.
func (m *NGram) Next(ctx []int32) (int32, bool) { return m.next(ctx, nil) }

// next is Next over the tokens whose text starts with want (all tokens when want is empty).
func (m *NGram) next(ctx []int32, want []byte) (int32, bool) {
	if len(ctx) > m.order-1 {
		ctx = ctx[len(ctx)-(m.order-1):]
	}
	best, bestScore := int32(-1), 0.0
	alpha := 1.0
	var longer [][]ngramCont
	for k := len(ctx); k >= 0; k-- {
		g, total := m.group(ctx[len(ctx)-k:])
		if g != nil {
			for _, c := range g {
				s := alpha * float64(c.n) / float64(total)
				if s <= bestScore {
					break // sorted by count: nothing further in this group can win
				}
				if ngramSeenIn(longer, c.tok) || len(want) > 0 && !bytes.HasPrefix(m.vocab.Piece(c.tok), want) {
					continue
				}
				best, bestScore = c.tok, s
				break
			}
			longer = append(longer, g)
		}
		alpha *= ngramBackoff
	}
	return best, best >= 0
}

func ngramSeenIn(groups [][]ngramCont, tok int32) bool {
	for _, g := range groups {
		for _, c := range g {
			if c.tok == tok {
				return true
			}
		}
	}
	return false
}

// NGramInfiller fills holes with an NGram: greedy continuation of the prefix's last tokens, with token
// healing of the last one (see Infill). Of the suffix it uses only its first non-blank line: decoding
// stops before a line that repeats it. A single-line hole ends at the first line break; a multi-line one
// at MaxTokens or before a line indented less than the cursor's line (the block has closed).
type NGramInfiller struct {
	Model *NGram
	// MaxTokens bounds a middle; 0: the engine's defaults, 48 single-line and 128 multi-line.
	MaxTokens int
}

// ngramPrefixBytes is how much of the prefix is tokenized: the model only looks at its last tokens,
// and starting at a line boundary keeps the tokenization of the text before the cursor natural.
const ngramPrefixBytes = 512

// Infill implements Infiller.
func (ni NGramInfiller) Infill(ctx context.Context, h Hole) (string, error) {
	m := ni.Model
	if m == nil {
		return "", errors.New("eval: n-gram infiller without a model")
	}
	start := max(0, len(h.Prefix)-ngramPrefixBytes)
	if i := strings.IndexByte(h.Prefix[start:], '\n'); start > 0 && i >= 0 {
		start += i + 1
	}
	ids := m.vocab.Encode(h.Prefix[start:], false, false)
	// Token healing: the prefix's last token is often a fragment of what the training text holds there
	// ("\t" before "\treturn", "Pr" before "Print"), and an n-gram model has rarely seen the fragment
	// followed by the rest. So it is dropped, and the first token is chosen among those that start with
	// its text; heal bytes of the first token's text are then already in the document.
	var heal []byte
	healID := int32(-1)
	if len(ids) > 1 {
		healID = ids[len(ids)-1]
		heal = m.vocab.Piece(healID)
		ids = ids[:len(ids)-1]
	}
	multi := h.Kind.Multiline()
	maxTok := ni.MaxTokens
	if maxTok <= 0 {
		maxTok = complete.DefaultSingleLineTokens
		if multi {
			maxTok = complete.DefaultMultiLineTokens
		}
	}
	ls := strings.LastIndexByte(h.Prefix, '\n') + 1
	cursorIndent := len(strings.ReplaceAll(leadingWS(h.Prefix[ls:]), "\t", "    "))
	stopLine := strings.TrimSpace(firstNonBlankLine(h.Suffix))
	// finish drops blanks the model put before the first line's text when the cursor already sits
	// after the line's indentation (a healed "\n\t" regenerated as "\n\t\t"), as the engine's
	// post-processing does for the model.
	atIndent := isBlank(h.Prefix[ls:])
	finish := func(s string) string {
		if atIndent {
			return strings.TrimLeft(s, " \t")
		}
		return s
	}

	var out []byte
	lineFrom := 0 // start in out of the line being generated
	// leaves reports whether a finished line after the first one repeats the suffix or leaves the block
	// (the first line continues the cursor's line and is always kept).
	leaves := func(line string) bool {
		t := strings.TrimSpace(line)
		return t != "" && (t == stopLine || len(strings.ReplaceAll(leadingWS(line), "\t", "    ")) < cursorIndent)
	}
	for n := 0; n < maxTok; n++ {
		if n%16 == 0 {
			if err := ctx.Err(); err != nil {
				return "", err
			}
		}
		id, ok := m.next(ids, heal)
		if !ok && heal != nil { // no continuation starts with the fragment: keep it as it is
			ids = append(ids, healID)
			id, ok = m.next(ids, nil)
			heal = nil
		}
		if !ok || m.vocab.IsEOG(id) {
			break
		}
		ids = append(ids, id)
		out = append(out, m.vocab.Piece(id)[len(heal):]...)
		heal = nil
		for {
			nl := bytes.IndexByte(out[lineFrom:], '\n')
			if nl < 0 {
				break
			}
			if !multi {
				return finish(strings.TrimRight(string(out[:nl]), " \t\r")), nil
			}
			if lineFrom > 0 && leaves(string(out[lineFrom:lineFrom+nl])) {
				return finish(strings.TrimRight(string(out[:lineFrom]), " \t\r\n")), nil
			}
			lineFrom += nl + 1
		}
	}
	if multi && lineFrom > 0 && leaves(string(out[lineFrom:])) {
		out = out[:lineFrom]
	}
	return finish(strings.TrimRight(string(out), " \t\r\n")), nil
}

// firstNonBlankLine returns the first line of s holding more than blanks ("" when none).
func firstNonBlankLine(s string) string {
	for s != "" {
		line := s
		if i := strings.IndexByte(s, '\n'); i >= 0 {
			line, s = s[:i], s[i+1:]
		} else {
			s = ""
		}
		if strings.TrimSpace(line) != "" {
			return line
		}
	}
	return ""
}
