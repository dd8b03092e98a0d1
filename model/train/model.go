package train

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// ModelConfig is the shape of the llama-architecture decoder the trainer builds.
// It maps one-to-one onto the llama.* GGUF keys the engine reads.
type ModelConfig struct {
	Vocab    int     // tokens in the vocabulary (rows of token_embd)
	Dim      int     // embedding width (llama.embedding_length)
	Layers   int     // transformer blocks (llama.block_count)
	Heads    int     // query heads (llama.attention.head_count)
	KVHeads  int     // key/value heads; < Heads is grouped-query attention
	FF       int     // SwiGLU hidden width (llama.feed_forward_length)
	Ctx      int     // training context length (llama.context_length)
	RopeBase float32 // llama.rope.freq_base
	NormEps  float32 // llama.attention.layer_norm_rms_epsilon
}

// HeadDim is the width of one attention head.
func (c ModelConfig) HeadDim() int { return c.Dim / c.Heads }

// Validate reports a shape the trainer or the engine cannot handle.
func (c ModelConfig) Validate() error {
	switch {
	case c.Vocab <= 0 || c.Dim <= 0 || c.Layers <= 0 || c.Heads <= 0 || c.KVHeads <= 0 || c.FF <= 0 || c.Ctx <= 0:
		return fmt.Errorf("train: model config %+v: every size must be positive", c)
	case c.Dim%c.Heads != 0:
		return fmt.Errorf("train: dim %d is not a multiple of heads %d", c.Dim, c.Heads)
	case c.Heads%c.KVHeads != 0:
		return fmt.Errorf("train: heads %d is not a multiple of kv heads %d", c.Heads, c.KVHeads)
	case c.HeadDim()%2 != 0:
		return fmt.Errorf("train: head dim %d must be even for RoPE", c.HeadDim())
	case c.RopeBase <= 0 || c.NormEps <= 0:
		return fmt.Errorf("train: rope base %g and norm eps %g must be positive", c.RopeBase, c.NormEps)
	}
	return nil
}

// tensor is one named parameter inside the flat parameter slab. Rows×Cols is
// row-major with Cols the input width, which is also ggml's layout (ne[0] = Cols),
// so export writes the slab slices as they are.
type tensor struct {
	Name       string
	Rows, Cols int // Rows == 1 for vectors
	Off        int // offset into the slab
	Decay      bool
}

func (t tensor) size() int { return t.Rows * t.Cols }

// layerParams holds the slab offsets of one transformer block.
type layerParams struct {
	attnNorm, wq, wk, wv, wo, ffnNorm, wGate, wUp, wDown tensor
}

// Model holds the weights of the decoder in one flat slab (so that AdamW,
// clipping and checkpoints are plain loops over a slice) plus its gradients.
type Model struct {
	Cfg     ModelConfig
	Params  []float32
	Grads   []float32
	Tensors []tensor // in GGUF order
	embd    tensor
	layers  []layerParams
	outNorm tensor
}

// NewModel lays out the parameters of cfg; the weights are zero until Init.
func NewModel(cfg ModelConfig) (*Model, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	m := &Model{Cfg: cfg}
	off := 0
	add := func(name string, rows, cols int, decay bool) tensor {
		t := tensor{Name: name, Rows: rows, Cols: cols, Off: off, Decay: decay}
		off += t.size()
		m.Tensors = append(m.Tensors, t)
		return t
	}
	d, kv := cfg.Dim, cfg.KVHeads*cfg.HeadDim()
	m.embd = add("token_embd.weight", cfg.Vocab, d, true)
	for l := 0; l < cfg.Layers; l++ {
		p := func(s string) string { return fmt.Sprintf("blk.%d.%s.weight", l, s) }
		var lp layerParams
		lp.attnNorm = add(p("attn_norm"), 1, d, false)
		lp.wq = add(p("attn_q"), d, d, true)
		lp.wk = add(p("attn_k"), kv, d, true)
		lp.wv = add(p("attn_v"), kv, d, true)
		lp.wo = add(p("attn_output"), d, d, true)
		lp.ffnNorm = add(p("ffn_norm"), 1, d, false)
		lp.wGate = add(p("ffn_gate"), cfg.FF, d, true)
		lp.wUp = add(p("ffn_up"), cfg.FF, d, true)
		lp.wDown = add(p("ffn_down"), d, cfg.FF, true)
		m.layers = append(m.layers, lp)
	}
	m.outNorm = add("output_norm.weight", 1, d, false)
	m.Params = make([]float32, off)
	m.Grads = make([]float32, off)
	return m, nil
}

// NumParams is the number of trained parameters (the output projection is tied
// to token_embd and counted once).
func (m *Model) NumParams() int { return len(m.Params) }

func (m *Model) w(t tensor) []float32 { return m.Params[t.Off : t.Off+t.size()] }
func (m *Model) g(t tensor) []float32 { return m.Grads[t.Off : t.Off+t.size()] }

// Init draws the weights GPT-2 style: N(0, 0.02), with the projections that
// write into the residual stream scaled by 1/sqrt(2·layers) so the stream's
// variance does not grow with depth; norm gains start at 1.
func (m *Model) Init(seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	resid := 0.02 / math.Sqrt(2*float64(m.Cfg.Layers))
	for _, t := range m.Tensors {
		w := m.w(t)
		if !t.Decay { // norms
			for i := range w {
				w[i] = 1
			}
			continue
		}
		std := 0.02
		if len(t.Name) > 0 && (hasSuffix(t.Name, "attn_output.weight") || hasSuffix(t.Name, "ffn_down.weight")) {
			std = resid
		}
		for i := range w {
			w[i] = float32(rng.NormFloat64() * std)
		}
	}
}

func hasSuffix(s, suf string) bool { return len(s) >= len(suf) && s[len(s)-len(suf):] == suf }

// ZeroGrads clears the gradient slab before a backward pass.
func (m *Model) ZeroGrads() { clear(m.Grads) }
