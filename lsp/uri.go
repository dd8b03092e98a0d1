package lsp

import (
	"net/url"
	"path/filepath"
	"runtime"
)

// filePath returns the file path a file:// URI names, or "" for any other URI. Percent-escapes are
// decoded ("file:///a%20b/c.go" is "/a b/c.go"), and on Windows "file:///C:/x" is "C:\x". It is the
// one place weft turns a document URI into a path: the server converts at the door and the features
// are given paths.
func filePath(uri string) string {
	u, err := url.Parse(uri)
	if err != nil || u.Scheme != "file" || u.Path == "" {
		return ""
	}
	p := u.Path
	if runtime.GOOS == "windows" {
		if len(p) >= 3 && p[0] == '/' && p[2] == ':' {
			p = p[1:]
		}
		if u.Host != "" && u.Host != "localhost" {
			p = "//" + u.Host + p // a UNC path
		}
		return filepath.FromSlash(p)
	}
	return p
}
