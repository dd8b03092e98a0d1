package quant

// SwiGLU sets h[i] = silu(h[i])·up[i], silu(g) = g/(1+e^−g), the gated
// feed-forward activation of llama-family models (ggml_vec_swiglu_f32). The
// exponentials are ExpShift's vectorized ones (within 3 ulp), always of
// −|g| so that they stay in (0, 1]: silu(g) = g/(1+e) for g ≥ 0 and
// g·e/(1+e) for g < 0, with e = e^−|g|. A scalar e^x per element was 15% of
// a prefill's CPU time. up must be at least as long as h. The assembly
// (swigluAVX2) does the same operations in the same order in one pass, so
// results do not depend on which path ran.
func SwiGLU(h, up []float32) {
	up = up[:len(h)]
	done := swigluAsm(h, up)
	swigluGo(h[done:], up[done:])
}

// swigluGo is the portable SwiGLU.
func swigluGo(h, up []float32) {
	var buf [256]float32
	up = up[:len(h)]
	for i := 0; i < len(h); i += len(buf) {
		g := h[i:min(i+len(buf), len(h))]
		u := up[i : i+len(g)]
		e := buf[:len(g)]
		for j, v := range g {
			if v < 0 {
				v = -v
			}
			e[j] = -v
		}
		ExpShift(e, 0)
		for j, v := range g {
			s := 1 / (1 + e[j])
			if v < 0 {
				s *= e[j]
			}
			g[j] = v * s * u[j]
		}
	}
}
