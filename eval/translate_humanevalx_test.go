package eval

import "testing"

func TestDeclName(t *testing.T) {
	tests := []struct{ decl, want string }{
		{"from typing import List\n\n\ndef has_close_elements(numbers: List[float], threshold: float) -> bool:\n", "has_close_elements"},
		{"\nfunc HasCloseElements(numbers []float64, threshold float64) bool {\n", "HasCloseElements"},
		{"import java.util.*;\n\nclass Solution {\n    public boolean hasCloseElements(List<Double> numbers, double threshold) {\n", "hasCloseElements"},
		{"#include<vector>\nusing namespace std;\nbool has_close_elements(vector<float> numbers, float threshold){\n", "has_close_elements"},
		{"def f(x: Tuple[int, int] = (1, 2)) -> int:\n", "f"},
		{"/* Given a positive floating point number ...\n  >>> truncateNumber(3.5)\n  */\nconst truncateNumber = (number) => {\n", "truncateNumber"},
		{"const f = function (a, b) {\n", "f"},
		{"function hasCloseElements(numbers, threshold) {\n", "hasCloseElements"},
	}
	for _, tc := range tests {
		if got := declName(tc.decl); got != tc.want {
			t.Errorf("declName(%q) = %q, want %q", tc.decl, got, tc.want)
		}
	}
}
