// Package cputime reads the CPU time this process has used, for the
// benchmarks: on a machine shared with other work, wall time says little,
// while the process's own user and system time barely moves.
package cputime

import (
	"testing"
	"time"
)

// Report adds to b the throughput per CPU second since start (a Process
// reading taken when the timed loop began): megabytes of source per CPU
// second when bytes is above zero, and files per CPU second when files is.
// It adds nothing where the platform does not tell the CPU time.
func Report(b *testing.B, start time.Duration, bytes int64, files int) {
	d := Process() - start
	if d <= 0 {
		return
	}
	if bytes > 0 {
		b.ReportMetric(float64(bytes)*float64(b.N)/1e6/d.Seconds(), "MB/cpu-s")
	}
	if files > 0 {
		b.ReportMetric(float64(files*b.N)/d.Seconds(), "files/cpu-s")
	}
}
