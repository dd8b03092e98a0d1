package complete

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/weft-dev/weft/model"
)

func TestPickNeighbors(t *testing.T) {
	big := []byte(strings.Repeat(strings.Repeat("x", 99)+"\n", neighborBudget/100+50))
	n := func(p, text string) Neighbor { return Neighbor{Path: p, Text: []byte(text)} }
	tests := []struct {
		name string
		self string
		in   []Neighbor
		want []string // paths, in order
	}{
		{"self, other extensions and empty files are left out", "/p/dgemm.go",
			[]Neighbor{n("/p/dgemm.go", "self"), n("/p/a.py", "x"), n("/p/empty.go", ""), n("/p/b.go", "b")},
			[]string{"/p/b.go"}},
		{"same directory first, then shared name prefix, then path", "/p/dgemm.go",
			[]Neighbor{n("/q/dgemv.go", "1"), n("/p/zlarfg.go", "2"), n("/p/dgemv.go", "3"), n("/p/daxpy.go", "4"), n("/p/dgeqp.go", "5")},
			[]string{"/p/dgemv.go", "/p/dgeqp.go", "/p/daxpy.go", "/p/zlarfg.go", "/q/dgemv.go"}},
		{"the first copy of a path wins (an open buffer before its file on disk)", "/p/a.go",
			[]Neighbor{n("/p/b.go", "buffer"), n("/p/b.go", "disk")},
			[]string{"/p/b.go"}},
		{"the budget is kept", "/p/a.go",
			[]Neighbor{{Path: "/p/b.go", Text: big}, n("/p/c.go", "c")},
			[]string{"/p/b.go"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := pickNeighbors(tt.self, tt.in)
			var paths []string
			size := 0
			for _, g := range got {
				paths = append(paths, g.Path)
				size += len(g.Text)
			}
			if !slices.Equal(paths, tt.want) {
				t.Errorf("paths %q, want %q", paths, tt.want)
			}
			if size > neighborBudget {
				t.Errorf("%d bytes kept, budget %d", size, neighborBudget)
			}
			for _, g := range got {
				if string(g.Text) == "disk" {
					t.Errorf("the later copy of %s was kept", g.Path)
				}
				if len(g.Text) > 100 && len(g.Text) < len(big) && !strings.HasSuffix(string(g.Text), "x\n") {
					t.Errorf("a cut neighbor ends inside a line: ...%q", g.Text[len(g.Text)-5:])
				}
			}
		})
	}
}

func TestNearestFirst(t *testing.T) {
	names := []string{"zlarfg.go", "dgemv.go", "daxpy.go", "dgeqp.go", "dgemm_test.go"}
	NearestFirst("dgemm.go", names)
	want := []string{"dgemm_test.go", "dgemv.go", "dgeqp.go", "daxpy.go", "zlarfg.go"}
	if !slices.Equal(names, want) {
		t.Errorf("NearestFirst = %q, want %q", names, want)
	}
}

// TestEngineNeighbors checks what the document cache is given: the other open documents, then the
// request's neighbors, then Config.Neighbors's files beside the document, each ended by -1, before the
// document's own tokens.
func TestEngineNeighbors(t *testing.T) {
	lm := &fakeLM{v: qwenLikeVocab(), reply: func(_, _ string) string { return "x := 1\n" }}
	var asked []string
	e := New(lm, Config{DocCache: true, Neighbors: func(p string) []Neighbor {
		asked = append(asked, p)
		return []Neighbor{{Path: "/src/p/c.go", Text: []byte("disk c")}, {Path: "/src/p/b.go", Text: []byte("disk b")}}
	}})
	e.Update("file:///src/p/b.go", "/src/p/b.go", []byte("open b"))
	e.Update("file:///src/other/x.py", "/src/other/x.py", []byte("python"))
	text, off := cursorText("package a\n\nfunc f() {\n\tab|\n}\n")
	req := Request{URI: "file:///src/p/a.go", LanguageID: "go", Path: "/src/p/a.go", ReadPath: "/src/p/a.go", Text: text, Offset: off,
		Neighbors: []Neighbor{{Path: "/src/p/d.go", Text: []byte("request d")}}}
	if _, err := e.Complete(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(asked, []string{"/src/p/a.go"}) {
		t.Errorf("Config.Neighbors was asked for %q", asked)
	}
	var want []int32
	for _, s := range []string{"open b", "disk c", "request d"} {
		want = append(append(append(want, model.CacheFileStart), lm.v.Encode(s, false, false)...), -1)
	}
	want = append(want, docTokens(lm.v, text, off)...)
	if got := lm.opts[0].Doc; !slices.Equal(got, want) {
		t.Errorf("document cache:\n got %v\nwant %v", got, want)
	}
}

func TestTokenMemo(t *testing.T) {
	v := qwenLikeVocab()
	m := newTokenMemo(2)
	a := m.tokens(v, "a", []byte("abc"))
	if again := m.tokens(v, "a", []byte("abc")); &again[0] != &a[0] {
		t.Error("the same text was tokenized again")
	}
	if changed := m.tokens(v, "a", []byte("abd")); v.Decode(changed) != "abd" {
		t.Errorf("changed text gave %q", v.Decode(changed))
	}
	m.tokens(v, "b", []byte("x"))
	m.tokens(v, "c", []byte("y"))
	if len(m.entries) != 2 {
		t.Errorf("%d entries kept, max 2", len(m.entries))
	}
}

// TestEngineLeadFileStart: near the top of a file the document cache's lead begins with the file-start
// marker, so the neighbors' first lines (licence header, package clause) can be offered there.
func TestEngineLeadFileStart(t *testing.T) {
	tests := []struct {
		src  string
		want bool
	}{
		{"|", true},
		{"// Copy|", true},
		{"package a\n\n" + strings.Repeat("var x = 1\n", 40) + "func f() {\n\t|\n}\n", false},
	}
	for _, tt := range tests {
		lm := &fakeLM{v: qwenLikeVocab(), reply: func(_, _ string) string { return "x\n" }}
		e := New(lm, Config{DocCache: true, TokenHealing: true})
		text, off := cursorText(tt.src)
		if _, err := e.Complete(context.Background(), Request{URI: "file:///a.go", LanguageID: "go", Text: text, Offset: off,
			Options: Options{NoCache: true}}); err != nil {
			t.Fatal(err)
		}
		lead := lm.opts[0].Lead
		if got := len(lead) > 0 && lead[0] == model.CacheFileStart; got != tt.want {
			t.Errorf("%q: lead %v, file start %v, want %v", tt.src, lead, got, tt.want)
		}
	}
}
