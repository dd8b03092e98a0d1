package gguf

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"
)

// patchTensorType rewrites the type field of tensor name in a GGUF v3 file.
func patchTensorType(t *testing.T, b []byte, name string, typ uint32) []byte {
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
	binary.LittleEndian.PutUint32(b[off:], typ)
	return b
}

// TestBadTensorTypes: a type number ggml does not define, one it no longer
// stores, and rows that are not whole blocks each give a one-line error
// naming the tensor and the type.
func TestBadTensorTypes(t *testing.T) {
	w := NewWriter()
	w.Set("general.architecture", "llama")
	if err := w.AddTensor("blk.0.attn_q.weight", TypeF32, []int{96, 2}, make([]byte, 96*2*4)); err != nil {
		t.Fatal(err)
	}
	good, err := w.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		typ  uint32
		want []string
	}{
		{99, []string{"blk.0.attn_q.weight", "unknown tensor type 99", "0-35"}},
		{31, []string{"blk.0.attn_q.weight", "31", "Q4_0_4_4", "re-quantize"}},
		{4, []string{"blk.0.attn_q.weight", "Q4_2"}},
		{uint32(TypeQ4_K), []string{"blk.0.attn_q.weight", "96 elements", "Q4_K", "256"}},
		{uint32(TypeIQ4_XS), []string{"blk.0.attn_q.weight", "96 elements", "IQ4_XS", "256"}},
	} {
		_, err := Parse(patchTensorType(t, good, "blk.0.attn_q.weight", c.typ))
		if err == nil {
			t.Errorf("type %d: no error", c.typ)
			continue
		}
		msg := err.Error()
		if strings.Contains(msg, "\n") {
			t.Errorf("type %d: error has several lines: %q", c.typ, msg)
		}
		for _, w := range c.want {
			if !strings.Contains(msg, w) {
				t.Errorf("type %d: error %q does not say %q", c.typ, msg, w)
			}
		}
	}
	// Every ggml type number 0-38 is either named or explained.
	for typ := uint32(0); typ <= 38; typ++ {
		if !Type(typ).Known() && !strings.Contains(unknownType(typ), "(") {
			t.Errorf("type %d: %s", typ, unknownType(typ))
		}
	}
}
