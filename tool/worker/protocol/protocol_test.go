package protocol

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protodelim"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/rules-pyc/rules_pyc/tool/worker/workerpb"
)

// feed returns the read end of a real pipe into which a goroutine writes
// data in chunks of the given size (all at once if chunk <= 0), closing the
// write end afterwards unless keepOpen is set (then the test's cleanup
// closes it).
func feed(t *testing.T, data []byte, chunk int, keepOpen bool) *os.File {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(); w.Close() })
	go func() {
		if chunk <= 0 {
			chunk = len(data) + 1
		}
		for len(data) > 0 {
			n := min(chunk, len(data))
			if _, err := w.Write(data[:n]); err != nil {
				return
			}
			data = data[n:]
		}
		if !keepOpen {
			w.Close()
		}
	}()
	return r
}

func encodeProto(t testing.TB, reqs ...*workerpb.WorkRequest) []byte {
	t.Helper()
	var buf bytes.Buffer
	for _, req := range reqs {
		if _, err := protodelim.MarshalTo(&buf, req); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes()
}

// encodeJSON writes the requests as protojson objects, each followed by sep
// (Bazel 4: nothing; Bazel 5 and later: a newline).
func encodeJSON(t testing.TB, sep string, reqs ...*workerpb.WorkRequest) []byte {
	t.Helper()
	var buf bytes.Buffer
	for _, req := range reqs {
		b, err := protojson.Marshal(req)
		if err != nil {
			t.Fatal(err)
		}
		// protojson varies its spacing from build to build; compact it so
		// the bytes (and the committed seed corpora) are stable.
		if err := json.Compact(&buf, b); err != nil {
			t.Fatal(err)
		}
		buf.WriteString(sep)
	}
	return buf.Bytes()
}

func sampleRequests() []*workerpb.WorkRequest {
	return []*workerpb.WorkRequest{
		{Arguments: []string{"--src", "pkg/a.py", "--pyc", "bazel-out/pkg/a.pyc"}},
		{
			Arguments: []string{"--optimize", "2", "naïve/ünïcode ✓.py"},
			Inputs: []*workerpb.Input{
				{Path: "pkg/a.py", Digest: []byte("0123abcd")},
				{Path: "bazel-out/params/x.params", Digest: []byte{0, 1, 2, 0xff}},
				{Path: "no/digest.py"},
			},
			RequestId: 7,
			Verbosity: 10,
		},
		{RequestId: 7, Cancel: true},
		{Arguments: []string{""}, RequestId: 2147483647, SandboxDir: "__sandbox/3/_main"},
		{},
	}
}

// readAll reads requests until the first error and returns both.
func readAll(r *Reader) ([]*workerpb.WorkRequest, error) {
	var got []*workerpb.WorkRequest
	for {
		req, err := r.Read()
		if err != nil {
			return got, err
		}
		got = append(got, req)
	}
}

func TestReadRoundTrip(t *testing.T) {
	reqs := sampleRequests()
	tests := []struct {
		name  string
		given Protocol
		want  Protocol
		data  []byte
		chunk int
	}{
		{"proto", Proto, Proto, encodeProto(t, reqs...), 0},
		{"proto detected", Auto, Proto, encodeProto(t, reqs...), 0},
		{"proto one byte at a time", Auto, Proto, encodeProto(t, reqs...), 1},
		{"json with newlines (Bazel 5+)", JSON, JSON, encodeJSON(t, "\n", reqs...), 0},
		{"json back to back (Bazel 4)", JSON, JSON, encodeJSON(t, "", reqs...), 0},
		{"json detected with newlines", Auto, JSON, encodeJSON(t, "\n", reqs...), 0},
		{"json detected back to back", Auto, JSON, encodeJSON(t, "", reqs...), 0},
		{"json back to back one byte at a time", Auto, JSON, encodeJSON(t, "", reqs...), 1},
		{"json with CRLF and blank lines", Auto, JSON, encodeJSON(t, "\r\n\r\n", reqs...), 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewReader(tt.given, feed(t, tt.data, tt.chunk, false))
			got, err := readAll(r)
			if err != io.EOF {
				t.Fatalf("Read error = %v, want io.EOF after %d requests", err, len(got))
			}
			if r.Protocol() != tt.want {
				t.Errorf("Protocol() = %v, want %v", r.Protocol(), tt.want)
			}
			if len(got) != len(reqs) {
				t.Fatalf("read %d requests, want %d", len(got), len(reqs))
			}
			for i := range reqs {
				if !proto.Equal(got[i], reqs[i]) {
					t.Errorf("request %d = %v, want %v", i, got[i], reqs[i])
				}
			}
		})
	}
}

// TestReadJSONForms covers the JSON that Bazel and hand-written clients
// send: omitted defaults, proto field names, ids as strings, unknown keys,
// base64 digests and whitespace.
func TestReadJSONForms(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want *workerpb.WorkRequest
	}{
		{"empty object is a singleplex request", `{}`, &workerpb.WorkRequest{}},
		{"singleplex without requestId", `{"arguments":["--src","a.py"],"inputs":[{"path":"a.py","digest":"YWJj"}]}`,
			&workerpb.WorkRequest{Arguments: []string{"--src", "a.py"}, Inputs: []*workerpb.Input{{Path: "a.py", Digest: []byte("abc")}}}},
		{"cancel", `{"requestId":12,"cancel":true}`, &workerpb.WorkRequest{RequestId: 12, Cancel: true}},
		{"proto field names", `{"request_id":3,"sandbox_dir":"s/3","verbosity":10}`,
			&workerpb.WorkRequest{RequestId: 3, SandboxDir: "s/3", Verbosity: 10}},
		{"id as a string", `{"requestId":"42"}`, &workerpb.WorkRequest{RequestId: 42}},
		{"unknown keys are skipped", `{"arguments":["x"],"futureField":{"a":[1,2,{"b":null}]},"x":1}`,
			&workerpb.WorkRequest{Arguments: []string{"x"}}},
		{"pretty printed", "{\n  \"arguments\": [\n    \"x\"\n  ],\n  \"requestId\": 1\n}\n",
			&workerpb.WorkRequest{Arguments: []string{"x"}, RequestId: 1}},
		{"space after brace", `{ "requestId": 5 }`, &workerpb.WorkRequest{RequestId: 5}},
		{"escapes", `{"arguments":["a\"b","\u00e9\n"]}`, &workerpb.WorkRequest{Arguments: []string{"a\"b", "é\n"}}},
	}
	for _, tt := range tests {
		for _, p := range []Protocol{JSON, Auto} {
			t.Run(tt.name+"/"+p.String(), func(t *testing.T) {
				r := NewReader(p, feed(t, []byte(tt.in), 0, false))
				got, err := r.Read()
				if err != nil {
					t.Fatalf("Read: %v", err)
				}
				if !proto.Equal(got, tt.want) {
					t.Errorf("Read = %v, want %v", got, tt.want)
				}
				if r.Protocol() != JSON {
					t.Errorf("Protocol() = %v, want json", r.Protocol())
				}
				if _, err := r.Read(); err != io.EOF {
					t.Errorf("second Read error = %v, want io.EOF", err)
				}
			})
		}
	}
}

// requestOfSize returns a request whose delimited encoding is exactly size
// bytes, whose first argument is firstLen bytes long and starts with first.
func requestOfSize(t *testing.T, size, firstLen int, first string) *workerpb.WorkRequest {
	t.Helper()
	arg0 := first + strings.Repeat("a", firstLen-len(first))
	for pad := 0; pad < size; pad++ {
		req := &workerpb.WorkRequest{Arguments: []string{arg0, strings.Repeat("p", pad)}, RequestId: 9}
		if n := len(encodeProto(t, req)); n == size {
			return req
		} else if n > size {
			break
		}
	}
	t.Fatalf("no request encodes to %d bytes with a %d-byte first argument", size, firstLen)
	return nil
}

// TestDetect123ByteProto covers the proto request whose length prefix is
// 0x7B, the byte '{' that starts every JSON request. The byte after it (a
// field tag, 0x0A) and the length of the first argument, which may itself be
// JSON whitespace or a quote, must not fool detection, and detection must
// not wait for bytes the sender has not sent: the pipe stays open.
func TestDetect123ByteProto(t *testing.T) {
	tests := []struct {
		name     string
		firstLen int
		first    string
	}{
		{"plain argument", 20, "--src"},
		{"first argument 32 bytes (space)", 32, "--src"},
		{"first argument 10 bytes (newline)", 10, "--pyc"},
		{"first argument 9 bytes (tab)", 9, "-O"},
		{"first argument 34 bytes (quote)", 34, "--src"},
		{"first argument 32 bytes, starting with a quote", 32, `"quoted"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := requestOfSize(t, 124, tt.firstLen, tt.first)
			data := encodeProto(t, req)
			if data[0] != '{' || data[1] != 0x0a || data[2] != byte(tt.firstLen) {
				t.Fatalf("encoding starts % x, want 7b 0a %02x", data[:3], tt.firstLen)
			}
			r := NewReader(Auto, feed(t, data, 0, true))
			got := readWithin(t, r, 5*time.Second)
			if r.Protocol() != Proto {
				t.Errorf("Protocol() = %v, want proto", r.Protocol())
			}
			if !proto.Equal(got, req) {
				t.Errorf("Read = %v, want %v", got, req)
			}
		})
	}
}

// TestDetectShortJSONDoesNotWait sends requests much shorter than 124 bytes
// and keeps the pipe open, as Bazel does while it waits for the response.
func TestDetectShortJSONDoesNotWait(t *testing.T) {
	for _, in := range []string{`{}`, `{"requestId":1}`, "{\n}", `{ }`, "{\"arguments\":[\"a\"]}\n"} {
		t.Run(in, func(t *testing.T) {
			r := NewReader(Auto, feed(t, []byte(in), 0, true))
			readWithin(t, r, 5*time.Second)
			if r.Protocol() != JSON {
				t.Errorf("Protocol() = %v, want json", r.Protocol())
			}
		})
	}
}

func readWithin(t *testing.T, r *Reader, d time.Duration) *workerpb.WorkRequest {
	t.Helper()
	type result struct {
		req *workerpb.WorkRequest
		err error
	}
	ch := make(chan result, 1)
	go func() {
		req, err := r.Read()
		ch <- result{req, err}
	}()
	select {
	case res := <-ch:
		if res.err != nil {
			t.Fatalf("Read: %v", res.err)
		}
		return res.req
	case <-time.After(d):
		t.Fatalf("Read did not return within %v", d)
	}
	return nil
}

func varint(v uint64) []byte { return protowire.AppendVarint(nil, v) }

func TestReadErrors(t *testing.T) {
	valid := encodeProto(t, &workerpb.WorkRequest{Arguments: []string{"a"}, RequestId: 1})
	tests := []struct {
		name      string
		p         Protocol
		data      []byte
		before    int  // requests read successfully before the error
		truncated bool // the error wraps io.ErrUnexpectedEOF
		message   string
	}{
		{"truncated varint", Proto, []byte{0x80}, 0, true, "inside a length prefix"},
		{"truncated varint after a request", Auto, append(append([]byte{}, valid...), 0xff, 0xff), 1, true, "inside a length prefix"},
		{"varint longer than 10 bytes", Proto, bytes.Repeat([]byte{0xff}, 11), 0, false, "length prefix"},
		{"absurd length 2^62", Proto, append(varint(1<<62), "x"...), 0, false, "over protobuf's 2 GiB"},
		{"absurd length 2^62 detected", Auto, append(varint(1<<62), "x"...), 0, false, "over protobuf's 2 GiB"},
		{"length 2 GiB", Proto, varint(1 << 31), 0, false, "over protobuf's 2 GiB"},
		{"1 GiB announced, 5 bytes sent", Proto, append(varint(1<<30), "hello"...), 0, true, "after 5 of 1073741824"},
		{"truncated small body", Proto, valid[:len(valid)-1], 0, true, fmt.Sprintf("after %d of %d", len(valid)-2, len(valid)-1)},
		{"invalid wire data", Proto, []byte{3, 0x0a, 0x7f, 'x'}, 0, false, "proto:"},
		{"field number 0", Proto, []byte{2, 0x02, 0x00}, 0, false, "proto:"},
		{"garbage json", JSON, []byte(`{"arguments": [}`), 0, false, "json:"},
		{"garbage after valid json", Auto, []byte(`{"requestId":1}` + "\n" + `{"requestId":2}]`), 2, false, "json:"},
		{"plain text as json", JSON, []byte("hello world\n"), 0, false, "json:"},
		{"truncated json", Auto, []byte(`{"arguments":["a"`), 0, true, "json:"},
		{"json of the wrong type", JSON, []byte(`{"requestId":"abc"}`), 0, false, "requestId"},
		{"json array", JSON, []byte(`[{"requestId":1}]`), 0, false, "json:"},
		{"json repeated key", JSON, []byte(`{"requestId":1,"requestId":2}`), 0, false, "duplicate"},
		{"json overflowing int32", JSON, []byte(`{"requestId":2147483648}`), 0, false, "requestId"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before runtime.MemStats
			runtime.ReadMemStats(&before)
			r := NewReader(tt.p, feed(t, tt.data, 0, false))
			got, err := readAll(r)
			var after runtime.MemStats
			runtime.ReadMemStats(&after)
			if len(got) != tt.before {
				t.Errorf("read %d requests before the error, want %d", len(got), tt.before)
			}
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error = %v, want one wrapping ErrMalformed", err)
			}
			if errors.Is(err, io.ErrUnexpectedEOF) != tt.truncated {
				t.Errorf("error = %v, wraps io.ErrUnexpectedEOF = %v, want %v", err, !tt.truncated, tt.truncated)
			}
			if !strings.Contains(err.Error(), tt.message) {
				t.Errorf("error = %q, want it to mention %q", err, tt.message)
			}
			if _, again := r.Read(); again != err {
				t.Errorf("Read after the error = %v, want the same error", again)
			}
			// Announced lengths must not be allocated before the bytes arrive.
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 16<<20 {
				t.Errorf("reading allocated %d bytes", alloc)
			}
		})
	}
}

// TestReadLargeRequest reads requests over protodelim's default 4 MiB limit
// (100,000 inputs, as a big Python package may have) in both formats.
func TestReadLargeRequest(t *testing.T) {
	req := &workerpb.WorkRequest{RequestId: 1, Arguments: []string{"@bazel-out/k8-fastbuild/bin/big.params"}}
	for i := range 100000 {
		req.Inputs = append(req.Inputs, &workerpb.Input{
			Path:   fmt.Sprintf("external/some_wheel/site-packages/pkg%03d/module_%06d.py", i%1000, i),
			Digest: []byte(fmt.Sprintf("%064x", i)),
		})
	}
	tail := &workerpb.WorkRequest{RequestId: 2, Arguments: []string{"after"}}
	tests := []struct {
		name string
		p    Protocol
		data []byte
	}{
		{"proto", Auto, encodeProto(t, req, tail)},
		{"json", Auto, encodeJSON(t, "", req, tail)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if len(tt.data) <= 4<<20 {
				t.Fatalf("request is %d bytes, want more than 4 MiB", len(tt.data))
			}
			r := NewReader(tt.p, feed(t, tt.data, 1<<20, false))
			got, err := readAll(r)
			if err != io.EOF {
				t.Fatalf("Read error = %v after %d requests", err, len(got))
			}
			if len(got) != 2 || !proto.Equal(got[0], req) || !proto.Equal(got[1], tail) {
				t.Fatalf("read %d requests, not the two sent", len(got))
			}
		})
	}
}

func TestWriter(t *testing.T) {
	resps := []*workerpb.WorkResponse{
		{},
		{RequestId: 3, ExitCode: 1, Output: "  File \"a.py\", line 1\n    x = \nSyntaxError: invalid syntax\n"},
		{RequestId: 4, WasCancelled: true},
		{RequestId: 2147483647, Output: "ünïcode ✓"},
	}
	wantKeys := [][]string{
		{"exitCode"}, // an empty response says its exit code, for Bazel 4's reader
		{"exitCode", "output", "requestId"},
		{"requestId", "wasCancelled"},
		{"output", "requestId"},
	}
	for _, p := range []Protocol{Proto, JSON} {
		t.Run(p.String(), func(t *testing.T) {
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			wr, err := NewWriter(p, w)
			if err != nil {
				t.Fatal(err)
			}
			go func() {
				for _, resp := range resps {
					if err := wr.Write(resp); err != nil {
						t.Error(err)
					}
				}
				w.Close()
			}()
			data, err := io.ReadAll(r)
			if err != nil {
				t.Fatal(err)
			}
			var got []*workerpb.WorkResponse
			switch p {
			case Proto:
				br := bytes.NewReader(data)
				for br.Len() > 0 {
					resp := new(workerpb.WorkResponse)
					if err := protodelim.UnmarshalFrom(br, resp); err != nil {
						t.Fatal(err)
					}
					got = append(got, resp)
				}
			case JSON:
				lines := strings.SplitAfter(string(data), "\n")
				if last := lines[len(lines)-1]; last != "" {
					t.Fatalf("output does not end with a newline: %q", last)
				}
				lines = lines[:len(lines)-1]
				for i, line := range lines {
					var keys map[string]any
					if err := json.Unmarshal([]byte(line), &keys); err != nil {
						t.Fatalf("line %d %q: %v", i, line, err)
					}
					var names []string
					for k := range keys {
						names = append(names, k)
					}
					if !sameSet(names, wantKeys[i]) {
						t.Errorf("line %d %q has keys %v, want %v", i, line, names, wantKeys[i])
					}
					resp := new(workerpb.WorkResponse)
					if err := protojson.Unmarshal([]byte(line), resp); err != nil {
						t.Fatal(err)
					}
					got = append(got, resp)
				}
			}
			if len(got) != len(resps) {
				t.Fatalf("got %d responses, want %d", len(got), len(resps))
			}
			for i := range resps {
				if !proto.Equal(got[i], resps[i]) {
					t.Errorf("response %d = %v, want %v", i, got[i], resps[i])
				}
			}
		})
	}
	if _, err := NewWriter(Auto, io.Discard); err == nil {
		t.Error("NewWriter(Auto) succeeded, want an error")
	}
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[string]bool{}
	for _, s := range a {
		seen[s] = true
	}
	for _, s := range b {
		if !seen[s] {
			return false
		}
	}
	return true
}

func TestParse(t *testing.T) {
	tests := []struct {
		in      string
		want    Protocol
		wantErr bool
	}{
		{"", Auto, false},
		{"auto", Auto, false},
		{"proto", Proto, false},
		{"json", JSON, false},
		{"JSON", Auto, true},
		{"protobuf", Auto, true},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("Parse(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
		if err == nil && tt.in != "" && got.String() != tt.in {
			t.Errorf("Parse(%q).String() = %q", tt.in, got.String())
		}
	}
}
