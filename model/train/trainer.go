package train

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"math/rand/v2"
	"os"
)

// Hyper are the optimisation settings.
type Hyper struct {
	Batch       int     // sequences per step
	Steps       int     // total optimizer steps
	LR          float64 // peak learning rate
	MinLRFrac   float64 // final LR as a fraction of LR (cosine floor)
	Warmup      int     // linear warmup steps
	WeightDecay float64 // AdamW decoupled decay on 2-D weights
	Beta1       float64
	Beta2       float64
	Eps         float64
	Clip        float64 // global gradient-norm clip (0 = off)
	Seed        uint64
}

// lr is linear warmup followed by cosine decay to MinLRFrac·LR.
func (h Hyper) lr(step int) float64 {
	if step < h.Warmup {
		return h.LR * float64(step+1) / float64(h.Warmup)
	}
	if step >= h.Steps {
		return h.LR * h.MinLRFrac
	}
	p := float64(step-h.Warmup) / float64(max(1, h.Steps-h.Warmup))
	return h.LR * (h.MinLRFrac + (1-h.MinLRFrac)*0.5*(1+math.Cos(math.Pi*p)))
}

// trainer owns everything that changes during training; a checkpoint is
// exactly this state, so resuming reproduces an uninterrupted run bit for bit.
type trainer struct {
	m      *Model
	h      Hyper
	a      *acts
	mom    []float32 // Adam first moment
	vel    []float32 // Adam second moment
	step   int
	pos    int // next window start in the training stream
	epoch  int
	tokens int64   // training tokens consumed
	wall   float64 // seconds spent training, summed over resumes
	rng    *rand.PCG
	data   []int32 // training stream
	in     []int32 // batch scratch
	tg     []int32
	hash   uint64      // config hash stored in checkpoints
	chunks []slabChunk // the parameter slab in pieces, for the optimizer step
}

// newTrainer prepares training m on data with threads goroutines (<= 0:
// GOMAXPROCS). The thread count is not part of the training state: results
// are the same on any number of threads.
func newTrainer(m *Model, h Hyper, data []int32, configHash uint64, threads int) (*trainer, error) {
	T := m.Cfg.Ctx
	if len(data) < h.Batch*(T+1) {
		return nil, fmt.Errorf("train: training stream has %d tokens, fewer than %d sequences of %d", len(data), h.Batch, T+1)
	}
	return &trainer{
		m: m, h: h, a: newActs(m.Cfg, h.Batch, T, threads),
		mom: make([]float32, len(m.Params)), vel: make([]float32, len(m.Params)),
		rng: rand.NewPCG(h.Seed, 0xda3e39cb94b95bdb), data: data,
		in: make([]int32, h.Batch*T), tg: make([]int32, h.Batch*T), hash: configHash, chunks: slabChunks(m),
	}, nil
}

// nextBatch fills in/tg with one window of T+1 tokens from each of Batch
// shards of the stream (row b reads shard b at the shared offset pos), as
// llm.c's data loader does across processes: the rows of a batch then come
// from unrelated documents, instead of Batch consecutive windows of mostly
// one file, which made the gradient of a step that file's gradient. At the
// end of the shards a new epoch starts at a random offset below T, so windows
// do not repeat exactly.
func (t *trainer) nextBatch() {
	T := t.m.Cfg.Ctx
	shard := len(t.data) / t.h.Batch
	if t.pos+T+1 > shard {
		t.epoch++
		t.pos = int(t.rng.Uint64() % uint64(min(T, shard-T)))
	}
	for b := 0; b < t.h.Batch; b++ {
		start := b*shard + t.pos
		copy(t.in[b*T:(b+1)*T], t.data[start:start+T])
		copy(t.tg[b*T:(b+1)*T], t.data[start+1:start+T+1])
	}
	t.pos += T
}

// trainStep runs one forward/backward/AdamW update and returns the loss,
// the gradient norm before clipping and the learning rate used.
func (t *trainer) trainStep() (loss, gnorm, lr float64) {
	t.nextBatch()
	m := t.m
	m.ZeroGrads()
	loss = m.forward(t.a, t.in, t.tg)
	m.backward(t.a, t.in)

	// The squared norm sums per chunk of the slab, then over the chunks in
	// order: the same on any number of threads.
	t.a.parallel(len(t.chunks), func(_, i int) {
		var s float64
		for _, g := range m.Grads[t.chunks[i].off : t.chunks[i].off+t.chunks[i].n] {
			s += float64(g) * float64(g)
		}
		t.chunks[i].sumSq = s
	})
	var ss float64
	for _, ch := range t.chunks {
		ss += ch.sumSq
	}
	gnorm = math.Sqrt(ss)
	scale := 1.0
	if t.h.Clip > 0 && gnorm > t.h.Clip {
		scale = t.h.Clip / gnorm
	}
	lr = t.h.lr(t.step)
	t.step++
	b1, b2 := t.h.Beta1, t.h.Beta2
	c1 := 1 - math.Pow(b1, float64(t.step)) // bias corrections
	c2 := 1 - math.Pow(b2, float64(t.step))
	t.a.parallel(len(t.chunks), func(_, i int) {
		ch := t.chunks[i]
		decay := 0.0
		if ch.decay {
			decay = t.h.WeightDecay
		}
		lo, hi := ch.off, ch.off+ch.n
		adamw(m.Params[lo:hi], m.Grads[lo:hi], t.mom[lo:hi], t.vel[lo:hi],
			float32(scale), float32(lr), float32(b1), float32(b2), float32(c1), float32(c2), float32(t.h.Eps), float32(decay))
	})
	t.tokens += int64(t.h.Batch * m.Cfg.Ctx)
	return loss, gnorm, lr
}

// adamw is Loshchilov & Hutter's AdamW: decoupled weight decay, then the Adam
// step with bias-corrected moments. The bias corrections multiply by their
// inverses and the square root is taken in float32, which leaves one
// division per weight of the three the loop had.
func adamw(w, g, mom, vel []float32, gscale, lr, b1, b2, c1, c2, eps, decay float32) {
	g, mom, vel = g[:len(w)], mom[:len(w)], vel[:len(w)]
	ic1, ic2, nb1, nb2 := 1/c1, 1/c2, 1-b1, 1-b2
	for i := range w {
		gi := g[i] * gscale
		mi := b1*mom[i] + nb1*gi
		vi := b2*vel[i] + nb2*gi*gi
		mom[i], vel[i] = mi, vi
		w[i] -= lr * (mi*ic1/(float32(math.Sqrt(float64(vi*ic2)))+eps) + decay*w[i])
	}
}

// slabChunk is a piece of the parameter slab within one tensor: the unit of
// work of the optimizer step on all threads.
type slabChunk struct {
	off, n int
	decay  bool
	sumSq  float64 // the squared gradient norm of the piece, this step
}

// slabChunks cuts m's tensors into pieces of at most 1<<15 weights.
func slabChunks(m *Model) []slabChunk {
	const size = 1 << 15
	var cs []slabChunk
	for _, tn := range m.Tensors {
		for o := 0; o < tn.size(); o += size {
			cs = append(cs, slabChunk{off: tn.Off + o, n: min(size, tn.size()-o), decay: tn.Decay})
		}
	}
	return cs
}

// evalLoss returns the mean loss (nats/token) and bits per byte over the
// windows of a held-out stream, at most maxWindows of them.
func (t *trainer) evalLoss(stream []int32, tokBytes []int, maxWindows int) (loss, bpb float64) {
	T, B := t.m.Cfg.Ctx, t.h.Batch
	windows := min(maxWindows, (len(stream)-1)/T)
	var nats float64
	var toks, bytes int
	for w0 := 0; w0 < windows; w0 += B {
		nb := min(B, windows-w0)
		for b := 0; b < B; b++ {
			for i := 0; i < T; i++ {
				if b < nb {
					t.in[b*T+i] = stream[(w0+b)*T+i]
					t.tg[b*T+i] = stream[(w0+b)*T+i+1]
				} else {
					t.in[b*T+i], t.tg[b*T+i] = 0, -1
				}
			}
		}
		l := t.m.forward(t.a, t.in, t.tg)
		n := nb * T
		nats += l * float64(n)
		toks += n
		for _, tg := range t.tg[:n] {
			bytes += tokBytes[tg]
		}
	}
	if toks == 0 {
		return math.NaN(), math.NaN()
	}
	return nats / float64(toks), nats / math.Ln2 / float64(max(bytes, 1))
}

// Checkpoint layout (little endian): magic, config hash, step, pos, epoch,
// tokens, wall seconds, PCG state, then params, Adam m and v as float32.
const ckptMagic = "WEFTCKP1"

// ErrConfigMismatch is returned when a checkpoint was written for another
// model/training configuration.
var ErrConfigMismatch = errors.New("train: checkpoint was written by a different configuration")

func (t *trainer) save(path string) error {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("train: checkpoint: %w", err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	rng, _ := t.rng.MarshalBinary()
	w.WriteString(ckptMagic)
	for _, v := range []uint64{t.hash, uint64(t.step), uint64(t.pos), uint64(t.epoch), uint64(t.tokens), math.Float64bits(t.wall), uint64(len(rng))} {
		binary.Write(w, binary.LittleEndian, v)
	}
	w.Write(rng)
	for _, s := range [][]float32{t.m.Params, t.mom, t.vel} {
		if err := binary.Write(w, binary.LittleEndian, s); err != nil {
			f.Close()
			return fmt.Errorf("train: checkpoint: %w", err)
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("train: checkpoint: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("train: checkpoint: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("train: checkpoint: %w", err)
	}
	return nil
}

func (t *trainer) load(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("train: resume: %w", err)
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<20)
	magic := make([]byte, len(ckptMagic))
	if _, err := io.ReadFull(r, magic); err != nil || string(magic) != ckptMagic {
		return fmt.Errorf("train: resume: %s is not a weft checkpoint", path)
	}
	var hdr [7]uint64
	if err := binary.Read(r, binary.LittleEndian, &hdr); err != nil {
		return fmt.Errorf("train: resume: %s: truncated header: %w", path, err)
	}
	if hdr[0] != t.hash {
		return fmt.Errorf("%w (checkpoint %s has config hash %016x, this run %016x): resume with the same model and training flags or start afresh", ErrConfigMismatch, path, hdr[0], t.hash)
	}
	if hdr[6] > 64 {
		return fmt.Errorf("train: resume: %s: corrupt RNG state", path)
	}
	rng := make([]byte, hdr[6])
	if _, err := io.ReadFull(r, rng); err != nil {
		return fmt.Errorf("train: resume: %s: %w", path, err)
	}
	for _, s := range [][]float32{t.m.Params, t.mom, t.vel} {
		if err := binary.Read(r, binary.LittleEndian, s); err != nil {
			return fmt.Errorf("train: resume: %s: truncated weights: %w", path, err)
		}
	}
	if err := t.rng.UnmarshalBinary(rng); err != nil {
		return fmt.Errorf("train: resume: %s: %w", path, err)
	}
	t.step, t.pos, t.epoch, t.tokens = int(hdr[1]), int(hdr[2]), int(hdr[3]), int64(hdr[4])
	t.wall = math.Float64frombits(hdr[5])
	if t.pos > len(t.data)/t.h.Batch {
		return fmt.Errorf("train: resume: %s: data position %d beyond the %d-token stream (corpus changed?)", path, t.pos, len(t.data))
	}
	return nil
}

// configHash fingerprints everything a checkpoint's state depends on. The
// step count is left out on purpose: resuming with more steps (training
// longer) is allowed; the cosine schedule then stretches from that step on.
func configHash(c ModelConfig, h Hyper, vocab *Vocab, extra string) uint64 {
	h.Steps = 0
	f := fnv.New64a()
	fmt.Fprintf(f, "%+v|%+v|%d|%s", c, h, len(vocab.Tokens), extra)
	for _, m := range vocab.Merges {
		f.Write([]byte(m))
		f.Write([]byte{0})
	}
	return f.Sum64()
}
