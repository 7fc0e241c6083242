package pythons

import (
	"os/exec"
	"runtime"
	"syscall"
	"testing"
)

// stopRecorder stands for a test whose FailNow ends the calling goroutine,
// as testing.T's does, without failing the real test.
type stopRecorder struct {
	testing.TB
	stopped bool
}

func (s *stopRecorder) FailNow()              { s.stopped = true; runtime.Goexit() }
func (s *stopRecorder) Fatalf(string, ...any) { s.FailNow() }
func (s *stopRecorder) Helper()               {}

// TestStreamLinesKillsOnStop: a callback that stops the test while the
// command still runs leaves no process behind: StreamLines kills and reaps
// it on the way out.
func TestStreamLinesKillsOnStop(t *testing.T) {
	cmd := exec.Command("/bin/sh", "-c", "echo first; exec sleep 60")
	rec := &stopRecorder{TB: t}
	var lines []string
	done := make(chan struct{})
	go func() {
		defer close(done)
		StreamLines(rec, "sh", cmd, nil, func(line []byte) {
			lines = append(lines, string(line))
			rec.FailNow()
		})
	}()
	<-done
	if !rec.stopped || len(lines) != 1 || lines[0] != "first" {
		t.Fatalf("stopped %v after lines %q, want stopped after [first]", rec.stopped, lines)
	}
	if cmd.ProcessState == nil {
		t.Fatal("the command was not waited for")
	}
	ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("the command ended with %v, want killed", cmd.ProcessState)
	}
}
