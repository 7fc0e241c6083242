package bazel

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rules-pyc/rules_pyc/internal/pyref"
)

// precompilerLibrary is one target of the rules_python stand-in
// (testdata/precompiler/rules_python_precompile.bzl), in a package of its own
// so that its outputs never collide with another's, as rules_python's
// outputs would for the same source at two optimize levels.
type precompilerLibrary struct {
	pkg         string // below precompiler/
	mode        pyref.Mode
	opt         int
	omit        bool
	precompiler string // the pyc_precompiler target that compiles it
}

var precompilerLibraries = []precompilerLibrary{
	// pyc from the compiler label flag (@rules_pyc//:pyc) and the
	// interpreter as a file: both in external repositories.
	{"checked_o0", pyref.CheckedHash, 0, false, "//precompiler:precompiler"},
	// pyc from the main repository and the interpreter through a py_runtime.
	{"unchecked_o2", pyref.UncheckedHash, 2, false, "//precompiler:precompiler_local"},
	{"checked_o1_omit", pyref.CheckedHash, 1, true, "//precompiler:precompiler"},
}

// attr returns the invalidation_mode value rules_python passes.
func (l precompilerLibrary) attr() string { return strings.ToLower(string(l.mode)) }

// output returns where rules_python declares the pyc of rel (a path below
// the library's package), relative to bazel-bin.
func (l precompilerLibrary) output(rel, cacheTag string) string {
	dir, base := filepath.Split(rel)
	stem := strings.TrimSuffix(base, ".py")
	if l.omit {
		return filepath.Join("precompiler", l.pkg, dir, stem+".pyc")
	}
	return filepath.Join("precompiler", l.pkg, dir, "__pycache__", stem+"."+cacheTag+".pyc")
}

// precompilerWorkspace adds the package precompiler/ to the corpus
// workspace: two pyc_precompiler targets and the stand-in's libraries over
// the hand-written sources and a few standard library modules. It returns
// the sources, relative to each library's package.
func precompilerWorkspace(t *testing.T, c *corpusWorkspace) []string {
	t.Helper()
	dir := filepath.Join(c.dir, "precompiler")
	t.Cleanup(func() { os.RemoveAll(dir) })
	stand, err := os.ReadFile(filepath.Join(env.repo, "tests", "bazel", "testdata", "precompiler", "rules_python_precompile.bzl"))
	if err != nil {
		t.Fatal(err)
	}
	writeFiles(t, dir, map[string]string{
		"rules_python_precompile.bzl": string(stand),
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

	files := map[string]string{}
	for name, content := range handWritten {
		files[name] = content
	}
	sample := stdlibSample(t, c.py)
	for _, std := range sample[:min(len(sample), 8)] {
		b, err := os.ReadFile(std)
		if err != nil {
			t.Fatal(err)
		}
		files[filepath.Join("std", filepath.Base(std))] = string(b)
	}
	for _, l := range precompilerLibraries {
		pkg := map[string]string{"BUILD.bazel": fmt.Sprintf(`load("//precompiler:rules_python_precompile.bzl", "py_compile_library")

py_compile_library(
    name = "lib",
    srcs = glob(["**/*.py"]),
    invalidation_mode = %q,
    omit_source = %s,
    optimize = %d,
    precompiler = %q,
    pyc_tag = %q,
    python_version = "%d.%d",
)
`, l.attr(), map[bool]string{true: "True", false: "False"}[l.omit], l.opt, l.precompiler, c.py.CacheTag, c.py.Major, c.py.Minor)}
		for name, content := range files {
			pkg[name] = content
		}
		writeFiles(t, filepath.Join(dir, l.pkg), pkg)
	}
	return sortedKeys(files)
}

// TestRulesPythonPrecompiler builds rules_python-style PyCompile actions
// whose precompiler is a pyc_precompiler, with each strategy, and compares
// every pyc with py_compile's in a fresh process.
func TestRulesPythonPrecompiler(t *testing.T) {
	py := pickPython(t)
	c := corpus(t, bzlmod, py)
	srcs := precompilerWorkspace(t, c)
	want := precompilerReference(t, c, srcs)

	t.Run("execution requirements", func(t *testing.T) {
		checkPyCompileRequirements(t, c, len(srcs)*len(precompilerLibraries))
	})

	strategies := []struct {
		name    string
		flags   []string
		runners []string
	}{
		// The wrapper starts pyc with --worker_protocol=json, and pyc refuses
		// any other protocol then: a successful worker build proves Bazel
		// spoke JSON, as the execution requirements ask.
		{"worker", []string{"--strategy=PyCompile=worker"}, []string{"worker", "multiplex-worker"}},
		{"worker multiplex sandboxed", []string{"--strategy=PyCompile=worker", "--experimental_worker_multiplex_sandboxing"}, []string{"worker", "multiplex-worker"}},
		{"worker sandboxed", []string{"--strategy=PyCompile=worker", "--worker_sandboxing"}, []string{"worker", "multiplex-worker"}},
		{"sandboxed", []string{"--strategy=PyCompile=sandboxed"}, []string{"linux-sandbox", "processwrapper-sandbox"}},
		{"standalone", []string{"--strategy=PyCompile=standalone"}, []string{"local"}},
	}
	for _, s := range strategies {
		t.Run(s.name, func(t *testing.T) {
			c.mustBazel("clean")
			log := filepath.Join(t.TempDir(), "exec.json")
			c.mustBazel("build", append(append([]string{"--execution_log_json_file=" + log}, s.flags...), "//precompiler/...")...)
			spawns := withMnemonic(readExecLog(t, log), "PyCompile")
			if n := len(srcs) * len(precompilerLibraries); len(spawns) != n {
				t.Errorf("%d PyCompile actions ran, want %d (one per source)", len(spawns), n)
			}
			runners := map[string]int{}
			for _, sp := range spawns {
				runners[sp.Runner]++
				if !contains(s.runners, sp.Runner) {
					t.Errorf("%s: PyCompile ran with runner %q, want one of %q", sp.TargetLabel, sp.Runner, s.runners)
				}
				_, tool, _ := strings.Cut(precompilerOf(sp.TargetLabel), ":")
				if len(sp.CommandArgs) != 2 || filepath.Base(sp.CommandArgs[0]) != tool || !strings.HasPrefix(sp.CommandArgs[1], "@") {
					t.Errorf("%s: command line %q, want the precompiler and one @paramfile", sp.TargetLabel, sp.CommandArgs)
				}
			}
			t.Logf("PyCompile runners: %v", runners)
			checkPrecompilerBytes(t, c, srcs, want)
		})
	}
}

// precompilerOf returns the pyc_precompiler target of the library label.
func precompilerOf(label string) string {
	for _, l := range precompilerLibraries {
		if strings.Contains(label, "precompiler/"+l.pkg+":") {
			return l.precompiler
		}
	}
	return ""
}

// precompilerReference compiles every source of every library with
// py_compile in a fresh process, keyed by the output path below bazel-bin.
func precompilerReference(t *testing.T, c *corpusWorkspace, srcs []string) map[string][]byte {
	t.Helper()
	var specs []pyref.Spec
	var outs []string
	for _, l := range precompilerLibraries {
		for _, src := range srcs {
			rel := filepath.ToSlash(filepath.Join("precompiler", l.pkg, src))
			specs = append(specs, pyref.Spec{
				Source:   filepath.Join(c.dir, rel),
				DFile:    rel, // rules_python's --src_name: the short_path
				Optimize: l.opt,
				Mode:     l.mode,
			})
			outs = append(outs, l.output(src, c.py.CacheTag))
		}
	}
	results, err := pyref.CompileAll(c.py.Path, specs, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]byte{}
	for i, r := range results {
		if r.Error != "" {
			t.Fatalf("py_compile refused %s: %s", specs[i].Source, r.Error)
		}
		want[outs[i]] = r.Data
	}
	return want
}

// checkPrecompilerBytes compares what Bazel wrote with py_compile's.
func checkPrecompilerBytes(t *testing.T, c *corpusWorkspace, srcs []string, want map[string][]byte) {
	t.Helper()
	bin := filepath.Join(c.dir, "bazel-bin")
	bad := 0
	for _, out := range sortedKeys(want) {
		got, err := os.ReadFile(filepath.Join(bin, out))
		if err != nil {
			t.Errorf("%s: %v", out, err)
			bad++
			continue
		}
		if !bytes.Equal(got, want[out]) {
			t.Errorf("%s differs from py_compile's: %s", out, firstDiff(got, want[out]))
			bad++
		}
	}
	if bad == 0 {
		t.Logf("%s: %d files x %d libraries identical to py_compile", c.py, len(srcs), len(precompilerLibraries))
	}
}

// checkPyCompileRequirements asks Bazel (aquery) for the execution
// requirements of the PyCompile actions: the ones pyc_precompiler's
// testing.ExecutionInfo holds, as rules_python's own precompiler's.
func checkPyCompileRequirements(t *testing.T, c *corpusWorkspace, n int) {
	t.Helper()
	out := c.mustBazel("aquery", "--output=jsonproto", "mnemonic(PyCompile, //precompiler/...)").stdout
	var graph struct {
		Actions []struct {
			Mnemonic      string `json:"mnemonic"`
			ExecutionInfo []struct {
				Key   string `json:"key"`
				Value string `json:"value"`
			} `json:"executionInfo"`
		} `json:"actions"`
	}
	if err := json.Unmarshal([]byte(out), &graph); err != nil {
		t.Fatalf("aquery output: %v", err)
	}
	if len(graph.Actions) != n {
		t.Fatalf("aquery found %d PyCompile actions, want %d", len(graph.Actions), n)
	}
	want := map[string]string{
		"supports-workers":              "1",
		"requires-worker-protocol":      "json",
		"supports-multiplex-workers":    "1",
		"supports-multiplex-sandboxing": "1",
		"supports-worker-cancellation":  "1",
	}
	wrong := map[string]bool{} // one message per distinct set
	for _, a := range graph.Actions {
		got := map[string]string{}
		for _, kv := range a.ExecutionInfo {
			got[kv.Key] = kv.Value
		}
		for k, v := range want {
			if got[k] != v {
				wrong[fmt.Sprintf("%v", got)] = true
			}
		}
	}
	for _, got := range sortedKeys(wrong) {
		t.Errorf("PyCompile execution requirements %s, want %v", got, want)
	}
}

// TestRulesPythonPrecompilerSyntaxError: a source that does not compile
// fails the build with py_compile's own message.
func TestRulesPythonPrecompilerSyntaxError(t *testing.T) {
	py := pickPython(t)
	c := corpus(t, bzlmod, py)
	precompilerWorkspace(t, c)
	broken := filepath.Join(c.dir, "precompiler", "broken")
	writeFiles(t, broken, map[string]string{
		"BUILD.bazel": fmt.Sprintf(`load("//precompiler:rules_python_precompile.bzl", "py_compile_library")

py_compile_library(
    name = "bad",
    srcs = ["bad.py"],
    precompiler = "//precompiler:precompiler",
    pyc_tag = %q,
    python_version = "%d.%d",
)
`, py.CacheTag, py.Major, py.Minor),
		"bad.py": "def ok():\n    return 1\n\n\ndef broken(:\n    pass\n",
	})
	ref, err := pyref.Compile(py.Path, pyref.Spec{
		Source: filepath.Join(broken, "bad.py"),
		DFile:  "precompiler/broken/bad.py",
		Mode:   pyref.CheckedHash,
	}, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if ref.Error == "" {
		t.Fatal("py_compile compiled bad.py")
	}
	for _, strategy := range []string{"worker", "sandboxed"} {
		t.Run(strategy, func(t *testing.T) {
			r := c.bazel("build", "--strategy=PyCompile="+strategy, "//precompiler/broken:bad")
			if r.err == nil {
				t.Fatal("building a source with a syntax error succeeded")
			}
			for _, line := range strings.Split(ref.Error, "\n") {
				if strings.TrimSpace(line) != "" && !strings.Contains(r.stderr, line) {
					t.Errorf("Bazel's output lacks py_compile's line %q\npy_compile says:\n%s\nBazel says:\n%s", line, ref.Error, tail(r.stderr, 25))
				}
			}
		})
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
