package translate

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/weft-dev/weft/grammars"
	"github.com/weft-dev/weft/translate/rules"
)

// Differential testing, the top verification level: the source's entry function (the unit's last
// function) and the candidate's function of the same name run on the same generated inputs (from the
// source's inferred parameter types: zero, small and negative numbers, empty and repeated lists,
// non-ASCII text) in the sandbox, and their outputs are compared. It runs generated code, so callers
// only call it when the user turned verification on.

// DiffInputs is how many inputs a differential test runs.
const DiffInputs = 16

// diffLimits bounds one driver run: the functions are small, the inputs smaller.
var diffLimits = Limits{Wall: 20 * time.Second, MemoryBytes: 2 << 30, FileBytes: 16 << 20, OutputBytes: 256 << 10}

// DiffResult is the outcome of a differential test.
type DiffResult struct {
	Agree  int    // inputs on which both ran and gave the same result
	Inputs int    // inputs generated
	First  string // the first input where they differ and both outputs, "" when none
}

// ErrNoDiffTest says a differential test cannot be run for this unit (a parameter type without a
// generator, a language without a driver, a toolchain missing); the verdict then stays at what
// compiling gave.
var ErrNoDiffTest = errors.New("no differential test")

// DiffTest runs source (in from) and candidate (in to) on generated inputs in v's sandbox.
func DiffTest(ctx context.Context, v *Verifier, from, to *grammars.Language, source, candidate string) (*DiffResult, error) {
	sig, err := rules.Analyze(ctx, from, source)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoDiffTest, err)
	}
	inputs, ok := rules.Inputs(sig, DiffInputs)
	if !ok {
		return nil, fmt.Errorf("%w: no input generator for the parameters of %s", ErrNoDiffTest, sig.Name)
	}
	run := func(lang *grammars.Language, code string) (string, error) {
		files, main, err := rules.Driver(lang, code, sig, inputs)
		if err != nil {
			return "", fmt.Errorf("%w: %v", ErrNoDiffTest, err)
		}
		lim := diffLimits
		rr, err := v.Run(ctx, Program{Lang: lang, Files: files, Main: main}, &lim)
		if err != nil {
			return "", err
		}
		if rr.Missing != "" {
			return "", fmt.Errorf("%w: %s", ErrNoDiffTest, rr.BuildError)
		}
		if !rr.Built {
			return "", fmt.Errorf("%w: the %s driver does not build: %s", ErrNoDiffTest, lang.Name, firstLine(rr.BuildError))
		}
		return rr.Run.Stdout, nil
	}
	want, err := run(from, source)
	if err != nil {
		return nil, err
	}
	got, err := run(to, candidate)
	if err != nil {
		return nil, err
	}
	res := &DiffResult{Inputs: len(inputs)}
	var first int
	res.Agree, first = rules.Compare(want, got)
	if res.Agree == 0 && first < 0 {
		return nil, fmt.Errorf("%w: the source fails on every generated input", ErrNoDiffTest)
	}
	if first >= 0 {
		res.First = fmt.Sprintf("%s%s: source %s, translation %s", sig.Name, rules.Show(inputs[first]),
			rules.Line(want, first), rules.Line(got, first))
	}
	return res, nil
}

// applyDiff runs a differential test on a candidate that compiled and raises or explains its verdict.
func applyDiff(ctx context.Context, v *Verifier, req Request, c *Candidate) error {
	if v == nil || !v.Compile || c.Verdict.Level < LevelCompiles {
		return nil
	}
	d, err := DiffTest(ctx, v, req.From, req.To, req.Code, c.Code)
	if errors.Is(err, ErrNoDiffTest) {
		c.Verdict.Status += "; not differentially tested: " + err.Error()
		return nil
	}
	if err != nil {
		return err
	}
	if d.First == "" {
		c.Verdict.Level = LevelBehaves
		c.Verdict.Status = fmt.Sprintf("behaves like the source on %d inputs", d.Agree)
		return nil
	}
	c.Verdict.Status += fmt.Sprintf("; differs from the source: %s", d.First)
	c.Verdict.Message = d.First
	c.Verdict.Differs = true
	return nil
}
