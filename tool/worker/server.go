package worker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/rules-pyc/rules_pyc/tool/worker/protocol"
	"github.com/rules-pyc/rules_pyc/tool/worker/workerpb"
)

// DefaultShutdownGrace is how long Serve waits, after its context ends, for
// handlers to notice the cancellation and return.
const DefaultShutdownGrace = 2 * time.Second

// Server serves the persistent worker protocol on one pair of streams.
//
// Requests with a request id run concurrently, each in its own goroutine
// (the handler bounds the real parallelism); singleplex requests (id 0) run
// one at a time. Every request other than a cancel gets exactly one
// response. A cancel for a request in flight cancels the handler's context;
// whether the request counts as cancelled is decided atomically when the
// handler returns: if a cancel came first, the handler's outputs are removed
// and the response says was_cancelled, otherwise the response is the
// handler's result. Cancels for unknown or answered requests are ignored.
type Server struct {
	// ShutdownGrace is how long Serve waits for handlers once its context
	// has ended. NewServer sets it to DefaultShutdownGrace.
	ShutdownGrace time.Duration

	protocol protocol.Protocol
	in       io.Reader
	out      io.Writer
	handler  Handler
	log      *log.Logger

	// singleplex holds a token while a singleplex request runs.
	singleplex chan struct{}
	inflight   sync.WaitGroup

	mu       sync.Mutex
	active   map[int32][]*call // requests not yet answered, oldest first
	stopping bool

	writeMu  sync.Mutex
	writer   *protocol.Writer
	writeErr error
	failed   chan struct{} // closed on the first write error
}

// call is one request in flight. Its cancelled and finished fields are
// guarded by Server.mu.
type call struct {
	req       *Request
	serveCtx  context.Context // ends when the server shuts down
	ctx       context.Context
	cancel    context.CancelFunc
	cancelled bool
	finished  bool
}

// NewServer returns a Server that reads requests from in, in format p
// (protocol.Auto detects it), and writes responses to out in the same
// format. Log messages (verbose requests, handler panics, shutdown) go to
// logger, which may be nil.
func NewServer(p protocol.Protocol, in io.Reader, out io.Writer, h Handler, logger *log.Logger) *Server {
	if logger == nil {
		logger = log.New(io.Discard, "", 0)
	}
	return &Server{
		ShutdownGrace: DefaultShutdownGrace,
		protocol:      p,
		in:            in,
		out:           out,
		handler:       h,
		log:           logger,
		singleplex:    make(chan struct{}, 1),
		active:        map[int32][]*call{},
		failed:        make(chan struct{}),
	}
}

// Serve reads and answers requests until the input ends, the context ends,
// or something fails.
//
// At the end of the input it waits for the requests in flight, answers
// them, and returns nil. When ctx ends (SIGTERM: see ShutdownContext) it
// cancels every request in flight, waits up to ShutdownGrace for the
// handlers, removes their outputs without answering them, and returns nil.
// Malformed input ends it with an error wrapping protocol.ErrMalformed,
// after the requests already read have been answered; a failed write of a
// response ends it with that error, after cancelling the rest. Serve may be
// called only once.
func (s *Server) Serve(ctx context.Context) error {
	ctx, cancelAll := context.WithCancel(ctx)
	defer cancelAll()

	type item struct {
		req *workerpb.WorkRequest
		err error
	}
	reader := protocol.NewReader(s.protocol, s.in)
	items := make(chan item)
	quit := make(chan struct{})
	defer close(quit)
	// The reading goroutine may stay blocked in a read after Serve has
	// returned on a signal; the process is about to exit then.
	go func() {
		for {
			req, err := reader.Read()
			select {
			case items <- item{req, err}:
			case <-quit:
				return
			}
			if err != nil {
				return
			}
		}
	}()

	for {
		select {
		case <-ctx.Done():
			s.shutdown(cancelAll, "context ended: "+context.Cause(ctx).Error())
			return nil
		case <-s.failed:
			s.shutdown(cancelAll, "response stream failed")
			return s.writeError()
		case it := <-items:
			if it.err == nil {
				s.dispatch(ctx, reader.Protocol(), it.req)
				continue
			}
			// End of input, or input that cannot be read: answer what is
			// in flight, unless a signal or a write error intervenes.
			select {
			case <-s.idle():
			case <-ctx.Done():
				s.shutdown(cancelAll, "context ended: "+context.Cause(ctx).Error())
			case <-s.failed:
				s.shutdown(cancelAll, "response stream failed")
			}
			if err := s.writeError(); err != nil {
				return err
			}
			if errors.Is(it.err, io.EOF) {
				return nil
			}
			return fmt.Errorf("worker input: %w", it.err)
		}
	}
}

// idle returns a channel closed once no handler is running.
func (s *Server) idle() <-chan struct{} {
	done := make(chan struct{})
	go func() {
		s.inflight.Wait()
		close(done)
	}()
	return done
}

// shutdown cancels every request in flight so that none is answered, and
// waits up to ShutdownGrace for the handlers to return.
func (s *Server) shutdown(cancelAll context.CancelFunc, why string) {
	s.mu.Lock()
	s.stopping = true
	n := 0
	for _, calls := range s.active {
		n += len(calls)
	}
	s.mu.Unlock()
	cancelAll()
	if n > 0 {
		s.log.Printf("shutting down (%s): cancelling %d requests in flight", why, n)
	}
	select {
	case <-s.idle():
	case <-time.After(s.ShutdownGrace):
		s.log.Printf("shutting down: handlers still running after %v", s.ShutdownGrace)
	}
}

func (s *Server) dispatch(ctx context.Context, p protocol.Protocol, wr *workerpb.WorkRequest) {
	id := wr.GetRequestId()
	if wr.GetCancel() {
		s.cancel(id, wr.GetVerbosity())
		return
	}
	if s.writer == nil {
		// The format is known once the first request has been read.
		w, err := protocol.NewWriter(p, s.out)
		s.writeMu.Lock()
		s.writer = w
		if err != nil && s.writeErr == nil {
			s.writeErr = err
			close(s.failed)
		}
		s.writeMu.Unlock()
		if err != nil {
			return
		}
	}
	req := &Request{
		Arguments:  wr.GetArguments(),
		RequestID:  id,
		Verbosity:  wr.GetVerbosity(),
		SandboxDir: wr.GetSandboxDir(),
	}
	if in := wr.GetInputs(); len(in) > 0 {
		req.Inputs = make([]Input, len(in))
		for i, x := range in {
			req.Inputs[i] = Input{Path: x.GetPath(), Digest: x.GetDigest()}
		}
	}
	if req.Verbosity > 0 {
		s.log.Printf("request %d: %s", id, describe(req))
	}
	c := &call{req: req, serveCtx: ctx}
	c.ctx, c.cancel = context.WithCancel(ctx)
	s.mu.Lock()
	s.active[id] = append(s.active[id], c)
	s.mu.Unlock()
	s.inflight.Add(1)
	go s.run(c)
}

// cancel marks the oldest unanswered request with this id as cancelled and
// cancels its context. A cancel that matches nothing is ignored.
func (s *Server) cancel(id, verbosity int32) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.active[id] {
		if !c.cancelled && !c.finished {
			c.cancelled = true
			c.cancel()
			if verbosity > 0 || c.req.Verbosity > 0 {
				s.log.Printf("request %d: cancel received", id)
			}
			return
		}
	}
	if verbosity > 0 {
		s.log.Printf("request %d: cancel ignored: no such request in flight", id)
	}
}

func (s *Server) run(c *call) {
	defer s.inflight.Done()
	var res Result
	started := time.Now()
	if c.req.RequestID == 0 {
		select {
		case s.singleplex <- struct{}{}:
			defer func() { <-s.singleplex }()
		case <-c.ctx.Done():
		}
	}
	if c.ctx.Err() == nil {
		res = s.handle(c)
	}

	// The decision: from here on a cancel is ignored.
	s.mu.Lock()
	c.finished = true
	// The handler may see the shutdown before Serve does.
	cancelled, stopping := c.cancelled, s.stopping || c.serveCtx.Err() != nil
	calls := s.active[c.req.RequestID]
	for i, x := range calls {
		if x == c {
			calls = append(calls[:i:i], calls[i+1:]...)
			break
		}
	}
	if len(calls) == 0 {
		delete(s.active, c.req.RequestID)
	} else {
		s.active[c.req.RequestID] = calls
	}
	s.mu.Unlock()
	c.cancel()

	if cancelled || stopping {
		removeOutputs(res.Outputs, s.log.Printf)
	}
	if c.req.Verbosity > 0 {
		s.log.Printf("request %d: exit code %d after %v (cancelled: %v)", c.req.RequestID, res.ExitCode, time.Since(started).Round(time.Microsecond), cancelled)
	}
	if stopping {
		return
	}
	resp := &workerpb.WorkResponse{RequestId: c.req.RequestID}
	if cancelled {
		// Bazel's own WorkRequestHandler answers a cancelled request with
		// exit code 0, no output and was_cancelled; Bazel discards it.
		resp.WasCancelled = true
	} else {
		resp.ExitCode = int32(res.ExitCode)
		resp.Output = res.Output
	}
	s.write(resp)
}

// handle expands the request's --flagfile= arguments and runs the handler.
func (s *Server) handle(c *call) Result {
	args, err := expandArgs(c.req.Arguments, c.req.SandboxDir, false)
	if err != nil {
		return Result{ExitCode: 1, Output: err.Error() + "\n"}
	}
	c.req.Arguments = args
	return callHandler(c.ctx, s.handler, c.req, s.log.Printf)
}

// callHandler runs h, turning a panic into a failed Result.
func callHandler(ctx context.Context, h Handler, req *Request, logf func(string, ...any)) (res Result) {
	defer func() {
		if v := recover(); v != nil {
			if logf != nil {
				logf("request %d: handler panic: %v\n%s", req.RequestID, v, debug.Stack())
			}
			res = Result{ExitCode: 1, Output: fmt.Sprintf("internal error: %v\n", v)}
		}
	}()
	return h(ctx, req)
}

func (s *Server) write(resp *workerpb.WorkResponse) {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if s.writeErr != nil {
		return
	}
	if err := s.writer.Write(resp); err != nil {
		s.writeErr = err
		close(s.failed)
	}
}

func (s *Server) writeError() error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	return s.writeErr
}

// describe summarizes a request for the log, keeping it short for requests
// with thousands of arguments or inputs.
func describe(r *Request) string {
	const show = 16
	args := r.Arguments
	more := ""
	if len(args) > show {
		args, more = args[:show], fmt.Sprintf(" ... (%d in all)", len(r.Arguments))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "arguments %q%s, %d inputs", args, more, len(r.Inputs))
	if r.SandboxDir != "" {
		fmt.Fprintf(&b, ", sandbox %s", r.SandboxDir)
	}
	return b.String()
}
