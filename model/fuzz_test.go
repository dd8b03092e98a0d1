package model

import (
	"context"
	"testing"

	"github.com/weft-dev/weft/model/gguf"
)

// FuzzLoad feeds mutated GGUF files of every architecture to the loader and,
// when one loads, decodes a few tokens: any input may be refused with an
// error, none may panic or hang. The seeds are one-layer models of 64
// dimensions with F32 and Q8_0 weights.
func FuzzLoad(f *testing.F) {
	for _, arch := range SupportedArchs() {
		for _, typ := range []gguf.Type{gguf.TypeF32, gguf.TypeQ8_0} {
			cfg, err := synthPreset("tiny", arch)
			if err != nil {
				f.Fatal(err)
			}
			cfg.nLayer, cfg.nEmbd, cfg.nHead, cfg.nKV, cfg.nFF, cfg.nVocab, cfg.nCtx = 1, 64, 2, 1, 64, 264, 16
			if arch == "qwen3" {
				cfg.headDim = 64 // n_head·head_dim ≠ n_embd
			}
			w, err := synth(cfg, "fuzz", pureTypes(typ), nil, 1, nil)
			if err != nil {
				f.Fatal(err)
			}
			b, err := w.Bytes()
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := FromBytes(data, Options{Threads: 1})
		if err != nil {
			return
		}
		defer m.Close()
		s := m.NewSession(8)
		toks := []int32{1, 2, 3}
		if n := int32(m.Info().NVocab); n < 4 {
			toks = []int32{0}
		}
		s.Eval(context.Background(), toks)
	})
}
