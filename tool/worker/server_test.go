package worker

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protodelim"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/rules-pyc/rules_pyc/tool/worker/protocol"
	"github.com/rules-pyc/rules_pyc/tool/worker/workerpb"
)

// client plays Bazel against a Server over real pipes. It encodes requests
// and decodes responses with the protobuf library directly, not with this
// project's protocol package.
type client struct {
	t      *testing.T
	wire   protocol.Protocol
	reqW   *os.File // requests to the server
	respR  *bufio.Reader
	jsonD  *json.Decoder
	done   chan error // Serve's result
	logBuf *syncBuffer
	wmu    sync.Mutex
}

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

// start runs a Server with handler h on fresh pipes. given is the protocol
// the server is told (Auto to detect), wire the one the client speaks.
func start(t *testing.T, given, wire protocol.Protocol, h Handler) *client {
	t.Helper()
	inR, inW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	c := &client{t: t, wire: wire, reqW: inW, respR: bufio.NewReader(outR), done: make(chan error, 1), logBuf: &syncBuffer{}}
	c.jsonD = json.NewDecoder(c.respR)
	srv := NewServer(given, inR, outW, h, log.New(c.logBuf, "", 0))
	go func() {
		c.done <- srv.Serve(context.Background())
		outW.Close()
	}()
	t.Cleanup(func() { inW.Close(); inR.Close(); outR.Close() })
	return c
}

func (c *client) send(req *workerpb.WorkRequest) {
	c.t.Helper()
	c.wmu.Lock()
	defer c.wmu.Unlock()
	var err error
	switch c.wire {
	case protocol.Proto:
		_, err = protodelim.MarshalTo(c.reqW, req)
	case protocol.JSON:
		var b []byte
		b, err = protojson.Marshal(req)
		if err == nil {
			_, err = c.reqW.Write(append(b, '\n'))
		}
	}
	if err != nil {
		c.t.Errorf("send request %d: %v", req.GetRequestId(), err)
	}
}

func (c *client) sendRaw(b []byte) {
	c.t.Helper()
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if _, err := c.reqW.Write(b); err != nil {
		c.t.Errorf("send: %v", err)
	}
}

// recv returns the next response, or nil at the end of the stream.
func (c *client) recv() *workerpb.WorkResponse {
	c.t.Helper()
	resp := new(workerpb.WorkResponse)
	var err error
	switch c.wire {
	case protocol.Proto:
		err = protodelim.UnmarshalOptions{MaxSize: -1}.UnmarshalFrom(c.respR, resp)
	case protocol.JSON:
		var raw json.RawMessage
		if err = c.jsonD.Decode(&raw); err == nil {
			err = protojson.Unmarshal(raw, resp)
		}
	}
	if err == io.EOF {
		return nil
	}
	if err != nil {
		c.t.Fatalf("read response: %v", err)
	}
	return resp
}

// finish closes the request stream and returns Serve's result, failing if
// any response is left unread.
func (c *client) finish() error {
	c.t.Helper()
	c.reqW.Close()
	var err error
	select {
	case err = <-c.done:
	case <-time.After(30 * time.Second):
		c.t.Fatal("Serve did not return after its input was closed")
	}
	if extra := c.recv(); extra != nil {
		c.t.Errorf("unexpected extra response %v", extra)
	}
	return err
}

// wires lists the protocol combinations the tests run under.
var wires = []struct {
	name        string
	given, wire protocol.Protocol
}{
	{"proto", protocol.Proto, protocol.Proto},
	{"json", protocol.JSON, protocol.JSON},
	{"proto detected", protocol.Auto, protocol.Proto},
	{"json detected", protocol.Auto, protocol.JSON},
}

// fileHandler creates the file named by its first argument (under the
// sandbox, if any) after sleeping up to maxSleep or until cancelled, and
// lists it in Outputs, as a compiler that had already written its output
// when it noticed the cancellation would.
func fileHandler(maxSleep time.Duration) Handler {
	return func(ctx context.Context, req *Request) Result {
		if maxSleep > 0 {
			select {
			case <-time.After(rand.N(maxSleep)):
			case <-ctx.Done():
			}
		}
		path := req.Resolve(req.Arguments[0])
		if err := os.WriteFile(path, []byte(req.Arguments[0]), 0o644); err != nil {
			return Result{ExitCode: 1, Output: err.Error()}
		}
		return Result{Outputs: []string{path}}
	}
}

func TestBasicRequests(t *testing.T) {
	for _, w := range wires {
		t.Run(w.name, func(t *testing.T) {
			c := start(t, w.given, w.wire, func(ctx context.Context, req *Request) Result {
				if req.Arguments[0] == "fail" {
					return Result{ExitCode: 3, Output: "failed: " + strings.Join(req.Arguments[1:], " ") + "\n"}
				}
				return Result{}
			})
			c.send(&workerpb.WorkRequest{Arguments: []string{"ok"}})
			if got := c.recv(); got.GetRequestId() != 0 || got.GetExitCode() != 0 || got.GetOutput() != "" || got.GetWasCancelled() {
				t.Errorf("singleplex response = %v, want an empty success", got)
			}
			c.send(&workerpb.WorkRequest{Arguments: []string{"fail", "ünï ✓"}, RequestId: 42})
			if got := c.recv(); got.GetRequestId() != 42 || got.GetExitCode() != 3 || got.GetOutput() != "failed: ünï ✓\n" {
				t.Errorf("failing response = %v", got)
			}
			if err := c.finish(); err != nil {
				t.Errorf("Serve = %v, want nil at the end of the input", err)
			}
		})
	}
}

// TestJSONFraming sends JSON requests the way Bazel 4 (back to back) and
// Bazel 5+ (newline after each) do, and checks the responses are one
// lowerCamelCase object per line with defaults omitted.
func TestJSONFraming(t *testing.T) {
	for _, sep := range []string{"", "\n"} {
		t.Run(fmt.Sprintf("separator %q", sep), func(t *testing.T) {
			inR, inW, _ := os.Pipe()
			outR, outW, _ := os.Pipe()
			defer outR.Close()
			srv := NewServer(protocol.Auto, inR, outW, func(ctx context.Context, req *Request) Result {
				if req.RequestID == 2 {
					return Result{ExitCode: 1, Output: "no"}
				}
				return Result{}
			}, nil)
			done := make(chan error, 1)
			go func() { done <- srv.Serve(context.Background()); outW.Close() }()
			for _, r := range []string{`{"arguments":["a"],"requestId":1}`, `{"requestId":2,"inputs":[{"path":"x","digest":"AA=="}]}`} {
				inW.Write([]byte(r + sep))
			}
			inW.Close()
			out, _ := io.ReadAll(outR)
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
			if len(lines) != 2 || !strings.HasSuffix(string(out), "\n") {
				t.Fatalf("output %q is not two lines", out)
			}
			want := map[float64]map[string]any{
				1: {"requestId": float64(1)},
				2: {"requestId": float64(2), "exitCode": float64(1), "output": "no"},
			}
			for _, line := range lines {
				var got map[string]any
				if err := json.Unmarshal([]byte(line), &got); err != nil {
					t.Fatalf("line %q: %v", line, err)
				}
				id, _ := got["requestId"].(float64)
				if fmt.Sprint(got) != fmt.Sprint(want[id]) {
					t.Errorf("line %q = %v, want %v", line, got, want[id])
				}
			}
		})
	}
}

// TestMultiplexCancellation sends 10,000 multiplex requests and cancels
// about 10% of them at random moments, some before and some after their
// response; every 100th answered request also gets a cancel after its
// response. Every request must be answered exactly once; a cancelled answer
// must come with its file removed, any other with its file present.
func TestMultiplexCancellation(t *testing.T) {
	const n = 10000
	for _, w := range wires[:2] {
		t.Run(w.name, func(t *testing.T) {
			dir := t.TempDir()
			c := start(t, w.given, w.wire, fileHandler(4*time.Millisecond))
			var cancelSent sync.Map
			go func() {
				for id := int32(1); id <= n; id++ {
					c.send(&workerpb.WorkRequest{Arguments: []string{filepath.Join(dir, fmt.Sprint(id))}, RequestId: id})
					if rand.N(10) == 0 {
						// Half right away, half for a request sent a little earlier.
						target := id
						if rand.N(2) == 0 {
							target = max(1, id-rand.Int32N(50))
						}
						cancelSent.Store(target, true)
						c.send(&workerpb.WorkRequest{RequestId: target, Cancel: true})
					}
				}
			}()
			seen := map[int32]bool{}
			cancelled, late := 0, 0
			for len(seen) < n {
				resp := c.recv()
				if resp == nil {
					t.Fatalf("response stream ended after %d responses", len(seen))
				}
				id := resp.GetRequestId()
				if seen[id] {
					t.Fatalf("request %d answered twice", id)
				}
				if id < 1 || id > n {
					t.Fatalf("response for unknown request %d", id)
				}
				seen[id] = true
				path := filepath.Join(dir, fmt.Sprint(id))
				_, statErr := os.Stat(path)
				if resp.GetWasCancelled() {
					cancelled++
					if _, ok := cancelSent.Load(id); !ok {
						t.Errorf("request %d answered as cancelled without a cancel", id)
					}
					if resp.GetExitCode() != 0 || resp.GetOutput() != "" {
						t.Errorf("cancelled response %v has an exit code or output", resp)
					}
					if !os.IsNotExist(statErr) {
						t.Errorf("request %d was cancelled but its file remains (stat: %v)", id, statErr)
					}
				} else {
					if resp.GetExitCode() != 0 {
						t.Errorf("request %d failed: %v", id, resp)
					}
					if statErr != nil {
						t.Errorf("request %d succeeded but its file is missing: %v", id, statErr)
					}
					if id%100 == 0 {
						// A cancel after the response: must be ignored.
						late++
						c.send(&workerpb.WorkRequest{RequestId: id, Cancel: true})
					}
				}
			}
			if err := c.finish(); err != nil {
				t.Errorf("Serve = %v", err)
			}
			sent := 0
			cancelSent.Range(func(any, any) bool { sent++; return true })
			t.Logf("%d requests, %d cancels sent while in flight or soon after (%d won), %d after the response", n, sent, cancelled, late)
			if cancelled == 0 || late == 0 {
				t.Errorf("%d cancels won and %d came late: the test did not exercise both sides of the race", cancelled, late)
			}
		})
	}
}

// TestCancel covers the two outcomes of a cancel deterministically.
func TestCancel(t *testing.T) {
	for _, w := range wires {
		t.Run(w.name, func(t *testing.T) {
			dir := t.TempDir()
			started := make(chan struct{}, 1)
			c := start(t, w.given, w.wire, func(ctx context.Context, req *Request) Result {
				res := fileHandler(0)(ctx, req)
				if req.Arguments[1] == "wait" {
					started <- struct{}{}
					<-ctx.Done()
					return Result{ExitCode: 1, Output: "interrupted", Outputs: res.Outputs}
				}
				return res
			})
			// A cancel while the handler runs wins.
			file1 := filepath.Join(dir, "1.pyc")
			c.send(&workerpb.WorkRequest{Arguments: []string{file1, "wait"}, RequestId: 1})
			<-started
			if _, err := os.Stat(file1); err != nil {
				t.Fatal(err)
			}
			c.send(&workerpb.WorkRequest{RequestId: 1, Cancel: true})
			got := c.recv()
			if got.GetRequestId() != 1 || !got.GetWasCancelled() || got.GetExitCode() != 0 || got.GetOutput() != "" {
				t.Errorf("response = %v, want request 1 cancelled with exit code 0 and no output", got)
			}
			if _, err := os.Stat(file1); !os.IsNotExist(err) {
				t.Errorf("output of the cancelled request remains (stat: %v)", err)
			}
			// A cancel after the response, a second cancel and a cancel for
			// an unknown id are ignored: no second response.
			file2 := filepath.Join(dir, "2.pyc")
			c.send(&workerpb.WorkRequest{Arguments: []string{file2, "now"}, RequestId: 2})
			if got := c.recv(); got.GetRequestId() != 2 || got.GetWasCancelled() {
				t.Errorf("response = %v, want request 2 done", got)
			}
			c.send(&workerpb.WorkRequest{RequestId: 2, Cancel: true})
			c.send(&workerpb.WorkRequest{RequestId: 1, Cancel: true})
			c.send(&workerpb.WorkRequest{RequestId: 99, Cancel: true})
			c.send(&workerpb.WorkRequest{Arguments: []string{filepath.Join(dir, "3.pyc"), "now"}, RequestId: 3})
			if got := c.recv(); got.GetRequestId() != 3 {
				t.Errorf("response = %v, want request 3", got)
			}
			if _, err := os.Stat(file2); err != nil {
				t.Errorf("a late cancel touched the answered request's file: %v", err)
			}
			// Singleplex (id 0) can be cancelled too.
			file0 := filepath.Join(dir, "0.pyc")
			c.send(&workerpb.WorkRequest{Arguments: []string{file0, "wait"}})
			<-started
			c.send(&workerpb.WorkRequest{Cancel: true})
			if got := c.recv(); got.GetRequestId() != 0 || !got.GetWasCancelled() {
				t.Errorf("response = %v, want singleplex cancelled", got)
			}
			if _, err := os.Stat(file0); !os.IsNotExist(err) {
				t.Errorf("output of the cancelled singleplex request remains (stat: %v)", err)
			}
			if err := c.finish(); err != nil {
				t.Errorf("Serve = %v", err)
			}
		})
	}
}

// TestConcurrency checks that multiplex requests really run at the same
// time and singleplex ones one at a time.
func TestConcurrency(t *testing.T) {
	const n = 8
	t.Run("multiplex", func(t *testing.T) {
		var wg sync.WaitGroup
		wg.Add(n)
		all := make(chan struct{})
		go func() { wg.Wait(); close(all) }()
		c := start(t, protocol.Proto, protocol.Proto, func(ctx context.Context, req *Request) Result {
			wg.Done()
			select {
			case <-all:
				return Result{}
			case <-time.After(10 * time.Second):
				return Result{ExitCode: 1, Output: "requests did not run concurrently"}
			}
		})
		for id := int32(1); id <= n; id++ {
			c.send(&workerpb.WorkRequest{RequestId: id})
		}
		for range n {
			if got := c.recv(); got.GetExitCode() != 0 {
				t.Fatal(got.GetOutput())
			}
		}
		c.finish()
	})
	t.Run("singleplex", func(t *testing.T) {
		var running, most atomic.Int32
		c := start(t, protocol.Proto, protocol.Proto, func(ctx context.Context, req *Request) Result {
			now := running.Add(1)
			for {
				m := most.Load()
				if now <= m || most.CompareAndSwap(m, now) {
					break
				}
			}
			time.Sleep(5 * time.Millisecond)
			running.Add(-1)
			return Result{Output: req.Arguments[0]}
		})
		for i := range n {
			c.send(&workerpb.WorkRequest{Arguments: []string{fmt.Sprint(i)}})
		}
		for range n {
			if got := c.recv(); got.GetRequestId() != 0 {
				t.Errorf("response = %v", got)
			}
		}
		c.finish()
		if most.Load() != 1 {
			t.Errorf("%d singleplex requests ran at once, want 1", most.Load())
		}
	})
}

// TestMalformedInput checks that bad input ends Serve with a clear error
// after the request already in flight has been answered, and that nothing
// but valid responses reaches the output.
func TestMalformedInput(t *testing.T) {
	tests := []struct {
		name    string
		wire    protocol.Protocol
		garbage []byte
		message string
	}{
		{"truncated varint", protocol.Proto, []byte{0x80}, "inside a length prefix"},
		{"absurd length", protocol.Proto, append(protowireVarint(1<<62), 'x'), "2 GiB"},
		{"bad proto", protocol.Proto, []byte{2, 0x02, 0x00}, "proto:"},
		{"garbage json", protocol.JSON, []byte(`{"arguments": [}`), "json:"},
		{"truncated json", protocol.JSON, []byte(`{"arguments": ["a"`), "json:"},
	}
	for _, tt := range tests {
		for _, given := range []protocol.Protocol{tt.wire, protocol.Auto} {
			t.Run(tt.name+"/"+given.String(), func(t *testing.T) {
				release := make(chan struct{})
				c := start(t, given, tt.wire, func(ctx context.Context, req *Request) Result {
					<-release
					return Result{Output: "answered"}
				})
				c.send(&workerpb.WorkRequest{RequestId: 1})
				c.sendRaw(tt.garbage)
				c.reqW.Close()
				time.Sleep(20 * time.Millisecond) // let the reader meet the garbage first
				close(release)
				if got := c.recv(); got.GetRequestId() != 1 || got.GetOutput() != "answered" {
					t.Errorf("response = %v, want request 1 answered", got)
				}
				err := c.finish()
				if !errors.Is(err, protocol.ErrMalformed) || !strings.Contains(err.Error(), tt.message) {
					t.Errorf("Serve = %v, want a malformed-input error mentioning %q", err, tt.message)
				}
			})
		}
	}
}

func protowireVarint(v uint64) []byte {
	var b []byte
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

// TestLargeRequest sends a request over 4 MiB: 100,000 inputs.
func TestLargeRequest(t *testing.T) {
	req := &workerpb.WorkRequest{RequestId: 5, Arguments: []string{"x"}}
	for i := range 100000 {
		req.Inputs = append(req.Inputs, &workerpb.Input{Path: fmt.Sprintf("external/wheel/site-packages/pkg/mod_%06d.py", i), Digest: []byte(fmt.Sprintf("%064x", i))})
	}
	for _, w := range wires[2:] { // both codecs, detected
		t.Run(w.name, func(t *testing.T) {
			c := start(t, w.given, w.wire, func(ctx context.Context, r *Request) Result {
				if len(r.Inputs) != 100000 || r.Inputs[99999].Path != "external/wheel/site-packages/pkg/mod_099999.py" {
					return Result{ExitCode: 1, Output: fmt.Sprintf("got %d inputs", len(r.Inputs))}
				}
				return Result{}
			})
			go c.send(req)
			if got := c.recv(); got.GetRequestId() != 5 || got.GetExitCode() != 0 {
				t.Errorf("response = %v", got)
			}
			if err := c.finish(); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestHandlerPanic(t *testing.T) {
	c := start(t, protocol.Proto, protocol.Proto, func(ctx context.Context, req *Request) Result {
		if req.RequestID == 1 {
			panic("boom")
		}
		return Result{}
	})
	c.send(&workerpb.WorkRequest{RequestId: 1})
	if got := c.recv(); got.GetRequestId() != 1 || got.GetExitCode() == 0 || !strings.Contains(got.GetOutput(), "boom") {
		t.Errorf("response = %v, want a failure mentioning the panic", got)
	}
	c.send(&workerpb.WorkRequest{RequestId: 2})
	if got := c.recv(); got.GetRequestId() != 2 || got.GetExitCode() != 0 {
		t.Errorf("response after the panic = %v", got)
	}
	if err := c.finish(); err != nil {
		t.Error(err)
	}
	if log := c.logBuf.String(); !strings.Contains(log, "handler panic: boom") || !strings.Contains(log, "goroutine") {
		t.Errorf("log %q lacks the panic and its stack", log)
	}
}

func TestVerbosityAndSandbox(t *testing.T) {
	dir := t.TempDir()
	sandbox := filepath.Join(dir, "__sandbox", "7", "_main")
	if err := os.MkdirAll(sandbox, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(sandbox, "args.txt"), []byte("--src\na.py\n\n--pyc\r\na.pyc\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var got *Request
	c := start(t, protocol.JSON, protocol.JSON, func(ctx context.Context, req *Request) Result {
		if req.RequestID == 7 {
			got = req
		}
		return Result{}
	})
	c.send(&workerpb.WorkRequest{
		RequestId: 7, Verbosity: 10, SandboxDir: sandbox,
		Arguments: []string{"--first", "--flagfile=args.txt", "@kept", "--last"},
		Inputs:    []*workerpb.Input{{Path: "a.py", Digest: []byte("d")}},
	})
	c.recv()
	c.send(&workerpb.WorkRequest{RequestId: 8, SandboxDir: sandbox, Arguments: []string{"-flagfile=missing.txt"}})
	failed := c.recv()
	c.send(&workerpb.WorkRequest{RequestId: 9})
	c.recv()
	if err := c.finish(); err != nil {
		t.Fatal(err)
	}
	want := []string{"--first", "--src", "a.py", "", "--pyc", "a.pyc", "@kept", "--last"}
	if fmt.Sprint(got.Arguments) != fmt.Sprint(want) {
		t.Errorf("arguments = %q, want %q", got.Arguments, want)
	}
	if got.SandboxDir != sandbox || len(got.Inputs) != 1 || got.Inputs[0].Path != "a.py" || string(got.Inputs[0].Digest) != "d" {
		t.Errorf("request = %+v", got)
	}
	if r := got.Resolve("a.py"); r != filepath.Join(sandbox, "a.py") {
		t.Errorf("Resolve = %q", r)
	}
	if failed.GetExitCode() == 0 || !strings.Contains(failed.GetOutput(), "missing.txt") {
		t.Errorf("response for a missing flag file = %v", failed)
	}
	log := c.logBuf.String()
	if !strings.Contains(log, "request 7: arguments") || !strings.Contains(log, "sandbox "+sandbox) {
		t.Errorf("log %q does not show the verbose request", log)
	}
	if strings.Contains(log, "request 9") {
		t.Errorf("log %q shows a request with verbosity 0", log)
	}
}

// TestShutdownOnContext cancels Serve's context while requests run: they
// are cancelled, their outputs removed, none is answered, and Serve returns
// promptly even though its input stays open.
func TestShutdownOnContext(t *testing.T) {
	dir := t.TempDir()
	inR, inW, _ := os.Pipe()
	outR, outW, _ := os.Pipe()
	defer inW.Close()
	started := make(chan struct{}, 3)
	srv := NewServer(protocol.Proto, inR, outW, func(ctx context.Context, req *Request) Result {
		res := fileHandler(0)(ctx, req)
		started <- struct{}{}
		<-ctx.Done()
		return res
	}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx); outW.Close() }()
	for id := int32(1); id <= 3; id++ {
		protodelim.MarshalTo(inW, &workerpb.WorkRequest{RequestId: id, Arguments: []string{filepath.Join(dir, fmt.Sprint(id))}})
	}
	for range 3 {
		<-started
	}
	t0 := time.Now()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve = %v, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after its context was cancelled")
	}
	if d := time.Since(t0); d > time.Second {
		t.Errorf("Serve took %v to stop", d)
	}
	if out, _ := io.ReadAll(outR); len(out) != 0 {
		t.Errorf("responses written during shutdown: %q", out)
	}
	left, _ := os.ReadDir(dir)
	if len(left) != 0 {
		t.Errorf("outputs left after shutdown: %v", left)
	}
}

// TestWriteFailure closes the response pipe: Serve must end with the write
// error instead of hanging or panicking.
func TestWriteFailure(t *testing.T) {
	inR, inW, _ := os.Pipe()
	outR, outW, _ := os.Pipe()
	defer inW.Close()
	outR.Close()
	srv := NewServer(protocol.Proto, inR, outW, func(ctx context.Context, req *Request) Result { return Result{} }, nil)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(context.Background()) }()
	protodelim.MarshalTo(inW, &workerpb.WorkRequest{RequestId: 1})
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "write work response 1") {
			t.Errorf("Serve = %v, want the write error", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after a failed write")
	}
}
