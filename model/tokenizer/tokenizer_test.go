package tokenizer

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/weft-dev/weft/internal/refdata"
	"github.com/weft-dev/weft/model/gguf"
)

// sharedDir locates the reference data (../shared next to the repository root, or $WEFT_SHARED).
func sharedDir(t testing.TB) string { return refdata.Dir(t) }

func missing(t testing.TB, msg string) { t.Helper(); refdata.Missing(t, msg) }

var (
	vocabMu    sync.Mutex
	vocabCache = map[string]*Tokenizer{}
)

// loadVocab loads (once per test binary) the tokenizer of a vocab GGUF.
func loadVocab(t testing.TB, path string) *Tokenizer {
	t.Helper()
	vocabMu.Lock()
	defer vocabMu.Unlock()
	if tk, ok := vocabCache[path]; ok {
		return tk
	}
	f, err := gguf.Open(path)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer f.Close()
	tk, err := FromGGUF(f)
	if err != nil {
		t.Fatalf("load %s: %v", path, err)
	}
	vocabCache[path] = tk
	return tk
}

// vocabPath finds the GGUF of a vocab name ("qwen2", "gpt-2", ...).
func vocabPath(shared, name string) string {
	for _, p := range []string{
		filepath.Join(shared, "testdata", "tokenizer", "ggml-vocab-"+name+".gguf"),
		filepath.Join(shared, "testdata", "parity", "tokenizer", "ggml-vocab-"+name+".gguf"),
	} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

func idsString(ids []int32) string {
	var b strings.Builder
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strconv.Itoa(int(id)))
	}
	return b.String()
}

// TestLlamaCppVocabPairs runs llama.cpp's own tests (tests/test-tokenizer-0):
// inputs separated by "\n__ggml_vocab_test__\n", one line of ids per input,
// encoded with add_special=false, parse_special=false.
func TestLlamaCppVocabPairs(t *testing.T) {
	shared := sharedDir(t)
	inps, err := filepath.Glob(filepath.Join(shared, "testdata", "tokenizer", "*.gguf.inp"))
	if err != nil || len(inps) == 0 {
		missing(t, "no *.gguf.inp files in "+shared)
	}
	for _, inp := range inps {
		name := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(inp), "ggml-vocab-"), ".gguf.inp")
		t.Run(name, func(t *testing.T) {
			vp := vocabPath(shared, name)
			if vp == "" {
				t.Skipf("no vocab GGUF for %s: skipping its %s pair", name, filepath.Base(inp))
			}
			tk := loadVocab(t, vp)
			inRaw, err := os.ReadFile(inp)
			if err != nil {
				t.Fatal(err)
			}
			outRaw, err := os.ReadFile(strings.TrimSuffix(inp, ".inp") + ".out")
			if err != nil {
				t.Fatal(err)
			}
			inputs := strings.Split(string(inRaw), "\n__ggml_vocab_test__\n")
			if inputs[len(inputs)-1] == "" {
				inputs = inputs[:len(inputs)-1]
			}
			lines := strings.Split(strings.TrimSuffix(string(outRaw), "\n"), "\n")
			if len(lines) != len(inputs) {
				t.Fatalf("%d inputs but %d output lines", len(inputs), len(lines))
			}
			for i, text := range inputs {
				want := strings.TrimSpace(lines[i])
				got := idsString(tk.Encode(text, false, false))
				if got != want {
					t.Fatalf("case %d %q:\nwant %s\ngot  %s", i, text, want, got)
				}
			}
			t.Logf("%s: %d/%d cases match", name, len(inputs), len(inputs))
		})
	}
}

type refFile struct {
	VocabFile string `json:"vocab_file"`
	Model     string `json:"tokenizer_model"`
	Pre       string `json:"tokenizer_pre"`
	NTokens   int    `json:"n_tokens"`
	BOS       int32  `json:"bos_id"`
	EOS       int32  `json:"eos_id"`
	AddBOS    *bool  `json:"add_bos"`
	Cases     []struct {
		Index      int     `json:"index"`
		Text       string  `json:"text"`
		IDs        []int32 `json:"ids"`
		IDsDefault []int32 `json:"ids_default"`
	} `json:"cases"`
}

// TestParityTokens checks the 40 strings x 7 vocabs of the parity data, with
// (add_special, parse_special) = (false, false) and (true, true), and that
// decoding gives the text back where llama.cpp's detokenizer does.
func TestParityTokens(t *testing.T) {
	shared := sharedDir(t)
	files, _ := filepath.Glob(filepath.Join(shared, "testdata", "parity", "tokenizer", "tokens-*.json"))
	if len(files) == 0 {
		missing(t, "no tokens-*.json in "+shared)
	}
	for _, file := range files {
		name := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(file), "tokens-"), ".json")
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var ref refFile
			if err := json.Unmarshal(raw, &ref); err != nil {
				t.Fatal(err)
			}
			vp := vocabPath(shared, strings.TrimSuffix(strings.TrimPrefix(ref.VocabFile, "ggml-vocab-"), ".gguf"))
			if vp == "" {
				t.Fatalf("vocab %s not found", ref.VocabFile)
			}
			tk := loadVocab(t, vp)
			if tk.NumTokens() != ref.NTokens {
				t.Fatalf("n_tokens %d, want %d", tk.NumTokens(), ref.NTokens)
			}
			sp := tk.Special()
			if sp.BOS != ref.BOS || sp.EOS != ref.EOS {
				t.Fatalf("bos/eos %d/%d, want %d/%d", sp.BOS, sp.EOS, ref.BOS, ref.EOS)
			}
			if ref.AddBOS != nil && sp.AddBOS != *ref.AddBOS {
				t.Fatalf("add_bos %v, want %v", sp.AddBOS, *ref.AddBOS)
			}
			roundTrips := 0
			for _, c := range ref.Cases {
				if got := tk.Encode(c.Text, false, false); idsString(got) != idsString(c.IDs) {
					t.Fatalf("case %d %q ids (false,false):\nwant %v\ngot  %v", c.Index, c.Text, c.IDs, got)
				}
				if got := tk.Encode(c.Text, true, true); idsString(got) != idsString(c.IDsDefault) {
					t.Fatalf("case %d %q ids_default (true,true):\nwant %v\ngot  %v", c.Index, c.Text, c.IDsDefault, got)
				}
				// Decoding: the raw pieces must give the text back exactly; Decode
				// (llama_detokenize) may differ only by its clean-up of spaces.
				raw := string(tk.detokenize(c.IDs, false, false, false))
				if raw != c.Text {
					t.Fatalf("case %d: pieces of %v give %q, want %q", c.Index, c.IDs, raw, c.Text)
				}
				if dec := tk.Decode(c.IDs); dec == c.Text {
					roundTrips++
				} else if !tk.cleanSpaces || string(cleanSpaces([]byte(c.Text))) != dec {
					t.Fatalf("case %d: Decode gives %q, want %q", c.Index, dec, c.Text)
				}
			}
			t.Logf("%s: %d cases match; Decode round-trips %d (the rest differ only by llama.cpp's clean_spaces)", name, len(ref.Cases), roundTrips)
		})
	}
}

func TestStreamDecoder(t *testing.T) {
	shared := sharedDir(t)
	vp := vocabPath(shared, "qwen2")
	if vp == "" {
		missing(t, "qwen2 vocab not found")
	}
	tk := loadVocab(t, vp)
	for _, text := range []string{"héllo wörld 变量 🦙🚀 ok", "👨‍👩‍👧‍👦 Größe\n", "plain ascii"} {
		ids := tk.Encode(text, false, false)
		d := tk.NewStreamDecoder()
		var b strings.Builder
		for _, id := range ids {
			s := d.Push(id)
			if !utf8.ValidString(s) {
				t.Fatalf("%q: Push emitted invalid UTF-8 %q", text, s)
			}
			b.WriteString(s)
		}
		b.WriteString(d.Flush())
		if b.String() != text {
			t.Fatalf("stream gives %q, want %q", b.String(), text)
		}
	}
}

// TestSpecials checks the special ids read from the qwen2 vocab's metadata.
func TestSpecials(t *testing.T) {
	shared := sharedDir(t)
	vp := vocabPath(shared, "qwen2")
	if vp == "" {
		missing(t, "qwen2 vocab not found")
	}
	tk := loadVocab(t, vp)
	sp := tk.Special()
	want := Specials{BOS: 151643, EOS: 151645, PAD: 151643, FIMPre: 151659, FIMSuf: 151661, FIMMid: 151660, FIMPad: 151662, FIMRep: 151663, FIMSep: 151664}
	got := fmt.Sprintf("%d %d %d %d %d %d %d %d %d", sp.BOS, sp.EOS, sp.PAD, sp.FIMPre, sp.FIMSuf, sp.FIMMid, sp.FIMPad, sp.FIMRep, sp.FIMSep)
	exp := fmt.Sprintf("%d %d %d %d %d %d %d %d %d", want.BOS, want.EOS, want.PAD, want.FIMPre, want.FIMSuf, want.FIMMid, want.FIMPad, want.FIMRep, want.FIMSep)
	if got != exp {
		t.Fatalf("specials %s, want %s", got, exp)
	}
	for _, id := range []int32{151643, 151645, 151662, 151663, 151664} {
		if !tk.IsEOG(id) {
			t.Errorf("%d (%q) is not EOG", id, tk.Text(id))
		}
	}
	if tk.IsEOG(151659) || !tk.IsControl(151659) {
		t.Errorf("fim_prefix: eog %v control %v", tk.IsEOG(151659), tk.IsControl(151659))
	}
}

// TestParityPrompts checks the prompt ids of the logits references
// (llama-tokenize defaults: add_special and parse_special on).
func TestParityPrompts(t *testing.T) {
	shared := sharedDir(t)
	raw, err := os.ReadFile(filepath.Join(shared, "testdata", "parity", "prompts", "prompts.json"))
	if err != nil {
		missing(t, err.Error())
	}
	var ref struct {
		Prompts []struct {
			Name string             `json:"name"`
			Text string             `json:"text"`
			IDs  map[string][]int32 `json:"ids"`
		} `json:"prompts"`
	}
	if err := json.Unmarshal(raw, &ref); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, p := range ref.Prompts {
		for key, want := range p.IDs {
			file, _, _ := strings.Cut(key, " ")
			vp := vocabPath(shared, strings.TrimSuffix(strings.TrimPrefix(file, "ggml-vocab-"), ".gguf"))
			if vp == "" {
				t.Fatalf("vocab of %q not found", key)
			}
			if got := loadVocab(t, vp).Encode(p.Text, true, true); idsString(got) != idsString(want) {
				t.Fatalf("%s with %s:\nwant %v\ngot  %v", p.Name, file, want, got)
			}
			n++
		}
	}
	if n == 0 {
		t.Fatal("no prompt ids checked")
	}
}

// DeepSeek-Coder has no FIM keys: the tokens are found by their text.
func TestSpecialsDeepSeekCoder(t *testing.T) {
	shared := sharedDir(t)
	vp := vocabPath(shared, "deepseek-coder")
	if vp == "" {
		missing(t, "deepseek-coder vocab not found")
	}
	tk := loadVocab(t, vp)
	sp := tk.Special()
	for _, c := range []struct {
		got  int32
		text string
	}{{sp.FIMPre, "<｜fim▁begin｜>"}, {sp.FIMSuf, "<｜fim▁hole｜>"}, {sp.FIMMid, "<｜fim▁end｜>"}} {
		id, ok := tk.TokenID(c.text)
		if !ok || c.got != id || !tk.IsControl(id) {
			t.Errorf("%s: special id %d, vocab id %d (found %v), control %v", c.text, c.got, id, ok, tk.IsControl(id))
		}
	}
	if !sp.AddBOS || sp.BOS != 32013 || !tk.IsEOG(sp.EOS) {
		t.Errorf("specials %+v", sp)
	}
	// With parse_special the FIM markers become single tokens.
	ids := tk.Encode("<｜fim▁begin｜>a<｜fim▁hole｜>b<｜fim▁end｜>", false, true)
	if len(ids) != 5 || ids[0] != sp.FIMPre || ids[2] != sp.FIMSuf || ids[4] != sp.FIMMid {
		t.Errorf("FIM prompt ids %v", ids)
	}
}
