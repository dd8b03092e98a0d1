package model

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"math"
	"path/filepath"
	"testing"

	"github.com/weft-dev/weft/model/gguf"
)

// TestF16KVParity compares weft's F16 KV cache with llama.cpp's (its default
// cache type) on the F32 tiny-llama and tiny-gemma masters of
// testdata/parity: testdata/parity-f16kv holds llama.cpp's prefill logits
// with an F16 cache (README.md there says how they were made).
//
// With an F16 cache ggml rounds Q (the vec_dot_type of F16 is F16) and the
// softmax probabilities (the partner of V in kqv = mul_mat(v, kq)) to F16.
// Weft rounds at the same points, but its float32 values before those
// roundings are not bit-identical to ggml's (summation orders differ), and an
// F16 rounding amplifies a last-bit float32 difference into a whole F16 ulp
// (2^-11 relative) now and then. So the logits agree to about 0.01 here, the
// size of llama.cpp's own difference between its prefill and its
// token-by-token evaluation with an F16 cache (0.002-0.009 at the last
// position on these masters, against 1e-5 to 8e-5 with an F32 cache). Without
// the F16 rounding of Q or of the probabilities the error is 0.04-0.05.
func TestF16KVParity(t *testing.T) {
	const tol = 0.025 // largest top-5 difference over every prompt row
	for _, tc := range []struct {
		family, sha256 string // the master as llama.cpp read it
	}{
		{"tiny-llama", "fb8ed6cbb79999a10e06d7b226b8982060f4c7fbcf8111aa288766682c19fb1a"},
		{"tiny-gemma", "aaa722964ca256e5fc513f060d112141af21c49f74d2bfddfae9db5b92da0a7c"},
	} {
		t.Run(tc.family, func(t *testing.T) {
			master, err := presetMaster(tc.family)
			if err != nil {
				t.Fatal(err)
			}
			b := master.Bytes()
			if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != tc.sha256 {
				t.Fatalf("the %s master changed (sha256 %x); remake testdata/parity-f16kv", tc.family, sum)
			}
			ref := loadParity(t, filepath.Join("testdata", "parity-f16kv", tc.family+".json"))
			m, err := FromBytes(b, Options{Threads: 2, KVType: gguf.TypeF16})
			if err != nil {
				t.Fatal(err)
			}
			for pi, p := range ref.Prompts {
				rows, err := m.NewSession(256).EvalAll(context.Background(), p.PromptIDs)
				if err != nil {
					t.Fatal(err)
				}
				worst := 0.0
				for r := range rows {
					for j, id := range p.Rows.TopIDs[r] {
						worst = max(worst, math.Abs(float64(rows[r][id])-float64(p.Rows.TopLogits[r][j])))
					}
					if got, want := argmax(rows[r]), p.Rows.TopIDs[r][0]; got != want && p.Rows.TopLogits[r][0]-p.Rows.TopLogits[r][1] > 0.1 {
						t.Errorf("%s row %d: argmax %d, llama.cpp %d", p.Name, r, got, want)
					}
				}
				last := 0.0
				for i, v := range ref.last[pi] {
					last = max(last, math.Abs(float64(rows[len(rows)-1][i])-float64(v)))
				}
				if worst > tol || last > tol {
					t.Errorf("%s: largest top-5 difference %.4g, last row %.4g (want ≤ %g)", p.Name, worst, last, tol)
				}
				t.Logf("%s: largest top-5 difference %.4g over %d rows, last row %.4g", p.Name, worst, len(rows), last)
			}
		})
	}
}
