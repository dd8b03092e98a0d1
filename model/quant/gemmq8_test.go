//go:build amd64 && !purego

package quant

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/weft-dev/weft/model/gguf"
)

// TestTilesQ8 checks the int8-weight tile kernels against the portable
// products (ggml's order, block by block) bit for bit, for shapes whose row
// ranges end inside a tile and token counts that fill panels partly.
func TestTilesQ8(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 32))
	tested, records := 0, 0
	defer func() {
		if !t.Failed() && !t.Skipped() && (tested == 0 || records == 0) {
			t.Errorf("%d products ran on the tiles, %d of them on IQ4_NL records", tested, records)
		}
	}()
	for _, typ := range []gguf.Type{gguf.TypeQ8_0, gguf.TypeQ5_0, gguf.TypeIQ4_NL, gguf.TypeQ4_0} {
		for _, shape := range [][2]int{{3, 64}, {13, 96}, {5, 128}, {30, 896}} {
			rows, cols := shape[0], shape[1]
			m, _ := randMatrix(t, r, typ, rows, cols)
			for _, n := range []int{16, 17, 33, 40, 64, 70, 100} {
				if !hasZMM {
					t.Skip("no Q8 tile kernels here (AVX-512 VNNI)")
				}
				if !tiledQ8(&m, n) {
					continue // Q5_0 in the compact layout: not for tiles
				}
				tested++
				x := randFloats(r, n*cols, 1)
				if n == 17 {
					clear(x[3*cols : 4*cols]) // an all-zero token
				}
				mm := quantizedJob(&m, x, n)
				ref := m // the portable product reads the widened int8 layout
				if m.nibz {
					records++
					ref.nibz = false
					ref.repackInt8()
				}
				want := make([]float32, n*rows)
				kernelOf(typ).mat(&ref, &mm.a, 0, rows, n, want)
				for _, step := range []int{4, rows} {
					y := make([]float32, n*rows+1)
					y[n*rows] = 42
					for r0 := 0; r0 < rows; r0 += step {
						matQ8Tiles(&m, &mm.a, r0, min(r0+step, rows), n, y)
					}
					if y[n*rows] != 42 {
						t.Fatalf("%v: wrote past the output", typ)
					}
					for i := range want {
						if math.Float32bits(y[i]) != math.Float32bits(want[i]) {
							t.Fatalf("%v %dx%d n=%d step=%d: y[tok %d, row %d] = %.9g, portable %.9g",
								typ, rows, cols, n, step, i/rows, i%rows, y[i], want[i])
						}
					}
				}
			}
		}
	}
}

// BenchmarkTilesQ8 times a batch of 64 tokens through Qwen2.5-Coder-0.5B's
// 896x896 and 4864x896 shapes on one thread: the tile kernels, and the
// four-token kernels they replace.
func BenchmarkTilesQ8(b *testing.B) {
	r := rand.New(rand.NewPCG(33, 34))
	for _, c := range []struct {
		typ  gguf.Type
		rows int
	}{{gguf.TypeQ8_0, 896}, {gguf.TypeQ8_0, 4864}, {gguf.TypeQ4_0, 896}, {gguf.TypeQ4_0, 4864},
		{gguf.TypeIQ4_NL, 896}, {gguf.TypeIQ4_NL, 4864}} {
		rows, cols, n := c.rows, 896, 64
		m, _ := randMatrix(b, r, c.typ, rows, cols)
		x := randFloats(r, n*cols, 1)
		mm := quantizedJob(&m, x, n)
		y := make([]float32, n*rows)
		for _, tiles := range []bool{false, true} {
			b.Run(fmt.Sprintf("%v/%dx%d/tiles=%v", c.typ, rows, cols, tiles), func(b *testing.B) {
				for b.Loop() {
					switch {
					case tiles:
						matQ8Tiles(&m, &mm.a, 0, rows, n, y)
					case c.typ == gguf.TypeQ4_0:
						matQ4_0Asm(&m, &mm.a, 0, rows, n, y)
					case c.typ == gguf.TypeIQ4_NL:
						matQ5_0Asm(&m, &mm.a, 0, rows, n, y)
					default:
						matQ8_0Asm(&m, &mm.a, 0, rows, n, y)
					}
				}
				b.ReportMetric(float64(2*rows*cols*n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GOP/s")
			})
		}
	}
}
