//go:build !linux

package translate

import (
	"errors"
	"os/exec"
)

// errNoNamespaces is returned by Run where the guard cannot be set up.
var errNoNamespaces = errors.New("namespaces unavailable, so nothing is run")

func probeNamespaces() error { return errors.New("the sandbox needs Linux namespaces") }

func guardedCommand(Cmd, Limits, string, []string) (*exec.Cmd, func(), error) {
	return nil, nil, errNoNamespaces
}
