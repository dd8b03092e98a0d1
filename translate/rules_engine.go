package translate

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/weft-dev/weft/grammars"
	"github.com/weft-dev/weft/translate/rules"
)

// Rules translates with the syntax-directed translator (translate/rules): no model, and all or
// nothing. It implements Translator. Verifier, when set, checks the result as model candidates are
// checked (parse, then compile when its Compile is on).
type Rules struct {
	Verifier *Verifier
}

// Translate implements Translator.
func (r *Rules) Translate(ctx context.Context, req Request) (*Result, error) {
	if req.From == nil || req.To == nil {
		return nil, errors.New("translate: source and target languages are required")
	}
	if !rules.Supports(req.From, req.To) {
		return nil, fmt.Errorf("translate: the rules translator has no %s -> %s pair", req.From.Name, req.To.Name)
	}
	code, err := rules.Translate(ctx, req.From, req.To, req.Code)
	if err != nil {
		return nil, fmt.Errorf("translate: %w", err) // errors.As(err, **rules.Uncovered) names what is not covered
	}
	c := Candidate{Code: code, Verdict: Verdict{Level: LevelParses, Status: "parses"}, Producer: ProducerRules}
	if n := grammars.ErrorCount(req.To, []byte(code)); n != 0 {
		c.Verdict = Verdict{Level: LevelNone, ParseErrors: n, Status: fmt.Sprintf("does not parse (%d errors)", n)}
	}
	if r.Verifier != nil && c.Verdict.Level >= LevelParses {
		vd, err := r.Verifier.Check(ctx, req.To, code)
		if err != nil {
			return nil, err
		}
		c.Verdict = vd
		if err := applyDiff(ctx, r.Verifier, req, &c); err != nil {
			return nil, err
		}
	}
	if req.Tests != nil && c.Verdict.Level >= LevelParses && (c.Verdict.Compiled || !strings.HasPrefix(c.Verdict.Status, "does not compile")) {
		ok, out, err := req.Tests(ctx, code)
		if err != nil {
			return nil, err
		}
		if ok {
			c.Verdict.Level, c.Verdict.Status = LevelPasses, "passes tests"
		} else {
			c.Verdict.Message = out
		}
	}
	return &Result{Code: code, Verdict: c.Verdict, Candidates: []Candidate{c}, Rounds: 1}, nil
}
