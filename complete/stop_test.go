package complete

import (
	"slices"
	"testing"
)

func TestStopper(t *testing.T) {
	tabs := indentStyle{Unit: "\t", TabWidth: 4, Known: true}
	sp4 := indentStyle{Unit: "    ", TabWidth: 4, Known: true}
	sp2 := indentStyle{Unit: "  ", TabWidth: 2, Known: true}
	tests := []struct {
		name         string
		multi        bool
		indentBlocks bool
		st           indentStyle
		linePrefix   string
		suffix       string
		open         int
		out          string // decoded text, fed in 3-byte pieces
		want         string
		reason       string
		decl         bool
	}{
		{"go closes block", true, false, tabs, "\t", "\n}\n", 0, "return a\n}\n\nfunc g() {", "return a", "block closed", false},
		{"go block left open", true, false, tabs, "\t", "\n", 1, "return a\n}\n\nfunc g() {", "return a\n}", "block closed", false},
		{"go closer after code", true, false, tabs, "\t", "\n}\n", 0, "return a }\nx", "return a ", "block closed", false},
		{"python dedent", true, true, sp4, "    ", "\n", 0, "return a\n\ndef g():\n    pass", "return a\n", "dedent", false},
		{"python after opener", true, true, sp4, "    if x:", "\n", 0, "\n        y = 1\n    z = 2\n", "\n        y = 1", "dedent", false},
		{"python nested ok", true, true, sp4, "    ", "\n", 0, "for i in x:\n        y(i)\n    return y", "for i in x:\n        y(i)\n    return y", "", false},
		{"javascript", true, false, sp2, "  ", "\n}\n", 0, "x++;\n  }\n}\n", "x++;", "block closed", false},
		{"typescript", true, false, sp2, "  ", "\n}\n", 0, "const y: number = x;\n}\n", "const y: number = x;", "block closed", false},
		{"rust nested", true, false, sp4, "    ", "\n}\n", 0, "if a {\n        b();\n    }\n    c();\n}\n", "if a {\n        b();\n    }\n    c();", "block closed", false},
		{"java brace in string", true, false, sp2, "    ", "\n  }\n}\n", 0, "s = \"}\";\n  }\n", "s = \"}\";", "block closed", false},
		{"rust lifetime", true, false, sp4, "    ", "\n}\n", 0, "let s: &'a str = x;\n    if a { b(); }\n}\n", "let s: &'a str = x;\n    if a { b(); }", "block closed", false},
		{"c comment closer", true, false, sp4, "    ", "\n}\n", 0, "/*/ } */ x();\n}\n", "/*/ } */ x();", "block closed", false},
		{"c brace in comment", true, false, sp4, "    ", "\n}\n", 0, "x = 1; /* } */ // }\n}\n", "x = 1; /* } */ // }", "block closed", false},
		{"repeats suffix", true, true, sp4, "    ", "\n    return result\n", 0, "x = 1\n    return result\n", "x = 1", "repeats suffix", false},
		{"single line", false, false, tabs, "\tx := ", "\n", 0, "f(a)\n\ty := 2", "f(a)", "newline", false},
		{"single line python", false, true, sp4, "    x = ", "\n", 0, "g(1)\nz", "g(1)", "newline", false},
		{"go one declaration", true, false, tabs, "", "\n", 0, "func g() {\n\treturn\n}\n\nfunc h() {\n}\n", "func g() {\n\treturn\n}", "declaration complete", true},
		{"java one method", true, false, sp2, "  ", "\n}\n", 0, "void g() {\n    x();\n  }\n  void h() {}\n", "void g() {\n    x();\n  }", "declaration complete", true},
		{"python one function", true, true, sp4, "", "\n", 0, "def g():\n    if x:\n        y()\n    else:\n        z()\n\ndef h():\n    pass\n", "def g():\n    if x:\n        y()\n    else:\n        z()\n", "declaration complete", true},
		{"python class body method", true, true, sp4, "    ", "\n", 0, "def g(self):\n        return 1\n    def h(self):\n", "def g(self):\n        return 1", "declaration complete", true},
		{"go declaration-level one-liners continue", true, false, tabs, "", "\n", 0, "var a = 1\nvar b = 2", "var a = 1\nvar b = 2", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStopper(tc.multi, tc.indentBlocks, tc.st, tc.linePrefix, tc.suffix, tc.open, tc.decl)
			stopped := false
			for i := 0; i < len(tc.out) && !stopped; i += 3 {
				stopped = s.push(tc.out[i:min(i+3, len(tc.out))])
			}
			s.flush()
			if got := s.text(); got != tc.want || s.reason != tc.reason {
				t.Errorf("got %q (%q), want %q (%q)", got, s.reason, tc.want, tc.reason)
			}
		})
	}
}

// TestStopperCuts: the syntax check's candidates are the kept text and its shorter prefixes at line
// boundaries (multi-line) or token boundaries (single line), longest first.
func TestStopperCuts(t *testing.T) {
	s := newStopper(true, false, indentStyle{Unit: "\t", TabWidth: 4}, "\t", "\n}\n", 0, false)
	for _, p := range []string{"a := 1\n", "\tb := 2\n", "\tc := (3\n"} {
		s.push(p)
	}
	s.flush()
	got := s.cuts(10)
	want := []string{"a := 1\n\tb := 2\n\tc := (3\n", "a := 1\n\tb := 2", "a := 1"}
	if !slices.Equal(got, want) {
		t.Errorf("cuts %q, want %q", got, want)
	}
	one := newStopper(false, false, indentStyle{}, "x := ", "\n", 0, false)
	for _, p := range []string{"foo", "(a", ", b)"} {
		one.push(p)
	}
	one.flush()
	if got, want := one.cuts(10), []string{"foo(a, b)", "foo(a", "foo"}; !slices.Equal(got, want) {
		t.Errorf("single-line cuts %q, want %q", got, want)
	}
}
