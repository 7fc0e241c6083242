//go:build linux

package worker

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestSignalInFlight stops a worker with SIGTERM (as Bazel does, without
// closing stdin) or SIGINT while it compiles.  It exits promptly with status
// 0, answers none of the requests in flight, leaves no output or temporary
// file for them, and leaves no process running.  The CPython backend
// compiles (--backend cpython), so that interpreter servers are in flight.
func TestSignalInFlight(t *testing.T) {
	in := python(t)
	src := filepath.Join(t.TempDir(), "slow.py")
	if err := os.WriteFile(src, slowSource(), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		wire wire
		sig  syscall.Signal
	}{
		{"SIGTERM/proto", protoWire, syscall.SIGTERM},
		{"SIGTERM/json", jsonLines, syscall.SIGTERM},
		{"SIGINT/proto", protoWire, syscall.SIGINT},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := t.TempDir()
			wk := startWorker(t, tc.wire, workerOptions{startup: []string{"--backend", "cpython", "--python", in.Path, "-j", "2"}})
			var files []file
			for i := range 4 {
				f := file{src: src, name: "slow.py", pyc: filepath.Join(out, string(rune('a'+i))+".pyc")}
				files = append(files, f)
				if err := wk.send(compileRequest(int32(i+1), []file{f})); err != nil {
					t.Fatal(err)
				}
			}
			compilingServer(t, wk.pid(), 0)
			sent := time.Now()
			if err := wk.cmd.Process.Signal(tc.sig); err != nil {
				t.Fatal(err)
			}
			resps := wk.recvAll()
			code := wk.wait(10 * time.Second)
			took := time.Since(sent)
			t.Logf("exited %v after %v", code, took.Round(time.Millisecond))
			if code != 0 {
				t.Errorf("exit code %d after %v, want 0", code, tc.sig)
			}
			if took > 3*time.Second {
				t.Errorf("took %v to exit after %v, want under 3s", took, tc.sig)
			}
			written := map[string]bool{}
			for _, r := range resps {
				if r.GetExitCode() == 0 && !r.GetWasCancelled() {
					written[files[r.GetRequestId()-1].pyc] = true
				}
			}
			if len(resps) > 0 {
				t.Errorf("requests in flight were answered after %v: %v", tc.sig, resps)
			}
			checkOnlyFiles(t, out, written)
			wk.checkStderr()
			checkNoLeftovers(t)
		})
	}
}
