package quant

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/weft-dev/weft/model/gguf"
)

// llamaQuantizeFixture holds rows of a synthesized F32 model ("x") and
// what llama-quantize (llama.cpp c392e50, --pure, no imatrix) wrote for
// them in each type; see testdata/README.md.
const llamaQuantizeFixture = "testdata/llama-quantize-rows.gguf"

// llamaQuantizeTypes are the types in the fixture, with the llama-quantize
// file type that wrote them.
var llamaQuantizeTypes = map[gguf.Type]string{
	gguf.TypeQ4_1: "Q4_1", gguf.TypeQ5_0: "Q5_0", gguf.TypeQ5_1: "Q5_1", gguf.TypeIQ4_NL: "IQ4_NL",
	gguf.TypeQ2_K: "Q2_K", gguf.TypeQ3_K: "Q3_K_S", gguf.TypeIQ4_XS: "IQ4_XS",
}

// TestQuantizeMatchesLlamaQuantizeNewTypes: Quantize writes the same bytes
// as llama-quantize for every new type.
func TestQuantizeMatchesLlamaQuantizeNewTypes(t *testing.T) {
	if dir := os.Getenv("WEFT_REGEN_LLAMA_QUANTIZE"); dir != "" {
		regenLlamaQuantizeFixture(t, dir)
	}
	f, err := gguf.Open(llamaQuantizeFixture)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	xt, ok := f.Tensor("x")
	if !ok {
		t.Fatal("fixture has no x")
	}
	x := make([]float32, xt.Elems())
	if err := Dequantize(xt.Type, f.TensorData(xt), x); err != nil {
		t.Fatal(err)
	}
	for typ := range llamaQuantizeTypes {
		ti, ok := f.Tensor(typ.String())
		if !ok {
			t.Fatalf("fixture has no %v", typ)
		}
		got, err := Quantize(typ, x)
		if err != nil {
			t.Fatal(err)
		}
		want := f.TensorData(ti)
		bs := typ.BlockBytes()
		for b := 0; b < len(want)/bs; b++ {
			if !bytes.Equal(got[b*bs:(b+1)*bs], want[b*bs:(b+1)*bs]) {
				t.Fatalf("%v block %d:\n weft %x\n ggml %x", typ, b, got[b*bs:(b+1)*bs], want[b*bs:(b+1)*bs])
			}
		}
	}
}

// regenLlamaQuantizeFixture rebuilds the fixture from files that
// llama-quantize wrote in dir (see testdata/README.md): the first 16 rows
// of blk.0.ffn_up.weight of the F32 master and of each quantized file.
func regenLlamaQuantizeFixture(t *testing.T, dir string) {
	const name, rows = "blk.0.ffn_up.weight", 16
	take := func(file string, typ gguf.Type) ([]byte, int) {
		f, err := gguf.Open(filepath.Join(dir, file))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		ti, ok := f.Tensor(name)
		if !ok || ti.Type != typ {
			t.Fatalf("%s: no %s of type %v", file, name, typ)
		}
		rb, _ := typ.RowBytes(ti.Dims[0])
		return bytes.Clone(f.TensorData(ti)[:rows*rb]), ti.Dims[0]
	}
	w := gguf.NewWriter()
	w.Set("general.description", "rows of a weft-synthesized F32 model and llama-quantize c392e50 --pure outputs for them")
	data, cols := take("tiny-f32.gguf", gguf.TypeF32)
	if err := w.AddTensor("x", gguf.TypeF32, []int{cols, rows}, data); err != nil {
		t.Fatal(err)
	}
	for typ, ft := range llamaQuantizeTypes {
		data, _ := take("tiny-"+ft+".gguf", typ)
		if err := w.AddTensor(typ.String(), typ, []int{cols, rows}, data); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.WriteFile(llamaQuantizeFixture); err != nil {
		t.Fatal(err)
	}
}
