// Package hub downloads GGUF models into a local cache and finds them again.
//
// A model is named by a catalogue entry ("qwen2.5-coder-1.5b"), by a Hugging
// Face file ("hf:ORG/REPO/FILE.gguf") or by an http(s) URL. Pull streams it
// into a partial file beside the cache entry, resumes a cut-off transfer with
// a Range request, checks its sha256, and only then renames it into place, so
// a file in the cache is always one that passed its check. The package knows
// nothing of what a model does; it imports no other package of weft's.
package hub

import (
	"fmt"
	"sort"
	"strings"
)

// Entry is a model of the catalogue: one published GGUF file at a default
// quantization.
type Entry struct {
	Name     string // catalogue name, e.g. "qwen2.5-coder-1.5b"
	Repo     string // Hugging Face repository, ORG/REPO
	File     string // file in the repository
	Quant    string // quantization of File
	Arch     string // general.architecture of the file
	Params   string // parameter count as the model card states it
	Size     int64  // bytes, as the hub lists the file (approximate: the download reports the exact size)
	RAM      int64  // bytes needed to run it: the file, a 4096-token f16 KV cache and ~300 MB of buffers
	Instruct bool   // an instruction-tuned model (chat template); false: a base model for completion
	// SHA256 is the file's checksum when it is known for certain; empty otherwise, and the hub's
	// LFS checksum (sent with the download) is used instead.
	SHA256 string
}

const (
	mb = 1_000_000
	gb = 1_000_000_000
)

// catalogue lists the models `weft model pull NAME` knows. Repositories and file names are
// the published ones (checked on huggingface.co, December 2026); sizes are as the hub lists
// them. Checksums are left empty: the hub's LFS sha256 is checked instead, so no value here
// can go stale or be wrong. RAM is the file plus the KV cache for 4096 tokens in f16
// (2·layers·kv_heads·head_dim·4096·2 bytes) plus 300 MB, rounded up.
var catalogue = []Entry{
	{Name: "qwen2.5-coder-0.5b", Repo: "lmstudio-community/Qwen2.5-Coder-0.5B-GGUF", File: "Qwen2.5-Coder-0.5B-Q4_K_M.gguf",
		Quant: "Q4_K_M", Arch: "qwen2", Params: "0.5B", Size: 398 * mb, RAM: 800 * mb},
	{Name: "qwen2.5-coder-0.5b-instruct", Repo: "lmstudio-community/Qwen2.5-Coder-0.5B-Instruct-GGUF", File: "Qwen2.5-Coder-0.5B-Instruct-Q4_K_M.gguf",
		Quant: "Q4_K_M", Arch: "qwen2", Params: "0.5B", Size: 398 * mb, RAM: 800 * mb, Instruct: true},
	{Name: "qwen2.5-coder-1.5b", Repo: "mradermacher/Qwen2.5-Coder-1.5B-GGUF", File: "Qwen2.5-Coder-1.5B.Q4_K_M.gguf",
		Quant: "Q4_K_M", Arch: "qwen2", Params: "1.5B", Size: 986 * mb, RAM: 1500 * mb},
	{Name: "qwen2.5-coder-1.5b-instruct", Repo: "lmstudio-community/Qwen2.5-Coder-1.5B-Instruct-GGUF", File: "Qwen2.5-Coder-1.5B-Instruct-Q4_K_M.gguf",
		Quant: "Q4_K_M", Arch: "qwen2", Params: "1.5B", Size: 986 * mb, RAM: 1500 * mb, Instruct: true},
	{Name: "qwen2.5-coder-3b", Repo: "bartowski/Qwen2.5-Coder-3B-GGUF", File: "Qwen2.5-Coder-3B-Q4_K_M.gguf",
		Quant: "Q4_K_M", Arch: "qwen2", Params: "3B", Size: 1930 * mb, RAM: 2400 * mb},
	{Name: "qwen2.5-coder-3b-instruct", Repo: "mradermacher/Qwen2.5-Coder-3B-Instruct-GGUF", File: "Qwen2.5-Coder-3B-Instruct.Q4_K_M.gguf",
		Quant: "Q4_K_M", Arch: "qwen2", Params: "3B", Size: 1930 * mb, RAM: 2400 * mb, Instruct: true},
	{Name: "qwen2.5-coder-7b", Repo: "QuantFactory/Qwen2.5-Coder-7B-GGUF", File: "Qwen2.5-Coder-7B.Q4_K_M.gguf",
		Quant: "Q4_K_M", Arch: "qwen2", Params: "7B", Size: 4680 * mb, RAM: 5300 * mb},
	{Name: "qwen2.5-coder-7b-instruct", Repo: "lmstudio-community/Qwen2.5-Coder-7B-Instruct-GGUF", File: "Qwen2.5-Coder-7B-Instruct-Q4_K_M.gguf",
		Quant: "Q4_K_M", Arch: "qwen2", Params: "7B", Size: 4680 * mb, RAM: 5300 * mb, Instruct: true},
	{Name: "deepseek-coder-1.3b", Repo: "TheBloke/deepseek-coder-1.3b-base-GGUF", File: "deepseek-coder-1.3b-base.Q4_K_M.gguf",
		Quant: "Q4_K_M", Arch: "llama", Params: "1.3B", Size: 874 * mb, RAM: 2000 * mb},
	{Name: "deepseek-coder-1.3b-instruct", Repo: "TheBloke/deepseek-coder-1.3b-instruct-GGUF", File: "deepseek-coder-1.3b-instruct.Q4_K_M.gguf",
		Quant: "Q4_K_M", Arch: "llama", Params: "1.3B", Size: 874 * mb, RAM: 2000 * mb, Instruct: true},
	{Name: "deepseek-coder-6.7b", Repo: "TheBloke/deepseek-coder-6.7B-base-GGUF", File: "deepseek-coder-6.7b-base.Q4_K_M.gguf",
		Quant: "Q4_K_M", Arch: "llama", Params: "6.7B", Size: 4080 * mb, RAM: 6500 * mb},
	{Name: "deepseek-coder-6.7b-instruct", Repo: "TheBloke/deepseek-coder-6.7B-instruct-GGUF", File: "deepseek-coder-6.7b-instruct.Q4_K_M.gguf",
		Quant: "Q4_K_M", Arch: "llama", Params: "6.7B", Size: 4080 * mb, RAM: 6500 * mb, Instruct: true},
	{Name: "starcoder2-3b", Repo: "QuantFactory/starcoder2-3b-GGUF", File: "starcoder2-3b.Q4_K_M.gguf",
		Quant: "Q4_K_M", Arch: "starcoder2", Params: "3B", Size: 1890 * mb, RAM: 2400 * mb},
	{Name: "starcoder2-7b", Repo: "QuantFactory/starcoder2-7b-GGUF", File: "starcoder2-7b.Q4_K_M.gguf",
		Quant: "Q4_K_M", Arch: "starcoder2", Params: "7B", Size: 4460 * mb, RAM: 5100 * mb},
	{Name: "codegemma-2b", Repo: "tensorblock/codegemma-2b-GGUF", File: "codegemma-2b-Q4_K_M.gguf",
		Quant: "Q4_K_M", Arch: "gemma", Params: "2B", Size: 1630 * mb, RAM: 2100 * mb},
}

// Catalogue returns the catalogue's entries, in a stable order (family, then size).
func Catalogue() []Entry { return append([]Entry(nil), catalogue...) }

// Lookup finds a catalogue entry by name, ignoring case.
func Lookup(name string) (Entry, bool) {
	for _, e := range catalogue {
		if strings.EqualFold(e.Name, name) {
			return e, true
		}
	}
	return Entry{}, false
}

// Names returns the catalogue's names, sorted.
func Names() []string {
	out := make([]string, len(catalogue))
	for i, e := range catalogue {
		out[i] = e.Name
	}
	sort.Strings(out)
	return out
}

// HumanBytes formats n as "986 MB" or "4.7 GB".
func HumanBytes(n int64) string {
	switch {
	case n >= gb:
		return fmt.Sprintf("%.1f GB", float64(n)/gb)
	case n >= mb:
		return fmt.Sprintf("%.0f MB", float64(n)/mb)
	case n >= 1000:
		return fmt.Sprintf("%.0f kB", float64(n)/1000)
	}
	return fmt.Sprintf("%d B", n)
}
