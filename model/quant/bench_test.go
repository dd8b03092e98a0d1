package quant

import (
	"fmt"
	"math/rand/v2"
	"syscall"
	"testing"
	"time"

	"github.com/weft-dev/weft/model/gguf"
)

// BenchmarkMatMul measures matrix-vector (n=1, decode) and n=8 (prefill)
// products at Qwen2.5-0.5B shapes with the default thread count. GB/s counts
// the weight bytes streamed per call.
func BenchmarkMatMul(b *testing.B) { benchMatMul(b, 0) }

// BenchmarkMatMul1 is BenchmarkMatMul on one thread: the kernels' own speed,
// less sensitive to other load on the machine.
func BenchmarkMatMul1(b *testing.B) { benchMatMul(b, 1) }

func benchMatMul(b *testing.B, threads int) {
	shapes := [][2]int{{128, 896}, {896, 896}, {4864, 896}, {896, 4864}}
	types := []gguf.Type{gguf.TypeQ8_0, gguf.TypeQ4_0, gguf.TypeQ4_1, gguf.TypeQ5_0, gguf.TypeQ5_1, gguf.TypeIQ4_NL,
		gguf.TypeQ2_K, gguf.TypeQ3_K, gguf.TypeQ4_K, gguf.TypeQ5_K, gguf.TypeQ6_K, gguf.TypeIQ4_XS, gguf.TypeF16, gguf.TypeBF16, gguf.TypeF32}
	p := NewPool(threads)
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
					cpu0 := cpuTime()
					for b.Loop() {
						p.MatMul(y, &m, x, n)
					}
					sec := b.Elapsed().Seconds() / float64(b.N)
					b.ReportMetric(float64(len(m.Data))/sec/1e9, "GB/s")
					b.ReportMetric(float64(2*rows*cols*n)/sec/1e9, "GFLOP/s")
					// Process CPU time per call: on a loaded machine this
					// tracks the kernels' cost better than wall time.
					b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N)*1e6, "cpu-us/op")
				})
			}
		}
	}
}

// cpuTime is the user+system CPU time of the process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkPoolRun measures the cost of one parallel dispatch with trivial
// tasks: the floor under every MatMul.
func BenchmarkPoolRun(b *testing.B) {
	p := NewPool(0)
	defer p.Close()
	var sink [64]int64
	fn := func(i int) { sink[i&63]++ }
	b.ReportAllocs()
	for b.Loop() {
		p.Run(2*p.Threads(), fn)
	}
}

// BenchmarkMatMulLarge is the output projection of Qwen2.5-0.5B (151936x896,
// 77-272 MB): larger than every cache, so it measures how fast the kernels
// stream weights from memory, on one thread and on all.
func BenchmarkMatMulLarge(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	const rows, cols = 151936, 896
	for _, typ := range []gguf.Type{gguf.TypeQ8_0, gguf.TypeQ4_0, gguf.TypeF16} {
		m, _ := randMatrix(b, r, typ, rows, cols)
		x := randFloats(r, cols, 1)
		y := make([]float32, rows)
		for _, threads := range []int{1, 0} {
			p := NewPool(threads)
			b.Run(fmt.Sprintf("%v/threads=%d", typ, p.Threads()), func(b *testing.B) {
				b.ReportAllocs()
				cpu0 := cpuTime()
				for b.Loop() {
					p.MatMul(y, &m, x, 1)
				}
				sec := b.Elapsed().Seconds() / float64(b.N)
				b.ReportMetric(float64(len(m.Data))/sec/1e9, "GB/s")
				b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N)*1e6, "cpu-us/op")
			})
			p.Close()
		}
	}
}
