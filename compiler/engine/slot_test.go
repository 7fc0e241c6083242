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

// TestNativeReadAhead: native jobs queued for a compile slot read their
// sources only when they are among the next Jobs to compile. With one
// slot, held here: the first queued job reads its source at once (and
// compiles the text it read), the next one waits unread (a missing source
// ends with the job's context, not with a read error, and a source
// rewritten meanwhile is compiled as it is when the job reads it).
func TestNativeReadAhead(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	e := New(Config{Backend: Native, Version: "3.13.0", Jobs: 1, Stderr: io.Discard})
	defer e.Close()
	ctx := context.Background()
	job := func(name string) Job {
		return Job{Source: filepath.Join(dir, name), Name: "m.py", Mode: pycfile.CheckedHash}
	}

	// The answer for each text, with the slot free.
	answer := func(text string) []byte {
		t.Helper()
		write("m.py", text)
		res, err := e.Compile(ctx, job("m.py"))
		if err != nil {
			t.Fatal(err)
		}
		return res.Data
	}
	one, two := answer("x = 1\n"), answer("x = 2\n")
	if bytes.Equal(one, two) {
		t.Fatal("the two texts compile to the same bytes")
	}
	write("a.py", "x = 1\n")
	write("b.py", "x = 1\n")

	s, err := acquire(ctx, e.slots)
	if err != nil {
		t.Fatal(err)
	}
	compile := func(name string) <-chan []byte {
		done := make(chan []byte, 1)
		go func() {
			res, err := e.Compile(ctx, job(name))
			if err != nil {
				t.Error(err)
			}
			done <- res.Data
		}()
		return done
	}
	// Long enough for a job to read its source if it may, and to reach a
	// queue.
	settle := func() { time.Sleep(100 * time.Millisecond) }

	first := compile("a.py")
	settle()
	tctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	_, err = e.Compile(tctx, job("missing.py"))
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("queued job behind the next one, with a missing source: got %v, want the context's deadline (it must not read yet)", err)
	}
	second := compile("b.py")
	settle()
	write("a.py", "x = 2\n")
	write("b.py", "x = 2\n")
	s.release()
	if got := <-first; !bytes.Equal(got, one) {
		t.Errorf("the next job to compile did not compile the text it read while it waited")
	}
	if got := <-second; !bytes.Equal(got, two) {
		t.Errorf("a job queued behind the next one compiled its source as it was before it could read it")
	}
}
