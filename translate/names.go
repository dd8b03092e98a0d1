package translate

import (
	"regexp"
	"sort"
	"strings"

	"github.com/weft-dev/weft/grammars"
)

// UndefinedNames returns the names Python code uses that nothing defines: not a builtin or
// keyword, not bound in the code (assigned, imported, a parameter, a loop or with target), and
// not anywhere in the file it goes into (context). Code that reads a name defined nowhere fails
// with NameError when it runs; a small model's "assert sm" parses, and is still not an answer.
// Only Python is checked (other languages' compilers say this when verification is on); the
// check is lenient: any appearance of a name in the file counts as a definition.
func UndefinedNames(lang *grammars.Language, code string, context []byte) []string {
	if lang.ID != "python" {
		return nil
	}
	src := pyStrings.ReplaceAllString(code, `""`)
	src = pyComments.ReplaceAllString(src, "")
	known := map[string]bool{}
	for _, m := range pyIdentRE.FindAllString(string(context), -1) {
		known[m] = true
	}
	for _, re := range pyBinders {
		for _, m := range re.FindAllStringSubmatch(src, -1) {
			for _, n := range pyIdentRE.FindAllString(m[1], -1) {
				known[n] = true
			}
		}
	}
	var out []string
	seen := map[string]bool{}
	for _, loc := range pyIdentRE.FindAllStringIndex(src, -1) {
		n := src[loc[0]:loc[1]]
		if loc[0] > 0 && src[loc[0]-1] == '.' || known[n] || pyBuiltins[n] || seen[n] {
			continue
		}
		if n[0] >= '0' && n[0] <= '9' {
			continue
		}
		seen[n] = true
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

var (
	pyIdentRE  = regexp.MustCompile(`[A-Za-z_][A-Za-z0-9_]*`)
	pyStrings  = regexp.MustCompile(`(?s)[rRbBuUfF]{0,2}("""|''')(.*?)("""|''')|[rRbBuUfF]{0,2}"(\\.|[^"\\\n])*"|[rRbBuUfF]{0,2}'(\\.|[^'\\\n])*'`)
	pyComments = regexp.MustCompile(`#[^\n]*`)
	pyBinders  = []*regexp.Regexp{
		regexp.MustCompile(`(?m)^\s*([A-Za-z_][\w, ]*?)\s*(?:[-+*/%&|^@]|//|\*\*|<<|>>)?=[^=]`), // assignments
		regexp.MustCompile(`[(,]\s*(\w+)\s*=[^=]`),                                              // keyword arguments (names, not references)
		regexp.MustCompile(`\bfor\s+([\w, ()]+?)\s+in\b`),
		regexp.MustCompile(`\b(?:def|class)\s+(\w+)`),
		regexp.MustCompile(`\bdef\s+\w+\s*\(([^)]*)\)`),
		regexp.MustCompile(`\blambda\s+([\w, *=]*):`),
		regexp.MustCompile(`\bimport\s+([\w., ]+)`),
		regexp.MustCompile(`\bas\s+(\w+)`),
		regexp.MustCompile(`\b(?:global|nonlocal)\s+([\w, ]+)`),
		regexp.MustCompile(`(\w+)\s*:=`),
	}
	pyBuiltins = func() map[string]bool {
		m := map[string]bool{}
		for _, w := range strings.Fields(`False None True and as assert async await break class continue def del elif else except
			finally for from global if import in is lambda nonlocal not or pass raise return try while with yield match case _
			self cls __name__ __file__ __doc__ __import__ NotImplemented Ellipsis
			abs aiter all anext any ascii bin bool breakpoint bytearray bytes callable chr classmethod compile complex delattr dict
			dir divmod enumerate eval exec filter float format frozenset getattr globals hasattr hash help hex id input int
			isinstance issubclass iter len list locals map max memoryview min next object oct open ord pow print property range
			repr reversed round set setattr slice sorted staticmethod str sum super tuple type vars zip
			BaseException Exception ArithmeticError AssertionError AttributeError EOFError FileExistsError FileNotFoundError
			GeneratorExit ImportError IndexError IsADirectoryError KeyError KeyboardInterrupt LookupError MemoryError
			ModuleNotFoundError NameError NotADirectoryError NotImplementedError OSError IOError OverflowError PermissionError
			RecursionError RuntimeError StopIteration SystemExit TimeoutError TypeError UnicodeDecodeError UnicodeEncodeError
			UnicodeError ValueError ZeroDivisionError Warning DeprecationWarning UserWarning`) {
			m[w] = true
		}
		return m
	}()
)
