package translate

import (
	"fmt"
	"strings"

	"github.com/weft-dev/weft/grammars"
)

// supported are the languages translate/ generates, translates and verifies.
var supported = []string{"python", "go", "javascript", "typescript", "rust", "java", "c", "cpp"}

// LookupLanguage resolves a language name, alias or extension as users type them ("python", "py", ".py",
// "go", "js", "ts", "rs", "c++", "cpp", a file path) to a supported language.
func LookupLanguage(name string) (*grammars.Language, error) {
	l, ok := grammars.Lookup(name)
	if ok && l.ID == "tsx" {
		return l, nil
	}
	if ok {
		for _, s := range supported {
			if l.ID == s {
				return l, nil
			}
		}
	}
	return nil, fmt.Errorf("unsupported language %q (supported: %s)", name, strings.Join(supported, ", "))
}

// Extension returns the usual file extension of a language, with the dot.
func Extension(l *grammars.Language) string {
	switch l.ID {
	case "cpp":
		return ".cpp"
	}
	if len(l.Extensions) > 0 {
		return l.Extensions[0]
	}
	return ""
}
