package eval

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/weft-dev/weft/grammars"
	"github.com/weft-dev/weft/translate"
)

// TranslationHumanEvalX measures translation on HumanEval-X in dir, the held-out set of the rules
// translator (tuned on TransCoder-GfG only): each problem's canonical solution in from (prompt and
// solution) is translated to to, the entry function renamed to the target's name for it (Python's
// has_close_elements is Go's HasCloseElements), and the target's tests run on it in the sandbox.
func TranslationHumanEvalX(ctx context.Context, tr Translator, dir, from, to string, limit int, progress io.Writer) (*Report, error) {
	fromL, err := translate.LookupLanguage(from)
	if err != nil {
		return nil, err
	}
	toL, err := translate.LookupLanguage(to)
	if err != nil {
		return nil, err
	}
	src, err := LoadHumanEvalX(dir, fromL)
	if err != nil {
		return nil, err
	}
	dst, err := LoadHumanEvalX(dir, toL)
	if err != nil {
		return nil, err
	}
	byNum := map[string]HumanEvalXProblem{}
	for _, p := range dst {
		byNum[taskNumber(p.TaskID)] = p
	}
	rep := &Report{Set: fmt.Sprintf("humaneval-x %s->%s", fromL.ID, toL.ID)}
	var pairs [][2]HumanEvalXProblem
	for _, p := range src {
		if q, ok := byNum[taskNumber(p.TaskID)]; ok {
			pairs = append(pairs, [2]HumanEvalXProblem{p, q})
		}
	}
	if limit > 0 && len(pairs) > limit {
		pairs = pairs[:limit]
	}
	v := translate.NewVerifier(nil, true)
	rep.Sandbox = v.Sandbox.Isolation()
	start := time.Now()
	bar := &progressBar{w: progress, total: len(pairs), start: start}
	passed := 0
	for i, pq := range pairs {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		it, err := evalTranslateHumanEvalXItem(ctx, tr, v, fromL, toL, pq[0], pq[1])
		if err != nil {
			return rep, fmt.Errorf("%s: %w", pq[0].TaskID, err)
		}
		if it.Passed {
			passed++
		}
		rep.Items = append(rep.Items, it)
		bar.update(i+1, passed)
	}
	rep.Wall = time.Since(start)
	return rep, nil
}

func taskNumber(id string) string { return id[strings.LastIndexByte(id, '/')+1:] }

// entryName is the name of the function a HumanEval-X declaration declares.
var entryName = regexp.MustCompile(`(\w+)\s*\([^()]*(\([^()]*\)[^()]*)*\)[^(]*$`)

// arrowName is the name a JavaScript declaration gives a function expression
// (const truncateNumber = (number) => {).
var arrowName = regexp.MustCompile(`(?m)^\s*(?:const|let|var)\s+(\w+)\s*=\s*(?:async\s+)?(?:\(|function\b|\w+\s*=>)`)

func declName(decl string) string {
	if m := arrowName.FindStringSubmatch(decl); m != nil {
		return m[1]
	}
	decl = strings.TrimRight(strings.TrimSpace(decl), "{:")
	if m := entryName.FindStringSubmatch(decl); m != nil {
		return m[1]
	}
	return ""
}

func evalTranslateHumanEvalXItem(ctx context.Context, tr Translator, v *translate.Verifier, from, to *grammars.Language, sp, tp HumanEvalXProblem) (Item, error) {
	t0 := time.Now()
	it := Item{Name: sp.TaskID}
	code := sp.PromptFor(from) + sp.CanonicalSolution
	if from.ID == "go" && sp.Import != "" {
		code = sp.Import + "\n" + code
	}
	res, err := tr.Translate(ctx, translate.Request{Code: code, From: from, To: to})
	if err != nil {
		if ctx.Err() != nil {
			return it, ctx.Err()
		}
		it.Status = "translate: " + err.Error()
		return it, nil
	}
	cand := res.Code
	if a, b := declName(sp.Declaration), declName(tp.Declaration); a != "" && b != "" && a != b {
		cand = regexp.MustCompile(`\b`+regexp.QuoteMeta(a)+`\b`).ReplaceAllString(cand, b)
	}
	if to.ID == "java" && !javaPublicOrClass.MatchString(cand) {
		// The rules write Java as class members; HumanEval-X's tests call them on a new Solution().
		cand = "import java.util.*;\n\nclass Solution {\n" + cand + "\n}\n"
	}
	if to.ID == "cpp" && !strings.Contains(cand, "using namespace std;") {
		// HumanEval-X's C++ tests name vector and string unqualified, as its prompts' using declaration
		// allows; the rules write std:: and replace the prompt.
		cand += "\nusing namespace std;\n"
	}
	tq := tp
	tq.Import = ""
	if to.ID == "go" {
		body, _ := splitGoImports(cand)
		tq.Prompt = body
	} else {
		tq.Prompt = cand
	}
	prog, err := humanEvalXProgram(to, tq, "")
	if err != nil {
		return it, err
	}
	it.Parsed = grammars.ErrorCount(to, []byte(cand)) == 0
	lim := humanEvalXLimits
	rr, err := v.Run(ctx, prog, &lim)
	if err != nil {
		return it, err
	}
	it.Wall = time.Since(t0)
	switch {
	case rr.Missing != "":
		it.Status = rr.BuildError
	case !rr.Built:
		it.Status = "build: " + firstLine(rr.BuildError)
	default:
		it.Compiled = true
		switch {
		case rr.Run.TimedOut:
			it.Status = "run: time limit"
		case rr.Run.ExitCode != 0:
			it.Status = fmt.Sprintf("tests: exit %d: %s", rr.Run.ExitCode, firstLine(rr.Run.Output()))
		default:
			it.Passed = true
		}
	}
	return it, nil
}

// javaPublicOrClass finds a top-level class declaration in Java code.
var javaPublicOrClass = regexp.MustCompile(`(?m)^\s*(public\s+)?(final\s+)?class\s+\w+`)
