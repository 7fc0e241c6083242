package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/engine"
)

// TestVersion: --version (abbreviated too, and with other arguments)
// prints the release and the native compiler's coverage on stdout and
// exits 0, in-process and as the binary with an empty environment, where
// no interpreter could be asked anything; --help wins over it, and a bad
// option beside it is still a usage error.
func TestVersion(t *testing.T) {
	want := []string{"pyc " + Version + " (go", engine.NativeCovered(), "--python-version 3.13 means " + engine.NativeDefault()}
	cases := []struct {
		args   []string
		code   int
		stdout string // a part of stdout that tells which answer this is
	}{
		{[]string{"--version"}, ExitOK, "native compiler: CPython "},
		{[]string{"--vers", "pkg"}, ExitOK, "native compiler: CPython "},
		{[]string{"--version", "--python", "/nonexistent/python3", "-o", "2", "pkg"}, ExitOK, "native compiler: CPython "},
		{[]string{"--version", "--help"}, ExitOK, "usage: pyc [options] PATH..."},
		{[]string{"--version", "--bogus"}, ExitUsage, ""},
	}
	dir := t.TempDir()
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := Main(context.Background(), c.args, nil, &stdout, &stderr, nil)
			bin := runBare(t, dir, c.args)
			for _, r := range []bareRun{{stdout.String(), stderr.String(), code}, bin} {
				if r.code != c.code || !strings.Contains(r.stdout, c.stdout) {
					t.Fatalf("exit %d, stdout %q, stderr %q; want exit %d and %q in stdout", r.code, r.stdout, r.stderr, c.code, c.stdout)
				}
				if c.code == ExitUsage {
					if r.stdout != "" || !strings.Contains(r.stderr, "unrecognized option: --bogus") {
						t.Errorf("stdout %q, stderr %q; want the usage error alone", r.stdout, r.stderr)
					}
					continue
				}
				if r.stderr != "" {
					t.Errorf("stderr %q, want nothing", r.stderr)
				}
				if c.stdout == "native compiler: CPython " {
					for _, w := range want {
						if !strings.Contains(r.stdout, w) {
							t.Errorf("stdout %q lacks %q", r.stdout, w)
						}
					}
				}
			}
			// The go command may record a commit in the built binary
			// (never in a test binary): the rest must be the same.
			if b := buildStamp.ReplaceAllString(bin.stdout, ""); b != stdout.String() {
				t.Errorf("the binary printed %q, Main %q", bin.stdout, stdout.String())
			}
		})
	}
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 0 {
		t.Errorf("the directory holds %d entries (%v), want none", len(entries), err)
	}
}

// buildStamp is the commit versionText adds when the binary records one.
var buildStamp = regexp.MustCompile(`, commit [0-9a-f]{12}(\+modified)?`)

// TestVersionMatchesModule: the release --version prints is the one
// MODULE.bazel's module() states.
func TestVersionMatchesModule(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "MODULE.bazel"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?s)\bmodule\(.*?\bversion = "([^"]*)"`).FindSubmatch(data)
	if m == nil {
		t.Fatal("MODULE.bazel states no module version")
	}
	if string(m[1]) != Version {
		t.Errorf("MODULE.bazel's version is %q, cli.Version %q: change both together", m[1], Version)
	}
}
