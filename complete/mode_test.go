package complete

import (
	"testing"

	"github.com/weft-dev/weft/grammars"
)

func TestDecideMultiline(t *testing.T) {
	type tc struct {
		name, src string
		want      bool
	}
	cases := map[string][]tc{
		"go": {
			{"text after cursor", "package a\nfunc f() {\n\tx := g(|a)\n}\n", false},
			{"closer after cursor", "package a\nfunc f() {\n\tx := g(|)\n}\n", false},
			{"empty body", "package a\nfunc f() {|}\n", true},
			{"empty line in empty func", "package a\nfunc f() {\n\t|\n}\n", true},
			{"after opener", "package a\nfunc f() {\n\tif x {|\n}\n", true},
			{"line after opener", "package a\nfunc f() {\n\tfor {\n\t\t|\n\t}\n\tg()\n}\n", true},
			{"end of statement", "package a\nfunc f() {\n\tx := 1|\n\ty := 2\n}\n", false},
			{"in comment", "package a\n// compute |\nfunc f() {}\n", false},
			{"after comment line", "package a\nfunc f() {\n\tx := 1\n\t// sum the values\n\t|\n}\n", true},
		},
		"python": {
			{"text after cursor", "def f():\n    x = g(|a)\n", false},
			{"empty body", "def f():\n    |\n", true},
			{"after opener", "def f():\n    if x:|\n", true},
			{"end of statement", "def f():\n    x = 1|\n    y = 2\n", false},
			{"in string", "def f():\n    s = \"ab|c\"\n", false},
		},
		"javascript": {
			{"text after cursor", "function f() {\n  const x = g(|a);\n}\n", false},
			{"empty body", "function f() {\n  |\n}\n", true},
			{"end of statement", "function f() {\n  let x = 1;|\n  g();\n}\n", false},
		},
		"typescript": {
			{"empty body", "function f(): number {\n  |\n}\n", true},
			{"text after cursor", "function f(): number {\n  return g(|1);\n}\n", false},
		},
		"rust": {
			{"empty body", "fn f() {\n    |\n}\n", true},
			{"after opener", "fn f() {\n    if x {|\n}\n", true},
			{"text after cursor", "fn f() {\n    let x = g(|1);\n}\n", false},
		},
		"java": {
			{"empty body", "class A {\n  void f() {\n    |\n  }\n}\n", true},
			{"text after cursor", "class A {\n  void f() {\n    int x = g(|1);\n  }\n}\n", false},
		},
		"c": {
			{"empty body", "int f(void) {\n    |\n}\n", true},
			{"text after cursor", "int f(void) {\n    int x = g(|1);\n}\n", false},
			{"end of statement", "int f(void) {\n    int x = 1;|\n    return x;\n}\n", false},
		},
	}
	for lang, list := range cases {
		l, _ := grammars.ByLanguageID(lang)
		for _, c := range list {
			t.Run(lang+"/"+c.name, func(t *testing.T) {
				text, off := cursorText(c.src)
				d := parse(t, lang, text)
				cur := grammars.NodeAt(d, off)
				if got := decideMultiline(MultilineAuto, cur, text, l.IndentBlocks); got != c.want {
					t.Errorf("auto: multiline %v, want %v (cursor %+v)", got, c.want, cur)
				}
				if !decideMultiline(MultilineAlways, cur, text, l.IndentBlocks) || decideMultiline(MultilineNever, cur, text, l.IndentBlocks) {
					t.Errorf("the always/never overrides are not honoured")
				}
			})
		}
	}
}

func TestOpenBrackets(t *testing.T) {
	tests := []struct {
		src  string
		want int
	}{
		{"func f() {\n}\n", 0},
		{"func f() {\n\tx := \"{\"\n", 1},
		{"int f() { /* { */ // {\n", 1},
		{"f(a, [b, {c", 3},
		{"}}} {", 1},
		{"let c = '{';", 0},
	}
	for _, tc := range tests {
		if got := openBrackets([]byte(tc.src)); got != tc.want {
			t.Errorf("openBrackets(%q) = %d, want %d", tc.src, got, tc.want)
		}
	}
}
