package lsp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"sync"
	"time"

	"go.lsp.dev/jsonrpc2"
)

// The framing here replaces jsonrpc2's header stream on the read side: that
// one ends the connection on the first malformed header line, and an
// oversized Content-Length forces a body allocation of up to 1 GiB. This
// reader resynchronises after anything malformed, so that one bad message
// never costs the ones after it:
//
//   - garbage is skipped up to the next header, which may begin mid-line
//     (after a body shorter than its Content-Length, the next header follows
//     the body's leftover bytes);
//   - after a header block whose Content-Length is not a number, not
//     positive or beyond int64, the bytes up to the next header (or a pause
//     in the input) are taken as the message when they are one JSON object,
//     else refused with an answer to the request they hold;
//   - a body that holds a header ("Content-Length: N" and a line break: raw
//     line breaks never occur inside JSON strings, so in a JSON body this can
//     only be the next message) ends there: its Content-Length was too long;
//   - a body that is not JSON but becomes a JSON object when extended up to
//     the next header was declared too short, and is taken whole;
//   - a body still incomplete when the input pauses (stall) or ends, whose
//     bytes so far are a whole JSON object, was declared too long: it is
//     taken as it is, rather than waiting for bytes the client never sends.
//
// Oversized bodies are skipped while keeping their first bytes to say which
// request was refused. Every such decision is recorded in frame.notes for
// the log. Message bodies are still decoded by jsonrpc2.DecodeMessage.

const (
	defaultMaxMessage = 64 << 20
	// oversizePeek is how much of an oversized body is kept to find the
	// request's id and method.
	oversizePeek = 64 << 10
	headerBuffer = 64 << 10
	// readChunk is the size of one read from the input.
	readChunk = 32 << 10
	// stallTime is how long the input may pause inside a body before the
	// bytes so far are judged on their own (see above).
	stallTime = 300 * time.Millisecond
)

// frame is one message body read from the stream, or the record of one that
// was too large to read or had no valid length.
type frame struct {
	body          []byte // the message body; nil when the message was skipped
	size          int    // declared Content-Length
	skipped       bool   // body exceeded the limit and was discarded; peek holds its start
	refused       string // why the message was not read (bad Content-Length); peek holds its start
	peek          []byte
	garbage       int      // bytes of non-header input skipped before this frame
	garbageSample string   // the start of the first skipped line, for the log
	notes         []string // framing faults repaired on the way to this frame, for the log
}

// frameReader splits the input into frames. A pump goroutine reads the input
// into chunks, so that the reader can notice a pause in the input (stallTime)
// instead of blocking in Read.
type frameReader struct {
	src   chan []byte
	perr  error // the pump's read error, valid once src is closed
	done  chan struct{}
	once  sync.Once
	eof   error // sticky end of input
	buf   []byte
	max   int
	stall time.Duration
}

func newFrameReader(r io.Reader, max int) *frameReader {
	fr := &frameReader{src: make(chan []byte, 4), done: make(chan struct{}), max: max, stall: stallTime}
	go fr.pump(r)
	return fr
}

// close stops the pump (once its pending Read returns) and makes next return.
func (fr *frameReader) close() { fr.once.Do(func() { close(fr.done) }) }

func (fr *frameReader) pump(r io.Reader) {
	defer close(fr.src)
	for {
		b := make([]byte, readChunk)
		n, err := r.Read(b)
		if n > 0 {
			select {
			case fr.src <- b[:n]:
			case <-fr.done:
				return
			}
		}
		if err != nil {
			fr.perr = err
			return
		}
	}
}

// errReaderClosed is returned by next after close.
var errReaderClosed = errors.New("lsp: reader closed")

// fill appends the next chunk of input to buf. It waits at most timeout when
// timeout > 0 (then got is false on a pause), else until input comes.
func (fr *frameReader) fill(timeout time.Duration) (got bool, err error) {
	if fr.eof != nil {
		return false, fr.eof
	}
	var tc <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(timeout)
		defer t.Stop()
		tc = t.C
	}
	select {
	case b, ok := <-fr.src:
		if !ok {
			fr.eof = fr.perr
			if fr.eof == nil {
				fr.eof = io.EOF
			}
			return false, fr.eof
		}
		fr.buf = append(fr.buf, b...)
		return true, nil
	case <-tc:
		return false, nil
	case <-fr.done:
		fr.eof = errReaderClosed
		return false, fr.eof
	}
}

// advance consumes n bytes of buf.
func (fr *frameReader) advance(n int) {
	fr.buf = fr.buf[n:]
	if len(fr.buf) == 0 {
		fr.buf = nil // let a large body's array go
	}
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

// indexFold returns the index of the first case-insensitive occurrence of
// lower (given in lower case) in b at or after from, or -1.
func indexFold(b []byte, lower string, from int) int {
	for i := from; i+len(lower) <= len(b); i++ {
		if b[i]|0x20 != lower[0] {
			continue
		}
		if bytes.EqualFold(b[i:i+len(lower)], []byte(lower)) {
			return i
		}
	}
	return -1
}

// headerStart returns where a header begins inside a garbage line, at or
// after index from, or -1.
func headerStart(line []byte, from int) int {
	l, t := indexFold(line, "content-length:", from), indexFold(line, "content-type:", from)
	switch {
	case l < 0:
		return t
	case t < 0:
		return l
	}
	return min(l, t)
}

// headerInBody returns the index in b, at or after from, where a complete
// "Content-Length:" header line begins (moved back over a "Content-Type:"
// line just before it), or -1. Inside a JSON body such a line cannot occur:
// the text could only sit in a string, and a string ends before its line does
// (a raw line break is not allowed in one), so a quote would follow the name.
func headerInBody(b []byte, from int) int {
	const name = "content-length:"
	for i := from; i < len(b); {
		j := bytes.IndexByte(b[i:], '\n')
		if j < 0 {
			return -1
		}
		nl := i + j
		ls := i
		i = nl + 1
		p := -1
		for q := indexFold(b[:nl], name, ls); q >= 0; q = indexFold(b[:nl], name, q+1) {
			p = q
		}
		if p < 0 || bytes.IndexByte(b[p:nl], '"') >= 0 {
			continue
		}
		if p >= 2 && b[p-1] == '\n' {
			// A Content-Type line just before belongs to the same header block.
			ls := bytes.LastIndexByte(b[:p-1], '\n') + 1
			if t := indexFold(b[:p-1], "content-type:", ls); t >= 0 {
				p = t
			}
		}
		return p
	}
	return -1
}

// isObject reports whether b, blanks aside, is one whole JSON object.
func isObject(b []byte) bool {
	b = bytes.TrimSpace(b)
	return len(b) > 0 && b[0] == '{' && json.Valid(b)
}

func (f *frame) note(format string, args ...any) {
	if len(f.notes) < 8 {
		f.notes = append(f.notes, fmt.Sprintf(format, args...))
	}
}

func (f *frame) addGarbage(b []byte) {
	if f.garbage == 0 {
		f.garbageSample = string(bytes.TrimSpace(b[:min(len(b), 80)]))
	}
	f.garbage += len(b)
}

// next reads the next frame. It returns io.EOF at a clean end of input and
// io.ErrUnexpectedEOF when the input ends inside a frame.
func (fr *frameReader) next() (frame, error) {
	return fr.nextFrom(frame{})
}

// nextFrom reads the next frame, keeping what f recorded on the way.
func (fr *frameReader) nextFrom(f frame) (frame, error) {
	size := -1        // the block's valid Content-Length
	badLength := ""   // why the block's Content-Length is not valid
	inHeader := false // at least one header line of the current block was read
	for {
		i := bytes.IndexByte(fr.buf, '\n')
		if i < 0 {
			if len(fr.buf) > headerBuffer {
				// An absurdly long line is garbage; keep what may start a header.
				n := len(fr.buf) - 64
				if q := headerStart(fr.buf, 1); q > 0 {
					n = q
				}
				f.addGarbage(fr.buf[:n])
				fr.advance(n)
				size, badLength, inHeader = -1, "", false
				continue
			}
			if _, err := fr.fill(0); err != nil {
				if len(fr.buf) > 0 || inHeader {
					f.addGarbage(fr.buf)
					fr.advance(len(fr.buf))
					return f, truncated(err)
				}
				return f, err
			}
			continue
		}
		line := fr.buf[:i+1]
		content := bytes.TrimRight(line, "\r\n")
		if len(content) == 0 {
			fr.advance(i + 1)
			switch {
			case size > 0:
				return fr.body(f, size)
			case badLength != "":
				return fr.refuse(f, badLength)
			case inHeader:
				f.note("a header block without Content-Length was skipped")
				inHeader = false
			case f.garbage > 0:
				f.garbage += len(line)
			}
			continue
		}
		name, value, ok := bytes.Cut(content, []byte(":"))
		if q := headerStart(line, 1); q > 0 && q <= len(name) {
			ok = false // "junkContent-Length: 5": a header glued to garbage
		}
		if !ok || !isHeaderName(name) {
			// Garbage; a header may begin inside it, after the leftover of a
			// body shorter than its Content-Length.
			n := i + 1
			if q := headerStart(line, 1); q > 0 {
				n = q
			}
			f.addGarbage(fr.buf[:n])
			fr.advance(n)
			if inHeader {
				f.note("a header block was broken by a line that is not a header")
			}
			size, badLength, inHeader = -1, "", false
			continue
		}
		fr.advance(i + 1)
		inHeader = true
		if bytes.EqualFold(name, []byte("Content-Length")) {
			v := string(bytes.TrimSpace(value))
			n, err := strconv.ParseInt(v, 10, 64)
			switch {
			case errors.Is(err, strconv.ErrRange):
				badLength = fmt.Sprintf("Content-Length %.40q is out of range", v)
			case err != nil:
				badLength = fmt.Sprintf("Content-Length %.40q is not a number", v)
			case n <= 0:
				badLength = fmt.Sprintf("Content-Length %d is not positive", n)
			case n > math.MaxInt32 && strconv.IntSize == 32:
				badLength = fmt.Sprintf("Content-Length %d is out of range", n)
			default:
				size, badLength = int(n), ""
			}
		}
	}
}

// refuse reads the body of a header block with a bad Content-Length: the
// bytes up to the next header, a pause in the input or its end.
func (fr *frameReader) refuse(f frame, why string) (frame, error) {
	end := fr.extend(0)
	if end == 0 {
		f.note("%s, and no body follows", why)
		return fr.nextFrom(f)
	}
	if end <= fr.max && isObject(fr.buf[:end]) {
		f.note("%s; took the JSON object up to the next header as the message", why)
		f.body = bytes.Clone(fr.buf[:end])
		fr.advance(end)
		return f, nil
	}
	f.refused = why
	if end > fr.max {
		f.note("%s; skipped %d bytes up to the next header", why, end)
	}
	f.peek = bytes.Clone(fr.buf[:min(end, oversizePeek)])
	f.size = end
	fr.advance(end)
	return f, nil
}

// extend returns the index in buf of the next header at or after from,
// reading more input until one comes, the input pauses or ends, or more than
// max bytes are pending; then it returns len(buf).
func (fr *frameReader) extend(from int) int {
	scanned := from
	for {
		if p := headerInBody(fr.buf, scanned); p >= 0 {
			return p
		}
		if len(fr.buf)-from > fr.max {
			return len(fr.buf)
		}
		if nl := bytes.LastIndexByte(fr.buf, '\n'); nl >= scanned {
			scanned = nl + 1 // a header line ending later starts after this one
		}
		got, err := fr.fill(fr.stall)
		if err != nil || !got {
			return len(fr.buf)
		}
	}
}

// body reads a body of the declared size, repairing a wrong length (see the
// comment at the top of this file).
func (fr *frameReader) body(f frame, size int) (frame, error) {
	f.size = size
	if size > fr.max {
		return fr.skip(f, size)
	}
	scanned := 0
	for len(fr.buf) < size {
		// The next message's header inside this body: its length was too long.
		if p := headerInBody(fr.buf, scanned); p >= 0 {
			f.note("Content-Length %d is too long: the next message starts after %d bytes", size, p)
			f.body = bytes.Clone(fr.buf[:p])
			fr.advance(p)
			return f, nil
		}
		if nl := bytes.LastIndexByte(fr.buf, '\n'); nl >= scanned {
			scanned = nl + 1
		}
		got, err := fr.fill(fr.stall)
		if err == nil && !got {
			if isObject(fr.buf) {
				f.note("Content-Length %d is too long: the input paused after a whole message of %d bytes", size, len(fr.buf))
				f.body = bytes.Clone(fr.buf)
				fr.advance(len(fr.buf))
				return f, nil
			}
			_, err = fr.fill(0) // a slow client: wait
		}
		if err != nil {
			if isObject(fr.buf) {
				f.note("Content-Length %d is too long: the input ended after a whole message of %d bytes", size, len(fr.buf))
				f.body = bytes.Clone(fr.buf)
				fr.advance(len(fr.buf))
				return f, nil
			}
			f.addGarbage(fr.buf)
			fr.advance(len(fr.buf))
			return f, truncated(err)
		}
	}
	// A header line may start inside the declared body and end after it.
	if p := headerInBody(fr.buf[:min(len(fr.buf), size+128)], scanned); p >= 0 && p < size {
		f.note("Content-Length %d is too long: the next message starts after %d bytes", size, p)
		f.body = bytes.Clone(fr.buf[:p])
		fr.advance(p)
		return f, nil
	}
	n := size
	if !json.Valid(fr.buf[:size]) {
		// Declared too short? The message may run on up to the next header.
		if end := fr.extend(size); end > size && isObject(fr.buf[:end]) {
			f.note("Content-Length %d is too short: the message has %d bytes", size, end)
			n = end
		}
	}
	f.body = bytes.Clone(fr.buf[:n])
	fr.advance(n)
	return f, nil
}

// skip discards an oversized body, keeping its first oversizePeek bytes. A
// header inside it ends it early (its length was wrong); if the body up to
// there is a whole JSON object within the peek, it is returned as a message.
func (fr *frameReader) skip(f frame, size int) (frame, error) {
	f.skipped = true
	read := 0
	for read < size {
		if len(fr.buf) == 0 {
			got, err := fr.fill(fr.stall)
			if err == nil && !got {
				if read < oversizePeek && isObject(f.peek) {
					f.note("Content-Length %d is too long: the input paused after a whole message of %d bytes", size, read)
					f.body, f.skipped, f.peek = f.peek, false, nil
					return f, nil
				}
				_, err = fr.fill(0)
			}
			if err != nil {
				if read < oversizePeek && isObject(f.peek) {
					f.note("Content-Length %d is too long: the input ended after a whole message of %d bytes", size, read)
					f.body, f.skipped, f.peek = f.peek, false, nil
					return f, nil
				}
				return f, truncated(err)
			}
			continue
		}
		take := min(len(fr.buf), size-read)
		found := false
		if p := headerInBody(fr.buf[:take], 0); p >= 0 {
			take, found = p, true
		} else if take < size-read {
			// Keep an unfinished last line: a header may end in the next chunk.
			if nl := bytes.LastIndexByte(fr.buf[:take], '\n'); nl >= 0 {
				take = nl + 1
			} else {
				take = max(take-64, 0)
			}
		}
		if len(f.peek) < oversizePeek {
			f.peek = append(f.peek, fr.buf[:min(take, oversizePeek-len(f.peek))]...)
		}
		fr.advance(take)
		read += take
		if found {
			if read < oversizePeek && isObject(f.peek) {
				f.note("Content-Length %d is too long: the next message starts after %d bytes", size, read)
				f.body, f.skipped, f.peek = f.peek, false, nil
				return f, nil
			}
			f.note("Content-Length %d: the next message starts after %d bytes", size, read)
			break
		}
		if take == 0 {
			if _, err := fr.fill(0); err != nil {
				return f, truncated(err)
			}
		}
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
	badID  bool // an id that is neither a number, a string nor null
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
			e.badID = !e.hasID && tok != nil
			if d, ok := tok.(json.Delim); ok && (d == '{' || d == '[') {
				if skipRest(dec) != nil {
					return e
				}
			}
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

// skipRest skips the rest of an object or array whose opening was read.
func skipRest(dec *json.Decoder) error {
	for depth := 1; depth > 0; {
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
	}
	return nil
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
