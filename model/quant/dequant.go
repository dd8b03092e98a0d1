package quant

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/weft-dev/weft/model/gguf"
)

// Block geometry shared by the K-quants and the 32-element formats.
const (
	qk   = 32  // elements in a Q8_0 / Q4_0 (and Q4_1, Q5_0, Q5_1, IQ4_NL) block
	qkK  = 256 // elements in a K-quant super-block
	q8_0 = 2 + qk
	q4_0 = 2 + qk/2
	q4K  = 2 + 2 + 12 + qkK/2
	q5K  = 2 + 2 + 12 + qkK/8 + qkK/2
	q6K  = qkK/2 + qkK/4 + qkK/16 + 2
	q8K  = 4 + qkK + qkK/16*2
)

// Supported reports whether Dequantize handles type t.
func Supported(t gguf.Type) bool { return kernelOf(t) != nil }

// SupportedNames lists the types Dequantize handles, for error messages.
func SupportedNames() string {
	s := ""
	for _, t := range Types() {
		if s != "" {
			s += ", "
		}
		s += t.String()
	}
	return s
}

// checkSizes validates that src holds exactly len(dst) elements of type t.
func checkSizes(t gguf.Type, srcLen, n int) error {
	if !Supported(t) {
		return fmt.Errorf("quant: unsupported tensor type %v (supported: %s)", t, SupportedNames())
	}
	need, err := t.RowBytes(n)
	if err != nil {
		return fmt.Errorf("quant: %w", err)
	}
	if srcLen != need {
		return fmt.Errorf("quant: %v data for %d elements must be %d bytes, got %d", t, n, need, srcLen)
	}
	return nil
}

// Dequantize decodes len(dst) elements of type t from src into dst. src must
// be exactly the bytes of those elements (a whole number of blocks).
func Dequantize(t gguf.Type, src []byte, dst []float32) error {
	if err := checkSizes(t, len(src), len(dst)); err != nil {
		return err
	}
	kernelOf(t).dequant(src, dst)
	return nil
}

func dequantF32(src []byte, dst []float32) {
	for i := range dst {
		dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(src[4*i:]))
	}
}

func dequantF16(src []byte, dst []float32) {
	for i := range dst {
		dst[i] = fp16Table[binary.LittleEndian.Uint16(src[2*i:])]
	}
}

func dequantBF16(src []byte, dst []float32) {
	for i := range dst {
		dst[i] = BF16ToFP32(binary.LittleEndian.Uint16(src[2*i:]))
	}
}

func f16at(b []byte) float32 { return fp16Table[binary.LittleEndian.Uint16(b)] }

// dequantQ8_0: value = q * d.
func dequantQ8_0(b []byte, y []float32) {
	d := f16at(b)
	for j := 0; j < qk; j++ {
		y[j] = float32(int8(b[2+j])) * d
	}
}

// dequantQ4_0: byte j holds element j (low nibble) and j+16 (high nibble);
// value = (q - 8) * d.
func dequantQ4_0(b []byte, y []float32) {
	d := f16at(b)
	for j := 0; j < qk/2; j++ {
		q := b[2+j]
		y[j] = float32(int32(q&0x0f)-8) * d
		y[j+qk/2] = float32(int32(q>>4)-8) * d
	}
}

// scaleMinK4 unpacks the 6-bit scale and min of sub-block j from the 12
// packed bytes of a Q4_K/Q5_K super-block (ggml's get_scale_min_k4): bytes
// 0-3 hold scales 0-3 (+2 high bits of scales 4-7), bytes 4-7 mins 0-3 (+2
// high bits of mins 4-7), bytes 8-11 the low nibbles of scales/mins 4-7.
func scaleMinK4(j int, q []byte) (sc, m uint8) {
	if j < 4 {
		return q[j] & 63, q[j+4] & 63
	}
	return q[j+4]&0xf | (q[j-4]>>6)<<4, q[j+4]>>4 | (q[j]>>6)<<4
}

// dequantQ4K: eight sub-blocks of 32; pairs of sub-blocks share 32 bytes of
// nibbles (low nibbles first sub-block, high nibbles second); value =
// d*sc*q - dmin*m.
func dequantQ4K(b []byte, y []float32) {
	d := f16at(b)
	dmin := f16at(b[2:])
	scales := b[4:16]
	q := b[16:]
	for j := 0; j < 4; j++ {
		sc, m := scaleMinK4(2*j, scales)
		d1, m1 := d*float32(sc), dmin*float32(m)
		sc, m = scaleMinK4(2*j+1, scales)
		d2, m2 := d*float32(sc), dmin*float32(m)
		qs := q[32*j : 32*j+32]
		out := y[64*j : 64*j+64]
		for l := 0; l < 32; l++ {
			out[l] = d1*float32(qs[l]&0xf) - m1
			out[l+32] = d2*float32(qs[l]>>4) - m2
		}
	}
}

// dequantQ5K: like Q4_K with a fifth bit per element in qh (bit 2j for the
// low-nibble sub-block of pair j, bit 2j+1 for the high one).
func dequantQ5K(b []byte, y []float32) {
	d := f16at(b)
	dmin := f16at(b[2:])
	scales := b[4:16]
	qh := b[16:48]
	ql := b[48:]
	for j := 0; j < 4; j++ {
		sc, m := scaleMinK4(2*j, scales)
		d1, m1 := d*float32(sc), dmin*float32(m)
		sc, m = scaleMinK4(2*j+1, scales)
		d2, m2 := d*float32(sc), dmin*float32(m)
		u1, u2 := byte(1)<<(2*j), byte(2)<<(2*j)
		qs := ql[32*j : 32*j+32]
		out := y[64*j : 64*j+64]
		for l := 0; l < 32; l++ {
			lo, hi := int32(qs[l]&0xf), int32(qs[l]>>4)
			if qh[l]&u1 != 0 {
				lo += 16
			}
			if qh[l]&u2 != 0 {
				hi += 16
			}
			out[l] = d1*float32(lo) - m1
			out[l+32] = d2*float32(hi) - m2
		}
	}
}

// q6Val returns element l (0..127) of one 128-element half of a Q6_K block as
// the signed value q-32. ql is that half's 64 bytes, qh its 32 bytes.
func q6Vals(ql, qh []byte, l int) (q1, q2, q3, q4 int32) {
	h := qh[l]
	q1 = int32(ql[l]&0xf|(h&3)<<4) - 32
	q2 = int32(ql[l+32]&0xf|(h>>2&3)<<4) - 32
	q3 = int32(ql[l]>>4|(h>>4&3)<<4) - 32
	q4 = int32(ql[l+32]>>4|(h>>6&3)<<4) - 32
	return
}

// dequantQ6K: 16 sub-blocks of 16 with int8 scales; value = d*sc*(q-32).
// Each 128-element half keeps low nibbles in 64 bytes of ql and the top two
// bits in 32 bytes of qh (element l, l+32, l+64, l+96 share a qh byte).
func dequantQ6K(b []byte, y []float32) {
	ql := b[0:128]
	qh := b[128:192]
	sc := b[192:208]
	d := f16at(b[208:])
	for n := 0; n < 2; n++ {
		for l := 0; l < 32; l++ {
			is := l / 16
			q1, q2, q3, q4 := q6Vals(ql[64*n:], qh[32*n:], l)
			s := sc[8*n:]
			out := y[128*n:]
			out[l] = d * float32(int8(s[is])) * float32(q1)
			out[l+32] = d * float32(int8(s[is+2])) * float32(q2)
			out[l+64] = d * float32(int8(s[is+4])) * float32(q3)
			out[l+96] = d * float32(int8(s[is+6])) * float32(q4)
		}
	}
}

// dequantQ8K: f32 d, 256 int8; value = d*q. The bsums are redundant.
func dequantQ8K(b []byte, y []float32) {
	d := math.Float32frombits(binary.LittleEndian.Uint32(b))
	for j := 0; j < qkK; j++ {
		y[j] = d * float32(int8(b[4+j]))
	}
}
