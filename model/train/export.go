package train

import (
	"fmt"
	"sort"
	"strings"

	"github.com/weft-dev/weft/model/gguf"
	"github.com/weft-dev/weft/model/quant"
)

// llama.cpp's general.file_type values (enum llama_ftype) for the types export writes.
var fileTypes = map[gguf.Type]uint32{gguf.TypeF32: 0, gguf.TypeF16: 1, gguf.TypeQ8_0: 7}

// Export builds a GGUF (general.architecture = llama) holding the model, its
// tokenizer and the card: the metadata keys are the ones llama.cpp writes for
// a llama model with a gpt2-style BPE vocabulary. 2-D weights are stored as
// wt (F32, F16 or Q8_0); norm gains stay F32 as llama.cpp keeps them.
// token_embd doubles as the output matrix, so there is no output.weight.
func Export(m *Model, v *Vocab, wt gguf.Type, card map[string]string) (*gguf.Writer, error) {
	ft, ok := fileTypes[wt]
	if !ok {
		return nil, fmt.Errorf("train: export type %v not supported (F32, F16, Q8_0)", wt)
	}
	if len(v.Tokens) != m.Cfg.Vocab {
		return nil, fmt.Errorf("train: vocabulary has %d tokens but the model %d", len(v.Tokens), m.Cfg.Vocab)
	}
	c := m.Cfg
	w := gguf.NewWriter()
	w.Set("general.architecture", "llama")
	name := card["name"]
	if name == "" {
		name = "weft-trained"
	}
	w.Set("general.name", name)
	w.Set("general.file_type", ft)
	w.Set("general.quantization_version", uint32(2))
	w.Set("llama.vocab_size", uint32(c.Vocab))
	w.Set("llama.context_length", uint32(c.Ctx))
	w.Set("llama.embedding_length", uint32(c.Dim))
	w.Set("llama.block_count", uint32(c.Layers))
	w.Set("llama.feed_forward_length", uint32(c.FF))
	w.Set("llama.attention.head_count", uint32(c.Heads))
	w.Set("llama.attention.head_count_kv", uint32(c.KVHeads))
	w.Set("llama.rope.freq_base", c.RopeBase)
	w.Set("llama.rope.dimension_count", uint32(c.HeadDim()))
	w.Set("llama.attention.layer_norm_rms_epsilon", c.NormEps)

	w.Set("tokenizer.ggml.model", "gpt2")
	w.Set("tokenizer.ggml.pre", PreTokenizer)
	w.Set("tokenizer.ggml.tokens", v.Tokens)
	w.Set("tokenizer.ggml.token_type", v.Types)
	w.Set("tokenizer.ggml.merges", v.Merges)
	eot := uint32(v.Special(TokEndOfText))
	w.Set("tokenizer.ggml.bos_token_id", eot)
	w.Set("tokenizer.ggml.eos_token_id", eot)
	w.Set("tokenizer.ggml.eot_token_id", eot)
	w.Set("tokenizer.ggml.padding_token_id", eot)
	for key, tok := range map[string]string{
		"fim_pre": TokFIMPre, "fim_suf": TokFIMSuf, "fim_mid": TokFIMMid, "fim_pad": TokFIMPad, "fim_sep": TokFileSep,
	} {
		if id := v.Special(tok); id >= 0 {
			w.Set("tokenizer.ggml."+key+"_token_id", uint32(id))
		}
	}
	w.Set("tokenizer.ggml.add_bos_token", false)
	w.Set("tokenizer.ggml.add_eos_token", false)

	keys := make([]string, 0, len(card))
	for k := range card {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if k != "name" {
			w.Set("weft.card."+k, card[k])
		}
	}
	if d := card["description"]; d != "" {
		w.Set("general.description", d)
	}
	if l := card["license"]; l != "" {
		w.Set("general.license", l)
	}

	for _, t := range m.Tensors {
		typ := wt
		if t.Rows == 1 { // norm gains
			typ = gguf.TypeF32
		}
		if typ == gguf.TypeQ8_0 && t.Cols%32 != 0 {
			return nil, fmt.Errorf("train: %s has rows of %d, not a multiple of 32: cannot export Q8_0 (use f16)", t.Name, t.Cols)
		}
		data, err := quant.Quantize(typ, m.w(t))
		if err != nil {
			return nil, fmt.Errorf("train: export %s: %w", t.Name, err)
		}
		dims := []int{t.Cols, t.Rows}
		if t.Rows == 1 {
			dims = []int{t.Cols}
		}
		if err := w.AddTensor(t.Name, typ, dims, data); err != nil {
			return nil, fmt.Errorf("train: export %s: %w", t.Name, err)
		}
	}
	return w, nil
}

// ExportTypeByName maps a CLI name (q8_0, f16, f32) to a tensor type.
func ExportTypeByName(s string) (gguf.Type, error) {
	switch strings.ToLower(s) {
	case "", "q8_0", "q8":
		return gguf.TypeQ8_0, nil
	case "f16":
		return gguf.TypeF16, nil
	case "f32":
		return gguf.TypeF32, nil
	}
	return 0, fmt.Errorf("train: unknown export type %q (q8_0, f16, f32)", s)
}

// loadGGUF reads a llama-architecture GGUF written by Export (or any llama
// GGUF with a gpt2 vocabulary starting with the 256 byte tokens) back into a
// trainable model and its vocabulary, dequantizing every tensor to float32.
func loadGGUF(f *gguf.File, ctxOverride int) (*Model, *Vocab, error) {
	arch, _ := f.String("general.architecture")
	if arch != "llama" {
		return nil, nil, fmt.Errorf("train: can only fine-tune llama-architecture models, got %q", arch)
	}
	if _, ok := f.Tensor("output.weight"); ok {
		return nil, nil, fmt.Errorf("train: model has an untied output.weight; the trainer supports tied embeddings only")
	}
	u := func(key string) int {
		v, _ := f.Uint("llama." + key)
		return int(v)
	}
	var c ModelConfig
	c.Dim, c.Layers, c.Heads, c.FF, c.Ctx = u("embedding_length"), u("block_count"), u("attention.head_count"), u("feed_forward_length"), u("context_length")
	c.KVHeads = u("attention.head_count_kv")
	if c.KVHeads == 0 {
		c.KVHeads = c.Heads
	}
	c.RopeBase = 10000
	if b, ok := f.Float("llama.rope.freq_base"); ok {
		c.RopeBase = float32(b)
	}
	eps, _ := f.Float("llama.attention.layer_norm_rms_epsilon")
	c.NormEps = float32(eps)
	if ctxOverride > 0 {
		c.Ctx = ctxOverride
	}
	tokens, ok1 := f.Strings("tokenizer.ggml.tokens")
	types, ok2 := f.Int32s("tokenizer.ggml.token_type")
	merges, ok3 := f.Strings("tokenizer.ggml.merges")
	if model, _ := f.String("tokenizer.ggml.model"); model != "gpt2" || !ok1 || !ok2 || !ok3 {
		return nil, nil, fmt.Errorf("train: fine-tuning needs a gpt2 (byte-level BPE) vocabulary with tokens, token_type and merges")
	}
	v, err := newVocab(tokens, types, merges)
	if err != nil {
		return nil, nil, err
	}
	c.Vocab = len(tokens)
	m, err := NewModel(c)
	if err != nil {
		return nil, nil, err
	}
	for _, t := range m.Tensors {
		ti, ok := f.Tensor(t.Name)
		if !ok {
			return nil, nil, fmt.Errorf("train: model lacks tensor %s", t.Name)
		}
		if ti.Elems() != int64(t.size()) || ti.Dims[0] != t.Cols {
			return nil, nil, fmt.Errorf("train: tensor %s has shape %v, want [%d %d]", t.Name, ti.Dims, t.Cols, t.Rows)
		}
		if err := quant.Dequantize(ti.Type, f.TensorData(ti), m.w(t)); err != nil {
			return nil, nil, fmt.Errorf("train: tensor %s: %w", t.Name, err)
		}
	}
	return m, v, nil
}
