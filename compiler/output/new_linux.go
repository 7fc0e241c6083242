//go:build linux

package output

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"

	"golang.org/x/sys/unix"
)

// writeNew creates path, which did not exist when it was looked at,
// holding data, in one step: the data goes into an unnamed file in path's
// directory (O_TMPFILE; the directory and its parents are created first
// if it is missing), which is then linked at path.  Until the link the
// file has no name, so a process killed at any moment, even by SIGKILL,
// leaves neither a partial file nor a temporary one.  It reports false,
// having changed nothing but perhaps the directories, when it cannot do
// that (path appeared meanwhile, or the file system has no O_TMPFILE):
// Write then goes the temporary-name way.
//
// The file is written and closed with plain system calls: an *os.File
// would first ask the kernel twice about the descriptor (fcntl, and an
// epoll registration that a regular file refuses) for nothing.
func writeNew(path string, data []byte, mode fs.FileMode) (bool, error) {
	dir := filepath.Dir(path)
	fd, err := unix.Open(dir, unix.O_TMPFILE|unix.O_WRONLY|unix.O_CLOEXEC, uint32(mode.Perm()))
	if errors.Is(err, unix.ENOENT) {
		if err := os.MkdirAll(dir, 0o777); err != nil {
			return true, fmt.Errorf("write %s: %w", path, err)
		}
		fd, err = unix.Open(dir, unix.O_TMPFILE|unix.O_WRONLY|unix.O_CLOEXEC, uint32(mode.Perm()))
	}
	if err != nil {
		return false, nil
	}
	defer unix.Close(fd)
	for rest := data; len(rest) > 0; {
		n, err := unix.Write(fd, rest)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return true, fmt.Errorf("write %s: %w", path, &os.PathError{Op: "write", Path: path, Err: err})
		}
		rest = rest[n:]
	}
	err = unix.Linkat(unix.AT_FDCWD, "/proc/self/fd/"+strconv.Itoa(fd), unix.AT_FDCWD, path, unix.AT_SYMLINK_FOLLOW)
	if err != nil {
		// EEXIST: path appeared meanwhile, and is to be replaced.  Anything
		// else (no /proc): the other way may work.
		return false, nil
	}
	return true, nil
}
