package translate

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

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

	mu   sync.Mutex
	sess *model.Session
}

// NewModelSampler wraps m; nCtx is the session size (0: the model's training context).
func NewModelSampler(m *model.Model, nCtx int) *ModelSampler {
	return &ModelSampler{m: m, nCtx: nCtx}
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
	ids := tok.Encode(prompt, true, false)
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
