package train

import (
	"math/rand/v2"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/weft-dev/weft/model/quant"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// cpuTime is the user+system CPU time of the process so far. The machines
// these benchmarks run on are often shared, so wall time alone says little;
// CPU time per operation shows the work done.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// defaultModelConfig is the shape of the embedded model (docs/MODEL.md):
// the configuration training time matters for.
func defaultModelConfig() ModelConfig {
	return ModelConfig{Vocab: 8192, Dim: 128, Layers: 4, Heads: 4, KVHeads: 4, FF: 352, Ctx: 256, RopeBase: 10000, NormEps: 1e-5}
}

// BenchmarkTrainStep times one optimizer step (forward, backward, AdamW) of
// the default model at batch 8 and reports training tokens per second. Run
// with -cpu 1,2 to see the thread scaling.
func BenchmarkTrainStep(b *testing.B) {
	cfg := defaultModelConfig()
	m, err := NewModel(cfg)
	if err != nil {
		b.Fatal(err)
	}
	m.Init(1)
	h := Config{}.Defaults().hyper()
	rng := rand.New(rand.NewPCG(1, 1))
	data := randTokens(rng, 4*h.Batch*(cfg.Ctx+1), cfg.Vocab)
	tr, err := newTrainer(m, h, data, 0, 0)
	if err != nil {
		b.Fatal(err)
	}
	tr.trainStep() // warm up caches and page in the activations
	cpu0 := cpuTime()
	for b.Loop() {
		tr.trainStep()
	}
	b.ReportMetric(float64(b.N*h.Batch*cfg.Ctx)/b.Elapsed().Seconds(), "tok/s")
	b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
}

// BenchmarkMatmul compares the trainer's products at the default model's
// shapes (2048 tokens per batch) on gonum's SGEMM, which the trainer used
// before, and quant.Gemm, in GFLOP/s. The names give m×n×k of C = A·B.
func BenchmarkMatmul(b *testing.B) {
	const N = 2048
	shapes := []struct {
		name    string
		m, n, k int
		ta, tb  bool
	}{
		{"fwd-qkvo/NT", N, 128, 128, false, true},
		{"fwd-ffn/NT", N, 352, 128, false, true},
		{"fwd-down/NT", N, 128, 352, false, true},
		{"fwd-logits/NT", N, 8192, 128, false, true},
		{"dx-ffn/NN", N, 128, 352, false, false},
		{"dx-logits/NN", N, 128, 8192, false, false},
		{"dw-qkvo/TN", 128, 128, N, true, false},
		{"dw-ffn/TN", 352, 128, N, true, false},
		{"dw-logits/TN", 8192, 128, N, true, false},
	}
	rng := rand.New(rand.NewPCG(3, 3))
	randf := func(n int) []float32 {
		s := make([]float32, n)
		for i := range s {
			s[i] = float32(rng.NormFloat64())
		}
		return s
	}
	for _, sh := range shapes {
		a, bm, c := randf(sh.m*sh.k), randf(sh.k*sh.n), randf(sh.m*sh.n)
		// Row-major operands as stored: A is m×k or (ta) k×m, B is k×n or (tb) n×k.
		ar, ac, br, bc := sh.m, sh.k, sh.k, sh.n
		if sh.ta {
			ar, ac = sh.k, sh.m
		}
		if sh.tb {
			br, bc = sh.n, sh.k
		}
		flops := 2 * float64(sh.m*sh.n*sh.k)
		report := func(b *testing.B) {
			b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		}
		b.Run(sh.name+"/gonum", func(b *testing.B) {
			ta, tb := blas.NoTrans, blas.NoTrans
			if sh.ta {
				ta = blas.Trans
			}
			if sh.tb {
				tb = blas.Trans
			}
			for b.Loop() {
				blas32.Gemm(ta, tb, 1, gen(ar, ac, a), gen(br, bc, bm), 1, gen(sh.m, sh.n, c))
			}
			report(b)
		})
		b.Run(sh.name+"/quant", func(b *testing.B) {
			g := quant.NewGemm(runtime.GOMAXPROCS(0))
			A, B, C := quant.DenseOf(a, ar, ac), quant.DenseOf(bm, br, bc), quant.DenseOf(c, sh.m, sh.n)
			for b.Loop() {
				switch {
				case sh.tb:
					g.NT(C, A, B, true)
				case sh.ta:
					g.TN(C, A, B, true)
				default:
					g.NN(C, A, B, true)
				}
			}
			report(b)
		})
	}
}

func gen(rows, cols int, data []float32) blas32.General {
	return blas32.General{Rows: rows, Cols: cols, Stride: cols, Data: data[:rows*cols]}
}
