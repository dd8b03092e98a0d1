//go:build amd64 && !purego

package quant

import (
	"math/rand/v2"
	"testing"

	"github.com/weft-dev/weft/model/gguf"
)

// ggmlDotF16 is ggml_vec_dot_f16 of llama.cpp c392e50 as compiled for
// AVX-512 (GGML_F16_STEP 64, GGML_F16_EPR 16), written out in Go: four
// 16-lane partial sums over each 64 columns, GGML_F32Cx16_REDUCE, GCC's
// _mm512_reduce_add_ps, then the leftover columns in float64.
func ggmlDotF16(w, x []float32) float32 {
	var sum [4][16]float32
	np := len(w) &^ 63
	for i := 0; i < np; i += 64 {
		for j := range sum {
			for l := range sum[j] {
				k := i + 16*j + l
				sum[j][l] += w[k] * roundFP16(x[k])
			}
		}
	}
	for l := range 16 {
		sum[0][l] += sum[2][l]
		sum[1][l] += sum[3][l]
		sum[0][l] += sum[1][l]
	}
	var t3 [8]float32
	for l := range t3 {
		t3[l] = sum[0][l+8] + sum[0][l]
	}
	var t6 [4]float32
	for l := range t6 {
		t6[l] = t3[l+4] + t3[l]
	}
	s := float64((t6[0] + t6[2]) + (t6[1] + t6[3]))
	for k := np; k < len(w); k++ {
		s += float64(w[k] * roundFP16(x[k]))
	}
	return float32(s)
}

// TestF16RowsGGML checks the one-token F16 product (a few tokens, as
// decoding and batched sampling run it) against ggml_vec_dot_f16's order bit
// for bit, for even and odd row counts, columns with and without leftovers
// past the last 64, and row ranges as the pool splits them.
func TestF16RowsGGML(t *testing.T) {
	if !hasAVX512F {
		t.Skip("no AVX-512: the one-token F16 products keep their AVX2 order")
	}
	r := rand.New(rand.NewPCG(5, 6))
	for _, sh := range [][2]int{{1, 64}, {7, 128}, {8, 100}, {33, 896}, {9, 1000}, {16, 4864}} {
		rows, cols := sh[0], sh[1]
		m, deq := randMatrix(t, r, gguf.TypeF16, rows, cols)
		for _, n := range []int{1, 2, 5} {
			x := randFloats(r, n*cols, 1)
			mm := quantizedJob(&m, x, n)
			y := make([]float32, n*rows+1)
			y[n*rows] = 42
			for r0 := 0; r0 < rows; r0 += 3 {
				if !matF16Asm(&m, &mm.a, r0, min(r0+3, rows), n, y) {
					t.Fatalf("%dx%d n=%d: not run", rows, cols, n)
				}
			}
			if y[n*rows] != 42 {
				t.Fatalf("%dx%d n=%d: wrote past the output", rows, cols, n)
			}
			for tok := range n {
				for row := range rows {
					want := ggmlDotF16(deq[row*cols:(row+1)*cols], x[tok*cols:(tok+1)*cols])
					if got := y[tok*rows+row]; got != want {
						t.Fatalf("%dx%d n=%d token %d row %d: %v, ggml's order gives %v", rows, cols, n, tok, row, got, want)
					}
				}
			}
		}
	}
}
