package complete

import "time"

// Latency budget. A completion is worth showing only while the user waits for it: llama.vim gives the
// prompt 500 ms and the prediction 1 s at most, Continue times the model out at 150 ms. So a request
// has a deadline rather than a token count: the greedy candidate stops growing when it passes (what it
// has is the answer, cut and checked as usual), and consensus samples are drawn and decoded only
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
