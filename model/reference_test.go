package model

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/weft-dev/weft/model/gguf"
	"github.com/weft-dev/weft/model/quant"
)

// This file is a float64 reference decoder written from the published
// Hugging Face modelling code (transformers' modeling_qwen3.py,
// modeling_qwen2.py, modeling_llama.py, modeling_gemma.py,
// modeling_starcoder2.py), not from weft's forward pass or llama.cpp's
// graphs. It reads the GGUF tensors as the converter (convert_hf_to_gguf.py)
// wrote them: a [cols, rows] weight is the PyTorch Linear weight of shape
// [out=rows, in=cols]; gemma's norms already hold 1 + w; llama's q/k rows
// are permuted so that RoPE pairs adjacent elements. Llama.cpp at c392e50
// predates qwen3, so for qwen3 this is the reference weft is checked
// against; for the others it is a second, independent one.
//
// Everything is float64 and straightforward: no KV cache, the whole
// sequence at once, GELU in its exact tanh form, softmax with the causal
// mask.

type refModel struct {
	arch                 string
	spec                 archSpec
	nLayer, dim, nHead   int
	nKV, hd, nFF, nVocab int
	nRot                 int
	eps, base            float64
	f                    *gguf.File
}

// refTensor dequantizes a tensor to float64, or returns nil when absent.
func (r *refModel) t(name string) []float64 {
	ti, ok := r.f.Tensor(name)
	if !ok {
		return nil
	}
	out32 := make([]float32, ti.Elems())
	if err := quant.Dequantize(ti.Type, r.f.TensorData(ti), out32); err != nil {
		panic(err)
	}
	out := make([]float64, len(out32))
	for i, v := range out32 {
		out[i] = float64(v)
	}
	return out
}

// linear is y = W x (+ b): W is rows×cols, row-major, x has cols elements.
func linear(w, b, x []float64, rows int) []float64 {
	cols := len(x)
	y := make([]float64, rows)
	for r := 0; r < rows; r++ {
		var s float64
		for c, v := range x {
			s += w[r*cols+c] * v
		}
		if b != nil {
			s += b[r]
		}
		y[r] = s
	}
	return y
}

// refRMSNorm is x / sqrt(mean(x²) + eps) * w (LlamaRMSNorm, Qwen3RMSNorm;
// GemmaRMSNorm's (1 + w) is the stored weight).
func refRMSNorm(x, w []float64, eps float64) []float64 {
	var ss float64
	for _, v := range x {
		ss += v * v
	}
	s := 1 / math.Sqrt(ss/float64(len(x))+eps)
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = v * s * w[i]
	}
	return out
}

// refLayerNorm is torch.nn.LayerNorm (biased variance).
func refLayerNorm(x, w, b []float64, eps float64) []float64 {
	var mean float64
	for _, v := range x {
		mean += v
	}
	mean /= float64(len(x))
	var vr float64
	for _, v := range x {
		vr += (v - mean) * (v - mean)
	}
	vr /= float64(len(x))
	s := 1 / math.Sqrt(vr+eps)
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = (v-mean)*s*w[i] + b[i]
	}
	return out
}

func refGELU(x float64) float64 {
	return 0.5 * x * (1 + math.Tanh(math.Sqrt(2/math.Pi)*(x+0.044715*x*x*x)))
}

func refSiLU(x float64) float64 { return x / (1 + math.Exp(-x)) }

// refRope rotates one head at position pos: rotate_half (halves) for the
// NEOX architectures, adjacent pairs for llama's permuted rows; inv_freq_i =
// base^(-2i/n_rot).
func refRope(v []float64, pos int, nRot int, base float64, mode ropeMode) {
	for i := 0; i < nRot/2; i++ {
		theta := float64(pos) * math.Pow(base, -2*float64(i)/float64(nRot))
		c, s := math.Cos(theta), math.Sin(theta)
		a, b := i, i+nRot/2
		if mode == ropeNorm {
			a, b = 2*i, 2*i+1
		}
		x0, x1 := v[a], v[b]
		v[a] = x0*c - x1*s
		v[b] = x0*s + x1*c
	}
}

// forward returns the logits of every position of toks.
func (r *refModel) forward(toks []int32) [][]float64 {
	p := func(l int, name string) string { return fmt.Sprintf("blk.%d.%s", l, name) }
	norm := func(x []float64, w, b []float64) []float64 {
		if r.spec.layerNorm {
			return refLayerNorm(x, w, b, r.eps)
		}
		return refRMSNorm(x, w, r.eps)
	}
	emb := r.t("token_embd.weight")
	n := len(toks)
	h := make([][]float64, n)
	for i, t := range toks {
		h[i] = append([]float64(nil), emb[int(t)*r.dim:(int(t)+1)*r.dim]...)
		if r.arch == "gemma" { // hidden_states * hidden_size**0.5
			for j := range h[i] {
				h[i][j] *= math.Sqrt(float64(r.dim))
			}
		}
	}
	nq, nkv := r.nHead*r.hd, r.nKV*r.hd
	for l := 0; l < r.nLayer; l++ {
		wq, wk, wv, wo := r.t(p(l, "attn_q.weight")), r.t(p(l, "attn_k.weight")), r.t(p(l, "attn_v.weight")), r.t(p(l, "attn_output.weight"))
		bq, bk, bv, bo := r.t(p(l, "attn_q.bias")), r.t(p(l, "attn_k.bias")), r.t(p(l, "attn_v.bias")), r.t(p(l, "attn_output.bias"))
		qn, kn := r.t(p(l, "attn_q_norm.weight")), r.t(p(l, "attn_k_norm.weight"))
		an, anb := r.t(p(l, "attn_norm.weight")), r.t(p(l, "attn_norm.bias"))
		q := make([][]float64, n)
		k := make([][]float64, n)
		v := make([][]float64, n)
		for i := range h {
			x := norm(h[i], an, anb)
			q[i], k[i], v[i] = linear(wq, bq, x, nq), linear(wk, bk, x, nkv), linear(wv, bv, x, nkv)
			for hh := 0; hh < r.nHead; hh++ {
				head := q[i][hh*r.hd : (hh+1)*r.hd]
				if qn != nil {
					copy(head, refRMSNorm(head, qn, r.eps))
				}
				refRope(head, i, r.nRot, r.base, r.spec.rope)
			}
			for hh := 0; hh < r.nKV; hh++ {
				head := k[i][hh*r.hd : (hh+1)*r.hd]
				if kn != nil {
					copy(head, refRMSNorm(head, kn, r.eps))
				}
				refRope(head, i, r.nRot, r.base, r.spec.rope)
			}
		}
		scale := 1 / math.Sqrt(float64(r.hd))
		for i := range h {
			att := make([]float64, nq)
			for hh := 0; hh < r.nHead; hh++ {
				kvh := hh / (r.nHead / r.nKV) // repeat_kv
				qh := q[i][hh*r.hd : (hh+1)*r.hd]
				sc := make([]float64, i+1)
				mx := math.Inf(-1)
				for j := 0; j <= i; j++ {
					var d float64
					for e := 0; e < r.hd; e++ {
						d += qh[e] * k[j][kvh*r.hd+e]
					}
					sc[j] = d * scale
					mx = math.Max(mx, sc[j])
				}
				var sum float64
				for j := range sc {
					sc[j] = math.Exp(sc[j] - mx)
					sum += sc[j]
				}
				for j := range sc {
					for e := 0; e < r.hd; e++ {
						att[hh*r.hd+e] += sc[j] / sum * v[j][kvh*r.hd+e]
					}
				}
			}
			o := linear(wo, bo, att, r.dim)
			for j := range o {
				h[i][j] += o[j]
			}
		}
		fn, fnb := r.t(p(l, "ffn_norm.weight")), r.t(p(l, "ffn_norm.bias"))
		wg, wu, wd := r.t(p(l, "ffn_gate.weight")), r.t(p(l, "ffn_up.weight")), r.t(p(l, "ffn_down.weight"))
		bu, bd := r.t(p(l, "ffn_up.bias")), r.t(p(l, "ffn_down.bias"))
		for i := range h {
			x := norm(h[i], fn, fnb)
			up := linear(wu, bu, x, r.nFF)
			switch r.spec.ffn {
			case ffnSwiGLU:
				g := linear(wg, nil, x, r.nFF)
				for j := range up {
					up[j] *= refSiLU(g[j])
				}
			case ffnGeGLU:
				g := linear(wg, nil, x, r.nFF)
				for j := range up {
					up[j] *= refGELU(g[j])
				}
			case ffnGELU:
				for j := range up {
					up[j] = refGELU(up[j])
				}
			}
			d := linear(wd, bd, up, r.dim)
			for j := range d {
				h[i][j] += d[j]
			}
		}
	}
	out := r.t("output.weight")
	if out == nil {
		out = emb
	}
	on, onb := r.t("output_norm.weight"), r.t("output_norm.bias")
	logits := make([][]float64, n)
	for i := range h {
		logits[i] = linear(out, nil, norm(h[i], on, onb), r.nVocab)
	}
	return logits
}

// TestReferenceFloat64 checks weft's fast path (F32 weights, F32 KV cache)
// against the float64 reference on a small synthesized model of every
// architecture: the logits agree to a small fraction of their spread and
// the greedy choice agrees wherever the reference's top two are apart.
// GELU is looked up in ggml's F16 table by weft (as llama.cpp), so gemma and
// starcoder2 get a looser bound.
func TestReferenceFloat64(t *testing.T) {
	ctx := context.Background()
	for _, arch := range SupportedArchs() {
		t.Run(arch, func(t *testing.T) {
			cfg, err := synthPreset("tiny", arch)
			if err != nil {
				t.Fatal(err)
			}
			cfg.nLayer = 2
			if arch == "qwen3" {
				// Heads wider than n_embd/n_head, as Qwen3-0.6B's.
				cfg.headDim = 128
			}
			w, err := synth(cfg, "tiny", pureTypes(gguf.TypeF32), nil, 5, nil)
			if err != nil {
				t.Fatal(err)
			}
			b, err := w.Bytes()
			if err != nil {
				t.Fatal(err)
			}
			m, err := FromBytes(b, Options{Threads: 2, KVType: gguf.TypeF32})
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			in := m.Info()
			f, err := gguf.Parse(b)
			if err != nil {
				t.Fatal(err)
			}
			r := &refModel{arch: arch, spec: archs[arch], nLayer: in.NLayer, dim: in.NEmbd, nHead: in.NHead, nKV: in.NHeadKV,
				hd: in.HeadDim, nFF: in.NFF, nVocab: in.NVocab, nRot: in.NRot, eps: float64(in.RMSEps), base: float64(in.RopeBase), f: f}
			if in.HeadDim != cfg.headSize() {
				t.Fatalf("head size %d, want %d", in.HeadDim, cfg.headSize())
			}
			toks := seq(20, 2)
			got, err := m.NewSession(32).EvalAll(ctx, toks)
			if err != nil {
				t.Fatal(err)
			}
			want := r.forward(toks)
			tol := 2e-4
			if archs[arch].ffn != ffnSwiGLU {
				tol = 3e-3
			}
			for i := range want {
				var spread, d float64
				best, second := -1, -1
				for j, v := range want[i] {
					spread = math.Max(spread, math.Abs(v))
					d = math.Max(d, math.Abs(float64(got[i][j])-v))
					if best < 0 || v > want[i][best] {
						best, second = j, best
					} else if second < 0 || v > want[i][second] {
						second = j
					}
				}
				if d > tol*spread {
					t.Errorf("position %d: max |weft - reference| = %.3g, %.2g of the largest logit %.3g", i, d, d/spread, spread)
				}
				top := int(argmax(got[i]))
				if margin := want[i][best] - want[i][second]; top != best && margin > 10*d {
					t.Errorf("position %d: weft's top token %d, reference's %d (margin %.3g)", i, top, best, margin)
				}
			}
		})
	}
}
