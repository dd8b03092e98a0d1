package lsp

import (
	"os"
	"path/filepath"
	"testing"
)

func TestFileURIPath(t *testing.T) {
	tests := []struct {
		uri, want string // want "" for refused
	}{
		{"file:///home/u/ws/a.go", "/home/u/ws/a.go"},
		{"file:///home/u/ws/caf%C3%A9.go", "/home/u/ws/café.go"},
		{"file://localhost/home/u/a.go", "/home/u/a.go"},
		{"file:///home/u/ws/%2e%2e/%2e%2e/etc/zz.conf", ""},
		{"file:///home/u/ws/../../etc/zz.conf", ""},
		{"file:///home/u/ws/%2E%2E/x", ""},
		{"file:///home/u/ws/./a.go", ""},
		{"file://evil.example/etc/passwd", ""},
		{"untitled:Untitled-1", ""},
		{"file:relative/a.go", ""},
		{"file:///a%00b", ""},
		{"file:///home/u/ws//a.go", "/home/u/ws/a.go"},
	}
	for _, tc := range tests {
		got, err := fileURIPath(tc.uri)
		if tc.want == "" && err == nil || tc.want != "" && got != tc.want {
			t.Errorf("fileURIPath(%q) = %q, %v; want %q", tc.uri, got, err, tc.want)
		}
	}
}

// TestWorkspaceReadPath: files beside a document are readable only inside the declared folders.
func TestWorkspaceReadPath(t *testing.T) {
	base := t.TempDir()
	ws := filepath.Join(base, "ws")
	other := filepath.Join(base, "other")
	for _, d := range []string{filepath.Join(ws, "pkg"), other} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(other, filepath.Join(ws, "link")); err != nil {
		t.Fatal(err)
	}
	uri := func(p string) string { return "file://" + filepath.ToSlash(p) }

	var none workspace
	none.declare([]byte(`{"processId":null,"rootUri":null,"capabilities":{}}`))
	if p := none.readPath(uri(filepath.Join(ws, "a.go"))); p != "" {
		t.Errorf("no folders declared: readPath = %q, want none", p)
	}

	var w workspace
	w.declare([]byte(`{"rootUri":null,"workspaceFolders":[{"uri":"` + uri(ws) + `","name":"ws"}]}`))
	tests := []struct {
		doc  string
		want bool
	}{
		{uri(filepath.Join(ws, "a.go")), true},
		{uri(filepath.Join(ws, "pkg", "b.go")), true},
		{uri(filepath.Join(other, "c.go")), false},
		{"file:///etc/zz.conf", false},
		{uri(ws) + "/%2e%2e/other/c.go", false},
		{uri(filepath.Join(ws, "link", "c.go")), false}, // a symlink out of the folder
		{uri(ws + "2/x.go"), false},                     // a sibling sharing the prefix
	}
	for _, tc := range tests {
		if got := w.readPath(tc.doc) != ""; got != tc.want {
			t.Errorf("readPath(%q) allowed = %v, want %v", tc.doc, got, tc.want)
		}
	}
	// rootUri alone declares one folder; didChangeWorkspaceFolders moves them.
	var r workspace
	r.declare([]byte(`{"rootUri":"` + uri(other) + `"}`))
	if r.readPath(uri(filepath.Join(other, "c.go"))) == "" {
		t.Error("rootUri did not declare its folder")
	}
	if err := r.change([]byte(`{"event":{"added":[{"uri":"` + uri(ws) + `","name":"ws"}],"removed":[{"uri":"` + uri(other) + `","name":"o"}]}}`)); err != nil {
		t.Fatal(err)
	}
	if r.readPath(uri(filepath.Join(other, "c.go"))) != "" || r.readPath(uri(filepath.Join(ws, "a.go"))) == "" {
		t.Error("didChangeWorkspaceFolders not applied")
	}
}
