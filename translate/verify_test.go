package translate

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/weft-dev/weft/grammars"
)

func mustLang(t *testing.T, name string) *grammars.Language {
	t.Helper()
	l, err := LookupLanguage(name)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestVerifyCompilers checks, per toolchain, that a good candidate compiles and a broken one (which
// tree-sitter still parses, so only the compiler can tell) is rejected with the compiler's own message.
func TestVerifyCompilers(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs many programs; skipped with -short")
	}
	v := NewVerifier(nil, true)
	cases := []struct {
		lang, tool, good, bad, wantMsg string
	}{
		{"go", "go", "func add(a, b int) int { return int(math.Abs(float64(a))) + b }",
			"func add(a, b int) int { return a + \"x\" }", "main.go:"},
		{"python", "python3", "def f(x):\n    return x + 1\n", "def f(x):\n    return x\nreturn 5\n", "'return' outside function"},
		{"javascript", "node", "function f(x) { return x + 1; }", "let a = 1;\nlet a = 2;\n", "already been declared"},
		{"rust", "rustc", "pub fn f(x: i32) -> i32 { x + 1 }", "pub fn f(x: i32) -> i32 { \"x\" }", "mismatched types"},
		{"java", "javac", "static int f(int x) { List<Integer> l = new ArrayList<>(); return x + l.size(); }",
			"static int f(int x) { return \"x\"; }", "incompatible types"},
		{"typescript", "tsc", "function f(x: number): number { return x + 1; }", "function f(x: number): number { return \"x\"; }", "not assignable"},
		{"c", "gcc", "int f(int x) { return abs(x) + 1; }", "int f(int x) { return y; }", "undeclared"},
		{"cpp", "g++", "int f(int x) { vector<int> v{x}; return v[0]; }", "int f(int x) { std::string s = x; return s; }", "error"},
	}
	for _, c := range cases {
		t.Run(c.lang, func(t *testing.T) {
			if v.Tool(c.tool) == "" {
				t.Skipf("%s not installed", c.tool)
			}
			lang := mustLang(t, c.lang)
			good, err := v.Check(context.Background(), lang, c.good)
			if err != nil {
				t.Fatal(err)
			}
			if good.Level != LevelCompiles || !good.Compiled {
				t.Fatalf("good candidate: level %v, status %q, message:\n%s", good.Level, good.Status, good.Message)
			}
			bad, err := v.Check(context.Background(), lang, c.bad)
			if err != nil {
				t.Fatal(err)
			}
			if bad.ParseErrors != 0 {
				t.Fatalf("bad candidate should parse (only the compiler rejects it), got %d parse errors", bad.ParseErrors)
			}
			if bad.Level != LevelParses || bad.Compiled {
				t.Fatalf("bad candidate accepted: %v %q", bad.Level, bad.Status)
			}
			if !strings.Contains(bad.Message, c.wantMsg) {
				t.Fatalf("compiler message lacks %q:\n%s", c.wantMsg, bad.Message)
			}
			if strings.Contains(bad.Message, "weft-sandbox-") {
				t.Errorf("message leaks the run directory:\n%s", bad.Message)
			}
		})
	}
}

func TestVerifyParseAndMissingTool(t *testing.T) {
	v := NewVerifier(nil, true)
	vd, err := v.Check(context.Background(), mustLang(t, "go"), "func f( { return")
	if err != nil {
		t.Fatal(err)
	}
	if vd.Level != LevelNone || vd.ParseErrors == 0 {
		t.Fatalf("unparsable candidate: %+v", vd)
	}
	// A verifier whose toolchain table is empty stands for a machine without compilers.
	bare := NewVerifier(nil, true)
	bare.once.Do(func() { bare.tools = map[string]string{} })
	vd, err = bare.Check(context.Background(), mustLang(t, "rust"), "pub fn f() -> i32 { 1 }")
	if err != nil {
		t.Fatal(err)
	}
	if vd.Level != LevelParses || vd.Status != "parses; not verified: rustc not installed" {
		t.Fatalf("missing toolchain: %+v", vd)
	}
	rr, err := bare.Run(context.Background(), Program{Lang: mustLang(t, "go"), Files: map[string]string{"main.go": "package main\nfunc main(){}\n"}, Main: "main.go"}, nil)
	if err != nil || rr.Built || rr.Missing != "go" {
		t.Fatalf("run without go: %+v %v", rr, err)
	}
}

func pythonSandbox(t *testing.T) (*Verifier, string) {
	t.Helper()
	v := NewVerifier(nil, true)
	py := v.Tool("python3")
	if py == "" {
		t.Skip("python3 not installed")
	}
	return v, py
}

func runPython(t *testing.T, v *Verifier, py, prog string, lim *Limits, writable ...string) ExecResult {
	t.Helper()
	var res ExecResult
	err := v.Sandbox.Do(func(dir string) error {
		if err := os.WriteFile(filepath.Join(dir, "p.py"), []byte(prog), 0o644); err != nil {
			return err
		}
		var err error
		res, err = v.Sandbox.Run(context.Background(), Cmd{Dir: dir, Args: []string{py, "-I", "p.py"}, Path: v.path, Limits: lim, Writable: writable})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestSandboxKillsLoopAtLimit(t *testing.T) {
	v, py := pythonSandbox(t)
	lim := defaultLimits
	lim.Wall = time.Second
	start := time.Now()
	res := runPython(t, v, py, "while True:\n    pass\n", &lim)
	if !res.TimedOut || res.ExitCode != -1 {
		t.Fatalf("loop not killed: %+v", res)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("killed after %v, limit 1s", d)
	}
}

func TestSandboxMemoryLimit(t *testing.T) {
	v, py := pythonSandbox(t)
	lim := defaultLimits
	lim.MemoryBytes = 512 << 20
	res := runPython(t, v, py, "b = bytearray(1 << 30)\nprint('allocated')\n", &lim)
	if res.ExitCode == 0 || strings.Contains(res.Stdout, "allocated") || !strings.Contains(res.Stderr, "MemoryError") {
		t.Fatalf("1 GiB allocation under a 512 MiB limit: %+v", res)
	}
}

// TestSandboxGuard shows the guard: the run directory is writable, nothing else is (not even a directory
// the test itself can write), mounts cannot be made writable again, there is no network, and no process
// outlives the run.
func TestSandboxGuard(t *testing.T) {
	v, py := pythonSandbox(t)
	if !v.Sandbox.Isolated() {
		t.Skipf("no namespace guard here: %s", v.Sandbox.Isolation())
	}
	outside := t.TempDir()
	target := filepath.Join(outside, "escaped")
	prog := `import os, sys
open("inside.txt", "w").write("ok")
print("inside ok")
try:
    open(` + "%q" + `, "w").write("x")
    print("OUTSIDE WRITTEN")
except OSError as e:
    print("outside denied:", e)
r = os.system("mount -o remount,rw / 2>/dev/null")
print("remount", "denied" if r != 0 else "ALLOWED")
`
	res := runPython(t, v, py, strings.Replace(prog, "%q", `"`+target+`"`, 1), nil)
	if !strings.Contains(res.Stdout, "inside ok") || !strings.Contains(res.Stdout, "outside denied") ||
		!strings.Contains(res.Stdout, "remount denied") {
		t.Fatalf("guard output:\n%s\n%s", res.Stdout, res.Stderr)
	}
	if _, err := os.Stat(target); err == nil {
		t.Fatal("file written outside the run directory")
	}

	// Network: a listener of ours on loopback is unreachable from inside.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	res = runPython(t, v, py, "import socket\ntry:\n    socket.create_connection(('127.0.0.1', "+strconv.Itoa(port)+"), timeout=2)\n    print('CONNECTED')\nexcept OSError as e:\n    print('no network:', e)\n", nil)
	if !strings.Contains(res.Stdout, "no network") {
		t.Fatalf("network reachable:\n%s\n%s", res.Stdout, res.Stderr)
	}

	// A daemonised grandchild dies with the run: it would write into a directory we made writable.
	marker := filepath.Join(outside, "survivor")
	lim := defaultLimits
	lim.Wall = 5 * time.Second
	res = runPython(t, v, py, `import os, time
if os.fork() == 0:
    os.setsid()
    time.sleep(1.5)
    open("`+marker+`", "w").write("alive")
    os._exit(0)
print("parent exits")
`, &lim, outside)
	if !strings.Contains(res.Stdout, "parent exits") {
		t.Fatalf("daemon test: %+v", res)
	}
	time.Sleep(2500 * time.Millisecond)
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("a process outlived the sandboxed run")
	}
}

func TestGoSnippetFile(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"func f() float64 { return math.Sqrt(2) }\n", "package snippet\nimport \"math\"\nfunc f() float64 { return math.Sqrt(2) }\n"},
		{"package main\n\nfunc f() string { return \"fmt.Println\" }\n", "package snippet\n\nfunc f() string { return \"fmt.Println\" }\n"},
		{"package main\n\nfunc main() { fmt.Println(strings.ToUpper(\"x\")) }\n", "package main\nimport \"fmt\"\nimport \"strings\"\n\nfunc main() { fmt.Println(strings.ToUpper(\"x\")) }\n"},
		{"package p\n\nimport \"sort\"\n\nfunc f(x []int) { sort.Ints(x) }\n", "package p\n\nimport \"sort\"\n\nfunc f(x []int) { sort.Ints(x) }\n"},
	} {
		if got := goSnippetFile(c.in, "snippet"); got != c.want {
			t.Errorf("goSnippetFile(%q) =\n%q\nwant\n%q", c.in, got, c.want)
		}
	}
}

func TestJavaSnippetFile(t *testing.T) {
	name, text := javaSnippetFile("static int f(int x) { return x; }")
	if name != "Main.java" || !strings.Contains(text, "class Main {\nstatic int f(int x)") || !strings.HasPrefix(text, "import java.util.*;") {
		t.Errorf("method: %s\n%s", name, text)
	}
	name, _ = javaSnippetFile("import java.util.*;\n\npublic class Foo {\n  static int f() { return 1; }\n}\n")
	if name != "Foo.java" {
		t.Errorf("public class file %s", name)
	}
	name, text = javaSnippetFile("// c\nclass Bar { }\n")
	if name != "Main.java" || strings.Contains(text, "class Main") {
		t.Errorf("class: %s\n%s", name, text)
	}
}
