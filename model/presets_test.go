package model

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/weft-dev/weft/model/gguf"
	"github.com/weft-dev/weft/model/quant"
)

// The fixtures in testdata/parity are llama.cpp's own llama-quantize output
// for every standard preset, from the embedded model (dequantized to F32) and
// from small random masters of each architecture, with llama.cpp's greedy
// continuation and logits; testdata/parity/README.md says how they were made.
// The GGUF files are stored as tensor blobs shared between presets (a tensor
// equal to what quant.Quantize makes from the master is made again here
// instead), and every tensor is checked against the sha256 of
// llama-quantize's bytes before use.

// presetTensor is one tensor of a fixture file and where its bytes are kept.
type presetTensor struct {
	Name   string `json:"name"`
	TypeID uint32 `json:"type_id"`
	Dims   []int  `json:"dims"`
	SHA256 string `json:"sha256"`
	From   string `json:"from"` // "master": quant.Quantize of the master's tensor; "pack": Pack[Offset:Offset+Size]
	Offset int64  `json:"offset"`
	Size   int64  `json:"size"`
}

// presetRef is one fixture: a preset of a family, its tensors and llama.cpp's
// reference run.
type presetRef struct {
	Family       string         `json:"family"`
	Preset       string         `json:"preset"`
	NVocab       int            `json:"n_vocab"`
	FileType     uint32         `json:"general.file_type"`
	QuantVersion *uint32        `json:"general.quantization_version"`
	Pack         string         `json:"pack"`
	Tensors      []presetTensor `json:"tensors"`
	TensorTypes  map[string]int `json:"tensor_types"`
	Prompts      []parityPrompt `json:"prompts"`
	last         [][]float32
}

// Thresholds, in logits. llama.cpp quantizes activations (Q8_0 / Q8_K) and
// so does weft's fast path, but not bit for bit in every row: a float32
// rounding difference that flips one activation quantum moves later logits
// by up to a few tenths on the embedded model and about 1-3 on the random
// masters (as between llama.cpp's own batch and token-by-token kernels). So
// greedy text must be identical until the first step where llama.cpp's own
// top-1 margin is below marginClear, and every teacher-forced row whose
// llama.cpp margin is at least marginClear must have the same argmax.
const (
	marginClear = 0.5
	// presetMedTol bounds the median over rows of the largest top-5 logit
	// difference. Emulating llama.cpp's activation quantization gives 1e-5
	// on most presets (0.02-0.17 where early flipped quanta shift a whole
	// prompt); an engine that keeps F32 activations is 1.3-2.3 off.
	presetMedTol  = 0.25
	presetSideTol = 3   // full last-position row, quantized presets
	presetF16Tol  = 0.1 // the same for F16 (llama.cpp rounds activations to F16)
	presetBF16Tol = 0.3 // and BF16 (to BF16: 8 significant bits, not 11)
)

// presetsPending are the fixtures weft does not pass yet, with the reason:
// they are committed with the others, and each is taken out of this list
// when the missing type or architecture lands (the test then runs it).
var presetsPending = map[string]string{
	"default-Q4_1": "Q4_1", "default-Q5_0": "Q5_0", "default-Q5_1": "Q5_1", "default-IQ4_NL": "IQ4_NL",
	"default-IQ4_XS": "IQ4_NL, IQ4_XS", "default-Q2_K": "IQ4_NL, Q3_K", "default-Q3_K_S": "IQ4_NL, Q3_K",
	"default-Q3_K_M": "IQ4_NL, Q5_0, Q5_1", "default-Q3_K_L": "IQ4_NL, Q5_1", "default-Q4_K_S": "Q5_0, Q5_1",
	"default-Q4_K_M": "Q5_0", "default-Q5_K_S": "Q5_1", "default-Q5_K_M": "Q5_1",
	"tiny-llama-Q4_1": "Q4_1", "tiny-llama-Q5_0": "Q5_0", "tiny-llama-Q5_1": "Q5_1", "tiny-llama-IQ4_NL": "IQ4_NL",
	"tiny-llama-IQ4_XS": "IQ4_XS", "tiny-llama-Q2_K": "Q2_K, Q3_K", "tiny-llama-Q3_K_S": "Q3_K",
	"tiny-llama-Q3_K_M": "Q3_K", "tiny-llama-Q3_K_L": "Q3_K", "tiny-qwen2-Q3_K_M": "Q3_K",
	"tiny-llama-Q4_0":      "Q4_0 activations: median row error 0.17 (K-quants and Q8_0: 1e-5)",
	"tiny-qwen2-Q4_0":      "Q4_0 activations: median row error 0.067 (K-quants and Q8_0: 6e-6)",
	"tiny-starcoder2-Q2_K": "starcoder2, Q2_K, Q3_K", "tiny-starcoder2-Q4_0": "starcoder2", "tiny-starcoder2-Q8_0": "starcoder2",
	"tiny-starcoder2-Q4_K_M": "starcoder2", "tiny-starcoder2-Q5_K_M": "starcoder2", "tiny-starcoder2-Q6_K": "starcoder2",
	"tiny-starcoder2-F16": "starcoder2",
	"tiny-gemma-Q3_K_M":   "gemma, Q3_K", "tiny-gemma-Q4_0": "gemma", "tiny-gemma-Q8_0": "gemma", "tiny-gemma-Q4_K_M": "gemma",
	"tiny-gemma-Q5_K_M": "gemma", "tiny-gemma-Q6_K": "gemma", "tiny-gemma-F16": "gemma",
}

func presetDir() string { return filepath.Join("testdata", "parity") }

func loadPresetRef(t *testing.T, path string) *presetRef {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var ref presetRef
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	side, err := os.ReadFile(strings.TrimSuffix(path, ".json") + ".last.f32")
	if err != nil {
		t.Fatal(err)
	}
	// The sidecar holds the first prompt's row (the budget for the files).
	if len(side) != ref.NVocab*4 {
		t.Fatalf("%s: sidecar has %d bytes, want %d", path, len(side), ref.NVocab*4)
	}
	for p := range 1 {
		row := make([]float32, ref.NVocab)
		for i := range row {
			row[i] = math.Float32frombits(uint32(side[(p*ref.NVocab+i)*4]) | uint32(side[(p*ref.NVocab+i)*4+1])<<8 |
				uint32(side[(p*ref.NVocab+i)*4+2])<<16 | uint32(side[(p*ref.NVocab+i)*4+3])<<24)
		}
		ref.last = append(ref.last, row)
	}
	return &ref
}

// assemble rebuilds the GGUF llama-quantize wrote: the master's metadata,
// general.file_type and general.quantization_version as llama-quantize set
// them, and every tensor's bytes, each verified against llama-quantize's
// sha256.
func assemble(t *testing.T, ref *presetRef, masters map[string]*gguf.File, packs map[string][]byte) []byte {
	t.Helper()
	master, ok := masters[ref.Family]
	if !ok {
		var err error
		if master, err = presetMaster(ref.Family); err != nil {
			t.Fatal(err)
		}
		masters[ref.Family] = master
	}
	pack, ok := packs[ref.Pack]
	if !ok {
		b, err := os.ReadFile(filepath.Join(presetDir(), ref.Pack))
		if err != nil {
			t.Fatal(err)
		}
		packs[ref.Pack], pack = b, b
	}
	w := gguf.NewWriter()
	w.CopyKV(master, func(k string) bool { return k != "general.file_type" && k != "general.quantization_version" })
	w.Set("general.file_type", ref.FileType)
	if ref.QuantVersion != nil {
		w.Set("general.quantization_version", *ref.QuantVersion)
	}
	for _, pt := range ref.Tensors {
		var data []byte
		switch pt.From {
		case "pack":
			if pt.Offset < 0 || pt.Offset+pt.Size > int64(len(pack)) {
				t.Fatalf("%s: tensor %s lies outside %s", ref.Preset, pt.Name, ref.Pack)
			}
			data = pack[pt.Offset : pt.Offset+pt.Size]
		case "master":
			data = fromMaster(t, master, pt)
		default:
			t.Fatalf("%s: tensor %s: unknown source %q", ref.Preset, pt.Name, pt.From)
		}
		if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != pt.SHA256 {
			t.Fatalf("%s-%s: tensor %s does not have llama-quantize's bytes (from %s): the master or quant.Quantize(%v) changed; see testdata/parity/README.md",
				ref.Family, ref.Preset, pt.Name, pt.From, gguf.Type(pt.TypeID))
		}
		if err := w.AddTensor(pt.Name, gguf.Type(pt.TypeID), pt.Dims, data); err != nil {
			t.Fatalf("%s-%s: %v", ref.Family, ref.Preset, err)
		}
	}
	b, err := w.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// fromMaster encodes the master's F32 tensor of the same name with
// quant.Quantize.
func fromMaster(t *testing.T, master *gguf.File, pt presetTensor) []byte {
	t.Helper()
	mt, ok := master.Tensor(pt.Name)
	if !ok || mt.Type != gguf.TypeF32 {
		t.Fatalf("the master has no F32 tensor %s", pt.Name)
	}
	v := make([]float32, mt.Elems())
	if err := quant.Dequantize(gguf.TypeF32, master.TensorData(mt), v); err != nil {
		t.Fatal(err)
	}
	q, err := quant.Quantize(gguf.Type(pt.TypeID), v)
	if err != nil {
		t.Fatalf("tensor %s: %v", pt.Name, err)
	}
	return q
}

// TestPresetParity loads every llama-quantize preset of every fixture family
// and compares weft's greedy text and logits with llama.cpp's.
func TestPresetParity(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(presetDir(), "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no preset fixtures in %s", presetDir())
	}
	masters := map[string]*gguf.File{}
	packs := map[string][]byte{}
	for _, path := range files {
		name := strings.TrimSuffix(filepath.Base(path), ".json")
		t.Run(name, func(t *testing.T) {
			ref := loadPresetRef(t, path)
			if why, ok := presetsPending[name]; ok {
				t.Skipf("%s (%v): not passed yet: %s", name, ref.TensorTypes, why)
			}
			if raceEnabled && ref.Preset != "Q8_0" {
				// The kernels are ~10x slower under the race detector.
				t.Skip("race detector: only the Q8_0 presets are checked")
			}
			file := assemble(t, ref, masters, packs)
			m, err := FromBytes(file, Options{Threads: 2, KVType: gguf.TypeF32})
			if err != nil {
				t.Fatalf("%s (%v) does not load: %v", name, ref.TensorTypes, err)
			}
			defer m.Close()
			checkPreset(t, name, ref, m)
		})
	}
}

// checkPreset runs the greedy, teacher-forced and last-position checks.
func checkPreset(t *testing.T, name string, ref *presetRef, m *Model) {
	sideTol := float64(presetSideTol)
	switch ref.Preset {
	case "F16":
		sideTol = presetF16Tol
	case "BF16":
		sideTol = presetBF16Tol
	}
	prompts := ref.Prompts
	if raceEnabled {
		prompts = prompts[:1]
	}
	var errs []float64
	var maxSide float64
	agree, checked, greedyOK := 0, 0, 0
	for pi := range prompts {
		p := &prompts[pi]
		// Greedy text: identical up to the first step where llama.cpp's
		// margin is not clear.
		s := m.NewSession(256)
		res, err := s.Generate(t.Context(), p.PromptIDs, GenerateOptions{MaxTokens: len(p.GreedyIDs), IgnoreEOG: true, NoLogProb: true}, nil)
		if err != nil {
			t.Fatal(err)
		}
		for k, want := range p.GreedyIDs {
			if p.GreedyMargin[k] < marginClear {
				break // from here on either token may follow
			}
			if k >= len(res.Tokens) || res.Tokens[k] != want {
				t.Errorf("%s: greedy text diverges from llama.cpp at step %d (llama.cpp margin %.3f): got %v, want %v",
					p.Name, k, p.GreedyMargin[k], res.Tokens, p.GreedyIDs)
				break
			}
			greedyOK++
		}
		// Teacher-forced rows: the argmax wherever llama.cpp's margin is clear.
		rows := teacherForce(t, m, p)
		reported := false
		for r := range rows {
			e, _ := rowStats(rows[r], p.Rows.TopIDs[r], p.Rows.TopLogits[r], p.Rows.LSE[r])
			errs = append(errs, e)
			if p.Rows.TopLogits[r][0]-p.Rows.TopLogits[r][1] < marginClear {
				continue
			}
			checked++
			if got := argmax(rows[r]); got == p.Rows.TopIDs[r][0] {
				agree++
			} else if !reported {
				reported = true
				t.Errorf("%s: row %d: argmax %d, llama.cpp %d (margin %.2f, row error %.3f)",
					p.Name, r, got, p.Rows.TopIDs[r][0], p.Rows.TopLogits[r][0]-p.Rows.TopLogits[r][1], e)
			}
		}
		if pi < len(ref.last) {
			maxSide = max(maxSide, presetSidecar(t, ref, pi, rows[p.NPrompt-1], sideTol))
		}
	}
	if md := median(errs); md > presetMedTol {
		t.Errorf("median row error %.4f exceeds %g", md, presetMedTol)
	}
	t.Logf("%s %v: greedy steps identical %d; argmax agrees on %d/%d clear rows; row error median %.2g max %.3g; last-position max %.3g",
		name, ref.TensorTypes, greedyOK, agree, checked, median(errs), slices.Max(errs), maxSide)
}

func presetSidecar(t *testing.T, ref *presetRef, pi int, row []float32, tol float64) float64 {
	t.Helper()
	var worst float64
	at := -1
	for i, v := range ref.last[pi] {
		if d := math.Abs(float64(row[i]) - float64(v)); d > worst {
			worst, at = d, i
		}
	}
	if worst > tol {
		t.Errorf("%s: last-position logits differ by %.4f at id %d (tolerance %g)", ref.Prompts[pi].Name, worst, at, tol)
	}
	return worst
}

// TestPresetFixturesComplete guards the fixture set: every standard preset
// of llama-quantize is present for the embedded model.
func TestPresetFixturesComplete(t *testing.T) {
	for _, p := range []string{"Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0", "Q2_K", "Q3_K_S", "Q3_K_M", "Q3_K_L",
		"Q4_K_S", "Q4_K_M", "Q5_K_S", "Q5_K_M", "Q6_K", "IQ4_NL", "IQ4_XS", "F16", "BF16"} {
		path := filepath.Join(presetDir(), fmt.Sprintf("default-%s.json", p))
		if _, err := os.Stat(path); err != nil {
			t.Errorf("missing fixture %s", path)
		}
	}
}
