package eval

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/weft-dev/weft/complete"
	"github.com/weft-dev/weft/internal/refdata"
	"github.com/weft-dev/weft/model"
	"github.com/weft-dev/weft/model/gguf"
)

// fimShared returns a file of the shared reference data (../shared beside the repository root, or
// $WEFT_SHARED): a test fails when it is missing under CI and is skipped otherwise.
func fimShared(t testing.TB, rel string) string { t.Helper(); return refdata.Path(t, rel) }

const fimGoDoc = `package geometry

import "math"

// Circle is a circle in the plane.
type Circle struct {
	X, Y, R float64
}

// Area returns the area of c.
func (c Circle) Area() float64 {
	return math.Pi * c.R * c.R
}

// Contains reports whether the point (x, y) lies inside c.
func (c Circle) Contains(x, y float64) bool {
	dx, dy := x-c.X, y-c.Y
	return dx*dx+dy*dy <= c.R*c.R
}

func sum(xs []float64) float64 {
	total := 0.0
	for _, x := range xs {
		total += x
	}
	return total
}
`

const fimPyDoc = "import os\n\n\ndef read_lines(path):\n    with open(path) as f:\n        lines = f.read().splitlines()\n" +
	"    return [l for l in lines if l.strip()]\n\n\nclass Counter:\n    def __init__(self):\n        self.n = 0\n\n" +
	"    def inc(self, by=1):\n        self.n += by\n        return self.n\n"

func fimDocs() []FIMDoc {
	return []FIMDoc{
		{Path: "geometry/circle.go", Lang: "go", Text: fimGoDoc},
		{Path: "util/lines.py", Lang: "python", Text: fimPyDoc},
		{Path: "crlf.go", Lang: "go", Text: strings.ReplaceAll(fimGoDoc, "\n", "\r\n")},
	}
}

// TestFIMSplitMix pins the hole generator to SplitMix64's published outputs (seed 1234567), which is
// what keeps hole positions the same across runs and Go releases.
func TestFIMSplitMix(t *testing.T) {
	want := []uint64{6457827717110365317, 3203168211198807973, 9817491932198370423, 4593380528125082431, 16408922859458223821}
	r := fimRand{1234567}
	for i, w := range want {
		if got := r.next(); got != w {
			t.Fatalf("output %d = %d, want %d", i, got, w)
		}
	}
}

func TestFIMCutHoles(t *testing.T) {
	docs := fimDocs()
	holes := CutHoles(docs, 30, 7)
	if len(holes) < 20 {
		t.Fatalf("got %d holes from 3 documents, want at least 20", len(holes))
	}
	again := CutHoles(docs, 30, 7)
	if len(again) != len(holes) {
		t.Fatalf("second cut gave %d holes, first %d", len(again), len(holes))
	}
	other := CutHoles(docs, 30, 8)
	same := 0
	byPath := map[string]string{}
	for _, d := range docs {
		byPath[d.Path] = d.Text
	}
	for i, h := range holes {
		if h != again[i] {
			t.Fatalf("hole %d differs between runs: %+v vs %+v", i, h, again[i])
		}
		if i < len(other) && h == other[i] {
			same++
		}
		if got := h.Prefix + h.Middle + h.Suffix; got != byPath[h.Path] {
			t.Fatalf("hole %s does not splice back into its document", h.ID)
		}
		if h.Kind != HoleKind(i%3) {
			t.Errorf("hole %d is %v, want kinds cycling line, line-rest, block", i, h.Kind)
		}
		if !fimHasAlnum(h.Middle) {
			t.Errorf("hole %s has a trivial middle %q", h.ID, h.Middle)
		}
		if h.Middle != strings.TrimRight(h.Middle, " \t\r\n") || (h.Kind != HoleLineRest && h.Middle != strings.TrimSpace(h.Middle)) {
			t.Errorf("hole %s: middle %q starts or ends with blanks", h.ID, h.Middle)
		}
		lineStart := h.Prefix[strings.LastIndexByte(h.Prefix, '\n')+1:]
		rest := h.Suffix
		if i := strings.IndexByte(rest, '\n'); i >= 0 {
			rest = rest[:i]
		}
		if strings.TrimSpace(rest) != "" {
			t.Errorf("hole %s: the middle does not reach the end of its line (suffix line %q)", h.ID, rest)
		}
		nl := strings.Count(h.Middle, "\n")
		switch h.Kind {
		case HoleLine:
			if strings.TrimSpace(lineStart) != "" || nl != 0 {
				t.Errorf("line hole %s: prefix line %q, %d line breaks", h.ID, lineStart, nl)
			}
		case HoleLineRest:
			if strings.TrimSpace(lineStart) == "" || nl != 0 {
				t.Errorf("line-rest hole %s: prefix line %q, %d line breaks", h.ID, lineStart, nl)
			}
		case HoleBlock:
			if strings.TrimSpace(lineStart) != "" || nl < 1 || nl > 5 {
				t.Errorf("block hole %s: prefix line %q, %d line breaks (want 2-6 lines)", h.ID, lineStart, nl)
			}
		}
	}
	if same == len(holes) {
		t.Errorf("seeds 7 and 8 cut the same holes")
	}
	// A prefix of the hole list does not depend on how many holes are asked for.
	few := CutHoles(docs, 4, 7)
	for i := range few {
		if few[i] != holes[i] {
			t.Fatalf("hole %d changes with n", i)
		}
	}
	if got := CutHoles(nil, 5, 1); len(got) != 0 {
		t.Errorf("no documents gave %d holes", len(got))
	}
}

func TestFIMNormalizeMiddle(t *testing.T) {
	tests := []struct{ in, want string }{
		{"x := 1  ", "x := 1"},
		{"a  \r\n\tb \n\n", "a\n\tb"},
		{"  lead", "  lead"},
		{"\n", ""},
	}
	for _, tt := range tests {
		if got := NormalizeMiddle(tt.in); got != tt.want {
			t.Errorf("NormalizeMiddle(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

type fimFunc func(h Hole) (string, error)

func (f fimFunc) Infill(_ context.Context, h Hole) (string, error) { return f(h) }

func TestFIMEvalHarness(t *testing.T) {
	holes := CutHoles(fimDocs(), 12, 3)
	ctx := context.Background()
	oracle, err := FIM(ctx, "oracle", holes, fimFunc(func(h Hole) (string, error) { return h.Middle + " \n", nil }), nil)
	if err != nil {
		t.Fatal(err)
	}
	if oracle.All.N != len(holes) || oracle.All.EM() != 1 || oracle.All.ES() != 1 || oracle.Single.N+oracle.Multi.N != len(holes) {
		t.Fatalf("oracle: %+v", oracle)
	}
	if oracle.Multi.N != len(holes)/3 || oracle.Multi.EM() != 1 {
		t.Fatalf("oracle multi-line: %+v", oracle.Multi)
	}
	empty, err := FIM(ctx, "empty", holes, fimFunc(func(Hole) (string, error) { return "", nil }), nil)
	if err != nil {
		t.Fatal(err)
	}
	if empty.All.EM() != 0 || empty.All.ES() != 0 {
		t.Fatalf("empty answers: %+v", empty.All)
	}
	// Half right: the first half of every middle.
	half, err := FIM(ctx, "half", holes, fimFunc(func(h Hole) (string, error) {
		r := []rune(h.Middle)
		return string(r[:len(r)/2]), nil
	}), nil)
	if err != nil {
		t.Fatal(err)
	}
	if es := half.All.ES(); half.All.EM() != 0 || es < 0.4 || es > 0.6 {
		t.Fatalf("half answers: EM %v ES %v, want 0 and about 0.5", half.All.EM(), es)
	}
	failing, err := FIM(ctx, "failing", holes, fimFunc(func(Hole) (string, error) { return "", errors.New("boom") }), nil)
	if err != nil || failing.All.Errors != len(holes) || failing.All.EM() != 0 {
		t.Fatalf("failing infiller: %+v, %v", failing.All, err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := FIM(cctx, "cancelled", holes, fimFunc(func(Hole) (string, error) { return "", context.Canceled }), nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled run: %v", err)
	}
	rep := NewFIMSetReport("x", "test", holes)
	rep.Results = []FIMResult{oracle, empty}
	if s := rep.String(); !strings.Contains(s, "oracle") || !strings.Contains(s, "1.000") {
		t.Errorf("report:\n%s", s)
	}
	if b, err := json.Marshal(rep); err != nil || !strings.Contains(string(b), `"em":1`) {
		t.Errorf("json: %s %v", b, err)
	}
}

func TestFIMHumanEvalInfilling(t *testing.T) {
	path := fimShared(t, "eval/human-eval-infilling/HumanEval-SingleLineInfilling.jsonl.gz")
	holes, err := LoadHumanEvalInfilling(path, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	// Read the file independently and check every hole splices back into prompt+solution+suffix.
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(gz)
	sc.Buffer(nil, 1<<24)
	want := map[string]string{}
	for sc.Scan() {
		var it map[string]any
		if err := json.Unmarshal(sc.Bytes(), &it); err != nil {
			t.Fatal(err)
		}
		want[it["task_id"].(string)] = it["prompt"].(string) + it["canonical_solution"].(string) + it["suffix"].(string)
	}
	if len(holes) != len(want) || len(holes) != 1033 {
		t.Fatalf("%d holes, %d tasks in the file (want 1033)", len(holes), len(want))
	}
	for _, h := range holes {
		if h.Prefix+h.Middle+h.Suffix != want[h.ID] || h.Kind != HoleLine || strings.Contains(h.Middle, "\n") ||
			h.Middle != strings.TrimSpace(h.Middle) || h.Lang != "python" {
			t.Fatalf("hole %s: %+v", h.ID, h)
		}
	}
	some, err := LoadHumanEvalInfilling(path, 10, 1)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := LoadHumanEvalInfilling(path, 10, 1)
	problems := map[string]bool{}
	for i := range some {
		if some[i] != again[i] {
			t.Fatal("subset not reproducible")
		}
		problems[strings.Split(some[i].ID, "/L")[0]] = true
	}
	if len(some) != 10 || len(problems) < 5 {
		t.Errorf("subset of %d holes from %d problems: want 10 spread over problems", len(some), len(problems))
	}
}

func TestFIMGoModuleDocs(t *testing.T) {
	root := t.TempDir()
	write := func(rel, text string) {
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("example.com/a@v1.0.0/a.go", "package a\n")
	write("example.com/a@v1.0.0/b/b.go", "package b\n")
	write("example.com/a@v1.0.0/a_test.go", "package a\n")
	write("example.com/a@v1.0.0/testdata/x.go", "package x\n")
	write("example.com/a@v1.0.0/gen.go", "// Code generated by stringer; DO NOT EDIT.\n\npackage a\n")
	write("example.com/a@v1.0.0/README.md", "# a\n")
	write("cache/download/x.go", "package x\n")
	docs, err := GoModuleDocs(root)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range docs {
		got = append(got, d.Path)
	}
	if want := "example.com/a@v1.0.0/a.go example.com/a@v1.0.0/b/b.go"; strings.Join(got, " ") != want {
		t.Errorf("docs %v, want %s", got, want)
	}
	write("empty/README.md", "# nothing\n")
	if _, err := GoModuleDocs(filepath.Join(root, "empty")); err == nil {
		t.Error("a tree without Go files gave no error")
	}
}

// TestFIMModelEndToEnd runs the model path on three holes (one of each kind) with the tiny parity
// model: the engine must answer each without error, through the same Complete call the server makes.
func TestFIMModelEndToEnd(t *testing.T) {
	path := fimShared(t, "testdata/parity/models/tiny-qwen2-Q8_0.gguf")
	m, err := model.Open(path, model.Options{Threads: min(2, runtime.NumCPU()), KVType: gguf.TypeF32})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	eng := complete.NewEngine(m, complete.Config{NCtx: 512})
	holes := CutHoles(fimDocs()[:2], 3, 1)
	if len(holes) != 3 {
		t.Fatalf("%d holes", len(holes))
	}
	var got []string
	generated := 0
	inf := &EngineInfiller{Engine: eng}
	res, err := FIM(context.Background(), "model", holes, fimFunc(func(h Hole) (string, error) {
		s, err := inf.Infill(context.Background(), h)
		got = append(got, s)
		generated += inf.Last.GeneratedTokens
		if inf.Last.FromCache || inf.Last.PromptTokens == 0 {
			t.Errorf("hole %s: stats %+v, want a decoded, uncached completion", h.ID, inf.Last)
		}
		return s, err
	}), nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.All.N != 3 || res.All.Errors != 0 || res.Multi.N != 1 || res.All.Latency <= 0 {
		t.Fatalf("model run: %+v", res)
	}
	for i, s := range got {
		if !holes[i].Kind.Multiline() && strings.Contains(s, "\n") {
			t.Errorf("single-line hole %s got a multi-line middle %q", holes[i].ID, s)
		}
	}
	if generated == 0 {
		t.Error("the model generated no token for any hole")
	}
	t.Logf("model middles: %q, %d tokens generated (EM %.2f ES %.2f)", got, generated, res.All.EM(), res.All.ES())
}

// TestFIMEngineOracle runs the engine path with a model that knows every answer: what the engine's
// stopping, post-processing and syntax check make of a perfect completion, and that the middle is read
// back right when the engine re-types the word before the cursor.
func TestFIMEngineOracle(t *testing.T) {
	holes := CutHoles(fimDocs()[:2], 24, 5)
	inf := NewOracleInfiller(complete.Config{})
	res, err := FIM(context.Background(), "oracle", holes, fimFunc(func(h Hole) (string, error) {
		got, err := inf.Infill(context.Background(), h)
		if err == nil && NormalizeMiddle(got) != NormalizeMiddle(h.Middle) {
			t.Logf("%s: engine gave %q for %q", h.ID, got, h.Middle)
		}
		return got, err
	}), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("engine with a perfect model: single-line EM %.3f (n %d), multi-line EM %.3f (n %d)", res.Single.EM(), res.Single.N, res.Multi.EM(), res.Multi.N)
	if res.All.Errors != 0 || res.Single.EM() != 1 {
		t.Errorf("a perfect model through the engine: %+v", res)
	}
}
