package quant

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/weft-dev/weft/model/gguf"
)

// groupMaxEps is ggml's GROUP_MAX_EPS: groups whose largest magnitude is
// below it quantize to all zeros.
const groupMaxEps = 1e-15

// Quantize encodes src as type t with ggml's reference quantizers
// (quantize_row_*_ref, or the quantize_* code llama-quantize runs without
// an importance matrix), so files written by weft match llama-quantize's
// output for the same floats. len(src) must be a whole number of blocks.
func Quantize(t gguf.Type, src []float32) ([]byte, error) {
	k := kernelOf(t)
	if k == nil || k.quant == nil {
		return nil, fmt.Errorf("quant: cannot quantize to %v", t)
	}
	n, err := t.RowBytes(len(src))
	if err != nil {
		return nil, fmt.Errorf("quant: %w", err)
	}
	dst := make([]byte, n)
	k.quant(src, dst)
	return dst, nil
}

func quantF32(src []float32, dst []byte) {
	for i, v := range src {
		binary.LittleEndian.PutUint32(dst[4*i:], math.Float32bits(v))
	}
}

func quantF16(src []float32, dst []byte) {
	for i, v := range src {
		binary.LittleEndian.PutUint16(dst[2*i:], FP32ToFP16(v))
	}
}

func quantBF16(src []float32, dst []byte) {
	for i, v := range src {
		binary.LittleEndian.PutUint16(dst[2*i:], FP32ToBF16(v))
	}
}

func abs32(f float32) float32 { return math.Float32frombits(math.Float32bits(f) &^ (1 << 31)) }

func putF16(b []byte, f float32) { binary.LittleEndian.PutUint16(b, FP32ToFP16(f)) }

// roundHalfAway is C's roundf: nearest integer, ties away from zero.
func roundHalfAway(f float32) float32 { return float32(math.Round(float64(f))) }

// quantQ8_0Ref: d = amax/127, q = roundf(x/d) (quantize_row_q8_0_ref).
func quantQ8_0Ref(x []float32, b []byte) {
	var amax float32
	for _, v := range x[:qk] {
		amax = max(amax, abs32(v))
	}
	d := amax / 127
	var id float32
	if d != 0 {
		id = 1 / d
	}
	putF16(b, d)
	for j := 0; j < qk; j++ {
		b[2+j] = byte(int8(roundHalfAway(float32(x[j] * id))))
	}
}

// quantQ4_0Ref: d = max/-8 where max is the signed value of largest
// magnitude; q = min(15, trunc(x/d + 8.5)) (quantize_row_q4_0_ref).
func quantQ4_0Ref(x []float32, b []byte) {
	var amax, mx float32
	for _, v := range x[:qk] {
		if amax < abs32(v) {
			amax, mx = abs32(v), v
		}
	}
	d := mx / -8
	var id float32
	if d != 0 {
		id = 1 / d
	}
	putF16(b, d)
	for j := 0; j < qk/2; j++ {
		x0 := float32(x[j] * id)
		x1 := float32(x[j+qk/2] * id)
		// (int8_t)(v + 8.5f): truncation toward zero; v+8.5 is in [0.5, 16.5].
		xi0 := min(15, int8(float32(x0+8.5)))
		xi1 := min(15, int8(float32(x1+8.5)))
		b[2+j] = byte(xi0) | byte(xi1)<<4
	}
}

// makeQKX2Quants is ggml's make_qkx2_quants: fit x ≈ scale*L - min with
// L in [0, nmax] by a weighted least-squares search over nstep+1 candidate
// inverse scales. It returns scale and writes L and *theMin (the subtracted
// minimum, >= 0).
func makeQKX2Quants(nmax int32, x, weights []float32, L, Laux []uint8, theMin *float32,
	rmin, rdelta float32, nstep int, useMad bool) float32 {
	n := len(x)
	mn, mx := x[0], x[0]
	sumW := weights[0]
	sumX := float32(sumW * x[0])
	for i := 1; i < n; i++ {
		mn = min(mn, x[i])
		mx = max(mx, x[i])
		w := weights[i]
		sumW += w
		sumX += float32(w * x[i])
	}
	if mn > 0 {
		mn = 0
	}
	if mx == mn {
		for i := range L[:n] {
			L[i] = 0
		}
		*theMin = -mn
		return 0
	}
	iscale := float32(nmax) / (mx - mn)
	scale := 1 / iscale
	var bestError float32
	for i := 0; i < n; i++ {
		l := nearestInt(float32(iscale * (x[i] - mn)))
		L[i] = uint8(max(0, min(nmax, l)))
		diff := float32(scale*float32(L[i])) + mn - x[i]
		if useMad {
			diff = abs32(diff)
		} else {
			diff = float32(diff * diff)
		}
		bestError += float32(weights[i] * diff)
	}
	if nstep < 1 {
		*theMin = -mn
		return scale
	}
	for is := 0; is <= nstep; is++ {
		iscale = (float32(rmin+float32(rdelta*float32(is))) + float32(nmax)) / (mx - mn)
		var sumL, sumL2, sumXL float32
		for i := 0; i < n; i++ {
			l := nearestInt(float32(iscale * (x[i] - mn)))
			l = max(0, min(nmax, l))
			Laux[i] = uint8(l)
			w := weights[i]
			fl := float32(l)
			sumL += float32(w * fl)
			sumL2 += float32(float32(w*fl) * fl)
			sumXL += float32(float32(w*fl) * x[i])
		}
		D := float32(sumW*sumL2) - float32(sumL*sumL)
		if D > 0 {
			thisScale := (float32(sumW*sumXL) - float32(sumX*sumL)) / D
			thisMin := (float32(sumL2*sumX) - float32(sumL*sumXL)) / D
			if thisMin > 0 {
				thisMin = 0
				thisScale = sumXL / sumL2
			}
			var curError float32
			for i := 0; i < n; i++ {
				diff := float32(thisScale*float32(Laux[i])) + thisMin - x[i]
				if useMad {
					diff = abs32(diff)
				} else {
					diff = float32(diff * diff)
				}
				curError += float32(weights[i] * diff)
			}
			if curError < bestError {
				copy(L[:n], Laux[:n])
				bestError = curError
				scale = thisScale
				mn = thisMin
			}
		}
	}
	*theMin = -mn
	return scale
}

// makeQXQuants is ggml's make_qx_quants for rmse_type 1 without importance
// weights (w = x*x): symmetric quantization to L in [0, 2*nmax) (stored with
// +nmax offset), searching 19 candidate scales around -nmax/max.
func makeQXQuants(nmax int32, x []float32, L []int8) float32 {
	n := len(x)
	var mx, amax float32
	for i := 0; i < n; i++ {
		if ax := abs32(x[i]); ax > amax {
			amax, mx = ax, x[i]
		}
	}
	if amax < groupMaxEps {
		for i := range L[:n] {
			L[i] = 0
		}
		return 0
	}
	iscale := -float32(nmax) / mx
	var sumlx, suml2 float32
	for i := 0; i < n; i++ {
		l := nearestInt(float32(iscale * x[i]))
		l = max(-nmax, min(nmax-1, l))
		L[i] = int8(l + nmax)
		w := float32(x[i] * x[i])
		fl := float32(l)
		sumlx += float32(float32(w*x[i]) * fl)
		suml2 += float32(float32(w*fl) * fl)
	}
	var scale float32
	if suml2 != 0 {
		scale = sumlx / suml2
	}
	best := float32(scale * sumlx)
	for is := -9; is <= 9; is++ {
		if is == 0 {
			continue
		}
		iscale = -(float32(nmax) + float32(0.1*float32(is))) / mx
		sumlx, suml2 = 0, 0
		for i := 0; i < n; i++ {
			l := nearestInt(float32(iscale * x[i]))
			l = max(-nmax, min(nmax-1, l))
			w := float32(x[i] * x[i])
			fl := float32(l)
			sumlx += float32(float32(w*x[i]) * fl)
			suml2 += float32(float32(w*fl) * fl)
		}
		if suml2 > 0 && float32(sumlx*sumlx) > float32(best*suml2) {
			for i := 0; i < n; i++ {
				l := nearestInt(float32(iscale * x[i]))
				L[i] = int8(nmax + max(-nmax, min(nmax-1, l)))
			}
			scale = sumlx / suml2
			best = float32(scale * sumlx)
		}
	}
	return scale
}

// packScalesK4 stores eight 6-bit scales and mins the way scaleMinK4 reads them.
func packScalesK4(dst []byte, ls, lm *[8]uint8) {
	for j := 0; j < 8; j++ {
		if j < 4 {
			dst[j] = ls[j]
			dst[j+4] = lm[j]
		} else {
			dst[j+4] = ls[j]&0xf | (lm[j]&0xf)<<4
			dst[j-4] |= (ls[j] >> 4) << 6
			dst[j] |= (lm[j] >> 4) << 6
		}
	}
}

// quantKMins is the shared part of quantize_row_q4_K_ref/q5_K_ref: fit each
// 32-element sub-block with makeQKX2Quants, then quantize the eight scales
// and mins to 6 bits against two fp16 super-scales, and requantize the
// elements against the rounded scales. It writes d, dmin and the 12 scale
// bytes into hdr (16 bytes) and the levels into L.
func quantKMins(x []float32, hdr []byte, L *[qkK]uint8, nmax int32, rmin float32, nstep int) {
	var (
		laux    [32]uint8
		weights [32]float32
		mins    [8]float32
		scales  [8]float32
	)
	var maxScale, maxMin float32
	for j := 0; j < 8; j++ {
		xs := x[32*j : 32*j+32]
		var sumX2 float32
		for _, v := range xs {
			sumX2 += float32(v * v)
		}
		avX := float32(math.Sqrt(float64(sumX2 / 32)))
		for l, v := range xs {
			weights[l] = avX + abs32(v)
		}
		scales[j] = makeQKX2Quants(nmax, xs, weights[:], L[32*j:32*j+32], laux[:], &mins[j], rmin, 0.1, nstep, false)
		maxScale = max(maxScale, scales[j])
		maxMin = max(maxMin, mins[j])
	}
	var invScale, invMin float32
	if maxScale > 0 {
		invScale = 63 / maxScale
	}
	if maxMin > 0 {
		invMin = 63 / maxMin
	}
	var ls, lm [8]uint8
	for j := 0; j < 8; j++ {
		ls[j] = min(63, uint8(nearestInt(float32(invScale*scales[j]))))
		lm[j] = min(63, uint8(nearestInt(float32(invMin*mins[j]))))
	}
	putF16(hdr[0:], maxScale/63)
	putF16(hdr[2:], maxMin/63)
	packScalesK4(hdr[4:16], &ls, &lm)
	d0, dmin0 := f16at(hdr[0:]), f16at(hdr[2:])
	for j := 0; j < 8; j++ {
		sc, m := scaleMinK4(j, hdr[4:16])
		d := float32(d0 * float32(sc))
		if d == 0 {
			continue
		}
		dm := float32(dmin0 * float32(m))
		for ii := 0; ii < 32; ii++ {
			l := nearestInt((x[32*j+ii] + dm) / d)
			L[32*j+ii] = uint8(max(0, min(nmax, l)))
		}
	}
}

// quantQ4KRef is quantize_row_q4_K_ref for one super-block.
func quantQ4KRef(x []float32, b []byte) {
	var L [qkK]uint8
	quantKMins(x, b[:16], &L, 15, -1, 20)
	q := b[16:]
	for j := 0; j < 4; j++ {
		for l := 0; l < 32; l++ {
			q[32*j+l] = L[64*j+l] | L[64*j+l+32]<<4
		}
	}
}

// quantQ5KRef is quantize_row_q5_K_ref for one super-block.
func quantQ5KRef(x []float32, b []byte) {
	var L [qkK]uint8
	quantKMins(x, b[:16], &L, 31, -0.5, 15)
	qh := b[16:48]
	ql := b[48:]
	clear(qh)
	for j := 0; j < 4; j++ {
		m1, m2 := byte(1)<<(2*j), byte(2)<<(2*j)
		for l := 0; l < 32; l++ {
			l1, l2 := L[64*j+l], L[64*j+l+32]
			if l1 > 15 {
				l1 -= 16
				qh[l] |= m1
			}
			if l2 > 15 {
				l2 -= 16
				qh[l] |= m2
			}
			ql[32*j+l] = l1 | l2<<4
		}
	}
}

// quantQ6KRef is quantize_row_q6_K_ref for one super-block.
func quantQ6KRef(x []float32, b []byte) {
	var (
		L      [qkK]int8
		scales [16]float32
	)
	var maxScale, maxAbsScale float32
	for ib := 0; ib < 16; ib++ {
		s := makeQXQuants(32, x[16*ib:16*ib+16], L[16*ib:16*ib+16])
		scales[ib] = s
		if a := abs32(s); a > maxAbsScale {
			maxAbsScale, maxScale = a, s
		}
	}
	clear(b[:q6K])
	if maxAbsScale < groupMaxEps {
		return
	}
	iscale := -128 / maxScale
	putF16(b[208:], 1/iscale)
	sc := b[192:208]
	for ib := 0; ib < 16; ib++ {
		sc[ib] = byte(int8(min(127, nearestInt(float32(iscale*scales[ib])))))
	}
	d0 := f16at(b[208:])
	for j := 0; j < 16; j++ {
		d := float32(d0 * float32(int8(sc[j])))
		if d == 0 {
			continue
		}
		for ii := 0; ii < 16; ii++ {
			l := nearestInt(x[16*j+ii] / d)
			L[16*j+ii] = int8(max(-32, min(31, l)) + 32)
		}
	}
	ql := b[0:128]
	qh := b[128:192]
	for n := 0; n < 2; n++ {
		Ln := L[128*n:]
		for l := 0; l < 32; l++ {
			q1 := uint8(Ln[l]) & 0xf
			q2 := uint8(Ln[l+32]) & 0xf
			q3 := uint8(Ln[l+64]) & 0xf
			q4 := uint8(Ln[l+96]) & 0xf
			ql[64*n+l] = q1 | q3<<4
			ql[64*n+l+32] = q2 | q4<<4
			qh[32*n+l] = uint8(Ln[l])>>4 | (uint8(Ln[l+32])>>4)<<2 | (uint8(Ln[l+64])>>4)<<4 | (uint8(Ln[l+96])>>4)<<6
		}
	}
}

// quantQ8KRef is quantize_row_q8_K_ref for one super-block (also the x86
// CPU backend's activation quantizer for K-quant weights).
func quantQ8KRef(x []float32, b []byte) {
	var qs [qkK]int8
	d := quantizeQ8KBlock(x, &qs)
	binary.LittleEndian.PutUint32(b, math.Float32bits(d))
	for j := range qs {
		b[4+j] = byte(qs[j])
	}
	for j := 0; j < 16; j++ {
		var s int32
		for _, v := range qs[16*j : 16*j+16] {
			s += int32(v)
		}
		binary.LittleEndian.PutUint16(b[4+qkK+2*j:], uint16(int16(s)))
	}
}

// quantizeQ8KBlock: iscale = -127/max with max the signed value of largest
// magnitude, q = min(127, nearest_int(iscale*x)), d = 1/iscale.
func quantizeQ8KBlock(x []float32, qs *[qkK]int8) float32 {
	var mx, amax float32
	for _, v := range x[:qkK] {
		if ax := abs32(v); ax > amax {
			amax, mx = ax, v
		}
	}
	if amax == 0 {
		*qs = [qkK]int8{}
		return 0
	}
	iscale := -127 / mx
	for j, v := range x[:qkK] {
		qs[j] = int8(min(127, nearestInt(float32(iscale*v))))
	}
	return 1 / iscale
}
