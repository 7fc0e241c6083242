//go:build unix

package interp

import (
	"syscall"
	"time"
)

// sysProcAttr puts the server in a process group of its own, so that a
// timeout can kill it together with the child it forked.
func sysProcAttr() *syscall.SysProcAttr {
	return procAttr()
}

// killGroup kills the server's whole process group.
func killGroup(pid int) {
	_ = syscall.Kill(-pid, syscall.SIGKILL)
	_ = syscall.Kill(pid, syscall.SIGKILL)
}

func closeGrace() <-chan time.Time { return time.After(2 * time.Second) }
