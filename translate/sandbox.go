package translate

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
// explicitly enabled running tests) in a fresh temporary directory, behind a namespace guard (Linux;
// sandbox_linux.go has the details), whether or not weft runs as root:
//   - a user namespace in which the command is uid 1000, an unprivileged id of the host (nobody when
//     weft runs as root, else weft's user), with no capability over its mounts;
//   - a mount namespace whose root shows only the system and toolchain directories, read-only, a few
//     files of /etc (no passwd, no shadow) and /dev, the run directory and the command's Writable
//     directories (a compiler cache): no host socket, no writable /tmp, nothing of the user's files;
//   - new network (a loopback that is down), PID (killing its init kills every descendant, even ones
//     that called setsid; /proc shows only the run's processes), IPC and UTS namespaces;
//   - RLIMIT_AS and RLIMIT_FSIZE, a wall-time limit enforced by killing the process group, and a
//     scrubbed environment (HOME and TMPDIR inside the run directory).
//
// Where the guard cannot be set up (no user namespaces, not Linux), Run refuses with an error and
// Isolation says why: generated code is never run unguarded.
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

// Isolated reports whether the namespace guard can be set up; without it Run refuses to run anything.
func (s *Sandbox) Isolated() bool {
	s.probe()
	return s.isolated
}

func (s *Sandbox) probe() {
	s.once.Do(func() {
		if err := probeNamespaces(); err != nil {
			s.isolation = fmt.Sprintf("unavailable (%v): nothing is compiled or run", err)
			return
		}
		s.isolated = true
		s.isolation = "namespaces: unprivileged user, only the toolchain and the run directory visible, no network, private PID space"
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
	// ReadOnly are more host paths shown read-only (a toolchain's directory outside /usr whose bin is
	// not in Path). The system directories and each Path directory's toolchain root are always shown.
	ReadOnly []string
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
	if !s.isolated {
		return ExecResult{}, fmt.Errorf("sandbox: %w: %s", errNoNamespaces, s.isolation)
	}
	env := append([]string{
		"PATH=" + joinPath(c.Path),
		"HOME=" + c.Dir,
		"TMPDIR=" + filepath.Join(c.Dir, ".tmp"), // not the run dir itself: go ignores a go.mod in TMPDIR
		"LANG=C.UTF-8",
	}, c.Env...)
	cmd, cleanup, err := guardedCommand(c, lim, prog, env)
	if err != nil {
		return ExecResult{}, fmt.Errorf("sandbox: %w", err)
	}
	defer cleanup()

	rctx, cancel := context.WithTimeout(ctx, lim.Wall)
	defer cancel()
	if c.Stdin != nil {
		cmd.Stdin = bytes.NewReader(c.Stdin)
	}
	stdout := &capped{max: lim.OutputBytes}
	stderr := &capped{max: lim.OutputBytes}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.WaitDelay = 2 * time.Second

	start := time.Now()
	if err := cmd.Start(); err != nil {
		return ExecResult{}, fmt.Errorf("sandbox: %w", err)
	}
	stop := context.AfterFunc(rctx, func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) })
	err = cmd.Wait()
	stop()
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
	if res.ExitCode == 125 && strings.HasPrefix(res.Stderr, "sandbox: ") {
		// The guard could not be set up for this command (sandboxInit says why): nothing ran.
		return res, errors.New(strings.TrimSpace(res.Stderr))
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
