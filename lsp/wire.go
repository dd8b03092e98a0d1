package lsp

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"

	"go.lsp.dev/jsonrpc2"
)

// The framing here replaces jsonrpc2's header stream on the read side: that
// one ends the connection on the first malformed header line, and an
// oversized Content-Length forces a body allocation of up to 1 GiB. This
// reader skips garbage until the next well-formed header, and skips the body
// of an oversized message while keeping its first bytes to say which request
// was refused. Message bodies are still decoded by jsonrpc2.DecodeMessage.

const (
	defaultMaxMessage = 64 << 20
	// oversizePeek is how much of an oversized body is kept to find the
	// request's id and method.
	oversizePeek = 64 << 10
	headerBuffer = 64 << 10
)

// frame is one message body read from the stream, or the record of one that
// was too large to read.
type frame struct {
	body          []byte // the message body; nil when the message was skipped
	size          int    // declared Content-Length
	skipped       bool   // body exceeded the limit and was discarded; peek holds its start
	peek          []byte
	garbage       int    // bytes of non-header input skipped before this frame
	garbageSample string // the start of the first skipped line, for the log
}

type frameReader struct {
	r   *bufio.Reader
	max int
}

func newFrameReader(r io.Reader, max int) *frameReader {
	return &frameReader{r: bufio.NewReaderSize(r, headerBuffer), max: max}
}

// isHeaderName reports whether b is an HTTP-style header field name.
func isHeaderName(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		ok := c == '-' || c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
		if !ok {
			return false
		}
	}
	return true
}

// next reads the next frame. It returns io.EOF at a clean end of input and
// io.ErrUnexpectedEOF when the input ends inside a frame.
func (fr *frameReader) next() (frame, error) {
	var (
		f          frame
		haveLength bool
		inHeader   bool // at least one header line of the current block was read
	)
	reset := func(n int, line []byte) {
		if f.garbage == 0 {
			f.garbageSample = string(bytes.TrimSpace(line[:min(len(line), 80)]))
		}
		f.garbage += n
		haveLength, inHeader = false, false
	}
	for {
		line, err := fr.r.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			// An absurdly long line is garbage; drop it up to its newline.
			reset(len(line), line)
			for errors.Is(err, bufio.ErrBufferFull) {
				line, err = fr.r.ReadSlice('\n')
				f.garbage += len(line)
			}
			if err != nil {
				return f, truncated(err)
			}
			continue
		}
		if err != nil {
			if len(line) > 0 || inHeader {
				return f, truncated(err)
			}
			return f, err
		}
		content := bytes.TrimRight(line, "\r\n")
		if len(content) == 0 {
			if haveLength {
				break
			}
			if inHeader {
				reset(len(line), line) // a header block without Content-Length
			} else if f.garbage > 0 {
				f.garbage += len(line)
			}
			continue
		}
		name, value, ok := bytes.Cut(content, []byte(":"))
		if !ok || !isHeaderName(name) {
			reset(len(line), line)
			continue
		}
		inHeader = true
		if bytes.EqualFold(name, []byte("Content-Length")) {
			n, err := strconv.Atoi(string(bytes.TrimSpace(value)))
			if err != nil || n <= 0 {
				reset(len(line), line)
				continue
			}
			f.size, haveLength = n, true
		}
	}
	if f.size > fr.max {
		f.skipped = true
		f.peek = make([]byte, min(f.size, oversizePeek))
		if _, err := io.ReadFull(fr.r, f.peek); err != nil {
			return f, truncated(err)
		}
		if _, err := io.CopyN(io.Discard, fr.r, int64(f.size-len(f.peek))); err != nil {
			return f, truncated(err)
		}
		return f, nil
	}
	f.body = make([]byte, f.size)
	if _, err := io.ReadFull(fr.r, f.body); err != nil {
		return f, truncated(err)
	}
	return f, nil
}

// truncated reports an end of input inside a frame as io.ErrUnexpectedEOF.
func truncated(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// frameWriter writes LSP frames from a queue on its own goroutine, so no
// server goroutine ever blocks on a client that is slow to read (a client
// that writes its own message while we write ours would otherwise deadlock
// with us over a pipe). After the first failure every write fails.
type frameWriter struct {
	w       io.Writer
	onError func(error)

	mu      sync.Mutex
	queue   [][]byte
	err     error
	closing bool
	sig     chan struct{}
	done    chan struct{}
}

func newFrameWriter(w io.Writer, onError func(error)) *frameWriter {
	fw := &frameWriter{w: w, onError: onError, sig: make(chan struct{}, 1), done: make(chan struct{})}
	go fw.run()
	return fw
}

// write queues one message body.
func (fw *frameWriter) write(body []byte) error {
	frame := make([]byte, 0, len(body)+32)
	frame = append(frame, "Content-Length: "...)
	frame = strconv.AppendInt(frame, int64(len(body)), 10)
	frame = append(frame, "\r\n\r\n"...)
	frame = append(frame, body...)
	fw.mu.Lock()
	if fw.err != nil || fw.closing {
		err := fw.err
		fw.mu.Unlock()
		if err == nil {
			err = errors.New("server stopped")
		}
		return err
	}
	fw.queue = append(fw.queue, frame)
	fw.mu.Unlock()
	select {
	case fw.sig <- struct{}{}:
	default:
	}
	return nil
}

func (fw *frameWriter) run() {
	defer close(fw.done)
	for {
		fw.mu.Lock()
		batch, closing := fw.queue, fw.closing
		fw.queue = nil
		fw.mu.Unlock()
		for _, f := range batch {
			if _, err := fw.w.Write(f); err != nil {
				err = fmt.Errorf("writing to client: %w", err)
				fw.mu.Lock()
				fw.err = err
				fw.queue = nil
				fw.mu.Unlock()
				fw.onError(err)
				return
			}
		}
		if len(batch) == 0 {
			if closing {
				return
			}
			<-fw.sig
		}
	}
}

// close stops accepting writes and waits up to timeout for the queue to
// drain, so answers written just before exit still reach the client.
func (fw *frameWriter) close(timeout time.Duration) {
	fw.mu.Lock()
	fw.closing = true
	fw.mu.Unlock()
	select {
	case fw.sig <- struct{}{}:
	default:
	}
	select {
	case <-fw.done:
	case <-time.After(timeout):
	}
}

// envelope is what can be recovered from the first bytes of a message that
// was not decoded in full.
type envelope struct {
	id     jsonrpc2.ID
	hasID  bool
	method string
	uri    string // params.textDocument.uri, when present
}

// peekEnvelope extracts the id, method and document URI from a possibly
// truncated JSON-RPC message, as far as the bytes allow.
func peekEnvelope(b []byte) envelope {
	var e envelope
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return e
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return e
		}
		switch key {
		case "id":
			tok, err := dec.Token()
			if err != nil {
				return e
			}
			e.id, e.hasID = idFromToken(tok)
		case "method":
			tok, err := dec.Token()
			if err != nil {
				return e
			}
			e.method, _ = tok.(string)
		case "params":
			e.uri = peekURI(dec)
		default:
			if skipValue(dec) != nil {
				return e
			}
		}
	}
	return e
}

// peekURI reads a params value and returns params.textDocument.uri.
func peekURI(dec *json.Decoder) string {
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return ""
	}
	uri := ""
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return uri
		}
		if key != "textDocument" {
			if skipValue(dec) != nil {
				return uri
			}
			continue
		}
		if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
			return uri
		}
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return uri
			}
			if k == "uri" {
				tok, err := dec.Token()
				if err != nil {
					return uri
				}
				uri, _ = tok.(string)
			} else if skipValue(dec) != nil {
				return uri
			}
		}
		if _, err := dec.Token(); err != nil {
			return uri
		}
	}
	_, _ = dec.Token()
	return uri
}

func skipValue(dec *json.Decoder) error {
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if depth == 0 {
			return nil
		}
	}
}

// idFromToken converts a JSON token to a request id (number or string).
func idFromToken(tok json.Token) (jsonrpc2.ID, bool) {
	switch v := tok.(type) {
	case json.Number:
		n, err := strconv.ParseInt(string(v), 10, 64)
		if err != nil {
			return jsonrpc2.ID{}, false
		}
		return jsonrpc2.NewNumberID(n), true
	case string:
		return jsonrpc2.NewStringID(v), true
	}
	return jsonrpc2.ID{}, false
}

// parseID decodes a JSON request id.
func parseID(raw []byte) (jsonrpc2.ID, bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return jsonrpc2.ID{}, false
	}
	return idFromToken(tok)
}
