package eval

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/weft-dev/weft/model/gguf"
	"github.com/weft-dev/weft/model/tokenizer"
)

// ngramWordVocab is a test vocabulary whose tokens are words, numbers, whitespace runs and punctuation
// runs, numbered as they are first met (Encode grows it; tests use it from one goroutine).
type ngramWordVocab struct {
	ids    map[string]int32
	pieces []string
}

var ngramWordRE = regexp.MustCompile(`[A-Za-z_][A-Za-z0-9_]*|[0-9]+|\s+|[^\sA-Za-z0-9_]+`)

func newNGramWordVocab() *ngramWordVocab { return &ngramWordVocab{ids: map[string]int32{}} }

func (v *ngramWordVocab) Encode(text string, _, _ bool) []int32 {
	var out []int32
	for _, w := range ngramWordRE.FindAllString(text, -1) {
		id, ok := v.ids[w]
		if !ok {
			id = int32(len(v.pieces))
			v.ids[w] = id
			v.pieces = append(v.pieces, w)
		}
		out = append(out, id)
	}
	return out
}

func (v *ngramWordVocab) Decode(ids []int32) string {
	var b strings.Builder
	for _, id := range ids {
		b.Write(v.Piece(id))
	}
	return b.String()
}

func (v *ngramWordVocab) Piece(id int32) []byte {
	if id < 0 || int(id) >= len(v.pieces) {
		return nil
	}
	return []byte(v.pieces[id])
}

func (v *ngramWordVocab) IsEOG(int32) bool { return false }

func TestNGramBackoff(t *testing.T) {
	v := newNGramWordVocab()
	texts := []string{"a X", "a X", "a X", "a U", "a B", "a B", "a C", "a C", "a D", "a D", strings.Repeat("U ", 200)}
	m, err := TrainNGram(context.Background(), v, texts, 3)
	if err != nil {
		t.Fatal(err)
	}
	id := func(s string) int32 { return v.Encode(s, false, false)[0] }
	tests := []struct {
		name string
		ctx  []int32
		want string
	}{
		// After "a ": X has 3/10; U's unigram score 0.4·0.4·(201/…) is higher, but U was seen after
		// "a " with only 1/10, and its score is that one. A backoff that ignored this would say U.
		{"seen context wins over a frequent lower-order token", []int32{id("a"), id(" ")}, "X"},
		{"unseen context backs off to the unigram", []int32{id("B"), id("B")}, " "},
		{"empty context", nil, " "},
		{"after U", []int32{id("U")}, " "},
	}
	for _, tt := range tests {
		got, ok := m.Next(tt.ctx)
		if !ok || string(v.Piece(got)) != tt.want {
			t.Errorf("%s: Next = %q, want %q", tt.name, v.Piece(got), tt.want)
		}
	}
	if m.Order() != 3 || m.Tokens() != 10*3+400 {
		t.Errorf("order %d, %d tokens", m.Order(), m.Tokens())
	}
	if _, err := TrainNGram(context.Background(), v, []string{""}, 3); err == nil {
		t.Error("empty training text gave no error")
	}
	if _, err := TrainNGram(context.Background(), v, texts, 0); err == nil {
		t.Error("order 0 gave no error")
	}
}

const ngramTrainGo = "func area(r float64) float64 {\n\treturn math.Pi * r * r\n}\n\n" +
	"func setup() {\n\talpha := 1\n\tbeta := 2\n\tgamma := 3\n\tdelta := 4\n}\n\nfunc tail() {}\n"

// TestNGramInfill checks greedy continuation and its stops: the line break for single-line holes, and
// for blocks a line that repeats the suffix's first line or leaves the cursor's block.
func TestNGramInfill(t *testing.T) {
	v := newNGramWordVocab()
	m, err := TrainNGram(context.Background(), v, []string{ngramTrainGo, "x = y + z\n"}, 6)
	if err != nil {
		t.Fatal(err)
	}
	inf := NGramInfiller{Model: m}
	tests := []struct {
		name string
		h    Hole
		want string
	}{
		{"memorised line", Hole{Kind: HoleLine, Prefix: "package p\n\nfunc area(r float64) float64 {\n\t", Suffix: "\n}\n"},
			"return math.Pi * r * r"},
		{"rest of a line", Hole{Kind: HoleLineRest, Prefix: "func area(r float64) float64 {\n\treturn math.", Suffix: "\n}\n"},
			"Pi * r * r"},
		{"block stops before the suffix's first line", Hole{Kind: HoleBlock, Prefix: "func setup() {\n\t", Suffix: "\n\n\tgamma := 3\n\tdelta := 4\n}\n"},
			"alpha := 1\n\tbeta := 2"},
		{"block stops where the block closes", Hole{Kind: HoleBlock, Prefix: "func setup() {\n\t", Suffix: "\n// other\n"},
			"alpha := 1\n\tbeta := 2\n\tgamma := 3\n\tdelta := 4"},
	}
	// Blanks before the first line's text are dropped when the cursor sits after the indentation.
	deep, err := TrainNGram(context.Background(), v, []string{"func deep() {\n\t\tx := 1\n}\n"}, 6)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := (NGramInfiller{Model: deep}).Infill(context.Background(), Hole{Kind: HoleLine, Prefix: "func deep() {\n\t", Suffix: "\n}\n"}); err != nil || got != "x := 1" {
		t.Errorf("indented twice in training: got %q (%v), want %q", got, err, "x := 1")
	}
	for _, tt := range tests {
		got, err := inf.Infill(context.Background(), tt.h)
		if err != nil || got != tt.want {
			t.Errorf("%s: got %q (%v), want %q", tt.name, got, err, tt.want)
		}
	}
	// Four tokens: the healed "\n\t" (already in the prefix), "return", " ", "math".
	short := NGramInfiller{Model: m, MaxTokens: 4}
	if got, _ := short.Infill(context.Background(), tests[0].h); got != "return math" {
		t.Errorf("4 tokens: %q", got)
	}
}

// TestNGramRealTokenizer trains the baseline over a real BPE vocabulary (the tiny Qwen2 parity model's)
// and checks that it reproduces a memorised line of Go.
func TestNGramRealTokenizer(t *testing.T) {
	f, err := gguf.Open(fimShared(t, "testdata/parity/models/tiny-qwen2-Q8_0.gguf"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tok, err := tokenizer.FromGGUF(f)
	if err != nil {
		t.Fatal(err)
	}
	text := "package shapes\n\nimport \"math\"\n\n" + ngramTrainGo
	m, err := TrainNGram(context.Background(), tok, []string{text, "def f(x):\n    return x + 1\n"}, 4)
	if err != nil {
		t.Fatal(err)
	}
	got, err := NGramInfiller{Model: m}.Infill(context.Background(), Hole{Kind: HoleLine,
		Prefix: "package q\n\nfunc area(r float64) float64 {\n\t", Suffix: "\n}\n"})
	if err != nil || got != "return math.Pi * r * r" {
		t.Errorf("got %q (%v)", got, err)
	}
}
