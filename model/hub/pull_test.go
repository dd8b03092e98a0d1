package hub

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeModel is a file that starts like a GGUF file.
func fakeModel(n int) []byte {
	b := make([]byte, n)
	copy(b, "GGUF")
	for i := 4; i < n; i++ {
		b[i] = byte(i*7 + i>>8)
	}
	return b
}

func sum(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

// server serves body with Range support; fault decides, per request number (from 0), what
// goes wrong.
type server struct {
	mu       sync.Mutex
	body     []byte
	requests int
	ranges   []string
	linked   string // X-Linked-Etag sent on the redirect, "" for none
	fault    func(n int, w http.ResponseWriter, r *http.Request) bool
}

func (s *server) handler() http.Handler {
	mux := http.NewServeMux()
	// The hub's shape: /resolve/ redirects to storage and carries the LFS checksum.
	mux.HandleFunc("/org/repo/resolve/main/", func(w http.ResponseWriter, r *http.Request) {
		if s.linked != "" {
			w.Header().Set("X-Linked-Etag", `"`+s.linked+`"`)
		}
		http.Redirect(w, r, "/storage/"+filepath.Base(r.URL.Path), http.StatusFound)
	})
	serve := func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		n := s.requests
		s.requests++
		s.ranges = append(s.ranges, r.Header.Get("Range"))
		s.mu.Unlock()
		if s.fault != nil && s.fault(n, w, r) {
			return
		}
		http.ServeContent(w, r, "m.gguf", time.Time{}, bytes.NewReader(s.body))
	}
	mux.HandleFunc("/storage/", serve)
	mux.HandleFunc("/m.gguf", serve)
	return mux
}

// cut serves the requested range's first `keep` bytes and then breaks the connection.
func cut(s *server, keep int) func(int, http.ResponseWriter, *http.Request) {
	return func(_ int, w http.ResponseWriter, r *http.Request) {
		start := 0
		if v := r.Header.Get("Range"); v != "" {
			start, _ = strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(v, "bytes="), "-"))
		}
		rest := s.body[start:]
		if start > 0 {
			w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", start, len(s.body)-1, len(s.body)))
			w.Header().Set("Content-Length", strconv.Itoa(len(rest)))
			w.WriteHeader(http.StatusPartialContent)
		} else {
			w.Header().Set("Content-Length", strconv.Itoa(len(rest)))
			w.WriteHeader(http.StatusOK)
		}
		w.Write(rest[:min(keep, len(rest))])
		// Returning with fewer bytes than Content-Length makes net/http close the connection.
	}
}

func testClient() *Client {
	return &Client{Backoff: time.Millisecond, Stall: 2 * time.Second}
}

func TestPull(t *testing.T) {
	body := fakeModel(1 << 20)
	good := sum(body)
	tests := []struct {
		name    string
		path    string // URL path on the server
		want    string // --sha256
		linked  string
		fault   func(s *server) func(int, http.ResponseWriter, *http.Request) bool
		wantErr string // substring; "" for success
		// minRequests is the least number of storage requests the case must have made.
		minRequests int
		resumed     bool // a request with a Range header must have been made
		verified    string
	}{
		{name: "plain", path: "/m.gguf", want: good, minRequests: 1, verified: "--sha256"},
		{name: "no checksum", path: "/m.gguf", minRequests: 1, verified: ""},
		{name: "hub lfs checksum", path: "/org/repo/resolve/main/m.gguf", linked: good, minRequests: 1, verified: "hub (LFS)"},
		{name: "hub lfs checksum wrong", path: "/org/repo/resolve/main/m.gguf", linked: strings.Repeat("ab", 32),
			wantErr: "checksum mismatch", minRequests: 2},
		{name: "flag wins over hub", path: "/org/repo/resolve/main/m.gguf", linked: strings.Repeat("ab", 32), want: good,
			minRequests: 1, verified: "--sha256"},
		{name: "cut twice then resume", path: "/m.gguf", want: good, minRequests: 3, resumed: true, verified: "--sha256",
			fault: func(s *server) func(int, http.ResponseWriter, *http.Request) bool {
				c := cut(s, 300_000)
				return func(n int, w http.ResponseWriter, r *http.Request) bool {
					if n < 2 {
						c(n, w, r)
						return true
					}
					return false
				}
			}},
		{name: "every response cut", path: "/m.gguf", want: good, minRequests: 10, resumed: true, verified: "--sha256",
			fault: func(s *server) func(int, http.ResponseWriter, *http.Request) bool {
				c := cut(s, 100_000)
				return func(n int, w http.ResponseWriter, r *http.Request) bool {
					c(n, w, r)
					return true
				}
			}},
		{name: "500 then ok", path: "/m.gguf", want: good, minRequests: 3, verified: "--sha256",
			fault: func(s *server) func(int, http.ResponseWriter, *http.Request) bool {
				return func(n int, w http.ResponseWriter, r *http.Request) bool {
					if n < 2 {
						http.Error(w, "busy", http.StatusInternalServerError)
						return true
					}
					return false
				}
			}},
		{name: "500 always", path: "/m.gguf", want: good, wantErr: "500", minRequests: 4,
			fault: func(s *server) func(int, http.ResponseWriter, *http.Request) bool {
				return func(n int, w http.ResponseWriter, r *http.Request) bool {
					http.Error(w, "down", http.StatusInternalServerError)
					return true
				}
			}},
		{name: "404", path: "/missing.gguf", want: good, wantErr: "404", minRequests: 0},
		{name: "401 gated", path: "/m.gguf", wantErr: "HF_TOKEN", minRequests: 1,
			fault: func(s *server) func(int, http.ResponseWriter, *http.Request) bool {
				return func(n int, w http.ResponseWriter, r *http.Request) bool {
					http.Error(w, "gated", http.StatusUnauthorized)
					return true
				}
			}},
		{name: "wrong checksum", path: "/m.gguf", want: strings.Repeat("0", 64), wantErr: "checksum mismatch", minRequests: 2},
		{name: "corrupt once, clean retry", path: "/m.gguf", want: good, minRequests: 2, verified: "--sha256",
			fault: func(s *server) func(int, http.ResponseWriter, *http.Request) bool {
				return func(n int, w http.ResponseWriter, r *http.Request) bool {
					if n == 0 {
						bad := append([]byte(nil), s.body...)
						bad[len(bad)/2] ^= 1
						http.ServeContent(w, r, "m.gguf", time.Time{}, bytes.NewReader(bad))
						return true
					}
					return false
				}
			}},
		{name: "not gguf", path: "/m.gguf", wantErr: "not a GGUF file", minRequests: 1,
			fault: func(s *server) func(int, http.ResponseWriter, *http.Request) bool {
				return func(n int, w http.ResponseWriter, r *http.Request) bool {
					w.Write([]byte("<html>sign in</html>"))
					return true
				}
			}},
		{name: "stalled server", path: "/m.gguf", want: good, minRequests: 2, resumed: true, verified: "--sha256",
			fault: func(s *server) func(int, http.ResponseWriter, *http.Request) bool {
				return func(n int, w http.ResponseWriter, r *http.Request) bool {
					if n == 0 {
						w.Header().Set("Content-Length", strconv.Itoa(len(s.body)))
						w.WriteHeader(http.StatusOK)
						w.Write(s.body[:1000])
						w.(http.Flusher).Flush()
						select { // hang until the client gives up
						case <-r.Context().Done():
						case <-time.After(10 * time.Second):
						}
						return true
					}
					return false
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &server{body: body, linked: tt.linked}
			if tt.fault != nil {
				s.fault = tt.fault(s)
			}
			ts := httptest.NewServer(s.handler())
			defer ts.Close()
			dir := t.TempDir()
			src, err := Resolve(ts.URL+tt.path, "")
			if err != nil {
				t.Fatal(err)
			}
			c := testClient()
			c.Stall = 300 * time.Millisecond
			res, err := c.Pull(context.Background(), src, dir, tt.want)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				// Nothing a later run could trust is left behind.
				ents, _ := os.ReadDir(dir)
				for _, e := range ents {
					if !strings.HasSuffix(e.Name(), partialSuffix) || tt.wantErr == "checksum mismatch" || tt.wantErr == "not a GGUF file" {
						t.Errorf("left %s in the cache", e.Name())
					}
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				got, err := os.ReadFile(res.Path)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, body) {
					t.Fatalf("downloaded %d bytes, differ from the served file", len(got))
				}
				if res.SHA256 != good || res.Verified != tt.verified {
					t.Errorf("result = %+v, want sha %s verified by %q", res, good[:8], tt.verified)
				}
				if _, err := os.Stat(res.Path + partialSuffix); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("partial file left: %v", err)
				}
			}
			if s.requests < tt.minRequests {
				t.Errorf("%d requests, want at least %d", s.requests, tt.minRequests)
			}
			if tt.resumed {
				ranged := false
				for _, r := range s.ranges {
					ranged = ranged || r != ""
				}
				if !ranged {
					t.Errorf("no Range request among %q", s.ranges)
				}
			}
		})
	}
}

// A second pull of a cached, verified file downloads nothing.
func TestPullCached(t *testing.T) {
	body := fakeModel(4096)
	s := &server{body: body}
	ts := httptest.NewServer(s.handler())
	defer ts.Close()
	dir := t.TempDir()
	src, _ := Resolve(ts.URL+"/m.gguf", "")
	c := testClient()
	if _, err := c.Pull(context.Background(), src, dir, sum(body)); err != nil {
		t.Fatal(err)
	}
	res, err := c.Pull(context.Background(), src, dir, sum(body))
	if err != nil || !res.Cached || s.requests != 1 {
		t.Fatalf("second pull: %+v, %v, %d requests", res, err, s.requests)
	}
	// A cached file that does not match the requested checksum is fetched again (and fails here).
	if _, err := c.Pull(context.Background(), src, dir, strings.Repeat("1", 64)); err == nil {
		t.Fatal("a mismatching checksum was accepted")
	}
}

// Cancelling the context stops a slow transfer promptly and keeps the partial file for a resume.
func TestPullCancel(t *testing.T) {
	body := fakeModel(1 << 20)
	s := &server{body: body, fault: func(n int, w http.ResponseWriter, r *http.Request) bool {
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(http.StatusOK)
		w.Write(body[:5000])
		w.(http.Flusher).Flush()
		<-r.Context().Done()
		return true
	}}
	ts := httptest.NewServer(s.handler())
	defer ts.Close()
	dir := t.TempDir()
	src, _ := Resolve(ts.URL+"/m.gguf", "")
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := testClient().Pull(ctx, src, dir, "")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want deadline exceeded", err)
	}
	if el := time.Since(start); el > 3*time.Second {
		t.Errorf("cancel took %v", el)
	}
	if _, err := os.Stat(filepath.Join(dir, "m.gguf")); !errors.Is(err, os.ErrNotExist) {
		t.Error("an unfinished download was put in place")
	}
	if st, err := os.Stat(filepath.Join(dir, "m.gguf"+partialSuffix)); err != nil || st.Size() != 5000 {
		t.Errorf("partial file: %v %v, want 5000 bytes kept for a resume", st, err)
	}
}

// The token goes to the hub and not to a storage host on another origin.
func TestPullToken(t *testing.T) {
	body := fakeModel(4096)
	var storageAuth, hubAuth string
	storage := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		storageAuth = r.Header.Get("Authorization")
		w.Write(body)
	}))
	defer storage.Close()
	hubSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hubAuth = r.Header.Get("Authorization")
		w.Header().Set("X-Linked-Etag", `"`+sum(body)+`"`)
		http.Redirect(w, r, storage.URL+"/blob", http.StatusFound)
	}))
	defer hubSrv.Close()
	src, err := Resolve("hf:org/repo/m.gguf", hubSrv.URL)
	if err != nil {
		t.Fatal(err)
	}
	c := testClient()
	c.Token = "secret"
	res, err := c.Pull(context.Background(), src, t.TempDir(), "")
	if err != nil {
		t.Fatal(err)
	}
	if hubAuth != "Bearer secret" || storageAuth != "" {
		t.Errorf("hub saw %q, storage saw %q", hubAuth, storageAuth)
	}
	if res.Verified != "hub (LFS)" {
		t.Errorf("verified by %q", res.Verified)
	}
}

func TestResolve(t *testing.T) {
	tests := []struct {
		in, url, name, err string
	}{
		{in: "qwen2.5-coder-1.5b-instruct", url: "https://huggingface.co/lmstudio-community/Qwen2.5-Coder-1.5B-Instruct-GGUF/resolve/main/Qwen2.5-Coder-1.5B-Instruct-Q4_K_M.gguf", name: "Qwen2.5-Coder-1.5B-Instruct-Q4_K_M.gguf"},
		{in: "hf:Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf", url: "https://huggingface.co/Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF/resolve/main/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf", name: "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"},
		{in: "https://example.com/a/b/m.gguf?download=1", url: "https://example.com/a/b/m.gguf?download=1", name: "m.gguf"},
		{in: "hf:org/m.gguf", err: "want hf:"},
		{in: "nonesuch", err: "not a catalogue name"},
		{in: "https://example.com/", err: "names no file"},
		{in: "https://example.com/x/..", err: "usable"},
	}
	for _, tt := range tests {
		src, err := Resolve(tt.in, "")
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("Resolve(%q) err = %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || src.URL != tt.url || src.Name != tt.name {
			t.Errorf("Resolve(%q) = %+v, %v", tt.in, src, err)
		}
	}
	// HF_ENDPOINT: a mirror replaces the hub's host.
	src, _ := Resolve("qwen2.5-coder-0.5b", "https://mirror.example/")
	if !strings.HasPrefix(src.URL, "https://mirror.example/lmstudio-community/") {
		t.Errorf("mirror URL %s", src.URL)
	}
}

func TestCacheDirFindListRemove(t *testing.T) {
	env := map[string]string{"HOME": "/h"}
	get := func(k string) string { return env[k] }
	if d, _ := CacheDir(get); d != "/h/.cache/weft/models" {
		t.Errorf("CacheDir = %s", d)
	}
	env["XDG_CACHE_HOME"] = "/x"
	if d, _ := CacheDir(get); d != "/x/weft/models" {
		t.Errorf("CacheDir = %s", d)
	}
	env["WEFT_MODELS"] = "/w"
	if d, _ := CacheDir(get); d != "/w" {
		t.Errorf("CacheDir = %s", d)
	}

	dir := t.TempDir()
	e, _ := Lookup("qwen2.5-coder-0.5b")
	os.WriteFile(filepath.Join(dir, e.File), []byte("GGUF"), 0o644)
	os.WriteFile(filepath.Join(dir, "other.gguf"), []byte("GGUF"), 0o644)
	os.WriteFile(filepath.Join(dir, "half.gguf"+partialSuffix), []byte("GG"), 0o644)
	for _, name := range []string{"qwen2.5-coder-0.5b", e.File, "other", "other.gguf"} {
		if p, err := Find(dir, name); err != nil || filepath.Dir(p) != dir {
			t.Errorf("Find(%q) = %s, %v", name, p, err)
		}
	}
	if _, err := Find(dir, "half.gguf"); err == nil {
		t.Error("Find returned an unfinished download")
	}
	if _, err := Find(dir, "qwen2.5-coder-7b"); err == nil || !strings.Contains(err.Error(), "weft model pull qwen2.5-coder-7b") {
		t.Errorf("Find of an entry not downloaded: %v", err)
	}
	list, err := List(dir)
	if err != nil || len(list) != 3 || list[0].Entry == nil || !list[1].Partial {
		t.Fatalf("List = %+v, %v", list, err)
	}
	if _, err := Remove(dir, "qwen2.5-coder-0.5b"); err != nil {
		t.Fatal(err)
	}
	if _, err := Remove(dir, "../etc/passwd"); err == nil {
		t.Error("Remove accepted a path")
	}
	if _, err := Remove(dir, "qwen2.5-coder-0.5b"); !errors.Is(err, ErrNotFound) {
		t.Errorf("second Remove: %v", err)
	}
}

// The catalogue's entries are well formed: unique names, .gguf files, base and instruct
// variants as the issue lists them.
func TestCatalogue(t *testing.T) {
	seen := map[string]bool{}
	for _, e := range Catalogue() {
		if seen[e.Name] {
			t.Errorf("duplicate %s", e.Name)
		}
		seen[e.Name] = true
		if !strings.HasSuffix(e.File, ".gguf") || strings.Count(e.Repo, "/") != 1 || e.Size <= 0 || e.RAM <= e.Size || e.Quant == "" {
			t.Errorf("malformed entry %+v", e)
		}
		if e.SHA256 != "" && !isHex64(e.SHA256) {
			t.Errorf("%s: bad checksum", e.Name)
		}
		if strings.HasSuffix(e.Name, "-instruct") != e.Instruct {
			t.Errorf("%s: Instruct = %v", e.Name, e.Instruct)
		}
	}
	for _, n := range []string{"qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b", "qwen2.5-coder-3b", "qwen2.5-coder-7b",
		"qwen2.5-coder-0.5b-instruct", "qwen2.5-coder-1.5b-instruct", "qwen2.5-coder-3b-instruct", "qwen2.5-coder-7b-instruct",
		"deepseek-coder-1.3b", "deepseek-coder-6.7b", "deepseek-coder-1.3b-instruct", "deepseek-coder-6.7b-instruct",
		"starcoder2-3b", "starcoder2-7b", "codegemma-2b"} {
		if !seen[n] {
			t.Errorf("catalogue lacks %s", n)
		}
	}
}
