package complete

import (
	"slices"
	"strings"
)

// Vocab is the part of a tokenizer the prompt builder needs. *tokenizer.Tokenizer implements it.
type Vocab interface {
	Encode(text string, addSpecial, parseSpecial bool) []int32
	Decode(ids []int32) string
	Piece(id int32) []byte
	IsEOG(id int32) bool
}

// FIMTokens are the control tokens of a vocabulary that a prompt may use; -1 when absent.
type FIMTokens struct {
	Pre, Suf, Mid, Pad, Rep, Sep int32
	BOS, EOS, EOT                int32
	AddBOS                       bool
}

// HasFIM reports whether the vocabulary has the three tokens infilling needs.
func (f FIMTokens) HasFIM() bool { return f.Pre >= 0 && f.Suf >= 0 && f.Mid >= 0 }

// stops returns the control tokens that end a completion besides the vocabulary's EOG set: a model that
// emits another FIM marker has finished the middle and started something else.
func (f FIMTokens) stops() []int32 {
	var out []int32
	for _, id := range []int32{f.Pre, f.Suf, f.Mid, f.Pad, f.Rep, f.Sep, f.EOS, f.EOT} {
		if id >= 0 {
			out = append(out, id)
		}
	}
	return out
}

// Family is a FIM prompt convention, recognised from the text of the vocabulary's FIM-prefix token.
type Family int

const (
	FamilyNone      Family = iota // no FIM tokens: prefix-only completion
	FamilyQwen                    // <|fim_prefix|> <|fim_suffix|> <|fim_middle|>, <|file_sep|> headers
	FamilyDeepSeek                // <｜fim▁begin｜> <｜fim▁hole｜> <｜fim▁end｜>
	FamilyCodeLlama               // <PRE> <SUF> <MID>
	FamilyStarCoder               // <fim_prefix> <fim_suffix> <fim_middle>
	FamilyOther                   // FIM ids present under other names; laid out like the common PSM form
	FamilyCodeGemma               // Qwen's <|fim_prefix|> <|fim_suffix|> <|fim_middle|>, files split by <|file_separator|>
)

func (f Family) String() string {
	return [...]string{"none", "qwen", "deepseek", "codellama", "starcoder", "other", "codegemma"}[f]
}

// DetectFamily names the convention of a vocabulary's FIM tokens.
func DetectFamily(v Vocab, f FIMTokens) Family {
	if !f.HasFIM() {
		return FamilyNone
	}
	pre := tokenText(v, f.Pre)
	switch {
	case strings.Contains(pre, "<|fim_prefix|>"):
		// CodeGemma uses the same three tokens (model card: "<|fim_prefix|>…<|fim_suffix|>…<|fim_middle|>")
		// and separates files with <|file_separator|>, which Qwen's vocabulary lacks.
		if t, ok := v.(interface{ TokenID(string) (int32, bool) }); ok {
			if _, has := t.TokenID("<|file_separator|>"); has {
				return FamilyCodeGemma
			}
		}
		return FamilyQwen
	case strings.Contains(pre, "fim▁begin"):
		return FamilyDeepSeek
	case strings.Contains(pre, "<PRE>"):
		return FamilyCodeLlama
	case strings.Contains(pre, "<fim_prefix>") || strings.Contains(pre, "<fim-prefix>"):
		return FamilyStarCoder
	}
	return FamilyOther
}

// tokenText returns the vocabulary text of a token; control tokens detokenize to nothing through
// Piece, so their text is read with Text or PieceSpecial when the vocabulary has them.
func tokenText(v Vocab, id int32) string {
	switch t := v.(type) {
	case interface{ Text(int32) string }:
		return t.Text(id)
	case interface{ PieceSpecial(int32) []byte }:
		return string(t.PieceSpecial(id))
	}
	return string(v.Piece(id))
}

// Layout is the order of the parts of a FIM prompt.
type Layout int

const (
	// LayoutPSM is prefix, suffix, middle: PRE header+prefix SUF suffix MID. Every FIM model is trained
	// on it. Typing at the cursor changes the prompt at the end of the prefix, so the suffix window and
	// the MID token are evaluated again on each keystroke: the suffix budget is kept small for that.
	LayoutPSM Layout = iota
	// LayoutSPM is suffix, prefix, middle: PRE SUF suffix MID header+prefix. Typing changes only the
	// prompt's tail, so nearly the whole prompt is reused; only for models trained on it (StarCoder,
	// Code Llama).
	LayoutSPM
	// LayoutPrefixOnly is header+prefix, for vocabularies without FIM tokens.
	LayoutPrefixOnly
)

func (l Layout) String() string { return [...]string{"psm", "spm", "prefix"}[l] }

// DefaultLayout is the layout used for a family when the engine's configuration does not choose one.
// PSM is the safe default: it is the form every FIM model was trained on.
func DefaultLayout(f Family) Layout {
	if f == FamilyNone {
		return LayoutPrefixOnly
	}
	return LayoutPSM
}

// SupportsSPM reports whether a family's models were trained on the SPM order too.
func SupportsSPM(f Family) bool { return f == FamilyStarCoder || f == FamilyCodeLlama }

// PromptParts are the texts a prompt is made of.
type PromptParts struct {
	Path        string // file path (relative), "" when unknown
	LineComment string // the language's line comment, for the path line of non-Qwen prompts
	Header      string // repo-map comment block, ending in "\n", or ""
	Prefix      string // text before the cursor (window)
	Suffix      string // text after the cursor (window)
	// Heal leaves the prefix's last token out of the prompt; its text is then Prompt.Heal, for the
	// model to generate again (token healing).
	Heal bool
	// Repo and Files are the repository's name and files beside the document, laid out before it
	// with the repo-level tokens of models that have them (<|repo_name|>, <|file_sep|>); ignored
	// for other vocabularies.
	Repo  string
	Files []Neighbor
}

// Prompt is a built prompt.
type Prompt struct {
	Tokens []int32
	Family Family
	Layout Layout
	Heal   string // the text of the prefix token left out (PromptParts.Heal), "" if none
	// Lead is the prefix's last tokens in the prompt (at most leadTokens; the healed one left out):
	// the left context a completion continues, whatever the layout puts after it.
	Lead []int32
	// LeadAll: Lead holds the whole prefix.
	LeadAll bool
}

// leadTokens bounds Prompt.Lead.
const leadTokens = 16

// BuildPrompt lays out parts as token ids. Texts are encoded with special-token parsing off, and control
// tokens are inserted by id, so code that contains "<|fim_prefix|>" cannot inject a control token. Each
// part is encoded on its own: the header's and prefix's tokens then do not depend on each other, which
// keeps the prompt's token prefix stable while the user types.
func BuildPrompt(v Vocab, f FIMTokens, layout Layout, p PromptParts) Prompt {
	fam := DetectFamily(v, f)
	if !f.HasFIM() {
		layout = LayoutPrefixOnly
	}
	var ids []int32
	enc := func(s string) {
		if s != "" {
			ids = append(ids, v.Encode(s, false, false)...)
		}
	}
	tok := func(id int32) { ids = append(ids, id) }
	if f.AddBOS && f.BOS >= 0 {
		tok(f.BOS)
	}
	// The path goes into Qwen's <|file_sep|> header when the vocabulary has it, otherwise into a comment
	// line at the top of the file text.
	pathLine := ""
	if p.Path != "" {
		if fam == FamilyQwen && f.Sep >= 0 && layout != LayoutPrefixOnly {
			// Qwen2.5-Coder's repository-level format (model card, "repository level code completion"):
			// <|repo_name|>{repo}\n<|file_sep|>{path}\n{content}\n ... <|file_sep|>{path}\n, then the FIM prompt.
			if len(p.Files) > 0 && f.Rep >= 0 {
				tok(f.Rep)
				enc(p.Repo + "\n")
				for _, n := range p.Files {
					tok(f.Sep)
					enc(n.Path + "\n")
					enc(strings.TrimRight(string(n.Text), "\n") + "\n")
				}
			}
			tok(f.Sep)
			enc(p.Path + "\n")
		} else if p.LineComment != "" {
			pathLine = p.LineComment + " Path: " + p.Path + "\n"
		}
	}
	heal := ""
	var lead []int32
	leadAll := false
	head := func() {
		enc(pathLine)
		enc(p.Header)
		start := len(ids)
		defer func() {
			from := max(start, len(ids)-leadTokens)
			lead, leadAll = slices.Clone(ids[from:]), from == start
		}()
		if !p.Heal || p.Prefix == "" {
			enc(p.Prefix)
			return
		}
		pre := v.Encode(p.Prefix, false, false)
		if n := len(pre); n > 0 {
			if last := v.Piece(pre[n-1]); len(last) > 0 {
				heal, pre = string(last), pre[:n-1]
			}
		}
		ids = append(ids, pre...)
	}
	switch layout {
	case LayoutPrefixOnly:
		head()
	case LayoutSPM:
		tok(f.Pre)
		tok(f.Suf)
		enc(p.Suffix)
		tok(f.Mid)
		head()
	default:
		tok(f.Pre)
		head()
		tok(f.Suf)
		enc(p.Suffix)
		tok(f.Mid)
	}
	return Prompt{Tokens: ids, Family: fam, Layout: layout, Heal: heal, Lead: lead, LeadAll: leadAll}
}
