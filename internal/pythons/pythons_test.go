package pythons

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseProbe(t *testing.T) {
	tests := []struct {
		name    string
		out     string
		want    Interpreter
		wantErr string
	}{
		{
			name: "final release",
			out:  "cpython 3 12 1 final 0 cb0d0d0a cpython-312 /opt/py/bin/python3\n",
			want: Interpreter{Path: "/opt/py/bin/python3", Version: "3.12.1", Major: 3, Minor: 12, Micro: 1,
				Magic: [4]byte{0xcb, 0x0d, 0x0d, 0x0a}, CacheTag: "cpython-312"},
		},
		{
			name: "release candidate, path with a space",
			out:  "cpython 3 14 0 candidate 1 2b0e0d0a cpython-314 /opt/my py/bin/python3",
			want: Interpreter{Path: "/opt/my py/bin/python3", Version: "3.14.0rc1", Major: 3, Minor: 14, Micro: 0,
				Magic: [4]byte{0x2b, 0x0e, 0x0d, 0x0a}, CacheTag: "cpython-314"},
		},
		{name: "pypy", out: "pypy 3 10 14 final 0 f00d0d0a pypy310 /usr/bin/pypy3", wantErr: "not CPython"},
		{name: "3.7", out: "cpython 3 7 16 final 0 420d0d0a cpython-37 /x/python3", wantErr: "older than 3.8"},
		{name: "no cache tag", out: "cpython 3 12 1 final 0 cb0d0d0a - /x/python3", wantErr: "no cache tag"},
		{name: "bad magic", out: "cpython 3 12 1 final 0 cb0d0d cpython-312 /x/python3", wantErr: "bad magic"},
		{name: "relative executable", out: "cpython 3 12 1 final 0 cb0d0d0a cpython-312 python3", wantErr: "not an absolute path"},
		{name: "truncated", out: "cpython 3 12", wantErr: "unexpected answer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseProbe(tt.out)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("parseProbe(%q) error = %v, want one containing %q", tt.out, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseProbe(%q): %v", tt.out, err)
			}
			if got != tt.want {
				t.Fatalf("parseProbe(%q) = %+v, want %+v", tt.out, got, tt.want)
			}
		})
	}
}

// TestFind checks what Find reports against each interpreter, asked again
// independently, and the list's invariants.
func TestFind(t *testing.T) {
	found := Require(t, 2)
	seen := map[string]string{}
	for i, in := range found {
		real, err := filepath.EvalSymlinks(in.Path)
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		if other, ok := seen[real]; ok {
			t.Errorf("%s and %s are the same file %s", in, other, real)
		}
		seen[real] = in.String()
		if i > 0 {
			p := found[i-1]
			if versionKey(p) > versionKey(in) {
				t.Errorf("not sorted: %s before %s", p, in)
			}
		}
		out, err := exec.Command(in.Path, "-S", "-s", "-c",
			"import sys, importlib.util; print('%d.%d.%d' % sys.version_info[:3], importlib.util.MAGIC_NUMBER.hex(), sys.implementation.cache_tag)").Output()
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		want := fmt.Sprintf("%d.%d.%d %x %s", in.Major, in.Minor, in.Micro, in.Magic[:], in.CacheTag)
		if got := strings.TrimSpace(string(out)); got != want {
			t.Errorf("%s says %q, Find recorded %q", in, got, want)
		}
		if !strings.HasPrefix(in.Version, fmt.Sprintf("%d.%d.%d", in.Major, in.Minor, in.Micro)) {
			t.Errorf("%s: Version %q does not match %d.%d.%d", in, in.Version, in.Major, in.Minor, in.Micro)
		}
		if !in.AtLeast(3, 8) {
			t.Errorf("%s is older than 3.8", in)
		}
	}
}

func TestEmbedded314(t *testing.T) {
	in, ok := Embedded314(t)
	if !ok {
		t.Skip("embedded CPython 3.14 unavailable")
	}
	if in.Major != 3 || in.Minor != 14 || !in.Embedded {
		t.Fatalf("Embedded314 = %+v, want an embedded 3.14", in)
	}
	var listed bool
	for _, f := range Find(t) {
		listed = listed || f == in
	}
	if !listed {
		t.Errorf("Find does not list the embedded %s", in)
	}
}

// fatalRecorder is a testing.TB whose Fatalf records instead of stopping.
type fatalRecorder struct {
	testing.TB
	fatal string
}

func (f *fatalRecorder) Fatalf(format string, args ...any) { f.fatal = fmt.Sprintf(format, args...) }
func (f *fatalRecorder) Logf(string, ...any)               {}
func (f *fatalRecorder) Helper()                           {}

func TestRequireFailsWhenTooFew(t *testing.T) {
	rec := &fatalRecorder{TB: t}
	n := len(Find(t)) + 1
	Require(rec, n)
	if !strings.Contains(rec.fatal, fmt.Sprintf("need at least %d", n)) {
		t.Fatalf("Require(%d) fatal message = %q", n, rec.fatal)
	}
}

// versionKey orders interpreters by version for the sort check.
func versionKey(in Interpreter) string {
	return fmt.Sprintf("%04d.%04d.%04d", in.Major, in.Minor, in.Micro)
}

// TestEnvVar adds interpreters through RULES_PYC_PYTHONS: a symlink to a
// found interpreter is listed under the symlink's name (the variable is
// searched first, and the two are one file), and a path that is no
// interpreter is skipped with a log line.
func TestEnvVar(t *testing.T) {
	found := Require(t, 1)
	link := filepath.Join(t.TempDir(), "my python")
	if err := os.Symlink(found[0].Path, link); err != nil {
		t.Fatal(err)
	}
	bogus := filepath.Join(t.TempDir(), "not-a-python")
	t.Setenv(EnvVar, link+string(filepath.ListSeparator)+bogus)
	d := search()
	want := len(found)
	if InChroot() {
		// Only the variable's paths are searched there.
		want = 1
	}
	if len(d.found) != want {
		t.Errorf("with %s set, found %d interpreters, want %d", EnvVar, len(d.found), want)
	}
	var listed bool
	for _, in := range d.found {
		listed = listed || in.Path == link
	}
	if !listed {
		t.Errorf("%s=%s is not listed: %v", EnvVar, link, d.found)
	}
	var skipped bool
	for _, line := range d.log {
		skipped = skipped || strings.HasPrefix(line, "skip "+bogus+" ("+EnvVar+")")
	}
	if !skipped {
		t.Errorf("no log line for the bogus path: %q", d.log)
	}
}
