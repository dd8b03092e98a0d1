package train

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestThreadsIdentical trains a few steps on 1, 2 and 3 threads: the weights
// must come out bit for bit the same, which lets a run resume on a machine
// with another number of cores and keeps TestResumeExact meaningful. The
// shapes (T not a multiple of the attention block, N not a multiple of the
// GEMM tiles or of the row blocks) exercise every edge of the work split.
func TestThreadsIdentical(t *testing.T) {
	cfg := ModelConfig{Vocab: 300, Dim: 64, Layers: 2, Heads: 4, KVHeads: 2, FF: 96, Ctx: 70, RopeBase: 10000, NormEps: 1e-5}
	rng := rand.New(rand.NewPCG(11, 12))
	h := Hyper{Batch: 3, Steps: 3, LR: 1e-2, MinLRFrac: 0.1, Warmup: 1, WeightDecay: 0.1, Beta1: 0.9, Beta2: 0.95, Eps: 1e-8, Clip: 1, Seed: 1}
	data := randTokens(rng, 8*h.Batch*(cfg.Ctx+1), cfg.Vocab)
	var want []float32
	for _, threads := range []int{1, 2, 3} {
		m, _ := NewModel(cfg)
		m.Init(4)
		tr, err := newTrainer(m, h, data, 0, threads)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < h.Steps; i++ {
			tr.trainStep()
		}
		if want == nil {
			want = m.Params
			continue
		}
		for i, w := range m.Params {
			if math.Float32bits(w) != math.Float32bits(want[i]) {
				t.Fatalf("%d threads: weight %d is %v, on 1 thread %v", threads, i, w, want[i])
			}
		}
	}
}
