package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"

	"github.com/rules-pyc/rules_pyc/compiler/engine"
	"github.com/rules-pyc/rules_pyc/compiler/interp"
	"github.com/rules-pyc/rules_pyc/compiler/output"
	"github.com/rules-pyc/rules_pyc/internal/pyrepr"
)

// errorText is what compileall prints after "*** " for a file that failed:
// py_compile's message for a source CPython rejects, and
// "<OSError subclass>: <message>" for a file that can't be read or written.
func errorText(err error) string {
	var ce *interp.CompileError
	if errors.As(err, &ce) {
		return ce.Msg
	}
	var se *engine.SourceError
	if errors.As(err, &se) {
		return osErrorClass(se.Err) + ": " + se.Error()
	}
	var re *output.RefusedError
	if errors.As(err, &re) {
		return "FileExistsError: " + re.Error()
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		var errno syscall.Errno
		if errors.As(le.Err, &errno) {
			return fmt.Sprintf("%s: [Errno %d] %s: %s -> %s", osErrorClass(errno), int(errno),
				pyrepr.Strerror(errno), pyrepr.String(le.Old), pyrepr.String(le.New))
		}
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return osErrorClass(pe.Err) + ": " + pyrepr.OSError(pe.Path, pe.Err)
	}
	return err.Error()
}

// osErrorClass is the subclass of OSError Python raises for err's errno
// (PEP 3151).
func osErrorClass(err error) string {
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return "OSError"
	}
	switch errno {
	case syscall.EAGAIN, syscall.EALREADY, syscall.EINPROGRESS:
		return "BlockingIOError"
	case syscall.ECHILD:
		return "ChildProcessError"
	case syscall.EPIPE, syscall.ESHUTDOWN:
		return "BrokenPipeError"
	case syscall.ECONNABORTED:
		return "ConnectionAbortedError"
	case syscall.ECONNREFUSED:
		return "ConnectionRefusedError"
	case syscall.ECONNRESET:
		return "ConnectionResetError"
	case syscall.EEXIST:
		return "FileExistsError"
	case syscall.ENOENT:
		return "FileNotFoundError"
	case syscall.EISDIR:
		return "IsADirectoryError"
	case syscall.ENOTDIR:
		return "NotADirectoryError"
	case syscall.EINTR:
		return "InterruptedError"
	case syscall.EACCES, syscall.EPERM:
		return "PermissionError"
	case syscall.ESRCH:
		return "ProcessLookupError"
	case syscall.ETIMEDOUT:
		return "TimeoutError"
	}
	return "OSError"
}
