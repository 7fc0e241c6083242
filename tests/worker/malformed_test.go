//go:build linux

package worker

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/rules-pyc/rules_pyc/internal/pyref"
	"github.com/rules-pyc/rules_pyc/tool/worker/workerpb"
)

// TestMalformedInput sends a valid request and then bytes that are not a
// request.  The worker answers the valid request, says on stderr what was
// wrong, writes nothing else to stdout, and exits with status 1, as
// docs/worker.md says.
func TestMalformedInput(t *testing.T) {
	in := python(t)
	dir := t.TempDir()
	src := filepath.Join(dir, "ok.py")
	if err := os.WriteFile(src, []byte("OK = True\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	varint := func(v uint64, tail ...byte) []byte {
		return append(protowire.AppendVarint(nil, v), tail...)
	}
	for _, tc := range []struct {
		name     string
		wire     wire
		explicit bool
		bad      []byte
	}{
		{"truncated varint", protoWire, true, []byte{0xff, 0xff}},
		{"truncated varint/detected", protoWire, false, []byte{0x80}},
		{"varint over 10 bytes", protoWire, true, bytes.Repeat([]byte{0xff}, 11)},
		{"length 2^62", protoWire, true, varint(1<<62, 'a', 'b', 'c')},
		{"length 1 GiB", protoWire, true, varint(1<<30, 0x0a, 0x01, 'x')},
		{"truncated body", protoWire, true, varint(50, 0x0a, 0x30, 'x')},
		{"garbage body", protoWire, true, varint(5, 0xff, 0xff, 0xff, 0xff, 0xff)},
		{"text on a proto stream", protoWire, false, []byte("hello, worker\n")},
		{"garbage JSON", jsonLines, true, []byte(`{"arguments": [1, }` + "\n")},
		{"garbage JSON/detected", jsonLines, false, []byte(`{"arguments": [1, }` + "\n")},
		{"truncated JSON", jsonPacked, true, []byte(`{"arguments":["--src"`)},
		{"JSON array", jsonLines, true, []byte("[1, 2, 3]\n")},
		{"JSON bad id", jsonLines, true, []byte(`{"requestId": "abc"}` + "\n")},
		{"JSON repeated key", jsonLines, true, []byte(`{"requestId": 2, "requestId": 3}` + "\n")},
		{"JSON then text", jsonPacked, false, []byte("not json at all")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			startup := []string{"--python", in.Path}
			if tc.explicit {
				startup = append(startup, "--worker_protocol", tc.wire.flag())
			}
			wk := startWorker(t, tc.wire, workerOptions{startup: startup})
			pyc := filepath.Join(t.TempDir(), "ok.pyc")
			stream := append(wk.encode(compileRequest(1, []file{{src: src, name: "ok.py", pyc: pyc}})), tc.bad...)
			if err := wk.sendRaw(stream); err != nil {
				t.Fatal(err)
			}
			wk.closeStdin()
			resps := wk.recvAll()
			if len(resps) != 1 || resps[0].GetRequestId() != 1 || resps[0].GetExitCode() != 0 {
				t.Errorf("responses %v, want one for request 1, successful", resps)
			}
			if code := wk.wait(10 * time.Second); code != 1 {
				t.Errorf("exit code %d, want 1", code)
			}
			log := wk.stderr.String()
			if !strings.Contains(log, "malformed work request") {
				t.Errorf("stderr does not say the input is malformed:\n%s", log)
			}
			t.Logf("stderr: %s", strings.TrimSpace(log))
			wk.checkStderr()
			checkNoLeftovers(t)
		})
	}
}

// TestLargeRequest sends requests of more than 4 MiB (100,000 inputs, as a
// target with many sources has) in both formats: they are read and answered
// like any other.
func TestLargeRequest(t *testing.T) {
	in := python(t)
	dir := t.TempDir()
	f := file{src: filepath.Join(dir, "big.py"), name: "pkg/big.py", pyc: filepath.Join(dir, "big.pyc")}
	if err := os.WriteFile(f.src, []byte("BIG = 'request'\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	want := reference(t, in, []file{f}, pyref.CheckedHash, 0)[0]
	req := compileRequest(42, []file{f})
	for i := range 100000 {
		req.Inputs = append(req.Inputs, &workerpb.Input{
			Path:   fmt.Sprintf("bazel-out/k8-fastbuild/bin/third_party/pkg/module_%06d.py", i),
			Digest: bytes.Repeat([]byte{byte(i)}, 32),
		})
	}
	if size(req) <= 4<<20 {
		t.Fatalf("the request is %d bytes, not over 4 MiB", size(req))
	}
	for _, w := range []wire{protoWire, jsonLines, jsonPacked} {
		t.Run(w.String(), func(t *testing.T) {
			if err := os.Remove(f.pyc); err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			wk := startWorker(t, w, workerOptions{startup: []string{"--python", in.Path}})
			raw := wk.encode(req)
			t.Logf("request: %d bytes", len(raw))
			go func() {
				if err := wk.sendRaw(raw); err != nil {
					t.Error(err)
				}
				wk.closeStdin()
			}()
			resps := wk.recvAll()
			if len(resps) != 1 || resps[0].GetRequestId() != 42 || resps[0].GetExitCode() != 0 {
				t.Fatalf("responses %v, want one for request 42, successful", resps)
			}
			if got := mustReadFile(t, f.pyc); !bytes.Equal(got, want) {
				t.Errorf("%s differs from py_compile's", f.pyc)
			}
			if code := wk.wait(10 * time.Second); code != 0 {
				t.Errorf("exit code %d, want 0", code)
			}
			wk.checkStderr()
			checkNoLeftovers(t)
		})
	}
}
