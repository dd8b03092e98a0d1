package quant

import (
	"math/rand/v2"
	"testing"

	"github.com/weft-dev/weft/model/gguf"
)

// fuzzSeedFile is a GGUF with one small 2-D tensor of every type in the
// kernel table, quantized from random floats.
func fuzzSeedFile(t testing.TB) []byte {
	w := gguf.NewWriter()
	w.Set("general.architecture", "llama")
	r := rand.New(rand.NewPCG(31, 32))
	for _, typ := range Types() {
		cols := max(typ.BlockElems(), 32)
		b, err := Quantize(typ, randFloats(r, 2*cols, 1))
		if err != nil {
			t.Fatal(err)
		}
		if err := w.AddTensor("w."+typ.String(), typ, []int{cols, 2}, b); err != nil {
			t.Fatal(err)
		}
	}
	b, err := w.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// FuzzTensors: any bytes that parse as GGUF give tensors that decode, and
// 2-D ones of a matrix type build a Matrix and multiply, without a panic:
// the type and shape checks of the parser are all the kernels need.
func FuzzTensors(f *testing.F) {
	f.Add(fuzzSeedFile(f))
	p := NewPool(1)
	f.Cleanup(p.Close)
	f.Fuzz(func(t *testing.T, b []byte) {
		g, err := gguf.Parse(b)
		if err != nil {
			return
		}
		for i := range g.Tensors {
			ti := &g.Tensors[i]
			n := ti.Elems()
			if n > 1<<16 || !Supported(ti.Type) {
				continue
			}
			data := g.TensorData(ti)
			out := make([]float32, n)
			if err := Dequantize(ti.Type, data, out); err != nil {
				t.Fatalf("%s (%v %v): parsed but does not decode: %v", ti.Name, ti.Type, ti.Dims, err)
			}
			if len(ti.Dims) != 2 || !MatMulTypes(ti.Type) {
				continue
			}
			cols, rows := ti.Dims[0], ti.Dims[1]
			m, err := NewMatrix(ti.Type, rows, cols, data)
			if err != nil {
				t.Fatalf("%s (%v %v): parsed but no matrix: %v", ti.Name, ti.Type, ti.Dims, err)
			}
			for _, tokens := range []int{1, 5} {
				x := make([]float32, tokens*cols)
				for j := range x {
					x[j] = float32(j%7) - 3
				}
				p.MatMul(make([]float32, tokens*rows), &m, x, tokens)
			}
		}
	})
}
