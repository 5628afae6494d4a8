//go:build !unix

package ipamorg_test

import "time"

// processCPU is not measured here: lib-cpu-ms reads 0.
func processCPU() time.Duration { return 0 }
