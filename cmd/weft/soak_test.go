package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/weft-dev/weft/lsp/lsptest"
)

// rssKiB is a process's resident set size (VmRSS) in KiB.
func rssKiB(t *testing.T, pid int) int {
	t.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			return n
		}
	}
	t.Fatal("no VmRSS")
	return 0
}

// TestServeSoak is the memory soak: `weft serve` is typed at for WEFT_SOAK keystrokes (a line of
// strings.go typed character by character, each keystroke a didChange and a completion, then the
// line deleted, so the document keeps its size), and its RSS at the end must be within 5% of its RSS
// after the first 1,000. Skipped unless WEFT_SOAK is set (20000 takes minutes); WEFT_SOAK_MODEL picks
// the model (default: the tiny synthesized one; "default" is the embedded model).
func TestServeSoak(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("WEFT_SOAK"))
	if n <= 0 {
		t.Skip("set WEFT_SOAK=20000 to run the memory soak")
	}
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("no /proc: cannot read the server's RSS")
	}
	m := os.Getenv("WEFT_SOAK_MODEL")
	if m == "" {
		m = tiny(t)
	}
	src, err := os.ReadFile(filepath.Join(runtime.GOROOT(), "src", "strings", "strings.go"))
	if err != nil {
		t.Skipf("no Go source to type: %v", err)
	}
	var lines []string
	for l := range strings.SplitSeq(string(src), "\n") {
		if strings.TrimSpace(l) != "" && utf8.ValidString(l) && !strings.ContainsAny(l, "\t\r") || strings.HasPrefix(l, "\t") {
			lines = append(lines, l)
		}
	}
	p := lsptest.StartProcess(t, exec.Command(weft(t), "serve", "--model", m))
	handshake(t, p, `{"maxTokens": 8, "samples": 0, "latencyMs": 0, "multiline": "never"}`)
	const u = "file:///tmp/weft-soak/a.go"
	head := "package soak\n\nfunc f() {\n"
	p.Open(u, "go", head+"}\n")
	row := uint32(strings.Count(head, "\n"))
	version := int32(1)
	var rss1k, peak int
	k := 0
	for li := 0; k < n; li = (li + 1) % len(lines) {
		line := lines[li]
		col := uint32(0)
		for _, r := range line {
			if k == n {
				break
			}
			version++
			p.Change(u, version, lsptest.Partial(lsptest.Range(row, col, row, col), string(r)))
			col += uint32(utf8.RuneLen(r))
			if r > 0xffff {
				col++ // UTF-16
			}
			if _, err := p.Completion(u, lsptest.Pos(row, col)); err != nil {
				t.Fatalf("keystroke %d: %v", k, err)
			}
			k++
			if k == 1000 {
				rss1k = rssKiB(t, p.Pid())
			}
			if k%2000 == 0 {
				r := rssKiB(t, p.Pid())
				peak = max(peak, r)
				t.Logf("keystroke %d: RSS %.1f MiB", k, float64(r)/1024)
			}
		}
		// Delete the typed line: the document keeps its size.
		version++
		p.Change(u, version, lsptest.Partial(lsptest.Range(row, 0, row, col), ""))
	}
	end := rssKiB(t, p.Pid())
	t.Logf("RSS after 1,000 keystrokes %.1f MiB, after %d %.1f MiB (%+.1f%%), peak %.1f MiB", float64(rss1k)/1024, n,
		float64(end)/1024, 100*float64(end-rss1k)/float64(rss1k), float64(peak)/1024)
	if n > 1000 && float64(end) > 1.05*float64(rss1k) {
		t.Errorf("RSS grew from %d KiB after 1,000 keystrokes to %d KiB after %d: more than 5%%", rss1k, end, n)
	}
	shutdown(t, p)
}
