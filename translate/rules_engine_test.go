package translate

import (
	"context"
	"errors"
	"os/exec"
	"strings"
	"testing"

	"github.com/weft-dev/weft/translate/rules"
)

// rulesCases are small functions translated by the rules engine and checked by EXECUTING the source
// and the translation on generated inputs (differential testing): the expected outputs are the
// source's own, never copied from our translation.
var rulesCases = []struct {
	name, from, to, code string
}{
	{"py floor div and mod", "python", "go", `def f(a, b):
    if b == 0:
        return 0
    return a // b * 10 + a % b
`},
	{"py lists loops", "python", "go", `def f(xs, k):
    best = 0
    seen = []
    for i in range(len(xs)):
        if xs[i] > k and xs[i] not in seen:
            seen.append(xs[i])
            best = max(best, xs[i] - k)
    j = len(xs) - 1
    while j >= 0:
        if xs[j] % 2 == 0:
            break
        j -= 1
    return best * 100 + j
`},
	{"py strings", "python", "go", `def f(s):
    out = ""
    for c in s:
        if c.isalpha():
            out += c.upper()
        elif c == " ":
            out += "_"
    return out + str(len(s)) + s[::1][:2] + s.strip().lower()
`},
	{"py recursion helper", "python", "go", `def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)

def f(n):
    total = 0
    for i in range(0, n, 2):
        total += fib(i % 15)
    return total
`},
	{"py nested lists", "python", "go", `def f(n, m):
    dp = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n + 1):
        for j in range(m + 1):
            if i == 0 or j == 0:
                dp[i][j] = 1
            else:
                dp[i][j] = dp[i - 1][j] + dp[i][j - 1]
    return dp[n][m] if n >= 0 and m >= 0 else -1
`},
	{"py string by name", "python", "go", `def is_pal(s):
    i, j = 0, len(s) - 1
    while i < j:
        if s[i] != s[j]:
            return False
        i += 1
        j -= 1
    return True
`},
	{"py generators zip reversed", "python", "go", `def f(xs, ys, s):
    ok = all(x > -5 for x in xs) and not any(y == 7 for y in ys)
    total = 0
    for a, b in zip(xs, ys):
        total += a * b
    return "".join(reversed(s)) + str(total) + str(ok) + str(sum(len(w) for w in s.split()))
`},
	{"java int arithmetic", "java", "python", `class T {
    static int f(int a, int b) {
        if (b == 0) return 0;
        int q = a / b, r = a % b;
        return q * 1000 + r;
    }
}`},
	{"java int overflow", "java", "python", `class T {
    static int f(int n) {
        int h = 7;
        for (int i = 0; i < 40; i++) {
            h = h * 31 + n;
        }
        return h;
    }
}`},
	{"java arrays chars", "java", "python", `class T {
    static int f(int arr[], int n) {
        int[] count = new int[10];
        for (int i = 0; i < n; i++) {
            if (arr[i] >= 0 && arr[i] < 10) count[arr[i]]++;
        }
        int best = -1;
        for (int i = 9; i >= 0; i--) {
            if (count[i] > 1) { best = i; break; }
        }
        return best;
    }
}`},
	{"java strings", "java", "python", `class T {
    static String f(String s) {
        StringBuilder unused = null;
        String out = "";
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 'a' && c <= 'z') out += (char) (c - 'a' + 'A');
            else if (Character.isDigit(c)) out += (c - '0') * 2;
            else out += c;
        }
        return out + s.length();
    }
}`},
	{"java StringBuilder", "java", "python", `class T {
    static String rev(String s) {
        return new StringBuilder(s).reverse().toString();
    }
    static String f(String s) {
        StringBuilder sb = new StringBuilder();
        int i = 0;
        while (i < s.length()) {
            int j = i;
            while (j < s.length() && s.charAt(j) == s.charAt(i)) j++;
            sb.append(s.charAt(i)).append(j - i);
            i = j;
        }
        return sb.toString() + rev(s);
    }
}`},
	{"java constants", "java", "python", `public class K {
    static final int MOD = 1000000007;
    public static int f(int b, int e) {
        long r = 1, x = b % MOD;
        while (e > 0) {
            if ((e & 1) == 1) r = r * x % MOD;
            x = x * x % MOD;
            e >>= 1;
        }
        return (int) (r % MOD);
    }
}`},
	{"java while continue", "java", "python", `class T {
    static long f(int n) {
        long s = 0;
        int i = 0;
        for (i = 0; i < n; i += 3) {
            if (i % 2 == 0) continue;
            s += (long) i * i;
        }
        return s + i;
    }
}`},
	{"cpp vectors", "cpp", "go", `#include <bits/stdc++.h>
using namespace std;
int f(vector<int> &v, int k) {
    int best = INT_MIN, sum = 0;
    for (int i = 0; i < (int) v.size(); i++) {
        sum += v[i] % 3 == 0 ? v[i] / 2 : -v[i] % 4;
        best = max(best, sum * k);
    }
    return best;
}`},
	{"js number semantics", "javascript", "python", `function f(a, b) {
  if (b === 0) return 0;
  const q = Math.floor(a / b), t = Math.trunc(a / b), u = (a / b) | 0;
  return q * 1000 + t * 100 + u * 10 + a % b;
}`},
	{"js number semantics to go", "javascript", "go", `function f(a, b) {
  if (b === 0) return 0;
  let r = 0;
  for (let i = 0, j = b; i < 5; i++, j--) {
    if (j === 0) continue;
    r += Math.floor(a / j) - (a % j) + Math.trunc(a / j);
  }
  return r;
}`},
	{"js strings", "javascript", "go", `function f(s) {
  let out = "";
  for (let i = s.length - 1; i >= 0; i--) {
    const c = s[i];
    if ("aeiou".includes(c)) out += c.toUpperCase();
    else if (c !== " ") out += s.charAt(i);
  }
  return out + s.slice(1, 3) + s.length;
}`},
	{"js arrays and maps", "javascript", "python", `function count(xs) {
  const m = new Map();
  let best = 0;
  for (const x of xs) {
    m.set(x, (m.get(x) || 0) + 1);
    best = Math.max(best, m.get(x));
  }
  return best;
}
function f(xs) {
  const ys = xs.map(x => x * x).filter(y => y % 2 === 1);
  const zs = [...xs];
  zs.sort((a, b) => b - a);
  return count(xs) * 1000 + ys.length * 100 + (zs.length > 0 ? zs[0] : -1);
}`},
	{"py to js floor div and mod", "python", "javascript", `def f(a, b):
    if b == 0:
        return 0
    return a // b * 10 + a % b + (a * 3) // 4
`},
	{"py to js strings and lists", "python", "javascript", `def f(xs, s):
    seen = []
    for i in range(len(xs)):
        if xs[i] not in seen and xs[i] % 2 == 0:
            seen.append(xs[i])
    out = ""
    for c in s:
        if c.isalpha():
            out += c.upper()
        elif c == " ":
            out += "_"
    total = sum(seen) + len(out)
    if len(xs) > 0:
        total += xs[-1] * 7
    return out + str(total) + s[::-1][:2]
`},
	{"java to js int overflow", "java", "javascript", `class T {
    static int f(int a, int b) {
        int h = 7;
        for (int i = 0; i < 20; i++) {
            h = h * 31 + a * 1000003 + b;
            h ^= (h >> 7);
        }
        return h / 3 + h % 5 - (a / (b == 0 ? 1 : b));
    }
}`},
	{"go to js", "go", "javascript", `package p

func f(xs []int, s string) int {
	total := 0
	for i, x := range xs {
		if x%2 == 0 {
			total += x / 3 * i
		} else {
			total -= x % 5
		}
	}
	m := map[int]int{}
	for _, x := range xs {
		m[x]++
	}
	return total*10 + len(m) + len(s)
}`},
	{"go loops", "go", "python", `package p

func f(xs []int, s string) int {
	total := 0
	for i, x := range xs {
		if x%2 == 0 {
			total += x / 3 * i
		} else {
			total -= x % 5
		}
	}
	for i := 0; i < len(s); i++ {
		if s[i] >= 'a' && s[i] <= 'z' {
			total += int(s[i]-'a')
		}
	}
	return total
}`},
}

func TestRulesTranslationsBehave(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs programs")
	}
	v := NewVerifier(nil, true)
	for _, tc := range rulesCases {
		t.Run(tc.name, func(t *testing.T) {
			from, _ := LookupLanguage(tc.from)
			to, _ := LookupLanguage(tc.to)
			if tc.name == "java strings" {
				tc.code = strings.Replace(tc.code, "        StringBuilder unused = null;\n", "", 1)
			}
			for _, tool := range append(runTools[from.ID], runTools[to.ID]...) {
				if _, err := exec.LookPath(tool); err != nil {
					t.Skipf("%s not installed", tool)
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

// TestRulesUncovered: a construct outside the rules gives an error naming it, and no code.
func TestRulesUncovered(t *testing.T) {
	from, _ := LookupLanguage("python")
	to, _ := LookupLanguage("go")
	res, err := (&Rules{}).Translate(context.Background(), Request{Code: "def f(x):\n    return [y for y in x if y](0)\n    yield x\n", From: from, To: to})
	var u *rules.Uncovered
	if !errors.As(err, &u) || res != nil {
		t.Fatalf("got %v, %v; want *rules.Uncovered", res, err)
	}
}

// TestRulesJavaScriptSemantics runs translations to JavaScript on inputs whose results were worked out
// by hand from the source language's semantics: Python's flooring // and divisor-signed %, Java's
// truncating / and 32-bit int that wraps, Go's truncating division, Python's negative indices and
// JavaScript sources' own number idioms translated to Python.
func TestRulesJavaScriptSemantics(t *testing.T) {
	if testing.Short() {
		t.Skip("runs programs")
	}
	tests := []struct {
		name, from, to, code, call, want string
	}{
		{"py floor div", "python", "javascript", "def f(a, b):\n    return a // b\n", "f(-7, 2)", "-4"},
		{"py mod", "python", "javascript", "def f(a, b):\n    return a % b\n", "f(-7, 2)", "1"},
		{"py mod negative divisor", "python", "javascript", "def f(a, b):\n    return a % b\n", "f(7, -2)", "-1"},
		{"py true div", "python", "javascript", "def f(a, b):\n    return a / b\n", "f(7, 2)", "3.5"},
		{"py negative index", "python", "javascript", "def f(xs):\n    return xs[-1] - xs[-2]\n", "f([1, 5, 9])", "4"},
		{"py slice", "python", "javascript", "def f(s):\n    return s[1:-1] + s[:2]\n", "f(\"hello\")", `"ellhe"`},
		{"py sorted", "python", "javascript", "def f(xs):\n    return sorted(xs)\n", "f([10, 9, 100])", "[9,10,100]"},
		{"py list equality", "python", "javascript", "def f(xs):\n    return xs == [1, 2]\n", "f([1, 2])", "true"},
		{"py empty list is false", "python", "javascript", "def f(xs: list[int]):\n    if xs:\n        return 1\n    return 0\n", "f([])", "0"},
		{"py float inf", "python", "javascript", "def f(x):\n    return max(float('-inf'), x)\n", "f(3)", "3"},
		{"py int of text", "python", "javascript", "def f(s):\n    return int(s) * 2\n", "f(\" 21 \")", "42"},
		{"java div", "java", "javascript", "class T { static int f(int a, int b) { return a / b; } }", "f(-7, 2)", "-3"},
		{"java rem", "java", "javascript", "class T { static int f(int a, int b) { return a % b; } }", "f(-7, 2)", "-1"},
		{"java int wraps", "java", "javascript", "class T { static int f(int a, int b) { return a * b; } }", "f(65536, 65537)", "65536"},
		{"java char arithmetic", "java", "javascript", "class T { static int f(String s) { return s.charAt(1) - 'a'; } }", "f(\"xd\")", "3"},
		{"go div", "go", "javascript", "package p\n\nfunc f(a, b int) int {\n\treturn a / b\n}\n", "f(-7, 2)", "-3"},
		{"go map zero value", "go", "javascript", "package p\n\nfunc f(k int) int {\n\tm := map[int]int{1: 5}\n\treturn m[k] + 1\n}\n", "f(2)", "1"},
		{"js floor idiom", "javascript", "python", "function f(a, b) { return Math.floor(a / b); }", "f(-7, 2)", "-4"},
		{"js trunc idiom", "javascript", "python", "function f(a, b) { return (a / b) | 0; }", "f(-7, 2)", "-3"},
		{"js rem", "javascript", "python", "function f(a, b) { return a % b; }", "f(-7, 2)", "-1"},
		{"js division", "javascript", "python", "function f(a, b) { return a / b; }", "f(7, 2)", "3.5"},
		{"js string concat", "javascript", "python", "function f(s, n) { return s + n; }\nfunction g() { return f(\"a\", 1); }", "f(\"x\", 12)", `"x12"`},
		{"js rem to go", "javascript", "go", "function f(a, b) { return a % b; }", "f(-7, 2)", "-1"},
		{"js floor to go", "javascript", "go", "function f(a, b) { return Math.floor(a / b); }", "f(-7, 2)", "-4"},
	}
	v := NewVerifier(nil, true)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			runTranslated(t, v, tc.from, tc.to, tc.code, tc.call, tc.want)
		})
	}
}

// runTranslated translates code with the rules engine, runs the translation with call printed (as
// JSON where the language has it), and checks that it prints want. It skips (fails under CI) where
// the target's tools are missing.
func runTranslated(t *testing.T, v *Verifier, fromID, toID, code, call, want string) {
	t.Helper()
	from, _ := LookupLanguage(fromID)
	to, _ := LookupLanguage(toID)
	for _, tool := range runTools[to.ID] {
		if _, err := exec.LookPath(tool); err != nil {
			skipOrFail(t, "%s not installed", tool)
		}
	}
	res, err := (&Rules{}).Translate(context.Background(), Request{Code: code, From: from, To: to})
	if err != nil {
		t.Fatal(err)
	}
	var p Program
	switch to.ID {
	case "javascript":
		p = Program{Lang: to, Main: "main.js", Files: map[string]string{"main.js": res.Code + "\nconsole.log(JSON.stringify(" + call + "));\n"}}
	case "python":
		p = Program{Lang: to, Main: "main.py", Files: map[string]string{"main.py": res.Code + "\nimport json\nprint(json.dumps(" + call + ", separators=(',', ':')))\n"}}
	case "go":
		src := strings.Replace(res.Code, "package main", "package main\n\nimport \"fmt\"", 1)
		if !strings.Contains(src, "package main") {
			src = "package main\n\nimport \"fmt\"\n\n" + src
		}
		p = Program{Lang: to, Main: "main.go", Files: map[string]string{"main.go": src + "\nfunc main() { fmt.Println(" + call + ") }\n"}}
	case "java":
		p = Program{Lang: to, Main: "Main.java", Files: map[string]string{"Main.java": "class Main {\n" + res.Code +
			"\npublic static void main(String[] args) { System.out.println(" + call + "); }\n}\n"}}
	case "cpp":
		p = Program{Lang: to, Main: "main.cpp", Files: map[string]string{"main.cpp": res.Code +
			"\nint main() { std::cout << " + call + " << std::endl; }\n"}}
	}
	rr, err := v.Run(context.Background(), p, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !rr.Built {
		t.Fatalf("does not build: %s\n%s", rr.BuildError, res.Code)
	}
	if got := strings.TrimSpace(rr.Run.Stdout); got != want {
		t.Errorf("%s = %s, want %s (%s)\n%s", call, got, want, rr.Run.Stderr, res.Code)
	}
}
