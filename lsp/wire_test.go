package lsp

import (
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"
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
	for i, w := range []want{{"{}", false, false}, {"[1]", false, true}, {"", true, false}, {"5", false, false}} {
		f, err := fr.next()
		if err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		if string(f.body) != w.body || f.skipped != w.skipped || (f.garbage > 0) != w.garbage {
			t.Errorf("frame %d = body %q skipped %v garbage %d, want %+v", i, f.body, f.skipped, f.garbage, w)
		}
		if i == 2 && len(f.notes) != 1 {
			t.Errorf("frame 2: notes %q, want one about the block without Content-Length", f.notes)
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

// TestFrameResync: after any bad header or length the reader finds the next
// message, and says why on the way.
func TestFrameResync(t *testing.T) {
	const (
		a = `{"jsonrpc":"2.0","id":1,"method":"a"}`
		b = `{"jsonrpc":"2.0","id":2,"method":"b"}`
	)
	ok := func(body string) string { return "Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body }
	tests := []struct {
		name   string
		in     string
		bodies []string // the bodies read, in order ("!" marks a refused frame)
	}{
		{"too short", "Content-Length: 10\r\n\r\n" + a + ok(b), []string{a, b}},
		{"too short, garbled", "Content-Length: 10\r\n\r\n" + a[:22] + "]" + a[22:] + ok(b), []string{a[:10], b}},
		{"too long", "Content-Length: 60\r\n\r\n" + a + ok(b), []string{a, b}},
		{"too long at the end", "Content-Length: 600\r\n\r\n" + a, []string{a}},
		{"too long, oversized", "Content-Length: 9000000\r\n\r\n" + a + ok(b), []string{a, b}},
		{"int64 overflow", "Content-Length: 99999999999999999999\r\n\r\n" + a + ok(b), []string{a, b}},
		{"negative", "Content-Length: -5\r\n\r\n" + a + ok(b), []string{a, b}},
		{"zero", "Content-Length: 0\r\n\r\n" + ok(b), []string{b}},
		{"not a number", "Content-Length: ten\r\n\r\n" + a + ok(b), []string{a, b}},
		{"not a number, not JSON", "Content-Length: ten\r\n\r\n{{{" + ok(b), []string{"!", b}},
		{"content-type first", "Content-Length: 60\r\n\r\n" + a + "Content-Type: x\r\n" + ok(b), []string{a, b}},
		{"header glued to garbage", "xx}" + ok(a) + "junk" + ok(b), []string{a, b}},
		{"pretty-printed body", ok("{\r\n  \"id\": 1\r\n}\r\n") + ok(b), []string{"{\r\n  \"id\": 1\r\n}\r\n", b}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fr := newFrameReader(strings.NewReader(tt.in), 1<<20)
			defer fr.close()
			var got []string
			var notes int
			for {
				f, err := fr.next()
				notes += len(f.notes)
				if f.refused != "" || f.garbage > 0 {
					notes++ // logged by the server too
				}
				if err != nil {
					break
				}
				switch {
				case f.refused != "" || f.skipped:
					got = append(got, "!")
				default:
					got = append(got, string(f.body))
				}
			}
			if strings.Join(got, "|") != strings.Join(tt.bodies, "|") {
				t.Errorf("bodies %q, want %q", got, tt.bodies)
			}
			if tt.name != "header glued to garbage" && tt.name != "pretty-printed body" && notes == 0 {
				t.Errorf("no note says what was wrong")
			}
		})
	}
}

// TestFrameTooLongPause: a body declared too long, followed by nothing while
// the client waits for the answer, is taken once the input pauses.
func TestFrameTooLongPause(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	fr := newFrameReader(pr, 1<<20)
	defer fr.close()
	fr.stall = 20 * time.Millisecond
	go func() { _, _ = io.WriteString(pw, "Content-Length: 500\r\n\r\n{\"id\":1}") }()
	f, err := fr.next()
	if err != nil || string(f.body) != `{"id":1}` || len(f.notes) != 1 {
		t.Fatalf("frame %q notes %q err %v", f.body, f.notes, err)
	}
}
