package complete

import "time"

// Latency budget. A completion is worth showing only while the user waits for it: llama.vim gives the
// prompt 500 ms and the prediction 1 s at most, Continue times the model out at 150 ms. So a request
// has a deadline rather than a token count: the greedy candidate stops growing before a forward pass
// that would end after it (what it has is the answer, cut and checked as usual), and consensus samples are drawn and decoded only
// while it lasts. A sample cut short does not vote, since a prefix of a line is not a line. The prompt
// itself is always evaluated: its KV cache serves the next keystroke either way.
const (
	// DefaultLatency is the server's budget for a single-line completion (the latencyMs setting):
	// Continue's model timeout, and about when text that appears while typing starts to read as lag.
	DefaultLatency = 150 * time.Millisecond
	// multiLatency scales the budget of a multi-line completion, which the user waits for at the
	// start of a block rather than reads in the middle of a word.
	multiLatency = 3
)

// deadline is a request's latency budget on the engine's clock. The zero value never expires.
type deadline struct {
	now func() time.Time
	at  time.Time
}

// newDeadline returns the deadline of a request that started at start with budget d (<= 0: none).
func newDeadline(now func() time.Time, start time.Time, d time.Duration) deadline {
	if d <= 0 {
		return deadline{}
	}
	return deadline{now: now, at: start.Add(d)}
}

// over reports whether the budget is spent.
func (d deadline) over() bool { return d.now != nil && !d.now().Before(d.at) }

// sampleRunway is how many more forward passes the budget must still hold for a consensus sample to
// go on: a sample votes only with a whole line, and a line is rarely shorter. On a model whose pass
// takes a sizeable part of the budget (a 0.5B model on two cores: 15-25 ms of 150), samples could
// never finish in time, and decoding them beside greedy would only make each of its passes slower.
const sampleRunway = 8

// paceMargin: a pass is expected to take up to 1/paceMargin longer than its estimate (the estimate
// averages passes, and the answer's checks follow the last one), so a quarter of a pass is kept spare.
const paceMargin = 4

// pace is GenOptions.Pace for the deadline: a forward pass is begun only while runway passes of the
// expected duration still end before it, so the answer comes within the budget rather than one pass
// after it (runway 1, the greedy candidate) and a sample stops as soon as it can no longer finish
// (sampleRunway). nil: no budget.
func (d deadline) pace(runway int) func(next time.Duration) bool {
	if d.now == nil {
		return nil
	}
	return func(next time.Duration) bool {
		return d.now().Add(next*time.Duration(runway) + next/paceMargin).Before(d.at)
	}
}

// now returns the engine's time (Config.Clock, for tests, or the wall clock).
func (e *Engine) now() time.Time {
	if e.cfg.Clock != nil {
		return e.cfg.Clock()
	}
	return time.Now()
}

// latency returns the budget of a request (<= 0: none): its own or the engine's, times multiLatency
// for a multi-line completion.
func (e *Engine) latency(o Options, multiline bool) time.Duration {
	d := o.Latency
	if d == 0 {
		d = e.cfg.Latency
	}
	if multiline {
		d *= multiLatency
	}
	return d
}

// psmSuffixStep rounds the suffix window that a latency budget allows down to a multiple of it, so
// that the window, and with it the prompt the KV cache serves, does not move with every small change
// in the measured pass time.
const psmSuffixStep = 8

// psmSuffix returns the suffix budget, in tokens, that a keystroke can afford in the PSM order, where
// the suffix comes after the text being typed and every one of its tokens is evaluated again on each
// keystroke: at most half the latency budget d goes to that, the rest to decoding. pass estimates a
// pass of n rows (0: not measured yet, no limit); the prefix's changed tokens and the control tokens
// around the suffix take a few rows of it. The rest of the cursor's line is kept whatever this says
// (BuildContext). It returns limit when the budget allows that much or nothing is known.
func psmSuffix(d time.Duration, pass func(rows int) time.Duration, limit int) int {
	const overhead = 4 // the changed prefix tokens, <fim_suffix>, <fim_middle>
	if d <= 0 || pass == nil || pass(2) <= pass(1) {
		return limit
	}
	fixed, perRow := pass(1), pass(2)-pass(1)
	rows := int((d/2-fixed)/perRow) + 1
	n := (rows - overhead) / psmSuffixStep * psmSuffixStep
	return max(min(n, limit), psmSuffixStep)
}
