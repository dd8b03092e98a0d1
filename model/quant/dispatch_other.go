//go:build !amd64 || purego

package quant

import "github.com/weft-dev/weft/model/gguf"

// Without an assembly kernel the portable ones are the kernels.

func quantizeQ8_0Sums(x []float32, qs []int8, ds []float32, sums []int32) {
	quantizeQ8_0SumsGo(x, qs, ds, sums)
}

func quantizeQ8K(x []float32, qs []int8, ds []float32, bsum []int16) {
	quantizeActQ8K(x, qs, ds, bsum)
}

func roundFP16s(dst, src []float32) {
	for i, v := range src {
		dst[i] = roundFP16(v)
	}
}

// asmKernelsByType: no assembly column in the kernel table here.
func asmKernelsByType() map[gguf.Type]matAsmFunc { return nil }

// repackByType: the portable K-quant kernels read their blocks in place.
func repackByType() map[gguf.Type]func(*Matrix) { return nil }

// kernelVariants is the one way the products run here (for tests).
func kernelVariants() []kernelLevel { return []kernelLevel{levelAVX2} }

// hasZMM: no ZMM kernels here.
const hasZMM = false

func dotF32(a, b []float32) float32 { return dotF32Go(a, b) }

func dotF16(a []uint16, b []float32) float32 { return dotF16Go(a, b) }

func dotBF16(a []uint16, b []float32) float32 { return dotBF16Go(a, b) }

// The four-token tiles: x holds four consecutive tokens.

func dotF32x4(a, x []float32, out *[4]float32) {
	for t := range out {
		out[t] = dotF32Go(a, x[t*len(a):(t+1)*len(a)])
	}
}

func dotF16x4(a []uint16, x []float32, out *[4]float32) {
	for t := range out {
		out[t] = dotF16Go(a, x[t*len(a):(t+1)*len(a)])
	}
}

// asmKernels reports whether the assembly kernels are in use.
func asmKernels() bool { return false }

func axpyF32(y []float32, alpha float32, x []float32) { axpyF32Go(y, alpha, x) }

func axpyF16(y []float32, alpha float32, x []uint16) { axpyF16Go(y, alpha, x) }

func scoresF16(out, q []float32, k []uint16, stride int, scale float32) float32 {
	return scoresF16Go(out, q, k, stride, scale)
}

func wsumF16(out, p []float32, v []uint16, stride int) { wsumF16Go(out, p, v, stride) }

// The per-level assembly entry points that tests call report that there is
// no assembly here.
func matQ8_0AsmV(*Matrix, *acts, int, int, int, []float32, kernelLevel) bool { return false }

func matQ4_0AsmV(*Matrix, *acts, int, int, int, []float32, kernelLevel) bool { return false }

func matQ4KAsmV(*Matrix, *acts, int, int, int, []float32, kernelLevel) bool { return false }
