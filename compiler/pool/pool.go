// Package pool keeps compile servers (interp.Server) for one interpreter: at
// most Size at a time, started when the work waiting for them is worth a
// start, replaced when they die or time out.
package pool

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"

	"github.com/rules-pyc/rules_pyc/compiler/interp"
)

// DefaultTimeout bounds one compile when the caller sets none.
const DefaultTimeout = 60 * time.Second

// Config is how a pool runs its servers.
type Config struct {
	// Size is the most servers at a time (less than 1 means 1).
	Size int
	// Backlog is how many compiles per busy server may wait before another
	// server is started: one more starts when more than Backlog times the
	// servers running (or starting) want one.  Starting a server costs about
	// as much as several compiles, so a program that runs once for a few
	// sources does better with fewer servers; a long-lived one uses its
	// servers for many compiles and starts one whenever a compile finds none
	// idle (0).
	Backlog int
	// Timeout bounds each compile (0 means DefaultTimeout).
	Timeout time.Duration
	// Stderr receives what the interpreters print there.
	Stderr io.Writer
}

// Pool runs compiles on up to Size servers of one interpreter.
type Pool struct {
	info *interp.Info
	cfg  Config

	mu       sync.Mutex
	idle     []*interp.Server
	live     map[*interp.Server]bool
	starting int
	waiters  []chan *interp.Server // compiles waiting for a server, oldest first
	closed   bool
}

// New makes a pool for the interpreter.  No server is started until a
// compile needs one.
func New(info *interp.Info, cfg Config) *Pool {
	if cfg.Size < 1 {
		cfg.Size = 1
	}
	if cfg.Backlog < 0 {
		cfg.Backlog = 0
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	return &Pool{info: info, cfg: cfg, live: map[*interp.Server]bool{}}
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
// name as its file name.  It waits for a free server, or starts one (see
// Config.Backlog).  A server that dies
// under a request (killed from outside) is replaced and the request tried
// once more; a compile that crashes the interpreter or times out is reported
// as an error for this source only.
//
// With stub set, a source that does not compile gives an
// *interp.CompileError that carries a stub module raising the same exception.
func (p *Pool) Compile(ctx context.Context, name string, source []byte, optimize int, stub bool) ([]byte, error) {
	for attempt := 0; ; attempt++ {
		s, err := p.get(ctx)
		if err != nil {
			return nil, err
		}
		tctx, cancel := context.WithTimeout(ctx, p.cfg.Timeout)
		data, err := s.Compile(tctx, name, source, optimize, stub)
		timedOut := tctx.Err() == context.DeadlineExceeded && ctx.Err() == nil
		cancel()
		switch {
		case err == nil, isSourceError(err):
			p.put(s)
			return data, err
		case timedOut:
			p.drop(s)
			return nil, &TimeoutError{Timeout: p.cfg.Timeout}
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

// get returns a server for one compile: an idle one, a new one when the
// compiles waiting are worth starting it, or else the next one put back.
func (p *Pool) get(ctx context.Context) (*interp.Server, error) {
	for {
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			return nil, ErrClosed
		}
		if s := p.takeIdle(); s != nil {
			p.mu.Unlock()
			return s, nil
		}
		running := len(p.live) + p.starting
		wanting := len(p.waiters) + 1
		if running < p.cfg.Size && wanting > p.cfg.Backlog*running {
			p.starting++
			p.mu.Unlock()
			return p.start()
		}
		w := make(chan *interp.Server, 1)
		p.waiters = append(p.waiters, w)
		p.mu.Unlock()

		select {
		case s := <-w:
			if s != nil {
				return s, nil
			}
			// A server went away or the pool closed: look again.
		case <-ctx.Done():
			p.mu.Lock()
			if i := slices.Index(p.waiters, w); i >= 0 {
				p.waiters = slices.Delete(p.waiters, i, i+1)
				p.mu.Unlock()
			} else {
				// Handed a server (or a wake-up) meanwhile: pass it on.
				p.mu.Unlock()
				if s := <-w; s != nil {
					p.put(s)
				} else {
					p.wake()
				}
			}
			return nil, ctx.Err()
		}
	}
}

// takeIdle pops an idle server that is still running.  p.mu is held.
func (p *Pool) takeIdle() *interp.Server {
	for len(p.idle) > 0 {
		s := p.idle[len(p.idle)-1]
		p.idle = p.idle[:len(p.idle)-1]
		if !s.Exited() {
			return s
		}
		delete(p.live, s)
	}
	return nil
}

// start starts a server counted in p.starting.
func (p *Pool) start() (*interp.Server, error) {
	s, err := interp.Start(p.info, p.cfg.Stderr)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.starting--
	switch {
	case err != nil:
		p.wakeLocked()
		return nil, err
	case p.closed:
		s.Kill()
		return nil, ErrClosed
	}
	p.live[s] = true
	return s, nil
}

// put gives a server back: to the oldest waiting compile, or to the idle
// list.
func (p *Pool) put(s *interp.Server) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		s.Kill()
		return
	}
	if !p.handLocked(s) {
		p.idle = append(p.idle, s)
	}
}

// drop stops a server that is no longer usable.
func (p *Pool) drop(s *interp.Server) {
	s.Kill()
	p.mu.Lock()
	delete(p.live, s)
	p.wakeLocked()
	p.mu.Unlock()
}

// wake has the oldest waiting compile look again (a server is gone, or
// could not be started: it may have to start one itself).
func (p *Pool) wake() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.wakeLocked()
}

func (p *Pool) wakeLocked() { p.handLocked(nil) }

// handLocked gives s (nil: a wake-up) to the oldest waiting compile, if
// there is one.  p.mu is held.
func (p *Pool) handLocked(s *interp.Server) bool {
	if len(p.waiters) == 0 {
		return false
	}
	w := p.waiters[0]
	p.waiters = p.waiters[1:]
	w <- s
	return true
}

// Adopt makes s, a server started for this pool's interpreter, one of its
// servers.
func (p *Pool) Adopt(s *interp.Server) {
	p.mu.Lock()
	if !p.closed {
		p.live[s] = true
	}
	p.mu.Unlock()
	p.put(s)
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
	for _, w := range p.waiters {
		w <- nil
	}
	p.waiters = nil
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
