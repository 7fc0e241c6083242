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

	"github.com/rules-pyc/rules_pyc/internal/pyref"
	"github.com/rules-pyc/rules_pyc/internal/pythons"
	"github.com/rules-pyc/rules_pyc/tool/worker/workerpb"
)

// TestProtocols runs one worker per wire format, with the format named by
// --worker_protocol and detected from the first bytes.  Each worker compiles
// the same sources with every interpreter found (the request names it with
// --python, so one worker keeps a pool per interpreter), one source per
// request as rules_python sends them and several per request as rules_pyc's
// own rules do.  Every response echoes its request's id, and every .pyc is
// the bytes py_compile writes.
func TestProtocols(t *testing.T) {
	type corpus struct {
		in    pythons.Interpreter
		files []file
		want  [][]byte
	}
	var corpora []corpus
	for _, in := range pythons.Require(t, 1) {
		dir := t.TempDir()
		files := writeSources(t, in, dir, "")
		corpora = append(corpora, corpus{in, files, reference(t, in, files, pyref.CheckedHash, 0)})
	}

	for _, tc := range []struct {
		wire     wire
		explicit bool
	}{
		{protoWire, true}, {protoWire, false},
		{jsonLines, true}, {jsonLines, false},
		{jsonPacked, true}, {jsonPacked, false},
	} {
		name := tc.wire.String() + "/detected"
		if tc.explicit {
			name = tc.wire.String() + "/flag"
		}
		t.Run(name, func(t *testing.T) {
			var startup []string
			if tc.explicit {
				startup = []string{"--worker_protocol", tc.wire.flag()}
			}
			wk := startWorker(t, tc.wire, workerOptions{startup: append(startup, "-j", "2")})
			out := t.TempDir()
			type expect struct {
				files []file
				want  [][]byte
			}
			expected := map[int32]expect{}
			var reqs []*workerpb.WorkRequest
			id := int32(7)
			for ci, c := range corpora {
				args := []string{"--python", c.in.Path, "--python_version", majorMinor(c.in)}
				var batch []file
				for fi, f := range c.files {
					f.pyc = filepath.Join(out, fmt.Sprintf("%d-%d.pyc", ci, fi))
					if fi%2 == 0 {
						// One source per request.
						reqs = append(reqs, compileRequest(id, []file{f}, args...))
						expected[id] = expect{[]file{f}, [][]byte{c.want[fi]}}
						id += 13
					} else {
						batch = append(batch, f)
					}
				}
				var want [][]byte
				for fi := range c.files {
					if fi%2 == 1 {
						want = append(want, c.want[fi])
					}
				}
				reqs = append(reqs, compileRequest(id, batch, args...))
				expected[id] = expect{batch, want}
				id += 13
			}
			go func() {
				for _, r := range reqs {
					if err := wk.send(r); err != nil {
						t.Error(err)
						return
					}
				}
				wk.closeStdin()
			}()
			seen := map[int32]bool{}
			for _, resp := range wk.recvAll() {
				id := resp.GetRequestId()
				e, ok := expected[id]
				switch {
				case !ok:
					t.Errorf("response for request %d, which was never sent", id)
					continue
				case seen[id]:
					t.Errorf("second response for request %d", id)
					continue
				}
				seen[id] = true
				if resp.GetExitCode() != 0 || resp.GetWasCancelled() {
					t.Errorf("request %d: exit code %d, cancelled %v, output %q", id, resp.GetExitCode(), resp.GetWasCancelled(), resp.GetOutput())
					continue
				}
				for i, f := range e.files {
					if got := mustReadFile(t, f.pyc); !bytes.Equal(got, e.want[i]) {
						t.Errorf("request %d: %s (%s) differs from py_compile's\n got %x\nwant %x", id, f.name, f.src, got, e.want[i])
					}
				}
			}
			if len(seen) != len(expected) {
				t.Errorf("%d responses for %d requests", len(seen), len(expected))
			}
			if code := wk.wait(30 * time.Second); code != 0 {
				t.Errorf("exit code %d after stdin ended, want 0", code)
			}
			wk.checkStderr()
			checkNoLeftovers(t)
		})
	}
}

// TestProto123Bytes sends, with no protocol flag, a proto request of exactly
// 123 bytes: its length prefix is 0x7B, '{', the first byte of a JSON
// request.  The worker must still read it as proto.
func TestProto123Bytes(t *testing.T) {
	in := python(t)
	dir := t.TempDir()
	src := filepath.Join(dir, "m.py")
	if err := os.WriteFile(src, []byte("VALUE = {'json': 'not'}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	pyc := filepath.Join(dir, "m.pyc")
	var req *workerpb.WorkRequest
	for pad := 0; pad < 200; pad++ {
		name := strings.Repeat("p", pad) + ".py"
		req = &workerpb.WorkRequest{
			RequestId: 5,
			Arguments: []string{"--src", src, "--src_name", name, "--pyc", pyc},
		}
		if size(req) >= 123 {
			break
		}
	}
	if size(req) != 123 {
		t.Fatalf("cannot pad the request to 123 bytes (temp dir path too long?): %d", size(req))
	}
	wk := startWorker(t, protoWire, workerOptions{startup: []string{"--python", in.Path}})
	raw := wk.encode(req)
	if raw[0] != '{' {
		t.Fatalf("the request starts with %#x, not '{'", raw[0])
	}
	if err := wk.sendRaw(raw); err != nil {
		t.Fatal(err)
	}
	resp, err := wk.recv()
	if err != nil {
		t.Fatalf("no proto response to a 123-byte proto request: %v", err)
	}
	if resp.GetRequestId() != 5 || resp.GetExitCode() != 0 {
		t.Errorf("response %v, want request 5 with exit code 0", resp)
	}
	want := reference(t, in, []file{{src: src, name: req.Arguments[3]}}, pyref.CheckedHash, 0)[0]
	if got := mustReadFile(t, pyc); !bytes.Equal(got, want) {
		t.Errorf("%s differs from py_compile's\n got %x\nwant %x", pyc, got, want)
	}
	wk.closeStdin()
	if code := wk.wait(10 * time.Second); code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}
	wk.checkStderr()
	checkNoLeftovers(t)
}
