package lsp

import (
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"
)

func TestFrameReader(t *testing.T) {
	in := "Content-Length: 2\r\n\r\n{}" +
		"garbage line\r\n\r\n" + // skipped
		"content-length: 3\r\nContent-Type: x\r\n\r\n[1]" + // case-insensitive, other headers ignored
		"X-Only: 1\r\n\r\n" + // a header block without length: skipped
		"Content-Length: 12\r\n\r\n0123456789ab" + // over the limit of 10: skipped, peeked
		"Content-Length: 1\n\n5" + // bare LF accepted
		"Content-Length: 5\r\n\r\n12" // truncated
	fr := newFrameReader(strings.NewReader(in), 10)
	type want struct {
		body    string
		skipped bool
		garbage bool
	}
	for i, w := range []want{{"{}", false, false}, {"[1]", false, true}, {"", true, true}, {"5", false, false}} {
		f, err := fr.next()
		if err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		if string(f.body) != w.body || f.skipped != w.skipped || (f.garbage > 0) != w.garbage {
			t.Errorf("frame %d = body %q skipped %v garbage %d, want %+v", i, f.body, f.skipped, f.garbage, w)
		}
		if f.skipped && (string(f.peek) != "0123456789ab" || f.size != 12) {
			t.Errorf("skipped frame peek %q size %d", f.peek, f.size)
		}
	}
	if _, err := fr.next(); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("truncated frame: err = %v, want ErrUnexpectedEOF", err)
	}
	if _, err := newFrameReader(strings.NewReader(""), 10).next(); err != io.EOF {
		t.Errorf("empty input: err = %v, want EOF", err)
	}
}

func TestPeekEnvelope(t *testing.T) {
	tests := []struct {
		in     string
		id     string
		method string
		uri    string
	}{
		{`{"jsonrpc":"2.0","id":7,"method":"textDocument/completion","params":{"textDocument":{"uri":"file:///a"},"position":{}}}`, "7", "textDocument/completion", "file:///a"},
		{`{"method":"textDocument/didChange","params":{"contentChanges":[{"text":"x"}],"textDocument":{"version":2,"uri":"file:///b"}},"jsonrpc":"2.0"}`, "", "textDocument/didChange", "file:///b"},
		{`{"jsonrpc":"2.0","id":"abc","method":"x","params":{"textDocument":{"uri":"file:///c"},"pad":"xxxxxxxx`, `"abc"`, "x", "file:///c"}, // truncated
		{`not json`, "", "", ""},
	}
	for _, tt := range tests {
		e := peekEnvelope([]byte(tt.in))
		id := ""
		if e.hasID {
			if n, ok := e.id.Number(); ok {
				id = strconv.FormatInt(n, 10)
			} else if s, ok := e.id.StringValue(); ok {
				id = `"` + s + `"`
			}
		}
		if id != tt.id || e.method != tt.method || e.uri != tt.uri {
			t.Errorf("peekEnvelope(%.40q) = id %s method %q uri %q, want %s %q %q", tt.in, id, e.method, e.uri, tt.id, tt.method, tt.uri)
		}
	}
}
