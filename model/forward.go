package model

import (
	"context"
	"math"

	"github.com/weft-dev/weft/model/quant"
)

// This file is the decoder's forward pass, written top to bottom in the manner
// of llama2.c's run.c. Each step names the llama.cpp (ggml CPU backend)
// behaviour it reproduces, because the tests compare logits with llama.cpp's.
// A batch of n tokens at positions pos0..pos0+n-1 goes through every layer
// together: the projections are matrix-matrix products (quant's MatMul with
// n > 1), as llama.cpp does for a prompt in one llama_decode call.
//
// Nothing here allocates: every buffer lives in the Session (see session.go).

// forward runs toks (at most s.maxBatch tokens) at positions pos0... It writes
// the logits of the last token into out, or of every token when all is set
// (len(out) == len(toks)*n_vocab). The KV cache rows pos0..pos0+n-1 are
// overwritten. It returns ctx.Err() if ctx is cancelled between layers.
func (s *Session) forward(ctx context.Context, toks []int32, pos0 int, out []float32, all bool) error {
	m := s.m
	in := &m.info
	a := &m.arch
	n := len(toks)
	dim, nKV, nFF := in.NEmbd, in.NHeadKV*in.HeadDim, in.NFF
	nQ := in.NHead * in.HeadDim
	x := s.x[:n*dim]
	xb := s.xb[:n*dim]

	// 1. Token embeddings: llama.cpp's ggml_get_rows on token_embd dequantizes
	//    the selected rows to F32 (to_float of the tensor's type). Gemma then
	//    scales them by sqrtf(n_embd) (ggml_scale).
	for i, t := range toks {
		row := m.embdData[int(t)*m.embdRowSize : (int(t)+1)*m.embdRowSize]
		if err := quant.Dequantize(m.embdType, row, x[i*dim:(i+1)*dim]); err != nil {
			return err
		}
	}
	if a.embdScale {
		scaleBy(x, float32(math.Sqrt(float64(dim))))
	}

	// 2. RoPE angles for the batch's positions, as ggml's rope_cache_init:
	//    theta starts at the position, is multiplied by
	//    theta_scale = powf(freq_base, -2/n_rot) in float32 for each pair, is
	//    divided by the optional rope_freqs factor and scaled by freq_scale.
	s.ropeAngles(pos0, n)

	s.batchN, s.batchPos = n, pos0
	for l := range m.layers {
		// Cancellation is checked between layers so that a long prefill
		// stops promptly; the session's token list is only extended after a
		// batch completes, so a cancelled batch leaves no trace.
		if err := ctx.Err(); err != nil {
			return err
		}
		w := &m.layers[l]
		s.batchLayer = l

		// 3. attn_norm: ggml_rms_norm (sum of squares in double, scale
		//    1/sqrtf(mean+eps) in float) followed by ggml_mul with the weight;
		//    starcoder2's ggml_norm subtracts the mean first and adds a bias.
		for i := 0; i < n; i++ {
			m.norm(xb[i*dim:(i+1)*dim], x[i*dim:(i+1)*dim], w.attnNorm, w.attnNormB)
		}

		// 4. Q, K, V projections (build_lora_mm), plus the q/k/v biases of
		//    qwen2 and starcoder2 (ggml_add).
		q, k, v := s.q[:n*nQ], s.k[:n*nKV], s.v[:n*nKV]
		//    One fused dispatch: the activations are quantized once and the
		//    threads meet once instead of three times.
		s.matmul3(q, &w.wq, k, &w.wk, v, &w.wv, xb, n)
		if w.bq != nil {
			for i := 0; i < n; i++ {
				addTo(q[i*nQ:(i+1)*nQ], w.bq)
				addTo(k[i*nKV:(i+1)*nKV], w.bk)
				addTo(v[i*nKV:(i+1)*nKV], w.bv)
			}
		}
		//    qwen3: ggml_rms_norm of every head of Q and K (over head_dim)
		//    times attn_q_norm / attn_k_norm, before RoPE.
		if w.qNorm != nil {
			hd := in.HeadDim
			for h := 0; h < n*in.NHead; h++ {
				rmsnorm(q[h*hd:(h+1)*hd], q[h*hd:(h+1)*hd], w.qNorm, in.RMSEps)
			}
			for h := 0; h < n*in.NHeadKV; h++ {
				rmsnorm(k[h*hd:(h+1)*hd], k[h*hd:(h+1)*hd], w.kNorm, in.RMSEps)
			}
		}

		// 5. RoPE on every head of Q and K (ggml_rope_ext): mode NORM rotates
		//    adjacent pairs (llama), NEOX rotates element i with i+n_rot/2
		//    (the others). Dimensions past n_rot are left alone.
		for i := 0; i < n; i++ {
			cs := s.ropeCos[i*in.NRot/2 : (i+1)*in.NRot/2]
			sn := s.ropeSin[i*in.NRot/2 : (i+1)*in.NRot/2]
			for h := 0; h < in.NHead; h++ {
				rope(q[i*nQ+h*in.HeadDim:i*nQ+(h+1)*in.HeadDim], cs, sn, a.rope)
			}
			for h := 0; h < in.NHeadKV; h++ {
				rope(k[i*nKV+h*in.HeadDim:i*nKV+(h+1)*in.HeadDim], cs, sn, a.rope)
			}
		}
		//    gemma scales Q by 1/sqrtf(head_dim) here (ggml_scale) and
		//    attends with a scale of 1.
		if a.qScale {
			scaleBy(q, 1/float32(math.Sqrt(float64(in.HeadDim))))
		}

		// 6. Store K and V in the cache at their positions (ggml_cpy into the
		//    cache view): F16 caches round to nearest even as ggml's
		//    GGML_FP32_TO_FP16.
		s.storeKV(l, pos0, k, v)

		// 7. Attention, in parallel over heads (and over slices of the batch
		//    when there are more threads than heads). See attnTask.
		s.pool.Run(s.attnTasks(n), s.attnFn)

		// 8. attn_output projection (plus starcoder2's bias) and the residual
		//    add (ggml_add of inpSA).
		att := s.xb2[:n*nQ]
		s.matmul(xb, &w.wo, att, n)
		if w.bo != nil {
			for i := 0; i < n; i++ {
				addTo(xb[i*dim:(i+1)*dim], w.bo)
			}
		}
		addTo(x, xb)

		// 9. ffn_norm, then the feed-forward of build_ffn, then ffn_down
		//    and the residual add:
		//      SwiGLU (LLM_FFN_SILU, LLM_FFN_PAR): silu(gate)*up with
		//        silu(x) = x/(1+expf(-x)) as ggml_vec_silu_f32;
		//      GeGLU (gemma, LLM_FFN_GELU, LLM_FFN_PAR): gelu(gate)*up;
		//      GELU (starcoder2, LLM_FFN_GELU, LLM_FFN_SEQ without a gate):
		//        gelu(up+b), and ffn_down's bias after the product.
		for i := 0; i < n; i++ {
			m.norm(xb[i*dim:(i+1)*dim], x[i*dim:(i+1)*dim], w.ffnNorm, w.ffnNormB)
		}
		hb, hb2 := s.hb[:n*nFF], s.hb2[:n*nFF]
		switch a.ffn {
		case ffnGELU:
			s.matmul(hb, &w.wUp, xb, n)
			if w.bUp != nil {
				for i := 0; i < n; i++ {
					addTo(hb[i*nFF:(i+1)*nFF], w.bUp)
				}
			}
		default:
			s.matmul3(hb, &w.wGate, hb2, &w.wUp, nil, nil, xb, n)
		}
		s.activate(n * nFF)
		s.matmul(xb, &w.wDown, hb, n)
		if w.bDown != nil {
			for i := 0; i < n; i++ {
				addTo(xb[i*dim:(i+1)*dim], w.bDown)
			}
		}
		addTo(x, xb)
	}
	if err := ctx.Err(); err != nil {
		return err
	}

	// 10. Final output_norm and the output projection, only for the rows
	//     whose logits are wanted (llama.cpp selects the output rows with
	//     ggml_get_rows before the norm). Tied models multiply by token_embd.
	first := n - 1
	if all {
		first = 0
	}
	rows := n - first
	for i := first; i < n; i++ {
		m.norm(xb[(i-first)*dim:(i-first+1)*dim], x[i*dim:(i+1)*dim], m.outNorm, m.outNormB)
	}
	s.matmul(out[:rows*in.NVocab], &m.output, xb[:rows*dim], rows)
	return nil
}

// matmul is y = W·x for n activation vectors, through the quantized-activation
// kernels (llama.cpp's vec_dot_type path) or the dequantize-to-F32 reference.
func (s *Session) matmul(y []float32, w *quant.Matrix, x []float32, n int) {
	if s.m.opt.Reference {
		s.pool.MatMulRef(y, w, x, n)
		return
	}
	s.pool.MatMul(y, w, x, n)
}

// matmul3 is matmul for two or three matrices that read the same x (w3 nil
// for two), as one quant.Pool.MatMulMulti call.
func (s *Session) matmul3(y1 []float32, w1 *quant.Matrix, y2 []float32, w2 *quant.Matrix, y3 []float32, w3 *quant.Matrix, x []float32, n int) {
	if s.m.opt.Reference {
		s.pool.MatMulRef(y1, w1, x, n)
		s.pool.MatMulRef(y2, w2, x, n)
		if w3 != nil {
			s.pool.MatMulRef(y3, w3, x, n)
		}
		return
	}
	ys := [3][]float32{y1, y2, y3}
	ws := [3]*quant.Matrix{w1, w2, w3}
	k := 3
	if w3 == nil {
		k = 2
	}
	s.pool.MatMulMulti(ys[:k], ws[:k], x, n)
}

// rmsnorm writes x/sqrt(mean(x²)+eps) * w into o, rounding like ggml: the sum
// of float32 squares is accumulated in float64, the mean and the scale are
// float32, and the weight multiply is a separate float32 step.
func rmsnorm(o, x, w []float32, eps float32) {
	var sum float64
	for _, v := range x {
		sum += float64(v * v)
	}
	mean := float32(sum / float64(len(x)))
	scale := 1 / float32(math.Sqrt(float64(mean+eps)))
	for i, v := range x {
		o[i] = (v * scale) * w[i]
	}
}

// layernorm writes (x-mean)/sqrt(var+eps) * w + b into o, as ggml_norm then
// ggml_mul and ggml_add: the sum is accumulated in float64 and the mean
// rounded to float32; the centred values are float32, their squares summed
// in float64, the variance rounded to float32, and the scale is
// 1/sqrtf(var+eps).
func layernorm(o, x, w, b []float32, eps float32) {
	var sum float64
	for _, v := range x {
		sum += float64(v)
	}
	mean := float32(sum / float64(len(x)))
	var sum2 float64
	for i, v := range x {
		d := v - mean
		o[i] = d
		sum2 += float64(d * d)
	}
	variance := float32(sum2 / float64(len(x)))
	scale := 1 / float32(math.Sqrt(float64(variance+eps)))
	for i := range o {
		o[i] = (o[i]*scale)*w[i] + b[i]
	}
}

// norm is the architecture's normalisation of x into o with weight w and
// (LayerNorm only) bias b.
func (m *Model) norm(o, x, w, b []float32) {
	if m.arch.layerNorm {
		layernorm(o, x, w, b, m.info.RMSEps)
		return
	}
	rmsnorm(o, x, w, m.info.RMSEps)
}

// scaleBy multiplies a by c in float32, as ggml_scale.
func scaleBy(a []float32, c float32) {
	for i := range a {
		a[i] *= c
	}
}

// addTo adds b to a element-wise.
func addTo(a, b []float32) {
	b = b[:len(a)]
	for i := range a {
		a[i] += b[i]
	}
}

// ropeAngles fills cos/sin of each rotary pair for the n positions from pos0.
func (s *Session) ropeAngles(pos0, n int) {
	m := s.m
	half := m.info.NRot / 2
	thetaScale := float32(math.Pow(float64(m.info.RopeBase), float64(-2/float32(m.info.NRot))))
	for i := 0; i < n; i++ {
		theta := float32(pos0 + i)
		if s.mb != nil {
			theta = float32(s.mb.pos[i]) // sequences of a batch (batch.go)
		}
		cs := s.ropeCos[i*half : (i+1)*half]
		sn := s.ropeSin[i*half : (i+1)*half]
		for j := 0; j < half; j++ {
			t := theta
			if m.ropeFreqs != nil {
				t = t / m.ropeFreqs[j]
			}
			t = m.freqScale * t
			cs[j] = float32(math.Cos(float64(t)))
			sn[j] = float32(math.Sin(float64(t)))
			theta *= thetaScale
		}
	}
}

// rope rotates one head vector in place with the angles of its position.
func rope(v, cs, sn []float32, mode ropeMode) {
	half := len(cs)
	if mode == ropeNorm {
		for j := 0; j < half; j++ {
			x0, x1 := v[2*j], v[2*j+1]
			v[2*j] = x0*cs[j] - x1*sn[j]
			v[2*j+1] = x0*sn[j] + x1*cs[j]
		}
		return
	}
	for j := 0; j < half; j++ {
		x0, x1 := v[j], v[j+half]
		v[j] = x0*cs[j] - x1*sn[j]
		v[j+half] = x0*sn[j] + x1*cs[j]
	}
}

// storeKV copies the batch's K and V rows into layer l's cache from pos0.
func (s *Session) storeKV(l, pos0 int, k, v []float32) {
	if s.mb != nil {
		s.storeTails(l, k, v) // sequences of a batch (batch.go)
		return
	}
	nKV := s.nKV
	base := (l*s.nCtx + pos0) * nKV
	if s.kv16 {
		kc := s.k16[base : base+len(k)]
		vc := s.v16[base : base+len(v)]
		for i := range k {
			kc[i] = quant.FP32ToFP16(k[i])
			vc[i] = quant.FP32ToFP16(v[i])
		}
		return
	}
	copy(s.k32[base:base+len(k)], k)
	copy(s.v32[base:base+len(v)], v)
}

// activate applies the feed-forward activation to the first n elements of
// hb on the pool's threads, in slices of whole 256-element chunks: silu(hb)·hb2
// (SwiGLU), gelu(hb)·hb2 (GeGLU) or gelu(hb) (GELU).
func (s *Session) activate(n int) {
	s.swigluN = n
	s.swigluTasks = min(2*s.m.threads, (n+255)/256)
	s.pool.Run(s.swigluTasks, s.swigluFn)
}

// swigluTask is one slice of activate.
func (s *Session) swigluTask(t int) {
	per := ((s.swigluN+255)/256 + s.swigluTasks - 1) / s.swigluTasks * 256
	i0, i1 := t*per, min((t+1)*per, s.swigluN)
	if i0 >= i1 {
		return
	}
	switch s.m.arch.ffn {
	case ffnSwiGLU:
		quant.SwiGLU(s.hb[i0:i1], s.hb2[i0:i1])
	case ffnGeGLU:
		gelu(s.hb[i0:i1])
		for i := i0; i < i1; i++ {
			s.hb[i] *= s.hb2[i]
		}
	case ffnGELU:
		gelu(s.hb[i0:i1])
	}
}

// attnTasks splits the batch's attention into tasks: one per head, times a
// number of token slices chosen so that there are about twice as many tasks as
// threads (never more than the scratch prepared for).
func (s *Session) attnTasks(n int) int {
	chunks := s.attnChunks
	if chunks > n {
		chunks = n
	}
	s.batchChunks = chunks
	return s.m.info.NHead * chunks
}

// attnTask computes causal attention for one head over one slice of the
// batch's tokens, mirroring llama.cpp's non-flash path:
//
//	kq = mul_mat(k, q)                      F32 dot products (with an F16 cache,
//	                                        q is rounded to F16, the vec_dot_type)
//	kq = soft_max_ext(kq, mask, 1/sqrt(d))  scale, causal mask, subtract the max,
//	                                        expf, sum in double, multiply by 1/sum
//	kqv = mul_mat(v, kq)                    weighted sum of V (probabilities
//	                                        rounded to F16 with an F16 cache)
//
// GQA: query head h reads KV head h / (n_head/n_head_kv), as ggml broadcasts.
func (s *Session) attnTask(task int) {
	m := s.m
	in := &m.info
	n, pos0, l := s.batchN, s.batchPos, s.batchLayer
	hd, nQ, nKV := in.HeadDim, in.NHead*in.HeadDim, s.nKV
	h, c := task%in.NHead, task/in.NHead
	kvh := h / (in.NHead / in.NHeadKV)
	i0, i1 := c*n/s.batchChunks, (c+1)*n/s.batchChunks
	// 1.0f/sqrtf(n_embd_head) as llama.cpp's kq_scale: the reciprocal is
	// taken in float32 (for head sizes 96 and 112 it differs in the last bit
	// from 1/sqrt rounded once).
	scale := 1 / float32(math.Sqrt(float64(hd)))
	if m.arch.qScale {
		scale = 1 // Q was scaled before the cache (gemma)
	}
	att := s.att[task*s.nCtx : (task+1)*s.nCtx]
	qh := s.qtmp[task*hd : (task+1)*hd]
	layerBase := l * s.nCtx * nKV
	for i := i0; i < i1; i++ {
		pos := pos0 + i
		copy(qh, s.q[i*nQ+h*hd:i*nQ+(h+1)*hd])
		out := s.xb2[i*nQ+h*hd : i*nQ+(h+1)*hd]
		// Scores for positions 0..pos (the causal mask hides the rest).
		maxv := float32(math.Inf(-1))
		if s.kv16 {
			quant.RoundFP16s(qh, qh)
			off := layerBase + kvh*hd
			maxv = quant.ScoresF16(att[:pos+1], qh, s.k16[off:], nKV, scale)
		} else {
			for t := 0; t <= pos; t++ {
				off := layerBase + t*nKV + kvh*hd
				att[t] = quant.DotF32Lanes4(qh, s.k32[off:off+hd]) * scale
				maxv = max(maxv, att[t])
			}
		}
		// Softmax with max subtraction (ggml_vec_soft_max_f32, whose expf is
		// a vectorised approximation too; quant.ExpShift is within 3 ulp).
		sum := quant.ExpShift(att[:pos+1], maxv)
		inv := float32(1 / sum)
		clear(out)
		if s.kv16 {
			p := att[:pos+1]
			for t := range p {
				p[t] *= inv
			}
			quant.RoundFP16s(p, p)
			quant.WeightedSumF16(out, p, s.v16[layerBase+kvh*hd:], nKV)
		} else {
			for t := 0; t <= pos; t++ {
				off := layerBase + t*nKV + kvh*hd
				quant.AxpyF32(out, att[t]*inv, s.v32[off:off+hd])
			}
		}
	}
}
