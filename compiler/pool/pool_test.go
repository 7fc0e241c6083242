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
	p := pool.New(info, size, timeout, os.Stderr)
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
