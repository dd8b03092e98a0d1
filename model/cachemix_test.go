package model

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/weft-dev/weft/model/gguf"
)

func TestCacheMixLookup(t *testing.T) {
	tests := []struct {
		name      string
		doc, hist []int32
		minRun    int
		want      []cacheCand // in order of first occurrence
	}{
		{"no match", []int32{1, 2, 3}, []int32{7, 8}, 2, nil},
		// "1 2" is followed by 3 once and by 4 twice; the longer run "9 1 2" wins over them.
		{"counts", []int32{1, 2, 3, 5, 1, 2, 4, 1, 2, 4}, []int32{0, 1, 2}, 2, []cacheCand{{3, 1}, {4, 2}}},
		{"longest run", []int32{1, 2, 3, 9, 1, 2, 4}, []int32{9, 1, 2}, 2, []cacheCand{{4, 1}}},
		{"below the shortest run", []int32{1, 2, 3}, []int32{5, 2}, 2, nil},
		// Nothing follows the token before a separator, and no run crosses one.
		{"separator", []int32{1, 2, -1, 2, 6}, []int32{1, 2}, 1, []cacheCand{{6, 1}}},
		{"run stops at separator", []int32{1, -1, 2, 6, 1, 2, 7}, []int32{1, 2}, 2, []cacheCand{{7, 1}}},
		// A run that reaches back to a file start in both counts below the shortest run; one that does
		// not, still does not.
		{"file start", []int32{-2, 4, 5, 6, -1, -2, 4, 7, 4, 8}, []int32{-2, 4}, 3, []cacheCand{{5, 1}, {7, 1}}},
		{"file start alone", []int32{-2, 4, 5, -1, -2, 3}, []int32{-2}, 3, []cacheCand{{4, 1}, {3, 1}}},
		{"not at a file start", []int32{-2, 4, 5, 6, 9, 4, 7}, []int32{9, 4}, 3, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newCacheMixer(CacheMix{Doc: tc.doc, Lead: tc.hist, Lambda: 0.5, MinRun: tc.minRun, MaxRun: 8}, 4, 10)
			total := c.lookup()
			got := slices.Clone(c.cands)
			if !slices.Equal(got, tc.want) {
				t.Errorf("candidates %v, want %v", got, tc.want)
			}
			n := 0
			for _, cd := range tc.want {
				n += cd.n
			}
			if total != n {
				t.Errorf("total %d, want %d", total, n)
			}
		})
	}
}

// TestCacheMixMix: the softmax of the rewritten logits is (1−λ)·p_model + λ·p_doc, with λ fixed, or
// grown with the run's three occurrences to 1−(1−0.3)³ or capped.
func TestCacheMixMix(t *testing.T) {
	for _, tc := range []struct{ max, lambda float64 }{{0, 0.3}, {0.9, 1 - 0.7*0.7*0.7}, {0.5, 0.5}} {
		testCacheMixMix(t, float32(tc.max), tc.lambda)
	}
}

func testCacheMixMix(t *testing.T, maxLambda float32, lambda float64) {
	logits := []float32{1.5, -2, 0.25, 3, -0.5, 0, 2}
	doc := []int32{4, 5, 1, 4, 5, 1, 4, 5, 6} // after "4 5": 1 twice, 6 once
	c := newCacheMixer(CacheMix{Doc: doc, Lead: []int32{4, 5}, Lambda: 0.3, MaxLambda: maxLambda, MinRun: 2, MaxRun: 8}, 4, len(logits))
	got := slices.Clone(logits)
	c.mix(got, nil)
	softmax := func(l []float32) []float64 {
		var z float64
		p := make([]float64, len(l))
		for i, v := range l {
			p[i] = math.Exp(float64(v))
			z += p[i]
		}
		for i := range p {
			p[i] /= z
		}
		return p
	}
	pm, pg := softmax(logits), softmax(got)
	pdoc := map[int]float64{1: 2.0 / 3, 6: 1.0 / 3}
	for i := range logits {
		want := (1-lambda)*pm[i] + lambda*pdoc[i]
		if math.Abs(pg[i]-want) > 1e-6 {
			t.Errorf("MaxLambda %g: p(%d) = %.7f, want %.7f", maxLambda, i, pg[i], want)
		}
	}
	// The saved values put the model's logits back.
	back := slices.Clone(logits)
	restoreLogits(back, c.mix(back, nil))
	if !slices.Equal(back, logits) {
		t.Errorf("restored %v, want %v", back, logits)
	}
	// A masked token stays masked.
	masked := slices.Clone(logits)
	masked[1] = float32(math.Inf(-1))
	c.mix(masked, nil)
	if !math.IsInf(float64(masked[1]), -1) {
		t.Errorf("masked token 1 became %g", masked[1])
	}
}

// TestGenerateCache: a cache that insists (λ near 1) makes greedy decoding follow the document, and
// Result.LogProb stays the model's own.
func TestGenerateCache(t *testing.T) {
	ctx := context.Background()
	m := tinyModel(t, "llama", gguf.TypeQ8_0, Options{Threads: 1})
	prompt := seq(8, 3)
	plain, err := m.NewSession(64).Generate(ctx, prompt, GenerateOptions{MaxTokens: 6, IgnoreEOG: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// A document where the prompt's last two tokens are followed by tokens greedy decoding avoids.
	want := []int32{}
	for id := int32(3); len(want) < 4; id++ {
		if !slices.Contains(plain.Tokens, id) {
			want = append(want, id)
		}
	}
	doc := append(slices.Clone(prompt[len(prompt)-2:]), want...)
	res, err := m.NewSession(64).Generate(ctx, prompt, GenerateOptions{MaxTokens: 4, IgnoreEOG: true,
		Cache: CacheMix{Doc: doc, Lead: prompt, Lambda: 0.99, MinRun: 2, MaxRun: 8}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.Tokens, want) {
		t.Errorf("with the cache: %v, want the document's %v (without: %v)", res.Tokens, want, plain.Tokens)
	}
	if lp := rawLogProb(t, m, prompt, res.Tokens); math.Abs(lp-res.LogProb) > 1e-6 {
		t.Errorf("LogProb %g, raw model %g", res.LogProb, lp)
	}
}
