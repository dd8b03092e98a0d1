package model

import (
	"fmt"
	"math"
	"slices"

	"github.com/weft-dev/weft/model/gguf"
)

// validate checks the hyper-parameters and the tensor layout that the loader
// read but the forward pass trusts: a NaN or negative norm epsilon, a zero or
// infinite RoPE base, a head count that does not divide the layer, or two
// tensors whose data overlap (a mutated offset) would each give NaN or garbage
// logits rather than an error. Each failure is one line naming the key.
func validate(f *gguf.File, in Info) error {
	finite := func(v float32) bool { return !math.IsNaN(float64(v)) && !math.IsInf(float64(v), 0) }
	switch {
	case !finite(in.RMSEps) || in.RMSEps <= 0 || in.RMSEps >= 1:
		return fmt.Errorf("metadata %s norm epsilon = %g: want a finite value in (0, 1)", in.Arch, in.RMSEps)
	case !finite(in.RopeBase) || in.RopeBase <= 1:
		return fmt.Errorf("metadata %s.rope.freq_base = %g: want a finite value above 1", in.Arch, in.RopeBase)
	case in.NHead <= 0 || in.NHeadKV <= 0 || in.NHead%in.NHeadKV != 0:
		return fmt.Errorf("metadata %s head counts %d / %d (kv): want positive, the first a multiple of the second", in.Arch, in.NHead, in.NHeadKV)
	case in.HeadDim <= 0 || in.NRot <= 0 || in.NRot > in.HeadDim:
		return fmt.Errorf("metadata %s head size %d, rotary dimensions %d: want 0 < rotary <= head size", in.Arch, in.HeadDim, in.NRot)
	}
	if v, ok := f.Float(in.Arch + ".rope.scaling.factor"); ok && (math.IsNaN(v) || math.IsInf(v, 0) || v < 0) {
		return fmt.Errorf("metadata %s.rope.scaling.factor = %g: want a finite value >= 0", in.Arch, v)
	}
	// Tensor data must not overlap: the parser checked each range against
	// the file, not against each other.
	ts := slices.Clone(f.Tensors)
	slices.SortFunc(ts, func(a, b gguf.TensorInfo) int {
		switch {
		case a.Offset < b.Offset:
			return -1
		case a.Offset > b.Offset:
			return 1
		}
		return 0
	})
	for i := 1; i < len(ts); i++ {
		if p := ts[i-1]; p.Size > 0 && ts[i].Offset < p.Offset+p.Size {
			return fmt.Errorf("tensor %q (offset %d) overlaps tensor %q ([%d, %d)): corrupt offsets", ts[i].Name, ts[i].Offset, p.Name, p.Offset, p.Offset+p.Size)
		}
	}
	return nil
}
