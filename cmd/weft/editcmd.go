package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/weft-dev/weft/complete"
	"github.com/weft-dev/weft/model"
	"github.com/weft-dev/weft/translate"
	"github.com/weft-dev/weft/translate/rules"
)

// translateEngine builds the translation engine on a loaded model.
func translateEngine(m *model.Model, verify bool) *translate.Engine {
	return translate.NewModelEngine(m, 0, verify)
}

func cmdImplement(e *env, args []string) error {
	fs, mf := flags(e, "implement")
	langName := fs.String("lang", "", "language of the code to write (required unless --file says it)")
	file := fs.String("file", "", "file to write into (default: a new, empty file)")
	pos := fs.String("pos", "", "with --file: where, as LINE:COL (1-based; default: the end of the file)")
	verify := fs.Bool("verify", translate.DefaultVerification, "compile/type-check candidates with the local toolchain")
	if err := parse(fs, args); err != nil {
		return err
	}
	instruction := strings.TrimSpace(strings.Join(fs.Args(), " "))
	if instruction == "" {
		return usageErr(`an instruction is required, e.g. weft implement --lang go "reverse a string"`)
	}
	var text []byte
	if *file != "" {
		b, err := os.ReadFile(*file)
		if err != nil {
			return err
		}
		text = b
		if *langName == "" {
			*langName = filepath.Ext(*file)
		}
	}
	if *langName == "" {
		return usageErr("--lang is required (go, python, js, ts, rust, java, c, cpp)")
	}
	lang, err := translate.LookupLanguage(*langName)
	if err != nil {
		return usageErr("%v", err)
	}
	off := len(text)
	if *pos != "" {
		line, col, err := parsePos(*pos)
		if err != nil {
			return err
		}
		if off, err = complete.Position(text, line, col); err != nil {
			return err
		}
	}
	m, err := mf.load(e)
	if err != nil {
		return err
	}
	defer m.Close()
	res, err := translateEngine(m, *verify).Generate(e.ctx, translate.GenerateRequest{
		Lang: lang, Path: *file, Text: text, Start: off, End: off, Instruction: instruction,
	})
	if err != nil {
		return err
	}
	fmt.Fprint(e.stdout, ensureNewline(res.Edit.NewText))
	fmt.Fprintf(e.stderr, "weft: %s; %d candidates\n", res.Verdict.Status, res.Candidates)
	return nil
}

func cmdTranslate(e *env, args []string) error {
	fs, mf := flags(e, "translate")
	from := fs.String("from", "", "source language (default: from the file extension)")
	to := fs.String("to", "", "target language (required): go, python, js, ts, rust, java, c, cpp")
	verify := fs.Bool("verify", translate.DefaultVerification, "compile/type-check candidates with the local toolchain")
	engine := fs.String("engine", "auto", "auto (rules, then a model named by --model where they fall short), rules or model")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *engine != "auto" && *engine != "rules" && *engine != "model" {
		return usageErr("--engine: auto, rules or model, not %q", *engine)
	}
	if fs.NArg() != 1 || *to == "" {
		return usageErr("usage: weft translate --from L1 --to L2 FILE[:FUNC]")
	}
	path, fn := fs.Arg(0), ""
	if i := strings.LastIndexByte(path, ':'); i > 0 {
		if _, err := os.Stat(path); err != nil {
			path, fn = path[:i], path[i+1:]
		}
	}
	text, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if *from == "" {
		*from = filepath.Ext(path)
	}
	src, err := translate.LookupLanguage(*from)
	if err != nil {
		return usageErr("--from: %v", err)
	}
	dst, err := translate.LookupLanguage(*to)
	if err != nil {
		return usageErr("--to: %v", err)
	}
	code := string(text)
	if fn != "" {
		// Find the definition with tree-sitter, then pull in what it depends on.
		def, err := translate.FunctionSource(src, code, fn)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		start := strings.Index(code, def)
		u, err := translate.ExtractUnit(src, text, start, start+len(def))
		if err != nil {
			return err
		}
		code = u.Code
	}
	req := translate.Request{Code: code, From: src, To: dst}
	// The rules translator first: whole or not at all. A model is tried where it falls short only when
	// one was named: the embedded model cannot translate.
	if *engine != "model" && rules.Supports(src, dst) {
		r := &translate.Rules{}
		if *verify {
			r.Verifier = translate.NewVerifier(nil, true)
		}
		res, err := r.Translate(e.ctx, req)
		if err == nil && *engine == "auto" && mf.path != "" && *verify && res.Verdict.Level < translate.LevelBehaves {
			// A named model's candidates beside the rule translation, ranked by the same verification.
			m, lerr := mf.load(e)
			if lerr != nil {
				return lerr
			}
			defer m.Close()
			tr := translateEngine(m, *verify)
			if translate.Capable(tr, *verify, res) {
				if mres, merr := tr.Translate(e.ctx, req); merr == nil {
					res = translate.Merge(res, mres)
				} else {
					fmt.Fprintf(e.stderr, "weft: the model's translation failed: %v\n", merr)
				}
			}
		}
		if err == nil {
			fmt.Fprint(e.stdout, ensureNewline(res.Code))
			fmt.Fprintf(e.stderr, "weft: %s translation; %s\n", res.Producer(), res.Verdict.Status)
			return nil
		}
		var u *rules.Uncovered
		if !errors.As(err, &u) {
			return err
		}
		if *engine == "rules" || mf.path == "" {
			return fmt.Errorf("%v (name a model with --model to try one)", u)
		}
		fmt.Fprintf(e.stderr, "weft: %v; trying %s\n", u, mf.name())
	} else if *engine == "rules" {
		return fmt.Errorf("the rules translator has no %s -> %s pair (sources: %s; targets: %s)", src.Name, dst.Name,
			strings.Join(rules.Sources, ", "), strings.Join(rules.Targets, ", "))
	}
	m, err := mf.load(e)
	if err != nil {
		return err
	}
	defer m.Close()
	tr := translateEngine(m, *verify)
	res, err := tr.Translate(e.ctx, req)
	if err != nil {
		return err
	}
	// Presented as working only at its verification level: with --verify and a toolchain, that is
	// compiling; otherwise parsing (and not being only comments or a signature).
	if res.Verdict.Level < tr.Goal(translate.Request{From: src, To: dst}) || res.Verdict.Level == translate.LevelNone {
		return tr.NoAnswer(res, dst)
	}
	fmt.Fprint(e.stdout, ensureNewline(res.Code))
	fmt.Fprintf(e.stderr, "weft: model translation; %s; %d candidates in %d rounds\n", res.Verdict.Status, len(res.Candidates), res.Rounds)
	return nil
}

func ensureNewline(s string) string {
	if s != "" && !strings.HasSuffix(s, "\n") {
		return s + "\n"
	}
	return s
}
