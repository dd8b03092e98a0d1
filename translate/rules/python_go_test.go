package rules

import (
	"context"
	"testing"
)

// TestPythonToGoIdioms checks Python idioms against Go written by hand from Python's semantics:
// each translation must contain every fragment and none of the absent ones.
func TestPythonToGoIdioms(t *testing.T) {
	tests := []struct {
		name, code string
		want       []string
		absent     []string
	}{
		{"negative index not known to be non-negative",
			"def f(xs):\n    t = 0\n    for i in range(len(xs)):\n        t += xs[i] * xs[i - 1]\n    return t\n",
			[]string{"xs[i] * xs[pyIdx(i-1, len(xs))]", "func pyIdx(i, n int) int"}, nil},
		{"range counter needs no count from the end",
			"def f(xs):\n    t = 0\n    for i in range(1, len(xs)):\n        t += xs[i]\n    return t\n",
			[]string{"t += xs[i]"}, []string{"pyIdx"}},
		{"sorted with a key lambda",
			"def f(xs):\n    return sorted(xs, key=lambda x: abs(x))\n",
			[]string{"func f(xs []int) []int", "sortedKey(xs, func(x int) int { return absInt(x) })", "slices.SortStableFunc"}, nil},
		{"sort in place by len, reversed",
			"def f(words):\n    words.sort(key=len, reverse=True)\n    return words\n",
			[]string{"func f(words []string) []string", "cmp.Compare(key(b), key(a))"}, nil},
		{"min with key",
			"def f(words):\n    return min(words, key=len)\n",
			[]string{"func f(words []string) string", "minKey(words, func(k"}, nil},
		{"lambda bound to a name",
			"def f(n):\n    sq = lambda x: x * x\n    return sq(n + 1)\n",
			[]string{"return (n + 1) * (n + 1)"}, nil},
		{"nested function reading the enclosing variables",
			"def f(xs, k):\n    def ok(x):\n        return x > k\n    return sum(1 for x in xs if ok(x))\n",
			[]string{"func ok(x int, k int) bool", "if ok(x, k) {"}, nil},
		{"zip in a generator",
			"def f(a, b):\n    return sum(x * y for x, y in zip(a, b))\n",
			[]string{"for i1 := 0; i1 < min(len(a), len(b)); i1++", "a[i1]*b[i1]"}, nil},
		{"enumerate in a comprehension",
			"def f(xs):\n    return [i * x for i, x in enumerate(xs)]\n",
			[]string{"for i := 0; i < len(xs); i++", "i*xs[i]"}, nil},
		{"divmod unpacked",
			"def f(n):\n    q, r = divmod(n, 10)\n    return q + r\n",
			[]string{"q = pyFloorDiv(tmp1, tmp2)", "r = pyMod(tmp1, tmp2)"}, nil},
		{"print of mixed values",
			"def f(n):\n    print(n, 'x', n / 2, n > 1, sep=',')\n",
			[]string{`fmt.Print(strconv.Itoa(n) + "," + "x" + "," + pyFloatStr(float64(n)/2) + "," + pyBoolStr(n > 1) + "\n")`}, nil},
		{"iterated words are a list of str",
			"def f(words, p):\n    c = 0\n    for w in words:\n        if w.startswith(p):\n            c += 1\n    return c\n",
			[]string{"func f(words []string, p string) int"}, nil},
		{"a list named words holds str",
			"def f(words):\n    best = words[0]\n    for w in words:\n        if w < best:\n            best = w\n    return best\n",
			[]string{"func f(words []string) string"}, nil},
		{"find is a str method",
			"def f(s, t):\n    return s.find(t)\n",
			[]string{"func f(s string, t string) int"}, nil},
		{"several results",
			"def mm(xs):\n    return min(xs), max(xs)\n\ndef f(xs):\n    a, b = mm(xs)\n    return b - a\n",
			[]string{"func mm(xs []int) (int, int)", "return slices.Min(xs), slices.Max(xs)", "a, b = mm(xs)"}, nil},
		{"f-string",
			"def f(n):\n    return f'n={n}, half={n / 2}'\n",
			[]string{`return "n=" + strconv.Itoa(n) + ", half=" + pyFloatStr(float64(n)/2)`}, nil},
		{"enumerate from 1",
			"def f(xs):\n    t = 0\n    for i, x in enumerate(xs, 1):\n        t += i * x\n    return t\n",
			[]string{"i = j1 + 1", "x = xs[j1]"}, nil},
		{"membership in a tuple literal",
			"def f(i, n):\n    return i in (0, n - 1)\n",
			[]string{"slices.Contains([]int{0, n - 1}, i)"}, nil},
		{"comprehension over a range of variable step",
			"def f(xs, k):\n    return [sum(xs[i:i + k]) for i in range(0, len(xs), k)]\n",
			[]string{"step2 := k", "(step2 > 0 && i < len(xs)) || (step2 < 0 && i > len(xs)); i += step2"}, nil},
		{"nested for clauses",
			"def f(m):\n    return [x for row in m for x in row if x > 0]\n",
			[]string{"func f(m [][]int) []int", "pyFlatten(func() [][]int {", "for _, row := range m {", "for _, x := range row {", "if x > 0 {"}, nil},
		{"defaultdict and Counter",
			"from collections import defaultdict, Counter\n\ndef f(words):\n    g = defaultdict(list)\n    for w in words:\n        g[len(w)].append(w)\n    c = Counter(words)\n    return len(g[1]) + c['a']\n",
			[]string{"var g map[int][]string", "g[utf8.RuneCountInString(w)] = append(g[utf8.RuneCountInString(w)], w)", "c = pyCounter(words)"}, nil},
		{"true division of a sum keeps its parentheses",
			"def f(xs):\n    ys = sorted(xs)\n    n = len(ys)\n    if n % 2 == 1:\n        return ys[n // 2]\n    return (ys[n // 2 - 1] + ys[n // 2]) / 2\n",
			[]string{"func f(xs []int) float64", "var ys []int", "return float64(ys[pyFloorDiv(n, 2)])", "float64(ys[pyIdx(pyFloorDiv(n, 2)-1, len(ys))]+ys[pyFloorDiv(n, 2)]) / 2"}, nil},
		{"float operands keep their parentheses",
			"def f(a, b, c):\n    x = a * 1.5\n    return (x + b) * c + (-b + x) / (2 * a)\n",
			[]string{"(x+float64(b))*float64(c)", "(float64(-b)+x)/float64(2*a)"}, nil},
		{"str.format and % formatting",
			"def f(n, name):\n    a = '{} has {} {{x}}'.format(name.upper(), n)\n    return a + '%s: %d%%' % (name, n * 2)\n",
			[]string{`a = "" + strings.ToUpper(name) + " has " + strconv.Itoa(n) + " {x}"`, `"" + name + ": " + strconv.Itoa(n*2) + "%"`}, nil},
		{"dict values and sorted keys",
			"def f(words):\n    d = {}\n    for w in words:\n        d[w] = d.get(w, 0) + 1\n    out = []\n    for k, v in sorted(d.items()):\n        out.append(k * v)\n    return max(d.values()) + len(out) + len(sorted(d))\n",
			[]string{"for _, k := range keys(d) {", "v = d[k]", "slices.Max(mapValues(d))"}, nil},
		{"map and filter",
			"def f(n, xs):\n    return sum(map(int, str(n))) + len(list(filter(lambda x: x > 0, xs)))\n",
			[]string{"atoi(k", "if x > 0 {"}, nil},
		{"slice with a step",
			"def f(xs):\n    return sum(xs[::2]) - sum(xs[1::2])\n",
			[]string{"pySliceStep(xs, 0, 0, 2, false, false)", "pySliceStep(xs, 1, 0, 2, true, false)"}, nil},
		{"int with a base, bin, copy",
			"def f(s, xs):\n    ys = xs.copy()\n    return int(s, 2) + bin(len(ys)).count('1')\n",
			[]string{"atoiBase(s, 2)", `strings.Count(pyBin(len(ys)), "1")`, "ys = append([]int{}, xs...)"}, nil},
		{"set and dict comprehensions, Tuple annotation",
			"from typing import List, Tuple\n\ndef f(xs: List[int]) -> Tuple[int, int]:\n    d = {x: i for i, x in enumerate(xs)}\n    return len({x % 3 for x in xs}), len(d)\n",
			[]string{"func f(xs []int) (int, int)", "mergeMaps(func() []map[int]int {", "setOf(func() []int {"}, nil},
		{"generator variable typed by its use",
			"def f(s):\n    return ''.join(c.upper() for c in s if c.isalpha())\n",
			[]string{"func f(s string) string"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			translateHas(t, "python", "go", tc.code, tc.want, tc.absent)
		})
	}
}

// TestPythonToGoNotCovered checks constructs that must be reported, not half-translated.
func TestPythonToGoNotCovered(t *testing.T) {
	for _, code := range []string{
		"def f(xs):\n    def add(x):\n        xs.append(x)\n    add(1)\n    return xs\n",
		"def f(xs):\n    return sorted(xs, key=lambda x: (x, -x))\n",
		"def f(xs, t):\n    for i in range(len(xs)):\n        if xs[i] == t:\n            return i\n    return None\n",
		"def f(n):\n    return f'{n:>5}'\n",
		"def f(d):\n    out = []\n    for v in d.values():\n        out.append(v)\n    return out\n",
		"def f(x):\n    return '%.2f' % x\n",
		"from collections import defaultdict\n\ndef f(xs):\n    d = defaultdict(set)\n    d[1].add(2)\n    return len(d)\n",
	} {
		out, err := Translate(context.Background(), lang(t, "python"), lang(t, "go"), code)
		if err == nil || out != "" {
			t.Errorf("%q: got %q, %v; want an Uncovered error", code, out, err)
		}
	}
}
