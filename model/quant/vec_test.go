package quant

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/weft-dev/weft/model/gguf"
)

// TestVecKernels checks the exported dot and axpy kernels against float64
// sums, over lengths that exercise the SIMD body and the scalar tail.
func TestVecKernels(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{0, 1, 7, 8, 9, 16, 31, 64, 67, 128} {
		a := randFloats(r, n, 1)
		b := randFloats(r, n, 1)
		h := make([]uint16, n)
		hf := make([]float32, n) // the halves' values
		for i, v := range b {
			h[i] = FP32ToFP16(v)
			hf[i] = FP16ToFP32(h[i])
		}
		var want, want16 float64
		for i := range a {
			want += float64(a[i]) * float64(b[i])
			want16 += float64(a[i]) * float64(hf[i])
		}
		if got := DotF32(a, b); math.Abs(float64(got)-want) > 1e-5*float64(n+1) {
			t.Errorf("DotF32 n=%d: %g, want %g", n, got, want)
		}
		if got := DotF16(a, h); math.Abs(float64(got)-want16) > 1e-5*float64(n+1) {
			t.Errorf("DotF16 n=%d: %g, want %g", n, got, want16)
		}
		const alpha = 0.75
		y := append([]float32(nil), a...)
		AxpyF32(y, alpha, b)
		y16 := append([]float32(nil), a...)
		AxpyF16(y16, alpha, h)
		for i := range y {
			if w := float64(a[i]) + alpha*float64(b[i]); math.Abs(float64(y[i])-w) > 1e-6 {
				t.Fatalf("AxpyF32 n=%d [%d]: %g, want %g", n, i, y[i], w)
			}
			if w := float64(a[i]) + alpha*float64(hf[i]); math.Abs(float64(y16[i])-w) > 1e-6 {
				t.Fatalf("AxpyF16 n=%d [%d]: %g, want %g", n, i, y16[i], w)
			}
		}
	}
}

// TestMatMulMulti checks that a fused product equals separate MatMuls,
// bit for bit (same kernels, same activation quantization), for matrices of
// one type and for a mixed set that falls back to separate calls.
func TestMatMulMulti(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	p := NewPool(2)
	defer p.Close()
	const cols = 256
	mk := func(typ gguf.Type, rows int) *Matrix {
		m, _ := randMatrix(t, r, typ, rows, cols)
		return &m
	}
	sets := map[string][]*Matrix{
		"q8_0 qkv":  {mk(gguf.TypeQ8_0, 64), mk(gguf.TypeQ8_0, 16), mk(gguf.TypeQ8_0, 16)},
		"q4_k pair": {mk(gguf.TypeQ4_K, 40), mk(gguf.TypeQ4_K, 40)},
		"mixed":     {mk(gguf.TypeQ8_0, 24), mk(gguf.TypeQ4_0, 8), mk(gguf.TypeQ6_K, 12)},
	}
	for name, ws := range sets {
		for _, n := range []int{1, 5} {
			x := randFloats(r, n*cols, 1)
			ys := make([][]float32, len(ws))
			for j, w := range ws {
				ys[j] = make([]float32, n*w.Rows)
			}
			p.MatMulMulti(ys, ws, x, n)
			for j, w := range ws {
				want := make([]float32, n*w.Rows)
				p.MatMul(want, w, x, n)
				for i := range want {
					if ys[j][i] != want[i] {
						t.Fatalf("%s n=%d matrix %d [%d]: fused %g, separate %g", name, n, j, i, ys[j][i], want[i])
					}
				}
			}
		}
	}
}

// TestAttentionKernels checks ScoresF16 and WeightedSumF16 against float64
// sums over the halves' values, with a row stride wider than a head.
func TestAttentionKernels(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, hd := range []int{8, 16, 32, 64, 96, 128} {
		for _, n := range []int{1, 2, 7, 33} {
			stride := hd + 32
			q := randFloats(r, hd, 1)
			p := randFloats(r, n, 1)
			kv := make([]uint16, (n-1)*stride+hd)
			for i := range kv {
				kv[i] = FP32ToFP16(float32(r.NormFloat64()))
			}
			const scale = 0.125
			out := make([]float32, n)
			mx := ScoresF16(out, q, kv, stride, scale)
			wantMax := math.Inf(-1)
			for i := 0; i < n; i++ {
				var want float64
				for j := 0; j < hd; j++ {
					want += float64(q[j]) * float64(FP16ToFP32(kv[i*stride+j]))
				}
				want *= scale
				wantMax = max(wantMax, float64(out[i]))
				if math.Abs(float64(out[i])-want) > 1e-5*float64(hd) {
					t.Fatalf("ScoresF16 hd=%d n=%d [%d]: %g, want %g", hd, n, i, out[i], want)
				}
			}
			if float64(mx) != wantMax {
				t.Fatalf("ScoresF16 hd=%d n=%d: max %g, want %g", hd, n, mx, wantMax)
			}
			sum := make([]float32, hd)
			for i := range sum {
				sum[i] = 99 // must be overwritten
			}
			WeightedSumF16(sum, p, kv, stride)
			for j := 0; j < hd; j++ {
				var want float64
				for i := 0; i < n; i++ {
					want += float64(p[i]) * float64(FP16ToFP32(kv[i*stride+j]))
				}
				if math.Abs(float64(sum[j])-want) > 1e-5*float64(n) {
					t.Fatalf("WeightedSumF16 hd=%d n=%d [%d]: %g, want %g", hd, n, j, sum[j], want)
				}
			}
		}
	}
}

// TestQ4KVariants checks the Q4_K kernels with and without VNNI against the
// portable kernel, four-token tiles and single tokens.
func TestQ4KVariants(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	const rows, cols, n = 6, 512, 6
	m, _ := randMatrix(t, r, gguf.TypeQ4_K, rows, cols)
	x := randFloats(r, n*cols, 1)
	mm := quantizedJob(&m, x, n)
	want := make([]float32, n*rows)
	for tok := 0; tok < n; tok++ {
		for row := 0; row < rows; row++ {
			rb := m.rowBytes()
			want[tok*rows+row] = dotQ4KGo(m.Data[row*rb:(row+1)*rb], mm.a.qs[tok*cols:(tok+1)*cols],
				mm.a.d[tok*cols/qkK:(tok+1)*cols/qkK], mm.a.bsum[tok*cols/16:(tok+1)*cols/16])
		}
	}
	for _, lvl := range kernelVariants() {
		y := make([]float32, n*rows)
		if !matQ4KAsmV(&m, &mm.a, 0, rows, n, y, lvl) {
			t.Skip("no assembly kernels here")
		}
		for i := range y {
			if math.Abs(float64(y[i]-want[i])) > 1e-4*(1+math.Abs(float64(want[i]))) {
				t.Fatalf("level %d [%d]: %g, portable %g", lvl, i, y[i], want[i])
			}
		}
	}
}
