package quant

import "math"

// Exponentials for softmax, next to the GEMMs because the trainer needs them
// between its products: its cross-entropy over a vocabulary of 8192 takes
// 17 million exponentials a step, and float64 math.Exp (or even the scalar
// expShiftGo below, about 6 ns each) would cost a quarter of a step once the
// products run in assembly; the AVX2 loop takes about 0.5 ns.

// SoftmaxExp replaces every x of the non-empty xs with e^(x−m), m being the
// largest x, and returns m and the sum of the exponentials (as ExpShift):
// softmax(xs) is then xs divided by sum, and log(sum(e^xs)) is m + log(sum).
func SoftmaxExp(xs []float32) (m float32, sum float64) {
	m = maxOf(xs)
	return m, ExpShift(xs, m)
}

// maxOf is the largest element of the non-empty xs (assembly where present;
// NaNs are not guaranteed to propagate, but ExpShift's are).
func maxOf(xs []float32) float32 {
	done, m := maxAsm(xs)
	if done == 0 {
		m = xs[0]
	}
	return max(m, maxGo(xs[done:], m))
}

// maxGo is the largest of xs and m. It compares with branches in four
// independent lanes: the max builtin's NaN handling makes it a chain of
// dependent instructions several times slower.
func maxGo(xs []float32, m float32) float32 {
	m0, m1, m2, m3 := m, m, m, m
	i := 0
	for ; i+4 <= len(xs); i += 4 {
		x := xs[i : i+4 : i+4]
		if x[0] > m0 {
			m0 = x[0]
		}
		if x[1] > m1 {
			m1 = x[1]
		}
		if x[2] > m2 {
			m2 = x[2]
		}
		if x[3] > m3 {
			m3 = x[3]
		}
	}
	for ; i < len(xs); i++ {
		if xs[i] > m0 {
			m0 = xs[i]
		}
	}
	return max(m0, m1, m2, m3)
}

// ExpShift replaces every x of xs with e^(x−shift) and returns their sum,
// accumulated in float64. shift is meant to be at least max(xs) (softmax's
// shift), so that every exponent is at most 0; below -87 the exponent is
// clamped to -87 (e^-87 ≈ 1.6e-38, where e^x would leave the normal float
// range). The result is within 3 ulp of e^(x−shift); NaNs stay NaN.
func ExpShift(xs []float32, shift float32) float64 {
	done, sum := expShiftAsm(xs, shift)
	return sum + expShiftGo(xs[done:], shift)
}

// expShiftGo is the portable ExpShift: Cephes's expf, written out in the
// loop so the CPU can overlap neighbouring elements. x = n·ln2 + r with
// |r| <= ln2/2 (ln2 split in two so that r is exact), e^r by a degree-6
// polynomial, 2^n put straight into the exponent bits.
func expShiftGo(xs []float32, shift float32) float64 {
	var s0, s1 float64
	for i, x := range xs {
		x = max(x-shift, -87)
		// Round x·log2(e) to an integer by adding 1.5·2^23: the sum's low
		// mantissa bits are then n + 2^22.
		t := x*math.Log2E + 0x1.8p23
		n := t - 0x1.8p23
		r := x - n*0.693359375 - n*-2.12194440e-4
		p := ((((1.9875691500e-4*r+1.3981999507e-3)*r+8.3334519073e-3)*r+4.1665795894e-2)*r+1.6666665459e-1)*r + 5.0000001201e-1
		e := (p*r*r + r + 1) * math.Float32frombits((math.Float32bits(t)-0x4b400000+127)<<23)
		xs[i] = e
		if i&1 == 0 {
			s0 += float64(e)
		} else {
			s1 += float64(e)
		}
	}
	return s0 + s1
}
