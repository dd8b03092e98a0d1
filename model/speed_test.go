package model

import (
	"context"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"

	"github.com/weft-dev/weft/model/gguf"
)

// BenchmarkFilePrefill and BenchmarkFileDecode time a real GGUF file named by
// env WEFT_BENCH_MODEL (skipped without it), for profiling with -cpuprofile:
// a prefill from an empty cache (64 tokens, or env WEFT_BENCH_PP up to 512),
// and single-token steps. Env WEFT_BENCH_THREADS sets the threads (default 1).
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
	threads := 1
	if v, err := strconv.Atoi(os.Getenv("WEFT_BENCH_THREADS")); err == nil && v > 0 {
		threads = v
	}
	m, err := Open(path, Options{Threads: threads, KVType: gguf.TypeF16})
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
