package model

import (
	"context"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"

	"github.com/weft-dev/weft/model/gguf"
)

// BenchmarkFilePrefill and BenchmarkFileDecode time a real GGUF file named by
// env WEFT_BENCH_MODEL (skipped without it), for profiling with -cpuprofile:
// a prefill from an empty cache (64 tokens, or env WEFT_BENCH_PP up to 512),
// and single-token steps.
func BenchmarkFilePrefill(b *testing.B) {
	pp := 64
	if v, err := strconv.Atoi(os.Getenv("WEFT_BENCH_PP")); err == nil && v > 0 && v <= 512 {
		pp = v
	}
	benchFile(b, pp, 0)
}

func BenchmarkFileDecode(b *testing.B) { benchFile(b, 0, 1) }

func benchFile(b *testing.B, pp, tg int) {
	path := os.Getenv("WEFT_BENCH_MODEL")
	if path == "" {
		b.Skip("set WEFT_BENCH_MODEL to a GGUF file")
	}
	m, err := Open(path, Options{Threads: 1, KVType: gguf.TypeF16})
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	s := m.NewSession(512)
	rng := rand.New(rand.NewPCG(1, 2))
	toks := make([]int32, 512)
	for i := range toks {
		toks[i] = int32(rng.IntN(m.Info().NVocab))
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if pp > 0 {
			s.Reset()
			if _, err := s.Eval(ctx, toks[:pp]); err != nil {
				b.Fatal(err)
			}
			continue
		}
		if len(s.Tokens()) >= 256 {
			s.Reset()
		}
		if _, err := s.step(ctx, toks[len(s.Tokens())]); err != nil {
			b.Fatal(err)
		}
	}
}

func TestExpF32(t *testing.T) {
	var worst float64
	for x := float32(-87); x <= 88.7; x += 0.00917 {
		want := math.Exp(float64(x))
		if e := math.Abs(float64(expF32(x))-want) / want; e > worst {
			worst = e
		}
	}
	if worst > 3e-7 {
		t.Errorf("expF32 relative error %g", worst)
	}
	for _, c := range []struct{ x, want float32 }{{0, 1}, {-110, 0}, {100, float32(math.Inf(1))}} {
		if got := expF32(c.x); got != c.want {
			t.Errorf("expF32(%g) = %g, want %g", c.x, got, c.want)
		}
	}
}
