package translate

import (
	"context"
	"strings"
	"testing"
)

func TestGenerate(t *testing.T) {
	cases := []struct {
		name, lang, src, cursorAt, instruction string
		answers                                []string
		want, wantInstr                        string
		wantLevel                              Level
	}{
		{
			name: "go empty body", lang: "go",
			src:      "package p\n\n// Add returns the sum of a and b.\nfunc Add(a, b int) int {\n}\n",
			cursorAt: "{\n}", answers: []string{"return a + b\n}\n\nfunc Other() {}\n"},
			want:      "package p\n\n// Add returns the sum of a and b.\nfunc Add(a, b int) int {\n\treturn a + b\n}\n",
			wantInstr: "Add returns the sum of a and b.", wantLevel: LevelParses,
		},
		{
			name: "rust body holding only a comment", lang: "rust",
			src:      "fn add(a: i32, b: i32) -> i32 {\n    // add a and b\n}\n",
			cursorAt: "-> i32", answers: []string{"a + b\n}\n"},
			want:      "fn add(a: i32, b: i32) -> i32 {\n    // add a and b\n    a + b\n}\n",
			wantInstr: "add a and b", wantLevel: LevelParses,
		},
		{
			name: "java placeholder", lang: "java",
			src:      "class A {\n    /** Returns the larger of a and b. */\n    static int max(int a, int b) {\n        throw new UnsupportedOperationException();\n    }\n}\n",
			cursorAt: "throw", answers: []string{"return a > b ? a : b;\n    }\n}\n"},
			want:      "class A {\n    /** Returns the larger of a and b. */\n    static int max(int a, int b) {\n        return a > b ? a : b;\n    }\n}\n",
			wantInstr: "Returns the larger of a and b.", wantLevel: LevelCompiles,
		},
		{
			name: "python todo comment", lang: "python",
			src:      "def f(xs):\n    # TODO: return the sum of the squares of xs\n    pass\n",
			cursorAt: "TODO", answers: []string{"return sum(x * x for x in xs)\n\ndef g():\n    pass\n"},
			want:      "def f(xs):\n    # TODO: return the sum of the squares of xs\n    return sum(x * x for x in xs)\n    pass\n",
			wantInstr: "return the sum of the squares of xs", wantLevel: LevelCompiles,
		},
		{
			name: "python docstring", lang: "python",
			src:      "class S:\n    def mean(self, xs):\n        \"\"\"Return the arithmetic mean of xs.\"\"\"\n\n    def other(self):\n        return 1\n",
			cursorAt: "arithmetic", answers: []string{"if not xs:\n            return 0.0\n        return sum(xs) / len(xs)\n\n    def more(self):"},
			want:      "class S:\n    def mean(self, xs):\n        \"\"\"Return the arithmetic mean of xs.\"\"\"\n        if not xs:\n            return 0.0\n        return sum(xs) / len(xs)\n\n    def other(self):\n        return 1\n",
			wantInstr: "Return the arithmetic mean of xs.", wantLevel: LevelCompiles,
		},
		{
			name: "explicit instruction on an empty line", lang: "javascript",
			src:      "function area(r) {\n  \n}\n",
			cursorAt: "  \n}", instruction: "return the area of a circle of radius r",
			answers: []string{"return Math.PI * r * r;\n}\n"},
			want:    "function area(r) {\n  return Math.PI * r * r;\n}\n", wantInstr: "return the area of a circle of radius r", wantLevel: LevelCompiles,
		},
		{
			name: "go compile check picks the candidate that compiles", lang: "go",
			src:       "package p\n\nfunc Double(x int) int {\n\t// TODO: compute twice x into y\n\treturn 0\n}\n",
			cursorAt:  "TODO",
			answers:   []string{"y := x + \"a\"\n\t_ = y", "y := (x +\n", "y := 2 * x\n\t_ = y"},
			want:      "package p\n\nfunc Double(x int) int {\n\t// TODO: compute twice x into y\n\ty := 2 * x\n\t_ = y\n\treturn 0\n}\n",
			wantInstr: "compute twice x into y", wantLevel: LevelCompiles,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := NewVerifier(nil, true)
			if tool := checkTools[c.lang]; c.wantLevel == LevelCompiles && v.Tool(tool) == "" {
				t.Skipf("%s not installed", tool)
			}
			s := &scriptedSampler{answers: c.answers}
			e := &Engine{Sampler: s, Verifier: v, Candidates: len(c.answers), Retries: -1}
			off := strings.Index(c.src, c.cursorAt)
			if off < 0 {
				t.Fatal("cursor marker not found")
			}
			res, err := e.Generate(context.Background(), GenerateRequest{Lang: mustLang(t, c.lang), Text: []byte(c.src), Start: off, End: off, Instruction: c.instruction})
			if err != nil {
				t.Fatal(err)
			}
			got := string(applyEdit([]byte(c.src), res.Edit))
			if got != c.want {
				t.Fatalf("edited text:\n%s\nwant:\n%s\nprompt:\n%s", got, c.want, s.prompts[0])
			}
			if res.Instruction != c.wantInstr {
				t.Errorf("instruction %q, want %q", res.Instruction, c.wantInstr)
			}
			if res.Verdict.Level != c.wantLevel {
				t.Errorf("level %v (%s), want %v", res.Verdict.Level, res.Verdict.Status, c.wantLevel)
			}
			if !strings.Contains(s.prompts[0], c.wantInstr) {
				t.Errorf("prompt lacks the instruction:\n%s", s.prompts[0])
			}
		})
	}
}

func TestGenerateNothingToDo(t *testing.T) {
	e := &Engine{Sampler: &scriptedSampler{}}
	src := "x = 1\ny = 2\n"
	_, err := e.Generate(context.Background(), GenerateRequest{Lang: mustLang(t, "python"), Text: []byte(src), Start: 2, End: 2})
	if err == nil || !strings.Contains(err.Error(), "nothing to implement") {
		t.Fatalf("got %v", err)
	}
	// Every candidate breaks the file: an error, not an edit.
	e = &Engine{Sampler: &scriptedSampler{answers: []string{"return (((", "]]]"}}, Candidates: 2, Retries: -1}
	src = "def f():\n    # TODO: return 1\n    pass\n"
	_, err = e.Generate(context.Background(), GenerateRequest{Lang: mustLang(t, "python"), Text: []byte(src), Start: 15, End: 15})
	if err == nil || !strings.Contains(err.Error(), "2 break the syntax of the file") {
		t.Fatalf("got %v", err)
	}
}

func TestGenerateExplicitPlacement(t *testing.T) {
	js := mustLang(t, "js")
	for _, c := range []struct {
		name, src string
		off       int
		want      string
	}{
		{"empty file", "", 0, "const x = 1;"},
		{"end of a line", "let a = 0;", 10, "let a = 0;\nconst x = 1;"},
		{"start of a line", "let a = 0;\n", 0, "const x = 1;\nlet a = 0;\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := &Engine{Sampler: &scriptedSampler{answers: []string{"const x = 1;\n"}}, Candidates: 1, Retries: -1}
			res, err := e.Generate(context.Background(), GenerateRequest{Lang: js, Text: []byte(c.src), Start: c.off, End: c.off, Instruction: "declare x"})
			if err != nil {
				t.Fatal(err)
			}
			if got := string(applyEdit([]byte(c.src), res.Edit)); got != c.want {
				t.Fatalf("got %q, want %q", got, c.want)
			}
		})
	}
}

func TestGenerateRewritesSelection(t *testing.T) {
	src := "def f(xs):\n    out = []\n    for x in xs:\n        out.append(x * 2)\n    return out\n"
	start := strings.Index(src, "    out = []")
	end := strings.Index(src, "    return out")
	s := &scriptedSampler{answers: []string{"out = [x * 2 for x in xs]\n"}}
	e := &Engine{Sampler: s, Candidates: 1, Retries: -1}
	res, err := e.Generate(context.Background(), GenerateRequest{Lang: mustLang(t, "python"), Text: []byte(src), Start: start, End: end, Instruction: "use a list comprehension"})
	if err != nil {
		t.Fatal(err)
	}
	want := "def f(xs):\n    out = [x * 2 for x in xs]\n    return out\n"
	if got := string(applyEdit([]byte(src), res.Edit)); got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	if !strings.Contains(s.prompts[0], "    # Replacing:\n    # out = []\n    # for x in xs:\n    #     out.append(x * 2)\n    # use a list comprehension\n    ") {
		t.Fatalf("prompt:\n%s", s.prompts[0])
	}
}
