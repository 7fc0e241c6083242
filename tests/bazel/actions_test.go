package bazel

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestWorkerMultiplexProto checks, from Bazel's execution log and the worker
// logs under the output base, that PycCompile ran in pyc's persistent worker,
// as a multiplex worker, speaking proto.
func TestWorkerMultiplexProto(t *testing.T) {
	c := corpus(t, bzlmod, pickPython(t))
	// Start from no worker and no worker log: shutdown stops the workers too.
	c.mustBazel("clean")
	if err := c.shutdown(); err != nil {
		t.Fatal(err)
	}
	workers := filepath.Join(c.info("output_base"), "bazel-workers")
	if err := os.RemoveAll(workers); err != nil {
		t.Fatal(err)
	}
	// --worker_verbose makes Bazel send verbosity 10: pyc logs each request.
	spawns := c.build(t, "--strategy=PycCompile=worker", "--worker_multiplex", "--worker_verbose")
	if len(spawns) != len(variants) {
		t.Fatalf("%d PycCompile actions ran, want %d (one per target)", len(spawns), len(variants))
	}
	for _, s := range spawns {
		if s.Runner != "worker" {
			t.Errorf("%s: PycCompile ran with runner %q, want worker", s.TargetLabel, s.Runner)
		}
		// pyc refuses any other protocol when started with this flag, so a
		// successful worker action proves Bazel spoke proto.
		if !contains(s.CommandArgs, "--worker_protocol=proto") {
			t.Errorf("%s: worker started with %q, want --worker_protocol=proto", s.TargetLabel, s.CommandArgs)
		}
		if last := s.CommandArgs[len(s.CommandArgs)-1]; !strings.HasPrefix(last, "@") {
			t.Errorf("%s: last argument %q, want the @paramfile", s.TargetLabel, last)
		}
	}

	multiplex, _ := filepath.Glob(filepath.Join(workers, "multiplex-worker-*-PycCompile.log"))
	singleplex, _ := filepath.Glob(filepath.Join(workers, "worker-*-PycCompile.log"))
	if len(multiplex) == 0 || len(singleplex) != 0 {
		t.Fatalf("worker logs in %s: multiplex %q, singleplex %q; want multiplex ones only", workers, multiplex, singleplex)
	}
	// Multiplex requests carry non-zero ids: one request per target.
	request := regexp.MustCompile(`request (\d+): arguments .*"--src_name" "corpus/`)
	requests := 0
	for _, log := range multiplex {
		b, err := os.ReadFile(log)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range request.FindAllStringSubmatch(string(b), -1) {
			requests++
			if m[1] == "0" {
				t.Errorf("%s: a singleplex request (id 0): %s", log, m[0])
			}
		}
	}
	if requests != len(variants) {
		t.Errorf("%d PycCompile requests in the worker logs %q, want %d", requests, multiplex, len(variants))
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestStrategiesIdentical builds the corpus with the worker, sandboxed and
// standalone strategies and compares the bytes.
func TestStrategiesIdentical(t *testing.T) {
	c := corpus(t, bzlmod, pickPython(t))
	runners := map[string][]string{
		"worker":    {"worker"},
		"sandboxed": {"linux-sandbox", "processwrapper-sandbox"},
		"local":     {"local"},
	}
	var first map[string][]byte
	for _, strategy := range []string{"worker", "sandboxed", "local"} {
		c.mustBazel("clean")
		spawns := c.build(t, "--strategy=PycCompile="+strategy)
		if len(spawns) != len(variants) {
			t.Errorf("%s: %d PycCompile actions, want %d", strategy, len(spawns), len(variants))
		}
		for _, s := range spawns {
			if !contains(runners[strategy], s.Runner) {
				t.Errorf("%s: %s ran with runner %q, want one of %q", strategy, s.TargetLabel, s.Runner, runners[strategy])
			}
		}
		got := c.outputs(t, filepath.Join(c.dir, "bazel-bin"))
		if first == nil {
			first = got
			continue
		}
		for name, b := range got {
			if !bytes.Equal(b, first[name]) {
				t.Errorf("%s: %s differs from the worker's: %s", strategy, name, firstDiff(b, first[name]))
			}
		}
	}
}

// TestIncrementalAndNullBuild edits one source: only its .pyc files change.
// Then a build with nothing changed runs no action at all.
func TestIncrementalAndNullBuild(t *testing.T) {
	c := corpus(t, bzlmod, pickPython(t))
	c.build(t)
	bin := filepath.Join(c.dir, "bazel-bin")
	before := c.outputs(t, bin)

	edited := filepath.Join(c.dir, "corpus", "docs.py")
	original, err := os.ReadFile(edited)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.WriteFile(edited, original, 0o644) })
	if err := os.WriteFile(edited, append(append([]byte(nil), original...), "\nEDITED = True\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	if spawns := c.build(t); len(spawns) != len(variants) {
		t.Errorf("after the edit %d PycCompile actions ran, want %d (every target lists docs.py)", len(spawns), len(variants))
	}
	after := c.outputs(t, bin)
	for name, b := range after {
		changed := !bytes.Equal(b, before[name])
		ofEdited := strings.Contains(name, string(filepath.Separator)+"docs.")
		if changed != ofEdited {
			t.Errorf("%s: changed = %v after editing docs.py", name, changed)
		}
	}

	log := filepath.Join(t.TempDir(), "null.json")
	c.mustBazel("build", "--execution_log_json_file="+log, "//corpus/...")
	if spawns := readExecLog(t, log); len(spawns) != 0 {
		t.Errorf("a build with nothing changed ran %d actions, the first %s of %s", len(spawns), spawns[0].Mnemonic, spawns[0].TargetLabel)
	}
}

// TestSyntaxError checks that a source that does not compile fails the build
// with the message py_compile gives for it: file, line, caret.
func TestSyntaxError(t *testing.T) {
	py := pickPython(t)
	c := corpus(t, bzlmod, py)
	broken := filepath.Join(c.dir, "broken")
	t.Cleanup(func() { os.RemoveAll(broken) })
	writeFiles(t, broken, map[string]string{
		"BUILD.bazel": "load(\"@rules_pyc//rules:defs.bzl\", \"py_library\")\n\npy_library(\n    name = \"bad\",\n    srcs = [\"bad.py\"],\n)\n",
		"bad.py":      "def ok():\n    return 1\n\n\ndef broken(:\n    pass\n",
	})

	cmd := exec.Command(py.Path, "-S", "-s", "-c", `import py_compile, sys
try:
    py_compile.compile("broken/bad.py", cfile=sys.argv[1], dfile="broken/bad.py", doraise=True)
except py_compile.PyCompileError as e:
    sys.stdout.write(e.msg)
`, filepath.Join(t.TempDir(), "bad.pyc"))
	cmd.Dir = c.dir
	cmd.Env = []string{"PYTHONHASHSEED=0"}
	want, err := cmd.Output()
	if err != nil || len(want) == 0 {
		t.Fatalf("py_compile on broken/bad.py: %v, message %q", err, want)
	}

	r := c.bazel("build", "//broken:bad")
	if r.err == nil {
		t.Fatal("building a source with a syntax error succeeded")
	}
	for _, line := range strings.Split(string(want), "\n") {
		if strings.TrimSpace(line) != "" && !strings.Contains(r.stderr, line) {
			t.Errorf("Bazel's output lacks py_compile's line %q\npy_compile says:\n%s\nBazel says:\n%s", line, want, tail(r.stderr, 25))
		}
	}
	t.Logf("the message:\n%s", tail(r.stderr, 10))
}

// TestWarningsShown checks that the warnings CPython prints while compiling
// a source reach Bazel's output with the action, under the worker strategy
// (in the worker's response) as under the local one (on the action's
// stderr): the lines py_compile prints for the source, each of them.
func TestWarningsShown(t *testing.T) {
	py := pickPython(t)
	c := corpus(t, bzlmod, py)
	for _, strategy := range []string{"worker", "local"} {
		pkg := "warn_" + strategy
		dir := filepath.Join(c.dir, pkg)
		t.Cleanup(func() { os.RemoveAll(dir) })
		writeFiles(t, dir, map[string]string{
			"BUILD.bazel": "load(\"@rules_pyc//rules:defs.bzl\", \"py_library\")\n\npy_library(\n    name = \"w\",\n    srcs = [\"w.py\"],\n)\n",
			"w.py":        "x = 1\nif x is 1:\n    pass\n",
		})
		cmd := exec.Command(py.Path, "-S", "-s", "-c", "import py_compile, sys\npy_compile.compile(sys.argv[1], cfile=sys.argv[2], dfile=sys.argv[1], doraise=True)\n",
			pkg+"/w.py", filepath.Join(t.TempDir(), "w.pyc"))
		cmd.Dir = c.dir
		cmd.Env = []string{"PYTHONHASHSEED=0"}
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil || !strings.Contains(stderr.String(), "SyntaxWarning") {
			t.Fatalf("py_compile on %s/w.py: %v, stderr %q; want a SyntaxWarning", pkg, err, stderr.String())
		}
		r := c.bazel("build", "--strategy=PycCompile="+strategy, "//"+pkg+":w")
		if r.err != nil {
			t.Fatalf("%s: the build failed: %v\n%s", strategy, r.err, tail(r.stderr, 25))
		}
		for _, line := range strings.Split(stderr.String(), "\n") {
			if strings.TrimSpace(line) != "" && !strings.Contains(r.stderr, line) {
				t.Errorf("%s: Bazel's output lacks py_compile's line %q\npy_compile says:\n%s\nBazel says:\n%s", strategy, line, stderr.String(), tail(r.stderr, 25))
			}
		}
		t.Logf("%s:\n%s", strategy, tail(r.stderr, 12))
	}
}

// TestInterpreterErrors checks the messages for an interpreter that does not
// exist and for one whose version is not the toolchain's.
func TestInterpreterErrors(t *testing.T) {
	py := pickPython(t)
	c := corpus(t, bzlmod, py)

	t.Run("missing", func(t *testing.T) {
		missing := filepath.Join(t.TempDir(), "no", "python3")
		r := c.bazel("build", "--repo_env=PYC_PYTHON="+missing, "//corpus:checked_o0")
		if r.err == nil {
			t.Fatal("a build with a missing interpreter succeeded")
		}
		for _, want := range []string{missing + " (PYC_PYTHON=" + missing + ") does not exist", "--repo_env=PYC_PYTHON="} {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("the error lacks %q:\n%s", want, tail(r.stderr, 20))
			}
		}
	})

	t.Run("mismatched", func(t *testing.T) {
		stated := "3.9"
		if py.Major == 3 && py.Minor == 9 {
			stated = "3.10"
		}
		checkMismatch(t, c, stated)
	})
}

// checkMismatch builds the corpus with a toolchain that states version
// stated for the corpus's interpreter, which is another: the PycCompile
// action must fail with a message naming both versions.
func checkMismatch(t *testing.T, c *corpusWorkspace, stated string) {
	t.Helper()
	dir := filepath.Join(c.dir, "mismatch")
	t.Cleanup(func() { os.RemoveAll(dir) })
	writeFiles(t, dir, map[string]string{"BUILD.bazel": fmt.Sprintf(`load("@rules_pyc//rules:defs.bzl", "pyc_toolchain")

pyc_toolchain(
    name = "wrong",
    interpreter = "@corpus_python//:bin/python3",
    python_version = %q,
)

toolchain(
    name = "toolchain",
    toolchain = ":wrong",
    toolchain_type = "@rules_pyc//rules:toolchain_type",
)
`, stated)})
	r := c.bazel("build", "--extra_toolchains=//mismatch:toolchain", "//corpus:checked_o0")
	if r.err == nil {
		t.Fatalf("a build whose interpreter (%s) is not the stated version %s succeeded", c.py, stated)
	}
	for _, want := range []string{"PycCompile", "is CPython " + c.py.Version, "Python " + stated + " was requested"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("the error lacks %q:\n%s", want, tail(r.stderr, 20))
		}
	}
	t.Logf("the message:\n%s", tail(r.stderr, 8))
}
