// Package engine turns a compile job (a source file, the name to record, the
// output path, the optimization level and the invalidation mode) into the
// bytes of a .pyc and writes them: it reads the source, has a backend
// compile it, adds the header and hands the result to the writer. It is the
// one way into the compiler packages for the tools.
//
// Two backends compile (see Backend): a real CPython, in a pool of fork
// servers of the interpreter (compiler/pool, compiler/interp), and the
// native compiler (compiler/native), which starts no interpreter. Each job's
// target release is chosen once per interpreter and version named (see
// Engine.Target).
//
// The bytes are a pure function of the source bytes, the recorded name, the
// target (the interpreter build, or the release the native compiler
// imitates), the optimization level and the invalidation mode (plus the
// source's mtime and size in timestamp mode): they equal what CPython's
// py_compile writes in a fresh process of that release.
package engine

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"runtime"
	"sync"
	"syscall"
	"time"

	"github.com/rules-pyc/rules_pyc/compiler/failure"
	"github.com/rules-pyc/rules_pyc/compiler/interp"
	"github.com/rules-pyc/rules_pyc/compiler/output"
	"github.com/rules-pyc/rules_pyc/compiler/pool"
	"github.com/rules-pyc/rules_pyc/compiler/pycfile"
	"github.com/rules-pyc/rules_pyc/compiler/sourcehash"
)

// The defaults of Config.Timeout and Config.StartupTimeout. New settles
// both: every backend reads the limits from the engine's Config.
const (
	DefaultTimeout        = 60 * time.Second
	DefaultStartupTimeout = interp.DefaultStartupTimeout
)

// Config holds what is shared by every job of an engine.
type Config struct {
	// Backend is the default backend; empty means CPython.
	Backend Backend
	// Python is the default interpreter: a path, or a command name looked up
	// on PATH.  Empty means python3 for the CPython backend and for Auto
	// without a Version, and none for Native.
	Python string
	// Version, when set ("3.12" or "3.12.1"), is what the default
	// interpreter must be; with no interpreter named, it is the release
	// the native compiler imitates ("3.13": the newest known).
	Version string
	// Jobs is the number of compile servers per interpreter, and of native
	// compiles at once; 0 means one per CPU.
	Jobs int
	// Backlog is pool.Config.Backlog: how many compiles per busy server may
	// wait before another server is started (0: start one whenever a
	// compile finds none idle, which suits a long-lived process).
	Backlog int
	// Timeout bounds one compile; 0 means DefaultTimeout.
	Timeout time.Duration
	// StartupTimeout bounds the start of an interpreter, up to its first
	// answer; 0 means DefaultStartupTimeout.
	StartupTimeout time.Duration
	// Stderr receives what the interpreters print there outside a
	// compile (a server's own messages); nil means os.Stderr.  A compile's
	// warnings are in its Result.
	Stderr io.Writer
}

// Job is one source to compile.
type Job struct {
	// Backend, Python and Version override Config.Backend, Config.Python
	// and Config.Version (Python and Version together: a job that names
	// either names both).
	Backend Backend
	Python  string
	Version string
	// Source is the file to read.
	Source string
	// Name is recorded in the code objects as co_filename, and used in error
	// messages (py_compile's dfile).  Empty means Source.
	Name string
	// Output is where the .pyc goes.  Empty means: compute the bytes only.
	Output string
	// Optimize is the optimization level: 0, 1 or 2.
	Optimize int
	// Mode is the invalidation mode written into the header.
	Mode pycfile.Invalidation
	// Force rewrites Output even when it already holds the same bytes.
	Force bool
	// HardlinkTo names an output written before for the same source (at
	// another optimization level): when this job's bytes are identical to
	// that file's, Output becomes a hard link to it (compileall's
	// --hardlink-dupes).
	HardlinkTo string
	// Stub makes a source that does not compile still produce its output:
	// a module that, when imported, raises the exception that compiling the
	// source raised (same type, same message).  Compile then returns the
	// *failure.CompileError together with a Result whose Stub is set.
	Stub bool
	// NoData, for a job with an Output, leaves Result.Data nil: the native
	// backend then builds the .pyc in memory it reuses for a later job once
	// the file is written, instead of a new array for each (see buffers).
	NoData bool
}

// Result is what a job produced.
type Result struct {
	// Data is the whole .pyc.
	Data []byte
	// Written is false when Output already held exactly Data (or no Output
	// was asked for).
	Written bool
	// Stub is set when Data is a stub for a source that does not compile.
	Stub bool
	// Warnings is what compiling the source printed on stderr, as
	// py_compile's process prints it there: the compiler's warnings
	// (SyntaxWarning and the others), each with its source line.  Compile
	// returns it with a failed compile's error too.  The caller shows it
	// (the command line and the worker do, with the file's other messages).
	Warnings string
}

// Engine compiles jobs.  It is safe for concurrent use; the number of
// compiles that run at once is bounded by Config.Jobs per interpreter, and
// by Config.Jobs for the native compiler.
type Engine struct {
	cfg    Config
	ctx    context.Context // ends at Close: abandons interpreter starts
	cancel context.CancelFunc
	// slots bounds the native compiles that run at once, and ahead the
	// native jobs that wait for a slot with their source read.
	slots, ahead chan struct{}
	mu           sync.Mutex
	interp       map[string]*entry    // by resolved interpreter path
	ids          map[string]*identity // interpreters identified without a pool
	choices      map[choiceKey]*choice
	names        map[string]resolvedName // see resolve
	closed       bool
}

// choiceKey is what a job names that decides its target.
type choiceKey struct {
	backend         Backend
	python, version string
}

// identity is an interpreter identified by a probe (its version decides a
// native target), once ready.
type identity struct {
	ready chan struct{}
	info  *interp.Info
	err   error
}

// entry is one interpreter: its identity and its pool, once ready.
type entry struct {
	ready chan struct{}
	info  *interp.Info
	pool  *pool.Pool
	err   error
}

// compile reads j's source and compiles it in the interpreter's fork
// server pool.
func (ent *entry) compile(ctx context.Context, j *Job, name string) ([]byte, fs.FileInfo, compiled, error) {
	src, st, err := readSource(j.Source, nil)
	if err != nil {
		return nil, nil, compiled{}, err
	}
	a, err := ent.pool.Compile(ctx, interp.Request{Name: name, Source: src, Optimize: j.Optimize, Stub: j.Stub})
	return src, st, compiled{Code: a.Code, Warnings: a.Warnings}, err
}

// New returns an engine.  No interpreter is started until a job needs one.
func New(cfg Config) *Engine {
	if cfg.Jobs <= 0 {
		cfg.Jobs = runtime.NumCPU()
	}
	if cfg.Stderr == nil {
		cfg.Stderr = os.Stderr
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.StartupTimeout <= 0 {
		cfg.StartupTimeout = DefaultStartupTimeout
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Engine{
		cfg: cfg, ctx: ctx, cancel: cancel,
		slots:   make(chan struct{}, cfg.Jobs),
		ahead:   make(chan struct{}, cfg.Jobs),
		interp:  map[string]*entry{},
		ids:     map[string]*identity{},
		choices: map[choiceKey]*choice{},
		names:   map[string]resolvedName{},
	}
}

// Jobs is the most compile servers per interpreter: Config.Jobs, or one
// per CPU.
func (e *Engine) Jobs() int { return e.cfg.Jobs }

// Target returns what a job naming backend, python and version (empty:
// the engine's defaults) compiles for, and makes it ready: the CPython
// backend's interpreter has its first compile server, an interpreter that
// names a native target has said its version. It returns when ctx ends,
// whatever an interpreter does. The choice is made once per backend,
// interpreter and version named.
//
// Errors: *failure.InterpreterError (an interpreter can't be found or
// started, is not CPython 3.8+, or has not identified itself within the
// start-up limit), *failure.VersionError, *failure.UnsupportedReleaseError
// (Native, for a release the native compiler does not cover), or ctx's
// error.
func (e *Engine) Target(ctx context.Context, backend Backend, python, version string) (Target, error) {
	c, err := e.choice(ctx, backend, python, version)
	if err != nil {
		return Target{}, err
	}
	return c.target, nil
}

// choice returns the cached choice for a job's settings, or makes it.
// Failures are not cached: a later job may try again.
func (e *Engine) choice(ctx context.Context, backend Backend, python, version string) (*choice, error) {
	key := choiceKey{backend, e.interpreterKey(python), version}
	e.mu.Lock()
	c, ok := e.choices[key]
	e.mu.Unlock()
	if ok {
		return c, nil
	}
	c, err := e.choose(ctx, backend, python, version)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	e.choices[key] = c
	e.mu.Unlock()
	return c, nil
}

// identify returns the identity of the interpreter python names (empty:
// python3), probing it once (see interp.Probe) unless a pool of it runs.
func (e *Engine) identify(ctx context.Context, python string) (*interp.Info, error) {
	if python == "" {
		python = "python3"
	}
	path, err := e.resolve(python)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil, pool.ErrClosed
	}
	if ent, ok := e.interp[path]; ok {
		e.mu.Unlock()
		select {
		case <-ent.ready:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if ent.err == nil {
			return ent.info, nil
		}
		e.mu.Lock()
	}
	id, ok := e.ids[path]
	if !ok {
		id = &identity{ready: make(chan struct{})}
		e.ids[path] = id
		go func() {
			defer close(id.ready)
			id.info, id.err = interp.Probe(e.ctx, path, interp.Options{StartupTimeout: e.cfg.StartupTimeout})
			if id.err != nil {
				e.mu.Lock()
				if e.ids[path] == id {
					delete(e.ids, path)
				}
				e.mu.Unlock()
			}
		}()
	}
	e.mu.Unlock()
	select {
	case <-id.ready:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return id.info, id.err
}

// entry returns the interpreter python names, ready, or waits for its
// first server while ctx lasts.  The first server starts in a goroutine
// of its own, under the engine's context and the start-up limit, so that
// no caller's cancellation abandons it for the others.
func (e *Engine) entry(ctx context.Context, python string) (*entry, error) {
	if python == "" {
		python = e.cfg.Python
	}
	path, err := e.resolve(python)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil, pool.ErrClosed
	}
	ent, ok := e.interp[path]
	if !ok {
		ent = &entry{ready: make(chan struct{})}
		e.interp[path] = ent
		go e.open(path, ent)
	}
	e.mu.Unlock()
	select {
	case <-ent.ready:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if ent.err != nil {
		return nil, ent.err
	}
	return ent, nil
}

// open makes the interpreter's pool and starts its first server, which
// says which interpreter it is; every later server must say the same.
func (e *Engine) open(path string, ent *entry) {
	defer close(ent.ready)
	opts := interp.Options{Stderr: e.cfg.Stderr, StartupTimeout: e.cfg.StartupTimeout}
	var info *interp.Info // set by the first start, before any other
	start := func(ctx context.Context) (pool.Server, error) {
		s, err := interp.Launch(ctx, path, info, opts)
		if err != nil {
			return nil, err
		}
		if info == nil {
			info = s.Info()
		}
		return s, nil
	}
	p := pool.New(start, pool.Config{Size: e.cfg.Jobs, Backlog: e.cfg.Backlog, Timeout: e.cfg.Timeout})
	if err := p.Warm(e.ctx); err != nil {
		p.Close()
		if e.ctx.Err() != nil {
			err = pool.ErrClosed
		}
		ent.err = err
		// Forget the failure, so that a later job may try again.
		e.mu.Lock()
		if e.interp[path] == ent {
			delete(e.interp, path)
		}
		e.mu.Unlock()
		return
	}
	ent.info, ent.pool = info, p
}

// Compile runs one job: it computes the .pyc and, when the job has an
// Output, writes it unless the file already holds exactly those bytes.
//
// Errors: *failure.SourceError when the source can't be read,
// *failure.CompileError when CPython rejects it (the message is
// py_compile's), *failure.CrashError or *failure.TimeoutError when
// compiling it crashed or hung the interpreter, *failure.RefusedError and
// file system errors when the output can't be written, and the errors of
// Interpreter.
func (e *Engine) Compile(ctx context.Context, j Job) (Result, error) {
	c, err := e.choice(ctx, j.Backend, j.Python, j.Version)
	if err != nil {
		return Result{}, err
	}
	name := j.Name
	if name == "" {
		name = j.Source
	}
	src, st, a, err := c.backend.compile(ctx, &j, name)
	code, warnings := a.Code, string(a.Warnings)
	var ce *failure.CompileError
	stub := err != nil && j.Stub && errors.As(err, &ce) && ce.Stub != nil
	if stub {
		code = ce.Stub
	} else if err != nil {
		return Result{Warnings: warnings}, err
	}
	data := a.Pyc
	if stub || data == nil {
		data = header(c.target, j.Mode, src, st).Append(make([]byte, 0, pycfile.HeaderSize+len(code)))
		data = append(data, code...)
	}
	res := Result{Data: data, Stub: stub, Warnings: warnings}
	if j.Output != "" {
		if res.Written, err = write(ctx, j, data, st.Mode()); err != nil {
			return Result{Warnings: warnings}, err
		}
	}
	if stub {
		return res, ce
	}
	if a.reuse {
		// Nothing returned shares the source: the warnings are copies,
		// and there is no error (whose text might share it).
		sources.put(src)
		if a.reusePyc {
			outputs.put(data)
			res.Data = nil
		}
	}
	return res, nil
}

// compiled is what a backend gave for one source: marshal.dumps of its code
// object (nil when the compile failed) and what the compile printed on
// stderr, as py_compile's own process prints it there (its warnings; a
// failed compile may have warned too).
type compiled struct {
	Code     []byte
	Warnings []byte
	// Pyc, when set, is the whole .pyc: the header the engine computes
	// (header) followed by Code, in one array (the native backend's).
	Pyc []byte
	// reuse is set when the source is memory of sources, which the engine
	// gives back once the job is done, and reusePyc when Pyc is memory of
	// outputs (a job with NoData).
	reuse, reusePyc bool
}

// write puts data at j.Output unless it is already there.
func write(ctx context.Context, j Job, data []byte, mode fs.FileMode) (bool, error) {
	if j.HardlinkTo != "" {
		if same, _ := output.Same(j.HardlinkTo, data); same {
			return link(j.HardlinkTo, j.Output, j.Force)
		}
	}
	if err := ctx.Err(); err != nil {
		return false, err
	}
	if !j.Force {
		return output.Update(j.Output, data, mode)
	}
	if err := output.Write(j.Output, data, mode); err != nil {
		return false, err
	}
	return true, nil
}

// link makes path a hard link to existing, unless it already is one (and
// force is off).
func link(existing, path string, force bool) (bool, error) {
	if !force {
		a, errA := os.Stat(existing)
		b, errB := os.Lstat(path)
		if errA == nil && errB == nil && os.SameFile(a, b) {
			return false, nil
		}
	}
	if err := output.Link(existing, path); err != nil {
		return false, err
	}
	return true, nil
}

// header is the 16-byte header py_compile writes for this source.
func header(t Target, mode pycfile.Invalidation, src []byte, st fs.FileInfo) pycfile.Header {
	h := pycfile.Header{Magic: t.Magic, Mode: mode}
	if mode == pycfile.Timestamp {
		h.Mtime, h.Size = pycfile.Stamp(st.ModTime(), st.Size())
	} else {
		h.Hash = sourcehash.Sum(sourcehash.ForVersion(t.Release.Major, t.Release.Minor), t.Magic, src)
	}
	return h
}

// readSource reads the source at path, into buf's memory when it has
// room.
func readSource(path string, buf []byte) ([]byte, fs.FileInfo, error) {
	// O_NONBLOCK: a FIFO's open would otherwise wait for a writer, for
	// ever. It changes nothing for a regular file's reads.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, nil, &failure.SourceError{Path: path, Err: err}
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, &failure.SourceError{Path: path, Err: err}
	}
	// A FIFO, a device or a socket has no end to read to (/dev/zero's
	// would fill the memory). A directory goes on, for the read's own
	// error, which is the one py_compile reports ("Is a directory").
	if m := st.Mode(); !m.IsRegular() && !m.IsDir() {
		return nil, nil, &failure.SourceError{Path: path, Err: errNotRegular}
	}
	data, err := readAll(f, st.Size(), buf)
	if err != nil {
		return nil, nil, &failure.SourceError{Path: path, Err: err}
	}
	return data, st, nil
}

// errNotRegular is a source that is neither a regular file nor a directory.
var errNotRegular = errors.New("not a regular file")

// readAll reads r to its end into a buffer first sized for size bytes
// (the file's size when it was opened; it may have changed since), as
// os.ReadFile does: one or two reads instead of io.ReadAll's growing
// ones, which cost a dozen system calls and copies for a 16 KB source.
// The buffer is buf's memory when it has room for that.
func readAll(r io.Reader, size int64, buf []byte) ([]byte, error) {
	want := max(int(min(size, 1<<30))+1, 512)
	data := buf[:0]
	if cap(data) < want {
		data = make([]byte, 0, want)
	}
	for {
		n, err := r.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if err == io.EOF {
			return data, nil
		}
		if err != nil {
			return data, err
		}
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
	}
}

// Close stops every interpreter, and abandons those still starting.
// Compiles in flight fail.
func (e *Engine) Close() error {
	e.cancel()
	e.mu.Lock()
	e.closed = true
	ents := e.interp
	e.interp = map[string]*entry{}
	e.choices = map[choiceKey]*choice{}
	e.mu.Unlock()
	var errs []error
	for _, ent := range ents {
		<-ent.ready
		if ent.pool != nil {
			errs = append(errs, ent.pool.Close())
		}
	}
	return errors.Join(errs...)
}
