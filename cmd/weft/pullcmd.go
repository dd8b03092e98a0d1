package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/weft-dev/weft/complete"
	"github.com/weft-dev/weft/model/gguf"
	"github.com/weft-dev/weft/model/hub"
)

// modelCache is the model cache directory ($WEFT_MODELS, $XDG_CACHE_HOME/weft/models, ~/.cache/weft/models).
func modelCache() (string, error) { return hub.CacheDir(os.Getenv) }

// resolveModel turns what --model or the modelPath setting says (a path, a cached file's name
// or a catalogue name) into a path.
func resolveModel(name string) (string, error) {
	dir, err := modelCache()
	if err != nil {
		dir = ""
	}
	return hub.Find(dir, name)
}

// parseMixed parses flags that may come before or after the positional arguments
// ("pull URL --sha256 HEX"), returning the positionals.
func parseMixed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := parse(fs, args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

func cmdModelPull(e *env, args []string) error {
	fs, _ := flags(e, "model pull")
	want := fs.String("sha256", "", "required sha256 of the file (default: the catalogue's, or the hub's LFS checksum)")
	pos, err := parseMixed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErr("usage: weft model pull NAME|hf:ORG/REPO/FILE.gguf|URL [--sha256 HEX] (catalogue: %s)", strings.Join(hub.Names(), ", "))
	}
	src, err := hub.Resolve(pos[0], os.Getenv("HF_ENDPOINT"))
	if err != nil {
		return err
	}
	dir, err := modelCache()
	if err != nil {
		return err
	}
	c := &hub.Client{
		Token: os.Getenv("HF_TOKEN"),
		Log:   func(f string, a ...any) { fmt.Fprintf(e.stderr, "weft: "+f+"\n", a...) },
	}
	// Only send the token to the hub (or its mirror), never to an arbitrary URL.
	if !strings.HasPrefix(pos[0], "hf:") {
		if _, ok := hub.Lookup(pos[0]); !ok {
			c.Token = ""
		}
	}
	bar := newProgress(e.stderr, isTerminalWriter(e.stderr), src.Name)
	c.Progress = bar.update
	if src.Entry != nil {
		fmt.Fprintf(e.stderr, "weft: pulling %s (%s %s, %s, about %s; needs about %s of RAM) from %s\n", src.Entry.Name, src.Entry.Params,
			src.Entry.Quant, src.Entry.Arch, hub.HumanBytes(src.Entry.Size), hub.HumanBytes(src.Entry.RAM), src.URL)
	} else {
		fmt.Fprintf(e.stderr, "weft: pulling %s from %s\n", src.Name, src.URL)
	}
	res, err := c.Pull(e.ctx, src, dir, *want)
	bar.finish()
	if err != nil {
		return err
	}
	switch {
	case res.Cached && res.Verified == "":
		fmt.Fprintf(e.stderr, "weft: already in the cache (verified when it was downloaded)\n")
	case res.Cached:
		fmt.Fprintf(e.stderr, "weft: already in the cache; sha256 %s matches (%s)\n", res.SHA256, res.Verified)
	case res.Verified == "":
		fmt.Fprintf(e.stderr, "weft: downloaded; sha256 %s (nothing to verify it against: pass --sha256 to check it)\n", res.SHA256)
	default:
		fmt.Fprintf(e.stderr, "weft: downloaded; sha256 %s verified (%s)\n", res.SHA256, res.Verified)
	}
	fmt.Fprintln(e.stdout, res.Path)
	return nil
}

func cmdModelList(e *env, args []string) error {
	fs, _ := flags(e, "model list")
	catalogue := fs.Bool("catalogue", false, "list the catalogue (what `weft model pull NAME` knows) instead of the cache")
	asJSON := fs.Bool("json", false, "print JSON (editors read it)")
	if err := parse(fs, args); err != nil {
		return err
	}
	w := e.stdout
	if *catalogue && *asJSON {
		type row struct {
			Name, Repo, File, Quant, Arch, Params string
			Size, RAM                             int64
			Instruct                              bool
			SizeText, RAMText                     string
		}
		var rows []row
		for _, en := range hub.Catalogue() {
			rows = append(rows, row{en.Name, en.Repo, en.File, en.Quant, en.Arch, en.Params, en.Size, en.RAM, en.Instruct,
				hub.HumanBytes(en.Size), hub.HumanBytes(en.RAM)})
		}
		return json.NewEncoder(w).Encode(rows)
	}
	if *catalogue {
		fmt.Fprintf(w, "%-30s %-6s %-7s %-10s %9s %9s  %s\n", "NAME", "PARAMS", "QUANT", "ARCH", "SIZE", "RAM", "KIND")
		for _, en := range hub.Catalogue() {
			kind := "base (completion, FIM)"
			if en.Instruct {
				kind = "instruct (edits, translation; FIM where the family has it)"
			}
			fmt.Fprintf(w, "%-30s %-6s %-7s %-10s %9s %9s  %s\n", en.Name, en.Params, en.Quant, en.Arch, hub.HumanBytes(en.Size), hub.HumanBytes(en.RAM), kind)
		}
		return nil
	}
	dir, err := modelCache()
	if err != nil {
		return err
	}
	list, err := hub.List(dir)
	if err != nil {
		return err
	}
	if *asJSON {
		type row struct {
			Name, Path, Catalogue, Arch, Quant, Capabilities string
			Size                                             int64
			Partial                                          bool
		}
		rows := []row{}
		for _, c := range list {
			r := row{Name: c.Name, Path: c.Path, Size: c.Size, Partial: c.Partial}
			if c.Entry != nil {
				r.Catalogue = c.Entry.Name
			}
			if !c.Partial {
				r.Arch, r.Quant, r.Capabilities = describeFile(c.Path)
			}
			rows = append(rows, r)
		}
		return json.NewEncoder(w).Encode(rows)
	}
	fmt.Fprintf(e.stderr, "weft: cache %s\n", dir)
	if len(list) == 0 {
		fmt.Fprintf(e.stderr, "weft: no models cached (weft model pull qwen2.5-coder-1.5b; weft model list --catalogue)\n")
		return nil
	}
	fmt.Fprintf(w, "%-45s %9s  %-10s %-8s %s\n", "FILE", "SIZE", "ARCH", "QUANT", "CAPABILITIES")
	for _, c := range list {
		arch, quant, caps := "-", "-", "unfinished download"
		if !c.Partial {
			arch, quant, caps = describeFile(c.Path)
		}
		name := c.Name
		if c.Entry != nil {
			name += " (" + c.Entry.Name + ")"
		}
		fmt.Fprintf(w, "%-45s %9s  %-10s %-8s %s\n", name, hub.HumanBytes(c.Size), arch, quant, caps)
	}
	return nil
}

// describeFile reads a cached file's architecture, dominant quantization and capabilities
// from its metadata, without loading the weights.
func describeFile(path string) (arch, quant, caps string) {
	f, err := gguf.Open(path)
	if err != nil {
		return "?", "?", "unreadable: " + oneLine(err.Error())
	}
	defer f.Close()
	arch, _ = f.String("general.architecture")
	counts := map[gguf.Type]int64{}
	for _, t := range f.Tensors {
		if len(t.Dims) >= 2 {
			counts[t.Type] += t.Elems()
		}
	}
	var best gguf.Type
	var bestN int64 = -1
	for t, n := range counts {
		if n > bestN {
			best, bestN = t, n
		}
	}
	if bestN >= 0 {
		quant = best.String()
	}
	return arch, quant, complete.ReadCapabilities(f).String()
}

func cmdModelRm(e *env, args []string) error {
	fs, _ := flags(e, "model rm")
	pos, err := parseMixed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usageErr("usage: weft model rm NAME... (a cached file's name or a catalogue name; see weft model list)")
	}
	dir, err := modelCache()
	if err != nil {
		return err
	}
	for _, name := range pos {
		removed, err := hub.Remove(dir, name)
		if err != nil {
			return err
		}
		for _, p := range removed {
			fmt.Fprintln(e.stdout, p)
		}
	}
	return nil
}

// progress draws a download's progress on stderr: a bar redrawn in place on a terminal, and
// a line every 5% otherwise (an editor reading a child process's stderr can follow these).
type progress struct {
	w        io.Writer
	tty      bool
	name     string
	start    time.Time
	last     time.Time
	lastPct  int
	drawn    bool
	firstHas int64
}

func newProgress(w io.Writer, tty bool, name string) *progress {
	return &progress{w: w, tty: tty, name: name, start: time.Now(), lastPct: -1, firstHas: -1}
}

func (p *progress) update(done, total int64) {
	if p.firstHas < 0 {
		p.firstHas = done
	}
	now := time.Now()
	pct := -1
	if total > 0 {
		pct = int(done * 100 / total)
	}
	if p.tty {
		if now.Sub(p.last) < 100*time.Millisecond && done != total {
			return
		}
		p.last = now
		rate := float64(done-p.firstHas) / max(now.Sub(p.start).Seconds(), 1e-3)
		const width = 30
		if pct >= 0 {
			n := pct * width / 100
			fmt.Fprintf(p.w, "\r%s [%s%s] %3d%% %s / %s %s/s ", p.name, strings.Repeat("=", n), strings.Repeat(" ", width-n), pct,
				hub.HumanBytes(done), hub.HumanBytes(total), hub.HumanBytes(int64(rate)))
		} else {
			fmt.Fprintf(p.w, "\r%s %s %s/s ", p.name, hub.HumanBytes(done), hub.HumanBytes(int64(rate)))
		}
		p.drawn = true
		return
	}
	if pct >= 0 && pct/5 != p.lastPct/5 {
		p.lastPct = pct
		fmt.Fprintf(p.w, "weft: pull: %d%% (%s of %s)\n", pct, hub.HumanBytes(done), hub.HumanBytes(total))
	}
}

func (p *progress) finish() {
	if p.drawn {
		fmt.Fprintln(p.w)
	}
}

func isTerminalWriter(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && isTerminal(f)
}
