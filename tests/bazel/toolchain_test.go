package bazel

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// hostConstraints are the constraint values rules_pyc gives the toolchain of
// an interpreter found on this machine.
func hostConstraints(t *testing.T) []string {
	t.Helper()
	os := map[string]string{"linux": "@platforms//os:linux", "darwin": "@platforms//os:osx"}[runtime.GOOS]
	cpu := map[string]string{"amd64": "@platforms//cpu:x86_64", "arm64": "@platforms//cpu:aarch64"}[runtime.GOARCH]
	if os == "" || cpu == "" {
		t.Skipf("no expectation for %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	return []string{os, cpu}
}

// TestToolchainConstraints checks the constraints of the system-interpreter
// toolchains: by default this machine's OS and CPU, for exec and target
// platforms alike, so a build for another platform gets no such toolchain;
// a tag's own target_compatible_with replaces the default.
func TestToolchainConstraints(t *testing.T) {
	py := pickPython(t)
	c := corpus(t, bzlmod, py)
	host := hostConstraints(t)

	out := c.mustBazel("cquery", "--output=build", "@@rules_pyc~~pyc~pyc_toolchains//:all").stdout
	for _, attr := range []string{"exec_compatible_with", "target_compatible_with"} {
		want := attr + ` = ["` + strings.Join(host, `", "`) + `"]`
		if n := strings.Count(out, want); n < 2 {
			t.Errorf("%d toolchains with %s, want at least 2 (corpus_python, rules_pyc's default):\n%s", n, want, out)
		}
	}
	if !strings.Contains(out, `target_compatible_with = ["@platforms//os:windows"]`) {
		t.Errorf("corpus_python_windows lacks its own target_compatible_with:\n%s", out)
	}

	dir := filepath.Join(c.dir, "platforms")
	t.Cleanup(func() { os.RemoveAll(dir) })
	writeFiles(t, dir, map[string]string{"BUILD.bazel": `platform(
    name = "windows",
    constraint_values = ["@platforms//os:windows", "@platforms//cpu:x86_64"],
)

platform(
    name = "freebsd",
    constraint_values = ["@platforms//os:freebsd", "@platforms//cpu:x86_64"],
)
`})

	t.Run("no toolchain for another platform", func(t *testing.T) {
		r := c.bazel("build", "--platforms=//platforms:freebsd", "//corpus:checked_o0")
		if r.err == nil {
			t.Fatal("a build for FreeBSD found a pyc toolchain")
		}
		if want := "no pyc toolchain is registered for this platform"; !strings.Contains(r.stderr, want) {
			t.Errorf("the error lacks %q:\n%s", want, tail(r.stderr, 15))
		}
	})

	t.Run("a tag's own target constraints", func(t *testing.T) {
		c.mustBazel("build", "--platforms=//platforms:windows", "//corpus:checked_o0")
		out := c.mustBazel("aquery", "--platforms=//platforms:windows", "--include_param_files",
			"mnemonic(PycCompile, //corpus:checked_o0)").stdout
		if !strings.Contains(out, "corpus_python_windows/bin/python3") {
			t.Errorf("the Windows target's PycCompile does not use corpus_python_windows:\n%s", tail(out, 30))
		}
	})
}
