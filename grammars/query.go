package grammars

import (
	"embed"
	"fmt"
	"io/fs"
	"strings"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

// The queries are written for this package from each grammar's node-types.json. Conventions, shared by
// all languages so the Go code stays language-agnostic:
//
//	scopes.scm       @scope.<kind> on a function/method/class-like node, with @name and @body
//	definitions.scm  @definition.<kind> on a named declaration, with @name and optional @body
//	imports.scm      @import on each import statement
//	comments.scm     @comment on comments, @docstring on documentation strings (Python)
//	blocks.scm       @block on bodies and bracketed blocks
//	calls.scm        @call on the callee's name in a call expression
//
// queries/ecma holds what JavaScript, TypeScript and TSX share; queries/javascript and
// queries/typescript (TypeScript and TSX) add what only their grammars have.
//
//go:embed queries
var queryFS embed.FS

// queries holds one language's compiled queries.
type queries struct {
	scopes, definitions, imports, comments, blocks, calls *sitter.Query
}

// queryDirs says which query folders make up a language's queries, in order.
func queryDirs(id string) []string {
	switch id {
	case "javascript":
		return []string{"ecma", "javascript"}
	case "typescript", "tsx":
		return []string{"ecma", "typescript"}
	}
	return []string{id}
}

func compileQueries(l *Language) (queries, error) {
	var qs queries
	for _, q := range []struct {
		file string
		dst  **sitter.Query
	}{
		{"scopes.scm", &qs.scopes},
		{"definitions.scm", &qs.definitions},
		{"imports.scm", &qs.imports},
		{"comments.scm", &qs.comments},
		{"blocks.scm", &qs.blocks},
		{"calls.scm", &qs.calls},
	} {
		var src strings.Builder
		for _, dir := range queryDirs(l.ID) {
			b, err := fs.ReadFile(queryFS, "queries/"+dir+"/"+q.file)
			if err != nil {
				continue // a language may leave a query out (no docstrings, ...)
			}
			src.Write(b)
			src.WriteByte('\n')
		}
		compiled, qerr := sitter.NewQuery(l.ts, src.String())
		if qerr != nil {
			qs.close()
			return queries{}, fmt.Errorf("grammars: %s %s: %w", l.ID, q.file, qerr)
		}
		*q.dst = compiled
	}
	return qs, nil
}

func (qs *queries) close() {
	for _, q := range []*sitter.Query{qs.scopes, qs.definitions, qs.imports, qs.comments, qs.blocks, qs.calls} {
		if q != nil {
			q.Close()
		}
	}
}

// capture is one capture of a match, copied out of tree-sitter's cursor memory.
type capture struct {
	name string
	node sitter.Node
}

// match is one query match as plain values.
type match []capture

// get returns the first node captured under name, or whose name starts with prefix+".".
func (m match) get(name string) (sitter.Node, string, bool) {
	for _, c := range m {
		if c.name == name || strings.HasPrefix(c.name, name+".") {
			return c.node, c.name, true
		}
	}
	return sitter.Node{}, "", false
}

// run executes q over the whole tree of d and returns its matches. The query cursor is closed before
// returning; the nodes stay valid as long as d's tree.
func run(d *Document, q *sitter.Query) []match { return runRange(d, q, 0, len(d.text)) }

// runRange is run limited to the matches that intersect text[lo:hi] (whole matches, captures outside
// the range included), so that questions about one offset do not walk a large file's whole tree.
func runRange(d *Document, q *sitter.Query, lo, hi int) []match {
	if d == nil || d.tree == nil || q == nil {
		return nil // closed document: no answers rather than a crash
	}
	qc := sitter.NewQueryCursor()
	defer qc.Close()
	lo = max(0, min(lo, len(d.text)))
	hi = max(lo, min(hi, len(d.text)))
	if lo > 0 || hi < len(d.text) {
		qc.SetByteRange(uint(lo), uint(hi))
	}
	names := q.CaptureNames()
	root := d.tree.RootNode()
	ms := qc.Matches(q, root, d.text)
	var out []match
	for m := ms.Next(); m != nil; m = ms.Next() {
		mm := make(match, 0, len(m.Captures))
		for _, c := range m.Captures {
			mm = append(mm, capture{name: names[c.Index], node: c.Node})
		}
		out = append(out, mm)
	}
	return out
}
