//go:build amd64 && !purego

package quant

// The assembly micro-kernels (gemm_amd64.s), chosen at package init by the
// CPU's features; see gemm.go for the layout they read.

//go:noescape
func gemm6x16AVX2(kc int, a *float32, rs, cs int, b *float32, bs int, c *float32, ldc int, acc int)

//go:noescape
func gemm12x32AVX512(kc int, a *float32, rs, cs int, b *float32, bs int, c *float32, ldc int, acc int)

var (
	gemmAVX2   = &gemmKernel{name: "avx2", mr: 6, nr: 16, fn: gemm6x16}
	gemmAVX512 = &gemmKernel{name: "avx512", mr: 12, nr: 32, fn: gemm12x32}
)

// The wrappers check the extent of each operand once, then run the assembly.

func gemm6x16(kc int, a []float32, rs, cs int, b []float32, bs int, c []float32, ldc int, acc bool) {
	_, _, _ = a[5*rs+(kc-1)*cs], b[(kc-1)*bs+15], c[5*ldc+15]
	gemm6x16AVX2(kc, &a[0], rs, cs, &b[0], bs, &c[0], ldc, b2i(acc))
}

func gemm12x32(kc int, a []float32, rs, cs int, b []float32, bs int, c []float32, ldc int, acc bool) {
	_, _, _ = a[11*rs+(kc-1)*cs], b[(kc-1)*bs+31], c[11*ldc+31]
	gemm12x32AVX512(kc, &a[0], rs, cs, &b[0], bs, &c[0], ldc, b2i(acc))
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// hasAVX512F is fixed at package init: AVX-512 Foundation with the opmask
// and ZMM register state enabled by the OS.
var hasAVX512F = hasAVX2 && detectAVX512F()

func detectAVX512F() bool {
	_, ebx7, _, _ := cpuid(7, 0)
	if ebx7&(1<<16) == 0 {
		return false
	}
	xcr0, _ := xgetbv()
	return xcr0&0xe6 == 0xe6 // XMM, YMM, opmask, ZMM state
}

// gemmKernels lists the micro-kernels this CPU can run, fastest first.
func gemmKernels() []*gemmKernel {
	switch {
	case hasAVX512F:
		return []*gemmKernel{gemmAVX512, gemmAVX2, gemmGo}
	case hasAVX2:
		return []*gemmKernel{gemmAVX2, gemmGo}
	}
	return []*gemmKernel{gemmGo}
}

//go:noescape
func expShiftAVX2(x *float32, n int, shift float32) float64

// expShiftAsm runs ExpShift's assembly on the longest multiple of 8 of xs
// and returns how many elements it did and their sum.
func expShiftAsm(xs []float32, shift float32) (int, float64) {
	n := len(xs) &^ 7
	if !hasAVX2 || n == 0 {
		return 0, 0
	}
	return n, expShiftAVX2(&xs[0], n, shift)
}

//go:noescape
func maxAVX2(x *float32, n int) float32

// maxAsm is the largest of the longest multiple of 8 of xs, and how many
// elements that is (0: none, the result meaningless).
func maxAsm(xs []float32) (int, float32) {
	n := len(xs) &^ 7
	if !hasAVX2 || n == 0 {
		return 0, 0
	}
	return n, maxAVX2(&xs[0], n)
}

//go:noescape
func swigluAVX2(h, up *float32, n int)

// swigluAsm runs SwiGLU's assembly on the longest multiple of 8 of h and
// returns how many elements it did.
func swigluAsm(h, up []float32) int {
	n := len(h) &^ 7
	if !hasAVX2 || n == 0 {
		return 0
	}
	_ = up[n-1]
	swigluAVX2(&h[0], &up[0], n)
	return n
}
