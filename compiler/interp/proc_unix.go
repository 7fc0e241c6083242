//go:build unix && !linux

package interp

import (
	"os"
	"syscall"
)

// sysProcAttr starts an interpreter in a process group of its own.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}

// lifelinePipe: there is no lifeline outside Linux (pipes do not signal
// their readers there when the writer goes).  A killed pyc leaves its
// interpreters to notice the end of their input.
func lifelinePipe() (r, w *os.File, err error) { return nil, nil, nil }

func armLifeline(*os.File, int) error { return nil }
