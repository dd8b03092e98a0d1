package complete

import (
	"hash/maphash"
	"strings"
	"sync"
)

// resultCache remembers recent completions so that typing what was suggested is answered at once: when
// the new prefix is an old prefix plus the start of the old completion, and the text after the cursor is
// unchanged, the rest of the old completion is still the model's answer (the model would, greedily,
// continue the same way), so it is returned without building a prompt or decoding.
//
// Entries are keyed by document and a hash of the text before the cursor; the cache is a small LRU
// scanned linearly (it holds tens of entries, and the scan compares hashes of at most a few documents).
type resultCache struct {
	mu      sync.Mutex
	seed    maphash.Seed
	max     int
	entries []cacheEntry // most recently used first
}

type cacheEntry struct {
	uri        string
	prefixLen  int
	prefixHash uint64
	suffixHash uint64
	completion string
	multiline  bool
}

func newResultCache(max int) *resultCache {
	return &resultCache{seed: maphash.MakeSeed(), max: max}
}

func (c *resultCache) hash(b []byte) uint64 { return maphash.Bytes(c.seed, b) }

// put records completion for the cursor at offset of text.
func (c *resultCache) put(uri string, text []byte, offset int, completion string, multiline bool) {
	if c == nil || c.max <= 0 || completion == "" {
		return
	}
	e := cacheEntry{uri: uri, prefixLen: offset, prefixHash: c.hash(text[:offset]), suffixHash: c.hash(text[offset:]),
		completion: completion, multiline: multiline}
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := range c.entries {
		if c.entries[i].uri == uri && c.entries[i].prefixLen == offset && c.entries[i].prefixHash == e.prefixHash {
			c.entries = append(c.entries[:i], c.entries[i+1:]...)
			break
		}
	}
	c.entries = append([]cacheEntry{e}, c.entries...)
	if len(c.entries) > c.max {
		c.entries = c.entries[:c.max]
	}
}

// get returns the remaining part of a cached completion that the text up to offset has typed into.
func (c *resultCache) get(uri string, text []byte, offset int) (rest string, multiline bool, ok bool) {
	if c == nil || c.max <= 0 {
		return "", false, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var sh uint64
	shDone := false
	for i := range c.entries {
		e := &c.entries[i]
		if e.uri != uri || e.prefixLen > offset || offset-e.prefixLen >= len(e.completion) {
			continue
		}
		typed := string(text[e.prefixLen:offset])
		if !strings.HasPrefix(e.completion, typed) {
			continue
		}
		if !shDone {
			sh, shDone = c.hash(text[offset:]), true
		}
		if sh != e.suffixHash || c.hash(text[:e.prefixLen]) != e.prefixHash {
			continue
		}
		rest, multiline = e.completion[len(typed):], e.multiline
		hit := *e
		c.entries = append(c.entries[:i], c.entries[i+1:]...)
		c.entries = append([]cacheEntry{hit}, c.entries...)
		return rest, multiline, true
	}
	return "", false, false
}

// drop forgets every entry of a document (closed documents).
func (c *resultCache) drop(uri string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	kept := c.entries[:0]
	for _, e := range c.entries {
		if e.uri != uri {
			kept = append(kept, e)
		}
	}
	c.entries = kept
}
