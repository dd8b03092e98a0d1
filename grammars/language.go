// Package grammars knows the programming languages weft works on: it maps LSP language ids, file extensions
// and CLI names to tree-sitter grammars, keeps one incrementally parsed syntax tree per open buffer
// (Document), and answers the structural questions complete/ and translate/ ask through embedded .scm
// queries: enclosing scope, imports, top-level definitions, functions and their calls, comments, blocks,
// and syntax-error counts.
//
// The answers are plain values (byte offsets into the document text, strings), so callers never hold
// tree-sitter objects whose C memory must be freed. The package knows no model and no LSP.
package grammars

import (
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"unsafe"

	sitter "github.com/tree-sitter/go-tree-sitter"
	tsc "github.com/tree-sitter/tree-sitter-c/bindings/go"
	tscpp "github.com/tree-sitter/tree-sitter-cpp/bindings/go"
	tsgo "github.com/tree-sitter/tree-sitter-go/bindings/go"
	tsjava "github.com/tree-sitter/tree-sitter-java/bindings/go"
	tsjs "github.com/tree-sitter/tree-sitter-javascript/bindings/go"
	tspython "github.com/tree-sitter/tree-sitter-python/bindings/go"
	tsrust "github.com/tree-sitter/tree-sitter-rust/bindings/go"
	tsts "github.com/tree-sitter/tree-sitter-typescript/bindings/go"
)

// Language is one supported programming language. Values are shared and immutable; compare them by
// pointer or by ID.
type Language struct {
	ID          string   // weft's id: go, python, javascript, typescript, tsx, rust, java, c, cpp
	Name        string   // human name: "Go", "TypeScript (TSX)"
	LSPIDs      []string // LSP languageId values served by this grammar ("typescriptreact" for tsx)
	Extensions  []string // file extensions with the dot, lower case
	Aliases     []string // extra names accepted by Lookup (CLI use): "py", "golang", "c++"
	LineComment string   // line-comment prefix used when building prompts ("//", "#")

	// IndentBlocks is true when blocks are delimited by indentation (Python) rather than brackets.
	IndentBlocks bool

	ptr  func() unsafe.Pointer
	once sync.Once
	ts   *sitter.Language
	qs   queries
	qerr error
}

// languages is the registry. It is built once and never changes; the per-language lazy state (grammar
// handle and compiled queries) is guarded by each Language's sync.Once.
var languages = []*Language{
	{ID: "go", Name: "Go", LSPIDs: []string{"go"}, Extensions: []string{".go"}, Aliases: []string{"golang"},
		LineComment: "//", ptr: tsgo.Language},
	{ID: "python", Name: "Python", LSPIDs: []string{"python"}, Extensions: []string{".py", ".pyi", ".pyw"},
		Aliases: []string{"py", "python3"}, LineComment: "#", IndentBlocks: true, ptr: tspython.Language},
	{ID: "javascript", Name: "JavaScript", LSPIDs: []string{"javascript", "javascriptreact"},
		Extensions: []string{".js", ".mjs", ".cjs", ".jsx"}, Aliases: []string{"js", "jsx", "node"},
		LineComment: "//", ptr: tsjs.Language},
	{ID: "typescript", Name: "TypeScript", LSPIDs: []string{"typescript"}, Extensions: []string{".ts", ".mts", ".cts"},
		Aliases: []string{"ts"}, LineComment: "//", ptr: tsts.LanguageTypescript},
	{ID: "tsx", Name: "TypeScript (TSX)", LSPIDs: []string{"typescriptreact"}, Extensions: []string{".tsx"},
		LineComment: "//", ptr: tsts.LanguageTSX},
	{ID: "rust", Name: "Rust", LSPIDs: []string{"rust"}, Extensions: []string{".rs"}, Aliases: []string{"rs"},
		LineComment: "//", ptr: tsrust.Language},
	{ID: "java", Name: "Java", LSPIDs: []string{"java"}, Extensions: []string{".java"},
		LineComment: "//", ptr: tsjava.Language},
	{ID: "c", Name: "C", LSPIDs: []string{"c"}, Extensions: []string{".c", ".h"},
		LineComment: "//", ptr: tsc.Language},
	{ID: "cpp", Name: "C++", LSPIDs: []string{"cpp"},
		Extensions: []string{".cc", ".cpp", ".cxx", ".c++", ".hpp", ".hh", ".hxx", ".h++", ".ipp", ".tpp", ".inl"},
		Aliases:    []string{"c++", "cxx"}, LineComment: "//", ptr: tscpp.Language},
}

// Languages returns every supported language in a fixed order. The slice is a copy.
func Languages() []*Language { return append([]*Language(nil), languages...) }

// ByLanguageID finds a language by its LSP languageId ("typescriptreact") or weft id ("tsx").
func ByLanguageID(id string) (*Language, bool) {
	for _, l := range languages {
		if l.ID == id {
			return l, true
		}
		for _, x := range l.LSPIDs {
			if x == id {
				return l, true
			}
		}
	}
	return nil, false
}

// ByExtension finds a language by file extension, with or without the dot, case-insensitively (".H" is C).
// A path is accepted too: its extension is used.
func ByExtension(ext string) (*Language, bool) {
	if strings.ContainsAny(ext, `./\`) {
		ext = filepath.Ext(ext) // "main.rs" -> ".rs", "types.d.ts" -> ".ts", "src/Makefile" -> ""
		if ext == "" {
			return nil, false
		}
	}
	ext = strings.ToLower(ext)
	if ext != "" && ext[0] != '.' {
		ext = "." + ext
	}
	for _, l := range languages {
		for _, e := range l.Extensions {
			if e == ext {
				return l, true
			}
		}
	}
	return nil, false
}

// Lookup resolves what a user or client may call a language: a weft id, an LSP languageId, a CLI alias
// ("py", "golang", "c++"), a display name, an extension (".rs" or "rs") or a file path ("src/main.rs").
// Matching is case-insensitive.
func Lookup(nameOrExtOrID string) (*Language, bool) {
	s := strings.ToLower(strings.TrimSpace(nameOrExtOrID))
	if s == "" {
		return nil, false
	}
	if l, ok := ByLanguageID(s); ok {
		return l, true
	}
	for _, l := range languages {
		if strings.ToLower(l.Name) == s {
			return l, true
		}
		for _, a := range l.Aliases {
			if a == s {
				return l, true
			}
		}
	}
	return ByExtension(s)
}

// String returns the weft id.
func (l *Language) String() string { return l.ID }

// load creates the grammar handle and compiles the embedded queries, once per language. The compiled
// queries live as long as the process (they are immutable and shared by all documents of the language,
// which tree-sitter allows), so they are deliberately never closed.
func (l *Language) load() error {
	l.once.Do(func() {
		l.ts = sitter.NewLanguage(l.ptr())
		l.qs, l.qerr = compileQueries(l)
	})
	return l.qerr
}

// sitterLanguage returns the tree-sitter handle, loading the language on first use.
func (l *Language) sitterLanguage() (*sitter.Language, error) {
	if l == nil {
		return nil, fmt.Errorf("grammars: nil language")
	}
	if err := l.load(); err != nil {
		return nil, err
	}
	return l.ts, nil
}
