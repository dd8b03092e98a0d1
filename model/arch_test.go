package model

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/weft-dev/weft/model/gguf"
)

// TestArchsLoad: every architecture synthesizes, loads with the preset's
// hyper-parameters and the tensors its llama.cpp graph reads, and decodes to
// finite logits on the fast and the reference matmul paths alike.
func TestArchsLoad(t *testing.T) {
	ctx := context.Background()
	for _, arch := range SupportedArchs() {
		t.Run(arch, func(t *testing.T) {
			fast := tinyModel(t, arch, gguf.TypeF32, Options{Threads: 2, KVType: gguf.TypeF32})
			ref := tinyModel(t, arch, gguf.TypeF32, Options{Threads: 2, KVType: gguf.TypeF32, Reference: true})
			in := fast.Info()
			cfg := synthPresets["tiny"]
			if in.Arch != arch || in.NEmbd != cfg.nEmbd || in.NFF != cfg.nFF || in.HeadDim != cfg.nEmbd/cfg.nHead {
				t.Fatalf("info %+v", in)
			}
			if want := arch != "llama"; in.Tied != want {
				t.Errorf("Tied = %v, want %v", in.Tied, want)
			}
			toks := seq(24, 1)
			a, err := fast.NewSession(64).EvalAll(ctx, toks)
			if err != nil {
				t.Fatal(err)
			}
			b, err := ref.NewSession(64).EvalAll(ctx, toks)
			if err != nil {
				t.Fatal(err)
			}
			for i := range a {
				for _, v := range a[i] {
					if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
						t.Fatalf("position %d: logit %v", i, v)
					}
				}
				// GELU rounds its input to F16 (as ggml does), so a last-bit
				// difference between the two matmul paths can move an
				// activation by an F16 ulp: the tolerance is relative.
				if d, s := maxDiff(a[i], b[i]), maxAbs(b[i]); d > 2e-4*s {
					t.Errorf("position %d: fast and reference paths differ by %g (max |logit| %g)", i, d, s)
				}
			}
		})
	}
}

// TestArchBadInput: a file that lacks a tensor its architecture needs, or
// carries one it must not, is refused with an error naming the tensor.
func TestArchBadInput(t *testing.T) {
	build := func(arch string, edit func(*synthTensor) bool, meta func(*gguf.Writer)) error {
		cfg, err := synthPreset("tiny", arch)
		if err != nil {
			t.Fatal(err)
		}
		w, err := synth(cfg, "tiny", pureTypes(gguf.TypeF32), nil, 1, edit)
		if err != nil {
			t.Fatal(err)
		}
		if meta != nil {
			meta(w)
		}
		b, err := w.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		m, err := FromBytes(b, Options{Threads: 1})
		if err == nil {
			m.Close()
		}
		return err
	}
	drop := func(name string) func(*synthTensor) bool {
		return func(s *synthTensor) bool { return s.name != name }
	}
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"starcoder2 ffn_down.bias", build("starcoder2", drop("blk.1.ffn_down.bias"), nil), "missing tensor blk.1.ffn_down.bias"},
		{"starcoder2 output_norm.bias", build("starcoder2", drop("output_norm.bias"), nil), "missing tensor output_norm.bias"},
		{"starcoder2 eps", build("starcoder2", nil, func(w *gguf.Writer) { w.Delete("starcoder2.attention.layer_norm_epsilon") }), "starcoder2.attention.layer_norm_epsilon"},
		{"starcoder2 partial rope", build("starcoder2", nil, func(w *gguf.Writer) { w.Set("starcoder2.rope.dimension_count", uint32(32)) }), "must equal the head size 64"},
		{"qwen3 k norm", build("qwen3", drop("blk.0.attn_k_norm.weight"), nil), "missing tensor blk.0.attn_k_norm.weight"},
		{"qwen3 key_length", build("qwen3", nil, func(w *gguf.Writer) {
			w.Set("qwen3.attention.key_length", uint32(32))
			w.Set("qwen3.attention.value_length", uint32(32))
			w.Set("qwen3.rope.dimension_count", uint32(32))
		}), "blk.0.attn_q.weight has shape [256 256], want [256 128]"},
		{"qwen3 odd head", build("qwen3", nil, func(w *gguf.Writer) {
			w.Set("qwen3.attention.key_length", uint32(63))
			w.Set("qwen3.attention.value_length", uint32(63))
		}), "head size 63"},
		{"gemma value_length", build("gemma", nil, func(w *gguf.Writer) { w.Set("gemma.attention.value_length", uint32(32)) }), "value_length = 32"},
		{"gemma gate", build("gemma", drop("blk.0.ffn_gate.weight"), nil), "missing tensor blk.0.ffn_gate.weight"},
	}
	two := build("qwen3", nil, func(w *gguf.Writer) {
		w.Delete("qwen3.embedding_length")
		w.Delete("qwen3.block_count")
	})
	if two == nil || strings.Contains(two.Error(), "\n") || !strings.Contains(two.Error(), "qwen3.embedding_length") || !strings.Contains(two.Error(), "qwen3.block_count") {
		t.Errorf("two missing keys: err = %q, want one line naming both", two)
	}
	for _, tc := range tests {
		if tc.err == nil || !strings.Contains(tc.err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want one mentioning %q", tc.name, tc.err, tc.want)
		}
	}
}

// TestGELU: ggml's table GELU is the tanh approximation rounded to F16, so it
// is within half an F16 ulp (plus the input's own F16 rounding, through the
// slope of at most 1.13) of the float64 formula, and exact at the clamps.
func TestGELU(t *testing.T) {
	exact := func(x float64) float64 {
		return 0.5 * x * (1 + math.Tanh(math.Sqrt(2/math.Pi)*x*(1+0.044715*x*x)))
	}
	xs := []float32{-12, -10, -9.99, -3, -1, -0.5, -1e-3, 0, 1e-4, 0.3, 1, 2.5, 9.9, 10, 11}
	got := append([]float32(nil), xs...)
	gelu(got)
	for i, x := range xs {
		switch {
		case x <= -10:
			if got[i] != 0 {
				t.Errorf("gelu(%v) = %v, want 0", x, got[i])
			}
			continue
		case x >= 10:
			if got[i] != x {
				t.Errorf("gelu(%v) = %v, want %v", x, got[i], x)
			}
			continue
		}
		want := exact(float64(x))
		tol := math.Abs(want)*(1.0/1024) + math.Abs(float64(x))*(1.0/1024)*1.13 + 1e-7
		if d := math.Abs(float64(got[i]) - want); d > tol {
			t.Errorf("gelu(%v) = %v, want %v ± %g", x, got[i], want, tol)
		}
	}
}

func maxAbs(a []float32) float64 {
	var m float64
	for _, v := range a {
		m = max(m, math.Abs(float64(v)))
	}
	return m
}
