package rules

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// TestJavaCppEmitters checks translations to Java and C++ against fragments written by hand from the
// languages' semantics: Python's flooring // and divisor-signed % (Math.floorDiv/floorMod in Java, a
// helper in C++), Python's unbounded int as a 64-bit long, Java's 32-bit int wrapping in C++ through
// unsigned arithmetic (signed overflow is undefined there), Python strings indexed to one-character
// strings, and the parameter types GfG-style callers pass (int[] in Java, int a[] in C++).
func TestJavaCppEmitters(t *testing.T) {
	tests := []struct {
		name, from, to, code string
		want, absent         []string
	}{
		{"py floor division and modulo", "python", "java", "def f(a, b):\n    return a // b + a % b\n",
			[]string{"static long f(long a, long b)", "(Math.floorDiv(a, b)) + (Math.floorMod(a, b))"}, nil},
		{"py floor division and modulo", "python", "cpp", "def f(a, b):\n    return a // b + a % b\n",
			[]string{"long long f(long long a, long long b)", "(weft_floordiv(a, b)) + (weft_mod(a, b))", "if (r != 0 && ((r < 0) != (b < 0))) r += b;"}, nil},
		{"py true division", "python", "java", "def f(a, b):\n    return (a + b) / 2\n",
			[]string{"static double f(long a, long b)", "return ((double) (a + b)) / 2.0;"}, nil},
		{"py shift is 64-bit", "python", "java", "def f(n):\n    return 1 << n\n",
			[]string{"return 1L << n;"}, nil},
		{"py list parameter and its int[] entry", "python", "java", "def f(arr, n):\n    s = 0\n    for i in range(n):\n        s += arr[i]\n    return s\n",
			[]string{"static long f(long[] arr, long n)", "s += arr[(int) i];", "static long f(int[] arr, long n) {", "long[] arr_ = weftLongs(arr);", "weftStore(arr, arr_);"}, nil},
		{"py list parameter only indexed is a pointer", "python", "cpp", "def f(arr, n):\n    s = 0\n    for i in range(n):\n        s += arr[i]\n    return s\n",
			[]string{"long long f(int arr[], long long n)", "s += arr[i];"}, nil},
		{"py list parameter measured is a vector", "python", "cpp", "def f(arr):\n    return len(arr) + arr[0]\n",
			[]string{"long long f(std::vector<long long> arr)", "((long long) arr.size()) + arr[0]"}, nil},
		{"py negative index", "python", "java", "def f(xs):\n    return xs[-1]\n",
			[]string{"return xs[xs.length - 1];"}, nil},
		{"py index that may be negative", "python", "cpp", "def f(xs, i):\n    return xs[i] + len(xs)\n",
			[]string{"xs[weft_idx(i, xs.size())]"}, nil},
		{"py string index is a one-character string", "python", "java", "def f(s, i):\n    return s[i] == 'a'\n",
			[]string{`String.valueOf(s.charAt(weftIdx(i, s.length()))).equals("a")`}, nil},
		{"py string iteration", "python", "cpp", "def f(s):\n    n = 0\n    for c in s:\n        if c == 'x':\n            n += 1\n    return n\n",
			[]string{"for (char _v1 : s) {", "c = std::string(1, _v1);", `(c) == (std::string("x"))`}, nil},
		{"py str of bool", "python", "java", "def f(a):\n    return str(a > 1)\n",
			[]string{"weftStr(a > 1L)", `return b ? "True" : "False";`}, nil},
		{"py nested list comprehension", "python", "cpp", "def f(n):\n    dp = [[0] * n for _ in range(n)]\n    return dp[0][0]\n",
			[]string{"std::vector<std::vector<long long>> dp;", "_r.push_back(std::vector<long long>(std::max<long long>(0, n), 0LL));"}, nil},
		{"py list of zeros", "python", "java", "def f(n):\n    a = [0] * n\n    return a[n - 1]\n",
			[]string{"a = new long[(int) n];"}, nil},
		{"py range keeps its last value", "python", "java", "def f(n):\n    i = -1\n    for i in range(n):\n        pass\n    return i\n",
			[]string{"for (long _i1 = 0L, _end1 = n; _i1 < _end1; _i1++) {", "i = _i1;"}, nil},
		{"java int wraps in C++", "java", "cpp", "class T { static int f(int a, int b) { return a * b + a; } }",
			[]string{"int f(int a, int b)", "(int) ((unsigned) ((int) ((unsigned) a * (unsigned) b)) + (unsigned) a)"}, nil},
		{"java truncating division in C++", "java", "cpp", "class T { static int f(int a, int b) { return a / b + a % b; } }",
			[]string{"(int) ((unsigned) (a / b) + (unsigned) (a % b))"}, []string{"weft_floordiv", "weft_mod"}},
		{"java array parameter", "java", "cpp", "class T { static int f(int arr[], int n) { return arr[n - 1]; } }",
			[]string{"int f(int arr[], int n)", "return arr[(int) ((unsigned) n - (unsigned) 1)];"}, nil},
		{"java char arithmetic", "java", "cpp", "class T { static int f(String s) { return s.charAt(0) - 'a'; } }",
			[]string{"int f(std::string s)", "(int) ((unsigned) (s[0]) - (unsigned) 'a')"}, nil},
		{"java map get and Arrays.fill", "java", "cpp", "import java.util.*;\nclass T { static int f(int n) { Map<Integer, Integer> m = new HashMap<>(); m.put(1, n); int[] a = new int[n]; Arrays.fill(a, 7); return m.get(1) + a[0]; } }",
			[]string{"std::fill(a.begin(), a.end(), 7);", "m.at(1)", "m[1] = n;"}, nil},
		{"go to java", "go", "java", "package p\n\nfunc f(xs []int) int {\n\tt := 0\n\tfor _, x := range xs {\n\t\tt += x / 2\n\t}\n\treturn t\n}\n",
			[]string{"static long f(long[] xs)", "x = seq1[(int) i1];", "t += (x / 2L);", "static long f(int[] xs) {"}, nil},
		{"dead code after an endless loop", "python", "java", "def f(n):\n    while True:\n        if n > 3:\n            return n\n        n += 1\n    return -1\n",
			[]string{"n++;\n    }\n}\n"}, []string{"return -1L;", "unreachable"}},
		{"go map zero value", "go", "java", "package p\n\nfunc f(k int) int {\n\tm := map[int]int{}\n\tm[1] = 5\n\treturn m[k]\n}\n",
			[]string{"java.util.HashMap<Long, Long> m = null;", "m.put(1L, 5L);", "return m.getOrDefault(k, 0L);"}, nil},
		{"py dict missing key raises", "python", "cpp", "def f(k):\n    d = {}\n    d[1] = 2\n    return d[k]\n",
			[]string{"d[1LL] = 2LL;", "return d.at(k);"}, nil},
	}
	for _, tc := range tests {
		if tc.code == "" {
			continue
		}
		t.Run(tc.name+" to "+tc.to, func(t *testing.T) {
			translateHas(t, tc.from, tc.to, tc.code, tc.want, tc.absent)
		})
	}
}

// TestJavaCppNotCovered checks constructs the Java and C++ emitters must report, not half-translate.
func TestJavaCppNotCovered(t *testing.T) {
	tests := []struct{ from, to, code, what string }{
		{"python", "java", "def f(xs):\n    xs.append(1)\n    return len(xs)\n", "append"},
		{"python", "java", "def f(k):\n    d = {}\n    d[1] = k\n    t = 0\n    for k in d:\n        t += k\n    return t\n", "iteration over a map"},
		{"python", "cpp", "def f(arr, n):\n    return arr[n - 1]\n", "negative"},
		{"python", "java", "def f(xs, lo, hi):\n    mid = (lo + hi) / 2\n    return xs[mid]\n", "index"},
	}
	for _, tc := range tests {
		out, err := Translate(context.Background(), lang(t, tc.from), lang(t, tc.to), tc.code)
		var u *Uncovered
		if !errors.As(err, &u) || out != "" || !strings.Contains(err.Error(), tc.what) {
			t.Errorf("%s -> %s %q: got %q, %v; want an Uncovered error naming %q", tc.from, tc.to, tc.code, out, err, tc.what)
		}
	}
}
