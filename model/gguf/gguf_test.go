package gguf

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/weft-dev/weft/internal/refdata"
)

// sharedDir finds ../shared beside the repository root, or $WEFT_SHARED.
func sharedDir(t testing.TB) string { return refdata.Dir(t) }

func sample(t testing.TB) []byte {
	w := NewWriter()
	w.Set("general.architecture", "llama")
	w.Set("general.alignment", uint32(32))
	w.Set("llama.block_count", uint32(2))
	w.Set("llama.rope.freq_base", float32(10000))
	w.Set("x.i8", int8(-3))
	w.Set("x.u64", uint64(1)<<40)
	w.Set("x.f64", 2.5)
	w.Set("x.bool", true)
	w.Set("tokenizer.ggml.tokens", []string{"a", "", "ccc"})
	w.Set("tokenizer.ggml.token_type", []int32{1, 3, 1})
	w.Set("tokenizer.ggml.scores", []float32{-1, 0, 2.5})
	data := make([]byte, 4*3*2)
	for i := range data {
		data[i] = byte(i)
	}
	if err := w.AddTensor("w", TypeF32, []int{3, 2}, data); err != nil {
		t.Fatal(err)
	}
	q := make([]byte, 34)
	if err := w.AddTensor("q", TypeQ8_0, []int{32}, q); err != nil {
		t.Fatal(err)
	}
	b, err := w.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRoundTrip(t *testing.T) {
	f, err := Parse(sample(t))
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := f.String("general.architecture"); s != "llama" {
		t.Errorf("architecture = %q", s)
	}
	if n, _ := f.Uint("llama.block_count"); n != 2 {
		t.Errorf("block_count = %d", n)
	}
	if x, _ := f.Float("llama.rope.freq_base"); x != 10000 {
		t.Errorf("freq_base = %v", x)
	}
	if x, ok := f.Int("x.i8"); !ok || x != -3 {
		t.Errorf("x.i8 = %v %v", x, ok)
	}
	if _, ok := f.Uint("x.i8"); ok {
		t.Errorf("negative value read as unsigned")
	}
	if x, _ := f.Uint("x.u64"); x != 1<<40 {
		t.Errorf("x.u64 = %v", x)
	}
	if b, ok := f.Bool("x.bool"); !ok || !b {
		t.Errorf("x.bool = %v %v", b, ok)
	}
	toks, _ := f.Strings("tokenizer.ggml.tokens")
	if strings.Join(toks, ",") != "a,,ccc" {
		t.Errorf("tokens = %q", toks)
	}
	types, _ := f.Int32s("tokenizer.ggml.token_type")
	if len(types) != 3 || types[1] != 3 {
		t.Errorf("token_type = %v", types)
	}
	sc, _ := f.Float32s("tokenizer.ggml.scores")
	if len(sc) != 3 || sc[2] != 2.5 {
		t.Errorf("scores = %v", sc)
	}
	w, ok := f.Tensor("w")
	if !ok || w.Type != TypeF32 || w.Dims[0] != 3 || w.Dims[1] != 2 || w.Size != 24 {
		t.Fatalf("tensor w = %+v", w)
	}
	if d := f.TensorData(w); d[5] != 5 || len(d) != 24 {
		t.Errorf("tensor data = %v", d)
	}
	q, _ := f.Tensor("q")
	if q.Offset%32 != 0 || q.Size != 34 {
		t.Errorf("tensor q = %+v", q)
	}
	// Copying every KV into a new writer reproduces the same metadata bytes.
	w2 := NewWriter()
	w2.CopyKV(f, nil)
	for _, ti := range f.Tensors {
		if err := w2.AddTensor(ti.Name, ti.Type, ti.Dims, f.TensorData(&ti)); err != nil {
			t.Fatal(err)
		}
	}
	b2, _ := w2.Bytes()
	if !bytes.Equal(b2, sample(t)) {
		t.Errorf("copy of the file differs from the original")
	}
}

// Every truncation of a valid file must fail with an error, never panic.
func TestTruncated(t *testing.T) {
	b := sample(t)
	f, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	last := f.Tensors[len(f.Tensors)-1]
	end := int(f.DataOffset + last.Offset + last.Size) // trailing padding may go
	for n := 0; n < end; n++ {
		if _, err := Parse(b[:n]); err == nil {
			t.Fatalf("Parse of the first %d of %d bytes succeeded", n, end)
		}
	}
}

func TestHostile(t *testing.T) {
	cases := []struct {
		name string
		edit func(b []byte)
		want string
	}{
		{"magic", func(b []byte) { b[0] = 'X' }, "not a GGUF"},
		{"version", func(b []byte) { b[4] = 9 }, "version"},
		{"kv count", func(b []byte) { b[16+7] = 0x7f }, "metadata_kv_count"},
		{"tensor count", func(b []byte) { b[8+7] = 0x7f }, "tensor_count"},
	}
	for _, c := range cases {
		b := sample(t)
		c.edit(b)
		_, err := Parse(b)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want mention of %q", c.name, err, c.want)
		}
	}
}

func TestSharedModels(t *testing.T) {
	dir := filepath.Join(sharedDir(t), "testdata", "parity", "models")
	files, _ := filepath.Glob(filepath.Join(dir, "*.gguf"))
	if len(files) == 0 {
		t.Fatalf("no models in %s", dir)
	}
	for _, p := range files {
		f, err := Open(p)
		if err != nil {
			t.Fatal(err)
		}
		arch, _ := f.String("general.architecture")
		if arch != "llama" && arch != "qwen2" {
			t.Errorf("%s: architecture %q", p, arch)
		}
		if n, _ := f.Uint(arch + ".block_count"); n != 2 {
			t.Errorf("%s: block_count %d", p, n)
		}
		if _, ok := f.Tensor("token_embd.weight"); !ok {
			t.Errorf("%s: no token_embd.weight", p)
		}
		toks, _ := f.Strings("tokenizer.ggml.tokens")
		if len(toks) < 32000 {
			t.Errorf("%s: %d tokens", p, len(toks))
		}
		// Last tensor ends inside the file.
		last := f.Tensors[len(f.Tensors)-1]
		if end := f.DataOffset + last.Offset + last.Size; end > int64(len(f.Bytes())) {
			t.Errorf("%s: last tensor ends at %d", p, end)
		}
		if err := f.Close(); err != nil {
			t.Error(err)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add(sample(f))
	f.Add([]byte("GGUF\x03\x00\x00\x00"))
	// A tensor of every type with a block layout, ggml's i-quants and
	// ternary types included.
	w := NewWriter()
	for typ := Type(0); typ <= TypeTQ2_0; typ++ {
		if !typ.Known() {
			continue
		}
		cols := max(typ.BlockElems(), 32)
		rb, _ := typ.RowBytes(cols)
		if err := w.AddTensor("w."+typ.String(), typ, []int{cols, 2}, make([]byte, 2*rb)); err != nil {
			f.Fatal(err)
		}
	}
	all, err := w.Bytes()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(all)
	f.Fuzz(func(t *testing.T, b []byte) {
		g, err := Parse(b)
		if err != nil {
			return
		}
		for _, kv := range g.KV {
			_ = kv.Value.Interface()
		}
		for i := range g.Tensors {
			_ = g.TensorData(&g.Tensors[i])
		}
	})
}
