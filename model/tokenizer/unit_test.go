package tokenizer

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// The expected splits follow from the regexes' ECMAScript semantics by hand
// (see the pattern in each splitter's doc comment).
func TestPreTokenize(t *testing.T) {
	tests := []struct {
		pre, text string
		want      []string
	}{
		{"qwen2", "Hello world  foo\n\n bar 1234", []string{"Hello", " world", " ", " foo", "\n\n", " bar", " ", "1", "2", "3", "4"}},
		{"qwen2", "it's I'M x", []string{"it", "'s", " I", "'M", " x"}},
		{"qwen2", "a = b;\n\tc", []string{"a", " =", " b", ";\n", "\tc"}},
		{"qwen2", "x  ", []string{"x", "  "}},
		{"llama3", "12345 abc", []string{"123", "45", " abc"}},
		{"gpt-2", "Hello  world's 123!!", []string{"Hello", " ", " world", "'s", " 123", "!!"}},
		{"gpt-2", "it'S", []string{"it", "'", "S"}},
		{"starcoder", "x12 y", []string{"x", "1", "2", " y"}},
		{"deepseek-coder", "ab\ncd 12", []string{"ab", "\n", "cd", " ", "1", "2"}},
		{"falcon", "a1234!!b", []string{"a", "123", "4", "!!", "b"}},
		{"qwen2", "a\xffb", []string{"a", "\uFFFDb"}}, // U+FFFD is a symbol: [^\r\n\p{L}\p{N}]?\p{L}+
		{"qwen2", "", nil},
	}
	for _, tc := range tests {
		got, err := PreTokenize(tc.pre, tc.text)
		if err != nil {
			t.Fatalf("%s %q: %v", tc.pre, tc.text, err)
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s %q:\n got %q\nwant %q", tc.pre, tc.text, got, tc.want)
		}
	}
	if _, err := PreTokenize("no-such-pre", "x"); err == nil {
		t.Error("unknown pre-tokenizer: no error")
	}
}

// Invalid UTF-8 goes through llama.cpp's lenient decoder: bad bytes become
// U+FFFD, overlong forms decode, so BPE sees the same words as for the
// repaired text.
func TestInvalidUTF8BPE(t *testing.T) {
	tk := loadVocab(t, requireVocab(t, "qwen2"))
	for _, tc := range []struct{ bad, same string }{
		{"a\xffb", "a\uFFFDb"},
		{"\xc0\x80x", "\x00x"},
		{"x\xf0\x9f\x98", "x\uFFFD\uFFFD\uFFFD"},
		{"\xe2\x82 ok", "\uFFFD\uFFFD ok"},
		{"\x80\x80", "\uFFFD\uFFFD"},
	} {
		got, want := tk.Encode(tc.bad, false, false), tk.Encode(tc.same, false, false)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%q: got %v, want %v (as %q)", tc.bad, got, want, tc.same)
		}
	}
}

// SentencePiece works on bytes: a stray lead byte takes the following bytes
// into one symbol, which is no token and falls back to byte tokens.
func TestInvalidUTF8SPM(t *testing.T) {
	tk := loadVocab(t, requireVocab(t, "llama-spm"))
	// "▁" (29871), then "\xffab" as bytes <0xFF> <0x61> <0x62> (ids 3+byte).
	if got, want := tk.Encode("\xffab", false, false), []int32{29871, 3 + 0xFF, 3 + 0x61, 3 + 0x62}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if got := tk.Decode(tk.Encode("\xffab", false, false)); got != "\xffab" {
		t.Errorf("decode %q", got)
	}
}

func requireVocab(t *testing.T, name string) string {
	t.Helper()
	p := vocabPath(sharedDir(t), name)
	if p == "" {
		missing(t, name+" vocab not found")
	}
	return p
}

// synth builds a small byte-level BPE vocab: all 256 byte tokens, then extra.
func synth(t *testing.T, pre string, extra []string, types map[string]int32, merges []string) *Tokenizer {
	t.Helper()
	var toks []string
	for b := 0; b < 256; b++ {
		toks = append(toks, EncodeBytes([]byte{byte(b)}))
	}
	toks = append(toks, extra...)
	ty := make([]int32, len(toks))
	for i, s := range toks {
		ty[i] = TypeNormal
		if v, ok := types[s]; ok {
			ty[i] = v
		}
	}
	if merges == nil {
		merges = []string{}
	}
	tk, err := New(Vocab{Model: "gpt2", Pre: pre, Tokens: toks, Types: ty, Merges: merges})
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

func TestFIMDetection(t *testing.T) {
	tests := []struct {
		names []string
		check func(tk *Tokenizer, id func(string) int32) bool
	}{
		{[]string{"<｜fim▁begin｜>", "<｜fim▁hole｜>", "<｜fim▁end｜>"}, func(tk *Tokenizer, id func(string) int32) bool {
			s := tk.Special()
			return s.FIMPre == id("<｜fim▁begin｜>") && s.FIMSuf == id("<｜fim▁hole｜>") && s.FIMMid == id("<｜fim▁end｜>")
		}},
		{[]string{"<fim_prefix>", "<fim_suffix>", "<fim_middle>", "<fim_pad>", "<file_sep>"}, func(tk *Tokenizer, id func(string) int32) bool {
			s := tk.Special()
			return s.FIMPre == id("<fim_prefix>") && s.FIMSuf == id("<fim_suffix>") && s.FIMMid == id("<fim_middle>") &&
				s.FIMPad == id("<fim_pad>") && s.FIMSep == id("<file_sep>") && tk.IsEOG(id("<fim_pad>"))
		}},
		{[]string{"▁<PRE>", "▁<SUF>", "▁<MID>", "▁<EOT>"}, func(tk *Tokenizer, id func(string) int32) bool {
			s := tk.Special()
			return s.FIMPre == id("▁<PRE>") && s.FIMSuf == id("▁<SUF>") && s.FIMMid == id("▁<MID>") && s.EOT == id("▁<EOT>") && tk.IsEOG(id("▁<EOT>"))
		}},
		{[]string{"<|fim_prefix|>", "<|fim_suffix|>", "<|fim_middle|>", "<|fim_pad|>", "<|repo_name|>", "<|file_sep|>"}, func(tk *Tokenizer, id func(string) int32) bool {
			s := tk.Special()
			return s.FIMPre == id("<|fim_prefix|>") && s.FIMSuf == id("<|fim_suffix|>") && s.FIMMid == id("<|fim_middle|>") &&
				s.FIMPad == id("<|fim_pad|>") && s.FIMRep == id("<|repo_name|>") && s.FIMSep == id("<|file_sep|>") &&
				tk.IsControl(id("<|fim_prefix|>")) && tk.IsEOG(id("<|file_sep|>")) && !tk.IsEOG(id("<|fim_prefix|>"))
		}},
	}
	for _, tc := range tests {
		tk := synth(t, "gpt-2", tc.names, nil, nil)
		id := func(s string) int32 { i, _ := tk.TokenID(s); return i }
		if !tc.check(tk, id) {
			t.Errorf("%v: specials %+v", tc.names, tk.Special())
		}
	}
}

// Merged strings that are no token fall back to the one-byte tokens whose
// text is the byte-level character (llama.cpp drops the others).
func TestBPEMergeFallback(t *testing.T) {
	tk := synth(t, "gpt-2", []string{"ab"}, nil, []string{"a b", "ab c"})
	// "abc" merges to "abc", which is no token: each encoded byte is looked up.
	if got, want := tk.Encode("abc", false, false), []int32{'a', 'b', 'c'}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if got, want := tk.Encode("ab", false, false), []int32{256}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// USER_DEFINED tokens split the text even without parse_special; CONTROL
// tokens only with it.
func TestSpecialPartition(t *testing.T) {
	tk := synth(t, "gpt-2", []string{"<ctl>", "<usr>"}, map[string]int32{"<ctl>": TypeControl, "<usr>": TypeUserDefined}, nil)
	ctl, usr := int32(256), int32(257)
	got := tk.Encode("a<ctl>b<usr>", false, false)
	if !contains(got, usr) || contains(got, ctl) {
		t.Errorf("parse_special=false: %v", got)
	}
	got = tk.Encode("a<ctl>b<usr>", false, true)
	if want := []int32{'a', ctl, 'b', usr}; !reflect.DeepEqual(got, want) {
		t.Errorf("parse_special=true: %v, want %v", got, want)
	}
	if s := tk.Detokenize(got, false, true); s != "a<ctl>b<usr>" {
		t.Errorf("unparse: %q", s)
	}
	if s := tk.Decode(got); s != "ab<usr>" {
		t.Errorf("decode without control tokens: %q", s)
	}
}

func contains(ids []int32, id int32) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// The three passes of llama.cpp's clean_spaces, on hand-made inputs.
func TestCleanSpaces(t *testing.T) {
	for in, want := range map[string]string{
		"a , b . c ! d ?": "a, b. c! d?",
		"x ' y":           "x'y",
		"he 's we 're I 'm you 've it 't they 'd we 'll": "he's we're I'm you've it 't they 'd we 'll",
		"":  "",
		" ": " ",
	} {
		if got := string(cleanSpaces([]byte(in))); got != want {
			t.Errorf("%q: got %q, want %q", in, got, want)
		}
	}
}

func TestStreamDecoderSplitsUTF8(t *testing.T) {
	// Byte tokens of "é€" one byte at a time: nothing is emitted mid-character.
	tk := synth(t, "gpt-2", nil, nil, nil)
	d := tk.NewStreamDecoder()
	var out []string
	for _, b := range []byte("é€x") {
		out = append(out, d.Push(int32(b)))
	}
	if want := []string{"", "é", "", "", "€", "x"}; !reflect.DeepEqual(out, want) {
		t.Errorf("got %q, want %q", out, want)
	}
	// An invalid byte is emitted as is, and Flush returns an unfinished tail.
	if s := d.Push(0xFF); s != "\xff" {
		t.Errorf("invalid byte: %q", s)
	}
	if s := d.Push(0xE2); s != "" || d.Flush() != "\xe2" {
		t.Errorf("tail not held back")
	}
}

func TestNewErrors(t *testing.T) {
	for _, v := range []Vocab{
		{},
		{Model: "bert", Tokens: []string{"a"}},
		{Model: "gpt2", Pre: "qwen2", Tokens: []string{"a"}},                                        // no merges
		{Model: "gpt2", Pre: "nope", Tokens: []string{"a"}, Merges: []string{}},                     // unknown pre
		{Model: "llama", Tokens: []string{"a", "a"}},                                                // duplicate
		{Model: "llama", Tokens: []string{"a", "b"}, Types: []int32{1}},                             // short types
		{Model: "gpt2", Pre: "gpt-2", Tokens: []string{"a"}, Merges: []string{}, AddBOS: ptr(true)}, // bos 11 out of range
	} {
		if _, err := New(v); err == nil {
			t.Errorf("%+v: no error", v)
		} else if !strings.HasPrefix(err.Error(), "tokenizer: ") {
			t.Errorf("error without package prefix: %v", err)
		}
	}
}

func ptr[T any](v T) *T { return &v }

// Code point classes as llama.cpp's unicode-data table has them (Unicode
// 15.1 general categories; White_Space; unassigned = undefined).
func TestCptFlags(t *testing.T) {
	for _, tc := range []struct {
		c    rune
		want uint16
	}{
		{'a', fLetter}, {'Z', fLetter}, {'7', fNumber}, {'_', fPunct}, {'$', fSymbol}, {'~', fSymbol},
		{' ', fSep | fWS}, {'\t', fControl | fWS}, {'\v', fControl | fWS}, {0x1C, fControl}, {0x7F, fControl},
		{0x85, fControl | fWS}, {0xA0, fSep | fWS}, {0x2028, fSep | fWS}, {0x3000, fSep | fWS},
		{0x200B, fControl}, {0x0301, fMark}, {0x00BD, fNumber}, {0x00B5, fLetter}, {0x4E2D, fLetter},
		{0xFFFD, fSymbol}, {0x0378, fUndef}, {0xFFFF, fUndef}, {0xD800, fControl}, {0xE000, fControl},
		{0x1F600, fSymbol}, {0x1F3FD, fSymbol}, {0x20000, fLetter}, {0x2EBF0, fLetter}, {0x31EF, fSymbol},
		{0xE0001, fControl}, {0x10FFFF, fUndef}, {0x110000, fUndef}, {0x1FFFFF, fUndef},
	} {
		if got := cptFlags(tc.c); got != tc.want {
			t.Errorf("U+%04X: flags %#x, want %#x", tc.c, got, tc.want)
		}
	}
}

func TestDecodeCpt(t *testing.T) {
	for _, tc := range []struct {
		s    string
		c    rune
		size int
	}{
		{"a", 'a', 1}, {"\xc3\xa9", 0xE9, 2}, {"\xc0\x80", 0, 2}, {"\xed\xa0\x80", 0xD800, 3},
		{"\xf4\x90\x80\x80", 0x110000, 4}, {"\xf7\xbf\xbf\xbf", 0x1FFFFF, 4}, {"\xf8\x80", 0xFFFD, 1},
		{"\x80", 0xFFFD, 1}, {"\xc3", 0xFFFD, 1}, {"\xe2\x82", 0xFFFD, 1}, {"\xc3a", 0xFFFD, 1},
	} {
		if c, n := decodeCpt(tc.s, 0); c != tc.c || n != tc.size {
			t.Errorf("%q: U+%04X/%d, want U+%04X/%d", tc.s, c, n, tc.c, tc.size)
		}
	}
}

// Segmenting SentencePiece at isolated bytes must not change any token.
func TestSPMSegmentationExact(t *testing.T) {
	tk := loadVocab(t, requireVocab(t, "llama-spm"))
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"a", "b", "e", "th", "▁", "\n", "\t", "(", ")", "{", "}", "1", "é", "变", "\xff", "\xe2", "\xf0", " "}
	var s1, s2 spmScratch
	for i := 0; i < 3000; i++ {
		var b strings.Builder
		for n := r.IntN(60); n > 0; n-- {
			b.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		text := b.String()
		got := tk.encodeSPM(&s1, text, nil, true)
		want := tk.encodeSPM(&s2, text, nil, false)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: segmented %v, plain %v", text, got, want)
		}
	}
	src := benchSource()
	if got, want := tk.encodeSPM(&s1, src, nil, true), tk.encodeSPM(&s2, src, nil, false); !reflect.DeepEqual(got, want) {
		t.Fatal("segmented and plain differ on the benchmark source")
	}
}
