package grammars

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// freshSexp parses text from scratch and returns its dump (see dump) and error count.
func freshSexp(t *testing.T, l *Language, text []byte) (string, int) {
	t.Helper()
	d, err := NewDocument(l, text)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	return dump(d), d.ErrorCount()
}

// dump is the root S-expression followed by every node's byte range and row/column points: the
// S-expression alone would not notice wrong points in an InputEdit.
func dump(d *Document) string {
	var b strings.Builder
	b.WriteString(d.Root().ToSexp())
	c := d.Root().Walk()
	defer c.Close()
	for {
		n := c.Node()
		sp, ep := n.StartPosition(), n.EndPosition()
		b.WriteString("\n")
		b.WriteString(n.Kind())
		for _, v := range [...]uint{n.StartByte(), n.EndByte(), sp.Row, sp.Column, ep.Row, ep.Column} {
			b.WriteByte(' ')
			b.WriteString(strconv.FormatUint(uint64(v), 10))
		}
		if c.GotoFirstChild() {
			continue
		}
		for !c.GotoNextSibling() {
			if !c.GotoParent() {
				return b.String()
			}
		}
	}
}

// randomEdit picks an edit of the kinds an editor produces: typing a character, deleting a range,
// pasting a piece of the file elsewhere, replacing a word. Inserted text may contain multi-byte UTF-8
// and line breaks so that row/column points are exercised.
func randomEdit(r *rand.Rand, text []byte) (start, end int, ins []byte) {
	n := len(text)
	start = r.IntN(n + 1)
	switch r.IntN(5) {
	case 0: // type one character
		const chars = "abcxyz_ (){}[];:,.\n\t\"'#/*"
		return start, start, []byte{chars[r.IntN(len(chars))]}
	case 1: // delete up to 20 bytes
		return start, min(n, start+r.IntN(20)), nil
	case 2: // paste a slice of the document
		a := r.IntN(n + 1)
		b := min(n, a+r.IntN(60))
		return start, start, bytes.Clone(text[a:b])
	case 3: // replace a range by a word with non-ASCII letters
		return start, min(n, start+r.IntN(8)), []byte([]string{"héllo", "日本", "x\ny", "ß", "🙂", "\n\n"}[r.IntN(6)])
	default: // replace a range by a line break and indentation
		return start, min(n, start+r.IntN(4)), []byte("\n    ")
	}
}

// TestIncrementalEqualsFresh applies random edits and checks after every one that the incrementally
// maintained tree matches a fresh parse of the same text (tree-sitter's own guarantee; a wrong InputEdit
// point or byte breaks it). Every few edits the text is restored, so the trees return to valid code.
func TestIncrementalEqualsFresh(t *testing.T) {
	edits := 60
	if testing.Short() {
		edits = 40
	}
	for _, tc := range langCases {
		t.Run(tc.lang, func(t *testing.T) {
			l := mustLang(t, tc.lang)
			orig := sample(t, tc.ext)
			d, err := NewDocument(l, orig)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			r := rand.New(rand.NewPCG(1, uint64(len(tc.lang))))
			mismatches := 0
			for i := range edits {
				if i%20 == 19 {
					if err := d.Edit(0, len(d.Text()), orig); err != nil {
						t.Fatal(err)
					}
				} else {
					start, end, ins := randomEdit(r, d.Text())
					want := string(d.Text()[:start]) + string(ins) + string(d.Text()[end:])
					if err := d.Edit(start, end, ins); err != nil {
						t.Fatal(err)
					}
					if string(d.Text()) != want {
						t.Fatalf("edit %d: text is %q, want %q", i, d.Text(), want)
					}
				}
				got := dump(d)
				want, errs := freshSexp(t, l, d.Text())
				if got != want {
					// Error recovery may legitimately pick another recovery for broken text when it
					// reuses old subtrees; valid text must always give the same tree.
					if errs == 0 {
						t.Fatalf("edit %d: incremental tree differs from a fresh parse of valid text\ntext: %q\n got %s\nwant %s", i, d.Text(), got, want)
					}
					mismatches++
				}
				if got, want := d.Root().EndByte(), uint(len(d.Text())); got != want && d.ErrorCount() == 0 {
					t.Fatalf("edit %d: root ends at %d, text has %d bytes", i, got, want)
				}
			}
			if mismatches > edits/4 {
				t.Errorf("%d of %d edits gave a tree unlike a fresh parse (broken text)", mismatches, edits)
			}
			t.Logf("%d edits, %d differed from fresh parse on broken text", edits, mismatches)
		})
	}
}

// TestEditValidEquality is the strict form: edits that keep the program valid (renaming identifiers,
// inserting and removing whole statements) must give exactly the fresh-parse tree.
func TestEditValidEquality(t *testing.T) {
	l := mustLang(t, "go")
	src := []byte("package p\n\nfunc f(a int) int {\n\tb := a + 1\n\treturn b\n}\n")
	d, err := NewDocument(l, src)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	r := rand.New(rand.NewPCG(7, 7))
	for i := range 300 {
		text := d.Text()
		switch r.IntN(3) {
		case 0: // rename a: pick an occurrence of "a" as a whole word
			idx := bytes.Index(text, []byte("(a int)"))
			if idx >= 0 {
				err = d.Edit(idx+1, idx+2, []byte("aé"))
			}
		case 1: // insert a statement after the opening brace
			idx := bytes.Index(text, []byte("{\n"))
			err = d.Edit(idx+2, idx+2, []byte("\tx"+strconv.Itoa(i)+" := \"日本\"\n\t_ = x"+strconv.Itoa(i)+"\n"))
		default: // remove the first inserted statement pair, if any
			idx := bytes.Index(text, []byte("\tx"))
			if idx >= 0 {
				end := idx
				for k := 0; k < 2; k++ {
					end += bytes.IndexByte(text[end:], '\n') + 1
				}
				err = d.Edit(idx, end, nil)
			}
		}
		if err != nil {
			t.Fatal(err)
		}
		// Renames leave "aé" in the parameter but not in uses; keep the program valid by syncing.
		if bytes.Contains(d.Text(), []byte("(aé")) {
			fixed := bytes.ReplaceAll(d.Text(), []byte("(aé"), []byte("(a"))
			idx := bytes.Index(d.Text(), []byte("(aé"))
			if err := d.Edit(idx+1, idx+1+len("aé"), []byte("a")); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(d.Text(), fixed) {
				t.Fatalf("text %q, want %q", d.Text(), fixed)
			}
		}
		want, errs := freshSexp(t, l, d.Text())
		if errs != 0 {
			t.Fatalf("edit %d made invalid Go: %q", i, d.Text())
		}
		if got := dump(d); got != want {
			t.Fatalf("edit %d: incremental %s\nfresh %s", i, got, want)
		}
	}
}

func TestSetText(t *testing.T) {
	l := mustLang(t, "rust")
	d, err := NewDocument(l, []byte("fn a() {}\n"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	buf := []byte("fn b() { c(); }\n")
	if err := d.SetText(buf); err != nil {
		t.Fatal(err)
	}
	buf[3] = 'x' // the document keeps its own copy
	fs := Functions(d)
	if len(fs) != 1 || fs[0].Name != "b" || !slices.Equal(fs[0].Calls, []string{"c"}) {
		t.Errorf("after SetText: %+v", fs)
	}
	want, _ := freshSexp(t, l, d.Text())
	if got := dump(d); got != want {
		t.Errorf("SetText tree differs from a fresh parse")
	}
}

func TestEditPoints(t *testing.T) {
	src := []byte("a\nbé\ncd")
	for _, tc := range []struct {
		off       int
		row, col  uint
		ins       string
		nrow, ncl uint
	}{
		{0, 0, 0, "", 0, 0},
		{2, 1, 0, "x", 1, 1},
		{5, 1, 3, "\n", 2, 0},    // after "bé": é is two bytes, columns count bytes
		{8, 2, 2, "ab\nc", 3, 1}, // end of text
	} {
		p := pointAt(src, tc.off)
		if p.Row != tc.row || p.Column != tc.col {
			t.Errorf("pointAt(%d) = %v, want %d:%d", tc.off, p, tc.row, tc.col)
		}
		q := advance(p, []byte(tc.ins))
		if q.Row != tc.nrow || q.Column != tc.ncl {
			t.Errorf("advance(%v, %q) = %v, want %d:%d", p, tc.ins, q, tc.nrow, tc.ncl)
		}
	}
}

func TestEditErrors(t *testing.T) {
	d, err := NewDocument(mustLang(t, "python"), []byte("x = 1\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range [][2]int{{-1, 0}, {3, 2}, {0, 7}, {7, 7}} {
		if err := d.Edit(e[0], e[1], []byte("y")); err == nil {
			t.Errorf("Edit(%d, %d) accepted a range outside the text", e[0], e[1])
		}
	}
	if string(d.Text()) != "x = 1\n" {
		t.Errorf("failed edits changed the text to %q", d.Text())
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	big := bytes.Repeat([]byte("x = [1, 2, 3]\n"), 20000)
	if err := d.EditContext(ctx, 0, len(d.Text()), big); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled edit: err = %v, want context.Canceled", err)
	}
	if string(d.Text()) != "x = 1\n" || d.Root().ToSexp() == "" {
		t.Errorf("cancelled edit changed the document: %q", d.Text())
	}
	if err := d.Edit(4, 5, []byte("2")); err != nil || string(d.Text()) != "x = 2\n" {
		t.Errorf("edit after a cancelled one: %v %q", err, d.Text())
	}
	d.Close()
	d.Close() // twice is fine
	if err := d.Edit(0, 0, nil); err == nil {
		t.Error("Edit after Close succeeded")
	}
	if _, err := NewDocument(nil, nil); err == nil {
		t.Error("NewDocument(nil language) succeeded")
	}
}

// TestSnapshotConcurrent edits a document on one goroutine while readers query snapshots on others
// (the LSP pattern: parse on didChange, read on completion). Run with -race.
func TestSnapshotConcurrent(t *testing.T) {
	l := mustLang(t, "go")
	d, err := NewDocument(l, sample(t, ".go"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var wg sync.WaitGroup
	snaps := make(chan *Document, 8)
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for s := range snaps {
				before := string(s.Text())
				if len(Definitions(s)) == 0 || len(Imports(s)) != 2 {
					t.Errorf("snapshot lost its definitions or imports")
				}
				_ = NodeAt(s, len(s.Text())/2)
				if string(s.Text()) != before {
					t.Errorf("snapshot text changed under the reader")
				}
				s.Close()
			}
		}()
	}
	for i := range 200 {
		snaps <- d.Snapshot()
		off := bytes.Index(d.Text(), []byte("return float64"))
		if err := d.Edit(off, off, []byte("_ = "+strconv.Itoa(i)+"\n\t")); err != nil {
			t.Fatal(err)
		}
	}
	close(snaps)
	wg.Wait()
	// An edited snapshot gets its own parser and leaves the original alone.
	s := d.Snapshot()
	defer s.Close()
	if err := s.Edit(0, 0, []byte("// x\n")); err != nil {
		t.Fatal(err)
	}
	if bytes.HasPrefix(d.Text(), []byte("// x\n")) || !bytes.HasPrefix(s.Text(), []byte("// x\n")) {
		t.Error("snapshot edit leaked into the original")
	}
}

// rss returns the resident set size in bytes from /proc/self/statm (Linux), or -1.
func rss() int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return -1
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return -1
	}
	pages, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		return -1
	}
	return pages * int64(os.Getpagesize())
}

// TestMemoryFlat makes 10,000 edits (each a reparse, a query run, a snapshot) and checks that resident
// memory does not grow: tree-sitter's trees, parsers and cursors live in C memory that Go's collector
// cannot see, so a missing Close shows up only here. A leaked tree of this file is over ten kilobytes,
// so thousands of leaks add tens of megabytes; the bound allows for allocator and GC noise.
func TestMemoryFlat(t *testing.T) {
	if rss() < 0 {
		t.Skip("no /proc/self/statm on this system")
	}
	l := mustLang(t, "go")
	src := sample(t, ".go")
	d, err := NewDocument(l, src)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	off := bytes.Index(src, []byte("return float64"))
	step := func(i int) {
		// Insert then delete a statement: the text, and so the Go heap, stays the same size. Every
		// other one leaves a brace open, so the questions take their repair path (a second parse).
		ins := []byte("x := " + strconv.Itoa(i%10) + "\n\t")
		if i%2 == 1 {
			ins = []byte("if x {\n\t")
		}
		if err := d.Edit(off, off, ins); err != nil {
			t.Fatal(err)
		}
		if _, ok := EnclosingScope(d, off+len(ins)); !ok {
			t.Fatalf("edit %d: no scope in %q", i, d.Text())
		}
		if i%20 < 2 {
			s := d.Snapshot()
			_ = Functions(s)
			_, _ = EnclosingScope(s, off+len(ins))
			_ = NodeAt(s, off+len(ins))
			_, _ = s.ErrorCountAfterEdit(context.Background(), off, off, []byte("}"))
			s.Close()
		}
		if err := d.Edit(off, off+len(ins), nil); err != nil {
			t.Fatal(err)
		}
	}
	const warm, n = 500, 5000 // steps of two edits each: 10,000 edits measured
	for i := range warm {
		step(i)
	}
	runtime.GC()
	debug.FreeOSMemory()
	before := rss()
	for i := range n {
		step(i)
	}
	runtime.GC()
	debug.FreeOSMemory()
	after := rss()
	growth := after - before
	t.Logf("RSS %d KiB -> %d KiB (%+d KiB) over %d edits", before>>10, after>>10, growth>>10, 2*n)
	if growth > 16<<20 {
		t.Errorf("RSS grew by %d KiB over %d edits: C memory is leaking", growth>>10, 2*n)
	}
	if !bytes.Equal(d.Text(), src) {
		t.Error("insert/delete pairs did not restore the text")
	}
}

// largeGo is a generated Go file of about n functions, for the benchmarks.
func largeGo(n int) []byte {
	var b bytes.Buffer
	b.WriteString("package big\n\nimport \"fmt\"\n\n")
	for i := range n {
		fmt.Fprintf(&b, "// f%d does step %d.\nfunc f%d(a, b int) int {\n\tif a > b {\n\t\treturn f%d(b, a)\n\t}\n\tfmt.Println(a, b)\n\treturn a + b*%d\n}\n\n", i, i, i, max(i-1, 0), i)
	}
	return b.Bytes()
}

// BenchmarkEdit measures one keystroke in the middle of a ~1,000-function (10k-line) file: the
// incremental reparse, then the questions complete/ asks at the cursor.
func BenchmarkEdit(b *testing.B) {
	src := largeGo(1000)
	d, err := NewDocument(mustLangB(b, "go"), src)
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	off := bytes.Index(src, []byte("return a + b*500")) + len("return a")
	b.ResetTimer()
	for i := range b.N {
		if i%2 == 0 {
			err = d.Edit(off, off, []byte("x"))
		} else {
			err = d.Edit(off, off+1, nil)
		}
		if err != nil {
			b.Fatal(err)
		}
		_, _ = EnclosingScope(d, off)
		_ = NodeAt(d, off)
	}
}

// BenchmarkFileQueries measures the whole-file questions (repo map, translate/) on the same file.
func BenchmarkFileQueries(b *testing.B) {
	d, err := NewDocument(mustLangB(b, "go"), largeGo(1000))
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	b.ResetTimer()
	for range b.N {
		_ = Definitions(d)
		_ = Imports(d)
		_ = Functions(d)
	}
}

func mustLangB(b *testing.B, name string) *Language {
	l, ok := Lookup(name)
	if !ok {
		b.Fatalf("no language %s", name)
	}
	return l
}
