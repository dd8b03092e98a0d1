package lsp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/weft-dev/weft/lsp"
)

// responses splits the server's output into its JSON-RPC responses by id
// (the raw JSON of the id), skipping notifications.
func responses(t *testing.T, out []byte) map[string]json.RawMessage {
	t.Helper()
	checkFrames(t, out)
	got := map[string]json.RawMessage{}
	for len(out) > 0 {
		var n int
		fmt.Sscanf(string(out), "Content-Length: %d\r\n\r\n", &n)
		hdr := len(fmt.Sprintf("Content-Length: %d\r\n\r\n", n))
		body := out[hdr : hdr+n]
		out = out[hdr+n:]
		var m struct {
			ID     json.RawMessage `json:"id"`
			Method string          `json:"method"`
		}
		if json.Unmarshal(body, &m) == nil && m.Method == "" {
			key := string(m.ID)
			for got[key] != nil {
				key += "'" // several answers with a null id
			}
			got[key] = body
		}
	}
	return got
}

// TestFramingFaultsThenShutdown: a session whose messages have every kind of
// bad header or length still answers what comes after them, and ends cleanly
// with shutdown and exit.
func TestFramingFaultsThenShutdown(t *testing.T) {
	req := func(id, method string) string {
		return `{"jsonrpc":"2.0","id":` + id + `,"method":"` + method + `"}`
	}
	var in bytes.Buffer
	in.WriteString(frameBody(fuzzInit))
	in.WriteString(frameBody(fuzzInitialized))
	faults := []string{
		"Content-Length: 5\r\n\r\n" + req("10", "weft/x"),                       // too short
		"Content-Length: 500\r\n\r\n" + req("11", "weft/x"),                     // too long (swallows the next header)
		"Content-Length: -3\r\n\r\n" + req("12", "weft/x"),                      // negative
		"Content-Length: abc\r\n\r\n" + req("13", "weft/x"),                     // not a number
		"Content-Length: 99999999999999999999999\r\n\r\n" + req("14", "weft/x"), // beyond int64
		"Content-Length: 9223372036854775807\r\n\r\n" + req("15", "weft/x"),     // int64 max, beyond the limit
		frameBody(`{"jsonrpc":"2.0","id":1.5,"method":"weft/x"}`),               // id of the wrong type
		frameBody(`{"jsonrpc":"2.0","id":true,"method":"weft/x"}`),              // id of the wrong type
		frameBody(`{"jsonrpc":"2.0","id":{"a":1},"method":"weft/x"}`),           // id of the wrong type
	}
	for _, f := range faults {
		in.WriteString(f)
	}
	in.WriteString(frameBody(req("20", "weft/x")))
	in.WriteString(frameBody(req("21", "shutdown")))
	in.WriteString(frameBody(`{"jsonrpc":"2.0","method":"exit"}`))

	var out lockedBuffer
	var logs lockedBuffer
	cfg := fakeConfig(0)
	cfg.MaxMessageBytes = 1 << 20
	cfg.Logger = newTextLogger(&logs)
	done := make(chan error, 1)
	go func() { done <- lsp.Serve(context.Background(), bytes.NewReader(in.Bytes()), &out, cfg) }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve = %v, want nil after shutdown and exit", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not end")
	}
	got := responses(t, out.bytes())
	if r := got["21"]; !bytes.Contains(r, []byte(`"result":null`)) {
		t.Errorf("shutdown answer %s", r)
	}
	if r := got["20"]; !bytes.Contains(r, []byte(`-32601`)) {
		t.Errorf("request after the faults: answer %s, want MethodNotFound", r)
	}
	// The requests behind a bad length are answered (taken whole, or refused).
	for _, id := range []string{"11", "12", "13", "14", "15"} {
		if got[id] == nil {
			t.Errorf("request %s behind a bad length got no answer", id)
		}
	}
	invalid := 0
	for k, r := range got {
		if strings.HasPrefix(k, "null") && bytes.Contains(r, []byte(`-32600`)) {
			invalid++
		}
	}
	if invalid < 3 {
		t.Errorf("%d InvalidRequest answers with a null id, want 3 (ids 1.5, true, object); answers %q", invalid, got)
	}
	for _, why := range []string{"too short", "too long", "not positive", "not a number", "out of range"} {
		if !strings.Contains(string(logs.bytes()), why) {
			t.Errorf("log does not say %q", why)
		}
	}
}

func newTextLogger(w *lockedBuffer) *slog.Logger { return slog.New(slog.NewTextHandler(w, nil)) }
