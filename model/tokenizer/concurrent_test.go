package tokenizer

import (
	"sync"
	"testing"
)

// Encode and Decode from many goroutines at once (run with -race).
func TestConcurrentUse(t *testing.T) {
	tk := loadVocab(t, requireVocab(t, "qwen2"))
	src := benchSource()[:4000]
	want := tk.Encode(src, true, true)
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				got := tk.Encode(src, true, true)
				if idsString(got) != idsString(want) {
					t.Error("concurrent Encode differs")
					return
				}
				if tk.Decode(got) != src {
					t.Error("concurrent Decode differs")
					return
				}
			}
		}()
	}
	wg.Wait()
}
