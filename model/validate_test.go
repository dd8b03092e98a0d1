package model

import (
	"context"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/weft-dev/weft/model/gguf"
)

func TestValidate(t *testing.T) {
	b := tinyBytes(t, "llama", gguf.TypeF32)
	f, err := gguf.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	good, err := hparams(f, "llama")
	if err != nil {
		t.Fatal(err)
	}
	if err := validate(f, good); err != nil {
		t.Fatalf("a good model: %v", err)
	}
	nan := float32(math.NaN())
	tests := []struct {
		name string
		edit func(*Info)
		want string
	}{
		{"eps NaN", func(in *Info) { in.RMSEps = nan }, "epsilon"},
		{"eps -1", func(in *Info) { in.RMSEps = -1 }, "epsilon"},
		{"eps Inf", func(in *Info) { in.RMSEps = float32(math.Inf(1)) }, "epsilon"},
		{"rope base 0", func(in *Info) { in.RopeBase = 0 }, "freq_base"},
		{"rope base NaN", func(in *Info) { in.RopeBase = nan }, "freq_base"},
		{"heads 0", func(in *Info) { in.NHead = 0 }, "head counts"},
		{"kv heads not dividing", func(in *Info) { in.NHeadKV = in.NHead + 1 }, "head counts"},
		{"rotary beyond head", func(in *Info) { in.NRot = in.HeadDim + 2 }, "rotary"},
	}
	for _, tc := range tests {
		in := good
		tc.edit(&in)
		err := validate(f, in)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: err %v, want one line mentioning %q", tc.name, err, tc.want)
		}
	}
	// A tensor offset moved onto another tensor's data.
	g := *f
	g.Tensors = append([]gguf.TensorInfo(nil), f.Tensors...)
	g.Tensors[len(g.Tensors)-1].Offset = g.Tensors[0].Offset
	if err := validate(&g, good); err == nil || !strings.Contains(err.Error(), "overlaps") {
		t.Errorf("overlapping tensors: err %v", err)
	}
}

// TestGenerateNaNLogits: a model whose output matrix has infinite Q8_0 block
// scales gives NaN logits; generation returns an error naming them instead of
// panicking or returning garbage, greedy or sampled.
func TestGenerateNaNLogits(t *testing.T) {
	b := append([]byte(nil), tinyBytes(t, "llama", gguf.TypeQ8_0)...)
	f, err := gguf.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	var out *gguf.TensorInfo
	for i := range f.Tensors {
		if f.Tensors[i].Name == "output.weight" {
			out = &f.Tensors[i]
		}
	}
	if out == nil || out.Type != gguf.TypeQ8_0 {
		t.Fatal("no Q8_0 output.weight in the tiny model")
	}
	start := f.DataOffset + out.Offset
	for i := int64(0); i < out.Size; i += 34 { // Q8_0 block: f16 scale, 32 int8
		binary.LittleEndian.PutUint16(b[start+i:], 0x7c00) // +Inf
	}
	m, err := FromBytes(b, Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	for _, temp := range []float32{0, 0.8} {
		s := m.NewSession(64)
		_, err := s.Generate(context.Background(), seq(8, 1), GenerateOptions{MaxTokens: 4, Sampler: SamplerOptions{Temperature: temp}}, nil)
		if err == nil || !strings.Contains(err.Error(), "NaN") {
			t.Errorf("temperature %g: err %v, want one naming NaN logits", temp, err)
		}
	}
}

func TestCheckLogitsAndSampleNoPanic(t *testing.T) {
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	tests := []struct {
		logits []float32
		want   string
	}{
		{[]float32{1, 2, 3}, ""},
		{[]float32{1, nan, 3}, "NaN"},
		{[]float32{nan, nan}, "NaN"},
		{[]float32{1, inf}, "+Inf"},
		{[]float32{-inf, -inf}, "-Inf"},
		{[]float32{-inf, 0}, ""},
	}
	for _, tc := range tests {
		err := CheckLogits(tc.logits)
		if (err == nil) != (tc.want == "") || err != nil && !strings.Contains(err.Error(), tc.want) {
			t.Errorf("CheckLogits(%v) = %v, want %q", tc.logits, err, tc.want)
		}
		// The sampler itself never panics on them.
		for _, temp := range []float32{0, 1} {
			NewSampler(SamplerOptions{Temperature: temp, TopK: 2, TopP: 0.9}, len(tc.logits)).Sample(tc.logits, nil)
		}
	}
}

// TestOpenRefusesFIFO: a FIFO as the model path is refused at once rather than
// blocking in open.
func TestOpenRefusesFIFO(t *testing.T) {
	p := filepath.Join(t.TempDir(), "model.gguf")
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := Open(p, Options{})
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("Open(FIFO) = %v, want 'not a regular file'", err)
		}
	case <-time.After(30 * time.Second):
		// Unblock the open so the goroutine ends, then fail.
		if w, err := os.OpenFile(p, os.O_WRONLY, 0); err == nil {
			w.Close()
		}
		t.Fatal("Open(FIFO) blocked")
	}
	if _, err := Open(filepath.Dir(p), Options{}); err == nil || errors.Is(err, syscall.EISDIR) {
		t.Errorf("Open(directory) = %v, want 'not a regular file'", err)
	}
}
