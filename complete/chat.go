package complete

import (
	"strings"

	"github.com/weft-dev/weft/model"
	"github.com/weft-dev/weft/model/gguf"
)

// ChatTemplate is the prompt convention of an instruction-tuned model, recognised from the
// Jinja text of its tokenizer.chat_template the way llama.cpp's llm_chat_detect_template
// (src/llama-chat.cpp) does: by distinctive markers, not by running the template.
type ChatTemplate int

const (
	ChatNone       ChatTemplate = iota // no template: a base model, completion prompts only
	ChatML                             // <|im_start|>role\n…<|im_end|> (Qwen2.5, ChatML)
	ChatLlama3                         // <|start_header_id|>role<|end_header_id|>\n\n…<|eot_id|>
	ChatDeepSeek                       // ### Instruction:\n…\n### Response:\n (DeepSeek-Coder instruct)
	ChatGemma                          // <start_of_turn>user\n…<end_of_turn>\n<start_of_turn>model\n
	ChatMistral                        // [INST] … [/INST] (Mistral, Llama 2)
	ChatStarCoder2                     // ### Instruction\n…\n\n### Response\n (StarCoder2-Instruct)
	ChatPhi3                           // <|user|>\n…<|end|>\n<|assistant|>\n
	ChatPhi4                           // <|im_start|>user<|im_sep|>…<|im_end|>
	ChatUnknown                        // a template weft does not recognise
)

func (t ChatTemplate) String() string {
	return [...]string{"none", "chatml", "llama3", "deepseek-coder", "gemma", "mistral", "starcoder2-instruct", "phi3", "phi4", "unknown"}[t]
}

// DetectChatTemplate names the convention of a tokenizer.chat_template text ("" is ChatNone). The
// tests follow llm_chat_detect_template's order, so a template matching several markers gets the
// same answer as in llama.cpp; StarCoder2-Instruct, which llama.cpp does not name, is recognised by
// its "### Instruction" heading without a colon.
func DetectChatTemplate(tmpl string) ChatTemplate {
	has := func(s string) bool { return strings.Contains(tmpl, s) }
	switch {
	case strings.TrimSpace(tmpl) == "":
		return ChatNone
	case has("<|im_start|>"):
		if has("<|im_sep|>") {
			return ChatPhi4
		}
		return ChatML
	case strings.HasPrefix(tmpl, "mistral") || has("[INST]"):
		return ChatMistral
	case has("<|assistant|>") && has("<|end|>"):
		return ChatPhi3
	case has("<start_of_turn>"):
		return ChatGemma
	case has("### Instruction:") && has("<|EOT|>"):
		return ChatDeepSeek
	case has("<|start_header_id|>") && has("<|end_header_id|>"):
		return ChatLlama3
	case has("### Instruction\\n") || has("### Instruction\n"):
		return ChatStarCoder2
	}
	return ChatUnknown
}

// ChatPart is a piece of a chat prompt: Markup is the template's own text, whose control tokens
// ("<|im_start|>") are encoded as special tokens; other parts are the caller's content, encoded
// as plain text so that code containing "<|im_end|>" cannot end a turn.
type ChatPart struct {
	Text   string
	Markup bool
}

// Chat lays out one system message, one user message and the start of the assistant's answer
// (prefill, which the model continues) in template t. The layouts are the ones the model cards
// publish (cited per case) and that llama.cpp's llm_chat_apply_template produces.
func (t ChatTemplate) Chat(system, user, prefill string) []ChatPart {
	m := func(s string) ChatPart { return ChatPart{Text: s, Markup: true} }
	c := func(s string) ChatPart { return ChatPart{Text: s} }
	var p []ChatPart
	switch t {
	case ChatML:
		// Qwen2.5-Coder-Instruct model card (huggingface.co/Qwen/Qwen2.5-Coder-1.5B-Instruct, "Quickstart"):
		// <|im_start|>system\n{system}<|im_end|>\n<|im_start|>user\n{prompt}<|im_end|>\n<|im_start|>assistant\n
		if system != "" {
			p = append(p, m("<|im_start|>system\n"), c(system), m("<|im_end|>\n"))
		}
		p = append(p, m("<|im_start|>user\n"), c(user), m("<|im_end|>\n<|im_start|>assistant\n"))
	case ChatPhi4:
		// Phi-4 model card: <|im_start|>system<|im_sep|>…<|im_end|><|im_start|>user<|im_sep|>…<|im_end|><|im_start|>assistant<|im_sep|>
		if system != "" {
			p = append(p, m("<|im_start|>system<|im_sep|>"), c(system), m("<|im_end|>"))
		}
		p = append(p, m("<|im_start|>user<|im_sep|>"), c(user), m("<|im_end|><|im_start|>assistant<|im_sep|>"))
	case ChatLlama3:
		// Meta Llama 3 model card ("Prompt format"): <|start_header_id|>{role}<|end_header_id|>\n\n{content}<|eot_id|>,
		// ending in the assistant's header; <|begin_of_text|> is the BOS token, added by the tokenizer.
		if system != "" {
			p = append(p, m("<|start_header_id|>system<|end_header_id|>\n\n"), c(system), m("<|eot_id|>"))
		}
		p = append(p, m("<|start_header_id|>user<|end_header_id|>\n\n"), c(user), m("<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n"))
	case ChatDeepSeek:
		// deepseek-coder-6.7b-instruct model card and tokenizer_config.json: {system}\n### Instruction:\n{prompt}\n### Response:\n
		// (BOS <｜begin▁of▁sentence｜> added by the tokenizer).
		if system != "" {
			p = append(p, c(system), m("\n"))
		}
		p = append(p, m("### Instruction:\n"), c(user), m("\n### Response:\n"))
	case ChatGemma:
		// CodeGemma / Gemma model card: <start_of_turn>user\n{prompt}<end_of_turn>\n<start_of_turn>model\n; Gemma has no
		// system role, so the system text opens the user turn (as llama.cpp does).
		if system != "" {
			user = system + "\n\n" + user
		}
		p = append(p, m("<start_of_turn>user\n"), c(user), m("<end_of_turn>\n<start_of_turn>model\n"))
	case ChatMistral:
		// Mistral-7B-Instruct model card: <s>[INST] {prompt} [/INST]; the system text leads the first instruction.
		if system != "" {
			user = system + "\n\n" + user
		}
		p = append(p, m("[INST] "), c(user), m(" [/INST]"))
	case ChatStarCoder2:
		// bigcode/starcoder2-15b-instruct-v0.1 model card: {system}\n\n### Instruction\n{instruction}\n\n### Response\n
		if system != "" {
			p = append(p, c(system), m("\n\n"))
		}
		p = append(p, m("### Instruction\n"), c(user), m("\n\n### Response\n"))
	case ChatPhi3:
		// Phi-3 model card: <|system|>\n…<|end|>\n<|user|>\n…<|end|>\n<|assistant|>\n
		if system != "" {
			p = append(p, m("<|system|>\n"), c(system), m("<|end|>\n"))
		}
		p = append(p, m("<|user|>\n"), c(user), m("<|end|>\n<|assistant|>\n"))
	default:
		// No template: a plain completion prompt.
		if system != "" {
			p = append(p, c(system+"\n\n"))
		}
		p = append(p, c(user))
		if prefill != "" && !strings.HasSuffix(user, "\n") {
			p = append(p, c("\n"))
		}
	}
	if prefill != "" {
		p = append(p, c(prefill))
	}
	return p
}

// EncodeChat turns chat parts into token ids: markup with special-token parsing on, content
// with it off. bos, when >= 0, is put first (for vocabularies that add one).
func EncodeChat(v Vocab, parts []ChatPart, bos int32) []int32 {
	var ids []int32
	if bos >= 0 {
		ids = append(ids, bos)
	}
	for _, p := range parts {
		if p.Text != "" {
			ids = append(ids, v.Encode(p.Text, false, p.Markup)...)
		}
	}
	return ids
}

// ChatText joins chat parts (for logs and golden tests).
func ChatText(parts []ChatPart) string {
	var b strings.Builder
	for _, p := range parts {
		b.WriteString(p.Text)
	}
	return b.String()
}

// Capabilities is what a model's metadata says it can do.
type Capabilities struct {
	FIM        Family       // the FIM convention of its tokens (FamilyNone: no infilling)
	RepoLevel  bool         // it has <|repo_name|> and <|file_sep|>: several files in one prompt
	Chat       ChatTemplate // its chat template (ChatNone: none)
	Instruct   bool         // instruction-tuned: edits and translation get chat prompts
	Name       string       // general.name
	Embedded   bool         // weft's own small model (set by the caller)
	SPMTrained bool         // trained on suffix-prefix-middle as well as PSM (weft's own models say so in their card)
	// ChatFromName: the file has no tokenizer.chat_template; Chat is its family's, chosen by its name.
	ChatFromName bool
}

// chatFromName is the published chat template of an instruct model's family, by its name.
func chatFromName(n string) ChatTemplate {
	switch {
	case strings.Contains(n, "deepseek"):
		return ChatDeepSeek
	case strings.Contains(n, "qwen"):
		return ChatML
	case strings.Contains(n, "gemma"):
		return ChatGemma
	case strings.Contains(n, "starcoder"):
		return ChatStarCoder2
	case strings.Contains(n, "llama-3") || strings.Contains(n, "llama3"):
		return ChatLlama3
	case strings.Contains(n, "mistral") || strings.Contains(n, "codellama") || strings.Contains(n, "llama-2"):
		return ChatMistral
	case strings.Contains(n, "phi-3") || strings.Contains(n, "phi3"):
		return ChatPhi3
	}
	return ChatNone
}

// String is a one-line summary, e.g. "FIM (qwen, repo-level), instruct (chatml)".
func (c Capabilities) String() string {
	var parts []string
	if c.FIM != FamilyNone {
		s := "FIM (" + c.FIM.String()
		if c.RepoLevel {
			s += ", repo-level"
		}
		parts = append(parts, s+")")
	} else {
		parts = append(parts, "completion (no FIM)")
	}
	switch {
	case c.Instruct && c.ChatFromName:
		parts = append(parts, "instruct ("+c.Chat.String()+", by its name: the file has no chat template)")
	case c.Instruct:
		parts = append(parts, "instruct ("+c.Chat.String()+")")
	case c.Chat != ChatNone:
		parts = append(parts, "base (has a "+c.Chat.String()+" template; used as a base model)")
	default:
		parts = append(parts, "base")
	}
	return strings.Join(parts, ", ")
}

// isInstructName reports whether a model's names say it was instruction-tuned. Base checkpoints
// often carry a chat template too (Qwen2.5-Coder's base models ship ChatML), so the template
// alone does not make a model instruct.
func isInstructName(names ...string) bool {
	for _, n := range names {
		n = strings.ToLower(n)
		if strings.Contains(n, "instruct") || strings.Contains(n, "chat") || strings.HasSuffix(n, "-it") || strings.Contains(n, "-it-") {
			return true
		}
	}
	return false
}

// capabilities decides from the pieces of metadata both readers have.
func capabilities(tmpl, name, finetune, basename, trainer string, fam Family, repo bool) Capabilities {
	c := Capabilities{FIM: fam, RepoLevel: repo, Chat: DetectChatTemplate(tmpl), Name: name}
	if c.Chat == ChatNone && isInstructName(name, finetune, basename) {
		// GGUFs converted before llama.cpp stored tokenizer.chat_template (late 2023, e.g. TheBloke's
		// deepseek-coder-instruct) have none: the family's published template is used.
		c.Chat, c.ChatFromName = chatFromName(strings.ToLower(name+" "+basename)), true
	}
	c.Instruct = c.Chat != ChatNone && c.Chat != ChatUnknown && isInstructName(name, finetune, basename)
	c.SPMTrained = strings.Contains(trainer, "SPM")
	return c
}

// ModelCapabilities reads a loaded model's capabilities from its metadata and tokens.
func ModelCapabilities(m *model.Model) Capabilities {
	get := func(k string) string { s, _ := m.MetaString(k); return s }
	tok := m.Tokenizer()
	f := FIMFromSpecials(tok.Special())
	fam := DetectFamily(tok, f)
	_, hasRepo := tok.TokenID("<|repo_name|>")
	_, hasSep := tok.TokenID("<|file_sep|>")
	return capabilities(get("tokenizer.chat_template"), get("general.name"), get("general.finetune"), get("general.basename"),
		get("weft.card.trainer"), fam, hasRepo && hasSep)
}

// ReadCapabilities reads a GGUF file's capabilities from its metadata without loading the model
// (weft model list).
func ReadCapabilities(f *gguf.File) Capabilities {
	get := func(k string) string { s, _ := f.String(k); return s }
	toks, _ := f.Strings("tokenizer.ggml.tokens")
	have := map[string]bool{}
	for _, t := range toks {
		if strings.HasPrefix(t, "<") || strings.HasPrefix(t, "▁<") {
			have[t] = true
		}
	}
	fam := FamilyNone
	switch {
	case have["<|fim_prefix|>"] && have["<|fim_suffix|>"] && have["<|fim_middle|>"] && have["<|file_separator|>"]:
		fam = FamilyCodeGemma
	case have["<|fim_prefix|>"] && have["<|fim_suffix|>"] && have["<|fim_middle|>"]:
		fam = FamilyQwen
	case have["<｜fim▁begin｜>"] && have["<｜fim▁hole｜>"] && have["<｜fim▁end｜>"]:
		fam = FamilyDeepSeek
	case (have["<PRE>"] || have["▁<PRE>"]) && (have["<SUF>"] || have["▁<SUF>"]) && (have["<MID>"] || have["▁<MID>"]):
		fam = FamilyCodeLlama
	case have["<fim_prefix>"] && have["<fim_suffix>"] && have["<fim_middle>"]:
		fam = FamilyStarCoder
	}
	return capabilities(get("tokenizer.chat_template"), get("general.name"), get("general.finetune"), get("general.basename"),
		get("weft.card.trainer"), fam, have["<|repo_name|>"] && have["<|file_sep|>"])
}
