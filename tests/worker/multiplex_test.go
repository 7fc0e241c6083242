//go:build linux

package worker

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/rules-pyc/rules_pyc/internal/pyref"
	"github.com/rules-pyc/rules_pyc/tool/worker/workerpb"
)

// TestMultiplexCancellation sends 10,000 multiplex requests, one small
// source each, and cancels about 10% of them at random moments: right after
// the request, a little later, or after its response has arrived (a cancel
// the worker must ignore).  Every request gets exactly one response; a
// cancelled one has no output file; the output directory holds nothing but
// the outputs of the requests that completed; and once stdin is closed the
// worker exits and nothing it started is left running.
func TestMultiplexCancellation(t *testing.T) {
	n := 10000
	if testing.Short() {
		n = 1000
	}
	in := python(t)
	src := t.TempDir()
	files := make([]file, n)
	for i := range files {
		files[i] = file{
			src:  filepath.Join(src, fmt.Sprintf("m%05d.py", i)),
			name: fmt.Sprintf("pkg/m%05d.py", i),
		}
		text := fmt.Sprintf("VALUE = %d\nNAME = 'm%05d'\n\n\ndef get():\n    return NAME, VALUE\n", i, i)
		if err := os.WriteFile(files[i].src, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, w := range []wire{protoWire, jsonLines} {
		t.Run(w.String(), func(t *testing.T) {
			multiplexCancellation(t, w, in.Path, files)
		})
	}
	// A sample of the outputs against py_compile, so that the worker under
	// load is known to write the right bytes, not just some bytes.
	t.Run("bytes", func(t *testing.T) {
		out := t.TempDir()
		r := rand.New(rand.NewPCG(1, 2))
		var sample []file
		for range 40 {
			f := files[r.IntN(len(files))]
			f.pyc = filepath.Join(out, filepath.Base(f.src)+"c")
			sample = append(sample, f)
		}
		wk := startWorker(t, protoWire, workerOptions{startup: []string{"--python", in.Path, "-j", "2"}})
		for i, f := range sample {
			if err := wk.send(compileRequest(int32(i+1), []file{f})); err != nil {
				t.Fatal(err)
			}
		}
		wk.closeStdin()
		if got := len(wk.recvAll()); got != len(sample) {
			t.Errorf("%d responses for %d requests", got, len(sample))
		}
		want := reference(t, in, sample, pyref.CheckedHash, 0)
		for i, f := range sample {
			if got := mustReadFile(t, f.pyc); !bytes.Equal(got, want[i]) {
				t.Errorf("%s differs from py_compile's", f.name)
			}
		}
		wk.wait(10 * time.Second)
	})
}

func multiplexCancellation(t *testing.T, w wire, python string, sources []file) {
	out := t.TempDir()
	files := make([]file, len(sources))
	for i, f := range sources {
		f.pyc = filepath.Join(out, fmt.Sprintf("m%05d.pyc", i))
		files[i] = f
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 7))

	// How each request is cancelled, if it is.
	const (
		keep = iota
		cancelNow
		cancelLater
		cancelAfterResponse
	)
	plan := make([]int, len(files))
	for i := range plan {
		if r.IntN(10) == 0 {
			plan[i] = 1 + r.IntN(3)
		}
	}
	delays := make([]time.Duration, len(files))
	for i := range delays {
		delays[i] = time.Duration(r.IntN(20000)) * time.Microsecond
	}

	wk := startWorker(t, w, workerOptions{startup: []string{"--python", python, "-j", "2", "--worker_protocol", w.flag()}})
	id := func(i int) int32 { return int32(i + 1) }
	cancel := func(i int) {
		if err := wk.send(&workerpb.WorkRequest{RequestId: id(i), Cancel: true}); err != nil {
			t.Error(err)
		}
	}

	responses := make(chan *workerpb.WorkResponse, len(files))
	readErr := make(chan error, 1)
	go func() {
		defer close(responses)
		for {
			resp, err := wk.recv()
			if err != nil {
				readErr <- err
				return
			}
			responses <- resp
		}
	}()

	start := time.Now()
	var later sync.WaitGroup
	go func() {
		for i, f := range files {
			if err := wk.send(compileRequest(id(i), []file{f})); err != nil {
				t.Error(err)
				return
			}
			switch plan[i] {
			case cancelNow:
				cancel(i)
			case cancelLater:
				later.Add(1)
				time.AfterFunc(delays[i], func() {
					defer later.Done()
					cancel(i)
				})
			}
		}
	}()

	got := make([]*workerpb.WorkResponse, len(files))
	pending := len(files)
	timeout := time.After(3 * time.Minute)
	for pending > 0 {
		select {
		case resp, ok := <-responses:
			if !ok {
				t.Fatalf("stdout ended with %d requests unanswered: %v", pending, <-readErr)
			}
			i := int(resp.GetRequestId()) - 1
			if i < 0 || i >= len(files) {
				t.Fatalf("response for request %d, which was never sent", resp.GetRequestId())
			}
			if got[i] != nil {
				t.Fatalf("second response for request %d: %v after %v", id(i), resp, got[i])
			}
			got[i] = resp
			pending--
			if plan[i] == cancelAfterResponse {
				cancel(i)
			}
		case <-timeout:
			t.Fatalf("%d of %d requests still unanswered after 3 minutes", pending, len(files))
		}
	}
	elapsed := time.Since(start)
	later.Wait()
	checkNoZombies(t, wk.pid())
	wk.closeStdin()
	if code := wk.wait(30 * time.Second); code != 0 {
		t.Errorf("exit code %d after stdin ended, want 0", code)
	}
	// Nothing after the last response: the cancels sent after responses
	// were ignored.
	for resp := range responses {
		t.Errorf("extra response after every request was answered: %v", resp)
	}
	if err := <-readErr; err.Error() != "EOF" {
		t.Errorf("stdout did not end cleanly: %v", err)
	}

	var cancelled, completed, targets int
	outputs := map[string]bool{}
	for i, resp := range got {
		if plan[i] != keep {
			targets++
		}
		switch {
		case resp.GetWasCancelled():
			cancelled++
			if plan[i] == keep || plan[i] == cancelAfterResponse {
				t.Errorf("request %d: was_cancelled, but no cancel was sent before its response", id(i))
			}
			if resp.GetExitCode() != 0 || resp.GetOutput() != "" {
				t.Errorf("request %d: a cancelled response has exit code %d and output %q, want 0 and none", id(i), resp.GetExitCode(), resp.GetOutput())
			}
			if _, err := os.Lstat(files[i].pyc); err == nil {
				t.Errorf("request %d was cancelled but left %s", id(i), files[i].pyc)
			}
		case resp.GetExitCode() != 0:
			t.Errorf("request %d: exit code %d: %s", id(i), resp.GetExitCode(), resp.GetOutput())
		default:
			completed++
			outputs[files[i].pyc] = true
			if _, err := os.Stat(files[i].pyc); err != nil {
				t.Errorf("request %d succeeded but: %v", id(i), err)
			}
		}
	}
	t.Logf("%d requests in %v (%.0f/s): %d cancels sent, %d cancelled, %d completed", len(files), elapsed.Round(time.Millisecond), float64(len(files))/elapsed.Seconds(), targets, cancelled, completed)
	if cancelled == 0 {
		t.Errorf("no request was cancelled: the test did not exercise cancellation")
	}
	checkOnlyFiles(t, out, outputs)
	wk.checkStderr()
	checkNoLeftovers(t)
}
