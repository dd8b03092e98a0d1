package complete

import (
	"context"
	"time"

	"github.com/weft-dev/weft/model"
	"github.com/weft-dev/weft/model/tokenizer"
)

// NewEngine creates an engine over a loaded model. The prompt layout, when cfg leaves it open, is
// read from the model: SPM for models whose card says they were trained on it (weft's own models,
// trained half PSM and half SPM, where typing at the cursor then changes only the prompt's tail),
// PSM otherwise.
func NewEngine(m *model.Model, cfg Config) *Engine {
	if cfg.Layout == "" && ModelCapabilities(m).SPMTrained {
		cfg.Layout = "spm"
	}
	return New(ModelLM(m), cfg)
}

// ModelLM adapts a loaded model to the LM interface. Its sessions batch (BatchSession) when the
// model's weights are at least batchMinBytes.
func ModelLM(m *model.Model) LM { return modelLM{m: m, batch: m.Info().Bytes >= batchMinBytes} }

// batchMinBytes is the weight size from which the greedy candidate and the samples decode in one batch.
// Batching pays where a decoding step's cost is reading the weights from memory, which a batch reads
// once for all its sequences; weights that fit in the processor's caches (the embedded model's 4.5 MB)
// are not re-read from memory, each sequence costs its own arithmetic either way, and decoding them
// one after another keeps consensus decoding's early stop when the first samples agree with greedy.
const batchMinBytes = 64 << 20

type modelLM struct {
	m     *model.Model
	batch bool
}

func (l modelLM) Vocab() Vocab { return l.m.Tokenizer() }

func (l modelLM) FIM() FIMTokens {
	f := FIMFromSpecials(l.m.Tokenizer().Special())
	if f.Sep < 0 {
		// CodeGemma ends a file with <|file_separator|> (model card): a completion stops there.
		if id, ok := l.m.Tokenizer().TokenID("<|file_separator|>"); ok {
			f.Sep = id
		}
	}
	return f
}

func (l modelLM) ContextSize() int { return l.m.Info().NCtxTrain }

func (l modelLM) NewSession(nCtx int) LMSession {
	s := modelSession{l.m.NewSession(nCtx)}
	if l.batch {
		return batchSession{s}
	}
	return s
}

// FIMFromSpecials picks the prompt's control tokens out of a tokenizer's specials.
func FIMFromSpecials(sp tokenizer.Specials) FIMTokens {
	return FIMTokens{Pre: sp.FIMPre, Suf: sp.FIMSuf, Mid: sp.FIMMid, Pad: sp.FIMPad, Rep: sp.FIMRep, Sep: sp.FIMSep,
		BOS: sp.BOS, EOS: sp.EOS, EOT: sp.EOT, AddBOS: sp.AddBOS}
}

// StopDeadline is GenResult.StopReason when Pace ended a sequence (model.StopDeadline).
const StopDeadline = model.StopDeadline

type modelSession struct{ s *model.Session }

func (ms modelSession) Generate(ctx context.Context, prompt []int32, o GenOptions, emit func(int32, string) bool) (GenResult, error) {
	r, err := ms.s.Generate(ctx, prompt, modelOptions(o), emit)
	return GenResult{Tokens: len(r.Tokens), StopReason: r.StopReason}, err
}

// batchSession is a modelSession that decodes several sequences together.
type batchSession struct{ modelSession }

func (ms batchSession) GenerateBatch(ctx context.Context, prompt []int32, opts []GenOptions, emits []func(int32, string) bool) ([]GenResult, error) {
	mo := make([]model.GenerateOptions, len(opts))
	for i, o := range opts {
		mo[i] = modelOptions(o)
	}
	rs, err := ms.s.GenerateBatch(ctx, prompt, mo, emits)
	out := make([]GenResult, len(rs))
	for i, r := range rs {
		out[i] = GenResult{Tokens: len(r.Tokens), StopReason: r.StopReason}
	}
	return out, err
}

// modelOptions turns the engine's decoding options into the model's.
func modelOptions(o GenOptions) model.GenerateOptions {
	mo := model.GenerateOptions{
		MaxTokens:  o.MaxTokens,
		StopTokens: o.StopTokens,
		Prefix:     o.Prefix,
		Sampler:    model.SamplerOptions{Temperature: o.Temperature, TopP: o.TopP, TopK: o.TopK, Seed: o.Seed},
		Draft:      o.Draft,
		ShiftReuse: o.ShiftReuse,
		Pace:       o.Pace,
		NoLogProb:  true, // the engine ranks by consensus, not by likelihood
	}
	if o.Doc != nil {
		mo.Cache = model.CacheMix{Doc: o.Doc, Lead: o.Lead, Lambda: docCacheLambda, MaxLambda: docCacheMaxLambda, MinRun: docCacheMinRun, MaxRun: docCacheMaxRun}
	}
	if o.RepeatGuard {
		mo.LineRepeat = model.DefaultRepeatGuard
	}
	return mo
}

func (ms modelSession) PassEstimate(rows int) time.Duration { return ms.s.PassEstimate(rows) }
func (ms modelSession) Calibrate(ctx context.Context) error { return ms.s.Calibrate(ctx) }

func (ms modelSession) Counters() (int64, int64) {
	st := ms.s.Stats()
	return st.Evaluated, st.Reused
}
