package engine

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rules-pyc/rules_pyc/compiler/pycfile"
)

// TestNativeReadsSourceInItsSlot: a native job reads its source only once
// it holds a compile slot, so that jobs queued behind busy slots (a worker
// sent many requests at once) hold no sources in memory. A queued job whose
// source is missing waits for its slot (and ends with its context, not with
// a read error), and a queued job compiles the source as it is when its
// slot frees, not as it was when the job arrived.
func TestNativeReadsSourceInItsSlot(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "m.py")
	write := func(text string) {
		t.Helper()
		if err := os.WriteFile(src, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	e := New(Config{Backend: Native, Version: "3.13.0", Jobs: 1, Stderr: io.Discard})
	defer e.Close()
	ctx := context.Background()
	job := Job{Source: src, Name: "m.py", Mode: pycfile.CheckedHash}

	// The answer for each text, with the slot free.
	write("x = 2\n")
	want, err := e.Compile(ctx, job)
	if err != nil {
		t.Fatal(err)
	}
	write("x = 1\n")
	old, err := e.Compile(ctx, job)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(old.Data, want.Data) {
		t.Fatal("the two texts compile to the same bytes")
	}

	s, err := e.acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	missing := Job{Source: filepath.Join(dir, "missing.py")}
	tctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	_, err = e.Compile(tctx, missing)
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("queued job with a missing source: got %v, want the context's deadline (it must not read before its slot)", err)
	}

	done := make(chan Result, 1)
	go func() {
		res, err := e.Compile(ctx, job)
		if err != nil {
			t.Error(err)
		}
		done <- res
	}()
	// Long enough for the job to reach its slot's queue (and, if it read
	// first, to read the old text).
	time.Sleep(100 * time.Millisecond)
	write("x = 2\n")
	s.release()
	if res := <-done; !bytes.Equal(res.Data, want.Data) {
		t.Errorf("queued job compiled the source as it was before its slot freed")
	}
}
