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

// writeNew creates path, which does not exist, holding data, in one step:
// the data goes into an unnamed file in path's directory (O_TMPFILE), which
// is then linked at path.  Until the link the file has no name, so a process
// killed at any moment, even by SIGKILL, leaves neither a partial file nor a
// temporary one.  It reports false, having changed nothing, when it cannot
// do that (path exists, or the file system has no O_TMPFILE): Write then
// goes the temporary-name way.
func writeNew(path string, data []byte, mode fs.FileMode) (bool, error) {
	if _, err := os.Lstat(path); !errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	fd, err := unix.Open(filepath.Dir(path), unix.O_TMPFILE|unix.O_WRONLY|unix.O_CLOEXEC, uint32(mode.Perm()))
	if err != nil {
		return false, nil
	}
	f := os.NewFile(uintptr(fd), path)
	defer f.Close()
	if _, err := f.Write(data); err != nil {
		return true, fmt.Errorf("write %s: %w", path, err)
	}
	err = unix.Linkat(unix.AT_FDCWD, "/proc/self/fd/"+strconv.Itoa(fd), unix.AT_FDCWD, path, unix.AT_SYMLINK_FOLLOW)
	if err != nil {
		// EEXIST: path appeared meanwhile, and is to be replaced.  Anything
		// else (no /proc): the other way may work.
		return false, nil
	}
	return true, nil
}
