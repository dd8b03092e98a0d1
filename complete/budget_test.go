package complete

import (
	"context"
	"sync"
	"testing"
	"time"
)

// fakeClock is a clock that moves only when told to: the model's decoding advances it, so the
// latency budget is tested by the work it allows, not by timings.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestEngineLatencyBudget(t *testing.T) {
	const perToken = 10 * time.Millisecond
	line := "total := compute(alpha, beta, gamma)\n" // 37 tokens before the newline
	tests := []struct {
		name        string
		cfg         time.Duration // Config.Latency
		pace        bool          // the model reports its pass time to GenOptions.Pace
		opt         time.Duration // Options.Latency
		samples     int
		multiline   string
		wantTokens  int // generated, greedy and samples together
		wantSamples int
		wantText    string
	}{
		{"no budget decodes the line", 0, false, 0, 0, MultilineNever, len(line), 0, "total := compute(alpha, beta, gamma)"},
		{"the budget cuts greedy", 55 * time.Millisecond, false, 0, 0, MultilineNever, 6, 0, ""},
		// Told how long a pass takes, the engine does not begin the one that would end at 60 ms.
		{"a paced model stops before the budget", 55 * time.Millisecond, true, 0, 0, MultilineNever, 5, 0, ""},
		{"the request's budget wins", time.Hour, false, 55 * time.Millisecond, 0, MultilineNever, 6, 0, ""},
		{"a negative request budget is none", 55 * time.Millisecond, false, -1, 0, MultilineNever, len(line), 0, "total := compute(alpha, beta, gamma)"},
		{"no budget, no pace", 0, true, 0, 0, MultilineNever, len(line), 0, "total := compute(alpha, beta, gamma)"},
		{"multi-line budgets are longer", 55 * time.Millisecond, false, 0, 0, MultilineAlways, 17, 0, ""},
		// Greedy spends 37 of 40 ticks; the first sample is cut after 3 tokens and does not vote, and
		// no second sample is drawn.
		{"samples only while it lasts", 400 * time.Millisecond, false, 0, 8, MultilineNever, len(line) + 3, 0, "total := compute(alpha, beta, gamma)"},
		// Paced, the first sample stops after the token the prompt gave it: eight more passes (its
		// runway) would end after 400 ms. It does not vote.
		{"paced samples only while it lasts", 400 * time.Millisecond, true, 0, 8, MultilineNever, len(line) + 1, 0, "total := compute(alpha, beta, gamma)"},
		// Paced as well, two samples fit (the second's last pass begins at 1,100 ms, with 8 passes of
		// runway to spare) and agree with greedy, which settles the vote.
		{"paced samples that fit vote", 1200 * time.Millisecond, true, 0, 8, MultilineNever, len(line) * 3, 2, "total := compute(alpha, beta, gamma)"},
		{"samples that fit vote", 1200 * time.Millisecond, false, 0, 8, MultilineNever, len(line) * 3, 2, "total := compute(alpha, beta, gamma)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := &fakeClock{t: time.Unix(1e9, 0)}
			lm := &fakeLM{v: qwenLikeVocab(), reply: func(_, _ string) string { return line },
				sampled: func(uint64) string { return line }, tick: func() { clk.advance(perToken) }}
			if tt.pace {
				lm.pace = perToken
			}
			e := New(lm, Config{Latency: tt.cfg, Clock: clk.now, Samples: tt.samples})
			text, off := cursorText("package a\n\nfunc f() {\n\t|\n}\n")
			o := Options{Multiline: tt.multiline, NoCache: true, Latency: tt.opt}
			res, err := e.Complete(context.Background(), Request{URI: "file:///a.go", LanguageID: "go", Text: text, Offset: off, Options: o})
			if err != nil {
				t.Fatal(err)
			}
			if res.Stats.GeneratedTokens != tt.wantTokens || res.Stats.Samples != tt.wantSamples {
				t.Errorf("%d tokens and %d samples decoded, want %d and %d", res.Stats.GeneratedTokens, res.Stats.Samples, tt.wantTokens, tt.wantSamples)
			}
			if tt.wantText != "" && res.Text != tt.wantText {
				t.Errorf("completion %q, want %q", res.Text, tt.wantText)
			}
		})
	}
}

func TestPSMSuffix(t *testing.T) {
	ms := time.Millisecond
	// A model whose pass is 15 ms plus 4 ms a row beyond the first.
	pass := func(rows int) time.Duration { return 15*ms + time.Duration(rows-1)*4*ms }
	unmeasured := func(int) time.Duration { return 0 }
	tests := []struct {
		name   string
		budget time.Duration
		pass   func(int) time.Duration
		limit  int
		want   int
	}{
		// Half of 150 ms holds 16 rows: 12 after the overhead, rounded down to 8.
		{"single line", 150 * ms, pass, 128, 8},
		// Half of 450 ms holds 53 rows: 49, rounded down to 48.
		{"multi-line budget", 450 * ms, pass, 128, 48},
		{"the configured suffix is the most", 10 * time.Second, pass, 128, 128},
		{"at least one step", 20 * ms, pass, 128, psmSuffixStep},
		{"no budget", 0, pass, 128, 128},
		{"not measured yet", 150 * ms, unmeasured, 128, 128},
		{"no timer", 150 * ms, nil, 128, 128},
	}
	for _, tt := range tests {
		if got := psmSuffix(tt.budget, tt.pass, tt.limit); got != tt.want {
			t.Errorf("%s: %d, want %d", tt.name, got, tt.want)
		}
	}
}
