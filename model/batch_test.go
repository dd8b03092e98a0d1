package model

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/weft-dev/weft/model/gguf"
)

// TestGenerateBatchMatchesGenerate checks that decoding sequences together over a shared prompt,
// with and without drafts from the document, gives each sequence the tokens Generate gives it alone.
func TestGenerateBatchMatchesGenerate(t *testing.T) {
	ctx := context.Background()
	prompt := seq(40, 3)
	for _, tc := range []struct {
		arch string
		typ  gguf.Type
		kv   gguf.Type
	}{
		{"qwen2", gguf.TypeF32, gguf.TypeF32},
		{"llama", gguf.TypeQ8_0, gguf.TypeF16},
		{"qwen2", gguf.TypeQ4_0, gguf.TypeF16},
	} {
		t.Run(fmt.Sprintf("%s-%v-kv%v", tc.arch, tc.typ, tc.kv), func(t *testing.T) {
			m := tinyModel(t, tc.arch, tc.typ, Options{Threads: 2, KVType: tc.kv})
			// The greedy continuation, to make a document whose drafts are right.
			ref, err := m.NewSession(256).Generate(ctx, prompt, GenerateOptions{MaxTokens: 24, IgnoreEOG: true}, nil)
			if err != nil {
				t.Fatal(err)
			}
			doc := append(append(append([]int32{}, prompt...), -1), prompt[30:]...)
			doc = append(doc, ref.Tokens[:20]...)
			cache := CacheMix{Doc: doc, Lead: prompt[32:], Lambda: 0.3, MaxLambda: 0.9, MinRun: 3, MaxRun: 8}
			greedy := GenerateOptions{MaxTokens: 24, IgnoreEOG: true}
			opts := []GenerateOptions{greedy}
			for seed := uint64(1); seed <= 4; seed++ {
				opts = append(opts, GenerateOptions{MaxTokens: 20 + int(seed), IgnoreEOG: true,
					Sampler: SamplerOptions{Temperature: 0.8, TopK: 40, Seed: seed}, LineRepeat: DefaultRepeatGuard})
			}
			withDoc := GenerateOptions{MaxTokens: 24, IgnoreEOG: true, Cache: cache, Draft: 4}
			opts = append(opts, withDoc)
			sampledDoc := withDoc
			sampledDoc.Sampler = SamplerOptions{Temperature: 0.7, TopK: 40, Seed: 9}
			opts = append(opts, sampledDoc)
			stopped := greedy
			stopped.StopTokens = []int32{ref.Tokens[5]}
			opts = append(opts, stopped)

			want := make([]Result, len(opts))
			var wantHeld []int32
			for j, o := range opts {
				s := m.NewSession(256)
				if want[j], err = s.Generate(ctx, prompt, o, nil); err != nil {
					t.Fatal(err)
				}
				if j == 0 {
					wantHeld = append(wantHeld, s.Tokens()...)
				}
			}
			check := func(name string, got []Result, s *Session) {
				for j := range opts {
					if !slicesEqual(got[j].Tokens, want[j].Tokens) || got[j].StopReason != want[j].StopReason || got[j].Text != want[j].Text {
						t.Errorf("%s: sequence %d: %v (%s), want %v (%s)", name, j, got[j].Tokens, got[j].StopReason, want[j].Tokens, want[j].StopReason)
					}
				}
				if st := s.Stats(); st.Accepted == 0 || st.Accepted > st.Drafted {
					t.Errorf("%s: %d of %d drafted tokens kept, want some", name, st.Accepted, st.Drafted)
				}
			}
			s := m.NewSession(256)
			got, err := s.GenerateBatch(ctx, prompt, opts, nil)
			if err != nil {
				t.Fatal(err)
			}
			check("batch", got, s)
			// The session then holds what Generate leaves (the prompt and the first sequence's
			// tokens), so a second batch reuses the prompt and must give the same answers.
			if held := s.Tokens(); !slicesEqual(held, wantHeld) {
				t.Errorf("session holds %d tokens, want %d", len(held), len(wantHeld))
			}
			got, err = s.GenerateBatch(ctx, prompt, opts, nil)
			if err != nil {
				t.Fatal(err)
			}
			check("again", got, s)
			// One sequence alone, with drafts, is speculative greedy decoding.
			s1 := m.NewSession(256)
			got, err = s1.GenerateBatch(ctx, prompt, opts[5:6], nil)
			if err != nil {
				t.Fatal(err)
			}
			if !slicesEqual(got[0].Tokens, want[5].Tokens) {
				t.Errorf("alone: %v, want %v", got[0].Tokens, want[5].Tokens)
			}
			if st := s1.Stats(); st.Accepted < 8 {
				t.Errorf("alone: %d of %d drafted tokens kept, want at least 8", st.Accepted, st.Drafted)
			}
		})
	}
}

// TestPace checks that GenerateOptions.Pace is asked before every pass that extends a sequence, with the
// session's last measured pass, and that declining ends the sequence with StopDeadline after the tokens
// it already has: the first comes from the prompt's logits and needs no pass.
func TestPace(t *testing.T) {
	ctx := context.Background()
	m := tinyModel(t, "qwen2", gguf.TypeQ8_0, Options{Threads: 2})
	prompt := seq(24, 5)
	ref, err := m.NewSession(128).Generate(ctx, prompt, GenerateOptions{MaxTokens: 8, IgnoreEOG: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, allow := range []int{0, 1, 3} {
		// pace allows `allow` passes, recording what it was told.
		pace := func(asked *[]time.Duration) func(time.Duration) bool {
			return func(next time.Duration) bool {
				*asked = append(*asked, next)
				return len(*asked) <= allow
			}
		}
		var single, batched []time.Duration
		s := m.NewSession(128)
		got, err := s.Generate(ctx, prompt, GenerateOptions{MaxTokens: 8, IgnoreEOG: true, Pace: pace(&single)}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got.StopReason != StopDeadline || !slicesEqual(got.Tokens, ref.Tokens[:1+allow]) {
			t.Errorf("Generate allowing %d passes: %v (%s), want %v (%s)", allow, got.Tokens, got.StopReason, ref.Tokens[:1+allow], StopDeadline)
		}
		if allow > 1 && single[len(single)-1] <= 0 {
			t.Errorf("Generate: Pace told %v, want the last step's measured time", single)
		}
		sb := m.NewSession(128)
		opts := []GenerateOptions{{MaxTokens: 8, IgnoreEOG: true, Pace: pace(&batched)}, {MaxTokens: 8, IgnoreEOG: true}}
		gots, err := sb.GenerateBatch(ctx, prompt, opts, nil)
		if err != nil {
			t.Fatal(err)
		}
		if gots[0].StopReason != StopDeadline || !slicesEqual(gots[0].Tokens, ref.Tokens[:1+allow]) {
			t.Errorf("GenerateBatch allowing %d passes: %v (%s), want %v (%s)", allow, gots[0].Tokens, gots[0].StopReason, ref.Tokens[:1+allow], StopDeadline)
		}
		if !slicesEqual(gots[1].Tokens, ref.Tokens) {
			t.Errorf("GenerateBatch: the unpaced sequence gave %v, want %v", gots[1].Tokens, ref.Tokens)
		}
		if allow > 1 && batched[len(batched)-1] <= 0 {
			t.Errorf("GenerateBatch: Pace told %v, want the last pass's measured time", batched)
		}
	}
}

func TestPassClock(t *testing.T) {
	ms := time.Millisecond
	var c passClock
	if got := c.estimate(5); got != 0 {
		t.Errorf("unmeasured: %v, want 0", got)
	}
	c.observe(4, 40*ms) // no single-row pass yet: scaled
	if got := c.estimate(2); got != 20*ms {
		t.Errorf("after a 4-row pass of 40 ms, 2 rows: %v, want 20ms", got)
	}
	c.observe(1, 10*ms)
	c.observe(5, 30*ms) // 5 ms a row beyond the first
	for _, tc := range []struct {
		rows int
		want time.Duration
	}{{1, 10 * ms}, {2, 15 * ms}, {9, 50 * ms}} {
		if got := c.estimate(tc.rows); got != tc.want {
			t.Errorf("%d rows: %v, want %v", tc.rows, got, tc.want)
		}
	}
	c.observe(1, 20*ms) // averaged with the 10 ms before
	if got := c.estimate(1); got != 15*ms {
		t.Errorf("after 10 and 20 ms: %v, want 15ms", got)
	}
}

// TestCalibrate checks that Calibrate gives a fresh model its pass times, leaves the session empty and
// changes nothing that the session then generates.
func TestCalibrate(t *testing.T) {
	ctx := context.Background()
	m := tinyModel(t, "qwen2", gguf.TypeQ8_0, Options{Threads: 2})
	prompt := seq(24, 7)
	ref, err := m.NewSession(128).Generate(ctx, prompt, GenerateOptions{MaxTokens: 6, IgnoreEOG: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	m2 := tinyModel(t, "qwen2", gguf.TypeQ8_0, Options{Threads: 2})
	s := m2.NewSession(128)
	if d := s.PassEstimate(1); d != 0 {
		t.Fatalf("a fresh model estimates %v, want 0", d)
	}
	if err := s.Calibrate(ctx); err != nil {
		t.Fatal(err)
	}
	if s.PassEstimate(1) <= 0 || s.PassEstimate(calibrateRows) < s.PassEstimate(1) || len(s.Tokens()) != 0 {
		t.Errorf("after Calibrate: %v for one row, %v for %d, %d tokens held", s.PassEstimate(1), s.PassEstimate(calibrateRows), calibrateRows, len(s.Tokens()))
	}
	got, err := s.Generate(ctx, prompt, GenerateOptions{MaxTokens: 6, IgnoreEOG: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slicesEqual(got.Tokens, ref.Tokens) {
		t.Errorf("after Calibrate: %v, want %v", got.Tokens, ref.Tokens)
	}
}
