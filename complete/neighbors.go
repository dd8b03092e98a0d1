package complete

import (
	"bytes"
	"hash/maphash"
	"path"
	"sort"
	"sync"

	"github.com/weft-dev/weft/model"
)

// Neighbor is another file of the project that the document cache may learn from: a file of the same
// language in the document's directory, which the caller (the language server, `weft complete`) reads
// from disk. The names, imports, licence header and idioms of a package recur across its files, so what
// followed a run of tokens in a sibling is a good guess at what follows it here (Config.DocCache).
type Neighbor struct {
	Path string
	Text []byte
}

// neighborBudget bounds the bytes of neighbors per request; a longer last file is cut at a line end.
// The cache scans its tokens once per decoding step, so the bytes bound the work per token. On `weft
// eval fim` set a (600 holes, seed 7) 32 KB did as well as 96, 192 or 512 KB (single-line ES 0.405,
// 0.400, 0.403, 0.400; none 0.382): the nearest files carry what a file shares with its package.
const neighborBudget = 32 << 10

// pickNeighbors orders the candidate neighbors of the document at self, nearest first — same
// directory before others, then the longest common prefix of the base names (dgemm.go is nearer
// dgemv.go than zlarfg.go), then by path — and keeps as many as fit neighborBudget. The document itself,
// files of another extension and later copies of a path (an open buffer comes before its file on disk)
// are left out.
func pickNeighbors(self string, ns []Neighbor) []Neighbor {
	dir, base := path.Split(self)
	ext := path.Ext(base)
	type ranked struct {
		n          Neighbor
		sameDir    bool
		sharedName int
	}
	var rs []ranked
	seen := map[string]bool{self: true}
	for _, n := range ns {
		if seen[n.Path] || len(n.Text) == 0 || path.Ext(n.Path) != ext {
			continue
		}
		seen[n.Path] = true
		d, b := path.Split(n.Path)
		rs = append(rs, ranked{n, d == dir, commonPrefix(b, base)})
	}
	sort.SliceStable(rs, func(i, j int) bool {
		a, b := rs[i], rs[j]
		if a.sameDir != b.sameDir {
			return a.sameDir
		}
		if a.sharedName != b.sharedName {
			return a.sharedName > b.sharedName
		}
		return a.n.Path < b.n.Path
	})
	var out []Neighbor
	left := neighborBudget
	for _, r := range rs {
		if left <= 0 {
			break
		}
		t := r.n.Text
		left -= len(t)
		if left < 0 { // cut at a line end; the budget is spent
			t = t[:len(t)+left]
			if i := bytes.LastIndexByte(t, '\n'); i >= 0 {
				t = t[:i+1]
			}
		}
		out = append(out, Neighbor{Path: r.n.Path, Text: t})
	}
	return out
}

func commonPrefix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

// NearestFirst sorts the base names of files beside base in the order the document cache prefers
// them: the longest prefix shared with base first, then by name. Callers that read neighbors from
// disk read them in this order.
func NearestFirst(base string, names []string) {
	sort.SliceStable(names, func(i, j int) bool {
		a, b := commonPrefix(names[i], base), commonPrefix(names[j], base)
		if a != b {
			return a > b
		}
		return names[i] < names[j]
	})
}

// tokenMemo keeps the tokens of recently used neighbor texts, keyed by path and a hash of the text, so
// that the files around a document are tokenized once, not on every keystroke.
type tokenMemo struct {
	mu      sync.Mutex
	seed    maphash.Seed
	max     int
	entries []memoEntry // most recently used first
}

type memoEntry struct {
	path string
	sum  uint64
	n    int
	ids  []int32
}

func newTokenMemo(max int) *tokenMemo { return &tokenMemo{seed: maphash.MakeSeed(), max: max} }

// tokens returns the encoding of text by v, from the memo when the same path held the same text.
func (m *tokenMemo) tokens(v Vocab, p string, text []byte) []int32 {
	sum := maphash.Bytes(m.seed, text)
	m.mu.Lock()
	for i, e := range m.entries {
		if e.path == p && e.sum == sum && e.n == len(text) {
			copy(m.entries[1:i+1], m.entries[:i])
			m.entries[0] = e
			m.mu.Unlock()
			return e.ids
		}
	}
	m.mu.Unlock()
	ids := v.Encode(string(text), false, false)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.entries = append([]memoEntry{{p, sum, len(text), ids}}, m.entries...)
	if len(m.entries) > m.max {
		m.entries = m.entries[:m.max]
	}
	return ids
}

// requestNeighbors gathers a request's neighbors: the other open documents, then Request.Neighbors,
// then Config.Neighbors (which reads the disk, so a request gathers them once), and the path they
// are near.
func (e *Engine) requestNeighbors(ds *docState, req Request) (string, []Neighbor) {
	self := req.Path
	ns := append(e.openNeighbors(ds), req.Neighbors...)
	if req.ReadPath != "" && e.cfg.Neighbors != nil {
		ns = append(ns, e.cfg.Neighbors(req.ReadPath)...)
	}
	return self, ns
}

// neighborTokens returns the tokens of a request's neighbors (requestNeighbors), each after a model.CacheFileStart marker and before a -1
// separator, for the front of the document cache.
func (e *Engine) neighborTokens(self string, ns []Neighbor) []int32 {
	var out []int32
	for _, n := range pickNeighbors(self, ns) {
		out = append(out, model.CacheFileStart)
		out = append(out, e.memo.tokens(e.vocab, n.Path, n.Text)...)
		out = append(out, -1)
	}
	return out
}

// openNeighbors returns the other open documents as neighbors (pickNeighbors keeps those of the same
// extension).
func (e *Engine) openNeighbors(self *docState) []Neighbor {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []Neighbor
	for _, o := range e.docs {
		if o == self || o.text == nil {
			continue
		}
		if o.path != "" {
			out = append(out, Neighbor{Path: o.path, Text: o.text})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}
