package lsp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/weft-dev/weft/complete"
	"github.com/weft-dev/weft/translate"
)

// Settings are weft's user settings. They arrive as initializationOptions,
// in workspace/didChangeConfiguration, or from a workspace/configuration pull
// of section "weft"; absent fields keep their current value. Each request
// takes the settings current when it arrives (completeOptions, actionRequest,
// commandRequest), so a change applies to the next request; modelPath and
// contextSize are read when the model loads, and the server says so when they
// change after that.
type Settings struct {
	ModelPath       string   `json:"modelPath"`
	ContextSize     int      `json:"contextSize"` // 0: complete's default (the model's, at most complete.DefaultContextSize)
	MaxTokens       int      `json:"maxTokens"`   // 0: complete's defaults for a line and for a block
	Temperature     float64  `json:"temperature"`
	Samples         int      `json:"samples"`   // consensus samples per completion (0: greedy only)
	LatencyMs       int      `json:"latencyMs"` // a single-line completion's latency budget (multi-line: 3×); 0: none
	Multiline       string   `json:"multiline"` // "auto" | "always" | "never"
	DebounceMs      int      `json:"debounceMs"`
	Languages       []string `json:"languages"` // language ids to complete; empty means all
	Verification    bool     `json:"verification"`
	TranslateTarget string   `json:"translateTarget"` // "newFile" | "replace"
}

// DefaultSettings are used for every field the client does not set. The
// features own their defaults: a zero here means "the feature's default".
func DefaultSettings() Settings {
	return Settings{
		ContextSize:     0,
		MaxTokens:       0, // complete.DefaultSingleLineTokens or DefaultMultiLineTokens
		Temperature:     0, // greedy, voted on by Samples samples, as the editors' settings default
		Samples:         complete.DefaultSamples,
		LatencyMs:       int(complete.DefaultLatency / time.Millisecond),
		Multiline:       "auto",
		DebounceMs:      0,
		Verification:    translate.DefaultVerification, // translate/ owns it: off unless asked for
		TranslateTarget: "newFile",
	}
}

// settingsSection is the configuration section weft reads.
const settingsSection = "weft"

// merge returns s updated with the fields present in raw, which is either a
// settings object or an object with a "weft" member holding one (the shape
// VS Code sends in didChangeConfiguration). Invalid values are reported and
// leave the current value in place; the other fields still apply.
func (s Settings) merge(raw []byte) (Settings, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return s, nil
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return s, fmt.Errorf("settings: want a JSON object: %w", err)
	}
	if inner, ok := fields[settingsSection]; ok {
		if err := json.Unmarshal(inner, &fields); err != nil {
			return s, fmt.Errorf("settings: %q: want a JSON object: %w", settingsSection, err)
		}
	}
	var errs []error
	// get decodes field name into dst when present; a decode error is kept
	// and the field skipped.
	get := func(name string, dst any) bool {
		v, ok := fields[name]
		if !ok || bytes.Equal(bytes.TrimSpace(v), []byte("null")) {
			return false
		}
		if err := json.Unmarshal(v, dst); err != nil {
			errs = append(errs, fmt.Errorf("settings: %s: %w", name, err))
			return false
		}
		return true
	}
	check := func(name string, err error) bool {
		if err != nil {
			errs = append(errs, fmt.Errorf("settings: %s: %w", name, err))
		}
		return err == nil
	}
	out := s
	var (
		str   string
		n     int
		f     float64
		b     bool
		langs []string
	)
	if get("modelPath", &str) {
		out.ModelPath = str
	}
	if get("contextSize", &n) && check("contextSize", within(float64(n), 0, math.MaxInt32)) {
		out.ContextSize = n
	}
	if get("maxTokens", &n) && check("maxTokens", within(float64(n), 0, math.MaxInt32)) {
		out.MaxTokens = n
	}
	if get("temperature", &f) && check("temperature", within(f, 0, 5)) {
		out.Temperature = f
	}
	if get("samples", &n) && check("samples", within(float64(n), 0, 32)) {
		out.Samples = n
	}
	if get("latencyMs", &n) && check("latencyMs", within(float64(n), 0, 60000)) {
		out.LatencyMs = n
	}
	if get("multiline", &str) && check("multiline", oneOf(str, "auto", "always", "never")) {
		out.Multiline = str
	}
	if get("debounceMs", &n) && check("debounceMs", within(float64(n), 0, 10000)) {
		out.DebounceMs = n
	}
	if get("languages", &langs) {
		out.Languages = langs
	}
	if get("verification", &b) {
		out.Verification = b
	}
	if get("translateTarget", &str) && check("translateTarget", oneOf(str, "newFile", "replace")) {
		out.TranslateTarget = str
	}
	return out, errors.Join(errs...)
}

func within(v, lo, hi float64) error {
	if v < lo || v > hi {
		return fmt.Errorf("%g outside [%g, %g]", v, lo, hi)
	}
	return nil
}

func oneOf(v string, allowed ...string) error {
	if !slices.Contains(allowed, v) {
		return fmt.Errorf("%q is not one of %q", v, allowed)
	}
	return nil
}

// completeOptions converts the settings into one completion request's
// options.
func (s Settings) completeOptions() complete.Options {
	o := complete.Options{MaxTokens: s.MaxTokens, Temperature: float32(s.Temperature), Multiline: s.Multiline,
		Samples: s.Samples, Latency: time.Duration(s.LatencyMs) * time.Millisecond}
	// The settings' 0 means "none" where the options' 0 means "the engine's default".
	if s.Samples == 0 {
		o.Samples = -1
	}
	if s.LatencyMs == 0 {
		o.Latency = -1
	}
	return o
}

// completes reports whether completions are enabled for languageID.
func (s Settings) completes(languageID string) bool {
	return len(s.Languages) == 0 || slices.Contains(s.Languages, languageID)
}
