package complete

import (
	"context"
	"fmt"
	"hash/maphash"
	"strings"

	"github.com/weft-dev/weft/grammars"
)

// Budget is the number of tokens each part of the context may use.
type Budget struct {
	Prefix int // text before the cursor
	Suffix int // text after the cursor
	Header int // repo map: imports and signatures
}

// DefaultBudget splits a prompt of total tokens: three quarters prefix, a sixteenth suffix and the rest
// header. The suffix is small on purpose: with the PSM layout every suffix token is evaluated again on
// each keystroke (it comes after the part of the prompt that changes), so its size is both the
// per-keystroke prompt cost and what bounds the share of the prompt the KV cache can serve.
func DefaultBudget(total int) Budget {
	if total <= 0 {
		total = 2048
	}
	b := Budget{Prefix: total * 3 / 4, Suffix: total / 16}
	b.Header = total - b.Prefix - b.Suffix
	return b
}

// suffixFloor is the smallest suffix budget: the rest of the cursor's line and a few lines after it.
const suffixFloor = 64

// FileDefs are the definitions of another open document, offered to the repo map.
type FileDefs struct {
	Path string
	Defs []grammars.Definition
}

// Anchor remembers where the windows of the previous request were cut. Passing it back keeps the cuts
// where they were for as long as the text between them fits the budget, so the prompt of a keystroke
// differs from the previous one only near the cursor. The zero Anchor means "no previous request".
type Anchor struct {
	Valid         bool
	PrefixStart   int // byte offset where the prefix window started
	SuffixFromEnd int // bytes from the suffix window's end to the end of the text

	headerKey uint64 // hash of what the header was built from
	header    string
	imports   []string
	sigs      []string
	hseed     maphash.Seed
}

// ContextInput is what BuildContext needs.
type ContextInput struct {
	Doc    *grammars.Document // the parsed current text
	Offset int                // cursor, bytes
	Path   string             // shown in the header ("" to leave out)
	Others []FileDefs         // definitions of other open documents of the same language
	Count  func(string) int   // token counter; nil estimates 4 bytes a token
	Budget Budget
	Anchor Anchor
	// Ctx, when set, stops the walk over the tree early once it is done (BuildContext then returns
	// its error).
	Ctx context.Context
	// SkipScope leaves Context.Scope empty: finding it runs a query over the whole tree, which the
	// completion engine, needing only the windows, saves on every keystroke.
	SkipScope bool
}

// Context is the text a prompt is built from.
type Context struct {
	Lang        *grammars.Language
	Path        string
	LineComment string
	Header      string // repo-map comment block ("" when there is nothing to say), ends with "\n"
	Prefix      string // Text[PrefixStart:Offset]
	Suffix      string // Text[Offset:SuffixEnd]
	PrefixStart int
	SuffixEnd   int
	Offset      int
	LinePrefix  string // the cursor's line before the cursor
	Scope       grammars.Scope
	HasScope    bool // Scope is the innermost named scope around the cursor
	Imports     []string
	Signatures  []string // the signatures listed in the header, in order
	Anchor      Anchor   // pass to the next BuildContext of the same document
}

// BuildContext cuts the prefix and suffix windows around the cursor by token budget and builds the repo
// map header. Windows are cut at line starts, preferring the start (prefix) or end (suffix) of a
// top-level syntax node; they keep the previous request's cuts while those still fit (see Anchor), and
// when they must move they move to three quarters of the budget, so the next moves are many keystrokes
// away.
func BuildContext(in ContextInput) (*Context, error) {
	d := in.Doc
	if d == nil {
		return nil, fmt.Errorf("complete: no document")
	}
	text := d.Text()
	off := in.Offset
	if off < 0 || off > len(text) {
		return nil, fmt.Errorf("complete: offset %d outside text of %d bytes", off, len(text))
	}
	count := in.Count
	if count == nil {
		count = func(s string) int { return (len(s) + 3) / 4 }
	}
	b := in.Budget
	if b.Prefix <= 0 && b.Suffix <= 0 && b.Header <= 0 {
		b = DefaultBudget(0)
	}
	lang := d.Language()
	c := &Context{Lang: lang, Path: in.Path, Offset: off, LineComment: lang.LineComment}
	ls := lineStart(text, off)
	c.LinePrefix = string(text[ls:off])
	ctx := in.Ctx
	if ctx == nil {
		ctx = context.Background()
	}
	roots := rootSpans(ctx, d)
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("complete: context: %w", err)
	}

	c.PrefixStart = prefixWindow(text, off, b.Prefix, count, in.Anchor, roots)
	// The suffix gets at most a sixteenth of the prefix's tokens (and at least suffixFloor): with PSM
	// every suffix token is evaluated again on each keystroke, so this keeps the KV cache serving over
	// 90% of the prompt even when the prefix is short (near the top of a file).
	sb := min(b.Suffix, max(count(string(text[c.PrefixStart:off]))/16, suffixFloor))
	c.SuffixEnd = suffixWindow(text, off, sb, count, in.Anchor, roots, d)
	c.Prefix = string(text[c.PrefixStart:off])
	c.Suffix = string(text[off:c.SuffixEnd])

	if !in.SkipScope {
		for _, s := range grammars.EnclosingScopes(d, off) {
			if s.Name != "" {
				c.Scope, c.HasScope = s, true
			}
		}
	}

	c.Anchor = Anchor{Valid: true, PrefixStart: c.PrefixStart, SuffixFromEnd: len(text) - c.SuffixEnd,
		hseed: in.Anchor.hseed}
	if c.Anchor.hseed == (maphash.Seed{}) {
		c.Anchor.hseed = maphash.MakeSeed()
	}
	// The header depends only on the text outside the windows and on the other files: when those are
	// unchanged (always, while typing inside the windows) the previous header is reused as is, without
	// running the definition queries again.
	key := headerKey(c.Anchor.hseed, text[:c.PrefixStart], text[c.SuffixEnd:], in.Path, in.Others, b.Header)
	if in.Anchor.Valid && in.Anchor.hseed == c.Anchor.hseed && in.Anchor.headerKey == key {
		c.Header, c.Imports, c.Signatures = in.Anchor.header, in.Anchor.imports, in.Anchor.sigs
	} else {
		c.Imports, c.Signatures, c.Header = buildHeader(d, c.PrefixStart, c.SuffixEnd, in.Others, lang.LineComment, b.Header, count)
	}
	c.Anchor.headerKey, c.Anchor.header, c.Anchor.imports, c.Anchor.sigs = key, c.Header, c.Imports, c.Signatures
	return c, nil
}

// headerKey hashes the inputs of the header.
func headerKey(seed maphash.Seed, before, after []byte, path string, others []FileDefs, budget int) uint64 {
	var h maphash.Hash
	h.SetSeed(seed)
	h.Write(before)
	h.WriteByte(0)
	h.Write(after)
	h.WriteByte(0)
	h.WriteString(path)
	fmt.Fprintf(&h, "\x00%d", budget)
	for _, o := range others {
		h.WriteString(o.Path)
		for _, d := range o.Defs {
			h.WriteString(d.Signature)
			h.WriteByte(0)
		}
	}
	return h.Sum64()
}

// span is a byte range.
type span struct{ start, end int }

// rootSpans returns the byte ranges of the top-level syntax nodes, in order: the whole-node cut points.
// It walks the root's children with one tree cursor: Node.Child(i) walks from the first child on
// each call, which made this quadratic (a 5 MB file has ~60,000 top-level nodes). It stops early,
// returning what it has, when ctx is done.
func rootSpans(ctx context.Context, d *grammars.Document) []span {
	root := d.Root()
	if root == nil {
		return nil
	}
	out := make([]span, 0, root.ChildCount())
	c := root.Walk()
	defer c.Close()
	for ok := c.GotoFirstChild(); ok; ok = c.GotoNextSibling() {
		if len(out)%1024 == 1023 && ctx.Err() != nil {
			break
		}
		n := c.Node()
		out = append(out, span{int(n.StartByte()), int(n.EndByte())})
	}
	return out
}

// prefixWindow returns the start of the prefix window for the cursor at off.
func prefixWindow(text []byte, off, budget int, count func(string) int, a Anchor, roots []span) int {
	ls := lineStart(text, off)
	if budget <= 0 {
		return ls
	}
	if a.Valid && a.PrefixStart >= 0 && a.PrefixStart <= ls && (a.PrefixStart == 0 || text[a.PrefixStart-1] == '\n') {
		if count(string(text[a.PrefixStart:off])) <= budget {
			return a.PrefixStart
		}
	}
	if fitsWhole(text[:off], budget, count) {
		return 0
	}
	// Walk back whole lines until three quarters of the budget is used.
	target := budget * 3 / 4
	used := count(string(text[ls:off]))
	start := ls
	for start > 0 {
		ps := lineStart(text, start-1)
		n := count(string(text[ps:start]))
		if used+n > target {
			break
		}
		used += n
		start = ps
	}
	// Prefer the start of a top-level node within the first quarter of the window: the model then sees
	// whole declarations rather than the tail of one.
	limit := start + (off-start)/4
	for _, r := range roots {
		if r.start >= start && r.start <= limit && r.start <= ls && (r.start == 0 || text[r.start-1] == '\n') {
			return r.start
		}
		if r.start > limit {
			break
		}
	}
	return start
}

// fitsWhole reports whether b fits budget tokens. A token holds at least one byte, and code averages
// well under 8 bytes a token, so texts outside those bounds are decided without encoding them (the
// first request on a large file would otherwise encode all of it).
func fitsWhole(b []byte, budget int, count func(string) int) bool {
	switch {
	case len(b) <= budget:
		return true
	case len(b) > 8*budget:
		return false
	}
	return count(string(b)) <= budget
}

// suffixWindow returns the end of the suffix window for the cursor at off.
func suffixWindow(text []byte, off, budget int, count func(string) int, a Anchor, roots []span, d *grammars.Document) int {
	le := lineEnd(text, off)
	if le < len(text) {
		le++ // the rest of the cursor's line, newline included
	}
	if budget <= 0 {
		return le
	}
	if a.Valid {
		end := len(text) - a.SuffixFromEnd
		if end >= le && end <= len(text) && (end == len(text) || text[end-1] == '\n') {
			if count(string(text[off:end])) <= budget {
				return end
			}
		}
	}
	if fitsWhole(text[off:], budget, count) {
		return len(text)
	}
	target := budget * 3 / 4
	used := count(string(text[off:le]))
	end := le
	for end < len(text) {
		ne := lineEnd(text, end)
		if ne < len(text) {
			ne++
		}
		n := count(string(text[end:ne]))
		if used+n > target {
			break
		}
		used += n
		end = ne
	}
	// Prefer to end with a whole node: the enclosing scope's end, or the last top-level node that ends
	// in the last quarter of the window.
	limit := end - (end-le)/4
	best := -1
	if sc, ok := grammars.EnclosingScope(d, off); ok {
		e := lineEnd(text, sc.EndByte)
		if e < len(text) {
			e++
		}
		if e >= limit && e <= end {
			best = e
		}
	}
	if best < 0 {
		for _, r := range roots {
			e := lineEnd(text, r.end)
			if e < len(text) {
				e++
			}
			if e >= limit && e <= end && e >= le {
				best = e
			}
		}
	}
	if best >= 0 {
		return best
	}
	return end
}

// buildHeader lists, as a comment block in the file's language, the imports and top-level signatures
// that lie outside the windows, then the definitions of the other open files, without duplicates.
// When the budget cannot hold everything, entries are chosen by priority (imports; this file's
// functions and types; the other files' functions and types; variables, constants and fields last) and
// then written in file order.
func buildHeader(d *grammars.Document, winStart, winEnd int, others []FileDefs, cmt string, budget int,
	count func(string) int) (imports, sigs []string, header string) {
	if budget <= 0 || cmt == "" {
		return nil, nil, ""
	}
	type entry struct {
		text     string
		group    int // output order: 0 this file, 1+i other file i
		prio     int
		isImport bool
		chosen   bool
	}
	var es []*entry
	outside := func(s, e int) bool { return e <= winStart || s >= winEnd }
	for _, im := range grammars.Imports(d) {
		if outside(im.StartByte, im.EndByte) {
			es = append(es, &entry{text: oneLine(im.Text), prio: 0, isImport: true})
		}
	}
	for _, def := range grammars.Definitions(d) {
		if outside(def.StartByte, def.EndByte) {
			es = append(es, &entry{text: oneLine(def.Signature), prio: defPriority(def.Kind, 1)})
		}
	}
	for i, o := range others {
		for _, def := range o.Defs {
			es = append(es, &entry{text: oneLine(def.Signature), group: 1 + i, prio: defPriority(def.Kind, 2)})
		}
	}
	title := cmt + " Repo map:\n"
	used := count(title)
	seen := map[string]bool{}
	groupUsed := map[int]bool{}
	for prio := 0; prio <= 4; prio++ {
		for _, e := range es {
			if e.prio != prio || e.text == "" || seen[e.text] {
				continue
			}
			n := count(cmt + " " + e.text + "\n")
			if e.group > 0 && !groupUsed[e.group] {
				n += count(cmt + " From " + others[e.group-1].Path + ":\n")
			}
			if used+n > budget {
				continue
			}
			used += n
			seen[e.text], e.chosen, groupUsed[e.group] = true, true, true
		}
	}
	var b strings.Builder
	for g := 0; g <= len(others); g++ {
		if !groupUsed[g] {
			continue
		}
		if g > 0 {
			b.WriteString(cmt + " From " + others[g-1].Path + ":\n")
		}
		for _, e := range es {
			if e.group != g || !e.chosen {
				continue
			}
			b.WriteString(cmt + " " + e.text + "\n")
			if e.isImport {
				imports = append(imports, e.text)
			} else {
				sigs = append(sigs, e.text)
			}
		}
	}
	if b.Len() == 0 {
		return nil, nil, ""
	}
	return imports, sigs, title + b.String()
}

// defPriority ranks a definition for the header: functions and types first (base), variables,
// constants and fields two steps later.
func defPriority(kind string, base int) int {
	switch kind {
	case grammars.KindVariable, grammars.KindConstant, grammars.KindField:
		return base + 2
	}
	return base
}

// oneLine collapses a multi-line declaration into one line with single spaces.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
