package quant

import (
	"math"

	"github.com/weft-dev/weft/model/gguf"
)

// Batched (prefill) products with F16 and BF16 weights.
//
// One token at a time, a product is a dot of each weight row with the
// activations (dotF16, dotBF16), and the weights are read once per token or
// per four. A prompt of 64 tokens can do much better: the tile kernels below
// keep an mr-row × 16k-token block of the output in registers and read each
// weight once for all of it. The activations are laid out for this in
// panels of 16 tokens (packPanelsF16, packPanelsBF16): for each column k
// (F16) or pair of columns (BF16) the 16 tokens' values are contiguous, so
// one vector load gives a column for 16 tokens, and the weight is broadcast
// from memory. Each vector lane is then one (row, token) dot product, summed
// along k in order, and a tile needs no horizontal sums.
//
// The order of the sums, which every path here (the portable tile, AVX2,
// AVX-512) follows exactly, so that a batched product has the same result
// on every CPU and build:
//
//   - F16: s = fp32(w[0])·x[0], then s += fp32(w[k])·x[k] for k = 1, 2, …,
//     with x the activations rounded to fp16 as in ggml (vec_dot_type F16).
//     fp16 significands have 11 bits, so each product is exact in float32
//     and a fused multiply-add rounds exactly as a multiply and an add.
//   - BF16: per pair of columns (2j, 2j+1), first s += w[2j+1]·x[2j+1], then
//     s += w[2j]·x[2j], with x rounded to bf16: the order in which AVX-512
//     BF16's VDPBF16PS adds its two products. Products of two bf16 values are
//     exact in float32 too. VDPBF16PS treats subnormal inputs and results as
//     zero, which the AVX2 and portable paths do not: they differ from it
//     only when a value or partial sum is below 2^-126 (about 1.2e-38).
//
// This is not the order of the one-token kernels (which keep 8 or 16 partial
// sums per row and add them at the end), nor of ggml (whose F16/BF16 batched
// products go through llamafile's tinyBLAS with per-lane partial sums over
// the columns): the results differ from both by float32 rounding only.

// panel is the number of tokens in an activation panel: one ZMM register of
// float32 lanes.
const panel = 16

// tiledMin is the fewest tokens for which a product takes the tile kernels:
// below it the padding of a panel wastes more than they save.
const tiledMin = 8

// tileMaxRows bounds the rows of any tile kernel (the output buffer's size).
const tileMaxRows = 8

// tiled16 reports whether a product of n tokens with F16/BF16 weights w runs
// on the tile kernels: enough tokens, columns in whole 16-column chunks (the
// AVX-512 F16 kernel converts 16 weights at a time), and rows for a whole
// tile.
func tiled16(w *Matrix, n int) bool {
	return n >= tiledMin && w.Cols%16 == 0 && w.Cols > 0 && w.Rows >= tileMaxRows
}

// panels is the number of 16-token panels that hold n tokens.
func panels(n int) int { return (n + panel - 1) / panel }

// packPanelsF16 writes token t's fp16-rounded activations xr into the panel
// layout: dst[(p*cols+k)*16+l] is column k of token 16p+l.
func packPanelsF16(dst, xr []float32, t, cols int) {
	base := (t/panel)*cols*panel + t%panel
	d := dst[base : base+(cols-1)*panel+1]
	for k, v := range xr[:cols] {
		d[k*panel] = v
	}
}

// packPanelsBF16 rounds token t's activations x to bf16 and writes them into
// the panel layout by pairs: dst[(p*cols/2+j)*16+l] holds columns 2j (low
// half) and 2j+1 (high half) of token 16p+l, as VDPBF16PS reads them.
func packPanelsBF16(dst []uint32, x []float32, t, cols int) {
	kp := cols / 2
	base := (t/panel)*kp*panel + t%panel
	d := dst[base : base+(kp-1)*panel+1]
	for j := 0; j < kp; j++ {
		d[j*panel] = uint32(FP32ToBF16(x[2*j])) | uint32(FP32ToBF16(x[2*j+1]))<<16
	}
}

// clearPanelLanes zeroes the lanes of tokens n.. in the last panel, so that
// the padding computes zeros (each lane is its own sum, so nothing there
// could reach a real token's result; this keeps stale values, NaNs
// included, out of the arithmetic).
func clearPanelLanes[T uint32 | int32 | float32](dst []T, n, steps int) {
	p := n / panel
	if n%panel == 0 {
		return
	}
	blk := dst[p*steps*panel : (p+1)*steps*panel]
	for k := 0; k < steps; k++ {
		clear(blk[k*panel+n%panel : (k+1)*panel])
	}
}

// matTiled16 computes rows [r0, r1) of a product of n tokens with the tile
// kernels of level lv: tiles of mr rows by one or (where the level has a
// four-panel kernel) four panels, each computed by tile16 into c as
// c[(i*np+q)*16+l], the product of row row+i with token 16(p+q)+l. Tiles
// start at most mr rows before the matrix's end (a short last tile is moved
// back over rows that are computed again but not stored), and only tokens
// < n are stored.
func matTiled16(w *Matrix, a *acts, r0, r1, n int, y []float32, lv tileLevel) {
	var cbuf [tileMaxRows * 4 * panel]float32
	mr, maxNP := tileShape(lv, w.Type)
	np4 := panels(n)
	for r := r0; r < r1; r += mr {
		rs := min(r, w.Rows-mr)
		re := min(r+mr, r1)
		for p := 0; p < np4; {
			np := 1
			if maxNP >= 4 && np4-p >= 4 {
				np = 4
			}
			c := cbuf[:mr*np*panel]
			tile16(w, a, lv, rs, p, np, c)
			t0, t1 := p*panel, min(n, (p+np)*panel)
			for row := r; row < re; row++ {
				ci := c[(row-rs)*np*panel:]
				for t := t0; t < t1; t++ {
					y[t*w.Rows+row] = ci[t-t0]
				}
			}
			p += np
		}
	}
}

// tileGo16 is tile16 on the portable kernels (goTileRows rows).
func tileGo16(w *Matrix, a *acts, row, p, np int, c []float32) {
	cols := w.Cols
	if w.Type == gguf.TypeF16 {
		ps := cols * panel
		tileF16Go(w.u16[row*cols:], cols, a.pf[p*ps:], ps, cols, goTileRows, np, c)
		return
	}
	ps := cols / 2 * panel
	tileBF16Go(w.u16[row*cols:], cols, a.pb[p*ps:], ps, cols, goTileRows, np, c)
}

// tileF16Go is the portable F16 tile: mr rows of w (row stride ldw) by np
// panels of x (panel stride ps), over cols columns.
func tileF16Go(w []uint16, ldw int, x []float32, ps, cols, mr, np int, c []float32) {
	tab := fp16Table
	for i := 0; i < mr; i++ {
		row := w[i*ldw : i*ldw+cols]
		for q := 0; q < np; q++ {
			xp := x[q*ps : q*ps+cols*panel]
			var s [panel]float32
			for k, h := range row {
				wk := tab[h]
				xs := (*[panel]float32)(xp[k*panel:])
				for l := range s {
					s[l] += wk * xs[l]
				}
			}
			copy(c[(i*np+q)*panel:], s[:])
		}
	}
}

// tileBF16Go is the portable BF16 tile (see the order above).
func tileBF16Go(w []uint16, ldw int, x []uint32, ps, cols, mr, np int, c []float32) {
	kp := cols / 2
	for i := 0; i < mr; i++ {
		row := w[i*ldw : i*ldw+cols]
		for q := 0; q < np; q++ {
			xp := x[q*ps : q*ps+kp*panel]
			var s [panel]float32
			for j := 0; j < kp; j++ {
				we := math.Float32frombits(uint32(row[2*j]) << 16)
				wo := math.Float32frombits(uint32(row[2*j+1]) << 16)
				xs := (*[panel]uint32)(xp[j*panel:])
				for l := range s {
					s[l] += wo * math.Float32frombits(xs[l]&0xffff0000)
					s[l] += we * math.Float32frombits(xs[l]<<16)
				}
			}
			copy(c[(i*np+q)*panel:], s[:])
		}
	}
}

// goTileRows is the portable tiles' row count.
const goTileRows = 4

// matF16Go is the portable F16 product: tiles for batches, else dotF16.
func matF16Go(w *Matrix, a *acts, r0, r1, n int, y []float32) {
	if !tiled16(w, n) {
		matF16(w, a, r0, r1, n, y)
		return
	}
	matTiled16(w, a, r0, r1, n, y, tileGo)
}

// matBF16Go is the portable BF16 product: tiles for batches, else dotBF16.
func matBF16Go(w *Matrix, a *acts, r0, r1, n int, y []float32) {
	if !tiled16(w, n) {
		matBF16(w, a, r0, r1, n, y)
		return
	}
	matTiled16(w, a, r0, r1, n, y, tileGo)
}
