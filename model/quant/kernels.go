package quant

// Portable matrix kernels. Each mat* function computes, for rows [r0, r1)
// and tokens [0, n), y[t*w.Rows+r] = row r · token t. Tokens are the inner
// loop, so a weight row is streamed from memory once and reused from L1 for
// every token of a prefill batch.

import "math"

func matQ8_0(w *Matrix, a *acts, r0, r1, n int, y []float32) {
	nb := w.Cols / qk
	wq := int8s(w.qs)
	for r := r0; r < r1; r++ {
		rq := wq[r*w.Cols : (r+1)*w.Cols]
		rd := w.ds[r*nb : (r+1)*nb]
		for t := 0; t < n; t++ {
			y[t*w.Rows+r] = dotQ8_0Go(rq, rd, a.qs[t*w.Cols:(t+1)*w.Cols], a.d[t*nb:(t+1)*nb])
		}
	}
}

// dotQ8_0Go is ggml_vec_dot_q8_0_q8_0: per block an exact int32 dot of the
// quants, scaled by the product of the two block scales.
func dotQ8_0Go(wq []int8, wd []float32, xq []int8, xd []float32) float32 {
	var sum float32
	for b := range wd {
		w := (*[qk]int8)(wq[b*qk:])
		x := (*[qk]int8)(xq[b*qk:])
		var s0, s1, s2, s3 int32
		for k := 0; k < qk; k += 4 {
			s0 += int32(w[k]) * int32(x[k])
			s1 += int32(w[k+1]) * int32(x[k+1])
			s2 += int32(w[k+2]) * int32(x[k+2])
			s3 += int32(w[k+3]) * int32(x[k+3])
		}
		sum += float32(s0+s1+s2+s3) * float32(wd[b]*xd[b])
	}
	return sum
}

func matQ4_0(w *Matrix, a *acts, r0, r1, n int, y []float32) {
	nb := w.Cols / qk
	rb := q4RowBytes(w.Cols)
	for r := r0; r < r1; r++ {
		rq := w.qs[r*rb : (r+1)*rb]
		rd := w.ds[r*nb : (r+1)*nb]
		for t := 0; t < n; t++ {
			y[t*w.Rows+r] = dotQ4_0Go(rq, rd, a.qs[t*w.Cols:(t+1)*w.Cols], a.d[t*nb:(t+1)*nb])
		}
	}
}

// dotQ4_0Go is ggml_vec_dot_q4_0_q8_0 on the repacked layout (see
// repackQ4_0): quants are q-8 in [-8, 7].
func dotQ4_0Go(wq []byte, wd []float32, xq []int8, xd []float32) float32 {
	return dotNibGo(wq, wd, xq, xd, 8)
}

// dotNibGo is the dot of nibbles in repackQ4_0's layout, each used as
// q - bias (8 for Q4_0, 0 for Q4_1), with Q8_0/Q8_1 quants: per block an
// exact int32 sum scaled by the two block scales.
func dotNibGo(wq []byte, wd []float32, xq []int8, xd []float32, bias int32) float32 {
	var sum float32
	nb := len(wd)
	for b := 0; b < nb; b += 2 {
		v := (*[32]byte)(wq[b/2*32:])
		x0 := (*[qk]int8)(xq[b*qk:])
		var s0, s1 int32
		for k := 0; k < qk; k += 2 {
			s0 += (int32(v[k]&0xf)-bias)*int32(x0[k]) + (int32(v[k+1]&0xf)-bias)*int32(x0[k+1])
		}
		sum += float32(s0) * float32(wd[b]*xd[b])
		if b+1 < nb {
			x1 := (*[qk]int8)(xq[(b+1)*qk:])
			for k := 0; k < qk; k += 2 {
				s1 += (int32(v[k]>>4)-bias)*int32(x1[k]) + (int32(v[k+1]>>4)-bias)*int32(x1[k+1])
			}
			sum += float32(s1) * float32(wd[b+1]*xd[b+1])
		}
	}
	return sum
}

func matQ4K(w *Matrix, a *acts, r0, r1, n int, y []float32) {
	nb := w.Cols / qkK
	rb := nb * q4K
	for r := r0; r < r1; r++ {
		row := w.Data[r*rb : (r+1)*rb]
		for t := 0; t < n; t++ {
			y[t*w.Rows+r] = dotQ4KGo(row, a.qs[t*w.Cols:(t+1)*w.Cols], a.d[t*nb:(t+1)*nb], a.bsum[t*nb*16:(t+1)*nb*16])
		}
	}
}

// unpackScalesK4 decodes the eight 6-bit scales and mins of a Q4_K/Q5_K
// super-block (the 12 bytes read by scaleMinK4).
func unpackScalesK4(q []byte, sc, m *[8]int32) {
	for j := 0; j < 4; j++ {
		sc[j] = int32(q[j] & 63)
		m[j] = int32(q[j+4] & 63)
		sc[j+4] = int32(q[j+8]&0xf | (q[j]>>6)<<4)
		m[j+4] = int32(q[j+8]>>4 | (q[j+4]>>6)<<4)
	}
}

// dotQ4KGo is ggml_vec_dot_q4_K_q8_K: per super-block, the integer sum of
// scale*Σ(q*x) and of min*Σx (from the activation bsums), scaled by
// d*x.d and dmin*x.d.
func dotQ4KGo(row []byte, xq []int8, xd []float32, bsum []int16) float32 {
	var sum float32
	var sc, m [8]int32
	for i := range xd {
		blk := (*[q4K]byte)(row[i*q4K:])
		unpackScalesK4(blk[4:16], &sc, &m)
		q8 := (*[qkK]int8)(xq[i*qkK:])
		var isum, msum int32
		for j := 0; j < 4; j++ {
			q := (*[32]byte)(blk[16+32*j:])
			lo := (*[32]int8)(q8[64*j:])
			hi := (*[32]int8)(q8[64*j+32:])
			var s1, s2 int32
			for l := 0; l < 32; l += 2 {
				s1 += int32(q[l]&0xf)*int32(lo[l]) + int32(q[l+1]&0xf)*int32(lo[l+1])
				s2 += int32(q[l]>>4)*int32(hi[l]) + int32(q[l+1]>>4)*int32(hi[l+1])
			}
			isum += sc[2*j]*s1 + sc[2*j+1]*s2
		}
		bs := (*[16]int16)(bsum[i*16:])
		for j := 0; j < 8; j++ {
			msum += m[j] * (int32(bs[2*j]) + int32(bs[2*j+1]))
		}
		d := float32(xd[i] * f16at(blk[0:]))
		dmin := float32(xd[i] * f16at(blk[2:]))
		sum += float32(d*float32(isum)) - float32(dmin*float32(msum))
	}
	return sum
}

func matQ5K(w *Matrix, a *acts, r0, r1, n int, y []float32) {
	nb := w.Cols / qkK
	rb := nb * q5K
	for r := r0; r < r1; r++ {
		row := w.Data[r*rb : (r+1)*rb]
		for t := 0; t < n; t++ {
			y[t*w.Rows+r] = dotQ5KGo(row, a.qs[t*w.Cols:(t+1)*w.Cols], a.d[t*nb:(t+1)*nb], a.bsum[t*nb*16:(t+1)*nb*16])
		}
	}
}

// dotQ5KGo is ggml_vec_dot_q5_K_q8_K: Q4_K plus a fifth bit per quant.
func dotQ5KGo(row []byte, xq []int8, xd []float32, bsum []int16) float32 {
	var sum float32
	var sc, m [8]int32
	for i := range xd {
		blk := (*[q5K]byte)(row[i*q5K:])
		unpackScalesK4(blk[4:16], &sc, &m)
		qh := (*[32]byte)(blk[16:48])
		q8 := (*[qkK]int8)(xq[i*qkK:])
		var isum, msum int32
		for j := 0; j < 4; j++ {
			q := (*[32]byte)(blk[48+32*j:])
			lo := (*[32]int8)(q8[64*j:])
			hi := (*[32]int8)(q8[64*j+32:])
			sh1, sh2 := uint(2*j), uint(2*j+1)
			var s1, s2 int32
			for l := 0; l < 32; l++ {
				s1 += int32(q[l]&0xf|(qh[l]>>sh1&1)<<4) * int32(lo[l])
				s2 += int32(q[l]>>4|(qh[l]>>sh2&1)<<4) * int32(hi[l])
			}
			isum += sc[2*j]*s1 + sc[2*j+1]*s2
		}
		bs := (*[16]int16)(bsum[i*16:])
		for j := 0; j < 8; j++ {
			msum += m[j] * (int32(bs[2*j]) + int32(bs[2*j+1]))
		}
		d := float32(xd[i] * f16at(blk[0:]))
		dmin := float32(xd[i] * f16at(blk[2:]))
		sum += float32(d*float32(isum)) - float32(dmin*float32(msum))
	}
	return sum
}

func matQ6K(w *Matrix, a *acts, r0, r1, n int, y []float32) {
	nb := w.Cols / qkK
	rb := nb * q6K
	for r := r0; r < r1; r++ {
		row := w.Data[r*rb : (r+1)*rb]
		for t := 0; t < n; t++ {
			y[t*w.Rows+r] = dotQ6KGo(row, a.qs[t*w.Cols:(t+1)*w.Cols], a.d[t*nb:(t+1)*nb])
		}
	}
}

// dotQ6KGo is ggml_vec_dot_q6_K_q8_K: per super-block Σ sc*Σ((q-32)*x) in
// int32, scaled by d*x.d.
func dotQ6KGo(row []byte, xq []int8, xd []float32) float32 {
	var sum float32
	for i := range xd {
		blk := (*[q6K]byte)(row[i*q6K:])
		sc := (*[16]byte)(blk[192:208])
		q8 := (*[qkK]int8)(xq[i*qkK:])
		var isum int32
		for n := 0; n < 2; n++ {
			ql := (*[64]byte)(blk[64*n:])
			qh := (*[32]byte)(blk[128+32*n:])
			x := (*[128]int8)(q8[128*n:])
			s := (*[8]byte)(sc[8*n:])
			for half := 0; half < 2; half++ { // l in [0,16) then [16,32): one scale each
				var a1, a2, a3, a4 int32
				for l := 16 * half; l < 16*half+16; l++ {
					h := qh[l]
					a1 += (int32(ql[l]&0xf|(h&3)<<4) - 32) * int32(x[l])
					a2 += (int32(ql[l+32]&0xf|(h>>2&3)<<4) - 32) * int32(x[l+32])
					a3 += (int32(ql[l]>>4|(h>>4&3)<<4) - 32) * int32(x[l+64])
					a4 += (int32(ql[l+32]>>4|(h>>6&3)<<4) - 32) * int32(x[l+96])
				}
				isum += int32(int8(s[half]))*a1 + int32(int8(s[half+2]))*a2 +
					int32(int8(s[half+4]))*a3 + int32(int8(s[half+6]))*a4
			}
		}
		d := float32(xd[i] * f16at(blk[208:]))
		sum += float32(d * float32(isum))
	}
	return sum
}

func matF32(w *Matrix, a *acts, r0, r1, n int, y []float32) {
	x := a.f
	for r := r0; r < r1; r++ {
		row := w.f32[r*w.Cols : (r+1)*w.Cols]
		t := 0
		for ; t+4 <= n; t += 4 {
			var out [4]float32
			dotF32x4(row, x[t*w.Cols:(t+4)*w.Cols], &out)
			y[t*w.Rows+r], y[(t+1)*w.Rows+r], y[(t+2)*w.Rows+r], y[(t+3)*w.Rows+r] = out[0], out[1], out[2], out[3]
		}
		for ; t < n; t++ {
			y[t*w.Rows+r] = dotF32(row, x[t*w.Cols:(t+1)*w.Cols])
		}
	}
}

// dotF32Go is a float32 dot with four interleaved accumulators.
func dotF32Go(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return (s0 + s1) + (s2 + s3)
}

func matF16(w *Matrix, a *acts, r0, r1, n int, y []float32) {
	x := a.f
	for r := r0; r < r1; r++ {
		row := w.u16[r*w.Cols : (r+1)*w.Cols]
		t := 0
		for ; t+4 <= n; t += 4 {
			var out [4]float32
			dotF16x4(row, x[t*w.Cols:(t+4)*w.Cols], &out)
			y[t*w.Rows+r], y[(t+1)*w.Rows+r], y[(t+2)*w.Rows+r], y[(t+3)*w.Rows+r] = out[0], out[1], out[2], out[3]
		}
		for ; t < n; t++ {
			y[t*w.Rows+r] = dotF16(row, x[t*w.Cols:(t+1)*w.Cols])
		}
	}
}

// dotF16Go dots fp16 weights with (already fp16-rounded) activations in
// float32, as ggml_vec_dot_f16.
func dotF16Go(a []uint16, b []float32) float32 {
	b = b[:len(a)]
	tab := fp16Table
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += tab[a[i]] * b[i]
		s1 += tab[a[i+1]] * b[i+1]
		s2 += tab[a[i+2]] * b[i+2]
		s3 += tab[a[i+3]] * b[i+3]
	}
	for ; i < len(a); i++ {
		s0 += tab[a[i]] * b[i]
	}
	return (s0 + s1) + (s2 + s3)
}

func matBF16(w *Matrix, a *acts, r0, r1, n int, y []float32) {
	x := a.f
	for r := r0; r < r1; r++ {
		row := w.u16[r*w.Cols : (r+1)*w.Cols]
		for t := 0; t < n; t++ {
			y[t*w.Rows+r] = dotBF16(row, x[t*w.Cols:(t+1)*w.Cols])
		}
	}
}

// dotBF16Go dots bf16 weights with bf16-rounded activations in float32.
func dotBF16Go(a []uint16, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1 float32
	i := 0
	for ; i+2 <= len(a); i += 2 {
		s0 += math.Float32frombits(uint32(a[i])<<16) * b[i]
		s1 += math.Float32frombits(uint32(a[i+1])<<16) * b[i+1]
	}
	for ; i < len(a); i++ {
		s0 += math.Float32frombits(uint32(a[i])<<16) * b[i]
	}
	return s0 + s1
}
