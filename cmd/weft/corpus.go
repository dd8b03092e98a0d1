package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/weft-dev/weft/model/train"
)

// The training corpus is policy of the command line, not of model/train: which trees of this machine
// are read, and which must never be.

// corpusSources returns the trees named on the command line (licence "user-supplied"), or, when there
// are none, the permissively licensed trees of this machine: the Go standard library, the Python
// standard library (without site-packages) and the system-wide npm packages.
func corpusSources(ctx context.Context, dirs []string) []train.Source {
	var s []train.Source
	for _, d := range dirs {
		s = append(s, train.Source{Name: filepath.Base(filepath.Clean(d)), Dir: d, License: "user-supplied"})
	}
	if len(s) > 0 {
		return s
	}
	if root := commandLine(ctx, "go", "env", "GOROOT"); root != "" {
		s = append(s, train.Source{Name: "go", Dir: filepath.Join(root, "src"), License: "BSD-3-Clause (The Go Authors)"})
	}
	if dir := commandLine(ctx, "python3", "-c", `import sysconfig;print(sysconfig.get_paths()["stdlib"])`); dir != "" {
		s = append(s, train.Source{Name: "python", Dir: dir, License: "PSF-2.0 (Python Software Foundation)",
			Exclude: []string{"site-packages", "dist-packages"}})
	}
	for _, d := range []string{"/usr/lib/node_modules", "/usr/share/nodejs"} {
		if st, err := os.Stat(d); err == nil && st.IsDir() {
			s = append(s, train.Source{Name: "npm" + strings.ReplaceAll(d, "/", "_"), Dir: d})
		}
	}
	return s
}

// corpusForbidden returns the trees a corpus must never read: the evaluation sets (beside the checkout,
// or under $WEFT_SHARED) and the Go module cache, whose modules the FIM evaluation cuts holes from.
func corpusForbidden(ctx context.Context) []string {
	f := []string{filepath.Dir(defaultEvalDir("x"))}
	if d := os.Getenv("WEFT_SHARED"); d != "" {
		f = append(f, filepath.Join(d, "eval"))
	}
	if d := commandLine(ctx, "go", "env", "GOMODCACHE"); d != "" {
		f = append(f, d)
	}
	if p := os.Getenv("GOPATH"); p != "" {
		for _, d := range filepath.SplitList(p) {
			f = append(f, filepath.Join(d, "pkg", "mod"))
		}
	}
	return f
}

// commandLine runs a command and returns its output's first line, or "" when it fails.
func commandLine(ctx context.Context, name string, args ...string) string {
	out, err := exec.CommandContext(ctx, name, args...).Output()
	if err != nil {
		return ""
	}
	line, _, _ := strings.Cut(string(out), "\n")
	return strings.TrimSpace(line)
}
