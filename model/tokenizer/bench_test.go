package tokenizer

import (
	"strings"
	"testing"

	"github.com/weft-dev/weft/model/gguf"
)

// benchSource builds a ~20 KB Go file from realistic code (repeated with
// varying identifiers so the word cache does not see only one pattern).
func benchSource() string {
	const unit = `// Package server implements the request loop.
package server

import (
	"context"
	"fmt"
	"strings"
)

type Handler%d struct {
	name    string
	retries int
	cache   map[string][]byte
}

// ServeRequest%d handles one request and returns its result.
func (h *Handler%d) ServeRequest%d(ctx context.Context, req *Request) (*Response, error) {
	if req == nil {
		return nil, fmt.Errorf("handler %%q: nil request (attempt %%d)", h.name, h.retries)
	}
	for i := 0; i < len(req.Items); i++ {
		item := strings.TrimSpace(req.Items[i])
		if v, ok := h.cache[item]; ok && len(v) > 0x1F {
			continue
		}
		h.cache[item] = []byte(item + "_" + fmt.Sprint(i*31+7))
	}
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	default:
	}
	return &Response{Status: 200, Body: "ok"}, nil
}
`
	var b strings.Builder
	for i := 0; b.Len() < 20*1024; i++ {
		b.WriteString(strings.ReplaceAll(unit, "%d", string(rune('A'+i%26))+strings.Repeat("x", i%5)))
	}
	return b.String()
}

func benchTokenizer(b *testing.B) *Tokenizer {
	shared := sharedDir(b)
	vp := vocabPath(shared, "qwen2")
	if vp == "" {
		missing(b, "qwen2 vocab not found")
	}
	return loadVocab(b, vp)
}

// BenchmarkEncodeGoFile encodes a 20 KB Go file with the qwen2 vocab (the
// word cache warm after the first iteration, as in the LSP).
func BenchmarkEncodeGoFile(b *testing.B) {
	tk := benchTokenizer(b)
	src := benchSource()
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		tk.Encode(src, false, false)
	}
}

// BenchmarkEncodeGoFileCold is the same with the word cache cleared each time.
func BenchmarkEncodeGoFileCold(b *testing.B) {
	tk := benchTokenizer(b)
	src := benchSource()
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		tk.cacheMu.Lock()
		clear(tk.cache)
		tk.cacheMu.Unlock()
		tk.Encode(src, false, false)
	}
}

// BenchmarkLoadQwen2 measures FromGGUF on the 151936-token qwen2 vocab.
func BenchmarkLoadQwen2(b *testing.B) {
	shared := sharedDir(b)
	vp := vocabPath(shared, "qwen2")
	if vp == "" {
		missing(b, "qwen2 vocab not found")
	}
	f, err := gguf.Open(vp)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := FromGGUF(f); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncodeGoFileSPM encodes the same file with the llama-spm vocab
// (SentencePiece has no word cache: the whole text is one merge session).
func BenchmarkEncodeGoFileSPM(b *testing.B) {
	shared := sharedDir(b)
	vp := vocabPath(shared, "llama-spm")
	if vp == "" {
		missing(b, "llama-spm vocab not found")
	}
	tk := loadVocab(b, vp)
	src := benchSource()
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		tk.Encode(src, false, false)
	}
}
