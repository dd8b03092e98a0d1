package translate

import (
	"strings"
	"testing"
)

// TestRank checks the ranking of rule and model candidates together: verification level first
// (behaves > passes > compiles > parses > none), then not shown wrong by differential testing, then
// the rules translator's before the model's, then the model's log-probability.
func TestRankRulesAndModel(t *testing.T) {
	rules := func(l Level) Candidate {
		return Candidate{Code: "rules", Producer: ProducerRules, Verdict: Verdict{Level: l}}
	}
	model := func(name string, l Level, lp float64) Candidate {
		return Candidate{Code: name, Producer: ProducerModel, LogProb: lp, Tokens: 10, Verdict: Verdict{Level: l}}
	}
	differs := func(c Candidate) Candidate { c.Verdict.Differs = true; return c }
	tests := []struct {
		name  string
		cands []Candidate
		want  string // codes best first
	}{
		{"model behaves beats rules that compile", []Candidate{rules(LevelCompiles), model("m", LevelBehaves, -5)}, "m rules"},
		{"rules behave beat model that compiles", []Candidate{model("m", LevelCompiles, -1), rules(LevelBehaves)}, "rules m"},
		{"same level: rules first", []Candidate{model("m", LevelBehaves, -0.1), rules(LevelBehaves)}, "rules m"},
		{"compiles beats parses", []Candidate{rules(LevelParses), model("m", LevelCompiles, -9)}, "m rules"},
		{"differing rules after untested model", []Candidate{differs(rules(LevelCompiles)), model("m", LevelCompiles, -3)}, "m rules"},
		{"differing model after rules", []Candidate{differs(model("m", LevelCompiles, -0.1)), rules(LevelCompiles)}, "rules m"},
		{"models by mean log-probability", []Candidate{model("a", LevelCompiles, -20), model("b", LevelCompiles, -10)}, "b a"},
		{"nothing parses: rules first", []Candidate{model("m", LevelNone, -1), rules(LevelNone)}, "rules m"},
		{"passes tests beats compiles", []Candidate{rules(LevelCompiles), model("m", LevelPasses, -4)}, "m rules"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			Rank(tc.cands)
			var got []string
			for _, c := range tc.cands {
				got = append(got, c.Code)
			}
			if strings.Join(got, " ") != tc.want {
				t.Errorf("got %v, want %s", got, tc.want)
			}
		})
	}
}

// TestMerge: the merged result is the best candidate's, and says who produced it.
func TestMerge(t *testing.T) {
	r := &Result{Candidates: []Candidate{{Code: "r", Producer: ProducerRules, Verdict: Verdict{Level: LevelCompiles, Status: "compiles"}}}, Rounds: 1}
	m := &Result{Candidates: []Candidate{
		{Code: "m1", Producer: ProducerModel, Verdict: Verdict{Level: LevelParses}},
		{Code: "m2", Producer: ProducerModel, Verdict: Verdict{Level: LevelBehaves, Status: "behaves like the source on 16 inputs"}},
	}, Rounds: 2}
	got := Merge(r, nil, m)
	if got.Code != "m2" || got.Producer() != ProducerModel || got.Verdict.Level != LevelBehaves || len(got.Candidates) != 3 || got.Rounds != 3 {
		t.Errorf("got %q by %s at %s, %d candidates, %d rounds", got.Code, got.Producer(), got.Verdict.Level, len(got.Candidates), got.Rounds)
	}
	if Merge(nil, nil) != nil {
		t.Error("Merge of nothing is not nil")
	}
}

// TestCapable: model candidates are drawn beside a rule translation only with an instruction-tuned
// model, verification on, and a rule translation not already shown to behave like the source.
func TestCapable(t *testing.T) {
	res := func(l Level) *Result { return &Result{Verdict: Verdict{Level: l}} }
	capable := &Engine{Sampler: &scriptedSampler{}}
	embedded := &Engine{Sampler: &scriptedSampler{}, Hint: "the embedded model cannot translate"}
	tests := []struct {
		name   string
		e      *Engine
		verify bool
		rules  *Result
		want   bool
	}{
		{"capable, compiles", capable, true, res(LevelCompiles), true},
		{"capable, already behaves", capable, true, res(LevelBehaves), false},
		{"verification off", capable, false, res(LevelParses), false},
		{"embedded model", embedded, true, res(LevelCompiles), false},
		{"no model", nil, true, res(LevelCompiles), false},
	}
	for _, tc := range tests {
		if got := Capable(tc.e, tc.verify, tc.rules); got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}
