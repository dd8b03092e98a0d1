package complete

import (
	"context"
	"math"
	"strings"
	"testing"
)

func TestMBRPick(t *testing.T) {
	tests := []struct {
		name  string
		cands []string
		want  string
	}{
		{"none", nil, ""},
		{"one", []string{"x"}, "x"},
		{"the first wins a tie", []string{"a", "b"}, "a"},
		{"the majority", []string{"bar()", "foo(a, b)", "foo(a, c)", "foo(a, b)"}, "foo(a, b)"},
		{"the centre of near misses", []string{"n := len(xs) - 1", "n := len(xs)", "n := len(ys)", "m := cap(xs)"}, "n := len(xs)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mbrPick(tt.cands); got != tt.want {
				t.Errorf("mbrPick(%q) = %q, want %q", tt.cands, got, tt.want)
			}
		})
	}
}

func TestEngineConsensus(t *testing.T) {
	tests := []struct {
		name        string
		greedy      string
		sampled     func(seed uint64) string
		options     Options
		want        string
		wantSamples int
	}{
		{"the samples outvote greedy", "x := 1\n", func(uint64) string { return "y := 2\n" }, Options{Multiline: MultilineNever}, "y := 2", 8},
		{"agreeing samples stop early", "x := 1\n", func(uint64) string { return "x := 1\n" }, Options{Multiline: MultilineNever}, "x := 1", consensusAgree},
		{"a sample replaces a rejected greedy line", "x := (\n",
			func(seed uint64) string {
				if seed == 3 {
					return "x := 3\n"
				}
				return "x := )\n"
			}, Options{Multiline: MultilineNever}, "x := 3", 8},
		{"rejected samples do not vote", "x := 1\n", func(uint64) string { return "x := )\n" }, Options{Multiline: MultilineNever}, "x := 1", 8},
		{"no vote on sampled requests", "x := 1\n", func(uint64) string { return "y := 2\n" }, Options{Multiline: MultilineNever, Temperature: 0.5}, "y := 2", 0},
		{"multi-line completions vote too", "x := 1\n", func(uint64) string { return "y := 2\n" }, Options{Multiline: MultilineAlways}, "y := 2", 8},
		{"a request asks for fewer samples", "x := 1\n", func(uint64) string { return "y := 2\n" }, Options{Multiline: MultilineNever, Samples: 3}, "y := 2", 3},
		{"a request asks for none", "x := 1\n", func(uint64) string { return "y := 2\n" }, Options{Multiline: MultilineNever, Samples: -1}, "x := 1", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lm := &fakeLM{v: qwenLikeVocab(), reply: func(_, _ string) string { return tt.greedy }, sampled: tt.sampled}
			e := New(lm, Config{Samples: 8})
			text, off := cursorText("package a\n\nfunc f() {\n\t|\n}\n")
			o := tt.options
			o.NoCache = true
			res, err := e.Complete(context.Background(), Request{URI: "file:///a.go", LanguageID: "go", Text: text, Offset: off, Options: o})
			if err != nil {
				t.Fatal(err)
			}
			got, _, _ := strings.Cut(res.Text, "\n")
			if got != tt.want || res.Stats.Samples != tt.wantSamples {
				t.Errorf("got %q after %d samples, want %q after %d", res.Text, res.Stats.Samples, tt.want, tt.wantSamples)
			}
		})
	}
}

func TestEditSimilarity(t *testing.T) {
	tests := []struct {
		a, b string
		want float64
	}{
		{"kitten", "sitting", 1 - 3.0/7},
		{"sitting", "kitten", 1 - 3.0/7},
		{"flaw", "lawn", 0.5},
		{"", "", 1},
		{"abc", "", 0},
		{"abc", "abc", 1},
		{"héllo", "hello", 0.8}, // runes, not bytes
		{"日本語", "日本", 1 - 1.0/3},
	}
	for _, tt := range tests {
		if got := EditSimilarity(tt.a, tt.b); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("EditSimilarity(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}
