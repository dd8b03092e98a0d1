package eval

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/weft-dev/weft/complete"
)

// Fill-in-the-middle evaluation (`weft eval fim`): holes are cut out of held-out files, an Infiller
// (the completion engine, or the n-gram baseline of ngram.go) fills each from the text around it, and
// the filled middles are scored by exact match and edit similarity, for single-line and multi-line holes
// separately. Hole positions come from a seeded generator of our own, so a set's holes are the same on
// every run and every Go release.

// FIMDoc is one held-out file that holes are cut from.
type FIMDoc struct {
	Path string // a name for the file; its extension is not used (Lang is)
	Lang string // weft language id ("go", "python", ...)
	Text string
}

// HoleKind says what was cut out.
type HoleKind uint8

const (
	// HoleLine is a whole line's content after its indentation: the cursor sits on an indented line
	// whose text is missing, as when the user has just pressed Enter.
	HoleLine HoleKind = iota
	// HoleLineRest is the rest of a line after a random cut inside its content.
	HoleLineRest
	// HoleBlock is 2-6 consecutive lines, from the first line's indentation to the end of the last
	// line's content, none indented less than the first (the hole stays inside one block).
	HoleBlock
)

func (k HoleKind) String() string {
	switch k {
	case HoleLine:
		return "line"
	case HoleLineRest:
		return "line-rest"
	case HoleBlock:
		return "block"
	}
	return fmt.Sprintf("HoleKind(%d)", uint8(k))
}

// Multiline reports whether the hole spans several lines.
func (k HoleKind) Multiline() bool { return k == HoleBlock }

// Hole is one fill-in-the-middle problem: Prefix+Middle+Suffix is the original text. For every kind the
// middle ends where a line's content ends, so the suffix starts at that line's trailing blanks or '\n'.
type Hole struct {
	ID     string // "path:line:kind" (line 1-based) or the set's own id
	Path   string
	Lang   string
	Kind   HoleKind
	Prefix string
	Middle string
	Suffix string
}

// Hole limits: longer middles are skipped, as 48- or 128-token completions (the engine's limits) rarely could.
const (
	maxLineHole  = 160 // bytes of a single-line middle
	maxBlockHole = 600 // bytes of a multi-line middle
)

// CutHoles cuts n holes from docs, reproducibly for a given seed. Documents are visited in an order
// shuffled by the seed, at most one hole per document per round, so holes spread over as many files as
// possible; kinds cycle line, line-rest, block, so a third of the holes are multi-line. A hole's middle
// always holds a letter or a digit: lines like "}" are not holes, since their answer is forced. Fewer
// than n holes are returned when the documents run out of places.
func CutHoles(docs []FIMDoc, n int, seed uint64) []Hole {
	order := make([]int, len(docs))
	keys := make([]uint64, len(docs))
	for i := range docs {
		order[i] = i
		keys[i] = fimMix(seed ^ fimHash(docs[i].Path))
	}
	sort.SliceStable(order, func(a, b int) bool { return keys[order[a]] < keys[order[b]] })

	lines := make([][]fimLine, len(docs)) // computed on first visit
	used := make([]map[int]bool, len(docs))
	var holes []Hole
	for round := uint64(0); len(holes) < n; round++ {
		added := false
		for _, i := range order {
			if len(holes) >= n {
				break
			}
			if lines[i] == nil {
				lines[i] = fimSplitLines(docs[i].Text)
				used[i] = map[int]bool{}
			}
			rng := fimRand{fimMix(keys[i] ^ fimMix(round+1))}
			kind := HoleKind(len(holes) % 3)
			if h, ok := fimCutHole(docs[i], lines[i], used[i], kind, &rng); ok {
				holes = append(holes, h)
				added = true
			}
		}
		if !added {
			break
		}
	}
	return holes
}

// fimLine is one line of a text: [start, end) without the '\n'; indent is the end of its leading
// blanks and last the end of its content (trailing blanks and '\r' excluded).
type fimLine struct{ start, indent, last, end int }

func fimSplitLines(text string) []fimLine {
	var out []fimLine
	for start := 0; start <= len(text); {
		end := strings.IndexByte(text[start:], '\n')
		if end < 0 {
			end = len(text)
		} else {
			end += start
		}
		l := fimLine{start: start, end: end}
		l.indent = start + len(leadingWS(text[start:end]))
		l.last = start + len(strings.TrimRightFunc(text[start:end], unicode.IsSpace))
		l.last = max(l.last, l.indent)
		out = append(out, l)
		if end == len(text) {
			break
		}
		start = end + 1
	}
	return out
}

// fimHoleTries bounds the random positions tried per document and round.
const fimHoleTries = 24

// fimCutHole tries random positions of one document for a hole of the given kind; used records the start
// offsets already taken, so that rounds never cut the same hole twice.
func fimCutHole(d FIMDoc, lines []fimLine, used map[int]bool, kind HoleKind, rng *fimRand) (Hole, bool) {
	text := d.Text
	for try := 0; try < fimHoleTries; try++ {
		li := rng.intn(len(lines))
		l := lines[li]
		start, end := l.indent, l.last
		switch kind {
		case HoleLine:
		case HoleLineRest:
			// Cut at a rune boundary strictly inside the content.
			var cuts []int
			for o := l.indent + 1; o < l.last; o++ {
				if utf8.RuneStart(text[o]) {
					cuts = append(cuts, o)
				}
			}
			if len(cuts) == 0 {
				continue
			}
			start = cuts[rng.intn(len(cuts))]
		case HoleBlock:
			k := 2 + rng.intn(5)
			if li+k > len(lines) {
				continue
			}
			last := lines[li+k-1]
			if last.last == last.indent || fimLeavesBlock(lines[li:li+k]) { // ends on a blank line or leaves the block
				continue
			}
			end = last.last
		}
		mid := text[start:end]
		limit := maxLineHole
		if kind == HoleBlock {
			limit = maxBlockHole
		}
		if used[start] || len(mid) > limit || !fimHasAlnum(mid) || (kind == HoleBlock && !fimHasAlnum(text[l.indent:l.last])) {
			continue
		}
		used[start] = true
		return Hole{
			ID:   fmt.Sprintf("%s:%d:%s", d.Path, li+1, kind),
			Path: d.Path, Lang: d.Lang, Kind: kind,
			Prefix: text[:start], Middle: mid, Suffix: text[end:],
		}, true
	}
	return Hole{}, false
}

// fimLeavesBlock reports whether a line after the first is indented less than the first (blank lines
// aside): such a hole would end one block and start another, which no completion is asked to do.
func fimLeavesBlock(lines []fimLine) bool {
	w := lines[0].indent - lines[0].start
	for _, l := range lines[1:] {
		if l.last > l.indent && l.indent-l.start < w {
			return true
		}
	}
	return false
}

func fimHasAlnum(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0
}

// fimRand is SplitMix64: a tiny generator whose output is fixed by its definition, so hole positions
// do not change with the Go release (math/rand's derived functions may).
type fimRand struct{ s uint64 }

func (r *fimRand) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	return fimMix(r.s)
}

// intn returns a number in [0, n) (n > 0); the modulo bias is irrelevant at these sizes.
func (r *fimRand) intn(n int) int { return int(r.next() % uint64(n)) }

// fimMix is SplitMix64's finaliser.
func fimMix(z uint64) uint64 {
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// fimHash is FNV-1a.
func fimHash(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * 1099511628211
	}
	return h
}

// NormalizeMiddle is what metrics compare: line endings as "\n", trailing blanks of every line and
// trailing empty lines removed.
func NormalizeMiddle(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	ls := strings.Split(s, "\n")
	for i, l := range ls {
		ls[i] = strings.TrimRightFunc(l, unicode.IsSpace)
	}
	return strings.TrimRight(strings.Join(ls, "\n"), "\n")
}

// Infiller fills a hole from its prefix and suffix; it must not look at the middle.
type Infiller interface {
	Infill(ctx context.Context, h Hole) (string, error)
}

// EngineInfiller fills holes through an Engine, exactly as the language server asks for completions:
// the document is the text without the middle and the cursor sits at the hole. Single-line holes use
// Multiline "never", block holes "always"; the result cache is bypassed.
type EngineInfiller struct {
	Engine *complete.Engine
	// Neighbors, if set, gives the files beside a hole's file (by base name), as the language server
	// reads them from the file's directory (Request.Neighbors).
	Neighbors func(h Hole) []complete.Neighbor
	Last      complete.Stats // of the last hole
	seq       int
}

// Infill implements Infiller. Each hole is its own document, closed afterwards, so that no hole's file
// feeds another's repo map.
func (ei *EngineInfiller) Infill(ctx context.Context, h Hole) (string, error) {
	ei.seq++
	base := filepath.Base(h.Path)
	uri := fmt.Sprintf("file:///weft-eval-fim/%d/%s", ei.seq, base)
	defer ei.Engine.Close(uri)
	o := complete.Options{Multiline: complete.MultilineNever, NoCache: true}
	if h.Kind.Multiline() {
		o.Multiline = complete.MultilineAlways
	}
	text := h.Prefix + h.Suffix
	off := len(h.Prefix)
	var ns []complete.Neighbor
	if ei.Neighbors != nil {
		// The neighbors lie beside the hole's file, in the URI's directory.
		dir := path.Dir(strings.TrimPrefix(uri, "file://"))
		for _, n := range ei.Neighbors(h) {
			ns = append(ns, complete.Neighbor{Path: path.Join(dir, path.Base(n.Path)), Text: n.Text})
		}
	}
	res, err := ei.Engine.Complete(ctx, complete.Request{URI: uri, LanguageID: h.Lang, Path: base, Text: []byte(text), Offset: off, Options: o, Neighbors: ns})
	ei.Last = res.Stats
	if err != nil {
		return "", err
	}
	// The result may re-type the identifier before the cursor; splice it in and read the middle back.
	if res.ReplaceStart < 0 || res.ReplaceStart > off || res.ReplaceEnd != off {
		return "", fmt.Errorf("eval: fim: unexpected replacement range [%d, %d) at offset %d", res.ReplaceStart, res.ReplaceEnd, off)
	}
	filled := text[:res.ReplaceStart] + res.Text
	if !strings.HasPrefix(filled, h.Prefix) {
		return "", fmt.Errorf("eval: fim: the completion rewrote text before the cursor")
	}
	return filled[len(h.Prefix):], nil
}

// fimOracleVocab is a byte vocabulary with Qwen's end-of-text and FIM control tokens at 256...259.
type fimOracleVocab struct{}

var fimOracleSpecials = []string{"<|endoftext|>", "<|fim_prefix|>", "<|fim_suffix|>", "<|fim_middle|>"}

func (fimOracleVocab) Encode(text string, _, parseSpecial bool) []int32 {
	var out []int32
	for i := 0; i < len(text); i++ {
		if parseSpecial {
			if k := slices.IndexFunc(fimOracleSpecials, func(s string) bool { return strings.HasPrefix(text[i:], s) }); k >= 0 {
				out = append(out, int32(256+k))
				i += len(fimOracleSpecials[k]) - 1
				continue
			}
		}
		out = append(out, int32(text[i]))
	}
	return out
}

func (v fimOracleVocab) Decode(ids []int32) string {
	var b []byte
	for _, id := range ids {
		b = append(b, v.Piece(id)...)
	}
	return string(b)
}

func (fimOracleVocab) Piece(id int32) []byte {
	switch {
	case id >= 0 && id < 256:
		return []byte{byte(id)}
	case id >= 256 && int(id) < 256+len(fimOracleSpecials):
		return []byte(fimOracleSpecials[id-256])
	}
	return nil
}

func (fimOracleVocab) IsEOG(id int32) bool { return id == 256 }

// OracleInfiller fills holes through an Engine over a perfect model, which answers each hole's middle
// (one byte per token, then end-of-text) whatever the prompt. It measures the engine's ceiling: what its
// windows, stopping rules, post-processing and syntax check leave of perfect completions. It is not safe
// for concurrent use.
type OracleInfiller struct {
	lm    *fimOracleLM
	inner EngineInfiller
}

// NewOracleInfiller creates an oracle over an engine with the given configuration.
func NewOracleInfiller(cfg complete.Config) *OracleInfiller {
	lm := &fimOracleLM{}
	return &OracleInfiller{lm: lm, inner: EngineInfiller{Engine: complete.New(lm, cfg)}}
}

// Infill implements Infiller.
func (o *OracleInfiller) Infill(ctx context.Context, h Hole) (string, error) {
	o.lm.middle = h.Middle
	defer func() { o.lm.middle = "" }()
	return o.inner.Infill(ctx, h)
}

type fimOracleLM struct{ middle string }

func (*fimOracleLM) Vocab() complete.Vocab { return fimOracleVocab{} }
func (*fimOracleLM) FIM() complete.FIMTokens {
	return complete.FIMTokens{Pre: 257, Suf: 258, Mid: 259, Pad: -1, Rep: -1, Sep: -1, BOS: -1, EOS: 256, EOT: -1}
}
func (*fimOracleLM) ContextSize() int                    { return 4096 }
func (m *fimOracleLM) NewSession(int) complete.LMSession { return fimOracleSession{m} }
func (fimOracleSession) Counters() (int64, int64)        { return 0, 0 }

type fimOracleSession struct{ m *fimOracleLM }

// Generate answers the middle whatever GenOptions.MaxTokens says: its tokens are single bytes, and a
// real model's token limit would allow some three times as many bytes.
func (s fimOracleSession) Generate(_ context.Context, _ []int32, _ complete.GenOptions, emit func(int32, string) bool) (complete.GenResult, error) {
	mid := s.m.middle
	n := 0
	for i := 0; i < len(mid); i++ {
		n++
		if !emit(int32(mid[i]), mid[i:i+1]) {
			return complete.GenResult{Tokens: n, StopReason: "emit"}, nil
		}
	}
	return complete.GenResult{Tokens: n, StopReason: "eog"}, nil
}

// FIMScore sums the scores of one kind of hole.
type FIMScore struct {
	N       int           `json:"n"`
	Exact   int           `json:"exact"`
	EditSum float64       `json:"-"`
	Errors  int           `json:"errors"` // infiller errors, scored as empty middles
	Latency time.Duration `json:"-"`      // total
}

// EM returns the exact-match rate.
func (s FIMScore) EM() float64 {
	if s.N == 0 {
		return 0
	}
	return float64(s.Exact) / float64(s.N)
}

// ES returns the mean edit similarity.
func (s FIMScore) ES() float64 {
	if s.N == 0 {
		return 0
	}
	return s.EditSum / float64(s.N)
}

// MeanLatency returns the mean time per hole.
func (s FIMScore) MeanLatency() time.Duration {
	if s.N == 0 {
		return 0
	}
	return s.Latency / time.Duration(s.N)
}

func (s FIMScore) add(o FIMScore) FIMScore {
	return FIMScore{N: s.N + o.N, Exact: s.Exact + o.Exact, EditSum: s.EditSum + o.EditSum, Errors: s.Errors + o.Errors,
		Latency: s.Latency + o.Latency}
}

// MarshalJSON adds the derived rates.
func (s FIMScore) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		N         int     `json:"n"`
		EM        float64 `json:"em"`
		ES        float64 `json:"es"`
		Exact     int     `json:"exact"`
		Errors    int     `json:"errors"`
		LatencyMS float64 `json:"mean_latency_ms"`
	}{s.N, s.EM(), s.ES(), s.Exact, s.Errors, float64(s.MeanLatency().Microseconds()) / 1000})
}

// FIMResult is one infiller's scores on one set.
type FIMResult struct {
	Name   string   `json:"name"`
	Single FIMScore `json:"single_line"`
	Multi  FIMScore `json:"multi_line"`
	All    FIMScore `json:"all"`
}

// FIM fills every hole with inf and scores the middles against the true ones (see NormalizeMiddle
// and EditSimilarity). An infiller error counts as an empty middle, except a cancelled ctx, which ends
// the run. Progress lines go to progress (may be nil).
func FIM(ctx context.Context, name string, holes []Hole, inf Infiller, progress io.Writer) (FIMResult, error) {
	r := FIMResult{Name: name}
	for i, h := range holes {
		t0 := time.Now()
		got, err := inf.Infill(ctx, h)
		el := time.Since(t0)
		if err != nil && ctx.Err() != nil {
			return r, fmt.Errorf("eval: fim eval: %w", ctx.Err())
		}
		s := FIMScore{N: 1, Latency: el}
		if err != nil {
			s.Errors, got = 1, ""
			if progress != nil && r.All.Errors < 5 {
				fmt.Fprintf(progress, "  %s: %s: %v\n", name, h.ID, err)
			}
		}
		g, w := NormalizeMiddle(got), NormalizeMiddle(h.Middle)
		if g == w {
			s.Exact = 1
		}
		s.EditSum = complete.EditSimilarity(g, w)
		if h.Kind.Multiline() {
			r.Multi = r.Multi.add(s)
		} else {
			r.Single = r.Single.add(s)
		}
		r.All = r.All.add(s)
		if progress != nil && ((i+1)%max(25, len(holes)/8) == 0 || i+1 == len(holes)) {
			fmt.Fprintf(progress, "  %s: %d/%d holes, EM %.3f ES %.3f, %.1f ms/hole\n", name, i+1, len(holes), r.All.EM(), r.All.ES(),
				float64(r.All.MeanLatency().Microseconds())/1000)
		}
	}
	return r, nil
}

// FIMSetReport is the outcome of one evaluation set.
type FIMSetReport struct {
	Set         string      `json:"set"`
	Description string      `json:"description"`
	Holes       int         `json:"holes"`
	Single      int         `json:"single_line_holes"`
	Multi       int         `json:"multi_line_holes"`
	Results     []FIMResult `json:"results"`
}

// String renders the report as a table: one row per infiller, single-line and multi-line columns.
func (r FIMSetReport) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "set %s: %s — %d holes (%d single-line, %d multi-line)\n", r.Set, r.Description, r.Holes, r.Single, r.Multi)
	fmt.Fprintf(&b, "  %-10s %5s %6s %6s  %5s %6s %6s  %6s %6s  %10s\n", "", "n1", "EM1", "ES1", "nM", "EMm", "ESm", "EM", "ES", "latency")
	for _, x := range r.Results {
		fmt.Fprintf(&b, "  %-10s %5d %6.3f %6.3f  %5d %6.3f %6.3f  %6.3f %6.3f  %10s\n", x.Name,
			x.Single.N, x.Single.EM(), x.Single.ES(), x.Multi.N, x.Multi.EM(), x.Multi.ES(), x.All.EM(), x.All.ES(),
			x.All.MeanLatency().Round(100*time.Microsecond))
		if x.All.Errors > 0 {
			fmt.Fprintf(&b, "  %-10s %d errors (scored as empty middles)\n", "", x.All.Errors)
		}
	}
	return b.String()
}

// NewFIMSetReport counts the holes of a set.
func NewFIMSetReport(set, description string, holes []Hole) FIMSetReport {
	r := FIMSetReport{Set: set, Description: description, Holes: len(holes)}
	for _, h := range holes {
		if h.Kind.Multiline() {
			r.Multi++
		} else {
			r.Single++
		}
	}
	return r
}

// LoadHumanEvalInfilling reads HumanEval-SingleLineInfilling.jsonl(.gz) (Bavarian et al. 2022): task_id,
// prompt (the prefix, ending at a line start), canonical_solution (one whole line with its '\n') and
// suffix. Each becomes a HoleLine like the other sets': the solution line's indentation moves to the
// prefix and its line break to the suffix, so the cursor sits on the indented empty line and the middle
// is the line's content. n > 0 keeps n tasks chosen by the seed (all of them otherwise).
func LoadHumanEvalInfilling(path string, n int, seed uint64) ([]Hole, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("eval: humaneval infilling: %w", err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		gz, err := gzip.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("eval: humaneval infilling %s: %w", path, err)
		}
		defer gz.Close()
		r = gz
	}
	var holes []Hole
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<16), 1<<24)
	for line := 1; sc.Scan(); line++ {
		if len(strings.TrimSpace(sc.Text())) == 0 {
			continue
		}
		var it struct {
			TaskID   string `json:"task_id"`
			Prompt   string `json:"prompt"`
			Suffix   string `json:"suffix"`
			Solution string `json:"canonical_solution"`
		}
		if err := json.Unmarshal(sc.Bytes(), &it); err != nil {
			return nil, fmt.Errorf("eval: humaneval infilling %s:%d: %w", path, line, err)
		}
		sol := strings.TrimSuffix(it.Solution, "\n")
		if it.TaskID == "" || strings.Contains(sol, "\n") || (it.Prompt != "" && !strings.HasSuffix(it.Prompt, "\n")) {
			return nil, fmt.Errorf("eval: humaneval infilling %s:%d: not a single-line infilling task", path, line)
		}
		ind := leadingWS(sol)
		content := strings.TrimRightFunc(sol[len(ind):], unicode.IsSpace)
		tail := sol[len(ind)+len(content):] + it.Solution[len(sol):]
		holes = append(holes, Hole{ID: it.TaskID, Path: "humaneval.py", Lang: "python", Kind: HoleLine,
			Prefix: it.Prompt + ind, Middle: content, Suffix: tail + it.Suffix})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("eval: humaneval infilling %s: %w", path, err)
	}
	if len(holes) == 0 {
		return nil, fmt.Errorf("eval: humaneval infilling %s: no tasks", path)
	}
	if n > 0 && n < len(holes) {
		sort.SliceStable(holes, func(a, b int) bool {
			return fimMix(seed^fimHash(holes[a].ID)) < fimMix(seed^fimHash(holes[b].ID))
		})
		holes = holes[:n]
	}
	return holes, nil
}

var fimGeneratedRE = regexp.MustCompile(`(?i)(code generated .*do not edit|@generated|autogenerated|auto-generated)`)

// GoModuleDocs lists the Go files under a module cache (GOMODCACHE) as evaluation documents, sorted
// by path: the download cache, tests, testdata, vendored and generated files, files over 256 KiB and
// non-UTF-8 files are left out. Paths are relative to root, so they stay the same across machines.
func GoModuleDocs(root string) ([]FIMDoc, error) {
	var docs []FIMDoc
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("eval: module cache: %w", err)
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			switch {
			case rel == "cache", d.Name() == "testdata", d.Name() == "vendor", d.Name() == "third_party",
				strings.HasPrefix(d.Name(), ".") && rel != ".":
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return fmt.Errorf("eval: module cache: %w", err)
		}
		if info.Size() > 256<<10 {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("eval: module cache: %w", err)
		}
		if !utf8.Valid(b) || fimGeneratedRE.Match(b[:min(len(b), 2048)]) || len(strings.TrimSpace(string(b))) == 0 {
			return nil
		}
		docs = append(docs, FIMDoc{Path: filepath.ToSlash(rel), Lang: "go", Text: string(b)})
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(docs) == 0 {
		return nil, fmt.Errorf("eval: no Go files under %s", root)
	}
	sort.Slice(docs, func(i, j int) bool { return docs[i].Path < docs[j].Path })
	return docs, nil
}
