package model

import (
	"math"
	"sync"

	"github.com/weft-dev/weft/model/quant"
)

// ggml's CPU backend (built with GGML_GELU_FP16, its default) does not
// evaluate GELU in float32: it rounds the input to F16, looks the result up in
// a 65536-entry table of F16 values, and widens it back, except that inputs
// ≤ -10 give 0 and inputs ≥ 10 pass through. weft does the same so that
// gemma's and starcoder2's activations match llama.cpp's bit for bit; the
// table is built once, on first use.

// geluTable maps an F16 bit pattern to gelu of that value, rounded to F16 and
// widened to float32.
var geluTable = sync.OnceValue(func() *[1 << 16]float32 {
	var t [1 << 16]float32
	for i := range t {
		t[i] = quant.FP16ToFP32(quant.FP32ToFP16(geluF32(quant.FP16ToFP32(uint16(i)))))
	}
	return &t
})

// geluF32 is ggml_gelu_f32, the tanh approximation
// 0.5·x·(1 + tanh(√(2/π)·x·(1 + 0.044715·x²))), each product rounded to
// float32 in the C expression's order. tanhf is taken from float64 tanh
// rounded to float32; the F16 rounding of the table hides the last-bit
// differences a C library's tanhf may have.
func geluF32(x float32) float32 {
	const (
		coefA       = float32(0.044715)
		sqrt2OverPi = float32(0.79788456080286535587989211986876)
	)
	inner := float32(sqrt2OverPi*x) * float32(1+float32(float32(coefA*x)*x))
	t := float32(math.Tanh(float64(inner)))
	return float32(0.5*x) * float32(1+t)
}

// gelu applies ggml_vec_gelu_f32 (the F16 table variant) to x in place.
func gelu(x []float32) {
	t := geluTable()
	for i, v := range x {
		switch {
		case v <= -10:
			x[i] = 0
		case v >= 10:
		default:
			x[i] = t[quant.FP32ToFP16(v)]
		}
	}
}
