package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/weft-dev/weft/complete"
)

// parsePos parses "LINE:COL" (1-based, as editors show it).
func parsePos(s string) (line, col int, err error) {
	l, c, ok := strings.Cut(s, ":")
	if !ok {
		return 0, 0, usageErr("--pos must be LINE:COL, got %q", s)
	}
	line, err1 := strconv.Atoi(l)
	col, err2 := strconv.Atoi(c)
	if err1 != nil || err2 != nil || line < 1 || col < 1 {
		return 0, 0, usageErr("--pos must be LINE:COL with numbers from 1, got %q", s)
	}
	return line, col, nil
}

func cmdComplete(e *env, args []string) error {
	fs, mf := flags(e, "complete")
	file := fs.String("file", "", "source file (required)")
	pos := fs.String("pos", "", "cursor as LINE:COL, 1-based (required)")
	maxTokens := fs.Int("max-tokens", 0, "most tokens to generate (0: engine default)")
	temp := fs.Float64("temperature", 0, "sampling temperature (0 = greedy)")
	multiline := fs.String("multiline", "auto", "auto, always or never")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *file == "" || *pos == "" {
		return usageErr("--file and --pos are required")
	}
	line, col, err := parsePos(*pos)
	if err != nil {
		return err
	}
	m, err := mf.load(e)
	if err != nil {
		return err
	}
	defer m.Close()
	eng := complete.NewEngine(m, completeConfig(m, 0))
	res, err := eng.CompleteFile(e.ctx, *file, line, col, complete.Options{MaxTokens: *maxTokens, Temperature: float32(*temp), Multiline: *multiline})
	if err != nil {
		return err
	}
	fmt.Fprint(e.stdout, res.Text)
	if res.Text != "" && !strings.HasSuffix(res.Text, "\n") {
		fmt.Fprintln(e.stdout)
	}
	st := res.Stats
	fmt.Fprintf(e.stderr, "weft: %d prompt tokens, %d generated, %v\n", st.PromptTokens, st.GeneratedTokens, st.Duration)
	return nil
}
