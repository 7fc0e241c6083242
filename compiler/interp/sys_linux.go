//go:build linux

package interp

import "syscall"

// procAttr also asks the kernel to kill the server if this process dies, so
// a killed worker leaves no interpreter behind.
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
