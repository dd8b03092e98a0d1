package model

import (
	"context"
	"fmt"
	"runtime"

	"github.com/weft-dev/weft/model/gguf"
	"github.com/weft-dev/weft/model/quant"
)

// maxBatch is the number of tokens that go through the layers together. Larger
// batches amortise weight reads over more tokens but cost scratch memory
// (n_ff floats per token, twice).
const maxBatch = 64

func defaultThreads() int { return runtime.NumCPU() }

// Stats counts a session's work since it was created.
type Stats struct {
	Evaluated int64 // tokens run through the model
	Reused    int64 // tokens whose KV entries were reused instead of recomputed
	// Drafted and Accepted count the tokens GenerateBatch guessed from the
	// document and how many of them the sequences kept.
	Drafted, Accepted int64
}

// Session is one sequence being decoded: a KV cache, the tokens it holds, and
// scratch buffers allocated once so that decoding allocates nothing. A Session
// must be used by one goroutine at a time; many Sessions may share a Model.
type Session struct {
	m    *Model
	pool *quant.Pool
	nCtx int
	nKV  int // n_head_kv * head_dim

	tokens []int32 // tokens whose K/V are in the cache, in order
	stats  Stats

	// KV cache: [layer][position][n_head_kv*head_dim], F32 or F16.
	kv16     bool
	k32, v32 []float32
	k16, v16 []uint16

	// logits of the last token of tokens, valid when haveLogits.
	logits     []float32
	haveLogits bool

	// scratch for one batch
	x, xb            []float32 // [maxBatch][n_embd]
	xb2, q           []float32 // [maxBatch][max(n_embd, n_head*head_dim)]
	k, v             []float32 // [maxBatch][n_kv]
	hb, hb2          []float32 // [maxBatch][n_ff]
	ropeCos, ropeSin []float32 // [maxBatch][n_rot/2]
	att              []float32 // [tasks][n_ctx]
	qtmp             []float32 // [tasks][head_dim]
	one              [1]int32  // the token of a single decode step

	// feed-forward activation tasks: swigluN elements of hb/hb2 in
	// swigluTasks slices (set before pool.Run)
	swigluFn             func(int)
	swigluN, swigluTasks int

	// mb is set while a batch of sequences over a shared prompt goes
	// through forward (GenerateBatch): it places their tokens and KV rows.
	mb   *multiBatch
	mbuf *multiBatch // the batch state kept between requests

	// attention task state, read by attnTask (set before pool.Run)
	attnFn                       func(int)
	attnChunks                   int
	batchN, batchPos, batchLayer int
	batchChunks                  int
}

// NewSession creates a session with room for nCtx tokens (prompt and
// generated text together). nCtx <= 0 or beyond the training context is
// clamped to the training context.
func (m *Model) NewSession(nCtx int) *Session {
	in := &m.info
	if nCtx <= 0 || nCtx > in.NCtxTrain {
		nCtx = in.NCtxTrain
	}
	s := &Session{m: m, pool: m.pool, nCtx: nCtx, nKV: in.NHeadKV * in.HeadDim}
	s.tokens = make([]int32, 0, nCtx)
	cache := in.NLayer * nCtx * s.nKV
	if m.opt.KVType == gguf.TypeF16 {
		s.kv16 = true
		s.k16, s.v16 = make([]uint16, cache), make([]uint16, cache)
	} else {
		s.k32, s.v32 = make([]float32, cache), make([]float32, cache)
	}
	s.logits = make([]float32, in.NVocab)
	b := maxBatch
	s.x = make([]float32, b*in.NEmbd)
	s.xb = make([]float32, b*in.NEmbd)
	// Q and the attention output are n_head*head_dim wide, which differs
	// from n_embd when key_length says so (Qwen3-0.6B).
	nQ := max(in.NEmbd, in.NHead*in.HeadDim)
	s.xb2 = make([]float32, b*nQ)
	s.q = make([]float32, b*nQ)
	s.k = make([]float32, b*s.nKV)
	s.v = make([]float32, b*s.nKV)
	s.hb = make([]float32, b*in.NFF)
	s.hb2 = make([]float32, b*in.NFF)
	s.ropeCos = make([]float32, b*in.NRot/2)
	s.ropeSin = make([]float32, b*in.NRot/2)
	// Enough token slices that every thread has work even with few heads.
	s.attnChunks = max(1, (2*m.threads+in.NHead-1)/in.NHead)
	tasks := in.NHead * s.attnChunks
	s.att = make([]float32, tasks*nCtx)
	s.qtmp = make([]float32, tasks*in.HeadDim)
	s.attnFn = s.attnTask
	s.swigluFn = s.swigluTask
	return s
}

// NCtx returns the session's capacity in tokens.
func (s *Session) NCtx() int { return s.nCtx }

// Tokens returns the tokens whose keys and values the session holds. The slice
// is the session's own: do not modify it, and copy it to keep it across calls.
func (s *Session) Tokens() []int32 { return s.tokens }

// Stats returns the session's counters.
func (s *Session) Stats() Stats { return s.stats }

// Reset forgets every cached token.
func (s *Session) Reset() {
	s.tokens = s.tokens[:0]
	s.haveLogits = false
}

// check validates a token list against the session and the vocabulary.
func (s *Session) check(tokens []int32) error {
	if len(tokens) == 0 {
		return fmt.Errorf("model: no tokens to evaluate")
	}
	if len(tokens) > s.nCtx {
		return fmt.Errorf("model: %d tokens exceed the session's context of %d", len(tokens), s.nCtx)
	}
	nv := int32(s.m.info.NVocab)
	for i, t := range tokens {
		if t < 0 || t >= nv {
			return fmt.Errorf("model: token %d at index %d is outside the vocabulary [0, %d)", t, i, nv)
		}
	}
	return nil
}

// commonPrefix returns the length of the longest common prefix of tokens and
// the session's tokens: the part of the cache that stays valid.
func (s *Session) commonPrefix(tokens []int32) int {
	n := 0
	for n < len(tokens) && n < len(s.tokens) && tokens[n] == s.tokens[n] {
		n++
	}
	return n
}

// Eval makes the session hold tokens (the full sequence, not just the new
// part) and returns the logits predicting the token after the last one. It
// keeps the longest common prefix with what the session already holds, drops
// the rest, and runs only the new suffix, in batches. The returned slice is
// the session's and is valid until the next call.
func (s *Session) Eval(ctx context.Context, tokens []int32) ([]float32, error) {
	if err := s.check(tokens); err != nil {
		return nil, err
	}
	keep := s.commonPrefix(tokens)
	if keep == len(tokens) && keep == len(s.tokens) && s.haveLogits {
		s.stats.Reused += int64(keep)
		return s.logits, nil
	}
	// The last token must be run to get its logits, even when cached.
	keep = min(keep, len(tokens)-1)
	s.tokens = s.tokens[:keep]
	s.haveLogits = false
	s.stats.Reused += int64(keep)
	for start := keep; start < len(tokens); start += maxBatch {
		end := min(start+maxBatch, len(tokens))
		if err := s.forward(ctx, tokens[start:end], start, s.logits, false); err != nil {
			return nil, err
		}
		s.tokens = append(s.tokens, tokens[start:end]...)
		s.stats.Evaluated += int64(end - start)
	}
	s.haveLogits = true
	return s.logits, nil
}

// step evaluates one more token after those held (the decode loop's path).
func (s *Session) step(ctx context.Context, tok int32) ([]float32, error) {
	if len(s.tokens) >= s.nCtx {
		return nil, fmt.Errorf("model: context of %d tokens is full", s.nCtx)
	}
	if tok < 0 || int(tok) >= s.m.info.NVocab {
		return nil, fmt.Errorf("model: token %d is outside the vocabulary [0, %d)", tok, s.m.info.NVocab)
	}
	s.haveLogits = false
	s.one[0] = tok
	if err := s.forward(ctx, s.one[:], len(s.tokens), s.logits, false); err != nil {
		return nil, err
	}
	s.tokens = append(s.tokens, tok)
	s.stats.Evaluated++
	s.haveLogits = true
	return s.logits, nil
}

// EvalAll is Eval that returns the logits of every position it evaluated:
// out[i] predicts the token after tokens[len(tokens)-len(out)+i]. With a fresh
// session that is every position (teacher forcing, as the parity tests and
// the eval harness need). The result is newly allocated.
func (s *Session) EvalAll(ctx context.Context, tokens []int32) ([][]float32, error) {
	if err := s.check(tokens); err != nil {
		return nil, err
	}
	nv := s.m.info.NVocab
	keep := min(s.commonPrefix(tokens), len(tokens)-1)
	s.tokens = s.tokens[:keep]
	s.haveLogits = false
	s.stats.Reused += int64(keep)
	flat := make([]float32, (len(tokens)-keep)*nv)
	out := make([][]float32, len(tokens)-keep)
	for i := range out {
		out[i] = flat[i*nv : (i+1)*nv : (i+1)*nv]
	}
	for start := keep; start < len(tokens); start += maxBatch {
		end := min(start+maxBatch, len(tokens))
		if err := s.forward(ctx, tokens[start:end], start, flat[(start-keep)*nv:(end-keep)*nv], true); err != nil {
			return nil, err
		}
		s.tokens = append(s.tokens, tokens[start:end]...)
		s.stats.Evaluated += int64(end - start)
	}
	copy(s.logits, out[len(out)-1])
	s.haveLogits = true
	return out, nil
}
