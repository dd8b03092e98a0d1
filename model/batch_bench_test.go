package model

import (
	"context"
	"os"
	"testing"

	"github.com/weft-dev/weft/model/gguf"
)

// BenchmarkConsensus compares decoding a greedy completion alone, with 8 samples one after another,
// and with 8 samples batched with it (GenerateBatch), 16 tokens each from a 512-token prompt held in
// the session's cache. The model is WEFT_BENCH_MODEL (a synthesized Qwen2.5-Coder-0.5B Q4_0, say), or
// the tiny preset. Run with -benchtime=3x -count=2 and compare the rows of one run.
func BenchmarkConsensus(b *testing.B) {
	var m *Model
	if p := os.Getenv("WEFT_BENCH_MODEL"); p != "" {
		var err error
		if m, err = Open(p, Options{KVType: gguf.TypeF16}); err != nil {
			b.Fatal(err)
		}
		defer m.Close()
	} else {
		m = tinyModel(b, "qwen2", gguf.TypeQ8_0, Options{KVType: gguf.TypeF16})
	}
	ctx := context.Background()
	prompt := seq(512, 3)
	opts := make([]GenerateOptions, 9)
	for j := range opts {
		opts[j] = GenerateOptions{MaxTokens: 16, IgnoreEOG: true, NoLogProb: true}
		if j > 0 {
			opts[j].Sampler = SamplerOptions{Temperature: 0.7, TopK: 40, Seed: uint64(j)}
		}
	}
	s := m.NewSession(1024)
	if _, err := s.Eval(ctx, prompt); err != nil {
		b.Fatal(err)
	}
	b.Run("greedy", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := s.Generate(ctx, prompt, opts[0], nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("greedy+8-sequential", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			for _, o := range opts {
				if _, err := s.Generate(ctx, prompt, o, nil); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("greedy+8-batched", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := s.GenerateBatch(ctx, prompt, opts, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
}
