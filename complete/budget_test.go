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
		opt         time.Duration // Options.Latency
		samples     int
		multiline   string
		wantTokens  int // generated, greedy and samples together
		wantSamples int
		wantText    string
	}{
		{"no budget decodes the line", 0, 0, 0, MultilineNever, len(line), 0, "total := compute(alpha, beta, gamma)"},
		{"the budget cuts greedy", 55 * time.Millisecond, 0, 0, MultilineNever, 6, 0, ""},
		{"the request's budget wins", time.Hour, 55 * time.Millisecond, 0, MultilineNever, 6, 0, ""},
		{"a negative request budget is none", 55 * time.Millisecond, -1, 0, MultilineNever, len(line), 0, "total := compute(alpha, beta, gamma)"},
		{"multi-line budgets are longer", 55 * time.Millisecond, 0, 0, MultilineAlways, 17, 0, ""},
		// Greedy spends 37 of 40 ticks; the first sample is cut after 3 tokens and does not vote, and
		// no second sample is drawn.
		{"samples only while it lasts", 400 * time.Millisecond, 0, 8, MultilineNever, len(line) + 3, 0, "total := compute(alpha, beta, gamma)"},
		{"samples that fit vote", 1200 * time.Millisecond, 0, 8, MultilineNever, len(line) * 3, 2, "total := compute(alpha, beta, gamma)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := &fakeClock{t: time.Unix(1e9, 0)}
			lm := &fakeLM{v: qwenLikeVocab(), reply: func(_, _ string) string { return line },
				sampled: func(uint64) string { return line }, tick: func() { clk.advance(perToken) }}
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
