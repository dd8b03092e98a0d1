package translate

import (
	"context"
	"os/exec"
	"testing"
)

// TestRulesJavaCppSemantics runs translations to Java and C++ on inputs whose results were worked out
// by hand from the source language's semantics: Python's flooring // and divisor-signed %, Python's
// negative indices and ints beyond 32 bits, Java's truncating / and 32-bit int that wraps, Go's
// truncating division and the zero value of a missing map key.
func TestRulesJavaCppSemantics(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs programs")
	}
	tests := []struct {
		name, from, to, code, call, want string
	}{
		{"py floor div", "python", "java", "def f(a, b):\n    return a // b\n", "f(-7, 2)", "-4"},
		{"py mod", "python", "java", "def f(a, b):\n    return a % b\n", "f(-7, 2)", "1"},
		{"py mod negative divisor", "python", "cpp", "def f(a, b):\n    return a % b\n", "f(7, -2)", "-1"},
		{"py floor div", "python", "cpp", "def f(a, b):\n    return a // b\n", "f(-7, 2)", "-4"},
		{"py big product", "python", "java", "def f(a, b):\n    return a * b\n", "f(100000, 100000)", "10000000000"},
		{"py big product", "python", "cpp", "def f(a, b):\n    return a * b\n", "f(100000, 100000)", "10000000000"},
		{"py negative index", "python", "java", "def f(s, i):\n    return s[i] + s[-1]\n", `f("hello", -2)`, "lo"},
		{"py negative index", "python", "cpp", "def f(xs):\n    return xs[-1] - xs[-2] + len(xs)\n", "[] { std::vector<long long> v{1, 5, 9}; return f(v); }()", "7"},
		{"py true div", "python", "java", "def f(a, b):\n    return a / b\n", "f(7, 2)", "3.5"},
		{"py string loop", "python", "cpp", "def f(s):\n    n = 0\n    for c in s:\n        if c.isdigit():\n            n = n * 10 + int(c)\n    return n\n", `f("a1b2c3")`, "123"},
		{"py list parameter from int[]", "python", "java", "def f(arr, n):\n    for i in range(n):\n        arr[i] = arr[i] * 2\n    return arr[n - 1]\n", "f(new int[]{1, 2, 3}, 3)", "6"},
		{"java int wraps", "java", "cpp", "class T { static int f(int a, int b) { return a * b; } }", "f(65536, 65537)", "65536"},
		{"java div and rem", "java", "cpp", "class T { static int f(int a, int b) { return a / b * 10 + a % b; } }", "f(-7, 2)", "-31"},
		{"java char arithmetic", "java", "cpp", "class T { static int f(String s) { return s.charAt(1) - 'a'; } }", `f("xd")`, "3"},
		{"go div", "go", "java", "package p\n\nfunc f(a, b int) int {\n\treturn a / b\n}\n", "f(-7, 2)", "-3"},
		{"go map zero value", "go", "java", "package p\n\nfunc f(k int) int {\n\tm := map[int]int{}\n\tm[1] = 5\n\treturn m[k] + 1\n}\n", "f(2)", "1"},
		{"go map zero value", "go", "cpp", "package p\n\nfunc f(k int) int {\n\tm := map[int]int{}\n\tm[1] = 5\n\treturn m[k] + len(m)\n}\n", "f(2)", "1"},
	}
	v := NewVerifier(nil, true)
	for _, tc := range tests {
		t.Run(tc.name+" to "+tc.to, func(t *testing.T) {
			runTranslated(t, v, tc.from, tc.to, tc.code, tc.call, tc.want)
		})
	}
}

// TestRulesJavaCppBehave translates to Java and C++ and verifies by differential testing: the source
// and the translation run on generated inputs and must agree on every one.
func TestRulesJavaCppBehave(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs programs")
	}
	tests := []struct{ name, from, to, code string }{
		{"py arrays", "python", "java", "def f(arr, n):\n    best = 0\n    for i in range(n):\n        if arr[i] % 2 == 0:\n            best = max(best, arr[i] // 2)\n    return best\n"},
		{"py arrays", "python", "cpp", "def f(arr, n):\n    best = -1\n    for i in range(n):\n        if arr[i] % 3 == 1:\n            best = max(best, arr[i] // 2)\n    return best\n"},
		{"py strings", "python", "java", "def f(s):\n    n = 0\n    for i in range(len(s)):\n        if s[i] == s[len(s) - 1 - i]:\n            n += 1\n    return n\n"},
		{"java ints", "java", "cpp", "class T {\n    static int f(int n) {\n        int h = 7;\n        for (int i = 0; i < 40; i++) {\n            h = h * 31 + n;\n        }\n        return h;\n    }\n}"},
	}
	v := NewVerifier(nil, true)
	for _, tc := range tests {
		t.Run(tc.name+" to "+tc.to, func(t *testing.T) {
			from, _ := LookupLanguage(tc.from)
			to, _ := LookupLanguage(tc.to)
			for _, tool := range append(runTools[from.ID], runTools[to.ID]...) {
				if _, err := exec.LookPath(tool); err != nil {
					skipOrFail(t, "%s not installed", tool)
				}
			}
			res, err := (&Rules{Verifier: v}).Translate(context.Background(), Request{Code: tc.code, From: from, To: to})
			if err != nil {
				t.Fatal(err)
			}
			if res.Verdict.Level != LevelBehaves {
				t.Errorf("verdict %s (%s)\n%s", res.Verdict.Level, res.Verdict.Status, res.Code)
			}
		})
	}
}
