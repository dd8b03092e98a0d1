package translate

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/weft-dev/weft/grammars"
)

// Level is how far a candidate got through verification; a higher level is better.
type Level int

const (
	LevelNone     Level = iota // does not parse with the target grammar
	LevelParses                // parses with no ERROR/MISSING node
	LevelCompiles              // the target's compiler or type-checker accepted it
	LevelPasses                // it compiled and its tests passed
	LevelBehaves               // it behaves like the source on generated inputs (differential testing)
)

func (l Level) String() string {
	switch l {
	case LevelParses:
		return "parses"
	case LevelCompiles:
		return "compiles"
	case LevelPasses:
		return "passes tests"
	case LevelBehaves:
		return "behaves like the source"
	}
	return "does not parse"
}

// Verdict is the outcome of verifying one candidate.
type Verdict struct {
	Level       Level
	ParseErrors int    // ERROR + MISSING nodes with the target grammar
	Compiled    bool   // a compiler ran and accepted the code
	Differs     bool   // differential testing found an input where it and the source disagree
	Status      string // one line: "compiles (go build)", "not verified: rustc not installed", ...
	Message     string // the compiler's or test's output when it failed (run-dir paths removed)
}

// Verifier checks candidates for a target language: tree-sitter parse, then (when Compile is set and the
// toolchain exists) the language's compiler or type-checker in the Sandbox. Checking never runs the
// candidate; only Run, which the evaluation harness calls, does.
type Verifier struct {
	Sandbox *Sandbox
	Compile bool   // false: parse check only
	GoCache string // GOCACHE shared by sandboxed Go builds; "" means <user cache dir>/weft/sandbox-gocache

	once  sync.Once
	tools map[string]string // executable name -> absolute path of the real binary (shims resolved)
	path  []string          // PATH inside the sandbox: the tools' directories, then /usr/bin:/bin
}

// NewVerifier returns a verifier using sb (a new sandbox when nil).
func NewVerifier(sb *Sandbox, compile bool) *Verifier {
	if sb == nil {
		sb = NewSandbox()
	}
	return &Verifier{Sandbox: sb, Compile: compile}
}

// toolNames are the executables a toolchain may need.
var toolNames = []string{"go", "python3", "node", "tsc", "rustc", "javac", "java", "gcc", "g++"}

// probe finds the toolchains once. Version managers' shims (pyenv, rustup) are resolved to the real
// binaries here, outside the sandbox, because inside it HOME points to the run directory and the shims
// would look for their configuration there.
func (v *Verifier) probe() {
	v.once.Do(func() {
		v.tools = map[string]string{}
		dirs := map[string]bool{}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		for _, name := range toolNames {
			p, err := exec.LookPath(name)
			if err != nil {
				continue
			}
			switch name {
			case "python3":
				if out, err := exec.CommandContext(ctx, p, "-c", "import sys; print(sys.executable)").Output(); err == nil {
					if s := strings.TrimSpace(string(out)); s != "" {
						p = s
					}
				}
			case "rustc":
				if out, err := exec.CommandContext(ctx, p, "--print", "sysroot").Output(); err == nil {
					if s := filepath.Join(strings.TrimSpace(string(out)), "bin", "rustc"); fileExists(s) {
						p = s
					}
				}
			}
			if real, err := filepath.EvalSymlinks(p); err == nil && name != "python3" {
				p = real // keep python's own name: a venv's python is a symlink that must stay one
			}
			v.tools[name] = p
			dirs[filepath.Dir(p)] = true
		}
		var ds []string
		for d := range dirs {
			ds = append(ds, d)
		}
		sort.Strings(ds)
		v.path = append(ds, "/usr/local/bin", "/usr/bin", "/bin")
	})
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

// Tool returns the path of a toolchain executable, or "" when it is not installed.
func (v *Verifier) Tool(name string) string {
	v.probe()
	return v.tools[name]
}

func (v *Verifier) goCache() (string, error) {
	dir := v.GoCache
	if dir == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			base = os.TempDir()
		}
		dir = filepath.Join(base, "weft", "sandbox-gocache")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("go cache: %w", err)
	}
	return dir, nil
}

// checkTools names what the compile check of each language needs.
var checkTools = map[string]string{
	"go": "go", "python": "python3", "javascript": "node", "typescript": "tsc", "tsx": "tsc",
	"rust": "rustc", "java": "javac", "c": "gcc", "cpp": "g++",
}

// Check verifies one candidate, a whole file or a snippet (functions, a class) in lang. Snippets get the
// minimal wrapping their compiler needs (a package clause and std imports in Go, a class in Java,
// standard headers in C and C++). A missing toolchain is not a failure: Level stays LevelParses and
// Status says "not verified: X not installed". err is only for a cancelled ctx or a broken sandbox.
func (v *Verifier) Check(ctx context.Context, lang *grammars.Language, code string) (Verdict, error) {
	if lang == nil {
		return Verdict{}, errors.New("verify: no target language")
	}
	var vd Verdict
	vd.ParseErrors = grammars.ErrorCount(lang, []byte(code))
	if vd.ParseErrors != 0 {
		vd.Status = fmt.Sprintf("does not parse as %s (%d syntax errors)", lang.Name, vd.ParseErrors)
		if vd.ParseErrors < 0 {
			vd.Status = "cannot parse " + lang.Name
		}
		vd.Message = vd.Status
		return vd, nil
	}
	vd.Level = LevelParses
	if !v.Compile {
		vd.Status = "parses (compile check disabled)"
		return vd, nil
	}
	tool := checkTools[lang.ID]
	if tool == "" || v.Tool(tool) == "" {
		if tool == "" {
			tool = "a compiler"
		}
		vd.Status = fmt.Sprintf("parses; not verified: %s not installed", tool)
		return vd, nil
	}
	if !v.Sandbox.Isolated() {
		vd.Status = "parses; not verified: sandbox " + v.Sandbox.Isolation()
		return vd, nil
	}
	var res ExecResult
	var what string
	var own []string
	err := v.Sandbox.Do(func(dir string) error {
		files, steps, w, err := v.checkPlan(lang, code, dir)
		if err != nil {
			return err
		}
		what = w
		for name := range files {
			own = append(own, name)
		}
		if err := writeFiles(dir, files); err != nil {
			return err
		}
		for _, c := range steps {
			if res, err = v.Sandbox.Run(ctx, c); err != nil || res.ExitCode != 0 || res.TimedOut {
				res.Stderr = strings.ReplaceAll(res.Stderr, dir+"/", "")
				res.Stdout = strings.ReplaceAll(res.Stdout, dir+"/", "")
				return err
			}
		}
		return nil
	})
	if err != nil {
		return vd, err
	}
	if res.ExitCode != 0 || res.TimedOut {
		vd.Status = "does not compile (" + what + ")"
		vd.Message = ownDiagnostics(res.Output(), own)
		return vd, nil
	}
	vd.Level, vd.Compiled = LevelCompiles, true
	vd.Status = "compiles (" + what + ")"
	return vd, nil
}

// diagLocation finds the file a compiler line is about: "main.c:3:5: error", "./main.go:3:2:",
// "  --> main.rs:1:5", "  File "main.py", line 3", "Main.java:3: error", "main.ts(3,5): error".
var diagLocation = regexp.MustCompile(`^\s*(?:-->\s*|File "|In file included from\s+|from\s+)?([^\s:"(,]+)(?::\d+|", line \d+|\(\d+,\d+\))`)

// ownDiagnostics keeps of a compiler's output only what is about the candidate's own files: a line that
// names another file (a header the candidate #included, a file it tried to embed) and the lines after
// it, up to the next line about an own file, are dropped. The verdict goes back into the model's prompt
// and to the user; it must not carry the contents of any other file.
func ownDiagnostics(out string, own []string) string {
	isOwn := func(f string) bool {
		f = strings.TrimPrefix(f, "./")
		for _, o := range own {
			if f == o {
				return true
			}
		}
		return false
	}
	var b strings.Builder
	keep, dropped := true, 0
	for line := range strings.SplitSeq(out, "\n") {
		if m := diagLocation.FindStringSubmatch(line); m != nil {
			keep = isOwn(m[1])
		}
		if !keep {
			dropped++
			continue
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	if dropped > 0 {
		fmt.Fprintf(&b, "[%d lines about other files left out]\n", dropped)
	}
	return strings.TrimRight(b.String(), "\n")
}

func writeFiles(dir string, files map[string]string) error {
	for name, text := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// javaFlags keep the JVM's up-front reservations (heap, metaspace, code cache) inside RLIMIT_AS.
var javaFlags = []string{"-Xmx512m", "-Xss16m", "-XX:CompressedClassSpaceSize=64m", "-XX:ReservedCodeCacheSize=64m",
	"-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto"}

func javacArgs(javac string, files ...string) []string {
	args := []string{javac}
	for _, f := range javaFlags {
		args = append(args, "-J"+f)
	}
	args = append(args, "-nowarn", "-encoding", "UTF-8", "-d", ".")
	return append(args, files...)
}

// goEnv is the environment of sandboxed Go commands: a private GOPATH in the run dir, the shared build
// cache (writable by the compile step only), no module downloads, no toolchain switching.
func (v *Verifier) goEnv(dir string) ([]string, []string, error) {
	cache, err := v.goCache()
	if err != nil {
		return nil, nil, err
	}
	return []string{"GOCACHE=" + cache, "GOPATH=" + filepath.Join(dir, ".gopath"), "GOPROXY=off", "GOFLAGS=-mod=mod",
		"GOTOOLCHAIN=local", "GOTELEMETRY=off", "CGO_ENABLED=0", "GO111MODULE=on"}, []string{cache}, nil
}

// checkPlan returns the files and the commands of the compile check, and a short name for it.
func (v *Verifier) checkPlan(lang *grammars.Language, code, dir string) (map[string]string, []Cmd, string, error) {
	cmd := func(args ...string) Cmd { return Cmd{Dir: dir, Args: args, Path: v.path} }
	switch lang.ID {
	case "go":
		env, w, err := v.goEnv(dir)
		if err != nil {
			return nil, nil, "", err
		}
		c := cmd(v.tools["go"], "build", "-o", os.DevNull, ".")
		c.Env, c.Writable = env, w
		files := map[string]string{"go.mod": "module snippet\n\ngo 1.21\n", "main.go": goSnippetFile(code, "snippet")}
		return files, []Cmd{c}, "go build", nil
	case "python":
		return map[string]string{"main.py": code}, []Cmd{cmd(v.tools["python3"], "-I", "-m", "py_compile", "main.py")},
			"python3 -m py_compile", nil
	case "javascript":
		name := "main.js"
		if esModule.MatchString(code) {
			name = "main.mjs"
		}
		return map[string]string{name: code}, []Cmd{cmd(v.tools["node"], "--check", name)}, "node --check", nil
	case "typescript", "tsx":
		name := "main.ts"
		if lang.ID == "tsx" {
			name = "main.tsx"
		}
		c := cmd(v.tools["tsc"], "--noEmit", "--skipLibCheck", "--target", "es2020", "--jsx", "preserve", name)
		return map[string]string{name: code}, []Cmd{c}, "tsc --noEmit", nil
	case "rust":
		c := cmd(v.tools["rustc"], "--edition", "2021", "--crate-type", "lib", "--emit=metadata", "-o", "main.rmeta", "main.rs")
		return map[string]string{"main.rs": code}, []Cmd{c}, "rustc --emit=metadata", nil
	case "java":
		name, text := javaSnippetFile(code)
		return map[string]string{name: text}, []Cmd{cmd(javacArgs(v.tools["javac"], name)...)}, "javac", nil
	case "c":
		return map[string]string{"main.c": cSnippetFile(code, false)},
			[]Cmd{cmd(v.tools["gcc"], "-fsyntax-only", "-std=gnu11", "-Werror=implicit-function-declaration", "main.c")},
			"gcc -fsyntax-only", nil
	case "cpp":
		return map[string]string{"main.cpp": cSnippetFile(code, true)},
			[]Cmd{cmd(v.tools["g++"], "-fsyntax-only", "-std=gnu++17", "main.cpp")}, "g++ -fsyntax-only", nil
	}
	return nil, nil, "", fmt.Errorf("verify: no compile check for %s", lang.Name)
}

var (
	esModule    = regexp.MustCompile(`(?m)^\s*(import\s[^(]|export\s)`)
	goPackage   = regexp.MustCompile(`(?m)^package\s+\w+`)
	goMainFunc  = regexp.MustCompile(`(?m)^func\s+main\s*\(`)
	goImportOne = regexp.MustCompile(`(?m)^import\s+(\w+\s+)?"([^"]+)"`)
	goImportBlk = regexp.MustCompile(`(?ms)^import\s*\((.*?)\)`)
	goImportIn  = regexp.MustCompile(`(?:(\w+)\s+)?"([^"]+)"`)
	javaTopType = regexp.MustCompile(`(?m)^\s*(public\s+|final\s+|abstract\s+)*(class|interface|enum|record)\s+(\w+)`)
	javaPublic  = regexp.MustCompile(`(?m)^\s*public\s+(final\s+|abstract\s+)*(class|interface|enum|record)\s+(\w+)`)
	javaImport  = regexp.MustCompile(`(?m)^\s*import\s+[\w.*\s]+;\s*$`)
	cInclude    = regexp.MustCompile(`(?m)^\s*#\s*include`)
)

// goStdPackages are the standard packages a generated snippet commonly uses without importing them;
// the key is the package name as used in code.
var goStdPackages = map[string]string{
	"fmt": "fmt", "math": "math", "strings": "strings", "strconv": "strconv", "sort": "sort", "os": "os",
	"errors": "errors", "bytes": "bytes", "unicode": "unicode", "utf8": "unicode/utf8", "bits": "math/bits",
	"slices": "slices", "maps": "maps", "heap": "container/heap", "list": "container/list", "regexp": "regexp",
	"time": "time", "big": "math/big", "rand": "math/rand", "cmplx": "math/cmplx", "io": "io", "bufio": "bufio",
}

// GoImports returns the import paths a Go snippet declares, by local name.
func GoImports(code string) map[string]string {
	out := map[string]string{}
	add := func(alias, path string) {
		name := alias
		if name == "" {
			name = path[strings.LastIndex(path, "/")+1:]
		}
		out[name] = path
	}
	for _, m := range goImportOne.FindAllStringSubmatch(code, -1) {
		add(strings.TrimSpace(m[1]), m[2])
	}
	for _, b := range goImportBlk.FindAllStringSubmatch(code, -1) {
		for _, m := range goImportIn.FindAllStringSubmatch(b[1], -1) {
			add(m[1], m[2])
		}
	}
	return out
}

// goStdUse matches a use of each goStdPackages name ("math.Abs", not "x.math.Abs").
var goStdUse = func() map[string]*regexp.Regexp {
	m := map[string]*regexp.Regexp{}
	for name := range goStdPackages {
		m[name] = regexp.MustCompile(`(^|[^\w.])` + name + `\.[A-Za-z_]`)
	}
	return m
}()

// GoMissingImports returns the standard packages code uses (as "pkg.Name") but does not import, sorted.
func GoMissingImports(code string, have map[string]string) []string {
	var out []string
	stripped := StripGoStrings(code)
	for name, path := range goStdPackages {
		if _, ok := have[name]; ok {
			continue
		}
		if goStdUse[name].MatchString(stripped) {
			out = append(out, path)
		}
	}
	sort.Strings(out)
	return out
}

// goLiteral matches a Go string literal or comment.
var goLiteral = regexp.MustCompile("(?s)`[^`]*`|\"(\\\\.|[^\"\\\\\n])*\"|//[^\n]*|/\\*.*?\\*/")

// StripGoStrings blanks string literals and comments so that "fmt.Println" inside a string does not
// count as a use of fmt.
func StripGoStrings(code string) string { return goLiteral.ReplaceAllString(code, `""`) }

// goSnippetFile makes a compilable Go file out of a snippet: a package clause when there is none, and
// import declarations for the standard packages it uses without importing.
func goSnippetFile(code, pkg string) string {
	var b strings.Builder
	body := code
	if loc := goPackage.FindStringIndex(code); loc != nil {
		clause := code[:loc[1]]
		if strings.HasSuffix(clause, "package main") && !goMainFunc.MatchString(code) {
			// A package main without func main does not build; as a library it type-checks the same.
			clause = strings.TrimSuffix(clause, "main") + pkg
		}
		b.WriteString(clause)
		body = strings.TrimPrefix(code[loc[1]:], "\n")
	} else {
		b.WriteString("package " + pkg)
	}
	b.WriteString("\n")
	for _, p := range GoMissingImports(code, GoImports(code)) {
		fmt.Fprintf(&b, "import %q\n", p)
	}
	b.WriteString(body)
	if !strings.HasSuffix(body, "\n") {
		b.WriteString("\n")
	}
	return b.String()
}

// javaSnippetFile wraps methods in a class (with java.util imports) unless the code declares a
// top-level type; it returns the file name javac requires and the text.
func javaSnippetFile(code string) (string, string) {
	if m := javaPublic.FindStringSubmatch(code); m != nil {
		return m[3] + ".java", code
	}
	if topLevelJavaType(code) {
		return "Main.java", code
	}
	imports := javaImport.FindAllString(code, -1)
	body := javaImport.ReplaceAllString(code, "")
	var b strings.Builder
	b.WriteString("import java.util.*;\nimport java.util.function.*;\nimport java.util.stream.*;\n")
	for _, im := range imports {
		b.WriteString(strings.TrimSpace(im) + "\n")
	}
	b.WriteString("\nclass Main {\n" + body + "\n}\n")
	return "Main.java", b.String()
}

// topLevelJavaType reports whether the first declaration of the code (after imports and comments) is a
// type, i.e. the code is a compilation unit rather than a list of members.
func topLevelJavaType(code string) bool {
	body := javaImport.ReplaceAllString(code, "")
	loc := javaTopType.FindStringIndex(body)
	if loc == nil {
		return false
	}
	before := strings.TrimSpace(body[:loc[0]])
	for _, line := range strings.Split(before, "\n") {
		l := strings.TrimSpace(line)
		if l != "" && !strings.HasPrefix(l, "//") && !strings.HasPrefix(l, "/*") && !strings.HasPrefix(l, "*") && !strings.HasPrefix(l, "@") {
			return false
		}
	}
	return true
}

// cSnippetFile adds the usual standard headers to C or C++ code that includes none.
func cSnippetFile(code string, cpp bool) string {
	if cInclude.MatchString(code) {
		return code
	}
	if cpp {
		return "#include <bits/stdc++.h>\nusing namespace std;\n" + code
	}
	return "#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n#include <math.h>\n#include <stdbool.h>\n#include <limits.h>\n" + code
}

// Program is a whole program to build and run, for tests and evaluation: Files by name, Main the file
// holding the entry point (for Java, the public class's file).
type Program struct {
	Lang  *grammars.Language
	Files map[string]string
	Main  string
	Test  bool // Go: build the package's tests (go test -c); Rust: rustc --test
}

// RunResult is the outcome of building and running a Program.
type RunResult struct {
	Built      bool
	BuildError string     // compiler output when the build failed (or "not verified: X not installed")
	Missing    string     // the missing toolchain executable, if any
	Run        ExecResult // the program's run, when it was built
}

// runTools names what building and running each language needs.
var runTools = map[string][]string{
	"go": {"go"}, "python": {"python3"}, "javascript": {"node"}, "typescript": {"tsc", "node"},
	"rust": {"rustc"}, "java": {"javac", "java"}, "c": {"gcc"}, "cpp": {"g++"},
}

// Run builds p and RUNS it in the sandbox with the given limits (nil: the sandbox's). This executes the
// program: only call it when the caller explicitly enabled running (evaluation, tests).
func (v *Verifier) Run(ctx context.Context, p Program, lim *Limits) (RunResult, error) {
	if p.Lang == nil {
		return RunResult{}, errors.New("run: no language")
	}
	v.probe()
	var rr RunResult
	for _, t := range runTools[p.Lang.ID] {
		if v.tools[t] == "" {
			rr.Missing = t
			rr.BuildError = "not verified: " + t + " not installed"
			return rr, nil
		}
	}
	if runTools[p.Lang.ID] == nil {
		return rr, fmt.Errorf("run: cannot run %s", p.Lang.Name)
	}
	err := v.Sandbox.Do(func(dir string) error {
		if err := writeFiles(dir, p.Files); err != nil {
			return err
		}
		build, run, err := v.runPlan(p, dir)
		if err != nil {
			return err
		}
		run.Limits = lim
		for _, c := range build {
			res, err := v.Sandbox.Run(ctx, c)
			if err != nil {
				return err
			}
			if res.ExitCode != 0 || res.TimedOut {
				rr.BuildError = strings.ReplaceAll(res.Output(), dir+"/", "")
				return nil
			}
		}
		rr.Built = true
		rr.Run, err = v.Sandbox.Run(ctx, run)
		return err
	})
	return rr, err
}

// runPlan returns the build commands and the run command of a program.
func (v *Verifier) runPlan(p Program, dir string) ([]Cmd, Cmd, error) {
	cmd := func(args ...string) Cmd { return Cmd{Dir: dir, Args: args, Path: v.path} }
	main := p.Main
	switch p.Lang.ID {
	case "go":
		env, w, err := v.goEnv(dir)
		if err != nil {
			return nil, Cmd{}, err
		}
		if _, ok := p.Files["go.mod"]; !ok {
			if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module prog\n\ngo 1.21\n"), 0o644); err != nil {
				return nil, Cmd{}, err
			}
		}
		b := cmd(v.tools["go"], "build", "-o", "prog", ".")
		if p.Test {
			b = cmd(v.tools["go"], "test", "-c", "-vet=off", "-o", "prog", ".")
		}
		b.Env, b.Writable = env, w
		return []Cmd{b}, cmd("./prog"), nil
	case "python":
		// The syntax check is the "build": without it a program that does
		// not compile would count as built and fail only when run.
		return []Cmd{cmd(v.tools["python3"], "-I", "-m", "py_compile", main)}, cmd(v.tools["python3"], "-I", main), nil
	case "javascript":
		return []Cmd{cmd(v.tools["node"], "--check", main)}, cmd(v.tools["node"], main), nil
	case "typescript":
		b := cmd(v.tools["tsc"], "--outDir", "out", "--target", "es2020", "--module", "commonjs", main)
		js := "out/" + strings.TrimSuffix(main, filepath.Ext(main)) + ".js"
		return []Cmd{b}, cmd(v.tools["node"], js), nil
	case "rust":
		b := cmd(v.tools["rustc"], "--edition", "2021", "-C", "opt-level=1", "-C", "overflow-checks=off", "-C", "debuginfo=0",
			"-A", "warnings", "-o", "prog", main)
		if p.Test {
			b.Args = append(b.Args, "--test")
		}
		return []Cmd{b}, cmd("./prog"), nil
	case "java":
		class := strings.TrimSuffix(main, ".java")
		run := append([]string{v.tools["java"]}, javaFlags...)
		return []Cmd{cmd(javacArgs(v.tools["javac"], main)...)}, cmd(append(run, "-cp", ".", class)...), nil
	case "c":
		return []Cmd{cmd(v.tools["gcc"], "-O1", "-std=gnu11", "-w", "-o", "prog", main, "-lm")}, cmd("./prog"), nil
	case "cpp":
		return []Cmd{cmd(v.tools["g++"], "-O1", "-std=gnu++17", "-w", "-o", "prog", main)}, cmd("./prog"), nil
	}
	return nil, Cmd{}, fmt.Errorf("run: cannot run %s", p.Lang.Name)
}
