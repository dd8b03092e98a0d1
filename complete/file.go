package complete

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/weft-dev/weft/grammars"
)

// Files and positions: the entry points of `weft complete --file F --pos L:C`.

// ErrUnsupported is returned for files whose language weft does not parse.
var ErrUnsupported = errors.New("complete: unsupported language")

// Position converts a 1-based line and column to a byte offset of text. Columns count characters
// (Unicode code points), as editors show them; a column past the end of the line means the line's end.
func Position(text []byte, line, col int) (int, error) {
	if line < 1 || col < 1 {
		return 0, fmt.Errorf("complete: position %d:%d: line and column start at 1", line, col)
	}
	off := 0
	for l := 1; l < line; l++ {
		i := strings.IndexByte(string(text[off:]), '\n')
		if i < 0 {
			return 0, fmt.Errorf("complete: line %d beyond the %d lines of the text", line, l)
		}
		off += i + 1
	}
	for c := 1; c < col && off < len(text) && text[off] != '\n'; c++ {
		_, size := utf8.DecodeRune(text[off:])
		off += size
	}
	return off, nil
}

// CompleteFile reads path and completes it at 1-based line:col; see CompleteText.
func (e *Engine) CompleteFile(ctx context.Context, path string, line, col int, o Options) (Result, error) {
	if st, err := os.Stat(path); err == nil && !st.Mode().IsRegular() {
		return Result{}, fmt.Errorf("complete: %s is not a regular file", path) // a FIFO would block the read
	}
	text, err := os.ReadFile(path)
	if err != nil {
		return Result{}, fmt.Errorf("complete: %w", err)
	}
	return e.CompleteText(ctx, path, text, line, col, o)
}

// CompleteText completes text at 1-based line:col (characters), as `weft complete --file F --pos L:C`
// does; path names the file (its extension chooses the language) and keys the document. It takes the
// same path through the engine as the language server's requests.
func (e *Engine) CompleteText(ctx context.Context, path string, text []byte, line, col int, o Options) (Result, error) {
	lang, ok := grammars.ByExtension(path)
	if !ok {
		return Result{}, fmt.Errorf("%w: %s", ErrUnsupported, path)
	}
	off, err := Position(text, line, col)
	if err != nil {
		return Result{}, err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	return e.Complete(ctx, Request{URI: "file://" + filepath.ToSlash(abs), LanguageID: lang.ID, Path: abs,
		Text: text, Offset: off, Options: o, ReadPath: abs}) // the user named the file: its directory may be read
}
