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
	"sync"

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
	Arch      string // one of SupportedArchs
	Name      string // general.name
	NLayer    int
	NEmbd     int
	NHead     int
	NHeadKV   int
	HeadDim   int // key/value length per head (n_embd/n_head unless key_length says otherwise)
	NRot      int // rotary dimensions per head
	NFF       int
	NCtxTrain int // context length the model was trained with
	NVocab    int
	RopeBase  float32
	RMSEps    float32 // epsilon of the norms (layer_norm_epsilon for starcoder2's LayerNorm)
	Tied      bool    // output projection shares token_embd
	Params    int64   // number of weights
	FileType  string  // dominant 2-D tensor type, e.g. "Q8_0"
	Bytes     int64   // bytes of tensor data
	// Card holds the general.* string metadata (license, author, url, ...).
	Card map[string]string
}

// ropeMode says which elements RoPE rotates together.
type ropeMode int

const (
	ropeNorm ropeMode = iota // adjacent pairs (2i, 2i+1): llama, ggml rope mode 0
	ropeNeox                 // halves (i, i+n_rot/2): the others, GGML_ROPE_TYPE_NEOX
)

// ffnKind is the feed-forward block's shape (llama.cpp's llm_build_ffn
// arguments).
type ffnKind int

const (
	ffnSwiGLU ffnKind = iota // down(silu(gate(x)) * up(x)): LLM_FFN_SILU, LLM_FFN_PAR
	ffnGeGLU                 // down(gelu(gate(x)) * up(x)): LLM_FFN_GELU, LLM_FFN_PAR (gemma)
	ffnGELU                  // down(gelu(up(x)+b)) + b: LLM_FFN_GELU, no gate (starcoder2)
)

// archSpec is what differs between the supported architectures. Each field
// names the llama.cpp graph step it selects (build_llama, build_qwen2,
// build_gemma, build_starcoder2; build_qwen3 of later llama.cpp releases).
type archSpec struct {
	rope      ropeMode
	ffn       ffnKind
	qkvBias   bool // q/k/v projections carry biases (qwen2, starcoder2)
	allBias   bool // attn_output, ffn_up/ffn_down and every norm carry biases too (starcoder2)
	layerNorm bool // LLM_NORM (mean and variance) instead of LLM_NORM_RMS
	embdScale bool // token embeddings multiplied by sqrtf(n_embd) (gemma)
	qScale    bool // Q multiplied by 1/sqrtf(head_dim) after RoPE, attention scale 1 (gemma)
	qkNorm    bool // per-head RMSNorm of Q and K before RoPE (qwen3)
	tiedOnly  bool // the output projection is always token_embd (gemma)
	fullRope  bool // rope.dimension_count must equal the head size
}

var archs = map[string]archSpec{
	"llama":      {rope: ropeNorm},
	"qwen2":      {rope: ropeNeox, qkvBias: true},
	"qwen3":      {rope: ropeNeox, qkNorm: true},
	"gemma":      {rope: ropeNeox, ffn: ffnGeGLU, embdScale: true, qScale: true, tiedOnly: true},
	"starcoder2": {rope: ropeNeox, ffn: ffnGELU, qkvBias: true, allBias: true, layerNorm: true, fullRope: true},
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
// mapping; the small 1-D vectors are F32 copies, nil where the architecture
// has none.
type layer struct {
	attnNorm, attnNormB []float32
	wq, wk, wv          quant.Matrix
	bq, bk, bv          []float32
	qNorm, kNorm        []float32 // [head_dim] (qwen3)
	wo                  quant.Matrix
	bo                  []float32
	ffnNorm, ffnNormB   []float32
	wGate               quant.Matrix // absent (zero) for ffnGELU
	wUp                 quant.Matrix
	bUp                 []float32
	wDown               quant.Matrix
	bDown               []float32
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
	outNormB    []float32    // starcoder2's output_norm.bias
	output      quant.Matrix // output.weight, or token_embd when tied
	ropeFreqs   []float32    // optional per-dimension frequency divisors (rope_freqs.weight)
	freqScale   float32      // 1 / linear rope scaling factor
	threads     int
	pool        *quant.Pool

	// passes times the decoding passes of all the model's sessions: how long a
	// pass takes is the model's and the machine's, not a session's.
	passMu sync.Mutex
	passes passClock
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
		return info, joinErrs(errs)
	}
	info.NHeadKV = info.NHead
	if f.Has(arch + ".attention.head_count_kv") {
		info.NHeadKV = req("attention.head_count_kv")
	}
	if len(errs) > 0 {
		return info, joinErrs(errs)
	}
	if info.NHead%info.NHeadKV != 0 {
		return info, fmt.Errorf("head_count %d is not a multiple of head_count_kv %d", info.NHead, info.NHeadKV)
	}
	// The head size is n_embd/n_head unless attention.key_length says
	// otherwise (gemma and qwen3 write it; Qwen3-0.6B's 16 heads of 128 are
	// wider than its n_embd of 1024). Values are as wide as keys: weft has
	// no architecture where they differ.
	if f.Has(arch + ".attention.key_length") {
		info.HeadDim = req("attention.key_length")
		if len(errs) > 0 {
			return info, joinErrs(errs)
		}
	} else if info.NEmbd%info.NHead != 0 {
		return info, fmt.Errorf("embedding_length %d is not a multiple of head_count %d and there is no %s.attention.key_length", info.NEmbd, info.NHead, arch)
	} else {
		info.HeadDim = info.NEmbd / info.NHead
	}
	if v, ok := f.Uint(arch + ".attention.value_length"); ok && int(v) != info.HeadDim {
		return info, fmt.Errorf("%s.attention.value_length = %d differs from the key length %d (unsupported)", arch, v, info.HeadDim)
	}
	if info.HeadDim%2 != 0 || info.NHead*info.HeadDim > 1<<20 {
		return info, fmt.Errorf("%s.attention head size %d × %d heads is unsupported: the size must be even and the product at most %d", arch, info.HeadDim, info.NHead, 1<<20)
	}
	info.NRot = info.HeadDim
	if v, ok := f.Uint(arch + ".rope.dimension_count"); ok {
		if v == 0 || int(v) > info.HeadDim || v%2 != 0 {
			return info, fmt.Errorf("%s.rope.dimension_count = %d must be even and in (0, %d]", arch, v, info.HeadDim)
		}
		if archs[arch].fullRope && int(v) != info.HeadDim {
			return info, fmt.Errorf("%s.rope.dimension_count = %d must equal the head size %d for %s", arch, v, info.HeadDim, arch)
		}
		info.NRot = int(v)
	}
	info.RopeBase = 10000
	if v, ok := f.Float(arch + ".rope.freq_base"); ok {
		info.RopeBase = float32(v)
	}
	epsKey := arch + ".attention.layer_norm_rms_epsilon"
	if archs[arch].layerNorm {
		epsKey = arch + ".attention.layer_norm_epsilon"
	}
	eps, ok := f.Float(epsKey)
	if !ok {
		return info, fmt.Errorf("missing metadata %s", epsKey)
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
	if err := validate(f, info); err != nil {
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
		return quant.Matrix{}, fmt.Errorf("tensor %s has type %v, which has no matrix kernel (weft multiplies by %s)", name, t.Type, quant.MatrixTypeNames())
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
	a := m.arch
	nKV := in.NHeadKV * in.HeadDim
	nQ := in.NHead * in.HeadDim
	var err error
	embd, err := tensorCheck(f, "token_embd.weight", in.NEmbd, in.NVocab)
	if err != nil {
		return err
	}
	if !quant.Supported(embd.Type) {
		return fmt.Errorf("tensor token_embd.weight has type %v, which weft cannot decode (it decodes %s)", embd.Type, quant.SupportedNames())
	}
	m.embdType = embd.Type
	m.embdData = f.TensorData(embd)
	if m.embdRowSize, err = embd.Type.RowBytes(in.NEmbd); err != nil {
		return fmt.Errorf("tensor token_embd.weight: %w", err)
	}
	if m.outNorm, err = vector(f, "output_norm.weight", in.NEmbd); err != nil {
		return err
	}
	if a.allBias {
		if m.outNormB, err = vector(f, "output_norm.bias", in.NEmbd); err != nil {
			return err
		}
	}
	if _, ok := f.Tensor("output.weight"); ok && a.tiedOnly {
		return fmt.Errorf("tensor output.weight is not used by %s (its output is token_embd)", in.Arch)
	} else if ok {
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
		vec := func(dst *[]float32, name string, n int) func() error {
			return func() (e error) { *dst, e = vector(f, p+name, n); return }
		}
		mat := func(dst *quant.Matrix, name string, cols, rows int) func() error {
			return func() (e error) { *dst, e = matrix(f, p+name, cols, rows); return }
		}
		steps := []func() error{
			vec(&l.attnNorm, "attn_norm.weight", in.NEmbd),
			mat(&l.wq, "attn_q.weight", in.NEmbd, nQ),
			mat(&l.wk, "attn_k.weight", in.NEmbd, nKV),
			mat(&l.wv, "attn_v.weight", in.NEmbd, nKV),
			mat(&l.wo, "attn_output.weight", nQ, in.NEmbd),
			vec(&l.ffnNorm, "ffn_norm.weight", in.NEmbd),
		}
		if a.ffn != ffnGELU {
			steps = append(steps, mat(&l.wGate, "ffn_gate.weight", in.NEmbd, in.NFF))
		}
		steps = append(steps,
			mat(&l.wUp, "ffn_up.weight", in.NEmbd, in.NFF),
			mat(&l.wDown, "ffn_down.weight", in.NFF, in.NEmbd),
		)
		if a.qkvBias {
			steps = append(steps,
				vec(&l.bq, "attn_q.bias", nQ),
				vec(&l.bk, "attn_k.bias", nKV),
				vec(&l.bv, "attn_v.bias", nKV),
			)
		}
		if a.allBias {
			steps = append(steps,
				vec(&l.attnNormB, "attn_norm.bias", in.NEmbd),
				vec(&l.bo, "attn_output.bias", in.NEmbd),
				vec(&l.ffnNormB, "ffn_norm.bias", in.NEmbd),
				vec(&l.bUp, "ffn_up.bias", in.NFF),
				vec(&l.bDown, "ffn_down.bias", in.NEmbd),
			)
		}
		if a.qkNorm {
			steps = append(steps,
				vec(&l.qNorm, "attn_q_norm.weight", in.HeadDim),
				vec(&l.kNorm, "attn_k_norm.weight", in.HeadDim),
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

// joinErrs joins errors on one line, so that a file missing several keys is
// still refused with a one-line reason.
func joinErrs(errs []error) error {
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = e.Error()
	}
	return errors.New(strings.Join(msgs, "; "))
}
