package complete

import (
	"context"
	"fmt"

	"github.com/weft-dev/weft/grammars"
)

// draftTokens is how many tokens each sequence guesses ahead from the document per forward pass
// (GenOptions.Draft). Code repeats itself, so a run of the tokens just written often recurs in the
// file, and what followed it there is a cheap guess that the pass checks for free when it is right;
// a wrong guess costs a row of the pass (the output projection over the vocabulary above all).
const draftTokens = 4

// shiftReuseRun is the shortest run of moved prompt tokens that Config.ShiftReuse reuses.
const shiftReuseRun = 16

// decodeBatch decodes the greedy candidate and samples consensus samples
// together in one batch over the prompt's KV cache, and returns the chosen completion. The latency
// budget stops every sequence at once: greedy then answers with what it has, and the samples it cut
// do not vote.
func (e *Engine) decodeBatch(ctx context.Context, ds *docState, lang *grammars.Language, c *Context, bs BatchSession,
	prompt []int32, gopt GenOptions, newStop func() *stopper, multiline bool, samples int, dl deadline) (string, Stats, error) {
	n := 1 + samples
	opts := make([]GenOptions, n)
	sts := make([]*stopper, n)
	cut := make([]bool, n)
	emits := make([]func(int32, string) bool, n)
	for j := range opts {
		o := gopt
		o.Draft = draftTokens
		if e.cfg.Draft != 0 {
			o.Draft = max(e.cfg.Draft, 0)
		}
		if j > 0 {
			o.Temperature, o.TopP, o.TopK, o.Seed = consensusTemperature, 0, consensusTopK, uint64(j)
			o.Pace = dl.pace(sampleRunway)
		}
		opts[j], sts[j] = o, newStop()
		emits[j] = func(_ int32, piece string) bool {
			if sts[j].push(piece) {
				return false
			}
			cut[j] = dl.over()
			return !cut[j]
		}
	}
	gens, err := bs.GenerateBatch(ctx, prompt, opts, emits)
	var stats Stats
	for j, g := range gens {
		stats.GeneratedTokens += g.Tokens
		if g.StopReason == StopDeadline {
			cut[j] = true
		}
	}
	if len(gens) > 0 {
		stats.StopReason = gens[0].StopReason
	}
	if err != nil {
		if ctx.Err() != nil {
			return "", stats, fmt.Errorf("complete: cancelled: %w", ctx.Err())
		}
		return "", stats, fmt.Errorf("complete: generate: %w", err)
	}
	sts[0].flush()
	if sts[0].reason != "" {
		stats.StopReason = sts[0].reason
	}
	completion, tried := e.pick(ctx, ds, lang, c, sts[0], multiline)
	stats.Candidates = tried
	if samples > 0 && ctx.Err() == nil {
		completion, stats.Samples = consensus(completion, samples, func(seed uint64) (string, error) {
			j := int(seed)
			if cut[j] {
				return "", nil // a prefix of a line does not vote
			}
			sts[j].flush()
			s, k := e.pick(ctx, ds, lang, c, sts[j], multiline)
			stats.Candidates += k
			return s, nil
		})
	}
	if err := ctx.Err(); err != nil {
		return "", stats, fmt.Errorf("complete: cancelled: %w", err)
	}
	return completion, stats, nil
}
