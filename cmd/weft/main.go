// Command weft is a code-generation language server with an embedded
// Transformer decoder. Each verb is a few lines that call the packages below
// it; see `weft help`.
//
// Contract (scripts rely on it): every verb prints only its result on stdout;
// logs and progress go to stderr; on error the exit code is non-zero and
// stderr ends with one line "weft: <reason>".
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
	"time"
)

const usage = `weft — offline code generation in your editor

usage: weft <verb> [flags]

verbs:
  serve                         language server over stdio (what editors start)
  demo                          a completion, an instruction edit and a translation
  generate --prompt TEXT        continue TEXT [--max-tokens N] [--temperature T]
  complete --file F --pos L:C   the completion at line L, column C (1-based)
  implement --lang L "what"     write code for an instruction [--file F --pos L:C]
  translate --from L1 --to L2 FILE[:FUNC]
  bench [--json] [--lsp]        prefill/decode speed (pp512, tg128) or LSP latency
  model info [F]                architecture, size, tokenizer, capabilities and card of a model
  model pull NAME|hf:ORG/REPO/FILE|URL [--sha256 HEX]   download into the cache; prints the path
  model list [--catalogue]      cached models (size, arch, quantization, capabilities), or the catalogue
  model rm NAME                 remove a cached model
  model synth --preset P [--arch A] --type T -o F
                                random weights at a real model's shapes, typed as llama-quantize's preset T
  train [corpus|...]            train or fine-tune weft's own model
  eval fim|translate|humaneval-x ...     evaluations

Every verb takes --model F (a path, a cached file's name or a catalogue name;
default: the model embedded in weft) and
--threads N (default: all cores). With no verb, weft serves LSP when stdin is
not a terminal and runs the demo when it is.
`

// env is what a verb may touch: its streams and a context cancelled on SIGINT.
type env struct {
	ctx    context.Context
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

type verb func(e *env, args []string) error

var verbs = map[string]verb{
	"serve":     cmdServe,
	"demo":      cmdDemo,
	"generate":  cmdGenerate,
	"complete":  cmdComplete,
	"implement": cmdImplement,
	"translate": cmdTranslate,
	"bench":     cmdBench,
	"model":     cmdModel,
	"train":     cmdTrain,
	"eval":      cmdEval,
}

// errUsage marks errors that come from bad command lines (exit code 2).
var errUsage = errors.New("usage")

func usageErr(format string, a ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{errUsage}, a...)...)
}

// signalGrace is how long a verb has to return after SIGINT or SIGTERM
// cancelled its context before the process exits anyway: a verb blocked where
// no context reaches (a read of a terminal or a pipe) must still end.
const signalGrace = time.Second

func main() {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		sig := <-sigs
		cancel()
		select {
		case <-sigs: // a second signal: now
		case <-time.After(signalGrace):
		}
		fmt.Fprintf(os.Stderr, "weft: stopped by %v\n", sig)
		code := 130 // 128 + SIGINT
		if sig == syscall.SIGTERM {
			code = 143
		}
		os.Exit(code)
	}()
	code := run(&env{ctx: ctx, stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr}, os.Args[1:])
	signal.Stop(sigs)
	cancel()
	os.Exit(code)
}

func run(e *env, args []string) int {
	name := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	if name == "" {
		if isTerminal(os.Stdin) {
			name = "demo"
		} else {
			name = "serve"
		}
	}
	if name == "help" || name == "-h" || name == "--help" {
		fmt.Fprint(e.stdout, usage)
		return 0
	}
	v, ok := verbs[name]
	if !ok {
		known := make([]string, 0, len(verbs))
		for k := range verbs {
			known = append(known, k)
		}
		sort.Strings(known)
		fmt.Fprintf(e.stderr, "weft: unknown verb %q (known: %s; see weft help)\n", name, strings.Join(known, ", "))
		return 2
	}
	err := v(e, args)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintf(e.stderr, "weft %s: %s\n", name, oneLine(strings.TrimPrefix(err.Error(), errUsage.Error()+": ")))
		return 2
	default:
		fmt.Fprintf(e.stderr, "weft: %s\n", oneLine(err.Error()))
		return 1
	}
}

// oneLine keeps the contract that a failure ends with a single line.
func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i] + " …"
	}
	return s
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// flags returns a FlagSet for a verb with the flags every verb takes.
func flags(e *env, name string) (*flag.FlagSet, *modelFlags) {
	fs := flag.NewFlagSet("weft "+name, flag.ContinueOnError)
	// flag's own error line is dropped: run prints the one-line reason.
	fs.SetOutput(io.Discard)
	mf := &modelFlags{}
	fs.StringVar(&mf.path, "model", "", "GGUF model file (default: the embedded model)")
	fs.IntVar(&mf.threads, "threads", 0, "worker threads (default: all cores)")
	return fs, mf
}

// parse parses args, turning flag errors into usage errors.
func parse(fs *flag.FlagSet, args []string) error {
	fs.Usage = func() {}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(os.Stderr)
			fs.PrintDefaults()
			fs.SetOutput(io.Discard)
			return err
		}
		return usageErr("%v", err)
	}
	return nil
}
