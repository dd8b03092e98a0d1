package complete

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// fakeVocab is a byte-level vocabulary: ids 0..255 are bytes, then named control tokens. It lets the
// engine's logic be tested without a model file; real vocabularies are tested in fim_test.go.
type fakeVocab struct {
	specials []string // id 256+i has text specials[i]
}

func (v *fakeVocab) id(name string) int32 {
	for i, s := range v.specials {
		if s == name {
			return int32(256 + i)
		}
	}
	return -1
}

func (v *fakeVocab) Encode(text string, addSpecial, parseSpecial bool) []int32 {
	out := make([]int32, 0, len(text))
	for i := 0; i < len(text); i++ {
		if parseSpecial {
			matched := false
			for k, s := range v.specials {
				if len(text)-i >= len(s) && text[i:i+len(s)] == s {
					out = append(out, int32(256+k))
					i += len(s) - 1
					matched = true
					break
				}
			}
			if matched {
				continue
			}
		}
		out = append(out, int32(text[i]))
	}
	return out
}

func (v *fakeVocab) Decode(ids []int32) string {
	var b []byte
	for _, id := range ids {
		b = append(b, v.Piece(id)...)
	}
	return string(b)
}

func (v *fakeVocab) Piece(id int32) []byte {
	if id >= 0 && id < 256 {
		return []byte{byte(id)}
	}
	if k := int(id) - 256; k >= 0 && k < len(v.specials) {
		return []byte(v.specials[k])
	}
	return nil
}

func (v *fakeVocab) IsEOG(id int32) bool { return id == v.id("<eos>") }

// TokenID finds a control token by its text, as *tokenizer.Tokenizer does.
func (v *fakeVocab) TokenID(s string) (int32, bool) { id := v.id(s); return id, id >= 0 }

// qwenLikeVocab has Qwen's control-token names.
func qwenLikeVocab() *fakeVocab {
	return &fakeVocab{specials: []string{"<eos>", "<|fim_prefix|>", "<|fim_suffix|>", "<|fim_middle|>", "<|fim_pad|>", "<|repo_name|>", "<|file_sep|>"}}
}

func fimOf(v *fakeVocab) FIMTokens {
	return FIMTokens{Pre: v.id("<|fim_prefix|>"), Suf: v.id("<|fim_suffix|>"), Mid: v.id("<|fim_middle|>"),
		Pad: v.id("<|fim_pad|>"), Rep: v.id("<|repo_name|>"), Sep: v.id("<|file_sep|>"), BOS: -1, EOS: v.id("<eos>"), EOT: -1}
}

// fakeLM answers every prompt with reply(prompt text), one byte per token.
type fakeLM struct {
	v        *fakeVocab
	reply    func(prefix, suffix string) string
	perToken atomic.Int64             // simulated decode time per token, ns
	fim      *FIMTokens               // overrides the Qwen-named control tokens
	sampled  func(seed uint64) string // when set, the reply to requests with a temperature
	tick     func()                   // when set, called for every token decoded (a fake clock's tick)
	pace     time.Duration            // when set, GenOptions.Pace is asked with it before every token but the first

	mu       sync.Mutex
	sessions int
	prompts  [][]int32
	opts     []GenOptions // of every Generate call
}

func (m *fakeLM) Vocab() Vocab { return m.v }
func (m *fakeLM) FIM() FIMTokens {
	if m.fim != nil {
		return *m.fim
	}
	return fimOf(m.v)
}
func (m *fakeLM) ContextSize() int { return 4096 }
func (m *fakeLM) NewSession(nCtx int) LMSession {
	m.mu.Lock()
	m.sessions++
	m.mu.Unlock()
	return &fakeSession{m: m, nCtx: nCtx}
}

type fakeSession struct {
	m                 *fakeLM
	nCtx              int
	held              []int32
	evaluated, reused int64
}

func (s *fakeSession) Counters() (int64, int64) { return s.evaluated, s.reused }

// split returns the prefix and suffix texts of a PSM prompt built from the fake vocabulary.
func (s *fakeSession) split(prompt []int32) (prefix, suffix string) {
	v := s.m.v
	pre, suf, mid := v.id("<|fim_prefix|>"), v.id("<|fim_suffix|>"), v.id("<|fim_middle|>")
	var cur *[]byte
	var p, q []byte
	for _, id := range prompt {
		switch id {
		case pre:
			cur = &p
		case suf:
			cur = &q
		case mid:
			cur = nil
		default:
			if cur != nil && id < 256 {
				*cur = append(*cur, byte(id))
			}
		}
	}
	return string(p), string(q)
}

func (s *fakeSession) Generate(ctx context.Context, prompt []int32, o GenOptions, emit func(int32, string) bool) (GenResult, error) {
	s.m.mu.Lock()
	s.m.prompts = append(s.m.prompts, append([]int32(nil), prompt...))
	s.m.opts = append(s.m.opts, o)
	s.m.mu.Unlock()
	keep := 0
	for keep < len(prompt) && keep < len(s.held) && prompt[keep] == s.held[keep] {
		keep++
	}
	keep = min(keep, len(prompt)-1)
	s.reused += int64(keep)
	s.evaluated += int64(len(prompt) - keep)
	s.held = append(s.held[:keep], prompt[keep:]...)
	prefix, suffix := s.split(prompt)
	out := s.m.reply(prefix, suffix)
	if o.Temperature > 0 && s.m.sampled != nil {
		out = s.m.sampled(o.Seed)
	}
	var res GenResult
	for i := 0; i < len(out); i++ {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		if i > 0 && s.m.pace > 0 && o.Pace != nil && !o.Pace(s.m.pace) {
			res.StopReason = StopDeadline
			return res, nil
		}
		if d := s.m.perToken.Load(); d > 0 {
			time.Sleep(time.Duration(d))
		}
		if s.m.tick != nil {
			s.m.tick()
		}
		if o.MaxTokens > 0 && res.Tokens >= o.MaxTokens {
			res.StopReason = "max_tokens"
			return res, nil
		}
		res.Tokens++
		s.held = append(s.held, int32(out[i]))
		s.evaluated++
		if !emit(int32(out[i]), out[i:i+1]) {
			res.StopReason = "emit"
			return res, nil
		}
	}
	res.StopReason = "eog"
	return res, nil
}
