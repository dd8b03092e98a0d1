package quant

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/weft-dev/weft/model/gguf"
)

// newTypes are the types added with the kernel table.
var newTypes = []gguf.Type{gguf.TypeQ4_1, gguf.TypeQ5_0, gguf.TypeQ5_1, gguf.TypeIQ4_NL,
	gguf.TypeQ2_K, gguf.TypeQ3_K, gguf.TypeIQ4_XS}

// TestKernelTable: every type with a kernel entry has a block layout in
// gguf that matches, decodes, and (for matrix types) quantizes its
// activations to ggml's vec_dot_type.
func TestKernelTable(t *testing.T) {
	vecDot := map[gguf.Type]gguf.Type{ // ggml-cpu.c type_traits_cpu at c392e50
		gguf.TypeF32: gguf.TypeF32, gguf.TypeF16: gguf.TypeF16, gguf.TypeBF16: gguf.TypeBF16,
		gguf.TypeQ4_0: gguf.TypeQ8_0, gguf.TypeQ4_1: gguf.TypeQ8_1, gguf.TypeQ5_0: gguf.TypeQ8_0,
		gguf.TypeQ5_1: gguf.TypeQ8_1, gguf.TypeQ8_0: gguf.TypeQ8_0, gguf.TypeIQ4_NL: gguf.TypeQ8_0,
		gguf.TypeQ2_K: gguf.TypeQ8_K, gguf.TypeQ3_K: gguf.TypeQ8_K, gguf.TypeQ4_K: gguf.TypeQ8_K,
		gguf.TypeQ5_K: gguf.TypeQ8_K, gguf.TypeQ6_K: gguf.TypeQ8_K, gguf.TypeIQ4_XS: gguf.TypeQ8_K,
	}
	for _, typ := range matTypes {
		info, ok := Info(typ)
		if !ok || !info.MatrixKernel || !info.Quantize || !info.Dequantize {
			t.Errorf("%v: %+v", typ, info)
		}
		if info.VecDot != vecDot[typ] {
			t.Errorf("%v: vec_dot type %v, ggml's is %v", typ, info.VecDot, vecDot[typ])
		}
	}
	if _, ok := Info(gguf.TypeIQ2_XXS); ok {
		t.Error("IQ2_XXS has a kernel entry")
	}
	sizes := map[gguf.Type]int{ // sizeof(block_*) in ggml-common.h
		gguf.TypeQ4_1: 20, gguf.TypeQ5_0: 22, gguf.TypeQ5_1: 24, gguf.TypeIQ4_NL: 18,
		gguf.TypeQ2_K: 84, gguf.TypeQ3_K: 110, gguf.TypeIQ4_XS: 136,
	}
	for typ, n := range sizes {
		if typ.BlockBytes() != n {
			t.Errorf("%v: %d bytes per block, ggml has %d", typ, typ.BlockBytes(), n)
		}
	}
}

// TestDequantizeNewBlocks decodes hand-packed blocks of each new type,
// the expected values worked out from ggml-common.h's layouts.
func TestDequantizeNewBlocks(t *testing.T) {
	const half, quarter, one = 0x3800, 0x3400, 0x3c00 // fp16 0.5, 0.25, 1
	kv := []float32{-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113}
	cases := []struct {
		typ  gguf.Type
		blk  func(b []byte)
		want func(i int) float32
	}{
		{gguf.TypeQ4_1, func(b []byte) {
			le16(b, half)
			le16(b[2:], 0xbc00) // m = -1
			for j := 0; j < 16; j++ {
				b[4+j] = byte(j) | byte(15-j)<<4
			}
		}, func(i int) float32 {
			if i < 16 {
				return float32(i)*0.5 - 1
			}
			return float32(31-i)*0.5 - 1
		}},
		{gguf.TypeQ5_0, func(b []byte) {
			le16(b, one)
			binary.LittleEndian.PutUint32(b[2:], 0xaaaaaaaa) // fifth bit set on odd elements
			for j := 0; j < 16; j++ {
				b[6+j] = byte(j) | byte(j)<<4
			}
		}, func(i int) float32 {
			q := i % 16
			if i%2 == 1 {
				q += 16
			}
			return float32(q - 16)
		}},
		{gguf.TypeQ5_1, func(b []byte) {
			le16(b, quarter)
			le16(b[2:], one)
			binary.LittleEndian.PutUint32(b[4:], 0xffff0000) // fifth bit on the second half
			for j := 0; j < 16; j++ {
				b[8+j] = byte(15-j) | byte(j)<<4
			}
		}, func(i int) float32 {
			if i < 16 {
				return float32(15-i)*0.25 + 1
			}
			return float32(i-16+16)*0.25 + 1
		}},
		{gguf.TypeIQ4_NL, func(b []byte) {
			le16(b, half)
			for j := 0; j < 16; j++ {
				b[2+j] = byte(j) | byte(15-j)<<4
			}
		}, func(i int) float32 {
			if i < 16 {
				return kv[i] * 0.5
			}
			return kv[31-i] * 0.5
		}},
		{gguf.TypeQ2_K, func(b []byte) {
			for j := 0; j < 16; j++ {
				b[j] = byte(j) | byte(15-j)<<4 // scale j, min 15-j
			}
			for k := 0; k < 64; k++ {
				b[16+k] = 0b11100100 // levels 0,1,2,3 for j = 0..3 of each 128
			}
			le16(b[80:], half)
			le16(b[82:], quarter)
		}, func(i int) float32 {
			j := i % 128 / 32 // the 2-bit field
			return 0.5*float32(i/16)*float32(j) - 0.25*float32(15-i/16)
		}},
		{gguf.TypeQ3_K, func(b []byte) {
			for l := 0; l < 32; l++ {
				b[l] = 0x0f // hmask: bits 0-3 set (first 128 elements keep their level)
			}
			for k := 0; k < 64; k++ {
				b[32+k] = 0b11100100
			}
			// all 16 scales = 33 (value 1): low nibble 1, high bits 2.
			for j := 0; j < 8; j++ {
				b[96+j] = 0x11
			}
			for j := 8; j < 12; j++ {
				b[96+j] = 0b10101010
			}
			le16(b[108:], half)
		}, func(i int) float32 {
			v := float32(i % 128 / 32)
			if i >= 128 {
				v -= 4
			}
			return 0.5 * v
		}},
		{gguf.TypeIQ4_XS, func(b []byte) {
			le16(b, one)
			le16(b[2:], 0b1010101010101010) // high bits of the 8 scales: 2 -> ls = 32 + low
			for j := 0; j < 4; j++ {
				b[4+j] = byte(2*j) | byte(2*j+1)<<4 // low nibbles: ls = 32 + ib
			}
			for k := 0; k < 128; k++ {
				b[8+k] = byte(k%16) | byte(15-k%16)<<4
			}
		}, func(i int) float32 {
			ib, j := i/32, i%32
			if j < 16 {
				return float32(ib) * kv[j]
			}
			return float32(ib) * kv[31-j]
		}},
	}
	for _, c := range cases {
		b := make([]byte, c.typ.BlockBytes())
		c.blk(b)
		y := make([]float32, c.typ.BlockElems())
		if err := Dequantize(c.typ, b, y); err != nil {
			t.Fatal(err)
		}
		for i := range y {
			if want := c.want(i); y[i] != want {
				t.Fatalf("%v: y[%d] = %v, want %v", c.typ, i, y[i], want)
			}
		}
	}
}

// TestNewKernelsMatchPortable: the dispatched products (assembly where
// this CPU has it) agree with the portable kernels, whose integer sums are
// ggml's, to float32 summation order.
func TestNewKernelsMatchPortable(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	for _, typ := range newTypes {
		k := kernelOf(typ)
		for _, cols := range colsFor(typ) {
			rows, n := 5, 6
			m, deq := randMatrix(t, r, typ, rows, cols)
			x := randFloats(r, n*cols, 1)
			mm := quantizedJob(&m, x, n)
			y := make([]float32, n*rows)
			want := make([]float32, n*rows)
			for r0 := 0; r0 < rows; r0 += 2 {
				matRows(&m, &mm.a, r0, min(r0+2, rows), n, y)
			}
			gm := m
			if typ == gguf.TypeQ2_K || typ == gguf.TypeQ3_K || typ == gguf.TypeIQ4_XS {
				gm.qs, gm.nibz = nil, false // the portable kernels read the blocks in place
			}
			if gm.nibz { // the portable kernels read repackInt8's layout
				gm.qs, gm.ds, gm.ms, gm.nibz = nil, nil, nil, false
				gm.repackInt8()
			}
			gmm := quantizedJob(&gm, x, n)
			k.mat(&gm, &gmm.a, 0, rows, n, want)
			for i := range y {
				tok, row := i/rows, i%rows
				var mag float64
				for c := 0; c < cols; c++ {
					mag += math.Abs(float64(deq[row*cols+c]) * float64(x[tok*cols+c]))
				}
				if math.Abs(float64(y[i])-float64(want[i])) > 1e-5*mag+1e-30 {
					t.Fatalf("%v cols %d: y[%d] = %.9g, portable %.9g (mag %g)", typ, cols, i, y[i], want[i], mag)
				}
			}
		}
	}
}
