package train

import (
	"bytes"
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/weft-dev/weft/model"
	"github.com/weft-dev/weft/model/gguf"
)

// TestEngineParity exports a model as F32 and checks that weft's inference
// engine computes the same logits as the trainer's forward pass: the two
// share no code, so this pins the trainer's RoPE (ggml NORM mode), GQA head
// mapping, norms and tied output to what the engine runs for arch llama.
func TestEngineParity(t *testing.T) {
	text := sampleCode()
	v := trainSmallVocab(t, text, 256+6+50)
	cfg := ModelConfig{Vocab: len(v.Tokens), Dim: 64, Layers: 2, Heads: 4, KVHeads: 2, FF: 96, Ctx: 24, RopeBase: 10000, NormEps: 1e-5}
	m, err := NewModel(cfg)
	if err != nil {
		t.Fatal(err)
	}
	m.Init(9)
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tn := range m.Tensors { // sharpen weights so logits differ clearly between positions
		for i := range m.w(tn) {
			if tn.Decay {
				m.w(tn)[i] *= 8
			} else {
				m.w(tn)[i] = 1 + 0.2*float32(rng.NormFloat64())
			}
		}
	}
	w, err := Export(m, v, gguf.TypeF32, map[string]string{"name": "parity"})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	em, err := model.FromBytes(buf.Bytes(), model.Options{Threads: 1, Reference: true, KVType: gguf.TypeF32})
	if err != nil {
		t.Fatal(err)
	}
	defer em.Close()
	tokens := mustEncode(t, v, text)[:cfg.Ctx]
	got, err := em.NewSession(cfg.Ctx).EvalAll(context.Background(), tokens)
	if err != nil {
		t.Fatal(err)
	}
	a := newActs(cfg, 1, cfg.Ctx, 0)
	m.forward(a, tokens, nil)
	var maxDiff, maxAbs float64
	for i := range tokens {
		for j := 0; j < cfg.Vocab; j++ {
			want := float64(a.logits[i*cfg.Vocab+j])
			maxDiff = max(maxDiff, math.Abs(float64(got[i][j])-want))
			maxAbs = max(maxAbs, math.Abs(want))
		}
	}
	t.Logf("max |logit| %.3f, max engine-trainer difference %.2e", maxAbs, maxDiff)
	if maxDiff > 1e-3 {
		t.Fatalf("engine and trainer logits differ by %.3g (> 1e-3)", maxDiff)
	}
}
