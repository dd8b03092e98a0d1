package train

import (
	"context"
	"math/rand/v2"
	"strings"
	"unicode/utf8"
)

// encodeChunk tokenizes one piece of a document. With fim it rewrites the
// piece for the fill-in-the-middle objective, as StarCoder and Qwen2.5-Coder
// do: cut at two random points into prefix, middle and suffix, then emit
//
//	PSM: <fim_prefix> prefix <fim_suffix> suffix <fim_middle> middle <eot>
//	SPM: <fim_prefix> <fim_suffix> suffix <fim_middle> prefix middle <eot>
//
// (SPM as in bigcode's Megatron-LM permute()). The model thus learns to
// produce the middle given both sides and to stop after it; plain pieces
// teach left-to-right completion.
func (v *Vocab) encodeChunk(text string, fim, spm bool, cut1, cut2 int, out []int32) ([]int32, error) {
	if !fim {
		return v.Encode(text, out)
	}
	var err error
	pre, mid, suf := text[:cut1], text[cut1:cut2], text[cut2:]
	out = append(out, v.Special(TokFIMPre))
	if spm {
		out = append(out, v.Special(TokFIMSuf))
		if out, err = v.Encode(suf, out); err != nil {
			return out, err
		}
		out = append(out, v.Special(TokFIMMid))
		if out, err = v.Encode(pre, out); err != nil {
			return out, err
		}
	} else {
		if out, err = v.Encode(pre, out); err != nil {
			return out, err
		}
		out = append(out, v.Special(TokFIMSuf))
		if out, err = v.Encode(suf, out); err != nil {
			return out, err
		}
		out = append(out, v.Special(TokFIMMid))
	}
	if out, err = v.Encode(mid, out); err != nil {
		return out, err
	}
	return append(out, v.Special(TokEndOfText)), nil
}

// runeStart moves a byte offset back to the start of a UTF-8 sequence.
func runeStart(s string, i int) int {
	for i > 0 && i < len(s) && !utf8.RuneStart(s[i]) {
		i--
	}
	return i
}

// tokenStream tokenizes documents in order into one packed stream until it
// holds at least want tokens (or the documents run out).
//
// FIM is applied per chunk of at most chunkBytes (cut at line ends) rather
// than per whole document — the FIM paper's "context-level" variant: with a
// short training context, a whole-document FIM example would rarely show the
// model its sentinels and the jump from suffix to middle inside one window.
// Each chunk's FIM decision and cut points come from a generator seeded by
// (seed, document hash), so the stream is the same on every run and on resume.
func tokenStream(ctx context.Context, v *Vocab, docs []Doc, want int, fimRate float64, chunkBytes int, seed uint64) ([]int32, error) {
	var out []int32
	eot := v.Special(TokEndOfText)
	for i, d := range docs {
		if len(out) >= want {
			break
		}
		if i%64 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		rng := rand.New(rand.NewPCG(seed, d.Hash))
		for _, chunk := range chunks(d.Text, chunkBytes) {
			fim := rng.Float64() < fimRate
			spm := rng.Float64() < 0.5
			a, b := rng.IntN(len(chunk)+1), rng.IntN(len(chunk)+1)
			if a > b {
				a, b = b, a
			}
			var err error
			if out, err = v.encodeChunk(chunk, fim, spm, runeStart(chunk, a), runeStart(chunk, b), out); err != nil {
				return nil, err
			}
		}
		if len(out) == 0 || out[len(out)-1] != eot {
			out = append(out, eot)
		}
	}
	return out, nil
}

// chunks splits text after newlines into pieces of at most max bytes (a
// longer single line stays whole); max <= 0 means no split.
func chunks(text string, max int) []string {
	if max <= 0 || len(text) <= max {
		return []string{text}
	}
	var out []string
	for len(text) > max {
		cut := strings.LastIndexByte(text[:max], '\n') + 1
		if cut <= 0 {
			if i := strings.IndexByte(text, '\n'); i >= 0 {
				cut = i + 1
			} else {
				cut = len(text)
			}
		}
		out = append(out, text[:cut])
		text = text[cut:]
	}
	if len(text) > 0 {
		out = append(out, text)
	}
	return out
}

// tokenBytes is the number of text bytes each token stands for (0 for control
// tokens); it turns a loss in nats per token into bits per byte.
func (v *Vocab) tokenBytes() []int {
	n := make([]int, len(v.Tokens))
	for i, t := range v.Tokens {
		if v.Types[i] == tokenTypeNormal {
			n[i] = utf8.RuneCountInString(t) // one rune per byte in GPT-2 byte form
		}
	}
	return n
}
