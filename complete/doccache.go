package complete

import (
	"bytes"

	"github.com/weft-dev/weft/model"
)

// The document cache (Config.DocCache). A small model's prompt holds a window of the file around the
// cursor, yet the names and idioms a line needs often recur further away in the same file. So at each
// decoding step the longest run of the latest tokens (3 to 8) that also occurs in the document is looked
// up, and what followed it there is mixed into the model's distribution with weight λ (model.CacheMix):
// the cache component of cache language models for code (Tu et al., 2014; Hellendoorn and Devanbu,
// 2017). λ and the shortest run were chosen on `weft eval fim` set a, the validation split, and then
// measured on sets b and c (docs/MODEL.md).
//
// λ is 0.3 for a run seen once and grows with the run's occurrences, 1−0.7^n, up to 0.9 (see
// model.CacheMix.Lambda): on set a (600 holes, seed 7), with the neighbors and consensus decoding,
// single-line ES went 0.450 → 0.488 and multi-line 0.276 → 0.292 (a cap of 0.8 gave 0.483, of 0.97
// 0.488; a base of 0.2 0.460, of 0.4 0.473; 1−0.7^√n 0.474).
const (
	docCacheLambda    = 0.3
	docCacheMaxLambda = 0.9
	docCacheMinRun    = 3
	docCacheMaxRun    = 8
)

// Bytes of the document tokenized for the cache, before and after the cursor: enough for most source
// files whole, and a bound on the work per request for the others (about 1 ms per 64 KB).
const (
	docCacheBefore = 96 << 10
	docCacheAfter  = 32 << 10
)

// docTokens returns the tokens of the document around off for the cache: the text before the cursor
// (after a model.CacheFileStart marker when it starts at the top of the file), a -1 separator (so that
// the text after the cursor is never offered as the continuation of the text before it, which is how
// the document reads while a line is missing), then the text after. Both parts are cut at line starts
// when they exceed their bounds.
func docTokens(v Vocab, text []byte, off int) []int32 {
	before, after := text[:off], text[off:]
	var doc []int32
	if len(before) > docCacheBefore {
		before = before[len(before)-docCacheBefore:]
		if i := bytes.IndexByte(before, '\n'); i >= 0 {
			before = before[i+1:]
		}
	} else {
		doc = append(doc, model.CacheFileStart)
	}
	if len(after) > docCacheAfter {
		after = after[:docCacheAfter]
		if i := bytes.LastIndexByte(after, '\n'); i >= 0 {
			after = after[:i+1]
		}
	}
	doc = append(doc, v.Encode(string(before), false, false)...)
	doc = append(doc, -1)
	return append(doc, v.Encode(string(after), false, false)...)
}
