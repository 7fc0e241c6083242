package interp

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"
	"syscall"
	"time"

	"github.com/rules-pyc/rules_pyc/compiler/failure"
)

// Request is one source to compile.
type Request struct {
	// Name is recorded in the code object as co_filename, and used in
	// error messages (py_compile's dfile).
	Name string
	// Source is the source's bytes, as read from its file.
	Source []byte
	// Optimize is the optimization level: 0, 1 or 2.
	Optimize int
	// Stub asks, for a source that does not compile, for the code of a
	// module raising the same exception (failure.CompileError.Stub).
	Stub bool
}

// Server is one running compile server: an interpreter process that forks a
// fresh process for every compile.  It handles one request at a time.
type Server struct {
	path      string // as named, for messages
	info      *Info
	proc      *proc
	stdout    *bufio.Reader
	maxAnswer int64
	header    [9]byte
}

// Launch starts a compile server and waits, at most the start-up limit and
// while ctx lasts, for its first answer: which interpreter it runs in.
//
// With want nil the interpreter is identified by that answer (python is a
// path or a command name, see Resolve), as Probe would identify it, so a
// program that needs a server anyway starts one process instead of two.
// If it cannot serve, the error says why as Probe would (a missing file, a
// Python that is too old, not CPython, ...).  An interpreter started
// through a launcher (a script that runs it) is started again from the
// interpreter itself, which then serves.
//
// With want set, the server is started from want's executable and must say
// it is that interpreter (the file may have been replaced since).
//
// Errors are *failure.InterpreterError (with a *failure.StartTimeoutError
// when the limit passed), or ctx's error.
func Launch(ctx context.Context, python string, want *Info, opts Options) (*Server, error) {
	opts = opts.withDefaults()
	ctx, cancel := context.WithTimeoutCause(ctx, opts.StartupTimeout, errStartup)
	defer cancel()
	if want != nil {
		exe := want.Executable
		if exe == "" {
			exe = want.Path
		}
		return launch(ctx, want.Path, exe, want, opts)
	}
	path, err := Resolve(python)
	if err != nil {
		return nil, err
	}
	s, err := launch(ctx, path, path, nil, opts)
	if err != nil {
		return nil, err
	}
	if s.info.Executable != "" && s.info.Executable != path {
		// Started through a launcher, which may have changed the
		// environment, and whose start-up costs: serve from the
		// interpreter itself.
		info := s.info
		s.Close()
		return launch(ctx, path, info.Executable, info, opts)
	}
	return s, nil
}

// launch starts exe as a server for the interpreter named path, under a
// context that ends at the start-up limit (cause errStartup) or earlier.
func launch(ctx context.Context, path, exe string, want *Info, opts Options) (*Server, error) {
	unusable := func(err error) (*Server, error) {
		return nil, &failure.InterpreterError{Path: path, Err: err}
	}
	sink := newStderrSink(path, opts.Stderr)
	p, err := spawn(exe, append(append([]string{}, flags...), "-c", serverSource), sink)
	if err != nil {
		return unusable(fmt.Errorf("start interpreter %s: %w", path, err))
	}
	s := &Server{
		path:      path,
		info:      want,
		proc:      p,
		stdout:    bufio.NewReaderSize(p.stdout, 1<<16),
		maxAnswer: opts.MaxAnswer,
	}
	ch := make(chan error, 1)
	go func() { ch <- s.greet(want) }()
	select {
	case err = <-ch:
	case <-ctx.Done():
		p.kill()
		<-ch
		if context.Cause(ctx) == errStartup {
			return unusable(&failure.StartTimeoutError{Path: path, Limit: opts.StartupTimeout})
		}
		return nil, ctx.Err()
	}
	if err == nil {
		sink.open()
		return s, nil
	}
	p.kill()
	<-p.done
	var ce *changedError
	if errors.As(err, &ce) {
		return unusable(err)
	}
	if want == nil {
		// Ask the interpreter what it is the simple way, within what is
		// left of the limit: an old or foreign Python fails in the
		// server's code, and the probe says what it is.
		if _, perr := probe(ctx, path, opts); perr != nil {
			var st *failure.StartTimeoutError
			if !errors.As(perr, &st) {
				return nil, perr
			}
			// The probe did not end either: the server's failure says
			// more.
		}
	}
	if msg := sink.lastLine(); msg != "" {
		err = fmt.Errorf("%w: %s", err, msg)
	}
	return unusable(fmt.Errorf("start the compile server in %s: %w", path, err))
}

// greet reads what the server says first: which interpreter it runs in.
// Without want it becomes s.info; otherwise it must agree with want.
func (s *Server) greet(want *Info) error {
	var size [4]byte
	if _, err := io.ReadFull(s.stdout, size[:]); err != nil {
		return fmt.Errorf("no answer: %w", err)
	}
	n := binary.LittleEndian.Uint32(size[:])
	if n > maxHello {
		return &failure.LimitError{What: "its first answer", Announced: int64(n), Limit: maxHello}
	}
	hello, err := readN(s.stdout, int64(n))
	if err != nil {
		return fmt.Errorf("no answer: %w", err)
	}
	info, err := identify(s.path, string(hello))
	if err != nil {
		return err
	}
	if want == nil {
		s.info = info
		return nil
	}
	if info.Version != want.Version || info.Magic != want.Magic || info.CacheTag != want.CacheTag {
		return &changedError{was: want, now: info}
	}
	return nil
}

// changedError is an interpreter that is no longer the one identified
// before: its file was replaced.
type changedError struct{ was, now *Info }

func (e *changedError) Error() string {
	return fmt.Sprintf("interpreter %s changed: it was CPython %s (magic %x), it is now CPython %s (magic %x)",
		e.was.Path, e.was.Version, e.was.Magic[:], e.now.Version, e.now.Magic[:])
}

// Info is what the interpreter said it is.
func (s *Server) Info() *Info { return s.info }

// Pid is the server's process id.
func (s *Server) Pid() int { return s.proc.pid() }

// Answer is what one compile gave.
type Answer struct {
	// Code is marshal.dumps of the code object; nil when the compile
	// failed.
	Code []byte
	// Warnings is what the compile wrote on stderr, as py_compile's own
	// process prints it there: the compiler's warnings (SyntaxWarning,
	// DeprecationWarning, ...).  A failed compile may have warned too.
	Warnings []byte
}

// Compile sends one source to the server and returns marshal.dumps of its
// code object, with the warnings compiling it printed.  If ctx ends first
// the server is killed (its process group, so the forked compile too) and
// ctx's error is returned: the server is then unusable.
//
// Errors: *failure.CompileError for a source CPython rejects (with a Stub
// when req.Stub is set), *failure.CrashError when the forked compile died;
// the server goes on serving after both, and the Answer still holds the
// warnings.  *failure.ServerError when the server itself died or broke the
// protocol (it is killed).
func (s *Server) Compile(ctx context.Context, req Request) (Answer, error) {
	if req.Optimize < 0 || req.Optimize > 2 {
		return Answer{}, fmt.Errorf("optimize level %d: want 0, 1 or 2", req.Optimize)
	}
	if uint64(len(req.Source)) > 1<<32-1 || uint64(len(req.Name)) > 1<<32-1 {
		return Answer{}, fmt.Errorf("source %s is too large (%d bytes)", req.Name, len(req.Source))
	}
	type result struct {
		a   Answer
		err error
	}
	ch := make(chan result, 1)
	go func() {
		s.proc.stderr.beginCapture()
		code, err := s.roundTrip(req)
		a := Answer{Code: code, Warnings: s.proc.stderr.endCapture(s.proc.stderrW)}
		var se *failure.ServerError
		if errors.As(err, &se) {
			// The server is gone, and what it wrote may say why: that
			// goes where its other output goes, not to the compile.
			s.proc.stderr.passOn(a.Warnings)
			a.Warnings = nil
		}
		ch <- result{a, err}
	}()
	select {
	case r := <-ch:
		return r.a, r.err
	case <-ctx.Done():
		// Killing closes the pipes, so the round trip returns.
		s.Kill()
		<-ch
		return Answer{}, ctx.Err()
	}
}

func (s *Server) roundTrip(req Request) ([]byte, error) {
	h := s.header[:]
	h[0] = byte(req.Optimize)
	if req.Stub {
		h[0] |= 0x80
	}
	binary.LittleEndian.PutUint32(h[1:5], uint32(len(req.Name)))
	binary.LittleEndian.PutUint32(h[5:9], uint32(len(req.Source)))
	w := s.proc.stdin
	if _, err := w.Write(h); err != nil {
		return nil, s.failed(err)
	}
	if _, err := io.WriteString(w, req.Name); err != nil {
		return nil, s.failed(err)
	}
	if _, err := w.Write(req.Source); err != nil {
		return nil, s.failed(err)
	}
	var size [4]byte
	if _, err := io.ReadFull(s.stdout, size[:]); err != nil {
		return nil, s.failed(err)
	}
	n := int64(binary.LittleEndian.Uint32(size[:]))
	if n > s.maxAnswer {
		return nil, s.broke(&failure.LimitError{What: "a compile answer", Announced: n, Limit: s.maxAnswer})
	}
	if n == 0 {
		return nil, s.broke(errors.New("empty answer"))
	}
	// The status first: an answer that starts wrong is not read further.
	status, err := s.stdout.ReadByte()
	if err != nil {
		return nil, s.failed(err)
	}
	if status > 3 {
		return nil, s.broke(fmt.Errorf("bad answer status %d", status))
	}
	payload, err := readN(s.stdout, n-1)
	if err != nil {
		return nil, s.failed(err)
	}
	switch status {
	case 0:
		return payload, nil
	case 1:
		return nil, &failure.CompileError{Msg: string(payload)}
	case 3:
		if len(payload) < 4 || uint64(binary.LittleEndian.Uint32(payload)) > uint64(len(payload)-4) {
			return nil, s.broke(errors.New("bad stub answer"))
		}
		n := 4 + binary.LittleEndian.Uint32(payload)
		return nil, &failure.CompileError{Msg: string(payload[4:n]), Stub: payload[n:]}
	default: // 2
		st, err := strconv.Atoi(string(payload))
		if err != nil {
			return nil, s.broke(fmt.Errorf("bad crash report %q", payload))
		}
		return nil, &failure.CrashError{Status: syscall.WaitStatus(st)}
	}
}

// failed is a server whose pipes failed (an error reading or writing
// them): it most likely died.  It is killed if it has not, and the error
// says how it ended.
func (s *Server) failed(cause error) error {
	if s.proc.waitExit(100 * time.Millisecond) {
		s.Kill() // what it left in its group, and this side's pipes
		return &failure.ServerError{Path: s.path, Died: true, Err: errors.New(s.proc.status())}
	}
	return s.broke(cause)
}

// broke kills a server that broke the protocol.
func (s *Server) broke(cause error) error {
	s.Kill()
	return &failure.ServerError{Path: s.path, Err: cause}
}

// Kill stops the server and any compile it has in flight.  It is safe to
// call more than once and from several goroutines.
func (s *Server) Kill() { s.proc.kill() }

// Close asks the server to exit by closing its input, and waits for it.  If
// it does not exit promptly it is killed.
func (s *Server) Close() error {
	s.proc.stdin.Close()
	if !s.proc.waitExit(2 * time.Second) {
		s.Kill()
		<-s.proc.done
	}
	s.Kill() // closes this side's pipes
	return nil
}

// Exited reports whether the process has gone.
func (s *Server) Exited() bool { return s.proc.exited() }
