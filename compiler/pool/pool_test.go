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

	"github.com/rules-pyc/rules_pyc/compiler/interp"
	"github.com/rules-pyc/rules_pyc/compiler/pool"
	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

func newPool(t *testing.T, size int, timeout time.Duration) *pool.Pool {
	t.Helper()
	py := pythons.Require(t, 2)[0]
	info, err := interp.Probe(context.Background(), py.Path)
	if err != nil {
		t.Fatal(err)
	}
	p := pool.New(info, pool.Config{Size: size, Timeout: timeout, Stderr: os.Stderr})
	t.Cleanup(func() { p.Close() })
	return p
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

func TestPoolBoundsAndReusesServers(t *testing.T) {
	p := newPool(t, 2, 0)
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := p.Compile(context.Background(), "m.py", []byte("x = 1\n"), 0, false)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := len(p.Pids()); n < 1 || n > 2 {
		t.Errorf("%d servers running, want 1 or 2", n)
	}
}

// TestPoolStartsServersForTheBacklog runs compiles that all arrive while
// the first server starts, and counts the servers the pool started for
// them.
func TestPoolStartsServersForTheBacklog(t *testing.T) {
	// A source that keeps a server busy for tens of milliseconds.
	var b strings.Builder
	for i := range 5000 {
		fmt.Fprintf(&b, "a%d = %d\n", i, i)
	}
	busy := []byte(b.String())
	py := pythons.Require(t, 1)[0]
	info, err := interp.Probe(context.Background(), py.Path)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		backlog, compiles, want int
	}{
		{backlog: 0, compiles: 1, want: 1},
		{backlog: 0, compiles: 3, want: 3},
		{backlog: 0, compiles: 9, want: 4}, // at most Size
		{backlog: 8, compiles: 3, want: 1},
		{backlog: 8, compiles: 9, want: 1},
		{backlog: 8, compiles: 10, want: 2}, // the tenth finds nine wanting one server
		{backlog: 2, compiles: 7, want: 3},  // started by the 1st, 4th and 7th
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("backlog %d, %d compiles", tt.backlog, tt.compiles), func(t *testing.T) {
			p := pool.New(info, pool.Config{Size: 4, Backlog: tt.backlog, Stderr: os.Stderr})
			defer p.Close()
			var wg sync.WaitGroup
			errs := make([]error, tt.compiles)
			for i := range tt.compiles {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, errs[i] = p.Compile(context.Background(), "m.py", busy, 0, false)
				}()
				// In order, each seeing the ones before it waiting:
				// every compile arrives before a server has started.
				time.Sleep(time.Millisecond)
			}
			wg.Wait()
			if err := errors.Join(errs...); err != nil {
				t.Fatal(err)
			}
			if got := len(p.Pids()); got != tt.want {
				t.Errorf("%d servers started, want %d", got, tt.want)
			}
		})
	}
}

// TestPoolWaitCanBeCancelled cancels a compile that waits for a server and
// checks the pool goes on working.
func TestPoolWaitCanBeCancelled(t *testing.T) {
	p := newPool(t, 1, 0)
	busy := make(chan error, 1)
	go func() {
		_, err := p.Compile(context.Background(), "slow.py", slow, 0, false)
		busy <- err
	}()
	time.Sleep(200 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := p.Compile(ctx, "m.py", []byte("x = 1\n"), 0, false); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("waiting compile: got %v, want DeadlineExceeded", err)
	}
	if err := <-busy; err != nil {
		t.Fatal(err)
	}
	if _, err := p.Compile(context.Background(), "m.py", []byte("x = 1\n"), 0, false); err != nil {
		t.Errorf("pool unusable after a cancelled wait: %v", err)
	}
	if n := len(p.Pids()); n != 1 {
		t.Errorf("%d servers, want 1", n)
	}
}

func TestPoolReplacesKilledServer(t *testing.T) {
	p := newPool(t, 1, 0)
	if _, err := p.Compile(context.Background(), "m.py", []byte("x = 1\n"), 0, false); err != nil {
		t.Fatal(err)
	}
	pids := p.Pids()
	if len(pids) != 1 {
		t.Fatalf("servers %v, want one", pids)
	}
	done := make(chan error, 1)
	go func() {
		_, err := p.Compile(context.Background(), "slow.py", slow, 0, false)
		done <- err
	}()
	time.Sleep(200 * time.Millisecond)
	syscall.Kill(pids[0], syscall.SIGKILL)
	if err := <-done; err != nil {
		t.Errorf("the request whose server was killed was not retried: %v", err)
	}
	if _, err := p.Compile(context.Background(), "m.py", []byte("x = 1\n"), 0, false); err != nil {
		t.Errorf("pool unusable after a server was killed: %v", err)
	}
	if now := p.Pids(); len(now) != 1 || now[0] == pids[0] {
		t.Errorf("servers %v after killing %d", now, pids[0])
	}
}

func TestPoolTimeoutAndCancel(t *testing.T) {
	p := newPool(t, 1, 100*time.Millisecond)
	_, err := p.Compile(context.Background(), "slow.py", slow, 0, false)
	var te *pool.TimeoutError
	if !errors.As(err, &te) || !strings.Contains(err.Error(), "--timeout") {
		t.Fatalf("got %v, want a TimeoutError", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(50 * time.Millisecond); cancel() }()
	if _, err := p.Compile(ctx, "slow.py", slow, 0, false); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled compile: got %v", err)
	}
	if _, err := p.Compile(context.Background(), "m.py", []byte("x = 1\n"), 0, false); err != nil {
		t.Errorf("pool unusable after a timeout: %v", err)
	}
}

func TestPoolCloseStopsEverything(t *testing.T) {
	p := newPool(t, 2, 0)
	for i := 0; i < 4; i++ {
		if _, err := p.Compile(context.Background(), "m.py", []byte("x = 1\n"), 0, false); err != nil {
			t.Fatal(err)
		}
	}
	pids := p.Pids()
	p.Close()
	for _, pid := range pids {
		if err := syscall.Kill(pid, 0); err == nil {
			t.Errorf("server %d still running after Close", pid)
		}
	}
	if _, err := p.Compile(context.Background(), "m.py", []byte("x = 1\n"), 0, false); !errors.Is(err, pool.ErrClosed) {
		t.Errorf("after Close: got %v, want ErrClosed", err)
	}
}
