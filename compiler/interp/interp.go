// Package interp talks to CPython: it asks an interpreter who it is, and runs
// the long-lived compile server (server.py) inside it.
//
// Every compile happens in a process forked from a server that has done
// nothing but import py_compile, so the marshal stream of each code object is
// exactly what a fresh `python -S -s` process running py_compile would write.
//
// Nothing started here can hang its caller or outlive this process: every
// wait is bounded (the start-up limit, the caller's context), everything read
// from a process is bounded (see DefaultMaxAnswer), and every process runs in
// a process group of its own that is killed with it, and with this process
// (see proc).  Errors are the kinds of package failure.
package interp

import (
	"context"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/rules-pyc/rules_pyc/compiler/failure"
)

// MinMinor is the oldest CPython 3 minor version supported.
const MinMinor = 8

// DefaultStartupTimeout is Options.StartupTimeout when none is given.
const DefaultStartupTimeout = 10 * time.Second

//go:embed server.py
var serverSource string

// flags are the interpreter options of every process: no site, no user
// site, no bytecode writing.  Not -I or -E: they make the interpreter ignore
// PYTHONHASHSEED, which the environment pins to 0 (up to 3.10 marshal writes
// set constants in hash order).
var flags = []string{"-S", "-s", "-B"}

// probeSource prints what identifies the interpreter, NUL-separated: its
// implementation, version, magic number, cache tag and sys.executable. It
// imports nothing that start-up has not already loaded (importing
// importlib.util and json doubled its cost), and runs far enough on old or
// foreign interpreters to report their version.
const probeSource = `import sys
i = getattr(sys, "implementation", None)
e = sys.modules.get("_frozen_importlib_external")
sys.stdout.write("\0".join([
    i.name if i else "", "%d.%d.%d" % tuple(sys.version_info[:3]),
    e.MAGIC_NUMBER.hex() if e else "", (i.cache_tag or "") if i else "",
    sys.executable or ""]))`

// Options say how interpreter processes are run.
type Options struct {
	// Stderr receives what a server prints on stderr once it serves
	// (compiler warnings); nil discards it.  What an interpreter prints
	// before that is kept for the message if it fails to start.
	Stderr io.Writer
	// StartupTimeout bounds the time from starting an interpreter to its
	// first answer, which says who it is; 0 means DefaultStartupTimeout.
	StartupTimeout time.Duration
	// MaxAnswer bounds one compile answer, in bytes; 0 means
	// DefaultMaxAnswer.
	MaxAnswer int64
}

func (o Options) withDefaults() Options {
	if o.StartupTimeout <= 0 {
		o.StartupTimeout = DefaultStartupTimeout
	}
	if o.MaxAnswer <= 0 {
		o.MaxAnswer = DefaultMaxAnswer
	}
	return o
}

// Info identifies one interpreter build.
type Info struct {
	// Path is the interpreter as it was named (after resolving a bare command
	// name on PATH).
	Path string
	// Executable is sys.executable as the interpreter reports it.
	Executable string
	// Version is "major.minor.micro", e.g. "3.12.1".
	Version             string
	Major, Minor, Micro int
	// Magic is importlib.util.MAGIC_NUMBER.
	Magic [4]byte
	// CacheTag is sys.implementation.cache_tag, e.g. "cpython-312".
	CacheTag string
}

// String describes the interpreter for messages.
func (i *Info) String() string {
	return fmt.Sprintf("%s (CPython %s, magic %x)", i.Path, i.Version, i.Magic[:])
}

// Resolve turns an interpreter name into a path: a bare name (no slash) is
// looked up on PATH, anything else is made absolute.  An empty name means
// python3.  Errors are *failure.InterpreterError.
func Resolve(python string) (string, error) {
	if python == "" {
		python = "python3"
	}
	unusable := func(err error) (string, error) {
		return "", &failure.InterpreterError{Path: python, Err: err}
	}
	if !strings.ContainsRune(python, os.PathSeparator) {
		p, err := exec.LookPath(python)
		if err != nil {
			return unusable(fmt.Errorf("find Python interpreter %q on PATH: %w", python, err))
		}
		python = p
	}
	abs, err := filepath.Abs(python)
	if err != nil {
		return unusable(fmt.Errorf("resolve interpreter %s: %w", python, err))
	}
	st, err := os.Stat(abs)
	if err != nil {
		return unusable(fmt.Errorf("interpreter %s: %w", python, err))
	}
	if st.IsDir() || st.Mode()&0o111 == 0 {
		return unusable(fmt.Errorf("interpreter %s is not an executable file", python))
	}
	return abs, nil
}

// Probe runs the interpreter once and asks it for its version, magic number
// and cache tag.  It fails for anything that is not CPython 3.8 or newer,
// and for an interpreter that has not answered within the start-up limit
// or answers more than any interpreter would.  Errors are
// *failure.InterpreterError, or ctx's error.
func Probe(ctx context.Context, python string, opts Options) (*Info, error) {
	path, err := Resolve(python)
	if err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	ctx, cancel := context.WithTimeoutCause(ctx, opts.StartupTimeout, errStartup)
	defer cancel()
	return probe(ctx, path, opts)
}

// errStartup is the cause of a context that ended at the start-up limit.
var errStartup = errors.New("start-up limit")

// probe is Probe for a resolved path, under a context that ends at the
// start-up limit (with cause errStartup) or earlier.
func probe(ctx context.Context, path string, opts Options) (*Info, error) {
	unusable := func(err error) (*Info, error) {
		return nil, &failure.InterpreterError{Path: path, Err: err}
	}
	sink := newStderrSink(path, nil)
	p, err := spawn(path, append(append([]string{}, flags...), "-c", probeSource), sink)
	if err != nil {
		return unusable(fmt.Errorf("probe interpreter %s: %w", path, err))
	}
	defer p.kill()
	p.stdin.Close()
	type answer struct {
		data []byte
		err  error
	}
	ch := make(chan answer, 1)
	go func() {
		data, err := io.ReadAll(io.LimitReader(p.stdout, maxHello+1))
		if err == nil && len(data) > maxHello {
			err = &failure.LimitError{What: "its answer", Limit: maxHello}
		}
		if err == nil {
			<-p.done
		}
		ch <- answer{data, err}
	}()
	var a answer
	select {
	case a = <-ch:
	case <-ctx.Done():
		p.kill()
		<-ch
		if context.Cause(ctx) == errStartup {
			return unusable(&failure.StartTimeoutError{Path: path, Limit: opts.StartupTimeout})
		}
		return nil, ctx.Err()
	}
	if a.err != nil {
		return unusable(fmt.Errorf("probe interpreter %s: %w", path, a.err))
	}
	if p.err != nil {
		msg := sink.lastLine()
		if msg != "" {
			msg = ": " + msg
		}
		return unusable(fmt.Errorf("probe interpreter %s: %w%s (is it CPython 3.%d or newer?)", path, p.err, msg, MinMinor))
	}
	info, err := identify(path, string(a.data))
	if err != nil {
		return unusable(err)
	}
	return info, nil
}

// identify reads what probeSource prints (and what the compile server says
// first): five NUL-separated fields.
func identify(path, answer string) (*Info, error) {
	fields := strings.Split(answer, "\x00")
	if len(fields) != 5 {
		if len(answer) > 200 {
			answer = answer[:200] + "..."
		}
		return nil, fmt.Errorf("probe interpreter %s: unexpected answer %q", path, answer)
	}
	impl, version, magicHex, cacheTag, executable := fields[0], fields[1], fields[2], fields[3], fields[4]
	info := &Info{Path: path, Executable: executable, Version: version, CacheTag: cacheTag}
	if _, err := fmt.Sscanf(version, "%d.%d.%d", &info.Major, &info.Minor, &info.Micro); err != nil {
		return nil, fmt.Errorf("probe interpreter %s: unexpected version %q", path, version)
	}
	if info.Major != 3 || info.Minor < MinMinor {
		name := "Python"
		if impl == "cpython" {
			name = "CPython"
		}
		return nil, fmt.Errorf("interpreter %s is %s %s: CPython 3.%d or newer is required", path, name, info.Version, MinMinor)
	}
	if impl != "cpython" {
		return nil, fmt.Errorf("interpreter %s is %s %s: only CPython is supported", path, impl, info.Version)
	}
	magic, err := hex.DecodeString(magicHex)
	if err != nil || len(magic) != 4 {
		return nil, fmt.Errorf("probe interpreter %s: bad magic number %q", path, magicHex)
	}
	copy(info.Magic[:], magic)
	if info.CacheTag == "" {
		return nil, fmt.Errorf("interpreter %s has no cache tag: it cannot write __pycache__ files", path)
	}
	return info, nil
}

// Check compares the interpreter against what the caller asked for: want is
// "X.Y" or "X.Y.Z" (empty: anything).  A mismatch is a
// *failure.VersionError.
func (i *Info) Check(want string) error {
	if want == "" {
		return nil
	}
	parts := strings.Split(want, ".")
	have := []int{i.Major, i.Minor, i.Micro}
	if len(parts) < 2 || len(parts) > 3 {
		return fmt.Errorf("bad Python version %q: want X.Y or X.Y.Z, e.g. 3.12", want)
	}
	for k, p := range parts {
		var n int
		if _, err := fmt.Sscanf(p, "%d", &n); err != nil || fmt.Sprint(n) != p {
			return fmt.Errorf("bad Python version %q: want X.Y or X.Y.Z, e.g. 3.12", want)
		}
		if n != have[k] {
			return &failure.VersionError{Path: i.Path, Version: i.Version, Magic: i.Magic, CacheTag: i.CacheTag, Want: want}
		}
	}
	return nil
}

func lastLine(s string) string {
	if k := strings.LastIndexByte(s, '\n'); k >= 0 {
		return s[k+1:]
	}
	return s
}

// ServerSource is the Python text of the compile server.
func ServerSource() string { return serverSource }
