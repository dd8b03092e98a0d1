package model

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/weft-dev/weft/model/gguf"
)

func TestGreedyTies(t *testing.T) {
	sp := NewSampler(SamplerOptions{}, 5)
	if got := sp.Sample([]float32{1, 3, 0, 3, 2}, nil); got != 1 {
		t.Errorf("greedy with a tie picked %d, want the lowest id 1", got)
	}
}

func TestSamplerFilters(t *testing.T) {
	logits := []float32{2, 5, 4.9, -1, 0, 4.8}
	tests := []struct {
		name    string
		o       SamplerOptions
		allowed map[int32]bool
	}{
		{"topk1", SamplerOptions{Temperature: 1, TopK: 1}, map[int32]bool{1: true}},
		{"topk3", SamplerOptions{Temperature: 1, TopK: 3}, map[int32]bool{1: true, 2: true, 5: true}},
		{"topp-small", SamplerOptions{Temperature: 1, TopP: 0.01}, map[int32]bool{1: true}},
		{"minp", SamplerOptions{Temperature: 1, MinP: 0.5}, map[int32]bool{1: true, 2: true, 5: true}},
		{"minp1", SamplerOptions{Temperature: 1, MinP: 1}, map[int32]bool{1: true}},
	}
	for _, tc := range tests {
		seen := map[int32]bool{}
		for seed := uint64(0); seed < 200; seed++ {
			tc.o.Seed = seed
			id := NewSampler(tc.o, len(logits)).Sample(logits, nil)
			if !tc.allowed[id] {
				t.Fatalf("%s: sampled %d, allowed %v", tc.name, id, tc.allowed)
			}
			seen[id] = true
		}
		if len(seen) != len(tc.allowed) {
			t.Errorf("%s: sampled %v over 200 seeds, want all of %v", tc.name, seen, tc.allowed)
		}
	}
}

// TestSamplerDistribution: draws at temperature T follow softmax(logits/T).
func TestSamplerDistribution(t *testing.T) {
	logits := []float32{1, 2, 0.5, 3}
	const T, n = 0.7, 20000
	sp := NewSampler(SamplerOptions{Temperature: T, Seed: 42}, len(logits))
	counts := make([]int, len(logits))
	for i := 0; i < n; i++ {
		counts[sp.Sample(logits, nil)]++
	}
	var z float64
	for _, l := range logits {
		z += math.Exp(float64(l) / T)
	}
	for i, l := range logits {
		p := math.Exp(float64(l)/T) / z
		got := float64(counts[i]) / n
		if sd := math.Sqrt(p * (1 - p) / n); math.Abs(got-p) > 5*sd+1e-3 {
			t.Errorf("token %d: frequency %.4f, want %.4f", i, got, p)
		}
	}
	// Same seed, same sequence.
	a, b := NewSampler(SamplerOptions{Temperature: 1, Seed: 9}, 4), NewSampler(SamplerOptions{Temperature: 1, Seed: 9}, 4)
	for i := 0; i < 50; i++ {
		if a.Sample(logits, nil) != b.Sample(logits, nil) {
			t.Fatal("equal seeds gave different draws")
		}
	}
}

func TestRepeatPenalty(t *testing.T) {
	logits := []float32{3, 2.5, -1}
	sp := NewSampler(SamplerOptions{RepeatPenalty: 1.5, RepeatLastN: 2}, 3)
	// 0 was seen recently: 3/1.5 = 2 < 2.5, so greedy moves to 1.
	if got := sp.Sample(logits, []int32{2, 0, 0}); got != 1 {
		t.Errorf("penalised greedy = %d, want 1", got)
	}
	// 0 is outside the last 2 tokens: no penalty.
	if got := sp.Sample(logits, []int32{0, 1, 2}); got != 0 {
		t.Errorf("greedy with 0 outside the window = %d, want 0", got)
	}
	if logits[0] != 3 {
		t.Error("Sample modified the logits")
	}
}

func TestStopText(t *testing.T) {
	tests := []struct {
		name   string
		stops  []string
		pieces []string
		out    []string // released after each piece
		stop   int      // index of the piece that stops, or -1
		flush  string
	}{
		{"none", nil, []string{"ab", "cd"}, []string{"ab", "cd"}, -1, ""},
		{"hold then release", []string{"\n\n"}, []string{"x\n", "y"}, []string{"x", "\ny"}, -1, ""},
		{"hold then stop", []string{"\n\n"}, []string{"x\n", "\nz"}, []string{"x", ""}, 1, ""},
		{"stop inside a piece", []string{"END"}, []string{"abENDcd"}, []string{"ab"}, 0, ""},
		{"spanning three pieces", []string{"</code>"}, []string{"a</", "co", "de>b"}, []string{"a", "", ""}, 2, ""},
		{"held at the end", []string{"STOP"}, []string{"xST"}, []string{"x"}, -1, "ST"},
		{"earliest of two", []string{"bb", "ab"}, []string{"xabb"}, []string{"x"}, 0, ""},
	}
	for _, tc := range tests {
		st := newStopText(tc.stops)
		stopped := -1
		for i, p := range tc.pieces {
			out, s := st.push(p)
			if out != tc.out[i] {
				t.Errorf("%s: piece %d released %q, want %q", tc.name, i, out, tc.out[i])
			}
			if s {
				stopped = i
				break
			}
		}
		if stopped != tc.stop {
			t.Errorf("%s: stopped at %d, want %d", tc.name, stopped, tc.stop)
		}
		if f := st.flush(); f != tc.flush {
			t.Errorf("%s: flush %q, want %q", tc.name, f, tc.flush)
		}
	}
}

// TestGenerate checks greedy generation against a hand-written argmax loop,
// the log-probability sum, stop tokens and stop strings.
func TestGenerate(t *testing.T) {
	ctx := context.Background()
	m := tinyModel(t, "llama", gguf.TypeQ8_0, Options{Threads: 2})
	prompt := seq(12, 7)

	s := m.NewSession(128)
	logits, err := s.Eval(ctx, prompt)
	if err != nil {
		t.Fatal(err)
	}
	var want []int32
	var wantLP float64
	for i := 0; i < 10; i++ {
		id := argmax(logits)
		want = append(want, id)
		wantLP += logSoftmax(logits, id)
		if logits, err = s.step(ctx, id); err != nil {
			t.Fatal(err)
		}
	}

	g := m.NewSession(128)
	var emitted strings.Builder
	res, err := g.Generate(ctx, prompt, GenerateOptions{MaxTokens: 10, IgnoreEOG: true}, func(id int32, text string) bool {
		emitted.WriteString(text)
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slicesEqual(res.Tokens, want) || res.StopReason != StopMaxTokens {
		t.Fatalf("Generate = %v (%s), want %v", res.Tokens, res.StopReason, want)
	}
	if math.Abs(res.LogProb-wantLP) > 1e-6 || res.LogProb > 0 {
		t.Errorf("LogProb = %g, want %g", res.LogProb, wantLP)
	}
	if res.Text != emitted.String() || res.Text != m.Tokenizer().Decode(want) {
		t.Errorf("text %q, emitted %q, decoded %q", res.Text, emitted.String(), m.Tokenizer().Decode(want))
	}

	// Stop token: the first greedy token stops at once.
	res, err = g.Generate(ctx, prompt, GenerateOptions{MaxTokens: 10, StopTokens: []int32{want[0]}}, nil)
	if err != nil || len(res.Tokens) != 0 || res.StopReason != StopToken {
		t.Errorf("stop token: %v, %v", res, err)
	}
	// Stop string: the text of tokens 3..4 of the greedy run.
	full := m.Tokenizer().Decode(want)
	pre := m.Tokenizer().Decode(want[:3])
	stop := m.Tokenizer().Decode(want[3:5])
	if stop != "" && !strings.Contains(pre, stop) {
		emitted.Reset()
		res, err = g.Generate(ctx, prompt, GenerateOptions{MaxTokens: 10, StopStrings: []string{stop}}, func(id int32, text string) bool {
			emitted.WriteString(text)
			return true
		})
		wantText := full[:strings.Index(full, stop)]
		if err != nil || res.StopReason != StopString || res.Text != wantText || emitted.String() != wantText {
			t.Errorf("stop string %q: %v, emitted %q, err %v; want text %q", stop, res, emitted.String(), err, wantText)
		}
	}
	// emit returning false stops.
	res, err = g.Generate(ctx, prompt, GenerateOptions{MaxTokens: 10, IgnoreEOG: true}, func(int32, string) bool { return false })
	if err != nil || len(res.Tokens) != 1 || res.StopReason != StopCaller {
		t.Errorf("emit false: %v, %v", res, err)
	}
}

func TestExpNeg(t *testing.T) {
	var worst float64
	for x := float32(-80); x <= 0; x += 0.0013 {
		want := math.Exp(float64(x))
		if e := math.Abs(float64(expNeg(x))-want) / want; e > worst {
			worst = e
		}
	}
	if worst > 3e-7 {
		t.Errorf("expNeg relative error %g", worst)
	}
	if expNeg(-100) != 0 || expNeg(0) != 1 {
		t.Errorf("expNeg(-100) = %g, expNeg(0) = %g", expNeg(-100), expNeg(0))
	}
	// logSoftmax against the exact value.
	logits := make([]float32, 1000)
	for i := range logits {
		logits[i] = float32(math.Sin(float64(i)*1.7) * 15)
	}
	var z float64
	for _, v := range logits {
		z += math.Exp(float64(v))
	}
	for _, id := range []int32{0, 17, 999} {
		want := float64(logits[id]) - math.Log(z)
		if got := logSoftmax(logits, id); math.Abs(got-want) > 1e-5 {
			t.Errorf("logSoftmax(%d) = %g, want %g", id, got, want)
		}
	}
}

// TestGeneratePrefix checks token healing: the tokens generated begin with
// the prefix's text, which is left out of Result.Text and of what emit sees,
// for prefixes that one token covers and ones that take several.
func TestGeneratePrefix(t *testing.T) {
	m := tinyModel(t, "qwen2", gguf.TypeF32, Options{Threads: 1})
	tok := m.Tokenizer()
	for _, prefix := range []string{"a", "ab", "xyz1", "\n\t\t"} {
		s := m.NewSession(64)
		var emitted strings.Builder
		res, err := s.Generate(context.Background(), seq(6, 1), GenerateOptions{MaxTokens: 8, IgnoreEOG: true, Prefix: prefix},
			func(_ int32, text string) bool { emitted.WriteString(text); return true })
		if err != nil {
			t.Fatal(err)
		}
		var all strings.Builder
		for _, id := range res.Tokens {
			all.WriteString(tok.PieceString(id))
		}
		if !strings.HasPrefix(all.String(), prefix) {
			t.Errorf("prefix %q: tokens spell %q", prefix, all.String())
			continue
		}
		if want := strings.TrimPrefix(all.String(), prefix); res.Text != want || emitted.String() != want {
			t.Errorf("prefix %q: Text %q, emitted %q, want %q", prefix, res.Text, emitted.String(), want)
		}
	}
}

func TestRepeatGuardPenalize(t *testing.T) {
	g := RepeatGuard{Multiplier: 0.8, Base: 1.75, AllowedLength: 2}
	tests := []struct {
		name string
		line []int32
		want map[int32]float32 // penalty by token; others unchanged
	}{
		{"empty", nil, nil},
		{"no repeat", []int32{1, 2, 3}, nil},
		// "1 2" occurred, followed by 3: after "1 2" again, 3 extends a repeat of length 2.
		{"length 2", []int32{1, 2, 3, 1, 2}, map[int32]float32{3: 0.8}},
		// 5 1 2 1 2 1: "1 2 1" repeats (k = 3) before 2; "1" alone (k = 1) before 2 is below the allowance.
		{"length 3", []int32{5, 1, 2, 1, 2, 1}, map[int32]float32{2: 0.8 * 1.75}},
		// One token repeated: a run of 4 sevens, the longest earlier match (3) is followed by 7.
		{"run", []int32{7, 7, 7, 7}, map[int32]float32{7: 0.8 * 1.75}},
		{"allowance", []int32{4, 4}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			logits := []float32{0, 1, 2, 3, 4, 5, 6, 7, 8}
			orig := slices.Clone(logits)
			saved := g.penalize(logits, tc.line, nil)
			for id := range logits {
				want := orig[id] - tc.want[int32(id)]
				if math.Abs(float64(logits[id]-want)) > 1e-5 {
					t.Errorf("logit %d = %g, want %g", id, logits[id], want)
				}
			}
			if len(saved) != len(tc.want) {
				t.Errorf("saved %v, want %d entries", saved, len(tc.want))
			}
			for _, s := range saved {
				if s.v != orig[s.id] {
					t.Errorf("saved %d = %g, want the original %g", s.id, s.v, orig[s.id])
				}
			}
		})
	}
	if saved := (RepeatGuard{}).penalize(make([]float32, 9), []int32{1, 2, 1, 2, 1, 2}, nil); len(saved) != 0 {
		t.Errorf("the zero guard penalised %v", saved)
	}
}

// TestGenerateLineRepeat: with a prohibitive guard that allows no repeated pair, no two-token sequence
// repeats on a line of the generation; LogProb stays the model's own (the penalties are put back).
func TestGenerateLineRepeat(t *testing.T) {
	ctx := context.Background()
	m := tinyModel(t, "llama", gguf.TypeQ8_0, Options{Threads: 1})
	tok := m.Tokenizer()
	repeats := func(ids []int32) int {
		n := 0
		seen := map[[2]int32]bool{}
		for i := 1; i < len(ids); i++ {
			if strings.Contains(tok.PieceString(ids[i-1]), "\n") {
				clear(seen)
				continue
			}
			p := [2]int32{ids[i-1], ids[i]}
			if seen[p] {
				n++
			}
			seen[p] = true
		}
		return n
	}
	plain, err := m.NewSession(128).Generate(ctx, seq(8, 3), GenerateOptions{MaxTokens: 60, IgnoreEOG: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if repeats(plain.Tokens) == 0 {
		t.Fatalf("the unguarded run repeats nothing, so this test cannot fail: %v", plain.Tokens)
	}
	s := m.NewSession(128)
	res, err := s.Generate(ctx, seq(8, 3), GenerateOptions{MaxTokens: 60, IgnoreEOG: true,
		LineRepeat: RepeatGuard{Multiplier: 1e6, Base: 1, AllowedLength: 1}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n := repeats(res.Tokens); n != 0 {
		t.Errorf("guarded run repeats %d pairs on a line: %v", n, res.Tokens)
	}
	if lp := rawLogProb(t, m, seq(8, 3), res.Tokens); math.Abs(lp-res.LogProb) > 1e-6 {
		t.Errorf("LogProb %g, raw model %g", res.LogProb, lp)
	}
}

// rawLogProb is the log-probability of tokens after prompt under m's own distribution: what
// Result.LogProb must be whatever penalties and mixtures changed the sampling.
func rawLogProb(t *testing.T, m *Model, prompt, tokens []int32) float64 {
	t.Helper()
	ctx := context.Background()
	r := m.NewSession(128)
	logits, err := r.Eval(ctx, prompt)
	if err != nil {
		t.Fatal(err)
	}
	var lp float64
	for _, id := range tokens {
		lp += logSoftmax(logits, id)
		if logits, err = r.step(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	return lp
}

// TestTopK: the heap selection keeps the same candidates as a full sort, ties included.
func TestTopK(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{1, 5, 40, 41, 1000} {
		for _, k := range []int{1, 3, 40} {
			if k > n {
				continue
			}
			c := make([]candidate, n)
			for i := range c {
				c[i] = candidate{int32(i), float32(rng.IntN(20))} // many ties
			}
			want := slices.Clone(c)
			slices.SortFunc(want, candidateOrder)
			got := topK(slices.Clone(c), k)
			slices.SortFunc(got, candidateOrder)
			if !slices.Equal(got, want[:k]) {
				t.Errorf("n=%d k=%d: %v, want %v", n, k, got, want[:k])
			}
		}
	}
}
