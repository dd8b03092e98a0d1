package model

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/weft-dev/weft/model/quant"
)

// Batched decoding of several sequences over one prompt (GenerateBatch).
//
// Decoding one token reads every weight of the model once, and on a CPU that
// read, not the arithmetic, is the cost: the matrix products of a batch of a
// few tokens take little longer than those of one (the prompt's prefill runs
// 64 at a time for that reason). So a completion's greedy candidate and its
// consensus samples decode together, one token of each per forward pass,
// over the prompt's KV cache, which they share: each sequence only adds its
// own tail of keys and values. Speculative decoding fits the same pass: a
// sequence may also feed tokens guessed from the document (prompt lookup,
// GenerateOptions.Draft), which are kept for as long as they are what the
// sequence would have chosen anyway, so several of its tokens may be decided
// in one pass. Either way each sequence's output is what Generate gives
// with the same options, token for token.
//
// The forward pass is the one of forward.go; while s.mb is set, the
// positions of the batch's tokens, where their keys and values are stored,
// and which rows their attention reads come from it.

// multiBatch places the tokens of a batch of sequences that share the rows
// [0, prompt) of the session's cache.
type multiBatch struct {
	prompt int // rows of the session's cache shared by every sequence
	stride int // tail rows per sequence
	nSeq   int
	// Tails: [layer][sequence][row][n_kv], F16 or F32 as the session's cache.
	k16, v16 []uint16
	k32, v32 []float32
	// Per token of the current forward pass: its sequence and position.
	seq, pos []int
	toks     []int32
	logits   []float32 // [token][n_vocab] of the current forward pass
}

// prepareBatch sizes the session's batch state for n sequences of up to
// stride tokens each after a prompt of p tokens, with up to rows tokens per
// forward pass. Buffers grow and are kept for the next request.
func (s *Session) prepareBatch(n, stride, p, rows int) *multiBatch {
	if s.mbuf == nil {
		s.mbuf = &multiBatch{}
	}
	mb := s.mbuf
	mb.prompt, mb.stride, mb.nSeq = p, stride, n
	size := s.m.info.NLayer * n * stride * s.nKV
	if s.kv16 {
		mb.k16, mb.v16 = growU16(mb.k16, size), growU16(mb.v16, size)
	} else {
		mb.k32, mb.v32 = growF32(mb.k32, size), growF32(mb.v32, size)
	}
	mb.logits = growF32(mb.logits, rows*s.m.info.NVocab)
	return mb
}

func growF32(b []float32, n int) []float32 {
	if cap(b) < n {
		return make([]float32, n)
	}
	return b[:n]
}

func growU16(b []uint16, n int) []uint16 {
	if cap(b) < n {
		return make([]uint16, n)
	}
	return b[:n]
}

// tailBase is the offset of sequence j's first tail row in layer l.
func (s *Session) tailBase(l, j int) int {
	mb := s.mb
	return (l*mb.nSeq + j) * mb.stride * s.nKV
}

// storeTails writes the batch's K and V rows of layer l into their
// sequences' tails.
func (s *Session) storeTails(l int, k, v []float32) {
	mb, nKV := s.mb, s.nKV
	for i := range mb.seq {
		off := s.tailBase(l, mb.seq[i]) + (mb.pos[i]-mb.prompt)*nKV
		kr, vr := k[i*nKV:(i+1)*nKV], v[i*nKV:(i+1)*nKV]
		if s.kv16 {
			kc, vc := mb.k16[off:off+nKV], mb.v16[off:off+nKV]
			for t := range kr {
				kc[t] = quant.FP32ToFP16(kr[t])
				vc[t] = quant.FP32ToFP16(vr[t])
			}
			continue
		}
		copy(mb.k32[off:off+nKV], kr)
		copy(mb.v32[off:off+nKV], vr)
	}
}

// attnTaskMulti is attnTask for a batch of sequences: a token at position
// pos of sequence j attends to the shared prompt rows, then to the rows of
// j's tail up to its own. The scores of both sit side by side in one row, so
// the softmax is the one of a single sequence.
func (s *Session) attnTaskMulti(task int) {
	m, mb := s.m, s.mb
	in := &m.info
	n, l := s.batchN, s.batchLayer
	hd, nQ, nKV := in.HeadDim, in.NHead*in.HeadDim, s.nKV
	h, c := task%in.NHead, task/in.NHead
	kvh := h / (in.NHead / in.NHeadKV)
	i0, i1 := c*n/s.batchChunks, (c+1)*n/s.batchChunks
	scale := float32(1 / math.Sqrt(float64(hd)))
	if m.arch.qScale {
		scale = 1 // Q was scaled before the cache (gemma)
	}
	att := s.att[task*s.nCtx : (task+1)*s.nCtx]
	qh := s.qtmp[task*hd : (task+1)*hd]
	main := l*s.nCtx*nKV + kvh*hd
	p := mb.prompt
	for i := i0; i < i1; i++ {
		tl := mb.pos[i] - p + 1 // tail rows seen, the token's own included
		tail := s.tailBase(l, mb.seq[i]) + kvh*hd
		copy(qh, s.q[i*nQ+h*hd:i*nQ+(h+1)*hd])
		out := s.xb2[i*nQ+h*hd : i*nQ+(h+1)*hd]
		row := att[:p+tl]
		maxv := float32(math.Inf(-1))
		if s.kv16 {
			quant.RoundFP16s(qh, qh)
			maxv = quant.ScoresF16(row[:p], qh, s.k16[main:], nKV, scale)
			maxv = max(maxv, quant.ScoresF16(row[p:], qh, mb.k16[tail:], nKV, scale))
		} else {
			for t := 0; t < p; t++ {
				off := main + t*nKV
				row[t] = quant.DotF32Lanes4(qh, s.k32[off:off+hd]) * scale
				maxv = max(maxv, row[t])
			}
			for t := 0; t < tl; t++ {
				off := tail + t*nKV
				row[p+t] = quant.DotF32Lanes4(qh, mb.k32[off:off+hd]) * scale
				maxv = max(maxv, row[p+t])
			}
		}
		sum := quant.ExpShift(row, maxv)
		inv := float32(1 / sum)
		clear(out)
		if s.kv16 {
			for t := range row {
				row[t] *= inv
			}
			quant.RoundFP16s(row, row)
			quant.WeightedSumF16(out, row[:p], s.v16[main:], nKV)
			quant.WeightedSumF16(qh, row[p:], mb.v16[tail:], nKV) // q is no longer needed
			addTo(out, qh)
		} else {
			for t := 0; t < p; t++ {
				off := main + t*nKV
				quant.AxpyF32(out, row[t]*inv, s.v32[off:off+hd])
			}
			for t := 0; t < tl; t++ {
				off := tail + t*nKV
				quant.AxpyF32(out, row[p+t]*inv, mb.v32[off:off+hd])
			}
		}
	}
}

// GenerateBatch is Generate for several sequences that continue the same
// prompt, decoded together (see the top of this file): result j is what
// Generate(ctx, prompt, opts[j], emits[j]) returns on a session holding the
// prompt. emits may be nil, and so may any of its functions. Each sequence
// needs a MaxTokens (it sizes the sequence's KV tail) and may set Draft.
// Afterwards the session holds the prompt and the tokens of the first
// sequence, as after Generate, so the next request reuses them.
func (s *Session) GenerateBatch(ctx context.Context, prompt []int32, opts []GenerateOptions, emits []func(id int32, text string) bool) ([]Result, error) {
	n := len(opts)
	if n == 0 {
		return nil, nil
	}
	if n > maxBatch {
		return nil, fmt.Errorf("model: %d sequences in one batch, at most %d", n, maxBatch)
	}
	logits, err := s.EvalShift(ctx, prompt, opts[0].ShiftReuse)
	if err != nil {
		return nil, err
	}
	nv := s.m.info.NVocab
	p := len(s.tokens)
	stride, rows := 1, 0
	for _, o := range opts {
		mt := o.MaxTokens
		if mt <= 0 {
			mt = s.nCtx
		}
		stride = max(stride, mt)
		rows += 1 + max(o.Draft, 0)
	}
	stride = max(1, min(stride, s.nCtx-p)) // no sequence holds more: StopContext
	rows = min(rows, maxBatch)
	mb := s.prepareBatch(n, stride, p, max(rows, n))

	decs := make([]*seqDecoder, n)
	fed := make([]int, n)   // tokens of each sequence whose K/V are in its tail
	done := make([]bool, n) // the sequence stopped
	start := make([]int, n) // index of the sequence's first token in the pass
	drafts := make([][]int32, n)
	results := func(abort bool) []Result {
		out := make([]Result, n)
		for j, d := range decs {
			if abort {
				out[j] = d.abort()
			} else {
				out[j] = d.finish()
			}
		}
		return out
	}
	var batchErr error // logits a sequence could not sample from
	// next has sequence j choose its token from lg, and ends it when it stops or its context is full.
	next := func(j int, lg []float32) bool {
		d := decs[j]
		if d.next(lg, s.recent(prompt, d, fed[j])) {
			done[j] = true
			if d.err != nil && batchErr == nil {
				batchErr = d.err
			}
		} else if p+fed[j] >= s.nCtx {
			d.res.StopReason = StopContext
			done[j] = true
		}
		return done[j]
	}
	for j, o := range opts {
		var emit func(int32, string) bool
		if j < len(emits) {
			emit = emits[j]
		}
		decs[j] = s.newSeqDecoder(o, emit, nv)
		lg := mb.logits[j*nv : (j+1)*nv]
		copy(lg, logits)
		next(j, lg)
	}
	for batchErr == nil {
		if err := ctx.Err(); err != nil {
			return results(true), err
		}
		live := 0
		for j := range done {
			if !done[j] {
				live++
			}
		}
		// Each live sequence's drafts, then the sequences whose caller's
		// deadline the pass would overrun end here. They are asked from the
		// last to the first, each about the pass of the sequences not yet
		// ended, so the greedy sequence of a caller that paces its samples
		// more strictly is asked about the pass it will really make.
		est := 0
		for j, d := range decs {
			if done[j] {
				continue
			}
			room := stride - fed[j] - 1
			if d.o.MaxTokens > 0 {
				room = min(room, d.o.MaxTokens-len(d.res.Tokens))
			}
			drafts[j] = d.draft(drafts[j][:0], room)
			for k, t := range drafts[j] {
				if t >= int32(nv) {
					drafts[j] = drafts[j][:k]
					break
				}
			}
			est += 1 + len(drafts[j])
		}
		for j := n - 1; j >= 0; j-- {
			if d := decs[j]; !done[j] && d.o.Pace != nil && !d.o.Pace(s.PassEstimate(min(est, rows))) {
				d.res.StopReason = StopDeadline
				done[j] = true
				live--
				est -= 1 + len(drafts[j])
			}
		}
		if live == 0 {
			break
		}
		// One pass: each live sequence's latest token, then as many of its
		// drafts as fit.
		mb.toks, mb.seq, mb.pos = mb.toks[:0], mb.seq[:0], mb.pos[:0]
		live0 := live
		for j, d := range decs {
			if done[j] {
				continue
			}
			live--
			start[j] = len(mb.toks)
			mb.toks, mb.seq, mb.pos = append(mb.toks, d.last), append(mb.seq, j), append(mb.pos, p+fed[j])
			drafts[j] = drafts[j][:max(0, min(len(drafts[j]), rows-len(mb.toks)-live))]
			for k, t := range drafts[j] {
				mb.toks, mb.seq, mb.pos = append(mb.toks, t), append(mb.seq, j), append(mb.pos, p+fed[j]+1+k)
			}
		}
		s.mb, s.attnFn = mb, s.attnTaskMulti
		t0 := time.Now()
		err := s.forward(ctx, mb.toks, p, mb.logits[:len(mb.toks)*nv], true)
		s.mb, s.attnFn = nil, s.attnTask
		if err != nil {
			return results(true), err
		}
		s.m.observePass(len(mb.toks), time.Since(t0))
		s.stats.Evaluated += int64(len(mb.toks))
		s.stats.Drafted += int64(len(mb.toks) - live0)
		// Each sequence keeps its drafts while they are what it chooses.
		for j, d := range decs {
			if done[j] {
				continue
			}
			fed[j]++
			for r := 0; ; r++ {
				if next(j, mb.logits[(start[j]+r)*nv:(start[j]+r+1)*nv]) {
					break
				}
				if r < len(drafts[j]) && d.last == drafts[j][r] {
					fed[j]++ // the draft's K/V row is the sequence's own
					s.stats.Accepted++
					continue
				}
				break
			}
		}
	}
	if batchErr != nil {
		return results(true), batchErr
	}
	s.keepTail(0, fed[0], decs[0].res.Tokens)
	return results(false), nil
}

// recent returns the tokens before sequence d's next one (the prompt and
// the first fed of its own) for the repetition penalty, or nil when the
// penalty is off.
func (s *Session) recent(prompt []int32, d *seqDecoder, fed int) []int32 {
	o := &d.o.Sampler
	if o.RepeatPenalty == 0 || o.RepeatPenalty == 1 || o.RepeatLastN == 0 {
		return nil
	}
	return append(append(make([]int32, 0, len(prompt)+fed), prompt...), d.res.Tokens[:fed]...)
}

// keepTail copies the first fed tail rows of sequence j into the session's
// cache after the prompt, so that the session holds what Generate would have
// left: the prompt and the sequence's tokens but the last.
func (s *Session) keepTail(j, fed int, toks []int32) {
	mb := s.mbuf
	p := mb.prompt
	if fed <= 0 || p+fed > s.nCtx {
		return
	}
	s.mb = mb
	defer func() { s.mb = nil }()
	nKV := s.nKV
	for l := 0; l < s.m.info.NLayer; l++ {
		src, dst := s.tailBase(l, j), (l*s.nCtx+p)*nKV
		if s.kv16 {
			copy(s.k16[dst:dst+fed*nKV], mb.k16[src:src+fed*nKV])
			copy(s.v16[dst:dst+fed*nKV], mb.v16[src:src+fed*nKV])
		} else {
			copy(s.k32[dst:dst+fed*nKV], mb.k32[src:src+fed*nKV])
			copy(s.v32[dst:dst+fed*nKV], mb.v32[src:src+fed*nKV])
		}
	}
	s.tokens = append(s.tokens[:p], toks[:fed]...)
	s.haveLogits = false
}

// draft returns up to room tokens guessed to follow the sequence (appended
// to dst): prompt lookup in the document of o.Cache, when o.Draft allows.
func (d *seqDecoder) draft(dst []int32, room int) []int32 {
	room = min(room, d.o.Draft)
	if d.cache == nil || room <= 0 {
		return dst
	}
	return d.cache.draft(dst, room)
}

// draft appends to dst up to room tokens that followed, in the document,
// the latest occurrence of the longest run (at least two tokens, at most
// MaxRun) of the history's last tokens: the document's own guess at what
// comes next, as prompt-lookup decoding takes it.
func (c *cacheMixer) draft(dst []int32, room int) []int32 {
	h, doc := c.hist, c.o.Doc
	n := len(h)
	if n < 2 {
		return dst
	}
	last, best, at := h[n-1], 0, -1
	for i := 0; i+1 < len(doc); i++ {
		if doc[i] != last || doc[i+1] < 0 {
			continue
		}
		k := 1
		for k < c.o.MaxRun && k < n && i-k >= 0 && doc[i-k] == h[n-1-k] && doc[i-k] >= 0 {
			k++
		}
		if k >= 2 && k >= best {
			best, at = k, i
		}
	}
	if at < 0 {
		return dst
	}
	for i := at + 1; i < len(doc) && doc[i] >= 0 && room > 0; i++ {
		dst = append(dst, doc[i])
		room--
	}
	return dst
}
