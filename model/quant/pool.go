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
//
// A job is over when all its tasks are done, not when every worker has
// checked in: on a machine shared with other processes a worker may not be
// scheduled for milliseconds, and the caller (or the other workers) then
// simply do its share. Tasks are claimed with a compare-and-swap on a word
// that holds the job's generation, its task count and the next task index,
// so a worker that wakes late can never claim a task of a job that has moved
// on, nor judge a claim against another job's task count.
type Pool struct {
	call    sync.Mutex // serializes Run/MatMul callers
	threads int

	// Current job. The parameters (kind, fn, mm) are written before the
	// claim word is published and read only by a thread holding a claimed
	// task, which the caller waits for before the next job.
	gen   atomic.Uint64 // generation: bumped to wake workers for a job
	claim atomic.Uint64 // see claimWord
	done  atomic.Int64  // tasks finished in the current job
	kind  int
	base  int // task numbers of the current job start here (see dispatch)
	fn    func(task int)

	park     sync.Mutex
	wake     *sync.Cond // workers sleep here between jobs
	sleepers atomic.Int32
	finished *sync.Cond // the caller sleeps here waiting for done == nTasks
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
	p.finished = sync.NewCond(&p.park)
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

// The claim word packs a job's generation (low 32 bits), its task count and
// the next task index (16 bits each).
const (
	claimBits = 16
	maxChunk  = 1<<claimBits - 1 // tasks per published job
)

func claimWord(g uint64, n, next int) uint64 {
	return (g&(1<<32-1))<<(2*claimBits) | uint64(n)<<claimBits | uint64(next)
}

func claimParts(c uint64) (g uint64, n, next int) {
	return c >> (2 * claimBits), int(c >> claimBits & maxChunk), int(c & maxChunk)
}

// dispatch runs the current job (kind and its parameters already set) as
// nTasks tasks on all threads, in chunks of at most maxChunk tasks. The
// caller holds p.call.
func (p *Pool) dispatch(kind, nTasks int) {
	if p.closed.Load() {
		panic("quant: Pool used after Close")
	}
	p.kind = kind
	for base := 0; base < nTasks; base += maxChunk {
		p.base = base
		p.dispatchChunk(min(nTasks-base, maxChunk))
	}
	p.base = 0
}

func (p *Pool) dispatchChunk(n int) {
	if p.threads == 1 || n == 1 {
		for t := 0; t < n; t++ {
			p.runTask(t, 0)
		}
		return
	}
	g := p.gen.Load() + 1
	p.done.Store(0)
	p.claim.Store(claimWord(g, n, 0))
	p.gen.Store(g)
	if p.sleepers.Load() > 0 {
		p.park.Lock()
		p.wake.Broadcast()
		p.park.Unlock()
	}
	p.work(g, 0)
	// Wait for tasks other threads claimed: spin first, then park.
	deadline := time.Now().Add(spinFor)
	for i := 0; p.done.Load() != int64(n); i++ {
		if i&63 == 63 {
			if time.Now().After(deadline) {
				p.park.Lock()
				p.waiting.Store(true)
				for p.done.Load() != int64(n) {
					p.finished.Wait()
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
// tasks of it until none are left.
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
		p.work(seen, id)
	}
}

// work claims and runs tasks of job g until none are left or the job is no
// longer current.
func (p *Pool) work(g uint64, thread int) {
	for {
		c := p.claim.Load()
		cg, n, t := claimParts(c)
		if cg != g&(1<<32-1) || t >= n {
			return
		}
		if !p.claim.CompareAndSwap(c, c+1) {
			continue
		}
		p.runTask(t, thread)
		if p.done.Add(1) == int64(n) && p.waiting.Load() {
			p.park.Lock()
			p.finished.Broadcast()
			p.park.Unlock()
		}
	}
}

// runTask runs task t of the current chunk of the current job.
func (p *Pool) runTask(t, thread int) {
	t += p.base
	switch p.kind {
	case jobRun:
		p.fn(t)
	case jobMatMul:
		p.mm.rows(t)
	case jobQuantize:
		p.mm.quantize(t)
	case jobMatMulRef:
		p.mm.refRows(t, &p.mm.scratch[thread])
	}
}
