// Package complete turns a buffer and a cursor into a code completion: it builds the model's context
// (token-budgeted prefix/suffix windows cut at whole lines and syntax nodes, plus a "repo map" header of
// signatures), lays it out as a fill-in-the-middle prompt with the model's own FIM tokens, decides
// between a single-line and a multi-line completion from the syntax at the cursor, stops decoding as soon
// as the completion closes its block or runs into the suffix, rejects candidates that break the parse,
// and post-processes the text (indentation, duplicated closers, trailing blanks).
//
// Latency is the point of the design. An Engine keeps one model Session per document, and the prompt is
// laid out so that typing at the cursor changes it only near its end: the header and the prefix window
// are anchored and change only when the cursor leaves them, so the session's KV cache serves almost the
// whole prompt on every keystroke. A new request for a document cancels the one in flight, and a small
// cache answers "typed-through" requests (the user typed what was suggested) without decoding.
//
// The package knows no LSP: offsets are byte offsets into the document text, and lsp/ converts.
package complete
