package quant

import (
	"encoding/binary"
	"fmt"
	"math"
	"unsafe"

	"github.com/weft-dev/weft/model/gguf"
)

// Matrix is a row-major weight matrix: Rows rows of Cols elements of Type,
// Data holding the rows back to back in ggml's block layout (a GGUF tensor
// with Dims = [Cols, Rows]). Build it with NewMatrix, which validates the size
// and may keep a repacked copy of the weights that the kernels read instead
// of Data; Data itself is never modified.
type Matrix struct {
	Type       gguf.Type
	Rows, Cols int
	Data       []byte

	// Repacked forms, filled by NewMatrix for the types whose kernels use them.
	qs []byte    // Q8_0/Q5_0/Q5_1/IQ4_NL/IQ4_XS: int8 quants (repackQ8_0, repackInt8, repackIQ4XS), Q5_0/Q5_1/IQ4_NL on ZMM: quad records (repackNibZ); Q4_0/Q4_1: paired nibbles (repackQ4_0); Q4_K/Q5_K: see repackQ4K/repackQ5K; Q6_K: its blocks, copied (repackQ6Kd); Q2_K/Q3_K: Q6_K blocks (repackQ6K)
	ds []float32 // scale per block (32-element types, IQ4_XS per 32); Q4_K/Q5_K: d, dmin per super-block; Q2_K/Q3_K/Q6_K: d per super-block
	ms []float32 // Q4_1/Q5_1: min per block; Q2_K: dmin per super-block
	// dh: Q8_0/Q4_0/Q4_1 rows of whole quads of blocks where the ZMM kernels
	// run: the block scales again, as the fp16 the file holds, for the
	// single-token kernels (see halfScales).
	dh   []uint16
	mins []int8 // Q2_K: the 4-bit mins, 16 per super-block
	// nibz: qs holds Q5_0/Q5_1/IQ4_NL/IQ4_XS in the quad records of
	// repackNibZ or repackIQ4XSZ (the int8 layout otherwise).
	nibz bool
	f32  []float32 // F32: a copy of Data as float32 (see viewF32)
	u16  []uint16  // F16/BF16: a copy of Data as uint16
	// copied: f32 or u16 is a copy of Data rather than a view of it.
	copied bool

	ready bool // built by NewMatrix
}

// Repacked reports whether the kernels read a copy of the weights that
// NewMatrix made, so that Data is read only by the reference path and by
// row lookups (embeddings), and its pages can be given back.
func (m *Matrix) Repacked() bool { return m.qs != nil || m.copied }

// nativeLE reports a little-endian host, where GGUF's little-endian F32/F16
// data can be used in place (aligned) instead of being decoded into a copy.
var nativeLE = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// MatMulTypes reports whether Pool.MatMul has kernels for weights of type t.
func MatMulTypes(t gguf.Type) bool {
	k := kernelOf(t)
	return k != nil && k.mat != nil
}

// NewMatrix checks that data holds rows×cols elements of type t and prepares
// the matrix for the kernels.
func NewMatrix(t gguf.Type, rows, cols int, data []byte) (Matrix, error) {
	if !MatMulTypes(t) {
		return Matrix{}, fmt.Errorf("quant: no matrix kernels for type %v (supported: %s)", t, MatrixTypeNames())
	}
	if rows <= 0 || cols <= 0 {
		return Matrix{}, fmt.Errorf("quant: bad matrix shape %dx%d", rows, cols)
	}
	rb, err := t.RowBytes(cols)
	if err != nil {
		return Matrix{}, fmt.Errorf("quant: %w", err)
	}
	if int64(rb)*int64(rows) != int64(len(data)) {
		return Matrix{}, fmt.Errorf("quant: %v matrix %dx%d needs %d bytes, got %d", t, rows, cols, int64(rb)*int64(rows), len(data))
	}
	m := Matrix{Type: t, Rows: rows, Cols: cols, Data: data, ready: true}
	if k := kernelOf(t); k.repack != nil {
		k.repack(&m)
	}
	return m, nil
}

// viewF32 makes m.f32, a copy of Data in weightBytes memory. F32, F16 and
// BF16 weights could be read where the file is mapped, but a file mapping
// has 4 KiB pages, at whose boundaries the hardware prefetchers stop:
// decoding an F16 model on one thread streamed 20-21 GB/s from the mapping
// and 23-24 GB/s from the copy (llama.cpp: 23-25). The mapping's pages are
// given back once the copy is made (Repacked).
func (m *Matrix) viewF32() {
	data := m.Data
	b := weightBytes(len(data) &^ 3)
	m.f32 = unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(b))), len(b)/4)
	m.copied = true
	if nativeLE {
		copy(b, data)
		return
	}
	for i := range m.f32 {
		m.f32[i] = math.Float32frombits(binary.LittleEndian.Uint32(data[4*i:]))
	}
}

// viewU16 makes m.u16 for F16/BF16 weights, as viewF32.
func (m *Matrix) viewU16() {
	data := m.Data
	b := weightBytes(len(data) &^ 1)
	m.u16 = unsafe.Slice((*uint16)(unsafe.Pointer(unsafe.SliceData(b))), len(b)/2)
	m.copied = true
	if nativeLE {
		copy(b, data)
		return
	}
	for i := range m.u16 {
		m.u16[i] = binary.LittleEndian.Uint16(data[2*i:])
	}
}

// weightBytes allocates n bytes for repacked weights, backed by huge pages
// where the system allows (see adviseHuge).
func weightBytes(n int) []byte {
	b := make([]byte, n)
	adviseHuge(b)
	return b
}

// repackQ8_0 splits Q8_0 blocks into a contiguous int8 stream and a float32
// scale stream, so the kernels load 32-byte aligned-ish vectors and never
// convert fp16 in the inner loop.
func (m *Matrix) repackQ8_0() {
	nb := m.Rows * m.Cols / qk
	m.qs = weightBytes(nb * qk)
	m.ds = make([]float32, nb)
	for b := 0; b < nb; b++ {
		blk := m.Data[b*q8_0 : (b+1)*q8_0]
		m.ds[b] = f16at(blk)
		copy(m.qs[b*qk:(b+1)*qk], blk[2:])
	}
	m.halfScales(q8_0, 0)
}

// halfScales fills m.dh from the fp16 scale at byte off of each block
// (blocks of size bytes), where the single-token ZMM kernels will read it:
// decoding a token streams every weight once, and their fp16 scales are 2
// bytes a block against the float32 copy's 4 (a Q4_0 block then costs 18
// bytes, as in the file, instead of 20). m.ds stays, for the other kernels
// (the batched ones read each scale once for several tokens).
func (m *Matrix) halfScales(size, off int) {
	if !hasZMM || m.Cols%(4*qk) != 0 {
		return
	}
	m.dh = unsafe.Slice((*uint16)(unsafe.Pointer(unsafe.SliceData(weightBytes(m.Rows*m.Cols/qk*2)))), m.Rows*m.Cols/qk)
	for b := range m.dh {
		m.dh[b] = binary.LittleEndian.Uint16(m.Data[b*size+off:])
	}
}

// q4RowBytes is the size of one repacked Q4_0 row: blocks are stored in
// pairs, 32 bytes per pair, a lone last block taking a whole 32 bytes.
func q4RowBytes(cols int) int { return (cols/qk + 1) / 2 * 32 }

// repackQ4_0 reorders Q4_0 nibbles so that one 32-byte load yields two whole
// blocks: byte k of pair p holds element k of block 2p in its low nibble and
// element k of block 2p+1 in its high nibble (ggml instead pairs elements k
// and k+16 of one block). Masking gives block 2p's 32 quants in order,
// shifting gives block 2p+1's, each lining up with 32 activation bytes.
func (m *Matrix) repackQ4_0() {
	nbr := m.Cols / qk
	rb := q4RowBytes(m.Cols)
	m.qs = weightBytes(m.Rows * rb)
	m.ds = make([]float32, m.Rows*nbr)
	for r := 0; r < m.Rows; r++ {
		out := m.qs[r*rb : (r+1)*rb]
		for b := 0; b < nbr; b++ {
			blk := m.Data[(r*nbr+b)*q4_0 : (r*nbr+b+1)*q4_0]
			m.ds[r*nbr+b] = f16at(blk)
			packNibblePair(out[(b/2)*32:(b/2)*32+32], blk[2:2+qk/2], b&1)
		}
	}
	m.halfScales(q4_0, 0)
}

// repackQ6Kd copies Q6_K's blocks as they are into weightBytes memory (see
// viewF32 for why not read them where the file is mapped) and moves d to a
// float stream for the assembly.
func (m *Matrix) repackQ6Kd() {
	m.qs = weightBytes(len(m.Data))
	copy(m.qs, m.Data)
	m.ds = make([]float32, m.Rows*m.Cols/qkK)
	for b := range m.ds {
		m.ds[b] = f16at(m.Data[b*q6K+208:])
	}
}

// repackQ4K rewrites each Q4_K super-block as 144 bytes [8 scales][8 mins]
// [128 nibble bytes], the 6-bit scales and mins unpacked to bytes, with d
// and dmin moved to m.ds as floats. The assembly kernel then needs no bit
// unpacking in its loop.
func (m *Matrix) repackQ4K() {
	nsb := m.Rows * m.Cols / qkK
	m.qs = weightBytes(nsb * q4K)
	m.ds = make([]float32, 2*nsb)
	for b := 0; b < nsb; b++ {
		src := m.Data[b*q4K : (b+1)*q4K]
		dst := m.qs[b*q4K : (b+1)*q4K]
		m.ds[2*b] = f16at(src[0:])
		m.ds[2*b+1] = f16at(src[2:])
		for j := 0; j < 8; j++ {
			dst[j], dst[8+j] = scaleMinK4(j, src[4:16])
		}
		copy(dst[16:], src[16:])
	}
}

// repackQ5K is repackQ4K for Q5_K: 176-byte blocks [8 scales][8 mins]
// [32 qh][128 nibble bytes], d and dmin in m.ds.
func (m *Matrix) repackQ5K() {
	nsb := m.Rows * m.Cols / qkK
	m.qs = weightBytes(nsb * q5K)
	m.ds = make([]float32, 2*nsb)
	for b := 0; b < nsb; b++ {
		src := m.Data[b*q5K : (b+1)*q5K]
		dst := m.qs[b*q5K : (b+1)*q5K]
		m.ds[2*b] = f16at(src[0:])
		m.ds[2*b+1] = f16at(src[2:])
		for j := 0; j < 8; j++ {
			dst[j], dst[8+j] = scaleMinK4(j, src[4:16])
		}
		copy(dst[16:], src[16:])
	}
}

// rowBytes returns the byte size of one row of Data.
func (m *Matrix) rowBytes() int {
	rb, _ := m.Type.RowBytes(m.Cols)
	return rb
}
