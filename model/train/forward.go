package train

// The decoder's forward and backward passes, written out layer by layer in the
// manner of llm.c's train_gpt2.c. Every activation the backward pass needs is
// kept in acts; gradients accumulate into Model.Grads.
//
// The math mirrors what the engine (and llama.cpp) does for general.architecture
// = llama, so that an exported model evaluates to the same logits:
//   x = token_embd[tok]
//   per block: h = x + Wo·attn(RoPE(Wq·n), RoPE(Wk·n), Wv·n) with n = rmsnorm(x)·attn_norm
//              x = h + Wdown·(silu(Wgate·m) ⊙ Wup·m)         with m = rmsnorm(h)·ffn_norm
//   logits = token_embd · (rmsnorm(x)·output_norm)          (tied output)
// RoPE is ggml's NORM mode: adjacent pairs (2i, 2i+1) rotate by pos·base^(-2i/headDim).

import (
	"math"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/weft-dev/weft/model/quant"
)

// acts holds the activations of one batch of B sequences of T tokens (N = B·T rows).
type acts struct {
	B, T int
	res  [][]float32 // residual stream entering block l (res[Layers] leaves the last block) [N,D]
	lay  []layerActs
	xnf  []float32 // final normed stream [N,D]
	rstf []float32 // its 1/rms [N]
	// logits [N,V]; the backward pass overwrites them with dlogits.
	logits []float32
	losses []float32 // per-position loss [N]

	// backward scratch
	dres, dx2, dxn, dattOut, dq, dk, dv []float32
	dgate, dup, dh                      []float32
	dp                                  [][]float32 // per worker: one attention row block of dP/dS [attnBlock·T]
	dgPart                              []float32   // per row block: its part of a norm gain's gradient [N/rowBlock, D]

	rope []float32 // cos,sin interleaved per (pos, pair) [Ctx, headDim/2, 2]

	threads int           // goroutines for the parallel loops and the matrix products
	mm      *quant.Gemm   // the layer products, over all threads
	head    []*quant.Gemm // per worker of a parallel loop: one head's attention products
}

type layerActs struct {
	xn1, rst1        []float32 // attn_norm output [N,D], 1/rms [N]
	q, k, v          []float32 // q,k after RoPE [N,D], [N,KV], [N,KV]
	att              []float32 // softmax probabilities [B,H,T,T], zero past the diagonal up to the end of the row's attention block (the rest unused)
	attOut           []float32 // attention output before Wo [N,D]
	x2               []float32 // residual after attention [N,D]
	xn2, rst2        []float32 // ffn_norm output [N,D], 1/rms [N]
	gate, up, hidden []float32 // [N,FF]
	sig              []float32 // sigmoid(gate) [N,FF], for the backward pass
}

// newActs allocates the activations and scratch of batches of B sequences of
// T tokens, computed on the given number of threads (<= 0: GOMAXPROCS).
func newActs(c ModelConfig, B, T, threads int) *acts {
	n, d, kv, ff := B*T, c.Dim, c.KVHeads*c.HeadDim(), c.FF
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	a := &acts{B: B, T: T, threads: threads, mm: quant.NewGemm(threads)}
	f := func(k int) []float32 { return make([]float32, k) }
	for l := 0; l <= c.Layers; l++ {
		a.res = append(a.res, f(n*d))
	}
	for l := 0; l < c.Layers; l++ {
		a.lay = append(a.lay, layerActs{
			xn1: f(n * d), rst1: f(n), q: f(n * d), k: f(n * kv), v: f(n * kv),
			att: f(B * c.Heads * T * T), attOut: f(n * d), x2: f(n * d), xn2: f(n * d), rst2: f(n),
			gate: f(n * ff), up: f(n * ff), hidden: f(n * ff), sig: f(n * ff),
		})
	}
	a.xnf, a.rstf, a.logits, a.losses = f(n*d), f(n), f(n*c.Vocab), f(n)
	a.dres, a.dx2, a.dxn, a.dattOut, a.dq = f(n*d), f(n*d), f(n*d), f(n*d), f(n*d)
	a.dk, a.dv = f(n*kv), f(n*kv)
	a.dgate, a.dup, a.dh = f(n*ff), f(n*ff), f(n*ff)
	a.dgPart = f((n + rowBlock - 1) / rowBlock * d)
	for w := 0; w < threads; w++ {
		a.dp = append(a.dp, f(attnBlock*T))
		a.head = append(a.head, quant.NewGemm(1))
	}
	a.rope = ropeTable(c, T)
	return a
}

// ropeTable precomputes cos and sin of pos·base^(-2i/headDim) for every
// position and pair, in float64 before rounding, as ggml's rope does per element.
func ropeTable(c ModelConfig, T int) []float32 {
	hd := c.HeadDim()
	tab := make([]float32, T*hd)
	for p := 0; p < T; p++ {
		for i := 0; i < hd/2; i++ {
			theta := float64(p) * math.Pow(float64(c.RopeBase), -2*float64(i)/float64(hd))
			tab[p*hd+2*i] = float32(math.Cos(theta))
			tab[p*hd+2*i+1] = float32(math.Sin(theta))
		}
	}
	return tab
}

// parallel calls fn(w, i) for every i in [0, n) on a.threads goroutines,
// w being the goroutine's index (for per-worker scratch). Items are handed
// out one at a time rather than in fixed chunks: on a machine shared with
// other work a goroutine the OS runs late then takes fewer of them instead
// of holding up the step. Each item's result does not depend on which
// goroutine computes it.
func (a *acts) parallel(n int, fn func(w, i int)) {
	workers := min(a.threads, n)
	if workers <= 1 {
		for i := 0; i < n; i++ {
			fn(0, i)
		}
		return
	}
	var next atomic.Int64
	run := func(w int) {
		for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
			fn(w, i)
		}
	}
	var wg sync.WaitGroup
	wg.Add(workers - 1)
	for w := 1; w < workers; w++ {
		go func() { defer wg.Done(); run(w) }()
	}
	run(0)
	wg.Wait()
}

// matmul computes out[N,O] = inp[N,I] · W[O,I]ᵀ. The products are
// quant.Gemm's register-tiled kernels (AVX-512 or AVX2 assembly where the
// CPU has it); they sum each output over I in a fixed order, so results do
// not depend on the number of threads.
func (a *acts) matmul(out, inp, w []float32, n, in, o int) {
	a.mm.NT(quant.DenseOf(out, n, o), quant.DenseOf(inp, n, in), quant.DenseOf(w, o, in), false)
}

// matmulBack computes dinp[N,I] = dout[N,O]·W[O,I] (or adds it to dinp, with
// acc) and adds doutᵀ·inp to dW[O,I].
func (a *acts) matmulBack(dinp, dw, dout, inp, w []float32, n, in, o int, acc bool) {
	if dinp != nil {
		a.mm.NN(quant.DenseOf(dinp, n, in), quant.DenseOf(dout, n, o), quant.DenseOf(w, o, in), acc)
	}
	a.mm.TN(quant.DenseOf(dw, o, in), quant.DenseOf(dout, n, o), quant.DenseOf(inp, n, in), true)
}

// rmsnorm: out = x / sqrt(mean(x²)+eps) · g, summing squares in float64.
func rmsnorm(out, rstd, x, g []float32, n, d int, eps float32) {
	for i := 0; i < n; i++ {
		xi, oi := x[i*d:i*d+d], out[i*d:i*d+d]
		var ss float64
		for _, v := range xi {
			ss += float64(v) * float64(v)
		}
		r := float32(1 / math.Sqrt(ss/float64(d)+float64(eps)))
		rstd[i] = r
		for j, v := range xi {
			oi[j] = v * r * g[j]
		}
	}
}

// rmsnormBack: with xhat = x·r, dg += dy·xhat and dx += r·(dy·g − xhat·mean(dy·g·xhat)).
func rmsnormBack(dx, dg, dy, x, rstd, g []float32, n, d int) {
	for i := 0; i < n; i++ {
		xi, dyi, dxi := x[i*d:i*d+d], dy[i*d:i*d+d], dx[i*d:i*d+d]
		r := rstd[i]
		var dot float64
		for j := range xi {
			dot += float64(dyi[j]*g[j]) * float64(xi[j]*r)
		}
		mean := float32(dot / float64(d))
		for j := range xi {
			xhat := xi[j] * r
			dg[j] += dyi[j] * xhat
			dxi[j] += r * (dyi[j]*g[j] - xhat*mean)
		}
	}
}

// rowBlock is the unit of work of the row-wise loops run on all threads.
const rowBlock = 64

// parallelRows runs fn on blocks [lo, hi) of rowBlock rows out of n, on all
// threads. The element-wise passes between the matrix products are cheap,
// but left on one thread they would be a quarter of a step on two.
func (a *acts) parallelRows(n int, fn func(lo, hi int)) {
	a.parallel((n+rowBlock-1)/rowBlock, func(_, blk int) {
		fn(blk*rowBlock, min(n, (blk+1)*rowBlock))
	})
}

// norm is rmsnorm over the n = B·T rows on all threads.
func (a *acts) norm(out, rstd, x, g []float32, d int, eps float32) {
	a.parallelRows(a.B*a.T, func(lo, hi int) {
		rmsnorm(out[lo*d:hi*d], rstd[lo:hi], x[lo*d:hi*d], g, hi-lo, d, eps)
	})
}

// normBack is rmsnormBack over the n = B·T rows on all threads. Each block of
// rows sums its part of dg separately; the parts are then added to dg in
// block order, so the result does not depend on the thread count.
func (a *acts) normBack(dx, dg, dy, x, rstd, g []float32, d int) {
	a.parallelRows(a.B*a.T, func(lo, hi int) {
		part := a.dgPart[lo/rowBlock*d : (lo/rowBlock+1)*d]
		clear(part)
		rmsnormBack(dx[lo*d:hi*d], part, dy[lo*d:hi*d], x[lo*d:hi*d], rstd[lo:hi], g, hi-lo, d)
	})
	for blk := 0; blk*rowBlock < a.B*a.T; blk++ {
		for j, v := range a.dgPart[blk*d : (blk+1)*d] {
			dg[j] += v
		}
	}
}

// rope rotates each head's adjacent pairs in place, for rows [lo, hi) of x
// (row r is position r mod T of its sequence); inverse applies the
// transposed rotation (the backward pass of a rotation).
func rope(x []float32, tab []float32, lo, hi, T, heads, hd int, inverse bool) {
	for r := lo; r < hi; r++ {
		t := r % T
		cs := tab[t*hd : t*hd+hd]
		row := x[r*heads*hd : (r+1)*heads*hd]
		for h := 0; h < heads; h++ {
			v := row[h*hd : h*hd+hd]
			for i := 0; i < hd; i += 2 {
				c, s := cs[i], cs[i+1]
				if inverse {
					s = -s
				}
				x0, x1 := v[i], v[i+1]
				v[i] = x0*c - x1*s
				v[i+1] = x0*s + x1*c
			}
		}
	}
}

// ropeQK applies rope to q [N, heads·hd] and k [N, kvHeads·hd], on all threads.
func (a *acts) ropeQK(c ModelConfig, q, k []float32, inverse bool) {
	a.parallelRows(a.B*a.T, func(lo, hi int) {
		rope(q, a.rope, lo, hi, a.T, c.Heads, c.HeadDim(), inverse)
		rope(k, a.rope, lo, hi, a.T, c.KVHeads, c.HeadDim(), inverse)
	})
}

// attnBlock is the row block of the attention products. Queries
// [r0, r0+attnBlock) attend to keys [0, r0+attnBlock) only, so computing the
// scores and their uses block by block skips most of the masked upper
// triangle (at T = 256: 5/8 of the full T×T products instead of all of it),
// while each block is still a matrix product the GEMM kernels run at speed.
const attnBlock = 64

// attention: causal softmax(q·kᵀ/sqrt(hd))·v per sequence and head; head h
// reads kv head h/(heads/kvHeads) (grouped-query attention). Per row block:
// S = Q·Kᵀ, softmax of each row up to the diagonal (the rest of the block's
// row zeroed, as the product with V and the backward pass read it), then
// O = P·V.
func (m *Model) attention(a *acts, la *layerActs) {
	c := m.Cfg
	B, T := a.B, a.T
	hd, H, KV := c.HeadDim(), c.Heads, c.KVHeads
	d, kvd := c.Dim, KV*hd
	scale := float32(1 / math.Sqrt(float64(hd)))
	q, k, v := quant.DenseOf(la.q, B*T, d), quant.DenseOf(la.k, B*T, kvd), quant.DenseOf(la.v, B*T, kvd)
	out := quant.DenseOf(la.attOut, B*T, d)
	a.parallel(B*H, func(w, task int) {
		g := a.head[w]
		b, h := task/H, task%H
		kh := h / (H / KV)
		att := quant.DenseOf(la.att[task*T*T:(task+1)*T*T], T, T) // task == b·H+h
		for r0 := 0; r0 < T; r0 += attnBlock {
			r1 := min(T, r0+attnBlock)
			// Queries r0..r1 of sequence b against its keys 0..r1.
			s := att.Slice(r0, r1, 0, r1)
			kb, vb := k.Slice(b*T, b*T+r1, kh*hd, kh*hd+hd), v.Slice(b*T, b*T+r1, kh*hd, kh*hd+hd)
			g.NT(s, q.Slice(b*T+r0, b*T+r1, h*hd, h*hd+hd), kb, false)
			for t := r0; t < r1; t++ {
				softmaxCausal(att.Data[t*T:t*T+r1], t, scale)
			}
			g.NN(out.Slice(b*T+r0, b*T+r1, h*hd, h*hd+hd), s, vb, false)
		}
	})
}

// softmaxCausal turns the scores p[0..t] into probabilities
// softmax(p·scale) and zeroes p[t+1:].
func softmaxCausal(p []float32, t int, scale float32) {
	s := p[:t+1]
	for i := range s {
		s[i] *= scale
	}
	_, sum := quant.SoftmaxExp(s)
	inv := float32(1 / sum)
	for i := range s {
		s[i] *= inv
	}
	clear(p[t+1:])
}

// attentionBack accumulates dq, dk, dv from dattOut (dk and dv must be
// cleared first; dq is overwritten). Tasks are (sequence, kv head) so that
// the query heads sharing a kv head write dk/dv from one goroutine. Per row
// block, with P the probabilities and dO the output gradient:
// dP = dO·Vᵀ, dV += Pᵀ·dO, dS = P ⊙ (dP − rowsum(P ⊙ dP))·scale,
// dQ = dS·K and dK += dSᵀ·Q.
func (m *Model) attentionBack(a *acts, la *layerActs) {
	c := m.Cfg
	B, T := a.B, a.T
	hd, H, KV := c.HeadDim(), c.Heads, c.KVHeads
	d, kvd, grp := c.Dim, KV*hd, H/KV
	scale := float32(1 / math.Sqrt(float64(hd)))
	q, k, v := quant.DenseOf(la.q, B*T, d), quant.DenseOf(la.k, B*T, kvd), quant.DenseOf(la.v, B*T, kvd)
	dq, dk, dv := quant.DenseOf(a.dq, B*T, d), quant.DenseOf(a.dk, B*T, kvd), quant.DenseOf(a.dv, B*T, kvd)
	dout := quant.DenseOf(a.dattOut, B*T, d)
	a.parallel(B*KV, func(w, task int) {
		g := a.head[w]
		b, kh := task/KV, task%KV
		for h := kh * grp; h < (kh+1)*grp; h++ {
			att := quant.DenseOf(la.att[(b*H+h)*T*T:(b*H+h+1)*T*T], T, T)
			for r0 := 0; r0 < T; r0 += attnBlock {
				r1 := min(T, r0+attnBlock)
				// Queries r0..r1 of sequence b against its keys 0..r1.
				p := att.Slice(r0, r1, 0, r1)
				qb, do := q.Slice(b*T+r0, b*T+r1, h*hd, h*hd+hd), dout.Slice(b*T+r0, b*T+r1, h*hd, h*hd+hd)
				kb, vb := k.Slice(b*T, b*T+r1, kh*hd, kh*hd+hd), v.Slice(b*T, b*T+r1, kh*hd, kh*hd+hd)
				dkb, dvb := dk.Slice(b*T, b*T+r1, kh*hd, kh*hd+hd), dv.Slice(b*T, b*T+r1, kh*hd, kh*hd+hd)
				ds := quant.DenseOf(a.dp[w], r1-r0, r1)
				g.NT(ds, do, vb, false) // dP, turned into dS below
				g.TN(dvb, p, do, true)
				for t := r0; t < r1; t++ {
					pr, dr := att.Data[t*T:t*T+t+1], ds.Data[(t-r0)*r1:(t-r0+1)*r1]
					var pdp float64
					for t2, x := range pr {
						pdp += float64(x * dr[t2])
					}
					for t2, x := range pr {
						dr[t2] = x * (dr[t2] - float32(pdp)) * scale
					}
					clear(dr[t+1:])
				}
				g.NN(dq.Slice(b*T+r0, b*T+r1, h*hd, h*hd+hd), ds, kb, false)
				g.TN(dkb, ds, qb, true)
			}
		}
	})
}

// axpy: y += alpha·x.
func axpy(y, x []float32, alpha float32) {
	x = x[:len(y)]
	for i := range y {
		y[i] += alpha * x[i]
	}
}

// swiglu sets hidden = silu(gate) ⊙ up and keeps sig = sigmoid(gate) for the
// backward pass. The exponentials e^-|g| go through quant.ExpShift in one
// vectorized pass (in sig, then turned into the sigmoid), so the argument
// of each is at most 0.
func swiglu(hidden, sig, gate, up []float32) {
	for i, g := range gate {
		sig[i] = -abs32(g)
	}
	quant.ExpShift(sig, 0)
	for i, g := range gate {
		e := sig[i]
		s := 1 / (1 + e) // sigmoid(|g|)
		// For g < 0, sigmoid(g) = e·s: selected arithmetically, as a
		// branch on the sign of g would be mispredicted half the time.
		neg := float32(math.Float32bits(g) >> 31)
		s += neg * (e - 1) * s
		sig[i] = s
		hidden[i] = g * s * up[i]
	}
}

func abs32(x float32) float32 { return math.Float32frombits(math.Float32bits(x) &^ (1 << 31)) }

// forward runs the model on tokens [B·T] and, when targets is non-nil, returns
// the mean cross-entropy over positions whose target is >= 0.
func (m *Model) forward(a *acts, tokens, targets []int32) float64 {
	c := m.Cfg
	B, T := a.B, a.T
	n, d, kvd, ff := B*T, c.Dim, c.KVHeads*c.HeadDim(), c.FF
	embd := m.w(m.embd)
	x := a.res[0]
	for i, tok := range tokens[:n] {
		copy(x[i*d:i*d+d], embd[int(tok)*d:int(tok)*d+d])
	}
	for l := range m.layers {
		lp, la := &m.layers[l], &a.lay[l]
		x := a.res[l]
		a.norm(la.xn1, la.rst1, x, m.w(lp.attnNorm), d, c.NormEps)
		a.matmul(la.q, la.xn1, m.w(lp.wq), n, d, d)
		a.matmul(la.k, la.xn1, m.w(lp.wk), n, d, kvd)
		a.matmul(la.v, la.xn1, m.w(lp.wv), n, d, kvd)
		a.ropeQK(c, la.q, la.k, false)
		m.attention(a, la)
		a.matmul(la.x2, la.attOut, m.w(lp.wo), n, d, d)
		for i := range la.x2 {
			la.x2[i] += x[i]
		}
		a.norm(la.xn2, la.rst2, la.x2, m.w(lp.ffnNorm), d, c.NormEps)
		a.matmul(la.gate, la.xn2, m.w(lp.wGate), n, d, ff)
		a.matmul(la.up, la.xn2, m.w(lp.wUp), n, d, ff)
		a.parallelRows(n, func(lo, hi int) {
			swiglu(la.hidden[lo*ff:hi*ff], la.sig[lo*ff:hi*ff], la.gate[lo*ff:hi*ff], la.up[lo*ff:hi*ff])
		})
		out := a.res[l+1]
		a.matmul(out, la.hidden, m.w(lp.wDown), n, ff, d)
		for i := range out {
			out[i] += la.x2[i]
		}
	}
	a.norm(a.xnf, a.rstf, a.res[c.Layers], m.w(m.outNorm), d, c.NormEps)
	a.matmul(a.logits, a.xnf, embd, n, d, c.Vocab)
	if targets == nil {
		return 0
	}
	return m.crossEntropy(a, targets)
}

// crossEntropy computes per-position losses (log-sum-exp in float64) and
// replaces the logits with dloss/dlogits = (softmax − onehot)/count. Each
// row's exponentials are computed once (quant.SoftmaxExp, vectorized) and kept
// in place for the gradient: with a vocabulary of 8192 this loop takes more
// exponentials per step than the rest of the model together.
func (m *Model) crossEntropy(a *acts, targets []int32) float64 {
	V := m.Cfg.Vocab
	n := a.B * a.T
	count := 0
	for _, t := range targets[:n] {
		if t >= 0 {
			count++
		}
	}
	if count == 0 {
		return 0
	}
	inv := 1 / float64(count)
	a.parallel(n, func(_, i int) {
		row := a.logits[i*V : i*V+V]
		tgt := targets[i]
		if tgt < 0 {
			a.losses[i] = 0
			clear(row)
			return
		}
		tv := row[tgt]
		maxv, sum := quant.SoftmaxExp(row)
		a.losses[i] = float32(math.Log(sum) - float64(tv-maxv))
		s := float32(inv / sum)
		for j := range row {
			row[j] *= s
		}
		row[tgt] -= float32(inv)
	})
	var loss float64
	for i, t := range targets[:n] {
		if t >= 0 {
			loss += float64(a.losses[i])
		}
	}
	return loss / float64(count)
}

// backward accumulates the gradient of the loss computed by the last forward
// call (which left dlogits in a.logits) into m.Grads.
func (m *Model) backward(a *acts, tokens []int32) {
	c := m.Cfg
	B, T := a.B, a.T
	n, d, kvd, ff := B*T, c.Dim, c.KVHeads*c.HeadDim(), c.FF
	embd, dembd := m.w(m.embd), m.g(m.embd)

	// logits = xnf · embdᵀ (tied): dxnf and dembd.
	a.matmulBack(a.dxn, dembd, a.logits, a.xnf, embd, n, d, c.Vocab, false)
	dx := a.dres // gradient w.r.t. the residual stream, carried down the blocks
	clear(dx)
	a.normBack(dx, m.g(m.outNorm), a.dxn, a.res[c.Layers], a.rstf, m.w(m.outNorm), d)

	for l := c.Layers - 1; l >= 0; l-- {
		lp, la := &m.layers[l], &a.lay[l]
		// out = x2 + Wdown·hidden
		a.matmulBack(a.dh, m.g(lp.wDown), dx, la.hidden, m.w(lp.wDown), n, ff, d, false)
		a.parallelRows(n, func(lo, hi int) {
			for i := lo * ff; i < hi*ff; i++ {
				g, s := la.gate[i], la.sig[i]
				a.dgate[i] = a.dh[i] * la.up[i] * s * (1 + g*(1-s))
				a.dup[i] = a.dh[i] * g * s
			}
		})
		a.matmulBack(a.dxn, m.g(lp.wGate), a.dgate, la.xn2, m.w(lp.wGate), n, d, ff, false)
		a.matmulBack(a.dxn, m.g(lp.wUp), a.dup, la.xn2, m.w(lp.wUp), n, d, ff, true)
		copy(a.dx2, dx) // residual path
		a.normBack(a.dx2, m.g(lp.ffnNorm), a.dxn, la.x2, la.rst2, m.w(lp.ffnNorm), d)

		// x2 = x + Wo·attOut
		a.matmulBack(a.dattOut, m.g(lp.wo), a.dx2, la.attOut, m.w(lp.wo), n, d, d, false)
		clear(a.dk)
		clear(a.dv)
		m.attentionBack(a, la)
		a.ropeQK(c, a.dq, a.dk, true)
		a.matmulBack(a.dxn, m.g(lp.wq), a.dq, la.xn1, m.w(lp.wq), n, d, d, false)
		a.matmulBack(a.dxn, m.g(lp.wk), a.dk, la.xn1, m.w(lp.wk), n, d, kvd, true)
		a.matmulBack(a.dxn, m.g(lp.wv), a.dv, la.xn1, m.w(lp.wv), n, d, kvd, true)
		copy(dx, a.dx2)
		a.normBack(dx, m.g(lp.attnNorm), a.dxn, a.res[l], la.rst1, m.w(lp.attnNorm), d)
	}
	for i, tok := range tokens[:n] {
		axpy(dembd[int(tok)*d:int(tok)*d+d], dx[i*d:i*d+d], 1)
	}
}
