//go:build race

package quant

// raceEnabled trims the slowest checks under the race detector, which makes
// the scalar loops of the tests an order of magnitude slower.
const raceEnabled = true
