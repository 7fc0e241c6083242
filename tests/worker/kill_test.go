//go:build linux

package worker

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rules-pyc/rules_pyc/internal/pyref"
)

// slowSource is a module that takes CPython a second or more to compile.
func slowSource() []byte {
	var b strings.Builder
	for i := range 200000 {
		fmt.Fprintf(&b, "x%d = y + %d\n", i, i)
	}
	return []byte(b.String())
}

// compilingServer waits until one of the worker's interpreter servers has
// forked the process that compiles, and returns the server's pid and the
// compiling child's.  not is a server pid to ignore (one already killed).
func compilingServer(t *testing.T, workerPid, not int) (server, compiling int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		for _, s := range children(workerPid) {
			if s == not || !alive(s) {
				continue
			}
			for _, c := range children(s) {
				if alive(c) {
					return s, c
				}
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("no interpreter server of worker %d started compiling within 20s", workerPid)
	return 0, 0
}

// TestServerKilled kills the worker's interpreter server with SIGKILL while
// it compiles.  Killed once, the request is retried on a new server and
// succeeds with py_compile's bytes; killed on the retry too, it fails with
// a message that says so.  Either way the compiling child goes with its
// server, and the worker goes on serving.  The CPython backend compiles
// (--backend cpython): its servers are what is killed.
func TestServerKilled(t *testing.T) {
	in := python(t)
	dir := t.TempDir()
	slow := file{src: filepath.Join(dir, "slow.py"), name: "pkg/slow.py"}
	if err := os.WriteFile(slow.src, slowSource(), 0o644); err != nil {
		t.Fatal(err)
	}
	small := file{src: filepath.Join(dir, "small.py"), name: "pkg/small.py"}
	if err := os.WriteFile(small.src, []byte("A = 'small'\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	want := reference(t, in, []file{slow, small}, pyref.CheckedHash, 0)

	for _, w := range []wire{protoWire, jsonLines} {
		t.Run(w.String(), func(t *testing.T) {
			out := t.TempDir()
			wk := startWorker(t, w, workerOptions{startup: []string{"--backend", "cpython", "--python", in.Path, "-j", "1"}})
			kill := func(not int) int {
				server, compiling := compilingServer(t, wk.pid(), not)
				if err := syscall.Kill(server, syscall.SIGKILL); err != nil {
					t.Fatalf("kill -9 %d: %v", server, err)
				}
				t.Cleanup(func() {
					deadline := time.Now().Add(5 * time.Second)
					for alive(compiling) && time.Now().Before(deadline) {
						time.Sleep(10 * time.Millisecond)
					}
					if alive(compiling) {
						t.Errorf("the compile forked by killed server %d (pid %d) is still running", server, compiling)
					}
				})
				return server
			}

			// Killed once: retried.
			retried := slow
			retried.pyc = filepath.Join(out, "retried.pyc")
			if err := wk.send(compileRequest(1, []file{retried})); err != nil {
				t.Fatal(err)
			}
			kill(0)
			resp, err := wk.recv()
			if err != nil {
				t.Fatal(err)
			}
			if resp.GetRequestId() != 1 || resp.GetExitCode() != 0 {
				t.Errorf("request whose server was killed once: %v, want a retry that succeeds", resp)
			} else if got := mustReadFile(t, retried.pyc); !bytes.Equal(got, want[0]) {
				t.Errorf("the retried compile differs from py_compile's output")
			}

			// Killed twice: fails, and says why.
			failed := slow
			failed.pyc = filepath.Join(out, "failed.pyc")
			if err := wk.send(compileRequest(2, []file{failed})); err != nil {
				t.Fatal(err)
			}
			first := kill(0)
			kill(first)
			resp, err = wk.recv()
			if err != nil {
				t.Fatal(err)
			}
			if resp.GetRequestId() != 2 || resp.GetExitCode() == 0 {
				t.Errorf("request whose server was killed twice: %v, want a failure", resp)
			}
			for _, s := range []string{failed.name, "died"} {
				if !strings.Contains(resp.GetOutput(), s) {
					t.Errorf("the failure's output %q does not mention %q", resp.GetOutput(), s)
				}
			}
			if _, err := os.Lstat(failed.pyc); err == nil {
				t.Errorf("a failed request left %s", failed.pyc)
			}

			// And the worker still serves.
			after := small
			after.pyc = filepath.Join(out, "after.pyc")
			if err := wk.send(compileRequest(3, []file{after})); err != nil {
				t.Fatal(err)
			}
			resp, err = wk.recv()
			if err != nil {
				t.Fatal(err)
			}
			if resp.GetRequestId() != 3 || resp.GetExitCode() != 0 {
				t.Errorf("request after the kills: %v, want success", resp)
			} else if got := mustReadFile(t, after.pyc); !bytes.Equal(got, want[1]) {
				t.Errorf("the compile after the kills differs from py_compile's output")
			}
			checkNoZombies(t, wk.pid())
			wk.closeStdin()
			if rest := wk.recvAll(); len(rest) != 0 {
				t.Errorf("unexpected responses: %v", rest)
			}
			if code := wk.wait(10 * time.Second); code != 0 {
				t.Errorf("exit code %d, want 0", code)
			}
			checkOnlyFiles(t, out, map[string]bool{retried.pyc: true, after.pyc: true})
			wk.checkStderr()
			checkNoLeftovers(t)
		})
	}
}
