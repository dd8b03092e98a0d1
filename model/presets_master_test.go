package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	defaultmodel "github.com/weft-dev/weft/model/default"
	"github.com/weft-dev/weft/model/gguf"
	"github.com/weft-dev/weft/model/quant"
)

// The masters the preset fixtures were quantized from. llama-quantize's
// output is rebuilt from them wherever weft's quant.Quantize gives the same
// bytes (F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q5_K, Q6_K when the fixtures were
// made); other tensors come from the family's pack. Either way every tensor
// is checked against llama-quantize's sha256.

// presetMaster returns the F32 master of a fixture family: the embedded
// model dequantized ("default"), or a tiny random model ("tiny-<arch>").
func presetMaster(family string) (*gguf.File, error) {
	var w *gguf.Writer
	switch family {
	case "default":
		b, err := defaultmodel.Bytes()
		if err != nil {
			return nil, err
		}
		f, err := gguf.Parse(b)
		if err != nil {
			return nil, err
		}
		if w, err = dequantizedMaster(f); err != nil {
			return nil, err
		}
	case "tiny-llama", "tiny-qwen2", "tiny-starcoder2", "tiny-gemma":
		w = tinyMaster(family[len("tiny-"):], 1)
	default:
		return nil, fmt.Errorf("unknown fixture family %q", family)
	}
	b, err := w.Bytes()
	if err != nil {
		return nil, err
	}
	return gguf.Parse(b)
}

// dequantizedMaster is f with every tensor dequantized to F32.
func dequantizedMaster(f *gguf.File) (*gguf.Writer, error) {
	w := gguf.NewWriter()
	w.CopyKV(f, func(k string) bool { return k != "general.quantization_version" })
	w.Set("general.file_type", uint32(0))
	for i := range f.Tensors {
		t := &f.Tensors[i]
		v := make([]float32, t.Elems())
		if err := quant.Dequantize(t.Type, f.TensorData(t), v); err != nil {
			return nil, err
		}
		d, _ := quant.Quantize(gguf.TypeF32, v)
		if err := w.AddTensor(t.Name, gguf.TypeF32, t.Dims, d); err != nil {
			return nil, err
		}
	}
	return w, nil
}

// tinyMaster builds a random F32 model of one architecture with n_embd 256
// (so that the k-quants apply to every matrix), 2 layers, n_ff 256 and a
// 320-token byte vocabulary. The weight scales follow the shared parity
// fixtures' recipe (N(0, s/sqrt(n_in)), lognormal output rows, norm weights
// 1 + 0.2z, output norm 4(1 + 0.2z)) so that greedy decoding has clear
// margins (gemma: embedding N(0, 0.25/sqrt(n_embd)), output norm 16(1 + 0.2z)).
// gemma has head_dim 256 with 2 heads (n_head*head_dim != n_embd,
// as in CodeGemma-7B) and one KV head; the others 4 heads of 64, 2 KV heads.
func tinyMaster(arch string, seed uint64) *gguf.Writer {
	const E, F, L, V = 256, 256, 2, 320
	nHead, nKV, hd := 4, 2, 64
	if arch == "gemma" {
		nHead, nKV, hd = 2, 1, 256
	}
	w := gguf.NewWriter()
	w.Set("general.architecture", arch)
	w.Set("general.name", "tiny-"+arch)
	w.Set("general.file_type", uint32(0))
	setTinyVocab(w, V, arch)
	w.Set(arch+".context_length", uint32(256))
	w.Set(arch+".embedding_length", uint32(E))
	w.Set(arch+".feed_forward_length", uint32(F))
	w.Set(arch+".block_count", uint32(L))
	w.Set(arch+".attention.head_count", uint32(nHead))
	w.Set(arch+".attention.head_count_kv", uint32(nKV))
	w.Set(arch+".rope.dimension_count", uint32(hd))
	if arch == "gemma" {
		w.Set(arch+".attention.key_length", uint32(hd))
		w.Set(arch+".attention.value_length", uint32(hd))
	}
	switch arch {
	case "llama":
		w.Set(arch+".rope.freq_base", float32(10000))
		w.Set(arch+".attention.layer_norm_rms_epsilon", float32(1e-5))
	case "starcoder2":
		w.Set(arch+".rope.freq_base", float32(100000))
		w.Set(arch+".attention.layer_norm_epsilon", float32(1e-5))
	default:
		w.Set(arch+".rope.freq_base", float32(1e6))
		w.Set(arch+".attention.layer_norm_rms_epsilon", float32(1e-6))
	}
	w.Set(arch+".vocab_size", uint32(V))
	rng := rand.New(rand.NewPCG(seed, 0x71))
	add := func(name string, dims []int, v []float32) {
		d, _ := quant.Quantize(gguf.TypeF32, v)
		if err := w.AddTensor(name, gguf.TypeF32, dims, d); err != nil {
			panic(err) // the shapes above are consistent
		}
	}
	mat := func(name string, cols, rows int, std, rowSigma float64) {
		v := make([]float32, cols*rows)
		for r := 0; r < rows; r++ {
			s := std
			if rowSigma > 0 {
				s *= math.Exp(rowSigma*rng.NormFloat64() - rowSigma*rowSigma/2)
			}
			for i := r * cols; i < (r+1)*cols; i++ {
				v[i] = float32(s * rng.NormFloat64())
			}
		}
		add(name, []int{cols, rows}, v)
	}
	vec := func(name string, n int, mean, std float64) {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(mean + std*rng.NormFloat64())
		}
		add(name, []int{n}, v)
	}
	invE, invF := 1/math.Sqrt(E), 1/math.Sqrt(F)
	tied := arch != "llama"
	switch {
	case arch == "gemma":
		// llama.cpp scales gemma's input embedding by sqrt(n_embd); with the
		// tied scale of the others the residual would be the input token's
		// own row and the model would repeat it with a margin of ~100.
		mat("token_embd.weight", E, V, 0.25*invE, 0.15)
	case tied:
		mat("token_embd.weight", E, V, 2.5*invE, 0.15)
	default:
		mat("token_embd.weight", E, V, invE, 0)
	}
	if arch == "gemma" {
		vec("output_norm.weight", E, 16, 3.2)
	} else {
		vec("output_norm.weight", E, 4, 0.8)
	}
	if arch == "starcoder2" {
		vec("output_norm.bias", E, 0, 0.2)
	}
	if !tied {
		mat("output.weight", E, V, 2.5*invE, 0.3)
	}
	qd, kvd := nHead*hd, nKV*hd
	for l := 0; l < L; l++ {
		p := fmt.Sprintf("blk.%d.", l)
		vec(p+"attn_norm.weight", E, 1, 0.2)
		if arch == "starcoder2" {
			vec(p+"attn_norm.bias", E, 0, 0.2)
		}
		mat(p+"attn_q.weight", E, qd, 2*invE, 0)
		mat(p+"attn_k.weight", E, kvd, 2*invE, 0)
		mat(p+"attn_v.weight", E, kvd, invE, 0)
		mat(p+"attn_output.weight", qd, E, 1.5/math.Sqrt(float64(qd)), 0)
		if arch == "qwen2" || arch == "starcoder2" {
			vec(p+"attn_q.bias", qd, 0, 0.3)
			vec(p+"attn_k.bias", kvd, 0, 0.3)
			vec(p+"attn_v.bias", kvd, 0, 0.3)
		}
		if arch == "starcoder2" {
			vec(p+"attn_output.bias", E, 0, 0.2)
		}
		vec(p+"ffn_norm.weight", E, 1, 0.2)
		if arch == "starcoder2" {
			vec(p+"ffn_norm.bias", E, 0, 0.2)
		} else {
			mat(p+"ffn_gate.weight", E, F, invE, 0)
		}
		mat(p+"ffn_up.weight", E, F, invE, 0)
		mat(p+"ffn_down.weight", F, E, 1.5*invF, 0)
		if arch == "starcoder2" {
			vec(p+"ffn_up.bias", F, 0, 0.3)
			vec(p+"ffn_down.bias", E, 0, 0.2)
		}
	}
	return w
}

// setTinyVocab writes a byte-level BPE vocabulary without merges: 256 byte
// tokens, end-of-text and FIM control tokens, unused padding up to n.
func setTinyVocab(w *gguf.Writer, n int, arch string) {
	const normal, control, unused = 1, 3, 5
	br := gpt2ByteRunes()
	var toks []string
	var types []int32
	for b := 0; b < 256; b++ {
		toks = append(toks, string(br[b]))
		types = append(types, normal)
	}
	for _, s := range []string{"<|endoftext|>", "<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>", "<|fim_pad|>"} {
		toks = append(toks, s)
		types = append(types, control)
	}
	for len(toks) < n {
		toks = append(toks, fmt.Sprintf("[PAD%d]", len(toks)))
		types = append(types, unused)
	}
	pre := "qwen2"
	if arch == "starcoder2" {
		pre = "starcoder"
	}
	w.Set("tokenizer.ggml.model", "gpt2")
	w.Set("tokenizer.ggml.pre", pre)
	w.Set("tokenizer.ggml.tokens", toks)
	w.Set("tokenizer.ggml.token_type", types)
	w.Set("tokenizer.ggml.merges", []string{})
	w.Set("tokenizer.ggml.bos_token_id", uint32(256))
	w.Set("tokenizer.ggml.eos_token_id", uint32(256))
	w.Set("tokenizer.ggml.padding_token_id", uint32(256))
	w.Set("tokenizer.ggml.add_bos_token", false)
}

// TestWritePresetMasters writes the masters to $WEFT_WRITE_PARITY_MASTERS
// (the first step of remaking the fixtures; see testdata/parity/README.md).
func TestWritePresetMasters(t *testing.T) {
	dir := os.Getenv("WEFT_WRITE_PARITY_MASTERS")
	if dir == "" {
		t.Skip("set WEFT_WRITE_PARITY_MASTERS=DIR to write the fixture masters")
	}
	for _, fam := range []string{"default", "tiny-llama", "tiny-qwen2", "tiny-starcoder2", "tiny-gemma"} {
		f, err := presetMaster(fam)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, fam+"-F32.gguf"), f.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
