package complete

import "context"

// LM is the language-model side of an Engine: a vocabulary and a way to open decoding sessions.
// NewEngine wraps a *model.Model in one; tests use scripted fakes.
type LM interface {
	Vocab() Vocab
	FIM() FIMTokens
	// ContextSize is the largest session the model supports, in tokens.
	ContextSize() int
	NewSession(nCtx int) LMSession
}

// LMSession is one KV cache. Generate evaluates prompt, reusing the longest common token prefix with
// what the session already holds, then decodes, passing each piece of text to emit until emit returns
// false, a stop token, an end-of-generation token or MaxTokens.
type LMSession interface {
	Generate(ctx context.Context, prompt []int32, o GenOptions, emit func(id int32, text string) bool) (GenResult, error)
	// Counters since the session was created: tokens evaluated and prompt tokens served from the cache.
	Counters() (evaluated, reused int64)
}

// GenOptions are the decoding options the engine passes to a session.
type GenOptions struct {
	MaxTokens   int
	Temperature float32
	TopP        float32
	TopK        int
	Seed        uint64
	StopTokens  []int32
	Prefix      string // the generated text must begin with it, and it is not emitted (token healing)
	RepeatGuard bool   // penalise repeating, on one line, a sequence already generated (Config.RepeatGuard)
	// Doc and Lead feed the document cache (Config.DocCache): the document's tokens with -1 at the
	// cursor, and the prompt's last prefix tokens (Prompt.Lead). Doc nil: off.
	Doc  []int32
	Lead []int32
}

// GenResult is what a session reports after decoding.
type GenResult struct {
	Tokens     int // generated tokens
	StopReason string
}
