package quant

import (
	"sync/atomic"
	"testing"
)

// TestPoolStragglers runs many short jobs back to back on more threads than
// cores, so workers often wake after their job is over: every task of every
// job must still run exactly once, and never with another job's function.
func TestPoolStragglers(t *testing.T) {
	for _, th := range []int{2, 3, 8} {
		p := NewPool(th)
		for job := 0; job < 3000; job++ {
			n := 1 + job%13
			hits := make([]atomic.Int32, n)
			p.Run(n, func(i int) { hits[i].Add(1) })
			for i := range hits {
				if h := hits[i].Load(); h != 1 {
					t.Fatalf("threads %d job %d (%d tasks): task %d ran %d times", th, job, n, i, h)
				}
			}
		}
		p.Close()
	}
}

// TestPoolChunks runs a job with more tasks than one claim word can count.
func TestPoolChunks(t *testing.T) {
	p := NewPool(2)
	defer p.Close()
	n := 3*maxChunk + 5
	hits := make([]atomic.Int32, n)
	p.Run(n, func(i int) { hits[i].Add(1) })
	for i := range hits {
		if h := hits[i].Load(); h != 1 {
			t.Fatalf("task %d ran %d times", i, h)
		}
	}
}
