package quant

// The 256-element types Q2_K, Q3_K and IQ4_XS: block layouts as
// ggml-common.h (llama.cpp c392e50), decoders as dequantize_row_*,
// quantizers as what llama-quantize runs without an importance matrix
// (quantize_q2_K/q3_K fall back to quantize_row_*_ref; quantize_iq4_xs runs
// quantize_row_iq4_nl_impl with ntry = 7), products as ggml's
// vec_dot_*_q8_K.

import (
	"encoding/binary"

	"github.com/weft-dev/weft/model/gguf"
)

const (
	q2K   = qkK/16 + qkK/4 + 2 + 2 // block_q2_K: scales[16] (4-bit scale | 4-bit min<<4), qs[64], d, dmin
	q3K   = qkK/8 + qkK/4 + 12 + 2 // block_q3_K: hmask[32], qs[64], scales[12] (16 6-bit), d
	iq4XS = 2 + 2 + qkK/64 + qkK/2 // block_iq4_xs: d, scales_h, scales_l[4], qs[128]
)

// q2Val returns element e of a Q2_K block's 2-bit quants (0..3): element
// 128n + 32j + l sits in bits 2j of qs[32n + l].
func q2Val(qs []byte, e int) int32 {
	n, j, l := e/128, e%128/32, e%32
	return int32(qs[32*n+l]>>(2*j)) & 3
}

// dequantQ2K is dequantize_row_q2_K: value = d*sc*q - dmin*m with a 4-bit
// scale and min per 16 elements.
func dequantQ2K(b []byte, y []float32) {
	sc, qs := b[0:16], b[16:80]
	d, dmin := f16at(b[80:]), f16at(b[82:])
	for e := 0; e < qkK; e++ {
		s := sc[e/16]
		dl, ml := d*float32(s&0xf), dmin*float32(s>>4)
		y[e] = dl*float32(q2Val(qs, e)) - ml
	}
}

// q3Scale returns the 6-bit scale j of a Q3_K block minus 32 (the packing
// of quantize_row_q3_K_ref: low nibbles in bytes 0-7, high bit pairs in
// bytes 8-11).
func q3Scale(sc []byte, j int) int32 {
	var lo byte
	if j < 8 {
		lo = sc[j] & 0xf
	} else {
		lo = sc[j-8] >> 4
	}
	hi := sc[8+j%4] >> (2 * (j / 4)) & 3
	return int32(lo|hi<<4) - 32
}

// q3Val returns element e of a Q3_K block as the signed level -4..3: two
// bits as in Q2_K, and 4 subtracted unless hmask bit 4n+j of byte l is set.
func q3Val(hmask, qs []byte, e int) int32 {
	n, j, l := e/128, e%128/32, e%32
	v := int32(qs[32*n+l]>>(2*j)) & 3
	if hmask[l]&(1<<(4*n+j)) == 0 {
		v -= 4
	}
	return v
}

// dequantQ3K is dequantize_row_q3_K: value = d*(sc-32)*level.
func dequantQ3K(b []byte, y []float32) {
	hmask, qs, sc := b[0:32], b[32:96], b[96:108]
	d := f16at(b[108:])
	for e := 0; e < qkK; e++ {
		dl := d * float32(q3Scale(sc, e/16))
		y[e] = dl * float32(q3Val(hmask, qs, e))
	}
}

// iq4XSScale returns sub-block ib's 6-bit scale minus 32.
func iq4XSScale(b []byte, ib int) int32 {
	sh := binary.LittleEndian.Uint16(b[2:])
	ls := int32(b[4+ib/2]>>(4*(ib%2)))&0xf | int32(sh>>(2*ib)&3)<<4
	return ls - 32
}

// dequantIQ4XS is dequantize_row_iq4_xs: eight sub-blocks of 32, each
// value d*(ls-32)*kvalues[q].
func dequantIQ4XS(b []byte, y []float32) {
	d := f16at(b)
	qs := b[8:]
	for ib := 0; ib < 8; ib++ {
		dl := d * float32(iq4XSScale(b, ib))
		q := qs[16*ib : 16*ib+16]
		out := y[32*ib : 32*ib+32]
		for j := 0; j < 16; j++ {
			out[j] = dl * float32(kvaluesIQ4NL[q[j]&0xf])
			out[j+16] = dl * float32(kvaluesIQ4NL[q[j]>>4])
		}
	}
}

// packQ2Bits stores 256 two-bit levels the way q2Val reads them.
func packQ2Bits(qs []byte, L *[qkK]uint8) {
	for n := 0; n < 2; n++ {
		for l := 0; l < 32; l++ {
			e := 128*n + l
			qs[32*n+l] = L[e] | L[e+32]<<2 | L[e+64]<<4 | L[e+96]<<6
		}
	}
}

// quantQ2KRef is quantize_row_q2_K_ref for one super-block: fit each 16
// elements with make_qkx2_quants (nmax 3, weights |x|, mean absolute
// deviation), quantize the scales and mins to 4 bits against d and dmin,
// then requantize the elements.
func quantQ2KRef(x []float32, b []byte) {
	var (
		L       [qkK]uint8
		laux    [16]uint8
		weights [16]float32
		mins    [16]float32
		scales  [16]float32
	)
	const q4scale = 15
	var maxScale, maxMin float32
	for j := 0; j < 16; j++ {
		xs := x[16*j : 16*j+16]
		for l, v := range xs {
			weights[l] = abs32(v)
		}
		scales[j] = makeQKX2Quants(3, xs, weights[:], L[16*j:16*j+16], laux[:], &mins[j], -0.5, 0.1, 15, true)
		if scales[j] > maxScale {
			maxScale = scales[j]
		}
		if mins[j] > maxMin {
			maxMin = mins[j]
		}
	}
	sc := b[0:16]
	if maxScale > 0 {
		iscale := q4scale / maxScale
		for j := range sc {
			sc[j] = uint8(nearestInt(float32(iscale * scales[j])))
		}
		putF16(b[80:], maxScale/q4scale)
	} else {
		clear(sc)
		putF16(b[80:], 0)
	}
	if maxMin > 0 {
		iscale := q4scale / maxMin
		for j := range sc {
			sc[j] |= uint8(nearestInt(float32(iscale*mins[j]))) << 4
		}
		putF16(b[82:], maxMin/q4scale)
	} else {
		putF16(b[82:], 0)
	}
	d0, dmin0 := f16at(b[80:]), f16at(b[82:])
	for j := 0; j < 16; j++ {
		d := float32(d0 * float32(sc[j]&0xf))
		if d == 0 {
			continue
		}
		dm := float32(dmin0 * float32(sc[j]>>4))
		for ii := 0; ii < 16; ii++ {
			l := nearestInt(float32(x[16*j+ii]+dm) / d)
			L[16*j+ii] = uint8(max(0, min(3, l)))
		}
	}
	packQ2Bits(b[16:80], &L)
}

// makeQ3Quants is ggml's make_q3_quants with do_rmse: symmetric levels in
// [-nmax, nmax) from iscale = -nmax/max, then up to five passes moving
// single levels while the weighted (w = x²) fit improves. L gets the levels
// plus nmax.
func makeQ3Quants(nmax int32, x []float32, L []int8) float32 {
	var mx, amax float32
	for _, v := range x {
		if ax := abs32(v); ax > amax {
			amax, mx = ax, v
		}
	}
	if amax < groupMaxEps {
		clear(L[:len(x)])
		return 0
	}
	iscale := -float32(nmax) / mx
	var sumlx, suml2 float32
	for i, v := range x {
		l := max(-nmax, min(nmax-1, nearestInt(float32(iscale*v))))
		L[i] = int8(l)
		w := float32(v * v)
		sumlx += float32(float32(w*v) * float32(l))
		suml2 += float32(float32(w*float32(l)) * float32(l))
	}
	for itry := 0; itry < 5; itry++ {
		changed := 0
		for i, v := range x {
			w := float32(v * v)
			li := float32(L[i])
			slx := sumlx - float32(float32(w*v)*li)
			if slx > 0 {
				sl2 := suml2 - float32(float32(w*li)*li)
				newL := max(-nmax, min(nmax-1, nearestInt(float32(v*sl2)/slx)))
				if newL != int32(L[i]) {
					fl := float32(newL)
					slx += float32(float32(w*v) * fl)
					sl2 += float32(float32(w*fl) * fl)
					if sl2 > 0 && float32(float32(slx*slx)*suml2) > float32(float32(sumlx*sumlx)*sl2) {
						L[i] = int8(newL)
						sumlx, suml2 = slx, sl2
						changed++
					}
				}
			}
		}
		if changed == 0 {
			break
		}
	}
	for i := range x {
		L[i] += int8(nmax)
	}
	return sumlx / suml2
}

// quantQ3KRef is quantize_row_q3_K_ref for one super-block.
func quantQ3KRef(x []float32, b []byte) {
	var (
		L      [qkK]int8
		scales [16]float32
	)
	var maxScale, amax float32
	for j := 0; j < 16; j++ {
		scales[j] = makeQ3Quants(4, x[16*j:16*j+16], L[16*j:16*j+16])
		if s := abs32(scales[j]); s > amax {
			amax, maxScale = s, scales[j]
		}
	}
	sc := b[96:108]
	clear(sc)
	if maxScale != 0 {
		iscale := -32 / maxScale
		for j := 0; j < 16; j++ {
			l := int8(nearestInt(float32(iscale * scales[j])))
			l = max(-32, min(31, l)) + 32
			if j < 8 {
				sc[j] = byte(l) & 0xf
			} else {
				sc[j-8] |= (byte(l) & 0xf) << 4
			}
			sc[j%4+8] |= (byte(l) >> 4) << (2 * (j / 4))
		}
		putF16(b[108:], 1/iscale)
	} else {
		putF16(b[108:], 0)
	}
	d0 := f16at(b[108:])
	for j := 0; j < 16; j++ {
		d := float32(d0 * float32(q3Scale(sc, j)))
		if d == 0 {
			continue
		}
		for ii := 0; ii < 16; ii++ {
			l := nearestInt(x[16*j+ii] / d)
			L[16*j+ii] = int8(max(-4, min(3, l)) + 4)
		}
	}
	hmask := b[0:32]
	clear(hmask)
	var U [qkK]uint8
	m, hm := 0, byte(1)
	for j := 0; j < qkK; j++ {
		U[j] = uint8(L[j])
		if U[j] > 3 {
			hmask[m] |= hm
			U[j] -= 4
		}
		if m++; m == qkK/8 {
			m, hm = 0, hm<<1
		}
	}
	packQ2Bits(b[32:96], &U)
}

// quantIQ4XS is quantize_iq4_xs without importance weights (what
// llama-quantize writes): iq4Fit per 32 elements (ntry 7), the eight
// scales quantized to 6 bits against d = -max_scale/32, then every element
// re-mapped against its rounded sub-block scale.
func quantIQ4XS(x []float32, b []byte) {
	var (
		L      [qkK]uint8
		scales [8]float32
	)
	clear(b[:iq4XS])
	var maxScale, amaxScale float32
	for ib := 0; ib < 8; ib++ {
		scales[ib] = iq4Fit(x[32*ib:32*ib+32], L[32*ib:32*ib+32], 7)
		if a := abs32(scales[ib]); a > amaxScale {
			amaxScale, maxScale = a, scales[ib]
		}
	}
	d := -maxScale / 32
	putF16(b, d)
	var id float32
	if d != 0 {
		id = 1 / d
	}
	var sh uint16
	for ib := 0; ib < 8; ib++ {
		l := max(-32, min(31, nearestInt(float32(id*scales[ib]))))
		dl := float32(d * float32(l))
		var idl float32
		if dl != 0 {
			idl = 1 / dl
		}
		for j, v := range x[32*ib : 32*ib+32] {
			L[32*ib+j] = uint8(bestIndexInt8(&kvaluesIQ4NL, float32(idl*v)))
		}
		l += 32
		b[4+ib/2] |= byte(l&0xf) << (4 * (ib % 2))
		sh |= uint16(l>>4) << (2 * ib)
	}
	binary.LittleEndian.PutUint16(b[2:], sh)
	qs := b[8:]
	for i := 0; i < 8; i++ {
		for j := 0; j < 16; j++ {
			qs[16*i+j] = L[32*i+j] | L[32*i+16+j]<<4
		}
	}
}

// dotQ2KGo is ggml_vec_dot_q2_K_q8_K: per super-block the int sums
// Σ sc*Σ(q*x) and Σ m*bsum, scaled by d*x.d and dmin*x.d.
func dotQ2KGo(row []byte, xq []int8, xd []float32, bsum []int16) float32 {
	var sum float32
	for i := range xd {
		blk := row[i*q2K : (i+1)*q2K]
		sc, qs := blk[0:16], blk[16:80]
		q8 := xq[i*qkK : (i+1)*qkK]
		bs := bsum[i*16 : (i+1)*16]
		var isum, msum int32
		for j := 0; j < 16; j++ {
			var s int32
			for e := 16 * j; e < 16*j+16; e++ {
				s += q2Val(qs, e) * int32(q8[e])
			}
			isum += int32(sc[j]&0xf) * s
			msum += int32(sc[j]>>4) * int32(bs[j])
		}
		d := float32(xd[i] * f16at(blk[80:]))
		dmin := float32(xd[i] * f16at(blk[82:]))
		sum += float32(d*float32(isum)) - float32(dmin*float32(msum))
	}
	return sum
}

// dotQ3KGo is ggml_vec_dot_q3_K_q8_K: per super-block the int sum
// Σ (sc-32)*Σ(level*x), scaled by d*x.d.
func dotQ3KGo(row []byte, xq []int8, xd []float32) float32 {
	var sum float32
	for i := range xd {
		blk := row[i*q3K : (i+1)*q3K]
		hmask, qs, sc := blk[0:32], blk[32:96], blk[96:108]
		q8 := xq[i*qkK : (i+1)*qkK]
		var isum int32
		for j := 0; j < 16; j++ {
			var s int32
			for e := 16 * j; e < 16*j+16; e++ {
				s += q3Val(hmask, qs, e) * int32(q8[e])
			}
			isum += q3Scale(sc, j) * s
		}
		sum += float32(float32(xd[i]*f16at(blk[108:])) * float32(isum))
	}
	return sum
}

// dotIQ4XSGo is ggml_vec_dot_iq4_xs_q8_K: per super-block the int sum
// Σ (ls-32)*Σ(kvalues[q]*x), scaled by d*x.d.
func dotIQ4XSGo(row []byte, xq []int8, xd []float32) float32 {
	var sum float32
	for i := range xd {
		blk := row[i*iq4XS : (i+1)*iq4XS]
		qs := blk[8:]
		q8 := xq[i*qkK : (i+1)*qkK]
		var isum int32
		for ib := 0; ib < 8; ib++ {
			q := qs[16*ib : 16*ib+16]
			x := q8[32*ib : 32*ib+32]
			var s int32
			for j := 0; j < 16; j++ {
				s += int32(kvaluesIQ4NL[q[j]&0xf])*int32(x[j]) + int32(kvaluesIQ4NL[q[j]>>4])*int32(x[j+16])
			}
			isum += iq4XSScale(blk, ib) * s
		}
		sum += float32(float32(xd[i]*f16at(blk)) * float32(isum))
	}
	return sum
}

func matQ2K(w *Matrix, a *acts, r0, r1, n int, y []float32) {
	nb := w.Cols / qkK
	rb := nb * q2K
	for r := r0; r < r1; r++ {
		row := w.Data[r*rb : (r+1)*rb]
		for t := 0; t < n; t++ {
			y[t*w.Rows+r] = dotQ2KGo(row, a.qs[t*w.Cols:(t+1)*w.Cols], a.d[t*nb:(t+1)*nb], a.bsum[t*nb*16:(t+1)*nb*16])
		}
	}
}

func matQ3K(w *Matrix, a *acts, r0, r1, n int, y []float32) {
	nb := w.Cols / qkK
	rb := nb * q3K
	for r := r0; r < r1; r++ {
		row := w.Data[r*rb : (r+1)*rb]
		for t := 0; t < n; t++ {
			y[t*w.Rows+r] = dotQ3KGo(row, a.qs[t*w.Cols:(t+1)*w.Cols], a.d[t*nb:(t+1)*nb])
		}
	}
}

func matIQ4XS(w *Matrix, a *acts, r0, r1, n int, y []float32) {
	nb := w.Cols / qkK
	rb := nb * iq4XS
	for r := r0; r < r1; r++ {
		row := w.Data[r*rb : (r+1)*rb]
		for t := 0; t < n; t++ {
			y[t*w.Rows+r] = dotIQ4XSGo(row, a.qs[t*w.Cols:(t+1)*w.Cols], a.d[t*nb:(t+1)*nb])
		}
	}
}

// packQ6K writes levels L (0..63, the value plus 32), 16 int8 scales and
// d into a ggml block_q6_K (the packing of quantize_row_q6_K_ref).
func packQ6K(b []byte, L *[qkK]uint8, sc *[16]int8) {
	ql, qh := b[0:128], b[128:192]
	for n := 0; n < 2; n++ {
		Ln := L[128*n:]
		for l := 0; l < 32; l++ {
			ql[64*n+l] = Ln[l]&0xf | (Ln[l+64]&0xf)<<4
			ql[64*n+l+32] = Ln[l+32]&0xf | (Ln[l+96]&0xf)<<4
			qh[32*n+l] = Ln[l]>>4 | (Ln[l+32]>>4)<<2 | (Ln[l+64]>>4)<<4 | (Ln[l+96]>>4)<<6
		}
	}
	for j, s := range sc {
		b[192+j] = byte(s)
	}
}

// repackQ6K rewrites Q2_K and Q3_K super-blocks as Q6_K blocks (levels
// shifted by 32, the same 16 scales) in m.qs with d in m.ds, so that the
// Q6_K assembly computes their integer sums: Q3_K's levels -4..3 and
// scales -32..31, Q2_K's levels 0..3 and scales 0..15, exactly the
// products ggml forms. Q2_K's mins go to m.mins (16 per super-block) and
// dmin to m.ms; their term is added after (addMinsK).
func (m *Matrix) repackQ6K() {
	nsb := m.Rows * m.Cols / qkK
	size := m.Type.BlockBytes()
	m.qs = weightBytes(nsb * q6K)
	m.ds = make([]float32, nsb)
	if m.Type == gguf.TypeQ2_K {
		m.mins = make([]int8, nsb*16)
		m.ms = make([]float32, nsb)
	}
	var L [qkK]uint8
	var sc [16]int8
	for b := 0; b < nsb; b++ {
		blk := m.Data[b*size : (b+1)*size]
		if m.Type == gguf.TypeQ2_K {
			for e := range L {
				L[e] = uint8(q2Val(blk[16:80], e) + 32)
			}
			for j := range sc {
				sc[j] = int8(blk[j] & 0xf)
				m.mins[b*16+j] = int8(blk[j] >> 4)
			}
			m.ds[b], m.ms[b] = f16at(blk[80:]), f16at(blk[82:])
		} else {
			for e := range L {
				L[e] = uint8(q3Val(blk[0:32], blk[32:96], e) + 32)
			}
			for j := range sc {
				sc[j] = int8(q3Scale(blk[96:108], j))
			}
			m.ds[b] = f16at(blk[108:])
		}
		packQ6K(m.qs[b*q6K:(b+1)*q6K], &L, &sc)
	}
}

// addMinsK subtracts Q2_K's min term Σ dmin*x.d*Σ m*bsum from rows
// [r0, r1) of y, after the Q6_K kernel summed the scaled levels.
func addMinsK(w *Matrix, a *acts, r0, r1, n int, y []float32) {
	nsb := w.Cols / qkK
	for r := r0; r < r1; r++ {
		mins := w.mins[r*nsb*16 : (r+1)*nsb*16]
		dmin := w.ms[r*nsb : (r+1)*nsb]
		for t := 0; t < n; t++ {
			bs := a.bsum[t*nsb*16 : (t+1)*nsb*16]
			xd := a.d[t*nsb : (t+1)*nsb]
			var s float32
			for i := range dmin {
				m := (*[16]int8)(mins[16*i:])
				b := (*[16]int16)(bs[16*i:])
				var m0, m1, m2, m3 int32
				for j := 0; j < 16; j += 4 {
					m0 += int32(m[j]) * int32(b[j])
					m1 += int32(m[j+1]) * int32(b[j+1])
					m2 += int32(m[j+2]) * int32(b[j+2])
					m3 += int32(m[j+3]) * int32(b[j+3])
				}
				s += float32(float32(xd[i]*dmin[i]) * float32(m0+m1+m2+m3))
			}
			y[t*w.Rows+r] -= s
		}
	}
}

// repackIQ4XS decodes IQ4_XS to one int8 (kvalues[q]) per element, with
// each 32-element sub-block's scale d*(ls-32) (exact in float32) in m.ds:
// the layout of repackQ8_0, so the Q8_0 assembly runs it, reading the Q8_K
// activations as 32-element blocks (acts.xs/xs4/xk4 built from the Q8_K
// scale and bsums). The integer sums per sub-block are ggml's; the float
// scaling is applied per sub-block instead of per super-block (a rounding
// difference of order 1e-7 relative).
func (m *Matrix) repackIQ4XS() {
	nsb := m.Rows * m.Cols / qkK
	m.qs = weightBytes(nsb * qkK)
	m.ds = make([]float32, nsb*8)
	q := int8s(m.qs)
	for b := 0; b < nsb; b++ {
		blk := m.Data[b*iq4XS : (b+1)*iq4XS]
		d := f16at(blk)
		for ib := 0; ib < 8; ib++ {
			m.ds[b*8+ib] = d * float32(iq4XSScale(blk, ib))
			src := blk[8+16*ib : 8+16*ib+16]
			out := q[b*qkK+32*ib : b*qkK+32*ib+32]
			for j := 0; j < 16; j++ {
				out[j], out[j+16] = kvaluesIQ4NL[src[j]&0xf], kvaluesIQ4NL[src[j]>>4]
			}
		}
	}
}
