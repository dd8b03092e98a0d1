package eval

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/weft-dev/weft/complete"
)

// ReplayReport summarises a replayed typing session.
type ReplayReport struct {
	Keystrokes int
	Errors     int
	CacheHits  int // answered by the typed-through cache
	P50, P95   time.Duration
	Mean, Max  time.Duration
	// Token counts over the requests that reached the model, the first (cold) one excluded.
	PromptTokens    int64
	ReusedTokens    int64
	GeneratedTokens int64
	// ReuseShare is ReusedTokens / PromptTokens: the share of prompt tokens served from the KV cache.
	ReuseShare float64
}

func (r ReplayReport) String() string {
	return fmt.Sprintf("%d keystrokes: p50 %v p95 %v mean %v max %v; cache hits %d; KV reuse %.1f%% (%d of %d prompt tokens); %d generated; %d errors",
		r.Keystrokes, r.P50, r.P95, r.Mean, r.Max, r.CacheHits, 100*r.ReuseShare, r.ReusedTokens, r.PromptTokens, r.GeneratedTokens, r.Errors)
}

// ReplayOptions tune ReplayTyping; the zero value types at the middle of the text with the engine's
// default request options.
type ReplayOptions struct {
	Start   int // byte offset where typing starts; < 0 or 0: the start of the line nearest the middle
	Request complete.Options
}

// ReplayTyping replays a user typing n bytes of text one at a time (a whole UTF-8 character per
// keystroke) at the middle of the file, with the rest of the file already there, and asks the engine for
// a completion after each keystroke, as an editor with inline completion does. It reports the latency
// of each completion and how much of the prompt the document's session served from its KV cache.
// `weft bench --lsp` and BenchmarkTypingSession call it.
func ReplayTyping(ctx context.Context, e *complete.Engine, text []byte, lang string, n int) (ReplayReport, error) {
	return ReplayTypingWith(ctx, e, text, lang, n, ReplayOptions{})
}

// ReplayTypingWith is ReplayTyping with options.
func ReplayTypingWith(ctx context.Context, e *complete.Engine, text []byte, lang string, n int, o ReplayOptions) (ReplayReport, error) {
	var r ReplayReport
	if n <= 0 || len(text) == 0 {
		return r, fmt.Errorf("eval: replay needs a text and a positive number of keystrokes")
	}
	start := o.Start
	if start <= 0 || start >= len(text) {
		start = lineStart(text, len(text)/2)
	}
	if start+n > len(text) {
		start = lineStart(text, max(0, len(text)-n))
		n = min(n, len(text)-start)
	}
	end := start + n
	for end < len(text) && text[end]&0xC0 == 0x80 {
		end++ // do not split a character
	}
	rest := text[end:]
	uri := fmt.Sprintf("replay://%p/typing.%s", e, lang)
	defer e.Close(uri)
	var lat []time.Duration
	buf := make([]byte, 0, len(text))
	first := true
	for pos := start; pos < end; {
		size := 1
		for pos+size < end && text[pos+size]&0xC0 == 0x80 {
			size++
		}
		pos += size
		buf = append(append(buf[:0], text[:pos]...), rest...)
		t0 := time.Now()
		res, err := e.Complete(ctx, complete.Request{URI: uri, LanguageID: lang, Path: "typing." + lang, Text: buf, Offset: pos, Options: o.Request})
		d := time.Since(t0)
		if err != nil {
			if ctx.Err() != nil {
				return r, ctx.Err()
			}
			r.Errors++
			continue
		}
		r.Keystrokes++
		lat = append(lat, d)
		switch {
		case res.Stats.FromCache:
			r.CacheHits++
		case first:
			first = false
		default:
			r.PromptTokens += int64(res.Stats.PromptTokens)
			r.ReusedTokens += int64(res.Stats.ReusedTokens)
			r.GeneratedTokens += int64(res.Stats.GeneratedTokens)
		}
	}
	if len(lat) == 0 {
		return r, fmt.Errorf("eval: every replayed request failed")
	}
	slices.Sort(lat)
	var sum time.Duration
	for _, d := range lat {
		sum += d
	}
	r.P50 = lat[len(lat)/2]
	r.P95 = lat[min(len(lat)-1, len(lat)*95/100)]
	r.Mean = sum / time.Duration(len(lat))
	r.Max = lat[len(lat)-1]
	if r.PromptTokens > 0 {
		r.ReuseShare = float64(r.ReusedTokens) / float64(r.PromptTokens)
	}
	return r, nil
}
