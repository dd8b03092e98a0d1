package model

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/weft-dev/weft/model/quant"
)

// BenchResult is what Bench measured, in llama-bench's terms: pp is prompt
// processing (one batch of PP tokens from an empty cache), tg is text
// generation (TG tokens decoded one at a time from an empty cache).
type BenchResult struct {
	Threads    int
	PP, TG     int
	Reps       int
	PPTokS     float64 // median prompt tokens per second
	TGTokS     float64 // median generated tokens per second
	ModelBytes int64   // bytes of tensor data
	// GBs is the weight bandwidth generation implies: every decoded token
	// reads every weight once, so ModelBytes × TGTokS.
	GBs float64
}

func (r BenchResult) String() string {
	return fmt.Sprintf("threads %d  pp%d %.1f tok/s  tg%d %.2f tok/s  %.2f GB/s (model %.1f MB, %d reps, medians)",
		r.Threads, r.PP, r.PPTokS, r.TG, r.TGTokS, r.GBs, float64(r.ModelBytes)/1e6, r.Reps)
}

// Bench times prompt processing and generation on m with random tokens, after
// one warm-up run, and reports the medians over reps runs. threads <= 0 uses
// the model's pool; otherwise a pool of that size is made for the run. pp or
// tg may be 0 to skip that part.
func Bench(ctx context.Context, m *Model, threads, pp, tg, reps int) (BenchResult, error) {
	if reps <= 0 {
		reps = 1
	}
	if pp < 0 || tg < 0 || pp+tg == 0 {
		return BenchResult{}, fmt.Errorf("model: bench needs pp >= 0, tg >= 0, not both 0")
	}
	nCtx := max(pp, tg)
	if nCtx > m.info.NCtxTrain {
		return BenchResult{}, fmt.Errorf("model: bench of %d tokens exceeds the context length %d", nCtx, m.info.NCtxTrain)
	}
	s := m.NewSession(nCtx)
	if threads > 0 && threads != m.threads {
		s.pool = quant.NewPool(threads)
		defer s.pool.Close()
	}
	res := BenchResult{Threads: s.pool.Threads(), PP: pp, TG: tg, Reps: reps, ModelBytes: m.info.Bytes}
	rng := rand.New(rand.NewPCG(1, 2))
	toks := make([]int32, nCtx)
	for i := range toks {
		toks[i] = int32(rng.IntN(m.info.NVocab))
	}
	var ppRates, tgRates []float64
	for rep := -1; rep < reps; rep++ { // rep -1 is the warm-up
		if pp > 0 {
			s.Reset()
			start := time.Now()
			if _, err := s.Eval(ctx, toks[:pp]); err != nil {
				return res, err
			}
			if rep >= 0 {
				ppRates = append(ppRates, float64(pp)/time.Since(start).Seconds())
			}
		}
		if tg > 0 {
			s.Reset()
			start := time.Now()
			for i := 0; i < tg; i++ {
				if _, err := s.step(ctx, toks[i]); err != nil {
					return res, err
				}
			}
			if rep >= 0 {
				tgRates = append(tgRates, float64(tg)/time.Since(start).Seconds())
			}
		}
	}
	res.PPTokS, res.TGTokS = median(ppRates), median(tgRates)
	res.GBs = float64(res.ModelBytes) * res.TGTokS / 1e9
	return res, nil
}

func median(x []float64) float64 {
	if len(x) == 0 {
		return 0
	}
	x = slices.Clone(x)
	slices.Sort(x)
	if len(x)%2 == 1 {
		return x[len(x)/2]
	}
	return (x[len(x)/2-1] + x[len(x)/2]) / 2
}
