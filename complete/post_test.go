package complete

import "testing"

func TestReindent(t *testing.T) {
	tabs := indentStyle{Unit: "\t", TabWidth: 4, Known: true}
	sp4 := indentStyle{Unit: "    ", TabWidth: 4, Known: true}
	sp2 := indentStyle{Unit: "  ", TabWidth: 2, Known: true}
	tests := []struct {
		name, lang string
		st         indentStyle
		linePrefix string
		in, want   string
	}{
		{"go: repeated first-line indent", "go", tabs, "\t", "\tx := 1\n\ty := 2", "x := 1\n\ty := 2"},
		{"go: spaces to tabs", "go", tabs, "\t", "if x {\n        y()\n    }", "if x {\n\t\ty()\n\t}"},
		{"go: drifted left", "go", tabs, "\t", "if x {\n\ty()\n}", "if x {\n\t\ty()\n\t}"},
		{"python: drifted left", "python", sp4, "    ", "for i in x:\n    y(i)", "for i in x:\n        y(i)"},
		{"python: after opener kept", "python", sp4, "def f():", "\n    return 1", "\n    return 1"},
		{"javascript: tabs to spaces", "javascript", sp2, "  ", "if (x) {\n\t\ty();\n\t}", "if (x) {\n    y();\n  }"},
		{"typescript: column 0 cursor", "typescript", sp2, "", "  if (x) {\n    y();\n  }", "  if (x) {\n    y();\n  }"},
		{"rust: already right", "rust", sp4, "    ", "if a {\n        b();\n    }", "if a {\n        b();\n    }"},
		{"java: drifted left by two", "java", sp2, "    ", "x++;\n  y++;", "x++;\n    y++;"},
		{"c: closer of an open block stays", "c", sp4, "    ", "return 0;\n}", "return 0;\n}"},
		{"c: single line untouched", "c", sp4, "    ", "    return 0;", "return 0;"},
		{"unknown style converts nothing", "c", indentStyle{Unit: "    ", TabWidth: 4}, "\t", "a;\n\tb;", "a;\n\tb;"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := reindent(tc.in, tc.linePrefix, tc.st, tc.lang == "python"); got != tc.want {
				t.Errorf("reindent(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestDedupeSuffix(t *testing.T) {
	tests := []struct {
		name, c, suffix, want string
	}{
		{"go: closing paren", "a, b)", ")\n}\n", "a, b"},
		{"js: paren and semicolon", "g(1));", ");\n", "g(1)"},
		{"js: closers only", "g(1)", ");\n", "g(1"},
		{"python: closing bracket", "1, 2]", "]\n", "1, 2"},
		{"rust: whole rest of line", "x + 1 {", " {\n", "x + 1"},
		{"java: last line repeats suffix", "x++;\n    return x;", "\n    return x;\n  }\n", "x++;"},
		{"c: closing brace line", "x = 1;\n}", "\n}\n", "x = 1;"},
		{"typescript: nothing to drop", "foo()", "\nbar()\n", "foo()"},
		{"python: closer not at end", "f(a) + 1", ")\n", "f(a) + 1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := dedupeSuffix(tc.c, tc.suffix); got != tc.want {
				t.Errorf("dedupeSuffix(%q, %q) = %q, want %q", tc.c, tc.suffix, got, tc.want)
			}
		})
	}
}

func TestTrimTrailingAndPostProcess(t *testing.T) {
	if got := trimTrailing("a  \n\tb\t\n\n  \n"); got != "a\n\tb" {
		t.Errorf("trimTrailing = %q", got)
	}
	st := indentStyle{Unit: "\t", TabWidth: 4, Known: true}
	got := postProcess("\tif x {  \n        y()\n    }\n", "\t", "\n}\n", st, false)
	if want := "if x {\n\t\ty()\n\t}"; got != want {
		t.Errorf("postProcess = %q, want %q", got, want)
	}
	// Leading blank lines on a blank cursor line are dropped; the first code line takes the cursor's place.
	if got := postProcess("\n\n\treturn x\n", "\t", "\n}\n", st, false); got != "return x" {
		t.Errorf("postProcess kept leading blank lines: %q", got)
	}
	// After code on the line, a leading newline is the completion's structure and stays.
	if got := postProcess("\n\treturn x", "func f() {", "\n}\n", st, false); got != "\n\treturn x" {
		t.Errorf("postProcess after an opener: %q", got)
	}
	// A closer of a block the file leaves open stays at its own indentation.
	if got := postProcess("return x\n}", "\t", "", st, false); got != "return x\n}" {
		t.Errorf("postProcess moved a closing line: %q", got)
	}
}

func TestDetectIndent(t *testing.T) {
	tests := []struct {
		text, lang string
		unit       string
		known      bool
	}{
		{"func f() {\n\tx()\n}\n", "go", "\t", true},
		{"package a\n", "go", "\t", true},
		{"def f():\n    x()\n    if y:\n        z()\n", "python", "    ", true},
		{"function f() {\n  x();\n}\n", "javascript", "  ", true},
		{"int x;\n", "c", "    ", false},
	}
	for _, tc := range tests {
		st := detectIndent(tc.text, tc.lang)
		if st.Unit != tc.unit || st.Known != tc.known {
			t.Errorf("detectIndent(%q) = %+v, want unit %q known %v", tc.text, st, tc.unit, tc.known)
		}
	}
}

func TestPosition(t *testing.T) {
	text := []byte("ab\nπx\n\n")
	tests := []struct{ line, col, want int }{
		{1, 1, 0}, {1, 3, 2}, {2, 1, 3}, {2, 2, 5}, {2, 3, 6}, {2, 99, 6}, {3, 1, 7}, {4, 1, 8},
	}
	for _, tc := range tests {
		got, err := Position(text, tc.line, tc.col)
		if err != nil || got != tc.want {
			t.Errorf("Position(%d:%d) = %d, %v; want %d", tc.line, tc.col, got, err, tc.want)
		}
	}
	for _, bad := range [][2]int{{0, 1}, {1, 0}, {5, 1}} {
		if _, err := Position(text, bad[0], bad[1]); err == nil {
			t.Errorf("Position(%d:%d) accepted", bad[0], bad[1])
		}
	}
}
