//go:build unix

package ipamorg_test

import (
	"syscall"
	"time"
)

// processCPU is the CPU time (user and system) this process has used so
// far: the library's, the SDK's and the Go runtime's (BenchmarkFleet's
// emulator is in another process).
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
