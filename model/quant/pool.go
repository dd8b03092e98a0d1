package quant

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// spinFor is how long an idle worker (or a caller waiting for the last
// worker) polls before parking. A decoder issues a few hundred short matrix
// products per token back to back; parking and waking through the scheduler
// between each costs more than the product itself, so workers spin across
// the gap and only park when the model is really idle.
const spinFor = 50 * time.Microsecond

// job kinds a Pool runs; the parameters live in Pool fields so that starting
// a job allocates nothing.
const (
	jobRun = iota
	jobMatMul
	jobQuantize
	jobMatMulRef
)

// Pool is a persistent set of worker goroutines for data-parallel loops.
// The goroutine that calls Run or MatMul works too, so a Pool of n threads
// starts n-1 goroutines. Calls are serialized: a Pool may be shared by
// goroutines, but one call runs at a time, and fn must not call back into
// the same Pool.
type Pool struct {
	call    sync.Mutex // serializes Run/MatMul callers
	threads int

	// Current job, published by gen.Add (atomics are sequentially consistent).
	gen     atomic.Uint64
	kind    int
	nTasks  int
	fn      func(task int)
	next    atomic.Int64 // next task index to claim
	pending atomic.Int64 // workers that have not finished the current job

	park     sync.Mutex
	wake     *sync.Cond // workers sleep here between jobs
	sleepers atomic.Int32
	done     *sync.Cond // the caller sleeps here waiting for pending == 0
	waiting  atomic.Bool
	closed   atomic.Bool
	exited   sync.WaitGroup

	mm matmulJob // parameters of the current MatMul
}

// NewPool starts a pool of the given number of threads (<= 0 means
// runtime.NumCPU()).
func NewPool(threads int) *Pool {
	if threads <= 0 {
		threads = runtime.NumCPU()
	}
	p := &Pool{threads: threads}
	p.wake = sync.NewCond(&p.park)
	p.done = sync.NewCond(&p.park)
	p.mm.scratch = make([]scratch, threads)
	for w := 1; w < threads; w++ {
		p.exited.Add(1)
		go p.worker(w)
	}
	return p
}

// Threads is the number of threads, the caller's included.
func (p *Pool) Threads() int { return p.threads }

// Close stops the workers. The Pool must not be used afterwards.
func (p *Pool) Close() {
	p.call.Lock()
	defer p.call.Unlock()
	if p.closed.Swap(true) {
		return
	}
	p.park.Lock()
	p.gen.Add(1)
	p.wake.Broadcast()
	p.park.Unlock()
	p.exited.Wait()
}

// Run calls fn(task) for every task in [0, nTasks), spread over the pool's
// threads, and returns when all calls have returned.
func (p *Pool) Run(nTasks int, fn func(task int)) {
	if nTasks <= 0 {
		return
	}
	p.call.Lock()
	defer p.call.Unlock()
	p.fn = fn
	p.dispatch(jobRun, nTasks)
	p.fn = nil
}

// dispatch runs the current job (kind, nTasks and its parameters already set)
// on all threads. The caller holds p.call.
func (p *Pool) dispatch(kind, nTasks int) {
	if p.closed.Load() {
		panic("quant: Pool used after Close")
	}
	p.kind, p.nTasks = kind, nTasks
	p.next.Store(0)
	if p.threads == 1 || nTasks == 1 {
		p.work(0)
		return
	}
	p.pending.Store(int64(p.threads - 1))
	p.gen.Add(1)
	if p.sleepers.Load() > 0 {
		p.park.Lock()
		p.wake.Broadcast()
		p.park.Unlock()
	}
	p.work(0)
	// Wait for the workers: spin first, then park.
	deadline := time.Now().Add(spinFor)
	for i := 0; p.pending.Load() != 0; i++ {
		if i&63 == 63 {
			if time.Now().After(deadline) {
				p.park.Lock()
				p.waiting.Store(true)
				for p.pending.Load() != 0 {
					p.done.Wait()
				}
				p.waiting.Store(false)
				p.park.Unlock()
				break
			}
			runtime.Gosched()
		}
	}
}

// worker is the loop of one pool goroutine: wait for a new generation, claim
// tasks until none are left, report completion.
func (p *Pool) worker(id int) {
	defer p.exited.Done()
	var seen uint64 // the generation at NewPool; a job may be published before this goroutine runs
	for {
		deadline := time.Now().Add(spinFor)
		for i := 0; p.gen.Load() == seen; i++ {
			if i&63 != 63 {
				continue
			}
			if time.Now().Before(deadline) {
				runtime.Gosched()
				continue
			}
			// Park. sleepers is raised before gen is re-checked, so a
			// dispatcher that bumps gen either sees the sleeper and
			// broadcasts, or this re-check sees the new generation.
			p.park.Lock()
			p.sleepers.Add(1)
			for p.gen.Load() == seen {
				p.wake.Wait()
			}
			p.sleepers.Add(-1)
			p.park.Unlock()
		}
		seen = p.gen.Load()
		if p.closed.Load() {
			return
		}
		p.work(id)
		if p.pending.Add(-1) == 0 && p.waiting.Load() {
			p.park.Lock()
			p.done.Broadcast()
			p.park.Unlock()
		}
	}
}

// work claims and runs tasks of the current job until none are left.
func (p *Pool) work(thread int) {
	n := int64(p.nTasks)
	for {
		t := p.next.Add(1) - 1
		if t >= n {
			return
		}
		switch p.kind {
		case jobRun:
			p.fn(int(t))
		case jobMatMul:
			p.mm.rows(int(t))
		case jobQuantize:
			p.mm.quantize(int(t))
		case jobMatMulRef:
			p.mm.refRows(int(t), &p.mm.scratch[thread])
		}
	}
}
