package complete

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/weft-dev/weft/grammars"
	"github.com/weft-dev/weft/model"
)

// Config sets up an Engine. The zero value gives the defaults.
type Config struct {
	// NCtx is the size of each document's session in tokens; 0: the model's context, at most 4096.
	NCtx int
	// Budget splits the prompt; zero: DefaultBudget of what NCtx leaves after the longest completion.
	Budget Budget
	// Layout is "psm", "spm" or "" (auto: PSM, the order every FIM model is trained on). Choose "spm"
	// only for models trained on it too (StarCoder, Code Llama, weft's own model): it lets the KV cache
	// serve nearly the whole prompt on each keystroke.
	Layout string
	// CacheSize is the number of completions kept for typed-through answers; 0: 64, < 0: none.
	CacheSize int
	// MaxSessions is the number of documents that keep a warm session; 0: 4. Each session holds a KV
	// cache of NCtx tokens, so this bounds memory.
	MaxSessions int
	// SyntaxCandidates is the number of truncations tried by the parse check; 0: 6, < 0: no check.
	SyntaxCandidates int
	// TokenHealing drops the prompt prefix's last token and has the model generate its text again (see
	// model.GenerateOptions.Prefix): at a cursor after indentation or inside a word, the prefix ends at a
	// token boundary the model rarely saw in training.
	TokenHealing bool
	// RepeatGuard penalises tokens that would repeat, on the line being generated, a sequence the
	// completion already holds (model.RepeatGuard): small models otherwise loop ("f(a, a, a, ...")
	// until the token limit, and the syntax check then rejects the whole line.
	RepeatGuard bool
	// DocCache mixes into the model's predictions what followed, elsewhere in the document, the
	// tokens just written (model.CacheMix): the prompt holds a window of the file, the cache the rest.
	DocCache bool
	// Latency is how long a single-line completion may take before it answers with what it has
	// (budget.go; multi-line completions get multiLatency times more), for requests that set no
	// Options.Latency; 0: no limit, only the token limits (as evaluations want). The server passes
	// its latencyMs setting, DefaultLatency unless changed, with each request.
	Latency time.Duration
	// Draft is how many tokens each sequence guesses ahead from the document per forward pass
	// (speculative decoding, decode.go); 0: draftTokens, < 0: none. NoBatch decodes the samples one
	// after another instead of in one batch with greedy. Both change speed only, not the answers;
	// benchmarks turn them off to measure their share.
	Draft   int
	NoBatch bool
	// ShiftReuse, in the PSM layout, keeps the suffix's keys and values across a keystroke, moved to
	// their new positions, instead of evaluating the suffix again (model.Session.EvalShift, as
	// llama-server's cache reuse). It is an approximation, off by default: docs/BENCHMARKS.md has
	// its cost and its effect on the outputs.
	ShiftReuse bool
	// Clock returns the current time for the latency budget; nil: time.Now. Tests inject a fake.
	Clock func() time.Time
	// Samples is the number of sampled candidates that vote with the greedy one (consensus decoding,
	// see consensus.go) when a request's Options.Samples is 0; 0: greedy only. Requests with a
	// temperature are not voted on.
	Samples int
	// Neighbors, when set, returns files beside the document at a file path (see Neighbor) for the
	// document cache; the engine calls it on each request that decodes, so it should answer from
	// memory for files that did not change. It is where the engine reads the project: complete/
	// itself touches no files (DESIGN.md).
	Neighbors func(path string) []Neighbor
}

// Default completion lengths in tokens, used when a request's MaxTokens is 0: a single line, and a
// block.
const (
	DefaultSingleLineTokens = 48
	DefaultMultiLineTokens  = 128
)

// DefaultContextSize is the largest session (in tokens) an engine opens when Config.NCtx is 0: a
// longer prompt costs more per keystroke than its far context gives back.
const DefaultContextSize = 4096

// DefaultSamples is the number of samples that vote with the greedy completion (Config.Samples) where
// the caller has no setting of its own: on the FIM evaluation 8 samples gained 0.035 single-line edit
// similarity over greedy alone, for several times the decoding per completion (see consensus.go).
const DefaultSamples = 8

// Engine completes code with one loaded model. It keeps per document (keyed by URI) the parsed text,
// the previous request's window anchors and a warm model session, so that successive keystrokes reuse
// the KV cache. Engine methods are safe for concurrent use; requests for the same document run one at a
// time, and a new one cancels the one in flight.
type Engine struct {
	lm     LM
	vocab  Vocab
	fim    FIMTokens
	family Family
	layout Layout
	cfg    Config
	cache  *resultCache
	memo   *tokenMemo // tokens of neighbor files

	mu    sync.Mutex // guards docs, and each docState's cancel, sess, lastUse and defs fields
	docs  map[string]*docState
	clock int64
}

// docState is what the engine keeps about one document.
type docState struct {
	uri string

	mu     sync.Mutex // serialises requests: guards doc, lang, anchor, closed
	closed bool       // Close was called: a request still holding this state must not parse again
	lang   *grammars.Language
	doc    *grammars.Document
	anchor Anchor

	// guarded by Engine.mu
	cancel   context.CancelFunc
	seq      uint64 // count of requests registered, to tell whether cancel is still this request's
	newest   uint64 // highest Request.Seq registered
	sess     LMSession
	lastUse  int64
	text     []byte // latest text seen (immutable slice)
	path     string
	defs     []grammars.Definition
	defsText []byte // the text defs were computed from
}

// New creates an engine over a language model.
func New(lm LM, cfg Config) *Engine {
	v := lm.Vocab()
	f := lm.FIM()
	if cfg.NCtx <= 0 {
		cfg.NCtx = min(max(lm.ContextSize(), 0), DefaultContextSize)
		if cfg.NCtx == 0 {
			cfg.NCtx = DefaultContextSize
		}
	}
	if cfg.NCtx > lm.ContextSize() && lm.ContextSize() > 0 {
		cfg.NCtx = lm.ContextSize()
	}
	if cfg.CacheSize == 0 {
		cfg.CacheSize = 64
	}
	if cfg.MaxSessions <= 0 {
		cfg.MaxSessions = 4
	}
	if cfg.SyntaxCandidates == 0 {
		cfg.SyntaxCandidates = 6
	}
	e := &Engine{lm: lm, vocab: v, fim: f, cfg: cfg, docs: map[string]*docState{}, memo: newTokenMemo(64)}
	e.family = DetectFamily(v, f)
	e.layout = DefaultLayout(e.family)
	if strings.EqualFold(cfg.Layout, "spm") && e.family != FamilyNone {
		e.layout = LayoutSPM
	}
	if e.cfg.Budget == (Budget{}) {
		e.cfg.Budget = defaultEngineBudget(e.cfg.NCtx, e.layout)
	}
	if cfg.CacheSize > 0 {
		e.cache = newResultCache(cfg.CacheSize)
	}
	return e
}

// defaultEngineBudget is the prompt budget of an engine with a context of nCtx tokens. The prompt
// leaves room for the longest completion and the control tokens and path line, but at most a quarter of
// a small context: there a multi-line completion gets what the prompt leaves (Complete shortens it),
// since a 256-token model given a 96-token prompt sees too little of the file. In the SPM layout the
// suffix comes first and typing changes only the end of the prompt, so a larger suffix costs no
// re-evaluation: it gets a fifth, as does the header (PSM keeps DefaultBudget's sixteenth). The split
// for small contexts was chosen on `weft eval fim` set a (docs/MODEL.md).
func defaultEngineBudget(nCtx int, layout Layout) Budget {
	total := max(nCtx-min(DefaultMultiLineTokens+32, nCtx/4), 64)
	if layout != LayoutSPM {
		return DefaultBudget(total)
	}
	b := Budget{Prefix: total * 3 / 5, Suffix: total / 5}
	b.Header = total - b.Prefix - b.Suffix
	return b
}

// Family returns the FIM convention of the engine's model, and Layout the prompt order it uses.
func (e *Engine) Family() Family { return e.family }

// Layout returns the prompt order in use.
func (e *Engine) Layout() Layout { return e.layout }

// Budget returns the token budgets in use.
func (e *Engine) Budget() Budget { return e.cfg.Budget }

// state returns the document's state, creating it.
func (e *Engine) state(uri string) *docState {
	e.mu.Lock()
	defer e.mu.Unlock()
	ds := e.docs[uri]
	if ds == nil {
		ds = &docState{uri: uri}
		e.docs[uri] = ds
	}
	return ds
}

// Update records the text of an open document without completing, so that its definitions can feed
// the repo map of other documents. Complete records the text too, so calling Update is optional.
func (e *Engine) Update(uri, path string, text []byte) {
	ds := e.state(uri)
	e.mu.Lock()
	ds.text = nil // a document too large to parse whole on each change gives no definitions
	if len(text) <= maxWholeText {
		ds.text = append([]byte(nil), text...)
	}
	if path != "" {
		ds.path = path
	}
	e.mu.Unlock()
}

// Close forgets a document: its session, parse tree and cached results. A request in flight is
// cancelled.
func (e *Engine) Close(uri string) {
	e.mu.Lock()
	ds := e.docs[uri]
	delete(e.docs, uri)
	if ds != nil && ds.cancel != nil {
		ds.cancel()
	}
	e.mu.Unlock()
	if ds == nil {
		return
	}
	ds.mu.Lock()
	ds.closed = true
	if ds.doc != nil {
		ds.doc.Close()
		ds.doc = nil
	}
	ds.mu.Unlock()
	if e.cache != nil {
		e.cache.drop(uri)
	}
}

// Complete returns a completion for the cursor of req. A newer request for the same URI cancels this one,
// which then returns an error wrapping context.Canceled.
func (e *Engine) Complete(ctx context.Context, req Request) (Result, error) {
	t0 := time.Now()
	if req.Offset < 0 || req.Offset > len(req.Text) {
		return Result{}, fmt.Errorf("complete: offset %d outside text of %d bytes", req.Offset, len(req.Text))
	}
	lang, ok := grammars.ByLanguageID(req.LanguageID)
	if !ok {
		if lang, ok = grammars.Lookup(req.LanguageID); !ok {
			if lang, ok = grammars.ByExtension(req.Path); !ok {
				return Result{}, fmt.Errorf("complete: unsupported language %q", req.LanguageID)
			}
		}
	}
	if looksBinary(req.Text, req.Offset) {
		return Result{ReplaceStart: req.Offset, ReplaceEnd: req.Offset}, fmt.Errorf("complete: declined: the text around the cursor has binary or control bytes: %w", ErrNotCode)
	}
	if lineTooLong(req.Text, req.Offset) {
		return Result{ReplaceStart: req.Offset, ReplaceEnd: req.Offset},
			fmt.Errorf("complete: declined: the cursor's line is longer than %d bytes: %w", maxLineBytes, ErrNotCode)
	}
	// A large document is worked on through a window around the cursor; offsets are shifted back
	// on the way out.
	ws, we := textWindow(req.Text, req.Offset)
	req.Text, req.Offset = req.Text[ws:we], req.Offset-ws
	ds := e.state(req.URI)

	// Cancel the request in flight for this document and register this one; a request older (by
	// Seq) than one already registered is superseded before it starts.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	e.mu.Lock()
	if req.Seq != 0 && req.Seq < ds.newest {
		e.mu.Unlock()
		return Result{}, fmt.Errorf("complete: superseded by a newer request: %w", context.Canceled)
	}
	ds.newest = max(ds.newest, req.Seq)
	if ds.cancel != nil {
		ds.cancel()
	}
	ds.seq++
	seq := ds.seq
	ds.cancel = cancel
	ds.text = append([]byte(nil), req.Text...)
	if req.Path != "" {
		ds.path = req.Path
	}
	e.mu.Unlock()
	defer func() {
		e.mu.Lock()
		if ds.seq == seq {
			ds.cancel = nil
		}
		e.mu.Unlock()
	}()

	ds.mu.Lock()
	defer ds.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return Result{}, fmt.Errorf("complete: superseded: %w", err)
	}
	if ds.closed {
		return Result{}, fmt.Errorf("complete: %s was closed: %w", req.URI, context.Canceled)
	}
	res, err := e.complete(ctx, ds, lang, req)
	res.Stats.Duration = time.Since(t0)
	res.ReplaceStart += ws
	res.ReplaceEnd += ws
	return res, err
}

// complete runs one request with the document locked.
func (e *Engine) complete(ctx context.Context, ds *docState, lang *grammars.Language, req Request) (Result, error) {
	start := e.now()
	text, off := req.Text, req.Offset
	if e.cache != nil && !req.Options.NoCache {
		if rest, ml, ok := e.cache.get(req.URI, text, off); ok {
			res := makeResult(text, off, rest, ml)
			res.Stats.FromCache = true
			res.Stats.StopReason = "cache"
			return res, nil
		}
	}
	if err := ds.setText(ctx, lang, text); err != nil {
		return Result{}, err
	}
	if n := ds.doc.ErrorCount(); n > minGarbage && n*garbageDensity > len(text) {
		return Result{}, fmt.Errorf("complete: declined: the text does not parse as %s (%d syntax errors in %d bytes): %w",
			lang.Name, n, len(text), ErrNotCode)
	}

	cur := grammars.NodeAt(ds.doc, off)
	multiline := decideMultiline(req.Options.Multiline, cur, text, lang.IndentBlocks)
	maxTokens := req.Options.MaxTokens
	if maxTokens <= 0 {
		maxTokens = DefaultSingleLineTokens
		if multiline {
			maxTokens = DefaultMultiLineTokens
		}
	}

	sess := e.session(ds)
	budget, lat := e.cfg.Budget, e.latency(req.Options, multiline)
	if pt, ok := sess.(PassTimer); ok && e.layout == LayoutPSM && lat > 0 {
		if err := pt.Calibrate(ctx); err != nil && ctx.Err() != nil {
			return Result{}, fmt.Errorf("complete: cancelled: %w", ctx.Err())
		}
		budget.Suffix = psmSuffix(lat, pt.PassEstimate, budget.Suffix)
	}
	enc := newMemoEncoder(e.vocab)
	c, err := BuildContext(ContextInput{
		Doc: ds.doc, Offset: off, Path: req.Path, Others: e.otherDefs(ds, lang),
		Count: enc.count, Budget: budget, Anchor: ds.anchor, SkipScope: true, Ctx: ctx,
	})
	if err != nil {
		return Result{}, err
	}
	ds.anchor = c.Anchor

	parts := PromptParts{
		Path: req.Path, LineComment: lang.LineComment, Header: c.Header, Prefix: c.Prefix, Suffix: c.Suffix,
		Heal: e.cfg.TokenHealing,
	}
	var nbSelf string
	var nbs []Neighbor
	if e.cfg.DocCache || e.repoLevel() {
		nbSelf, nbs = e.requestNeighbors(ds, req)
	}
	parts.Repo, parts.Files = e.repoFiles(nbSelf, nbs, maxTokens)
	p := BuildPrompt(enc, e.fim, e.layout, parts)
	if room := e.cfg.NCtx - len(p.Tokens); room < maxTokens && len(parts.Files) > 0 {
		parts.Files = nil // the files beside the document are a bonus: the document itself comes first
		p = BuildPrompt(enc, e.fim, e.layout, parts)
	}
	if room := e.cfg.NCtx - len(p.Tokens); room < maxTokens {
		if room < 1 {
			return Result{}, fmt.Errorf("complete: prompt of %d tokens does not fit the context of %d", len(p.Tokens), e.cfg.NCtx)
		}
		maxTokens = room
	}

	open := 0
	if !lang.IndentBlocks {
		open = openBrackets(text)
	}
	style, declLevel := detectIndent(c.Prefix+c.Suffix, lang.ID), atDeclarationLevel(cur, lang, text, c.LinePrefix)
	newStop := func() *stopper {
		return newStopper(multiline, lang.IndentBlocks, style, c.LinePrefix, c.Suffix, open, declLevel)
	}
	st := newStop()
	var doc []int32
	lead := p.Lead
	if e.cfg.DocCache {
		doc = append(e.neighborTokens(nbSelf, nbs), docTokens(e.vocab, text, off)...)
		if p.LeadAll && c.PrefixStart == 0 { // the cursor is near the top of the file
			lead = append([]int32{model.CacheFileStart}, lead...)
		}
	}
	dl := newDeadline(e.now, start, lat)
	_, re0 := sess.Counters()
	gopt := GenOptions{
		MaxTokens: maxTokens, Temperature: req.Options.Temperature, TopP: req.Options.TopP,
		TopK: req.Options.TopK, Seed: req.Options.Seed, StopTokens: e.fim.stops(), Prefix: p.Heal,
		RepeatGuard: e.cfg.RepeatGuard, Doc: doc, Lead: lead, Pace: dl.pace(1),
	}
	if e.cfg.ShiftReuse && e.layout == LayoutPSM {
		gopt.ShiftReuse = shiftReuseRun
	}
	samples := req.Options.Samples
	if samples == 0 {
		samples = e.cfg.Samples
	}
	if req.Options.Temperature != 0 {
		samples = 0
	}
	if bs, ok := sess.(BatchSession); ok && !e.cfg.NoBatch { // greedy, samples and drafts in one batch (decode.go)
		completion, stats, err := e.decodeBatch(ctx, ds, lang, c, bs, p.Tokens, gopt, newStop, multiline, max(samples, 0), dl)
		_, re1 := sess.Counters()
		stats.PromptTokens, stats.ReusedTokens = len(p.Tokens), int(re1-re0)
		if err != nil {
			return Result{Stats: stats}, err
		}
		return e.result(req, c, completion, multiline, stats), nil
	}
	gen, err := sess.Generate(ctx, p.Tokens, gopt, func(_ int32, piece string) bool { return !st.push(piece) && !dl.over() })
	_, re1 := sess.Counters()
	stats := Stats{PromptTokens: len(p.Tokens), ReusedTokens: int(re1 - re0), GeneratedTokens: gen.Tokens,
		StopReason: gen.StopReason}
	if err != nil {
		if ctx.Err() != nil {
			return Result{Stats: stats}, fmt.Errorf("complete: cancelled: %w", ctx.Err())
		}
		return Result{Stats: stats}, fmt.Errorf("complete: generate: %w", err)
	}
	st.flush()
	if st.reason != "" {
		stats.StopReason = st.reason
	}

	completion, tried := e.pick(ctx, ds, lang, c, st, multiline)
	stats.Candidates = tried
	if samples > 0 && ctx.Err() == nil && !dl.over() {
		completion, stats.Samples = consensus(completion, samples, func(seed uint64) (string, error) {
			if dl.over() {
				return "", errBudget
			}
			o := gopt
			o.Temperature, o.TopP, o.TopK, o.Seed = consensusTemperature, 0, consensusTopK, seed
			o.Pace = dl.pace(sampleRunway)
			sst := newStop()
			cut := false
			g, err := sess.Generate(ctx, p.Tokens, o, func(_ int32, piece string) bool {
				if sst.push(piece) {
					return false
				}
				cut = dl.over()
				return !cut
			})
			stats.GeneratedTokens += g.Tokens
			if err != nil {
				return "", err
			}
			if cut || g.StopReason == StopDeadline {
				return "", errBudget // a prefix of a line does not vote
			}
			sst.flush()
			s, k := e.pick(ctx, ds, lang, c, sst, multiline)
			stats.Candidates += k
			return s, nil
		})
	}
	if err := ctx.Err(); err != nil {
		return Result{Stats: stats}, fmt.Errorf("complete: cancelled: %w", err)
	}
	return e.result(req, c, completion, multiline, stats), nil
}

// result makes the request's Result from the chosen completion and remembers it for typed-through
// requests.
func (e *Engine) result(req Request, c *Context, completion string, multiline bool, stats Stats) Result {
	if strings.Contains(completion, "\n") && usesCRLF(c.Prefix, c.Suffix) {
		completion = strings.ReplaceAll(completion, "\n", "\r\n")
	}
	res := makeResult(req.Text, req.Offset, completion, multiline)
	res.Stats = stats
	if completion != "" && e.cache != nil {
		e.cache.put(req.URI, req.Text, req.Offset, completion, multiline)
	}
	return res
}

// pick post-processes the stopper's candidate truncations, longest first, and returns the first that
// does not add syntax errors to the document: the ERROR and MISSING nodes of the text with the candidate
// inserted are counted on a snapshot of the document's tree edited incrementally (so only the region
// around the cursor is re-parsed) and compared with the document's own count. tried is the number of
// candidates parsed.
func (e *Engine) pick(ctx context.Context, ds *docState, lang *grammars.Language, c *Context, st *stopper, multiline bool) (string, int) {
	style := detectIndent(c.Prefix+c.Suffix, lang.ID)
	n := e.cfg.SyntaxCandidates
	if n < 0 {
		return postProcess(st.text(), c.LinePrefix, c.Suffix, style, lang.IndentBlocks), 0
	}
	if !multiline {
		n = min(n, 3) // token-boundary cuts of one line rarely repair it; do not parse many
	}
	base := -1
	tried := 0
	seen := map[string]bool{}
	for _, raw := range st.cuts(n) {
		cand := postProcess(raw, c.LinePrefix, c.Suffix, style, lang.IndentBlocks)
		if strings.TrimSpace(cand) == "" || seen[cand] {
			continue
		}
		seen[cand] = true
		if base < 0 {
			base = ds.doc.ErrorCount()
			if base > minErrors && base*errorDensity > len(ds.doc.Text()) {
				// Text that barely parses (JSON opened as Go): each check would re-run error recovery
				// over all of it, and "adds no syntax error" says nothing there.
				return cand, tried
			}
		}
		tried++
		errs, err := ds.doc.ErrorCountAfterEdit(ctx, c.Offset, c.Offset, []byte(cand))
		if err == nil && errs > base && !multiline {
			// A line that opens a block (`if err != nil {`, `for x in xs:`) is a whole completion: the
			// user writes the body next. Check it as if the block were closed.
			if closing := blockCloser(cand, c.LinePrefix, c.Suffix, style, lang.IndentBlocks); closing != "" {
				errs, err = ds.doc.ErrorCountAfterEdit(ctx, c.Offset, c.Offset, []byte(cand+closing))
			}
		}
		if err != nil {
			return "", tried // cancelled
		}
		if errs <= base {
			return cand, tried
		}
	}
	return "", tried
}

// blockCloser returns the text that closes what a one-line completion cand opens, for the syntax check
// only: the brackets it leaves open (a '{' closed on a line of its own, so that Go's semicolon rule
// does not end the line early), or, in an indentation language, a body for a line ending in ':'. It
// returns "" when cand opens nothing or the rest of the cursor's line is not blank (the suffix may
// close it).
func blockCloser(cand, linePrefix, suffix string, style indentStyle, indentBlocks bool) string {
	if rest, _, _ := strings.Cut(suffix, "\n"); !isBlank(rest) {
		return ""
	}
	if indentBlocks {
		if !strings.HasSuffix(strings.TrimRightFunc(cand, unicode.IsSpace), ":") {
			return ""
		}
		unit := style.Unit
		if unit == "" {
			unit = "    "
		}
		return "\n" + leadingWS(linePrefix) + unit + "pass"
	}
	open := unclosedBrackets([]byte(linePrefix+cand), nil)
	if len(open) == 0 {
		return ""
	}
	var b strings.Builder
	for i := len(open) - 1; i >= 0; i-- {
		switch open[i] {
		case '{':
			b.WriteString("\n" + leadingWS(linePrefix) + "}")
		case '(':
			b.WriteByte(')')
		case '[':
			b.WriteByte(']')
		}
	}
	return b.String()
}

// declarationBlocks are the block kinds whose children are declarations rather than statements.
var declarationBlocks = map[string]bool{
	"class_body": true, "declaration_list": true, "field_declaration_list": true, "interface_body": true,
	"enum_body": true, "object_type": true,
}

// atDeclarationLevel reports whether the cursor is where declarations go (top level of the file, or a
// class, impl or struct body) rather than inside a function body. For indentation languages it also
// requires the cursor line not to open a block.
func atDeclarationLevel(cur grammars.Cursor, lang *grammars.Language, text []byte, linePrefix string) bool {
	if opensBody(linePrefix, lang.IndentBlocks) {
		return false
	}
	if lang.IndentBlocks {
		if !isBlank(linePrefix) && linePrefix != "" {
			return false
		}
		if !cur.HasBlock {
			return true
		}
		header := strings.TrimSpace(prevNonBlankLine(text, lineStart(text, cur.Block.StartByte)))
		return strings.HasPrefix(header, "class ")
	}
	return !cur.HasBlock || declarationBlocks[cur.Block.Kind]
}

// usesCRLF reports whether the text around the cursor ends its lines with "\r\n" (post-processing
// drops the '\r's the model wrote; they are put back so the file keeps one line-ending style).
func usesCRLF(prefix, suffix string) bool {
	n := strings.Count(prefix, "\n") + strings.Count(suffix, "\n")
	return n > 0 && strings.Count(prefix, "\r\n")+strings.Count(suffix, "\r\n") == n
}

// makeResult turns a completion at off into a Result whose range starts at the identifier being typed,
// so editors can filter on it.
func makeResult(text []byte, off int, completion string, multiline bool) Result {
	if completion == "" {
		return Result{ReplaceStart: off, ReplaceEnd: off, Multiline: multiline}
	}
	ws := off
	for ws > 0 && isIdentByte(text[ws-1]) {
		ws--
	}
	word := string(text[ws:off])
	first := completion
	if i := strings.IndexByte(first, '\n'); i >= 0 {
		first = first[:i]
	}
	return Result{Text: word + completion, ReplaceStart: ws, ReplaceEnd: off, FilterText: word + first,
		Multiline: multiline}
}

// isIdentByte reports whether b can be part of an identifier (ASCII letters, digits, '_', '$', and any
// byte of a multi-byte UTF-8 character).
func isIdentByte(b byte) bool {
	return b == '_' || b == '$' || b >= 0x80 || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
}

// setText brings the document's parse tree to text, editing incrementally from the previous text:
// keystrokes change a few bytes, and tree-sitter then re-parses only around them.
func (ds *docState) setText(ctx context.Context, lang *grammars.Language, text []byte) error {
	if ds.doc != nil && ds.lang != lang {
		ds.doc.Close()
		ds.doc = nil
		ds.anchor = Anchor{}
	}
	if ds.doc == nil {
		d, err := grammars.NewDocumentContext(ctx, lang, text)
		if err != nil {
			return fmt.Errorf("complete: parse: %w", err)
		}
		ds.doc, ds.lang = d, lang
		return nil
	}
	old := ds.doc.Text()
	p := 0
	for p < len(old) && p < len(text) && old[p] == text[p] {
		p++
	}
	if p == len(old) && p == len(text) {
		return nil
	}
	s := 0
	for s < len(old)-p && s < len(text)-p && old[len(old)-1-s] == text[len(text)-1-s] {
		s++
	}
	if err := ds.doc.EditContext(ctx, p, len(old)-s, text[p:len(text)-s]); err != nil {
		return fmt.Errorf("complete: reparse: %w", err)
	}
	return nil
}

// session returns the document's warm session, creating it and retiring the least recently used one
// beyond Config.MaxSessions.
func (e *Engine) session(ds *docState) LMSession {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.clock++
	ds.lastUse = e.clock
	if ds.sess != nil {
		return ds.sess
	}
	live := 0
	for _, o := range e.docs {
		if o.sess != nil {
			live++
		}
	}
	for live >= e.cfg.MaxSessions {
		var oldest *docState
		for _, o := range e.docs {
			if o.sess != nil && o != ds && (oldest == nil || o.lastUse < oldest.lastUse) {
				oldest = o
			}
		}
		if oldest == nil {
			break
		}
		oldest.sess = nil // the request using it, if any, keeps its own reference
		live--
	}
	ds.sess = e.lm.NewSession(e.cfg.NCtx)
	return ds.sess
}

// otherDefs returns the definitions of the other known documents of the same language, computing them
// from each document's latest text when it changed since last time.
func (e *Engine) otherDefs(self *docState, lang *grammars.Language) []FileDefs {
	type job struct {
		ds   *docState
		text []byte
	}
	var jobs []job
	var out []FileDefs
	e.mu.Lock()
	for _, o := range e.docs {
		if o == self || o.text == nil {
			continue
		}
		l, ok := grammars.ByExtension(o.path)
		if o.path == "" || !ok {
			l, ok = grammars.ByExtension(o.uri)
		}
		if !ok || l != lang {
			continue
		}
		jobs = append(jobs, job{o, o.text})
	}
	e.mu.Unlock()
	for _, j := range jobs {
		e.mu.Lock()
		defs, fresh := j.ds.defs, sameBytes(j.ds.defsText, j.text)
		e.mu.Unlock()
		if !fresh {
			d, err := grammars.NewDocument(lang, j.text)
			if err != nil {
				continue
			}
			defs = grammars.Definitions(d)
			d.Close()
			e.mu.Lock()
			j.ds.defs, j.ds.defsText = defs, j.text
			e.mu.Unlock()
		}
		out = append(out, FileDefs{Path: j.ds.path, Defs: defs})
	}
	// Stable order, so the header (and the prompt's token prefix) does not change between requests.
	for i := 1; i < len(out); i++ {
		for k := i; k > 0 && out[k].Path < out[k-1].Path; k-- {
			out[k], out[k-1] = out[k-1], out[k]
		}
	}
	return out
}

// sameBytes reports whether a and b are the same slice (same backing array and length) — texts are
// never modified in place, so that means the same text — or equal.
func sameBytes(a, b []byte) bool {
	if len(a) != len(b) || a == nil {
		return false
	}
	if len(a) > 0 && &a[0] == &b[0] {
		return true
	}
	return string(a) == string(b)
}

// memoEncoder remembers the encodings of one request: the window texts are counted while the windows
// are cut and encoded again to build the prompt.
type memoEncoder struct {
	Vocab
	memo map[string][]int32
}

func newMemoEncoder(v Vocab) *memoEncoder { return &memoEncoder{Vocab: v, memo: map[string][]int32{}} }

func (m *memoEncoder) Encode(text string, addSpecial, parseSpecial bool) []int32 {
	if addSpecial || parseSpecial {
		return m.Vocab.Encode(text, addSpecial, parseSpecial)
	}
	if ids, ok := m.memo[text]; ok {
		return ids
	}
	ids := m.Vocab.Encode(text, false, false)
	if len(text) >= 64 {
		m.memo[text] = ids
	}
	return ids
}

func (m *memoEncoder) count(s string) int { return len(m.Encode(s, false, false)) }
