package model

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"

	"github.com/weft-dev/weft/model/gguf"
)

// retype rewrites the type field of tensor name in a GGUF v3 file.
func retype(t *testing.T, b []byte, name string, typ gguf.Type) []byte {
	t.Helper()
	key := binary.LittleEndian.AppendUint64(nil, uint64(len(name)))
	key = append(key, name...)
	i := bytes.Index(b, key)
	if i < 0 {
		t.Fatalf("no tensor %q", name)
	}
	off := i + len(key)
	nd := int(binary.LittleEndian.Uint32(b[off:]))
	off += 4 + 8*nd
	b = bytes.Clone(b)
	binary.LittleEndian.PutUint32(b[off:], uint32(typ))
	return b
}

// TestLoadUnsupportedTypes: a tensor whose type weft has no kernel for
// fails the load with one line naming the tensor, its type and what weft
// supports.
func TestLoadUnsupportedTypes(t *testing.T) {
	w, err := Synth("tiny", "", gguf.TypeQ8_0, nil, 1)
	if err != nil {
		t.Fatal(err)
	}
	good, err := w.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := FromBytes(good, Options{Threads: 1}); err != nil {
		t.Fatalf("unmodified file: %v", err)
	}
	for _, c := range []struct {
		tensor string
		typ    gguf.Type
		want   []string
	}{
		{"blk.0.attn_q.weight", gguf.TypeIQ2_XXS, []string{"blk.0.attn_q.weight", "IQ2_XXS", "no matrix kernel", "Q4_1", "IQ4_XS"}},
		{"blk.1.ffn_down.weight", gguf.TypeIQ3_S, []string{"blk.1.ffn_down.weight", "IQ3_S", "Q5_0"}},
		{"token_embd.weight", gguf.TypeIQ1_M, []string{"token_embd.weight", "IQ1_M", "decodes", "Q2_K"}},
		{"blk.0.attn_norm.weight", gguf.TypeTQ1_0, []string{"blk.0.attn_norm.weight", "TQ1_0", "supported"}},
	} {
		m, err := FromBytes(retype(t, good, c.tensor, c.typ), Options{Threads: 1})
		if err == nil {
			m.Close()
			t.Errorf("%s as %v: loaded", c.tensor, c.typ)
			continue
		}
		msg := err.Error()
		t.Log(msg)
		if strings.Contains(msg, "\n") {
			t.Errorf("%s as %v: error has several lines: %q", c.tensor, c.typ, msg)
		}
		for _, w := range c.want {
			if !strings.Contains(msg, w) {
				t.Errorf("%s as %v: error %q does not say %q", c.tensor, c.typ, msg, w)
			}
		}
	}
}
