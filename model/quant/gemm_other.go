//go:build !amd64 || purego

package quant

// gemmKernels lists the micro-kernels this build can run, fastest first.
func gemmKernels() []*gemmKernel { return []*gemmKernel{gemmGo} }

// expShiftAsm reports that ExpShift has no assembly here.
func expShiftAsm([]float32, float32) (int, float64) { return 0, 0 }

// maxAsm reports that SoftmaxExp has no assembly here.
func maxAsm([]float32) (int, float32) { return 0, 0 }

// swigluAsm reports that SwiGLU has no assembly here.
func swigluAsm([]float32, []float32) int { return 0 }
