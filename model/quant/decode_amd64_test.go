//go:build amd64 && !purego

package quant

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/weft-dev/weft/model/gguf"
)

// TestNibZMatchesInt8 checks that the kernels on repackNibZ's compact quad
// records give bit for bit what the Q8_0 kernels give on repackInt8's
// widened layout of the same weights (the bytes they rebuild are the same),
// for single tokens and groups of four, and row ranges as the pool splits
// them.
func TestNibZMatchesInt8(t *testing.T) {
	if !hasZMM {
		t.Skip("no ZMM kernels on this CPU")
	}
	r := rand.New(rand.NewPCG(31, 32))
	for _, typ := range []gguf.Type{gguf.TypeQ5_0, gguf.TypeQ5_1, gguf.TypeIQ4_NL, gguf.TypeIQ4_XS} {
		for _, cols := range []int{128, 256, 896, 4864} {
			if cols%typ.BlockElems() != 0 {
				continue
			}
			for _, n := range []int{1, 3, 4, 6, 9} {
				rows := 7
				m, _ := randMatrix(t, r, typ, rows, cols)
				if !m.nibz {
					t.Fatalf("%v %d cols: not in the quad records", typ, cols)
				}
				wide := Matrix{Type: typ, Rows: rows, Cols: cols, Data: m.Data, ready: true}
				if typ == gguf.TypeIQ4_XS {
					wide.repackIQ4XS()
				} else {
					wide.repackInt8()
				}
				x := randFloats(r, n*cols, 1)
				mm := quantizedJob(&m, x, n)
				got := make([]float32, n*rows)
				want := make([]float32, n*rows)
				for r0 := 0; r0 < rows; r0 += 3 {
					r1 := min(r0+3, rows)
					matRows(&m, &mm.a, r0, r1, n, got)
					if !matQ8_0Asm(&wide, &mm.a, r0, r1, n, want) {
						t.Fatal("no Q8_0 assembly")
					}
					if typ == gguf.TypeQ5_1 {
						addMins(&wide, &mm.a, r0, r1, n, want)
					}
				}
				for i := range got {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
						t.Fatalf("%v %dx%d n=%d: y[%d] = %.9g, widened layout %.9g", typ, rows, cols, n, i, got[i], want[i])
					}
				}
			}
		}
	}
}

// TestQ4RowsZHMatchesZ checks that the single-token Q4_0/Q4_1 kernel on fp16
// scales and unshifted high nibbles (q4RowsZH, with xs4h/xk4h) gives bit for
// bit what the one on float scales and shifted nibbles (q4RowsZ) gives.
func TestQ4RowsZHMatchesZ(t *testing.T) {
	if !hasZMM {
		t.Skip("no ZMM kernels on this CPU")
	}
	r := rand.New(rand.NewPCG(33, 34))
	for _, typ := range []gguf.Type{gguf.TypeQ4_0, gguf.TypeQ4_1} {
		for _, cols := range []int{128, 896, 4864} {
			for _, n := range []int{1, 2, 3} {
				rows := 9
				m, _ := randMatrix(t, r, typ, rows, cols)
				if len(m.dh) == 0 {
					t.Fatalf("%v %d cols: no fp16 scales", typ, cols)
				}
				old := m
				old.dh = nil
				x := randFloats(r, n*cols, 1)
				x[0] = 0 // an all-but-zero first block
				mm := quantizedJob(&m, x, n)
				got := make([]float32, n*rows)
				want := make([]float32, n*rows)
				for r0 := 0; r0 < rows; r0 += 4 {
					r1 := min(r0+4, rows)
					matQ4_0AsmV(&m, &mm.a, r0, r1, n, got, levelZMM)
					matQ4_0AsmV(&old, &mm.a, r0, r1, n, want, levelZMM)
				}
				for i := range got {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
						t.Fatalf("%v %dx%d n=%d: y[%d] = %.9g, float-scale kernel %.9g", typ, rows, cols, n, i, got[i], want[i])
					}
				}
			}
		}
	}
}

// TestQ4KSingleMatchesBatched checks that the single-token Q4_K kernel and
// the four-token ones (VNNI and AVX2) give a token the same bits.
func TestQ4KSingleMatchesBatched(t *testing.T) {
	if !hasAVX2 {
		t.Skip("no AVX2")
	}
	r := rand.New(rand.NewPCG(35, 36))
	for _, cols := range []int{256, 4864} {
		rows := 6
		m, _ := randMatrix(t, r, gguf.TypeQ4_K, rows, cols)
		x := randFloats(r, cols, 1)
		one := quantizedJob(&m, x, 1)
		want := make([]float32, rows)
		matQ4KAsmV(&m, &one.a, 0, rows, 1, want, levelAVX2)
		x4 := append(append(append(append([]float32(nil), x...), x...), x...), x...)
		four := quantizedJob(&m, x4, 4)
		for _, lvl := range kernelVariants() {
			got := make([]float32, 4*rows)
			matQ4KAsmV(&m, &four.a, 0, rows, 4, got, lvl)
			for i := range got {
				if math.Float32bits(got[i]) != math.Float32bits(want[i%rows]) {
					t.Fatalf("cols %d level %d: batched y[%d] = %.9g, single token %.9g", cols, lvl, i, got[i], want[i%rows])
				}
			}
		}
	}
}
