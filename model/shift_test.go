package model

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"testing"

	"github.com/weft-dev/weft/model/gguf"
	"github.com/weft-dev/weft/model/quant"
)

// TestMoveRowsRotatesKeys: in layer 0 a token's key and value depend only on the token and its
// position, so moved and rotated rows must equal the rows of the same tokens evaluated at the new
// positions (up to F16 rounding with an F16 cache).
func TestMoveRowsRotatesKeys(t *testing.T) {
	ctx := context.Background()
	for _, kv := range []gguf.Type{gguf.TypeF32, gguf.TypeF16} {
		for _, arch := range []string{"qwen2", "llama"} {
			t.Run(fmt.Sprintf("%s-%v", arch, kv), func(t *testing.T) {
				m := tinyModel(t, arch, gguf.TypeF32, Options{Threads: 2, KVType: kv})
				run := seq(20, 5)
				for _, shift := range []int{3, -2} {
					pre := seq(10, 1)
					// s holds pre+run; after the move the run sits shift rows further.
					s := m.NewSession(64)
					if _, err := s.Eval(ctx, append(append([]int32{}, pre...), run...)); err != nil {
						t.Fatal(err)
					}
					s.moveRows(len(pre), len(pre)+shift, len(run))
					// r holds the run at those positions.
					r := m.NewSession(64)
					if _, err := r.Eval(ctx, append(append([]int32{}, seq(len(pre)+shift, 9)...), run...)); err != nil {
						t.Fatal(err)
					}
					var maxErr float64
					nKV := s.nKV
					for i := 0; i < len(run)*nKV; i++ {
						o := (len(pre)+shift)*nKV + i
						if kv == gguf.TypeF16 {
							for _, pair := range [][2]uint16{{s.k16[o], r.k16[o]}, {s.v16[o], r.v16[o]}} {
								a, b := float64(fp16(pair[0])), float64(fp16(pair[1]))
								maxErr = max(maxErr, math.Abs(a-b)/max(1, math.Abs(b)))
							}
							continue
						}
						maxErr = max(maxErr, math.Abs(float64(s.k32[o]-r.k32[o])), math.Abs(float64(s.v32[o]-r.v32[o])))
					}
					tol := 1e-5
					if kv == gguf.TypeF16 {
						tol = 4e-3 // one more rounding to half precision
					}
					if maxErr > tol {
						t.Errorf("shift %d: layer-0 rows differ by %g, want <= %g", shift, maxErr, tol)
					}
				}
			})
		}
	}
}

// TestEvalShift: after an edit inside a prompt, EvalShift evaluates only the edited tokens and the
// ones after the moved run, holds the new tokens, and falls back to Eval (same logits) when no run is
// long enough.
func TestEvalShift(t *testing.T) {
	ctx := context.Background()
	m := tinyModel(t, "qwen2", gguf.TypeF32, Options{Threads: 2, KVType: gguf.TypeF32})
	head, suffix, tail := seq(30, 1), seq(40, 2), []int32{7}
	old := append(append(append([]int32{}, head...), suffix...), tail...)
	edited := append(append(append(append([]int32{}, head...), 11, 12), suffix...), tail...)
	s := m.NewSession(256)
	if _, err := s.Eval(ctx, old); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Generate(ctx, old, GenerateOptions{MaxTokens: 5, IgnoreEOG: true}, nil); err != nil {
		t.Fatal(err)
	}
	before := s.Stats()
	got, err := s.EvalShift(ctx, edited, 16)
	if err != nil {
		t.Fatal(err)
	}
	st := s.Stats()
	if ev := st.Evaluated - before.Evaluated; ev != 3 { // the two inserted tokens and the last one
		t.Errorf("evaluated %d tokens, want 3", ev)
	}
	if !slicesEqual(s.Tokens(), edited) {
		t.Errorf("session holds %v, want %v", s.Tokens(), edited)
	}
	full, err := m.NewSession(256).Eval(ctx, edited)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("shifted logits differ from a full evaluation by at most %.3g (argmax %d vs %d)", maxDiff(got, full), argmax(got), argmax(full))
	// A run shorter than minRun: plain Eval, the same logits as a fresh session's.
	got, err = s.EvalShift(ctx, old, 1000)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := m.NewSession(256).Eval(ctx, old)
	if d := maxDiff(got, want); d > 1e-4 {
		t.Errorf("fallback differs from Eval by %g", d)
	}
}

// TestShiftReuseParityFixtures measures the approximation on llama.cpp's parity fixture models and
// prompts: a token inserted into the prompt, the rest of the prompt reused shifted, against a full
// evaluation of the edited prompt. It logs how often the next token and a 16-token greedy
// continuation agree (docs/BENCHMARKS.md), and checks that the reuse happened.
func TestShiftReuseParityFixtures(t *testing.T) {
	dir := filepath.Join(sharedDir(t), "testdata", "parity")
	files, _ := filepath.Glob(filepath.Join(dir, "logits", "*.json"))
	if len(files) == 0 {
		t.Fatalf("no parity fixtures in %s", dir)
	}
	ctx := context.Background()
	var total, top1, cont, contTok, contAll int
	for _, path := range files {
		ref := loadParity(t, path)
		m, err := Open(filepath.Join(dir, "models", ref.ModelFile), Options{Threads: 2, KVType: gguf.TypeF16})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ref.Prompts {
			ids := p.PromptIDs
			for _, frac := range []int{4, 2} { // an edit a quarter and half way into the prompt
				at := len(ids) / frac
				edited := append(append(append([]int32{}, ids[:at]...), ids[at-1]), ids[at:]...)
				s := m.NewSession(512)
				if _, err := s.Generate(ctx, ids, GenerateOptions{MaxTokens: 4, IgnoreEOG: true}, nil); err != nil {
					t.Fatal(err)
				}
				before := s.Stats().Evaluated
				got, err := s.EvalShift(ctx, edited, 8)
				if err != nil {
					t.Fatal(err)
				}
				if ev := s.Stats().Evaluated - before; ev != 2 {
					t.Errorf("%s %s: evaluated %d tokens after the edit, want 2", ref.ModelFile, p.Name, ev)
				}
				fresh := m.NewSession(512)
				want, err := fresh.Eval(ctx, edited)
				if err != nil {
					t.Fatal(err)
				}
				total++
				if argmax(got) == argmax(want) {
					top1++
				}
				g1, err := s.Generate(ctx, edited, GenerateOptions{MaxTokens: 16, IgnoreEOG: true}, nil)
				if err != nil {
					t.Fatal(err)
				}
				g2, err := fresh.Generate(ctx, edited, GenerateOptions{MaxTokens: 16, IgnoreEOG: true}, nil)
				if err != nil {
					t.Fatal(err)
				}
				if slicesEqual(g1.Tokens, g2.Tokens) {
					cont++
				}
				for i := range g2.Tokens {
					if i < len(g1.Tokens) && g1.Tokens[i] == g2.Tokens[i] {
						contTok++
					} else {
						break
					}
				}
				contAll += len(g2.Tokens)
			}
		}
		m.Close()
	}
	t.Logf("shifted reuse vs full evaluation over %d edits: next token agrees %d/%d, 16-token greedy continuation identical %d/%d, common prefix %d of %d tokens",
		total, top1, total, cont, total, contTok, contAll)
}

func fp16(h uint16) float32 { return quant.FP16ToFP32(h) }
