package quant

import (
	"math"
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
