//go:build !amd64 || purego

package quant

// Without an assembly kernel the portable ones are the kernels.

func dotQ8_0(wq []int8, wd []float32, xq []int8, xd []float32) float32 {
	return dotQ8_0Go(wq, wd, xq, xd)
}

func dotQ4_0(wq []byte, wd []float32, xq []int8, xd []float32) float32 {
	return dotQ4_0Go(wq, wd, xq, xd)
}

func dotQ4K(row []byte, xq []int8, xd []float32, bsum []int16) float32 {
	return dotQ4KGo(row, xq, xd, bsum)
}

func dotQ6K(row []byte, xq []int8, xd []float32) float32 { return dotQ6KGo(row, xq, xd) }

func dotF32(a, b []float32) float32 { return dotF32Go(a, b) }

func dotF16(a []uint16, b []float32) float32 { return dotF16Go(a, b) }

// asmKernels reports whether the assembly kernels are in use.
func asmKernels() bool { return false }

// The four-token tiles: xq/xd (x) hold four consecutive tokens.

func dotQ8_0x4(wq []int8, wd []float32, xq []int8, xd []float32, out *[4]float32) {
	cols, nb := len(wq), len(wd)
	for t := range out {
		out[t] = dotQ8_0Go(wq, wd, xq[t*cols:(t+1)*cols], xd[t*nb:(t+1)*nb])
	}
}

func dotQ4_0x4(wq []byte, wd []float32, xq []int8, xd []float32, out *[4]float32) {
	nb := len(wd)
	cols := nb * qk
	for t := range out {
		out[t] = dotQ4_0Go(wq, wd, xq[t*cols:(t+1)*cols], xd[t*nb:(t+1)*nb])
	}
}

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
