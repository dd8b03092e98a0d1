package translate

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/weft-dev/weft/complete"
	"github.com/weft-dev/weft/model"
)

// SampleOptions control one generated continuation.
type SampleOptions struct {
	MaxTokens   int
	Temperature float32 // 0: greedy
	TopP        float32
	Seed        uint64
	Stop        []string // the text is cut before the first of these
}

// Sample is one continuation of a prompt.
type Sample struct {
	Text    string
	LogProb float64 // sum of log p(token) under the model's raw distribution
	Tokens  int
}

// Sampler continues a text prompt. The model-backed one is ModelSampler; tests use scripted fakes.
type Sampler interface {
	Sample(ctx context.Context, prompt string, o SampleOptions) (Sample, error)
}

// ModelSampler runs the embedded decoder. It keeps one session, so that the candidates of one request
// (same prompt, different seeds) reuse the prompt's KV cache; calls are serialised.
type ModelSampler struct {
	m    *model.Model
	nCtx int
	chat complete.ChatTemplate // an instruct model's template; ChatNone: completion prompts

	mu   sync.Mutex
	sess *model.Session
}

// NewModelSampler wraps m; nCtx is the session size (0: the model's training context). An
// instruction-tuned model (complete.ModelCapabilities) gets its prompts in its chat template; a
// base model keeps completion prompts.
func NewModelSampler(m *model.Model, nCtx int) *ModelSampler {
	s := &ModelSampler{m: m, nCtx: nCtx}
	if m != nil {
		if c := complete.ModelCapabilities(m); c.Instruct {
			s.chat = c.Chat
		}
	}
	return s
}

// NewModelEngine is NewEngine over a model: its sampler (chat prompts for an instruct model) and,
// for a model that is not instruction-tuned, the hint its "nothing passed" errors end with.
func NewModelEngine(m *model.Model, nCtx int, verify bool) *Engine {
	e := NewEngine(NewModelSampler(m, nCtx), verify)
	e.Hint = ModelHint(m)
	return e
}

// ModelHint says, for a model that is not instruction-tuned, what it can and cannot do and how to
// get one that can; "" for an instruct model.
func ModelHint(m *model.Model) string {
	c := complete.ModelCapabilities(m)
	if c.Instruct {
		return ""
	}
	who := "this model (" + c.Name + ") is not instruction-tuned"
	if c.Name == "weft-default" {
		who = fmt.Sprintf("the embedded model (%.1fM parameters) completes code as you type but is too small to follow instructions or translate", float64(m.Info().Params)/1e6)
	}
	return who + "; for that, download an instruct model: weft model pull " + SuggestedModel +
		" (VS Code: \"weft: Download a model…\"; Neovim: :WeftPull " + SuggestedModel + ") and set it as the model"
}

// SuggestedModel is the catalogue model offered when the loaded one cannot follow instructions:
// small enough for a laptop (about 1 GB, 1.5 GB of RAM), instruction-tuned, with FIM.
const SuggestedModel = "qwen2.5-coder-1.5b-instruct"

// chatSystem is the system message of chat prompts.
const chatSystem = "You are a careful programming assistant. Reply with code only, in one fenced code block."

// chatPrompt turns a completion prompt into a chat: the text before its last code fence becomes
// the user's message, and the fence with what follows (the answer's start) is put in the
// assistant's turn for the model to continue. A prompt without a fence (an instruction edit: the
// file up to the instruction comment) is put whole in the assistant's fenced answer.
func chatPrompt(t complete.ChatTemplate, prompt string) []complete.ChatPart {
	if i := strings.LastIndex(prompt, fence); i >= 0 {
		user := strings.TrimRight(prompt[:i], "\n") + "\n\nContinue the last code block below this text: write the code it starts."
		return t.Chat(chatSystem, user, prompt[i:])
	}
	return t.Chat(chatSystem, "Write the code that the last comment of this file asks for, at that place, and nothing after it.", fence+"\n"+prompt)
}

// Sample implements Sampler. A prompt longer than the session leaves room for MaxTokens by dropping its
// beginning (the instruction and the code are at the end).
func (s *ModelSampler) Sample(ctx context.Context, prompt string, o SampleOptions) (Sample, error) {
	if s == nil || s.m == nil {
		return Sample{}, errors.New("translate: no model loaded")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sess == nil {
		s.sess = s.m.NewSession(s.nCtx)
	}
	tok := s.m.Tokenizer()
	var ids []int32
	if s.chat != complete.ChatNone {
		bos := int32(-1)
		if sp := tok.Special(); sp.AddBOS {
			bos = sp.BOS
		}
		ids = complete.EncodeChat(tok, chatPrompt(s.chat, prompt), bos)
	} else {
		ids = tok.Encode(prompt, true, false)
	}
	// Small models have small contexts: the new tokens get what the prompt
	// leaves, but never less than half the context, and the prompt's
	// beginning (its least relevant part) is dropped to make room.
	nCtx := s.sess.NCtx()
	maxNew := min(o.MaxTokens, nCtx-min(len(ids), nCtx/2))
	if maxNew < 8 {
		return Sample{}, fmt.Errorf("translate: context of %d tokens too small to generate", nCtx)
	}
	if room := nCtx - maxNew; len(ids) > room {
		keep := 0
		if tok.Special().AddBOS {
			keep = 1 // the BOS token stays first
		}
		ids = append(ids[:keep:keep], ids[len(ids)-room+keep:]...)
	}
	o.MaxTokens = maxNew
	res, err := s.sess.Generate(ctx, ids, model.GenerateOptions{
		MaxTokens:   o.MaxTokens,
		Sampler:     model.SamplerOptions{Temperature: o.Temperature, TopP: o.TopP, Seed: o.Seed},
		StopStrings: o.Stop,
		// Small models loop inside a line ("func f(0, 0, 0, ..."); the guard
		// makes them pick something else, as the completion engine does.
		LineRepeat: model.DefaultRepeatGuard,
	}, nil)
	if err != nil {
		return Sample{}, err
	}
	return Sample{Text: res.Text, LogProb: res.LogProb, Tokens: len(res.Tokens)}, nil
}

// cutAtStop cuts text before the first stop string (fakes and post-processing use it).
func cutAtStop(text string, stops []string) string {
	for _, s := range stops {
		if s == "" {
			continue
		}
		if i := strings.Index(text, s); i >= 0 {
			text = text[:i]
		}
	}
	return text
}
