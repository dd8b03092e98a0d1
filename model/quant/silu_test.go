package quant

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestSwiGLU compares SwiGLU with g/(1+e^−g)·u in float64 over the range
// where activations live and beyond, both signs, and NaN (below g = −87 the exponential is clamped, which leaves an error under 1e-35).
func TestSwiGLU(t *testing.T) {
	var h, up []float32
	for x := float32(-120); x <= 120; x += 0.0371 {
		h = append(h, x)
		up = append(up, 1+x/200)
	}
	want := make([]float64, len(h))
	for i, g := range h {
		want[i] = float64(g) / (1 + math.Exp(-float64(g))) * float64(up[i])
	}
	SwiGLU(h, up)
	for i, got := range h {
		w := want[i]
		if d := math.Abs(float64(got) - w); d > 1e-6*math.Abs(w)+1e-30 {
			t.Fatalf("SwiGLU element %d: got %g, want %g", i, got, w)
		}
	}
	nan := []float32{float32(math.NaN())}
	SwiGLU(nan, []float32{1})
	if !math.IsNaN(float64(nan[0])) {
		t.Errorf("SwiGLU(NaN) = %g, want NaN", nan[0])
	}
}

// TestSwiGLUAsm checks that the assembly gives bit for bit what the
// portable code gives, on activations of both signs, zeros, values past the
// exponential's clamp, and lengths that leave a tail.
func TestSwiGLUAsm(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{8, 13, 256, 4864, 4867} {
		h := make([]float32, n)
		up := make([]float32, n)
		for i := range h {
			h[i] = float32(rng.NormFloat64() * 4)
			up[i] = float32(rng.NormFloat64())
		}
		h[0], h[1], h[2], h[3] = 0, float32(math.Copysign(0, -1)), -100, 100
		want := slices.Clone(h)
		swigluGo(want, up)
		SwiGLU(h, up)
		for i := range h {
			if math.Float32bits(h[i]) != math.Float32bits(want[i]) {
				t.Fatalf("n=%d element %d: SwiGLU %g, portable %g", n, i, h[i], want[i])
			}
		}
	}
}

func BenchmarkSwiGLU(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 4))
	h := make([]float32, 4864)
	up := make([]float32, len(h))
	for i := range up {
		up[i] = float32(rng.NormFloat64())
	}
	for b.Loop() {
		for i := range h {
			h[i] = up[(i*7)%len(up)] * 3
		}
		SwiGLU(h, up)
	}
}
