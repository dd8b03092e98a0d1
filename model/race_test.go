//go:build race

package model

// raceEnabled trims the slowest checks under the race detector, which makes
// the scalar kernels an order of magnitude slower.
const raceEnabled = true
