// Package pool keeps compile servers (interp.Server) for one interpreter: at
// most Size at a time, started lazily, replaced when they die or time out.
package pool

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/rules-pyc/rules_pyc/compiler/interp"
)

// DefaultTimeout bounds one compile when the caller sets none.
const DefaultTimeout = 60 * time.Second

// Pool runs compiles on up to Size servers of one interpreter.
type Pool struct {
	info    *interp.Info
	timeout time.Duration
	stderr  io.Writer
	slots   chan struct{} // one token per server that may run

	mu     sync.Mutex
	idle   []*interp.Server
	live   map[*interp.Server]bool
	closed bool
}

// New makes a pool of at most size servers (size < 1 means 1).  timeout
// bounds each compile (0 means DefaultTimeout).  stderr receives what the
// interpreters print there.
func New(info *interp.Info, size int, timeout time.Duration, stderr io.Writer) *Pool {
	if size < 1 {
		size = 1
	}
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	return &Pool{
		info:    info,
		timeout: timeout,
		stderr:  stderr,
		slots:   make(chan struct{}, size),
		live:    map[*interp.Server]bool{},
	}
}

// Info is the interpreter this pool runs.
func (p *Pool) Info() *interp.Info { return p.info }

// ErrClosed is returned by Compile after Close.
var ErrClosed = errors.New("compile pool is closed")

// TimeoutError is a compile that took longer than the pool's timeout.
type TimeoutError struct {
	Timeout time.Duration
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("compiling took longer than %s; the interpreter was stopped (raise the limit with --timeout)", e.Timeout)
}

// Compile returns marshal.dumps of the code object of source, compiled with
// name as its file name.  It waits for a free server.  A server that dies
// under a request (killed from outside) is replaced and the request tried
// once more; a compile that crashes the interpreter or times out is reported
// as an error for this source only.
//
// With stub set, a source that does not compile gives an
// *interp.CompileError that carries a stub module raising the same exception.
func (p *Pool) Compile(ctx context.Context, name string, source []byte, optimize int, stub bool) ([]byte, error) {
	select {
	case p.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-p.slots }()

	for attempt := 0; ; attempt++ {
		s, err := p.get()
		if err != nil {
			return nil, err
		}
		tctx, cancel := context.WithTimeout(ctx, p.timeout)
		data, err := s.Compile(tctx, name, source, optimize, stub)
		timedOut := tctx.Err() == context.DeadlineExceeded && ctx.Err() == nil
		cancel()
		switch {
		case err == nil, isSourceError(err):
			p.put(s)
			return data, err
		case timedOut:
			p.drop(s)
			return nil, &TimeoutError{Timeout: p.timeout}
		case ctx.Err() != nil:
			p.drop(s)
			return nil, ctx.Err()
		case errors.Is(err, interp.ErrServerDied) && attempt == 0:
			p.drop(s)
			continue
		default:
			p.drop(s)
			return nil, err
		}
	}
}

// isSourceError reports errors that belong to the source, after which the
// server is still good.
func isSourceError(err error) bool {
	var ce *interp.CompileError
	var cr *interp.CrashError
	return errors.As(err, &ce) || errors.As(err, &cr)
}

func (p *Pool) get() (*interp.Server, error) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, ErrClosed
	}
	for len(p.idle) > 0 {
		s := p.idle[len(p.idle)-1]
		p.idle = p.idle[:len(p.idle)-1]
		if !s.Exited() {
			p.mu.Unlock()
			return s, nil
		}
		delete(p.live, s)
	}
	p.mu.Unlock()

	s, err := interp.Start(p.info, p.stderr)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		s.Kill()
		return nil, ErrClosed
	}
	p.live[s] = true
	return s, nil
}

func (p *Pool) put(s *interp.Server) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		s.Kill()
		return
	}
	p.idle = append(p.idle, s)
}

func (p *Pool) drop(s *interp.Server) {
	s.Kill()
	p.mu.Lock()
	delete(p.live, s)
	p.mu.Unlock()
}

// Adopt makes s, a server started for this pool's interpreter, one of its
// servers.
func (p *Pool) Adopt(s *interp.Server) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		s.Kill()
		return
	}
	p.live[s] = true
	p.idle = append(p.idle, s)
}

// Pids lists the process ids of the running servers (for tests and stats).
func (p *Pool) Pids() []int {
	p.mu.Lock()
	defer p.mu.Unlock()
	var pids []int
	for s := range p.live {
		if !s.Exited() {
			pids = append(pids, s.Pid())
		}
	}
	return pids
}

// Close stops every server and makes later compiles fail with ErrClosed.
// Servers are killed, compiles in flight with them.
func (p *Pool) Close() error {
	p.mu.Lock()
	p.closed = true
	live := make([]*interp.Server, 0, len(p.live))
	for s := range p.live {
		live = append(live, s)
	}
	p.live = map[*interp.Server]bool{}
	p.idle = nil
	p.mu.Unlock()
	var wg sync.WaitGroup
	for _, s := range live {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.Kill()
			s.Close()
		}()
	}
	wg.Wait()
	return nil
}
