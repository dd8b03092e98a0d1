package quant

// The 32-element types Q4_1, Q5_0, Q5_1 and IQ4_NL: block layouts as
// ggml-common.h (llama.cpp c392e50), decoders as ggml's dequantize_row_*,
// quantizers as the code llama-quantize runs without an importance matrix
// (quantize_q4_1/q5_0/q5_1 fall back to quantize_row_*_ref;
// quantize_iq4_nl runs quantize_row_iq4_nl_impl with ntry = 7).

import (
	"encoding/binary"
	"math"

	"github.com/weft-dev/weft/model/gguf"
)

const (
	q4_1  = 2 + 2 + qk/2     // block_q4_1: d, m (fp16), 16 nibble bytes
	q5_0  = 2 + 4 + qk/2     // block_q5_0: d, qh (32 fifth bits), 16 nibble bytes
	q5_1  = 2 + 2 + 4 + qk/2 // block_q5_1: d, m, qh, nibbles
	iq4NL = 2 + qk/2         // block_iq4_nl: d, 16 nibble bytes (indices into kvaluesIQ4NL)
)

// kvaluesIQ4NL is ggml's kvalues_iq4nl: the 16 non-linear levels of IQ4_NL
// and IQ4_XS.
var kvaluesIQ4NL = [16]int8{-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113}

// dequantQ4_1 is dequantize_row_q4_1: value = q*d + m, q in [0, 15];
// element j in the low nibble of byte j, element j+16 in the high one.
func dequantQ4_1(b []byte, y []float32) {
	d, m := f16at(b), f16at(b[2:])
	for j := 0; j < qk/2; j++ {
		q := b[4+j]
		y[j] = float32(q&0xf)*d + m
		y[j+qk/2] = float32(q>>4)*d + m
	}
}

// q5Vals returns the two 5-bit quants (0..31) of byte j of a Q5_0/Q5_1
// block: qh bit j is the fifth bit of element j, bit j+16 that of j+16.
func q5Vals(qs []byte, qh uint32, j int) (x0, x1 int32) {
	x0 = int32(qs[j]&0xf) | int32((qh>>j)<<4&0x10)
	x1 = int32(qs[j]>>4) | int32((qh>>(j+12))&0x10)
	return
}

// dequantQ5_0 is dequantize_row_q5_0: value = (q - 16)*d.
func dequantQ5_0(b []byte, y []float32) {
	d := f16at(b)
	qh := binary.LittleEndian.Uint32(b[2:])
	for j := 0; j < qk/2; j++ {
		x0, x1 := q5Vals(b[6:], qh, j)
		y[j] = float32(x0-16) * d
		y[j+qk/2] = float32(x1-16) * d
	}
}

// dequantQ5_1 is dequantize_row_q5_1: value = q*d + m.
func dequantQ5_1(b []byte, y []float32) {
	d, m := f16at(b), f16at(b[2:])
	qh := binary.LittleEndian.Uint32(b[4:])
	for j := 0; j < qk/2; j++ {
		x0, x1 := q5Vals(b[8:], qh, j)
		y[j] = float32(x0)*d + m
		y[j+qk/2] = float32(x1)*d + m
	}
}

// dequantIQ4NL is dequantize_row_iq4_nl: value = d*kvalues[q].
func dequantIQ4NL(b []byte, y []float32) {
	d := f16at(b)
	for j := 0; j < qk/2; j++ {
		q := b[2+j]
		y[j] = d * float32(kvaluesIQ4NL[q&0xf])
		y[j+qk/2] = d * float32(kvaluesIQ4NL[q>>4])
	}
}

// minMax returns the smallest and largest of x, in ggml's order (FLT_MAX
// starts; NaNs never win a comparison).
func minMax(x []float32) (mn, mx float32) {
	mn, mx = math.MaxFloat32, -math.MaxFloat32
	for _, v := range x {
		if v < mn {
			mn = v
		}
		if v > mx {
			mx = v
		}
	}
	return
}

// quantQ4_1Ref is quantize_row_q4_1_ref: d = (max-min)/15, q =
// min(15, trunc((x-min)/d + 0.5)).
func quantQ4_1Ref(x []float32, b []byte) {
	mn, mx := minMax(x[:qk])
	d := (mx - mn) / 15
	var id float32
	if d != 0 {
		id = 1 / d
	}
	putF16(b, d)
	putF16(b[2:], mn)
	for j := 0; j < qk/2; j++ {
		x0 := float32((x[j] - mn) * id)
		x1 := float32((x[j+qk/2] - mn) * id)
		xi0 := min(15, uint8(int8(float32(x0+0.5))))
		xi1 := min(15, uint8(int8(float32(x1+0.5))))
		b[4+j] = xi0 | xi1<<4
	}
}

// quantQ5_0Ref is quantize_row_q5_0_ref: d = max/-16 with max the signed
// value of largest magnitude, q = min(31, trunc(x/d + 16.5)).
func quantQ5_0Ref(x []float32, b []byte) {
	var amax, mx float32
	for _, v := range x[:qk] {
		if amax < abs32(v) {
			amax, mx = abs32(v), v
		}
	}
	d := mx / -16
	var id float32
	if d != 0 {
		id = 1 / d
	}
	putF16(b, d)
	var qh uint32
	for j := 0; j < qk/2; j++ {
		x0 := float32(x[j] * id)
		x1 := float32(x[j+qk/2] * id)
		xi0 := min(31, uint8(int8(float32(x0+16.5))))
		xi1 := min(31, uint8(int8(float32(x1+16.5))))
		b[6+j] = xi0&0xf | (xi1&0xf)<<4
		qh |= uint32(xi0&0x10) >> 4 << j
		qh |= uint32(xi1&0x10) >> 4 << (j + qk/2)
	}
	binary.LittleEndian.PutUint32(b[2:], qh)
}

// quantQ5_1Ref is quantize_row_q5_1_ref: d = (max-min)/31, q =
// trunc((x-min)/d + 0.5) (no clamp in ggml: the largest lands on 31).
func quantQ5_1Ref(x []float32, b []byte) {
	mn, mx := minMax(x[:qk])
	d := (mx - mn) / 31
	var id float32
	if d != 0 {
		id = 1 / d
	}
	putF16(b, d)
	putF16(b[2:], mn)
	var qh uint32
	for j := 0; j < qk/2; j++ {
		x0 := float32((x[j] - mn) * id)
		x1 := float32((x[j+qk/2] - mn) * id)
		xi0 := uint8(float32(x0 + 0.5))
		xi1 := uint8(float32(x1 + 0.5))
		b[8+j] = xi0&0xf | (xi1&0xf)<<4
		qh |= uint32(xi0&0x10) >> 4 << j
		qh |= uint32(xi1&0x10) >> 4 << (j + qk/2)
	}
	binary.LittleEndian.PutUint32(b[4:], qh)
}

// bestIndexInt8 is ggml's best_index_int8: the index of the level in the
// sorted table val nearest to x (the lower one on a tie).
func bestIndexInt8(val *[16]int8, x float32) int {
	if x <= float32(val[0]) {
		return 0
	}
	if x >= float32(val[15]) {
		return 15
	}
	ml, mu := 0, 15
	for mu-ml > 1 {
		mav := (ml + mu) / 2
		if x < float32(val[mav]) {
			mu = mav
		} else {
			ml = mav
		}
	}
	if x-float32(val[mu-1]) < float32(val[mu])-x {
		return mu - 1
	}
	return mu
}

// iq4Fit is the per-block search of quantize_row_iq4_nl_impl without
// importance weights (weight = x²): start from d = -max/values[0], refit
// d by least squares, then try the 2*ntry+1 inverse scales (itry +
// values[0])/max and keep the best. It returns the block scale and leaves
// the levels in L.
func iq4Fit(xb []float32, L []uint8, ntry int) float32 {
	var amax, mx float32
	for _, v := range xb {
		if ax := abs32(v); ax > amax {
			amax, mx = ax, v
		}
	}
	if amax < groupMaxEps {
		return 0
	}
	vals := &kvaluesIQ4NL
	v0 := float32(vals[0])
	d := -mx / v0
	if ntry <= 0 {
		d = mx / v0
	}
	id := 1 / d
	var sumqx, sumq2 float32
	for j, x := range xb {
		l := bestIndexInt8(vals, float32(id*x))
		L[j] = uint8(l)
		q := float32(vals[l])
		w := float32(x * x)
		sumqx += float32(float32(w*q) * x)
		sumq2 += float32(float32(w*q) * q)
	}
	d = sumqx / sumq2
	best := float32(d * sumqx)
	for itry := -ntry; itry <= ntry; itry++ {
		id = (float32(itry) + v0) / mx
		sumqx, sumq2 = 0, 0
		for _, x := range xb {
			l := bestIndexInt8(vals, float32(id*x))
			q := float32(vals[l])
			w := float32(x * x)
			sumqx += float32(float32(w*q) * x)
			sumq2 += float32(float32(w*q) * q)
		}
		if sumq2 > 0 && float32(sumqx*sumqx) > float32(best*sumq2) {
			d = sumqx / sumq2
			best = float32(d * sumqx)
		}
	}
	return d
}

// quantIQ4NL is quantize_iq4_nl without importance weights (what
// llama-quantize writes): one iq4Fit with ntry = 7, d stored as fp16, then
// every element re-mapped with the unrounded 1/d.
func quantIQ4NL(x []float32, b []byte) {
	var L [qk]uint8
	d := iq4Fit(x[:qk], L[:], 7)
	putF16(b, d)
	var id float32
	if d != 0 {
		id = 1 / d
	}
	for j, v := range x[:qk] {
		L[j] = uint8(bestIndexInt8(&kvaluesIQ4NL, float32(id*v)))
	}
	for j := 0; j < qk/2; j++ {
		b[2+j] = L[j] | L[j+qk/2]<<4
	}
}

// repackInt8 decodes Q5_0, Q5_1 and IQ4_NL blocks to one signed int8 per
// element plus a float scale per block (and, for Q5_1, a float min per
// block in m.ms), the layout of repackQ8_0, so that the Q8_0 kernels
// (portable and assembly) compute their products. The integer dot products
// are the ones ggml forms (q-16 for Q5_0, q for Q5_1, kvalues[q] for
// IQ4_NL, each times the Q8_0/Q8_1 activation quants); only the memory
// read per weight grows, from 5.5 or 4.5 bits to 9.
func (m *Matrix) repackInt8() {
	nb := m.Rows * m.Cols / qk
	size := m.Type.BlockBytes()
	m.qs = weightBytes(nb * qk)
	m.ds = make([]float32, nb)
	if m.Type == gguf.TypeQ5_1 {
		m.ms = make([]float32, nb)
	}
	q := int8s(m.qs)
	for b := 0; b < nb; b++ {
		blk := m.Data[b*size : (b+1)*size]
		out := q[b*qk : (b+1)*qk]
		m.ds[b] = f16at(blk)
		switch m.Type {
		case gguf.TypeQ5_0:
			qh := binary.LittleEndian.Uint32(blk[2:])
			for j := 0; j < qk/2; j++ {
				x0, x1 := q5Vals(blk[6:], qh, j)
				out[j], out[j+qk/2] = int8(x0-16), int8(x1-16)
			}
		case gguf.TypeQ5_1:
			m.ms[b] = f16at(blk[2:])
			qh := binary.LittleEndian.Uint32(blk[4:])
			for j := 0; j < qk/2; j++ {
				x0, x1 := q5Vals(blk[8:], qh, j)
				out[j], out[j+qk/2] = int8(x0), int8(x1)
			}
		case gguf.TypeIQ4_NL:
			for j := 0; j < qk/2; j++ {
				out[j], out[j+qk/2] = kvaluesIQ4NL[blk[2+j]&0xf], kvaluesIQ4NL[blk[2+j]>>4]
			}
		}
	}
}

// repackQ4_1 is repackQ4_0 for Q4_1 (the nibbles used as 0..15, no offset)
// with the block mins in m.ms.
func (m *Matrix) repackQ4_1() {
	nbr := m.Cols / qk
	rb := q4RowBytes(m.Cols)
	m.qs = weightBytes(m.Rows * rb)
	m.ds = make([]float32, m.Rows*nbr)
	m.ms = make([]float32, m.Rows*nbr)
	for r := 0; r < m.Rows; r++ {
		out := m.qs[r*rb : (r+1)*rb]
		for b := 0; b < nbr; b++ {
			blk := m.Data[(r*nbr+b)*q4_1 : (r*nbr+b+1)*q4_1]
			m.ds[r*nbr+b] = f16at(blk)
			m.ms[r*nbr+b] = f16at(blk[2:])
			packNibblePair(out[(b/2)*32:(b/2)*32+32], blk[4:4+qk/2], b&1)
		}
	}
	m.halfScales(q4_1, 0)
}

// packNibblePair stores one block's 16 ggml nibble bytes (element j low,
// j+16 high) into the paired layout of repackQ4_0: element k in the low
// nibble of dst[k] for the pair's first block (half 0), the high nibble
// for its second (half 1).
func packNibblePair(dst, qs []byte, half int) {
	shift := uint(4 * half)
	for j := 0; j < qk/2; j++ {
		dst[j] |= (qs[j] & 0xf) << shift
		dst[j+qk/2] |= (qs[j] >> 4) << shift
	}
}

// addMins adds the Q4_1/Q5_1 min term Σ_b m_b*s_b to rows [r0, r1) of y:
// ggml's vec_dot_q4_1_q8_1 and q5_1_q8_1 add it to the scaled integer
// sums after the loop over blocks (summs), as here, though summed in
// order where this takes a vector dot.
func addMins(w *Matrix, a *acts, r0, r1, n int, y []float32) {
	nb := w.Cols / qk
	for r := r0; r < r1; r++ {
		ms := w.ms[r*nb : (r+1)*nb]
		for t := 0; t < n; t++ {
			// A vector dot (ggml sums this term in order; the float
			// rounding differs, the terms are the same).
			y[t*w.Rows+r] += dotF32(ms, a.s[t*nb:(t+1)*nb])
		}
	}
}

// matQ4_1 is the portable ggml_vec_dot_q4_1_q8_1: per block the exact int
// dot of the unsigned nibbles with the Q8_1 quants, scaled by d_w*d_x,
// plus the min term.
func matQ4_1(w *Matrix, a *acts, r0, r1, n int, y []float32) {
	nb := w.Cols / qk
	rb := q4RowBytes(w.Cols)
	for r := r0; r < r1; r++ {
		rq := w.qs[r*rb : (r+1)*rb]
		rd := w.ds[r*nb : (r+1)*nb]
		for t := 0; t < n; t++ {
			y[t*w.Rows+r] = dotNibGo(rq, rd, a.qs[t*w.Cols:(t+1)*w.Cols], a.d[t*nb:(t+1)*nb], 0)
		}
	}
	addMins(w, a, r0, r1, n, y)
}

// matQ5_1 is the portable ggml_vec_dot_q5_1_q8_1 on the int8 repacking.
func matQ5_1(w *Matrix, a *acts, r0, r1, n int, y []float32) {
	matQ8_0(w, a, r0, r1, n, y)
	addMins(w, a, r0, r1, n, y)
}
