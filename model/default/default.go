// Package defaultmodel embeds weft's own default model, trained from scratch
// in pure Go by model/train (`weft train`), so that weft works with no model
// file. CARD.md beside it records how it was trained and on what.
package defaultmodel

import (
	"embed"
	"errors"
)

// FileName is the embedded model's file name in this folder.
const FileName = "weft-default.gguf"

// files holds this folder; the pattern matches even before a model has been
// trained, so the package always builds and Bytes reports the absence.
//
//go:embed *
var files embed.FS

// Bytes returns the embedded GGUF file.
func Bytes() ([]byte, error) {
	b, err := files.ReadFile(FileName)
	if err != nil {
		return nil, errors.New("this weft binary has no embedded default model (train one with `weft train`, or pass --model FILE)")
	}
	return b, nil
}

// Card returns the model card (Markdown): size, training data and their
// licences, training run and its results. The same figures are in the GGUF's
// weft.card.* metadata.
func Card() string {
	b, err := files.ReadFile("CARD.md")
	if err != nil {
		return "no model card: this build embeds no trained default model"
	}
	return string(b)
}
