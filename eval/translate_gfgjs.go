package eval

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"strings"
	"time"

	"github.com/weft-dev/weft/grammars"
	"github.com/weft-dev/weft/translate"
)

// TransCoder-GfG has no JavaScript files, so a translation to JavaScript has no test file to be
// spliced into. It is scored against the source instead, on the set's own inputs: the Python test
// file's param list is run through the Python f_gold (the set's reference) in the sandbox, each
// result is written as JSON, and the JavaScript f_filled must return an equal value on the same
// arguments (numbers compare by value, so Python's 3 and 3.0 and JavaScript's 3 are equal, as
// Python's own == says; lists element by element). An input on which f_gold itself raises is left
// out, as the set's Python harness cannot score it either; a problem whose f_gold raises on every
// input is skipped. Only Python sources are read: their inputs are Python literals the gold program
// can print; the Java, C++ and Go test files write theirs in code.

// errGfGJS says which GfG pairs to JavaScript can be scored.
var errGfGJS = errors.New("transcoder-gfg has no JavaScript files: ->javascript is scored from python only, against the Python f_gold on the set's inputs")

// gfgGoldScript replaces the counting loop of a GfG Python test file: it prints, per input, the
// arguments and f_gold's result as JSON (or that it raised), marked apart from what f_gold prints.
const gfgGoldScript = `    import json as _json, copy as _copy
    for _p in param:
        try:
            _r = f_gold(*_copy.deepcopy(_p))
            print("#weft " + _json.dumps({"args": list(_p), "out": _r}))
        except Exception:
            print("#weft " + _json.dumps({"args": list(_p), "error": True}))
`

// pyNonFinite finds the non-finite numbers Python's json writes unquoted; the JavaScript side writes
// them as the same strings.
var pyNonFinite = regexp.MustCompile(`([:,\[]\s*)(-?Infinity|NaN)\b`)

// gfgCase is one input of a problem and the gold result.
type gfgCase struct {
	Args  []any `json:"args"`
	Out   any   `json:"out"`
	Error bool  `json:"error"`
}

// gfgJSItem scores one python->javascript translation as described above.
func gfgJSItem(ctx context.Context, tr Translator, v *translate.Verifier, dir, name string, from, to *grammars.Language) (Item, error) {
	t0 := time.Now()
	it := Item{Name: name}
	srcFile, err := gfgFile(dir, from.ID, name)
	if err != nil {
		return it, err
	}
	i := strings.Index(srcFile, "    n_success = 0")
	if i < 0 {
		it.Status = "source: no n_success loop in the test file"
		return it, nil
	}
	lim := gfgRunLimits
	lim.OutputBytes = 4 << 20 // the arguments are printed too: some are matrices
	gold := translate.Program{Lang: from, Main: "main.py", Files: map[string]string{"main.py": srcFile[:i] + gfgGoldScript}}
	rr, err := v.Run(ctx, gold, &lim)
	if err != nil {
		return it, err
	}
	if !rr.Built || rr.Run.ExitCode != 0 {
		it.Status = "gold: " + firstLine(rr.BuildError+rr.Run.Output())
		return it, nil
	}
	var cases []gfgCase
	for _, ln := range strings.Split(strings.TrimSpace(rr.Run.Stdout), "\n") {
		var c gfgCase
		ln, ok := strings.CutPrefix(ln, "#weft ")
		if !ok {
			continue // f_gold's own prints
		}
		ln = pyNonFinite.ReplaceAllString(ln, `$1"$2"`) // Python writes inf and nan as bare Infinity and NaN
		if err := json.Unmarshal([]byte(ln), &c); err != nil {
			it.Status = "gold: unreadable output " + firstLine(ln)
			return it, nil
		}
		if !c.Error {
			cases = append(cases, c)
		}
	}
	if len(cases) == 0 {
		it.Status = "gold: raises on every input"
		return it, nil
	}
	src, err := translate.FunctionSource(from, srcFile, "f_gold")
	if err != nil {
		it.Status = "source: " + err.Error()
		return it, nil
	}
	res, err := tr.Translate(ctx, translate.Request{Code: src, From: from, To: to})
	if err != nil {
		if ctx.Err() != nil {
			return it, ctx.Err()
		}
		it.Status = "translate: " + err.Error()
		it.Wall = time.Since(t0)
		return it, nil
	}
	cand := fGold.ReplaceAllString(res.Code, "f_filled")
	it.Parsed = grammars.ErrorCount(to, []byte(cand)) == 0
	var b strings.Builder
	b.WriteString(cand)
	b.WriteString("\nconst _cases = [\n")
	for _, c := range cases {
		args, _ := json.Marshal(c.Args)
		fmt.Fprintf(&b, "  %s,\n", args)
	}
	b.WriteString(`];
for (const _a of _cases) {
  let _line;
  try {
    _line = JSON.stringify({ out: f_filled(..._a) }, (k, v) => typeof v === "number" && !Number.isFinite(v) ? String(v) : v);
  } catch (_e) {
    _line = JSON.stringify({ error: true });
  }
  process.stdout.write(_line + "\n");
}
`)
	rr, err = v.Run(ctx, translate.Program{Lang: to, Main: "main.js", Files: map[string]string{"main.js": b.String()}}, &lim)
	if err != nil {
		return it, err
	}
	it.Wall = time.Since(t0)
	switch {
	case rr.Missing != "":
		it.Status = rr.BuildError
		return it, nil
	case !rr.Built:
		it.Status = "build: " + firstLine(rr.BuildError)
		return it, nil
	}
	it.Compiled = true
	if rr.Run.TimedOut {
		it.Status = "run: time limit"
		return it, nil
	}
	lines := strings.Split(strings.TrimSpace(rr.Run.Stdout), "\n")
	n := 0
	for k, c := range cases {
		if k >= len(lines) {
			break
		}
		var got gfgCase
		if json.Unmarshal([]byte(lines[k]), &got) == nil && !got.Error && sameValue(c.Out, got.Out) {
			n++
		}
	}
	it.Score = fmt.Sprintf("%d/%d", n, len(cases))
	it.Passed = n == len(cases)
	if !it.Passed {
		it.Status = "tests: " + it.Score
	}
	return it, nil
}

// sameValue compares decoded JSON values as Python's == compares the gold results: numbers by value,
// lists element by element.
func sameValue(a, b any) bool {
	switch x := a.(type) {
	case float64:
		y, ok := b.(float64)
		return ok && (x == y || math.IsNaN(x) && math.IsNaN(y))
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !sameValue(x[i], y[i]) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a, b)
}
