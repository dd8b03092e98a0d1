package model

import (
	"fmt"
	"strings"
	"testing"

	"github.com/weft-dev/weft/model/gguf"
)

// The expectations below are read off llama.cpp's src/llama-quant.cpp at
// c392e50 (llama_tensor_get_type), worked out by hand for each shape; they
// are not produced by TensorType.

func TestUseMoreBits(t *testing.T) {
	// n = 24: n/8 = 3, 7n/8 = 21; in between, (i-3)%3 == 2 at 5, 8, ..., 20.
	want := map[int]bool{0: true, 1: true, 2: true, 5: true, 8: true, 11: true, 14: true, 17: true, 20: true, 21: true, 22: true, 23: true}
	for i := 0; i < 24; i++ {
		if got := useMoreBits(i, 24); got != want[i] {
			t.Errorf("useMoreBits(%d, 24) = %v", i, got)
		}
	}
}

// layoutCase is a preset at a model shape with the types expected per layer.
type layoutCase struct {
	preset, arch, ftype string
	want                func(name string, layer int) gguf.Type
}

func TestSynthLayout(t *testing.T) {
	const (
		F16   = gguf.TypeF16
		Q4_0  = gguf.TypeQ4_0
		Q5_0  = gguf.TypeQ5_0
		Q5_1  = gguf.TypeQ5_1
		Q8_0  = gguf.TypeQ8_0
		Q2_K  = gguf.TypeQ2_K
		Q3_K  = gguf.TypeQ3_K
		Q4_K  = gguf.TypeQ4_K
		Q5_K  = gguf.TypeQ5_K
		Q6_K  = gguf.TypeQ6_K
		IQ4NL = gguf.TypeIQ4_NL
		IQ4XS = gguf.TypeIQ4_XS
	)
	more24 := func(i int) bool { return i < 3 || i >= 21 || (i >= 3 && (i-3)%3 == 2) }
	more18 := func(i int) bool { return i < 2 || i >= 15 || (i >= 2 && (i-2)%3 == 2) }
	cases := []layoutCase{
		// Qwen2.5-Coder-0.5B, Q4_K_M: 896-wide rows are not whole 256-blocks,
		// so Q4_K becomes Q5_0 and Q6_K becomes Q8_0; ffn_down (4864 = 19·256
		// columns) keeps K-quants; the tied embeddings are the output: Q8_0.
		{"qwen2.5-coder-0.5b", "", "q4_k_m", func(n string, l int) gguf.Type {
			switch {
			case n == "token_embd.weight":
				return Q8_0
			case strings.HasSuffix(n, "attn_v.weight") && more24(l):
				return Q8_0
			case strings.HasSuffix(n, "ffn_down.weight") && more24(l):
				return Q6_K
			case strings.HasSuffix(n, "ffn_down.weight"):
				return Q4_K
			}
			return Q5_0
		}},
		{"qwen2.5-coder-0.5b", "", "q5_k_m", func(n string, l int) gguf.Type {
			switch {
			case n == "token_embd.weight":
				return Q8_0
			case strings.HasSuffix(n, "attn_v.weight") && more24(l):
				return Q8_0
			case strings.HasSuffix(n, "ffn_down.weight") && more24(l):
				return Q6_K
			case strings.HasSuffix(n, "ffn_down.weight"):
				return Q5_K
			}
			return Q5_1
		}},
		// Q4_0: the output rule asks for Q6_K (896 is whole 32-blocks),
		// whose fallback is Q8_0.
		{"qwen2.5-coder-0.5b", "", "q4_0", func(n string, l int) gguf.Type {
			if n == "token_embd.weight" {
				return Q8_0
			}
			return Q4_0
		}},
		// Q2_K with n_gqa 7: attn_v Q4_K -> Q5_0; attn_output Q3_K -> IQ4_NL;
		// ffn_down Q3_K (4864 fits); everything else Q2_K -> IQ4_NL.
		{"qwen2.5-coder-0.5b", "", "q2_k", func(n string, l int) gguf.Type {
			switch {
			case n == "token_embd.weight":
				return Q8_0
			case strings.HasSuffix(n, "attn_v.weight"):
				return Q5_0
			case strings.HasSuffix(n, "ffn_down.weight"):
				return Q3_K
			}
			return IQ4NL
		}},
		// DeepSeek-Coder-1.3B (llama, untied, 2048 wide, n_ff 5504 = 21.5·256).
		{"deepseek-coder-1.3b", "", "q4_k_m", func(n string, l int) gguf.Type {
			switch {
			case n == "output.weight":
				return Q6_K
			case strings.HasSuffix(n, "attn_v.weight") && more24(l):
				return Q6_K
			case strings.HasSuffix(n, "ffn_down.weight") && more24(l):
				return Q8_0
			case strings.HasSuffix(n, "ffn_down.weight"):
				return Q5_0
			}
			return Q4_K
		}},
		// Q3_K_M, n_gqa 1: attn_v Q5_K for the first two, else Q4_K; ffn_down
		// Q5_K below n/16 = 1 (-> Q5_1 at 5504), else Q4_K (-> Q5_0);
		// attn_output Q4_K.
		{"deepseek-coder-1.3b", "", "q3_k_m", func(n string, l int) gguf.Type {
			switch {
			case n == "output.weight":
				return Q6_K
			case strings.HasSuffix(n, "attn_v.weight") && l < 2:
				return Q5_K
			case strings.HasSuffix(n, "attn_v.weight"), strings.HasSuffix(n, "attn_output.weight"):
				return Q4_K
			case strings.HasSuffix(n, "ffn_down.weight") && l < 1:
				return Q5_1
			case strings.HasSuffix(n, "ffn_down.weight"):
				return Q5_0
			}
			return Q3_K
		}},
		{"deepseek-coder-1.3b", "", "q2_k", func(n string, l int) gguf.Type {
			switch {
			case n == "output.weight":
				return Q6_K
			case strings.HasSuffix(n, "attn_v.weight"), strings.HasSuffix(n, "attn_output.weight"):
				return Q3_K
			case strings.HasSuffix(n, "ffn_down.weight"):
				return IQ4NL
			}
			return Q2_K
		}},
		// Q4_K_S: attn_v Q5_K in the first four layers, ffn_down Q5_K in the
		// first n/8 = 3 (-> Q5_1 at 5504; else Q4_K -> Q5_0).
		{"deepseek-coder-1.3b", "", "q4_k_s", func(n string, l int) gguf.Type {
			switch {
			case n == "output.weight":
				return Q6_K
			case strings.HasSuffix(n, "attn_v.weight") && l < 4:
				return Q5_K
			case strings.HasSuffix(n, "ffn_down.weight") && l < 3:
				return Q5_1
			case strings.HasSuffix(n, "ffn_down.weight"):
				return Q5_0
			}
			return Q4_K
		}},
		// CodeGemma-2B (n_gqa 8, tied, 2048 wide, n_ff 16384), IQ4_XS: attn_v
		// Q5_K, ffn_down Q5_K below n/8 = 2, the output Q6_K.
		{"codegemma-2b", "", "iq4_xs", func(n string, l int) gguf.Type {
			switch {
			case n == "token_embd.weight":
				return Q6_K
			case strings.HasSuffix(n, "attn_v.weight"):
				return Q5_K
			case strings.HasSuffix(n, "ffn_down.weight") && l < 2:
				return Q5_K
			}
			return IQ4XS
		}},
		{"codegemma-2b", "", "q5_k_m", func(n string, l int) gguf.Type {
			switch {
			case n == "token_embd.weight":
				return Q6_K
			case strings.HasSuffix(n, "attn_v.weight") && more18(l):
				return Q6_K
			case strings.HasSuffix(n, "ffn_down.weight") && more18(l):
				return Q6_K
			}
			return Q5_K
		}},
		// StarCoder2-3B Q3_K_L: attn_v, attn_output and ffn_down Q5_K.
		{"starcoder2-3b", "", "q3_k_l", func(n string, l int) gguf.Type {
			switch {
			case n == "token_embd.weight":
				return Q6_K
			case strings.HasSuffix(n, "attn_v.weight"), strings.HasSuffix(n, "attn_output.weight"), strings.HasSuffix(n, "ffn_down.weight"):
				return Q5_K
			}
			return Q3_K
		}},
		// Q8_0 keeps the output at Q8_0; IQ4_NL at 896 wide: output Q6_K ->
		// Q8_0, attn_v (n_gqa 7) Q5_K -> Q5_1, ffn_down Q5_K in the first 3.
		{"qwen2.5-coder-0.5b", "", "q8_0", func(string, int) gguf.Type { return Q8_0 }},
		{"qwen2.5-coder-0.5b", "", "iq4_nl", func(n string, l int) gguf.Type {
			switch {
			case n == "token_embd.weight":
				return Q8_0
			case strings.HasSuffix(n, "attn_v.weight"):
				return Q5_1
			case strings.HasSuffix(n, "ffn_down.weight") && l < 3:
				return Q5_K
			}
			return IQ4NL
		}},
		{"qwen3-0.6b", "", "f16", func(string, int) gguf.Type { return F16 }},
	}
	for _, tc := range cases {
		t.Run(tc.preset+"/"+tc.ftype, func(t *testing.T) {
			got, err := SynthLayout(tc.preset, tc.arch, tc.ftype)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) == 0 {
				t.Fatal("no tensors")
			}
			bad := 0
			for name, typ := range got {
				l := -1
				fmt.Sscanf(name, "blk.%d.", &l)
				if want := tc.want(name, l); typ != want && bad < 5 {
					bad++
					t.Errorf("%s: %v, want %v", name, typ, want)
				}
			}
		})
	}
}

func TestTensorTypeErrors(t *testing.T) {
	// Q4_0 has no fallback: llama-quantize fails on rows that are not whole
	// 32-blocks, and so does TensorType, naming the tensor.
	f, _ := FTypeByName("Q4_0")
	_, err := TensorType(f, TensorSpec{Name: "blk.0.attn_q.weight", Cols: 100, Rows: 100, NLayer: 1, NHead: 1, NHeadKV: 1})
	if err == nil || !strings.Contains(err.Error(), "blk.0.attn_q.weight") {
		t.Errorf("err = %v", err)
	}
	// A K-quant whose fallback does not fit either ends at F16.
	f, _ = FTypeByName("q4_k_m")
	if typ, err := TensorType(f, TensorSpec{Name: "blk.0.attn_q.weight", Cols: 100, Rows: 100, NLayer: 1, NHead: 1, NHeadKV: 1}); err != nil || typ != gguf.TypeF16 {
		t.Errorf("100 columns: %v, %v; want F16", typ, err)
	}
	if _, ok := FTypeByName("iq2_xxs"); ok {
		t.Error("iq2_xxs accepted")
	}
	if _, err := SynthFType("tiny", "", "q9_9", nil, 1); err == nil || !strings.Contains(err.Error(), "q4_k_m") {
		t.Errorf("unknown ftype: err = %v", err)
	}
}
