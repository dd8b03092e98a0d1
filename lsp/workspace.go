package lsp

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync"
)

// workspace holds the folders the client declared (initialize's workspaceFolders, else its rootUri or
// rootPath; workspace/didChangeWorkspaceFolders afterwards). weft reads files beside a document only
// inside them: a client that declared none gets no file read on its behalf, and a document at
// /etc/x.conf does not make weft read /etc.
type workspace struct {
	mu    sync.Mutex
	roots []string // cleaned absolute paths, symlinks resolved
}

// fileURIPath returns the local path of a file:// URI (filePath), cleaned. A URI whose path has a "."
// or ".." segment once unescaped (file:///ws/%2e%2e/etc) is refused rather than cleaned: it names a
// place by way of another, and clients send canonical URIs. So is a URI naming another host.
func fileURIPath(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "file" {
		return "", fmt.Errorf("not a file URI: %q", raw)
	}
	if u.Host != "" && u.Host != "localhost" {
		return "", fmt.Errorf("file URI %q names another host", raw)
	}
	p := filePath(raw)
	if p == "" || !filepath.IsAbs(p) || strings.ContainsRune(p, 0) {
		return "", fmt.Errorf("file URI %q has no absolute path", raw)
	}
	for _, seg := range strings.FieldsFunc(filepath.ToSlash(p), func(r rune) bool { return r == '/' }) {
		if seg == "." || seg == ".." {
			return "", fmt.Errorf("file URI %q escapes through %q", raw, seg)
		}
	}
	return filepath.Clean(p), nil
}

// realPath resolves the symlinks of p's longest existing prefix, so a link inside a folder cannot lead
// out of it.
func realPath(p string) string {
	rest := ""
	for q := p; ; q = filepath.Dir(q) {
		if r, err := filepath.EvalSymlinks(q); err == nil {
			return filepath.Join(r, rest)
		}
		if q == filepath.Dir(q) {
			return p
		}
		rest = filepath.Join(filepath.Base(q), rest)
	}
}

// declare sets the folders from initialize's params.
func (w *workspace) declare(params []byte) {
	var p struct {
		WorkspaceFolders []struct {
			URI string `json:"uri"`
		} `json:"workspaceFolders"`
		RootURI  *string `json:"rootUri"`
		RootPath *string `json:"rootPath"`
	}
	_ = json.Unmarshal(params, &p) // the params decoded already; fields of the wrong type declare nothing
	var roots []string
	for _, f := range p.WorkspaceFolders {
		if r, err := fileURIPath(f.URI); err == nil {
			roots = append(roots, realPath(r))
		}
	}
	if len(p.WorkspaceFolders) == 0 {
		switch {
		case p.RootURI != nil && *p.RootURI != "":
			if r, err := fileURIPath(*p.RootURI); err == nil {
				roots = append(roots, realPath(r))
			}
		case p.RootPath != nil && filepath.IsAbs(*p.RootPath):
			roots = append(roots, realPath(filepath.Clean(*p.RootPath)))
		}
	}
	w.mu.Lock()
	w.roots = roots
	w.mu.Unlock()
}

// change applies workspace/didChangeWorkspaceFolders.
func (w *workspace) change(params []byte) error {
	var p struct {
		Event struct {
			Added, Removed []struct {
				URI string `json:"uri"`
			}
		} `json:"event"`
	}
	if err := json.Unmarshal(params, &p); err != nil {
		return fmt.Errorf("workspace folders: %w", err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	var errs []error
	for _, f := range p.Event.Removed {
		if r, err := fileURIPath(f.URI); err == nil {
			w.roots = slices.DeleteFunc(w.roots, func(s string) bool { return s == realPath(r) })
		}
	}
	for _, f := range p.Event.Added {
		r, err := fileURIPath(f.URI)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if r = realPath(r); !slices.Contains(w.roots, r) {
			w.roots = append(w.roots, r)
		}
	}
	return errors.Join(errs...)
}

// readPath returns the path of document uri when files beside it may be read: a file URI that does
// not escape, inside a declared folder once cleaned and its symlinks resolved; else "".
func (w *workspace) readPath(uri string) string {
	p, err := fileURIPath(uri)
	if err != nil {
		return ""
	}
	real := realPath(p)
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, r := range w.roots {
		if rel, err := filepath.Rel(r, real); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return p
		}
	}
	return ""
}
