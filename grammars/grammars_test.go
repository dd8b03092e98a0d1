package grammars

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// sample loads testdata/sample.<ext>.txt, a small file of each language exercising the queries.
func sample(t *testing.T, ext string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "sample"+ext+".txt"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// at returns the offset of the first occurrence of needle in src plus delta; the test fails when the
// needle is missing, so a fixture edit cannot silently move an offset.
func at(t *testing.T, src []byte, needle string, delta int) int {
	t.Helper()
	i := strings.Index(string(src), needle)
	if i < 0 {
		t.Fatalf("needle %q not in fixture", needle)
	}
	return i + delta
}

func mustLang(t *testing.T, name string) *Language {
	t.Helper()
	l, ok := Lookup(name)
	if !ok {
		t.Fatalf("Lookup(%q) failed", name)
	}
	return l
}

func TestLookup(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"go", "go"}, {"golang", "go"}, {".go", "go"}, {"main.go", "go"},
		{"python", "python"}, {"py", "python"}, {".pyi", "python"}, {"Python", "python"},
		{"javascript", "javascript"}, {"javascriptreact", "javascript"}, {"js", "javascript"},
		{".mjs", "javascript"}, {".cjs", "javascript"}, {".jsx", "javascript"},
		{"typescript", "typescript"}, {"ts", "typescript"}, {".ts", "typescript"},
		{"typescriptreact", "tsx"}, {".tsx", "tsx"}, {"tsx", "tsx"},
		{"rust", "rust"}, {"rs", "rust"}, {"src/lib.rs", "rust"},
		{"java", "java"}, {"Foo.java", "java"},
		{"c", "c"}, {".c", "c"}, {".h", "c"}, {".H", "c"},
		{"types.d.ts", "typescript"}, {"a/b.test.js", "javascript"},
		{"cpp", "cpp"}, {"c++", "cpp"}, {"C++", "cpp"}, {".cc", "cpp"}, {".cpp", "cpp"}, {".hpp", "cpp"}, {"x/y.cxx", "cpp"},
	} {
		l, ok := Lookup(tc.in)
		if !ok || l.ID != tc.want {
			t.Errorf("Lookup(%q) = %v, %v; want %s", tc.in, l, ok, tc.want)
		}
	}
	for _, bad := range []string{"", "cobol", ".txt", "README", "src/Makefile", ".", "x."} {
		if l, ok := Lookup(bad); ok {
			t.Errorf("Lookup(%q) = %s, want not found", bad, l.ID)
		}
	}
	if l, ok := ByLanguageID("javascriptreact"); !ok || l.ID != "javascript" {
		t.Errorf("ByLanguageID(javascriptreact) = %v", l)
	}
	if _, ok := ByLanguageID("py"); ok {
		t.Error("ByLanguageID accepts the alias py; aliases are for Lookup only")
	}
	if n := len(Languages()); n != 9 {
		t.Errorf("Languages() has %d entries, want 9", n)
	}
}

// langCase is everything checked per language on its sample file.
type langCase struct {
	lang, ext string
	// scopes: needle (offset = needle start + delta) -> "kind name" of the innermost scope, "" for none.
	scopes []scopeCase
	// imports: the import statements' texts, in order.
	imports []string
	// defs: "kind container.name | signature" for every definition, in order.
	defs []string
	// comments: "kind: text", in order.
	comments []string
	// calls: function name -> callee names.
	calls map[string][]string
}

type scopeCase struct {
	needle string
	delta  int
	want   string // "kind name" or "kind name > kind name" for EnclosingScopes when wantAll
}

// tsDefs are the definitions of the TypeScript sample, which the TSX sample extends.
var tsDefs = []string{
	"interface Shape | export interface Shape",
	"method Shape.area | area(): number",
	"field Shape.name | name: string",
	"type ID | type ID = string | number;",
	"enum Color | enum Color",
	"class Circle | export class Circle implements Shape",
	`field Circle.name | name = "circle"`,
	"method Circle.constructor | constructor(private r: number)",
	"method Circle.area | area(): number",
	"class Base | export abstract class Base<T>",
	"method Base.run | abstract run(x: T): void",
	"function make | export function make<T>(x: T): Circle",
	"namespace NS | namespace NS",
	"function ext | declare function ext(a: number): string;",
}

var langCases = []langCase{
	{
		lang: "go", ext: ".go",
		scopes: []scopeCase{
			{"package foo", 0, ""},
			{"return strings", 0, "function Hello"},
			{`fmt.Println("x")`, 0, "function Hello > closure "},
			{"return float64", 0, "method Area"},
			{"X, Y int", 0, "struct Point"},
			{"Area() float64\n}", 0, "interface Shape"},
		},
		imports: []string{"import (\n\t\"fmt\"\n\t\"strings\"\n)", `import "os"`},
		defs: []string{
			"constant Answer | const Answer = 42",
			"variable x | x = 1",
			"variable y | y int",
			"struct Point | type Point struct",
			"interface Shape | type Shape interface",
			"type ID | type ID = string",
			"type Names | type Names []string",
			"function Hello | func Hello(name string) (string, error)",
			"method Point.Area | func (p *Point) Area() float64",
		},
		comments: []string{
			"comment: // Package foo does things.",
			"comment: // Answer is the answer.",
			"comment: /* block comment */",
		},
		calls: map[string][]string{"Hello": {"Println", "f", "ToUpper"}, "Area": {"float64"}},
	},
	{
		lang: "python", ext: ".py",
		scopes: []scopeCase{
			{"import os", 0, ""},
			{"return x + 1", 0, "function helper"},
			{"y = helper(a)", 0, "function decorated"},
			{`greeting = "hi"`, 0, "class Greeter"},
			{"self.name = name", 0, "class Greeter > method __init__"},
			{"return self.name", 0, "class Greeter > method greet > function inner"},
			{"return self.fmt", 0, "class Greeter > method greet"},
		},
		imports: []string{"import os", "from typing import List as L", "from . import sibling"},
		defs: []string{
			"variable LIMIT | LIMIT = 10",
			"function helper | def helper(x: int) -> int:",
			"function decorated | def decorated(a, b=2):",
			"class Greeter | class Greeter(Base):",
			"field Greeter.greeting | greeting = \"hi\"",
			"method Greeter.__init__ | def __init__(self, name):",
			"method Greeter.greet | def greet(self) -> str:",
		},
		comments: []string{
			`docstring: """Module docstring."""`,
			"comment: # a comment",
			`docstring: """Helper docstring."""`,
			`docstring: """Greets."""`,
		},
		calls: map[string][]string{"decorated": {"helper", "join"}, "greet": {"fmt", "inner"}, "helper": nil},
	},
	{
		lang: "javascript", ext: ".js",
		scopes: []scopeCase{
			{"return helper(a)", 0, "function add"},
			{"x * x;", 0, "function square"},
			{"return square(x)", 0, "function cube"},
			{"legs = 4", 0, "class Animal"},
			{"this.name = name", 0, "class Animal > method constructor"},
			{"console.log(n)", 0, "class Animal > method speak > closure "},
			{"add(1, 2); }", 0, "function run"},
			{"let counter", 0, ""},
		},
		imports: []string{`import fs from "fs";`, `import { join, dirname } from "path";`, `const util = require("util");`},
		defs: []string{
			`constant util | const util = require("util");`,
			"function add | export function add(a, b)",
			"constant LIMIT | const LIMIT = 5;",
			"variable counter | let counter = 0;",
			"function square | const square = (x) =>",
			"function cube | export const cube = async function (x)",
			"class Animal | class Animal extends Base",
			"field Animal.legs | legs = 4",
			"method Animal.constructor | constructor(name)",
			"method Animal.speak | speak()",
		},
		comments: []string{"comment: /** JSDoc for add. */", "comment: // Animal class"},
		calls:    map[string][]string{"add": {"helper"}, "speak": {"forEach", "log", "format", "join"}, "run": {"add"}},
	},
	{
		lang: "typescript", ext: ".ts",
		scopes: []scopeCase{
			{"area(): number;", 0, "interface Shape"},
			{"return Math.PI", 0, "class Circle > method area"},
			{"return new Circle", 0, "function make"},
			{"export const z", 0, "namespace NS"},
			{"Red, Green", 0, "enum Color"},
		},
		imports:  []string{`import { Foo } from "./foo";`, `import type { Bar } from "./bar";`, `import fs = require("fs");`},
		defs:     tsDefs,
		comments: []string{"comment: // the circle"},
		calls:    map[string][]string{"area": {"sq"}, "make": {"Circle"}},
	},
	{
		lang: "tsx", ext: ".tsx",
		scopes: []scopeCase{
			{"return Math.PI", 0, "class Circle > method area"},
			{"<div", 0, ""},
		},
		imports:  []string{`import { Foo } from "./foo";`, `import type { Bar } from "./bar";`, `import fs = require("fs");`},
		defs:     append(slices.Clone(tsDefs), `constant el | const el = <div className="x">{make(1)}</div>;`),
		comments: []string{"comment: // the circle"},
		calls:    map[string][]string{"area": {"sq"}, "make": {"Circle"}},
	},
	{
		lang: "rust", ext: ".rs",
		scopes: []scopeCase{
			{"x: i32,\n    y: i32,", 0, "struct Point"},
			{"Point { x, y }", 0, "impl Point > method new"},
			{"a * 2;", 0, "impl Point > method dist > closure "},
			{"println!", 0, "function helper"},
			{"pub fn f() {}", 0, "module inner"},
			{"fn area(&self)", 0, "trait Area"},
			{"const MAX", 0, ""},
		},
		imports: []string{"use std::collections::HashMap;", "use std::io::{self, Read};", "extern crate serde;"},
		defs: []string{
			"struct Point | pub struct Point",
			"enum Shape | pub enum Shape",
			"trait Area | pub trait Area",
			"method Area.area | fn area(&self) -> f64;",
			"impl Point | impl Point",
			"method Point.new | pub fn new(x: i32, y: i32) -> Self",
			"method Point.dist | fn dist(&self) -> f64",
			"constant MAX | const MAX: usize = 10;",
			`variable NAME | static NAME: &str = "x";`,
			"type Map | type Map = HashMap<String, i32>;",
			"function helper | fn helper(x: i32) -> f64",
			"module inner | mod inner",
			"function f | pub fn f()",
			"macro sq | macro_rules! sq { ($x:expr) => { $x * $x }; }",
		},
		comments: []string{"comment: //! Crate docs.", "comment: /// A point.", "comment: /* block */"},
		calls:    map[string][]string{"dist": {"sqrt", "helper", "f"}, "helper": {"println"}, "new": nil},
	},
	{
		lang: "java", ext: ".java",
		scopes: []scopeCase{
			{"this.name = name", 0, "class Greeter > method Greeter"},
			{"System.out", 0, "class Greeter > method run > closure "},
			{"return a;", 0, "class Greeter > method pick"},
			{"void go()", 0, "class Greeter > interface Inner"},
			{"RED, GREEN", 0, "enum Color"},
			{"import java.util.List", 0, ""},
		},
		imports: []string{"package com.example;", "import java.util.List;", "import static java.lang.Math.*;"},
		defs: []string{
			"class Greeter | public class Greeter extends Base implements Runnable",
			"field Greeter.LIMIT | private static final int LIMIT = 3;",
			"field Greeter.name | private String name;",
			"method Greeter.Greeter | public Greeter(String name)",
			"method Greeter.run | @Override\n    public void run()",
			"method Greeter.pick | static <T> T pick(T a, T b)",
			"interface Greeter.Inner | interface Inner",
			"enum Color | enum Color",
		},
		comments: []string{"comment: /** Docs for Greeter. */", "comment: // run it"},
		calls:    map[string][]string{"run": {"of", "forEach", "println", "format", "Thread", "start"}},
	},
	{
		lang: "c", ext: ".c",
		scopes: []scopeCase{
			{"return helper(a)", 0, "function add"},
			{`printf("%d\n"`, 0, "function name_of"},
			{"int x, y;", 0, "struct point"},
			{"static int counter", 0, ""},
		},
		imports: []string{"#include <stdio.h>", `#include "local.h"`},
		defs: []string{
			"macro MAX | #define MAX 10",
			"macro SQ | #define SQ(x) ((x) * (x))",
			"struct point | struct point",
			"type box | typedef struct { int w; } box;",
			"type ulong | typedef unsigned long ulong;",
			"enum color | enum color",
			"variable counter | static int counter = 0;",
			"variable table | int table[4];",
			"function add | int add(int a, int b);",
			"function add | int add(int a, int b)",
			"function name_of | static char *name_of(struct point *p)",
		},
		comments: []string{"comment: /* A point */", "comment: // add numbers"},
		calls:    map[string][]string{"add": {"helper"}, "name_of": {"printf"}},
	},
	{
		lang: "cpp", ext: ".cpp",
		scopes: []scopeCase{
			{"return fmt(id)", 0, "namespace geo > class Shape > method name"},
			{"int id;", 0, "namespace geo > class Shape"},
			{"return a > b", 0, "namespace geo > function maxOf"},
			{"return v * v", 0, "namespace geo > method Circle::area > closure "},
			{"v.push_back", 0, "function main"},
		},
		imports: []string{"#include <vector>", "#include <string>", "using namespace std;", "using std::string;"},
		defs: []string{
			"namespace geo | namespace geo",
			"class Shape | class Shape",
			"method Shape.~Shape | virtual ~Shape()",
			"method Shape.area | virtual double area() const = 0;",
			"field Shape.id | int id;",
			"method Shape.name | string name() const",
			"struct Point | struct Point",
			"field Point.x | int x;",
			"field Point.y | int y;",
			"function maxOf | template <typename T>\nT maxOf(T a, T b)",
			"method Circle.area | double Circle::area() const",
			"function main | int main(int argc, char **argv)",
		},
		comments: []string{"comment: // A shape", "comment: // namespace geo"},
		calls:    map[string][]string{"area": {"sq", "max"}, "main": {"push_back", "maxOf"}, "name": {"fmt"}},
	},
}

func TestQueries(t *testing.T) {
	for _, tc := range langCases {
		t.Run(tc.lang, func(t *testing.T) {
			src := sample(t, tc.ext)
			d, err := Parse(mustLang(t, tc.lang), src)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			if n := d.ErrorCount(); n != 0 {
				t.Fatalf("sample has %d syntax errors:\n%s", n, d.Root().ToSexp())
			}

			for _, sc := range tc.scopes {
				off := at(t, src, sc.needle, sc.delta)
				var parts []string
				for _, s := range EnclosingScopes(d, off) {
					parts = append(parts, s.Kind+" "+s.Name)
				}
				if got := strings.Join(parts, " > "); got != sc.want {
					t.Errorf("scopes at %q = %q, want %q", sc.needle, got, sc.want)
				}
				inner, ok := EnclosingScope(d, off)
				if ok != (sc.want != "") || (ok && inner.Kind+" "+inner.Name != parts[len(parts)-1]) {
					t.Errorf("EnclosingScope at %q = %+v, %v", sc.needle, inner, ok)
				}
				if ok && !(inner.StartByte <= inner.BodyStartByte && inner.BodyStartByte <= off && off <= inner.BodyEndByte && inner.BodyEndByte <= inner.EndByte) {
					t.Errorf("EnclosingScope at %q (%d): inconsistent spans %+v", sc.needle, off, inner)
				}
			}

			var imports []string
			for _, s := range Imports(d) {
				if s.Text != string(src[s.StartByte:s.EndByte]) || s.Kind != "import" {
					t.Errorf("import span %+v does not match the text", s)
				}
				imports = append(imports, s.Text)
			}
			if !slices.Equal(imports, tc.imports) {
				t.Errorf("imports:\n got %q\nwant %q", imports, tc.imports)
			}

			if tc.defs != nil {
				var defs []string
				for _, def := range Definitions(d) {
					name := def.Name
					if def.Container != "" {
						name = def.Container + "." + name
					}
					defs = append(defs, def.Kind+" "+name+" | "+def.Signature)
					if !strings.Contains(string(src[def.StartByte:def.EndByte]), strings.TrimSuffix(def.Signature, ";")) {
						t.Errorf("definition %s: signature %q not inside its span %q", def.Name, def.Signature, src[def.StartByte:def.EndByte])
					}
				}
				if !slices.Equal(defs, tc.defs) {
					t.Errorf("definitions:\n got %s\nwant %s", strings.Join(defs, "\n     "), strings.Join(tc.defs, "\n     "))
				}
			}

			var comments []string
			for _, c := range Comments(d) {
				comments = append(comments, c.Kind+": "+c.Text)
			}
			if !slices.Equal(comments, tc.comments) {
				t.Errorf("comments:\n got %q\nwant %q", comments, tc.comments)
			}

			funcs := Functions(d)
			for name, want := range tc.calls {
				i := slices.IndexFunc(funcs, func(f Function) bool { return f.Name == name })
				if i < 0 {
					t.Errorf("Functions: no %s", name)
					continue
				}
				f := funcs[i]
				if !slices.Equal(f.Calls, want) {
					t.Errorf("%s calls %q, want %q", name, f.Calls, want)
				}
				if !(f.StartByte <= f.BodyStartByte && f.BodyStartByte < f.BodyEndByte && f.BodyEndByte <= f.EndByte) {
					t.Errorf("%s: inconsistent spans %+v", name, f)
				}
			}
		})
	}
}

func TestErrorCount(t *testing.T) {
	for _, tc := range []struct {
		lang          string
		valid, broken []string
	}{
		{"go", []string{"package p\n", "package p\nfunc f() int { return 1 }\n"},
			[]string{"package p\nfunc f( {\n", "package p\nfunc f() { return 1 + }\n", "package p\nvar x = [\n"}},
		{"python", []string{"", "def f(x):\n    return x\n", "x = [1, 2]\n"},
			[]string{"def f(x:\n    return x\n", "x = (1,\n", "class :\n    pass\n"}},
		{"javascript", []string{"const x = 1;\n", "function f(a) { return a + 1; }\n", "const el = <div/>;\n"},
			[]string{"function f( { }\n", "const x = ;\n", "if (x { y(); }\n"}},
		{"typescript", []string{"let x: number = 1;\n", "function f<T>(a: T): T { return a; }\n"},
			[]string{"let x: = 1;\n", "function f(a: number { }\n"}},
		{"tsx", []string{"const el = <div className=\"a\">{x}</div>;\n"},
			[]string{"const el = <div>;\n", "function f( {\n"}},
		{"rust", []string{"fn main() {}\n", "struct P { x: i32 }\n"},
			[]string{"fn main( {}\n", "let x = ;\n", "struct P { x: }\n"}},
		{"java", []string{"class A { void f() {} }\n"},
			[]string{"class A { void f( {} }\n", "class A { int x = ; }\n"}},
		{"c", []string{"int main(void) { return 0; }\n"},
			[]string{"int main(void { return 0; }\n", "int x = ;\n"}},
		{"cpp", []string{"template <class T> T f(T a) { return a; }\n", "namespace n { class A {}; }\n"},
			[]string{"class A { void f( };\n", "int x = ;\n"}},
	} {
		l := mustLang(t, tc.lang)
		for _, s := range tc.valid {
			if n := ErrorCount(l, []byte(s)); n != 0 {
				t.Errorf("%s: ErrorCount(%q) = %d, want 0", tc.lang, s, n)
			}
		}
		for _, s := range tc.broken {
			if n := ErrorCount(l, []byte(s)); n <= 0 {
				t.Errorf("%s: ErrorCount(%q) = %d, want > 0", tc.lang, s, n)
			}
		}
	}
	if n := ErrorCount(nil, []byte("x")); n != -1 {
		t.Errorf("ErrorCount(nil language) = %d, want -1", n)
	}
}

func TestErrorCountAfterEdit(t *testing.T) {
	for _, tc := range langCases {
		src := sample(t, tc.ext)
		l := mustLang(t, tc.lang)
		d, err := Parse(l, src)
		if err != nil {
			t.Fatal(err)
		}
		mid := len(src) / 2
		for _, ins := range []string{"", "(", "}", " x ", "\n"} {
			got, err := d.ErrorCountAfterEdit(context.Background(), mid, mid, []byte(ins))
			if err != nil {
				t.Fatal(err)
			}
			if want := ErrorCount(l, []byte(string(src[:mid])+ins+string(src[mid:]))); got != want {
				t.Errorf("%s: inserting %q: ErrorCountAfterEdit = %d, ErrorCount = %d", tc.lang, ins, got, want)
			}
		}
		if !slices.Equal(d.Text(), src) || d.ErrorCount() != 0 {
			t.Errorf("%s: ErrorCountAfterEdit changed the document", tc.lang)
		}
		d.Close()
	}
}

func TestCommentAt(t *testing.T) {
	src := []byte("package p\n\n// line comment\nfunc f() {} /* block */ \n")
	d, err := Parse(mustLang(t, "go"), src)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for _, tc := range []struct {
		needle string
		delta  int
		want   bool
	}{
		{"// line", 0, false},         // before the slashes
		{"// line", 3, true},          // inside
		{"line comment\n", 12, true},  // end of the line comment: still typing in it
		{"line comment\n", 13, false}, // next line
		{"/* block */", 3, true},
		{"/* block */", 11, false}, // right after "*/"
		{"func f", 0, false},
	} {
		off := at(t, src, tc.needle, tc.delta)
		if _, got := CommentAt(d, off); got != tc.want {
			t.Errorf("CommentAt(%q%+d) = %v, want %v", tc.needle, tc.delta, got, tc.want)
		}
	}
}

// TestNodeAt checks the facts complete/ uses to choose between a single- and a multi-line completion.
// The cursor is where "|" is in src (removed before parsing).
func TestNodeAt(t *testing.T) {
	for _, tc := range []struct {
		lang, src                    string
		emptyBlock, lineEmpty, inCmt bool
		inString                     bool
		block                        string // kind of the innermost block, "" for none, "?" for any (error trees)
	}{
		{"go", "package p\n\nfunc f() {\n\t|\n}\n", true, true, false, false, "block"},
		{"go", "package p\n\nfunc f() {|}\n", true, false, false, false, "block"},
		{"go", "package p\n\nfunc f() {\n\tx := 1\n\t|\n}\n", false, true, false, false, "block"},
		{"go", "package p\n\nfunc f() {\n\tx := g(|)\n}\n", false, false, false, false, "block"},
		{"go", "package p\n\nfunc f() {\n\tx := \"ab|c\"\n}\n", false, false, false, true, "block"},
		{"go", "package p\n\n// doc |\nfunc f() {}\n", false, false, true, false, ""},
		{"go", "package p\n\n|", false, true, false, false, ""},
		{"python", "def f(x):\n    |", true, true, false, false, ""},
		{"python", "def f(x):\n    |\n", true, true, false, false, ""},
		{"python", "class A:\n    def f(self):  # note\n        |\n\nx = 1\n", true, true, false, false, "?"},
		{"python", "def f(x):\n    y = 1\n    |\n    return y\n", false, true, false, false, "block"},
		{"python", "def f(x):\n    \"\"\"Doc |\"\"\"\n    return x\n", false, false, true, false, "block"},
		{"python", "s = 'ab|c'\n", false, false, false, true, ""},
		{"python", "def f(x):\n    \"\"\"Doc.\n\n    More.\"\"\"\n    # todo\n    |\n", true, true, false, false, "?"},
		{"python", "def f(x):\n    |\ny = 2\n", true, true, false, false, "?"},
		{"python", "def f(x): |\n", false, false, false, false, "?"},
		{"python", "d = {\n    |\n}\n", false, true, false, false, "dictionary"},
		{"go", "package p\n\nfunc f() {\n\t// TODO: write it {\n\t|\n\t/* later */\n}\n", true, true, false, false, "block"},
		{"go", "package p\n\nvar s = \"{\"\n|\n", false, true, false, false, ""},
		{"javascript", "function f() {\n  |\n}\n", true, true, false, false, "statement_block"},
		{"javascript", "const s = `a ${b|} c`;\n", false, false, false, false, "template_string"},
		{"javascript", "const s = `a| ${b} c`;\n", false, false, false, true, "template_string"},
		{"rust", "fn main() { let c = 'x|'; }\n", false, false, false, true, "block"},
		{"rust", "fn main() {\n    let x = 1;|\n}\n", false, false, false, false, "block"},
		{"java", "class A {\n  void f() {\n    |\n  }\n}\n", true, true, false, false, "block"},
		{"c", "int f(void) {\n  |\n}\n", true, true, false, false, "compound_statement"},
		{"cpp", "struct S {\n  |\n};\n", true, true, false, false, "field_declaration_list"},
	} {
		off := strings.Index(tc.src, "|")
		src := strings.Replace(tc.src, "|", "", 1)
		d, err := Parse(mustLang(t, tc.lang), []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		c := NodeAt(d, off)
		d.Close()
		blk := ""
		if c.HasBlock {
			blk = c.Block.Kind
		}
		if tc.block == "?" {
			blk = "?"
		}
		if c.AtEmptyBlock != tc.emptyBlock || c.LineEmpty != tc.lineEmpty || c.InComment != tc.inCmt || c.InString != tc.inString || blk != tc.block {
			t.Errorf("%s %q: got empty=%v lineEmpty=%v comment=%v string=%v block=%q (kind %s), want %v %v %v %v %q",
				tc.lang, tc.src, c.AtEmptyBlock, c.LineEmpty, c.InComment, c.InString, blk, c.Kind,
				tc.emptyBlock, tc.lineEmpty, tc.inCmt, tc.inString, tc.block)
		}
	}
}

func TestGoMethodContainer(t *testing.T) {
	src := []byte("package p\n\nfunc (s *Stack[T]) Push(v T) { s.grow() }\nfunc (Stack[T]) Len() int { return 0 }\nfunc (q Queue) Pop() {}\n")
	d, err := Parse(mustLang(t, "go"), src)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var got []string
	for _, f := range Functions(d) {
		got = append(got, f.Container+"."+f.Name)
	}
	for _, def := range Definitions(d) {
		got = append(got, def.Kind+" "+def.Container+"."+def.Name)
	}
	want := []string{"Stack.Push", "Stack.Len", "Queue.Pop", "method Stack.Push", "method Stack.Len", "method Queue.Pop"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func ExampleEnclosingScope() {
	lang, _ := Lookup("py")
	src := []byte("class A:\n    def run(self, n):\n        return n * 2\n")
	d, _ := Parse(lang, src)
	defer d.Close()
	s, _ := EnclosingScope(d, strings.Index(string(src), "return"))
	fmt.Printf("%s %s: %q\n", s.Kind, s.Name, s.Signature)
	// Output: method run: "def run(self, n):"
}

// TestRangedQueriesMatchFull checks that the offset questions, which run their queries over a small
// byte range, give the same answers as filtering the whole file's results, at every offset of every
// sample.
func TestRangedQueriesMatchFull(t *testing.T) {
	for _, tc := range langCases {
		src := sample(t, tc.ext)
		d, err := Parse(mustLang(t, tc.lang), src)
		if err != nil {
			t.Fatal(err)
		}
		all := scopes(d)
		comments := Comments(d)
		blocks := Blocks(d)
		for off := 0; off <= len(src); off++ {
			var want []Scope
			for _, s := range all {
				if containsScope(d, s.node, off) {
					want = append(want, s.value(src))
				}
			}
			if got := EnclosingScopes(d, off); !slices.Equal(got, want) {
				t.Fatalf("%s: EnclosingScopes(%d) = %+v, full scan gives %+v", tc.lang, off, got, want)
			}
			var wantC Span
			for _, c := range comments {
				inside := off > c.StartByte && off < c.EndByte
				after := off >= c.EndByte && off > c.StartByte && c.Kind == "comment" && !strings.HasSuffix(c.Text, "*/") &&
					strings.Trim(string(src[c.EndByte:off]), " \t") == ""
				if inside || after {
					wantC = c
					break
				}
			}
			if got, _ := CommentAt(d, off); got != wantC {
				t.Fatalf("%s: CommentAt(%d) = %+v, full scan gives %+v", tc.lang, off, got, wantC)
			}
			var wantB Span
			for _, b := range blocks {
				if b.StartByte < off && (off < b.EndByte || (off == b.EndByte && d.Language().IndentBlocks)) {
					wantB = b
				}
			}
			if got := NodeAt(d, off).Block; got != wantB {
				t.Fatalf("%s: NodeAt(%d).Block = %+v, full scan gives %+v", tc.lang, off, got, wantB)
			}
		}
		d.Close()
	}
}

// TestScopesInUnfinishedCode: the cursor at the end of code being written, where the tree is broken
// (no closing brace yet) or the body is still empty.
func TestScopesInUnfinishedCode(t *testing.T) {
	for _, tc := range []struct{ lang, src, want string }{
		{"go", "package p\n\nfunc f(a int) int {\n\tx := a +", "function f: func f(a int) int"},
		{"go", "package p\n\nfunc f(a int) int {\n\tx := 1\n\t", "function f: func f(a int) int"},
		{"go", "package p\n\nfunc (s *S) m() {\n\tif s.x {\n\t\tfor {\n\t\t\t", "method m: func (s *S) m()"},
		{"go", "package p\n\nfunc g() { a := []int{1}; _ = a }\n\nfunc f() {\n\tif x {\n\t\t", "function f: func f()"},
		{"go", "package p\n\nfunc f() {\n\ts := \"{(\"\n\t// }\n\t", "function f: func f()"},
		{"python", "class A:\n    def f(self, x):\n        y = x +", "class A: class A: > method f: def f(self, x):"},
		{"python", "def f(x):\n    if x:\n        ", "function f: def f(x):"},
		{"python", "def f(x):\n    \"\"\"Doc.\"\"\"\n", ""},
		{"python", "def f(x):\n    \"\"\"Doc.\"\"\"\n    ", "function f: def f(x):"},
		{"python", "def f(x):\n    return x\n\n", ""},
		{"javascript", "function f(a) {\n  const x = a.", "function f: function f(a)"},
		{"typescript", "class C {\n  m(a: number): string {\n    return `${a}", "class C: class C > method m: m(a: number): string"},
		{"rust", "fn f(a: i32) -> i32 {\n    let x = a", "function f: fn f(a: i32) -> i32"},
		{"java", "class A {\n  int f(int a) {\n    return a", "class A: class A > method f: int f(int a)"},
		{"c", "int f(int a) {\n  return a", "function f: int f(int a)"},
		{"cpp", "namespace n {\nint f(int a) {\n  return a", "namespace n: namespace n > function f: int f(int a)"},
	} {
		d, err := Parse(mustLang(t, tc.lang), []byte(tc.src))
		if err != nil {
			t.Fatal(err)
		}
		var parts []string
		for _, s := range EnclosingScopes(d, len(tc.src)) {
			parts = append(parts, s.Kind+" "+s.Name+": "+s.Signature)
			if s.EndByte > len(tc.src) || s.BodyEndByte > s.EndByte || s.StartByte > s.BodyStartByte {
				t.Errorf("%s %q: bad spans %+v", tc.lang, tc.src, s)
			}
		}
		d.Close()
		if got := strings.Join(parts, " > "); got != tc.want {
			t.Errorf("%s %q: scopes %q, want %q", tc.lang, tc.src, got, tc.want)
		}
	}
}

// TestClosedDocument: a closed document answers nothing instead of crashing.
func TestClosedDocument(t *testing.T) {
	d, err := Parse(mustLang(t, "go"), sample(t, ".go"))
	if err != nil {
		t.Fatal(err)
	}
	d.Close()
	s := d.Snapshot()
	defer s.Close()
	for _, x := range []*Document{d, s} {
		if len(Definitions(x)) != 0 || len(Functions(x)) != 0 || len(Imports(x)) != 0 || len(Comments(x)) != 0 ||
			len(Blocks(x)) != 0 || len(EnclosingScopes(x, 50)) != 0 || x.ErrorCount() != -1 || x.Root() != nil {
			t.Error("closed document still answers")
		}
		_ = NodeAt(x, 10)
		if _, ok := CommentAt(x, 3); ok {
			t.Error("closed document has comments")
		}
		if _, err := x.ErrorCountAfterEdit(context.Background(), 0, 0, nil); err == nil {
			t.Error("ErrorCountAfterEdit on a closed document succeeded")
		}
	}
}

// TestOffsetsOutOfRange: offsets outside the text are answered, not panicked on.
func TestOffsetsOutOfRange(t *testing.T) {
	for _, tc := range langCases {
		src := sample(t, tc.ext)
		d, err := Parse(mustLang(t, tc.lang), src)
		if err != nil {
			t.Fatal(err)
		}
		for _, off := range []int{-100, -1, len(src) + 1, len(src) + 100} {
			_ = EnclosingScopes(d, off)
			_, _ = CommentAt(d, off)
			_ = NodeAt(d, off)
		}
		d.Close()
	}
}
