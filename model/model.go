// Package model runs decoder-only Transformer language models stored in GGUF
// files (llama.cpp's format) on the CPU: loading and validating a model,
// sessions that own a KV cache and reuse the longest common prefix between
// calls, the forward pass, sampling and streaming generation.
//
// The arithmetic mirrors llama.cpp's CPU backend step by step (see forward.go)
// so that weft's logits can be checked against llama.cpp's own within float32
// rounding; the parity tests in this package do exactly that.
//
// A Model is read-only once loaded and may be shared by any number of
// Sessions, each used by one goroutine at a time.
package model

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/weft-dev/weft/model/gguf"
	"github.com/weft-dev/weft/model/quant"
	"github.com/weft-dev/weft/model/tokenizer"
)

// Options tune how a model is run. The zero value is a sensible default.
type Options struct {
	// Threads is the number of worker goroutines for matrix products and
	// attention; <= 0 means runtime.NumCPU().
	Threads int
	// Reference selects the dequantize-then-F32 matmul path (quant.MatMulRef)
	// instead of llama.cpp's quantized-activation kernels. Slower; used to
	// compare against an exact float reference.
	Reference bool
	// KVType is the element type of the KV cache: gguf.TypeF16 (half the
	// memory, llama.cpp's default; what a server should use) or gguf.TypeF32
	// (exact; the parity tests use it). gguf.TypeF32 is numerically 0, so the
	// zero Options select F32.
	KVType gguf.Type
}

// Info describes a loaded model.
type Info struct {
	Arch      string // "llama" or "qwen2"
	Name      string // general.name
	NLayer    int
	NEmbd     int
	NHead     int
	NHeadKV   int
	HeadDim   int
	NRot      int // rotary dimensions per head
	NFF       int
	NCtxTrain int // context length the model was trained with
	NVocab    int
	RopeBase  float32
	RMSEps    float32
	Tied      bool   // output projection shares token_embd
	Params    int64  // number of weights
	FileType  string // dominant 2-D tensor type, e.g. "Q8_0"
	Bytes     int64  // bytes of tensor data
	// Card holds the general.* string metadata (license, author, url, ...).
	Card map[string]string
}

// ropeMode says which elements RoPE rotates together.
type ropeMode int

const (
	ropeNorm ropeMode = iota // adjacent pairs (2i, 2i+1): llama, ggml rope mode 0
	ropeNeox                 // halves (i, i+n_rot/2): qwen2, GGML_ROPE_TYPE_NEOX
)

// archSpec is what differs between the supported architectures.
type archSpec struct {
	rope   ropeMode
	biases bool // q/k/v projections carry biases
}

var archs = map[string]archSpec{
	"llama": {rope: ropeNorm},
	"qwen2": {rope: ropeNeox, biases: true},
}

// SupportedArchs lists the architectures weft can run, sorted.
func SupportedArchs() []string {
	var out []string
	for a := range archs {
		out = append(out, a)
	}
	slices.Sort(out)
	return out
}

// layer holds one Transformer block's weights. Matrices point into the GGUF
// mapping; the small 1-D vectors are F32 copies.
type layer struct {
	attnNorm   []float32
	wq, wk, wv quant.Matrix
	bq, bk, bv []float32 // nil without biases
	wo         quant.Matrix
	ffnNorm    []float32
	wGate      quant.Matrix
	wUp        quant.Matrix
	wDown      quant.Matrix
}

// Model is a loaded, validated model. Its weights are read-only, so sessions
// may use it from many goroutines at once.
type Model struct {
	info Info
	opt  Options
	arch archSpec
	file *gguf.File
	tok  *tokenizer.Tokenizer

	embdType    gguf.Type
	embdData    []byte // token_embd rows as stored, for the per-token lookup
	embdRowSize int
	layers      []layer
	outNorm     []float32
	output      quant.Matrix // output.weight, or token_embd when tied
	ropeFreqs   []float32    // optional per-dimension frequency divisors (rope_freqs.weight)
	freqScale   float32      // 1 / linear rope scaling factor
	threads     int
	pool        *quant.Pool
}

// Open maps and loads the GGUF model at path. Weights stay in the mapping (no
// copy); Close releases it.
func Open(path string, o Options) (*Model, error) {
	f, err := gguf.Open(path)
	if err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	m, err := load(f, o)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("model: %s: %w", path, err)
	}
	return m, nil
}

// FromBytes loads a model from GGUF bytes held in memory (an embedded model, a
// test fixture). b must not be modified while the model is in use.
func FromBytes(b []byte, o Options) (*Model, error) {
	f, err := gguf.Parse(b)
	if err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	m, err := load(f, o)
	if err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	return m, nil
}

// Close stops the worker pool and releases the file mapping. Sessions of the
// model must not be used afterwards.
func (m *Model) Close() error {
	if m.pool != nil {
		m.pool.Close()
		m.pool = nil
	}
	return m.file.Close()
}

// Info returns the model's hyper-parameters and metadata.
func (m *Model) Info() Info { return m.info }

// Tokenizer returns the model's tokenizer.
func (m *Model) Tokenizer() *tokenizer.Tokenizer { return m.tok }

// Options returns the options the model was loaded with (defaults filled in).
func (m *Model) Options() Options { return m.opt }

// hparams reads the hyper-parameters of arch from the metadata only; tensor
// shapes are checked against them afterwards.
func hparams(f *gguf.File, arch string) (Info, error) {
	info := Info{Arch: arch, Card: map[string]string{}}
	info.Name, _ = f.String("general.name")
	var errs []error
	req := func(key string) int {
		v, ok := f.Uint(arch + "." + key)
		if !ok {
			errs = append(errs, fmt.Errorf("missing or invalid metadata %s.%s", arch, key))
			return 0
		}
		if v == 0 || v > 1<<30 {
			errs = append(errs, fmt.Errorf("metadata %s.%s = %d is out of range", arch, key, v))
			return 0
		}
		return int(v)
	}
	info.NEmbd = req("embedding_length")
	info.NLayer = req("block_count")
	info.NHead = req("attention.head_count")
	info.NFF = req("feed_forward_length")
	info.NCtxTrain = req("context_length")
	if len(errs) > 0 {
		return info, errors.Join(errs...)
	}
	info.NHeadKV = info.NHead
	if f.Has(arch + ".attention.head_count_kv") {
		info.NHeadKV = req("attention.head_count_kv")
	}
	if len(errs) > 0 {
		return info, errors.Join(errs...)
	}
	if info.NEmbd%info.NHead != 0 {
		return info, fmt.Errorf("embedding_length %d is not a multiple of head_count %d", info.NEmbd, info.NHead)
	}
	if info.NHead%info.NHeadKV != 0 {
		return info, fmt.Errorf("head_count %d is not a multiple of head_count_kv %d", info.NHead, info.NHeadKV)
	}
	info.HeadDim = info.NEmbd / info.NHead
	for _, k := range []string{"attention.key_length", "attention.value_length"} {
		if v, ok := f.Uint(arch + "." + k); ok && int(v) != info.HeadDim {
			return info, fmt.Errorf("%s.%s = %d differs from embedding_length/head_count = %d (unsupported)", arch, k, v, info.HeadDim)
		}
	}
	info.NRot = info.HeadDim
	if v, ok := f.Uint(arch + ".rope.dimension_count"); ok {
		if v == 0 || int(v) > info.HeadDim || v%2 != 0 {
			return info, fmt.Errorf("%s.rope.dimension_count = %d must be even and in (0, %d]", arch, v, info.HeadDim)
		}
		info.NRot = int(v)
	}
	info.RopeBase = 10000
	if v, ok := f.Float(arch + ".rope.freq_base"); ok {
		info.RopeBase = float32(v)
	}
	eps, ok := f.Float(arch + ".attention.layer_norm_rms_epsilon")
	if !ok {
		return info, fmt.Errorf("missing metadata %s.attention.layer_norm_rms_epsilon", arch)
	}
	info.RMSEps = float32(eps)
	if v, ok := f.Uint(arch + ".vocab_size"); ok {
		info.NVocab = int(v)
	} else if toks, ok := f.Get("tokenizer.ggml.tokens"); ok && toks.Type == gguf.Array {
		info.NVocab = toks.Count
	} else {
		return info, fmt.Errorf("no %s.vocab_size and no tokenizer.ggml.tokens: vocabulary size unknown", arch)
	}
	if info.NVocab <= 0 || info.NVocab > 1<<24 {
		return info, fmt.Errorf("vocabulary size %d is out of range", info.NVocab)
	}
	for _, kv := range f.KV {
		if s, ok := kv.Value.Str(); ok && strings.HasPrefix(kv.Key, "general.") {
			info.Card[strings.TrimPrefix(kv.Key, "general.")] = s
		}
	}
	return info, nil
}

// load validates f against its metadata and builds the model around it.
func load(f *gguf.File, o Options) (*Model, error) {
	arch, ok := f.String("general.architecture")
	if !ok {
		return nil, fmt.Errorf("missing metadata general.architecture (supported: %s)", strings.Join(SupportedArchs(), ", "))
	}
	spec, ok := archs[arch]
	if !ok {
		return nil, fmt.Errorf("unsupported architecture %q (supported: %s)", arch, strings.Join(SupportedArchs(), ", "))
	}
	info, err := hparams(f, arch)
	if err != nil {
		return nil, err
	}
	m := &Model{info: info, opt: o, arch: spec, file: f, freqScale: 1}
	if err := m.ropeScaling(f); err != nil {
		return nil, err
	}
	if err := m.loadTensors(f); err != nil {
		return nil, err
	}
	if m.opt.KVType != gguf.TypeF16 && m.opt.KVType != gguf.TypeF32 {
		return nil, fmt.Errorf("KV cache type %v unsupported (F16 or F32)", m.opt.KVType)
	}
	m.tok, err = tokenizer.FromGGUF(f)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: %w", err)
	}
	if n := m.tok.NumTokens(); n > info.NVocab {
		return nil, fmt.Errorf("tokenizer has %d tokens but the model's vocabulary is %d", n, info.NVocab)
	}
	m.threads = o.Threads
	if m.threads <= 0 {
		m.threads = defaultThreads()
	}
	m.opt.Threads = m.threads
	m.pool = quant.NewPool(m.threads)
	return m, nil
}

// ropeScaling accepts no scaling and linear scaling; YaRN and the others
// change the rotation in ways weft does not implement, so they are refused
// rather than silently run wrong.
func (m *Model) ropeScaling(f *gguf.File) error {
	arch := m.info.Arch
	typ, _ := f.String(arch + ".rope.scaling.type")
	factor, hasFactor := f.Float(arch + ".rope.scaling.factor")
	switch typ {
	case "", "none":
		return nil
	case "linear":
		if hasFactor && factor > 0 {
			m.freqScale = float32(1 / factor)
		}
		return nil
	}
	return fmt.Errorf("rope scaling %q is not supported (none, linear)", typ)
}

// tensorCheck fetches a tensor and checks its shape.
func tensorCheck(f *gguf.File, name string, dims ...int) (*gguf.TensorInfo, error) {
	t, ok := f.Tensor(name)
	if !ok {
		return nil, fmt.Errorf("missing tensor %s", name)
	}
	if !slices.Equal(t.Dims, dims) {
		return nil, fmt.Errorf("tensor %s has shape %v, want %v", name, t.Dims, dims)
	}
	return t, nil
}

// matrix wraps a 2-D tensor [cols, rows] for the kernels.
func matrix(f *gguf.File, name string, cols, rows int) (quant.Matrix, error) {
	t, err := tensorCheck(f, name, cols, rows)
	if err != nil {
		return quant.Matrix{}, err
	}
	if !quant.MatMulTypes(t.Type) {
		return quant.Matrix{}, fmt.Errorf("tensor %s has type %v, which has no matrix kernel", name, t.Type)
	}
	w, err := quant.NewMatrix(t.Type, rows, cols, f.TensorData(t))
	if err != nil {
		return quant.Matrix{}, fmt.Errorf("tensor %s: %w", name, err)
	}
	if w.Repacked() {
		f.Evict(t) // the kernels read the copy; keep one in memory
	}
	return w, nil
}

// vector dequantizes a 1-D tensor of n elements into a new F32 slice.
func vector(f *gguf.File, name string, n int) ([]float32, error) {
	t, err := tensorCheck(f, name, n)
	if err != nil {
		return nil, err
	}
	out := make([]float32, n)
	if err := quant.Dequantize(t.Type, f.TensorData(t), out); err != nil {
		return nil, fmt.Errorf("tensor %s: %w", name, err)
	}
	for i, v := range out {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return nil, fmt.Errorf("tensor %s: element %d is %v", name, i, v)
		}
	}
	return out, nil
}

func (m *Model) loadTensors(f *gguf.File) error {
	in := &m.info
	nKV := in.NHeadKV * in.HeadDim
	var err error
	embd, err := tensorCheck(f, "token_embd.weight", in.NEmbd, in.NVocab)
	if err != nil {
		return err
	}
	if !quant.Supported(embd.Type) {
		return fmt.Errorf("tensor token_embd.weight has type %v, which has no kernel", embd.Type)
	}
	m.embdType = embd.Type
	m.embdData = f.TensorData(embd)
	if m.embdRowSize, err = embd.Type.RowBytes(in.NEmbd); err != nil {
		return fmt.Errorf("tensor token_embd.weight: %w", err)
	}
	if m.outNorm, err = vector(f, "output_norm.weight", in.NEmbd); err != nil {
		return err
	}
	if _, ok := f.Tensor("output.weight"); ok {
		m.output, err = matrix(f, "output.weight", in.NEmbd, in.NVocab)
	} else {
		in.Tied = true
		m.output, err = matrix(f, "token_embd.weight", in.NEmbd, in.NVocab)
	}
	if err != nil {
		return err
	}
	if _, ok := f.Tensor("rope_freqs.weight"); ok {
		if m.ropeFreqs, err = vector(f, "rope_freqs.weight", in.NRot/2); err != nil {
			return err
		}
	}
	m.layers = make([]layer, in.NLayer)
	for i := range m.layers {
		l := &m.layers[i]
		p := fmt.Sprintf("blk.%d.", i)
		steps := []func() error{
			func() (e error) { l.attnNorm, e = vector(f, p+"attn_norm.weight", in.NEmbd); return },
			func() (e error) { l.wq, e = matrix(f, p+"attn_q.weight", in.NEmbd, in.NEmbd); return },
			func() (e error) { l.wk, e = matrix(f, p+"attn_k.weight", in.NEmbd, nKV); return },
			func() (e error) { l.wv, e = matrix(f, p+"attn_v.weight", in.NEmbd, nKV); return },
			func() (e error) { l.wo, e = matrix(f, p+"attn_output.weight", in.NEmbd, in.NEmbd); return },
			func() (e error) { l.ffnNorm, e = vector(f, p+"ffn_norm.weight", in.NEmbd); return },
			func() (e error) { l.wGate, e = matrix(f, p+"ffn_gate.weight", in.NEmbd, in.NFF); return },
			func() (e error) { l.wUp, e = matrix(f, p+"ffn_up.weight", in.NEmbd, in.NFF); return },
			func() (e error) { l.wDown, e = matrix(f, p+"ffn_down.weight", in.NFF, in.NEmbd); return },
		}
		if m.arch.biases {
			steps = append(steps,
				func() (e error) { l.bq, e = vector(f, p+"attn_q.bias", in.NEmbd); return },
				func() (e error) { l.bk, e = vector(f, p+"attn_k.bias", nKV); return },
				func() (e error) { l.bv, e = vector(f, p+"attn_v.bias", nKV); return },
			)
		}
		for _, step := range steps {
			if err := step(); err != nil {
				return err
			}
		}
	}
	// Totals for Info: every tensor of the file counts, and the file type is
	// the most common type among the 2-D weights.
	counts := map[gguf.Type]int64{}
	for i := range f.Tensors {
		t := &f.Tensors[i]
		in.Params += t.Elems()
		in.Bytes += t.Size
		if len(t.Dims) == 2 {
			counts[t.Type] += t.Elems()
		}
	}
	var best gguf.Type
	var bestN int64 = -1
	for t, n := range counts {
		if n > bestN || (n == bestN && t < best) {
			best, bestN = t, n
		}
	}
	in.FileType = best.String()
	return nil
}
