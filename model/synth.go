package model

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/weft-dev/weft/model/gguf"
	"github.com/weft-dev/weft/model/quant"
)

// synthConfig is the shape of a synthesized model.
type synthConfig struct {
	arch                      string
	nLayer, nEmbd, nHead, nKV int
	headDim                   int // 0: n_embd/n_head (no key_length written)
	nFF, nCtx, nVocab         int
	ropeBase, eps             float32
	ropeLinear                float32 // linear rope scaling factor, 0 for none
	tied                      bool    // no output.weight: the output is token_embd
}

// synthPresets are real model shapes (and a tiny one for tests), so that
// benchmarks on random weights measure what the real model would cost, and
// so that llama.cpp's quantization mixtures meet the row widths they meet on
// the real models. Each comes from the release's config.json.
var synthPresets = map[string]synthConfig{
	"qwen2.5-coder-0.5b":  {arch: "qwen2", nLayer: 24, nEmbd: 896, nHead: 14, nKV: 2, nFF: 4864, nCtx: 32768, nVocab: 151936, ropeBase: 1e6, eps: 1e-6, tied: true},
	"qwen2.5-coder-1.5b":  {arch: "qwen2", nLayer: 28, nEmbd: 1536, nHead: 12, nKV: 2, nFF: 8960, nCtx: 32768, nVocab: 151936, ropeBase: 1e6, eps: 1e-6, tied: true},
	"deepseek-coder-1.3b": {arch: "llama", nLayer: 24, nEmbd: 2048, nHead: 16, nKV: 16, nFF: 5504, nCtx: 16384, nVocab: 32256, ropeBase: 1e5, eps: 1e-6, ropeLinear: 4},
	"starcoder2-3b":       {arch: "starcoder2", nLayer: 30, nEmbd: 3072, nHead: 24, nKV: 2, nFF: 12288, nCtx: 16384, nVocab: 49152, ropeBase: 999999.4420358813, eps: 1e-5, tied: true},
	"codegemma-2b":        {arch: "gemma", nLayer: 18, nEmbd: 2048, nHead: 8, nKV: 1, headDim: 256, nFF: 16384, nCtx: 8192, nVocab: 256000, ropeBase: 10000, eps: 1e-6, tied: true},
	"qwen3-0.6b":          {arch: "qwen3", nLayer: 28, nEmbd: 1024, nHead: 16, nKV: 8, headDim: 128, nFF: 3072, nCtx: 40960, nVocab: 151936, ropeBase: 1e6, eps: 1e-6, tied: true},
	"qwen3-1.7b":          {arch: "qwen3", nLayer: 28, nEmbd: 2048, nHead: 16, nKV: 8, headDim: 128, nFF: 6144, nCtx: 40960, nVocab: 151936, ropeBase: 1e6, eps: 1e-6, tied: true},
	// tiny: every dimension a multiple of 256 so that every type, K-quants
	// included, applies to every matrix; small enough for unit tests.
	"tiny": {arch: "qwen2", nLayer: 2, nEmbd: 256, nHead: 4, nKV: 2, nFF: 512, nCtx: 512, nVocab: 512, ropeBase: 1e6, eps: 1e-6, tied: true},
}

// SynthPresets lists the preset names Synth accepts, sorted.
func SynthPresets() []string {
	var out []string
	for p := range synthPresets {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}

// llamaFileType maps a weight type to llama.cpp's general.file_type number
// for a file of that one type (enum llama_ftype; K-quants use the _M
// variants, as llama-quantize --pure).
var llamaFileType = map[gguf.Type]uint32{
	gguf.TypeF32: 0, gguf.TypeF16: 1, gguf.TypeQ4_0: 2, gguf.TypeQ4_1: 3, gguf.TypeQ8_0: 7,
	gguf.TypeQ5_0: 8, gguf.TypeQ5_1: 9, gguf.TypeQ2_K: 10, gguf.TypeQ3_K: 12,
	gguf.TypeQ4_K: 15, gguf.TypeQ5_K: 17, gguf.TypeQ6_K: 18,
	gguf.TypeIQ4_NL: 25, gguf.TypeIQ4_XS: 30, gguf.TypeBF16: 32,
}

// synthTensor is one tensor of a synthesized model before it is written.
type synthTensor struct {
	name string
	typ  gguf.Type
	dims []int
	data []byte
}

// Synth builds a model with random weights at the exact shapes of a preset
// (see SynthPresets), of the preset's architecture or of arch when arch is not
// empty (the tensors and metadata that architecture's llama.cpp converter
// writes; an overridden architecture ties the output projection to the
// embeddings except for llama). Every 2-D weight is quantized to t with
// quant.Quantize (falling back to Q8_0, or F16, for matrices whose rows are
// not a whole number of t's blocks); norms and biases stay F32. The
// vocabulary is copied from vocab (every tokenizer.* key) or, when vocab is
// nil, is a synthetic byte-level BPE vocab padded to the preset's size. Same
// seed, same file.
func Synth(preset, arch string, t gguf.Type, vocab *gguf.File, seed uint64) (*gguf.Writer, error) {
	cfg, err := synthPreset(preset, arch)
	if err != nil {
		return nil, err
	}
	if _, ok := llamaFileType[t]; !ok {
		var have []string
		for t := range llamaFileType {
			have = append(have, t.String())
		}
		slices.Sort(have)
		return nil, fmt.Errorf("model: cannot synthesize %v weights (%s)", t, strings.Join(have, ", "))
	}
	return synth(cfg, preset, pureTypes(t), vocab, seed, nil)
}

// SynthFType is Synth with the weights typed as llama-quantize types them for
// its preset ftype (see FTypes): each 2-D weight gets the type of
// TensorType, so the file has the layout that quantizing an F32 master of the
// same seed with llama-quantize gives, and, where weft's quantizers are
// ggml's reference ones, the same bytes. A preset that needs a type weft
// cannot encode is refused with the tensor and the type.
func SynthFType(preset, arch, ftype string, vocab *gguf.File, seed uint64) (*gguf.Writer, error) {
	cfg, err := synthPreset(preset, arch)
	if err != nil {
		return nil, err
	}
	f, ok := FTypeByName(ftype)
	if !ok {
		return nil, fmt.Errorf("model: unknown llama.cpp file type %q (have %s)", ftype, strings.Join(FTypes(), ", "))
	}
	typeOf := func(ts TensorSpec) (gguf.Type, error) {
		nt, err := TensorType(f, ts)
		if err != nil {
			return 0, fmt.Errorf("model: synth %s: %w", f.Name, err)
		}
		if _, err := quant.Quantize(nt, make([]float32, nt.BlockElems())); err != nil {
			return 0, fmt.Errorf("model: synth %s: tensor %s gets type %v by llama.cpp's rules, which weft cannot encode yet", f.Name, ts.Name, nt)
		}
		return nt, nil
	}
	return synth(cfg, preset, synthTypes{f.ID, f.Base, typeOf}, vocab, seed, nil)
}

// synthTypes says how synth types the weights.
type synthTypes struct {
	fileType uint32    // general.file_type
	base     gguf.Type // the preset's type (general.quantization_version is written for block types)
	typeOf   func(TensorSpec) (gguf.Type, error)
}

// pureTypes types every 2-D weight t, or Q8_0 (else F16) where t's blocks
// do not fit the rows.
func pureTypes(t gguf.Type) synthTypes {
	return synthTypes{llamaFileType[t], t, func(ts TensorSpec) (gguf.Type, error) {
		switch {
		case ts.Cols%t.BlockElems() == 0:
			return t, nil
		case ts.Cols%32 == 0:
			return gguf.TypeQ8_0, nil
		}
		return gguf.TypeF16, nil
	}}
}

// synthPreset returns the preset's shape with arch (when not empty) in place
// of its architecture.
func synthPreset(preset, arch string) (synthConfig, error) {
	cfg, ok := synthPresets[preset]
	if !ok {
		return cfg, fmt.Errorf("model: unknown synth preset %q (have %s)", preset, strings.Join(SynthPresets(), ", "))
	}
	if arch != "" && arch != cfg.arch {
		if _, ok := archs[arch]; !ok {
			return cfg, fmt.Errorf("model: unsupported architecture %q (supported: %s)", arch, strings.Join(SupportedArchs(), ", "))
		}
		cfg.arch = arch
		cfg.tied = arch != "llama"
		cfg.ropeLinear = 0
	}
	if archs[cfg.arch].tiedOnly {
		cfg.tied = true
	}
	return cfg, nil
}

// synth builds the writer; edit (tests) may change or drop (return false) a
// tensor before it is added.
func synth(cfg synthConfig, name string, types synthTypes, vocab *gguf.File, seed uint64, edit func(*synthTensor) bool) (*gguf.Writer, error) {
	w, cfg, err := synthMeta(cfg, name, types, vocab)
	if err != nil {
		return nil, err
	}
	// Every matrix is typed before any is drawn, so that a type weft cannot
	// encode fails at once.
	plan := synthPlan(cfg)
	typ := make([]gguf.Type, len(plan))
	for i, pt := range plan {
		typ[i] = gguf.TypeF32
		if len(pt.dims) == 2 {
			var err error
			if typ[i], err = types.typeOf(cfg.spec(pt.name, pt.dims[0], pt.dims[1], pt.layer)); err != nil {
				return nil, err
			}
		}
	}
	rng := rand.New(rand.NewPCG(seed, 0x5eed5eed))
	for i, pt := range plan {
		st := synthTensor{name: pt.name, typ: typ[i], dims: pt.dims}
		if len(pt.dims) == 2 {
			// Each matrix draws one seed from the stream, whatever its
			// type, so every ftype of a seed quantizes the same floats.
			seed := rng.Uint64()
			var err error
			if st.data, err = randomMatrix(seed, st.typ, pt.dims[0], pt.dims[1], pt.std, pt.rowSigma); err != nil {
				return nil, fmt.Errorf("model: synth %s: %w", pt.name, err)
			}
		} else {
			v := make([]float32, pt.dims[0])
			for i := range v {
				v[i] = float32(pt.mean + pt.std*rng.NormFloat64())
			}
			st.data, _ = quant.Quantize(gguf.TypeF32, v)
		}
		if edit != nil && !edit(&st) {
			continue
		}
		if err := w.AddTensor(st.name, st.typ, st.dims, st.data); err != nil {
			return nil, err
		}
	}
	return w, nil
}

// synthMeta writes the metadata of a synthesized model: the general keys,
// the vocabulary (which may change cfg.nVocab) and the hyper-parameters.
func synthMeta(cfg synthConfig, name string, types synthTypes, vocab *gguf.File) (*gguf.Writer, synthConfig, error) {
	w := gguf.NewWriter()
	a := cfg.arch
	spec := archs[a]
	w.Set("general.architecture", a)
	w.Set("general.name", "weft-synth-"+name)
	w.Set("general.file_type", types.fileType)
	if types.base.BlockElems() > 1 {
		w.Set("general.quantization_version", uint32(2))
	}
	if vocab != nil {
		toks, ok := vocab.Get("tokenizer.ggml.tokens")
		if !ok || toks.Type != gguf.Array || toks.Count == 0 {
			return nil, cfg, fmt.Errorf("model: vocab file has no tokenizer.ggml.tokens")
		}
		cfg.nVocab = toks.Count
		w.CopyKV(vocab, func(k string) bool { return strings.HasPrefix(k, "tokenizer.") })
	} else {
		setByteVocab(w, cfg.nVocab)
	}
	hd := cfg.headSize()
	// The keys each architecture's converter (convert_hf_to_gguf.py)
	// writes: gemma and qwen3 give the head size as key/value_length;
	// starcoder2 has a LayerNorm epsilon instead of an RMSNorm one; gemma
	// leaves the rope base at its default.
	w.Set(a+".context_length", uint32(cfg.nCtx))
	w.Set(a+".embedding_length", uint32(cfg.nEmbd))
	w.Set(a+".feed_forward_length", uint32(cfg.nFF))
	w.Set(a+".block_count", uint32(cfg.nLayer))
	w.Set(a+".attention.head_count", uint32(cfg.nHead))
	w.Set(a+".attention.head_count_kv", uint32(cfg.nKV))
	if a != "gemma" {
		w.Set(a+".rope.freq_base", cfg.ropeBase)
	}
	if spec.layerNorm {
		w.Set(a+".attention.layer_norm_epsilon", cfg.eps)
	} else {
		w.Set(a+".attention.layer_norm_rms_epsilon", cfg.eps)
	}
	if cfg.headDim != 0 || a == "gemma" || a == "qwen3" {
		w.Set(a+".attention.key_length", uint32(hd))
		w.Set(a+".attention.value_length", uint32(hd))
	}
	if a == "llama" || a == "qwen2" || a == "qwen3" {
		w.Set(a+".rope.dimension_count", uint32(hd))
	}
	if cfg.ropeLinear != 0 {
		w.Set(a+".rope.scaling.type", "linear")
		w.Set(a+".rope.scaling.factor", cfg.ropeLinear)
	}
	w.Set(a+".vocab_size", uint32(cfg.nVocab))
	return w, cfg, nil
}

// headDim is the preset's head size.
func (cfg synthConfig) headSize() int {
	if cfg.headDim != 0 {
		return cfg.headDim
	}
	return cfg.nEmbd / cfg.nHead
}

// spec describes a matrix of the model to TensorType.
func (cfg synthConfig) spec(name string, cols, rows, layer int) TensorSpec {
	return TensorSpec{Name: name, Cols: cols, Rows: rows, Layer: layer, Arch: cfg.arch,
		NLayer: cfg.nLayer, NHead: cfg.nHead, NHeadKV: cfg.nKV, HasOutput: !cfg.tied}
}

// plannedTensor is one tensor of a synthesized model and how its values are
// drawn: matrices N(0, std) with lognormal row factors of σ rowSigma,
// vectors N(mean, std).
type plannedTensor struct {
	name      string
	dims      []int
	layer     int // -1 outside the blocks
	mean, std float64
	rowSigma  float64
}

// synthPlan lists the tensors of cfg's architecture in the order they are
// drawn and written. Weight scales follow the parity fixtures' recipe (see
// testdata/parity/README.md in the shared data): N(0, s/sqrt(n_in)) with s
// chosen so that logits have a spread like a trained model's. The order of
// the draws is the one of earlier releases for qwen2 and llama (weights
// first, biases last), so that a seed gives the same model as before.
func synthPlan(cfg synthConfig) []plannedTensor {
	spec := archs[cfg.arch]
	hd := cfg.headSize()
	E, F, kv, nq := cfg.nEmbd, cfg.nFF, cfg.nKV*hd, cfg.nHead*hd
	invE, invF, invQ := 1/math.Sqrt(float64(E)), 1/math.Sqrt(float64(F)), 1/math.Sqrt(float64(nq))
	// Gemma multiplies its embeddings by sqrt(n_embd); its blocks' outputs
	// (attn_output, ffn_down) are drawn that much larger so that they, not
	// the current token's embedding, decide the next token, as in a trained
	// model.
	resid := 1.0
	if spec.embdScale {
		resid = math.Sqrt(float64(E))
	}
	var out []plannedTensor
	layer := -1
	mat := func(name string, cols, rows int, std, rowSigma float64) {
		out = append(out, plannedTensor{name: name, dims: []int{cols, rows}, layer: layer, std: std, rowSigma: rowSigma})
	}
	vec := func(name string, n int, mean, std float64) {
		out = append(out, plannedTensor{name: name, dims: []int{n}, layer: layer, mean: mean, std: std})
	}
	// The output matrix (token_embd when tied) gets per-row lognormal
	// factors, which widen the gap between the top logits.
	if cfg.tied {
		mat("token_embd.weight", E, cfg.nVocab, 2.5*invE, 0.15)
	} else {
		mat("token_embd.weight", E, cfg.nVocab, invE, 0)
	}
	vec("output_norm.weight", E, 4, 0.8)
	if spec.allBias {
		vec("output_norm.bias", E, 0, 0.2)
	}
	if !cfg.tied {
		mat("output.weight", E, cfg.nVocab, 2.5*invE, 0.3)
	}
	for l := 0; l < cfg.nLayer; l++ {
		layer = l
		p := fmt.Sprintf("blk.%d.", l)
		vec(p+"attn_norm.weight", E, 1, 0.2)
		if spec.allBias {
			vec(p+"attn_norm.bias", E, 0, 0.1)
		}
		mat(p+"attn_q.weight", E, nq, 2*invE, 0)
		mat(p+"attn_k.weight", E, kv, 2*invE, 0)
		mat(p+"attn_v.weight", E, kv, invE, 0)
		mat(p+"attn_output.weight", nq, E, 1.5*invQ*resid, 0)
		if spec.qkNorm {
			vec(p+"attn_q_norm.weight", hd, 1, 0.2)
			vec(p+"attn_k_norm.weight", hd, 1, 0.2)
		}
		vec(p+"ffn_norm.weight", E, 1, 0.2)
		if spec.allBias {
			vec(p+"ffn_norm.bias", E, 0, 0.1)
		}
		if spec.ffn != ffnGELU {
			mat(p+"ffn_gate.weight", E, F, invE, 0)
		}
		mat(p+"ffn_up.weight", E, F, invE, 0)
		mat(p+"ffn_down.weight", F, E, 1.5*invF*resid, 0)
		if spec.qkvBias {
			vec(p+"attn_q.bias", nq, 0, 0.3)
			vec(p+"attn_k.bias", kv, 0, 0.3)
			vec(p+"attn_v.bias", kv, 0, 0.3)
		}
		if spec.allBias {
			vec(p+"attn_output.bias", E, 0, 0.1)
			vec(p+"ffn_up.bias", F, 0, 0.1)
			vec(p+"ffn_down.bias", E, 0, 0.1)
		}
	}
	return out
}

// SynthLayout returns the type each 2-D weight of SynthFType(preset, arch,
// ftype, ...) would get, by tensor name, without drawing any weights. The
// vocabulary size is the preset's.
func SynthLayout(preset, arch, ftype string) (map[string]gguf.Type, error) {
	cfg, err := synthPreset(preset, arch)
	if err != nil {
		return nil, err
	}
	f, ok := FTypeByName(ftype)
	if !ok {
		return nil, fmt.Errorf("model: unknown llama.cpp file type %q (have %s)", ftype, strings.Join(FTypes(), ", "))
	}
	out := map[string]gguf.Type{}
	for _, pt := range synthPlan(cfg) {
		if len(pt.dims) != 2 {
			continue
		}
		t, err := TensorType(f, cfg.spec(pt.name, pt.dims[0], pt.dims[1], pt.layer))
		if err != nil {
			return nil, err
		}
		out[pt.name] = t
	}
	return out, nil
}

// randomMatrix draws a rows×cols matrix of N(0, std) values, each row scaled
// by a lognormal factor exp(σz − σ²/2) when rowSigma > 0, and encodes it as t.
// Slabs of
// rows are drawn and quantized in parallel, each from its own PCG stream
// seeded by (seed, slab), so the result does not depend on the thread count
// and a 150k-row embedding never exists in F32 at once.
func randomMatrix(seed uint64, t gguf.Type, cols, rows int, std, rowSigma float64) ([]byte, error) {
	rb, err := t.RowBytes(cols)
	if err != nil {
		return nil, err
	}
	out := make([]byte, rb*rows)
	slab := max(1, (1<<18)/cols)
	nSlabs := (rows + slab - 1) / slab
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make([]error, runtime.NumCPU())
	for w := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]float32, slab*cols)
			for {
				k := int(next.Add(1) - 1)
				if k >= nSlabs {
					return
				}
				rng := rand.New(rand.NewPCG(seed, uint64(k)))
				r0 := k * slab
				n := min(slab, rows-r0)
				x := buf[:n*cols]
				for r := 0; r < n; r++ {
					s := std
					if rowSigma > 0 {
						s *= math.Exp(rowSigma*rng.NormFloat64() - rowSigma*rowSigma/2)
					}
					for i := r * cols; i < (r+1)*cols; i++ {
						x[i] = float32(s * rng.NormFloat64())
					}
				}
				q, err := quant.Quantize(t, x)
				if err != nil {
					errs[w] = err
					return
				}
				copy(out[r0*rb:], q)
			}
		}()
	}
	wg.Wait()
	return out, errors.Join(errs...)
}

// gpt2ByteRunes is GPT-2's bytes_to_unicode: printable bytes stand for
// themselves, the others are mapped to code points from 256 up, so that every
// byte is a visible one-rune token.
func gpt2ByteRunes() [256]rune {
	var m [256]rune
	next := rune(256)
	for b := 0; b < 256; b++ {
		if (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF) {
			m[b] = rune(b)
		} else {
			m[b] = next
			next++
		}
	}
	return m
}

// setByteVocab writes a byte-level BPE vocabulary with no merges: the 256
// byte tokens, end-of-text and FIM control tokens, padded with unused tokens
// to n. Text tokenizes to one token per byte.
func setByteVocab(w *gguf.Writer, n int) {
	const (
		normal  = 1
		control = 3
		unused  = 5
	)
	br := gpt2ByteRunes()
	toks := make([]string, 0, n)
	types := make([]int32, 0, n)
	for b := 0; b < 256; b++ {
		toks = append(toks, string(br[b]))
		types = append(types, normal)
	}
	specials := []string{"<|endoftext|>", "<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>", "<|fim_pad|>"}
	for _, s := range specials {
		toks = append(toks, s)
		types = append(types, control)
	}
	for len(toks) < n {
		toks = append(toks, fmt.Sprintf("[PAD%d]", len(toks)))
		types = append(types, unused)
	}
	w.Set("tokenizer.ggml.model", "gpt2")
	w.Set("tokenizer.ggml.pre", "qwen2")
	w.Set("tokenizer.ggml.tokens", toks)
	w.Set("tokenizer.ggml.token_type", types)
	w.Set("tokenizer.ggml.merges", []string{})
	w.Set("tokenizer.ggml.bos_token_id", uint32(256))
	w.Set("tokenizer.ggml.eos_token_id", uint32(256))
	w.Set("tokenizer.ggml.padding_token_id", uint32(256))
	w.Set("tokenizer.ggml.add_bos_token", false)
	w.Set("tokenizer.ggml.fim_pre_token_id", uint32(257))
	w.Set("tokenizer.ggml.fim_mid_token_id", uint32(258))
	w.Set("tokenizer.ggml.fim_suf_token_id", uint32(259))
	w.Set("tokenizer.ggml.fim_pad_token_id", uint32(260))
}
