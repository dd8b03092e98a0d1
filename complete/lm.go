package complete

import (
	"context"
	"time"
)

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

// BatchSession is an LMSession that can also decode several sequences from one prompt together (the
// greedy candidate and the consensus samples), as model.Session.GenerateBatch: result j is what
// Generate(ctx, prompt, opts[j], emits[j]) gives. The engine uses it when the session has it.
type BatchSession interface {
	LMSession
	GenerateBatch(ctx context.Context, prompt []int32, opts []GenOptions, emits []func(id int32, text string) bool) ([]GenResult, error)
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
	// Draft is the most tokens per step guessed from Doc and verified in the same forward pass
	// (speculative decoding by prompt lookup; BatchSession only). It changes no output.
	Draft int
	// ShiftReuse reuses the cached keys and values of a run of at least this many prompt tokens that
	// an edit moved (model.Session.EvalShift, an approximation); 0: off, the prompt is evaluated
	// exactly.
	ShiftReuse int
	// Pace is asked before each forward pass with its expected duration; false ends the sequence
	// with StopDeadline (model.GenerateOptions.Pace). nil: no deadline.
	Pace func(next time.Duration) bool
}

// PassTimer is an LMSession that knows how long its decoding passes take (model.Session.PassEstimate):
// with a latency budget, the engine sizes the part of a PSM prompt each keystroke evaluates again by it.
type PassTimer interface {
	PassEstimate(rows int) time.Duration
	// Calibrate times passes on an empty session when nothing is known yet, so that the first
	// request's prompt is cut as the next ones will be (a moved window costs a whole prompt).
	Calibrate(ctx context.Context) error
}

// GenResult is what a session reports after decoding.
type GenResult struct {
	Tokens     int // generated tokens
	StopReason string
}
