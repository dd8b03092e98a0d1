package model

import (
	"context"

	"github.com/weft-dev/weft/model/quant"
)

// KV reuse across an edit (EvalShift).
//
// In the prefix-suffix-middle prompt order of Qwen and DeepSeek models, a
// keystroke changes the end of the prefix, so every token after it — the
// whole suffix — sits at a new position, and Eval, which keeps only the
// common prefix, evaluates the suffix again on every keystroke. EvalShift
// keeps the suffix's keys and values instead: it moves them to their new rows
// and rotates the keys by the position change (RoPE angles add, so a key
// rotated for position p and then by d is the key rotated for p+d), as
// llama-server's cache reuse does with llama_kv_self_seq_add. It is an
// approximation: the moved keys and values were computed attending to the
// text before the edit. docs/BENCHMARKS.md measures what it changes.

// shiftSearch bounds the cached positions EvalShift tries as the end of the
// moved run, so that the search stays cheap next to the forward pass.
const shiftSearch = 8192

// EvalShift is Eval that also reuses a run of at least minRun cached tokens
// that the edit moved: the longest run of cached tokens after the common
// prefix that reappears in tokens just before its last token. The tokens
// between the common prefix and the run, and those after it, are
// evaluated. minRun <= 0, or no such run, is Eval.
func (s *Session) EvalShift(ctx context.Context, tokens []int32, minRun int) ([]float32, error) {
	if minRun <= 0 {
		return s.Eval(ctx, tokens)
	}
	if err := s.check(tokens); err != nil {
		return nil, err
	}
	keep := s.commonPrefix(tokens)
	end := len(tokens) - 1 // the last token is evaluated for its logits
	old := s.tokens
	if keep >= end {
		return s.Eval(ctx, tokens)
	}
	// The run: new[b:end] == old[a:a+n] with a, b >= keep, as long as possible.
	best, at := 0, 0
	for q := min(len(old), keep+shiftSearch); q > keep; q-- {
		if old[q-1] != tokens[end-1] {
			continue
		}
		n := 0
		for n < q-keep && n < end-keep && old[q-1-n] == tokens[end-1-n] {
			n++
		}
		if n > best {
			best, at = n, q-n
		}
	}
	if best < minRun {
		return s.Eval(ctx, tokens)
	}
	a, b, n := at, end-best, best
	s.haveLogits = false
	s.tokens = s.tokens[:keep] // the rows after keep are rewritten below
	s.moveRows(a, b, n)
	// Evaluate the edited tokens before the run, then the tokens after it.
	for _, span := range [2][2]int{{keep, b}, {b + n, len(tokens)}} {
		for start := span[0]; start < span[1]; start += maxBatch {
			stop := min(start+maxBatch, span[1])
			if err := s.forward(ctx, tokens[start:stop], start, s.logits, false); err != nil {
				return nil, err
			}
			s.stats.Evaluated += int64(stop - start)
		}
	}
	s.tokens = append(s.tokens, tokens[keep:]...)
	s.stats.Reused += int64(keep + n)
	s.haveLogits = true
	return s.logits, nil
}

// moveRows moves the n cache rows from row a to row b in every layer and
// rotates their keys by b-a positions.
func (s *Session) moveRows(a, b, n int) {
	if a == b || n == 0 {
		return
	}
	in := &s.m.info
	nKV, hd := s.nKV, in.HeadDim
	half := in.NRot / 2
	s.ropeAngles(b-a, 1)
	cs, sn := s.ropeCos[:half], s.ropeSin[:half]
	head := s.qtmp[:hd]
	for l := 0; l < in.NLayer; l++ {
		src, dst := (l*s.nCtx+a)*nKV, (l*s.nCtx+b)*nKV
		if s.kv16 {
			copy(s.k16[dst:dst+n*nKV], s.k16[src:src+n*nKV]) // copy is memmove
			copy(s.v16[dst:dst+n*nKV], s.v16[src:src+n*nKV])
			for r := 0; r < n*nKV; r += hd {
				k := s.k16[dst+r : dst+r+hd]
				for i, v := range k {
					head[i] = quant.FP16ToFP32(v)
				}
				rope(head, cs, sn, s.m.arch.rope)
				for i, v := range head {
					k[i] = quant.FP32ToFP16(v)
				}
			}
			continue
		}
		copy(s.k32[dst:dst+n*nKV], s.k32[src:src+n*nKV])
		copy(s.v32[dst:dst+n*nKV], s.v32[src:src+n*nKV])
		for r := 0; r < n*nKV; r += hd {
			rope(s.k32[dst+r:dst+r+hd], cs, sn, s.m.arch.rope)
		}
	}
}
