// Package translate turns natural-language instructions into code edits and translates code between
// languages, verifying what the model proposes: every candidate is parsed with the target grammar and,
// when verification is on and the toolchain is installed, compiled or type-checked in a sandbox
// (sandbox.go); candidates are ranked parses < compiles < passes tests, with the model's log-probability
// breaking ties, and when none compiles the compiler's message goes back into the prompt for another
// round. Generated code is only ever run by the evaluation harness (package eval) or by a caller-supplied
// test hook. The package knows no LSP: actions.go speaks plain values that lsp/ adapts.
package translate

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/weft-dev/weft/grammars"
)

// DefaultVerification is whether candidates are compiled when the user did not say: off. Compiling
// runs the toolchain (go build, gcc, node) on model output, which a user must ask for; the server's
// settings, the CLI's --verify flags and the editors' defaults all follow this one value.
const DefaultVerification = false

// Engine generates and translates code with one model.
type Engine struct {
	Sampler  Sampler
	Verifier *Verifier // nil: parse checks only

	Candidates  int     // per round: one greedy + Candidates-1 sampled; 0 means 4
	Retries     int     // extra rounds with the best candidate's compiler error in the prompt; <0: none, 0 means 2
	Temperature float32 // of the sampled candidates; 0 means 0.6
	MaxTokens   int     // per candidate; 0 means 768
	// Hint ends the error of a request where no candidate passed: what the model can and cannot do
	// and how to get one that can (set for the embedded model).
	Hint string

	progress func(msg string, pct int) // set on a per-request copy by Actions
}

func (e *Engine) report(msg string, pct int) {
	if e.progress != nil {
		e.progress(msg, pct)
	}
}

// NewEngine returns an engine with default settings. verify turns compile checks on.
func NewEngine(s Sampler, verify bool) *Engine {
	return &Engine{Sampler: s, Verifier: NewVerifier(nil, verify)}
}

func (e *Engine) candidates() int {
	if e.Candidates <= 0 {
		return 4
	}
	return e.Candidates
}

func (e *Engine) retries() int {
	switch {
	case e.Retries < 0:
		return 0
	case e.Retries == 0:
		return 2
	}
	return e.Retries
}

func (e *Engine) temperature() float32 {
	if e.Temperature <= 0 {
		return 0.6
	}
	return e.Temperature
}

func (e *Engine) maxTokens() int {
	if e.MaxTokens <= 0 {
		return 768
	}
	return e.MaxTokens
}

// fence is the stop string of every prompt: code sits in Markdown fences, which code models close
// reliably when the code is done.
const fence = "```"

// fenceTag is the Markdown info string of a language.
func fenceTag(l *grammars.Language) string {
	switch l.ID {
	case "tsx":
		return "tsx"
	case "cpp":
		return "cpp"
	}
	return l.ID
}

// TranslatePrompt builds the translation prompt: the source in a fenced block, then a fenced block of the
// target that opens with a header comment naming the translation, and the start of the target
// signature where the language's syntax lets us know it. It returns the prompt and that start (which
// belongs to the candidate's text). feedback, when not empty, is a previous attempt and its compiler
// message, shown before the new attempt.
func TranslatePrompt(req Request, name string, feedback *Candidate) (prompt, start string) {
	var b strings.Builder
	from, to := req.From, req.To
	fmt.Fprintf(&b, "%s%s\n%s\n%s\n\n", fence, fenceTag(from), strings.TrimRight(req.Code, "\n"), fence)
	header := fmt.Sprintf("%s %s translation of the %s code above\n", to.LineComment, to.Name, from.Name)
	if feedback != nil {
		fmt.Fprintf(&b, "%s%s\n%s%s\n%s\n\n", fence, fenceTag(to), header, strings.TrimRight(feedback.Code, "\n"), fence)
		why := "The " + to.Name + " compiler rejects it"
		switch feedback.Verdict.Level {
		case LevelNone:
			why = "It is not valid " + to.Name
		case LevelCompiles:
			why = "It compiles but its tests fail"
		}
		fmt.Fprintf(&b, "%s:\n%s\n%s\n%s\n\nCorrected:\n", why, fence, clip(feedback.Verdict.Message, 12), fence)
	}
	start = signatureStart(to, name)
	fmt.Fprintf(&b, "%s%s\n%s%s", fence, fenceTag(to), header, start)
	return b.String(), start
}

// signatureStart is how a function called name begins in l, when that does not depend on types.
func signatureStart(l *grammars.Language, name string) string {
	if name == "" {
		return ""
	}
	switch l.ID {
	case "go":
		return "func " + name + "("
	case "rust":
		return "fn " + name + "("
	case "python":
		return "def " + name + "("
	case "javascript", "typescript", "tsx":
		return "function " + name + "("
	}
	return ""
}

// clip keeps the first n lines of s.
func clip(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = append(lines[:n], "...")
	}
	return strings.Join(lines, "\n")
}

// Translate implements Translator: it translates req.Code (a unit with its helpers, see ExtractUnit)
// from req.From to req.To and returns the best verified candidate. Errors: bad input (the source does
// not parse, the pair is not supported), a cancelled ctx, or a model failure; a translation that does
// not compile is a Result whose Verdict says so.
func (e *Engine) Translate(ctx context.Context, req Request) (*Result, error) {
	if req.From == nil || req.To == nil {
		return nil, errors.New("translate: source and target languages are required")
	}
	if req.From.ID == req.To.ID {
		return nil, fmt.Errorf("translate: source and target are both %s", req.From.Name)
	}
	for _, l := range []*grammars.Language{req.From, req.To} {
		if _, err := LookupLanguage(l.ID); err != nil {
			return nil, fmt.Errorf("translate: %w", err)
		}
	}
	if strings.TrimSpace(req.Code) == "" {
		return nil, errors.New("translate: nothing to translate")
	}
	if n := grammars.ErrorCount(req.From, []byte(req.Code)); n != 0 {
		return nil, fmt.Errorf("translate: the source does not parse as %s (%d syntax errors)", req.From.Name, n)
	}
	if e.Sampler == nil {
		return nil, errors.New("translate: no model loaded")
	}
	name := mainFunctionName(req.From, req.Code)
	goal := e.goal(req)
	res := &Result{}
	var feedback *Candidate
	for round := 0; round <= e.retries(); round++ {
		prompt, start := TranslatePrompt(req, name, feedback)
		cands, err := e.sampleRound(ctx, prompt, start, round)
		if err != nil {
			return nil, err
		}
		for i := range cands {
			if err := e.verify(ctx, req.To, &cands[i], req.Tests); err != nil {
				return nil, err
			}
			// The same top level as rule translations: differential testing against the source
			// (where the caller's tests judge, they do).
			if req.Tests == nil {
				if err := applyDiff(ctx, e.Verifier, req, &cands[i]); err != nil {
					return nil, err
				}
			}
		}
		res.Candidates = append(res.Candidates, cands...)
		res.Rounds = round + 1
		Rank(res.Candidates)
		best := res.Candidates[0]
		e.report(fmt.Sprintf("round %d: %d candidates, best %s", round+1, len(cands), best.Verdict.Level), (round+1)*100/(e.retries()+1))
		if best.Verdict.Level >= goal {
			break
		}
		feedback = &best
	}
	best := res.Candidates[0]
	res.Code, res.Verdict = best.Code, best.Verdict
	return res, nil
}

// Goal is the verification level a translation of req must reach to be presented as working:
// passing its tests when it has tests, compiling when verification is on and the target's
// toolchain is installed, parsing otherwise.
func (e *Engine) Goal(req Request) Level { return e.goal(req) }

// NoAnswer is the error for a translation where no candidate passed even the parse check: why the
// candidates were turned down, and the engine's Hint.
func (e *Engine) NoAnswer(res *Result, to *grammars.Language) error {
	why := rejections{}
	for _, c := range res.Candidates {
		s := c.Verdict.Status
		if i := strings.Index(s, " ("); i > 0 {
			s = s[:i] // "does not parse as Go (3 syntax errors)": counted as one reason
		}
		if s == "" {
			s = "not valid " + to.Name
		}
		why[s]++
	}
	msg := fmt.Sprintf("translate: no candidate is a valid %s translation after %d rounds (%d candidates: %s)", to.Name, res.Rounds, len(res.Candidates), why)
	if res.Verdict.Level > LevelNone {
		msg = fmt.Sprintf("translate: no candidate reached its verification level after %d rounds (best: %s)", res.Rounds, res.Verdict.Status)
	}
	if e.Hint != "" {
		msg += "; " + e.Hint
	}
	return errors.New(msg)
}

// goal is the level at which the search stops: passing tests when there are tests, compiling when a
// compiler can be run, parsing otherwise.
func (e *Engine) goal(req Request) Level {
	if req.Tests != nil {
		return LevelPasses
	}
	if e.Verifier != nil && e.Verifier.Compile && e.Verifier.Tool(checkTools[req.To.ID]) != "" {
		return LevelCompiles
	}
	return LevelParses
}

// sampleRound draws the candidates of one round: greedy first, then sampled ones with distinct seeds;
// duplicates are dropped.
func (e *Engine) sampleRound(ctx context.Context, prompt, start string, round int) ([]Candidate, error) {
	var out []Candidate
	seen := map[string]bool{}
	for i := 0; i < e.candidates(); i++ {
		o := SampleOptions{MaxTokens: e.maxTokens(), Stop: []string{fence}}
		if i > 0 {
			o.Temperature, o.TopP, o.Seed = e.temperature(), 0.95, uint64(round*1000+i)
		}
		s, err := e.Sampler.Sample(ctx, prompt, o)
		if err != nil {
			return nil, fmt.Errorf("translate: %w", err)
		}
		code := cleanCandidate(start + cutAtStop(s.Text, o.Stop))
		if code == "" || seen[code] {
			continue
		}
		seen[code] = true
		out = append(out, Candidate{Code: code, LogProb: s.LogProb, Tokens: s.Tokens, Round: round, Producer: ProducerModel})
	}
	if len(out) == 0 {
		return nil, errors.New("translate: the model produced no code")
	}
	return out, nil
}

// cleanCandidate trims a generated block: surrounding blank lines, and the header comment if the model
// repeated it.
func cleanCandidate(code string) string {
	code = strings.Trim(code, "\n")
	return strings.TrimRight(code, " \t\n") + "\n"
}

// verify fills c.Verdict: parse and compile checks, then the caller's tests when the candidate compiled
// (or could not be compiled here).
func (e *Engine) verify(ctx context.Context, to *grammars.Language, c *Candidate, tests func(context.Context, string) (bool, string, error)) error {
	v := e.Verifier
	if v == nil {
		v = NewVerifier(nil, false)
	}
	vd, err := v.Check(ctx, to, c.Code)
	if err != nil {
		return err
	}
	if vd.Level >= LevelParses {
		if why := Substance(to, c.Code); why != "" {
			vd = Verdict{Level: LevelNone, Status: "rejected: " + why, Message: "rejected: " + why}
		} else if to.IndentBlocks && IndentErrors([]byte(c.Code)) > 0 {
			vd = Verdict{Level: LevelNone, Status: "rejected: inconsistent indentation", Message: "rejected: inconsistent indentation"}
		}
	}
	if tests != nil && vd.Level >= LevelParses && (vd.Compiled || !strings.HasPrefix(vd.Status, "does not compile")) {
		ok, out, err := tests(ctx, c.Code)
		if err != nil {
			return err
		}
		if ok {
			vd.Level, vd.Status = LevelPasses, "passes tests"
		} else {
			vd.Message = out
		}
	}
	c.Verdict = vd
	return nil
}

// Rank orders candidates best first, whoever produced them (the rules translator, the model):
//
//  1. by verification level: behaves like the source on generated inputs (differential testing) >
//     passes the caller's tests > compiles > parses > nothing;
//  2. at the same level, one that differential testing did not show wrong before one it did (a
//     candidate that compiles but disagrees with the source on an input is known wrong; one that
//     could not be tested is not);
//  3. then the rules translator's before the model's (a rule translation keeps the source's
//     semantics by construction; a sample does not);
//  4. then the model's mean log-probability per token, earlier round, shorter code.
func Rank(cs []Candidate) {
	sort.SliceStable(cs, func(i, j int) bool {
		a, b := cs[i], cs[j]
		if a.Verdict.Level != b.Verdict.Level {
			return a.Verdict.Level > b.Verdict.Level
		}
		if a.Verdict.Differs != b.Verdict.Differs {
			return !a.Verdict.Differs
		}
		if ra, rb := a.Producer == ProducerRules, b.Producer == ProducerRules; ra != rb {
			return ra
		}
		if ma, mb := meanLogProb(a), meanLogProb(b); ma != mb {
			return ma > mb
		}
		if a.Round != b.Round {
			return a.Round < b.Round
		}
		return len(a.Code) < len(b.Code)
	})
}

// Capable reports whether a model's candidates should be drawn beside a rule translation rules and
// ranked with it: the model is instruction-tuned (no Hint: the embedded model cannot translate),
// verification is on (without it there is nothing to rank by but parsing), and the rule translation
// was not shown to behave like the source already.
func Capable(e *Engine, verify bool, rules *Result) bool {
	return e != nil && e.Sampler != nil && e.Hint == "" && verify && rules != nil && rules.Verdict.Level < LevelBehaves
}

// Merge ranks the candidates of several results of one request together (the rules translator's and
// the model's) and returns the result whose Code and Verdict are the best one's. Nil results are
// left out; it returns nil when all are.
func Merge(results ...*Result) *Result {
	out := &Result{}
	for _, r := range results {
		if r == nil {
			continue
		}
		out.Candidates = append(out.Candidates, r.Candidates...)
		out.Rounds += r.Rounds
	}
	if len(out.Candidates) == 0 {
		return nil
	}
	Rank(out.Candidates)
	out.Code, out.Verdict = out.Candidates[0].Code, out.Candidates[0].Verdict
	return out
}

func meanLogProb(c Candidate) float64 {
	if c.Tokens <= 0 {
		return c.LogProb
	}
	return c.LogProb / float64(c.Tokens)
}

// mainFunctionName is the name of the last top-level function of a unit (ExtractUnit puts helpers first
// and the unit last), or "" when the unit is not a function.
func mainFunctionName(lang *grammars.Language, code string) string {
	d, err := grammars.NewDocument(lang, []byte(code))
	if err != nil {
		return ""
	}
	defer d.Close()
	defs := grammars.Definitions(d)
	for i := len(defs) - 1; i >= 0; i-- {
		if defs[i].Container == "" {
			if defs[i].Kind == grammars.KindFunction {
				return defs[i].Name
			}
			return ""
		}
	}
	return ""
}
