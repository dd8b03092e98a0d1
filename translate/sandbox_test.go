package translate

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// skipOrFail skips with one line where the host cannot run a check, and fails under CI, where it must.
func skipOrFail(t *testing.T, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf(format, args...)
	}
	t.Skipf(format, args...)
}

func guardedPython(t *testing.T) (*Verifier, string) {
	t.Helper()
	v := NewVerifier(nil, true)
	if !v.Sandbox.Isolated() {
		skipOrFail(t, "no sandbox here: %s", v.Sandbox.Isolation())
	}
	py := v.Tool("python3")
	if py == "" {
		skipOrFail(t, "python3 not installed")
	}
	return v, py
}

// TestSandboxIncludeSecret: a C candidate that #includes /etc/shadow, or a secret file of ours, does not
// compile, and the verdict that goes back to the model holds nothing of either file.
func TestSandboxIncludeSecret(t *testing.T) {
	v := NewVerifier(nil, true)
	if !v.Sandbox.Isolated() {
		skipOrFail(t, "no sandbox here: %s", v.Sandbox.Isolation())
	}
	if v.Tool("gcc") == "" {
		skipOrFail(t, "gcc not installed")
	}
	secret := filepath.Join(t.TempDir(), "secret.h")
	if err := os.WriteFile(secret, []byte("weft_secret_token_4711 = 1;\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	shadow, _ := os.ReadFile("/etc/shadow")
	firstShadow, _, _ := strings.Cut(string(shadow), "\n")
	for _, path := range []string{"/etc/shadow", secret} {
		vd, err := v.Check(context.Background(), mustLang(t, "c"), "#include \""+path+"\"\nint f(void) { return 1; }\n")
		if err != nil {
			t.Fatal(err)
		}
		if vd.Compiled {
			t.Errorf("#include %s compiled", path)
		}
		if strings.Contains(vd.Message, "weft_secret_token_4711") || firstShadow != "" && strings.Contains(vd.Message, firstShadow) ||
			strings.Contains(vd.Message, "root:") {
			t.Errorf("#include %s: the verdict holds the file's text:\n%s", path, vd.Message)
		}
	}
}

// TestOwnDiagnostics: with a header that exists, the compiler's lines about it are left out of the
// verdict; the lines about the candidate's own file stay.
func TestOwnDiagnostics(t *testing.T) {
	out := "In file included from main.c:1:\n/etc/shadow:1:5: error: expected ';' before ':' token\n" +
		"    1 | root:$6$abcdef:19000:0:99999:7:::\n      |     ^\n" +
		"main.c:2:14: error: 'y' undeclared\n    2 | int f() { return y; }\n      |              ^\n"
	got := ownDiagnostics(out, []string{"main.c"})
	if strings.Contains(got, "root:") || strings.Contains(got, "/etc/shadow") {
		t.Errorf("kept another file's lines:\n%s", got)
	}
	if !strings.Contains(got, "main.c:2:14: error: 'y' undeclared") || !strings.Contains(got, "return y;") {
		t.Errorf("lost the candidate's own diagnostics:\n%s", got)
	}
	py := "  File \"main.py\", line 3\n    return 5\n    ^^^^^^^^\nSyntaxError: 'return' outside function\n"
	if got := ownDiagnostics(py, []string{"main.py"}); got != strings.TrimRight(py, "\n") {
		t.Errorf("python diagnostics changed:\n%s", got)
	}
}

// TestSandboxEscapes: a program inside the sandbox cannot connect to a host unix socket (by path or
// abstract name), write outside its run directory, or see the host's processes.
func TestSandboxEscapes(t *testing.T) {
	v, py := guardedPython(t)
	outside := t.TempDir()
	sock := filepath.Join(outside, "host.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	abstract := fmt.Sprintf("@weft-test-%d", os.Getpid())
	aln, err := net.Listen("unix", abstract)
	if err != nil {
		t.Fatal(err)
	}
	defer aln.Close()
	prog := `import os, socket
for addr in [%q, "\0" + %q]:
    s = socket.socket(socket.AF_UNIX)
    try:
        s.connect(addr)
        print("CONNECTED", repr(addr))
    except OSError as e:
        print("no socket:", e)
for p in [%q, "/tmp/escaped", "/usr/escaped", "/escaped", os.path.expanduser("~/../escaped")]:
    try:
        open(p, "w").write("x")
        print("WROTE", p)
    except OSError as e:
        print("no write:", e)
pids = [d for d in os.listdir("/proc") if d.isdigit()]
cmds = []
for d in pids:
    try:
        cmds.append(open("/proc/%%s/cmdline" %% d).read().replace("\0", " "))
    except OSError:
        pass
print("processes:", len(pids), "|".join(cmds))
`
	prog = fmt.Sprintf(prog, sock, abstract[1:], filepath.Join(outside, "escaped"))
	res := runPython(t, v, py, prog, nil)
	out := res.Stdout
	if strings.Count(out, "no socket:") != 2 || strings.Contains(out, "CONNECTED") {
		t.Errorf("unix sockets reachable:\n%s\n%s", out, res.Stderr)
	}
	if strings.Count(out, "no write:") != 5 || strings.Contains(out, "WROTE") {
		t.Errorf("wrote outside the run directory:\n%s\n%s", out, res.Stderr)
	}
	if _, err := os.Stat(filepath.Join(outside, "escaped")); err == nil {
		t.Error("file written in the host directory")
	}
	self, _ := os.ReadFile("/proc/self/cmdline")
	line := out[strings.Index(out, "processes:"):]
	// The sandbox's init is this test binary run again without arguments; this process has some.
	if host := strings.TrimSpace(strings.ReplaceAll(string(self), "\x00", " ")); strings.Contains(line, host) {
		t.Errorf("host processes visible: %s", line)
	}
	var n int
	fmt.Sscanf(line, "processes: %d", &n)
	if n == 0 || n > 4 {
		t.Errorf("%d processes visible, want only the run's own (init, python): %s", n, line)
	}
}

// TestCheckRefusesWithoutSandbox: where the guard cannot be set up, nothing is compiled.
func TestCheckRefusesWithoutSandbox(t *testing.T) {
	sb := NewSandbox()
	sb.once.Do(func() { sb.isolation = "unavailable (no user namespaces): nothing is compiled or run" })
	v := NewVerifier(sb, true)
	vd, err := v.Check(context.Background(), mustLang(t, "python"), "def f():\n    return 1\n")
	if err != nil || vd.Compiled || !strings.Contains(vd.Status, "not verified: sandbox unavailable") {
		t.Errorf("verdict %+v, %v", vd, err)
	}
	if _, err := sb.Run(context.Background(), Cmd{Dir: t.TempDir(), Args: []string{"/bin/true"}}); err == nil {
		t.Error("Run without a sandbox ran the command")
	}
}
