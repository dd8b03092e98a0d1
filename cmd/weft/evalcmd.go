package main

import (
	"fmt"
	"path/filepath"
	"time"

	"github.com/weft-dev/weft/eval"
	"github.com/weft-dev/weft/translate"
)

// defaultEvalDir is where the evaluation sets live beside a checkout.
func defaultEvalDir(name string) string {
	return filepath.Join("..", "shared", "eval", name)
}

func cmdEval(e *env, args []string) error {
	if len(args) == 0 {
		return usageErr("eval needs a set: fim, translate or humaneval-x")
	}
	switch args[0] {
	case "translate":
		return cmdEvalTranslate(e, args[1:])
	case "humaneval-x":
		return cmdEvalHumanEvalX(e, args[1:])
	case "fim":
		return cmdEvalFIM(e, args[1:])
	}
	return usageErr("unknown evaluation %q (fim, translate, humaneval-x)", args[0])
}

func cmdEvalTranslate(e *env, args []string) error {
	fs, mf := flags(e, "eval translate")
	set := fs.String("set", defaultEvalDir("transcoder-gfg"), "TransCoder GfG folder")
	from := fs.String("from", "python", "source language")
	to := fs.String("to", "go", "target language")
	limit := fs.Int("limit", 0, "evaluate the first N problems (0 = all)")
	candidates := fs.Int("candidates", 0, "candidates per round (0 = engine default)")
	retries := fs.Int("retries", 0, "retry rounds with compiler errors (0 = engine default, -1 = none)")
	engine := fs.String("engine", "rules", "rules (the syntax-directed translator) or model")
	verbose := fs.Bool("v", false, "list each problem that does not pass, with why, on stderr")
	heldOut := fs.Bool("humaneval-x", false, "with --engine rules: translate HumanEval-X's canonical solutions instead (the held-out set; --set defaults to its folder)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *engine == "rules" {
		start := time.Now()
		run := eval.Translation
		if *heldOut {
			run = eval.TranslationHumanEvalX
			if *set == defaultEvalDir("transcoder-gfg") {
				*set = defaultEvalDir("humaneval-x")
			}
		}
		r, err := run(e.ctx, &translate.Rules{}, *set, *from, *to, *limit, e.stderr)
		if err != nil {
			return err
		}
		if *verbose {
			for _, it := range r.Items {
				if !it.Passed {
					fmt.Fprintf(e.stderr, "%s: %s\n", it.Name, it.Status)
				}
			}
		}
		fmt.Fprintln(e.stdout, r)
		fmt.Fprintf(e.stderr, "weft: eval took %v\n", time.Since(start).Round(time.Second))
		return nil
	} else if *engine != "model" {
		return usageErr("--engine: rules or model, not %q", *engine)
	}
	m, err := mf.load(e)
	if err != nil {
		return err
	}
	defer m.Close()
	eng := translateEngine(m, true)
	eng.Candidates, eng.Retries = *candidates, *retries
	start := time.Now()
	r, err := eval.Translation(e.ctx, eng, *set, *from, *to, *limit, e.stderr)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, r)
	fmt.Fprintf(e.stderr, "weft: eval took %v\n", time.Since(start).Round(time.Second))
	return nil
}

func cmdEvalHumanEvalX(e *env, args []string) error {
	fs, mf := flags(e, "eval humaneval-x")
	set := fs.String("set", defaultEvalDir("humaneval-x"), "HumanEval-X folder")
	lang := fs.String("lang", "go", "language")
	limit := fs.Int("limit", 0, "evaluate the first N problems (0 = all)")
	if err := parse(fs, args); err != nil {
		return err
	}
	m, err := mf.load(e)
	if err != nil {
		return err
	}
	defer m.Close()
	r, err := eval.HumanEvalX(e.ctx, translateEngine(m, true), *set, *lang, *limit, e.stderr)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, r)
	return nil
}
