package worker

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// TakeStdout keeps the process's stdout for responses and sends everything
// else written to file descriptor 1 to stderr. It duplicates fd 1 to a new
// close-on-exec descriptor, returned as the response stream, and then points
// fd 1 at fd 2, so that a stray print, a library's logging or a child
// process that inherits fd 1 can no longer corrupt the responses. Call it
// once, first thing in main, before anything else runs.
func TakeStdout() (*os.File, error) {
	fd, err := unix.FcntlInt(uintptr(unix.Stdout), unix.F_DUPFD_CLOEXEC, 3)
	if err != nil {
		return nil, fmt.Errorf("take stdout: duplicate fd 1: %w", err)
	}
	if err := unix.Dup3(unix.Stderr, unix.Stdout, 0); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("take stdout: point fd 1 at stderr: %w", err)
	}
	return os.NewFile(uintptr(fd), "worker responses"), nil
}
