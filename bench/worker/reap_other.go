//go:build !linux

package main

import "time"

// becomeSubreaper does nothing where there are no subreapers: orphans'
// CPU time is then not counted.
func becomeSubreaper() error { return nil }

// reapOrphans has nothing to reap without becomeSubreaper.
func reapOrphans(time.Duration) error { return nil }
