//go:build amd64 && !purego

package quant

import "github.com/weft-dev/weft/model/gguf"

// Assembly kernels (kernels_amd64.s), used when the CPU and OS support AVX2,
// FMA and F16C; the portable Go kernels otherwise. The wrappers check slice
// bounds once, then hand raw pointers to the assembly.

func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)
func xgetbv() (eax, edx uint32)

//go:noescape
func q8RowsAVX2(wq *int8, wd *float32, xq *int8, xs *float32, npairs, rows int, y *float32)

//go:noescape
func q4RowsAVX2(wq *byte, wd *float32, xq *int8, xs *float32, xk *int32, npairs, rows int, y *float32)

//go:noescape
func q8Rows4AVX2(wq *int8, wd *float32, xq *int8, xs *float32, npairs, rows, xstride, sstride int, y *float32, ystride int)

//go:noescape
func q4Rows4AVX2(wq *byte, wd *float32, xq *int8, xs *float32, xk *int32, npairs, rows, xstride, sstride int, y *float32, ystride int)

//go:noescape
func q8QuadRowsAVX2(wq *int8, wd *float32, xq *int8, xs4 *float32, nquads, rows int, y *float32)

//go:noescape
func q4QuadRowsAVX2(wq *byte, wd *float32, xq *int8, xs4 *float32, xk4 *int32, nquads, rows int, y *float32)

//go:noescape
func q8QuadRowsVNNI(wq *int8, wd *float32, xq *int8, xs4 *float32, xk4 *int32, nquads, rows int, y *float32)

//go:noescape
func q4QuadRowsVNNI(wq *byte, wd *float32, xq *int8, xs4 *float32, xk4 *int32, nquads, rows int, y *float32)

//go:noescape
func q4RowsZ(wq *byte, wd *float32, xq *int8, xs4 *float32, xk4 *int32, nquads, rows int, y *float32, perm *int32)

//go:noescape
func q8RowsZ(wq *int8, wd *float32, xq *int8, xs4 *float32, xk4 *int32, nquads, rows int, y *float32, perm *int32)

//go:noescape
func q4RowsZH(wq *byte, wd *uint16, xq *int8, xs4 *float32, xk4 *int32, nquads, rows int, y *float32, perm *int32)

//go:noescape
func q8RowsZH(wq *int8, wd *uint16, xq *int8, xs4 *float32, xk4 *int32, nquads, rows int, y *float32, perm *int32)

//go:noescape
func q4Quad4Z(wq *byte, wd *float32, xq *int8, xs4 *float32, xk4 *int32, nquads, rows, xstride, sstride int, y *float32, ystride int, perm *int32)

//go:noescape
func q8Quad4Z(wq *int8, wd *float32, xq *int8, xs4 *float32, xk4 *int32, nquads, rows, xstride, sstride int, y *float32, ystride int, perm *int32)

//go:noescape
func q8Quad4VNNI(wq *int8, wd *float32, xq *int8, xs4 *float32, xk4 *int32, nquads, rows, xstride, sstride int, y *float32, ystride int)

//go:noescape
func q4Quad4VNNI(wq *byte, wd *float32, xq *int8, xs4 *float32, xk4 *int32, nquads, rows, xstride, sstride int, y *float32, ystride int)

//go:noescape
func q4KRowsAVX2(w *byte, wd *float32, xq *int8, xd *float32, xb *int16, nsb, rows int, y *float32)

//go:noescape
func q4KRows4AVX2(w *byte, wd *float32, xq *int8, xd *float32, xb *int16, nsb, rows, xstride, dstride int, y *float32, ystride int)

//go:noescape
func q4KRows4VNNI(w *byte, wd *float32, xq *int8, xd *float32, xb *int16, nsb, rows, xstride, dstride int, y *float32, ystride int)

//go:noescape
func q5KRowsAVX2(w *byte, wd *float32, xq *int8, xd *float32, xb *int16, nsb, rows int, y *float32)

//go:noescape
func q6KRowsAVX2(w *byte, wd *float32, xq *int8, xd *float32, xb *int16, nsb, rows int, y *float32)

//go:noescape
func quantQ8_0AVX2(x *float32, qs *int8, ds *float32, sums *int32, nb int)

//go:noescape
func minMaxAVX2(x *float32, n int) (mn, mx float32)

//go:noescape
func quantQ8KAVX2(x *float32, iscale float32, qs *int8, bsums *int16)

//go:noescape
func roundFP16AVX2(dst, src *float32, n int)

//go:noescape
func dotF32AVX2(a, b *float32, n int) float32

//go:noescape
func dotF16AVX2(a *uint16, b *float32, n int) float32

//go:noescape
func dotBF16AVX2(a *uint16, b *float32, n int) float32

//go:noescape
func dotF32x4AVX2(a, b *float32, n, stride int, out *float32)

//go:noescape
func dotF16x4AVX2(a *uint16, b *float32, n, stride int, out *float32)

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

// hasVNNI is fixed at package init: AVX512_VNNI and AVX512VL with the
// AVX-512 register state enabled (Go encodes VPDPBUSD with EVEX).
var hasVNNI = hasAVX2 && detectVNNI()

func detectVNNI() bool {
	_, ebx7, ecx7, _ := cpuid(7, 0)
	const avx512f, avx512vl, vnni = 1 << 16, 1 << 31, 1 << 11
	if ebx7&(avx512f|avx512vl) != avx512f|avx512vl || ecx7&vnni == 0 {
		return false
	}
	xcr0, _ := xgetbv()
	return xcr0&0xe6 == 0xe6 // XMM, YMM, opmask, ZMM state
}

// hasZMM is fixed at package init: VNNI plus AVX512BW (byte shifts on ZMM),
// for the four-token ZMM kernels of kernels_zmm_amd64.s.
var hasZMM = hasVNNI && detectBW()

func detectBW() bool {
	_, ebx7, _, _ := cpuid(7, 0)
	return ebx7&(1<<30) != 0
}

// The VPERMPS index vectors that spread a quad's four weight scales over the
// ZMM kernels' block pairs A and B (see kernels_zmm_amd64.s).
var (
	permQ8Z = [32]int32{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3}
	permQ4Z = [32]int32{0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 3, 3, 3, 3, 3, 3, 3, 3}
)

// asmKernels reports whether the assembly kernels are in use.
func asmKernels() bool { return hasAVX2 }

// kernelVariants lists the ways matQ8_0Asm/matQ4_0Asm can run here (for tests).
func kernelVariants() []kernelLevel {
	switch {
	case hasZMM:
		return []kernelLevel{levelAVX2, levelVNNI, levelZMM}
	case hasVNNI:
		return []kernelLevel{levelAVX2, levelVNNI}
	}
	return []kernelLevel{levelAVX2}
}

// bestLevel is the fastest kernel level this CPU runs.
func bestLevel() kernelLevel {
	switch {
	case hasZMM:
		return levelZMM
	case hasVNNI:
		return levelVNNI
	}
	return levelAVX2
}

// quantizeQ8_0Sums is quantizeActQ8_0 that also stores each block's sum of
// quants in sums.
func quantizeQ8_0Sums(x []float32, qs []int8, ds []float32, sums []int32) {
	nb := len(ds)
	if !hasAVX2 || nb == 0 {
		quantizeQ8_0SumsGo(x, qs, ds, sums)
		return
	}
	_, _, _ = x[nb*qk-1], qs[nb*qk-1], sums[nb-1]
	quantQ8_0AVX2(&x[0], &qs[0], &ds[0], &sums[0], nb)
}

// quantizeQ8K is quantizeActQ8K with the per-element work in assembly. The
// scale follows ggml exactly: max is the first element of largest magnitude
// (found in Go on the rare exact tie between the largest and the most
// negative value).
func quantizeQ8K(x []float32, qs []int8, ds []float32, bsum []int16) {
	if !hasAVX2 {
		quantizeActQ8K(x, qs, ds, bsum)
		return
	}
	for b := range ds {
		xb := x[b*qkK : (b+1)*qkK]
		q := qs[b*qkK : (b+1)*qkK]
		bs := bsum[b*16 : (b+1)*16]
		mn, mx := minMaxAVX2(&xb[0], qkK)
		var m float32
		switch {
		case mx > -mn:
			m = mx
		case -mn > mx:
			m = mn
		default: // |min| == max: the first one in order wins, as in ggml
			for _, v := range xb {
				if v == mx || v == mn {
					m = v
					break
				}
			}
		}
		if m == 0 || m != m { // all zeros (or NaN): as ggml's amax == 0 case
			quantizeActQ8K(xb, q, ds[b:b+1], bs)
			continue
		}
		iscale := -127 / m
		quantQ8KAVX2(&xb[0], iscale, &q[0], &bs[0])
		ds[b] = 1 / iscale
	}
}

// roundFP16s sets dst[i] to src[i] rounded to fp16 (ties to even).
func roundFP16s(dst, src []float32) {
	n8 := len(src) &^ 7
	if hasAVX2 && n8 > 0 {
		_ = dst[len(src)-1]
		roundFP16AVX2(&dst[0], &src[0], n8)
	} else {
		n8 = 0
	}
	for i := n8; i < len(src); i++ {
		dst[i] = roundFP16(src[i])
	}
}

// matQ8_0Asm computes rows [r0, r1) of a Q8_0 product with the paired-block
// kernels: four tokens per pass over the weights, then single tokens (with
// the quad kernel when a row has a multiple of four blocks). With an
// odd number of blocks per row the rows are not a whole number of pairs, so
// each row is done on its own and the lone last block in Go.
func matQ8_0Asm(w *Matrix, a *acts, r0, r1, n int, y []float32) bool {
	return matQ8_0AsmV(w, a, r0, r1, n, y, bestLevel())
}

// matQ8_0AsmV is matQ8_0Asm with the VNNI kernel chosen by the caller
// (tests run both).
func matQ8_0AsmV(w *Matrix, a *acts, r0, r1, n int, y []float32, lvl kernelLevel) bool {
	vnni := lvl >= levelVNNI
	cols, nb := w.Cols, w.Cols/qk
	np, ns := nb/2, nb/2*8
	if !hasAVX2 || np == 0 || r0 >= r1 || n == 0 {
		return false
	}
	wq := int8s(w.qs)
	_, _, _, _, _ = wq[r1*cols-1], w.ds[r1*nb-1], a.qs[n*cols-1], a.xs[n*ns-1], y[(n-1)*w.Rows+r1-1]
	if len(w.dh) > 0 {
		_ = w.dh[r1*nb-1]
	}
	if nb%4 == 0 {
		_, _ = a.xs4[n*nb*2-1], a.xk4[n*nb*2-1]
	}
	span := func(r, rows int) {
		t := 0
		if nb%4 == 0 && lvl >= levelZMM {
			for ; t+4 <= n; t += 4 {
				q8Quad4Z(&wq[r*cols], &w.ds[r*nb], &a.qs[t*cols], &a.xs4[t*nb*2], &a.xk4[t*nb*2], nb/4, rows, cols, nb*8, &y[t*w.Rows+r], w.Rows*4, &permQ8Z[0])
			}
		}
		if nb%4 == 0 && vnni {
			for ; t+4 <= n; t += 4 {
				q8Quad4VNNI(&wq[r*cols], &w.ds[r*nb], &a.qs[t*cols], &a.xs4[t*nb*2], &a.xk4[t*nb*2], nb/4, rows, cols, nb*8, &y[t*w.Rows+r], w.Rows*4)
			}
		}
		for ; t+4 <= n; t += 4 {
			q8Rows4AVX2(&wq[r*cols], &w.ds[r*nb], &a.qs[t*cols], &a.xs[t*ns], np, rows, cols, ns*4, &y[t*w.Rows+r], w.Rows*4)
		}
		for ; t < n; t++ {
			if nb%4 == 0 && lvl >= levelZMM && len(w.dh) > 0 {
				q8RowsZH(&wq[r*cols], &w.dh[r*nb], &a.qs[t*cols], &a.xs4[t*nb*2], &a.xk4[t*nb*2], nb/4, rows, &y[t*w.Rows+r], &permQ8Z[0])
				continue
			}
			if nb%4 == 0 && lvl >= levelZMM {
				q8RowsZ(&wq[r*cols], &w.ds[r*nb], &a.qs[t*cols], &a.xs4[t*nb*2], &a.xk4[t*nb*2], nb/4, rows, &y[t*w.Rows+r], &permQ8Z[0])
				continue
			}
			if nb%4 == 0 && vnni {
				q8QuadRowsVNNI(&wq[r*cols], &w.ds[r*nb], &a.qs[t*cols], &a.xs4[t*nb*2], &a.xk4[t*nb*2], nb/4, rows, &y[t*w.Rows+r])
				continue
			}
			if nb%4 == 0 {
				q8QuadRowsAVX2(&wq[r*cols], &w.ds[r*nb], &a.qs[t*cols], &a.xs4[t*nb*2], nb/4, rows, &y[t*w.Rows+r])
				continue
			}
			q8RowsAVX2(&wq[r*cols], &w.ds[r*nb], &a.qs[t*cols], &a.xs[t*ns], np, rows, &y[t*w.Rows+r])
		}
	}
	if nb&1 == 0 {
		span(r0, r1-r0)
		return true
	}
	b := nb - 1
	for r := r0; r < r1; r++ {
		span(r, 1)
		for t := 0; t < n; t++ {
			y[t*w.Rows+r] += dotQ8_0Go(wq[r*cols+b*qk:(r+1)*cols], w.ds[r*nb+b:(r+1)*nb], a.qs[t*cols+b*qk:(t+1)*cols], a.d[t*nb+b:(t+1)*nb])
		}
	}
	return true
}

// matQ4_0Asm is matQ8_0Asm for Q4_0 weights in the repacked pair layout.
func matQ4_0Asm(w *Matrix, a *acts, r0, r1, n int, y []float32) bool {
	return matQ4_0AsmV(w, a, r0, r1, n, y, bestLevel())
}

// matQ4_0AsmV is matQ4_0Asm with the VNNI kernel chosen by the caller.
func matQ4_0AsmV(w *Matrix, a *acts, r0, r1, n int, y []float32, lvl kernelLevel) bool {
	vnni := lvl >= levelVNNI
	cols, nb := w.Cols, w.Cols/qk
	np, ns := nb/2, nb/2*8
	rb := q4RowBytes(cols)
	if !hasAVX2 || np == 0 || r0 >= r1 || n == 0 {
		return false
	}
	bias := int32(8) // the nibbles are used as q - bias: Q4_0's q-8, Q4_1's q
	if w.Type == gguf.TypeQ4_1 {
		bias = 0
	}
	_, _, _, _, _, _ = w.qs[r1*rb-1], w.ds[r1*nb-1], a.qs[n*cols-1], a.xs[n*ns-1], a.xk[n*ns-1], y[(n-1)*w.Rows+r1-1]
	if len(w.dh) > 0 {
		_ = w.dh[r1*nb-1]
	}
	if nb%4 == 0 {
		_, _ = a.xs4[n*nb*2-1], a.xk4[n*nb*2-1]
	}
	if len(a.qz) >= n*cols {
		_, _ = a.xs4h[n*nb*2-1], a.xk4h[n*nb*2-1]
	}
	span := func(r, rows int) {
		t := 0
		if nb%4 == 0 && lvl >= levelZMM && len(a.qz) >= n*cols {
			for ; t+4 <= n; t += 4 {
				q4Quad4Z(&w.qs[r*rb], &w.ds[r*nb], &a.qz[t*cols], &a.xs4[t*nb*2], &a.xk4[t*nb*2], nb/4, rows, cols, nb*8, &y[t*w.Rows+r], w.Rows*4, &permQ4Z[0])
			}
		}
		if nb%4 == 0 && vnni {
			for ; t+4 <= n; t += 4 {
				q4Quad4VNNI(&w.qs[r*rb], &w.ds[r*nb], &a.qs[t*cols], &a.xs4[t*nb*2], &a.xk4[t*nb*2], nb/4, rows, cols, nb*8, &y[t*w.Rows+r], w.Rows*4)
			}
		}
		for ; t+4 <= n; t += 4 {
			q4Rows4AVX2(&w.qs[r*rb], &w.ds[r*nb], &a.qs[t*cols], &a.xs[t*ns], &a.xk[t*ns], np, rows, cols, ns*4, &y[t*w.Rows+r], w.Rows*4)
		}
		for ; t < n; t++ {
			if nb%4 == 0 && lvl >= levelZMM && len(a.qz) >= (t+1)*cols && len(w.dh) > 0 {
				q4RowsZH(&w.qs[r*rb], &w.dh[r*nb], &a.qz[t*cols], &a.xs4h[t*nb*2], &a.xk4h[t*nb*2], nb/4, rows, &y[t*w.Rows+r], &permQ4Z[0])
				continue
			}
			if nb%4 == 0 && lvl >= levelZMM && len(a.qz) >= (t+1)*cols {
				q4RowsZ(&w.qs[r*rb], &w.ds[r*nb], &a.qz[t*cols], &a.xs4[t*nb*2], &a.xk4[t*nb*2], nb/4, rows, &y[t*w.Rows+r], &permQ4Z[0])
				continue
			}
			if nb%4 == 0 && vnni {
				q4QuadRowsVNNI(&w.qs[r*rb], &w.ds[r*nb], &a.qs[t*cols], &a.xs4[t*nb*2], &a.xk4[t*nb*2], nb/4, rows, &y[t*w.Rows+r])
				continue
			}
			if nb%4 == 0 {
				q4QuadRowsAVX2(&w.qs[r*rb], &w.ds[r*nb], &a.qs[t*cols], &a.xs4[t*nb*2], &a.xk4[t*nb*2], nb/4, rows, &y[t*w.Rows+r])
				continue
			}
			q4RowsAVX2(&w.qs[r*rb], &w.ds[r*nb], &a.qs[t*cols], &a.xs[t*ns], &a.xk[t*ns], np, rows, &y[t*w.Rows+r])
		}
	}
	if nb&1 == 0 {
		span(r0, r1-r0)
		return true
	}
	b := nb - 1
	for r := r0; r < r1; r++ {
		span(r, 1)
		for t := 0; t < n; t++ {
			y[t*w.Rows+r] += dotNibGo(w.qs[r*rb+np*32:(r+1)*rb], w.ds[r*nb+b:(r+1)*nb], a.qs[t*cols+b*qk:(t+1)*cols], a.d[t*nb+b:(t+1)*nb], bias)
		}
	}
	return true
}

// matQ4KAsm computes rows [r0, r1) of a Q4_K product from the repacked
// blocks: four tokens per pass over the weights, then single tokens.
func matQ4KAsm(w *Matrix, a *acts, r0, r1, n int, y []float32) bool {
	return matQ4KAsmV(w, a, r0, r1, n, y, bestLevel())
}

// matQ4KAsmV is matQ4KAsm with the VNNI four-token kernel chosen by the
// caller (tests run both).
func matQ4KAsmV(w *Matrix, a *acts, r0, r1, n int, y []float32, lvl kernelLevel) bool {
	vnni := lvl >= levelVNNI
	cols, nsb := w.Cols, w.Cols/qkK
	if !hasAVX2 || r0 >= r1 || n == 0 {
		return false
	}
	_, _, _, _, _, _ = w.qs[r1*nsb*q4K-1], w.ds[r1*nsb*2-1], a.qs[n*cols-1], a.d[n*nsb-1], a.bsum8[n*nsb*8-1], y[(n-1)*w.Rows+r1-1]
	t := 0
	for ; t+4 <= n && vnni; t += 4 {
		q4KRows4VNNI(&w.qs[r0*nsb*q4K], &w.ds[r0*nsb*2], &a.qs[t*cols], &a.d[t*nsb], &a.bsum8[t*nsb*8], nsb, r1-r0, cols, nsb*4, &y[t*w.Rows+r0], w.Rows*4)
	}
	for ; t+4 <= n; t += 4 {
		q4KRows4AVX2(&w.qs[r0*nsb*q4K], &w.ds[r0*nsb*2], &a.qs[t*cols], &a.d[t*nsb], &a.bsum8[t*nsb*8], nsb, r1-r0, cols, nsb*4, &y[t*w.Rows+r0], w.Rows*4)
	}
	for ; t < n; t++ {
		q4KRowsAVX2(&w.qs[r0*nsb*q4K], &w.ds[r0*nsb*2], &a.qs[t*cols], &a.d[t*nsb], &a.bsum8[t*nsb*8], nsb, r1-r0, &y[t*w.Rows+r0])
	}
	return true
}

// matQ5KAsm computes rows [r0, r1) of a Q5_K product from the repacked
// blocks, one token at a time.
func matQ5KAsm(w *Matrix, a *acts, r0, r1, n int, y []float32) bool {
	cols, nsb := w.Cols, w.Cols/qkK
	if !hasAVX2 || r0 >= r1 || n == 0 {
		return false
	}
	_, _, _, _, _, _ = w.qs[r1*nsb*q5K-1], w.ds[r1*nsb*2-1], a.qs[n*cols-1], a.d[n*nsb-1], a.bsum8[n*nsb*8-1], y[(n-1)*w.Rows+r1-1]
	for t := 0; t < n; t++ {
		q5KRowsAVX2(&w.qs[r0*nsb*q5K], &w.ds[r0*nsb*2], &a.qs[t*cols], &a.d[t*nsb], &a.bsum8[t*nsb*8], nsb, r1-r0, &y[t*w.Rows+r0])
	}
	return true
}

// matQ6KAsm computes rows [r0, r1) of a Q6_K product (ggml's blocks, copied,
// plus a float d stream), one token at a time: a row is 2-4 KiB and stays in L1
// across the tokens of a batch.
func matQ6KAsm(w *Matrix, a *acts, r0, r1, n int, y []float32) bool {
	cols, nsb := w.Cols, w.Cols/qkK
	if !hasAVX2 || r0 >= r1 || n == 0 {
		return false
	}
	blocks := w.qs // Q6_K copied by repackQ6Kd; Q2_K/Q3_K rewritten as Q6_K by repackQ6K
	_, _, _, _, _, _ = blocks[r1*nsb*q6K-1], w.ds[r1*nsb-1], a.qs[n*cols-1], a.d[n*nsb-1], a.bsum[n*nsb*16-1], y[(n-1)*w.Rows+r1-1]
	for t := 0; t < n; t++ {
		q6KRowsAVX2(&blocks[r0*nsb*q6K], &w.ds[r0*nsb], &a.qs[t*cols], &a.d[t*nsb], &a.bsum[t*nsb*16], nsb, r1-r0, &y[t*w.Rows+r0])
	}
	return true
}

// matQ2KAsm is the Q6_K kernel on Q2_K's repacked levels and scales, then
// the min term.
func matQ2KAsm(w *Matrix, a *acts, r0, r1, n int, y []float32) bool {
	if !matQ6KAsm(w, a, r0, r1, n, y) {
		return false
	}
	addMinsK(w, a, r0, r1, n, y)
	return true
}

// matQ4_1Asm is the Q4_0 kernels with no nibble offset, then the min term.
func matQ4_1Asm(w *Matrix, a *acts, r0, r1, n int, y []float32) bool {
	if !matQ4_0Asm(w, a, r0, r1, n, y) {
		return false
	}
	addMins(w, a, r0, r1, n, y)
	return true
}

// asmKernelsByType is the assembly column of the kernel table.
func asmKernelsByType() map[gguf.Type]matAsmFunc {
	return map[gguf.Type]matAsmFunc{
		gguf.TypeQ8_0: matQ8Tiles, gguf.TypeQ5_0: matQ8Tiles, gguf.TypeIQ4_NL: matQ8Tiles,
		gguf.TypeQ5_1: matQ5_1Asm, gguf.TypeIQ4_XS: matQ5_0Asm,
		gguf.TypeQ4_0: matQ8Tiles, gguf.TypeQ4_1: matQ4_1Asm,
		gguf.TypeQ4_K: matQ4KAsm, gguf.TypeQ5_K: matQ5KAsm,
		gguf.TypeQ6_K: matQ6KAsm, gguf.TypeQ3_K: matQ6KAsm, gguf.TypeQ2_K: matQ2KAsm,
		gguf.TypeF16: matF16Asm, gguf.TypeBF16: matBF16Asm,
	}
}

// repackByType is the repacking the assembly needs for the K-quants (the
// portable kernels read their blocks in place) and, with ZMM, the compact
// Q5_0/Q5_1/IQ4_NL records (see repackNibZ); none without AVX2.
func repackByType() map[gguf.Type]func(*Matrix) {
	if !hasAVX2 {
		return nil
	}
	return map[gguf.Type]func(*Matrix){
		gguf.TypeQ4_K: (*Matrix).repackQ4K, gguf.TypeQ5_K: (*Matrix).repackQ5K,
		gguf.TypeQ6_K: (*Matrix).repackQ6Kd, gguf.TypeQ2_K: (*Matrix).repackQ6K,
		gguf.TypeQ3_K: (*Matrix).repackQ6K, gguf.TypeIQ4_XS: (*Matrix).repackIQ4XSZ,
		gguf.TypeQ5_0: (*Matrix).repackNibZ, gguf.TypeQ5_1: (*Matrix).repackNibZ,
		gguf.TypeIQ4_NL: (*Matrix).repackNibZ,
	}
}

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

func dotBF16(a []uint16, b []float32) float32 {
	n8 := len(a) &^ 7
	if !hasAVX2 || n8 == 0 {
		return dotBF16Go(a, b)
	}
	_ = b[len(a)-1]
	s := dotBF16AVX2(&a[0], &b[0], n8)
	for i := n8; i < len(a); i++ {
		s += BF16ToFP32(a[i]) * b[i]
	}
	return s
}

// The four-token tiles: x holds four consecutive tokens.

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

//go:noescape
func axpyF32AVX2(y, x *float32, alpha float32, n int)

//go:noescape
func axpyF16AVX2(y *float32, x *uint16, alpha float32, n int)

func axpyF32(y []float32, alpha float32, x []float32) {
	n8 := len(y) &^ 7
	if !hasAVX2 || n8 == 0 {
		axpyF32Go(y, alpha, x)
		return
	}
	x = x[:len(y)]
	axpyF32AVX2(&y[0], &x[0], alpha, n8)
	for i := n8; i < len(y); i++ {
		y[i] += alpha * x[i]
	}
}

func axpyF16(y []float32, alpha float32, x []uint16) {
	n8 := len(y) &^ 7
	if !hasAVX2 || n8 == 0 {
		axpyF16Go(y, alpha, x)
		return
	}
	x = x[:len(y)]
	axpyF16AVX2(&y[0], &x[0], alpha, n8)
	for i := n8; i < len(y); i++ {
		y[i] += alpha * fp16Table[x[i]]
	}
}

//go:noescape
func scoresF16AVX2(q *float32, k *uint16, n, stride, hd int, scale float32, out *float32) (mx float32)

//go:noescape
func wsumF16AVX2(p *float32, v *uint16, n, stride, hd int, out *float32)

func scoresF16(out, q []float32, k []uint16, stride int, scale float32) float32 {
	hd := len(q)
	if !hasAVX2 || hd == 0 || hd%16 != 0 || len(out) == 0 {
		return scoresF16Go(out, q, k, stride, scale)
	}
	_ = k[(len(out)-1)*stride+hd-1]
	return scoresF16AVX2(&q[0], &k[0], len(out), stride, hd, scale, &out[0])
}

func wsumF16(out, p []float32, v []uint16, stride int) {
	hd := len(out)
	if !hasAVX2 || hd == 0 || hd%32 != 0 || len(p) == 0 {
		wsumF16Go(out, p, v, stride)
		return
	}
	_ = v[(len(p)-1)*stride+hd-1]
	wsumF16AVX2(&p[0], &v[0], len(p), stride, hd, &out[0])
}
