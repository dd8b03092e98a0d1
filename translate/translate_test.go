package translate

import (
	"context"
	"strings"
	"testing"
)

func TestExtractUnit(t *testing.T) {
	src := `import math
from typing import List

LIMIT = 10

class Point:
    def __init__(self, x):
        self.x = x

def helper2(v):
    return v * 2

def helper(v):
    return helper2(v) + 1

def unused(v):
    return v

def target(xs: List[int]) -> Point:
    total = 0
    for x in xs:
        total += helper(x) + math.floor(x)
    return Point(total)

class Box:
    def area(self, w):
        if w > 0:
            return helper(w)
        return 0
`
	py := mustLang(t, "python")
	off := strings.Index(src, "total += ")
	u, err := ExtractUnit(py, []byte(src), off, off)
	if err != nil {
		t.Fatal(err)
	}
	if u.Name != "target" || u.Kind != "function" {
		t.Fatalf("unit %q kind %q", u.Name, u.Kind)
	}
	if strings.Join(u.Helpers, ",") != "helper,helper2" || strings.Join(u.Types, ",") != "Point" {
		t.Fatalf("helpers %v types %v", u.Helpers, u.Types)
	}
	for _, want := range []string{"import math\nfrom typing import List\n", "class Point:", "def helper2(v):", "def helper(v):", "def target("} {
		if !strings.Contains(u.Code, want) {
			t.Errorf("unit code lacks %q:\n%s", want, u.Code)
		}
	}
	if strings.Contains(u.Code, "unused") || strings.Contains(u.Code, "class Box") {
		t.Errorf("unit code has unrelated code:\n%s", u.Code)
	}
	if strings.Index(u.Code, "def helper2") > strings.Index(u.Code, "def target") {
		t.Errorf("helpers must come before the unit:\n%s", u.Code)
	}

	// A method: dedented with its body's relative indentation kept.
	off = strings.Index(src, "return helper(w)")
	u, err = ExtractUnit(py, []byte(src), off, off)
	if err != nil {
		t.Fatal(err)
	}
	if u.Name != "area" || !strings.HasSuffix(u.Code, "def area(self, w):\n    if w > 0:\n        return helper(w)\n    return 0\n") {
		t.Fatalf("method unit %q:\n%s", u.Name, u.Code)
	}
	if got := src[u.Start:u.End]; !strings.HasPrefix(got, "def area") {
		t.Fatalf("unit range starts at %q", got[:10])
	}

	// A selection that does not parse is refused; no unit at module level either.
	s := strings.Index(src, "helper(x) + math")
	if _, err := ExtractUnit(py, []byte(src), s, s+11); err == nil || !strings.Contains(err.Error(), "does not parse") {
		t.Fatalf("broken selection: %v", err)
	}
	if _, err := ExtractUnit(py, []byte(src), 3, 3); err == nil {
		t.Fatal("cursor outside any function accepted")
	}
}

// scriptedSampler answers prompts from a script: each call takes the next answer, and the prompts are
// recorded.
type scriptedSampler struct {
	answers []string
	prompts []string
	opts    []SampleOptions
}

func (s *scriptedSampler) Sample(ctx context.Context, prompt string, o SampleOptions) (Sample, error) {
	s.prompts = append(s.prompts, prompt)
	s.opts = append(s.opts, o)
	if len(s.answers) == 0 {
		return Sample{Text: "```"}, nil
	}
	a := s.answers[0]
	s.answers = s.answers[1:]
	return Sample{Text: cutAtStop(a, o.Stop), LogProb: -float64(len(a)) / 10, Tokens: len(a) / 4}, nil
}

func TestTranslateRetriesWithCompilerError(t *testing.T) {
	v := NewVerifier(nil, true)
	if v.Tool("go") == "" {
		t.Skip("go not installed")
	}
	s := &scriptedSampler{answers: []string{
		// round 0: parses but does not compile; does not parse
		"a int) int {\n\treturn a + \"1\"\n}\n```\n",
		"a int) int {\n\treturn a +\n```",
		// round 1: correct
		"a int) int {\n\treturn a + 1\n}\n```\nmore text",
		"a int) int {\n\treturn a - 1 +\n```",
	}}
	e := &Engine{Sampler: s, Verifier: v, Candidates: 2, Retries: 2}
	req := Request{Code: "def inc(a):\n    return a + 1\n", From: mustLang(t, "py"), To: mustLang(t, "go")}
	res, err := e.Translate(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	// The model's candidate goes through differential testing as rule translations do.
	if res.Rounds != 2 || res.Verdict.Level != LevelBehaves {
		t.Fatalf("rounds %d verdict %+v", res.Rounds, res.Verdict)
	}
	if res.Code != "func inc(a int) int {\n\treturn a + 1\n}\n" {
		t.Fatalf("best code %q", res.Code)
	}
	if !strings.Contains(s.prompts[0], "```go\n// Go translation of the Python code above\nfunc inc(") {
		t.Fatalf("prompt:\n%s", s.prompts[0])
	}
	if !strings.Contains(s.prompts[2], "mismatched types") || !strings.Contains(s.prompts[2], `return a + "1"`) {
		t.Fatalf("retry prompt lacks the failed attempt and compiler error:\n%s", s.prompts[2])
	}
	if s.opts[0].Temperature != 0 || s.opts[1].Temperature == 0 {
		t.Fatalf("first candidate must be greedy, the others sampled: %+v", s.opts)
	}
	levels := []Level{}
	for _, c := range res.Candidates {
		levels = append(levels, c.Verdict.Level)
	}
	if levels[0] != LevelBehaves || levels[len(levels)-1] != LevelNone {
		t.Fatalf("ranking: %v", levels)
	}
}

func TestTranslateBadInput(t *testing.T) {
	e := &Engine{Sampler: &scriptedSampler{}}
	py, goL := mustLang(t, "python"), mustLang(t, "go")
	for _, c := range []struct {
		req  Request
		want string
	}{
		{Request{Code: "def f(:\n", From: py, To: goL}, "does not parse as Python"},
		{Request{Code: "def f(): pass\n", From: py, To: py}, "both Python"},
		{Request{Code: "  \n", From: py, To: goL}, "nothing to translate"},
		{Request{Code: "def f(): pass\n", From: py}, "required"},
	} {
		_, err := e.Translate(context.Background(), c.req)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: got %v, want %q", c.req.Code, err, c.want)
		}
	}
	if _, err := LookupLanguage("cobol"); err == nil {
		t.Error("cobol accepted")
	}
	for _, n := range []string{"py", "python", "go", "js", "javascript", "ts", "typescript", "rs", "rust", "java", "c", "cpp", "c++"} {
		if _, err := LookupLanguage(n); err != nil {
			t.Errorf("%s: %v", n, err)
		}
	}
}

func TestRank(t *testing.T) {
	cs := []Candidate{
		{Code: "a", LogProb: -1, Tokens: 1, Verdict: Verdict{Level: LevelParses}},
		{Code: "b", LogProb: -9, Tokens: 1, Verdict: Verdict{Level: LevelPasses}},
		{Code: "c", LogProb: -2, Tokens: 1, Verdict: Verdict{Level: LevelCompiles}},
		{Code: "d", LogProb: -0.5, Tokens: 1, Verdict: Verdict{Level: LevelCompiles}},
		{Code: "e", LogProb: 0, Tokens: 1, Verdict: Verdict{Level: LevelNone}},
	}
	Rank(cs)
	var got string
	for _, c := range cs {
		got += c.Code
	}
	if got != "bdcae" {
		t.Fatalf("order %s, want bdcae", got)
	}
}

// With a test hook, a candidate that passes the tests wins over likelier ones that only compile, and the
// search stops as soon as one passes.
func TestTranslateTestsHook(t *testing.T) {
	s := &scriptedSampler{answers: []string{
		"x):\n    return x + 2\n```", // likeliest (shortest), wrong
		"x):\n    return x + 1  # the right one, but a longer answer\n```",
	}}
	e := &Engine{Sampler: s, Verifier: NewVerifier(nil, false), Candidates: 2, Retries: 3}
	calls := 0
	req := Request{Code: "func inc(x int) int { return x + 1 }\n", From: mustLang(t, "go"), To: mustLang(t, "python"),
		Tests: func(ctx context.Context, cand string) (bool, string, error) {
			calls++
			if strings.Contains(cand, "x + 1") {
				return true, "ok", nil
			}
			return false, "inc(1) == 3, want 2", nil
		}}
	res, err := e.Translate(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if res.Verdict.Level != LevelPasses || !strings.Contains(res.Code, "x + 1") || res.Rounds != 1 || calls != 2 {
		t.Fatalf("rounds %d calls %d verdict %+v code %q", res.Rounds, calls, res.Verdict, res.Code)
	}
	if res.Candidates[1].Verdict.Message != "inc(1) == 3, want 2" {
		t.Fatalf("failing test output not kept: %+v", res.Candidates[1].Verdict)
	}
}
