package defaultmodel

import (
	"bytes"
	"strings"
	"testing"
)

// TestEmbedded checks the embedded model is a GGUF file with its card, or,
// in a build without a trained model, that both accessors say so clearly.
func TestEmbedded(t *testing.T) {
	b, err := Bytes()
	if err != nil {
		if !strings.Contains(err.Error(), "no embedded default model") {
			t.Fatalf("unclear error: %v", err)
		}
		t.Skip("no trained model embedded in this tree")
	}
	if !bytes.HasPrefix(b, []byte("GGUF")) {
		t.Fatalf("embedded %s is not a GGUF file", FileName)
	}
	if len(b) > 25<<20 {
		t.Fatalf("embedded model is %d bytes, over the 25 MB budget", len(b))
	}
	if c := Card(); !strings.Contains(c, "bits/byte") {
		t.Fatalf("model card lacks results:\n%s", c)
	}
}
