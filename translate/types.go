package translate

import (
	"context"

	"github.com/weft-dev/weft/grammars"
)

// Request asks for a translation of one unit of code.
type Request struct {
	Code     string             // the unit to translate, with the helpers and declarations it needs
	From, To *grammars.Language // source and target languages
	// Tests, when set, runs a candidate's tests (the caller enabled running generated code); it reports
	// whether they passed and their output. Nil: candidates are only parsed and compiled.
	Tests func(ctx context.Context, candidate string) (passed bool, output string, err error)
}

// Candidate is one generated translation and what verification said about it.
type Candidate struct {
	Code    string
	LogProb float64 // sum of the sampled tokens' log-probabilities under the model
	Tokens  int     // number of generated tokens
	Round   int     // 0 for the first round, k for the k-th retry with compiler feedback
	Verdict Verdict
	// Producer is what wrote it: ProducerRules (the syntax-directed translator) or ProducerModel.
	Producer string
}

// Producers of candidates.
const (
	ProducerRules = "rules"
	ProducerModel = "model"
)

// Result is the outcome of a translation: the best candidate first among all that were tried.
type Result struct {
	Code       string  // the best candidate's code
	Verdict    Verdict // the best candidate's verdict
	Candidates []Candidate
	Rounds     int // rounds of generation run (1 + retries)
}

// Producer is what wrote the result: the best candidate's producer.
func (r *Result) Producer() string {
	if r == nil || len(r.Candidates) == 0 {
		return ""
	}
	return r.Candidates[0].Producer
}
