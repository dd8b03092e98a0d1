package lsp

import (
	"runtime"
	"testing"
)

func TestFilePath(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the cases below are Unix paths")
	}
	tests := []struct{ uri, want string }{
		{"file:///home/u/p/a.go", "/home/u/p/a.go"},
		{"file:///a%20b/c%23d.go", "/a b/c#d.go"},
		{"file://localhost/x/y.py", "/x/y.py"},
		{"untitled:Untitled-1", ""},
		{"https://example.com/a.go", ""},
		{"file://", ""},
		{"%zz", ""},
	}
	for _, tt := range tests {
		if got := filePath(tt.uri); got != tt.want {
			t.Errorf("filePath(%q) = %q, want %q", tt.uri, got, tt.want)
		}
	}
}
