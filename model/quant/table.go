package quant

import (
	"fmt"

	"github.com/weft-dev/weft/model/gguf"
)

// The kernel table: everything weft does with a tensor type is found in its
// entry, so adding a type means adding one entry, and the matrix product,
// Dequantize, Quantize and the loader all dispatch from here instead of each
// keeping its own list.

// matFunc computes rows [r0, r1) of y = W·x for tokens [0, n): y[t*w.Rows+r]
// = row r · token t, with the activations already in the form the type's
// vecDot names.
type matFunc func(w *Matrix, a *acts, r0, r1, n int, y []float32)

// matAsmFunc is an assembly product; it reports false when it cannot run
// this shape on this CPU, and the portable matFunc does the work instead.
type matAsmFunc func(w *Matrix, a *acts, r0, r1, n int, y []float32) bool

// kernel is one tensor type's entry in the table.
type kernel struct {
	// dequant decodes whole blocks: len(src) is a multiple of the block
	// size, len(dst) the matching element count (ggml's to_float).
	dequant func(src []byte, dst []float32)
	// quant encodes whole blocks with ggml's reference quantizer, the code
	// path llama-quantize takes without an importance matrix (ggml's
	// from_float_ref / quantize_*). nil: weft does not write the type.
	quant func(src []float32, dst []byte)

	// vecDot is the form the activations take for a product with weights
	// of this type: ggml's type_traits_cpu[t].vec_dot_type. TypeF32 means
	// the floats as they are; no matrix kernel when mat is nil.
	vecDot gguf.Type
	// repack prepares a Matrix for the kernels (nil: they read Data).
	repack func(m *Matrix)
	mat    matFunc    // portable product (the reference for the assembly)
	asm    matAsmFunc // assembly product; nil where there is none (purego)

	// For Q8_0-activation types whose kernels run on the paired/quad
	// assembly: nibbles says the weights are in repackQ4_0's layout (else
	// repackQ8_0's int8 one), and off is the correction the quad kernels
	// add per block, off*Σx (see acts.xk4).
	nibbles bool
	off     int32
}

// kernelTable is indexed by ggml type number.
var kernelTable = buildKernelTable()

func buildKernelTable() [gguf.TypeTQ2_0 + 1]kernel {
	k := [gguf.TypeTQ2_0 + 1]kernel{
		gguf.TypeF32: {dequant: dequantF32, quant: quantF32,
			vecDot: gguf.TypeF32, repack: (*Matrix).viewF32, mat: matF32},
		gguf.TypeF16: {dequant: dequantF16, quant: quantF16,
			vecDot: gguf.TypeF16, repack: (*Matrix).viewU16, mat: matF16Go},
		gguf.TypeBF16: {dequant: dequantBF16, quant: quantBF16,
			vecDot: gguf.TypeBF16, repack: (*Matrix).viewU16, mat: matBF16Go},
		gguf.TypeQ8_0: {dequant: blocks(qk, q8_0, dequantQ8_0), quant: quantBlocks(qk, q8_0, quantQ8_0Ref),
			vecDot: gguf.TypeQ8_0, repack: (*Matrix).repackQ8_0, mat: matQ8_0, off: -128},
		gguf.TypeQ4_0: {dequant: blocks(qk, q4_0, dequantQ4_0), quant: quantBlocks(qk, q4_0, quantQ4_0Ref),
			vecDot: gguf.TypeQ8_0, repack: (*Matrix).repackQ4_0, mat: matQ4_0, nibbles: true, off: -8},
		gguf.TypeQ4_1: {dequant: blocks(qk, q4_1, dequantQ4_1), quant: quantBlocks(qk, q4_1, quantQ4_1Ref),
			vecDot: gguf.TypeQ8_1, repack: (*Matrix).repackQ4_1, mat: matQ4_1, nibbles: true, off: 0},
		gguf.TypeQ5_0: {dequant: blocks(qk, q5_0, dequantQ5_0), quant: quantBlocks(qk, q5_0, quantQ5_0Ref),
			vecDot: gguf.TypeQ8_0, repack: (*Matrix).repackInt8, mat: matQ8_0, off: -128},
		gguf.TypeQ5_1: {dequant: blocks(qk, q5_1, dequantQ5_1), quant: quantBlocks(qk, q5_1, quantQ5_1Ref),
			vecDot: gguf.TypeQ8_1, repack: (*Matrix).repackInt8, mat: matQ5_1, off: -128},
		gguf.TypeIQ4_NL: {dequant: blocks(qk, iq4NL, dequantIQ4NL), quant: quantBlocks(qk, iq4NL, quantIQ4NL),
			vecDot: gguf.TypeQ8_0, repack: (*Matrix).repackInt8, mat: matQ8_0, off: -128},
		gguf.TypeQ2_K: {dequant: blocks(qkK, q2K, dequantQ2K), quant: quantBlocks(qkK, q2K, quantQ2KRef),
			vecDot: gguf.TypeQ8_K, mat: matQ2K},
		gguf.TypeQ3_K: {dequant: blocks(qkK, q3K, dequantQ3K), quant: quantBlocks(qkK, q3K, quantQ3KRef),
			vecDot: gguf.TypeQ8_K, mat: matQ3K},
		gguf.TypeQ4_K: {dequant: blocks(qkK, q4K, dequantQ4K), quant: quantBlocks(qkK, q4K, quantQ4KRef),
			vecDot: gguf.TypeQ8_K, mat: matQ4K},
		gguf.TypeQ5_K: {dequant: blocks(qkK, q5K, dequantQ5K), quant: quantBlocks(qkK, q5K, quantQ5KRef),
			vecDot: gguf.TypeQ8_K, mat: matQ5K},
		gguf.TypeQ6_K: {dequant: blocks(qkK, q6K, dequantQ6K), quant: quantBlocks(qkK, q6K, quantQ6KRef),
			vecDot: gguf.TypeQ8_K, mat: matQ6K},
		gguf.TypeIQ4_XS: {dequant: blocks(qkK, iq4XS, dequantIQ4XS), quant: quantBlocks(qkK, iq4XS, quantIQ4XS),
			vecDot: gguf.TypeQ8_K, mat: matIQ4XS, off: -128},
		gguf.TypeQ8_K: {dequant: blocks(qkK, q8K, dequantQ8K), quant: quantBlocks(qkK, q8K, quantQ8KRef)},
	}
	for t, f := range asmKernelsByType() {
		k[t].asm = f
	}
	for t, f := range repackByType() {
		k[t].repack = f
	}
	return k
}

// kernelOf returns t's table entry, or nil when weft has none.
func kernelOf(t gguf.Type) *kernel {
	if int(t) >= len(kernelTable) || kernelTable[t].dequant == nil {
		return nil
	}
	return &kernelTable[t]
}

// blocks turns a one-block decoder into a whole-row one.
func blocks(elems, size int, f func(b []byte, y []float32)) func([]byte, []float32) {
	return func(src []byte, dst []float32) {
		for b := 0; b < len(dst)/elems; b++ {
			f(src[b*size:(b+1)*size], dst[b*elems:(b+1)*elems])
		}
	}
}

// quantBlocks turns a one-block quantizer into a whole-row one.
func quantBlocks(elems, size int, f func(x []float32, b []byte)) func([]float32, []byte) {
	return func(src []float32, dst []byte) {
		for b := 0; b < len(src)/elems; b++ {
			f(src[b*elems:(b+1)*elems], dst[b*size:(b+1)*size])
		}
	}
}

// TypeInfo describes what weft can do with a tensor type.
type TypeInfo struct {
	Type       gguf.Type
	BlockElems int // elements per block (1 for plain types)
	BlockBytes int // bytes per block
	// VecDot is the type the activations are quantized to for a product
	// with weights of this type, as in ggml's CPU backend (Q8_0, Q8_1, Q8_K;
	// F16/BF16 rounding; F32 for none).
	VecDot       gguf.Type
	Dequantize   bool // Dequantize decodes it (token embeddings, norms)
	Quantize     bool // Quantize encodes it with ggml's reference quantizer
	MatrixKernel bool // Pool.MatMul multiplies by it
}

// Info returns what weft supports for type t; ok is false when t has no
// entry in the kernel table.
func Info(t gguf.Type) (info TypeInfo, ok bool) {
	k := kernelOf(t)
	if k == nil {
		return TypeInfo{Type: t}, false
	}
	return TypeInfo{Type: t, BlockElems: t.BlockElems(), BlockBytes: t.BlockBytes(), VecDot: k.vecDot,
		Dequantize: true, Quantize: k.quant != nil, MatrixKernel: k.mat != nil}, true
}

// Types lists the types in the kernel table, in ggml's numbering.
func Types() []gguf.Type {
	var ts []gguf.Type
	for t := range kernelTable {
		if kernelOf(gguf.Type(t)) != nil {
			ts = append(ts, gguf.Type(t))
		}
	}
	return ts
}

// MatrixTypeNames is the list of types with matrix kernels, for error
// messages ("F32, F16, ...").
func MatrixTypeNames() string {
	s := ""
	for _, t := range Types() {
		if kernelOf(t).mat != nil {
			if s != "" {
				s += ", "
			}
			s += t.String()
		}
	}
	return s
}

// checkType is the error for a type without the capability wanted.
func checkType(t gguf.Type, what string, ok func(*kernel) bool) error {
	if k := kernelOf(t); k == nil || !ok(k) {
		return fmt.Errorf("quant: %s of type %v is not supported", what, t)
	}
	return nil
}
