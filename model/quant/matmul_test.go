package quant

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/weft-dev/weft/model/gguf"
)

var matTypes = []gguf.Type{gguf.TypeF32, gguf.TypeF16, gguf.TypeBF16, gguf.TypeQ8_0, gguf.TypeQ4_0,
	gguf.TypeQ4_1, gguf.TypeQ5_0, gguf.TypeQ5_1, gguf.TypeIQ4_NL,
	gguf.TypeQ2_K, gguf.TypeQ3_K, gguf.TypeQ4_K, gguf.TypeQ5_K, gguf.TypeQ6_K, gguf.TypeIQ4_XS}

// is32 reports the types whose activations are 32-element Q8_0/Q8_1
// blocks; k-quant reports those with Q8_K super-blocks.
func is32(t gguf.Type) bool {
	switch t {
	case gguf.TypeQ8_0, gguf.TypeQ4_0, gguf.TypeQ4_1, gguf.TypeQ5_0, gguf.TypeQ5_1, gguf.TypeIQ4_NL:
		return true
	}
	return false
}

func isK(t gguf.Type) bool {
	switch t {
	case gguf.TypeQ2_K, gguf.TypeQ3_K, gguf.TypeQ4_K, gguf.TypeQ5_K, gguf.TypeQ6_K, gguf.TypeIQ4_XS:
		return true
	}
	return false
}

func randMatrix(t testing.TB, r *rand.Rand, typ gguf.Type, rows, cols int) (Matrix, []float32) {
	w := randFloats(r, rows*cols, 1/math.Sqrt(float64(cols)))
	b, err := Quantize(typ, w)
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewMatrix(typ, rows, cols, b)
	if err != nil {
		t.Fatal(err)
	}
	deq := make([]float32, rows*cols)
	if err := Dequantize(typ, b, deq); err != nil {
		t.Fatal(err)
	}
	return m, deq
}

// quantizedJob returns a matmulJob for w and the n tokens of x with every
// token's activations prepared and quantized, as Pool.matmul leaves them
// before it runs the kernels.
func quantizedJob(w *Matrix, x []float32, n int) *matmulJob {
	mm := &matmulJob{w: w, x: x, n: n}
	mm.prepare()
	for tok := range n {
		mm.quantize(tok)
	}
	return mm
}

// emulateActivations returns x as llama.cpp's CPU backend hands it to the
// dot product for weights of type typ, written independently of the
// kernels' quantizers: Q8_0 blocks with d = fp16(amax/127) and quants
// round-half-even(x*127/amax); Q8_K with iscale = -127/max; fp16/bf16 rounding.
func emulateActivations(typ gguf.Type, x []float32) []float64 {
	out := make([]float64, len(x))
	switch {
	case is32(typ):
		for b := 0; b < len(x); b += 32 {
			amax := float32(0)
			for _, v := range x[b : b+32] {
				amax = float32(math.Max(float64(amax), math.Abs(float64(v))))
			}
			d := FP16ToFP32(FP32ToFP16(amax / 127))
			for i, v := range x[b : b+32] {
				q := 0.0
				if amax != 0 {
					q = math.RoundToEven(float64(v * (127 / amax)))
				}
				out[b+i] = q * float64(d)
			}
		}
	case isK(typ):
		for b := 0; b < len(x); b += 256 {
			var mx float32
			for _, v := range x[b : b+256] {
				if math.Abs(float64(v)) > math.Abs(float64(mx)) {
					mx = v
				}
			}
			if mx == 0 {
				continue
			}
			iscale := -127 / mx
			for i, v := range x[b : b+256] {
				q := math.Min(127, math.RoundToEven(float64(iscale*v)))
				out[b+i] = q * float64(1/iscale)
			}
		}
	case typ == gguf.TypeF16:
		for i, v := range x {
			out[i] = float64(FP16ToFP32(FP32ToFP16(v)))
		}
	case typ == gguf.TypeBF16:
		for i, v := range x {
			out[i] = float64(BF16ToFP32(FP32ToBF16(v)))
		}
	default:
		for i, v := range x {
			out[i] = float64(v)
		}
	}
	return out
}

// minTermQ8_1 is, for Q4_1/Q5_1 weights, how ggml's min term differs from
// the exact m*Σx: block_q8_1 keeps s = fp16(d*Σq) with d = amax/127 in
// float32, so the product uses m*s where the dequantized dot has m*Σ(q*d16).
func minTermQ8_1(typ gguf.Type, data []byte, row, cols int, x []float32, ex []float64) float64 {
	if typ != gguf.TypeQ4_1 && typ != gguf.TypeQ5_1 {
		return 0
	}
	size := typ.BlockBytes()
	nb := cols / 32
	var corr float64
	for b := 0; b < nb; b++ {
		blk := data[(row*nb+b)*size:]
		m := float64(FP16ToFP32(uint16(blk[2]) | uint16(blk[3])<<8))
		var amax float32
		var exact float64
		for i := 32 * b; i < 32*b+32; i++ {
			amax = float32(math.Max(float64(amax), math.Abs(float64(x[i]))))
			exact += ex[i]
		}
		d := float64(FP16ToFP32(FP32ToFP16(amax / 127)))
		var sumq float64
		if d != 0 {
			sumq = math.Round(exact / d) // Σq, an integer
		}
		s := float64(FP16ToFP32(FP32ToFP16(float32(amax/127) * float32(sumq))))
		corr += m*s - m*exact
	}
	return corr
}

func colsFor(typ gguf.Type) []int {
	switch {
	case isK(typ):
		return []int{256, 768}
	case is32(typ):
		return []int{32, 96, 256, 288} // odd block counts exercise the lone Q4_0 block
	}
	return []int{3, 64, 100}
}

// TestMatMulMatchesEmulation: MatMul equals an f64 dot of the dequantized
// weights with the emulated activations, to float32 accumulation error, for
// many shapes, token counts and thread counts.
func TestMatMulMatchesEmulation(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	pools := map[int]*Pool{}
	for th := 1; th <= 4; th++ {
		pools[th] = NewPool(th)
		defer pools[th].Close()
	}
	for _, typ := range matTypes {
		for _, cols := range colsFor(typ) {
			for _, rows := range []int{1, 7, 13, 64} {
				m, deq := randMatrix(t, r, typ, rows, cols)
				for n := 1; n <= 9; n++ {
					x := randFloats(r, n*cols, 1)
					if n == 3 {
						clear(x[cols : 2*cols]) // an all-zero token
					}
					ex := emulateActivations(typ, x)
					th := 1 + (rows+n)%4
					y := make([]float32, n*rows+1)
					y[n*rows] = 42 // sentinel past the end
					pools[th].MatMul(y, &m, x, n)
					if y[n*rows] != 42 {
						t.Fatalf("%v: wrote past the output", typ)
					}
					for tok := 0; tok < n; tok++ {
						for row := 0; row < rows; row++ {
							var want, mag float64
							for i := 0; i < cols; i++ {
								p := float64(deq[row*cols+i]) * ex[tok*cols+i]
								want += p
								mag += math.Abs(p)
							}
							want += minTermQ8_1(typ, m.Data, row, cols, x[tok*cols:(tok+1)*cols], ex[tok*cols:(tok+1)*cols])
							got := float64(y[tok*rows+row])
							if math.Abs(got-want) > 2e-6*mag+1e-30 {
								t.Fatalf("%v %dx%d n=%d threads=%d: y[tok %d, row %d] = %.9g, want %.9g (mag %g)",
									typ, rows, cols, n, th, tok, row, got, want, mag)
							}
						}
					}
				}
			}
		}
	}
}

// TestMatMulVsReference compares the quantized-activation path with the
// dequantize-and-F32 reference; the difference must stay within what
// activation quantization can cause.
func TestMatMulVsReference(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	p := NewPool(3)
	defer p.Close()
	for _, typ := range matTypes {
		cols := colsFor(typ)[1]
		rows, n := 37, 5
		m, _ := randMatrix(t, r, typ, rows, cols)
		x := randFloats(r, n*cols, 1)
		y := make([]float32, n*rows)
		yr := make([]float32, n*rows)
		yp := make([]float32, n*rows)
		p.MatMul(y, &m, x, n)
		MatMulRef(yr, &m, x, n)
		p.MatMulRef(yp, &m, x, n)
		// Relative activation error: ~1/254 per element for 8-bit, 2^-11 for fp16, 2^-8 bf16.
		rel := map[gguf.Type]float64{gguf.TypeF32: 1e-6, gguf.TypeF16: 1e-3, gguf.TypeBF16: 8e-3}[typ]
		if rel == 0 {
			rel = 0.02
		}
		var se, sr float64
		for i := range y {
			if yp[i] != yr[i] {
				t.Fatalf("%v: Pool.MatMulRef %v != MatMulRef %v", typ, yp[i], yr[i])
			}
			se += sq(float64(y[i] - yr[i]))
			sr += sq(float64(yr[i]))
		}
		if e := math.Sqrt(se / sr); e > rel {
			t.Errorf("%v: relative RMS difference to reference %.3g > %g", typ, e, rel)
		}
	}
}

func TestActivationQuantQ8_0(t *testing.T) {
	x := make([]float32, 32)
	copy(x, []float32{-127, 63.5, 0.5, 1.5, 2.5, -2.5, 3.49, 126.5})
	qs := make([]int8, 32)
	ds := make([]float32, 1)
	quantizeActQ8_0(x, qs, ds)
	want := []int8{-127, 64, 0, 2, 2, -2, 3, 126} // ties to even, scale 1
	for i, w := range want {
		if qs[i] != w {
			t.Errorf("q[%d] = %d, want %d", i, qs[i], w)
		}
	}
	if ds[0] != 1 {
		t.Errorf("d = %v, want 1", ds[0])
	}
	x[0] = 0.1 // amax now 126.5: d = fp16(126.5/127)
	quantizeActQ8_0(x, qs, ds)
	if ds[0] != FP16ToFP32(FP32ToFP16(126.5/127)) || qs[7] != 127 {
		t.Errorf("d = %v, q[7] = %d", ds[0], qs[7])
	}
}

// TestActivationQuantQ8_0Fast: the dispatched quantizer (assembly on amd64)
// gives the same quants, scales and sums as the portable one.
func TestActivationQuantQ8_0Fast(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	for _, nb := range []int{1, 2, 7, 28} {
		x := randFloats(r, nb*32, 3)
		clear(x[:32])     // an all-zero block
		x[len(x)-1] = 0.5 // a small value among large ones
		q1, q2 := make([]int8, nb*32), make([]int8, nb*32)
		d1, d2 := make([]float32, nb), make([]float32, nb)
		s1, s2 := make([]int32, nb), make([]int32, nb)
		quantizeQ8_0Sums(x, q1, d1, s1)
		quantizeQ8_0SumsGo(x, q2, d2, s2)
		for i := range q1 {
			if q1[i] != q2[i] {
				t.Fatalf("nb=%d: q[%d] = %d, portable %d (x=%v)", nb, i, q1[i], q2[i], x[i])
			}
		}
		for b := range d1 {
			if d1[b] != d2[b] || s1[b] != s2[b] {
				t.Fatalf("nb=%d block %d: d %v/%v sum %d/%d", nb, b, d1[b], d2[b], s1[b], s2[b])
			}
		}
	}
}

// TestActivationQuantQ8KFast: the dispatched Q8_K quantizer equals the
// portable one, including the sign choice on magnitude ties.
func TestActivationQuantQ8KFast(t *testing.T) {
	r := rand.New(rand.NewPCG(17, 18))
	for k := 0; k < 6; k++ {
		x := randFloats(r, 3*256, 2)
		switch k {
		case 1:
			clear(x[256:512]) // an all-zero block
		case 2:
			x[10], x[20] = -9, 9 // tie: the negative one comes first
		case 3:
			x[10], x[20] = 9, -9 // tie: the positive one comes first
		case 4:
			x[300] = 0.5 * 127 / 9 // lands on an exact .5 after scaling
			x[301] = 9
		}
		q1, q2 := make([]int8, len(x)), make([]int8, len(x))
		d1, d2 := make([]float32, 3), make([]float32, 3)
		b1, b2 := make([]int16, 48), make([]int16, 48)
		quantizeQ8K(x, q1, d1, b1)
		quantizeActQ8K(x, q2, d2, b2)
		for i := range q1 {
			if q1[i] != q2[i] {
				t.Fatalf("case %d: q[%d] = %d, portable %d", k, i, q1[i], q2[i])
			}
		}
		for i := range d1 {
			if d1[i] != d2[i] {
				t.Fatalf("case %d: d[%d] = %v, portable %v", k, i, d1[i], d2[i])
			}
		}
		for i := range b1 {
			if b1[i] != b2[i] {
				t.Fatalf("case %d: bsum[%d] = %d, portable %d", k, i, b1[i], b2[i])
			}
		}
	}
}

func TestActivationQuantQ8K(t *testing.T) {
	x := make([]float32, 256)
	x[0] = -254 // max magnitude, negative: iscale = -127/-254 = 0.5
	x[1], x[2], x[3], x[4] = 1, 3, 254, -5
	x[20] = 100
	qs := make([]int8, 256)
	ds := make([]float32, 1)
	bs := make([]int16, 16)
	quantizeActQ8K(x, qs, ds, bs)
	want := map[int]int8{0: -127, 1: 0, 2: 2, 3: 127, 4: -2, 20: 50} // 0.5 and 1.5 tie to even
	for i, w := range want {
		if qs[i] != w {
			t.Errorf("q[%d] = %d, want %d", i, qs[i], w)
		}
	}
	if ds[0] != 2 {
		t.Errorf("d = %v, want 2", ds[0])
	}
	if bs[0] != -127+0+2+127-2 || bs[1] != 50 || bs[2] != 0 {
		t.Errorf("bsums = %v", bs[:3])
	}
}

func TestMatMulNoAllocs(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	p := NewPool(2)
	defer p.Close()
	for _, typ := range matTypes {
		m, _ := randMatrix(t, r, typ, 64, 256)
		for _, n := range []int{1, 8} {
			x := randFloats(r, n*256, 1)
			y := make([]float32, n*64)
			p.MatMul(y, &m, x, n) // grow the scratch
			if a := testing.AllocsPerRun(20, func() { p.MatMul(y, &m, x, n) }); a != 0 {
				t.Errorf("%v n=%d: %v allocations per MatMul", typ, n, a)
			}
		}
	}
}

func TestNewMatrixErrors(t *testing.T) {
	if _, err := NewMatrix(gguf.TypeQ8_0, 2, 32, make([]byte, 67)); err == nil {
		t.Error("short data accepted")
	}
	if _, err := NewMatrix(gguf.TypeQ4_K, 1, 128, make([]byte, 72)); err == nil {
		t.Error("partial super-block accepted")
	}
	if _, err := NewMatrix(gguf.TypeIQ2_XXS, 1, 256, make([]byte, 66)); err == nil {
		t.Error("unsupported type accepted")
	}
	if _, err := NewMatrix(gguf.TypeF32, 0, 4, nil); err == nil {
		t.Error("zero rows accepted")
	}
	// Unaligned F32/F16 data is copied, not misread.
	buf := make([]byte, 1+16)
	b, _ := Quantize(gguf.TypeF32, []float32{1, 2, 3, 4})
	copy(buf[1:], b)
	m, err := NewMatrix(gguf.TypeF32, 1, 4, buf[1:])
	if err != nil {
		t.Fatal(err)
	}
	y := make([]float32, 1)
	p := NewPool(1)
	defer p.Close()
	p.MatMul(y, &m, []float32{1, 1, 1, 1}, 1)
	if y[0] != 10 {
		t.Errorf("unaligned F32: got %v want 10", y[0])
	}
}

func TestMatMulRejectsRawMatrix(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("MatMul accepted a Matrix literal")
		}
	}()
	p := NewPool(1)
	defer p.Close()
	m := Matrix{Type: gguf.TypeQ8_0, Rows: 1, Cols: 32, Data: make([]byte, 34)}
	p.MatMul(make([]float32, 1), &m, make([]float32, 32), 1)
}

func TestPoolRun(t *testing.T) {
	for th := 1; th <= 4; th++ {
		p := NewPool(th)
		for _, n := range []int{0, 1, 2, 5, 100} {
			hits := make([]atomic.Int32, n)
			p.Run(n, func(i int) { hits[i].Add(1) })
			for i := range hits {
				if hits[i].Load() != 1 {
					t.Fatalf("threads %d n %d: task %d ran %d times", th, n, i, hits[i].Load())
				}
			}
		}
		// Concurrent callers are serialized, not mixed.
		var wg sync.WaitGroup
		var total atomic.Int64
		for g := 0; g < 4; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for k := 0; k < 50; k++ {
					p.Run(7, func(i int) { total.Add(int64(i)) })
				}
			}()
		}
		wg.Wait()
		if total.Load() != 4*50*21 {
			t.Errorf("threads %d: concurrent Run total %d", th, total.Load())
		}
		p.Close()
	}
}

func ExamplePool_MatMul() {
	// A 2x32 Q8_0 matrix: row 0 all 1s, row 1 all -2s.
	w := make([]float32, 64)
	for i := range w {
		w[i] = 1
		if i >= 32 {
			w[i] = -2
		}
	}
	data, _ := Quantize(gguf.TypeQ8_0, w)
	m, _ := NewMatrix(gguf.TypeQ8_0, 2, 32, data)
	x := make([]float32, 32)
	for i := range x {
		x[i] = 0.5
	}
	p := NewPool(2)
	defer p.Close()
	y := make([]float32, 2)
	p.MatMul(y, &m, x, 1)
	// Weights and activations are both 8-bit quantized (fp16 scales), so the
	// result is close to, not exactly, 16 and -32.
	fmt.Printf("%.2f %.2f\n", y[0], y[1])
	// Output: 16.00 -32.00
}
