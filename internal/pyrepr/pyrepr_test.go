package pyrepr_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rules-pyc/rules_pyc/internal/pyrepr"
	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

// TestStringMatchesPython compares String with repr() of a real interpreter,
// for names decoded from bytes with surrogateescape as os.fsdecode does.
func TestStringMatchesPython(t *testing.T) {
	py := pythons.Require(t, 1)[0]
	names := []string{
		"plain.py", "dir/sub/mod.py", "it's.py", `say "hi".py`, `both'"q.py`,
		"tab\there.py", "new\nline.py", "back\\slash.py", "ctrl\x01\x7f.py",
		"caf\u00e9.py", "\u00a0nbsp.py", "emoji\U0001F600.py", "zw\u200bsp.py",
		"bad\xff\xfe.py", "cjk\u4e2d\u6587.py", "",
	}
	script := `import os, sys
for line in sys.stdin.buffer.read().split(b"\0")[:-1]:
    sys.stdout.write(repr(os.fsdecode(line)) + "\0")`
	cmd := exec.Command(py.Path, "-S", "-s", "-c", script)
	cmd.Env = []string{"LC_ALL=C.UTF-8", "PYTHONIOENCODING=utf-8:surrogateescape"}
	cmd.Stdin = strings.NewReader(strings.Join(names, "\x00") + "\x00")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("run %s: %v", py, err)
	}
	want := strings.Split(string(out), "\x00")
	for i, name := range names {
		if got := pyrepr.String(name); got != want[i] {
			t.Errorf("String(%q) = %s, Python says %s", name, got, want[i])
		}
	}
}

// TestOSErrorMatchesPython compares OSError with str() of the OSError that a
// real interpreter raises for the same failed open.
func TestOSErrorMatchesPython(t *testing.T) {
	py := pythons.Require(t, 1)[0]
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.py")
	tests := []struct {
		name string
		path string
	}{
		{"missing", missing},
		{"directory", dir},
		{"not a directory", filepath.Join(dir, "file.py", "x.py")},
	}
	if err := os.WriteFile(filepath.Join(dir, "file.py"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := os.ReadFile(tt.path)
			if err == nil {
				t.Fatalf("reading %s succeeded", tt.path)
			}
			out, _ := exec.Command(py.Path, "-S", "-s", "-c",
				"import sys\ntry:\n open(sys.argv[1], 'rb').read()\nexcept OSError as e:\n print(e)", tt.path).Output()
			want := strings.TrimSuffix(string(out), "\n")
			if got := pyrepr.OSError(tt.path, err); got != want {
				t.Errorf("OSError = %q, Python says %q", got, want)
			}
		})
	}
}
