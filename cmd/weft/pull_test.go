package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/weft-dev/weft/grammars"
	defaultmodel "github.com/weft-dev/weft/model/default"
	"github.com/weft-dev/weft/translate"
)

// runWeftEnv runs the binary with extra environment variables.
func runWeftEnv(t *testing.T, env []string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, weft(t), args...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("weft %s: %v", strings.Join(args, " "), err)
	}
	return r
}

// TestModelPull drives `weft model pull URL --sha256 HEX` against a local server that cuts the
// first transfer, then `weft model info` and `weft model list` on the result; a wrong checksum and a
// 404 fail with one line and leave nothing in the cache.
func TestModelPull(t *testing.T) {
	body, err := defaultmodel.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(body)
	good := hex.EncodeToString(s[:])
	var n atomic.Int32
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/models/weft-default.gguf" {
			http.NotFound(w, r)
			return
		}
		if n.Add(1) == 1 && r.Header.Get("Range") == "" {
			// Cut the first transfer a third of the way through.
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			w.WriteHeader(http.StatusOK)
			w.Write(body[:len(body)/3])
			return
		}
		http.ServeContent(w, r, "m.gguf", time.Time{}, bytes.NewReader(body))
	}))
	defer ts.Close()
	cache := t.TempDir()
	env := []string{"WEFT_MODELS=" + cache, "HF_TOKEN="}

	r := runWeftEnv(t, env, "model", "pull", ts.URL+"/models/weft-default.gguf", "--sha256", good)
	if r.code != 0 {
		t.Fatalf("pull: exit %d\n%s", r.code, r.stderr)
	}
	path := strings.TrimSpace(r.stdout)
	if path != filepath.Join(cache, "weft-default.gguf") {
		t.Fatalf("stdout = %q, want the cached path", r.stdout)
	}
	if !strings.Contains(r.stderr, "resuming") || !strings.Contains(r.stderr, "verified (--sha256)") || !strings.Contains(r.stderr, "weft: pull: 100% (") {
		t.Errorf("stderr does not show the resume and the check:\n%s", r.stderr)
	}
	got, _ := os.ReadFile(path)
	if !bytes.Equal(got, body) {
		t.Fatal("the cached file differs from the served one")
	}
	// By path, by cached name and without the extension.
	for _, name := range []string{path, "weft-default.gguf", "weft-default"} {
		r = runWeftEnv(t, env, "model", "info", "--model", name)
		if r.code != 0 || !strings.Contains(r.stdout, "capabilities: FIM") {
			t.Errorf("model info %s: exit %d\n%s\n%s", name, r.code, r.stdout, r.stderr)
		}
	}
	r = runWeftEnv(t, env, "model", "list")
	if r.code != 0 || !strings.Contains(r.stdout, "weft-default.gguf") || !strings.Contains(r.stdout, "FIM") {
		t.Errorf("model list: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}

	// Flags before the source work too, and a verified cached file is not fetched again.
	r = runWeftEnv(t, env, "model", "pull", "--sha256", good, ts.URL+"/models/weft-default.gguf")
	if r.code != 0 || strings.TrimSpace(r.stdout) != path || !strings.Contains(r.stderr, "already in the cache") {
		t.Errorf("second pull: exit %d, stdout %q\n%s", r.code, r.stdout, r.stderr)
	}
	// A wrong checksum: one error line, nothing new in the cache.
	r = runWeftEnv(t, env, "model", "pull", ts.URL+"/models/weft-default.gguf?x=1", "--sha256", strings.Repeat("0", 64))
	if r.code == 0 || !strings.Contains(wantLastErrorLine(t, r), "checksum mismatch") {
		t.Errorf("wrong checksum: exit %d\n%s", r.code, r.stderr)
	}
	// A 404.
	r = runWeftEnv(t, env, "model", "pull", ts.URL+"/models/missing.gguf")
	if r.code == 0 || !strings.Contains(wantLastErrorLine(t, r), "404") {
		t.Errorf("404: exit %d\n%s", r.code, r.stderr)
	}
	ents, _ := os.ReadDir(cache)
	if len(ents) != 1 || ents[0].Name() != "weft-default.gguf" {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Errorf("cache holds %v, want only the verified file", names)
	}
	// rm by name.
	r = runWeftEnv(t, env, "model", "rm", "weft-default.gguf")
	if r.code != 0 {
		t.Errorf("rm: %s", r.stderr)
	}
	if _, err := os.Stat(path); err == nil {
		t.Error("rm left the file")
	}
	// A catalogue name that is not downloaded says how to get it.
	r = runWeftEnv(t, env, "model", "info", "--model", "qwen2.5-coder-1.5b")
	if r.code == 0 || !strings.Contains(wantLastErrorLine(t, r), "weft model pull qwen2.5-coder-1.5b") {
		t.Errorf("info on a missing catalogue model: %s", r.stderr)
	}
}

// TestImplementHonest: on the embedded model, `weft implement` either prints code that parses or
// exits non-zero with one line saying why and how to get a model that can.
func TestImplementHonest(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the embedded model")
	}
	for _, instr := range []string{"reverse a string", "check whether a number is prime"} {
		r := runWeftEnv(t, nil, "implement", "--lang", "python", instr)
		if r.code == 0 {
			if n := grammars.ErrorCount(mustPython(t), []byte(r.stdout)); n != 0 || strings.TrimSpace(r.stdout) == "" {
				t.Errorf("%q: exit 0 with output that does not parse (%d errors):\n%s", instr, n, r.stdout)
			}
			continue
		}
		last := wantLastErrorLine(t, r)
		if !strings.Contains(last, "no candidate is an answer") || !strings.Contains(last, "weft model pull ") {
			t.Errorf("%q: exit %d, last line %q", instr, r.code, last)
		}
	}
}

func mustPython(t *testing.T) *grammars.Language {
	t.Helper()
	l, err := translate.LookupLanguage("python")
	if err != nil {
		t.Fatal(err)
	}
	return l
}
