package quant

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/weft-dev/weft/model/gguf"
)

// tileProduct runs rows [r0, r1) of an F16/BF16 product of n tokens on the
// tile kernels of level lv, in row ranges of step rows as the pool splits
// them, and returns y (with a sentinel past its end).
func tileProduct(t *testing.T, m *Matrix, x []float32, n, step int, lv tileLevel) []float32 {
	t.Helper()
	mm := quantizedJob(m, x, n)
	y := make([]float32, n*m.Rows+1)
	y[n*m.Rows] = 42
	for r0 := 0; r0 < m.Rows; r0 += step {
		r1 := min(r0+step, m.Rows)
		if !matTiles(m, &mm.a, r0, r1, n, y, lv) {
			t.Fatalf("%v %dx%d n=%d: not a tiled product", m.Type, m.Rows, m.Cols, n)
		}
	}
	if y[n*m.Rows] != 42 {
		t.Fatalf("%v: wrote past the output", m.Type)
	}
	return y[:n*m.Rows]
}

// seqDot is the order of gemm16.go written out plainly: the activations
// rounded to the weight type, then one float32 sum along the row (for BF16
// the odd column of each pair first).
func seqDot(typ gguf.Type, w []float32, x []float32) float32 {
	var s float32
	if typ == gguf.TypeF16 {
		for k := range w {
			s += w[k] * roundFP16(x[k])
		}
		return s
	}
	for k := 0; k < len(w); k += 2 {
		s += w[k+1] * BF16ToFP32(FP32ToBF16(x[k+1]))
		s += w[k] * BF16ToFP32(FP32ToBF16(x[k]))
	}
	return s
}

// TestTiles16 checks every tile kernel this CPU runs against the plainly
// written order (bit for bit: the products are exact in float32, so the
// sums must be too) and against a float64 dot within the error bound of a
// float32 sum of cols terms (cols·2^-24·Σ|w·x|), for shapes whose row
// ranges end inside a tile, token counts that fill panels partly, and
// whole four-panel groups.
func TestTiles16(t *testing.T) {
	t.Logf("tile kernels here: F16 %v, BF16 %v (0 portable, 1 AVX2, 2 AVX-512)", tileLevels(gguf.TypeF16), tileLevels(gguf.TypeBF16))
	r := rand.New(rand.NewPCG(21, 22))
	for _, typ := range []gguf.Type{gguf.TypeF16, gguf.TypeBF16} {
		for _, shape := range [][2]int{{8, 16}, {13, 96}, {30, 896}} {
			rows, cols := shape[0], shape[1]
			m, deq := randMatrix(t, r, typ, rows, cols)
			for _, n := range []int{8, 15, 16, 17, 40, 64, 70} {
				x := randFloats(r, n*cols, 1)
				if n == 17 {
					clear(x[3*cols : 4*cols]) // an all-zero token
				}
				for _, lv := range tileLevels(typ) {
					for _, step := range []int{4, rows} {
						name := fmt.Sprintf("%v %dx%d n=%d level=%d step=%d", typ, rows, cols, n, lv, step)
						y := tileProduct(t, &m, x, n, step, lv)
						for tok := 0; tok < n; tok++ {
							xt := x[tok*cols : (tok+1)*cols]
							for row := 0; row < rows; row++ {
								got := y[tok*rows+row]
								wr := deq[row*cols : (row+1)*cols]
								if want := seqDot(typ, wr, xt); math.Float32bits(got) != math.Float32bits(want) {
									t.Fatalf("%s: y[tok %d, row %d] = %.9g, the order of gemm16.go gives %.9g", name, tok, row, got, want)
								}
								var ref, mag float64
								for k := range wr {
									xr := float64(roundFP16(xt[k]))
									if typ == gguf.TypeBF16 {
										xr = float64(BF16ToFP32(FP32ToBF16(xt[k])))
									}
									ref += float64(wr[k]) * xr
									mag += math.Abs(float64(wr[k]) * xr)
								}
								if d := math.Abs(float64(got) - ref); d > float64(cols)*0x1p-24*mag {
									t.Fatalf("%s: y[tok %d, row %d] = %.9g, float64 %.9g: off by %g, bound %g", name, tok, row, got, ref, d, float64(cols)*0x1p-24*mag)
								}
							}
						}
					}
				}
			}
		}
	}
}

// TestTiles16Pool: Pool.MatMul takes the tile kernels for batches and gives
// what the portable tiles give, whatever the thread count.
func TestTiles16Pool(t *testing.T) {
	r := rand.New(rand.NewPCG(23, 24))
	for _, typ := range []gguf.Type{gguf.TypeF16, gguf.TypeBF16} {
		rows, cols, n := 50, 128, 37
		m, _ := randMatrix(t, r, typ, rows, cols)
		x := randFloats(r, n*cols, 1)
		want := tileProduct(t, &m, x, n, rows, tileGo)
		for th := 1; th <= 3; th++ {
			p := NewPool(th)
			y := make([]float32, n*rows)
			p.MatMul(y, &m, x, n)
			p.Close()
			for i := range y {
				if math.Float32bits(y[i]) != math.Float32bits(want[i]) {
					t.Fatalf("%v threads=%d: y[%d] = %.9g, portable tiles %.9g", typ, th, i, y[i], want[i])
				}
			}
		}
	}
}

// BenchmarkTiles16 times a batch of 64 tokens through a 896x896 and a
// 4864x896 matrix (Qwen2.5-Coder-0.5B's shapes) on one thread, per kernel
// level.
func BenchmarkTiles16(b *testing.B) {
	r := rand.New(rand.NewPCG(25, 26))
	for _, typ := range []gguf.Type{gguf.TypeF16, gguf.TypeBF16} {
		for _, rows := range []int{896, 4864} {
			cols, n := 896, 64
			m, _ := randMatrix(b, r, typ, rows, cols)
			x := randFloats(r, n*cols, 1)
			mm := quantizedJob(&m, x, n)
			y := make([]float32, n*rows)
			for _, lv := range tileLevels(typ) {
				b.Run(fmt.Sprintf("%v/%dx%d/level=%d", typ, rows, cols, lv), func(b *testing.B) {
					for b.Loop() {
						matTiles(&m, &mm.a, 0, rows, n, y, lv)
					}
					b.ReportMetric(float64(2*rows*cols*n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
				})
			}
			b.Run(fmt.Sprintf("%v/%dx%d/rows", typ, rows, cols), func(b *testing.B) {
				mm := quantizedJob(&m, x, 4) // below tiledMin: the one-token kernels, 4 tokens at a time
				for b.Loop() {
					for t := 0; t < n; t += 4 {
						matRows(&m, &mm.a, 0, rows, 4, y)
					}
				}
				b.ReportMetric(float64(2*rows*cols*n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}
