package model

import (
	"math"

	"github.com/weft-dev/weft/model/quant"
)

// CacheMix mixes a cache language model over a document's own tokens into
// the model's next-token distribution:
//
//	p(t) = (1−λ)·p_model(t) + λ·p_doc(t)
//
// where p_doc is what followed, in Doc, the longest run (MinRun to MaxRun
// tokens) of the latest tokens — Lead, then what was generated — that also
// occurs there, and λ grows with the number of times the run occurs (see
// Lambda). It is the "cache" of the cache n-gram models for code (Tu et
// al., 2014; Hellendoorn and Devanbu, 2017), over the model's own tokens: a
// model that sees only a window of a file still learns, from the whole file,
// the identifiers and idioms that recur in it.
//
// Doc may hold -1 separators: no run crosses one and nothing follows the
// token before one (a completion's document has one at the cursor, so that
// the text after it is not offered as the continuation of the text before).
// It may also hold CacheFileStart markers, where files begin; Lead begins
// with one when the generation starts near the top of a file. A run that
// reaches back to the marker in both counts however short it is: the top
// of a file is as telling a context as a long run (a package's files share
// their licence header and package clause).
type CacheMix struct {
	Doc  []int32
	Lead []int32 // tokens just before the generation (the end of the prompt's prefix)
	// Lambda is the weight of the document's distribution after a run seen once (0: off). A run
	// seen n times gets 1−(1−Lambda)^n, at most MaxLambda: each occurrence is evidence of its own,
	// and a continuation that followed the same run in every file of a package (a licence line, a
	// receiver's name) should win over the model's generic guess. MaxLambda 0: Lambda always.
	Lambda    float32
	MaxLambda float32
	MinRun    int // shortest run that counts (at least 1)
	MaxRun    int // longest run compared
}

// CacheFileStart marks the start of a file in CacheMix.Doc and Lead.
const CacheFileStart int32 = -2

// cacheCand is a continuation and how often it followed the longest run.
type cacheCand struct {
	id int32
	n  int
}

// cacheMixer is the state of one CacheMix over one generation.
type cacheMixer struct {
	o     CacheMix
	hist  []int32 // Lead, then the generated tokens
	cands []cacheCand
	exp   []float32 // scratch for the model's softmax
}

func newCacheMixer(o CacheMix, maxTokens, nVocab int) *cacheMixer {
	if o.Lambda <= 0 || len(o.Doc) == 0 {
		return nil
	}
	o.Lambda = min(o.Lambda, 0.99)
	o.MaxLambda = min(o.MaxLambda, 0.99)
	o.MinRun = max(o.MinRun, 1)
	o.MaxRun = max(o.MaxRun, o.MinRun)
	lead := o.Lead[max(0, len(o.Lead)-o.MaxRun):]
	hist := make([]int32, 0, len(lead)+max(maxTokens, 64))
	return &cacheMixer{o: o, hist: append(hist, lead...), exp: make([]float32, nVocab)}
}

// push records a generated token.
func (c *cacheMixer) push(id int32) { c.hist = append(c.hist, id) }

// lookup fills c.cands with the continuations of the longest run of c.hist's
// last tokens found in the document (at least MinRun long) and returns their
// total count (0: no run).
func (c *cacheMixer) lookup() int {
	c.cands = c.cands[:0]
	h, doc := c.hist, c.o.Doc
	n := len(h)
	if n == 0 || (n < c.o.MinRun && h[0] != CacheFileStart) {
		return 0
	}
	last, best, total := h[n-1], 0, 0
	for i := 0; i+1 < len(doc); i++ { // doc[i] lines up with h[n-1]; doc[i+1] is the continuation
		if doc[i] != last || doc[i+1] < 0 {
			continue
		}
		k := 1
		for k < c.o.MaxRun && k < n && i-k >= 0 && doc[i-k] == h[n-1-k] {
			k++
		}
		if (k < c.o.MinRun && doc[i-k+1] != CacheFileStart) || k < best {
			continue
		}
		if k > best {
			best, total = k, 0
			c.cands = c.cands[:0]
		}
		total++
		t := doc[i+1]
		found := false
		for j := range c.cands {
			if c.cands[j].id == t {
				c.cands[j].n++
				found = true
				break
			}
		}
		if !found {
			c.cands = append(c.cands, cacheCand{t, 1})
		}
	}
	return total
}

// mix rewrites logits so that their softmax is the mixture, and appends
// the original values of the logits it changed to saved. Only the
// continuations' logits change: with Z the sum of e^(l−max), each becomes
// max + log(e^(l−max) + λ/(1−λ)·Z·p_doc), which leaves every other token's
// probability scaled by the same 1−λ.
func (c *cacheMixer) mix(logits []float32, saved []savedLogit) []savedLogit {
	total := c.lookup()
	if total == 0 {
		return saved
	}
	e := c.exp[:len(logits)]
	copy(e, logits)
	maxl, z := quant.SoftmaxExp(e)
	lam := float64(c.o.Lambda)
	if c.o.MaxLambda > c.o.Lambda && total > 1 {
		lam = min(1-math.Pow(1-lam, float64(total)), float64(c.o.MaxLambda))
	}
	w := lam / (1 - lam) * z / float64(total)
	for _, cd := range c.cands {
		if int(cd.id) >= len(logits) || math.IsInf(float64(logits[cd.id]), -1) { // masked (token healing)
			continue
		}
		saved = append(saved, savedLogit{cd.id, logits[cd.id]})
		logits[cd.id] = maxl + float32(math.Log(float64(e[cd.id])+w*float64(cd.n)))
	}
	return saved
}
