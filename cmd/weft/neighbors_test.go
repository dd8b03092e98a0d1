package main

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func TestDirNeighbors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("dgemm.go", "package p // self")
	write("dgemv.go", "package p // v")
	write("daxpy.go", "package p // axpy")
	write("notes.txt", "not Go")
	write(".hidden.go", "package p")
	write("latin1.go", "package p // caf\xe9")
	if err := os.Mkdir(filepath.Join(dir, "sub.go"), 0o755); err != nil {
		t.Fatal(err)
	}
	d := newDirNeighbors()
	texts := func() []string {
		var out []string
		for _, n := range d.neighbors(filepath.Join(dir, "dgemm.go")) {
			out = append(out, filepath.Base(n.Path)+": "+string(n.Text))
		}
		return out
	}
	want := []string{"dgemv.go: package p // v", "daxpy.go: package p // axpy"}
	if got := texts(); !slices.Equal(got, want) {
		t.Errorf("neighbors = %q, want %q", got, want)
	}
	// A changed file is read again (its size and modification time differ).
	write("dgemv.go", "package p // changed")
	later := time.Now().Add(time.Minute)
	if err := os.Chtimes(filepath.Join(dir, "dgemv.go"), later, later); err != nil {
		t.Fatal(err)
	}
	if got := texts(); len(got) == 0 || got[0] != "dgemv.go: package p // changed" {
		t.Errorf("after a change: %q", got)
	}
	if got := d.neighbors(filepath.Join(dir, "missing", "a.go")); got != nil {
		t.Errorf("unreadable directory: %q", got)
	}
	if got := d.neighbors(filepath.Join(dir, "Makefile")); got != nil {
		t.Errorf("no extension: %q", got)
	}
}
