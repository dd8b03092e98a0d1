package complete

import (
	"slices"
	"strings"
	"testing"

	"github.com/weft-dev/weft/internal/refdata"
	"github.com/weft-dev/weft/model/gguf"
	"github.com/weft-dev/weft/model/tokenizer"
)

// sharedPath returns a file of the shared reference data (../shared from the repository root, or
// $WEFT_SHARED). When it is missing the test fails under CI and is skipped otherwise.
func sharedPath(t testing.TB, rel string) string { t.Helper(); return refdata.Path(t, rel) }

func loadTokenizer(t testing.TB, rel string) *tokenizer.Tokenizer {
	t.Helper()
	f, err := gguf.Open(sharedPath(t, rel))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	tk, err := tokenizer.FromGGUF(f)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

// TestFIMPromptLayout builds prompts with real vocabularies and checks them against each family's
// published format: the control-token texts and order, the special ids inserted by id, and the text
// parts encoded as plain text (user code that contains control-token text stays text).
func TestFIMPromptLayout(t *testing.T) {
	tests := []struct {
		name, vocab    string
		family         Family
		pre, suf, mid  string // control token texts, from the model cards
		bos            bool
		injection      string // control-token text written in user code
		sepPath        bool   // <|file_sep|>path header
		wantPre, wantM int32  // published ids of the FIM-prefix and FIM-middle tokens
	}{
		{"qwen2.5-coder", "testdata/parity/tokenizer/ggml-vocab-qwen2.gguf", FamilyQwen,
			"<|fim_prefix|>", "<|fim_suffix|>", "<|fim_middle|>", false, "<|fim_prefix|>", true, 151659, 151660},
		{"deepseek-coder", "testdata/tokenizer/ggml-vocab-deepseek-coder.gguf", FamilyDeepSeek,
			"<｜fim▁begin｜>", "<｜fim▁hole｜>", "<｜fim▁end｜>", true, "<｜fim▁hole｜>", false, 32016, 32017},
		{"starcoder", "testdata/tokenizer/ggml-vocab-starcoder.gguf", FamilyStarCoder,
			"<fim_prefix>", "<fim_suffix>", "<fim_middle>", false, "<fim_suffix>", false, 1, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tk := loadTokenizer(t, tc.vocab)
			f := FIMFromSpecials(tk.Special())
			if fam := DetectFamily(tk, f); fam != tc.family {
				t.Fatalf("family %v, want %v", fam, tc.family)
			}
			if f.Pre != tc.wantPre || f.Mid != tc.wantM {
				t.Errorf("FIM ids pre %d mid %d, want %d %d", f.Pre, f.Mid, tc.wantPre, tc.wantM)
			}
			for id, want := range map[int32]string{f.Pre: tc.pre, f.Suf: tc.suf, f.Mid: tc.mid} {
				if got := tk.Text(id); got != want {
					t.Errorf("token %d is %q, want %q", id, got, want)
				}
			}
			prefix := "def f(x):\n    s = \"" + tc.injection + "\"\n    return "
			suffix := "\n\nprint(f(1))\n"
			parts := PromptParts{Path: "pkg/f.py", LineComment: "#", Header: "# Repo map:\n# def g(y):\n",
				Prefix: prefix, Suffix: suffix}

			// PSM.
			p := BuildPrompt(tk, f, LayoutPSM, parts)
			var want []int32
			if tc.bos {
				want = append(want, f.BOS)
			}
			head := parts.Header
			if tc.sepPath {
				want = append(want, f.Sep)
				want = append(want, tk.Encode("pkg/f.py\n", false, false)...)
			} else {
				want = append(want, f.Pre)
				want = append(want, tk.Encode("# Path: pkg/f.py\n", false, false)...)
			}
			if tc.sepPath {
				want = append(want, f.Pre)
			}
			want = append(want, tk.Encode(head, false, false)...)
			want = append(want, tk.Encode(prefix, false, false)...)
			want = append(want, f.Suf)
			want = append(want, tk.Encode(suffix, false, false)...)
			want = append(want, f.Mid)
			if !slices.Equal(p.Tokens, want) {
				t.Errorf("PSM tokens differ:\n got %v\nwant %v", p.Tokens, want)
			}
			// Rendered with control-token text, the prompt reads as the family's documented format.
			txt := tk.Detokenize(p.Tokens, true, true)
			wantTxt := tc.pre + "# Path: pkg/f.py\n" + head + prefix + tc.suf + suffix + tc.mid
			if tc.sepPath {
				wantTxt = "<|file_sep|>pkg/f.py\n" + tc.pre + head + prefix + tc.suf + suffix + tc.mid
			}
			if txt != wantTxt {
				t.Errorf("PSM prompt reads\n%q\nwant\n%q", txt, wantTxt)
			}
			// The control-token text inside the user's string did not become a control token.
			for _, id := range []int32{f.Pre, f.Suf, f.Mid} {
				if n := count(p.Tokens, id); n != 1 {
					t.Errorf("control token %d appears %d times", id, n)
				}
			}
			if !strings.Contains(tk.Decode(tk.Encode(prefix, false, false)), tc.injection) {
				t.Errorf("the injected text did not survive as text")
			}

			// SPM: suffix first, prefix last.
			s := BuildPrompt(tk, f, LayoutSPM, parts)
			st := tk.Detokenize(s.Tokens, true, true)
			if !strings.HasSuffix(st, tc.mid+func() string {
				if tc.sepPath {
					return head + prefix
				}
				return "# Path: pkg/f.py\n" + head + prefix
			}()) || !strings.Contains(st, tc.pre+tc.suf+suffix) {
				t.Errorf("SPM prompt reads %q", st)
			}

			// Prefix only: no control tokens at all except BOS.
			po := BuildPrompt(tk, FIMTokens{Pre: -1, Suf: -1, Mid: -1, Sep: -1, BOS: f.BOS, AddBOS: f.AddBOS, EOS: f.EOS, EOT: -1}, LayoutPSM, parts)
			if po.Layout != LayoutPrefixOnly || count(po.Tokens, f.Pre)+count(po.Tokens, f.Suf)+count(po.Tokens, f.Mid) != 0 {
				t.Errorf("prefix-only prompt has FIM tokens (layout %v)", po.Layout)
			}
			if !strings.HasSuffix(tk.Decode(po.Tokens), prefix) {
				t.Errorf("prefix-only prompt does not end with the prefix")
			}
		})
	}
}

// TestCodeLlamaFamily: Code Llama's tokens carry SentencePiece's space mark ("▁<PRE>"); the family is
// recognised and may use SPM.
func TestCodeLlamaFamily(t *testing.T) {
	v := &fakeVocab{specials: []string{"<eos>", "▁<PRE>", "▁<SUF>", "▁<MID>", "▁<EOT>"}}
	f := FIMTokens{Pre: v.id("▁<PRE>"), Suf: v.id("▁<SUF>"), Mid: v.id("▁<MID>"), Pad: -1, Rep: -1, Sep: -1, BOS: -1, EOS: v.id("<eos>"), EOT: v.id("▁<EOT>")}
	if fam := DetectFamily(v, f); fam != FamilyCodeLlama || !SupportsSPM(fam) {
		t.Fatalf("family %v", fam)
	}
	p := BuildPrompt(v, f, LayoutSPM, PromptParts{Prefix: "a", Suffix: "b"})
	want := []int32{f.Pre, f.Suf, 'b', f.Mid, 'a'}
	if !slices.Equal(p.Tokens, want) {
		t.Errorf("SPM tokens %v, want %v", p.Tokens, want)
	}
	if !slices.Contains(f.stops(), f.EOT) {
		t.Errorf("EOT is not a stop token")
	}
}

func count(ids []int32, id int32) int {
	n := 0
	for _, x := range ids {
		if x == id {
			n++
		}
	}
	return n
}

// TestBuildPromptHeal checks that healing leaves the prefix's last token out
// of the prompt and returns its text, in every layout.
func TestBuildPromptHeal(t *testing.T) {
	v := qwenLikeVocab()
	for _, layout := range []Layout{LayoutPSM, LayoutSPM, LayoutPrefixOnly} {
		parts := PromptParts{Prefix: "x := fo", Suffix: "\n"}
		plain := BuildPrompt(v, fimOf(v), layout, parts)
		parts.Heal = true
		healed := BuildPrompt(v, fimOf(v), layout, parts)
		if healed.Heal != "o" || len(healed.Tokens) != len(plain.Tokens)-1 {
			t.Errorf("%v: heal %q, %d tokens (plain %d)", layout, healed.Heal, len(healed.Tokens), len(plain.Tokens))
		}
	}
}

// TestBuildPromptLead: Prompt.Lead is the prefix's last tokens (the healed one left out), in every
// layout, and never the header's or the suffix's.
func TestBuildPromptLead(t *testing.T) {
	v := qwenLikeVocab()
	long := strings.Repeat("a", 40) // one token per byte in this vocabulary
	for _, layout := range []Layout{LayoutPSM, LayoutSPM, LayoutPrefixOnly} {
		for _, tc := range []struct {
			prefix string
			heal   bool
			want   string
		}{
			{"x := fo", false, "x := fo"},
			{"x := fo", true, "x := f"},
			{long, false, long[:leadTokens]},
			{"", false, ""},
		} {
			p := BuildPrompt(v, fimOf(v), layout, PromptParts{Header: "// h\n", Prefix: tc.prefix, Suffix: "zz\n", Heal: tc.heal})
			if got := v.Decode(p.Lead); got != tc.want {
				t.Errorf("%v %q heal %v: lead %q, want %q", layout, tc.prefix, tc.heal, got, tc.want)
			}
		}
	}
}
