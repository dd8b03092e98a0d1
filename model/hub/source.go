package hub

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// DefaultEndpoint is the Hugging Face hub; HF_ENDPOINT replaces it (a mirror).
const DefaultEndpoint = "https://huggingface.co"

// Source is a resolved download: where to fetch and what to call the file in the cache.
type Source struct {
	URL    string // absolute http(s) URL
	Name   string // file name in the cache
	SHA256 string // expected checksum (lower-case hex) when known before the download, else ""
	// Entry is the catalogue entry the source came from, if any.
	Entry *Entry
}

// Resolve turns a catalogue name, "hf:ORG/REPO/FILE.gguf" or an http(s) URL into a Source.
// endpoint is the hub's base URL ("" means DefaultEndpoint).
func Resolve(source, endpoint string) (Source, error) {
	if endpoint == "" {
		endpoint = DefaultEndpoint
	}
	endpoint = strings.TrimRight(endpoint, "/")
	switch {
	case strings.HasPrefix(source, "http://") || strings.HasPrefix(source, "https://"):
		u, err := url.Parse(source)
		if err != nil {
			return Source{}, fmt.Errorf("hub: %q: %w", source, err)
		}
		name := path.Base(u.Path)
		if name == "" || name == "/" || name == "." {
			return Source{}, fmt.Errorf("hub: %q names no file", source)
		}
		if err := checkName(name); err != nil {
			return Source{}, err
		}
		return Source{URL: source, Name: name}, nil
	case strings.HasPrefix(source, "hf:"):
		parts := strings.Split(strings.TrimPrefix(source, "hf:"), "/")
		if len(parts) < 3 || parts[0] == "" || parts[1] == "" || parts[len(parts)-1] == "" {
			return Source{}, fmt.Errorf("hub: %q: want hf:ORG/REPO/FILE.gguf", source)
		}
		repo, file := parts[0]+"/"+parts[1], strings.Join(parts[2:], "/")
		name := path.Base(file)
		if err := checkName(name); err != nil {
			return Source{}, err
		}
		return Source{URL: hfURL(endpoint, repo, file), Name: name}, nil
	}
	e, ok := Lookup(source)
	if !ok {
		return Source{}, fmt.Errorf("hub: %q is not a catalogue name (%s), hf:ORG/REPO/FILE.gguf or an http(s) URL",
			source, strings.Join(Names(), ", "))
	}
	return Source{URL: hfURL(endpoint, e.Repo, e.File), Name: e.File, SHA256: e.SHA256, Entry: &e}, nil
}

func hfURL(endpoint, repo, file string) string {
	return endpoint + "/" + repo + "/resolve/main/" + file
}

// checkName refuses cache names that could escape the cache directory or collide with its
// partial files.
func checkName(name string) error {
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, `/\`) || strings.HasPrefix(name, ".") {
		return fmt.Errorf("hub: %q is not a usable file name", name)
	}
	if strings.HasSuffix(name, partialSuffix) {
		return fmt.Errorf("hub: %q ends in %s", name, partialSuffix)
	}
	return nil
}

// CacheDir is the model cache: $WEFT_MODELS, else $XDG_CACHE_HOME/weft/models, else
// ~/.cache/weft/models (os.UserCacheDir's choice on other systems). getenv is os.Getenv
// in the CLI and a map in tests.
func CacheDir(getenv func(string) string) (string, error) {
	if d := getenv("WEFT_MODELS"); d != "" {
		return d, nil
	}
	if d := getenv("XDG_CACHE_HOME"); d != "" {
		return filepath.Join(d, "weft", "models"), nil
	}
	if h := getenv("HOME"); h != "" {
		return filepath.Join(h, ".cache", "weft", "models"), nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("hub: no cache directory (set WEFT_MODELS): %w", err)
	}
	return filepath.Join(d, "weft", "models"), nil
}

// ErrNotFound is returned by Find when a name is neither a file, a cached file nor a
// downloaded catalogue entry.
var ErrNotFound = errors.New("model not found")

// Find resolves what --model or the modelPath setting names: an existing path, a file in the
// cache (by its file name, with or without ".gguf"), or a catalogue name whose file is cached.
func Find(dir, name string) (string, error) {
	if st, err := os.Stat(name); err == nil && !st.IsDir() {
		return name, nil
	}
	if dir != "" && checkName(name) == nil {
		for _, n := range []string{name, name + ".gguf"} {
			p := filepath.Join(dir, n)
			if st, err := os.Stat(p); err == nil && !st.IsDir() {
				return p, nil
			}
		}
	}
	if e, ok := Lookup(name); ok {
		p := filepath.Join(dir, e.File)
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, nil
		}
		return "", fmt.Errorf("%w: %s is in the catalogue but not downloaded (run: weft model pull %s)", ErrNotFound, e.Name, e.Name)
	}
	return "", fmt.Errorf("%w: %q is not a file, a cached model in %s, or a catalogue name (weft model list; weft model pull NAME)", ErrNotFound, name, dir)
}
