package translate

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Limits bound one sandboxed command.
type Limits struct {
	Wall        time.Duration // wall-clock limit; the whole process group (and PID namespace) is killed at it
	MemoryBytes int64         // RLIMIT_AS (virtual address space) of every process; 0: no limit
	FileBytes   int64         // RLIMIT_FSIZE: largest file a process may write; 0: no limit
	OutputBytes int           // stdout and stderr are each truncated to this many bytes; 0: 1 MiB
}

// defaultLimits fit a compiler or a small test program: 20 s, 2 GiB of address space (the JVM and V8 are
// told to reserve less, see verify.go), 64 MiB files, 1 MiB of output.
var defaultLimits = Limits{Wall: 20 * time.Second, MemoryBytes: 2 << 30, FileBytes: 64 << 20, OutputBytes: 1 << 20}

// Sandbox runs untrusted commands (compilers on generated code, and generated programs when the caller
// explicitly enabled running tests) in a fresh temporary directory.
//
// The guard, when the process is root and util-linux's unshare and setpriv exist (probed once), is:
//   - new network namespace (only a down loopback: no network),
//   - new PID namespace (killing its init kills every descendant, even ones that called setsid),
//   - new mount namespace in which every mount is remounted read-only except the run's own directory
//     (and the extra Writable directories of that command, e.g. a compiler cache),
//   - all capabilities dropped (bounding, inheritable, ambient) and no_new_privs, so the command, though
//     still uid 0, cannot remount anything writable again,
//   - RLIMIT_AS and RLIMIT_FSIZE through the shell's ulimit, a wall-time limit enforced by killing the
//     process group, and a scrubbed environment (HOME and TMPDIR inside the run directory).
//
// Without those (not root, no unshare), Isolation says so and commands run with the time and memory
// limits and the scrubbed environment only: they could then write wherever the user can.
type Sandbox struct {
	Limits Limits

	once      sync.Once
	isolated  bool
	isolation string
}

// NewSandbox returns a sandbox with defaultLimits. The isolation probe runs on first use.
func NewSandbox() *Sandbox { return &Sandbox{Limits: defaultLimits} }

// Isolation describes the guard in force, in one line, for logs and reports.
func (s *Sandbox) Isolation() string {
	s.probe()
	return s.isolation
}

// Isolated reports whether the namespace guard (read-only filesystem, no network) is in force.
func (s *Sandbox) Isolated() bool {
	s.probe()
	return s.isolated
}

func (s *Sandbox) probe() {
	s.once.Do(func() {
		if os.Geteuid() != 0 {
			s.isolation = "limits only: not root, so no namespaces (generated code can write where this user can)"
			return
		}
		for _, tool := range []string{"unshare", "setpriv", "mount", "awk"} {
			if _, err := exec.LookPath(tool); err != nil {
				s.isolation = "limits only: " + tool + " not installed (generated code can write where this user can)"
				return
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		err := exec.CommandContext(ctx, "unshare", "--mount", "--net", "--pid", "--fork", "--mount-proc",
			"setpriv", "--no-new-privs", "--inh-caps=-all", "--ambient-caps=-all", "--bounding-set=-all", "true").Run()
		if err != nil {
			s.isolation = fmt.Sprintf("limits only: unshare/setpriv failed (%v)", err)
			return
		}
		s.isolated = true
		s.isolation = "namespaces: no network, private PID space, read-only filesystem except the run directory, no capabilities"
	})
}

// Cmd is one command to run inside a run directory.
type Cmd struct {
	Dir      string   // run directory (from Sandbox.Do); the only writable place besides Writable
	Args     []string // program and arguments; the program is looked up in Path
	Path     []string // directories for PATH (the scrubbed environment has only these)
	Env      []string // extra KEY=VALUE pairs (HOME, TMPDIR and PATH are set by the sandbox)
	Stdin    []byte
	Writable []string // extra directories this command may write (a compiler cache); must exist
	Limits   *Limits  // nil: the sandbox's
}

// ExecResult is what a sandboxed command did.
type ExecResult struct {
	ExitCode int // -1 when killed
	Stdout   string
	Stderr   string
	TimedOut bool
	Duration time.Duration
}

// Output returns stderr and stdout together, stderr first (where compilers write), trimmed.
func (r ExecResult) Output() string {
	out := string(bytes.TrimSpace([]byte(r.Stderr + "\n" + r.Stdout)))
	if r.TimedOut {
		out = "killed: time limit exceeded\n" + out
	}
	return out
}

// Do creates a fresh run directory, calls fn with it and removes it afterwards, whatever fn did.
func (s *Sandbox) Do(fn func(dir string) error) error {
	dir, err := os.MkdirTemp("", "weft-sandbox-")
	if err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	defer os.RemoveAll(dir)
	// The run directory itself becomes a mount point inside the namespace, so it must be a real path.
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		dir = real
	}
	return fn(dir)
}

// setupScript runs as the namespace's init: it keeps the run directory and the Writable ones writable
// (bind-mounted onto themselves, so they are mounts of their own), remounts every other mount read-only,
// checks that no visible mount (the last one mounted at each path; earlier ones are shadowed) stayed
// writable, failing closed with exit 125 if one did, enters the run directory again (the inherited
// working directory is the one under the read-only mount), sets the resource limits and drops every
// capability before exec'ing the command.
// Arguments: the number of writable dirs, the dirs, the address-space limit in KiB and the file-size limit
// in 512-byte blocks (as dash's ulimit counts them; 0 means none), then the command.
const setupScript = `set -e
n=$1; shift
run=$1
ws="
"
while [ "$n" -gt 0 ]; do mount --bind "$1" "$1"; ws="$ws$1
"; shift; n=$((n-1)); done
while read -r _ _ _ _ mp _; do
  case "$ws" in *"
$mp
"*) continue;; esac
  mount -o remount,bind,ro "$mp" 2>/dev/null || true
done < /proc/self/mountinfo
bad=$(awk -v ws="$ws" 'BEGIN { n = split(ws, a, "\n"); for (i = 1; i <= n; i++) if (a[i] != "") w[a[i]] = 1 }
  { o[$5] = $6 }
  END { for (m in o) if (!(m in w) && o[m] ~ /^rw/) print m }' /proc/self/mountinfo)
if [ -n "$bad" ]; then echo "sandbox: cannot make read-only:" $bad >&2; exit 125; fi
cd "$run"
set +e
[ "$1" != 0 ] && ulimit -v "$1"; shift
[ "$1" != 0 ] && ulimit -f "$1"; shift
exec setpriv --no-new-privs --inh-caps=-all --ambient-caps=-all --bounding-set=-all -- "$@"
`

// limitsScript is the fallback without namespaces: the same limits, no isolation.
const limitsScript = `[ "$1" != 0 ] && ulimit -v "$1"; shift
[ "$1" != 0 ] && ulimit -f "$1"; shift
exec "$@"
`

// Run runs c and waits for it, killing it at the wall-time limit. A non-zero exit is not an error (it is
// in ExecResult.ExitCode); errors are failures to start or a cancelled ctx.
func (s *Sandbox) Run(ctx context.Context, c Cmd) (ExecResult, error) {
	if len(c.Args) == 0 {
		return ExecResult{}, errors.New("sandbox: empty command")
	}
	if c.Dir == "" {
		return ExecResult{}, errors.New("sandbox: no run directory")
	}
	s.probe()
	lim := s.Limits
	if c.Limits != nil {
		lim = *c.Limits
	}
	if lim.OutputBytes <= 0 {
		lim.OutputBytes = 1 << 20
	}
	if lim.Wall <= 0 {
		lim.Wall = defaultLimits.Wall
	}
	if err := os.MkdirAll(filepath.Join(c.Dir, ".tmp"), 0o755); err != nil {
		return ExecResult{}, fmt.Errorf("sandbox: %w", err)
	}
	prog := c.Args[0]
	if filepath.Base(prog) == prog {
		p, err := lookPathIn(prog, c.Path)
		if err != nil {
			return ExecResult{}, fmt.Errorf("sandbox: %w", err)
		}
		prog = p
	}
	asKiB := strconv.FormatInt(lim.MemoryBytes>>10, 10)
	fsBlocks := strconv.FormatInt(lim.FileBytes>>9, 10)
	var argv []string
	if s.isolated {
		argv = []string{"unshare", "--mount", "--net", "--pid", "--fork", "--mount-proc", "--kill-child",
			"sh", "-c", setupScript, "sh", strconv.Itoa(1 + len(c.Writable)), c.Dir}
		argv = append(argv, c.Writable...)
	} else {
		argv = []string{"sh", "-c", limitsScript, "sh"}
	}
	argv = append(argv, asKiB, fsBlocks, prog)
	argv = append(argv, c.Args[1:]...)

	rctx, cancel := context.WithTimeout(ctx, lim.Wall)
	defer cancel()
	cmd := exec.CommandContext(rctx, argv[0], argv[1:]...)
	cmd.Dir = c.Dir
	cmd.Env = append([]string{
		"PATH=" + joinPath(c.Path),
		"HOME=" + c.Dir,
		"TMPDIR=" + filepath.Join(c.Dir, ".tmp"), // not the run dir itself: go ignores a go.mod in TMPDIR
		"LANG=C.UTF-8",
	}, c.Env...)
	if c.Stdin != nil {
		cmd.Stdin = bytes.NewReader(c.Stdin)
	}
	stdout := &capped{max: lim.OutputBytes}
	stderr := &capped{max: lim.OutputBytes}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 2 * time.Second

	start := time.Now()
	err := cmd.Run()
	res := ExecResult{Stdout: stdout.String(), Stderr: stderr.String(), Duration: time.Since(start), ExitCode: -1}
	if cmd.ProcessState != nil {
		res.ExitCode = cmd.ProcessState.ExitCode()
	}
	// Whatever happened, make sure nothing of the group survives (a child that ignored the pipe closing).
	if cmd.Process != nil {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
	if ctx.Err() != nil {
		return res, ctx.Err()
	}
	if rctx.Err() != nil {
		res.TimedOut = true
		res.ExitCode = -1
		return res, nil
	}
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		return res, fmt.Errorf("sandbox: %w", err)
	}
	return res, nil
}

func joinPath(dirs []string) string {
	if len(dirs) == 0 {
		return "/usr/local/bin:/usr/bin:/bin"
	}
	return strings.Join(dirs, string(os.PathListSeparator))
}

// lookPathIn finds an executable in the given directories (the sandbox's PATH, not ours).
func lookPathIn(name string, dirs []string) (string, error) {
	if len(dirs) == 0 {
		return exec.LookPath(name)
	}
	for _, d := range dirs {
		p := filepath.Join(d, name)
		if st, err := os.Stat(p); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s not found in %v", name, dirs)
}

// capped is a writer that keeps the first max bytes and drops the rest (the process keeps running; a
// flood of output must not exhaust our memory).
type capped struct {
	buf       bytes.Buffer
	max       int
	truncated bool
}

func (c *capped) Write(p []byte) (int, error) {
	if room := c.max - c.buf.Len(); room > 0 {
		if len(p) > room {
			c.buf.Write(p[:room])
			c.truncated = true
		} else {
			c.buf.Write(p)
		}
	} else if len(p) > 0 {
		c.truncated = true
	}
	return len(p), nil
}

func (c *capped) String() string {
	if c.truncated {
		return c.buf.String() + "\n[output truncated]"
	}
	return c.buf.String()
}
