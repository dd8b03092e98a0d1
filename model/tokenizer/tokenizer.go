// Package tokenizer implements the tokenizers of GGUF models from the file's
// own metadata, with the exact behaviour of llama.cpp (llama-vocab.cpp and
// unicode.cpp): byte-level BPE ("gpt2") with its pre-tokenizers, SentencePiece
// ("llama") with byte fallback, special-token splitting, detokenization and a
// streaming decoder.
//
// A Tokenizer is immutable after construction and safe for concurrent use.
package tokenizer

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
)

// Token attributes, as llama.cpp's llama_token_attr bits.
const (
	attrUnknown     uint16 = 1 << 0
	attrUnused      uint16 = 1 << 1
	attrNormal      uint16 = 1 << 2
	attrControl     uint16 = 1 << 3
	attrUserDefined uint16 = 1 << 4
	attrByte        uint16 = 1 << 5
	attrLStrip      uint16 = 1 << 7
	attrRStrip      uint16 = 1 << 8
)

// GGUF token types (tokenizer.ggml.token_type values).
const (
	TypeUndefined   = 0
	TypeNormal      = 1
	TypeUnknown     = 2
	TypeControl     = 3
	TypeUserDefined = 4
	TypeUnused      = 5
	TypeByte        = 6
)

type kind int

const (
	kindBPE kind = iota
	kindSPM
)

// Specials are the ids of the vocab's special tokens, -1 when absent.
type Specials struct {
	BOS, EOS, EOT, EOM, PAD, UNK, SEP              int32
	FIMPre, FIMSuf, FIMMid, FIMPad, FIMRep, FIMSep int32
	AddBOS, AddEOS                                 bool
}

// Tokenizer converts text to token ids and back.
type Tokenizer struct {
	kind           kind
	model, pre     string
	split          *preSplitter
	ignoreMerges   bool
	cleanSpaces    bool
	addSpacePrefix bool

	texts  []string
	attrs  []uint16
	scores []float32
	byText map[string]int32
	pieces []string // token_to_piece(id, special=true)

	bpe         *bpeModel
	byteToken   [256]int32 // SPM byte fallback tokens, -1 if missing
	spmIsolated [256]bool  // ASCII bytes no multi-byte token contains (see encodeSPM)

	special  Specials
	eog      map[int32]bool
	partList []int32 // special tokens by decreasing text length (llama.cpp's cache_special_tokens)

	scratch sync.Pool // *encodeScratch

	cacheMu sync.Mutex
	cache   map[string][]int32 // BPE word -> ids
}

// Vocab is the tokenizer metadata of a GGUF file as plain Go values; FromGGUF
// fills it from a file, and a trainer can fill it directly.
type Vocab struct {
	Model  string    // tokenizer.ggml.model: "gpt2" (byte-level BPE) or "llama" (SentencePiece)
	Pre    string    // tokenizer.ggml.pre
	Tokens []string  // tokenizer.ggml.tokens
	Types  []int32   // tokenizer.ggml.token_type (optional: all NORMAL)
	Scores []float32 // tokenizer.ggml.scores (SentencePiece)
	Merges []string  // tokenizer.ggml.merges (BPE), "left right" in GPT-2's byte alphabet
	Name   string    // general.name (llama.cpp keys a phi-3 quirk on it)

	// IDs holds the special token ids that are present, keyed by GGUF key
	// (e.g. "tokenizer.ggml.bos_token_id", ..._eos_, _eot_, _eom_, _unknown_,
	// _seperator_, _padding_, _mask_, _fim_{pre,suf,mid,pad,rep,sep}_ and the
	// older _prefix_/_suffix_/_middle_token_id).
	IDs map[string]uint64
	// Optional flags; nil means llama.cpp's default for the model/pre.
	AddBOS, AddEOS, AddSpacePrefix *bool
}

// specialKeys are the GGUF keys of special token ids, in llama.cpp's order
// (later keys win: the deprecated FIM keys override the new ones).
var specialKeys = []string{
	"tokenizer.ggml.bos_token_id",
	"tokenizer.ggml.eos_token_id",
	"tokenizer.ggml.eot_token_id",
	"tokenizer.ggml.eom_token_id",
	"tokenizer.ggml.unknown_token_id",
	"tokenizer.ggml.seperator_token_id",
	"tokenizer.ggml.padding_token_id",
	"tokenizer.ggml.mask_token_id",
	"tokenizer.ggml.fim_pre_token_id",
	"tokenizer.ggml.fim_suf_token_id",
	"tokenizer.ggml.fim_mid_token_id",
	"tokenizer.ggml.fim_pad_token_id",
	"tokenizer.ggml.fim_rep_token_id",
	"tokenizer.ggml.fim_sep_token_id",
	"tokenizer.ggml.prefix_token_id",
	"tokenizer.ggml.suffix_token_id",
	"tokenizer.ggml.middle_token_id",
}

// Token texts llama.cpp recognises when the ids are not in the metadata.
var (
	eotNames    = []string{"<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|end_of_text|>", "<EOT>", "_<EOT>", "[EOT]", "<｜end▁of▁sentence｜>", "<end_of_utterance>"}
	eomNames    = []string{"<|eom_id|>"}
	fimPreNames = []string{"<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>", "<｜fim▁begin｜>", "<PRE>", "▁<PRE>", "<|code_prefix|>", "<|prefix|>"}
	fimSufNames = []string{"<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>", "<｜fim▁hole｜>", "<SUF>", "▁<SUF>", "<|code_suffix|>", "<|suffix|>"}
	fimMidNames = []string{"<|fim_middle|>", "<fim-middle>", "<fim_middle>", "<｜fim▁end｜>", "<MID>", "▁<MID>", "<|code_middle|>", "<|middle|>"}
	fimPadNames = []string{"<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]"}
	fimRepNames = []string{"<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>"}
	fimSepNames = []string{"<|file_sep|>"}
	eogNames    = []string{"<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>", "<|flush|>", "<|calls|>", "<end_of_turn>", "<|endoftext|>", "<|eom_id|>", "<EOT>", "_<EOT>", "[EOT]", "[EOS]", "<|end_of_text|>", "<end_of_utterance>", "<eos>", "<turn|>", "<|tool_response>", "<｜end▁of▁sentence｜>", "[e~["}
	// Names llama.cpp does not know but weft's brief asks for; used only when
	// llama.cpp's own names found nothing (starcoder2, codellama).
	extraFimSep = []string{"<file_sep>"}
	extraEOT    = []string{"▁<EOT>"}
)

// New builds a tokenizer from vocab metadata with llama.cpp's load rules.
func New(v Vocab) (*Tokenizer, error) {
	t := &Tokenizer{model: v.Model, pre: v.Pre, cache: make(map[string][]int32)}
	n := len(v.Tokens)
	if n == 0 {
		return nil, errors.New("tokenizer: no tokens")
	}
	if n > 1<<30 {
		return nil, fmt.Errorf("tokenizer: %d tokens", n)
	}
	sp := Specials{BOS: -1, EOS: -1, EOT: -1, EOM: -1, PAD: -1, UNK: -1, SEP: -1, FIMPre: -1, FIMSuf: -1, FIMMid: -1, FIMPad: -1, FIMRep: -1, FIMSep: -1}
	switch v.Model {
	case "llama":
		t.kind = kindSPM
		sp.BOS, sp.EOS, sp.UNK = 1, 2, 0
		t.addSpacePrefix = true
		sp.AddBOS = true
		t.pre = "default"
	case "gpt2":
		t.kind = kindBPE
		sp.BOS, sp.EOS = 11, 11
		info, err := lookupPre(v.Pre)
		if err != nil {
			return nil, err
		}
		t.split, t.cleanSpaces, t.ignoreMerges = info.split, info.cleanSpaces, info.ignoreMerges
		sp.AddBOS = info.addBOS
		if info.noBOS {
			sp.BOS = -1
		}
	default:
		return nil, fmt.Errorf("tokenizer: unsupported tokenizer model %q", v.Model)
	}
	if v.AddSpacePrefix != nil {
		t.addSpacePrefix = *v.AddSpacePrefix
	}

	t.texts = make([]string, n)
	t.attrs = make([]uint16, n)
	t.scores = make([]float32, n)
	t.byText = make(map[string]int32, n)
	if v.Types != nil && len(v.Types) < n {
		return nil, fmt.Errorf("tokenizer: %d token types for %d tokens", len(v.Types), n)
	}
	if v.Scores != nil && len(v.Scores) < n {
		return nil, fmt.Errorf("tokenizer: %d scores for %d tokens", len(v.Scores), n)
	}
	for i, s := range v.Tokens {
		if s == "" {
			s = fmt.Sprintf("[EMPTY_%d]", i)
		}
		if j, dup := t.byText[s]; dup {
			return nil, fmt.Errorf("tokenizer: duplicate token %q (ids %d and %d)", s, j, i)
		}
		t.byText[s] = int32(i)
		t.texts[i] = s
		if v.Scores != nil {
			t.scores[i] = v.Scores[i]
		}
		t.attrs[i] = attrNormal
		if v.Types != nil {
			t.attrs[i] = typeAttr(v.Types[i])
		}
	}
	if t.kind == kindBPE {
		if v.Merges == nil {
			return nil, errors.New("tokenizer: byte-level BPE vocab without tokenizer.ggml.merges")
		}
		m, err := newBPEModel(v.Tokens, v.Merges, t.lookup)
		if err != nil {
			return nil, err
		}
		t.bpe = m
	} else {
		var inLong [256]bool
		for _, s := range t.texts {
			if len(s) > 1 {
				for i := 0; i < len(s); i++ {
					inLong[s[i]] = true
				}
			}
		}
		for b := 0; b < 0x80; b++ {
			t.spmIsolated[b] = !inLong[b]
		}
		for b := 0; b < 256; b++ {
			t.byteToken[b] = -1
			if id, ok := t.byText[fmt.Sprintf("<0x%02X>", b)]; ok {
				t.byteToken[b] = id
			} else if id, ok := t.byText[string([]byte{byte(b)})]; ok {
				t.byteToken[b] = id
			}
		}
	}

	// Special token ids: defaults out of range are disabled, keys override.
	fields := []*int32{&sp.BOS, &sp.EOS, &sp.EOT, &sp.EOM, &sp.UNK, &sp.SEP, &sp.PAD, nil,
		&sp.FIMPre, &sp.FIMSuf, &sp.FIMMid, &sp.FIMPad, &sp.FIMRep, &sp.FIMSep, &sp.FIMPre, &sp.FIMSuf, &sp.FIMMid}
	var mask int32 = -1
	for i, key := range specialKeys {
		p := fields[i]
		if p == nil {
			p = &mask
		}
		if *p >= int32(n) {
			*p = -1
		}
		if id, ok := v.IDs[key]; ok && id < uint64(n) {
			*p = int32(id)
		}
	}
	if v.AddBOS != nil {
		sp.AddBOS = *v.AddBOS
	}
	if v.AddEOS != nil {
		sp.AddEOS = *v.AddEOS
	}
	if sp.AddBOS && sp.BOS < 0 {
		return nil, errors.New("tokenizer: add_bos_token is true, but bos_token_id is not set")
	}
	if sp.AddEOS && sp.EOS < 0 {
		return nil, errors.New("tokenizer: add_eos_token is true, but eos_token_id is not set")
	}
	t.detectSpecials(&sp)
	t.special = sp

	for id := range t.texts {
		if t.attrs[id]&(attrControl|attrUserDefined|attrUnknown) != 0 {
			t.partList = append(t.partList, int32(id))
		}
	}
	sort.SliceStable(t.partList, func(a, b int) bool {
		return len(t.texts[t.partList[a]]) > len(t.texts[t.partList[b]])
	})
	t.pieces = make([]string, n)
	for id := range t.texts {
		t.pieces[id] = t.buildPiece(int32(id))
	}
	// llama.cpp's per-model attribute quirks (after the caches, as there).
	if name := strings.ToLower(v.Name); strings.Contains(name, "phi-3") || strings.Contains(name, "phi3") {
		for _, id := range t.partList {
			t.attrs[id] |= attrRStrip
		}
		if id, ok := t.byText["</s>"]; ok {
			t.attrs[id] |= attrRStrip
		}
		for _, s := range []string{"<unk>", "<s>", "<|endoftext|>"} {
			if id, ok := t.byText[s]; ok {
				t.attrs[id] &^= attrRStrip
			}
		}
	}
	t.scratch.New = func() any { return new(encodeScratch) }
	return t, nil
}

func typeAttr(tt int32) uint16 {
	switch tt {
	case TypeUnknown:
		return attrUnknown
	case TypeUnused:
		return attrUnused
	case TypeNormal:
		return attrNormal
	case TypeControl:
		return attrControl
	case TypeUserDefined:
		return attrUserDefined
	case TypeByte:
		return attrByte
	}
	return 0
}

func (t *Tokenizer) lookup(s string) (int32, bool) {
	id, ok := t.byText[s]
	return id, ok
}

// detectSpecials finds EOT/EOM/FIM tokens by their text when the metadata has
// no id, marks them CONTROL, and builds the end-of-generation set, as
// llama.cpp's vocab loader does. Candidates are visited in id order.
func (t *Tokenizer) detectSpecials(sp *Specials) {
	find := func(dst *int32, names []string) {
		if *dst >= 0 {
			return
		}
		best := int32(-1)
		for _, s := range names {
			if id, ok := t.byText[s]; ok && (best < 0 || id < best) {
				best = id
			}
		}
		if best >= 0 {
			*dst = best
			t.attrs[best] |= attrControl
		}
	}
	find(&sp.EOT, eotNames)
	find(&sp.EOM, eomNames)
	find(&sp.FIMPre, fimPreNames)
	find(&sp.FIMSuf, fimSufNames)
	find(&sp.FIMMid, fimMidNames)
	find(&sp.FIMPad, fimPadNames)
	find(&sp.FIMRep, fimRepNames)
	find(&sp.FIMSep, fimSepNames)
	find(&sp.FIMSep, extraFimSep)
	find(&sp.EOT, extraEOT)

	for id, s := range t.texts {
		if t.attrs[id]&attrControl != 0 && t.attrs[id]&attrUnused == 0 && strings.Contains(s, "unused") {
			t.attrs[id] |= attrUnused
		}
	}
	t.eog = make(map[int32]bool)
	for _, id := range []int32{sp.FIMPad, sp.FIMRep, sp.FIMSep} {
		if id >= 0 {
			t.eog[id] = true
		}
	}
	for _, s := range eogNames {
		if id, ok := t.byText[s]; ok {
			t.eog[id] = true
			t.attrs[id] |= attrControl
		}
	}
	for _, s := range []string{"<|channel|>", "<|message|>", "<|start|>", "<|constrain|>"} {
		if id, ok := t.byText[s]; ok {
			t.attrs[id] = attrUserDefined
		}
	}
	for _, id := range []int32{sp.EOS, sp.EOT, sp.EOM} {
		if id >= 0 {
			t.eog[id] = true
		}
	}
	has := func(s string) (int32, bool) {
		id, ok := t.byText[s]
		return id, ok && t.eog[id]
	}
	_, ret := has("<|return|>")
	_, call := has("<|call|>")
	_, calls := has("<|calls|>")
	_, flush := has("<|flush|>")
	if end, ok := has("<|end|>"); ok && ((ret && (call || calls)) || ((call || calls) && flush)) {
		delete(t.eog, end)
		t.attrs[end] = attrUserDefined
	}
}

// NumTokens is the vocab size.
func (t *Tokenizer) NumTokens() int { return len(t.texts) }

// Special returns the special token ids and flags.
func (t *Tokenizer) Special() Specials { return t.special }

// IsEOG reports whether id ends generation (EOS, EOT, EOM, FIM pad/repo/sep and
// the end tokens llama.cpp recognises by name).
func (t *Tokenizer) IsEOG(id int32) bool { return t.eog[id] }

// IsControl reports whether id is a CONTROL token.
func (t *Tokenizer) IsControl(id int32) bool {
	return id >= 0 && int(id) < len(t.attrs) && t.attrs[id]&attrControl != 0
}

// Text returns the vocab text of id ("" when out of range).
func (t *Tokenizer) Text(id int32) string {
	if id < 0 || int(id) >= len(t.texts) {
		return ""
	}
	return t.texts[id]
}

// TokenID returns the id of the token whose vocab text is s.
func (t *Tokenizer) TokenID(s string) (int32, bool) { return t.lookup(s) }

// Model and Pre return tokenizer.ggml.model and the pre-tokenizer in use.
func (t *Tokenizer) Model() string { return t.model }

// Pre returns the pre-tokenizer name (tokenizer.ggml.pre).
func (t *Tokenizer) Pre() string { return t.pre }
