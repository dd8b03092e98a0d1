package quant

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestExpShift checks ExpShift (assembly where present) and expShiftGo
// against float64 math.Exp: each value within 3 ulp, the clamp below -87,
// NaN passed through, the returned sum, and lengths that leave a tail after
// the assembly's groups of eight.
func TestExpShift(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	impls := map[string]func([]float32, float32) float64{"ExpShift": ExpShift, "go": expShiftGo}
	for name, f := range impls {
		for _, n := range []int{0, 1, 7, 8, 9, 31, 64, 1000, 8192} {
			shift := float32(r.NormFloat64() * 5)
			xs := make([]float32, n)
			for i := range xs {
				switch i % 5 {
				case 0:
					xs[i] = shift - float32(r.Float64()*100) // some below the clamp
				case 1:
					xs[i] = shift - float32(r.Float64()*0.01)
				default:
					xs[i] = shift - float32(r.ExpFloat64()*4)
				}
			}
			if n > 3 {
				xs[3] = shift
			}
			in := append([]float32(nil), xs...)
			sum := f(xs, shift)
			var want float64
			for i, x := range in {
				d := max(float64(x-shift), -87)
				e := math.Exp(d)
				if diff := math.Abs(float64(xs[i]) - e); diff > 3*0x1p-23*e {
					t.Fatalf("%s n=%d: e^(%v) = %v, want %v (%.1f ulp)", name, n, d, xs[i], e, diff/(e*0x1p-23))
				}
				want += float64(xs[i])
			}
			if math.Abs(sum-want) > 1e-12*want {
				t.Fatalf("%s n=%d: sum %v, want %v", name, n, sum, want)
			}
		}
		xs := []float32{0, 0, float32(math.NaN()), 0, 0, 0, 0, 0, float32(math.NaN())}
		if s := f(xs, 0); !math.IsNaN(s) || !math.IsNaN(float64(xs[2])) || !math.IsNaN(float64(xs[8])) || xs[0] != 1 {
			t.Fatalf("%s: NaN input: %v, sum %v", name, xs, s)
		}
	}
}

// TestSoftmaxExp checks the maximum it finds (assembly and portable, the
// largest element in every position of rows of every length mod 32) and that
// the exponentials are shifted by it.
func TestSoftmaxExp(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	for n := 1; n <= 80; n++ {
		for at := 0; at < n; at++ {
			xs := make([]float32, n)
			for i := range xs {
				xs[i] = float32(r.NormFloat64())
			}
			xs[at] = 10
			if m := maxGo(xs[1:], xs[0]); m != 10 {
				t.Fatalf("maxGo n=%d, max at %d: %v", n, at, m)
			}
			m, sum := SoftmaxExp(xs)
			if m != 10 || xs[at] != 1 {
				t.Fatalf("SoftmaxExp n=%d, max at %d: max %v, e^0 = %v", n, at, m, xs[at])
			}
			var want float64
			for _, x := range xs {
				want += float64(x)
			}
			if math.Abs(sum-want) > 1e-12*want {
				t.Fatalf("SoftmaxExp n=%d: sum %v, want %v", n, sum, want)
			}
		}
	}
}

// BenchmarkExpShift times one softmax row of the default vocabulary.
func BenchmarkExpShift(b *testing.B) {
	r := rand.New(rand.NewPCG(2, 2))
	src := make([]float32, 8192)
	for i := range src {
		src[i] = float32(r.NormFloat64() * 3)
	}
	row := make([]float32, len(src))
	for name, f := range map[string]func([]float32, float32) float64{"ExpShift": ExpShift, "go": expShiftGo} {
		b.Run(name, func(b *testing.B) {
			cpu0 := cpuTime()
			for b.Loop() {
				copy(row, src)
				f(row, 12)
			}
			b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(b.N*len(row)), "cpu-ns/elem")
		})
	}
}
