package lsp

import (
	"reflect"
	"strings"
	"testing"
)

func TestSettingsMerge(t *testing.T) {
	def := DefaultSettings()
	tests := []struct {
		name    string
		raw     string
		want    func(*Settings)
		wantErr string
	}{
		{"null", `null`, func(*Settings) {}, ""},
		{"empty", ``, func(*Settings) {}, ""},
		{"all fields", `{"modelPath":"/m.gguf","contextSize":2048,"maxTokens":64,"temperature":0,"samples":0,"latencyMs":300,"multiline":"never","debounceMs":30,"languages":["go","python"],"verification":false,"translateTarget":"replace"}`,
			func(s *Settings) {
				*s = Settings{ModelPath: "/m.gguf", ContextSize: 2048, MaxTokens: 64, Temperature: 0, Samples: 0, LatencyMs: 300, Multiline: "never",
					DebounceMs: 30, Languages: []string{"go", "python"}, Verification: false, TranslateTarget: "replace"}
			}, ""},
		{"nested weft section", `{"weft":{"maxTokens":9},"other":{"maxTokens":1}}`, func(s *Settings) { s.MaxTokens = 9 }, ""},
		{"invalid values keep defaults, valid ones apply", `{"multiline":"maybe","maxTokens":-1,"temperature":"hot","debounceMs":5}`,
			func(s *Settings) { s.DebounceMs = 5 }, "multiline"},
		{"bad translateTarget", `{"translateTarget":"sideways"}`, func(*Settings) {}, "translateTarget"},
		{"samples out of range", `{"samples":100}`, func(*Settings) {}, "samples"},
		{"latencyMs out of range", `{"latencyMs":-5}`, func(*Settings) {}, "latencyMs"},
		{"not an object", `[1]`, func(*Settings) {}, "JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := def
			tt.want(&want)
			got, err := def.merge([]byte(tt.raw))
			if !reflect.DeepEqual(got, want) {
				t.Errorf("merge = %+v, want %+v", got, want)
			}
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("err = %v, want %q", err, tt.wantErr)
			}
		})
	}
}
