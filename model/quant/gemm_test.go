package quant

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
)

// gemmOps are the three products, with the shape of A and B for C m×n.
var gemmOps = []struct {
	name  string
	run   func(g *Gemm, c, a, b Dense, acc bool)
	aDims func(m, k int) (int, int)
	bDims func(n, k int) (int, int)
	elemA func(a Dense, i, p int) float32
	elemB func(b Dense, p, j int) float32
}{
	{name: "NT", run: (*Gemm).NT,
		aDims: func(m, k int) (int, int) { return m, k }, bDims: func(n, k int) (int, int) { return n, k },
		elemA: func(a Dense, i, p int) float32 { return a.Data[i*a.Stride+p] },
		elemB: func(b Dense, p, j int) float32 { return b.Data[j*b.Stride+p] }},
	{name: "NN", run: (*Gemm).NN,
		aDims: func(m, k int) (int, int) { return m, k }, bDims: func(n, k int) (int, int) { return k, n },
		elemA: func(a Dense, i, p int) float32 { return a.Data[i*a.Stride+p] },
		elemB: func(b Dense, p, j int) float32 { return b.Data[p*b.Stride+j] }},
	{name: "TN", run: (*Gemm).TN,
		aDims: func(m, k int) (int, int) { return k, m }, bDims: func(n, k int) (int, int) { return k, n },
		elemA: func(a Dense, i, p int) float32 { return a.Data[p*a.Stride+i] },
		elemB: func(b Dense, p, j int) float32 { return b.Data[p*b.Stride+j] }},
}

// gemmShapes (m, n, k) are mostly not multiples of any tile, and cross the
// kc, mc and nc block edges and the parallel threshold.
var gemmShapes = [][3]int{
	{1, 1, 1}, {1, 17, 3}, {3, 1, 64}, {3, 17, 5}, {17, 3, 64}, {6, 16, 256}, {7, 33, 257},
	{64, 64, 64}, {129, 352, 17}, {352, 129, 300}, {13, 1030, 3}, {1100, 20, 33}, {200, 131, 600},
	{2, 5, 0},
}

// randDense is a rows×cols matrix inside a buffer whose stride is pad
// larger, the padding filled with a sentinel to catch stray writes.
func randDense(r *rand.Rand, rows, cols, pad int) Dense {
	d := Dense{Data: make([]float32, rows*(cols+pad)), Rows: rows, Cols: cols, Stride: cols + pad}
	for i := range d.Data {
		if i%d.Stride < cols {
			d.Data[i] = float32(r.NormFloat64())
		} else {
			d.Data[i] = 12345
		}
	}
	return d
}

// TestGemm checks every product against a float64 reference, storing and
// accumulating, on each micro-kernel this CPU runs (so both the assembly and
// the portable one on amd64), on 1 to 3 threads, with contiguous and
// strided operands. It also checks that the result is bit-identical on any
// number of threads, which the trainer's reproducibility relies on.
func TestGemm(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, kern := range gemmKernels() {
		gs := map[int]*Gemm{}
		for _, th := range []int{1, 2, 3} {
			gs[th] = newGemm(th, kern)
		}
		for _, op := range gemmOps {
			for _, sh := range gemmShapes {
				if raceEnabled && sh[0]*sh[1]*sh[2] > 1<<20 {
					continue // the race detector slows the reference loop tenfold; smaller shapes cover the same edges
				}
				m, n, k := sh[0], sh[1], sh[2]
				for _, pad := range []int{0, 3} {
					ar, ac := op.aDims(m, k)
					br, bc := op.bDims(n, k)
					a, b := randDense(r, ar, ac, pad), randDense(r, br, bc, pad)
					c0 := randDense(r, m, n, pad)
					for _, acc := range []bool{false, true} {
						name := fmt.Sprintf("%s/%s/%dx%dx%d/pad%d/acc=%v", kern.name, op.name, m, n, k, pad, acc)
						// The float64 reference and its tolerance, once for all thread counts.
						want := make([]float64, m*n)
						tol := make([]float64, m*n)
						for i := 0; i < m; i++ {
							for j := 0; j < n; j++ {
								var w, abs float64
								if acc {
									w = float64(c0.Data[i*c0.Stride+j])
									abs = math.Abs(w)
								}
								for p := 0; p < k; p++ {
									x := float64(op.elemA(a, i, p)) * float64(op.elemB(b, p, j))
									w += x
									abs += math.Abs(x)
								}
								want[i*n+j], tol[i*n+j] = w, float64(k+2)*0x1p-24*abs
							}
						}
						var first []float32
						for _, th := range []int{1, 2, 3} {
							c := Dense{Data: append([]float32(nil), c0.Data...), Rows: m, Cols: n, Stride: c0.Stride}
							op.run(gs[th], c, a, b, acc)
							for i := 0; i < m; i++ {
								for j := 0; j < c.Stride; j++ {
									got := c.Data[i*c.Stride+j]
									if j >= n {
										if got != 12345 {
											t.Fatalf("%s: wrote padding C[%d,%d]", name, i, j)
										}
										continue
									}
									if w := want[i*n+j]; math.Abs(float64(got)-w) > tol[i*n+j] {
										t.Fatalf("%s threads %d: C[%d,%d] = %v, want %v (tolerance %.2g)", name, th, i, j, got, w, tol[i*n+j])
									}
								}
							}
							if first == nil {
								first = c.Data
							} else if !equalBits(first, c.Data) {
								t.Fatalf("%s: result on %d threads differs from 1 thread", name, th)
							}
						}
					}
				}
			}
		}
	}
}

func equalBits(a, b []float32) bool {
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return false
		}
	}
	return len(a) == len(b)
}

// TestGemmSlice checks windows of a matrix, which the trainer's attention
// uses for one head's columns.
func TestGemmSlice(t *testing.T) {
	d := DenseOf(make([]float32, 5*7), 5, 7)
	for i := range d.Data {
		d.Data[i] = float32(i)
	}
	s := d.Slice(1, 4, 2, 5)
	if s.Rows != 3 || s.Cols != 3 || s.Stride != 7 || s.Data[0] != 9 || s.Data[2*7+2] != 25 || len(s.Data) != 2*7+3 {
		t.Fatalf("Slice = %+v", s)
	}
	if e := d.Slice(2, 2, 0, 7); e.Rows != 0 || len(e.Data) != 0 {
		t.Fatalf("empty Slice = %+v", e)
	}
	defer func() {
		if recover() == nil {
			t.Fatal("a product with mismatched shapes did not panic")
		}
	}()
	NewGemm(1).NT(DenseOf(make([]float32, 4), 2, 2), DenseOf(make([]float32, 6), 2, 3), DenseOf(make([]float32, 4), 2, 2), false)
}

// TestGemmAllocs: after the first product of a shape, products allocate
// nothing, on one thread or several.
func TestGemmAllocs(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	m, n, k := 300, 200, 300
	a, b, c := randDense(r, m, k, 0), randDense(r, n, k, 0), randDense(r, m, n, 0)
	bt := randDense(r, k, n, 0)
	at := randDense(r, k, m, 0)
	for _, th := range []int{1, 2} {
		g := NewGemm(th)
		run := func() {
			g.NT(c, a, b, false)
			g.NN(c, a, bt, true)
			g.TN(c, at, bt, true)
		}
		run()
		if allocs := testing.AllocsPerRun(5, run); allocs != 0 {
			t.Errorf("%d threads: %v allocations per run", th, allocs)
		}
	}
}

// BenchmarkGemm measures the trainer's products for the default model (dim
// 128, ff 352, vocab 8192, 2048 tokens per batch) in GFLOP/s; run with
// -cpu 1,2 for the thread scaling.
func BenchmarkGemm(b *testing.B) {
	const N = 2048
	shapes := []struct {
		name    string
		m, n, k int
		op      int // index into gemmOps
	}{
		{"fwd-qkvo", N, 128, 128, 0},
		{"fwd-ffn", N, 352, 128, 0},
		{"fwd-down", N, 128, 352, 0},
		{"fwd-logits", N, 8192, 128, 0},
		{"dx-qkvo", N, 128, 128, 1},
		{"dx-ffn", N, 128, 352, 1},
		{"dx-logits", N, 128, 8192, 1},
		{"dw-qkvo", 128, 128, N, 2},
		{"dw-ffn", 352, 128, N, 2},
		{"dw-logits", 8192, 128, N, 2},
	}
	r := rand.New(rand.NewPCG(5, 6))
	for _, kern := range gemmKernels() {
		for _, sh := range shapes {
			op := gemmOps[sh.op]
			ar, ac := op.aDims(sh.m, sh.k)
			br, bc := op.bDims(sh.n, sh.k)
			a, bm, c := randDense(r, ar, ac, 0), randDense(r, br, bc, 0), randDense(r, sh.m, sh.n, 0)
			b.Run(kern.name+"/"+sh.name, func(b *testing.B) {
				g := newGemm(runtime.GOMAXPROCS(0), kern)
				for b.Loop() {
					op.run(g, c, a, bm, true)
				}
				b.ReportMetric(2*float64(sh.m*sh.n*sh.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}
