package complete

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/weft-dev/weft/grammars"
)

// bigGo returns a Go file of about n bytes: many small top-level functions.
func bigGo(n int) []byte {
	var b strings.Builder
	b.WriteString("package big\n\n")
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "func f%d(a int) int {\n\treturn a + %d\n}\n\n", i, i)
	}
	return []byte(b.String())
}

func TestTextWindowBounded(t *testing.T) {
	text := bigGo(5 << 20)
	limit := windowBefore + windowAlign + windowAfter
	for _, off := range []int{0, 1, 1000, len(text) / 2, len(text) - 1, len(text)} {
		s, e := textWindow(text, off)
		if s > off || e < off || e-s > limit || e > len(text) {
			t.Errorf("off %d: window [%d,%d) of %d bytes, want it around the cursor and at most %d", off, s, e, e-s, limit)
		}
		if s > 0 && text[s-1] != '\n' || e < len(text) && text[e-1] != '\n' {
			t.Errorf("off %d: window [%d,%d) not cut at line boundaries", off, s, e)
		}
	}
	// Typing at the cursor keeps the window's start, so the parse tree is edited incrementally.
	off := len(text) / 2
	s0, _ := textWindow(text, off)
	typed := append(append(append([]byte(nil), text[:off]...), "xyz"...), text[off:]...)
	if s1, _ := textWindow(typed, off+3); s1 != s0 {
		t.Errorf("window start moved from %d to %d after typing 3 bytes", s0, s1)
	}
	// A small text is whole.
	small := bigGo(10 << 10)
	if s, e := textWindow(small, 5); s != 0 || e != len(small) {
		t.Errorf("small text: window [%d,%d), want [0,%d)", s, e, len(small))
	}
	// One huge line: cut at UTF-8 character boundaries.
	line := []byte(strings.Repeat("é", 400<<10))
	s, e := textWindow(line, len(line)/2)
	if e-s > limit || line[s]&0xc0 == 0x80 || e < len(line) && line[e]&0xc0 == 0x80 {
		t.Errorf("one line: window [%d,%d) too large or cuts a character", s, e)
	}
}

func TestLooksBinary(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	random := make([]byte, 300<<10)
	for i := range random {
		random[i] = byte(rng.IntN(256))
	}
	noNUL := make([]byte, len(random))
	for i, c := range random {
		noNUL[i] = max(c, 1)
	}
	tests := []struct {
		name string
		text []byte
		want bool
	}{
		{"go", bigGo(20 << 10), false},
		{"utf8 comments", []byte(strings.Repeat("// héllo wörld — ✓ 日本語\n", 500)), false},
		{"crlf and tabs", []byte(strings.Repeat("\tx := 1\r\n\f", 500)), false},
		{"random bytes", random, true},
		{"random bytes without NUL", noNUL, true},
		{"one NUL", append(bigGo(1<<10), 0), true},
		{"empty", nil, false},
	}
	for _, tc := range tests {
		if got := looksBinary(tc.text, len(tc.text)/2); got != tc.want {
			t.Errorf("%s: looksBinary = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestEngineDeclinesBinary: binary text gets ErrNotCode without parsing or decoding.
func TestEngineDeclinesBinary(t *testing.T) {
	lm := &fakeLM{v: qwenLikeVocab(), reply: func(_, _ string) string { return "x" }}
	e := New(lm, Config{})
	text := make([]byte, 300<<10)
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range text {
		text[i] = byte(rng.IntN(255) + 1)
	}
	_, err := e.Complete(context.Background(), Request{URI: "file:///b.go", LanguageID: "go", Text: text, Offset: len(text) / 2})
	if !errors.Is(err, ErrNotCode) {
		t.Fatalf("err %v, want ErrNotCode", err)
	}
	if len(lm.prompts) != 0 {
		t.Errorf("%d prompts decoded for binary text", len(lm.prompts))
	}
}

// TestEngineLargeDocumentWindow: a 5 MB document is completed through a bounded window, and the
// result's range is in the whole document's offsets.
func TestEngineLargeDocumentWindow(t *testing.T) {
	lm := &fakeLM{v: qwenLikeVocab(), reply: func(_, _ string) string { return "a + 1\n" }}
	e := New(lm, Config{})
	text := bigGo(5 << 20)
	// The cursor after "return " of a function in the middle.
	mid := len(text) / 2
	off := mid + strings.Index(string(text[mid:]), "return ") + len("return ")
	ds := e.state("file:///big.go")
	res, err := e.Complete(context.Background(), Request{URI: "file:///big.go", LanguageID: "go", Text: text, Offset: off})
	if err != nil {
		t.Fatal(err)
	}
	if res.ReplaceStart > off || res.ReplaceEnd != off || res.ReplaceStart < off-64 {
		t.Errorf("replace range [%d,%d), want it to end at the cursor %d", res.ReplaceStart, res.ReplaceEnd, off)
	}
	if n := len(ds.doc.Text()); n > windowBefore+windowAlign+windowAfter {
		t.Errorf("parsed %d bytes of a %d-byte document", n, len(text))
	}
}

// TestRootSpans: the tree-cursor walk gives the root's children in order.
func TestRootSpans(t *testing.T) {
	src := bigGo(4 << 10)
	d, err := grammars.NewDocument(mustLang(t, "go"), src)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	got := rootSpans(context.Background(), d)
	root := d.Root()
	if len(got) != int(root.ChildCount()) {
		t.Fatalf("%d spans, root has %d children", len(got), root.ChildCount())
	}
	for i, s := range got {
		ch := root.Child(uint(i))
		if s.start != int(ch.StartByte()) || s.end != int(ch.EndByte()) {
			t.Errorf("span %d = %v, child is [%d,%d)", i, s, ch.StartByte(), ch.EndByte())
		}
	}
	// A cancelled context stops BuildContext with its error.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := BuildContext(ContextInput{Doc: d, Offset: 10, Ctx: ctx}); !errors.Is(err, context.Canceled) {
		t.Errorf("BuildContext with a cancelled context: err %v", err)
	}
}

// TestWireOrderDecides: a request with an older Seq than one the engine already saw is superseded,
// even when it reaches the engine last.
func TestWireOrderDecides(t *testing.T) {
	lm := &fakeLM{v: qwenLikeVocab(), reply: func(_, _ string) string { return "1\n" }}
	e := New(lm, Config{})
	text, off := cursorText("package a\n\nvar x = |\n")
	req := Request{URI: "file:///a.go", LanguageID: "go", Text: text, Offset: off, Options: Options{NoCache: true}}
	req.Seq = 2
	if _, err := e.Complete(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	req.Seq = 1
	if _, err := e.Complete(context.Background(), req); !errors.Is(err, context.Canceled) {
		t.Errorf("older request after a newer one: err %v, want context.Canceled", err)
	}
	req.Seq = 3
	if _, err := e.Complete(context.Background(), req); err != nil {
		t.Errorf("newer request: %v", err)
	}
	// Another document has its own order.
	req.URI, req.Seq = "file:///b.go", 1
	if _, err := e.Complete(context.Background(), req); err != nil {
		t.Errorf("other document: %v", err)
	}
}

func mustLang(t *testing.T, id string) *grammars.Language {
	t.Helper()
	l, ok := grammars.Lookup(id)
	if !ok {
		t.Fatalf("no language %q", id)
	}
	return l
}

// TestNeighborsOnlyWithReadPath: the engine reads files beside a document only through the path the
// caller vetted (Request.ReadPath), never from the URI.
func TestNeighborsOnlyWithReadPath(t *testing.T) {
	var asked []string
	lm := &fakeLM{v: qwenLikeVocab(), reply: func(_, _ string) string { return "1\n" }}
	e := New(lm, Config{DocCache: true, Neighbors: func(p string) []Neighbor { asked = append(asked, p); return nil }})
	text, off := cursorText("package a\n\nvar x = |\n")
	req := Request{URI: "file:///etc/zz.go", LanguageID: "go", Text: text, Offset: off, Options: Options{NoCache: true}}
	if _, err := e.Complete(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if len(asked) != 0 {
		t.Fatalf("read beside %q without a ReadPath", asked)
	}
	req.ReadPath = "/home/u/ws/zz.go"
	if _, err := e.Complete(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if len(asked) != 1 || asked[0] != req.ReadPath {
		t.Errorf("Neighbors asked for %q, want [%s]", asked, req.ReadPath)
	}
}

func TestLineTooLong(t *testing.T) {
	long := strings.Repeat("x", maxLineBytes+1)
	tests := []struct {
		text string
		off  int
		want bool
	}{
		{"a\nbc\n", 3, false},
		{long, len(long) / 2, true},
		{"a\n" + long + "\nb", 2, true},
		{"a\n" + long + "\nb", len(long) + 4, false},
		{strings.Repeat("y", maxLineBytes) + "\n", 10, false},
		{"", 0, false},
	}
	for i, tc := range tests {
		if got := lineTooLong([]byte(tc.text), tc.off); got != tc.want {
			t.Errorf("case %d: lineTooLong = %v, want %v", i, got, tc.want)
		}
	}
}

// TestEngineDeclinesGarbage: JSON opened as Go is declined after one parse, without decoding.
func TestEngineDeclinesGarbage(t *testing.T) {
	lm := &fakeLM{v: qwenLikeVocab(), reply: func(_, _ string) string { return "x" }}
	e := New(lm, Config{})
	var b strings.Builder
	b.WriteString("[\n")
	for i := 0; b.Len() < 40<<10; i++ {
		fmt.Fprintf(&b, "  {\"id\": %d, \"name\": \"item%d\", \"tags\": [\"a\", \"b\"]},\n", i, i)
	}
	text := []byte(b.String() + "]\n")
	_, err := e.Complete(context.Background(), Request{URI: "file:///j.go", LanguageID: "go", Text: text, Offset: len(text) / 2})
	if !errors.Is(err, ErrNotCode) || !strings.Contains(err.Error(), "does not parse as Go") {
		t.Fatalf("err %v, want ErrNotCode saying it does not parse", err)
	}
	if len(lm.prompts) != 0 {
		t.Errorf("%d prompts decoded for JSON as Go", len(lm.prompts))
	}
}
