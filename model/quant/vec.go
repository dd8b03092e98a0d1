package quant

import "math"

// Float vector kernels for the decoder's attention (scores q·k and the
// weighted sum of values), SIMD where the CPU allows. Summation order differs
// from a sequential loop (eight lanes, fused multiply-adds), as it does in
// ggml's vectorised versions.

// DotF32 returns Σ a[i]·b[i]; b must be at least as long as a.
func DotF32(a, b []float32) float32 {
	return dotF32(a, b[:len(a)])
}

// DotF32Lanes4 returns Σ a[i]·b[i] in four partial sums over interleaved
// elements, the same order on every CPU; b must be at least as long as a. The
// decoder's F32 KV cache (the parity tests' setting) scores with it: on the
// tiny test models llama.cpp's scores are sensitive enough to the summation
// order that this one tracks them far closer than DotF32's eight lanes (row
// error median 2e-5 against 0.2).
func DotF32Lanes4(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// DotF16 returns Σ a[i]·b[i] with b stored as IEEE halves; b must be at
// least as long as a.
func DotF16(a []float32, b []uint16) float32 {
	return dotF16(b[:len(a)], a)
}

// AxpyF32 adds alpha·x to y element-wise; x must be at least as long as y.
func AxpyF32(y []float32, alpha float32, x []float32) {
	axpyF32(y, alpha, x[:len(y)])
}

// AxpyF16 adds alpha·x to y element-wise, x stored as IEEE halves; x must be
// at least as long as y.
func AxpyF16(y []float32, alpha float32, x []uint16) {
	axpyF16(y, alpha, x[:len(y)])
}

func axpyF32Go(y []float32, alpha float32, x []float32) {
	x = x[:len(y)]
	for i := range y {
		y[i] += alpha * x[i]
	}
}

func axpyF16Go(y []float32, alpha float32, x []uint16) {
	x = x[:len(y)]
	for i := range y {
		y[i] += alpha * fp16Table[x[i]]
	}
}

// RoundFP16s sets dst[i] to src[i] rounded to the nearest IEEE half (ties to
// even) and widened back, as storing to and loading from an F16 tensor
// does; dst must be at least as long as src, and may be src.
func RoundFP16s(dst, src []float32) {
	roundFP16s(dst[:len(src)], src)
}

// ScoresF16 sets out[t] = scale·(q · k[t*stride : t*stride+len(q)]) for every
// t < len(out), the keys stored as IEEE halves, and returns the largest
// out[t] (-Inf when out is empty): an attention head's scores against the
// cached keys in one call.
func ScoresF16(out, q []float32, k []uint16, stride int, scale float32) float32 {
	if len(out) > 0 {
		_ = k[(len(out)-1)*stride+len(q)-1]
	}
	return scoresF16(out, q, k, stride, scale)
}

// WeightedSumF16 sets out[j] = Σ_t p[t]·v[t*stride+j] for every j < len(out),
// the values stored as IEEE halves: an attention head's output from its
// probabilities.
func WeightedSumF16(out, p []float32, v []uint16, stride int) {
	if len(p) > 0 {
		_ = v[(len(p)-1)*stride+len(out)-1]
	}
	wsumF16(out, p, v, stride)
}

func scoresF16Go(out, q []float32, k []uint16, stride int, scale float32) float32 {
	mx := float32(math.Inf(-1))
	for t := range out {
		out[t] = dotF16Go(k[t*stride:t*stride+len(q)], q) * scale
		mx = max(mx, out[t])
	}
	return mx
}

func wsumF16Go(out, p []float32, v []uint16, stride int) {
	clear(out)
	for t, pt := range p {
		axpyF16Go(out, pt, v[t*stride:t*stride+len(out)])
	}
}
