//go:build linux

package interp

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// sysProcAttr starts an interpreter in a process group of its own and has
// the kernel kill it when this process dies.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// lifelinePipe makes the lifeline: the read end goes to the process (as an
// inherited descriptor), the write end stays here.
func lifelinePipe() (r, w *os.File, err error) {
	return os.Pipe()
}

// armLifeline asks the kernel to send SIGKILL to the process group pgid
// when the pipe's last write end closes.  A pipe whose last writer goes
// away signals its asynchronous readers (fcntl O_ASYNC) with the signal
// chosen by F_SETSIG, sent to the owner chosen by F_SETOWN (a negative
// owner is a process group).  These are properties of the open file
// description, which the process shares through the descriptor it
// inherited, so r itself can be closed here afterwards.
func armLifeline(r *os.File, pgid int) error {
	fd := r.Fd()
	if _, err := unix.FcntlInt(fd, unix.F_SETOWN, -pgid); err != nil {
		return os.NewSyscallError("fcntl F_SETOWN", err)
	}
	if _, err := unix.FcntlInt(fd, unix.F_SETSIG, int(unix.SIGKILL)); err != nil {
		return os.NewSyscallError("fcntl F_SETSIG", err)
	}
	flags, err := unix.FcntlInt(fd, unix.F_GETFL, 0)
	if err != nil {
		return os.NewSyscallError("fcntl F_GETFL", err)
	}
	if _, err := unix.FcntlInt(fd, unix.F_SETFL, flags|unix.O_ASYNC); err != nil {
		return os.NewSyscallError("fcntl F_SETFL", err)
	}
	return nil
}
