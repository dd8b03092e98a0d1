package quant

import "math"

// fp16Table maps every IEEE half bit pattern to its float32 value. Converting
// through a 256 KiB table is faster than bit twiddling in the scalar kernels,
// and it is filled once at init and never written again.
var fp16Table = func() *[1 << 16]float32 {
	var t [1 << 16]float32
	for i := range t {
		t[i] = fp16ToFP32Slow(uint16(i))
	}
	return &t
}()

// FP16ToFP32 converts an IEEE 754 half to float32 (exact: every half is a float32).
func FP16ToFP32(h uint16) float32 { return fp16Table[h] }

// fp16ToFP32Slow decodes a half bit by bit; it fills fp16Table.
func fp16ToFP32Slow(h uint16) float32 {
	sign := uint32(h&0x8000) << 16
	exp := uint32(h>>10) & 0x1f
	man := uint32(h & 0x3ff)
	switch {
	case exp == 0x1f: // Inf or NaN: keep the payload, widened.
		return math.Float32frombits(sign | 0x7f800000 | man<<13)
	case exp != 0: // normal
		return math.Float32frombits(sign | (exp+112)<<23 | man<<13)
	case man == 0:
		return math.Float32frombits(sign)
	default: // subnormal half: man * 2^-24, always a normal float32
		f := float32(man) * (1.0 / (1 << 24))
		return math.Float32frombits(sign | math.Float32bits(f))
	}
}

// FP32ToFP16 converts float32 to the nearest IEEE half, ties to even, like
// ggml's GGML_FP32_TO_FP16 and the F16C VCVTPS2PH instruction. Values that
// round beyond 65504 become Inf; NaN becomes the quiet NaN 0x7e00 (with sign).
func FP32ToFP16(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	a := b & 0x7fffffff
	switch {
	case a > 0x7f800000: // NaN
		return sign | 0x7e00
	case a >= 0x477ff000: // >= 65520 rounds to Inf (65520 is the tie above 65504, odd mantissa)
		return sign | 0x7c00
	case a >= 0x38800000: // result is a normal half (or rounds up into the next binade)
		m := a - 0x38000000 // rebias the exponent from 127 to 15
		h := m >> 13
		rem := m & 0x1fff
		if rem > 0x1000 || (rem == 0x1000 && h&1 == 1) {
			h++
		}
		return sign | uint16(h)
	case a <= 0x33000000: // <= 2^-25: rounds to zero (2^-25 is a tie, zero is even)
		return sign
	default: // subnormal half: count units of 2^-24
		exp := a >> 23
		mant := a&0x7fffff | 0x800000
		shift := 126 - exp // value/2^-24 = mant * 2^(exp-126); shift in [14, 24]
		h := mant >> shift
		rem := mant & (1<<shift - 1)
		half := uint32(1) << (shift - 1)
		if rem > half || (rem == half && h&1 == 1) {
			h++
		}
		return sign | uint16(h)
	}
}

// BF16ToFP32 converts a bfloat16 to float32 (exact).
func BF16ToFP32(h uint16) float32 { return math.Float32frombits(uint32(h) << 16) }

// FP32ToBF16 rounds float32 to bfloat16, ties to even; NaNs stay NaN (quieted),
// as ggml's GGML_FP32_TO_BF16.
func FP32ToBF16(f float32) uint16 {
	u := math.Float32bits(f)
	if u&0x7fffffff > 0x7f800000 {
		return uint16(u>>16) | 64
	}
	return uint16((u + 0x7fff + (u>>16)&1) >> 16)
}

// roundFP16 returns f rounded to the nearest half and widened back.
func roundFP16(f float32) float32 { return fp16Table[FP32ToFP16(f)] }

// nearestInt rounds to the nearest integer, ties to even, exactly as ggml's
// nearest_int (adding 1.5*2^23 makes the FPU do the rounding). Valid for
// |f| <= 2^22, which every caller guarantees by construction.
func nearestInt(f float32) int32 {
	v := float32(f + 12582912)
	return int32(math.Float32bits(v)&0x007fffff) - 0x00400000
}
