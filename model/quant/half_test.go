package quant

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestFP16KnownValues(t *testing.T) {
	tests := []struct {
		f float32
		h uint16
	}{
		{0, 0x0000},
		{float32(math.Copysign(0, -1)), 0x8000},
		{1, 0x3c00},
		{-2, 0xc000},
		{0.5, 0x3800},
		{65504, 0x7bff},
		{65519.996, 0x7bff},
		{65520, 0x7c00}, // tie between 65504 and "65536": rounds to even = Inf
		{1e6, 0x7c00},
		{float32(math.Inf(-1)), 0xfc00},
		{0.1, 0x2e66},
		{1.0 / 3, 0x3555},
		{0x1p-24, 0x0001},     // smallest subnormal
		{0x1p-25, 0x0000},     // tie with zero: even
		{0x1.8p-25, 0x0001},   // above the tie
		{0x1.8p-24, 0x0002},   // 1.5 units: tie, round to even (2)
		{0x1.4p-23, 0x0002},   // 2.5 units: tie, round to even (2)
		{0x1p-14, 0x0400},     // smallest normal
		{0x1.ffcp-15, 0x0400}, // 1023.5 units: tie, rounds up to the normal 0x400
		{1 + 0x1p-11, 0x3c00}, // tie between 1 and 1+2^-10: even
		{1 + 0x3p-11, 0x3c02}, // tie, rounds up to even
	}
	for _, tt := range tests {
		if got := FP32ToFP16(tt.f); got != tt.h {
			t.Errorf("FP32ToFP16(%g) = %#04x, want %#04x", tt.f, got, tt.h)
		}
	}
	if h := FP32ToFP16(float32(math.NaN())); h&0x7c00 != 0x7c00 || h&0x3ff == 0 {
		t.Errorf("NaN -> %#04x, want a NaN", h)
	}
	if got := FP16ToFP32(0x3555); got != 0.333251953125 {
		t.Errorf("FP16ToFP32(0x3555) = %v", got)
	}
	if got := FP16ToFP32(0x0001); got != 0x1p-24 {
		t.Errorf("FP16ToFP32(1) = %v", got)
	}
}

// TestFP16RoundTripAll: every non-NaN half converts to float32 and back to itself.
func TestFP16RoundTripAll(t *testing.T) {
	for i := 0; i < 1<<16; i++ {
		h := uint16(i)
		if h&0x7c00 == 0x7c00 && h&0x3ff != 0 {
			if f := FP16ToFP32(h); !math.IsNaN(float64(f)) {
				t.Fatalf("%#04x should decode to NaN, got %v", h, f)
			}
			continue
		}
		if got := FP32ToFP16(FP16ToFP32(h)); got != h {
			t.Fatalf("round trip %#04x -> %v -> %#04x", h, FP16ToFP32(h), got)
		}
		if FP16ToFP32(h) != fp16ToFP32Slow(h) {
			t.Fatalf("table mismatch at %#04x", h)
		}
	}
}

// TestFP16Nearest checks round-to-nearest-even on random floats against the
// definition: no other half is closer, and ties pick the even mantissa.
func TestFP16Nearest(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 200000; i++ {
		var f float32
		switch i % 3 {
		case 0:
			f = math.Float32frombits(r.Uint32() & 0x477fffff) // mostly in half range
		case 1:
			f = float32(r.NormFloat64() * 1e-5) // subnormal region
		default:
			f = float32(r.NormFloat64())
		}
		if f > 65504 || f < -65504 {
			continue
		}
		h := FP32ToFP16(f)
		got := float64(FP16ToFP32(h))
		err := math.Abs(got - float64(f))
		for _, nb := range []uint16{h - 1, h + 1, h ^ 0x8000} {
			if nb&0x7c00 == 0x7c00 {
				continue
			}
			e2 := math.Abs(float64(FP16ToFP32(nb)) - float64(f))
			if e2 < err || (e2 == err && nb&0x7fff != h&0x7fff && h&1 == 1) {
				t.Fatalf("FP32ToFP16(%g) = %#04x (%g), but %#04x (%g) is nearer or the even tie",
					f, h, got, nb, FP16ToFP32(nb))
			}
		}
	}
}

func TestBF16(t *testing.T) {
	tests := []struct {
		f float32
		h uint16
	}{
		{1, 0x3f80},
		{-2, 0xc000},
		{math.Pi, 0x4049}, // 0x40490fdb rounds down
		{math.Float32frombits(0x3f808000), 0x3f80}, // tie, even
		{math.Float32frombits(0x3f818000), 0x3f82}, // tie, rounds up to even
		{math.Float32frombits(0x3f808001), 0x3f81}, // above the tie
		{float32(math.Inf(1)), 0x7f80},
		{math.Float32frombits(0x7f7fffff), 0x7f80}, // max float rounds to Inf
	}
	for _, tt := range tests {
		if got := FP32ToBF16(tt.f); got != tt.h {
			t.Errorf("FP32ToBF16(%g) = %#04x, want %#04x", tt.f, got, tt.h)
		}
	}
	if h := FP32ToBF16(float32(math.NaN())); !math.IsNaN(float64(BF16ToFP32(h))) {
		t.Errorf("NaN -> %#04x", h)
	}
	if BF16ToFP32(0x4049) != 3.140625 {
		t.Errorf("BF16ToFP32(0x4049) = %v", BF16ToFP32(0x4049))
	}
}

func TestNearestInt(t *testing.T) {
	tests := []struct {
		f    float32
		want int32
	}{{0.5, 0}, {1.5, 2}, {2.5, 2}, {-0.5, 0}, {-1.5, -2}, {-2.5, -2}, {0.49999997, 0}, {3.7, 4}, {-3.7, -4}, {127, 127}, {-127.4, -127}}
	for _, tt := range tests {
		if got := nearestInt(tt.f); got != tt.want {
			t.Errorf("nearestInt(%v) = %d, want %d", tt.f, got, tt.want)
		}
	}
}

// TestRoundFP16s: the dispatched (vectorized) rounding equals FP32ToFP16 on
// random, tie, subnormal, overflow and NaN-free special values.
func TestRoundFP16s(t *testing.T) {
	r := rand.New(rand.NewPCG(19, 20))
	src := make([]float32, 1003)
	for i := range src {
		src[i] = math.Float32frombits(r.Uint32() & 0xc77fffff)
	}
	copy(src, []float32{1 + 0x1p-11, 1 + 0x3p-11, 0x1p-25, 0x1.8p-24, 65520, 65519, -0.0, float32(math.Inf(1)), 1e-30})
	dst := make([]float32, len(src))
	roundFP16s(dst, src)
	for i, v := range src {
		if want := FP16ToFP32(FP32ToFP16(v)); math.Float32bits(dst[i]) != math.Float32bits(want) {
			t.Fatalf("roundFP16s(%g) = %g, want %g", v, dst[i], want)
		}
	}
}
