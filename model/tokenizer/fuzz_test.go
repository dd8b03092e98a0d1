package tokenizer

import (
	"testing"
	"unicode/utf8"
)

var fuzzSeeds = []string{
	"", " ", "\n", "hello world", "func main() {\n\tfmt.Println(\"hi\")\n}\n",
	"it's  I'M  we'Re", "a\xffb", "\xc0\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80", "x\xf0\x9f\x98",
	"<|endoftext|><|im_start|>user\n<|fim_prefix|>x<|fim_suffix|>y<|fim_middle|>",
	"<s> </s> <unk>", "变量 = 1234567; // 注释 café Größe π", "👨‍👩‍👧‍👦 🇺🇸 👍🏽",
	"\u00a0\u2028\u3000\u200b\v\f\r\n", "====----''''\"\"\"", "▁▁ ▁",
}

// laxUTF8 is the text llama.cpp's decoder sees: every code point it decodes,
// re-encoded (invalid bytes become U+FFFD, overlong forms are normalised).
func laxUTF8(s string) string {
	var b []byte
	for i := 0; i < len(s); {
		c, n := decodeCpt(s, i)
		i += n
		b = appendCpt(b, c)
	}
	return string(b)
}

func checkIDs(t *testing.T, tk *Tokenizer, ids []int32) {
	for _, id := range ids {
		if id < 0 || int(id) >= tk.NumTokens() {
			t.Fatalf("id %d out of range", id)
		}
	}
}

// FuzzEncodeBPE: any bytes encode without panic; the pieces give back the
// text as llama.cpp decoded it (the input itself when it is valid UTF-8).
func FuzzEncodeBPE(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	shared := sharedDir(f)
	vp := vocabPath(shared, "qwen2")
	if vp == "" {
		missing(f, "qwen2 vocab not found")
	}
	tk := loadVocab(f, vp)
	f.Fuzz(func(t *testing.T, data []byte) {
		text := string(data)
		want := laxUTF8(text)
		if utf8.ValidString(text) && want != text {
			t.Fatalf("lax decoding changed valid UTF-8 %q", text)
		}
		ids := tk.Encode(text, false, false)
		checkIDs(t, tk, ids)
		if got := tk.Decode(ids); got != want {
			t.Fatalf("Decode(Encode(%q)) = %q, want %q", text, got, want)
		}
		ids = tk.Encode(text, true, true)
		checkIDs(t, tk, ids)
		if got := tk.Detokenize(ids, true, true); got != want {
			t.Fatalf("Detokenize(Encode(%q, special)) = %q, want %q", text, got, want)
		}
	})
}

// FuzzEncodeSPM: any bytes encode without panic into valid ids; valid UTF-8
// without U+2581 (which SentencePiece turns into spaces) round-trips.
// Invalid UTF-8 is kept as a seed.
func FuzzEncodeSPM(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	shared := sharedDir(f)
	vp := vocabPath(shared, "llama-spm")
	if vp == "" {
		missing(f, "llama-spm vocab not found")
	}
	tk := loadVocab(f, vp)
	f.Fuzz(func(t *testing.T, data []byte) {
		text := string(data)
		ids := tk.Encode(text, false, false)
		checkIDs(t, tk, ids)
		// Invalid UTF-8 need not round-trip: a stray lead byte swallows the
		// next bytes into one symbol, escaped spaces included (as in llama.cpp).
		if got := tk.Decode(ids); got != text && utf8.ValidString(text) && !containsEscape(text) {
			t.Fatalf("Decode(Encode(%q)) = %q", text, got)
		}
		ids = tk.Encode(text, true, true)
		checkIDs(t, tk, ids)
	})
}

func containsEscape(s string) bool {
	for i := 0; i+2 < len(s); i++ {
		if s[i] == 0xE2 && s[i+1] == 0x96 && s[i+2] == 0x81 {
			return true
		}
	}
	return false
}
