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

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
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
	dp                                  [][]float32 // per (b, kv-head) task [T]

	rope []float32 // cos,sin interleaved per (pos, pair) [Ctx, headDim/2, 2]
}

type layerActs struct {
	xn1, rst1        []float32 // attn_norm output [N,D], 1/rms [N]
	q, k, v          []float32 // q,k after RoPE [N,D], [N,KV], [N,KV]
	att              []float32 // softmax probabilities [B,H,T,T]
	attOut           []float32 // attention output before Wo [N,D]
	x2               []float32 // residual after attention [N,D]
	xn2, rst2        []float32 // ffn_norm output [N,D], 1/rms [N]
	gate, up, hidden []float32 // [N,FF]
}

func newActs(c ModelConfig, B, T int) *acts {
	n, d, kv, ff := B*T, c.Dim, c.KVHeads*c.HeadDim(), c.FF
	a := &acts{B: B, T: T}
	f := func(k int) []float32 { return make([]float32, k) }
	for l := 0; l <= c.Layers; l++ {
		a.res = append(a.res, f(n*d))
	}
	for l := 0; l < c.Layers; l++ {
		a.lay = append(a.lay, layerActs{
			xn1: f(n * d), rst1: f(n), q: f(n * d), k: f(n * kv), v: f(n * kv),
			att: f(B * c.Heads * T * T), attOut: f(n * d), x2: f(n * d), xn2: f(n * d), rst2: f(n),
			gate: f(n * ff), up: f(n * ff), hidden: f(n * ff),
		})
	}
	a.xnf, a.rstf, a.logits, a.losses = f(n*d), f(n), f(n*c.Vocab), f(n)
	a.dres, a.dx2, a.dxn, a.dattOut, a.dq = f(n*d), f(n*d), f(n*d), f(n*d), f(n*d)
	a.dk, a.dv = f(n*kv), f(n*kv)
	a.dgate, a.dup, a.dh = f(n*ff), f(n*ff), f(n*ff)
	for i := 0; i < B*c.KVHeads; i++ {
		a.dp = append(a.dp, f(T))
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

// parallel runs fn over [0,n) split into contiguous chunks, one per core.
func parallel(n int, fn func(lo, hi int)) {
	w := runtime.GOMAXPROCS(0)
	if w > n {
		w = n
	}
	if w <= 1 {
		fn(0, n)
		return
	}
	var wg sync.WaitGroup
	for i := 0; i < w; i++ {
		lo, hi := n*i/w, n*(i+1)/w
		wg.Add(1)
		go func() { defer wg.Done(); fn(lo, hi) }()
	}
	wg.Wait()
}

func gen(rows, cols int, data []float32) blas32.General {
	return blas32.General{Rows: rows, Cols: cols, Stride: cols, Data: data[:rows*cols]}
}

// matmul computes out[N,O] = inp[N,I] · W[O,I]ᵀ. gonum's blocked SGEMM (SSE
// assembly kernels, blocks spread over GOMAXPROCS goroutines) does the work;
// each output block sums over I in a fixed order, so results do not depend on
// the number of threads.
func matmul(out, inp, w []float32, n, in, o int) {
	blas32.Gemm(blas.NoTrans, blas.Trans, 1, gen(n, in, inp), gen(o, in, w), 0, gen(n, o, out))
}

// matmulBack accumulates dinp[N,I] += dout[N,O]·W[O,I] and dW[O,I] += doutᵀ·inp.
// (Transposing into the A·Bᵀ form gonum runs fastest measured no gain overall.)
func matmulBack(dinp, dw, dout, inp, w []float32, n, in, o int) {
	if dinp != nil {
		blas32.Gemm(blas.NoTrans, blas.NoTrans, 1, gen(n, o, dout), gen(o, in, w), 1, gen(n, in, dinp))
	}
	blas32.Gemm(blas.Trans, blas.NoTrans, 1, gen(n, o, dout), gen(n, in, inp), 1, gen(o, in, dw))
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

// rope rotates each head's adjacent pairs in place; inverse applies the
// transposed rotation (the backward pass of a rotation).
func rope(x []float32, tab []float32, B, T, heads, hd int, inverse bool) {
	for b := 0; b < B; b++ {
		for t := 0; t < T; t++ {
			cs := tab[t*hd : t*hd+hd]
			row := x[(b*T+t)*heads*hd : (b*T+t+1)*heads*hd]
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
}

// attention: causal softmax(q·kᵀ/sqrt(hd))·v per sequence and head; head h
// reads kv head h/(heads/kvHeads) (grouped-query attention).
func (m *Model) attention(la *layerActs, B, T int) {
	c := m.Cfg
	hd, H, KV := c.HeadDim(), c.Heads, c.KVHeads
	d, kvd := c.Dim, KV*hd
	scale := float32(1 / math.Sqrt(float64(hd)))
	parallel(B*H, func(lo, hi int) {
		for task := lo; task < hi; task++ {
			b, h := task/H, task%H
			kh := h / (H / KV)
			for t := 0; t < T; t++ {
				q := la.q[(b*T+t)*d+h*hd : (b*T+t)*d+h*hd+hd]
				p := la.att[((b*H+h)*T+t)*T : ((b*H+h)*T+t+1)*T]
				maxv := float32(math.Inf(-1))
				for t2 := 0; t2 <= t; t2++ {
					k := la.k[(b*T+t2)*kvd+kh*hd : (b*T+t2)*kvd+kh*hd+hd]
					s := dot(q, k) * scale
					p[t2] = s
					if s > maxv {
						maxv = s
					}
				}
				var sum float64
				for t2 := 0; t2 <= t; t2++ {
					e := float32(math.Exp(float64(p[t2] - maxv)))
					p[t2] = e
					sum += float64(e)
				}
				inv := float32(1 / sum)
				out := la.attOut[(b*T+t)*d+h*hd : (b*T+t)*d+h*hd+hd]
				clear(out)
				for t2 := 0; t2 <= t; t2++ {
					p[t2] *= inv
					v := la.v[(b*T+t2)*kvd+kh*hd : (b*T+t2)*kvd+kh*hd+hd]
					axpy(out, v, p[t2])
				}
				clear(p[t+1:])
			}
		}
	})
}

// attentionBack accumulates dq, dk, dv from dattOut. Tasks are (sequence,
// kv head) so that the query heads sharing a kv head write dk/dv from one goroutine.
func (m *Model) attentionBack(a *acts, la *layerActs) {
	c := m.Cfg
	B, T := a.B, a.T
	hd, H, KV := c.HeadDim(), c.Heads, c.KVHeads
	d, kvd, grp := c.Dim, KV*hd, H/KV
	scale := float32(1 / math.Sqrt(float64(hd)))
	parallel(B*KV, func(lo, hi int) {
		for task := lo; task < hi; task++ {
			b, kh := task/KV, task%KV
			dp := a.dp[task]
			for h := kh * grp; h < (kh+1)*grp; h++ {
				for t := 0; t < T; t++ {
					p := la.att[((b*H+h)*T+t)*T : ((b*H+h)*T+t+1)*T]
					do := a.dattOut[(b*T+t)*d+h*hd : (b*T+t)*d+h*hd+hd]
					var pdp float64
					for t2 := 0; t2 <= t; t2++ {
						off := (b*T+t2)*kvd + kh*hd
						dp[t2] = dot(do, la.v[off:off+hd])
						axpy(a.dv[off:off+hd], do, p[t2])
						pdp += float64(p[t2] * dp[t2])
					}
					q := la.q[(b*T+t)*d+h*hd : (b*T+t)*d+h*hd+hd]
					dq := a.dq[(b*T+t)*d+h*hd : (b*T+t)*d+h*hd+hd]
					for t2 := 0; t2 <= t; t2++ {
						ds := p[t2] * (dp[t2] - float32(pdp)) * scale
						off := (b*T+t2)*kvd + kh*hd
						axpy(dq, la.k[off:off+hd], ds)
						axpy(a.dk[off:off+hd], q, ds)
					}
				}
			}
		}
	})
}

func dot(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// axpy: y += alpha·x.
func axpy(y, x []float32, alpha float32) {
	x = x[:len(y)]
	for i := range y {
		y[i] += alpha * x[i]
	}
}

func silu(x float32) float32 { return x / (1 + float32(math.Exp(float64(-x)))) }

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
		rmsnorm(la.xn1, la.rst1, x, m.w(lp.attnNorm), n, d, c.NormEps)
		matmul(la.q, la.xn1, m.w(lp.wq), n, d, d)
		matmul(la.k, la.xn1, m.w(lp.wk), n, d, kvd)
		matmul(la.v, la.xn1, m.w(lp.wv), n, d, kvd)
		rope(la.q, a.rope, B, T, c.Heads, c.HeadDim(), false)
		rope(la.k, a.rope, B, T, c.KVHeads, c.HeadDim(), false)
		m.attention(la, B, T)
		matmul(la.x2, la.attOut, m.w(lp.wo), n, d, d)
		for i := range la.x2 {
			la.x2[i] += x[i]
		}
		rmsnorm(la.xn2, la.rst2, la.x2, m.w(lp.ffnNorm), n, d, c.NormEps)
		matmul(la.gate, la.xn2, m.w(lp.wGate), n, d, ff)
		matmul(la.up, la.xn2, m.w(lp.wUp), n, d, ff)
		for i, g := range la.gate {
			la.hidden[i] = silu(g) * la.up[i]
		}
		out := a.res[l+1]
		matmul(out, la.hidden, m.w(lp.wDown), n, ff, d)
		for i := range out {
			out[i] += la.x2[i]
		}
	}
	rmsnorm(a.xnf, a.rstf, a.res[c.Layers], m.w(m.outNorm), n, d, c.NormEps)
	matmul(a.logits, a.xnf, embd, n, d, c.Vocab)
	if targets == nil {
		return 0
	}
	return m.crossEntropy(a, targets)
}

// crossEntropy computes per-position losses (log-sum-exp in float64) and
// replaces the logits with dloss/dlogits = (softmax − onehot)/count.
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
	inv := float32(1 / float64(count))
	parallel(n, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			row := a.logits[i*V : i*V+V]
			tgt := targets[i]
			if tgt < 0 {
				a.losses[i] = 0
				clear(row)
				continue
			}
			maxv := row[0]
			for _, v := range row {
				if v > maxv {
					maxv = v
				}
			}
			var sum float64
			for _, v := range row {
				sum += math.Exp(float64(v - maxv))
			}
			a.losses[i] = float32(math.Log(sum) - float64(row[tgt]-maxv))
			is := 1 / sum
			for j, v := range row {
				row[j] = float32(math.Exp(float64(v-maxv))*is) * inv
			}
			row[tgt] -= inv
		}
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
	clear(a.dxn)
	matmulBack(a.dxn, dembd, a.logits, a.xnf, embd, n, d, c.Vocab)
	dx := a.dres // gradient w.r.t. the residual stream, carried down the blocks
	clear(dx)
	rmsnormBack(dx, m.g(m.outNorm), a.dxn, a.res[c.Layers], a.rstf, m.w(m.outNorm), n, d)

	for l := c.Layers - 1; l >= 0; l-- {
		lp, la := &m.layers[l], &a.lay[l]
		// out = x2 + Wdown·hidden
		clear(a.dh)
		matmulBack(a.dh, m.g(lp.wDown), dx, la.hidden, m.w(lp.wDown), n, ff, d)
		for i, g := range la.gate {
			s := float32(1 / (1 + math.Exp(float64(-g))))
			a.dgate[i] = a.dh[i] * la.up[i] * s * (1 + g*(1-s))
			a.dup[i] = a.dh[i] * g * s
		}
		clear(a.dxn)
		matmulBack(a.dxn, m.g(lp.wGate), a.dgate, la.xn2, m.w(lp.wGate), n, d, ff)
		matmulBack(a.dxn, m.g(lp.wUp), a.dup, la.xn2, m.w(lp.wUp), n, d, ff)
		copy(a.dx2, dx) // residual path
		rmsnormBack(a.dx2, m.g(lp.ffnNorm), a.dxn, la.x2, la.rst2, m.w(lp.ffnNorm), n, d)

		// x2 = x + Wo·attOut
		clear(a.dattOut)
		matmulBack(a.dattOut, m.g(lp.wo), a.dx2, la.attOut, m.w(lp.wo), n, d, d)
		clear(a.dq)
		clear(a.dk)
		clear(a.dv)
		m.attentionBack(a, la)
		rope(a.dq, a.rope, B, T, c.Heads, c.HeadDim(), true)
		rope(a.dk, a.rope, B, T, c.KVHeads, c.HeadDim(), true)
		clear(a.dxn)
		matmulBack(a.dxn, m.g(lp.wq), a.dq, la.xn1, m.w(lp.wq), n, d, d)
		matmulBack(a.dxn, m.g(lp.wk), a.dk, la.xn1, m.w(lp.wk), n, d, kvd)
		matmulBack(a.dxn, m.g(lp.wv), a.dv, la.xn1, m.w(lp.wv), n, d, kvd)
		copy(dx, a.dx2)
		rmsnormBack(dx, m.g(lp.attnNorm), a.dxn, a.res[l], la.rst1, m.w(lp.attnNorm), n, d)
	}
	for i, tok := range tokens[:n] {
		axpy(dembd[int(tok)*d:int(tok)*d+d], dx[i*d:i*d+d], 1)
	}
}
