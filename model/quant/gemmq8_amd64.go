//go:build amd64 && !purego

package quant

import (
	"unsafe"

	"github.com/weft-dev/weft/model/gguf"
)

//go:noescape
func tileQ8Z4(wq *int8, ldw int, wd *float32, ldd int, xq *int8, xd *float32, xc *int32, ps, pds, nb int, c *float32)

//go:noescape
func tileQ8Z2(wq *int8, ldw int, wd *float32, ldd int, xq *int8, xd *float32, xc *int32, ps, pds, nb int, c *float32)

//go:noescape
func tileQ8Z1(wq *int8, ldw int, wd *float32, ldd int, xq *int8, xd *float32, xc *int32, ps, pds, nb int, c *float32)

//go:noescape
func tileQ4Z4(wq *byte, ldw int, wd *float32, ldd int, xq *int8, xd *float32, xc *int32, ps, pds, npairs int, c *float32)

//go:noescape
func tileQ4Z2(wq *byte, ldw int, wd *float32, ldd int, xq *int8, xd *float32, xc *int32, ps, pds, npairs int, c *float32)

//go:noescape
func tileQ4Z1(wq *byte, ldw int, wd *float32, ldd int, xq *int8, xd *float32, xc *int32, ps, pds, npairs int, c *float32)

//go:noescape
func tileIQ4Z4(wq *byte, ldw int, tab *byte, ldd int, xq *int8, xd *float32, xc *int32, ps, pds, nquads int, c *float32)

//go:noescape
func tileIQ4Z2(wq *byte, ldw int, tab *byte, ldd int, xq *int8, xd *float32, xc *int32, ps, pds, nquads int, c *float32)

//go:noescape
func tileIQ4Z1(wq *byte, ldw int, tab *byte, ldd int, xq *int8, xd *float32, xc *int32, ps, pds, nquads int, c *float32)

// tiledQ8Min is the fewest tokens for which the int8-weight products take
// the tile kernels (below it the four-token kernels are as fast).
const tiledQ8Min = 16

// tiledQ8 reports whether a product of n tokens with weights w runs on the
// Q8 tile kernels: AVX-512 VNNI, Q8_0 activations with int8 weights (Q5_0
// and IQ4_NL in the widened layout only, not repackNibZ's compact one) or
// Q4_0 nibbles in whole pairs of blocks or IQ4_NL in repackNibZ's quad
// records, and rows for a whole tile.
func tiledQ8(w *Matrix, n int) bool {
	if !hasZMM || n < tiledQ8Min || w.Rows < tileQ8Rows || w.Cols%qk != 0 {
		return false
	}
	switch w.Type {
	case gguf.TypeQ8_0, gguf.TypeQ5_0:
		return len(w.qs) == w.Rows*w.Cols
	case gguf.TypeIQ4_NL:
		return len(w.qs) == w.Rows*w.Cols || w.nibz && w.Cols%(4*qk) == 0
	case gguf.TypeQ4_0:
		return w.Cols%(2*qk) == 0 && len(w.qs) == w.Rows*q4RowBytes(w.Cols)
	}
	return false
}

// matQ8Tiles computes rows [r0, r1) of an int8-weight product on the tile
// kernels, or where it is not one for tiles on the type's other kernels.
func matQ8Tiles(w *Matrix, a *acts, r0, r1, n int, y []float32) bool {
	if !tiledQ8(w, n) || r0 >= r1 {
		switch w.Type {
		case gguf.TypeQ8_0:
			return matQ8_0Asm(w, a, r0, r1, n, y)
		case gguf.TypeQ4_0:
			return matQ4_0Asm(w, a, r0, r1, n, y)
		}
		return matQ5_0Asm(w, a, r0, r1, n, y)
	}
	var cbuf [tileQ8Rows * 4 * panel]float32
	cols, nb := w.Cols, w.Cols/qk
	np4 := panels(n)
	ps, pds := cols*panel, nb*panel // per panel: int8 quants, float scales / int32 corrections
	q4, iq4 := w.Type == gguf.TypeQ4_0, w.nibz
	rb, nds := cols, nb // weight bytes and float scales per row
	switch {
	case q4:
		rb = q4RowBytes(cols)
	case iq4: // the scales are in the records
		rb, nds = nb/4*nibzQuadBytes(w.Type), 0
	}
	wq := w.qs
	_, _, _, _, _ = wq[w.Rows*rb-1], a.pq[np4*ps-1], a.pd[np4*pds-1], a.pc[np4*pds-1], w.ds[:w.Rows*nds]
	tab := &nibzConst[2][0]
	_ = y[(n-1)*w.Rows+r1-1]
	const mr = tileQ8Rows
	for r := r0; r < r1; r += mr {
		rs := min(r, w.Rows-mr)
		re := min(r+mr, r1)
		for p := 0; p < np4; {
			np := 1
			switch {
			case np4-p >= 4:
				np = 4
			case np4-p >= 2:
				np = 2
			}
			c := cbuf[:mr*np*panel]
			wr := wq[rs*rb : (rs+mr)*rb]
			xq, xd, xc := a.pq[p*ps:(p+np)*ps], a.pd[p*pds:(p+np)*pds], a.pc[p*pds:(p+np)*pds]
			wd := w.ds[rs*nds : (rs+mr)*nds] // empty for IQ4_NL
			switch {
			case iq4 && np == 4:
				tileIQ4Z4(&wr[0], rb, tab, 0, &xq[0], &xd[0], &xc[0], ps, pds*4, nb/4, &c[0])
			case iq4 && np == 2:
				tileIQ4Z2(&wr[0], rb, tab, 0, &xq[0], &xd[0], &xc[0], ps, pds*4, nb/4, &c[0])
			case iq4:
				tileIQ4Z1(&wr[0], rb, tab, 0, &xq[0], &xd[0], &xc[0], ps, pds*4, nb/4, &c[0])
			case q4 && np == 4:
				tileQ4Z4(&wr[0], rb, &wd[0], nb*4, &xq[0], &xd[0], &xc[0], ps, pds*4, nb/2, &c[0])
			case q4 && np == 2:
				tileQ4Z2(&wr[0], rb, &wd[0], nb*4, &xq[0], &xd[0], &xc[0], ps, pds*4, nb/2, &c[0])
			case q4:
				tileQ4Z1(&wr[0], rb, &wd[0], nb*4, &xq[0], &xd[0], &xc[0], ps, pds*4, nb/2, &c[0])
			case np == 4:
				tileQ8Z4((*int8)(unsafe.Pointer(&wr[0])), cols, &wd[0], nb*4, &xq[0], &xd[0], &xc[0], ps, pds*4, nb, &c[0])
			case np == 2:
				tileQ8Z2((*int8)(unsafe.Pointer(&wr[0])), cols, &wd[0], nb*4, &xq[0], &xd[0], &xc[0], ps, pds*4, nb, &c[0])
			default:
				tileQ8Z1((*int8)(unsafe.Pointer(&wr[0])), cols, &wd[0], nb*4, &xq[0], &xd[0], &xc[0], ps, pds*4, nb, &c[0])
			}
			t0, t1 := p*panel, min(n, (p+np)*panel)
			for row := r; row < re; row++ {
				ci := c[(row-rs)*np*panel:]
				for t := t0; t < t1; t++ {
					y[t*w.Rows+row] = ci[t-t0]
				}
			}
			p += np
		}
	}
	return true
}
