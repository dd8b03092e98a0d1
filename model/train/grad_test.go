package train

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// tinyConfig is a model small enough for finite differences, with grouped-query
// attention (4 query heads sharing 2 kv heads).
func tinyConfig() ModelConfig {
	return ModelConfig{Vocab: 23, Dim: 16, Layers: 2, Heads: 4, KVHeads: 2, FF: 24, Ctx: 8, RopeBase: 10000, NormEps: 1e-5}
}

func randTokens(rng *rand.Rand, n, vocab int) []int32 {
	t := make([]int32, n)
	for i := range t {
		t[i] = int32(rng.IntN(vocab))
	}
	return t
}

// TestGradients compares each tensor's analytic gradient with a central finite
// difference of the loss along a random direction. Directional derivatives
// over a whole tensor are large enough to measure in float32, and a wrong
// backward formula for any element shows up as a mismatch.
func TestGradients(t *testing.T) {
	cfg := tinyConfig()
	m, err := NewModel(cfg)
	if err != nil {
		t.Fatal(err)
	}
	m.Init(1)
	// Perturb norm gains away from 1 so their gradients are exercised generally.
	rng := rand.New(rand.NewPCG(7, 7))
	for _, tn := range m.Tensors {
		if !tn.Decay {
			for i := range m.w(tn) {
				m.w(tn)[i] = 1 + 0.3*float32(rng.NormFloat64())
			}
		} else {
			for i := range m.w(tn) {
				m.w(tn)[i] *= 10 // larger weights: gradients well above float32 noise
			}
		}
	}
	B, T := 2, cfg.Ctx
	tokens := randTokens(rng, B*T, cfg.Vocab)
	targets := randTokens(rng, B*T, cfg.Vocab)
	targets[3] = -1 // ignored position
	a := newActs(cfg, B, T, 0)
	m.ZeroGrads()
	m.forward(a, tokens, targets)
	m.backward(a, tokens)
	grads := append([]float32(nil), m.Grads...)

	for _, tn := range m.Tensors {
		t.Run(tn.Name, func(t *testing.T) {
			w := m.w(tn)
			g := grads[tn.Off : tn.Off+tn.size()]
			u := make([]float64, len(w))
			var norm float64
			for i := range u {
				u[i] = rng.NormFloat64()
				norm += u[i] * u[i]
			}
			orig := append([]float32(nil), w...)
			var analytic float64
			for i := range u {
				u[i] /= math.Sqrt(norm)
				analytic += u[i] * float64(g[i])
			}
			const eps = 1e-2
			loss := func(s float64) float64 {
				for i := range w {
					w[i] = orig[i] + float32(s*u[i])
				}
				return m.forward(a, tokens, targets)
			}
			numeric := (loss(eps) - loss(-eps)) / (2 * eps)
			copy(w, orig)
			diff := math.Abs(numeric - analytic)
			if diff > 2e-3+2e-2*math.Abs(numeric) {
				t.Errorf("directional derivative: analytic %.6g numeric %.6g", analytic, numeric)
			}
		})
	}
}

// TestCrossEntropyGradient checks dloss/dlogits element by element in float64.
func TestCrossEntropyGradient(t *testing.T) {
	cfg := tinyConfig()
	m, _ := NewModel(cfg)
	a := newActs(cfg, 1, 2, 0)
	rng := rand.New(rand.NewPCG(3, 3))
	logits := make([]float32, 2*cfg.Vocab)
	for i := range logits {
		logits[i] = float32(rng.NormFloat64() * 2)
	}
	targets := []int32{5, 17}
	ref := func(l []float32) float64 { // independent float64 log-softmax
		var total float64
		for i, tg := range targets {
			row := l[i*cfg.Vocab : (i+1)*cfg.Vocab]
			var s float64
			for _, v := range row {
				s += math.Exp(float64(v))
			}
			total += math.Log(s) - float64(row[tg])
		}
		return total / 2
	}
	copy(a.logits, logits)
	got := m.crossEntropy(a, targets)
	if want := ref(logits); math.Abs(got-want) > 1e-5 {
		t.Fatalf("loss %v, want %v", got, want)
	}
	for i := range logits {
		l := append([]float32(nil), logits...)
		const eps = 1e-2
		l[i] += eps
		up := ref(l)
		l[i] -= 2 * eps
		down := ref(l)
		num := (up - down) / (2 * eps)
		if math.Abs(num-float64(a.logits[i])) > 1e-4 {
			t.Fatalf("dlogit[%d] = %v, numeric %v", i, a.logits[i], num)
		}
	}
}

// TestCausal checks that no position sees a later token: changing the last
// token of a sequence leaves the logits of every earlier position unchanged.
func TestCausal(t *testing.T) {
	cfg := tinyConfig()
	m, _ := NewModel(cfg)
	m.Init(2)
	rng := rand.New(rand.NewPCG(5, 5))
	T := cfg.Ctx
	tokens := randTokens(rng, T, cfg.Vocab)
	a := newActs(cfg, 1, T, 0)
	m.forward(a, tokens, nil)
	before := append([]float32(nil), a.logits...)
	tokens[T-1] = (tokens[T-1] + 1) % int32(cfg.Vocab)
	m.forward(a, tokens, nil)
	V := cfg.Vocab
	for i := 0; i < (T-1)*V; i++ {
		if a.logits[i] != before[i] {
			t.Fatalf("position %d changed when only the last token changed", i/V)
		}
	}
	changed := false
	for i := (T - 1) * V; i < T*V; i++ {
		changed = changed || a.logits[i] != before[i]
	}
	if !changed {
		t.Fatal("last position's logits did not change with its own token")
	}
}

func TestConfigValidate(t *testing.T) {
	bad := tinyConfig()
	bad.KVHeads = 3
	if _, err := NewModel(bad); err == nil || !strings.Contains(err.Error(), "kv heads") {
		t.Fatalf("want kv heads error, got %v", err)
	}
}
