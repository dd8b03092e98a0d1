//go:build amd64 && !purego

package quant

import (
	"encoding/binary"
	"math"

	"github.com/weft-dev/weft/model/gguf"
)

// Q5_0, Q5_1, IQ4_NL (and IQ4_XS, see repackIQ4XSZ) weights for the ZMM kernels, kept as compact as the
// file holds them. repackInt8 widens them to one int8 a weight for the Q8_0
// kernels, 36 bytes a block where the file has 22 (Q5_0), 24 (Q5_1) or 18
// (IQ4_NL): a decoded token streams every weight once, so that alone made
// these types (most of llama.cpp's Q4_K_M, Q4_K_S and Q3_K_M mixtures at
// the 0.5B shape, whose 896-wide rows are not whole K-quant super-blocks)
// up to twice as slow to decode as their size says. Here, on CPUs with the
// ZMM kernels and rows of whole quads of blocks, each quad of blocks b0..b3
// is one record:
//
//	64 bytes   element k of b0|b1 (k < 64) in the low nibble of byte k,
//	           of b2|b3 in its high nibble
//	16 bytes   Q5_0/Q5_1: the blocks' qh words as in the file (bit j: the
//	           fifth bit of element j)
//	8 bytes    the four fp16 scales d as in the file
//
// (72 bytes for IQ4_NL, 88 for Q5_0 and Q5_1; Q5_1's mins stay in m.ms for
// addMins). The kernels rebuild exactly the bytes the Q8_0 ZMM kernels read
// from repackInt8's layout, q+128 as unsigned (Q5_0: nibble + 16·bit + 112;
// Q5_1: + 128; IQ4_NL: kvalues[nibble] + 128 by a VPSHUFB table), with the
// same activations and the same offset correction, so their results are
// bit for bit those of the widened layout.

//go:noescape
func q5RowsZ(wq *byte, c *byte, xq *int8, xs4 *float32, xk4 *int32, nquads, rows int, y *float32, perm *int32)

//go:noescape
func iq4RowsZ(wq *byte, c *byte, xq *int8, xs4 *float32, xk4 *int32, nquads, rows int, y *float32, perm *int32)

//go:noescape
func iq4xRowsZ(wq *byte, c *byte, xq *int8, xs4 *float32, xk4 *int32, nquads, rows int, y *float32, perm *int32)

//go:noescape
func iq4xQuad4Z(wq *byte, c *byte, xq *int8, xs4 *float32, xk4 *int32, nquads, rows, xstride, sstride int, y *float32, ystride int, perm *int32)

//go:noescape
func q5Quad4Z(wq *byte, c *byte, xq *int8, xs4 *float32, xk4 *int32, nquads, rows, xstride, sstride int, y *float32, ystride int, perm *int32)

//go:noescape
func iq4Quad4Z(wq *byte, c *byte, xq *int8, xs4 *float32, xk4 *int32, nquads, rows, xstride, sstride int, y *float32, ystride int, perm *int32)

// nibzConst holds the 64-byte vectors the kernels add or look up: Q5_0's
// 112, Q5_1's 128, and IQ4_NL's kvalues+128 in each 16-byte lane.
var nibzConst = func() (c [3][64]byte) {
	for i := range 64 {
		c[0][i], c[1][i] = 112, 128
		c[2][i] = byte(int(kvaluesIQ4NL[i%16]) + 128)
	}
	return
}()

// nibzQuadBytes is the size of one quad record of type t.
func nibzQuadBytes(t gguf.Type) int {
	switch t {
	case gguf.TypeIQ4_NL:
		return 72
	case gguf.TypeIQ4_XS:
		return 80
	}
	return 88
}

// repackIQ4XSZ stores IQ4_XS weights as IQ4_NL's quad records with the
// four 32-element scales d·(ls−32) as float32 in place of the fp16 ones
// (80 bytes a quad, 160 a super-block against the file's 136 and
// repackIQ4XS's 288), where the ZMM kernels run, and as repackIQ4XS
// elsewhere. The activations are Q8_K's, seen by the kernels as Q8_0
// blocks that share their super-block's scale (see quantize).
func (m *Matrix) repackIQ4XSZ() {
	if !hasZMM {
		m.repackIQ4XS()
		return
	}
	nsb := m.Rows * m.Cols / qkK
	m.qs = weightBytes(nsb * 2 * 80)
	for b := 0; b < nsb; b++ {
		blk := m.Data[b*iq4XS : (b+1)*iq4XS]
		d := f16at(blk)
		for half := 0; half < 2; half++ {
			out := m.qs[(2*b+half)*80 : (2*b+half+1)*80]
			for i := 0; i < 4; i++ {
				ib := 4*half + i
				binary.LittleEndian.PutUint32(out[64+4*i:], math.Float32bits(d*float32(iq4XSScale(blk, ib))))
				src := blk[8+16*ib : 8+16*ib+16]
				base, shift := (i%2)*qk, uint(4*(i/2))
				for j := 0; j < 16; j++ {
					out[base+j] |= (src[j] & 0xf) << shift
					out[base+j+16] |= (src[j] >> 4) << shift
				}
			}
		}
	}
	m.nibz = true
}

// repackNibZ stores Q5_0, Q5_1 or IQ4_NL weights in the quad records above
// where the ZMM kernels run, and as repackInt8 elsewhere.
func (m *Matrix) repackNibZ() {
	if !hasZMM || m.Cols%(4*qk) != 0 {
		m.repackInt8()
		return
	}
	size := m.Type.BlockBytes()
	qb := nibzQuadBytes(m.Type)
	nq := m.Rows * m.Cols / (4 * qk)
	m.qs = weightBytes(nq * qb)
	if m.Type == gguf.TypeQ5_1 {
		m.ms = make([]float32, 4*nq)
	}
	var vals [qk]byte
	for q := 0; q < nq; q++ {
		out := m.qs[q*qb : (q+1)*qb]
		for i := 0; i < 4; i++ {
			blk := m.Data[(4*q+i)*size : (4*q+i+1)*size]
			var nib []byte
			switch m.Type {
			case gguf.TypeQ5_0:
				nib = blk[6:]
				copy(out[64+4*i:64+4*i+4], blk[2:6])
			case gguf.TypeQ5_1:
				nib = blk[8:]
				copy(out[64+4*i:64+4*i+4], blk[4:8])
				m.ms[4*q+i] = f16at(blk[2:])
			default:
				nib = blk[2:]
			}
			copy(out[qb-8+2*i:qb-8+2*i+2], blk[0:2])
			for j := 0; j < qk/2; j++ {
				vals[j], vals[j+qk/2] = nib[j]&0xf, nib[j]>>4
			}
			base, shift := (i%2)*qk, uint(4*(i/2))
			for j, v := range vals {
				out[base+j] |= v << shift
			}
		}
	}
	m.nibz = true
}

// matNibZ computes rows [r0, r1) on the quad records: four tokens at a
// time, then one. It reports false (the portable kernel then runs) for
// matrices in repackInt8's layout.
func matNibZ(w *Matrix, a *acts, r0, r1, n int, y []float32) bool {
	if !w.nibz {
		return false
	}
	if r0 >= r1 || n == 0 {
		return true
	}
	cols, nb := w.Cols, w.Cols/qk
	nq := nb / 4
	qb := nibzQuadBytes(w.Type)
	_, _, _, _, _ = w.qs[r1*nq*qb-1], a.qs[n*cols-1], a.xs4[n*nb*2-1], a.xk4[n*nb*2-1], y[(n-1)*w.Rows+r1-1]
	c := &nibzConst[0][0]
	switch w.Type {
	case gguf.TypeQ5_1:
		c = &nibzConst[1][0]
	case gguf.TypeIQ4_NL, gguf.TypeIQ4_XS:
		c = &nibzConst[2][0]
	}
	rows, wq := r1-r0, &w.qs[r0*nq*qb]
	t := 0
	for ; t+4 <= n; t += 4 {
		if w.Type == gguf.TypeIQ4_XS {
			iq4xQuad4Z(wq, c, &a.qs[t*cols], &a.xs4[t*nb*2], &a.xk4[t*nb*2], nq, rows, cols, nb*8, &y[t*w.Rows+r0], w.Rows*4, &permQ8Z[0])
		} else if w.Type == gguf.TypeIQ4_NL {
			iq4Quad4Z(wq, c, &a.qs[t*cols], &a.xs4[t*nb*2], &a.xk4[t*nb*2], nq, rows, cols, nb*8, &y[t*w.Rows+r0], w.Rows*4, &permQ8Z[0])
		} else {
			q5Quad4Z(wq, c, &a.qs[t*cols], &a.xs4[t*nb*2], &a.xk4[t*nb*2], nq, rows, cols, nb*8, &y[t*w.Rows+r0], w.Rows*4, &permQ8Z[0])
		}
	}
	for ; t < n; t++ {
		if w.Type == gguf.TypeIQ4_XS {
			iq4xRowsZ(wq, c, &a.qs[t*cols], &a.xs4[t*nb*2], &a.xk4[t*nb*2], nq, rows, &y[t*w.Rows+r0], &permQ8Z[0])
		} else if w.Type == gguf.TypeIQ4_NL {
			iq4RowsZ(wq, c, &a.qs[t*cols], &a.xs4[t*nb*2], &a.xk4[t*nb*2], nq, rows, &y[t*w.Rows+r0], &permQ8Z[0])
		} else {
			q5RowsZ(wq, c, &a.qs[t*cols], &a.xs4[t*nb*2], &a.xk4[t*nb*2], nq, rows, &y[t*w.Rows+r0], &permQ8Z[0])
		}
	}
	return true
}

// matQ5_0Asm is the product of Q5_0, IQ4_NL and IQ4_XS: on the quad records,
// or the Q8_0 kernels on the widened layout.
func matQ5_0Asm(w *Matrix, a *acts, r0, r1, n int, y []float32) bool {
	return matNibZ(w, a, r0, r1, n, y) || matQ8_0Asm(w, a, r0, r1, n, y)
}

// matQ5_1Asm is the Q5_0 product on Q5_1's quants (used as 0..31), then the
// min term.
func matQ5_1Asm(w *Matrix, a *acts, r0, r1, n int, y []float32) bool {
	if !matNibZ(w, a, r0, r1, n, y) && !matQ8_0Asm(w, a, r0, r1, n, y) {
		return false
	}
	addMins(w, a, r0, r1, n, y)
	return true
}
