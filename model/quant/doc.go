// Package quant holds weft's tensor element types and the matrix kernels of
// the decoder.
//
// Formats are ggml's, byte for byte: F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q5_K,
// Q6_K and Q8_K. Dequantize decodes all of them; Quantize encodes them with
// ggml's reference quantizers (quantize_row_*_ref, including
// make_qkx2_quants and make_qx_quants), so its output equals llama-quantize's
// for the same floats.
//
// Matrix products follow llama.cpp's CPU backend: the activations are first
// quantized the way the weight type's vec_dot_type requires (Q8_0 blocks for
// Q8_0/Q4_0 weights, Q8_K super-blocks for K-quants, fp16 or bf16 rounding
// for F16/BF16 weights), then each block's integer dot product is scaled by
// the two block scales. Results match llama.cpp to float rounding (about
// 1e-5 relative). MatMulRef is the plain path: dequantized weights, float
// activations, float64 sums.
//
// Kernels: kernels.go is portable Go; on amd64 with AVX2/FMA/F16C the
// assembly in kernels_amd64.s takes over (with VPDPBUSD where AVX512_VNNI is
// present; build tag purego forces the portable code). NewMatrix repacks
// Q8_0, Q4_0, Q4_K and Q5_K weights into layouts the assembly streams without
// unpacking, and the Pool runs products on persistent worker goroutines, four
// tokens per pass over the weights when several tokens are multiplied at once
// (prefill).
package quant
