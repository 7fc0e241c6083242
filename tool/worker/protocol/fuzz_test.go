package protocol

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/rules-pyc/rules_pyc/tool/worker/workerpb"
)

var updateSeeds = flag.Bool("update-seeds", false, "rewrite the seed corpora under testdata/fuzz")

// fuzzRead reads every request of data and checks the Reader's contract:
// it never panics, it stops with io.EOF or an error wrapping ErrMalformed
// (the input is in memory, so there are no I/O errors), and every request it
// returns survives a round trip through the same format.
func fuzzRead(t *testing.T, p Protocol, data []byte) {
	r := NewReader(p, bytes.NewReader(data))
	got, err := readAll(r)
	if err != io.EOF && !errors.Is(err, ErrMalformed) {
		t.Fatalf("Read error = %v, want io.EOF or ErrMalformed", err)
	}
	if len(got) == 0 {
		return
	}
	var again []byte
	switch r.Protocol() {
	case Proto:
		again = encodeProto(t, got...)
	case JSON:
		again = encodeJSON(t, "\n", got...)
	default:
		t.Fatalf("Protocol() = %v after reading requests", r.Protocol())
	}
	back, err := readAll(NewReader(r.Protocol(), bytes.NewReader(again)))
	if err != io.EOF || len(back) != len(got) {
		t.Fatalf("round trip read %d of %d requests, error %v", len(back), len(got), err)
	}
	for i := range got {
		if !proto.Equal(back[i], got[i]) {
			t.Fatalf("round trip of request %d: %v became %v", i, got[i], back[i])
		}
	}
}

// The fuzz targets take their seeds from testdata/fuzz/<target>, which
// TestSeedCorpora keeps in step with protoSeeds and jsonSeeds.

// FuzzProtoReader feeds arbitrary bytes to the proto reader.
func FuzzProtoReader(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) { fuzzRead(t, Proto, data) })
}

// FuzzJSONReader feeds arbitrary bytes to the JSON reader.
func FuzzJSONReader(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) { fuzzRead(t, JSON, data) })
}

// FuzzDetect feeds arbitrary bytes to a Reader that detects the format.
func FuzzDetect(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) { fuzzRead(t, Auto, data) })
}

type seed struct {
	name string
	data []byte
}

func protoSeeds(tb testing.TB) []seed {
	reqs := sampleRequests()
	all := encodeProto(tb, reqs...)
	first := encodeProto(tb, reqs[1])
	// A request of the kind rules_python sends, its last argument trimmed
	// so that the message is 123 bytes and its length prefix reads '{'.
	pyc := "bazel-out/k8-fastbuild/bin/pkg/__pycache__/module.cpython-311.pyc"
	var r123 []byte
	for n := len(pyc); n > 0 && len(r123) != 124; n-- {
		r123 = encodeProto(tb, &workerpb.WorkRequest{
			Arguments: []string{"--src", "pkg/module.py", "--src_name", "pkg/module.py", "--pyc", pyc[:n]},
			RequestId: 1,
		})
	}
	if len(r123) != 124 || r123[0] != '{' {
		tb.Fatalf("the 123-byte seed encodes to %d bytes starting % x", len(r123), r123[:2])
	}
	return []seed{
		{"requests", all},
		{"request-123-bytes", r123},
		{"truncated-body", first[:len(first)/2]},
		{"truncated-varint", []byte{0xff}},
		{"absurd-length", append(varint(1<<62), 0x0a)},
		{"large-length-short-body", append(varint(100<<10), first...)},
	}
}

func jsonSeeds(tb testing.TB) []seed {
	reqs := sampleRequests()
	nl := encodeJSON(tb, "\n", reqs...)
	return []seed{
		{"requests-newline", nl},
		{"requests-back-to-back", encodeJSON(tb, "", reqs...)},
		{"unknown-keys", []byte(`{"arguments":["a"],"extra":{"x":[1,"y",null]},"request_id":"3"}`)},
		{"truncated", nl[:len(nl)/2]},
		{"garbage", []byte(`{"arguments": [}`)},
	}
}

// TestSeedCorpora checks that the committed seed corpora under
// testdata/fuzz are the ones the seed functions produce; -update-seeds
// rewrites them.
func TestSeedCorpora(t *testing.T) {
	corpora := map[string][]seed{
		"FuzzProtoReader": protoSeeds(t),
		"FuzzJSONReader":  jsonSeeds(t),
		"FuzzDetect":      append(protoSeeds(t), jsonSeeds(t)...),
	}
	for name, seeds := range corpora {
		for _, s := range seeds {
			path := filepath.Join("testdata", "fuzz", name, "seed-"+s.name)
			want := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", s.data)
			if *updateSeeds {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Errorf("%v (run go test -run TestSeedCorpora -update-seeds)", err)
				continue
			}
			if string(got) != want {
				t.Errorf("%s is out of date (run go test -run TestSeedCorpora -update-seeds)", path)
			}
		}
	}
}
