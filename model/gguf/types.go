package gguf

import "fmt"

// Type is a GGML tensor element type, numbered as in ggml.h (enum ggml_type).
// The numbers are part of the file format and must never change.
type Type uint32

// The tensor types weft knows by name. Only some of them have kernels; the rest
// are listed so that `weft model info` can name what a file holds and so that
// size validation works for every block layout.
const (
	TypeF32  Type = 0
	TypeF16  Type = 1
	TypeQ4_0 Type = 2
	TypeQ4_1 Type = 3
	TypeQ5_0 Type = 6
	TypeQ5_1 Type = 7
	TypeQ8_0 Type = 8
	TypeQ8_1 Type = 9
	TypeQ2_K Type = 10
	TypeQ3_K Type = 11
	TypeQ4_K Type = 12
	TypeQ5_K Type = 13
	TypeQ6_K Type = 14
	TypeQ8_K Type = 15

	TypeIQ2_XXS Type = 16
	TypeIQ2_XS  Type = 17
	TypeIQ3_XXS Type = 18
	TypeIQ1_S   Type = 19
	TypeIQ4_NL  Type = 20
	TypeIQ3_S   Type = 21
	TypeIQ2_S   Type = 22
	TypeIQ4_XS  Type = 23

	TypeI8    Type = 24
	TypeI16   Type = 25
	TypeI32   Type = 26
	TypeI64   Type = 27
	TypeF64   Type = 28
	TypeIQ1_M Type = 29
	TypeBF16  Type = 30
	TypeTQ1_0 Type = 34
	TypeTQ2_0 Type = 35
)

// typeTraits holds the block layout of a type: BlockElems elements are stored
// in BlockBytes bytes (ggml's blck_size and type_size).
type typeTraits struct {
	name       string
	blockElems int
	blockBytes int
}

var traits = map[Type]typeTraits{
	TypeF32:  {"F32", 1, 4},
	TypeF16:  {"F16", 1, 2},
	TypeQ4_0: {"Q4_0", 32, 2 + 16},
	TypeQ4_1: {"Q4_1", 32, 2 + 2 + 16},
	TypeQ5_0: {"Q5_0", 32, 2 + 4 + 16},
	TypeQ5_1: {"Q5_1", 32, 2 + 2 + 4 + 16},
	TypeQ8_0: {"Q8_0", 32, 2 + 32},
	TypeQ8_1: {"Q8_1", 32, 4 + 4 + 32},
	TypeQ2_K: {"Q2_K", 256, 256/16 + 256/4 + 2 + 2},
	TypeQ3_K: {"Q3_K", 256, 256/8 + 256/4 + 12 + 2},
	TypeQ4_K: {"Q4_K", 256, 2 + 2 + 12 + 256/2},
	TypeQ5_K: {"Q5_K", 256, 2 + 2 + 12 + 256/8 + 256/2},
	TypeQ6_K: {"Q6_K", 256, 256/2 + 256/4 + 256/16 + 2},
	TypeQ8_K: {"Q8_K", 256, 4 + 256 + 256/16*2},

	// The i-quants and ternary types (block layouts as ggml-common.h at
	// llama.cpp c392e50).
	TypeIQ2_XXS: {"IQ2_XXS", 256, 2 + 256/8*2},
	TypeIQ2_XS:  {"IQ2_XS", 256, 2 + 256/8*2 + 256/32},
	TypeIQ3_XXS: {"IQ3_XXS", 256, 2 + 3*(256/8)},
	TypeIQ1_S:   {"IQ1_S", 256, 2 + 256/8 + 256/16},
	TypeIQ4_NL:  {"IQ4_NL", 32, 2 + 16},
	TypeIQ3_S:   {"IQ3_S", 256, 2 + 13*(256/32) + 256/64},
	TypeIQ2_S:   {"IQ2_S", 256, 2 + 256/4 + 256/16},
	TypeIQ4_XS:  {"IQ4_XS", 256, 2 + 2 + 256/64 + 256/2},
	TypeIQ1_M:   {"IQ1_M", 256, 256/8 + 256/16 + 256/32},
	TypeTQ1_0:   {"TQ1_0", 256, 2 + 256/64 + (256-4*256/64)/5},
	TypeTQ2_0:   {"TQ2_0", 256, 2 + 256/4},
	TypeI8:      {"I8", 1, 1},
	TypeI16:     {"I16", 1, 2},
	TypeI32:     {"I32", 1, 4},
	TypeI64:     {"I64", 1, 8},
	TypeF64:     {"F64", 1, 8},
	TypeBF16:    {"BF16", 1, 2},
}

// retired are type numbers that ggml once wrote and no longer reads from
// files (ggml.h at llama.cpp c392e50): Q4_2/Q4_3, and the ARM-interleaved
// repackings that llama.cpp now makes at load time instead.
var retired = map[uint32]string{
	4: "Q4_2", 5: "Q4_3", 31: "Q4_0_4_4", 32: "Q4_0_4_8", 33: "Q4_0_8_8",
	36: "IQ4_NL_4_4", 37: "IQ4_NL_4_8", 38: "IQ4_NL_8_8",
}

// unknownType is the one-line reason a tensor type number is not read.
func unknownType(typ uint32) string {
	if name, ok := retired[typ]; ok {
		return fmt.Sprintf("tensor type %d (%s) is a layout llama.cpp no longer stores in files; re-quantize the model from its F16/F32 original with a current llama-quantize", typ, name)
	}
	return fmt.Sprintf("unknown tensor type %d (ggml types are numbered 0-35)", typ)
}

// String returns ggml's name for the type, e.g. "Q4_K".
func (t Type) String() string {
	if tr, ok := traits[t]; ok {
		return tr.name
	}
	return fmt.Sprintf("type(%d)", uint32(t))
}

// Known reports whether weft knows the block layout of t.
func (t Type) Known() bool { _, ok := traits[t]; return ok }

// BlockElems is the number of elements in one block (1 for plain types).
func (t Type) BlockElems() int { return traits[t].blockElems }

// BlockBytes is the size in bytes of one block.
func (t Type) BlockBytes() int { return traits[t].blockBytes }

// RowBytes returns the bytes needed for n elements of type t, or an error when
// n is not a whole number of blocks.
func (t Type) RowBytes(n int) (int, error) {
	tr, ok := traits[t]
	if !ok {
		return 0, fmt.Errorf("%s", unknownType(uint32(t)))
	}
	if n%tr.blockElems != 0 {
		return 0, fmt.Errorf("%d elements are not a whole number of %s blocks (%d elements each)", n, tr.name, tr.blockElems)
	}
	return n / tr.blockElems * tr.blockBytes, nil
}

// TypeByName returns the type with ggml's name (case-insensitive match on the
// canonical spelling, e.g. "q8_0").
func TypeByName(name string) (Type, bool) {
	for t, tr := range traits {
		if equalFold(tr.name, name) {
			return t, true
		}
	}
	return 0, false
}

func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		ca, cb := a[i], b[i]
		if 'a' <= ca && ca <= 'z' {
			ca -= 'a' - 'A'
		}
		if 'a' <= cb && cb <= 'z' {
			cb -= 'a' - 'A'
		}
		if ca != cb {
			return false
		}
	}
	return true
}
