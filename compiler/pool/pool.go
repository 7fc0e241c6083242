// Package pool keeps compile servers of one interpreter: at most Size at a
// time, started when the work waiting for them is worth a start, replaced
// when they die or time out.
//
// The pool starts servers only through its Starter and knows them only
// through the Server interface, so it holds no process of its own: a
// caller's Starter decides what a server is (interp.Launch for CPython),
// and a test's can count and pace starts without timing.  Every wait in it
// ends with its context or with Close.
package pool

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/rules-pyc/rules_pyc/compiler/failure"
	"github.com/rules-pyc/rules_pyc/compiler/interp"
)

// Server is one compile server (*interp.Server, or a test's).
type Server interface {
	// Compile compiles one source, with the errors of
	// interp.Server.Compile; when ctx ends it stops the server.
	Compile(ctx context.Context, req interp.Request) (interp.Answer, error)
	// Kill stops the server at once.
	Kill()
	// Close stops it gracefully.
	Close() error
	// Exited reports whether it has gone by itself.
	Exited() bool
}

// Starter starts one server.  It must return once ctx ends.
type Starter func(ctx context.Context) (Server, error)

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
	// Timeout bounds each compile. It must be positive: the caller decides
	// the limit (the engine's is engine.DefaultTimeout unless configured).
	Timeout time.Duration
}

// Pool runs compiles on up to Size servers.
type Pool struct {
	start Starter
	cfg   Config
	ctx   context.Context // ends at Close: aborts starts in progress
	stop  context.CancelFunc

	mu       sync.Mutex
	idle     []Server
	live     map[Server]bool
	starting int
	waiters  []chan Server // compiles waiting for a server, oldest first
	closed   bool
	// limit is the most servers now: Size, or fewer after a start failed
	// while others ran (until one of them goes).
	limit int
}

// New makes a pool that starts its servers with start.  No server is
// started until a compile (or Warm) needs one.
func New(start Starter, cfg Config) *Pool {
	if cfg.Size < 1 {
		cfg.Size = 1
	}
	if cfg.Backlog < 0 {
		cfg.Backlog = 0
	}
	if cfg.Timeout <= 0 {
		panic(fmt.Sprintf("pool: compile limit %v is not positive", cfg.Timeout))
	}
	ctx, stop := context.WithCancel(context.Background())
	return &Pool{start: start, cfg: cfg, ctx: ctx, stop: stop, live: map[Server]bool{}, limit: cfg.Size}
}

// ErrClosed is returned by Compile after Close.
var ErrClosed = errors.New("compile pool is closed")

// Warm makes sure a server is running, starting one if none is: the
// first server is started before any compile needs it, and its start's
// error is returned.
func (p *Pool) Warm(ctx context.Context) error {
	s, err := p.get(ctx)
	if err != nil {
		return err
	}
	p.put(s)
	return nil
}

// Compile returns marshal.dumps of the code object of req's source, with
// the warnings compiling it printed (interp.Answer).  It
// waits for a free server, or starts one (see Config.Backlog).  A server
// that stops serving under a request (a *failure.ServerError: killed from
// outside, or broken) is replaced and the request tried once more; a
// compile that crashes the interpreter or times out (*failure.TimeoutError)
// is reported as an error for this source only.
func (p *Pool) Compile(ctx context.Context, req interp.Request) (interp.Answer, error) {
	for attempt := 0; ; attempt++ {
		s, err := p.get(ctx)
		if err != nil {
			return interp.Answer{}, err
		}
		tctx, cancel := context.WithTimeout(ctx, p.cfg.Timeout)
		a, err := s.Compile(tctx, req)
		timedOut := tctx.Err() == context.DeadlineExceeded && ctx.Err() == nil
		cancel()
		var se *failure.ServerError
		switch {
		case err == nil, isSourceError(err):
			p.put(s)
			return a, err
		case timedOut:
			p.drop(s)
			return interp.Answer{}, &failure.TimeoutError{Limit: p.cfg.Timeout}
		case ctx.Err() != nil:
			p.drop(s)
			return interp.Answer{}, ctx.Err()
		case errors.As(err, &se) && attempt == 0:
			p.drop(s)
			continue
		default:
			p.drop(s)
			return interp.Answer{}, err
		}
	}
}

// isSourceError reports errors that belong to the source, after which the
// server is still good.
func isSourceError(err error) bool {
	var ce *failure.CompileError
	var cr *failure.CrashError
	return errors.As(err, &ce) || errors.As(err, &cr)
}

// get returns a server for one compile: an idle one, a new one when the
// compiles waiting are worth starting it, or else the next one put back.
// A start that fails fails the compile only when no server runs or starts.
func (p *Pool) get(ctx context.Context) (Server, error) {
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
		if running < p.limit && wanting > p.cfg.Backlog*running {
			p.starting++
			p.mu.Unlock()
			s, err := p.startOne(ctx)
			if err == nil || ctx.Err() != nil || errors.Is(err, ErrClosed) {
				return s, err
			}
			p.mu.Lock()
			if len(p.live) == 0 && p.starting == 0 {
				p.mu.Unlock()
				return nil, err
			}
			// Servers run or are starting: make do with them (and start
			// no more until one goes), rather than fail this compile. If
			// the starts under way fail too, the last one wakes this
			// compile, which then tries a start of its own again.
			p.limit = len(p.live) + p.starting
			p.mu.Unlock()
			continue
		}
		w := make(chan Server, 1)
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
func (p *Pool) takeIdle() Server {
	for len(p.idle) > 0 {
		s := p.idle[len(p.idle)-1]
		p.idle = p.idle[:len(p.idle)-1]
		if !s.Exited() {
			return s
		}
		delete(p.live, s)
		s.Kill()
	}
	return nil
}

// startOne starts a server counted in p.starting.  The start ends with
// ctx, or with Close.
func (p *Pool) startOne(ctx context.Context) (Server, error) {
	ctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(p.ctx, cancel)
	s, err := p.start(ctx)
	stop()
	cancel()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.starting--
	switch {
	case err != nil:
		p.wakeLocked()
		if p.closed {
			return nil, ErrClosed
		}
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
func (p *Pool) put(s Server) {
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
func (p *Pool) drop(s Server) {
	s.Kill()
	p.mu.Lock()
	delete(p.live, s)
	p.limit = p.cfg.Size
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
func (p *Pool) handLocked(s Server) bool {
	if len(p.waiters) == 0 {
		return false
	}
	w := p.waiters[0]
	p.waiters = p.waiters[1:]
	w <- s
	return true
}

// Stats is a snapshot of the pool, for tests and diagnostics.
type Stats struct {
	// Live servers (busy or idle), servers starting, idle servers, and
	// compiles waiting for a server.
	Live, Starting, Idle, Waiting int
}

// Stats returns a snapshot of the pool.
func (p *Pool) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return Stats{Live: len(p.live), Starting: p.starting, Idle: len(p.idle), Waiting: len(p.waiters)}
}

// Close stops every server and makes later compiles fail with ErrClosed.
// Servers are killed, compiles in flight with them, and starts in
// progress are abandoned.
func (p *Pool) Close() error {
	p.stop()
	p.mu.Lock()
	p.closed = true
	live := make([]Server, 0, len(p.live))
	for s := range p.live {
		live = append(live, s)
	}
	p.live = map[Server]bool{}
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
