// Package lsp is weft's language server: JSON-RPC over stdio, the LSP
// lifecycle, the document store, cancellation and progress. Handlers are
// thin: they convert LSP positions (UTF-16 or UTF-8) to byte offsets at the
// door, call the feature interfaces defined here (Completer, Actions), and
// convert byte offsets back on the way out. The features themselves
// (complete/, translate/) know nothing of LSP; cmd/weft plugs them in.
//
// Messages are read by one goroutine. Document notifications are applied in
// wire order on a single queue, and every request is started only after the
// notifications that preceded it on the wire have been applied, then runs
// concurrently so that $/cancelRequest can stop it.
package lsp

import (
	"context"
	"encoding/json"
	"log/slog"
)

// CompletionOptions are the per-request generation knobs taken from the
// current settings.
type CompletionOptions struct {
	MaxTokens   int
	Temperature float64
	LatencyMs   int    // single-line latency budget (Settings.LatencyMs); 0: none
	Multiline   string // "auto", "always" or "never"
}

// CompletionRequest asks for the text to insert at a byte offset. Text is the
// document snapshot the offset refers to; it must not be modified.
type CompletionRequest struct {
	URI        string
	LanguageID string
	Version    int32
	Text       []byte
	Offset     int  // byte offset of the cursor in Text
	Inline     bool // textDocument/inlineCompletion (ghost text) rather than the completion menu
	Options    CompletionOptions
	// Seq numbers completion requests in the order they arrived on the wire (from 1): of two
	// requests on one document, the one with the larger Seq is the newer and supersedes the other,
	// whichever reaches the Completer first.
	Seq uint64
}

// CompletionResult is the proposed edit: bytes [ReplaceStart, ReplaceEnd) of
// the request's Text are replaced by Text. The range must contain the
// request's Offset and stay on one line (an LSP rule for completion edits);
// ReplaceStart == ReplaceEnd == Offset is a pure insertion. An empty Text
// means "no completion".
type CompletionResult struct {
	Text         string
	ReplaceStart int
	ReplaceEnd   int
	FilterText   string // what the client filters against; defaults to the replaced text + Text
}

// Completer produces completions. Complete must return promptly with
// ctx.Err() once ctx is cancelled: that is how $/cancelRequest stops decoding.
type Completer interface {
	Complete(ctx context.Context, req CompletionRequest) (CompletionResult, error)
}

// ActionRequest describes the selection a client asks code actions for.
type ActionRequest struct {
	URI        string
	LanguageID string
	Version    int32
	Text       []byte
	Start, End int // selected byte range in Text (Start == End for a cursor)
	Settings   Settings
}

// Action is a code action offered to the user. Data is private to the
// Actions implementation: it travels through the client unchanged and comes
// back to Resolve.
type Action struct {
	Title   string
	Kind    string // an LSP CodeActionKind such as "refactor.rewrite"
	URI     string
	Version int32
	Start   int
	End     int
	Data    json.RawMessage
}

// CommandRequest is a decoded workspace/executeCommand for weft.generate
// ({uri, range, instruction}) or weft.translate ({uri, range, to}), with the
// range already converted to bytes of the snapshot in Text.
type CommandRequest struct {
	Command     string // CommandGenerate or CommandTranslate
	URI         string
	LanguageID  string
	Version     int32
	Text        []byte
	Start, End  int
	Instruction string // weft.generate
	To          string // weft.translate: target language id
	Settings    Settings
	Args        json.RawMessage // the raw first argument, for fields lsp does not know
}

// Commands understood by workspace/executeCommand.
const (
	CommandGenerate  = "weft.generate"
	CommandTranslate = "weft.translate"
)

// TextChange replaces bytes [Start, End) of the edited document by NewText.
type TextChange struct {
	Start, End int
	NewText    string
}

// Edit is the outcome of an action or command, in byte offsets. Changes
// apply to the document URI at Version (the snapshot they were computed
// from; lsp refuses to apply them if the document moved on). When CreateURI
// is set, a new file is created there holding CreateText, instead of or in
// addition to Changes.
type Edit struct {
	Label       string // shown to the user (the change annotation label)
	Description string
	URI         string
	Version     int32
	Changes     []TextChange
	CreateURI   string
	CreateText  string
}

// Actions serves code actions and commands. Each call must honour ctx.
// progress may be called any number of times with a message and a
// percentage in [0, 100] (or -1 when unknown).
type Actions interface {
	CodeActions(ctx context.Context, req ActionRequest) ([]Action, error)
	Resolve(ctx context.Context, a Action) (Edit, error)
	Execute(ctx context.Context, req CommandRequest, progress func(msg string, pct int)) (Edit, error)
}

// Features are what the server serves once the model is loaded. Any of them
// may be nil; the matching requests then answer with an error.
type Features struct {
	Completer Completer
	Actions   Actions
	// Hooks, if any OnX is set, are registered on the document store once
	// loading finished; open documents are replayed to OnOpen.
	Hooks Hooks
	// Close releases what Load acquired; called once when Serve returns.
	Close func() error
}

// Config wires the server to the rest of weft.
type Config struct {
	Name    string // server name in InitializeResult; default "weft"
	Version string

	// Load is called once, in the background, after the client's
	// `initialized` notification (and after settings were pulled with
	// workspace/configuration when the client supports it). It typically
	// loads the model named by s.ModelPath and builds the features on top of
	// it, reporting progress (shown as $/progress). ctx is cancelled when the
	// server stops. Requests that need a feature wait for Load to finish.
	Load func(ctx context.Context, s Settings, progress func(msg string, pct int)) (Features, error)

	// Documents is the store to use; a new one is created when nil. Passing
	// one lets the caller register Hooks before serving.
	Documents *Documents

	// Logger receives the server's own log (never stdout); nil discards.
	Logger *slog.Logger

	// MaxMessageBytes bounds one incoming message; larger ones are skipped
	// and answered with an error. Default 64 MiB.
	MaxMessageBytes int
}
