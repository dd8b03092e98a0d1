package hub

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// partialSuffix marks a download in progress. Nothing reads a file with this suffix as a model.
const partialSuffix = ".partial"

// Client downloads models. The zero value is usable: net/http's default transport (which
// honours HTTP_PROXY, HTTPS_PROXY and NO_PROXY), four attempts, one-second first backoff and a
// 60-second stall timeout.
type Client struct {
	HTTP  *http.Client
	Token string // bearer token (HF_TOKEN) for gated repositories; sent to the hub's host only
	// Attempts is how many times a transfer is tried before giving up (default 4). A resumed
	// transfer counts as a new attempt.
	Attempts int
	Backoff  time.Duration // wait before the second attempt, doubled after each (default 1s)
	// Stall is how long a transfer may go without receiving a byte before it is cut off and
	// retried (default 60s).
	Stall time.Duration
	// Progress is called as bytes arrive: done so far (including a resumed part) and the total,
	// or -1 when the server does not say.
	Progress func(done, total int64)
	// Log receives one-line notes (a retry, a resume); nil drops them.
	Log func(format string, args ...any)
}

// Result is a finished pull.
type Result struct {
	Path     string // the verified file in the cache
	SHA256   string // its checksum
	Verified string // what the checksum was compared with: "--sha256", "catalogue", "hub (LFS)", or "" (nothing to compare)
	Cached   bool   // the file was already in the cache; nothing was downloaded
}

// permanentError is a failure a retry cannot fix (404, 401, a bad checksum).
type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }

// ErrChecksum is wrapped by the error of a download whose sha256 did not match.
var ErrChecksum = errors.New("checksum mismatch")

// Pull downloads src into dir and returns the verified file. want, when not empty, is the
// sha256 the caller requires (--sha256); it takes precedence over the catalogue's and the
// hub's. A file already in the cache is checked against want (or the catalogue's checksum)
// and returned without a download when it matches.
func (c *Client) Pull(ctx context.Context, src Source, dir, want string) (Result, error) {
	want = strings.ToLower(strings.TrimSpace(want))
	if want != "" && !isHex64(want) {
		return Result{}, fmt.Errorf("hub: --sha256 %q is not 64 hex digits", want)
	}
	expect, by := want, "--sha256"
	if expect == "" && src.SHA256 != "" {
		expect, by = strings.ToLower(src.SHA256), "catalogue"
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Result{}, fmt.Errorf("hub: %w", err)
	}
	final := filepath.Join(dir, src.Name)
	if _, err := os.Stat(final); err == nil {
		// Only verified files are ever renamed into place; with a checksum to compare, check again.
		if expect == "" {
			return Result{Path: final, Cached: true}, nil
		}
		sum, err := fileSHA256(final)
		if err != nil {
			return Result{}, fmt.Errorf("hub: %w", err)
		}
		if sum == expect {
			return Result{Path: final, SHA256: sum, Verified: by, Cached: true}, nil
		}
		c.logf("cached %s has sha256 %s, not %s: downloading again", src.Name, sum[:12], expect[:12])
	}
	part := final + partialSuffix
	attempts := c.Attempts
	if attempts <= 0 {
		attempts = 4
	}
	backoff := c.Backoff
	if backoff <= 0 {
		backoff = time.Second
	}
	var (
		lastErr    error
		hubSum     string
		badSums    int
		restartHas bool
	)
	// Attempts count failures in a row: a transfer that was cut after making progress is resumed
	// at once and does not use one up (a server that drops every connection after a while still
	// delivers the file), up to a hard bound.
	failures := 0
	for tries := 0; failures < attempts && tries < 100*attempts; tries++ {
		if failures > 0 {
			c.logf("retrying in %v (%v)", backoff, lastErr)
			select {
			case <-ctx.Done():
				return Result{}, ctx.Err()
			case <-time.After(backoff):
			}
			backoff *= 2
		}
		before := fileSize(part)
		sum, err := c.fetch(ctx, src.URL, part)
		if sum != "" {
			hubSum = sum
		}
		if err != nil {
			lastErr = err
			var pe permanentError
			if errors.As(err, &pe) || ctx.Err() != nil {
				dropEmpty(part)
				if ctx.Err() != nil {
					err = fmt.Errorf("hub: %s: %w", src.Name, ctx.Err())
				}
				return Result{}, err
			}
			if fileSize(part) > before {
				failures, backoff = 0, c.Backoff
				if backoff <= 0 {
					backoff = time.Second
				}
				c.logf("transfer cut at %s (%v); resuming", HumanBytes(fileSize(part)), err)
				continue
			}
			failures++
			continue
		}
		// The transfer is complete: check it before anything may trust it.
		exp, expBy := expect, by
		if exp == "" && hubSum != "" {
			exp, expBy = hubSum, "hub (LFS)"
		}
		got, err := fileSHA256(part)
		if err != nil {
			os.Remove(part)
			return Result{}, fmt.Errorf("hub: %w", err)
		}
		if exp != "" && got != exp {
			os.Remove(part)
			badSums++
			failures++
			lastErr = permanentError{fmt.Errorf("hub: %s: %w: got sha256 %s, want %s (%s); the download was removed", src.Name, ErrChecksum, got, exp, expBy)}
			// A resumed transfer may have joined two different files; one clean retry from the start.
			if badSums == 1 && !restartHas {
				restartHas = true
				continue
			}
			return Result{}, lastErr
		}
		if err := checkMagic(part); err != nil {
			os.Remove(part)
			return Result{}, permanentError{fmt.Errorf("hub: %s: %w; the download was removed", src.Name, err)}
		}
		if err := os.Rename(part, final); err != nil {
			return Result{}, fmt.Errorf("hub: %w", err)
		}
		if exp == "" {
			expBy = ""
		}
		return Result{Path: final, SHA256: got, Verified: expBy}, nil
	}
	dropEmpty(part)
	return Result{}, fmt.Errorf("hub: %s: gave up after %d failed attempts in a row: %w", src.Name, attempts, lastErr)
}

// fileSize is the size of p, 0 when it does not exist.
func fileSize(p string) int64 {
	st, err := os.Stat(p)
	if err != nil {
		return 0
	}
	return st.Size()
}

// dropEmpty removes a partial file that holds nothing: it has no bytes to resume from.
func dropEmpty(part string) {
	if st, err := os.Stat(part); err == nil && st.Size() == 0 {
		os.Remove(part)
	}
}

// fetch appends the rest of url to part, resuming from part's current size. It returns the
// hub's LFS sha256 when a response carried one.
func (c *Client) fetch(ctx context.Context, url, part string) (hubSum string, err error) {
	f, err := os.OpenFile(part, os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return "", permanentError{fmt.Errorf("hub: %w", err)}
	}
	defer f.Close()
	have, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return "", permanentError{fmt.Errorf("hub: %w", err)}
	}

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", permanentError{fmt.Errorf("hub: %w", err)}
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	if have > 0 {
		req.Header.Set("Range", "bytes="+strconv.FormatInt(have, 10)+"-")
		c.logf("resuming at %s", HumanBytes(have))
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	// The hub answers /resolve/ with a redirect to its storage whose headers carry the LFS
	// object's sha256 (X-Linked-Etag); the redirect target does not repeat it. The token is
	// for the hub only: the storage URL is pre-signed, and another host never sees it.
	client := *hc
	client.CheckRedirect = func(r *http.Request, via []*http.Request) error {
		if r.URL.Host != via[0].URL.Host {
			r.Header.Del("Authorization")
		}
		if r.Response != nil {
			if s := lfsSHA256(r.Response.Header); s != "" {
				hubSum = s
			}
		}
		if len(via) >= 10 {
			return errors.New("too many redirects")
		}
		return nil
	}
	resp, err := client.Do(req)
	if err != nil {
		return hubSum, err
	}
	defer resp.Body.Close()
	if s := lfsSHA256(resp.Header); s != "" {
		hubSum = s
	}
	total := int64(-1)
	switch {
	case resp.StatusCode == http.StatusOK:
		// The server sent the whole file (no Range support, or no partial yet): start over.
		if have > 0 {
			c.logf("server ignored the range request: starting over")
		}
		if err := f.Truncate(0); err != nil {
			return hubSum, permanentError{fmt.Errorf("hub: %w", err)}
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return hubSum, permanentError{fmt.Errorf("hub: %w", err)}
		}
		have = 0
		total = resp.ContentLength
	case resp.StatusCode == http.StatusPartialContent:
		start, size, ok := contentRange(resp.Header.Get("Content-Range"))
		if !ok || start != have {
			// Not the part asked for: drop what we have and start again on the next attempt.
			f.Truncate(0)
			return hubSum, fmt.Errorf("hub: unexpected Content-Range %q for a resume at %d", resp.Header.Get("Content-Range"), have)
		}
		total = size
	case resp.StatusCode == http.StatusRequestedRangeNotSatisfiable && have > 0:
		// Either the partial file is already whole, or it is longer than the file: the checksum decides,
		// and a bad one restarts from nothing.
		if _, size, ok := contentRange(resp.Header.Get("Content-Range")); ok && size == have {
			return hubSum, nil
		}
		f.Truncate(0)
		return hubSum, fmt.Errorf("hub: the partial download is longer than the file; starting over")
	case resp.StatusCode == http.StatusNotFound, resp.StatusCode == http.StatusGone:
		os.Remove(part)
		return hubSum, permanentError{fmt.Errorf("hub: %s: %s (no such file)", url, resp.Status)}
	case resp.StatusCode == http.StatusUnauthorized, resp.StatusCode == http.StatusForbidden:
		os.Remove(part)
		hint := "a gated repository needs HF_TOKEN set to a token that has accepted its licence"
		if c.Token != "" {
			hint = "HF_TOKEN was sent; check that it has access to this repository"
		}
		return hubSum, permanentError{fmt.Errorf("hub: %s: %s (%s)", url, resp.Status, hint)}
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return hubSum, fmt.Errorf("hub: %s: %s", url, resp.Status)
	default:
		return hubSum, permanentError{fmt.Errorf("hub: %s: %s", url, resp.Status)}
	}

	// Copy with a stall watchdog: a server that stops sending is cut off after c.Stall.
	stall := c.Stall
	if stall <= 0 {
		stall = 60 * time.Second
	}
	errStall := fmt.Errorf("hub: no data for %v", stall)
	watchdog := time.AfterFunc(stall, func() { cancel(errStall) })
	defer watchdog.Stop()
	buf := make([]byte, 256<<10)
	done := have
	if c.Progress != nil {
		c.Progress(done, total)
	}
	for {
		n, rerr := resp.Body.Read(buf)
		if n > 0 {
			watchdog.Reset(stall)
			if _, err := f.Write(buf[:n]); err != nil {
				return hubSum, permanentError{fmt.Errorf("hub: %w", err)}
			}
			done += int64(n)
			if c.Progress != nil {
				c.Progress(done, total)
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			if cause := context.Cause(ctx); cause != nil && errors.Is(cause, errStall) {
				return hubSum, errStall
			}
			return hubSum, fmt.Errorf("hub: transfer cut at %s: %w", HumanBytes(done), rerr)
		}
	}
	if total >= 0 && done != total {
		return hubSum, fmt.Errorf("hub: transfer ended at %d of %d bytes", done, total)
	}
	return hubSum, nil
}

func (c *Client) logf(format string, args ...any) {
	if c.Log != nil {
		c.Log(format, args...)
	}
}

// lfsSHA256 reads the hub's LFS checksum from a response: X-Linked-Etag (the /resolve/
// redirect), or an ETag that is itself a sha256 (some mirrors).
func lfsSHA256(h http.Header) string {
	for _, k := range []string{"X-Linked-Etag", "Etag"} {
		v := strings.TrimPrefix(strings.TrimSpace(h.Get(k)), "W/")
		v = strings.ToLower(strings.Trim(v, `"`))
		if isHex64(v) {
			return v
		}
	}
	return ""
}

// contentRange parses "bytes START-END/SIZE" (or "bytes */SIZE"); size is -1 when "*".
func contentRange(v string) (start, size int64, ok bool) {
	v, found := strings.CutPrefix(strings.TrimSpace(v), "bytes ")
	if !found {
		return 0, 0, false
	}
	rng, sz, found := strings.Cut(v, "/")
	if !found {
		return 0, 0, false
	}
	size = -1
	if sz != "*" {
		n, err := strconv.ParseInt(sz, 10, 64)
		if err != nil {
			return 0, 0, false
		}
		size = n
	}
	if rng == "*" {
		return 0, size, true
	}
	a, _, found := strings.Cut(rng, "-")
	if !found {
		return 0, 0, false
	}
	n, err := strconv.ParseInt(a, 10, 64)
	if err != nil {
		return 0, 0, false
	}
	return n, size, true
}

func isHex64(s string) bool {
	if len(s) != 64 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

func fileSHA256(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// checkMagic refuses a file that is not GGUF (an HTML error page served with 200, say).
func checkMagic(p string) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	var b [4]byte
	if _, err := io.ReadFull(f, b[:]); err != nil || string(b[:]) != "GGUF" {
		return errors.New("not a GGUF file")
	}
	return nil
}
