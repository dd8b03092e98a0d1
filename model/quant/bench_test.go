package quant

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/weft-dev/weft/model/gguf"
)

// BenchmarkMatMul measures matrix-vector (n=1, decode) and n=8 (prefill)
// products at Qwen2.5-0.5B shapes with the default thread count. GB/s counts
// the weight bytes streamed per call.
func BenchmarkMatMul(b *testing.B) {
	shapes := [][2]int{{896, 896}, {4864, 896}, {896, 4864}}
	types := []gguf.Type{gguf.TypeQ8_0, gguf.TypeQ4_0, gguf.TypeQ4_K, gguf.TypeQ6_K, gguf.TypeF16, gguf.TypeF32}
	p := NewPool(0)
	defer p.Close()
	r := rand.New(rand.NewPCG(1, 1))
	for _, typ := range types {
		for _, sh := range shapes {
			rows, cols := sh[0], sh[1]
			if cols%typ.BlockElems() != 0 {
				continue
			}
			m, _ := randMatrix(b, r, typ, rows, cols)
			for _, n := range []int{1, 8} {
				x := randFloats(r, n*cols, 1)
				y := make([]float32, n*rows)
				b.Run(fmt.Sprintf("%v/%dx%d/n=%d", typ, rows, cols, n), func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						p.MatMul(y, &m, x, n)
					}
					sec := b.Elapsed().Seconds() / float64(b.N)
					b.ReportMetric(float64(len(m.Data))/sec/1e9, "GB/s")
					b.ReportMetric(float64(2*rows*cols*n)/sec/1e9, "GFLOP/s")
				})
			}
		}
	}
}
