package translate

import (
	"context"
	"strings"
	"testing"

	"github.com/weft-dev/weft/complete"
)

func TestSubstance(t *testing.T) {
	tests := []struct {
		lang, code, want string
	}{
		{"python", "", "empty"},
		{"python", "# The string is a string.\n# The string is a string.\n", "only comments"},
		{"python", "\"\"\"Reverse s.\"\"\"\n# todo\n", "only comments"},
		{"python", "def reverse(s):\n    \"\"\"Reverse s.\"\"\"\n", "only a signature"},
		{"python", "def reverse(s):\n    pass\n", "only a signature"},
		{"python", "pass\n", "only a placeholder"},
		{"python", "return s[::-1]\n", ""},
		{"python", "def reverse(s):\n    return s[::-1]\n", ""},
		{"go", "// Reverse reverses s.\n/* more */\n", "only comments"},
		{"go", "func Reverse(s string) string {\n}\n", "only a signature"},
		{"go", "func Reverse(s string) string {\n\t// TODO\n\tpanic(\"TODO\")\n}\n", "only a signature"},
		{"go", "func Reverse(s string) string {\n\treturn s\n}\n", ""},
		{"go", "for i := range s {\n}\n", ""},
		{"rust", "fn rev(s: &str) -> String {\n    todo!()\n}\n", "only a signature"},
		{"js", "function f(a) {\n  return a + 1;\n}\n", ""},
		{"c", "int f(int a) {\n    return a;\n}\n", ""},
		{"c", "int f(int a) {\n}\n", "only a signature"},
		{"python", "self._type = name\nself._type = name\nself._type = name\n", "the same line over and over"},
		{"python", "a = 1\nb = 2\na = 1\nb = 2\na = 1\nb = 2\n", "the same line over and over"},
		{"python", "a = 1\nb = 2\nc = a + b\nreturn c\n", ""},
		{"python", "# names\n_th\n", "only a placeholder"},
		{"python", "def f(path):\n    return line, line, line, line\n", "the same line over and over"},
	}
	for _, tt := range tests {
		if got := Substance(mustLang(t, tt.lang), tt.code); got != tt.want {
			t.Errorf("Substance(%s, %q) = %q, want %q", tt.lang, tt.code, got, tt.want)
		}
	}
}

// TestIndentErrors: the cases are Python's own (python3 -c compile(...) raises IndentationError for
// each one counted here, and accepts the ones with 0).
func TestIndentErrors(t *testing.T) {
	tests := []struct {
		src  string
		want int
	}{
		{"def f():\n    return 1\n", 0},
		{"def f():\n    \"\"\"Doc.\"\"\"\n     return 1\n", 1}, // unexpected indent (5 spaces in a 4-space body)
		{"def f():\n    if x:\n        y()\n   z()\n", 1},      // unindent matches no outer level
		{"def f():\nreturn 1\n", 1},                            // expected an indented block
		{"x = (1,\n        2)\ny = 3\n", 0},                    // continuation inside brackets
		{"s = \"\"\"\n   text\n\"\"\"\nt = 1\n", 0},            // inside a triple-quoted string
		{"x = 1 + \\\n      2\n", 0},                           // backslash continuation
		{"def f():\n    # comment\n\n    return 1\n", 0},
		{"class A:\n    def f(self):\n        pass\n    def g(self):\n        pass\n", 0},
		{"if a:\n\tb()\n", 0},
	}
	for _, tt := range tests {
		if got := IndentErrors([]byte(tt.src)); got != tt.want {
			t.Errorf("IndentErrors(%q) = %d, want %d", tt.src, got, tt.want)
		}
	}
}

// The demo's case: a docstring body, and a model whose answer starts with a blank before the first
// statement. The edit is fixed (the blank dropped) and checked as applied; comment-only answers are
// rejected with a reason.
func TestGenerateHonest(t *testing.T) {
	py := mustLang(t, "python")
	src := "def f(s):\n    \"\"\"Return s reversed.\"\"\"\n"
	e := &Engine{Sampler: &scriptedSampler{answers: []string{" return s[::-1]\n"}}, Candidates: 1, Retries: -1}
	res, err := e.Generate(context.Background(), GenerateRequest{Lang: py, Text: []byte(src), Start: len(src) - 1, End: len(src) - 1})
	if err != nil {
		t.Fatal(err)
	}
	edited := string(applyEdit([]byte(src), res.Edit))
	if IndentErrors([]byte(edited)) != 0 || !strings.Contains(edited, "\n    return s[::-1]") {
		t.Errorf("edited document:\n%s", edited)
	}
	e = &Engine{Sampler: &scriptedSampler{answers: []string{"# The string is a string.\n# The string.", "pass"}}, Candidates: 2, Retries: -1, Hint: "get a bigger model"}
	_, err = e.Generate(context.Background(), GenerateRequest{Lang: py, Text: []byte(src), Start: len(src) - 1, End: len(src) - 1})
	if err == nil || !strings.Contains(err.Error(), "only comments") || !strings.Contains(err.Error(), "get a bigger model") {
		t.Errorf("comment-only answers: %v", err)
	}
}

// A translation that is only comments parses, and is still not an answer.
func TestTranslateRejectsComments(t *testing.T) {
	e := &Engine{Sampler: &scriptedSampler{answers: []string{"a, b int) int {\n\t// gcd of a and b\n}\n"}}, Candidates: 1, Retries: -1}
	res, err := e.Translate(context.Background(), Request{Code: "def gcd(a, b):\n    return a\n", From: mustLang(t, "python"), To: mustLang(t, "go")})
	if err != nil {
		t.Fatal(err)
	}
	if res.Verdict.Level != LevelNone || !strings.Contains(res.Verdict.Status, "only") {
		t.Errorf("verdict %+v", res.Verdict)
	}
	if err := e.NoAnswer(res, mustLang(t, "go")); !strings.Contains(err.Error(), "rejected: only") {
		t.Errorf("NoAnswer: %v", err)
	}
}

// An instruct model's prompt: the text before the answer's fence is the user's turn, the fence and
// what follows it are the start of the assistant's turn (ChatML as Qwen2.5-Coder-Instruct's card gives it).
func TestChatPrompt(t *testing.T) {
	tr := "```python\ndef gcd(a, b):\n    return a\n```\n\n```go\n// Go translation of the Python code above\nfunc gcd("
	got := complete.ChatText(chatPrompt(complete.ChatML, tr))
	want := "<|im_start|>system\n" + chatSystem + "<|im_end|>\n<|im_start|>user\n```python\ndef gcd(a, b):\n    return a\n```" +
		"\n\nContinue the last code block below this text: write the code it starts.<|im_end|>\n<|im_start|>assistant\n" +
		"```go\n// Go translation of the Python code above\nfunc gcd("
	if got != want {
		t.Errorf("translation chat:\n got %q\nwant %q", got, want)
	}
	gen := "import os\n\ndef f(root):\n    # list the files\n    "
	got = complete.ChatText(chatPrompt(complete.ChatML, gen))
	if !strings.HasSuffix(got, "<|im_start|>assistant\n```\n"+gen) || !strings.Contains(got, "last comment") {
		t.Errorf("instruction chat: %q", got)
	}
}

func TestUndefinedNames(t *testing.T) {
	py := mustLang(t, "python")
	ctx := []byte("import os\n\n\ndef list_python_files(root):\n    \"\"\"Return the paths.\"\"\"\n")
	tests := []struct {
		code string
		want string
	}{
		{"assert sm", "sm"},
		{"paths = []\nfor d, _, files in os.walk(root):\n    paths += [os.path.join(d, f) for f in files if f.endswith('.py')]\nreturn paths", ""},
		{"return [f for f in os.listdir(root)]", ""},
		{"import re\nreturn re.findall(r'\\w+', root)", ""},
		{"return sorted(x, key=len)", "x"},
		{"# uses nothing\nreturn 'undefined_in_a_string'", ""},
		{"with open(root) as fh:\n    return len(fh.read())", ""},
	}
	for _, tt := range tests {
		if got := strings.Join(UndefinedNames(py, tt.code, ctx), ","); got != tt.want {
			t.Errorf("UndefinedNames(%q) = %q, want %q", tt.code, got, tt.want)
		}
	}
	if UndefinedNames(mustLang(t, "go"), "return sm", nil) != nil {
		t.Error("only Python is checked")
	}
}
