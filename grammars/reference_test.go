package grammars

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// TestGoDefinitionsMatchGoParser compares Definitions and Functions with go/parser, an independent
// reference, on real code: the Go standard library's sources in GOROOT (read in place).
func TestGoDefinitionsMatchGoParser(t *testing.T) {
	var files []string
	for _, dir := range []string{"strings", "sort", "bufio", "container/list", "encoding/csv", "text/tabwriter"} {
		m, _ := filepath.Glob(filepath.Join(runtime.GOROOT(), "src", dir, "*.go"))
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Skip("no Go sources under GOROOT")
	}
	l := mustLang(t, "go")
	for _, path := range files {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		af, err := parser.ParseFile(token.NewFileSet(), path, src, parser.SkipObjectResolution)
		if err != nil {
			continue // not our concern
		}
		var want, wantFuncs []string
		for _, decl := range af.Decls {
			switch decl := decl.(type) {
			case *ast.FuncDecl:
				k := "function "
				if decl.Recv != nil {
					k = "method "
				}
				want = append(want, k+decl.Name.Name)
				if decl.Body != nil {
					wantFuncs = append(wantFuncs, decl.Name.Name)
				}
			case *ast.GenDecl:
				for _, spec := range decl.Specs {
					switch spec := spec.(type) {
					case *ast.TypeSpec:
						want = append(want, "type "+spec.Name.Name)
					case *ast.ValueSpec:
						k := "variable "
						if decl.Tok == token.CONST {
							k = "constant "
						}
						for _, n := range spec.Names {
							want = append(want, k+n.Name)
						}
					}
				}
			}
		}
		d, err := Parse(l, src)
		if err != nil {
			t.Fatal(err)
		}
		if n := d.ErrorCount(); n != 0 {
			t.Errorf("%s: %d syntax errors in valid Go", path, n)
		}
		var got []string
		for _, def := range Definitions(d) {
			k := def.Kind
			if k == KindStruct || k == KindInterface {
				k = KindType
			}
			got = append(got, k+" "+def.Name)
			if def.Signature == "" || !strings.Contains(string(src[def.StartByte:def.EndByte]), def.Signature) {
				t.Errorf("%s: %s: signature %q not in its span", path, def.Name, def.Signature)
			}
		}
		var gotFuncs []string
		for _, f := range Functions(d) {
			if f.Kind == KindFunction || f.Kind == KindMethod {
				gotFuncs = append(gotFuncs, f.Name)
			}
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s: definitions differ from go/parser:\n got %q\nwant %q", path, got, want)
		}
		// Functions also lists nested named functions; Go has none (closures are anonymous).
		if !slices.Equal(gotFuncs, wantFuncs) {
			t.Errorf("%s: functions %q, go/parser %q", path, gotFuncs, wantFuncs)
		}
		d.Close()
	}
}

// TestRealFiles runs every question on real source files found on this machine (skipping languages
// with none) and checks that valid files parse without errors and that the answers are consistent.
func TestRealFiles(t *testing.T) {
	globs := map[string][]string{
		"python": {"/usr/lib/python3*/json/*.py", "/usr/lib/python3*/textwrap.py", "/usr/lib/python3*/dataclasses.py"},
		"c":      {filepath.Join(runtime.GOROOT(), "src/runtime/cgo/gcc_linux*.c"), filepath.Join(runtime.GOROOT(), "src/runtime/cgo/gcc_util.c")},
		"go":     {filepath.Join(runtime.GOROOT(), "src/go/ast/*.go")},
	}
	for lang, pats := range globs {
		l := mustLang(t, lang)
		var files []string
		for _, p := range pats {
			m, _ := filepath.Glob(p)
			files = append(files, m...)
		}
		if len(files) == 0 {
			t.Logf("%s: no files found, skipped", lang)
			continue
		}
		for _, path := range files {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			d, err := Parse(l, src)
			if err != nil {
				t.Fatal(err)
			}
			if n := d.ErrorCount(); n != 0 {
				t.Errorf("%s: %d syntax errors", path, n)
			}
			defs := Definitions(d)
			if len(defs) == 0 {
				t.Errorf("%s: no definitions", path)
			}
			for _, f := range Functions(d) {
				// Each function's scope, asked from inside its body, is that function or one nested in it.
				mid := (f.BodyStartByte + f.BodyEndByte) / 2
				s, ok := EnclosingScope(d, mid)
				if !ok || s.StartByte < f.StartByte || s.EndByte > f.EndByte {
					t.Errorf("%s: scope at the middle of %s is %+v", path, f.Name, s)
				}
			}
			for off := 0; off < len(src); off += 397 {
				_ = NodeAt(d, off)
			}
			d.Close()
		}
	}
}

// pyDefsScript prints the functions and classes Definitions should report for a Python file, computed
// with Python's own ast module: those not inside a function, at most one class deep, as
// "kind container.name" lines ("function f", "class C", "method C.m", "class C.Inner").
const pyDefsScript = `
import ast, sys
tree = ast.parse(open(sys.argv[1], encoding="utf-8").read())
out = []
def walk(body, container, depth):
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            kind = "method" if container else "function"
            out.append((node.lineno, node.col_offset, kind + " " + (container + "." if container else "") + node.name))
        elif isinstance(node, ast.ClassDef):
            out.append((node.lineno, node.col_offset, "class " + (container + "." if container else "") + node.name))
            if depth == 0:
                walk(node.body, node.name, 1)
        else:
            for field in ("body", "orelse", "finalbody", "handlers"):
                sub = getattr(node, field, None)
                if isinstance(sub, list):
                    walk(sub, container, depth)
            for case in getattr(node, "cases", []) or []:
                walk(case.body, container, depth)
walk(tree.body, "", 0)
for _, _, s in sorted(out):
    print(s)
`

// TestPythonDefinitionsMatchAST compares the functions and classes of Definitions with Python's ast
// module (an independent reference) on the standard library sources installed here.
func TestPythonDefinitionsMatchAST(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("no python3")
	}
	var files []string
	for _, p := range []string{"/usr/lib/python3*/json/*.py", "/usr/lib/python3*/textwrap.py", "/usr/lib/python3*/dataclasses.py"} {
		m, _ := filepath.Glob(p)
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Skip("no Python sources found")
	}
	l := mustLang(t, "python")
	for _, path := range files {
		ref, err := exec.Command(py, "-c", pyDefsScript, path).Output()
		if err != nil {
			t.Logf("%s: python3 failed (%v), skipped", path, err)
			continue
		}
		want := strings.Fields(strings.ReplaceAll(strings.TrimSpace(string(ref)), " ", "_"))
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		d, err := Parse(l, src)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, def := range Definitions(d) {
			if def.Kind != KindFunction && def.Kind != KindMethod && def.Kind != KindClass {
				continue
			}
			name := def.Name
			if def.Container != "" {
				name = def.Container + "." + name
			}
			got = append(got, def.Kind+"_"+name)
		}
		d.Close()
		if !slices.Equal(got, want) {
			t.Errorf("%s: definitions differ from Python's ast:\n got %q\nwant %q", path, got, want)
		}
	}
}
