package pool_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rules-pyc/rules_pyc/compiler/failure"
	"github.com/rules-pyc/rules_pyc/compiler/interp"
	"github.com/rules-pyc/rules_pyc/compiler/pool"
	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

// fakeServer is a server whose compiles wait until the test releases them.
type fakeServer struct {
	release chan struct{} // closed: every compile returns
	mu      sync.Mutex
	killed  bool
}

func (f *fakeServer) Compile(ctx context.Context, _ interp.Request) (interp.Answer, error) {
	select {
	case <-f.release:
		return interp.Answer{Code: []byte("code")}, nil
	case <-ctx.Done():
		return interp.Answer{}, ctx.Err()
	}
}

func (f *fakeServer) Kill() {
	f.mu.Lock()
	f.killed = true
	f.mu.Unlock()
}

func (f *fakeServer) Close() error { f.Kill(); return nil }
func (f *fakeServer) Exited() bool { return false }

// fakeStarter starts fakeServers, each start waiting until the test lets
// it finish, and counts the starts.
type fakeStarter struct {
	release chan struct{} // closed: starts and compiles finish
	mu      sync.Mutex
	started []*fakeServer
}

func (f *fakeStarter) start(ctx context.Context) (pool.Server, error) {
	s := &fakeServer{release: f.release}
	f.mu.Lock()
	f.started = append(f.started, s)
	f.mu.Unlock()
	select {
	case <-f.release:
		return s, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (f *fakeStarter) starts() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.started)
}

// waitFor polls cond, which the pool's state makes true within moments.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(100 * time.Microsecond) {
		if time.Now().After(deadline) {
			t.Fatalf("still not %s after 10s", what)
		}
	}
}

// TestBacklogArithmetic sends compiles one at a time, each arriving while
// no server has started yet (the starts are held), and counts the servers
// the pool starts for them.  No timing is involved: each compile is sent
// once the one before has either started a server or joined the waiters.
func TestBacklogArithmetic(t *testing.T) {
	tests := []struct {
		size, backlog, compiles, want int
	}{
		{size: 4, backlog: 0, compiles: 1, want: 1},
		{size: 4, backlog: 0, compiles: 3, want: 3},
		{size: 4, backlog: 0, compiles: 9, want: 4}, // at most Size
		{size: 4, backlog: 8, compiles: 3, want: 1},
		{size: 4, backlog: 8, compiles: 9, want: 1},
		{size: 4, backlog: 8, compiles: 10, want: 2}, // the tenth finds nine wanting one server
		{size: 4, backlog: 8, compiles: 19, want: 3}, // the nineteenth finds seventeen wanting two
		{size: 4, backlog: 2, compiles: 7, want: 3},  // started by the 1st, 4th and 7th
		{size: 1, backlog: 0, compiles: 5, want: 1},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("size %d, backlog %d, %d compiles", tt.size, tt.backlog, tt.compiles), func(t *testing.T) {
			fs := &fakeStarter{release: make(chan struct{})}
			p := pool.New(fs.start, pool.Config{Size: tt.size, Backlog: tt.backlog, Timeout: time.Minute})
			defer p.Close()
			var wg sync.WaitGroup
			errs := make([]error, tt.compiles)
			for i := range tt.compiles {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, errs[i] = p.Compile(context.Background(), interp.Request{Name: "m.py"})
				}()
				waitFor(t, fmt.Sprintf("compile %d arrived", i+1), func() bool {
					return fs.starts()+p.Stats().Waiting == i+1
				})
			}
			if got := fs.starts(); got != tt.want {
				t.Errorf("%d servers started, want %d", got, tt.want)
			}
			close(fs.release)
			wg.Wait()
			if err := errors.Join(errs...); err != nil {
				t.Fatal(err)
			}
			if st := p.Stats(); st.Live != tt.want || st.Idle != tt.want || st.Waiting != 0 || st.Starting != 0 {
				t.Errorf("after the compiles: %+v, want %d live and idle servers", st, tt.want)
			}
		})
	}
}

// TestCloseAbandonsStarts closes a pool while a server starts and a
// compile waits: both return ErrClosed at once.
func TestCloseAbandonsStarts(t *testing.T) {
	fs := &fakeStarter{release: make(chan struct{})}
	p := pool.New(fs.start, pool.Config{Size: 1, Timeout: time.Minute})
	errs := make(chan error, 2)
	for range 2 {
		go func() {
			_, err := p.Compile(context.Background(), interp.Request{Name: "m.py"})
			errs <- err
		}()
	}
	waitFor(t, "starting and waiting", func() bool { st := p.Stats(); return st.Starting == 1 && st.Waiting == 1 })
	p.Close()
	for range 2 {
		if err := <-errs; !errors.Is(err, pool.ErrClosed) {
			t.Errorf("got %v, want ErrClosed", err)
		}
	}
}

// TestFailedStartWithServersRunning: a start that fails while a server
// runs does not fail the compile that asked for it; the compile waits for
// the running server.
func TestFailedStartWithServersRunning(t *testing.T) {
	release := make(chan struct{})
	var mu sync.Mutex
	starts := 0
	p := pool.New(func(ctx context.Context) (pool.Server, error) {
		mu.Lock()
		defer mu.Unlock()
		starts++
		if starts > 1 {
			return nil, errors.New("no second server")
		}
		return &fakeServer{release: release}, nil
	}, pool.Config{Size: 2, Timeout: time.Minute})
	defer p.Close()
	errs := make(chan error, 2)
	for range 2 {
		go func() {
			_, err := p.Compile(context.Background(), interp.Request{Name: "m.py"})
			errs <- err
		}()
	}
	waitFor(t, "one compiling, one waiting", func() bool { st := p.Stats(); return st.Live == 1 && st.Waiting == 1 })
	close(release)
	for range 2 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if starts != 2 {
		t.Errorf("%d starts, want 2 (the second failed, and no third was tried)", starts)
	}
}

// TestFailedStartWhileAnotherStarts: a start that fails while another
// server is still starting (none runs yet) does not fail its compile
// either; the compile waits for the server under way.
func TestFailedStartWhileAnotherStarts(t *testing.T) {
	first := make(chan struct{}) // closed: the first start finishes
	release := make(chan struct{})
	start, starts := countStarts(func(ctx context.Context, n int) (pool.Server, error) {
		if n > 1 {
			return nil, errors.New("no second server")
		}
		select {
		case <-first:
			return &fakeServer{release: release}, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	})
	p := pool.New(start, pool.Config{Size: 2, Timeout: time.Minute})
	defer p.Close()
	errs := compileWhileStarting(t, p)
	select {
	case err := <-errs:
		t.Fatalf("a compile returned while the first server was still starting: %v", err)
	default:
	}
	close(first)
	close(release)
	for range 2 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if n := starts(); n != 2 {
		t.Errorf("%d starts, want 2 (the second failed, and no third was tried)", n)
	}
	if st := p.Stats(); st.Live != 1 || st.Idle != 1 {
		t.Errorf("after the compiles: %+v, want the one server live and idle", st)
	}
}

// TestFailedStartAllFail: when every start fails, each compile fails with
// the start's error, whether or not another start was under way when its
// own failed; none waits for ever.
func TestFailedStartAllFail(t *testing.T) {
	first := make(chan struct{}) // closed: the first start fails
	start, starts := countStarts(func(ctx context.Context, n int) (pool.Server, error) {
		if n == 1 {
			<-first
		}
		return nil, fmt.Errorf("start %d failed", n)
	})
	p := pool.New(start, pool.Config{Size: 2, Timeout: time.Minute})
	defer p.Close()
	errs := compileWhileStarting(t, p)
	close(first)
	for range 2 {
		select {
		case err := <-errs:
			if err == nil || !strings.Contains(err.Error(), "failed") {
				t.Errorf("got %v, want a start's error", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("a compile still waits 10s after every start failed")
		}
	}
	if n := starts(); n != 3 {
		t.Errorf("%d starts, want 3 (the waiting compile tries once more when the first fails)", n)
	}
}

// countStarts wraps start, which is told the number of its call (from 1),
// into a Starter, and returns with it a function that reads how many
// starts were made.
func countStarts(start func(ctx context.Context, n int) (pool.Server, error)) (pool.Starter, func() int) {
	var mu sync.Mutex
	starts := 0
	starter := func(ctx context.Context) (pool.Server, error) {
		mu.Lock()
		starts++
		n := starts
		mu.Unlock()
		return start(ctx, n)
	}
	return starter, func() int {
		mu.Lock()
		defer mu.Unlock()
		return starts
	}
}

// compileWhileStarting sends one compile to p, waits until its server is
// starting, then sends a second and waits until it waits; the compiles'
// errors arrive on the returned channel.
func compileWhileStarting(t *testing.T, p *pool.Pool) <-chan error {
	t.Helper()
	errs := make(chan error, 2)
	compile := func() {
		_, err := p.Compile(context.Background(), interp.Request{Name: "m.py"})
		errs <- err
	}
	go compile()
	waitFor(t, "the first server starting", func() bool { return p.Stats().Starting == 1 })
	go compile()
	waitFor(t, "one starting, one waiting", func() bool { st := p.Stats(); return st.Starting == 1 && st.Waiting == 1 })
	return errs
}

// TestFailedStartAlone: a start that fails while no server runs fails the
// compile with the start's error.
func TestFailedStartAlone(t *testing.T) {
	p := pool.New(func(ctx context.Context) (pool.Server, error) {
		return nil, errors.New("no server")
	}, pool.Config{Size: 2, Timeout: time.Minute})
	defer p.Close()
	if _, err := p.Compile(context.Background(), interp.Request{Name: "m.py"}); err == nil || err.Error() != "no server" {
		t.Errorf("got %v, want the start's error", err)
	}
}

// realPool is a pool of real servers of one interpreter; servers lists
// the servers it started.
type realPool struct {
	*pool.Pool
	mu      sync.Mutex
	servers []*interp.Server
}

func newPool(t *testing.T, size int, timeout time.Duration) *realPool {
	t.Helper()
	py := pythons.Require(t, 1)[0]
	info, err := interp.Probe(context.Background(), py.Path, interp.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rp := &realPool{}
	rp.Pool = pool.New(func(ctx context.Context) (pool.Server, error) {
		s, err := interp.Launch(ctx, "", info, interp.Options{Stderr: os.Stderr})
		if err != nil {
			return nil, err
		}
		rp.mu.Lock()
		rp.servers = append(rp.servers, s)
		rp.mu.Unlock()
		return s, nil
	}, pool.Config{Size: size, Timeout: timeout})
	t.Cleanup(func() { rp.Close() })
	return rp
}

// running lists the pids of the servers still running.
func (rp *realPool) running() []int {
	rp.mu.Lock()
	defer rp.mu.Unlock()
	var pids []int
	for _, s := range rp.servers {
		if !s.Exited() {
			pids = append(pids, s.Pid())
		}
	}
	return pids
}

func compile(p *realPool, ctx context.Context, name string, src []byte) error {
	_, err := p.Compile(ctx, interp.Request{Name: name, Source: src})
	return err
}

// slow takes the interpreter a few seconds to compile (flat, so no
// interpreter's recursion limit is hit).
var slow = func() []byte {
	var b strings.Builder
	for i := 0; i < 300000; i++ {
		fmt.Fprintf(&b, "a%d = %d\n", i, i)
	}
	return []byte(b.String())
}()

var small = []byte("x = 1\n")

func TestPoolBoundsAndReusesServers(t *testing.T) {
	p := newPool(t, 2, time.Minute)
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- compile(p, context.Background(), "m.py", small)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := len(p.running()); n < 1 || n > 2 {
		t.Errorf("%d servers running, want 1 or 2", n)
	}
}

// TestPoolWaitCanBeCancelled cancels a compile that waits for a server and
// checks the pool goes on working.
func TestPoolWaitCanBeCancelled(t *testing.T) {
	p := newPool(t, 1, time.Minute)
	busy := make(chan error, 1)
	go func() { busy <- compile(p, context.Background(), "slow.py", slow) }()
	waitFor(t, "busy", func() bool { return p.Stats().Live == 1 && p.Stats().Idle == 0 })
	ctx, cancel := context.WithCancel(context.Background())
	waiting := make(chan error, 1)
	go func() { waiting <- compile(p, ctx, "m.py", small) }()
	waitFor(t, "waiting", func() bool { return p.Stats().Waiting == 1 })
	cancel()
	if err := <-waiting; !errors.Is(err, context.Canceled) {
		t.Fatalf("waiting compile: got %v, want context.Canceled", err)
	}
	if err := <-busy; err != nil {
		t.Fatal(err)
	}
	if err := compile(p, context.Background(), "m.py", small); err != nil {
		t.Errorf("pool unusable after a cancelled wait: %v", err)
	}
	if n := len(p.running()); n != 1 {
		t.Errorf("%d servers, want 1", n)
	}
}

func TestPoolReplacesKilledServer(t *testing.T) {
	p := newPool(t, 1, time.Minute)
	if err := compile(p, context.Background(), "m.py", small); err != nil {
		t.Fatal(err)
	}
	pids := p.running()
	if len(pids) != 1 {
		t.Fatalf("servers %v, want one", pids)
	}
	done := make(chan error, 1)
	go func() { done <- compile(p, context.Background(), "slow.py", slow) }()
	waitFor(t, "busy", func() bool { return p.Stats().Idle == 0 })
	if err := syscall.Kill(pids[0], syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Errorf("the request whose server was killed was not retried: %v", err)
	}
	if err := compile(p, context.Background(), "m.py", small); err != nil {
		t.Errorf("pool unusable after a server was killed: %v", err)
	}
	if now := p.running(); len(now) != 1 || now[0] == pids[0] {
		t.Errorf("servers %v after killing %d", now, pids[0])
	}
}

// TestPoolTimeoutAndCancel: a compile over the limit fails with a
// TimeoutError, a cancelled one with the context's error, and the pool
// goes on working.  (The limit is well above what a small compile takes
// on a fresh server, whose first compile waits for its imports.)
func TestPoolTimeoutAndCancel(t *testing.T) {
	p := newPool(t, 1, time.Second)
	err := compile(p, context.Background(), "slow.py", slow)
	var te *failure.TimeoutError
	if !errors.As(err, &te) || te.Limit != time.Second || strings.Contains(err.Error(), "--") {
		t.Fatalf("got %v, want a TimeoutError of 1s that names no flag", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(50 * time.Millisecond); cancel() }()
	if err := compile(p, ctx, "slow.py", slow); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled compile: got %v", err)
	}
	if err := compile(p, context.Background(), "m.py", small); err != nil {
		t.Errorf("pool unusable after a timeout: %v", err)
	}
}

func TestPoolCloseStopsEverything(t *testing.T) {
	p := newPool(t, 2, time.Minute)
	for i := 0; i < 4; i++ {
		if err := compile(p, context.Background(), "m.py", small); err != nil {
			t.Fatal(err)
		}
	}
	pids := p.running()
	p.Close()
	for _, pid := range pids {
		if err := syscall.Kill(pid, 0); err == nil {
			t.Errorf("server %d still running after Close", pid)
		}
	}
	if err := compile(p, context.Background(), "m.py", small); !errors.Is(err, pool.ErrClosed) {
		t.Errorf("after Close: got %v, want ErrClosed", err)
	}
}
