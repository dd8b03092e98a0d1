package quant

// Batched (prefill) products with int8 weights (Q8_0, and Q5_0 / IQ4_NL as
// repacked to int8) or Q4_0 nibbles on AVX-512 VNNI tile kernels (gemmq8_amd64.s). The
// four-token kernels form each row's partial sums in the lanes of a vector
// and so must scale every lane by its block's scales, and fold the unsigned
// weights' offset back, per token and block: most of their instructions are
// that bookkeeping. Here the lanes are 16 tokens instead: a row's weights
// are broadcast four at a time, so each block's integer dot product is
// formed whole in one lane, and is scaled once. The activations are laid
// out in 16-token panels for this (packPanelsQ8), with per-block panels of
// their scales and of o·Σq, which the kernels take back from the sums of
// the unsigned weights (w+128 for int8, o = 128; Q4_0's nibbles q+8, o = 8).
//
// The result is ggml's vec_dot_q8_0_q8_0 (vec_dot_q4_0_q8_0) order, block
// by block: sum += float32(Σ w·x) · (dw·dx), bit for bit the portable
// dotQ8_0Go (dotQ4_0Go).

// tileQ8Rows is the rows per tile of the Q8 tile kernels.
const tileQ8Rows = 3

// packPanelsQ8 writes token t's Q8_0 activations (quants qs, block scales
// ds, block sums of quants sums, all of token t) into the panel layout:
// pq[((p*cols/4)+s)*64+4l+j] is column 4s+j of token 16p+l,
// pd[(p*nb+b)*16+l] its block b's scale and pc[(p*nb+b)*16+l] o·Σq, where o
// is the offset of the unsigned weights (128 for int8, 8 for Q4_0).
func packPanelsQ8(pq []int8, pd []float32, pc []int32, qs []int8, ds []float32, sums []int32, t, cols int, o int32) {
	p, l := t/panel, t%panel
	steps, nb := cols/4, cols/qk
	q := pq[p*steps*64+4*l : (p+1)*steps*64]
	for s := 0; s < steps; s++ {
		copy(q[s*64:s*64+4], qs[4*s:4*s+4])
	}
	d := pd[p*nb*panel+l : (p+1)*nb*panel]
	c := pc[p*nb*panel+l : (p+1)*nb*panel]
	for b := 0; b < nb; b++ {
		d[b*panel] = ds[b]
		c[b*panel] = o * sums[b]
	}
}

// clearPanelLanesQ8 zeroes the quants of tokens n.. in the last panel (four
// bytes per token and step).
func clearPanelLanesQ8(pq []int8, n, steps int) {
	p := n / panel
	if n%panel == 0 {
		return
	}
	blk := pq[p*steps*64 : (p+1)*steps*64]
	for s := 0; s < steps; s++ {
		clear(blk[s*64+4*(n%panel) : (s+1)*64])
	}
}
