package model

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/weft-dev/weft/model/tokenizer"
)

// SamplerOptions choose the next token from logits. The zero value is greedy
// decoding (argmax, ties to the lowest id, as llama.cpp's greedy sampler).
//
// The steps run in llama.cpp's default order: repetition penalty, top-k,
// top-p, min-p, temperature, then a draw from the remaining distribution.
type SamplerOptions struct {
	// Temperature divides the logits before the draw; <= 0 means greedy.
	Temperature float32
	// TopK keeps the K most likely tokens; <= 0 keeps all.
	TopK int
	// TopP keeps the smallest set of most likely tokens whose probability
	// reaches P; <= 0 or >= 1 disables it.
	TopP float32
	// MinP drops tokens less likely than MinP times the most likely one;
	// <= 0 disables it.
	MinP float32
	// RepeatPenalty divides positive (multiplies negative) logits of tokens
	// seen in the last RepeatLastN tokens, as llama.cpp's penalties sampler;
	// 0 or 1 disables it.
	RepeatPenalty float32
	RepeatLastN   int
	// Seed seeds the PCG generator of math/rand/v2: same seed, same draws.
	Seed uint64
}

// candidate is a token and its (possibly adjusted) logit.
type candidate struct {
	id    int32
	logit float32
}

// Sampler holds the buffers and random state of one sampling run.
type Sampler struct {
	o      SamplerOptions
	rng    *rand.Rand
	cands  []candidate
	probs  []float64
	logits []float32 // penalised copy of the model's logits
}

// NewSampler prepares a sampler for a vocabulary of nVocab tokens.
func NewSampler(o SamplerOptions, nVocab int) *Sampler {
	return &Sampler{
		o:      o,
		rng:    rand.New(rand.NewPCG(o.Seed, 0x9e3779b97f4a7c15)),
		cands:  make([]candidate, 0, nVocab),
		probs:  make([]float64, 0, nVocab),
		logits: make([]float32, nVocab),
	}
}

// argmax returns the index of the largest value, the lowest on ties.
func argmax(x []float32) int32 {
	best := 0
	for i, v := range x {
		if v > x[best] {
			best = i
		}
	}
	return int32(best)
}

// Sample picks the next token from logits (not modified) given the recent
// tokens for the repetition penalty.
func (sp *Sampler) Sample(logits []float32, recent []int32) int32 {
	o := &sp.o
	l := logits
	if o.RepeatPenalty != 0 && o.RepeatPenalty != 1 && o.RepeatLastN != 0 && len(recent) > 0 {
		l = sp.logits[:len(logits)]
		copy(l, logits)
		last := recent
		if o.RepeatLastN > 0 && len(last) > o.RepeatLastN {
			last = last[len(last)-o.RepeatLastN:]
		}
		// Penalise each distinct token once, from its original logit.
		for i, t := range last {
			if int(t) >= len(l) || t < 0 || slices.Contains(last[:i], t) {
				continue
			}
			if logits[t] <= 0 {
				l[t] = logits[t] * o.RepeatPenalty
			} else {
				l[t] = logits[t] / o.RepeatPenalty
			}
		}
	}
	if o.Temperature <= 0 {
		return argmax(l)
	}

	// Candidates: tokens whose probability after temperature is not
	// negligible. Dropping logits more than 40 temperature units below the
	// maximum removes at most n·e⁻⁴⁰ of probability mass and spares sorting a
	// 150k vocabulary.
	maxl := l[argmax(l)]
	cut := maxl - 40*max(o.Temperature, 1)
	c := sp.cands[:0]
	for i, v := range l {
		if v >= cut {
			c = append(c, candidate{int32(i), v})
		}
	}
	if o.TopK > 0 && o.TopK < len(c) {
		// The K best, then sorted: the same list as sorting all and keeping
		// K (the order is total), without sorting a vocabulary per token.
		c = topK(c, o.TopK)
	}
	slices.SortFunc(c, candidateOrder)
	// Probabilities before temperature, as llama.cpp's top-p and min-p see them.
	p := sp.softmax(c, 1)
	if o.TopP > 0 && o.TopP < 1 {
		var cum float64
		for i := range c {
			cum += p[i]
			if cum >= float64(o.TopP) {
				c, p = c[:i+1], p[:i+1]
				break
			}
		}
	}
	if o.MinP > 0 {
		keep := 1
		for keep < len(c) && p[keep] >= float64(o.MinP)*p[0] {
			keep++
		}
		c = c[:keep]
	}
	if len(c) == 0 {
		return argmax(l) // NaN logits leave no candidate; Generate reports them (CheckLogits)
	}
	p = sp.softmax(c, o.Temperature)
	r := sp.rng.Float64()
	var cum float64
	for i := range c {
		cum += p[i]
		if r < cum {
			return c[i].id
		}
	}
	return c[len(c)-1].id
}

// CheckLogits returns an error naming the fault when logits cannot be sampled
// from: a NaN or +Inf logit, or no finite one. Broken weights (an Inf block
// scale, a mutated tensor offset) or hyperparameters (a NaN norm epsilon, a
// zero RoPE base) show up here first; sampling them would pick garbage.
func CheckLogits(logits []float32) error {
	finite := false
	for i, v := range logits {
		switch {
		case v != v:
			return fmt.Errorf("model: logit of token %d is NaN (broken weights or hyperparameters)", i)
		case v > math.MaxFloat32:
			return fmt.Errorf("model: logit of token %d is +Inf (broken weights or hyperparameters)", i)
		case v >= -math.MaxFloat32:
			finite = true
		}
	}
	if !finite && len(logits) > 0 {
		return errors.New("model: every logit is -Inf (broken weights or hyperparameters)")
	}
	return nil
}

// candidateOrder sorts candidates by logit, highest first, ties to the lowest id.
func candidateOrder(a, b candidate) int {
	if r := cmp.Compare(b.logit, a.logit); r != 0 {
		return r
	}
	return cmp.Compare(a.id, b.id)
}

// topK moves the k first candidates of c in candidateOrder to c[:k], in no
// particular order, and returns c[:k]: a heap of the best k seen so far whose
// root is the worst of them, so each other candidate costs one comparison.
func topK(c []candidate, k int) []candidate {
	h := c[:k]
	less := func(i, j int) bool { return candidateOrder(h[i], h[j]) > 0 } // i is worse than j
	down := func(i int) {
		for {
			w := i
			if l := 2*i + 1; l < k && less(l, w) {
				w = l
			}
			if r := 2*i + 2; r < k && less(r, w) {
				w = r
			}
			if w == i {
				return
			}
			h[i], h[w] = h[w], h[i]
			i = w
		}
	}
	for i := k/2 - 1; i >= 0; i-- {
		down(i)
	}
	for _, x := range c[k:] {
		if candidateOrder(x, h[0]) < 0 { // x is better than the worst kept
			h[0] = x
			down(0)
		}
	}
	return h
}

// softmax returns the probabilities of c (sorted, c[0] the largest) at
// temperature t, in the sampler's buffer.
func (sp *Sampler) softmax(c []candidate, t float32) []float64 {
	p := sp.probs[:len(c)]
	var sum float64
	for i := range c {
		p[i] = math.Exp(float64(c[i].logit-c[0].logit) / float64(t))
		sum += p[i]
	}
	for i := range p {
		p[i] /= sum
	}
	return p
}

// logSoftmax returns log p(id) under the model's raw distribution. It runs
// once per generated token over the whole vocabulary, so it uses expNeg
// instead of math.Exp (about 1e-7 relative error, several times faster).
func logSoftmax(logits []float32, id int32) float64 {
	maxl := logits[argmax(logits)]
	var sum float64
	for _, v := range logits {
		sum += float64(expNeg(v - maxl))
	}
	return float64(logits[id]-maxl) - math.Log(sum)
}

// expNeg returns e^x for x <= 0 within about 2e-7 relative error: e^x =
// 2^k·e^r with k = round(x/ln 2) and |r| <= ln 2/2, e^r by its Taylor series
// to r^6. Values below e^-80 (negligible next to the maximum's 1) are 0.
// Scoring only: the forward pass uses math.Exp to match ggml.
func expNeg(x float32) float32 {
	const (
		log2e = 1.44269504088896341
		ln2hi = 0.693145751953125 // ln 2 split so that k*ln2hi is exact
		ln2lo = 1.42860682030941723212e-6
	)
	if x < -80 {
		return 0
	}
	k := float32(int32(x*log2e - 0.5)) // round(x/ln 2): truncation of a value <= 0
	r := (x - k*ln2hi) - k*ln2lo
	p := 1 + r*(1+r*(1.0/2+r*(1.0/6+r*(1.0/24+r*(1.0/120+r*(1.0/720))))))
	return math.Float32frombits(math.Float32bits(p) + uint32(int32(k))<<23)
}

// GenerateOptions control Generate.
type GenerateOptions struct {
	MaxTokens   int // <= 0: until the context is full
	Sampler     SamplerOptions
	StopTokens  []int32  // stop (the token is not part of the result) on any of these
	StopStrings []string // stop when the text contains one; the text is cut before it
	// IgnoreEOG keeps generating past end-of-generation tokens, as
	// llama.cpp's reference runs and benchmarks do.
	IgnoreEOG bool
	// NoLogProb skips Result.LogProb (a pass over the vocabulary per token)
	// for callers that do not rank by it.
	NoLogProb bool
	// Prefix is text the generation must begin with, and which is then left
	// out of Result.Text and of what emit sees: token healing. A caller that
	// drops the prompt's last token (say "\n\t\t", or half a word at the
	// cursor) and passes its text here lets the model pick the tokenization
	// it saw in training ("\n\t" + "\tif") instead of continuing from a
	// token boundary it rarely saw. Until Prefix is produced, only tokens
	// that continue it are sampled.
	Prefix string
	// LineRepeat penalises tokens that would extend a sequence the
	// generation already produced on its current line (the DRY sampler,
	// scoped to one line): small models fall into loops like
	// "f(name, name, name, ..." that no stop rule catches before the token
	// limit. The zero value is off.
	LineRepeat RepeatGuard
	// Cache mixes the continuations found in a document into the model's
	// distribution (see CacheMix); the zero value is off. Result.LogProb
	// stays the model's own.
	Cache CacheMix
	// Draft is the most tokens per step that GenerateBatch guesses from
	// Cache.Doc (prompt lookup) and verifies in the same forward pass; the
	// output does not change, only the number of passes. 0: none; Generate
	// ignores it.
	Draft int
	// ShiftReuse, when positive, evaluates the prompt with EvalShift: a run
	// of at least ShiftReuse cached tokens that an edit moved is reused at
	// its new position instead of evaluated again (an approximation; see
	// shift.go). 0: Eval, exact.
	ShiftReuse int
	// Pace, when set, is asked before each forward pass that would extend
	// the sequence, with how long that pass is expected to take (measured
	// on the passes of the model's sessions; see passClock). Returning false ends
	// the sequence with StopDeadline. A caller with a latency budget so
	// answers with what it has instead of waiting for a pass that would end
	// past its deadline; the choice of deadline is the caller's.
	Pace func(next time.Duration) bool
}

// RepeatGuard is the DRY ("don't repeat yourself") penalty: when the last k
// generated tokens of the line also occurred earlier on it, followed by token
// t, and k >= AllowedLength, t's logit is lowered by
// Multiplier·Base^(k-AllowedLength). Repeating one short token (an indent, a
// comma) costs nothing; each longer repetition costs more. Only tokens
// generated since the last one holding a newline count, so copying from the
// prompt and repeating a line's shape on the next line are not penalised.
type RepeatGuard struct {
	Multiplier    float32 // 0: off
	Base          float32
	AllowedLength int
}

// DefaultRepeatGuard holds llama.cpp's DRY defaults.
var DefaultRepeatGuard = RepeatGuard{Multiplier: 0.8, Base: 1.75, AllowedLength: 2}

// savedLogit is a logit changed by a penalty, to be put back after sampling.
type savedLogit struct {
	id int32
	v  float32
}

// restoreLogits puts back the logits saved lists.
func restoreLogits(logits []float32, saved []savedLogit) {
	for _, sv := range saved {
		logits[sv.id] = sv.v
	}
}

// penalize lowers logits by g's penalty for the continuations of line (the
// tokens generated on the current line) and appends the original values of
// the logits it changed to saved.
func (g RepeatGuard) penalize(logits []float32, line []int32, saved []savedLogit) []savedLogit {
	n := len(line)
	if g.Multiplier <= 0 || n < max(1, g.AllowedLength) {
		return saved
	}
	last := line[n-1]
	for j := 1; j < n; j++ { // line[j-1] is an earlier occurrence of the last token, line[j] what followed it
		if line[j-1] != last {
			continue
		}
		k := 1
		for k < j && line[j-1-k] == line[n-1-k] {
			k++
		}
		t := line[j]
		if k < g.AllowedLength || t < 0 || int(t) >= len(logits) {
			continue
		}
		pen := g.Multiplier * float32(math.Pow(float64(g.Base), float64(min(k-g.AllowedLength, 40))))
		i := slices.IndexFunc(saved, func(s savedLogit) bool { return s.id == t })
		if i < 0 {
			saved = append(saved, savedLogit{t, logits[t]})
			i = len(saved) - 1
		}
		logits[t] = min(logits[t], saved[i].v-pen)
	}
	return saved
}

// healMask sets to -Inf the logits of the tokens that cannot continue need:
// those whose text is neither a prefix of need nor starts with it (control
// tokens, whose text is empty, included). It leaves logits alone and
// returns false when no token can.
func healMask(tok *tokenizer.Tokenizer, logits []float32, need string) bool {
	ok := func(id int) bool {
		p := tok.PieceString(int32(id))
		return p != "" && (strings.HasPrefix(need, p) || strings.HasPrefix(p, need))
	}
	found := false
	for id := range logits {
		if ok(id) {
			found = true
			break
		}
	}
	if !found {
		return false
	}
	inf := float32(math.Inf(-1))
	for id := range logits {
		if !ok(id) {
			logits[id] = inf
		}
	}
	return true
}

// Stop reasons reported in Result.StopReason.
const (
	StopEOG       = "eog"        // the model produced an end-of-generation token
	StopToken     = "stop_token" // a GenerateOptions.StopTokens token
	StopString    = "stop_string"
	StopMaxTokens = "max_tokens"
	StopContext   = "context_full"
	StopCaller    = "emit"     // emit returned false
	StopDeadline  = "deadline" // GenerateOptions.Pace declined the next pass
)

// Result is what Generate produced.
type Result struct {
	Tokens     []int32 // generated tokens, without the stopping token
	Text       string  // their text, cut before a stop string
	StopReason string
	// LogProb is the sum over Tokens of log p(token) under the model's raw
	// distribution (before penalties, temperature and truncation): a
	// sampler-independent score for ranking candidates.
	LogProb float64
}

// String formats a Result for logs.
func (r Result) String() string {
	return fmt.Sprintf("%d tokens, stop %s, logprob %.3f: %q", len(r.Tokens), r.StopReason, r.LogProb, r.Text)
}

// stopText accumulates generated text and decides what may be shown: text is
// cut before the first stop string, and a tail that could still become a stop
// string is held back until the next piece settles it.
type stopText struct {
	stops   []string
	maxStop int
	text    strings.Builder
	sent    int // bytes of text already released
}

func newStopText(stops []string) *stopText {
	st := &stopText{}
	for _, s := range stops {
		if s != "" {
			st.stops = append(st.stops, s)
			st.maxStop = max(st.maxStop, len(s))
		}
	}
	return st
}

// push appends piece and returns the text that can be released now, and
// whether a stop string was found (then the text ends before it).
func (st *stopText) push(piece string) (out string, stopped bool) {
	searchFrom := max(0, st.text.Len()-st.maxStop+1)
	st.text.WriteString(piece)
	all := st.text.String()
	cut := -1
	for _, s := range st.stops {
		if i := strings.Index(all[searchFrom:], s); i >= 0 && (cut < 0 || searchFrom+i < cut) {
			cut = searchFrom + i
		}
	}
	if cut >= 0 {
		out = all[st.sent:max(cut, st.sent)]
		st.text.Reset()
		st.text.WriteString(all[:cut])
		st.sent = cut
		return out, true
	}
	hold := 0
	for _, s := range st.stops {
		for k := min(len(s)-1, len(all)-st.sent); k > hold; k-- {
			if strings.HasSuffix(all, s[:k]) {
				hold = k
				break
			}
		}
	}
	out = all[st.sent : len(all)-hold]
	st.sent = len(all) - hold
	return out, false
}

// flush releases whatever was held back.
func (st *stopText) flush() string {
	all := st.text.String()
	out := all[st.sent:]
	st.sent = len(all)
	return out
}

// Generate evaluates prompt (reusing the session's cached prefix) and then
// samples tokens until a stop condition. emit receives every token with the
// text it completes: whole UTF-8 characters only, and text that might be the
// start of a stop string is held back until it is known not to be (so emitted
// text never contains a stop string). emit may be nil; returning false stops.
// A cancelled ctx stops generation with ctx.Err() (Result then holds what was
// generated so far). Bytes of a UTF-8 character left incomplete when
// generation ends are dropped. The session keeps the prompt and the generated
// tokens in its cache (all but the last, which was never evaluated), so a
// follow-up call that extends them reuses the work.
func (s *Session) Generate(ctx context.Context, prompt []int32, o GenerateOptions, emit func(id int32, text string) bool) (Result, error) {
	logits, err := s.EvalShift(ctx, prompt, o.ShiftReuse)
	if err != nil {
		return Result{}, err
	}
	d := s.newSeqDecoder(o, emit, len(logits))
	for {
		if err := ctx.Err(); err != nil {
			return d.abort(), err
		}
		if d.next(logits, s.tokens) {
			if d.err != nil {
				return d.abort(), d.err
			}
			break
		}
		if len(s.tokens) >= s.nCtx {
			d.res.StopReason = StopContext
			break
		}
		if o.Pace != nil && !o.Pace(s.PassEstimate(1)) {
			d.res.StopReason = StopDeadline
			break
		}
		t0 := time.Now()
		if logits, err = s.step(ctx, d.last); err != nil {
			return d.abort(), err
		}
		s.m.observePass(1, time.Since(t0))
	}
	return d.finish(), nil
}

// seqDecoder is the per-sequence state of a generation: the sampler, the
// logit adjustments (token healing, the document cache, the repeat guard),
// the text decoder and the stop strings. Generate drives one over a session;
// GenerateBatch drives several over one shared prompt.
type seqDecoder struct {
	o    GenerateOptions
	tok  *tokenizer.Tokenizer
	sp   *Sampler
	dec  *tokenizer.StreamDecoder
	st   *stopText
	emit func(id int32, text string) bool
	last int32 // the latest token chosen (-1: none yet)
	need string
	skip int
	// The logits o.Cache and o.LineRepeat changed, put back after sampling
	// (in the reverse order) so that LogProb is the model's own.
	mixed, saved []savedLogit
	cache        *cacheMixer
	lineStart    int // index in res.Tokens of the current line's first token
	res          Result
	err          error // logits that cannot be sampled from (CheckLogits)
}

func (s *Session) newSeqDecoder(o GenerateOptions, emit func(int32, string) bool, nVocab int) *seqDecoder {
	tok := s.m.tok
	return &seqDecoder{o: o, tok: tok, sp: NewSampler(o.Sampler, nVocab), dec: tok.NewStreamDecoder(),
		st: newStopText(o.StopStrings), emit: emit, last: -1, need: o.Prefix, skip: len(o.Prefix),
		cache: newCacheMixer(o.Cache, o.MaxTokens, nVocab)}
}

// next chooses the token that follows logits (which it may change: token
// healing masks them) with recent the tokens before it (for the repetition
// penalty), records it in d.last and emits its text. It reports whether the
// sequence ended, then with d.res.StopReason set, or d.err when the logits
// cannot be sampled from.
func (d *seqDecoder) next(logits []float32, recent []int32) bool {
	o, tok, res := &d.o, d.tok, &d.res
	if o.MaxTokens > 0 && len(res.Tokens) >= o.MaxTokens {
		res.StopReason = StopMaxTokens
		return true
	}
	if d.err = CheckLogits(logits); d.err != nil {
		return true
	}
	if d.need != "" && !healMask(tok, logits, d.need) {
		d.need = "" // nothing continues it (cannot happen when it is a dropped token's text)
	}
	if d.cache != nil {
		d.mixed = d.cache.mix(logits, d.mixed[:0])
	}
	d.saved = o.LineRepeat.penalize(logits, res.Tokens[d.lineStart:], d.saved[:0])
	id := d.sp.Sample(logits, recent)
	restoreLogits(logits, d.saved)
	restoreLogits(logits, d.mixed)
	if !o.IgnoreEOG && tok.IsEOG(id) {
		res.StopReason = StopEOG
		return true
	}
	if slices.Contains(o.StopTokens, id) {
		res.StopReason = StopToken
		return true
	}
	res.Tokens = append(res.Tokens, id)
	if d.cache != nil {
		d.cache.push(id)
	}
	if !o.NoLogProb {
		res.LogProb += logSoftmax(logits, id)
	}
	d.last = id
	piece := d.dec.Push(id)
	if strings.Contains(tok.PieceString(id), "\n") {
		d.lineStart = len(res.Tokens)
	}
	if d.need != "" {
		d.need = d.need[min(len(d.need), len(tok.PieceString(id))):]
	}
	if d.skip > 0 { // the healed text is not part of the result
		n := min(d.skip, len(piece))
		piece, d.skip = piece[n:], d.skip-n
	}
	out, stopped := d.st.push(piece)
	if stopped {
		if d.emit != nil && out != "" {
			d.emit(id, out)
		}
		res.StopReason = StopString
		return true
	}
	if d.emit != nil && !d.emit(id, out) {
		res.StopReason = StopCaller
		return true
	}
	return false
}

// finish releases text held back for a stop string that never came and
// returns the result.
func (d *seqDecoder) finish() Result {
	if rest := d.st.flush(); d.emit != nil && rest != "" && d.res.StopReason != StopCaller {
		d.emit(d.last, rest)
	}
	d.res.Text = d.st.text.String()
	return d.res
}

// abort returns the result of a generation cut short by an error.
func (d *seqDecoder) abort() Result {
	d.res.Text = d.st.text.String()
	return d.res
}
