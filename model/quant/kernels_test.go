package quant

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/weft-dev/weft/model/gguf"
)

// TestKernelsMatchPortable checks that the dispatched kernels (assembly where
// the CPU has it) agree with the portable Go kernels to float32 summation
// order, on every row length from one block up.
func TestKernelsMatchPortable(t *testing.T) {
	t.Logf("assembly kernels in use: %v; VNNI variants: %v", asmKernels(), len(kernelVariants()) > 1)
	r := rand.New(rand.NewPCG(13, 14))
	close := func(what string, got, want float32, mag float64) {
		t.Helper()
		if math.Abs(float64(got)-float64(want)) > 1e-6*mag+1e-30 {
			t.Fatalf("%s: got %.9g, portable %.9g (mag %g)", what, got, want, mag)
		}
	}
	for nb := 1; nb <= 12; nb++ {
		cols := nb * 32
		for _, typ := range []gguf.Type{gguf.TypeQ8_0, gguf.TypeQ4_0} {
			rows, n := 5, 6
			m, _ := randMatrix(t, r, typ, rows, cols)
			x := randFloats(r, n*cols, 1)
			mm := quantizedJob(&m, x, n)
			a := &mm.a
			for _, lvl := range kernelVariants() {
				y := make([]float32, n*rows)
				for r0 := 0; r0 < rows; r0 += 2 { // split in ranges as the pool does
					r1 := min(r0+2, rows)
					var ok bool
					if typ == gguf.TypeQ8_0 {
						ok = matQ8_0AsmV(&m, a, r0, r1, n, y, lvl)
					} else {
						ok = matQ4_0AsmV(&m, a, r0, r1, n, y, lvl)
					}
					if !ok { // no assembly for this shape or CPU: the portable path
						if typ == gguf.TypeQ8_0 {
							matQ8_0(&m, a, r0, r1, n, y)
						} else {
							matQ4_0(&m, a, r0, r1, n, y)
						}
					}
				}
				rb := q4RowBytes(cols)
				for tok := 0; tok < n; tok++ {
					for row := 0; row < rows; row++ {
						xq, xd := a.qs[tok*cols:(tok+1)*cols], a.d[tok*nb:(tok+1)*nb]
						rd := m.ds[row*nb : (row+1)*nb]
						var want float32
						var mag float64
						if typ == gguf.TypeQ8_0 {
							rq := int8s(m.qs)[row*cols : (row+1)*cols]
							want = dotQ8_0Go(rq, rd, xq, xd)
							for i := range rq {
								mag += math.Abs(float64(rq[i]) * float64(rd[i/32]) * float64(xq[i]) * float64(xd[i/32]))
							}
						} else {
							want = dotQ4_0Go(m.qs[row*rb:(row+1)*rb], rd, xq, xd)
							for i := range xq {
								mag += 8 * math.Abs(float64(rd[i/32])*float64(xq[i])*float64(xd[i/32]))
							}
						}
						close(typ.String(), y[tok*rows+row], want, mag)
					}
				}
			}
		}
	}
	for _, n := range []int{1, 7, 8, 9, 31, 32, 33, 100, 896} {
		a := randFloats(r, n, 1)
		b := randFloats(r, n, 1)
		h := make([]uint16, n)
		var mag float64
		for i := range a {
			h[i] = FP32ToFP16(a[i])
			mag += math.Abs(float64(a[i] * b[i]))
		}
		close("F32", dotF32(a, b), dotF32Go(a, b), mag)
		close("F16", dotF16(h, b), dotF16Go(h, b), mag)
		for i := range a {
			h[i] = FP32ToBF16(a[i])
		}
		close("BF16", dotBF16(h, b), dotBF16Go(h, b), mag)
	}
	for _, nsb := range []int{1, 2, 3} {
		cols := nsb * 256
		for _, typ := range []gguf.Type{gguf.TypeQ4_K, gguf.TypeQ5_K, gguf.TypeQ6_K} {
			rows, n := 5, 6
			m, deq := randMatrix(t, r, typ, rows, cols)
			x := randFloats(r, n*cols, 1)
			mm := quantizedJob(&m, x, n)
			a := &mm.a
			y := make([]float32, n*rows)
			for r0 := 0; r0 < rows; r0 += 2 {
				matRows(&m, a, r0, min(r0+2, rows), n, y)
			}
			rb := nsb * typ.BlockBytes()
			for tok := 0; tok < n; tok++ {
				xq, xd, bs := a.qs[tok*cols:(tok+1)*cols], a.d[tok*nsb:(tok+1)*nsb], a.bsum[tok*nsb*16:(tok+1)*nsb*16]
				for row := 0; row < rows; row++ {
					var want float32
					switch typ {
					case gguf.TypeQ4_K:
						want = dotQ4KGo(m.Data[row*rb:(row+1)*rb], xq, xd, bs)
					case gguf.TypeQ5_K:
						want = dotQ5KGo(m.Data[row*rb:(row+1)*rb], xq, xd, bs)
					default:
						want = dotQ6KGo(m.Data[row*rb:(row+1)*rb], xq, xd)
					}
					var mag float64
					for i := 0; i < cols; i++ {
						mag += math.Abs(float64(deq[row*cols+i]) * float64(xq[i]) * float64(xd[i/256]))
					}
					close(typ.String(), y[tok*rows+row], want, mag)
				}
			}
		}
	}
}

// BenchmarkKernelLevels runs each assembly kernel family this CPU has on the
// same product on one thread (8 tokens: the prefill kernels), side by side.
func BenchmarkKernelLevels(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 3))
	for _, typ := range []gguf.Type{gguf.TypeQ8_0, gguf.TypeQ4_0} {
		for _, shape := range [][2]int{{4864, 896}, {896, 4864}} {
			rows, cols, n := shape[0], shape[1], 8
			m, _ := randMatrix(b, r, typ, rows, cols)
			mm := quantizedJob(&m, randFloats(r, n*cols, 1), n)
			y := make([]float32, n*rows)
			for _, lvl := range kernelVariants() {
				b.Run(fmt.Sprintf("%v/%dx%d/level=%d", typ, rows, cols, lvl), func(b *testing.B) {
					for b.Loop() {
						if typ == gguf.TypeQ8_0 {
							matQ8_0AsmV(&m, &mm.a, 0, rows, n, y, lvl)
						} else {
							matQ4_0AsmV(&m, &mm.a, 0, rows, n, y, lvl)
						}
					}
					b.ReportMetric(2*float64(rows*cols*n)/b.Elapsed().Seconds()*float64(b.N)/1e9, "GFLOP/s")
				})
			}
		}
	}
}
