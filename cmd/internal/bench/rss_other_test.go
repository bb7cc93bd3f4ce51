//go:build !linux

package bench

import (
	"os"
	"time"
)

// peakRSS is not measured outside Linux.
func peakRSS() uint64 { return 0 }

// childPeakRSS is not measured outside Linux.
func childPeakRSS(*os.ProcessState) uint64 { return 0 }

// cpuTime is not measured outside Linux.
func cpuTime() time.Duration { return 0 }
