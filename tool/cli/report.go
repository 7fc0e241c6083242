package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"

	"github.com/rules-pyc/rules_pyc/compiler/engine"
	"github.com/rules-pyc/rules_pyc/compiler/failure"
	"github.com/rules-pyc/rules_pyc/internal/pyrepr"
)

// errorText is what compileall prints after "*** " for a file that failed:
// py_compile's message for a source CPython rejects, and
// "<OSError subclass>: <message>" for a file that can't be read or written.
// Failures compileall does not have (a crash, a timeout, an interpreter
// that stops serving) get pyc's message, with the option that changes it.
func errorText(err error) string {
	var ce *failure.CompileError
	if errors.As(err, &ce) {
		return ce.Msg
	}
	var se *failure.SourceError
	if errors.As(err, &se) {
		return osErrorClass(se.Err) + ": " + se.Error()
	}
	var re *failure.RefusedError
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
	return err.Error() + hint(err)
}

// hint names the option that bears on err, for the errors of the engine
// that an option changes; "" for the others.  The engine's messages name
// no option, since the worker has other names for them.
func hint(err error) string {
	var te *failure.TimeoutError
	var st *failure.StartTimeoutError
	var ve *failure.VersionError
	var ie *failure.InterpreterError
	var ur *failure.UnsupportedReleaseError
	var us *failure.UnsupportedError
	var fb *failure.FallbackError
	switch {
	case errors.As(err, &fb):
		return " (name an interpreter of that release with --python, or a covered release with --python-version)"
	case errors.As(err, &ur):
		return " (use --backend cpython with --python)"
	case errors.As(err, &us):
		return " (compile it with an interpreter of that release: --python PATH, with --backend auto or cpython)"
	case errors.As(err, &te):
		return " (raise the limit with --timeout)"
	case errors.As(err, &st):
		return " (raise the limit with --startup-timeout)"
	case errors.As(err, &ve):
		return " (change --python or --python-version)"
	case errors.As(err, &ie):
		return " (name the interpreter with --python)"
	}
	return ""
}

// targetHint is hint for an error in choosing what compiles: under auto
// or native with no --python and no --python-version, where python3 was
// looked for to name the release, it also tells that a 3.13 release needs
// no interpreter.
func targetHint(opts *options, err error) string {
	var ie *failure.InterpreterError
	if errors.As(err, &ie) && opts.backend != engine.CPython && !opts.hasPython && opts.pythonVersion == "" {
		return " (name the interpreter with --python, or the release with --python-version: 3.13 needs no interpreter)"
	}
	return hint(err)
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
