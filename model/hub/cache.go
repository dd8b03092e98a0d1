package hub

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Cached is a file in the model cache.
type Cached struct {
	Name    string // file name
	Path    string
	Size    int64
	Entry   *Entry // the catalogue entry whose file this is, if any
	Partial bool   // an unfinished download (never used as a model)
}

// List returns the cache's files, sorted by name; unfinished downloads are listed with
// Partial set. A missing cache directory is an empty cache.
func List(dir string) ([]Cached, error) {
	des, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("hub: %w", err)
	}
	var out []Cached
	for _, de := range des {
		if de.IsDir() || strings.HasPrefix(de.Name(), ".") {
			continue
		}
		info, err := de.Info()
		if err != nil {
			continue
		}
		c := Cached{Name: de.Name(), Path: filepath.Join(dir, de.Name()), Size: info.Size()}
		if strings.HasSuffix(c.Name, partialSuffix) {
			c.Partial = true
		}
		for _, e := range catalogue {
			if e.File == strings.TrimSuffix(c.Name, partialSuffix) {
				e := e
				c.Entry = &e
				break
			}
		}
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Remove deletes a cached model, named by its file name or catalogue name, and any unfinished
// download of it. It returns the paths removed.
func Remove(dir, name string) ([]string, error) {
	file := name
	if e, ok := Lookup(name); ok {
		file = e.File
	}
	if err := checkName(file); err != nil {
		if !strings.HasSuffix(file, partialSuffix) {
			return nil, err
		}
		file = strings.TrimSuffix(file, partialSuffix)
	}
	var removed []string
	for _, n := range []string{file, file + ".gguf", file + partialSuffix, file + ".gguf" + partialSuffix} {
		p := filepath.Join(dir, n)
		if err := os.Remove(p); err == nil {
			removed = append(removed, p)
		} else if !errors.Is(err, os.ErrNotExist) {
			return removed, fmt.Errorf("hub: %w", err)
		}
	}
	if len(removed) == 0 {
		return nil, fmt.Errorf("%w: %q is not in the cache %s (weft model list)", ErrNotFound, name, dir)
	}
	return removed, nil
}
