package worker

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protodelim"

	"github.com/rules-pyc/rules_pyc/tool/worker/protocol"
	"github.com/rules-pyc/rules_pyc/tool/worker/workerpb"
)

// These tests run the test binary itself as a worker process, so that
// file descriptors and signals are those of a real process.

const helperEnv = "RULES_PYC_WORKER_TEST_HELPER"

func TestMain(m *testing.M) {
	switch os.Getenv(helperEnv) {
	case "":
		os.Exit(m.Run())
	case "stdout":
		os.Exit(helperStdout())
	case "serve":
		os.Exit(helperServe())
	default:
		fmt.Fprintf(os.Stderr, "unknown helper %q\n", os.Getenv(helperEnv))
		os.Exit(2)
	}
}

// helperStdout takes stdout, then prints to fd 1 the ways a careless
// library or a child process would, and writes one "response".
func helperStdout() int {
	out, err := TakeStdout()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println("stray print from Go")
	cmd := exec.Command("sh", "-c", fmt.Sprintf(
		`echo stray print from a child; if [ -e /proc/self/fd/%d ]; then echo response fd leaked; else echo response fd not inherited; fi`, out.Fd()))
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if _, err := out.WriteString("the response\n"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// helperServe serves the worker protocol as main does. Its handler writes
// the file named by the first argument, says so on stderr, and waits for
// cancellation when the second argument is "wait".
func helperServe() int {
	out, err := TakeStdout()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ctx, stop := ShutdownContext(context.Background())
	defer stop()
	srv := NewServer(protocol.Auto, os.Stdin, out, func(ctx context.Context, req *Request) Result {
		if err := os.WriteFile(req.Arguments[0], nil, 0o644); err != nil {
			return Result{ExitCode: 1, Output: err.Error()}
		}
		fmt.Println("started", req.RequestID) // a stray print: must land on stderr
		if len(req.Arguments) > 1 && req.Arguments[1] == "wait" {
			<-ctx.Done()
		}
		return Result{Outputs: []string{req.Arguments[0]}}
	}, nil)
	if err := srv.Serve(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "worker:", err)
		return 1
	}
	return 0
}

func helper(t *testing.T, name string) *exec.Cmd {
	t.Helper()
	if _, err := os.Stat("/proc/self/fd"); err != nil {
		t.Skip("needs /proc")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"="+name)
	return cmd
}

func TestTakeStdout(t *testing.T) {
	cmd := helper(t, "stdout")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("helper: %v\n%s", err, stderr.String())
	}
	if stdout.String() != "the response\n" {
		t.Errorf("stdout = %q, want only the response", stdout.String())
	}
	for _, want := range []string{"stray print from Go\n", "stray print from a child\n", "response fd not inherited\n"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr = %q, want it to contain %q", stderr.String(), want)
		}
	}
}

// startHelperServer starts the serving helper with pipes for its stdin,
// stdout and stderr; it returns once the process runs.
func startHelperServer(t *testing.T) (cmd *exec.Cmd, in io.WriteCloser, out *bufio.Reader, stderr *bufio.Reader) {
	t.Helper()
	cmd = helper(t, "serve")
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	o, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	e, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd, in, bufio.NewReader(o), bufio.NewReader(e)
}

func waitExit(t *testing.T, cmd *exec.Cmd, within time.Duration) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(within):
		t.Fatalf("worker process did not exit within %v", within)
	}
	return nil
}

// TestProcessSignal sends SIGTERM (as Bazel does, without closing stdin) to
// a worker with requests in flight: it exits promptly with status 0, leaves
// no output behind and writes no response.
func TestProcessSignal(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			dir := t.TempDir()
			cmd, in, out, stderr := startHelperServer(t)
			for id := int32(1); id <= 2; id++ {
				protodelim.MarshalTo(in, &workerpb.WorkRequest{RequestId: id, Arguments: []string{filepath.Join(dir, fmt.Sprint(id)), "wait"}})
			}
			for range 2 {
				line, err := stderr.ReadString('\n')
				if err != nil || !strings.HasPrefix(line, "started") {
					t.Fatalf("stderr line %q, %v; want a started line", line, err)
				}
			}
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			go io.Copy(io.Discard, stderr)
			rest, _ := io.ReadAll(out)
			if err := waitExit(t, cmd, 5*time.Second); err != nil {
				t.Errorf("worker exit: %v", err)
			}
			if len(rest) != 0 {
				t.Errorf("stdout after the signal = %q, want nothing", rest)
			}
			if left, _ := os.ReadDir(dir); len(left) != 0 {
				t.Errorf("outputs left after %v: %v", sig, left)
			}
		})
	}
}

// TestProcessEOF closes the worker's stdin with a request in flight: it
// answers the request, then exits with status 0. The handler's stray print
// went to stderr, so stdout holds exactly one valid response.
func TestProcessEOF(t *testing.T) {
	dir := t.TempDir()
	cmd, in, out, stderr := startHelperServer(t)
	go io.Copy(io.Discard, stderr)
	protodelim.MarshalTo(in, &workerpb.WorkRequest{RequestId: 3, Arguments: []string{filepath.Join(dir, "3")}})
	in.Close()
	resp := new(workerpb.WorkResponse)
	if err := protodelim.UnmarshalFrom(out, resp); err != nil {
		t.Fatalf("read response: %v", err)
	}
	if resp.GetRequestId() != 3 || resp.GetExitCode() != 0 {
		t.Errorf("response = %v", resp)
	}
	if rest, _ := io.ReadAll(out); len(rest) != 0 {
		t.Errorf("stdout after the response = %q", rest)
	}
	if err := waitExit(t, cmd, 5*time.Second); err != nil {
		t.Errorf("worker exit: %v", err)
	}
}

// TestProcessMalformed sends garbage: the worker says why on stderr and
// exits non-zero, with nothing on stdout.
func TestProcessMalformed(t *testing.T) {
	cmd, in, out, stderr := startHelperServer(t)
	in.Write(append([]byte{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40}, "x"...)) // 2^62
	in.Close()
	rest, _ := io.ReadAll(out)
	errText, _ := io.ReadAll(stderr)
	err := waitExit(t, cmd, 5*time.Second)
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Errorf("worker exit = %v, want status 1", err)
	}
	if len(rest) != 0 {
		t.Errorf("stdout = %q, want nothing", rest)
	}
	if !strings.Contains(string(errText), "over protobuf's 2 GiB message limit") || strings.Contains(string(errText), "panic") {
		t.Errorf("stderr = %q, want a clear message", errText)
	}
}
