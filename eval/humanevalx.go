package eval

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/weft-dev/weft/grammars"
	"github.com/weft-dev/weft/translate"
)

// BodyGenerator completes a function whose prompt (docstring and signature) is given: it returns the
// text that follows the prompt, i.e. the body and the closing brace(s).
type BodyGenerator interface {
	GenerateBody(ctx context.Context, lang *grammars.Language, prompt string) (string, error)
}

// HumanEvalXProblem is one HumanEval-X problem as distributed by CodeGeeX.
type HumanEvalXProblem struct {
	TaskID            string `json:"task_id"`
	Prompt            string `json:"prompt"`
	Declaration       string `json:"declaration"`
	CanonicalSolution string `json:"canonical_solution"`
	Test              string `json:"test"`
	Import            string `json:"import"`     // Go only
	TestSetup         string `json:"test_setup"` // Go only
}

// humanEvalXFiles maps our language ids to the set's file suffixes.
var humanEvalXFiles = map[string]string{"cpp": "cpp", "go": "go", "java": "java", "javascript": "js", "python": "python", "rust": "rust"}

// LoadHumanEvalX reads humaneval_<lang>.jsonl.gz from dir.
func LoadHumanEvalX(dir string, lang *grammars.Language) ([]HumanEvalXProblem, error) {
	suffix, ok := humanEvalXFiles[lang.ID]
	if !ok {
		return nil, fmt.Errorf("humaneval-x has no %s (languages: cpp, go, java, js, python, rust)", lang.Name)
	}
	f, err := os.Open(filepath.Join(dir, "humaneval_"+suffix+".jsonl.gz"))
	if err != nil {
		return nil, fmt.Errorf("humaneval-x: %w", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("humaneval-x: %w", err)
	}
	var out []HumanEvalXProblem
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var p HumanEvalXProblem
		if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
			return nil, fmt.Errorf("humaneval-x %s line %d: %w", suffix, len(out)+1, err)
		}
		out = append(out, p)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("humaneval-x: %w", err)
	}
	return out, nil
}

// PromptFor returns the text a generator completes: the prompt, with the Rust declaration (the Rust
// prompt is only the docstring) and without the Go import block (the test setup imports for itself).
func (p HumanEvalXProblem) PromptFor(lang *grammars.Language) string {
	switch lang.ID {
	case "rust":
		return p.Prompt + rustExternalCrates.ReplaceAllString(p.Declaration, "")
	case "go":
		if p.Import != "" {
			return strings.Replace(p.Prompt, p.Import, "", 1)
		}
	}
	return p.Prompt
}

var (
	// rustExternalCrates are the declaration's uses of crates rustc alone cannot link (rand, regex, md5);
	// the one problem that needs md5 fails to build, as it would without Cargo.
	rustExternalCrates = regexp.MustCompile(`(?m)^use\s+(rand|regex|md5)\b[^;]*;\s*\n`)
	goImportPath       = regexp.MustCompile(`"([^"]+)"`)
)

// humanEvalXProgram assembles the test program for a generated body.
func humanEvalXProgram(lang *grammars.Language, p HumanEvalXProblem, body string) (translate.Program, error) {
	code := p.PromptFor(lang) + body
	switch lang.ID {
	case "python":
		return translate.Program{Lang: lang, Files: map[string]string{"main.py": code + "\n\n" + p.Test + "\n"}, Main: "main.py"}, nil
	case "javascript":
		return translate.Program{Lang: lang, Files: map[string]string{"main.js": code + "\n\n" + p.Test + "\n"}, Main: "main.js"}, nil
	case "cpp":
		return translate.Program{Lang: lang, Files: map[string]string{"main.cpp": code + "\n\n" + p.Test + "\n"}, Main: "main.cpp"}, nil
	case "java":
		return translate.Program{Lang: lang, Files: map[string]string{"Main.java": code + "\n\n" + p.Test + "\n"}, Main: "Main.java"}, nil
	case "rust":
		return translate.Program{Lang: lang, Files: map[string]string{"main.rs": code + "\n\n" + p.Test + "\n"}, Main: "main.rs", Test: true}, nil
	case "go":
		rest := code + "\n\n" + p.Test + "\n"
		// The test setup lists imports some problems do not use (an error in Go): keep the used ones,
		// and add the standard packages the body uses that neither the setup nor the prompt imports.
		var imports []string
		setup := p.TestSetup
		if blk := goImportBlk.FindStringSubmatchIndex(setup); blk != nil {
			for _, m := range goImportPath.FindAllStringSubmatch(setup[blk[2]:blk[3]], -1) {
				path := m[1]
				name := path[strings.LastIndex(path, "/")+1:]
				if path == "testing" || strings.Contains(translate.StripGoStrings(rest), name+".") {
					imports = append(imports, path)
				}
			}
			setup = setup[:blk[0]] + setup[blk[1]:]
		}
		have := map[string]string{}
		for _, path := range imports {
			have[path[strings.LastIndex(path, "/")+1:]] = path
		}
		imports = append(imports, translate.GoMissingImports(rest, have)...)
		var b strings.Builder
		b.WriteString(strings.TrimSpace(setup) + "\n\nimport (\n")
		for _, path := range imports {
			fmt.Fprintf(&b, "\t%q\n", path)
		}
		b.WriteString(")\n\n" + rest)
		files := map[string]string{
			"main_test.go":              b.String(),
			"go.mod":                    "module humaneval\n\ngo 1.21\n\nrequire github.com/stretchr/testify v1.8.4\n\nreplace github.com/stretchr/testify => ./testify\n",
			"testify/go.mod":            "module github.com/stretchr/testify\n\ngo 1.21\n",
			"testify/assert/assert.go":  testifyAssert,
			"testify/assert/doc_gen.go": "package assert\n",
		}
		return translate.Program{Lang: lang, Files: files, Main: "main_test.go", Test: true}, nil
	}
	return translate.Program{}, fmt.Errorf("humaneval-x has no %s", lang.Name)
}

// testifyAssert stands in for the one testify API the Go tests use (assert.New(t).Equal), so that they
// build offline. Equal compares like testify's ObjectsAreEqual: bytes.Equal for []byte, else DeepEqual.
const testifyAssert = `package assert

import (
	"bytes"
	"reflect"
)

type TestingT interface {
	Errorf(format string, args ...interface{})
	Helper()
}

type Assertions struct{ t TestingT }

func New(t TestingT) *Assertions { return &Assertions{t} }

func equal(expected, actual interface{}) bool {
	if expected == nil || actual == nil {
		return expected == actual
	}
	if e, ok := expected.([]byte); ok {
		if a, ok := actual.([]byte); ok {
			return bytes.Equal(e, a)
		}
		return false
	}
	return reflect.DeepEqual(expected, actual)
}

func (a *Assertions) Equal(expected, actual interface{}, msgAndArgs ...interface{}) bool {
	a.t.Helper()
	if !equal(expected, actual) {
		a.t.Errorf("Not equal: expected %#v, actual %#v %v", expected, actual, msgAndArgs)
		return false
	}
	return true
}
`

// HumanEvalX measures generation on HumanEval-X in dir for one language: the generator completes
// each prompt (the first limit problems; 0 = all), and the problem's tests run on the result in the
// sandbox. A problem passes when its test program builds and exits 0 (and, in JavaScript, where
// console.assert only prints, no "Assertion failed" is printed).
func HumanEvalX(ctx context.Context, gen BodyGenerator, dir, lang string, limit int, progress io.Writer) (*Report, error) {
	l, err := translate.LookupLanguage(lang)
	if err != nil {
		return nil, err
	}
	probs, err := LoadHumanEvalX(dir, l)
	if err != nil {
		return nil, err
	}
	if limit > 0 && len(probs) > limit {
		probs = probs[:limit]
	}
	v := translate.NewVerifier(nil, true)
	rep := &Report{Set: "humaneval-x " + l.ID, Sandbox: v.Sandbox.Isolation()}
	start := time.Now()
	bar := &progressBar{w: progress, total: len(probs), start: start}
	passed := 0
	for i, p := range probs {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		it, err := evalHumanEvalXItem(ctx, gen, v, l, p)
		if err != nil {
			return rep, fmt.Errorf("%s: %w", p.TaskID, err)
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

// humanEvalXLimits bounds one test program (some problems' tests do real work; Java starts slowly).
var humanEvalXLimits = translate.Limits{Wall: 20 * time.Second, MemoryBytes: 2 << 30, FileBytes: 16 << 20, OutputBytes: 64 << 10}

func evalHumanEvalXItem(ctx context.Context, gen BodyGenerator, v *translate.Verifier, l *grammars.Language, p HumanEvalXProblem) (Item, error) {
	t0 := time.Now()
	it := Item{Name: p.TaskID}
	body, err := gen.GenerateBody(ctx, l, p.PromptFor(l))
	if err != nil {
		if ctx.Err() != nil {
			return it, ctx.Err()
		}
		it.Status = "generate: " + err.Error()
		return it, nil
	}
	prog, err := humanEvalXProgram(l, p, body)
	if err != nil {
		return it, err
	}
	it.Parsed = grammars.ErrorCount(l, []byte(prog.Files[prog.Main])) == 0
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
		out := rr.Run.Output()
		switch {
		case rr.Run.TimedOut:
			it.Status = "run: time limit"
		case rr.Run.ExitCode != 0:
			it.Status = fmt.Sprintf("tests: exit %d: %s", rr.Run.ExitCode, firstLine(out))
		case l.ID == "javascript" && strings.Contains(out, "Assertion failed"):
			it.Status = "tests: " + firstLine(out)
		default:
			it.Passed = true
		}
	}
	return it, nil
}
