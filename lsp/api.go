// Package lsp is weft's language server: JSON-RPC over stdio, the LSP
// lifecycle, the document store, cancellation and progress. Handlers are
// thin: they convert LSP positions (UTF-16 or UTF-8) to byte offsets at the
// door, turn URIs into file paths and settings into per-request options,
// call the features (Completer, Actions: complete/ and translate/ behind
// small interfaces), and convert byte offsets back on the way out. The
// features know nothing of LSP; cmd/weft only wires them in.
//
// Messages are read by one goroutine. Document notifications are applied in
// wire order on a single queue, and every request is started only after the
// notifications that preceded it on the wire have been applied, then runs
// concurrently so that $/cancelRequest can stop it.
package lsp

import (
	"context"
	"log/slog"

	"github.com/weft-dev/weft/complete"
	"github.com/weft-dev/weft/translate"
)

// Completer produces completions: a *complete.Engine, or a test's stand-in.
// The server builds each request at the door: byte offsets, the file path of
// the document's URI, and the options the current settings give. The result
// replaces bytes [ReplaceStart, ReplaceEnd) of the request's Text, a range
// that must contain the cursor and stay on one line (an LSP rule for
// completion edits); an empty Text means "no completion". Complete must
// return promptly with ctx.Err() once ctx is cancelled: that is how
// $/cancelRequest stops decoding.
type Completer interface {
	Complete(ctx context.Context, req complete.Request) (complete.Result, error)
}

// documentTracker is implemented by a Completer that keeps the open
// documents' text between requests (complete.Engine: the other open files
// feed a completion's repo map and document cache). The server tells it of
// every open, change and close.
type documentTracker interface {
	Update(uri, path string, text []byte)
	Close(uri string)
}

// Actions serves code actions and the weft.generate and weft.translate
// commands (translate.CommandGenerate, translate.CommandTranslate): a
// *translate.Actions, or a test's stand-in. Requests carry byte offsets, the
// document's file path and the settings that apply to them; Resolve is
// given the text of the document version the action was offered on. Each
// call must honour ctx. progress may be called any number of times with a
// message and a percentage in [0, 100] (or -1 when unknown).
type Actions interface {
	CodeActions(ctx context.Context, req translate.ActionRequest) ([]translate.Action, error)
	Resolve(ctx context.Context, a translate.Action) (translate.Edit, error)
	Execute(ctx context.Context, req translate.CommandRequest, progress func(msg string, pct int)) (translate.Edit, error)
}

// Features are what the server serves once the model is loaded. Any of them
// may be nil; the matching requests then answer with an error.
type Features struct {
	Completer Completer
	Actions   Actions
	// Hooks, if any OnX is set, are registered on the document store once
	// loading finished; open documents are replayed to OnOpen. A Completer
	// that tracks documents is registered the same way, without hooks.
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
