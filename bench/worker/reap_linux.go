//go:build linux

package main

import (
	"fmt"
	"time"

	"golang.org/x/sys/unix"
)

// becomeSubreaper makes orphaned descendants (compileall's forkserver, for
// one, which outlives its parent by a moment) children of this process, so
// that their CPU time is counted once they are reaped.
func becomeSubreaper() error {
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("prctl(PR_SET_CHILD_SUBREAPER): %w", err)
	}
	return nil
}

// reapOrphans waits for every remaining child of this process.  It is only
// called when no command of this process is running, so every child is an
// orphan adopted as subreaper.
func reapOrphans(within time.Duration) error {
	deadline := time.Now().Add(within)
	for {
		var st unix.WaitStatus
		pid, err := unix.Wait4(-1, &st, unix.WNOHANG, nil)
		switch {
		case err == unix.ECHILD:
			return nil
		case err == unix.EINTR:
			continue
		case err != nil:
			return fmt.Errorf("wait for orphaned processes: %w", err)
		case pid > 0:
			continue
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("processes left running %v after the measured command exited", within)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
