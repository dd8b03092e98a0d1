package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/weft-dev/weft/model"
	"github.com/weft-dev/weft/model/gguf"
)

// The tests in this package drive the real weft binary as a subprocess, as
// scripts and editors do: TestMain builds it once and synthesizes a tiny
// model in-process (synthTiny).

var (
	weftBin  string // the built binary
	buildErr error

	tinyModel string // path of the synthesized model
	modelErr  error  // why there is none
)

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "weft-cmdtest")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	// The link and the synthesis overlap.
	var wg sync.WaitGroup
	wg.Go(func() { weftBin, buildErr = buildWeft(dir) })
	wg.Go(func() { tinyModel, modelErr = synthTiny(dir) })
	wg.Wait()
	return m.Run()
}

// buildWeft builds this package's binary into dir.
func buildWeft(dir string) (string, error) {
	bin := filepath.Join(dir, "weft")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %w\n%s", err, out)
	}
	return bin, nil
}

// synthTiny writes the tiny test model into dir: random weights at the "tiny"
// preset's shapes with a byte-level vocabulary that has FIM control tokens,
// made here so that these tests need nothing beside the repository.
func synthTiny(dir string) (string, error) {
	w, err := model.Synth("tiny", "qwen2", gguf.TypeQ8_0, nil, 1)
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, "tiny.gguf")
	if err := w.WriteFile(path); err != nil {
		return "", err
	}
	return path, nil
}

// weft returns the built binary, failing the test if the build failed.
func weft(t *testing.T) string {
	t.Helper()
	if buildErr != nil {
		t.Fatalf("building weft: %v", buildErr)
	}
	return weftBin
}

// tiny returns the synthesized model's path.
func tiny(t *testing.T) string {
	t.Helper()
	if modelErr != nil {
		t.Fatalf("synthesizing the tiny model: %v", modelErr)
	}
	return tinyModel
}

// result is what one run of the binary did.
type result struct {
	code           int
	stdout, stderr string
}

// runWeft runs the binary with args and stdin and waits up to 30 s.
func runWeft(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, weft(t), args...)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String()}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee) && ctx.Err() == nil:
		r.code = ee.ExitCode()
	default:
		t.Fatalf("weft %s: %v\nstderr:\n%s", strings.Join(args, " "), err, r.stderr)
	}
	return r
}

// lines returns the non-empty lines of s.
func lines(s string) []string {
	var out []string
	for l := range strings.SplitSeq(s, "\n") {
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return out
}

func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// wantOneErrorLine checks the contract for failures: stderr is exactly one
// line "weft: ..." (or "weft VERB: ..." for usage errors) and nothing went
// to stdout.
func wantOneErrorLine(t *testing.T, r result, prefix string) {
	t.Helper()
	ls := lines(r.stderr)
	if len(ls) != 1 || !strings.HasPrefix(ls[0], prefix) {
		t.Errorf("stderr = %q, want one line starting %q", r.stderr, prefix)
	}
	if r.stdout != "" {
		t.Errorf("stdout = %q, want nothing on failure", r.stdout)
	}
}

// wantLastErrorLine checks that stderr ends with one "weft: " line (logs may
// precede it) and stdout is empty.
func wantLastErrorLine(t *testing.T, r result) string {
	t.Helper()
	ls := lines(r.stderr)
	if len(ls) == 0 || !strings.HasPrefix(ls[len(ls)-1], "weft: ") {
		t.Errorf("stderr = %q, want it to end with a line \"weft: <reason>\"", r.stderr)
		return ""
	}
	if r.stdout != "" {
		t.Errorf("stdout = %q, want nothing on failure", r.stdout)
	}
	return ls[len(ls)-1]
}

// referenceGenerate is what `weft generate` must print: the pieces the
// model streams for the prompt, greedy, computed in this process with the
// model package (the CLI must add nothing to them and drop nothing).
func referenceGenerate(t *testing.T, path, prompt string, maxTokens int) string {
	t.Helper()
	m, err := model.Open(path, model.Options{KVType: gguf.TypeF16})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	ids := m.Tokenizer().Encode(prompt, true, false)
	s := m.NewSession(len(ids) + maxTokens)
	var out strings.Builder
	_, err = s.Generate(context.Background(), ids, model.GenerateOptions{MaxTokens: maxTokens}, func(_ int32, piece string) bool {
		out.WriteString(piece)
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	return out.String()
}

func TestCLI(t *testing.T) {
	dir := t.TempDir()
	// Rows with model set need the tiny model and skip without it (see
	// tiny); the others check the contract without loading one.
	m := tinyModel
	truncated := filepath.Join(dir, "truncated.gguf")
	const prompt = "def fibonacci(n):"
	var want string
	if modelErr == nil {
		// A truncated model: the header and part of the tensor data.
		whole, err := os.ReadFile(m)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(truncated, whole[:len(whole)/2], 0o644); err != nil {
			t.Fatal(err)
		}
		want = referenceGenerate(t, m, prompt, 5)
	}
	src := filepath.Join(dir, "hello.py")
	if err := os.WriteFile(src, []byte("def greet(name):\n    return \"hello \" + \n\nprint(greet(\"weft\"))\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name  string
		model bool
		args  []string
		stdin string
		code  int
		check func(t *testing.T, r result)
	}{
		{name: "help", args: []string{"help"}, code: 0, check: func(t *testing.T, r result) {
			if !strings.Contains(r.stdout, "usage: weft") || r.stderr != "" {
				t.Errorf("help: stdout %q, stderr %q", r.stdout, r.stderr)
			}
		}},
		{name: "unknown verb", args: []string{"frobnicate"}, code: 2, check: func(t *testing.T, r result) {
			wantOneErrorLine(t, r, "weft: unknown verb \"frobnicate\"")
		}},
		{name: "unknown flag", args: []string{"generate", "--no-such-flag", "--prompt", "x"}, code: 2, check: func(t *testing.T, r result) {
			// The flag package also prints the error before weft's line.
			if ls := lines(r.stderr); len(ls) == 0 || !strings.HasPrefix(ls[len(ls)-1], "weft generate: ") || !strings.Contains(ls[len(ls)-1], "no-such-flag") {
				t.Errorf("stderr = %q, want it to end with \"weft generate: ...no-such-flag\"", r.stderr)
			}
		}},
		{name: "generate", model: true, args: []string{"generate", "--model", m, "--prompt", prompt, "--max-tokens", "5", "--temperature", "0"}, code: 0, check: func(t *testing.T, r result) {
			if r.stdout != want || want == "" {
				t.Errorf("stdout = %q, want exactly the generated text %q", r.stdout, want)
			}
			if !strings.Contains(r.stderr, "weft: loaded") {
				t.Errorf("stderr = %q, want the load log there", r.stderr)
			}
		}},
		{name: "generate prompt from stdin", model: true, args: []string{"generate", "--model", m, "--prompt", "-", "--max-tokens", "5"}, stdin: prompt, code: 0, check: func(t *testing.T, r result) {
			if r.stdout != want {
				t.Errorf("stdout = %q, want %q", r.stdout, want)
			}
		}},
		{name: "generate without prompt", args: []string{"generate", "--max-tokens", "5"}, code: 2, check: func(t *testing.T, r result) {
			wantOneErrorLine(t, r, "weft generate: ")
			if !strings.Contains(r.stderr, "--prompt") {
				t.Errorf("stderr = %q, want it to name --prompt", r.stderr)
			}
		}},
		{name: "missing model", args: []string{"generate", "--model", "/nonexistent", "--prompt", "x"}, code: 1, check: func(t *testing.T, r result) {
			wantOneErrorLine(t, r, "weft: ")
			if !strings.Contains(r.stderr, "/nonexistent") {
				t.Errorf("stderr = %q, want it to name the file", r.stderr)
			}
		}},
		{name: "truncated model", model: true, args: []string{"generate", "--model", truncated, "--prompt", "x"}, code: 1, check: func(t *testing.T, r result) {
			line := wantLastErrorLine(t, r)
			// It names the file and says what is wrong with it.
			rest := strings.ReplaceAll(line, truncated, "")
			if !strings.Contains(line, truncated) || !containsAny(strings.ToLower(rest), "truncated", "past the end", "unexpected eof", "too short") {
				t.Errorf("error line %q, want the file's path and that it is truncated", line)
			}
		}},
		{name: "model info", model: true, args: []string{"model", "info", "--model", m}, code: 0, check: func(t *testing.T, r result) {
			if !strings.Contains(r.stdout, "architecture: qwen2") {
				t.Errorf("stdout = %q, want the architecture", r.stdout)
			}
		}},
		{name: "model info positional", model: true, args: []string{"model", "info", m}, code: 0, check: func(t *testing.T, r result) {
			if !strings.Contains(r.stdout, "architecture: qwen2") || !strings.Contains(r.stdout, "fim_pre=") {
				t.Errorf("stdout = %q, want the architecture and the FIM tokens", r.stdout)
			}
		}},
		{name: "model info tensors", model: true, args: []string{"model", "info", "--tensors", m}, code: 0, check: func(t *testing.T, r result) {
			if !strings.Contains(r.stdout, "blk.1.ffn_down.weight") || !strings.Contains(r.stdout, "[512 256]") {
				t.Errorf("stdout = %q, want every tensor with its shape", r.stdout)
			}
		}},
		{name: "synth unknown type", args: []string{"model", "synth", "--preset", "tiny", "--type", "q9_k", "-o", filepath.Join(dir, "x.gguf")}, code: 2, check: func(t *testing.T, r result) {
			wantOneErrorLine(t, r, "weft model: ")
			if !strings.Contains(r.stderr, "q4_k_m") {
				t.Errorf("stderr = %q, want the file types", r.stderr)
			}
		}},
		{name: "synth arch and file type", args: []string{"model", "synth", "--preset", "tiny", "--arch", "starcoder2", "--type", "q3_k_m", "-o", filepath.Join(dir, "sc2.gguf")}, code: 0, check: func(t *testing.T, r result) {
			if strings.TrimSpace(r.stdout) != filepath.Join(dir, "sc2.gguf") {
				t.Errorf("stdout = %q, want the file's path", r.stdout)
			}
		}},
		{name: "model without sub-verb", args: []string{"model"}, code: 2, check: func(t *testing.T, r result) {
			wantOneErrorLine(t, r, "weft model: ")
		}},
		{name: "complete", model: true, args: []string{"complete", "--model", m, "--file", src, "--pos", "2:22", "--max-tokens", "8"}, code: 0, check: func(t *testing.T, r result) {
			if !strings.Contains(r.stderr, "prompt tokens") {
				t.Errorf("stderr = %q, want the completion's stats", r.stderr)
			}
			if strings.Contains(r.stdout, "weft:") {
				t.Errorf("stdout = %q has log lines", r.stdout)
			}
		}},
		{name: "complete bad pos", args: []string{"complete", "--file", src, "--pos", "2"}, code: 2, check: func(t *testing.T, r result) {
			wantOneErrorLine(t, r, "weft complete: ")
		}},
		{name: "complete missing file", model: true, args: []string{"complete", "--model", m, "--file", filepath.Join(dir, "nope.py"), "--pos", "1:1"}, code: 1, check: func(t *testing.T, r result) {
			wantLastErrorLine(t, r)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.model {
				tiny(t)
			}
			r := runWeft(t, tt.stdin, tt.args...)
			if r.code != tt.code {
				t.Errorf("weft %s: exit code %d, want %d\nstdout: %q\nstderr: %q", strings.Join(tt.args, " "), r.code, tt.code, r.stdout, r.stderr)
			}
			tt.check(t, r)
		})
	}
}

// TestGenerateDeterministic runs the same greedy generation twice.
func TestGenerateDeterministic(t *testing.T) {
	t.Parallel()
	m := tiny(t)
	args := []string{"generate", "--model", m, "--prompt", "func main() {", "--max-tokens", "12", "--temperature", "0"}
	a, b := runWeft(t, "", args...), runWeft(t, "", args...)
	if a.code != 0 || b.code != 0 || a.stdout != b.stdout || a.stdout == "" {
		t.Errorf("two greedy runs: %d %q / %d %q, want the same non-empty text", a.code, a.stdout, b.code, b.stdout)
	}
}
