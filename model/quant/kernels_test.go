package quant

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/weft-dev/weft/model/gguf"
)

// TestKernelsMatchPortable checks that the dispatched kernels (assembly where
// the CPU has it) agree with the portable Go kernels to float32 summation
// order, on every row length from one block up.
func TestKernelsMatchPortable(t *testing.T) {
	t.Logf("assembly kernels in use: %v", asmKernels())
	r := rand.New(rand.NewPCG(13, 14))
	close := func(what string, got, want float32, mag float64) {
		t.Helper()
		if math.Abs(float64(got)-float64(want)) > 1e-6*mag+1e-30 {
			t.Fatalf("%s: got %.9g, portable %.9g (mag %g)", what, got, want, mag)
		}
	}
	for nb := 1; nb <= 12; nb++ {
		cols := nb * 32
		x := randFloats(r, cols, 1)
		qs := make([]int8, cols)
		ds := make([]float32, nb)
		quantizeActQ8_0(x, qs, ds)
		for _, typ := range []gguf.Type{gguf.TypeQ8_0, gguf.TypeQ4_0} {
			m, deq := randMatrix(t, r, typ, 1, cols)
			var mag float64
			for i := range deq {
				mag += math.Abs(float64(deq[i]) * float64(x[i]))
			}
			if typ == gguf.TypeQ8_0 {
				close("Q8_0", dotQ8_0(int8s(m.qs), m.ds, qs, ds), dotQ8_0Go(int8s(m.qs), m.ds, qs, ds), mag)
			} else {
				close("Q4_0", dotQ4_0(m.qs, m.ds, qs, ds), dotQ4_0Go(m.qs, m.ds, qs, ds), mag)
			}
		}
	}
	for _, n := range []int{1, 7, 8, 9, 31, 32, 33, 100, 896} {
		a := randFloats(r, n, 1)
		b := randFloats(r, n, 1)
		h := make([]uint16, n)
		var mag float64
		for i := range a {
			h[i] = FP32ToFP16(a[i])
			mag += math.Abs(float64(a[i] * b[i]))
		}
		close("F32", dotF32(a, b), dotF32Go(a, b), mag)
		close("F16", dotF16(h, b), dotF16Go(h, b), mag)
	}
	for _, nb := range []int{1, 2, 3} {
		cols := nb * 256
		x := randFloats(r, cols, 1)
		qs := make([]int8, cols)
		ds := make([]float32, nb)
		bs := make([]int16, cols/16)
		quantizeActQ8K(x, qs, ds, bs)
		for _, typ := range []gguf.Type{gguf.TypeQ4_K, gguf.TypeQ6_K} {
			m, deq := randMatrix(t, r, typ, 1, cols)
			var mag float64
			for i := range deq {
				mag += math.Abs(float64(deq[i]) * float64(x[i]))
			}
			if typ == gguf.TypeQ4_K {
				close("Q4_K", dotQ4K(m.Data, qs, ds, bs), dotQ4KGo(m.Data, qs, ds, bs), mag)
			} else {
				close("Q6_K", dotQ6K(m.Data, qs, ds), dotQ6KGo(m.Data, qs, ds), mag)
			}
		}
	}
}
