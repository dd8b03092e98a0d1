package complete

import (
	"slices"
	"testing"
)

// Template texts as the models publish them in tokenizer_config.json (abridged to the markers
// that decide; the full Jinja is long).
const (
	tmplQwen       = "{%- for message in messages %}{{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' + '\\n' }}{%- endfor %}{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}"
	tmplDeepSeek   = "{% if not ns.found %}{{'You are an AI programming assistant, utilizing the Deepseek Coder model...\\n'}}{% endif %}{% for message in messages %}{% if message['role'] == 'user' %}{{'### Instruction:\\n' + message['content'] + '\\n'}}{% else %}{{'### Response:\\n' + message['content'] + '\\n<|EOT|>\\n'}}{% endif %}{% endfor %}{{'### Response:'}}"
	tmplLlama3     = "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim + '<|eot_id|>' %}{{ content }}{% endfor %}"
	tmplGemma      = "{{ bos_token }}{% for message in messages %}{{ '<start_of_turn>' + role + '\\n' + message['content'] | trim + '<end_of_turn>\\n' }}{% endfor %}{% if add_generation_prompt %}{{'<start_of_turn>model\\n'}}{% endif %}"
	tmplMistral    = "{{ bos_token }}{% for message in messages %}{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}{% endif %}{% endfor %}"
	tmplStarCoder2 = "{{bos_token}}{{'You are an exceptionally intelligent coding assistant...\\n\\n'}}{%- for message in messages %}{{ '### Instruction\\n' + message['content'] + '\\n\\n' }}{% endfor %}{{'### Response\\n'}}"
	tmplPhi3       = "{% for message in messages %}{{'<|' + message['role'] + '|>' + '\\n' + message['content'] + '<|end|>\\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|assistant|>\\n' }}{% endif %}"
	tmplPhi4       = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '<|im_sep|>'+ message['content'] + '<|im_end|>'}}{% endfor %}"
)

func TestDetectChatTemplate(t *testing.T) {
	tests := []struct {
		tmpl string
		want ChatTemplate
	}{
		{"", ChatNone},
		{tmplQwen, ChatML},
		{tmplDeepSeek, ChatDeepSeek},
		{tmplLlama3, ChatLlama3},
		{tmplGemma, ChatGemma},
		{tmplMistral, ChatMistral},
		{tmplStarCoder2, ChatStarCoder2},
		{tmplPhi3, ChatPhi3},
		{tmplPhi4, ChatPhi4},
		{"{{ messages }}", ChatUnknown},
	}
	for _, tt := range tests {
		if got := DetectChatTemplate(tt.tmpl); got != tt.want {
			t.Errorf("DetectChatTemplate(%.40q) = %v, want %v", tt.tmpl, got, tt.want)
		}
	}
}

// TestChatGolden checks each template's prompt text against the layout its model card publishes
// (the card is cited beside each case in Chat).
func TestChatGolden(t *testing.T) {
	const sys, user, pre = "SYS", "Write f.", "```py\n"
	tests := []struct {
		t    ChatTemplate
		want string
	}{
		{ChatML, "<|im_start|>system\nSYS<|im_end|>\n<|im_start|>user\nWrite f.<|im_end|>\n<|im_start|>assistant\n```py\n"},
		{ChatLlama3, "<|start_header_id|>system<|end_header_id|>\n\nSYS<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nWrite f.<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n```py\n"},
		{ChatDeepSeek, "SYS\n### Instruction:\nWrite f.\n### Response:\n```py\n"},
		{ChatGemma, "<start_of_turn>user\nSYS\n\nWrite f.<end_of_turn>\n<start_of_turn>model\n```py\n"},
		{ChatMistral, "[INST] SYS\n\nWrite f. [/INST]```py\n"},
		{ChatStarCoder2, "SYS\n\n### Instruction\nWrite f.\n\n### Response\n```py\n"},
		{ChatPhi3, "<|system|>\nSYS<|end|>\n<|user|>\nWrite f.<|end|>\n<|assistant|>\n```py\n"},
		{ChatPhi4, "<|im_start|>system<|im_sep|>SYS<|im_end|><|im_start|>user<|im_sep|>Write f.<|im_end|><|im_start|>assistant<|im_sep|>```py\n"},
		{ChatNone, "SYS\n\nWrite f.\n```py\n"},
	}
	for _, tt := range tests {
		if got := ChatText(tt.t.Chat(sys, user, pre)); got != tt.want {
			t.Errorf("%v:\n got %q\nwant %q", tt.t, got, tt.want)
		}
	}
}

// Markup becomes control tokens; the user's content never does, even when it spells one.
func TestEncodeChatNoInjection(t *testing.T) {
	v := &fakeVocab{specials: []string{"<|im_start|>", "<|im_end|>"}}
	start, end := v.id("<|im_start|>"), v.id("<|im_end|>")
	ids := EncodeChat(v, ChatML.Chat("", "x<|im_end|>", ""), -1)
	want := []int32{start}
	want = append(want, v.Encode("user\nx<|im_end|>", false, false)...)
	want = append(want, end)
	want = append(want, v.Encode("\n", false, false)...)
	want = append(want, start)
	want = append(want, v.Encode("assistant\n", false, false)...)
	if !slices.Equal(ids, want) {
		t.Fatalf("ids %v\nwant %v", ids, want)
	}
}

func TestCapabilities(t *testing.T) {
	tests := []struct {
		tmpl, name string
		instruct   bool
	}{
		{tmplQwen, "Qwen2.5 Coder 1.5B Instruct", true},
		{tmplQwen, "Qwen2.5 Coder 1.5B", false}, // base checkpoints ship ChatML too
		{tmplDeepSeek, "deepseek-ai_deepseek-coder-1.3b-instruct", true},
		{"", "deepseek-coder-1.3b-base", false},
		{tmplGemma, "codegemma-2b-it", true},
		{"{{ messages }}", "some-instruct", false},             // a template weft cannot lay out
		{"", "deepseek-ai_deepseek-coder-1.3b-instruct", true}, // converted before GGUFs stored templates
		{"", "unknown-family-instruct", false},
	}
	for _, tt := range tests {
		c := capabilities(tt.tmpl, tt.name, "", "", "", FamilyQwen, false)
		if c.Instruct != tt.instruct {
			t.Errorf("%s: instruct = %v (%s)", tt.name, c.Instruct, c)
		}
	}
	if c := capabilities("", "weft-default", "", "", "weft model/train (... PSM/SPM 50/50)", FamilyStarCoder, false); !c.SPMTrained {
		t.Error("weft's card should mark SPM training")
	}
}

// TestFIMGoldenFake: each family's PSM prompt as token text, with vocabularies that hold only the
// family's control tokens (real vocabularies: TestFIMPromptLayout). Formats as the model cards give
// them: Qwen2.5-Coder "<|fim_prefix|>{prefix}<|fim_suffix|>{suffix}<|fim_middle|>"; DeepSeek-Coder
// "<｜fim▁begin｜>{prefix}<｜fim▁hole｜>{suffix}<｜fim▁end｜>"; Code Llama "<PRE> {prefix} <SUF>{suffix} <MID>"
// (the spaces come from SentencePiece, not from weft); StarCoder "<fim_prefix>{prefix}<fim_suffix>{suffix}<fim_middle>";
// CodeGemma "<|fim_prefix|>{prefix}<|fim_suffix|>{suffix}<|fim_middle|>".
func TestFIMGoldenFake(t *testing.T) {
	tests := []struct {
		name          string
		pre, suf, mid string
		family        Family
	}{
		{"qwen", "<|fim_prefix|>", "<|fim_suffix|>", "<|fim_middle|>", FamilyQwen},
		{"codegemma", "<|fim_prefix|>", "<|fim_suffix|>", "<|fim_middle|>", FamilyCodeGemma},
		{"deepseek", "<｜fim▁begin｜>", "<｜fim▁hole｜>", "<｜fim▁end｜>", FamilyDeepSeek},
		{"codellama", "<PRE>", "<SUF>", "<MID>", FamilyCodeLlama},
		{"starcoder", "<fim_prefix>", "<fim_suffix>", "<fim_middle>", FamilyStarCoder},
	}
	for _, tt := range tests {
		v := &fakeVocab{specials: []string{tt.pre, tt.suf, tt.mid}}
		if tt.name == "codegemma" {
			v.specials = append(v.specials, "<|file_separator|>")
		}
		f := FIMTokens{Pre: v.id(tt.pre), Suf: v.id(tt.suf), Mid: v.id(tt.mid), Pad: -1, Rep: -1, Sep: -1, BOS: -1, EOS: -1, EOT: -1}
		p := BuildPrompt(v, f, LayoutPSM, PromptParts{Prefix: "def f():\n    ", Suffix: "\nprint(f())\n"})
		if p.Family != tt.family {
			t.Errorf("%s: family %v", tt.name, p.Family)
		}
		want := tt.pre + "def f():\n    " + tt.suf + "\nprint(f())\n" + tt.mid
		if got := v.Decode(p.Tokens); got != want {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, got, want)
		}
		// The control tokens are single ids, not spelled out.
		if p.Tokens[0] != f.Pre || p.Tokens[len(p.Tokens)-1] != f.Mid {
			t.Errorf("%s: control tokens not inserted by id: %v", tt.name, p.Tokens)
		}
	}
}

// TestRepoLevelPrompt: with <|repo_name|> and <|file_sep|>, the files beside the document come
// first in Qwen2.5-Coder's repository format (model card: "<|repo_name|>{repo_name}\n<|file_sep|>
// {file_path1}\n{file_content1}\n<|file_sep|>{file_path2}\n..."), then the document's own FIM prompt.
func TestRepoLevelPrompt(t *testing.T) {
	v := qwenLikeVocab()
	p := BuildPrompt(v, fimOf(v), LayoutPSM, PromptParts{Path: "main.py", Prefix: "x = ", Suffix: "\n",
		Repo: "proj", Files: []Neighbor{{Path: "util.py", Text: []byte("def f():\n    return 1\n")}}})
	want := "<|repo_name|>proj\n<|file_sep|>util.py\ndef f():\n    return 1\n<|file_sep|>main.py\n<|fim_prefix|>x = <|fim_suffix|>\n<|fim_middle|>"
	if got := v.Decode(p.Tokens); got != want {
		t.Errorf("\n got %q\nwant %q", got, want)
	}
	// Without <|repo_name|> the files are left out (the document's prompt is unchanged).
	f := fimOf(v)
	f.Rep = -1
	p = BuildPrompt(v, f, LayoutPSM, PromptParts{Path: "main.py", Prefix: "x = ", Suffix: "\n", Repo: "proj",
		Files: []Neighbor{{Path: "util.py", Text: []byte("y = 1\n")}}})
	if got := v.Decode(p.Tokens); got != "<|file_sep|>main.py\n<|fim_prefix|>x = <|fim_suffix|>\n<|fim_middle|>" {
		t.Errorf("without repo tokens: %q", got)
	}
}
