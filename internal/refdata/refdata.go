// Package refdata locates weft's reference data: the llama.cpp fixtures and
// evaluation sets that live in a folder named shared beside a checkout
// (../shared from the repository root), or wherever $WEFT_SHARED points.
// The data is read in place and never copied into the repository.
package refdata

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// Locate returns the reference data folder: $WEFT_SHARED, or ../shared beside
// the nearest directory above the working directory that holds go.mod.
func Locate() (string, error) {
	if d := os.Getenv("WEFT_SHARED"); d != "" {
		if st, err := os.Stat(d); err != nil || !st.IsDir() {
			return "", errors.New("reference data not found at $WEFT_SHARED=" + d)
		}
		return d, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			s := filepath.Join(d, "..", "shared")
			if st, err := os.Stat(s); err != nil || !st.IsDir() {
				return "", errors.New("reference data not found at " + s + " (set WEFT_SHARED)")
			}
			return s, nil
		}
		if filepath.Dir(d) == d {
			return "", errors.New("no go.mod above " + wd + " to find ../shared from (set WEFT_SHARED)")
		}
	}
}

// Dir returns the reference data folder for a test. When it is missing the
// test fails if the environment variable CI is set (CI must have the data)
// and is skipped otherwise, with the reason either way.
func Dir(t testing.TB) string {
	t.Helper()
	d, err := Locate()
	if err != nil {
		Missing(t, err.Error())
	}
	return d
}

// Path returns a file or folder inside the reference data, failing or
// skipping the test as Dir does when it is missing.
func Path(t testing.TB, rel ...string) string {
	t.Helper()
	d, err := Locate()
	if err != nil {
		Missing(t, filepath.Join(rel...)+": "+err.Error())
	}
	p := filepath.Join(append([]string{d}, rel...)...)
	if _, err := os.Stat(p); err != nil {
		Missing(t, "reference data missing: "+p)
	}
	return p
}

// Missing fails the test under CI and skips it elsewhere.
func Missing(t testing.TB, msg string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}
