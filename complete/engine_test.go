package complete

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// cursorText splits a test source at its "|" marker.
func cursorText(src string) ([]byte, int) {
	i := strings.Index(src, "|")
	if i < 0 {
		panic("no cursor marker")
	}
	return []byte(src[:i] + src[i+1:]), i
}

func TestEngineEndToEndPerLanguage(t *testing.T) {
	tests := []struct {
		lang, path, src, reply, want string
		multiline                    bool
	}{
		{"go", "a.go", "package a\n\nfunc add(a, b int) int {\n\t|\n}\n", "return a + b\n}\n\nfunc other() {}\n", "return a + b", true},
		{"python", "a.py", "def add(a, b):\n    |\n", "return a + b\n\ndef other():\n    pass\n", "return a + b", true},
		{"javascript", "a.js", "function add(a, b) {\n  |\n}\n", "return a + b;\n}\n", "return a + b;", true},
		{"typescript", "a.ts", "function add(a: number, b: number): number {\n  |\n}\n", "return a + b;\n}\n", "return a + b;", true},
		{"rust", "a.rs", "fn add(a: i32, b: i32) -> i32 {\n    |\n}\n", "a + b\n}\n", "a + b", true},
		{"java", "A.java", "class A {\n  int add(int a, int b) {\n    |\n  }\n}\n", "return a + b;\n  }\n}\n", "return a + b;", true},
		{"c", "a.c", "int add(int a, int b) {\n    |\n}\n", "return a + b;\n}\n", "return a + b;", true},
		// Single line: text after the cursor.
		{"go", "b.go", "package a\n\nfunc f() {\n\tx := add(|)\n}\n", "1, 2)\n\ty := 3\n", "1, 2", false},
		{"python", "b.py", "def f():\n    x = add(|)\n", "1, 2)\n    y = 3\n", "1, 2", false},
	}
	for _, tc := range tests {
		t.Run(tc.lang+"/"+tc.path, func(t *testing.T) {
			lm := &fakeLM{v: qwenLikeVocab(), reply: func(_, _ string) string { return tc.reply }}
			e := New(lm, Config{})
			text, off := cursorText(tc.src)
			res, err := e.Complete(context.Background(), Request{URI: "file:///" + tc.path, LanguageID: tc.lang, Text: text, Offset: off})
			if err != nil {
				t.Fatal(err)
			}
			if res.Text != tc.want || res.Multiline != tc.multiline {
				t.Errorf("got %q (multiline %v), want %q (multiline %v); stats %+v", res.Text, res.Multiline, tc.want, tc.multiline, res.Stats)
			}
		})
	}
}

// TestTypedThroughCache types the suggestion character by character: every request is answered from the
// cache with the rest of the suggestion, and the model is not asked again.
func TestTypedThroughCache(t *testing.T) {
	calls := 0
	lm := &fakeLM{v: qwenLikeVocab(), reply: func(_, _ string) string { calls++; return "Println(\"hi\")\n" }}
	e := New(lm, Config{})
	text := []byte("package a\n\nimport \"fmt\"\n\nfunc f() {\n\tfmt.\n}\n")
	off := strings.Index(string(text), "fmt.\n") + 4
	ctx := context.Background()
	req := Request{URI: "file:///a.go", LanguageID: "go", Text: text, Offset: off}
	res, err := e.Complete(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if res.Text != `Println("hi")` || res.Stats.FromCache {
		t.Fatalf("first: %q %+v", res.Text, res.Stats)
	}
	sugg := `Println("hi")`
	for i := 1; i < len(sugg); i++ {
		typed := append(append(append([]byte{}, text[:off]...), sugg[:i]...), text[off:]...)
		r, err := e.Complete(ctx, Request{URI: req.URI, LanguageID: "go", Text: typed, Offset: off + i})
		if err != nil {
			t.Fatal(err)
		}
		// The result re-types the identifier being written, so the remaining text follows it.
		if !r.Stats.FromCache || !strings.HasSuffix(r.Text, sugg[i:]) || r.ReplaceEnd != off+i {
			t.Fatalf("after typing %q: %q %+v", sugg[:i], r.Text, r.Stats)
		}
		if got := string(typed[:r.ReplaceStart]) + r.Text + string(typed[r.ReplaceEnd:]); !strings.Contains(got, "fmt."+sugg+"\n") {
			t.Fatalf("applying the result gives %q", got)
		}
	}
	if calls != 1 {
		t.Errorf("model called %d times, want 1", calls)
	}
	// Typing something else misses the cache.
	other := append(append(append([]byte{}, text[:off]...), 'X'), text[off:]...)
	r, err := e.Complete(ctx, Request{URI: req.URI, LanguageID: "go", Text: other, Offset: off + 1})
	if err != nil || r.Stats.FromCache {
		t.Fatalf("diverging text answered from cache: %v %+v", err, r.Stats)
	}
}

// TestSessionReusePerKeystroke checks that typing one character in the middle of a long file keeps at
// least 90% of the prompt in the session's KV cache.
func TestSessionReusePerKeystroke(t *testing.T) {
	lm := &fakeLM{v: qwenLikeVocab(), reply: func(_, _ string) string { return "x\n" }}
	e := New(lm, Config{NCtx: 2048})
	var b strings.Builder
	b.WriteString("package a\n\nimport \"fmt\"\n\n")
	for i := 0; i < 200; i++ {
		fmt.Fprintf(&b, "func f%d(a int) int {\n\treturn a + %d\n}\n\n", i, i)
	}
	src := b.String()
	off := strings.Index(src, "func f120")
	text := []byte(src)
	ctx := context.Background()
	ins := "func g() { fmt.Println(1) }\n"
	for i := 0; i < len(ins); i++ {
		cur := append(append(append([]byte{}, text[:off]...), ins[:i]...), text[off:]...)
		r, err := e.Complete(ctx, Request{URI: "file:///a.go", LanguageID: "go", Text: cur, Offset: off + i, Options: Options{NoCache: true}})
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			continue
		}
		share := float64(r.Stats.ReusedTokens) / float64(r.Stats.PromptTokens)
		if share < 0.9 {
			t.Errorf("keystroke %d: reused %d of %d prompt tokens (%.2f)", i, r.Stats.ReusedTokens, r.Stats.PromptTokens, share)
		}
	}
	if lm.sessions != 1 {
		t.Errorf("%d sessions created for one document", lm.sessions)
	}
}

// TestNewRequestCancelsPrevious starts a slow completion, then a second one for the same document: the
// first returns context.Canceled, the second succeeds.
func TestNewRequestCancelsPrevious(t *testing.T) {
	lm := &fakeLM{v: qwenLikeVocab(), perToken: 5 * time.Millisecond,
		reply: func(_, _ string) string { return strings.Repeat("a", 200) }}
	e := New(lm, Config{})
	text, off := cursorText("package a\n\nvar x = |\n")
	ctx := context.Background()
	var wg sync.WaitGroup
	var err1 error
	wg.Add(1)
	go func() {
		defer wg.Done()
		_, err1 = e.Complete(ctx, Request{URI: "file:///a.go", LanguageID: "go", Text: text, Offset: off, Options: Options{MaxTokens: 200}})
	}()
	time.Sleep(30 * time.Millisecond)
	lm.perToken = 0
	res, err := e.Complete(ctx, Request{URI: "file:///a.go", LanguageID: "go", Text: text, Offset: off, Options: Options{MaxTokens: 10, NoCache: true}})
	wg.Wait()
	if !errors.Is(err1, context.Canceled) {
		t.Errorf("first request: err %v, want context.Canceled", err1)
	}
	if err != nil || res.Text == "" {
		t.Errorf("second request: %q, %v", res.Text, err)
	}
	// A request for another document is not cancelled by these.
}

// TestSyntaxRejection: a completion whose last lines break the parse is cut back to the longest prefix
// at a line boundary that parses as well as the file did.
func TestSyntaxRejection(t *testing.T) {
	tests := []struct{ lang, src, reply, want string }{
		{"go", "package a\n\nfunc f() {\n\t|\n}\n", "x := 1\n\ty := 2\n\tz := ((3\n", "x := 1\n\ty := 2"},
		{"python", "def f():\n    |\n", "x = 1\n    y = (2 +\n", "x = 1"},
		{"c", "int f(void) {\n    |\n}\n", "int x = 1;\n    int y = ;\n", "int x = 1;"},
		{"java", "class A {\n  void f() {\n    |\n  }\n}\n", "int x = 1;\n    int y = 2 +;\n", "int x = 1;"},
		{"rust", "fn f() {\n    |\n}\n", "let x = 1;\n    let y = [1, 2;\n", "let x = 1;"},
		{"javascript", "function f() {\n  |\n}\n", "let x = 1;\n  let y = (2;\n", "let x = 1;"},
		{"typescript", "function f(): void {\n  |\n}\n", "let x: number = 1;\n  let y: = 2;\n", "let x: number = 1;"},
	}
	for _, tc := range tests {
		t.Run(tc.lang, func(t *testing.T) {
			lm := &fakeLM{v: qwenLikeVocab(), reply: func(_, _ string) string { return tc.reply }}
			e := New(lm, Config{})
			text, off := cursorText(tc.src)
			res, err := e.Complete(context.Background(), Request{URI: "file:///x", LanguageID: tc.lang, Text: text, Offset: off, Options: Options{Multiline: MultilineAlways}})
			if err != nil {
				t.Fatal(err)
			}
			if res.Text != tc.want {
				t.Errorf("got %q, want %q (candidates %d)", res.Text, tc.want, res.Stats.Candidates)
			}
			if res.Stats.Candidates < 2 {
				t.Errorf("the full candidate was accepted (%d tried)", res.Stats.Candidates)
			}
		})
	}
}
