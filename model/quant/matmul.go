package quant

import (
	"fmt"
	"unsafe"

	"github.com/weft-dev/weft/model/gguf"
)

// acts holds one MatMul's activations in the form the weight type's kernel
// consumes, mirroring llama.cpp's vec_dot_type: Q8_0 blocks for Q8_0/Q4_0
// weights, Q8_K super-blocks for K-quants, fp16/bf16-rounded floats for
// F16/BF16 weights, the floats themselves for F32.
type acts struct {
	qs    []int8    // n*cols quants
	d     []float32 // one scale per block (32 or 256 elements)
	bsum  []int16   // Q8_K: sum of each 16 quants
	bsum8 []int16   // Q8_K: sum of each 32 quants (Q4_K/Q5_K mins term)
	f     []float32 // float activations (F32/F16/BF16 weights; for F32 the input itself)
	s     []float32 // Q8_1: per block fp16(d*Σq), ggml's block_q8_1.s (Q4_1/Q5_1 weights)

	// F16/BF16 weights on the tile kernels (gemm16.go): the rounded
	// activations in 16-token panels.
	pf []float32 // F16: fp16-rounded floats
	pb []uint32  // BF16: pairs of bf16

	// Int8 weights on the Q8 tile kernels (gemmq8.go): the Q8_0 quants,
	// block scales and 128·Σq in 16-token panels.
	pq []int8
	pd []float32
	pc []int32

	// For the paired-block assembly kernels (see kernels_amd64.s), per pair
	// of Q8_0 blocks a, b: xs = [da da db db da da db db], and for Q4_0
	// weights xk = [-8*sum(qa) 0 -8*sum(qb) 0 0 0 0 0], which turns the
	// unsigned nibble dot into the dot with q-8.
	xs   []float32
	xk   []int32
	qsum []int32 // sum of the quants of each Q8_0 block

	// The same for the quad kernels (rows of 4k blocks), per four blocks
	// a..d: xs4 = [da db dc dd da db dc dd], xk4 = [o*sum(qa) .. o*sum(qd)
	// 0 0 0 0] with o = -8 for Q4_0 and -128 for Q8_0 (see quantize).
	xs4 []float32
	xk4 []int32

	// The ZMM kernels (kernels_zmm_amd64.s) use xs4 and xk4 too, and for
	// Q4_0 the quants in the order of its repacked nibbles: b0 b2 b1 b3 in
	// each quad (filled only where hasZMM and rows are whole quads).
	qz []int8

	// xs4 and xk4 again with blocks 1 and 3 of each quad, the ones in the
	// high nibbles of Q4_0's ZMM layout, scaled by 1/16 and 16, for the
	// single-token kernel q4RowsZH: it masks the high nibbles in place
	// (16 times their value) instead of shifting them down, and powers of
	// two leave every product and sum it forms exactly as they were.
	xs4h []float32
	xk4h []int32
}

// kernelLevel names a family of assembly kernels, for tests that run each.
type kernelLevel int

const (
	levelAVX2 kernelLevel = iota // AVX2 + FMA
	levelVNNI                    // AVX512_VNNI on YMM registers
	levelZMM                     // AVX-512 with VNNI on ZMM registers
)

// scratch is per-thread working memory of the reference path.
type scratch struct {
	row []float32
}

// matmulJob is the state of one MatMul call, kept in the Pool so that a call
// allocates nothing once the buffers have grown to the model's sizes.
type matmulJob struct {
	y           []float32
	w           *Matrix
	x           []float32
	n           int
	rowsPerTask int

	a       acts
	scratch []scratch

	// The matrices of a (fused) MatMul: matrix j's row tasks are numbered
	// first[j] <= t < first[j+1], each of rowsPerTask rows. w is ws[0],
	// whose type and columns prepare and quantize use.
	nw    int
	ws    [MaxMulti]*Matrix
	ys    [MaxMulti][]float32
	first [MaxMulti + 1]int
}

// grow returns s with length n, reusing its storage when it is large enough.
func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n, n+n/4)
	}
	return s[:n]
}

func checkMatMul(y []float32, w *Matrix, x []float32, n int) {
	if w == nil || !w.ready {
		panic("quant: MatMul with a Matrix not built by NewMatrix")
	}
	if n < 0 || len(x) < n*w.Cols || len(y) < n*w.Rows {
		panic(fmt.Sprintf("quant: MatMul %v %dx%d by %d tokens: x has %d floats (need %d), y has %d (need %d)",
			w.Type, w.Rows, w.Cols, n, len(x), n*w.Cols, len(y), n*w.Rows))
	}
}

// MatMul computes y[i*W.Rows:(i+1)*W.Rows] = W · x[i*W.Cols:(i+1)*W.Cols] for
// each token i < n. The activations are first quantized the way llama.cpp's
// CPU backend does for W's type, so results match llama.cpp to float
// rounding. W must come from NewMatrix.
func (p *Pool) MatMul(y []float32, W *Matrix, x []float32, n int) {
	checkMatMul(y, W, x, n)
	if n == 0 {
		return
	}
	p.call.Lock()
	defer p.call.Unlock()
	mm := &p.mm
	mm.ws[0], mm.ys[0], mm.nw = W, y, 1
	p.matmul(x, n)
}

// MaxMulti is the most matrices one MatMulMulti call fuses.
const MaxMulti = 4

// MatMulMulti computes ys[j] = ws[j] · x (as MatMul) for several matrices
// that read the same activations, such as a layer's Q, K and V projections.
// When the matrices share a type and a column count (and there are at most
// MaxMulti), the activations are quantized once and all rows go to the
// threads in one dispatch, so the products cost one synchronisation instead
// of one each; otherwise they run one MatMul after another.
func (p *Pool) MatMulMulti(ys [][]float32, ws []*Matrix, x []float32, n int) {
	if len(ys) != len(ws) {
		panic(fmt.Sprintf("quant: MatMulMulti with %d outputs for %d matrices", len(ys), len(ws)))
	}
	fused := len(ws) <= MaxMulti
	for j, w := range ws {
		checkMatMul(ys[j], w, x, n)
		if w.Type != ws[0].Type || w.Cols != ws[0].Cols {
			fused = false
		}
	}
	if !fused {
		for j := range ws {
			p.MatMul(ys[j], ws[j], x, n)
		}
		return
	}
	if n == 0 || len(ws) == 0 {
		return
	}
	p.call.Lock()
	defer p.call.Unlock()
	mm := &p.mm
	mm.nw = len(ws)
	for j := range ws {
		mm.ws[j], mm.ys[j] = ws[j], ys[j]
	}
	p.matmul(x, n)
}

// matmul runs the products set up in p.mm.ws/ys[:nw] (same type and
// columns) on x. The caller holds p.call.
func (p *Pool) matmul(x []float32, n int) {
	mm := &p.mm
	mm.w, mm.x, mm.n = mm.ws[0], x, n
	mm.prepare()
	// Quantize the activations: in parallel per token when there are several.
	if n >= 4 && p.threads > 1 {
		p.dispatch(jobQuantize, n)
	} else {
		for t := 0; t < n; t++ {
			mm.quantize(t)
		}
	}
	// Split the rows of all the matrices in about 4 tasks per thread (in
	// multiples of the row tile), claimed dynamically, so a thread that was
	// descheduled or started late leaves at most a quarter of its share to
	// the others.
	// A large matrix is cut finer, in tasks of about taskBytes of weights:
	// a thread that finishes first waits on average half a task for the
	// other at the end, and a task of the 0.5B model's Q8_0 output matrix
	// (145 MB) in 8 parts took 0.6 ms, a twentieth of a decoded token.
	total, bytes := 0, 0
	for _, w := range mm.ws[:mm.nw] {
		total += w.Rows
		bytes += w.Rows * w.rowBytes()
	}
	tasks := max(p.threads*4, bytes/taskBytes)
	if p.threads == 1 {
		tasks = 1
	}
	rpt := (total + tasks - 1) / tasks
	rpt = (rpt + rowTile - 1) / rowTile * rowTile
	mm.rowsPerTask = rpt
	for j, w := range mm.ws[:mm.nw] {
		mm.first[j+1] = mm.first[j] + (w.Rows+rpt-1)/rpt
	}
	p.dispatch(jobMatMul, mm.first[mm.nw])
	mm.w, mm.x = nil, nil
	clear(mm.ws[:])
	clear(mm.ys[:])
}

// rowTile is the granularity of the row split between tasks.
const rowTile = 4

// taskBytes is the weight bytes of a task in a large product (see matmul):
// at decode, about 10 µs of one thread's memory bandwidth, against well
// under a microsecond to claim a task.
const taskBytes = 256 << 10

// prepare sizes the activation buffers for the current job, by the form
// the weight type's kernels read (its vecDot type).
func (mm *matmulJob) prepare() {
	w, n := mm.w, mm.n
	k := kernelOf(w.Type)
	switch k.vecDot {
	case gguf.TypeQ8_0, gguf.TypeQ8_1:
		mm.a.qs = grow(mm.a.qs, n*w.Cols)
		mm.a.d = grow(mm.a.d, n*w.Cols/qk)
		if tiledQ8(w, n) {
			np, nb := panels(n), w.Cols/qk
			mm.a.pq = grow(mm.a.pq, np*panel*w.Cols)
			mm.a.pd = grow(mm.a.pd, np*panel*nb)
			mm.a.pc = grow(mm.a.pc, np*panel*nb)
			clearPanelLanes(mm.a.pd, n, nb)
			clearPanelLanes(mm.a.pc, n, nb)
			clearPanelLanesQ8(mm.a.pq, n, w.Cols/4)
		}
		if k.vecDot == gguf.TypeQ8_1 {
			mm.a.s = grow(mm.a.s, n*w.Cols/qk)
		}
		mm.prepareBlocks(k)
	case gguf.TypeQ8_K:
		mm.a.qs = grow(mm.a.qs, n*w.Cols)
		mm.a.d = grow(mm.a.d, n*w.Cols/qkK)
		mm.a.bsum = grow(mm.a.bsum, n*w.Cols/16)
		mm.a.bsum8 = grow(mm.a.bsum8, n*w.Cols/32)
		if w.Type == gguf.TypeIQ4_XS && w.qs != nil { // the Q8_0 kernels on Q8_K activations
			mm.prepareBlocks(k)
		}
	case gguf.TypeF16, gguf.TypeBF16:
		mm.a.f = grow(mm.a.f, n*w.Cols)
		if tiled16(w, n) {
			size := panels(n) * panel * w.Cols
			if k.vecDot == gguf.TypeF16 {
				mm.a.pf = grow(mm.a.pf, size)
				clearPanelLanes(mm.a.pf, n, w.Cols)
			} else {
				mm.a.pb = grow(mm.a.pb, size/2)
				clearPanelLanes(mm.a.pb, n, w.Cols/2)
			}
		}
	case gguf.TypeF32:
		mm.a.f = mm.x[:n*w.Cols]
	}
}

// prepareBlocks sizes the per-32-element arrays of the paired and quad
// assembly kernels.
func (mm *matmulJob) prepareBlocks(k *kernel) {
	w, n := mm.w, mm.n
	nb := w.Cols / qk
	np := nb / 2
	mm.a.qsum = grow(mm.a.qsum, n*nb)
	mm.a.xs = grow(mm.a.xs, n*np*8)
	if k.nibbles {
		mm.a.xk = grow(mm.a.xk, n*np*8)
	}
	mm.a.qz = mm.a.qz[:0]
	if nb%4 == 0 {
		mm.a.xs4 = grow(mm.a.xs4, n*nb*2)
		mm.a.xk4 = grow(mm.a.xk4, n*nb*2)
		if hasZMM && k.nibbles {
			mm.a.qz = grow(mm.a.qz, n*w.Cols)
			mm.a.xs4h = grow(mm.a.xs4h, n*nb*2)
			mm.a.xk4h = grow(mm.a.xk4h, n*nb*2)
		}
	}
}

// quantize converts token t's activations.
func (mm *matmulJob) quantize(t int) {
	cols := mm.w.Cols
	x := mm.x[t*cols : (t+1)*cols]
	k := kernelOf(mm.w.Type)
	switch k.vecDot {
	case gguf.TypeQ8_0, gguf.TypeQ8_1:
		nb := cols / qk
		qs, ds, sums := mm.a.qs[t*cols:(t+1)*cols], mm.a.d[t*nb:(t+1)*nb], mm.a.qsum[t*nb:(t+1)*nb]
		quantizeQ8_0Sums(x, qs, ds, sums)
		if k.vecDot == gguf.TypeQ8_1 {
			q8_1Sums(x, sums, mm.a.s[t*nb:(t+1)*nb])
		}
		mm.blockTerms(k, t, ds, sums)
		if tiledQ8(mm.w, mm.n) {
			packPanelsQ8(mm.a.pq, mm.a.pd, mm.a.pc, qs, ds, sums, t, cols, -k.off)
		}
	case gguf.TypeQ8_K:
		bs := mm.a.bsum[t*cols/16 : (t+1)*cols/16]
		d := mm.a.d[t*cols/qkK : (t+1)*cols/qkK]
		quantizeQ8K(x, mm.a.qs[t*cols:(t+1)*cols], d, bs)
		bs8 := mm.a.bsum8[t*cols/32 : (t+1)*cols/32]
		for i := range bs8 {
			bs8[i] = bs[2*i] + bs[2*i+1]
		}
		if len(mm.a.xs4) > 0 && mm.w.Type == gguf.TypeIQ4_XS && mm.w.qs != nil {
			// The Q8_0 kernels see 32-element blocks that share their
			// super-block's scale.
			nb := cols / qk
			var d32 [qkK / qk]float32
			var s32 [qkK / qk]int32
			for sb := range d {
				for i := range d32 {
					d32[i], s32[i] = d[sb], int32(bs8[sb*8+i])
				}
				mm.blockTermsAt(k, t, nb, sb*8, d32[:], s32[:])
			}
		}
	case gguf.TypeF16:
		roundFP16s(mm.a.f[t*cols:(t+1)*cols], x)
		if tiled16(mm.w, mm.n) {
			packPanelsF16(mm.a.pf, mm.a.f[t*cols:(t+1)*cols], t, cols)
		}
	case gguf.TypeBF16:
		if tiled16(mm.w, mm.n) {
			packPanelsBF16(mm.a.pb, x, t, cols)
			return
		}
		f := mm.a.f[t*cols : (t+1)*cols]
		for i, v := range x {
			f[i] = BF16ToFP32(FP32ToBF16(v))
		}
	}
}

// q8_1Sums sets s[b] to block_q8_1's s as ggml's x86 quantize_row_q8_1
// computes it: fp16(d*Σq) with d = amax/127 before its rounding to fp16
// (the quants themselves are Q8_0's).
func q8_1Sums(x []float32, sums []int32, s []float32) {
	for b := range s {
		var amax float32
		for _, v := range x[b*qk : (b+1)*qk] {
			amax = max(amax, abs32(v))
		}
		s[b] = roundFP16(float32(amax/127) * float32(sums[b]))
	}
}

// blockTerms fills token t's per-block scale vectors and offset
// corrections for the paired and quad kernels from the block scales ds
// and quant sums.
func (mm *matmulJob) blockTerms(k *kernel, t int, ds []float32, sums []int32) {
	nb := mm.w.Cols / qk
	np := nb / 2
	xs := mm.a.xs[t*np*8 : (t+1)*np*8]
	for p := 0; p < np; p++ {
		da, db := ds[2*p], ds[2*p+1]
		v := (*[8]float32)(xs[8*p:])
		*v = [8]float32{da, da, db, db, da, da, db, db}
	}
	if k.nibbles {
		xk := mm.a.xk[t*np*8 : (t+1)*np*8]
		for p := 0; p < np; p++ {
			v := (*[8]int32)(xk[8*p:])
			*v = [8]int32{k.off * sums[2*p], 0, k.off * sums[2*p+1]}
		}
	}
	if nb%4 == 0 {
		mm.blockTermsAt(k, t, nb, 0, ds, sums)
		if len(mm.a.qz) > 0 {
			mm.reorderQ4Z(t)
			mm.highNibbleTerms(t)
		}
	}
}

// blockTermsAt fills the quad kernels' xs4 and xk4 of token t for the
// blocks b0.. (a multiple of 4) with scales ds and quant sums: the
// correction is off*Σq per block (Q4_0 quants are used as 0..15, q+8;
// Q8_0's by the four-token VNNI kernel as q+128; Q4_1's need none).
func (mm *matmulJob) blockTermsAt(k *kernel, t, nb, b0 int, ds []float32, sums []int32) {
	xs4 := mm.a.xs4[t*nb*2+b0*2 : t*nb*2+(b0+len(ds))*2]
	xk4 := mm.a.xk4[t*nb*2+b0*2 : t*nb*2+(b0+len(ds))*2]
	for q := 0; q < len(ds)/4; q++ {
		d := (*[4]float32)(ds[4*q:])
		v := (*[8]float32)(xs4[8*q:])
		*v = [8]float32{d[0], d[1], d[2], d[3], d[0], d[1], d[2], d[3]}
		s := (*[4]int32)(sums[4*q:])
		o := (*[8]int32)(xk4[8*q:])
		*o = [8]int32{k.off * s[0], k.off * s[1], k.off * s[2], k.off * s[3]}
	}
	if np := len(ds) / 2; len(mm.a.xs) >= (t+1)*(nb/2)*8 {
		xs := mm.a.xs[t*(nb/2)*8+b0*4 : t*(nb/2)*8+(b0+len(ds))*4]
		for p := 0; p < np; p++ {
			da, db := ds[2*p], ds[2*p+1]
			v := (*[8]float32)(xs[8*p:])
			*v = [8]float32{da, da, db, db, da, da, db, db}
		}
	}
}

// highNibbleTerms fills token t's xs4h and xk4h from its xs4 and xk4.
func (mm *matmulJob) highNibbleTerms(t int) {
	nb := mm.w.Cols / qk
	xs4, xk4 := mm.a.xs4[t*nb*2:(t+1)*nb*2], mm.a.xk4[t*nb*2:(t+1)*nb*2]
	xs4h, xk4h := mm.a.xs4h[t*nb*2:(t+1)*nb*2], mm.a.xk4h[t*nb*2:(t+1)*nb*2]
	for i := range xs4 {
		s, k := xs4[i], xk4[i]
		if i&1 == 1 { // blocks 1 and 3 of the quad (xs4 repeats its four scales)
			s, k = s/16, k*16
		}
		xs4h[i], xk4h[i] = s, k
	}
}

// reorderQ4Z copies token t's quants into qz in the order of the ZMM Q4_0
// kernel's block pairs: b0 b2 b1 b3 in each quad.
func (mm *matmulJob) reorderQ4Z(t int) {
	cols := mm.w.Cols
	src := mm.a.qs[t*cols : (t+1)*cols]
	dst := mm.a.qz[t*cols : (t+1)*cols]
	for q := 0; q < cols/128; q++ {
		for i, b := range [4]int{0, 2, 1, 3} {
			copy(dst[128*q+32*i:128*q+32*i+32], src[128*q+32*b:128*q+32*b+32])
		}
	}
}

// rows computes the output rows of task t for all tokens.
func (mm *matmulJob) rows(t int) {
	j := 0
	for t >= mm.first[j+1] {
		j++
	}
	w, y := mm.ws[j], mm.ys[j]
	r0 := (t - mm.first[j]) * mm.rowsPerTask
	r1 := min(r0+mm.rowsPerTask, w.Rows)
	if r0 >= r1 {
		return
	}
	matRows(w, &mm.a, r0, r1, mm.n, y)
}

// matRows computes rows [r0, r1) of w's product from the kernel table: the
// assembly where there is one for this shape and CPU, else the portable
// kernel.
func matRows(w *Matrix, a *acts, r0, r1, n int, y []float32) {
	k := kernelOf(w.Type)
	if k.asm == nil || !k.asm(w, a, r0, r1, n, y) {
		k.mat(w, a, r0, r1, n, y)
	}
}

// quantizeActQ8_0 quantizes activations to Q8_0 exactly as llama.cpp's x86
// quantize_row_q8_0: d = amax/127 stored as fp16, q = round-to-nearest-even
// of x*(127/amax) (note: not x/d, and not roundf as in the _ref version). d
// is kept widened from its fp16 value, as the dot products use it.
func quantizeActQ8_0(x []float32, qs []int8, ds []float32) {
	for b := range ds {
		xb := (*[qk]float32)(x[b*qk:])
		q := (*[qk]int8)(qs[b*qk:])
		var amax float32
		for _, v := range xb {
			amax = max(amax, abs32(v))
		}
		ds[b] = roundFP16(amax / 127)
		var id float32
		if amax != 0 {
			id = 127 / amax
		}
		for j, v := range xb {
			q[j] = int8(nearestInt(float32(v * id)))
		}
	}
}

// quantizeQ8_0SumsGo is quantizeActQ8_0 plus each block's sum of quants.
func quantizeQ8_0SumsGo(x []float32, qs []int8, ds []float32, sums []int32) {
	quantizeActQ8_0(x, qs, ds)
	for b := range ds {
		var s int32
		for _, q := range (*[qk]int8)(qs[b*qk:]) {
			s += int32(q)
		}
		sums[b] = s
	}
}

// quantizeActQ8K is quantize_row_q8_K (the x86 backend uses the reference
// code): see quantizeQ8KBlock; bsum holds the sum of each 16 quants.
func quantizeActQ8K(x []float32, qs []int8, ds []float32, bsum []int16) {
	for b := range ds {
		q := (*[qkK]int8)(qs[b*qkK:])
		ds[b] = quantizeQ8KBlock(x[b*qkK:(b+1)*qkK], q)
		for j := 0; j < 16; j++ {
			var s int32
			for _, v := range q[16*j : 16*j+16] {
				s += int32(v)
			}
			bsum[b*16+j] = int16(s)
		}
	}
}

// MatMulRef is the reference path: each row of W is dequantized to float32
// and dotted with the unquantized activations in float64. It is slow and
// allocates; it exists for parity tests against an f64 reference.
func MatMulRef(y []float32, W *Matrix, x []float32, n int) {
	checkMatMul(y, W, x, n)
	mm := matmulJob{y: y, w: W, x: x, n: n, rowsPerTask: W.Rows}
	var s scratch
	mm.refRows(0, &s)
}

// MatMulRef is MatMulRef spread over the pool's threads.
func (p *Pool) MatMulRef(y []float32, W *Matrix, x []float32, n int) {
	checkMatMul(y, W, x, n)
	if n == 0 {
		return
	}
	p.call.Lock()
	defer p.call.Unlock()
	mm := &p.mm
	mm.y, mm.w, mm.x, mm.n = y, W, x, n
	tasks := p.threads * 4
	mm.rowsPerTask = (W.Rows + tasks - 1) / tasks
	p.dispatch(jobMatMulRef, (W.Rows+mm.rowsPerTask-1)/mm.rowsPerTask)
	mm.y, mm.w, mm.x = nil, nil, nil
}

// refRows is the reference computation of the rows of task t.
func (mm *matmulJob) refRows(t int, s *scratch) {
	w := mm.w
	r0 := t * mm.rowsPerTask
	r1 := min(r0+mm.rowsPerTask, w.Rows)
	s.row = grow(s.row, w.Cols)
	rb := w.rowBytes()
	for r := r0; r < r1; r++ {
		if err := Dequantize(w.Type, w.Data[r*rb:(r+1)*rb], s.row); err != nil {
			panic(err) // unreachable: NewMatrix validated the sizes
		}
		for tok := 0; tok < mm.n; tok++ {
			x := mm.x[tok*w.Cols : (tok+1)*w.Cols]
			var acc float64
			for i, v := range s.row {
				acc += float64(v) * float64(x[i])
			}
			mm.y[tok*w.Rows+r] = float32(acc)
		}
	}
}

// int8s views a byte slice as int8.
func int8s(b []byte) []int8 {
	return unsafe.Slice((*int8)(unsafe.Pointer(unsafe.SliceData(b))), len(b))
}
