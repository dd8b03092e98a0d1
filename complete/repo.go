package complete

import (
	"path/filepath"
	"strings"
)

// repoLevel reports whether prompts carry the files beside the document: a vocabulary with
// <|repo_name|> and <|file_sep|> (Qwen2.5-Coder) and the PSM layout it was trained on.
func (e *Engine) repoLevel() bool {
	return e.family == FamilyQwen && e.fim.Rep >= 0 && e.fim.Sep >= 0 && e.layout == LayoutPSM
}

// repoFiles returns the files beside the document for a repository-level prompt, nearest first,
// within an eighth of the context: only for vocabularies with <|repo_name|> and <|file_sep|>
// (Qwen2.5-Coder) and the PSM layout they were trained on. The repository's name is the
// document's directory's name ("repo" at the root). Paths are relative to that directory, as the model card's examples.
func (e *Engine) repoFiles(self string, ns []Neighbor, maxTokens int) (string, []Neighbor) {
	if !e.repoLevel() || len(ns) == 0 {
		return "", nil
	}
	budget := e.cfg.NCtx/8 - maxTokens/4
	dir := filepath.Dir(self)
	var out []Neighbor
	for _, n := range pickNeighbors(self, ns) {
		cost := len(e.memo.tokens(e.vocab, n.Path, n.Text)) + 8
		if cost > budget {
			break
		}
		budget -= cost
		rel := n.Path
		if r, err := filepath.Rel(dir, n.Path); err == nil && !strings.HasPrefix(r, "..") {
			rel = r
		}
		out = append(out, Neighbor{Path: filepath.ToSlash(rel), Text: n.Text})
	}
	if len(out) == 0 {
		return "", nil
	}
	repo := filepath.Base(dir)
	if repo == "/" || repo == "." || repo == "" {
		repo = "repo"
	}
	return repo, out
}
