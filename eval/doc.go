// Package eval measures the features from outside, through their exported API only: fill-in-the-middle
// completion against held-out files and HumanEval infilling (fim.go, with an n-gram baseline in
// ngram.go), translation on the TransCoder GeeksforGeeks set (translate.go), function bodies on
// HumanEval-X (humanevalx.go), and the latency of a replayed typing session (replay.go).
//
// It sits above complete/ and translate/ and nothing in the product imports it: `weft eval` and
// `weft bench --lsp` are its callers. What a feature itself needs at run time (edit similarity for
// consensus decoding, the Go import helpers of verification) stays in the feature. Running generated
// programs is the point of evaluation, so the harness runs them, always in translate's sandbox.
package eval
