package quant

import (
	"fmt"
	"sync"
	"sync/atomic"
)

// Dense float32 matrix products (GEMM) for the trainer, which spends most of
// its time in three of them per weight: the forward product (A·Bᵀ), the
// input gradient (A·B) and the weight gradient (Aᵀ·B). They follow the
// GotoBLAS/BLIS design: C is cut into blocks, and a register-tiled
// micro-kernel computes an mr×nr tile of C from an mr-row panel of A and an
// nr-column panel of B, keeping the whole tile in registers while it runs
// along k. The micro-kernel is assembly where the CPU has it (gemm_amd64.s)
// and gemmKernelGo otherwise. Unlike BLIS, operands are read in place
// wherever their layout lets the kernel stream them (A always, through its
// two strides; B when its rows are contiguous): at the trainer's shapes,
// with k often 2048 and m or n 128, copying ("packing") them cost as much
// as the multiply-adds. Only a transposed B, whose panels would otherwise be
// gathered element by element, is packed into kc×nr panels, and edge
// panels are copied out with zero padding.
//
// Every element of C is the sum over k in one fixed order (by kc blocks, each
// added to C in turn), whatever the thread count and however C is split, so
// the trainer's results do not depend on the number of threads.

// Dense is a row-major float32 matrix inside a slice: element (i, j) is
// Data[i*Stride+j]. A Dense can be a window of a wider matrix (Stride > Cols),
// which is how the trainer multiplies one attention head's columns of the
// activations without copying them out.
type Dense struct {
	Data       []float32
	Rows, Cols int
	Stride     int
}

// DenseOf views data as a contiguous rows×cols matrix.
func DenseOf(data []float32, rows, cols int) Dense {
	return Dense{Data: data[:rows*cols], Rows: rows, Cols: cols, Stride: cols}
}

// Slice is the window of rows [i0, i1) and columns [j0, j1) of d.
func (d Dense) Slice(i0, i1, j0, j1 int) Dense {
	if i0 < 0 || i1 < i0 || i1 > d.Rows || j0 < 0 || j1 < j0 || j1 > d.Cols {
		panic(fmt.Sprintf("quant: Dense.Slice [%d:%d, %d:%d] of a %d×%d matrix", i0, i1, j0, j1, d.Rows, d.Cols))
	}
	s := Dense{Rows: i1 - i0, Cols: j1 - j0, Stride: d.Stride}
	if s.Rows > 0 && s.Cols > 0 {
		s.Data = d.Data[i0*d.Stride+j0 : (i1-1)*d.Stride+j1]
	}
	return s
}

// check panics unless d's slice holds all its elements.
func (d Dense) check(name string) {
	if d.Rows < 0 || d.Cols < 0 || d.Stride < d.Cols {
		panic(fmt.Sprintf("quant: gemm: %s is %d×%d with stride %d", name, d.Rows, d.Cols, d.Stride))
	}
	if d.Rows > 0 && d.Cols > 0 && len(d.Data) < (d.Rows-1)*d.Stride+d.Cols {
		panic(fmt.Sprintf("quant: gemm: %s is %d×%d with stride %d but has %d elements", name, d.Rows, d.Cols, d.Stride, len(d.Data)))
	}
}

// Blocking. A kc×nr panel of B (16 KB for the AVX2 kernel, 32 KB for
// AVX-512) stays in L1 while the micro-kernel runs down the mr-row panels of
// an mc×kc block of A (128 KB, in L2); a kc×nc block of B (1 MB) is reused
// across all of A. gemmMC is rounded down to a multiple of the kernel's mr.
const (
	gemmKC = 256
	gemmMC = 128
	gemmNC = 1024
)

// gemmParallelMin is the product size (m·n·k multiply-adds) from which a Gemm
// with several threads splits the work: below it, waking a second goroutine
// costs about as much as it saves.
const gemmParallelMin = 1 << 19

// gemmKernel is a micro-kernel: fn computes the mr×nr tile of C at c (row
// stride ldc) from kc steps of an A panel, element (i, p) at a[i*rs+p*cs],
// and a B panel, element (p, j) at b[p*bs+j]. It stores the product, or with
// acc adds it to C (C + sum, the sum accumulated from zero first).
type gemmKernel struct {
	name   string
	mr, nr int
	fn     func(kc int, a []float32, rs, cs int, b []float32, bs int, c []float32, ldc int, acc bool)
}

// gemmGo is the portable micro-kernel.
var gemmGo = &gemmKernel{name: "go", mr: 2, nr: 4, fn: gemmKernelGo}

// Gemm computes dense float32 matrix products on a fixed number of threads.
// It owns the packing buffers the products need (grown on first use, then
// reused), so a product allocates nothing. A Gemm runs one product at a
// time: goroutines that multiply concurrently need a Gemm each.
type Gemm struct {
	threads int
	kern    *gemmKernel
	work    []gemmWork // packing buffers, one per thread

	// The product being run, split into tasks that the calling goroutine
	// and up to threads-1 helpers claim in turn.
	job   gemmJob
	tasks int
	next  atomic.Int32 // next task to claim
	slot  atomic.Int32 // next helper's index into work
	wg    sync.WaitGroup
	help  func() // g.helper, bound once: starting a helper then allocates nothing
}

// NewGemm returns a Gemm that uses up to threads goroutines per product
// (threads < 1 means 1), with the fastest micro-kernel the CPU supports.
func NewGemm(threads int) *Gemm { return newGemm(threads, gemmKernels()[0]) }

func newGemm(threads int, k *gemmKernel) *Gemm {
	threads = max(threads, 1)
	g := &Gemm{threads: threads, kern: k, work: make([]gemmWork, threads)}
	g.help = g.helper
	return g
}

// Threads is the number of goroutines a product may use.
func (g *Gemm) Threads() int { return g.threads }

// NT sets C = A·Bᵀ, or adds A·Bᵀ to C when acc is set; A is m×k, B is n×k
// and C is m×n. (A layer's forward pass: activations times the weight
// matrix, whose rows are the outputs.)
func (g *Gemm) NT(c, a, b Dense, acc bool) { g.run(c, a, false, b, true, acc) }

// NN sets C = A·B, or adds it to C when acc is set; A is m×k, B is k×n.
// (The gradient with respect to a layer's input.)
func (g *Gemm) NN(c, a, b Dense, acc bool) { g.run(c, a, false, b, false, acc) }

// TN sets C = Aᵀ·B, or adds it to C when acc is set; A is k×m, B is k×n.
// (The gradient with respect to a layer's weights.)
func (g *Gemm) TN(c, a, b Dense, acc bool) { g.run(c, a, true, b, false, acc) }

// gemmJob is one product with its operands' element strides: A(i, p) is
// a[i*ars+p*acs] and B(p, j) is b[p*brs+j*bcs].
type gemmJob struct {
	c, a, b          []float32
	ldc              int
	ars, acs         int
	brs, bcs         int
	m, n, k          int
	acc              bool
	splitRows        bool // tasks split C's rows (else its columns)
	pieces, tileUnit int
}

func (g *Gemm) run(c, a Dense, ta bool, b Dense, tb bool, acc bool) {
	c.check("C")
	a.check("A")
	b.check("B")
	m, n := c.Rows, c.Cols
	am, k, ars, acs := a.Rows, a.Cols, a.Stride, 1
	if ta {
		am, k, ars, acs = a.Cols, a.Rows, 1, a.Stride
	}
	bk, bn, brs, bcs := b.Rows, b.Cols, b.Stride, 1
	if tb {
		bk, bn, brs, bcs = b.Cols, b.Rows, 1, b.Stride
	}
	if am != m || bn != n || bk != k {
		panic(fmt.Sprintf("quant: gemm: C is %d×%d but the product is (%d×%d)·(%d×%d)", m, n, am, k, bk, bn))
	}
	if m == 0 || n == 0 {
		return
	}
	if k == 0 {
		if !acc {
			for i := 0; i < m; i++ {
				clear(c.Data[i*c.Stride : i*c.Stride+n])
			}
		}
		return
	}
	g.job = gemmJob{c: c.Data, a: a.Data, b: b.Data, ldc: c.Stride, ars: ars, acs: acs, brs: brs, bcs: bcs,
		m: m, n: n, k: k, acc: acc}
	j := &g.job
	// Split the longer side of C (in tiles) into whole tiles, two tasks per
	// thread so that a thread the OS runs late holds up the product less:
	// the others take its tasks. Tasks that share a transposed B each pack
	// their own copy of it, one more pass over it per task.
	mr, nr := g.kern.mr, g.kern.nr
	j.splitRows, j.tileUnit = m*nr >= n*mr, mr
	if !j.splitRows {
		j.tileUnit = nr
	}
	j.pieces = 1
	if g.threads > 1 && m*n*k >= gemmParallelMin {
		side := n
		if j.splitRows {
			side = m
		}
		j.pieces = min(2*g.threads, (side+j.tileUnit-1)/j.tileUnit)
	}
	if j.pieces == 1 {
		g.work[0].block(g.kern, j, 0, m, 0, n)
		return
	}
	g.tasks = j.pieces
	g.next.Store(0)
	g.slot.Store(0)
	helpers := min(g.threads, j.pieces) - 1
	g.wg.Add(helpers)
	for i := 0; i < helpers; i++ {
		go g.help()
	}
	g.runTasks(&g.work[0])
	g.wg.Wait()
}

// helper is the body of a helper goroutine: claim a work slot, then tasks.
func (g *Gemm) helper() {
	w := &g.work[g.slot.Add(1)]
	g.runTasks(w)
	g.wg.Done()
}

// runTasks runs tasks of the current product until none are left.
func (g *Gemm) runTasks(w *gemmWork) {
	j := &g.job
	for {
		t := int(g.next.Add(1)) - 1
		if t >= g.tasks {
			return
		}
		side := j.n
		if j.splitRows {
			side = j.m
		}
		tiles := (side + j.tileUnit - 1) / j.tileUnit
		lo := tiles * t / j.pieces * j.tileUnit
		hi := min(side, tiles*(t+1)/j.pieces*j.tileUnit)
		if j.splitRows {
			w.block(g.kern, j, lo, hi, 0, j.n)
		} else {
			w.block(g.kern, j, 0, j.m, lo, hi)
		}
	}
}

// gemmWork holds one thread's packing buffers.
type gemmWork struct {
	a    []float32 // a last A panel of fewer than mr rows, zero-padded
	b    []float32 // packed B panels
	tile []float32 // an edge tile of C, computed whole, then cut to size
}

// block computes rows [i0, i1) and columns [j0, j1) of the job's C. Row
// blocks start at multiples of mr and column blocks at multiples of nr (from
// the start of C), so an element's tile, and thus its arithmetic, is the
// same whichever block computes it.
func (w *gemmWork) block(kn *gemmKernel, j *gemmJob, i0, i1, j0, j1 int) {
	mr, nr := kn.mr, kn.nr
	mc := max(gemmMC/mr, 1) * mr
	w.tile = grow(w.tile, mr*nr)
	for jc := j0; jc < j1; jc += gemmNC {
		nc := min(gemmNC, j1-jc)
		full := nc / nr * nr // columns in whole nr-wide panels
		for pc := 0; pc < j.k; pc += gemmKC {
			kc := min(gemmKC, j.k-pc)
			acc := j.acc || pc > 0
			// Pack B if it is transposed, else only a last panel of fewer
			// than nr columns.
			if j.bcs != 1 {
				w.packB(j, nr, jc, nc, pc, kc)
			} else if full < nc {
				w.packB(j, nr, jc+full, nc-full, pc, kc)
			}
			for ic := i0; ic < i1; ic += mc {
				rows := min(mc, i1-ic)
				if rows%mr != 0 {
					w.packEdge(j, mr, ic+rows/mr*mr, rows%mr, pc, kc)
				}
				for jr := 0; jr < nc; jr += nr {
					cols := min(nr, nc-jr)
					var bp []float32
					bs := nr
					switch {
					case j.bcs != 1:
						bp = w.b[jr*kc : (jr+nr)*kc]
					case jr >= full:
						bp = w.b[:nr*kc]
					default:
						off := pc*j.brs + jc + jr
						bp, bs = j.b[off:off+(kc-1)*j.brs+nr], j.brs
					}
					for ir := 0; ir < rows; ir += mr {
						var ap []float32
						rs, cs := j.ars, j.acs
						if ir+mr > rows {
							ap, rs, cs = w.a, 1, mr
						} else {
							off := (ic+ir)*j.ars + pc*j.acs
							ap = j.a[off : off+(mr-1)*j.ars+(kc-1)*j.acs+1]
						}
						c := j.c[(ic+ir)*j.ldc+jc+jr:]
						if ir+mr <= rows && cols == nr {
							kn.fn(kc, ap, rs, cs, bp, bs, c, j.ldc, acc)
							continue
						}
						// An edge tile: computed whole, then cut to size.
						kn.fn(kc, ap, rs, cs, bp, bs, w.tile, nr, false)
						for i := 0; i < min(mr, rows-ir); i++ {
							ci, ti := c[i*j.ldc:i*j.ldc+cols], w.tile[i*nr:i*nr+cols]
							if acc {
								for x, v := range ti {
									ci[x] += v
								}
							} else {
								copy(ci, ti)
							}
						}
					}
				}
			}
		}
	}
}

// packB copies B(pc:pc+kc, jc:jc+nc) into w.b as nr-wide panels, each kc×nr
// row-major, the columns past nc zero.
func (w *gemmWork) packB(j *gemmJob, nr, jc, nc, pc, kc int) {
	panels := (nc + nr - 1) / nr
	w.b = grow(w.b, panels*nr*kc)
	for q := 0; q < panels; q++ {
		dst := w.b[q*nr*kc : (q+1)*nr*kc]
		j0 := jc + q*nr
		cols := min(nr, jc+nc-j0)
		if cols < nr {
			clear(dst)
		}
		if j.bcs == 1 { // B's rows are contiguous (an edge panel): copy row pieces
			for p := 0; p < kc; p++ {
				off := (pc+p)*j.brs + j0
				copy(dst[p*nr:p*nr+cols], j.b[off:off+cols])
			}
			continue
		}
		for x := 0; x < cols; x++ { // B is transposed: gather each column
			off := (j0+x)*j.bcs + pc
			src := j.b[off : off+kc]
			d := dst[x:]
			for p, v := range src {
				d[p*nr] = v
			}
		}
	}
}

// packEdge copies the last n < mr rows of A, from i0, over k steps
// [pc, pc+kc) into w.a as one kc×mr panel, element (i, p) at p*mr+i, the
// rows past n zero.
func (w *gemmWork) packEdge(j *gemmJob, mr, i0, n, pc, kc int) {
	w.a = grow(w.a, mr*kc)
	dst := w.a
	clear(dst)
	for i := 0; i < n; i++ {
		d := dst[i:]
		for p := 0; p < kc; p++ {
			d[p*mr] = j.a[(i0+i)*j.ars+(pc+p)*j.acs]
		}
	}
}

// gemmKernelGo is the portable micro-kernel, 2×4: eight accumulators, two
// values of A and four of B per step, fourteen floats in all, so that the
// compiler keeps every one in a register (a 4×4 tile needs 24 and spilled).
func gemmKernelGo(kc int, a []float32, rs, cs int, b []float32, bs int, c []float32, ldc int, acc bool) {
	var c00, c01, c02, c03, c10, c11, c12, c13 float32
	a0, a1 := a, a[rs:]
	for p := 0; p < kc; p++ {
		o := p * cs
		x0, x1 := a0[o], a1[o]
		bp := b[p*bs : p*bs+4 : p*bs+4]
		b0, b1, b2, b3 := bp[0], bp[1], bp[2], bp[3]
		c00 += x0 * b0
		c01 += x0 * b1
		c02 += x0 * b2
		c03 += x0 * b3
		c10 += x1 * b0
		c11 += x1 * b1
		c12 += x1 * b2
		c13 += x1 * b3
	}
	t := [2][4]float32{{c00, c01, c02, c03}, {c10, c11, c12, c13}}
	for i := range t {
		ci := c[i*ldc : i*ldc+4 : i*ldc+4]
		if acc {
			for x := range ci {
				ci[x] += t[i][x]
			}
		} else {
			copy(ci, t[i][:])
		}
	}
}
