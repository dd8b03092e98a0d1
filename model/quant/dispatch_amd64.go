//go:build amd64 && !purego

package quant

// Assembly kernels (kernels_amd64.s), used when the CPU and OS support AVX2,
// FMA and F16C; the portable Go kernels otherwise.

func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)
func xgetbv() (eax, edx uint32)

//go:noescape
func dotQ8_0AVX2(wq *int8, wd *float32, xq *int8, xd *float32, nb int) float32

//go:noescape
func dotQ4_0PairsAVX2(wq *byte, wd *float32, xq *int8, xd *float32, npairs int) float32

//go:noescape
func dotQ8_0x4AVX2(wq *int8, wd *float32, xq *int8, xd *float32, nb, xstride, dstride int, out *float32)

//go:noescape
func dotQ4_0x4PairsAVX2(wq *byte, wd *float32, xq *int8, xd *float32, npairs, xstride, dstride int, out *float32)

//go:noescape
func dotF32x4AVX2(a, b *float32, n, stride int, out *float32)

//go:noescape
func dotF16x4AVX2(a *uint16, b *float32, n, stride int, out *float32)

//go:noescape
func dotF32AVX2(a, b *float32, n int) float32

//go:noescape
func dotF16AVX2(a *uint16, b *float32, n int) float32

// hasAVX2 is fixed at package init: AVX2+FMA+F16C with YMM state enabled.
var hasAVX2 = detectAVX2()

func detectAVX2() bool {
	maxID, _, _, _ := cpuid(0, 0)
	if maxID < 7 {
		return false
	}
	_, _, ecx1, _ := cpuid(1, 0)
	const fma, osxsave, avx, f16c = 1 << 12, 1 << 27, 1 << 28, 1 << 29
	if ecx1&(fma|osxsave|avx|f16c) != fma|osxsave|avx|f16c {
		return false
	}
	if xcr0, _ := xgetbv(); xcr0&6 != 6 { // XMM and YMM state saved by the OS
		return false
	}
	_, ebx7, _, _ := cpuid(7, 0)
	return ebx7&(1<<5) != 0
}

func dotQ8_0(wq []int8, wd []float32, xq []int8, xd []float32) float32 {
	if !hasAVX2 || len(wd) == 0 {
		return dotQ8_0Go(wq, wd, xq, xd)
	}
	nb := len(wd)
	_, _, _ = wq[nb*qk-1], xq[nb*qk-1], xd[nb-1]
	return dotQ8_0AVX2(&wq[0], &wd[0], &xq[0], &xd[0], nb)
}

func dotQ4_0(wq []byte, wd []float32, xq []int8, xd []float32) float32 {
	nb := len(wd)
	if !hasAVX2 || nb < 2 {
		return dotQ4_0Go(wq, wd, xq, xd)
	}
	np := nb / 2
	_, _, _ = wq[np*32-1], xq[nb*qk-1], xd[nb-1]
	s := dotQ4_0PairsAVX2(&wq[0], &wd[0], &xq[0], &xd[0], np)
	if nb&1 == 1 {
		b := nb - 1
		s += dotQ4_0Go(wq[np*32:], wd[b:], xq[b*qk:], xd[b:])
	}
	return s
}

func dotQ4K(row []byte, xq []int8, xd []float32, bsum []int16) float32 {
	return dotQ4KGo(row, xq, xd, bsum)
}

func dotQ6K(row []byte, xq []int8, xd []float32) float32 { return dotQ6KGo(row, xq, xd) }

func dotF32(a, b []float32) float32 {
	n8 := len(a) &^ 7
	if !hasAVX2 || n8 == 0 {
		return dotF32Go(a, b)
	}
	_ = b[len(a)-1]
	s := dotF32AVX2(&a[0], &b[0], n8)
	for i := n8; i < len(a); i++ {
		s += a[i] * b[i]
	}
	return s
}

func dotF16(a []uint16, b []float32) float32 {
	n8 := len(a) &^ 7
	if !hasAVX2 || n8 == 0 {
		return dotF16Go(a, b)
	}
	_ = b[len(a)-1]
	s := dotF16AVX2(&a[0], &b[0], n8)
	for i := n8; i < len(a); i++ {
		s += fp16Table[a[i]] * b[i]
	}
	return s
}

// asmKernels reports whether the assembly kernels are in use.
func asmKernels() bool { return hasAVX2 }

// The four-token tiles: xq/xd (x) hold four consecutive tokens.

func dotQ8_0x4(wq []int8, wd []float32, xq []int8, xd []float32, out *[4]float32) {
	cols, nb := len(wq), len(wd)
	if !hasAVX2 || nb == 0 {
		for t := range out {
			out[t] = dotQ8_0Go(wq, wd, xq[t*cols:(t+1)*cols], xd[t*nb:(t+1)*nb])
		}
		return
	}
	_, _, _ = wq[nb*qk-1], xq[4*cols-1], xd[4*nb-1]
	dotQ8_0x4AVX2(&wq[0], &wd[0], &xq[0], &xd[0], nb, cols, 4*nb, &out[0])
}

func dotQ4_0x4(wq []byte, wd []float32, xq []int8, xd []float32, out *[4]float32) {
	nb := len(wd)
	cols := nb * qk
	if !hasAVX2 || nb < 2 {
		for t := range out {
			out[t] = dotQ4_0Go(wq, wd, xq[t*cols:(t+1)*cols], xd[t*nb:(t+1)*nb])
		}
		return
	}
	np := nb / 2
	_, _, _ = wq[np*32-1], xq[4*cols-1], xd[4*nb-1]
	dotQ4_0x4PairsAVX2(&wq[0], &wd[0], &xq[0], &xd[0], np, cols, 4*nb, &out[0])
	if nb&1 == 1 {
		b := nb - 1
		for t := range out {
			out[t] += dotQ4_0Go(wq[np*32:], wd[b:], xq[t*cols+b*qk:(t+1)*cols], xd[t*nb+b:(t+1)*nb])
		}
	}
}

func dotF32x4(a, x []float32, out *[4]float32) {
	n, n8 := len(a), len(a)&^7
	if !hasAVX2 || n8 == 0 {
		for t := range out {
			out[t] = dotF32Go(a, x[t*n:(t+1)*n])
		}
		return
	}
	_ = x[4*n-1]
	dotF32x4AVX2(&a[0], &x[0], n8, n, &out[0])
	for t := range out {
		xt := x[t*n : (t+1)*n]
		for i := n8; i < n; i++ {
			out[t] += a[i] * xt[i]
		}
	}
}

func dotF16x4(a []uint16, x []float32, out *[4]float32) {
	n, n8 := len(a), len(a)&^7
	if !hasAVX2 || n8 == 0 {
		for t := range out {
			out[t] = dotF16Go(a, x[t*n:(t+1)*n])
		}
		return
	}
	_ = x[4*n-1]
	dotF16x4AVX2(&a[0], &x[0], n8, n, &out[0])
	for t := range out {
		xt := x[t*n : (t+1)*n]
		for i := n8; i < n; i++ {
			out[t] += fp16Table[a[i]] * xt[i]
		}
	}
}
