package lsptest

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// Process is a language server running as a subprocess, with a Client on
// its stdio.
type Process struct {
	*Client
	cmd    *exec.Cmd
	stderr *syncBuffer
	exited chan struct{}
	code   int
}

// StartProcess starts cmd (its Stdin, Stdout and Stderr must be unset) and
// connects a Client to its stdin/stdout; its stderr is kept for Stderr. The
// process is killed at the end of the test if it is still running.
func StartProcess(t testing.TB, cmd *exec.Cmd) *Process {
	t.Helper()
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	// Not cmd.StdoutPipe: Wait closes that as soon as the process exits,
	// which can drop its last messages before the client has read them.
	// This pipe's read end ends with EOF once the process is gone.
	stdout, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout = w
	p := &Process{cmd: cmd, stderr: &syncBuffer{}, exited: make(chan struct{})}
	cmd.Stderr = p.stderr
	if cmd.WaitDelay == 0 {
		// Bound Wait should a child of the server hold stderr open.
		cmd.WaitDelay = 5 * time.Second
	}
	err = cmd.Start()
	w.Close()
	if err != nil {
		stdout.Close()
		t.Fatalf("start %s: %v", cmd.Path, err)
	}
	p.Client = NewClient(t, stdout, stdin)
	go func() {
		err := cmd.Wait()
		var ee *exec.ExitError
		switch {
		case errors.As(err, &ee):
			p.code = ee.ExitCode()
		case err != nil:
			p.code = -1
		}
		close(p.exited)
	}()
	t.Cleanup(func() {
		stdin.Close()
		cmd.Process.Kill()
		<-p.exited
		p.Client.Close()
		stdout.Close()
	})
	return p
}

// Wait waits up to timeout for the process to exit and returns its exit
// code (-1 when it died of a signal). On timeout it kills the process and
// fails the test, showing its stderr.
func (p *Process) Wait(timeout time.Duration) int {
	p.t.Helper()
	select {
	case <-p.exited:
		return p.code
	case <-time.After(timeout):
		p.cmd.Process.Kill()
		<-p.exited
		p.t.Fatalf("%s did not exit within %v; stderr:\n%s", p.cmd.Path, timeout, p.Stderr())
		return -1
	}
}

// Exited is closed when the process has exited.
func (p *Process) Exited() <-chan struct{} { return p.exited }

// Pid is the process's id (to read its /proc entry: memory, threads).
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// Stderr is what the process wrote to stderr so far.
func (p *Process) Stderr() string { return p.stderr.String() }

// syncBuffer is a strings.Builder safe for the writer goroutine exec starts
// and a reading test.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
