package complete

import (
	"slices"
	"strings"
	"testing"

	"github.com/weft-dev/weft/model"
)

func TestDocTokens(t *testing.T) {
	v := qwenLikeVocab()
	text := []byte("ab\ncd|ef\ngh")
	off := strings.IndexByte(string(text), '|')
	text = append(text[:off:off], text[off+1:]...)
	got := docTokens(v, text, off)
	want := append(append(append([]int32{model.CacheFileStart}, v.Encode("ab\ncd", false, false)...), -1), v.Encode("ef\ngh", false, false)...)
	if !slices.Equal(got, want) {
		t.Errorf("docTokens = %v, want %v", got, want)
	}
	// A long document is cut at line starts around the cursor.
	line := strings.Repeat("x", 99) + "\n"
	big := []byte(strings.Repeat(line, 2000))
	off = len(big) / 2
	got = docTokens(v, big, off)
	sep := slices.Index(got, -1)
	before, after := v.Decode(got[:sep]), v.Decode(got[sep+1:])
	if len(before) > docCacheBefore || len(after) > docCacheAfter || !strings.HasSuffix(string(big[:off]), before) ||
		!strings.HasPrefix(string(big[off:]), after) || !strings.HasPrefix(before, "x") || !strings.HasSuffix(after, "\n") {
		t.Errorf("cut: %d bytes before (%q...), %d after (...%q)", len(before), before[:min(5, len(before))], len(after), after[max(0, len(after)-5):])
	}
}
