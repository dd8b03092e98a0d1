package model

import (
	"fmt"
	"strings"

	"github.com/weft-dev/weft/model/gguf"
)

// This file is llama.cpp's choice of a type for each tensor when it quantizes
// a model to one of its presets (llama_tensor_get_type and
// llama_model_quantize_impl in src/llama-quant.cpp at commit c392e50,
// 2025-02-21), so that weft can synthesize files whose type layout is the one
// llama-quantize would write: the Q5_0 rows of a Q4_K_M Qwen2.5-Coder-0.5B,
// the Q6_K ffn_down of its "more bits" layers, the Q8_0 tied embeddings.
//
// The rules are data: a preset names its default type, and a short table per
// tensor role says which presets change it and how. Presets that need an
// importance matrix (IQ1/IQ2/IQ3) or that llama.cpp labels experimental
// (TQ1_0, TQ2_0, Q2_K_S) are not offered.

// FType is one of llama.cpp's quantization presets (enum llama_ftype).
type FType struct {
	Name string    // llama-quantize's name, lower case: "q4_k_m"
	ID   uint32    // the general.file_type value
	Base gguf.Type // the type of every 2-D weight no rule changes
}

// Quantized reports whether the preset's base type is a block-quantized one;
// only those get the per-tensor rules (llama.cpp: ggml_is_quantized).
func (f FType) Quantized() bool { return f.Base.BlockElems() > 1 }

// ftypes are the presets weft can produce, in llama_ftype order.
var ftypes = []FType{
	{"f32", 0, gguf.TypeF32},
	{"f16", 1, gguf.TypeF16},
	{"q4_0", 2, gguf.TypeQ4_0},
	{"q4_1", 3, gguf.TypeQ4_1},
	{"q8_0", 7, gguf.TypeQ8_0},
	{"q5_0", 8, gguf.TypeQ5_0},
	{"q5_1", 9, gguf.TypeQ5_1},
	{"q2_k", 10, gguf.TypeQ2_K},
	{"q3_k_s", 11, gguf.TypeQ3_K},
	{"q3_k_m", 12, gguf.TypeQ3_K},
	{"q3_k_l", 13, gguf.TypeQ3_K},
	{"q4_k_s", 14, gguf.TypeQ4_K},
	{"q4_k_m", 15, gguf.TypeQ4_K},
	{"q5_k_s", 16, gguf.TypeQ5_K},
	{"q5_k_m", 17, gguf.TypeQ5_K},
	{"q6_k", 18, gguf.TypeQ6_K},
	{"iq4_nl", 25, gguf.TypeIQ4_NL},
	{"iq4_xs", 30, gguf.TypeIQ4_XS},
	{"bf16", 32, gguf.TypeBF16},
}

// FTypes lists the preset names FTypeByName accepts, in llama.cpp's order.
func FTypes() []string {
	out := make([]string, len(ftypes))
	for i, f := range ftypes {
		out[i] = f.Name
	}
	return out
}

// FTypeByName finds a preset by llama-quantize's name, in any case.
func FTypeByName(name string) (FType, bool) {
	for _, f := range ftypes {
		if strings.EqualFold(f.Name, name) {
			return f, true
		}
	}
	return FType{}, false
}

// TensorSpec is what llama.cpp's rules look at to type one tensor.
type TensorSpec struct {
	Name       string // GGUF tensor name, e.g. "blk.3.ffn_down.weight"
	Cols, Rows int    // ne[0] (row length) and ne[1]
	Layer      int    // block index; -1 for tensors outside the blocks
	Arch       string // general.architecture
	NLayer     int
	NHead      int
	NHeadKV    int
	HasOutput  bool // the model has an output.weight (else token_embd is the output)
}

// role is the part of a tensor's name llama.cpp's rules match on.
type role int

const (
	roleOther role = iota
	roleOutput
	roleTokenEmbd
	roleAttnV
	roleAttnK
	roleAttnQ
	roleAttnOutput
	roleAttnQKV
	roleFFNDown
	roleFFNGate
	roleFFNUp
)

// tensorRole classifies a name the way llama_tensor_get_type does: the
// output (and, in a model without one, token_embd) first, then substring
// matches in the function's order.
func tensorRole(name string, hasOutput bool) role {
	switch {
	case name == "output.weight" || (!hasOutput && name == "token_embd.weight"):
		return roleOutput
	case name == "token_embd.weight":
		return roleTokenEmbd
	case strings.Contains(name, "attn_v.weight"):
		return roleAttnV
	case strings.Contains(name, "attn_k.weight"):
		return roleAttnK
	case strings.Contains(name, "attn_q.weight"):
		return roleAttnQ
	case strings.Contains(name, "ffn_down"):
		return roleFFNDown
	case strings.Contains(name, "attn_output.weight"):
		return roleAttnOutput
	case strings.Contains(name, "attn_qkv.weight"):
		return roleAttnQKV
	case strings.Contains(name, "ffn_gate"):
		return roleFFNGate
	case strings.Contains(name, "ffn_up"):
		return roleFFNUp
	}
	return roleOther
}

// useMoreBits is llama.cpp's use_more_bits: the first and last eighth of the
// layers and every third one in between.
func useMoreBits(i, n int) bool {
	return i < n/8 || i >= 7*n/8 || (i-n/8)%3 == 2
}

// ruleCtx is what a rule reads besides the preset.
type ruleCtx struct {
	layer, nLayer int
	gqa           int  // n_head / n_head_kv
	is70B         bool // llama.cpp's LLM_TYPE_70B (80-layer llama with GQA, 80-layer qwen2)
}

// rule returns the new type for preset f, or ok false to keep the current one.
type rule func(f FType, c ruleCtx) (t gguf.Type, ok bool)

// byName maps preset names to a type, for rules that do not look at the layer.
func byName(m map[string]gguf.Type) rule {
	return func(f FType, _ ruleCtx) (gguf.Type, bool) {
		t, ok := m[f.Name]
		return t, ok
	}
}

// roleRules are llama_tensor_get_type's branches for the presets weft offers,
// one per tensor role, each written in the order of the C++ if/else chain.
// The output and token_embd roles are handled in TensorType. The branches
// llama.cpp takes only for falcon (an architecture weft does not run) are
// left out.
var roleRules = map[role]rule{
	roleAttnV: func(f FType, c ruleCtx) (gguf.Type, bool) {
		var t gguf.Type
		ok := true
		switch {
		case f.Name == "q2_k":
			t = gguf.TypeQ3_K
			if c.gqa >= 4 {
				t = gguf.TypeQ4_K
			}
		case f.Name == "q3_k_m":
			t = gguf.TypeQ4_K
			if c.layer < 2 {
				t = gguf.TypeQ5_K
			}
		case f.Name == "q3_k_l":
			t = gguf.TypeQ5_K
		case (f.Name == "iq4_nl" || f.Name == "iq4_xs") && c.gqa >= 4:
			t = gguf.TypeQ5_K
		case (f.Name == "q4_k_m" || f.Name == "q5_k_m") && useMoreBits(c.layer, c.nLayer):
			t = gguf.TypeQ6_K
		case f.Name == "q4_k_s" && c.layer < 4:
			t = gguf.TypeQ5_K
		default:
			t, ok = f.Base, false
		}
		// "In the 70B model we have 8 heads sharing the same attn_v
		// weights": those get Q5_K for Q3_K/Q4_K.
		if c.is70B && (t == gguf.TypeQ3_K || t == gguf.TypeQ4_K) {
			return gguf.TypeQ5_K, true
		}
		return t, ok
	},
	roleFFNDown: func(f FType, c ruleCtx) (gguf.Type, bool) {
		i, n := c.layer, c.nLayer
		switch {
		case f.Name == "q2_k":
			return gguf.TypeQ3_K, true
		case f.Name == "q3_k_m":
			if i < n/16 {
				return gguf.TypeQ5_K, true
			}
			return gguf.TypeQ4_K, true
		case f.Name == "q3_k_l":
			return gguf.TypeQ5_K, true
		case f.Name == "q4_k_m":
			if useMoreBits(i, n) {
				return gguf.TypeQ6_K, true
			}
			return 0, false
		case i < n/8 && (f.Name == "iq4_nl" || f.Name == "iq4_xs"): // and no imatrix
			return gguf.TypeQ5_K, true
		case f.Name == "q5_k_m" && useMoreBits(i, n):
			return gguf.TypeQ6_K, true
		case f.Name == "q4_k_s" && i < n/8:
			return gguf.TypeQ5_K, true
		}
		return 0, false
	},
	roleAttnOutput: byName(map[string]gguf.Type{"q2_k": gguf.TypeQ3_K, "q3_k_m": gguf.TypeQ4_K, "q3_k_l": gguf.TypeQ5_K}),
	roleAttnQKV:    byName(map[string]gguf.Type{"q3_k_m": gguf.TypeQ4_K, "q3_k_l": gguf.TypeQ4_K, "q4_k_m": gguf.TypeQ5_K, "q5_k_m": gguf.TypeQ6_K}),
	// attn_k, attn_q, ffn_gate and ffn_up change only for the IQ2/IQ3 presets
	// and mixture-of-experts models, which weft does not offer.
}

// fallback is llama.cpp's replacement for a type whose blocks do not divide
// a tensor's rows (convert_incompatible_tensor); types not listed make
// llama-quantize fail ("Unsupported tensor size encountered").
var fallback = map[gguf.Type]gguf.Type{
	gguf.TypeQ2_K: gguf.TypeIQ4_NL, gguf.TypeQ3_K: gguf.TypeIQ4_NL, gguf.TypeIQ4_XS: gguf.TypeIQ4_NL,
	gguf.TypeQ4_K: gguf.TypeQ5_0,
	gguf.TypeQ5_K: gguf.TypeQ5_1,
	gguf.TypeQ6_K: gguf.TypeQ8_0,
}

// quantizable is llama_model_quantize_impl's test of whether a tensor is
// quantized at all: a weight of two or more dimensions that is not a norm.
// (Its other exclusions name tensors of architectures weft does not run.)
func quantizable(name string, dims int) bool {
	return strings.HasSuffix(name, "weight") && dims >= 2 && !strings.Contains(name, "_norm.weight")
}

// TensorType returns the type llama-quantize gives the 2-D tensor t when
// quantizing an F32 or F16 master to preset f without an importance matrix,
// or an error where llama-quantize itself fails. Tensors that are not
// quantized (1-D ones, norms) keep their type; TensorType is not for them.
func TensorType(f FType, t TensorSpec) (gguf.Type, error) {
	nt := f.Base
	if !f.Quantized() {
		return nt, nil
	}
	c := ruleCtx{layer: t.Layer, nLayer: t.NLayer, is70B: is70B(t)}
	if t.NHeadKV > 0 {
		c.gqa = t.NHead / t.NHeadKV
	}
	switch r := tensorRole(t.Name, t.HasOutput); r {
	case roleOutput:
		// The output projection (or the embeddings that stand in for it):
		// Q8_0 when its rows are not whole blocks of the preset's type,
		// else Q6_K unless the preset is Q8_0.
		if t.Cols%nt.BlockElems() != 0 {
			nt = gguf.TypeQ8_0
		} else if nt != gguf.TypeQ8_0 {
			nt = gguf.TypeQ6_K
		}
	case roleTokenEmbd:
		// Unchanged for the presets weft offers.
	default:
		if rl, ok := roleRules[r]; ok {
			if v, ok := rl(f, c); ok {
				nt = v
			}
		}
	}
	if t.Cols%nt.BlockElems() != 0 {
		fb, ok := fallback[nt]
		if !ok {
			return 0, fmt.Errorf("tensor %s: %d columns are not a multiple of %v's block of %d, and llama.cpp has no fallback for %v", t.Name, t.Cols, nt, nt.BlockElems(), nt)
		}
		nt = fb
		if t.Cols%nt.BlockElems() != 0 {
			nt = gguf.TypeF16
		}
	}
	return nt, nil
}

// is70B is llama.cpp's LLM_TYPE_70B for weft's architectures.
func is70B(t TensorSpec) bool {
	switch t.Arch {
	case "llama":
		return t.NLayer == 80 && t.NHead != t.NHeadKV
	case "qwen2":
		return t.NLayer == 80
	}
	return false
}
