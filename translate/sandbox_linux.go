//go:build linux

package translate

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
)

// The namespace guard. Sandbox.Run starts this program again (/proc/self/exe) with sandboxInitEnv set:
// the package's init function sees it and becomes the sandbox's init (sandboxInit) instead of running
// the program. That process is started in new mount, PID, network, IPC and UTS namespaces (and, when
// weft is not root, a new user namespace in which it is root: that is what lets it mount). It builds a
// root filesystem on a tmpfs holding only read-only binds of the toolchain directories and a few files of
// /etc and /dev, the run directory and the command's writable directories, and a /proc of its own PID
// namespace; pivots into it; makes the tmpfs read-only; sets the resource limits; and runs the command in
// a further user namespace as uid 1000, which maps to an unprivileged id of the host: nobody (65534) when
// weft runs as root, else the user weft runs as. Having no capabilities in the namespace that owns the
// mounts, the command cannot undo any of it; it sees no host file outside what was bound, no host
// process, no network (only a loopback that is down) and no host socket (path sockets are not visible,
// abstract ones belong to the network namespace).

const (
	sandboxInitEnv = "WEFT_SANDBOX_INIT" // the JSON initConfig, for the re-executed init
	sandboxUID     = 1000                // the command's id inside its user namespace
	nobodyID       = 65534               // the host id of sandboxed commands when weft runs as root
)

// initConfig is what Run tells the init process.
type initConfig struct {
	Root     string   // an empty directory to mount the new root on
	Dir      string   // the run directory (writable)
	Writable []string // more writable directories
	ReadOnly []string // directories and files shown read-only
	Args     []string // the command; empty: only set up and exit 0 (the probe)
	Env      []string
	HostID   int   // the id that the command's uid and gid map to in the init's user namespace
	AS, FS   int64 // RLIMIT_AS and RLIMIT_FSIZE in bytes; 0: none
}

func init() {
	if v, ok := os.LookupEnv(sandboxInitEnv); ok {
		os.Exit(sandboxInit(v))
	}
}

// etcFiles are the files of /etc shown to compilers: the dynamic linker's cache and configuration and
// the alternatives links that toolchains resolve through. Nothing else of /etc (no passwd, no shadow).
var etcFiles = []string{"/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/alternatives"}

// devFiles are the device nodes shown in /dev.
var devFiles = []string{"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom"}

// systemDirs are shown read-only when they exist (or recreated as the symlinks they are).
var systemDirs = []string{"/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"}

// readOnlySet returns the host paths to show read-only for a command: the system directories, the
// toolchain roots of its PATH (a "bin" directory's parent: GOROOT, a Python prefix, a Rust toolchain),
// its extra ReadOnly paths, the /etc and /dev files; paths under one already shown are left out.
func readOnlySet(path, extra []string) []string {
	var out []string
	add := func(p string) {
		if p == "" || !filepath.IsAbs(p) {
			return
		}
		p = filepath.Clean(p)
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
		if p == "/" {
			return
		}
		if _, err := os.Lstat(p); err != nil {
			return
		}
		out = append(out, p)
	}
	for _, d := range systemDirs {
		if st, err := os.Lstat(d); err == nil && st.Mode()&fs.ModeSymlink == 0 {
			add(d)
		}
	}
	for _, d := range path {
		if filepath.Base(d) == "bin" {
			d = filepath.Dir(d)
		}
		add(d)
	}
	for _, p := range extra {
		add(p)
	}
	for _, p := range etcFiles {
		add(p)
	}
	if ms, _ := filepath.Glob("/etc/java-*"); len(ms) > 0 {
		for _, p := range ms {
			add(p)
		}
	}
	sort.Strings(out)
	var kept []string
	for _, p := range out {
		if n := len(kept); n > 0 && (p == kept[n-1] || strings.HasPrefix(p, kept[n-1]+"/")) {
			continue
		}
		kept = append(kept, p)
	}
	return append(kept, devFiles...)
}

// probeNamespaces runs the init once with no command: it reports whether the guard can be set up here.
func probeNamespaces() error {
	root, err := os.MkdirTemp("", "weft-sandbox-root-")
	if err != nil {
		return err
	}
	defer os.Remove(root)
	dir, err := os.MkdirTemp("", "weft-sandbox-probe-")
	if err != nil {
		return err
	}
	defer os.Remove(dir)
	cmd, err := initCommand(initConfig{Root: root, Dir: dir, ReadOnly: readOnlySet(nil, nil)})
	if err != nil {
		return err
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		if s := strings.TrimSpace(stderr.String()); s != "" {
			return fmt.Errorf("%v: %s", err, oneLineOf(s))
		}
		return err
	}
	return nil
}

func oneLineOf(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// initCommand returns the command that starts the init process with cfg, in its namespaces.
func initCommand(cfg initConfig) (*exec.Cmd, error) {
	if os.Geteuid() == 0 {
		cfg.HostID = nobodyID
	}
	b, err := json.Marshal(cfg)
	if err != nil {
		return nil, err
	}
	// /proc/self/exe is the running program even when its file was replaced or removed since.
	cmd := exec.Command("/proc/self/exe")
	cmd.Env = []string{sandboxInitEnv + "=" + string(b)}
	attr := &syscall.SysProcAttr{
		Cloneflags: syscall.CLONE_NEWNS | syscall.CLONE_NEWPID | syscall.CLONE_NEWNET | syscall.CLONE_NEWIPC |
			syscall.CLONE_NEWUTS,
		Setpgid: true,
	}
	if os.Geteuid() != 0 {
		// Root of a user namespace of its own, mapped to us: enough to mount in its mount namespace.
		attr.Cloneflags |= syscall.CLONE_NEWUSER
		attr.UidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Geteuid(), Size: 1}}
		attr.GidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getegid(), Size: 1}}
		attr.GidMappingsEnableSetgroups = false
	}
	cmd.SysProcAttr = attr
	return cmd, nil
}

// chownOnce gives directory trees to the unprivileged id the commands run as when weft is root (they are
// created by root); each writable directory once per process, the run directory on every run.
var chowned sync.Map

func chownTree(dir string, always bool) error {
	if os.Geteuid() != 0 {
		return nil
	}
	if !always {
		if _, done := chowned.LoadOrStore(dir, true); done {
			return nil
		}
	}
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, nobodyID, nobodyID)
	})
}

// sandboxInit is the init process: it builds the new root, pivots into it and runs the command (see the
// comment at the top of this file). It returns the command's exit status (128+signal when killed), or
// 125 with a line on stderr when the guard could not be set up.
func sandboxInit(raw string) int {
	os.Unsetenv(sandboxInitEnv)
	var cfg initConfig
	if err := json.Unmarshal([]byte(raw), &cfg); err != nil {
		return initFail("config: %v", err)
	}
	if err := buildRoot(cfg); err != nil {
		return initFail("%v", err)
	}
	if len(cfg.Args) == 0 {
		return 0
	}
	if cfg.AS > 0 {
		if err := syscall.Setrlimit(syscall.RLIMIT_AS, &syscall.Rlimit{Cur: uint64(cfg.AS), Max: uint64(cfg.AS)}); err != nil {
			return initFail("RLIMIT_AS: %v", err)
		}
	}
	if cfg.FS > 0 {
		if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: uint64(cfg.FS), Max: uint64(cfg.FS)}); err != nil {
			return initFail("RLIMIT_FSIZE: %v", err)
		}
	}
	if os.Geteuid() == 0 && cfg.HostID != 0 {
		// Host root's supplementary groups must not follow the command into its namespace.
		if err := syscall.Setgroups(nil); err != nil {
			return initFail("setgroups: %v", err)
		}
	}
	cmd := exec.Command(cfg.Args[0], cfg.Args[1:]...)
	cmd.Env = cfg.Env
	cmd.Dir = cfg.Dir
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags:                 syscall.CLONE_NEWUSER,
		UidMappings:                []syscall.SysProcIDMap{{ContainerID: sandboxUID, HostID: cfg.HostID, Size: 1}},
		GidMappings:                []syscall.SysProcIDMap{{ContainerID: sandboxUID, HostID: cfg.HostID, Size: 1}},
		GidMappingsEnableSetgroups: false,
		Credential:                 &syscall.Credential{Uid: sandboxUID, Gid: sandboxUID, NoSetGroups: true},
	}
	err := cmd.Run()
	if cmd.ProcessState == nil {
		return initFail("start %s: %v", cfg.Args[0], err)
	}
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return cmd.ProcessState.ExitCode()
}

func initFail(format string, args ...any) int {
	fmt.Fprintf(os.Stderr, "sandbox: "+format+"\n", args...)
	return 125
}

// buildRoot makes cfg.Root the root of the mount namespace with only what the command may see.
func buildRoot(cfg initConfig) error {
	if err := syscall.Mount("", "/", "", syscall.MS_REC|syscall.MS_PRIVATE, ""); err != nil {
		return fmt.Errorf("make mounts private: %w", err)
	}
	root := cfg.Root
	if err := syscall.Mount("tmpfs", root, "tmpfs", syscall.MS_NOSUID|syscall.MS_NODEV, "mode=0755,size=1m"); err != nil {
		return fmt.Errorf("tmpfs root: %w", err)
	}
	for _, d := range systemDirs {
		if t, err := os.Readlink(d); err == nil { // merged /usr: /bin -> usr/bin
			if err := os.Symlink(t, filepath.Join(root, d)); err != nil {
				return err
			}
		}
	}
	for _, p := range cfg.ReadOnly {
		// Device nodes stay writable (writing /dev/null is how programs discard output).
		if err := bind(p, filepath.Join(root, p), !strings.HasPrefix(p, "/dev/")); err != nil {
			return err
		}
	}
	for _, p := range append([]string{cfg.Dir}, cfg.Writable...) {
		if err := bind(p, filepath.Join(root, p), false); err != nil {
			return err
		}
	}
	for _, d := range []string{"/tmp", "/proc"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			return err
		}
	}
	if err := syscall.Mount("proc", filepath.Join(root, "proc"), "proc",
		syscall.MS_NOSUID|syscall.MS_NODEV|syscall.MS_NOEXEC, ""); err != nil {
		return fmt.Errorf("mount /proc: %w", err)
	}
	old := filepath.Join(root, ".old")
	if err := os.Mkdir(old, 0o700); err != nil {
		return err
	}
	if err := syscall.PivotRoot(root, old); err != nil {
		return fmt.Errorf("pivot_root: %w", err)
	}
	if err := os.Chdir("/"); err != nil {
		return err
	}
	if err := syscall.Unmount("/.old", syscall.MNT_DETACH); err != nil {
		return fmt.Errorf("detach the old root: %w", err)
	}
	if err := os.Remove("/.old"); err != nil {
		return err
	}
	if err := syscall.Mount("", "/", "", syscall.MS_REMOUNT|syscall.MS_BIND|syscall.MS_RDONLY|syscall.MS_NOSUID|syscall.MS_NODEV, ""); err != nil {
		return fmt.Errorf("read-only root: %w", err)
	}
	return os.Chdir(cfg.Dir)
}

// bind shows host path src at dst (inside the new root), read-only when ro, keeping the flags of the
// mount src is on (a user namespace may not drop nosuid, nodev or noexec from a mount it did not make).
func bind(src, dst string, ro bool) error {
	st, err := os.Stat(src)
	if err != nil {
		return err
	}
	if st.IsDir() {
		err = os.MkdirAll(dst, 0o755)
	} else {
		if err = os.MkdirAll(filepath.Dir(dst), 0o755); err == nil {
			var f *os.File
			if f, err = os.OpenFile(dst, os.O_CREATE|os.O_WRONLY, 0o644); err == nil {
				err = f.Close()
			}
		}
	}
	if err != nil {
		return fmt.Errorf("mount point for %s: %w", src, err)
	}
	if err := syscall.Mount(src, dst, "", syscall.MS_BIND|syscall.MS_REC, ""); err != nil {
		return fmt.Errorf("bind %s: %w", src, err)
	}
	var sfs syscall.Statfs_t
	if err := syscall.Statfs(src, &sfs); err != nil {
		return fmt.Errorf("statfs %s: %w", src, err)
	}
	flags := uintptr(syscall.MS_BIND | syscall.MS_REMOUNT | syscall.MS_NOSUID)
	for _, f := range []struct{ st, ms uintptr }{
		{0x4, syscall.MS_NODEV}, {0x8, syscall.MS_NOEXEC}, {0x400, syscall.MS_NOATIME},
		{0x800, syscall.MS_NODIRATIME}, {0x1000, syscall.MS_RELATIME},
	} {
		if uintptr(sfs.Flags)&f.st != 0 {
			flags |= f.ms
		}
	}
	if ro || sfs.Flags&0x1 != 0 {
		flags |= syscall.MS_RDONLY
	}
	if err := syscall.Mount("", dst, "", flags, ""); err != nil {
		return fmt.Errorf("remount %s: %w", src, err)
	}
	return nil
}

// guardedCommand returns the command that runs c (its program resolved to prog) inside the guard, and a
// function to call once it ended.
func guardedCommand(c Cmd, lim Limits, prog string, env []string) (*exec.Cmd, func(), error) {
	if err := chownTree(c.Dir, true); err != nil {
		return nil, nil, err
	}
	for _, w := range c.Writable {
		if err := chownTree(w, false); err != nil {
			return nil, nil, err
		}
	}
	root, err := os.MkdirTemp("", "weft-sandbox-root-")
	if err != nil {
		return nil, nil, err
	}
	cfg := initConfig{
		Root: root, Dir: c.Dir, Writable: c.Writable, ReadOnly: readOnlySet(c.Path, c.ReadOnly),
		Args: append([]string{prog}, c.Args[1:]...), Env: env, AS: lim.MemoryBytes, FS: lim.FileBytes,
	}
	cmd, err := initCommand(cfg)
	if err != nil {
		os.Remove(root)
		return nil, nil, err
	}
	return cmd, func() { os.Remove(root) }, nil
}

// errNoNamespaces is returned by Run where the guard cannot be set up.
var errNoNamespaces = errors.New("namespaces unavailable, so nothing is run")
