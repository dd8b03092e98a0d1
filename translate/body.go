package translate

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/weft-dev/weft/grammars"
)

// bodyStops end a function body that started in a prompt at column 0: Python stops at the next
// top-level statement (HumanEval's stop sequences); brace languages at a closing brace in column 0,
// which closes the prompt's function (or Java's class) and is put back.
func bodyStops(l *grammars.Language) (stops []string, closing string) {
	if l.IndentBlocks {
		return []string{"\ndef ", "\nclass ", "\nif __name__", "\nprint(", "\n#", "\n@", fence}, ""
	}
	return []string{"\n}", fence}, "\n}\n"
}

// GenerateBody implements BodyGenerator: it completes the function whose docstring and signature end
// prompt, with the engine's candidates, each checked as prompt+body (parse, then compile when
// verification is on), best first by the usual ranking. Nothing is run.
func (e *Engine) GenerateBody(ctx context.Context, lang *grammars.Language, prompt string) (string, error) {
	if e.Sampler == nil {
		return "", errors.New("generate: no model loaded")
	}
	stops, closing := bodyStops(lang)
	var cands []Candidate
	seen := map[string]bool{}
	for i := 0; i < e.candidates(); i++ {
		o := SampleOptions{MaxTokens: e.maxTokens(), Stop: stops}
		if i > 0 {
			o.Temperature, o.TopP, o.Seed = e.temperature(), 0.95, uint64(i)
		}
		s, err := e.Sampler.Sample(ctx, prompt, o)
		if err != nil {
			return "", fmt.Errorf("generate: %w", err)
		}
		body := strings.TrimRight(cutAtStop(s.Text, stops), " \t\n") + closing
		if closing == "" {
			body += "\n"
		}
		if seen[body] {
			continue
		}
		seen[body] = true
		c := Candidate{Code: body, LogProb: s.LogProb, Tokens: s.Tokens}
		v := e.Verifier
		if v == nil {
			v = NewVerifier(nil, false)
		}
		vd, err := v.Check(ctx, lang, prompt+body)
		if err != nil {
			return "", err
		}
		c.Verdict = vd
		cands = append(cands, c)
	}
	if len(cands) == 0 {
		return "", errors.New("generate: the model produced nothing")
	}
	Rank(cands)
	return cands[0].Code, nil
}
