// Package output writes .pyc files the way py_compile does: refuse to write
// through a symlink or over a non-regular file, create the directory, write a
// temporary file beside the target and rename it into place, so that a reader
// sees either the old file or the whole new one.  (On Linux a new file is
// written unnamed and then linked into place, so that nothing is left
// behind even by a killed process.)
package output

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"

	"github.com/rules-pyc/rules_pyc/compiler/failure"
)

// Check refuses path as py_compile does before it compiles anything: when it
// is a symlink, or exists and is not a regular file (a
// *failure.RefusedError). A path that does not exist passes.
func Check(path string) error {
	st, err := os.Lstat(path)
	return refuse(path, st, err)
}

// refuse is Check given path's Lstat result.
func refuse(path string, st fs.FileInfo, lstatErr error) error {
	switch {
	case errors.Is(lstatErr, fs.ErrNotExist):
		return nil
	case lstatErr != nil:
		return fmt.Errorf("check %s: %w", path, lstatErr)
	case st.Mode()&fs.ModeSymlink != 0:
		return &failure.RefusedError{Path: path, Reason: failure.Symlink}
	case !st.Mode().IsRegular():
		return &failure.RefusedError{Path: path, Reason: failure.NonRegular}
	}
	return nil
}

// Mode returns the permission bits py_compile asks for when it creates the
// .pyc of a source with mode sourceMode: (st_mode | 0o200) & 0o666. The
// process umask is applied on top when the file is created. Pass 0o666 when
// the source cannot be stat'ed, as py_compile does.
func Mode(sourceMode fs.FileMode) fs.FileMode {
	return (sourceMode.Perm() | 0o200) & 0o666
}

// Write replaces path with data, as py_compile does: it refuses path (see
// Check), creates path's directory and its parents (0o777 less the umask),
// writes data to a new temporary file in that directory, created exclusively
// with Mode(sourceMode) less the umask, and renames it onto path. On any
// error the temporary file is removed: path holds either its old content or
// all of data.  On Linux a path that does not exist yet is created without
// a temporary name (see writeNew), so that not even a process killed with
// SIGKILL leaves one behind.
func Write(path string, data []byte, sourceMode fs.FileMode) error {
	st, err := os.Lstat(path)
	return write(path, data, sourceMode, st, err)
}

// Update is Write, except that a regular file at path that already holds
// exactly data is left as it is (compileall leaves an unchanged .pyc alone
// unless forced). It reports whether it wrote. It looks at path once for
// both: a new output costs one failed lstat before it is created.
func Update(path string, data []byte, sourceMode fs.FileMode) (bool, error) {
	st, err := os.Lstat(path)
	if err == nil {
		if same, _ := holds(path, st, data); same {
			return false, nil
		}
	}
	return true, write(path, data, sourceMode, st, err)
}

// write is Write given path's Lstat result.
func write(path string, data []byte, sourceMode fs.FileMode, st fs.FileInfo, lstatErr error) error {
	if err := refuse(path, st, lstatErr); err != nil {
		return err
	}
	if errors.Is(lstatErr, fs.ErrNotExist) {
		if done, err := writeNew(path, data, Mode(sourceMode)); done {
			return err
		}
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o777); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
	}
	f, tmp, err := createTemp(path, func(name string) (*os.File, error) {
		return os.OpenFile(name, os.O_CREATE|os.O_EXCL|os.O_WRONLY, Mode(sourceMode))
	})
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	_, werr := f.Write(data)
	cerr := f.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// Same reports whether path is a regular file (not a symlink) holding
// exactly data. A path that does not exist is not the same.
func Same(path string, data []byte) (bool, error) {
	st, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("compare %s: %w", path, err)
	}
	return holds(path, st, data)
}

// holds reports whether path, whose Lstat gave st, is a regular file (not
// a symlink) holding exactly data.
func holds(path string, st fs.FileInfo, data []byte) (bool, error) {
	if !st.Mode().IsRegular() || st.Size() != int64(len(data)) {
		return false, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return false, fmt.Errorf("compare %s: %w", path, err)
	}
	defer f.Close()
	// Read one byte more than expected, to see a file that grew meanwhile.
	got, err := io.ReadAll(io.LimitReader(f, int64(len(data))+1))
	if err != nil {
		return false, fmt.Errorf("compare %s: %w", path, err)
	}
	return bytes.Equal(got, data), nil
}

// Link makes path a hard link to existing (compileall --hardlink-dupes),
// with the refusals of Write. The link is made under a temporary name in
// path's directory, then renamed onto path, so path is never missing.
func Link(existing, path string) error {
	if err := Check(path); err != nil {
		return err
	}
	src, err := os.Stat(existing)
	if err != nil {
		return fmt.Errorf("link %s to %s: %w", path, existing, err)
	}
	if dst, err := os.Lstat(path); err == nil && os.SameFile(src, dst) {
		// Already linked; rename(2) would keep the temporary name as well.
		return nil
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o777); err != nil {
			return fmt.Errorf("link %s to %s: %w", path, existing, err)
		}
	}
	_, tmp, err := createTemp(path, func(name string) (*os.File, error) {
		return nil, os.Link(existing, name)
	})
	if err != nil {
		return fmt.Errorf("link %s to %s: %w", path, existing, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("link %s to %s: %w", path, existing, err)
	}
	return nil
}

// createTemp creates a new name beside path with create, which must fail
// with fs.ErrExist when the name is taken; it tries other names then.
// py_compile names its temporary file path + "." + a number; so does this.
func createTemp(path string, create func(name string) (*os.File, error)) (*os.File, string, error) {
	for try := 0; ; try++ {
		var b [8]byte
		if _, err := rand.Read(b[:]); err != nil {
			return nil, "", fmt.Errorf("temporary name: %w", err)
		}
		name := path + "." + strconv.FormatUint(binary.LittleEndian.Uint64(b[:]), 10)
		f, err := create(name)
		if err == nil {
			return f, name, nil
		}
		if !errors.Is(err, fs.ErrExist) || try >= 10 {
			return nil, "", err
		}
	}
}
