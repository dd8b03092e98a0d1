package main

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/weft-dev/weft/complete"
	"github.com/weft-dev/weft/model"
	defaultmodel "github.com/weft-dev/weft/model/default"
	"github.com/weft-dev/weft/model/gguf"
)

// modelFlags are the flags every verb takes.
type modelFlags struct {
	path    string
	threads int
}

// load opens the model named by --model, or the embedded default.
func (mf *modelFlags) load(e *env) (*model.Model, error) {
	o := model.Options{Threads: mf.threads, KVType: gguf.TypeF16}
	start := time.Now()
	var (
		m   *model.Model
		err error
	)
	if mf.path == "" || mf.path == "default" {
		var b []byte
		if b, err = defaultmodel.Bytes(); err != nil {
			return nil, err
		}
		m, err = model.FromBytes(b, o)
	} else {
		var p string
		if p, err = resolveModel(mf.path); err != nil {
			return nil, err
		}
		m, err = model.Open(p, o)
	}
	if err != nil {
		return nil, err
	}
	info := m.Info()
	fmt.Fprintf(e.stderr, "weft: loaded %s (%s, %s, %.1fM params) in %v\n", mf.name(), info.Arch, info.FileType, float64(info.Params)/1e6, time.Since(start).Round(time.Millisecond))
	return m, nil
}

func (mf *modelFlags) name() string {
	if mf.path == "" {
		return "the embedded default model"
	}
	return mf.path
}

func cmdGenerate(e *env, args []string) error {
	fs, mf := flags(e, "generate")
	prompt := fs.String("prompt", "", "text to continue (- reads stdin)")
	maxTokens := fs.Int("max-tokens", 128, "most tokens to generate")
	temp := fs.Float64("temperature", 0, "sampling temperature (0 = greedy)")
	topK := fs.Int("top-k", 40, "top-k (temperature > 0)")
	topP := fs.Float64("top-p", 0.95, "top-p (temperature > 0)")
	seed := fs.Uint64("seed", 0, "random seed")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *prompt == "" && fs.NArg() > 0 {
		*prompt = strings.Join(fs.Args(), " ")
	}
	if *prompt == "-" {
		b, err := io.ReadAll(e.stdin)
		if err != nil {
			return err
		}
		*prompt = string(b)
	}
	if *prompt == "" {
		return usageErr("--prompt is required")
	}
	m, err := mf.load(e)
	if err != nil {
		return err
	}
	defer m.Close()
	tok := m.Tokenizer()
	ids := tok.Encode(*prompt, true, false)
	s := m.NewSession(min(m.Info().NCtxTrain, len(ids)+*maxTokens))
	o := model.GenerateOptions{MaxTokens: *maxTokens, Sampler: model.SamplerOptions{
		Temperature: float32(*temp), TopK: *topK, TopP: float32(*topP), Seed: *seed}}
	start := time.Now()
	res, err := s.Generate(e.ctx, ids, o, func(_ int32, text string) bool {
		fmt.Fprint(e.stdout, text)
		return true
	})
	if err != nil {
		return err
	}
	el := time.Since(start)
	fmt.Fprintf(e.stderr, "\nweft: %d prompt + %d generated tokens in %v (%s)\n", len(ids), len(res.Tokens), el.Round(time.Millisecond), res.StopReason)
	return nil
}

func cmdModel(e *env, args []string) error {
	if len(args) == 0 {
		return usageErr("model needs a sub-verb: info, pull, list, rm or synth")
	}
	switch args[0] {
	case "info":
		return cmdModelInfo(e, args[1:])
	case "pull":
		return cmdModelPull(e, args[1:])
	case "list", "ls":
		return cmdModelList(e, args[1:])
	case "rm":
		return cmdModelRm(e, args[1:])
	case "synth":
		return cmdModelSynth(e, args[1:])
	}
	return usageErr("unknown model sub-verb %q (info, pull, list, rm, synth)", args[0])
}

func cmdModelInfo(e *env, args []string) error {
	fs, mf := flags(e, "model info")
	asJSON := fs.Bool("json", false, "print JSON")
	tensors := fs.Bool("tensors", false, "list every tensor (name, type, shape) instead, without loading the model")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		mf.path = fs.Arg(0)
	}
	var (
		f   *gguf.File
		err error
	)
	if mf.path == "" || mf.path == "default" {
		b, err := defaultmodel.Bytes()
		if err != nil {
			return err
		}
		f, err = gguf.Parse(b)
		if err != nil {
			return fmt.Errorf("embedded model: %w", err)
		}
	} else {
		p, err := resolveModel(mf.path)
		if err != nil {
			return err
		}
		if f, err = gguf.Open(p); err != nil {
			return err
		}
	}
	defer f.Close()
	if *tensors {
		// The file's own table: useful to compare a file's type layout with
		// another tool's, and for files weft refuses to load.
		for _, t := range f.Tensors {
			fmt.Fprintf(e.stdout, "%-40s %-7s %v\n", t.Name, t.Type, t.Dims)
		}
		return nil
	}
	m, err := mf.load(e)
	if err != nil {
		return err
	}
	defer m.Close()
	info := m.Info()
	tok := m.Tokenizer()
	sp := tok.Special()
	tm, _ := f.String("tokenizer.ggml.model")
	pre, _ := f.String("tokenizer.ggml.pre")
	types := map[string]int{}
	for _, t := range f.Tensors {
		types[t.Type.String()]++
	}
	card := map[string]string{}
	for _, kv := range f.KV {
		if strings.HasPrefix(kv.Key, "weft.card.") || (strings.HasPrefix(kv.Key, "general.") && kv.Value.Type == gguf.String) {
			card[kv.Key] = fmt.Sprint(kv.Value.Interface())
		}
	}
	caps := complete.ModelCapabilities(m)
	if *asJSON {
		out := map[string]any{"info": info, "tokenizer": map[string]any{"model": tm, "pre": pre, "n_tokens": tok.NumTokens(), "special": sp}, "tensor_types": types, "card": card,
			"capabilities": map[string]any{"fim": caps.FIM.String(), "repo_level": caps.RepoLevel, "chat_template": caps.Chat.String(), "instruct": caps.Instruct, "summary": caps.String()}}
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	w := e.stdout
	fmt.Fprintf(w, "model:        %s\n", mf.name())
	fmt.Fprintf(w, "architecture: %s\n", info.Arch)
	if info.Name != "" {
		fmt.Fprintf(w, "name:         %s\n", info.Name)
	}
	fmt.Fprintf(w, "parameters:   %d (%.2fM)\n", info.Params, float64(info.Params)/1e6)
	fmt.Fprintf(w, "weights:      %s, %.2f MB of tensor data\n", info.FileType, float64(info.Bytes)/1e6)
	fmt.Fprintf(w, "tensor types: %s\n", joinCounts(types))
	fmt.Fprintf(w, "shape:        %d layers, n_embd %d, %d heads (%d kv), head_dim %d, n_ff %d\n", info.NLayer, info.NEmbd, info.NHead, info.NHeadKV, info.HeadDim, info.NFF)
	fmt.Fprintf(w, "context:      %d tokens (trained), rope base %g, norm eps %g, tied output %v\n", info.NCtxTrain, info.RopeBase, info.RMSEps, info.Tied)
	fmt.Fprintf(w, "tokenizer:    %s / pre %q, %d tokens\n", tm, pre, tok.NumTokens())
	fmt.Fprintf(w, "special:      %s\n", specials(tok))
	fmt.Fprintf(w, "capabilities: %s\n", caps)
	fmt.Fprintf(w, "chat:         %s\n", caps.Chat)
	if !caps.Instruct {
		fmt.Fprintf(w, "note:         not instruction-tuned: instruction edits and translations get completion prompts; for them use an instruct model (weft model pull qwen2.5-coder-1.5b-instruct)\n")
	}
	if len(card) > 0 {
		keys := make([]string, 0, len(card))
		for k := range card {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		fmt.Fprintf(w, "card:\n")
		for _, k := range keys {
			fmt.Fprintf(w, "  %-28s %s\n", strings.TrimPrefix(k, "weft.card.")+":", card[k])
		}
	}
	return nil
}

func joinCounts(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s×%d", k, m[k])
	}
	return strings.Join(parts, " ")
}
