//go:build amd64 && !purego

package quant

import "github.com/weft-dev/weft/model/gguf"

// The F16/BF16 tile kernels of gemm16_amd64.s (see gemm16.go). tile16
// checks the extent of every operand once, then hands pointers to the
// assembly.

//go:noescape
func tileBF16Z4(w *uint16, ldw int, x *uint32, ps, k int, c *float32)

//go:noescape
func tileBF16Z1(w *uint16, ldw int, x *uint32, ps, k int, c *float32)

//go:noescape
func tileF16Z4(w *uint16, ldw int, x *float32, ps, k int, c *float32)

//go:noescape
func tileF16Z1(w *uint16, ldw int, x *float32, ps, k int, c *float32)

//go:noescape
func tileBF16AVX2(w *uint16, ldw int, x *uint32, ps, k int, c *float32)

//go:noescape
func tileF16AVX2(w *uint16, ldw int, x *float32, ps, k int, c *float32)

// hasBF16 is fixed at package init: AVX512_BF16 (VDPBF16PS) with the ZMM
// kernels' other features.
var hasBF16 = hasZMM && detectBF16()

func detectBF16() bool {
	maxID, _, _, _ := cpuid(0, 0)
	if maxID < 7 {
		return false
	}
	eax, _, _, _ := cpuid(7, 1)
	return eax&(1<<5) != 0
}

// tileLevel names a tile kernel family, for tests that run each.
type tileLevel int

const (
	tileGo   tileLevel = iota // portable
	tileAVX2                  // AVX2 + FMA + F16C
	tileZMM                   // AVX-512 (F16) / AVX-512 BF16 (BF16)
)

// tileLevels lists the tile kernels that run here for weights of type t
// (F16: the ZMM kernels need AVX-512F; BF16: AVX512_BF16).
func tileLevels(t gguf.Type) []tileLevel {
	l := []tileLevel{tileGo}
	if hasAVX2 {
		l = append(l, tileAVX2)
	}
	if (t == gguf.TypeBF16 && hasBF16) || (t == gguf.TypeF16 && hasZMM) {
		l = append(l, tileZMM)
	}
	return l
}

// The fastest tile level per type, fixed at package init.
var (
	bestTileF16  = last(tileLevels(gguf.TypeF16))
	bestTileBF16 = last(tileLevels(gguf.TypeBF16))
)

func last(l []tileLevel) tileLevel { return l[len(l)-1] }

// tileShape is a level's rows per tile and most panels per kernel call.
func tileShape(lv tileLevel, t gguf.Type) (mr, maxNP int) {
	switch {
	case lv == tileZMM:
		return 6, 4
	case lv == tileAVX2 && t == gguf.TypeF16:
		return 6, 1
	case lv == tileAVX2:
		return 4, 1
	}
	return goTileRows, 4
}

func matF16Asm(w *Matrix, a *acts, r0, r1, n int, y []float32) bool {
	if matTiles(w, a, r0, r1, n, y, bestTileF16) {
		return true
	}
	return matF16Rows(w, a, r0, r1, n, y)
}

// matF16Rows computes rows [r0, r1) of an F16 product of a few tokens one
// token at a time in ggml_vec_dot_f16's order (f16RowsZ), so that decoding
// gives llama.cpp's results, and a token's whatever the size of its batch;
// false without AVX-512. A task's rows stay in L2 from one token to the next.
func matF16Rows(w *Matrix, a *acts, r0, r1, n int, y []float32) bool {
	cols := w.Cols
	if !hasAVX512F || cols < 64 || r0 >= r1 {
		return false
	}
	for t := range n {
		x, yt := a.f[t*cols:(t+1)*cols], y[t*w.Rows:(t+1)*w.Rows]
		f16Rows64(w, x, r0, r1, yt)
		if cols%64 != 0 {
			for r := r0; r < r1; r++ {
				yt[r] = f16Tail(w.u16[r*cols:(r+1)*cols], x, yt[r])
			}
		}
	}
	return true
}

// f16Tail adds the columns of row beyond the last multiple of 64 to head,
// the sum of those before, as ggml_vec_dot_f16 does: in float64, each
// product (exact in float32) in column order, then rounded to float32.
func f16Tail(row []uint16, x []float32, head float32) float32 {
	s := float64(head)
	for i := len(row) &^ 63; i < len(row); i++ {
		s += float64(fp16Table[row[i]] * x[i])
	}
	return float32(s)
}

func matBF16Asm(w *Matrix, a *acts, r0, r1, n int, y []float32) bool {
	return matTiles(w, a, r0, r1, n, y, bestTileBF16)
}

// matTiles runs an F16/BF16 product on the tile kernels of level lv;
// false when the product is not one for tiles (tiled16).
func matTiles(w *Matrix, a *acts, r0, r1, n int, y []float32, lv tileLevel) bool {
	if !tiled16(w, n) || r0 >= r1 {
		return false
	}
	matTiled16(w, a, r0, r1, n, y, lv)
	return true
}

// tile16 computes one tile (see matTiled16) with the kernels of level lv.
func tile16(w *Matrix, a *acts, lv tileLevel, row, p, np int, c []float32) {
	if lv == tileGo {
		tileGo16(w, a, row, p, np, c)
		return
	}
	mr, _ := tileShape(lv, w.Type)
	cols := w.Cols
	wr := w.u16[row*cols : (row+mr)*cols]
	c = c[:mr*np*panel]
	if w.Type == gguf.TypeF16 {
		ps := cols * panel
		x := a.pf[p*ps : (p+np)*ps]
		switch {
		case lv == tileAVX2:
			tileF16AVX2(&wr[0], cols*2, &x[0], ps*4, cols, &c[0])
		case np == 4:
			tileF16Z4(&wr[0], cols*2, &x[0], ps*4, cols, &c[0])
		default:
			tileF16Z1(&wr[0], cols*2, &x[0], ps*4, cols, &c[0])
		}
		return
	}
	kp := cols / 2
	ps := kp * panel
	x := a.pb[p*ps : (p+np)*ps]
	switch {
	case lv == tileAVX2:
		tileBF16AVX2(&wr[0], cols*2, &x[0], ps*4, kp, &c[0])
	case np == 4:
		tileBF16Z4(&wr[0], cols*2, &x[0], ps*4, kp, &c[0])
	default:
		tileBF16Z1(&wr[0], cols*2, &x[0], ps*4, kp, &c[0])
	}
}

//go:noescape
func f16RowsZ(w *uint16, ldw int, x *float32, n, rows int, y *float32)

// f16Rows64 is the part of rows [r0, r1) of an F16 product with one token
// (x, fp16-rounded) that f16RowsZ computes: the columns up to the last
// multiple of 64, into y[r0:r1]; false without AVX-512 or with fewer than
// 64 columns.
func f16Rows64(w *Matrix, x []float32, r0, r1 int, y []float32) bool {
	n64 := w.Cols &^ 63
	if !hasAVX512F || n64 == 0 || r0 >= r1 {
		return false
	}
	_, _ = w.u16[r1*w.Cols-1], y[r1-1]
	f16RowsZ(&w.u16[r0*w.Cols], w.Cols*2, &x[0], n64, r1-r0, &y[r0])
	return true
}
