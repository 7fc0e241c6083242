package interp

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

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

// CrashError is a compile whose forked child died: the interpreter crashed
// (for example a C stack overflow on a deeply nested source) or was killed.
// The server itself survives it.
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

// ErrServerDied reports that the server process itself went away during a
// request: it was killed, or its pipes broke.  The request may be retried on
// a new server.
var ErrServerDied = errors.New("the interpreter process died")

// Server is one running compile server: a child interpreter that forks a
// fresh process for every compile.  It handles one request at a time.
type Server struct {
	path    string // as started, for messages
	info    *Info
	greeted bool // the first answer, which identifies the interpreter, was read
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	stdout  *bufio.Reader
	done    chan struct{} // closed when the process has exited
	once    sync.Once
	err     error // exit error, valid after done
	header  [9]byte
}

// Start launches a compile server for an interpreter that is already
// identified (by Probe or Launch).  stderr receives what the interpreter
// prints there (warnings from the compiler); nil discards it.  What the
// server says it is, it says before its first compile, which fails if that
// no longer agrees with info.
func Start(info *Info, stderr io.Writer) (*Server, error) {
	// Start the executable the interpreter reported: a launcher script
	// (such as a pyenv shim) then costs its start-up once, when the
	// interpreter is identified.
	exe := info.Executable
	if exe == "" {
		exe = info.Path
	}
	return start(exe, info, stderr)
}

// Launch starts a compile server for an interpreter not identified yet, and
// reads what it says it is, which is what Probe would tell: so a program
// that needs a server anyway starts one interpreter instead of two.  If it
// cannot serve, the error is the one Probe gives for it (a missing file, a
// Python that is too old, not CPython, ...).
func Launch(ctx context.Context, python string, stderr io.Writer) (*Server, error) {
	path, err := Resolve(python)
	if err != nil {
		return nil, err
	}
	gate := &gatedWriter{w: stderr}
	s, err := start(path, nil, gate)
	if err == nil {
		ch := make(chan error, 1)
		go func() { ch <- s.greet() }()
		select {
		case err = <-ch:
		case <-ctx.Done():
			s.Kill()
			<-ch
			err = ctx.Err()
		}
		if err != nil {
			s.Kill()
			<-s.done
		}
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if _, perr := Probe(ctx, path); perr != nil {
			return nil, perr
		}
		if msg := strings.TrimSpace(gate.String()); msg != "" {
			err = fmt.Errorf("%w: %s", err, lastLine(msg))
		}
		return nil, fmt.Errorf("start the compile server in %s: %w", path, err)
	}
	gate.open()
	if s.info.Executable != "" && s.info.Executable != path {
		// Started through a launcher, which may have changed the
		// environment: serve from the interpreter itself, as Start does.
		info := s.info
		s.Close()
		return Start(info, stderr)
	}
	return s, nil
}

func start(exe string, info *Info, stderr io.Writer) (*Server, error) {
	name := exe
	if info != nil {
		name = info.Path
	}
	cmd := exec.Command(exe, append(append([]string{}, Flags...), "-c", serverSource)...)
	cmd.Env = Env()
	if stderr != nil {
		cmd.Stderr = stderr
	}
	cmd.SysProcAttr = sysProcAttr()
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	s := &Server{
		path:   name,
		info:   info,
		cmd:    cmd,
		stdin:  stdin,
		stdout: bufio.NewReaderSize(stdout, 1<<16),
		done:   make(chan struct{}),
	}
	go func() {
		s.err = cmd.Wait()
		close(s.done)
	}()
	return s, nil
}

// greet reads what the server says first: which interpreter it runs in.
// Without s.info it becomes s.info; otherwise it must agree with it.
func (s *Server) greet() error {
	var size [4]byte
	if _, err := io.ReadFull(s.stdout, size[:]); err != nil {
		return fmt.Errorf("no answer: %w", err)
	}
	n := binary.LittleEndian.Uint32(size[:])
	if n > 1<<16 {
		return fmt.Errorf("bad first answer (%d bytes)", n)
	}
	hello := make([]byte, n)
	if _, err := io.ReadFull(s.stdout, hello); err != nil {
		return fmt.Errorf("no answer: %w", err)
	}
	info, err := identify(s.path, string(hello))
	if err != nil {
		return err
	}
	s.greeted = true
	if s.info == nil {
		s.info = info
		return nil
	}
	if info.Version != s.info.Version || info.Magic != s.info.Magic || info.CacheTag != s.info.CacheTag {
		return &changedError{was: s.info, now: info}
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

// Info is what the interpreter said it is (for a server from Launch), or
// what it was started for.
func (s *Server) Info() *Info { return s.info }

// gatedWriter keeps what is written to it until open, then passes it on:
// an interpreter that fails before it serves is diagnosed, not echoed.
type gatedWriter struct {
	mu     sync.Mutex
	w      io.Writer
	opened bool
	buf    bytes.Buffer
}

func (g *gatedWriter) Write(p []byte) (int, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.opened {
		return g.buf.Write(p)
	}
	if g.w == nil {
		return len(p), nil
	}
	return g.w.Write(p)
}

func (g *gatedWriter) open() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.opened = true
	if g.w != nil && g.buf.Len() > 0 {
		g.w.Write(g.buf.Bytes())
	}
	g.buf.Reset()
}

func (g *gatedWriter) String() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.buf.String()
}

// Pid is the server's process id.
func (s *Server) Pid() int { return s.cmd.Process.Pid }

// Compile sends one source to the server and returns marshal.dumps of its
// code object.  name is recorded in the code object as co_filename.  If ctx
// ends first the server is killed (its process group, so the forked child
// too) and ctx's error is returned: the server is then unusable.
//
// With stub set, a source that does not compile gives a *CompileError whose
// Stub holds the code of a module raising the same exception.
func (s *Server) Compile(ctx context.Context, name string, source []byte, optimize int, stub bool) ([]byte, error) {
	if optimize < 0 || optimize > 2 {
		return nil, fmt.Errorf("optimize level %d: want 0, 1 or 2", optimize)
	}
	if uint64(len(source)) > 1<<32-1 || uint64(len(name)) > 1<<32-1 {
		return nil, fmt.Errorf("source %s is too large (%d bytes)", name, len(source))
	}
	type answer struct {
		data []byte
		err  error
	}
	ch := make(chan answer, 1)
	go func() {
		flags := byte(optimize)
		if stub {
			flags |= 0x80
		}
		data, err := s.roundTrip(name, source, flags)
		ch <- answer{data, err}
	}()
	select {
	case a := <-ch:
		return a.data, a.err
	case <-ctx.Done():
		s.Kill()
		<-ch
		return nil, ctx.Err()
	}
}

func (s *Server) roundTrip(name string, source []byte, flags byte) ([]byte, error) {
	if !s.greeted {
		if err := s.greet(); err != nil {
			var ce *changedError
			if errors.As(err, &ce) {
				s.Kill()
				return nil, err
			}
			return nil, s.died(err)
		}
	}
	h := s.header[:]
	h[0] = flags
	binary.LittleEndian.PutUint32(h[1:5], uint32(len(name)))
	binary.LittleEndian.PutUint32(h[5:9], uint32(len(source)))
	if _, err := s.stdin.Write(h); err != nil {
		return nil, s.died(err)
	}
	if _, err := io.WriteString(s.stdin, name); err != nil {
		return nil, s.died(err)
	}
	if _, err := s.stdin.Write(source); err != nil {
		return nil, s.died(err)
	}
	var size [4]byte
	if _, err := io.ReadFull(s.stdout, size[:]); err != nil {
		return nil, s.died(err)
	}
	n := binary.LittleEndian.Uint32(size[:])
	if n == 0 {
		return nil, s.died(errors.New("empty answer"))
	}
	payload := make([]byte, n)
	if _, err := io.ReadFull(s.stdout, payload); err != nil {
		return nil, s.died(err)
	}
	switch payload[0] {
	case 0:
		return payload[1:], nil
	case 1:
		return nil, &CompileError{Msg: string(payload[1:])}
	case 3:
		if len(payload) < 5 || uint64(binary.LittleEndian.Uint32(payload[1:5])) > uint64(len(payload)-5) {
			return nil, s.died(errors.New("bad stub answer"))
		}
		n := 5 + binary.LittleEndian.Uint32(payload[1:5])
		return nil, &CompileError{Msg: string(payload[5:n]), Stub: payload[n:]}
	case 2:
		st, err := strconv.Atoi(string(payload[1:]))
		if err != nil {
			return nil, fmt.Errorf("interpreter %s: bad crash report %q", s.info.Path, payload[1:])
		}
		return nil, &CrashError{Status: syscall.WaitStatus(st)}
	default:
		return nil, s.died(fmt.Errorf("bad answer status %d", payload[0]))
	}
}

// died kills what is left of the server and describes why it is gone.
func (s *Server) died(cause error) error {
	s.Kill()
	<-s.done
	detail := cause.Error()
	if s.err != nil {
		detail = s.err.Error()
	}
	return fmt.Errorf("%w (%s: %s)", ErrServerDied, s.info.Path, detail)
}

// Kill stops the server and any compile it has in flight.  It is safe to call
// more than once and from several goroutines.
func (s *Server) Kill() {
	s.once.Do(func() {
		killGroup(s.cmd.Process.Pid)
		s.stdin.Close()
	})
}

// Close asks the server to exit by closing its input, and waits for it.  If
// it does not exit promptly it is killed.
func (s *Server) Close() error {
	s.stdin.Close()
	select {
	case <-s.done:
	case <-closeGrace():
		s.Kill()
		<-s.done
	}
	return nil
}

// Exited reports whether the process has gone.
func (s *Server) Exited() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}
