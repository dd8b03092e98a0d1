package rules

import (
	"context"
	"os"
	"testing"

	"github.com/weft-dev/weft/grammars"
)

// TestTranslateFile is a manual aid: RULES_FILE=f.py RULES_TO=go go test -run TestTranslateFile -v
func TestTranslateFile(t *testing.T) {
	f := os.Getenv("RULES_FILE")
	if f == "" {
		t.Skip("RULES_FILE not set")
	}
	b, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	from, _ := grammars.Lookup(f)
	to, _ := grammars.Lookup(os.Getenv("RULES_TO"))
	out, err := Translate(context.Background(), from, to, string(b))
	if err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + out)
}
