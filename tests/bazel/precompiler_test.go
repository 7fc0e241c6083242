package bazel

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rules-pyc/rules_pyc/internal/pyref"
)

// precompilerWorkspace adds the package precompiler/ to the corpus
// workspace: two pyc_precompiler targets, one with the compiler from the
// label flag and the interpreter as a file (both in external repositories),
// one with pyc from the main repository and the interpreter through a
// py_runtime. (rules_python drives them for real in rulespython_test.go.)
func precompilerWorkspace(t *testing.T, c *corpusWorkspace) {
	t.Helper()
	dir := filepath.Join(c.dir, "precompiler")
	t.Cleanup(func() { os.RemoveAll(dir) })
	writeFiles(t, dir, map[string]string{
		"BUILD.bazel": `load("@rules_pyc//rules:defs.bzl", "pyc_precompiler")

pyc_precompiler(
    name = "precompiler",
    interpreter = "@corpus_python//:bin/python3",
    visibility = ["//visibility:public"],
)

py_runtime(
    name = "runtime",
    interpreter = "@corpus_python//:bin/python3",
    python_version = "PY3",
)

pyc_precompiler(
    name = "precompiler_local",
    compiler = ":pyc",
    interpreter = ":runtime",
    python_version = "` + fmt.Sprintf("%d.%d", c.py.Major, c.py.Minor) + `",
    visibility = ["//visibility:public"],
)
`,
	})
	if err := copyFile(env.pyc, filepath.Join(dir, "pyc")); err != nil {
		t.Fatal(err)
	}
}

// TestPrecompilerRunfiles runs the pyc_precompiler executable outside Bazel:
// from its own runfiles tree, from a copy that finds them through
// RUNFILES_DIR or RUNFILES_MANIFEST_FILE, and with no runfiles at all.
func TestPrecompilerRunfiles(t *testing.T) {
	py := pickPython(t)
	c := corpus(t, bzlmod, py)
	precompilerWorkspace(t, c)
	c.mustBazel("build", "//precompiler:precompiler", "//precompiler:precompiler_local")
	bin := filepath.Join(c.dir, "bazel-bin", "precompiler")

	src := filepath.Join(t.TempDir(), "mod.py")
	if err := os.WriteFile(src, []byte(handWritten["sets.py"]), 0o644); err != nil {
		t.Fatal(err)
	}
	ref, err := pyref.Compile(py.Path, pyref.Spec{Source: src, DFile: "pkg/mod.py", Mode: pyref.UncheckedHash}, t.TempDir())
	if err != nil || ref.Error != "" {
		t.Fatalf("py_compile: %v %s", err, ref.Error)
	}

	elsewhere := t.TempDir()
	for _, name := range []string{"precompiler", "precompiler_local"} {
		if err := copyFile(filepath.Join(bin, name), filepath.Join(elsewhere, name)); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name    string
		exe     string
		env     []string
		failure string // a part of the message, when it must fail
	}{
		{"own runfiles", filepath.Join(bin, "precompiler"), nil, ""},
		{"own runfiles, main repository pyc, py_runtime", filepath.Join(bin, "precompiler_local"), nil, ""},
		{"RUNFILES_DIR", filepath.Join(elsewhere, "precompiler"), []string{"RUNFILES_DIR=" + filepath.Join(bin, "precompiler.runfiles")}, ""},
		{"RUNFILES_MANIFEST_FILE", filepath.Join(elsewhere, "precompiler_local"), []string{"RUNFILES_MANIFEST_FILE=" + filepath.Join(bin, "precompiler_local.runfiles_manifest")}, ""},
		{"no runfiles", filepath.Join(elsewhere, "precompiler"), nil, "cannot find the runfiles"},
		{"wrong runfiles", filepath.Join(elsewhere, "precompiler"), []string{"RUNFILES_DIR=" + elsewhere}, "is not an executable file"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "mod.pyc")
			cmd := exec.Command(tc.exe, "--invalidation_mode", "unchecked_hash", "--src", src, "--src_name", "pkg/mod.py", "--pyc", out, "--optimize", "0")
			cmd.Env = append(cleanRunfilesEnv(), tc.env...)
			cmd.Dir = t.TempDir()
			msg, err := cmd.CombinedOutput()
			if tc.failure != "" {
				if err == nil || !strings.Contains(string(msg), tc.failure) {
					t.Fatalf("%v, output %q; want a failure saying %q", err, msg, tc.failure)
				}
				return
			}
			if err != nil {
				t.Fatalf("%v\n%s", err, msg)
			}
			got, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, ref.Data) {
				t.Errorf("the pyc differs from py_compile's: %s", firstDiff(got, ref.Data))
			}
		})
	}
}

// cleanRunfilesEnv is the test's environment without the variables that
// point at a runfiles tree.
func cleanRunfilesEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch name {
		case "RUNFILES_DIR", "RUNFILES_MANIFEST_FILE", "TEST_SRCDIR", "JAVA_RUNFILES":
			continue
		}
		env = append(env, kv)
	}
	return env
}
