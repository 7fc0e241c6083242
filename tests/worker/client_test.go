//go:build linux

package worker

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protodelim"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/rules-pyc/rules_pyc/tool/worker/workerpb"
)

// wire is how the test client frames requests.
type wire int

const (
	// protoWire is varint-delimited protobuf, Bazel's default.
	protoWire wire = iota
	// jsonLines ends each JSON request with a newline, as Bazel 5+ does.
	jsonLines
	// jsonPacked writes JSON requests back to back, as Bazel 4 does.
	jsonPacked
)

func (w wire) String() string {
	return [...]string{"proto", "json+newline", "json-packed"}[w]
}

func (w wire) isJSON() bool { return w != protoWire }

// flag is the --worker_protocol value that names the wire format.
func (w wire) flag() string {
	if w.isJSON() {
		return "json"
	}
	return "proto"
}

// worker is a running pyc --persistent_worker process and the client side
// of its pipes.  The client encodes and decodes messages with the protobuf
// library directly, independently of tool/worker/protocol.
type worker struct {
	t      *testing.T
	wire   wire
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout *bufio.Reader
	dec    *json.Decoder
	stderr *syncBuffer

	sendMu sync.Mutex
	done   chan struct{}
	err    error // cmd.Wait's result, valid once done is closed
}

// syncBuffer is a bytes.Buffer safe for concurrent use.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// workerOptions say how to start a worker.
type workerOptions struct {
	dir     string   // working directory (Bazel's execroot)
	env     []string // environment; nil means the test's own
	startup []string // arguments before --persistent_worker
}

// startWorker starts `pyc STARTUP... --persistent_worker` and stops it when
// the test ends, if the test has not waited for it.
func startWorker(t *testing.T, w wire, o workerOptions) *worker {
	t.Helper()
	cmd := exec.Command(pycBinary, append(append([]string{}, o.startup...), "--persistent_worker")...)
	cmd.Dir = o.dir
	cmd.Env = o.env
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	// A pipe of our own rather than StdoutPipe: Wait, which runs as soon
	// as the worker exits, closes StdoutPipe's read end, possibly before
	// the last responses have been read.
	stdout, stdoutW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stdout.Close() })
	cmd.Stdout = stdoutW
	wk := &worker{t: t, wire: w, cmd: cmd, stdin: stdin, stderr: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stderr = wk.stderr
	wk.stdout = bufio.NewReader(stdout)
	wk.dec = json.NewDecoder(wk.stdout)
	err = cmd.Start()
	stdoutW.Close()
	if err != nil {
		t.Fatalf("start %s: %v", pycBinary, err)
	}
	go func() {
		wk.err = cmd.Wait()
		close(wk.done)
	}()
	t.Cleanup(func() {
		select {
		case <-wk.done:
		default:
			_ = cmd.Process.Kill()
			<-wk.done
		}
		if t.Failed() {
			t.Logf("worker stderr:\n%s", wk.stderr.String())
		}
	})
	return wk
}

func (wk *worker) pid() int { return wk.cmd.Process.Pid }

// encode frames one request as the client's wire format does.
func (wk *worker) encode(req *workerpb.WorkRequest) []byte {
	wk.t.Helper()
	var buf bytes.Buffer
	switch wk.wire {
	case protoWire:
		if _, err := protodelim.MarshalTo(&buf, req); err != nil {
			wk.t.Fatalf("encode request: %v", err)
		}
	default:
		b, err := protojson.Marshal(req)
		if err != nil {
			wk.t.Fatalf("encode request: %v", err)
		}
		buf.Write(b)
		if wk.wire == jsonLines {
			buf.WriteByte('\n')
		}
	}
	return buf.Bytes()
}

// send writes one request.  It is safe to call from several goroutines.
func (wk *worker) send(req *workerpb.WorkRequest) error {
	return wk.sendRaw(wk.encode(req))
}

// sendRaw writes bytes as they are.
func (wk *worker) sendRaw(b []byte) error {
	wk.sendMu.Lock()
	defer wk.sendMu.Unlock()
	if _, err := wk.stdin.Write(b); err != nil {
		return fmt.Errorf("write to worker: %w", err)
	}
	return nil
}

// closeStdin ends the request stream.
func (wk *worker) closeStdin() {
	wk.sendMu.Lock()
	defer wk.sendMu.Unlock()
	wk.stdin.Close()
}

// recv reads one response.  It returns io.EOF when stdout ended cleanly
// between two responses, and any other error when stdout holds something
// that is not a valid response.
func (wk *worker) recv() (*workerpb.WorkResponse, error) {
	resp := &workerpb.WorkResponse{}
	if wk.wire == protoWire {
		err := (protodelim.UnmarshalOptions{MaxSize: -1}).UnmarshalFrom(wk.stdout, resp)
		if err != nil {
			return nil, err
		}
		return resp, nil
	}
	var raw json.RawMessage
	if err := wk.dec.Decode(&raw); err != nil {
		return nil, err
	}
	if err := protojson.Unmarshal(raw, resp); err != nil {
		return nil, fmt.Errorf("response %s: %w", raw, err)
	}
	return resp, nil
}

// recvAll reads responses until stdout ends and fails the test if stdout
// held anything but valid responses.
func (wk *worker) recvAll() []*workerpb.WorkResponse {
	wk.t.Helper()
	var all []*workerpb.WorkResponse
	for {
		resp, err := wk.recv()
		if errors.Is(err, io.EOF) {
			return all
		}
		if err != nil {
			wk.t.Fatalf("stdout after %d valid responses: %v", len(all), err)
		}
		all = append(all, resp)
	}
}

// wait waits for the worker to exit and returns its exit code; it fails the
// test if that takes longer than within.
func (wk *worker) wait(within time.Duration) int {
	wk.t.Helper()
	select {
	case <-wk.done:
	case <-time.After(within):
		wk.t.Fatalf("worker still running %v after it was told to stop", within)
	}
	var ee *exec.ExitError
	switch {
	case wk.err == nil:
		return 0
	case errors.As(wk.err, &ee):
		if st, ok := ee.Sys().(syscall.WaitStatus); ok && st.Signaled() {
			wk.t.Fatalf("worker killed by %v", st.Signal())
		}
		return ee.ExitCode()
	default:
		wk.t.Fatalf("wait for worker: %v", wk.err)
		return -1
	}
}

// checkStderr fails the test if the worker's log shows a Go panic.
func (wk *worker) checkStderr() {
	wk.t.Helper()
	s := wk.stderr.String()
	for _, bad := range []string{"panic:", "goroutine ", "fatal error:"} {
		if strings.Contains(s, bad) {
			wk.t.Errorf("worker stderr contains %q:\n%s", bad, s)
		}
	}
}

// compileRequest makes a request in rules_python's argument order: one
// --src/--src_name/--pyc set per file.  extra comes last.
func compileRequest(id int32, files []file, extra ...string) *workerpb.WorkRequest {
	args := []string{"--invalidation_mode", "checked_hash"}
	for _, f := range files {
		args = append(args, "--src", f.src, "--src_name", f.name, "--pyc", f.pyc)
	}
	args = append(args, "--optimize", "0")
	args = append(args, extra...)
	return &workerpb.WorkRequest{RequestId: id, Arguments: args}
}

// file is one source of a request.
type file struct {
	src  string // source path
	name string // recorded name
	pyc  string // output path
}

// size is a request's encoded size in the proto wire format, without the
// length prefix.
func size(req *workerpb.WorkRequest) int { return proto.Size(req) }

// mustReadFile reads a file or fails the test.
func mustReadFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
