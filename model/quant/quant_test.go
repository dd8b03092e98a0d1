package quant

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/weft-dev/weft/internal/refdata"
	"github.com/weft-dev/weft/model/gguf"
)

// sharedDir locates the reference data: $WEFT_SHARED, or ../shared next to
// the module root.
func sharedDir(t testing.TB) string { return refdata.Dir(t) }

func le16(b []byte, v uint16) { binary.LittleEndian.PutUint16(b, v) }

func TestDequantizeQ8_0Block(t *testing.T) {
	b := make([]byte, 34)
	le16(b, 0x3800) // d = 0.5
	for j := 0; j < 32; j++ {
		b[2+j] = byte(int8(j*8 - 128)) // -128, -120, ..., 120
	}
	y := make([]float32, 32)
	if err := Dequantize(gguf.TypeQ8_0, b, y); err != nil {
		t.Fatal(err)
	}
	for j := range y {
		if want := float32(j*8-128) * 0.5; y[j] != want {
			t.Fatalf("y[%d] = %v, want %v", j, y[j], want)
		}
	}
}

func TestDequantizeQ4_0Block(t *testing.T) {
	b := make([]byte, 18)
	le16(b, 0x4000) // d = 2
	for j := 0; j < 16; j++ {
		b[2+j] = byte(j) | byte(15-j)<<4 // element j = j, element j+16 = 15-j
	}
	y := make([]float32, 32)
	if err := Dequantize(gguf.TypeQ4_0, b, y); err != nil {
		t.Fatal(err)
	}
	for j := 0; j < 16; j++ {
		if y[j] != float32(j-8)*2 || y[j+16] != float32(7-j)*2 {
			t.Fatalf("j=%d: got %v, %v; want %v, %v", j, y[j], y[j+16], float32(j-8)*2, float32(7-j)*2)
		}
	}
}

// Hand-packed Q4_K scale bytes: scales 1,2,3,4,17,33,50,63 and mins
// 0,5,10,15,20,40,60,63 (worked out bit by bit in the comments).
var q4kScaleBytes = [12]byte{
	1 | 1<<6, 2 | 2<<6, 3 | 3<<6, 4 | 3<<6, // sc0-3, high bits of sc4-7 (17>>4=1, 33>>4=2, 50>>4=3, 63>>4=3)
	0 | 1<<6, 5 | 2<<6, 10 | 3<<6, 15 | 3<<6, // m0-3, high bits of m4-7 (20>>4=1, 40>>4=2, 60>>4=3, 63>>4=3)
	1 | 4<<4, 1 | 8<<4, 2 | 12<<4, 15 | 15<<4, // low nibbles: sc4-7 = 1,1,2,15; m4-7 = 4,8,12,15
}
var q4kScales = [8]float32{1, 2, 3, 4, 17, 33, 50, 63}
var q4kMins = [8]float32{0, 5, 10, 15, 20, 40, 60, 63}

func TestScaleMinK4(t *testing.T) {
	for j := 0; j < 8; j++ {
		sc, m := scaleMinK4(j, q4kScaleBytes[:])
		if float32(sc) != q4kScales[j] || float32(m) != q4kMins[j] {
			t.Errorf("j=%d: got %d,%d want %v,%v", j, sc, m, q4kScales[j], q4kMins[j])
		}
	}
}

func TestDequantizeQ4KBlock(t *testing.T) {
	b := make([]byte, 144)
	le16(b[0:], 0x3800) // d = 0.5
	le16(b[2:], 0x3400) // dmin = 0.25
	copy(b[4:16], q4kScaleBytes[:])
	for k := 0; k < 128; k++ {
		b[16+k] = byte(k*37 + 11)
	}
	y := make([]float32, 256)
	if err := Dequantize(gguf.TypeQ4_K, b, y); err != nil {
		t.Fatal(err)
	}
	for e := 0; e < 256; e++ {
		sub := e / 32                               // sub-block: its scale and min
		byteIdx := 32*(sub/2) + e%32                // pairs of sub-blocks share 32 bytes
		q := b[16+byteIdx] >> (4 * (sub % 2)) & 0xf // even sub-block: low nibbles
		want := 0.5*q4kScales[sub]*float32(q) - 0.25*q4kMins[sub]
		if y[e] != want {
			t.Fatalf("element %d: got %v want %v", e, y[e], want)
		}
	}
}

func TestDequantizeQ5KBlock(t *testing.T) {
	b := make([]byte, 176)
	le16(b[0:], 0x3800)
	le16(b[2:], 0x3400)
	copy(b[4:16], q4kScaleBytes[:])
	for k := 0; k < 32; k++ {
		b[16+k] = byte(k*53 + 5) // qh
	}
	for k := 0; k < 128; k++ {
		b[48+k] = byte(k*37 + 11)
	}
	y := make([]float32, 256)
	if err := Dequantize(gguf.TypeQ5_K, b, y); err != nil {
		t.Fatal(err)
	}
	for e := 0; e < 256; e++ {
		sub := e / 32
		q := b[48+32*(sub/2)+e%32] >> (4 * (sub % 2)) & 0xf
		if b[16+e%32]>>sub&1 == 1 { // bit `sub` of qh[e%32] is the fifth bit
			q += 16
		}
		want := 0.5*q4kScales[sub]*float32(q) - 0.25*q4kMins[sub]
		if y[e] != want {
			t.Fatalf("element %d: got %v want %v", e, y[e], want)
		}
	}
}

func TestDequantizeQ6KBlock(t *testing.T) {
	b := make([]byte, 210)
	for k := 0; k < 128; k++ {
		b[k] = byte(k*29 + 3) // ql
	}
	for k := 0; k < 64; k++ {
		b[128+k] = byte(k*71 + 9) // qh
	}
	for k := 0; k < 16; k++ {
		b[192+k] = byte(int8(k*9 - 70)) // scales, some negative
	}
	le16(b[208:], 0x3400) // d = 0.25
	y := make([]float32, 256)
	if err := Dequantize(gguf.TypeQ6_K, b, y); err != nil {
		t.Fatal(err)
	}
	for e := 0; e < 256; e++ {
		half, i := e/128, e%128
		quad, l := i/32, i%32 // quads 0,1 use low nibbles of ql[l], ql[l+32]; quads 2,3 the high ones
		lo := b[64*half+l+32*(quad&1)] >> (4 * (quad / 2)) & 0xf
		hi := b[128+32*half+l] >> (2 * quad) & 3
		q := int(lo|hi<<4) - 32
		sc := float32(int8(b[192+8*half+l/16+2*quad]))
		want := 0.25 * sc * float32(q)
		if y[e] != want {
			t.Fatalf("element %d: got %v want %v", e, y[e], want)
		}
	}
}

func TestDequantizeQ8KBlock(t *testing.T) {
	b := make([]byte, 292)
	binary.LittleEndian.PutUint32(b, math.Float32bits(0.125))
	for j := 0; j < 256; j++ {
		b[4+j] = byte(int8(j - 128))
	}
	y := make([]float32, 256)
	if err := Dequantize(gguf.TypeQ8_K, b, y); err != nil {
		t.Fatal(err)
	}
	for j := range y {
		if y[j] != float32(j-128)*0.125 {
			t.Fatalf("y[%d] = %v", j, y[j])
		}
	}
}

func TestDequantizeErrors(t *testing.T) {
	tests := []struct {
		name string
		t    gguf.Type
		src  int
		n    int
	}{
		{"partial block", gguf.TypeQ8_0, 34, 31},
		{"short data", gguf.TypeQ4_0, 17, 32},
		{"long data", gguf.TypeQ4_K, 145, 256},
		{"unsupported type", gguf.TypeIQ2_XXS, 66, 256},
		{"unknown type", gguf.Type(99), 4, 1},
	}
	for _, tt := range tests {
		if err := Dequantize(tt.t, make([]byte, tt.src), make([]float32, tt.n)); err == nil {
			t.Errorf("%s: no error", tt.name)
		}
	}
	if _, err := Quantize(gguf.TypeQ4_K, make([]float32, 100)); err == nil {
		t.Error("Quantize Q4_K of 100 floats: no error")
	}
	if _, err := Quantize(gguf.TypeIQ2_XXS, make([]float32, 256)); err == nil {
		t.Error("Quantize IQ2_XXS: no error")
	}
}

func randFloats(r *rand.Rand, n int, scale float64) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(r.NormFloat64() * scale)
	}
	return x
}

// TestRoundTrip quantizes random data and checks the reconstruction error
// against bounds that follow from each format's resolution.
func TestRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	tests := []struct {
		t      gguf.Type
		maxRel float64 // bound on RMS error / RMS of x
	}{
		{gguf.TypeF32, 0},
		{gguf.TypeF16, 1e-3},
		{gguf.TypeBF16, 4e-3},
		{gguf.TypeQ8_0, 0.01},
		{gguf.TypeQ4_0, 0.15},
		{gguf.TypeQ4_K, 0.12},
		{gguf.TypeQ5_K, 0.06},
		{gguf.TypeQ6_K, 0.03},
		{gguf.TypeQ8_K, 0.01},
		{gguf.TypeQ4_1, 0.12},
		{gguf.TypeQ5_0, 0.07},
		{gguf.TypeQ5_1, 0.06},
		{gguf.TypeIQ4_NL, 0.12},
		{gguf.TypeQ2_K, 0.45},
		{gguf.TypeQ3_K, 0.25},
		{gguf.TypeIQ4_XS, 0.12},
	}
	for _, tt := range tests {
		for _, scale := range []float64{1e-3, 1, 300} {
			x := randFloats(r, 4096, scale)
			x[17] = 0         // a zero
			clear(x[512:768]) // a whole zero super-block
			b, err := Quantize(tt.t, x)
			if err != nil {
				t.Fatal(err)
			}
			y := make([]float32, len(x))
			if err := Dequantize(tt.t, b, y); err != nil {
				t.Fatal(err)
			}
			var se, sx float64
			for i := range x {
				d := float64(y[i]) - float64(x[i])
				se += d * d
				sx += float64(x[i]) * float64(x[i])
			}
			rel := math.Sqrt(se / sx)
			if rel > tt.maxRel || math.IsNaN(rel) {
				t.Errorf("%v scale %g: relative RMS error %.4g > %g", tt.t, scale, rel, tt.maxRel)
			}
			if scale == 1 {
				t.Logf("%v: relative RMS error %.4g", tt.t, rel)
			}
			for i := 512; i < 768; i++ {
				if y[i] != 0 {
					t.Fatalf("%v: zero input %d became %v", tt.t, i, y[i])
				}
			}
		}
	}
}

// TestQ8_0QuantizeElementBound: each Q8_0 element is within half a step
// (plus the fp16 rounding of d) of the input.
func TestQ8_0QuantizeElementBound(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	x := randFloats(r, 1024, 1)
	b, _ := Quantize(gguf.TypeQ8_0, x)
	y := make([]float32, len(x))
	Dequantize(gguf.TypeQ8_0, b, y)
	for i := range x {
		d := float64(FP16ToFP32(binary.LittleEndian.Uint16(b[i/32*34:])))
		if e := math.Abs(float64(y[i] - x[i])); e > 0.5*d+128*d*1e-3 {
			t.Fatalf("element %d: error %g > half step %g", i, e, d/2)
		}
	}
}

// TestQuantizeMatchesLlamaQuantize compares Quantize with the output of
// llama-quantize --pure on the parity fixtures (same F32 master weights):
// the reference quantizers must produce the same bytes.
func TestQuantizeMatchesLlamaQuantize(t *testing.T) {
	dir := filepath.Join(sharedDir(t), "testdata", "parity", "models")
	master, err := gguf.Open(filepath.Join(dir, "tiny-qwen2-F32.gguf"))
	if err != nil {
		t.Fatal(err)
	}
	defer master.Close()
	for _, v := range []struct {
		file string
		typ  gguf.Type
	}{
		{"tiny-qwen2-F16.gguf", gguf.TypeF16},
		{"tiny-qwen2-Q8_0.gguf", gguf.TypeQ8_0},
		{"tiny-qwen2-Q4_0.gguf", gguf.TypeQ4_0},
	} {
		f, err := gguf.Open(filepath.Join(dir, v.file))
		if err != nil {
			t.Fatal(err)
		}
		checked := 0
		for i := range f.Tensors {
			ti := &f.Tensors[i]
			if ti.Type != v.typ {
				continue
			}
			mi, ok := master.Tensor(ti.Name)
			if !ok || mi.Type != gguf.TypeF32 {
				t.Fatalf("%s: master lacks F32 %s", v.file, ti.Name)
			}
			src := master.TensorData(mi)
			x := make([]float32, len(src)/4)
			if err := Dequantize(gguf.TypeF32, src, x); err != nil {
				t.Fatal(err)
			}
			got, err := Quantize(v.typ, x)
			if err != nil {
				t.Fatal(err)
			}
			want := f.TensorData(ti)
			if len(got) != len(want) {
				t.Fatalf("%s %s: %d bytes, want %d", v.file, ti.Name, len(got), len(want))
			}
			diff := 0
			for k := range got {
				if got[k] != want[k] {
					diff++
				}
			}
			if diff != 0 {
				t.Errorf("%s %s: %d of %d bytes differ from llama-quantize", v.file, ti.Name, diff, len(got))
			}
			checked++
		}
		f.Close()
		if checked == 0 {
			t.Errorf("%s: no %v tensors", v.file, v.typ)
		}
	}
}

// TestKQuantFixturesAgree dequantizes the Q4_K and Q6_K fixtures, both
// llama-quantize outputs of the same F32 master: a wrong layout in either
// decoder would make them disagree far beyond the Q4_K quantization error.
// It also requantizes the Q6_K weights to Q4_K with our quantizer, which
// must land about as close to the Q6_K weights as llama's Q4_K does.
func TestKQuantFixturesAgree(t *testing.T) {
	dir := filepath.Join(sharedDir(t), "testdata", "parity", "models")
	f4, err := gguf.Open(filepath.Join(dir, "tiny-qwen2-e256-Q4_K.gguf"))
	if err != nil {
		t.Fatal(err)
	}
	defer f4.Close()
	f6, err := gguf.Open(filepath.Join(dir, "tiny-qwen2-e256-Q6_K.gguf"))
	if err != nil {
		t.Fatal(err)
	}
	defer f6.Close()
	checked := 0
	for i := range f4.Tensors {
		t4 := &f4.Tensors[i]
		if t4.Type != gguf.TypeQ4_K {
			continue
		}
		t6, ok := f6.Tensor(t4.Name)
		if !ok || t6.Type != gguf.TypeQ6_K {
			t.Fatalf("Q6_K file lacks %s", t4.Name)
		}
		n := int(t4.Elems())
		y4 := make([]float32, n)
		y6 := make([]float32, n)
		if err := Dequantize(gguf.TypeQ4_K, f4.TensorData(t4), y4); err != nil {
			t.Fatal(err)
		}
		if err := Dequantize(gguf.TypeQ6_K, f6.TensorData(t6), y6); err != nil {
			t.Fatal(err)
		}
		ours, err := Quantize(gguf.TypeQ4_K, y6)
		if err != nil {
			t.Fatal(err)
		}
		yo := make([]float32, n)
		Dequantize(gguf.TypeQ4_K, ours, yo)
		var se, so, sx float64
		for k := range y4 {
			se += sq(float64(y4[k]) - float64(y6[k]))
			so += sq(float64(yo[k]) - float64(y6[k]))
			sx += sq(float64(y6[k]))
		}
		rel, relOurs := math.Sqrt(se/sx), math.Sqrt(so/sx)
		if rel > 0.12 {
			t.Errorf("%s: Q4_K vs Q6_K relative RMS difference %.3g (layout error?)", t4.Name, rel)
		}
		if relOurs > 1.1*rel+0.005 {
			t.Errorf("%s: our Q4_K error %.4g vs llama's %.4g", t4.Name, relOurs, rel)
		}
		checked++
	}
	if checked == 0 {
		t.Fatal("no Q4_K tensors")
	}
}

func sq(x float64) float64 { return x * x }
