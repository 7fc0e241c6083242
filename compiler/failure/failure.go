// Package failure defines every kind of error the compiler packages
// (interp, pool, output, engine and its native backend) return, in one
// place, so that a caller tells them apart with errors.As without knowing
// which layer made them.
//
// The kinds fall in two families, told apart by IsJob:
//
//   - a job's own problem (SourceError, CompileError, CrashError,
//     TimeoutError, RefusedError, and the native compiler's UnsupportedError
//     and NativeFaultError): that one source or output failed, and the
//     other jobs go on;
//   - an interpreter's problem (InterpreterError, VersionError,
//     ServerError), or a release the native compiler does not cover
//     (UnsupportedReleaseError, and FallbackError when no interpreter can
//     stand in for it): nothing can be compiled that way.
//
// Messages never name a command-line flag: the tool that has flags (the
// command line, the worker) adds its own hints.
package failure

import (
	"errors"
	"fmt"
	"syscall"
	"time"

	"github.com/rules-pyc/rules_pyc/internal/pyrepr"
)

// SourceError is a source file that could not be read.  Its message is
// Python's OSError text, as py_compile reports it.
type SourceError struct {
	Path string
	Err  error
}

func (e *SourceError) Error() string { return pyrepr.OSError(e.Path, e.Err) }
func (e *SourceError) Unwrap() error { return e.Err }

// CompileError is a source that CPython refused to compile.  Its message is
// the text py_compile prints for it (for a SyntaxError: file, line, caret).
type CompileError struct {
	Msg string
	// Stub, when asked for, is the marshalled code of a module that raises
	// the exception that compiling the source raised, so that importing it
	// fails as importing the source would.
	Stub []byte
}

func (e *CompileError) Error() string { return e.Msg }

// CrashError is a compile whose forked process died: the interpreter
// crashed (for example a C stack overflow on a deeply nested source) or was
// killed.  The server that forked it goes on serving.
type CrashError struct {
	Status syscall.WaitStatus
}

func (e *CrashError) Error() string {
	switch {
	case e.Status.Signaled():
		return fmt.Sprintf("the interpreter crashed while compiling (killed by signal %d: %s)", int(e.Status.Signal()), e.Status.Signal())
	case e.Status.Exited() && e.Status.ExitStatus() != 0:
		return fmt.Sprintf("the interpreter exited with status %d while compiling", e.Status.ExitStatus())
	default:
		return "the interpreter stopped while compiling without an answer"
	}
}

// TimeoutError is a compile that took longer than its limit.  The server
// that ran it was stopped, or, for the native compiler (Native), the
// compile itself.
type TimeoutError struct {
	Limit  time.Duration
	Native bool
}

func (e *TimeoutError) Error() string {
	if e.Native {
		return fmt.Sprintf("compiling took longer than the limit of %s; the native compile was stopped", e.Limit)
	}
	return fmt.Sprintf("compiling took longer than the limit of %s; the interpreter was stopped", e.Limit)
}

// Reason says why an output was refused.
type Reason int

const (
	// Symlink: the target is a symbolic link (dangling or not).
	Symlink Reason = iota + 1
	// NonRegular: the target exists and is not a regular file (a
	// directory, a FIFO, a device, a socket).
	NonRegular
)

// RefusedError reports an output that py_compile refuses to replace.
// Python raises it as FileExistsError; Error returns py_compile's message.
type RefusedError struct {
	Path   string
	Reason Reason
}

func (e *RefusedError) Error() string {
	if e.Reason == Symlink {
		return e.Path + " is a symlink and will be changed into a regular file if import writes a byte-compiled file to it"
	}
	return e.Path + " is a non-regular file and will be changed into a regular one if import writes a byte-compiled file to it"
}

// InterpreterError is an interpreter that cannot be used: it is missing, is
// not CPython 3.8 or newer, is not the version asked for, did not identify
// itself within the start-up limit (Err is then a *StartTimeoutError), or
// changed since it was identified.  Err's message names the interpreter.
type InterpreterError struct {
	Path string
	Err  error
}

func (e *InterpreterError) Error() string { return e.Err.Error() }
func (e *InterpreterError) Unwrap() error { return e.Err }

// StartTimeoutError is an interpreter that did not say who it is within
// the start-up limit.  It was stopped.
type StartTimeoutError struct {
	Path  string
	Limit time.Duration
}

func (e *StartTimeoutError) Error() string {
	return fmt.Sprintf("interpreter %s did not say which Python it is within %s of its start, and was stopped", e.Path, e.Limit)
}

// VersionError is an interpreter that is not the version asked for.
type VersionError struct {
	Path     string
	Version  string // what it is: "3.12.1"
	Magic    [4]byte
	CacheTag string
	Want     string // what was asked for: "3.12" or "3.12.1"
}

func (e *VersionError) Error() string {
	return fmt.Sprintf("interpreter %s is CPython %s (magic %x, cache tag %s), but Python %s was requested: use a %s interpreter or change the requested version",
		e.Path, e.Version, e.Magic[:], e.CacheTag, e.Want, e.Want)
}

// ServerError is a compile server that stopped serving in the middle of a
// request: its process died, closed its pipes, or broke the protocol (an
// answer that makes no sense or exceeds its limit, see LimitError).  The
// server is stopped; the request may be tried again on a new one.
type ServerError struct {
	Path string
	// Died is set when the process ended by itself; otherwise the server
	// broke the protocol and was stopped.
	Died bool
	Err  error
}

func (e *ServerError) Error() string {
	if e.Died {
		return fmt.Sprintf("the interpreter process died (%s: %v)", e.Path, e.Err)
	}
	return fmt.Sprintf("the interpreter process stopped answering correctly and was stopped (%s: %v)", e.Path, e.Err)
}

func (e *ServerError) Unwrap() error { return e.Err }

// LimitError is something read from an interpreter process that is larger
// than its limit: pyc stops reading there instead of holding it in memory.
type LimitError struct {
	// What was read: "its first answer", "a compile answer", ...
	What string
	// Announced is the size the process announced for it; 0 when it was
	// not announced, only read past the limit.
	Announced int64
	Limit     int64
}

func (e *LimitError) Error() string {
	if e.Announced > 0 {
		return fmt.Sprintf("%s would be %d bytes, over the limit of %d bytes", e.What, e.Announced, e.Limit)
	}
	return fmt.Sprintf("%s is longer than the limit of %d bytes", e.What, e.Limit)
}

// UnsupportedReleaseError is a release the native compiler does not vouch
// for: unknown, newer than the newest it knows, or one whose changes it
// does not model. The CPython backend, with an interpreter of that release,
// is the way out.
type UnsupportedReleaseError struct {
	// Release is the release asked for ("3.13.4", or a version as given).
	Release string
	// Covered lists the releases the native compiler covers.
	Covered string
	Err     error
}

func (e *UnsupportedReleaseError) Error() string {
	return fmt.Sprintf("%v (it covers %s): compile with an interpreter of that release instead", e.Err, e.Covered)
}

func (e *UnsupportedReleaseError) Unwrap() error { return e.Err }

// FallbackError is the CPython backend's failure to start for a release
// the native compiler does not cover, under auto: Err is that failure (an
// *InterpreterError or *VersionError), Release why the native compiler was
// not used. errors.As finds either.
type FallbackError struct {
	Release *UnsupportedReleaseError
	Err     error
}

func (e *FallbackError) Error() string {
	return fmt.Sprintf("%v (it covers %s), and the CPython backend cannot compile for it: %v", e.Release.Err, e.Release.Covered, e.Err)
}

func (e *FallbackError) Unwrap() []error { return []error{e.Err, e.Release} }

// UnsupportedError is a source the native compiler cannot reproduce
// CPython's result for (a source encoding it lacks, a construct it does not
// generate yet): an interpreter of the release must compile it.
type UnsupportedError struct {
	Err error
}

func (e *UnsupportedError) Error() string { return e.Err.Error() }
func (e *UnsupportedError) Unwrap() error { return e.Err }

// NativeFaultError is a failure of the native compiler itself on one
// source (a bug): the stage and what went wrong (Stack for a panic).
type NativeFaultError struct {
	Stage string
	Err   error
	Stack []byte
}

func (e *NativeFaultError) Error() string {
	return fmt.Sprintf("internal error of the native compiler (%s): %v", e.Stage, e.Err)
}

func (e *NativeFaultError) Unwrap() error { return e.Err }

// IsJob reports whether err is about one job's source or output (it can't
// be read, doesn't compile, crashes or hangs the interpreter, or its output
// is refused) rather than about the interpreter or the tool.
func IsJob(err error) bool {
	var se *SourceError
	var ce *CompileError
	var cr *CrashError
	var te *TimeoutError
	var re *RefusedError
	var ue *UnsupportedError
	var nf *NativeFaultError
	return errors.As(err, &se) || errors.As(err, &ce) || errors.As(err, &cr) || errors.As(err, &te) || errors.As(err, &re) ||
		errors.As(err, &ue) || errors.As(err, &nf)
}

// IsSource reports whether err is about the job's source itself: it can't
// be read, doesn't compile, or crashes or hangs the interpreter.  These are
// reported with the source's own message, like py_compile's.
func IsSource(err error) bool {
	var re *RefusedError
	return IsJob(err) && !errors.As(err, &re)
}
