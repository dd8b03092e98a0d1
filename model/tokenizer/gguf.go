package tokenizer

import (
	"errors"
	"fmt"

	"github.com/weft-dev/weft/model/gguf"
)

// FromGGUF builds the tokenizer described by a GGUF file's tokenizer.* keys.
func FromGGUF(f *gguf.File) (*Tokenizer, error) {
	v, err := VocabFromGGUF(f)
	if err != nil {
		return nil, err
	}
	return New(v)
}

// VocabFromGGUF reads the tokenizer metadata of f.
func VocabFromGGUF(f *gguf.File) (Vocab, error) {
	var v Vocab
	var ok bool
	if v.Model, ok = f.String("tokenizer.ggml.model"); !ok {
		return v, errors.New("tokenizer: GGUF has no tokenizer.ggml.model")
	}
	v.Pre, _ = f.String("tokenizer.ggml.pre")
	if v.Tokens, ok = f.Strings("tokenizer.ggml.tokens"); !ok {
		return v, errors.New("tokenizer: GGUF has no tokenizer.ggml.tokens string array")
	}
	if f.Has("tokenizer.ggml.token_type") {
		if v.Types, ok = f.Int32s("tokenizer.ggml.token_type"); !ok {
			return v, errors.New("tokenizer: tokenizer.ggml.token_type is not an integer array")
		}
	}
	if f.Has("tokenizer.ggml.scores") {
		if v.Scores, ok = f.Float32s("tokenizer.ggml.scores"); !ok {
			ints, ok := f.Int32s("tokenizer.ggml.scores")
			if !ok {
				return v, errors.New("tokenizer: tokenizer.ggml.scores is not a number array")
			}
			v.Scores = make([]float32, len(ints))
			for i, x := range ints {
				v.Scores[i] = float32(x)
			}
		}
	}
	if f.Has("tokenizer.ggml.merges") {
		if v.Merges, ok = f.Strings("tokenizer.ggml.merges"); !ok {
			return v, errors.New("tokenizer: tokenizer.ggml.merges is not a string array")
		}
	}
	v.Name, _ = f.String("general.name")
	v.IDs = make(map[string]uint64)
	for _, key := range specialKeys {
		if !f.Has(key) {
			continue
		}
		id, ok := f.Uint(key)
		if !ok {
			return v, fmt.Errorf("tokenizer: %s is not a non-negative integer", key)
		}
		v.IDs[key] = id
	}
	boolKey := func(key string) (*bool, error) {
		if !f.Has(key) {
			return nil, nil
		}
		b, ok := f.Bool(key)
		if !ok {
			return nil, fmt.Errorf("tokenizer: %s is not a bool", key)
		}
		return &b, nil
	}
	var err error
	if v.AddBOS, err = boolKey("tokenizer.ggml.add_bos_token"); err != nil {
		return v, err
	}
	if v.AddEOS, err = boolKey("tokenizer.ggml.add_eos_token"); err != nil {
		return v, err
	}
	if v.AddSpacePrefix, err = boolKey("tokenizer.ggml.add_space_prefix"); err != nil {
		return v, err
	}
	return v, nil
}
