package complete

import (
	"fmt"
	"strings"
	"testing"

	"github.com/weft-dev/weft/grammars"
)

// langCase is a small file per language: imports, a helper defined far above the cursor (so that it
// falls outside a small prefix window), filler, and a function holding the cursor.
type langCase struct {
	lang     string
	imports  string // the import text, as written in the header (one line)
	helper   string // the helper's signature, as written in the header
	scope    string // name of the function around the cursor
	src      string // with "|" at the cursor and "FILLER" where filler lines go
	filler   string // one filler line (repeated)
	otherSrc string // another file of the same language
	otherSig string
}

var langCases = []langCase{
	{lang: "go", imports: `import "fmt"`, helper: "func helper(a int) int", scope: "main",
		src:    "package main\n\nimport \"fmt\"\n\nfunc helper(a int) int {\n\treturn a * 2\n}\n\nFILLER\nfunc main() {\n\tx := helper(1)\n\t|\n\tfmt.Println(x)\n}\n",
		filler: "var v%d = %d\n", otherSrc: "package main\n\nfunc Other(s string) error {\n\treturn nil\n}\n", otherSig: "func Other(s string) error"},
	{lang: "python", imports: "import os", helper: "def helper(a):", scope: "main",
		src:    "import os\n\n\ndef helper(a):\n    return a * 2\n\n\nFILLER\ndef main():\n    x = helper(1)\n    |\n    print(x)\n",
		filler: "v%d = %d\n", otherSrc: "def other(s, t=1):\n    return s\n", otherSig: "def other(s, t=1):"},
	{lang: "javascript", imports: `import fs from "fs";`, helper: "function helper(a)", scope: "main",
		src:    "import fs from \"fs\";\n\nfunction helper(a) {\n  return a * 2;\n}\n\nFILLER\nfunction main() {\n  const x = helper(1);\n  |\n  console.log(x);\n}\n",
		filler: "const v%d = %d;\n", otherSrc: "function other(s) {\n  return s;\n}\n", otherSig: "function other(s)"},
	{lang: "typescript", imports: `import * as fs from "fs";`, helper: "function helper(a: number): number", scope: "main",
		src:    "import * as fs from \"fs\";\n\nfunction helper(a: number): number {\n  return a * 2;\n}\n\nFILLER\nfunction main(): void {\n  const x = helper(1);\n  |\n  console.log(x);\n}\n",
		filler: "const v%d: number = %d;\n", otherSrc: "function other(s: string): string {\n  return s;\n}\n", otherSig: "function other(s: string): string"},
	{lang: "rust", imports: "use std::fmt;", helper: "fn helper(a: i32) -> i32", scope: "main",
		src:    "use std::fmt;\n\nfn helper(a: i32) -> i32 {\n    a * 2\n}\n\nFILLER\nfn main() {\n    let x = helper(1);\n    |\n    println!(\"{}\", x);\n}\n",
		filler: "const V%d: i32 = %d;\n", otherSrc: "fn other(s: &str) -> usize {\n    s.len()\n}\n", otherSig: "fn other(s: &str) -> usize"},
	{lang: "java", imports: "import java.util.List;", helper: "static int helper(int a)", scope: "main",
		src:    "import java.util.List;\n\nclass Main {\n  static int helper(int a) {\n    return a * 2;\n  }\n\nFILLER\n  static void main() {\n    int x = helper(1);\n    |\n    System.out.println(x);\n  }\n}\n",
		filler: "  static int v%d = %d;\n", otherSrc: "class Other {\n  String other(String s) {\n    return s;\n  }\n}\n", otherSig: "String other(String s)"},
	{lang: "c", imports: "#include <stdio.h>", helper: "int helper(int a)", scope: "main",
		src:    "#include <stdio.h>\n\nint helper(int a) {\n    return a * 2;\n}\n\nFILLER\nint main(void) {\n    int x = helper(1);\n    |\n    printf(\"%d\\n\", x);\n}\n",
		filler: "static int v%d = %d;\n", otherSrc: "int other(const char *s) {\n    return 0;\n}\n", otherSig: "int other(const char *s)"},
}

func (lc langCase) text(nFiller int) ([]byte, int) {
	var f strings.Builder
	for i := 0; i < nFiller; i++ {
		fmt.Fprintf(&f, lc.filler, i, i)
	}
	return cursorText(strings.Replace(lc.src, "FILLER\n", f.String(), 1))
}

func parse(t *testing.T, lang string, text []byte) *grammars.Document {
	t.Helper()
	l, ok := grammars.ByLanguageID(lang)
	if !ok {
		t.Fatalf("no language %q", lang)
	}
	d, err := grammars.NewDocument(l, text)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	return d
}

// byteCount counts one token per byte, so budgets in tests are easy to reason about.
func byteCount(s string) int { return len(s) }

func TestBuildContextPerLanguage(t *testing.T) {
	for _, lc := range langCases {
		t.Run(lc.lang, func(t *testing.T) {
			text, off := lc.text(40)
			d := parse(t, lc.lang, text)
			other := parse(t, lc.lang, []byte(lc.otherSrc))
			b := Budget{Prefix: 300, Suffix: 60, Header: 400}
			c, err := BuildContext(ContextInput{Doc: d, Offset: off, Path: "x", Count: byteCount, Budget: b,
				Others: []FileDefs{{Path: "other", Defs: grammars.Definitions(other)}}})
			if err != nil {
				t.Fatal(err)
			}
			if !c.HasScope || c.Scope.Name != lc.scope {
				t.Errorf("scope %q (%v), want %q", c.Scope.Name, c.HasScope, lc.scope)
			}
			// Windows: within budget, whole lines, around the cursor.
			if len(c.Prefix) > b.Prefix || len(c.Suffix) > b.Suffix {
				t.Errorf("windows of %d and %d bytes exceed budgets %d and %d", len(c.Prefix), len(c.Suffix), b.Prefix, b.Suffix)
			}
			if c.PrefixStart > 0 && text[c.PrefixStart-1] != '\n' {
				t.Errorf("prefix window starts mid-line at %d", c.PrefixStart)
			}
			if c.SuffixEnd < len(text) && text[c.SuffixEnd-1] != '\n' {
				t.Errorf("suffix window ends mid-line at %d", c.SuffixEnd)
			}
			if string(text[c.PrefixStart:off]) != c.Prefix || string(text[off:c.SuffixEnd]) != c.Suffix {
				t.Errorf("windows do not match offsets")
			}
			// The imports and the helper are far above the window: the header lists them, and the other
			// file's definition.
			for _, want := range []string{lc.imports, lc.helper, lc.otherSig, "From other:"} {
				if !strings.Contains(c.Header, lc.linePrefix()+" "+want+"\n") {
					t.Errorf("header lacks %q:\n%s", want, c.Header)
				}
			}
			for _, line := range strings.Split(strings.TrimSuffix(c.Header, "\n"), "\n") {
				if !strings.HasPrefix(line, lc.linePrefix()+" ") {
					t.Errorf("header line %q is not a %s comment", line, lc.lang)
				}
			}
			if len(c.Header) > b.Header {
				t.Errorf("header of %d bytes exceeds its budget %d", len(c.Header), b.Header)
			}
			// The parsed header lines are comments, so the header does not break the file's parse.
			if n := grammars.ErrorCount(d.Language(), []byte(c.Header+lc.otherSrc)); n != grammars.ErrorCount(d.Language(), []byte(lc.otherSrc)) {
				t.Errorf("header adds %d parse errors", n)
			}
		})
	}
}

func (lc langCase) linePrefix() string {
	if lc.lang == "python" {
		return "#"
	}
	return "//"
}

// TestContextWholeFile: a file that fits the budget is taken whole, and the header then repeats
// nothing that is already in the windows.
func TestContextWholeFile(t *testing.T) {
	for _, lc := range langCases {
		t.Run(lc.lang, func(t *testing.T) {
			text, off := lc.text(2)
			d := parse(t, lc.lang, text)
			c, err := BuildContext(ContextInput{Doc: d, Offset: off, Count: byteCount, Budget: Budget{Prefix: 4000, Suffix: 4000, Header: 400}})
			if err != nil {
				t.Fatal(err)
			}
			if c.PrefixStart != 0 || c.SuffixEnd != len(text) {
				t.Errorf("windows [%d, %d) of %d bytes", c.PrefixStart, c.SuffixEnd, len(text))
			}
			if c.Header != "" {
				t.Errorf("header repeats the windows:\n%s", c.Header)
			}
		})
	}
}

// TestContextAnchorsAreStable: typing at the cursor keeps both window edges and the header, so the
// prompt changes only where the user types.
func TestContextAnchorsAreStable(t *testing.T) {
	for _, lc := range langCases {
		t.Run(lc.lang, func(t *testing.T) {
			text, off := lc.text(60)
			b := Budget{Prefix: 400, Suffix: 60, Header: 300}
			var a Anchor
			var first *Context
			typed := "abc_def(1, 2)"
			for i := 0; i <= len(typed); i++ {
				cur := append(append(append([]byte{}, text[:off]...), typed[:i]...), text[off:]...)
				d := parse(t, lc.lang, cur)
				c, err := BuildContext(ContextInput{Doc: d, Offset: off + i, Count: byteCount, Budget: b, Anchor: a})
				if err != nil {
					t.Fatal(err)
				}
				a = c.Anchor
				if first == nil {
					first = c
					continue
				}
				if c.PrefixStart != first.PrefixStart || len(cur)-c.SuffixEnd != len(text)-first.SuffixEnd || c.Header != first.Header {
					t.Fatalf("keystroke %d moved the windows: prefix %d->%d, suffix end from EOF %d->%d, header changed %v",
						i, first.PrefixStart, c.PrefixStart, len(text)-first.SuffixEnd, len(cur)-c.SuffixEnd, c.Header != first.Header)
				}
			}
		})
	}
}

// TestContextPrefersNodeStart: when the window must be cut, it starts at a top-level declaration if one
// starts in its first quarter.
func TestContextPrefersNodeStart(t *testing.T) {
	var b strings.Builder
	b.WriteString("package a\n\n")
	for i := 0; i < 30; i++ {
		fmt.Fprintf(&b, "func f%d(a int) int {\n\tx := a + %d\n\ty := x * 2\n\treturn y\n}\n\n", i, i)
	}
	b.WriteString("func g() {\n\t|\n}\n")
	text, off := cursorText(b.String())
	d := parse(t, "go", text)
	c, err := BuildContext(ContextInput{Doc: d, Offset: off, Count: byteCount, Budget: Budget{Prefix: 500, Suffix: 50, Header: 100}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(c.Prefix, "func f") {
		t.Errorf("prefix window starts with %q, want a whole function", c.Prefix[:min(20, len(c.Prefix))])
	}
}
