package model

import (
	"bytes"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/weft-dev/weft/model/gguf"
	"github.com/weft-dev/weft/model/quant"
)

// These tests run llama.cpp's own llama-quantize (commit c392e50, the
// snapshot the rules in ftype.go are read from) and compare what it writes
// with weft. They need the binary, so they run only when
// WEFT_LLAMA_QUANTIZE names it (about 10 minutes on 2 cores, most of it
// TestSynthMatchesLlamaQuantize at Qwen2.5-Coder-0.5B's widths).

func llamaQuantize(t *testing.T) string {
	t.Helper()
	bin := os.Getenv("WEFT_LLAMA_QUANTIZE")
	if bin == "" {
		t.Skip("WEFT_LLAMA_QUANTIZE is not set (the path of llama.cpp's llama-quantize, built at c392e50)")
	}
	return bin
}

// runQuantize quantizes in to out with llama-quantize's preset ftype.
func runQuantize(t *testing.T, bin, in, out, ftype string) {
	t.Helper()
	cmd := exec.Command(bin, in, out, strings.ToUpper(ftype), "2")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("llama-quantize %s: %v\n%s", ftype, err, lastLines(string(b), 8))
	}
}

func lastLines(s string, n int) string {
	l := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(l[max(0, len(l)-n):], "\n")
}

// llamaCppArchs are the architectures llama.cpp c392e50 knows (not qwen3).
var llamaCppArchs = []string{"llama", "qwen2", "starcoder2", "gemma"}

// TestLayoutMatchesLlamaQuantize: for every preset shape llama.cpp knows
// and every file type, the type llama-quantize gives each tensor is
// TensorType's. The masters have the presets' names, widths and layer
// counts, but only 8 rows per matrix and a 512-token vocabulary: llama.cpp's
// rules read the row length, never the number of rows.
func TestLayoutMatchesLlamaQuantize(t *testing.T) {
	bin := llamaQuantize(t)
	dir := t.TempDir()
	for _, preset := range []string{"qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b", "deepseek-coder-1.3b", "starcoder2-3b", "codegemma-2b"} {
		cfg, err := synthPreset(preset, "")
		if err != nil {
			t.Fatal(err)
		}
		cfg.nVocab = 512
		w, cfg, err := synthMeta(cfg, preset, pureTypes(gguf.TypeF32), nil)
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(1, 2))
		rows := map[string]int{}
		for _, pt := range synthPlan(cfg) {
			dims := slicesClone(pt.dims)
			if len(dims) == 2 {
				rows[pt.name] = dims[1]
				dims[1] = min(dims[1], 8)
			}
			n := 1
			for _, d := range dims {
				n *= d
			}
			v := make([]float32, n)
			for i := range v {
				v[i] = float32(rng.NormFloat64() * 0.02)
			}
			d, _ := quant.Quantize(gguf.TypeF32, v)
			if err := w.AddTensor(pt.name, gguf.TypeF32, dims, d); err != nil {
				t.Fatal(err)
			}
		}
		master := filepath.Join(dir, preset+"-master.gguf")
		if err := w.WriteFile(master); err != nil {
			t.Fatal(err)
		}
		for _, name := range FTypes() {
			f, _ := FTypeByName(name)
			out := filepath.Join(dir, preset+"-"+name+".gguf")
			runQuantize(t, bin, master, out, name)
			got, err := gguf.Open(out)
			if err != nil {
				t.Fatal(err)
			}
			bad, n := 0, 0
			for _, ti := range got.Tensors {
				if len(ti.Dims) != 2 {
					if ti.Type != gguf.TypeF32 {
						t.Errorf("%s %s: 1-D tensor %s is %v", preset, name, ti.Name, ti.Type)
					}
					continue
				}
				layer := -1
				if strings.HasPrefix(ti.Name, "blk.") {
					layer = atoiPrefix(strings.TrimPrefix(ti.Name, "blk."))
				}
				want, err := TensorType(f, cfg.spec(ti.Name, ti.Dims[0], rows[ti.Name], layer))
				if err != nil {
					t.Errorf("%s %s: %v", preset, name, err)
					continue
				}
				n++
				if ti.Type != want {
					bad++
					if bad <= 3 {
						t.Errorf("%s %s: llama-quantize made %s %v, TensorType says %v", preset, name, ti.Name, ti.Type, want)
					}
				}
			}
			got.Close()
			os.Remove(out)
			if bad == 0 {
				t.Logf("%s %s: %d matrices, every type as llama-quantize's", preset, name, n)
			}
		}
	}
}

// TestSynthMatchesLlamaQuantize: a file synthesized at a preset's type is,
// tensor for tensor, the bytes llama-quantize writes from the F32 file of
// the same seed (same floats: each matrix draws its own seed), on tiny
// models of every architecture llama.cpp knows and on Qwen2.5-Coder-0.5B's
// widths (3 layers, small vocabulary), where the fallbacks apply.
func TestSynthMatchesLlamaQuantize(t *testing.T) {
	bin := llamaQuantize(t)
	dir := t.TempDir()
	type shape struct {
		name string
		cfg  synthConfig
	}
	var shapes []shape
	for _, a := range llamaCppArchs {
		cfg, err := synthPreset("tiny", a)
		if err != nil {
			t.Fatal(err)
		}
		shapes = append(shapes, shape{"tiny-" + a, cfg})
	}
	q, _ := synthPreset("qwen2.5-coder-0.5b", "")
	q.nLayer, q.nVocab = 3, 1024
	shapes = append(shapes, shape{"qwen05-3layers", q})
	for _, sh := range shapes {
		master, err := synth(sh.cfg, sh.name, pureTypes(gguf.TypeF32), nil, 11, nil)
		if err != nil {
			t.Fatal(err)
		}
		mpath := filepath.Join(dir, sh.name+"-master.gguf")
		if err := master.WriteFile(mpath); err != nil {
			t.Fatal(err)
		}
		for _, name := range FTypes() {
			f, _ := FTypeByName(name)
			out := filepath.Join(dir, sh.name+"-"+name+".gguf")
			runQuantize(t, bin, mpath, out, name)
			ref, err := gguf.Open(out)
			if err != nil {
				t.Fatal(err)
			}
			types := synthTypes{f.ID, f.Base, func(ts TensorSpec) (gguf.Type, error) { return TensorType(f, ts) }}
			w, err := synth(sh.cfg, sh.name, types, nil, 11, nil)
			if err != nil {
				t.Fatalf("%s %s: %v", sh.name, name, err)
			}
			b, err := w.Bytes()
			if err != nil {
				t.Fatal(err)
			}
			mine, err := gguf.Parse(b)
			if err != nil {
				t.Fatal(err)
			}
			bad := 0
			for i := range ref.Tensors {
				rt := &ref.Tensors[i]
				mt, ok := mine.Tensor(rt.Name)
				switch {
				case !ok:
					t.Errorf("%s %s: weft has no %s", sh.name, name, rt.Name)
				case mt.Type != rt.Type:
					t.Errorf("%s %s: %s is %v, llama-quantize's %v", sh.name, name, rt.Name, mt.Type, rt.Type)
				case !bytes.Equal(mine.TensorData(mt), ref.TensorData(rt)):
					bad++
					if bad <= 3 {
						t.Errorf("%s %s: %s (%v) bytes differ from llama-quantize's (%s)", sh.name, name, rt.Name, rt.Type, firstDiff(mine.TensorData(mt), ref.TensorData(rt)))
					}
				}
			}
			if fv, _ := ref.Uint("general.file_type"); uint32(fv) != f.ID {
				t.Errorf("%s %s: llama-quantize wrote file_type %d, weft %d", sh.name, name, fv, f.ID)
			}
			ref.Close()
			os.Remove(out)
			if bad == 0 && !t.Failed() {
				t.Logf("%s %s: %d tensors byte-identical", sh.name, name, len(ref.Tensors))
			}
		}
	}
}

func firstDiff(a, b []byte) string {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return "first at byte " + itoa(i) + " of " + itoa(len(a))
		}
	}
	return "lengths " + itoa(len(a)) + " and " + itoa(len(b))
}

func itoa(i int) string { return strconv.Itoa(i) }

func atoiPrefix(s string) int {
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			break
		}
		n = n*10 + int(c-'0')
	}
	return n
}

func slicesClone(a []int) []int { return append([]int(nil), a...) }
