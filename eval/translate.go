package eval

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/weft-dev/weft/grammars"
	"github.com/weft-dev/weft/translate"
)

// Evaluation harness: computational accuracy of translations on the TransCoder GeeksforGeeks set and of
// generated bodies on HumanEval-X. Running generated programs is the point of evaluation, so here (and
// only here) the sandbox runs them. These sets measure; nothing is tuned on their items.

// Translator is what the harness needs from a translation engine: the best candidate for a source unit.
type Translator interface {
	Translate(ctx context.Context, req translate.Request) (*translate.Result, error)
}

// Item is the outcome of one evaluation problem.
type Item struct {
	Name     string
	Parsed   bool   // the candidate parses with the target grammar
	Compiled bool   // the test program built
	Passed   bool   // all tests passed (10/10 on GfG)
	Score    string // "7/10" on GfG
	Status   string // short reason when it did not pass
	Wall     time.Duration
}

// Report summarises an evaluation run.
type Report struct {
	Set      string // "transcoder-gfg python->go", "humaneval-x go"
	Items    []Item
	Wall     time.Duration
	Sandbox  string // the sandbox's isolation, for the record
	Skipped  int    // problems without a usable test in the target language
	Unusable string // why the target cannot be evaluated at all (the C harness), "" otherwise
}

func (r *Report) count(f func(Item) bool) int {
	n := 0
	for _, it := range r.Items {
		if f(it) {
			n++
		}
	}
	return n
}

func rate(n, d int) float64 {
	if d == 0 {
		return 0
	}
	return float64(n) / float64(d)
}

// Accuracy is the computational accuracy: the share of items whose every test passed.
func (r *Report) Accuracy() float64 {
	return rate(r.count(func(i Item) bool { return i.Passed }), len(r.Items))
}

// ParseRate is the share of candidates that parse with the target grammar.
func (r *Report) ParseRate() float64 {
	return rate(r.count(func(i Item) bool { return i.Parsed }), len(r.Items))
}

// CompileRate is the share of test programs that built.
func (r *Report) CompileRate() float64 {
	return rate(r.count(func(i Item) bool { return i.Compiled }), len(r.Items))
}

// String is the report's summary, a few lines.
func (r *Report) String() string {
	var b strings.Builder
	n := len(r.Items)
	fmt.Fprintf(&b, "%s: %d items in %v\n", r.Set, n, r.Wall.Round(time.Millisecond))
	fmt.Fprintf(&b, "  computational accuracy %.1f%% (%d/%d), compile %.1f%%, parse %.1f%%\n",
		100*r.Accuracy(), r.count(func(i Item) bool { return i.Passed }), n, 100*r.CompileRate(), 100*r.ParseRate())
	if r.Skipped > 0 {
		fmt.Fprintf(&b, "  %d problems skipped (no usable test)\n", r.Skipped)
	}
	fmt.Fprintf(&b, "  sandbox: %s\n", r.Sandbox)
	return b.String()
}

// progressBar draws "[#####-----] 12/50 ok 40%" on w, rewriting one line.
type progressBar struct {
	w     io.Writer
	total int
	start time.Time
}

func (p *progressBar) update(done, passed int) {
	if p == nil || p.w == nil || p.total == 0 {
		return
	}
	const width = 30
	fill := done * width / p.total
	eta := ""
	if done > 0 && done < p.total {
		left := time.Duration(float64(time.Since(p.start)) / float64(done) * float64(p.total-done))
		eta = " eta " + left.Round(time.Second).String()
	}
	fmt.Fprintf(p.w, "\r[%s%s] %d/%d pass %.0f%%%s   ", strings.Repeat("#", fill), strings.Repeat("-", width-fill),
		done, p.total, 100*rate(passed, done), eta)
	if done == p.total {
		fmt.Fprintln(p.w)
	}
}

// gfgLayout is where each language's GfG files live and what marks the slot for f_filled.
var gfgLayout = map[string]struct{ dir, ext, slot string }{
	"python": {"python", ".py", "#TOFILL"},
	"go":     {"go", ".go", "//TOFILL"},
	"java":   {"java", ".java", "//TOFILL"},
	"cpp":    {"cpp", ".cpp", "//TOFILL"},
	"rust":   {"rust", ".rs", "//TOFILL"},
	"c":      {"c", ".c", ""},
}

// errCHarness explains why C is a source only: its test files have no //TOFILL slot (f_filled is an
// empty stub), print "#Results:" without a format for the counts, and loop over len() of a decayed
// array pointer (2 items on 64-bit), so no C translation can be scored.
var errCHarness = errors.New("the GfG set's C test harness is broken (no //TOFILL slot, printf without format, len() of a pointer): C can be a source, not a target")

// gfgProblems lists the problem names present in both languages of a pair, sorted.
func gfgProblems(dir, from, to string) ([]string, error) {
	fl, tl := gfgLayout[from], gfgLayout[to]
	if fl.dir == "" || tl.dir == "" {
		return nil, fmt.Errorf("transcoder-gfg has no %s->%s pair (languages: c, cpp, go, java, python, rust)", from, to)
	}
	names := func(l struct{ dir, ext, slot string }) (map[string]bool, error) {
		ents, err := os.ReadDir(filepath.Join(dir, l.dir))
		if err != nil {
			return nil, err
		}
		out := map[string]bool{}
		for _, e := range ents {
			if !e.IsDir() && strings.HasSuffix(e.Name(), l.ext) {
				out[strings.TrimSuffix(e.Name(), l.ext)] = true
			}
		}
		return out, nil
	}
	a, err := names(fl)
	if err != nil {
		return nil, fmt.Errorf("transcoder-gfg: %w", err)
	}
	b, err := names(tl)
	if err != nil {
		return nil, fmt.Errorf("transcoder-gfg: %w", err)
	}
	var out []string
	for n := range a {
		if b[n] {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out, nil
}

// gfgFile reads one problem's file in one language.
func gfgFile(dir, lang, name string) (string, error) {
	l := gfgLayout[lang]
	b, err := os.ReadFile(filepath.Join(dir, l.dir, name+l.ext))
	return string(b), err
}

var (
	gfgResults = regexp.MustCompile(`#Results:\s*(\d+)\s*,\s*(\d+)`)
	fGold      = regexp.MustCompile(`\bf_gold\b`)
)

// Translation measures translation on the TransCoder GfG set in dir: for each problem with both a
// from and a to file (the first limit, sorted by name; 0 = all), it translates the source f_gold, names
// the result f_filled, splices it into the target test file, builds and runs it in the sandbox, and
// counts "#Results: n, 10" with n == 10 as a pass. progress (stderr) gets a bar; nil for none.
func Translation(ctx context.Context, tr Translator, dir, from, to string, limit int, progress io.Writer) (*Report, error) {
	fromL, err := translate.LookupLanguage(from)
	if err != nil {
		return nil, err
	}
	toL, err := translate.LookupLanguage(to)
	if err != nil {
		return nil, err
	}
	rep := &Report{Set: fmt.Sprintf("transcoder-gfg %s->%s", fromL.ID, toL.ID)}
	if toL.ID == "c" {
		rep.Unusable = errCHarness.Error()
		return rep, errCHarness
	}
	item := evalGfGItem
	var names []string
	if toL.ID == "javascript" {
		if fromL.ID != "python" {
			return nil, errGfGJS
		}
		rep.Set += " (scored against the Python f_gold on the set's inputs)"
		names, err = gfgProblems(dir, fromL.ID, fromL.ID)
		item = gfgJSItem
	} else {
		names, err = gfgProblems(dir, fromL.ID, toL.ID)
	}
	if err != nil {
		return nil, err
	}
	if limit > 0 && len(names) > limit {
		names = names[:limit]
	}
	v := translate.NewVerifier(nil, true)
	rep.Sandbox = v.Sandbox.Isolation()
	start := time.Now()
	bar := &progressBar{w: progress, total: len(names), start: start}
	passed := 0
	for i, name := range names {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		it, err := item(ctx, tr, v, dir, name, fromL, toL)
		if err != nil {
			return rep, fmt.Errorf("%s: %w", name, err)
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

// gfgRunLimits bounds one GfG test program: they finish in milliseconds when correct.
var gfgRunLimits = translate.Limits{Wall: 10 * time.Second, MemoryBytes: 2 << 30, FileBytes: 16 << 20, OutputBytes: 64 << 10}

func evalGfGItem(ctx context.Context, tr Translator, v *translate.Verifier, dir, name string, from, to *grammars.Language) (Item, error) {
	t0 := time.Now()
	it := Item{Name: name}
	srcFile, err := gfgFile(dir, from.ID, name)
	if err != nil {
		return it, err
	}
	testFile, err := gfgFile(dir, to.ID, name)
	if err != nil {
		return it, err
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
	prog, err := spliceGfG(to, name, testFile, cand)
	if err != nil {
		it.Status = err.Error()
		return it, nil
	}
	lim := gfgRunLimits
	rr, err := v.Run(ctx, prog, &lim)
	if err != nil {
		return it, err
	}
	it.Wall = time.Since(t0)
	if rr.Missing != "" {
		it.Status = rr.BuildError
		return it, nil
	}
	if !rr.Built {
		it.Status = "build: " + firstLine(rr.BuildError)
		return it, nil
	}
	it.Compiled = true
	m := gfgResults.FindStringSubmatch(rr.Run.Stdout)
	switch {
	case rr.Run.TimedOut:
		it.Status = "run: time limit"
	case m == nil:
		it.Status = fmt.Sprintf("run: exit %d, no #Results line: %s", rr.Run.ExitCode, firstLine(rr.Run.Output()))
	default:
		it.Score = m[1] + "/" + m[2]
		n, _ := strconv.Atoi(m[1])
		total, _ := strconv.Atoi(m[2])
		it.Passed = total > 0 && n == total
		if !it.Passed {
			it.Status = "tests: " + it.Score
		}
	}
	return it, nil
}

// firstLine is s's first non-blank line, cut at 200 bytes.
func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return s
}

var (
	rustFeature = regexp.MustCompile(`(?m)^#!\[feature\([^)]*\)\]\s*\n`)
	rustMainAtt = regexp.MustCompile(`(?m)^#\[main\]\s*\n`)
	rustUse     = regexp.MustCompile(`(?m)^\s*use\s+[^;]+;\s*$`)
	javaFX      = regexp.MustCompile(`(?m)^import\s+javafx\.[^;]*;\s*\n`)
)

// spliceGfG puts candidate (a function named f_filled, possibly with imports) into a GfG test file at
// its slot and returns the program to build. It repairs what keeps the original files from building
// with today's toolchains: javafx.util.Pair imports (JavaFX left the JDK; no test uses Pair) and Rust's
// removed #![feature(main)]/#[main].
func spliceGfG(to *grammars.Language, name, testFile, candidate string) (translate.Program, error) {
	l := gfgLayout[to.ID]
	if l.slot == "" {
		return translate.Program{}, errCHarness
	}
	i := strings.Index(testFile, l.slot)
	if i < 0 {
		return translate.Program{}, fmt.Errorf("%s: no %s slot in the test file", name, l.slot)
	}
	before, after := testFile[:i], testFile[i+len(l.slot):]
	files := map[string]string{}
	main := "main" + l.ext
	switch to.ID {
	case "go":
		have := translate.GoImports(before)
		body, imports := splitGoImports(candidate)
		for _, p := range translate.GoMissingImports(body, have) {
			imports = append(imports, p)
		}
		var add strings.Builder
		seen := map[string]bool{}
		for _, p := range imports {
			if !seen[p] && !importsPath(have, p) {
				seen[p] = true
				fmt.Fprintf(&add, "import %q\n", p)
			}
		}
		loc := goPackage.FindStringIndex(before)
		if loc == nil {
			return translate.Program{}, fmt.Errorf("%s: no package clause", name)
		}
		before = before[:loc[1]] + "\n" + add.String() + before[loc[1]:]
		candidate = body
	case "java":
		imports := javaImport.FindAllString(candidate, -1)
		candidate = javaImport.ReplaceAllString(candidate, "")
		before = javaFX.ReplaceAllString(before, "")
		before = strings.Join(trimAll(imports), "\n") + "\n" + before
		main = name + ".java"
		if m := javaPublic.FindStringSubmatch(testFile); m != nil {
			main = m[3] + ".java"
		}
	case "rust":
		before = rustFeature.ReplaceAllString(before, "")
		after = rustMainAtt.ReplaceAllString(after, "")
	}
	files[main] = before + "\n" + candidate + "\n" + after
	return translate.Program{Lang: to, Files: files, Main: main}, nil
}

func trimAll(ss []string) []string {
	for i := range ss {
		ss[i] = strings.TrimSpace(ss[i])
	}
	return ss
}

func importsPath(have map[string]string, p string) bool {
	for _, x := range have {
		if x == p {
			return true
		}
	}
	return false
}

// splitGoImports removes a package clause and import declarations from Go code and returns the rest
// and the imported paths.
func splitGoImports(code string) (string, []string) {
	var paths []string
	for _, p := range translate.GoImports(code) {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	code = goPackage.ReplaceAllString(code, "")
	code = goImportBlk.ReplaceAllString(code, "")
	code = goImportOne.ReplaceAllString(code, "")
	return code, paths
}

// The parts of a Go or Java file the splicing above finds.
var (
	goPackage   = regexp.MustCompile(`(?m)^package\s+\w+`)
	goImportOne = regexp.MustCompile(`(?m)^import\s+(\w+\s+)?"([^"]+)"`)
	goImportBlk = regexp.MustCompile(`(?ms)^import\s*\((.*?)\)`)
	javaPublic  = regexp.MustCompile(`(?m)^\s*public\s+(final\s+|abstract\s+)*(class|interface|enum|record)\s+(\w+)`)
	javaImport  = regexp.MustCompile(`(?m)^\s*import\s+[\w.*\s]+;\s*$`)
)
