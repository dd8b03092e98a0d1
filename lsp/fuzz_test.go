package lsp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/weft-dev/weft/lsp"
)

// frameBody wraps a JSON body in an LSP header.
func frameBody(body string) string {
	return fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(body), body)
}

const (
	fuzzInit = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"processId":null,"rootUri":null,` +
		`"capabilities":{"window":{"workDoneProgress":true},"workspace":{"applyEdit":true,"configuration":true,` +
		`"workspaceEdit":{"documentChanges":true,"resourceOperations":["create"],"changeAnnotationSupport":{}}},` +
		`"textDocument":{"inlineCompletion":{},"codeAction":{"resolveSupport":{"properties":["edit"]}}}},` +
		`"initializationOptions":{"maxTokens":3}}}`
	fuzzInitialized = `{"jsonrpc":"2.0","method":"initialized","params":{}}`
)

// fuzzSession is a complete, valid session used as a seed.
var fuzzSession = []string{
	fuzzInit,
	fuzzInitialized,
	`{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///f.go","languageId":"go","version":1,"text":"hé 😀 ab\nx"}}}`,
	`{"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":"file:///f.go","version":2},"contentChanges":[{"range":{"start":{"line":0,"character":3},"end":{"line":0,"character":5}},"text":"🎉"}]}}`,
	`{"jsonrpc":"2.0","id":2,"method":"textDocument/completion","params":{"textDocument":{"uri":"file:///f.go"},"position":{"line":0,"character":8}}}`,
	`{"jsonrpc":"2.0","id":3,"method":"textDocument/inlineCompletion","params":{"textDocument":{"uri":"file:///f.go"},"position":{"line":1,"character":1},"context":{"triggerKind":1}}}`,
	`{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":3}}`,
	`{"jsonrpc":"2.0","id":4,"method":"textDocument/codeAction","params":{"textDocument":{"uri":"file:///f.go"},"range":{"start":{"line":0,"character":0},"end":{"line":0,"character":2}},"context":{"diagnostics":[]}}}`,
	`{"jsonrpc":"2.0","id":5,"method":"workspace/executeCommand","params":{"command":"weft.generate","arguments":[{"uri":"file:///f.go","instruction":"x"}]}}`,
	`{"jsonrpc":"2.0","method":"workspace/didChangeConfiguration","params":{"settings":{"weft":{"multiline":"never"}}}}`,
	`{"jsonrpc":"2.0","method":"textDocument/didClose","params":{"textDocument":{"uri":"file:///f.go"}}}`,
	`{"jsonrpc":"2.0","id":6,"method":"shutdown"}`,
	`{"jsonrpc":"2.0","method":"exit"}`,
}

// framingFault frames body with fault number op (of 12) and argument k.
func framingFault(body string, op, k byte) string {
	n := len(body)
	switch op % 12 {
	case 1: // too short
		return fmt.Sprintf("Content-Length: %d\r\n\r\n%s", max(n-1-int(k), 1), body)
	case 2: // too long
		return fmt.Sprintf("Content-Length: %d\r\n\r\n%s", n+1+int(k)*int(k), body)
	case 3:
		return fmt.Sprintf("Content-Length: -%d\r\n\r\n%s", n, body)
	case 4:
		return fmt.Sprintf("Content-Length: %dx\r\n\r\n%s", n, body)
	case 5: // beyond int64
		return fmt.Sprintf("Content-Length: 9%020d\r\n\r\n%s", n, body)
	case 6: // int64 max: beyond any limit
		return "Content-Length: 9223372036854775807\r\n\r\n" + body
	case 7: // no length
		return "Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n" + body
	case 8: // garbage before a good frame, glued to its header
		return strings.Repeat("}x", int(k%8)) + frameBody(body)
	case 9: // bare line feeds
		return fmt.Sprintf("Content-Length: %d\n\n%s", n, body)
	case 10: // body cut short, the length kept
		return fmt.Sprintf("Content-Length: %d\r\n\r\n%s", n, body[:n-min(n-1, int(k)%n)])
	case 11: // zero, and an empty header block
		return "Content-Length: 0\r\n\r\n\r\n" + frameBody(body)
	}
	return frameBody(body)
}

// FuzzServe feeds arbitrary input to the server loop: it must neither
// crash nor hang. An input starting with 'F' is a list of message bodies
// separated by NUL bytes, each framed correctly after a valid initialize,
// so that mutations reach the handlers' parameter decoding. An input starting
// with 'B' picks a framing fault (framingFault: lengths too short, too long,
// negative, non-numeric, beyond int64, missing; garbage glued to headers;
// truncated bodies) for each message of a valid session from its pairs of
// bytes; a correctly framed shutdown and exit follow, and they must work:
// Serve returns nil and answers the shutdown. Any other input is the raw
// byte stream, which exercises the framing. Run it with a small
// -fuzzminimizetime (e.g. 100x): coverage of a concurrent server is not
// fully deterministic, and minimising each new input for the default 60s
// stalls the fuzzer.
func FuzzServe(f *testing.F) {
	var raw, framed bytes.Buffer
	framed.WriteByte('F')
	for i, m := range fuzzSession {
		raw.WriteString(frameBody(m))
		if i >= 2 {
			framed.WriteString(m)
			framed.WriteByte(0)
		}
	}
	f.Add(raw.Bytes())
	f.Add(framed.Bytes())
	f.Add([]byte("garbage\r\n\r\n" + frameBody(fuzzInit) + "Content-Length: 99999999\r\n\r\n{\"id\":1"))
	f.Add([]byte("F{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"textDocument/completion\",\"params\":{\"textDocument\":{\"uri\":\"file:///nope\"},\"position\":{\"line\":4294967295,\"character\":4294967295}}}\x00[]\x00{}\x00null"))
	f.Add([]byte("B\x01\x03\x02\x05\x03\x00\x04\x00\x05\x00\x06\x00\x07\x00\x08\x03\x09\x00\x0a\x07\x0b\x00"))
	f.Add([]byte("B\x02\xff\x02\x10\x01\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		stream := data
		mustEnd := false
		if len(data) > 0 && data[0] == 'B' {
			var b bytes.Buffer
			b.WriteString(frameBody(fuzzInit))
			ops := data[1:]
			for i, m := range fuzzSession[1 : len(fuzzSession)-2] {
				var op, k byte
				if 2*i+1 < len(ops) {
					op, k = ops[2*i], ops[2*i+1]
				}
				b.WriteString(framingFault(m, op, k))
			}
			b.WriteString(frameBody(`{"jsonrpc":"2.0","id":9999,"method":"shutdown"}`))
			b.WriteString(frameBody(`{"jsonrpc":"2.0","method":"exit"}`))
			stream, mustEnd = b.Bytes(), true
		}
		if len(data) > 0 && data[0] == 'F' {
			var b bytes.Buffer
			b.WriteString(frameBody(fuzzInit))
			b.WriteString(frameBody(fuzzInitialized))
			for body := range bytes.SplitSeq(data[1:], []byte{0}) {
				b.WriteString(frameBody(string(body)))
			}
			stream = b.Bytes()
		}
		cfg := fakeConfig(0)
		cfg.MaxMessageBytes = 1 << 16
		var out lockedBuffer
		done := make(chan error, 1)
		go func() { done <- lsp.Serve(context.Background(), bytes.NewReader(stream), &out, cfg) }()
		select {
		case err := <-done:
			if mustEnd && err != nil {
				t.Errorf("after framing faults, shutdown and exit: Serve = %v, want nil", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("Serve did not return within 5s of the input ending")
		}
		checkFrames(t, out.bytes())
		if mustEnd && !bytes.Contains(out.bytes(), []byte(`{"jsonrpc":"2.0","id":9999,"result":null}`)) {
			t.Errorf("after framing faults, shutdown was not answered")
		}

	})
}

// checkFrames asserts that the server's output is a sequence of
// well-formed LSP frames holding JSON-RPC 2.0 messages.
func checkFrames(t *testing.T, out []byte) {
	for len(out) > 0 {
		var n int
		k, err := fmt.Sscanf(string(out), "Content-Length: %d\r\n\r\n", &n)
		if k != 1 || err != nil {
			t.Fatalf("bad frame header in output: %.60q", out)
		}
		hdr := len(fmt.Sprintf("Content-Length: %d\r\n\r\n", n))
		if hdr+n > len(out) {
			t.Fatalf("truncated frame in output: %.60q", out)
		}
		body := out[hdr : hdr+n]
		var msg struct {
			JSONRPC string `json:"jsonrpc"`
		}
		if err := json.Unmarshal(body, &msg); err != nil || msg.JSONRPC != "2.0" {
			t.Fatalf("output frame is not a JSON-RPC 2.0 message (%v): %.200q", err, body)
		}
		out = out[hdr+n:]
	}
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return bytes.Clone(b.buf.Bytes())
}
