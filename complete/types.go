package complete

import "time"

// Request asks for a completion at a byte offset of a document.
type Request struct {
	URI        string // document key: one warm session and one result cache per URI
	LanguageID string // LSP languageId or weft language id ("go", "python", "typescriptreact", ...)
	// Path is the document's file path, converted from the URI by the caller (complete/ reads no
	// URIs): the prompt header shows it, and neighbors are ranked by their distance to it. "" for a
	// document that is not a file.
	Path    string
	Text    []byte // the whole current text of the document
	Offset  int    // cursor, in bytes into Text
	Options Options
	// ReadPath is the document's file path from which Config.Neighbors may read the files beside it;
	// "" reads nothing. The language server sets it only for documents inside the workspace folders the
	// client declared.
	ReadPath string
	// Seq orders the requests of one document by arrival (the server numbers them as they come off
	// the wire): a request with a smaller Seq than one the engine already saw for the URI is
	// superseded, whichever reaches the engine first. 0: no order but that of the calls.
	Seq uint64
	// Neighbors are other files of the project for the document cache (Config.DocCache), typically
	// the files of the document's directory with its extension; the engine adds the other open
	// documents itself, and picks and bounds them.
	Neighbors []Neighbor
}

// Multiline modes for Options.Multiline.
const (
	MultilineAuto   = "auto"   // decide from the syntax at the cursor
	MultilineAlways = "always" // always allow several lines
	MultilineNever  = "never"  // stop at the end of the line
)

// Options tune one request. The zero value means "engine defaults".
type Options struct {
	MaxTokens   int     // generated-token limit; 0: 48 for single-line, 128 for multi-line
	Temperature float32 // 0: greedy (deterministic)
	TopP        float32 // 0: off
	TopK        int     // 0: off
	Seed        uint64  // sampler seed when Temperature > 0
	Multiline   string  // "auto" (default), "always" or "never"
	Samples     int     // consensus samples (Config.Samples); 0: the engine's Config.Samples, < 0: none
	NoCache     bool    // bypass the typed-through result cache
	// Latency is the request's latency budget (see Config.Latency); 0: the engine's, < 0: none.
	Latency time.Duration
}

// Result is one completion. Inserting Text in place of Text[ReplaceStart:ReplaceEnd] of the request's
// document gives the completed buffer; ReplaceStart may lie before the cursor when the completion
// re-types the identifier being written, so that editors can filter with FilterText.
type Result struct {
	Text         string
	ReplaceStart int // bytes
	ReplaceEnd   int // bytes
	FilterText   string
	Multiline    bool // the mode that was used
	Stats        Stats
}

// Stats says where the time of a request went.
type Stats struct {
	PromptTokens    int  // tokens in the prompt
	ReusedTokens    int  // prompt tokens served from the session's KV prefix cache
	GeneratedTokens int  // tokens decoded
	FromCache       bool // answered by the typed-through cache without decoding
	Candidates      int  // truncations tried by the syntax check (1 = first one accepted)
	Samples         int  // sampled candidates drawn for consensus decoding (Config.Samples)
	StopReason      string
	Duration        time.Duration
}
