package model

import (
	"context"
	"time"
)

// passClock estimates how long a forward pass that extends sequences by a number of rows will take,
// for GenerateOptions.Pace. A decoding pass reads every weight once whatever its rows, and each row
// adds its own arithmetic (the output projection over the vocabulary above all), so a pass of r rows
// is modelled as fixed + (r-1)·perRow, both measured on the session's own passes: the fixed part on
// single-row passes, the per-row part on wider ones. Until a pass has been measured the estimate is 0,
// which lets the first pass of a session run.
type passClock struct {
	fixed, perRow time.Duration
	// wide is the latest multi-row pass (rows, time), scaled to the rows asked about until a
	// single-row pass has given the fixed part.
	wideRows int
	wide     time.Duration
}

// observe records that a pass of rows rows took d.
func (c *passClock) observe(rows int, d time.Duration) {
	switch {
	case rows <= 1:
		c.fixed = ewma(c.fixed, d)
	case c.fixed > 0:
		c.perRow = ewma(c.perRow, max(0, d-c.fixed)/time.Duration(rows-1))
	default:
		c.wideRows, c.wide = rows, d
	}
}

// estimate returns the expected duration of a pass of rows rows.
func (c *passClock) estimate(rows int) time.Duration {
	if c.fixed == 0 && c.wideRows > 0 {
		return c.wide * time.Duration(max(rows, 1)) / time.Duration(c.wideRows)
	}
	return c.fixed + time.Duration(max(rows-1, 0))*c.perRow
}

// ewma averages a new measurement into old with weight 1/2 (old 0: none yet): recent enough to
// follow a machine whose load changes, steady enough that one slow pass does not stop the next.
func ewma(old, d time.Duration) time.Duration {
	if old == 0 {
		return d
	}
	return (old + d) / 2
}

// observePass records a decoding pass of rows rows that took d.
func (m *Model) observePass(rows int, d time.Duration) {
	m.passMu.Lock()
	m.passes.observe(rows, d)
	m.passMu.Unlock()
}

// PassEstimate is how long a decoding pass of rows rows (tokens, of one sequence or several, with the
// logits of each) is expected to take, from the passes of the model's sessions so far; 0 before any.
// A caller can size a prompt's changing part by it: evaluating n new prompt tokens costs at most about
// a pass of n rows.
func (s *Session) PassEstimate(rows int) time.Duration {
	s.m.passMu.Lock()
	defer s.m.passMu.Unlock()
	return s.m.passes.estimate(rows)
}

// calibrateRows is the wider of Calibrate's two passes.
const calibrateRows = 8

// Calibrate times a pass of one row and one of calibrateRows rows on the empty session, so that
// PassEstimate knows the model's pass times before its first request has decoded anything. It does
// nothing when they are known or when the session holds tokens (whose cache it would overwrite), and
// leaves the session empty.
func (s *Session) Calibrate(ctx context.Context) error {
	if len(s.tokens) > 0 || s.nCtx < calibrateRows || s.PassEstimate(2) > s.PassEstimate(1) {
		return nil
	}
	nv := s.m.info.NVocab
	out := make([]float32, calibrateRows*nv)
	toks := make([]int32, calibrateRows)
	s.haveLogits = false
	for _, n := range []int{1, calibrateRows} {
		t0 := time.Now()
		if err := s.forward(ctx, toks[:n], 0, out[:n*nv], true); err != nil {
			return err
		}
		s.m.observePass(n, time.Since(t0))
	}
	return nil
}
