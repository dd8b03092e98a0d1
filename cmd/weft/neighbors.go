package main

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/weft-dev/weft/complete"
)

// dirNeighbors reads, for the completion engine's document cache (complete.Config.Neighbors), the
// files beside a document: same directory, same extension, nearest by name first (as the engine ranks
// them). Texts are kept while a file's size and modification time stay the same, so a keystroke costs
// one directory listing and a few stats.
type dirNeighbors struct {
	mu    sync.Mutex
	files map[string]dirFile
}

type dirFile struct {
	size int64
	mod  time.Time
	text []byte // nil: not a text file
}

// Bounds on what is read: more than the engine keeps (it keeps about 32 KB), few files, no huge ones.
const (
	neighborReadBytes = 96 << 10
	neighborReadFiles = 8
	neighborFileMax   = 512 << 10
	neighborMemoFiles = 64
)

func newDirNeighbors() *dirNeighbors { return &dirNeighbors{files: map[string]dirFile{}} }

// neighbors returns the files beside path; errors (an unreadable directory or file) leave files out.
func (d *dirNeighbors) neighbors(path string) []complete.Neighbor {
	dir, base := filepath.Split(path)
	ext := filepath.Ext(base)
	if ext == "" {
		return nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var names []string
	for _, e := range entries {
		if n := e.Name(); n != base && e.Type().IsRegular() && filepath.Ext(n) == ext && !strings.HasPrefix(n, ".") {
			names = append(names, n)
		}
	}
	complete.NearestFirst(base, names)
	var out []complete.Neighbor
	left := neighborReadBytes
	for _, n := range names {
		if left <= 0 || len(out) >= neighborReadFiles {
			break
		}
		p := filepath.Join(dir, n)
		if t := d.read(p); len(t) > 0 {
			out = append(out, complete.Neighbor{Path: filepath.ToSlash(p), Text: t})
			left -= len(t)
		}
	}
	return out
}

// read returns the text of the file at p, from memory when its size and modification time did not
// change; nil for a file that is too large, unreadable or not UTF-8.
func (d *dirNeighbors) read(p string) []byte {
	info, err := os.Stat(p)
	if err != nil || info.Size() > neighborFileMax {
		return nil
	}
	d.mu.Lock()
	f, ok := d.files[p]
	d.mu.Unlock()
	if ok && f.size == info.Size() && f.mod.Equal(info.ModTime()) {
		return f.text
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return nil
	}
	if !utf8.Valid(b) {
		b = nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.files) >= neighborMemoFiles {
		clear(d.files) // a new directory, most likely: start over
	}
	d.files[p] = dirFile{info.Size(), info.ModTime(), b}
	return b
}
