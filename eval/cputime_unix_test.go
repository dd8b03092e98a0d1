//go:build unix

package eval

import (
	"syscall"
	"time"
)

// cpuTime returns the CPU time (user + system) the test process has used: on a shared machine it
// measures the work a benchmark does regardless of how long it waited for a core.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
