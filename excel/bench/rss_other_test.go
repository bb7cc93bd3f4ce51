//go:build !linux

package bench

import "os"

// peakRSS is not measured outside Linux.
func peakRSS() uint64 { return 0 }

// childPeakRSS is not measured outside Linux.
func childPeakRSS(*os.ProcessState) uint64 { return 0 }
