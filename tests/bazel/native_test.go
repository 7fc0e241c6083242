package bazel

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/native"
	"github.com/rules-pyc/rules_pyc/compiler/release"
	"github.com/rules-pyc/rules_pyc/internal/pyref"
	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

// TestNativeReleases holds the releases rules/private/toolchain.bzl compiles
// natively (NATIVE_MINOR, NATIVE_MICROS) to those pyc's native compiler
// accepts: a release the rules think native but pyc refuses would fail every
// build, and one pyc covers but the rules do not would start an interpreter
// for nothing.
func TestNativeReleases(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(env.repo, "rules", "private", "toolchain.bzl"))
	if err != nil {
		t.Fatal(err)
	}
	minor := regexp.MustCompile(`(?m)^NATIVE_MINOR = "(\d+)\.(\d+)"$`).FindSubmatch(b)
	micros := regexp.MustCompile(`(?m)^NATIVE_MICROS = \[([\d, ]+)\]$`).FindSubmatch(b)
	if minor == nil || micros == nil {
		t.Fatal("rules/private/toolchain.bzl lacks NATIVE_MINOR or NATIVE_MICROS")
	}
	major, _ := strconv.Atoi(string(minor[1]))
	minorN, _ := strconv.Atoi(string(minor[2]))
	rules := map[int]bool{}
	for _, m := range strings.Split(string(micros[1]), ",") {
		n, err := strconv.Atoi(strings.TrimSpace(m))
		if err != nil {
			t.Fatalf("NATIVE_MICROS: %v", err)
		}
		rules[n] = true
	}
	for micro := 0; micro <= 40; micro++ {
		rel := release.Release{Major: major, Minor: minorN, Micro: micro}
		if pyc := native.Check(rel) == nil; pyc != rules[micro] {
			t.Errorf("%s: pyc's native compiler covers it: %v; rules/private/toolchain.bzl: %v", rel, pyc, rules[micro])
		}
	}
	for _, other := range []release.Release{{Major: 3, Minor: 12, Micro: 1}, {Major: 3, Minor: 14, Micro: 0}} {
		if native.Check(other) == nil {
			t.Errorf("pyc covers %s natively: the rules compile only %d.%d natively", other, major, minorN)
		}
	}
}

// interpreters313 returns the CPython 3.13 interpreters Bazel can run here:
// the host's (pyenv's 3.13.0) and the sid chroot's (3.13.18), where Bazel
// runs.
func interpreters313(t *testing.T) []pythons.Interpreter {
	t.Helper()
	var out []pythons.Interpreter
	for _, py := range append(pythons.Find(t), chrooted(t)...) {
		if py.Major == 3 && py.Minor == 13 && !py.Embedded {
			out = append(out, py)
		}
	}
	if len(out) == 0 {
		if pythons.OnCI() {
			t.Fatal("no CPython 3.13 on the host or in the chroot")
		}
		t.Skip("no CPython 3.13 on the host or in the chroot")
	}
	return out
}

// checkNoInterpreter fails unless every PycCompile spawn compiled natively
// for py's exact release: its inputs hold nothing of the toolchain's
// interpreter repository, and its command line (the params file, as aquery
// shows it) says --backend auto --python_version X.Y.Z and no --python.
func checkNoInterpreter(t *testing.T, c *corpusWorkspace, spawns []spawn) {
	t.Helper()
	for _, s := range spawns {
		for _, in := range s.Inputs {
			if strings.Contains(in.Path, "corpus_python") || strings.HasSuffix(in.Path, "/python3") {
				t.Errorf("%s: PycCompile has the interpreter among its inputs: %s", s.TargetLabel, in.Path)
			}
		}
		if len(s.Inputs) == 0 {
			t.Errorf("%s: the execution log lists no inputs", s.TargetLabel)
		}
	}
	checkNativeCommand(t, c.workspace, "//corpus:checked_o0", "corpus_python", c.py.Version)
}

// checkNativeCommand fails unless target's PycCompile action, as aquery
// shows it, compiles natively for version: --backend auto --python_version
// version, no --python, nothing of the interpreter's repository repo.
func checkNativeCommand(t *testing.T, w *workspace, target, repo, version string, flags ...string) {
	t.Helper()
	args := append([]string{"--include_param_files"}, flags...)
	out := w.mustBazel("aquery", append(args, "mnemonic(PycCompile, "+target+")")...).stdout
	m := regexp.MustCompile(`(?s)Command Line: \((.*?)\)\n`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("aquery shows no command line:\n%s", tail(out, 30))
	}
	lines := strings.Fields(strings.NewReplacer("\\\n", " ", "'", "").Replace(m[1]))
	for i, l := range lines {
		if l == "--python" && i+1 < len(lines) {
			t.Errorf("the PycCompile command line names an interpreter: --python %s", lines[i+1])
		}
	}
	if strings.Contains(out, repo) {
		t.Errorf("the PycCompile action mentions the interpreter's repository:\n%s", tail(out, 30))
	}
	for _, want := range []string{"--backend auto", "--python_version " + version} {
		if !strings.Contains(strings.Join(lines, " "), want) {
			t.Errorf("the PycCompile command line lacks %q:\n%s", want, m[1])
		}
	}
}

// TestNativeStrategies builds the corpus for every CPython 3.13 here
// (3.13.0 and 3.13.18 differ in their bytecode) under the worker, sandboxed
// and standalone strategies: the toolchain records the interpreter's exact
// release, pyc compiles natively with no interpreter among the actions'
// inputs, and every .pyc is byte-identical to that release's py_compile in
// a fresh process.
func TestNativeStrategies(t *testing.T) {
	runners := map[string][]string{
		"worker":    {"worker"},
		"sandboxed": {"linux-sandbox", "processwrapper-sandbox"},
		"local":     {"local"},
	}
	for _, py := range interpreters313(t) {
		t.Run(interpreterName(py), func(t *testing.T) {
			c := corpus(t, bzlmod, py)
			want := c.references(t)
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
				checkNoInterpreter(t, c, spawns)
				got := c.outputs(t, filepath.Join(c.dir, "bazel-bin"))
				bad := 0
				for name, b := range want {
					if !bytes.Equal(got[name], b) {
						bad++
						t.Errorf("%s: %s differs from py_compile's: %s", strategy, name, firstDiff(got[name], b))
					}
				}
				if bad == 0 {
					t.Logf("%s, %s: %d .pyc files identical to py_compile's", py, strategy, len(want))
				}
			}
		})
	}
}

// otherRelease returns a release the native compiler covers whose bytecode
// differs from py's: 3.13.0's and 3.13.18's differ (comprehensions).
func otherRelease(py pythons.Interpreter) string {
	if py.Micro >= 5 {
		return "3.13.0"
	}
	return "3.13.18"
}

// TestRuntimeRelease checks that a binary whose .pyc files are for one 3.13
// release is not run by another (same magic number, other bytecode): the
// build refuses (the toolchain's PycRuntimeCheck validation), and the
// launcher refuses at run time when validations are off. With the
// interpreter's own release the binary runs and imports its modules from
// the .pyc files. A toolchain with no interpreter compiles libraries and
// refuses binaries.
func TestRuntimeRelease(t *testing.T) {
	py := interpreters313(t)[0]
	c := corpus(t, bzlmod, py)
	other := otherRelease(py)
	dir := filepath.Join(c.dir, "runtime")
	t.Cleanup(func() { os.RemoveAll(dir) })
	writeFiles(t, dir, map[string]string{
		"BUILD.bazel": fmt.Sprintf(`load("@rules_pyc//rules:defs.bzl", "py_binary", "py_library", "pyc_toolchain")

pyc_toolchain(
    name = "same",
    interpreter = "@corpus_python//:bin/python3",
    python_version = %[1]q,
)

pyc_toolchain(
    name = "other",
    interpreter = "@corpus_python//:bin/python3",
    python_version = %[2]q,
)

pyc_toolchain(
    name = "compile_only",
    python_version = "3.13.2",
)

[toolchain(
    name = name + "_toolchain",
    toolchain = ":" + name,
    toolchain_type = "@rules_pyc//rules:toolchain_type",
) for name in ["same", "other", "compile_only"]]

py_library(
    name = "lib",
    srcs = ["lib.py"],
)

py_binary(
    name = "bin",
    srcs = ["bin.py"],
    deps = [":lib"],
)
`, py.Version, other),
		"lib.py": "VALUE = [x * 2 for x in range(3)]\n",
		"bin.py": "import sys\nimport runtime.lib\n\nfor name in ('__main__', 'runtime.lib'):\n    m = sys.modules[name]\n    print('%s: %s %s' % (name, type(m.__loader__).__name__, m.__spec__.cached))\n",
	})

	t.Run("same release", func(t *testing.T) {
		out := c.mustBazel("run", "--extra_toolchains=//runtime:same_toolchain", "//runtime:bin").stdout
		for _, module := range []string{"__main__", "runtime.lib"} {
			got := loaders(t, out)[module]
			if got[0] != "SourceFileLoader" || !strings.HasSuffix(got[1], "."+py.CacheTag+".pyc") {
				t.Errorf("%s loaded by %v, want SourceFileLoader from a .pyc", module, got)
			} else if _, err := os.Stat(got[1]); err != nil {
				t.Errorf("%s: %v", module, err)
			}
		}
	})

	t.Run("other release refused at build", func(t *testing.T) {
		r := c.bazel("build", "--extra_toolchains=//runtime:other_toolchain", "//runtime:bin")
		if r.err == nil {
			t.Fatalf("a binary compiled for %s with a %s interpreter built", other, py.Version)
		}
		for _, want := range []string{"PycRuntimeCheck", "is CPython " + py.Version, "compiled for Python " + other} {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("the error lacks %q:\n%s", want, tail(r.stderr, 20))
			}
		}
		// The library alone builds: it has no runtime.
		c.mustBazel("build", "--extra_toolchains=//runtime:other_toolchain", "//runtime:lib")
	})

	t.Run("other release refused at run", func(t *testing.T) {
		r := c.bazel("run", "--norun_validations", "--extra_toolchains=//runtime:other_toolchain", "//runtime:bin")
		if r.err == nil {
			t.Fatalf("a binary compiled for %s ran with a %s interpreter:\n%s", other, py.Version, r.stdout)
		}
		want := "//runtime:bin: the .pyc files are compiled for CPython " + other + ", but its interpreter"
		if !strings.Contains(r.stderr, want) || !strings.Contains(r.stderr, "is CPython "+py.Version) {
			t.Errorf("the error lacks %q and the interpreter's release:\n%s", want, tail(r.stderr, 20))
		}
		if strings.Contains(r.stdout, "runtime.lib:") {
			t.Errorf("the binary ran its modules:\n%s", r.stdout)
		}
	})

	// A toolchain that states only X.Y: pyc asks the interpreter its exact
	// release and compiles natively for it. The interpreter refuses to start
	// pyc's compile server, so only a native compile succeeds, and lib.py's
	// comprehension tells the releases' bytecode apart.
	t.Run("X.Y toolchain takes the interpreter's release", func(t *testing.T) {
		calls := filepath.Join(t.TempDir(), "calls")
		writeGuardedPython(t, filepath.Join(dir, "guarded", "python3"), py.Path, calls)
		writeFiles(t, filepath.Join(dir, "guarded"), map[string]string{
			"BUILD.bazel": `load("@rules_pyc//rules:defs.bzl", "pyc_toolchain")

pyc_toolchain(
    name = "minor",
    interpreter = "python3",
    python_version = "3.13",
)

toolchain(
    name = "minor_toolchain",
    toolchain = ":minor",
    toolchain_type = "@rules_pyc//rules:toolchain_type",
)
`,
		})
		for _, strategy := range []string{"worker", "sandboxed"} {
			c.mustBazel("clean")
			c.mustBazel("build", "--extra_toolchains=//runtime/guarded:minor_toolchain", "--strategy=PycCompile="+strategy, "//runtime:lib")
			got, err := os.ReadFile(filepath.Join(c.dir, "bazel-bin", "runtime", "__pycache__", "lib."+py.CacheTag+".pyc"))
			if err != nil {
				t.Fatal(err)
			}
			if want := pyCompile(t, py, filepath.Join(dir, "lib.py"), "runtime/lib.py", 0, pyref.CheckedHash); !bytes.Equal(got, want) {
				t.Errorf("%s: runtime/lib.py differs from %s's py_compile: %s", strategy, py.Version, firstDiff(got, want))
			}
			n := guardedCalls(t, calls)
			if n["server"] != 0 {
				t.Errorf("%s: pyc asked the interpreter to start its compile server %d times", strategy, n["server"])
			}
			if strategy == "worker" && n["other"] == 0 {
				t.Errorf("%s: the guarded interpreter was never called: pyc did not ask it its release", strategy)
			}
		}
		out := c.mustBazel("run", "--extra_toolchains=//runtime/guarded:minor_toolchain", "//runtime:bin").stdout
		if got := loaders(t, out)["runtime.lib"]; got[0] != "SourceFileLoader" || !strings.HasSuffix(got[1], "."+py.CacheTag+".pyc") {
			t.Errorf("runtime.lib loaded by %v, want SourceFileLoader from a .pyc", got)
		}
	})

	t.Run("compile only", func(t *testing.T) {
		log := filepath.Join(t.TempDir(), "exec.json")
		c.mustBazel("build", "--execution_log_json_file="+log, "--extra_toolchains=//runtime:compile_only_toolchain", "//runtime:lib")
		spawns := withMnemonic(readExecLog(t, log), "PycCompile")
		if len(spawns) != 1 {
			t.Fatalf("%d PycCompile actions, want 1", len(spawns))
		}
		for _, in := range spawns[0].Inputs {
			// The source, the compiler and the params file: nothing else.
			if in.Path != "runtime/lib.py" && filepath.Base(in.Path) != "pyc" && !strings.HasSuffix(in.Path, ".params") {
				t.Errorf("an input of the compile-only toolchain's PycCompile: %s", in.Path)
			}
		}
		r := c.bazel("build", "--extra_toolchains=//runtime:compile_only_toolchain", "//runtime:bin")
		if r.err == nil {
			t.Fatal("a binary built with a toolchain that has no interpreter")
		}
		if want := "has no interpreter to run binaries and tests"; !strings.Contains(r.stderr, want) {
			t.Errorf("the error lacks %q:\n%s", want, tail(r.stderr, 20))
		}
	})
}

// TestSystemInterpreterRelease checks pyc.system_interpreter with a
// python_version: the interpreter found records its exact 3.13 release in
// the toolchain (PYC_PYTHON's, or the first python3.13 on PATH that runs
// when it is unset); a named interpreter of another release fails while
// fetching, naming both; a 3.13 release with no interpreter of it found
// makes a toolchain that only compiles.
func TestSystemInterpreterRelease(t *testing.T) {
	py := interpreters313(t)[0]
	var other pythons.Interpreter
	for _, p := range pythons.Find(t) {
		if p.Minor != 13 && !p.Embedded {
			other = p
		}
	}
	root := cloneA(t)
	dir := filepath.Join(env.tmp, "system-interpreter")
	writeFiles(t, dir, map[string]string{
		"MODULE.bazel": fmt.Sprintf(`module(name = "system_interpreter")

bazel_dep(name = "rules_pyc")
local_path_override(
    module_name = "rules_pyc",
    path = %q,
)

pyc = use_extension("@rules_pyc//rules:extensions.bzl", "pyc")
pyc.system_interpreter(name = "py313", python_version = "3.13")
pyc.system_interpreter(name = "py3132", python_version = "3.13.2")
use_repo(pyc, "py313", "py3132")
`, root),
		"BUILD.bazel": `load("@rules_pyc//rules:defs.bzl", "py_binary", "py_library")

[toolchain(
    name = name,
    toolchain = "@" + name + "//:pyc_toolchain",
    toolchain_type = "@rules_pyc//rules:toolchain_type",
) for name in ["py313", "py3132"]]

py_library(
    name = "lib",
    srcs = ["lib.py"],
)

py_binary(
    name = "bin",
    srcs = ["bin.py"],
    deps = [":lib"],
)
`,
		"lib.py": "VALUE = [x * 2 for x in range(3)]\n",
		"bin.py": "import sys\nimport lib\n\nfor name in ('__main__', 'lib'):\n    m = sys.modules[name]\n    print('%s: %s %s' % (name, type(m.__loader__).__name__, m.__spec__.cached))\nprint('release', '%d.%d.%d' % sys.version_info[:3])\n",
	})
	w := newWorkspace(t, dir, bzlmod, py.Path)
	recorded := func(t *testing.T, w *workspace, repo string) string {
		t.Helper()
		out := w.mustBazel("cquery", "--output=build", "@"+repo+"//:pyc_toolchain").stdout
		m := regexp.MustCompile(`python_version = "([^"]*)"`).FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("@%s//:pyc_toolchain has no python_version:\n%s", repo, out)
		}
		return m[1]
	}
	run := func(t *testing.T, w *workspace, release string) {
		t.Helper()
		out := w.mustBazel("run", "--extra_toolchains=//:py313", "//:bin").stdout
		if !strings.Contains(out, "release "+release+"\n") {
			t.Errorf("//:bin ran on another release than %s:\n%s", release, out)
		}
		for _, module := range []string{"__main__", "lib"} {
			if got := loaders(t, out)[module]; got[0] != "SourceFileLoader" || !strings.HasSuffix(got[1], ".cpython-313.pyc") {
				t.Errorf("%s loaded by %v, want SourceFileLoader from a .pyc", module, got)
			}
		}
		checkNativeCommand(t, w, "//:lib", "bin/python3", release, "--extra_toolchains=//:py313")
	}

	t.Run("PYC_PYTHON", func(t *testing.T) {
		if got := recorded(t, w.in(t), "py313"); got != py.Version {
			t.Errorf("the toolchain records python_version %q, want %s (PYC_PYTHON's)", got, py.Version)
		}
		run(t, w.in(t), py.Version)
	})

	t.Run("found on PATH", func(t *testing.T) {
		found := newWorkspace(t, dir, bzlmod, "") // --repo_env=PYC_PYTHON= : unset
		got := recorded(t, found, "py313")
		if !strings.HasPrefix(got, "3.13.") {
			t.Fatalf("the toolchain records python_version %q, want an exact 3.13 release", got)
		}
		t.Logf("found CPython %s", got)
		run(t, found, got)
	})

	t.Run("compile only", func(t *testing.T) {
		found := newWorkspace(t, dir, bzlmod, "")
		if got := recorded(t, found, "py3132"); got != "3.13.2" {
			t.Errorf("the compile-only toolchain records python_version %q, want 3.13.2", got)
		}
		found.mustBazel("build", "--extra_toolchains=//:py3132", "//:lib")
		checkNativeCommand(t, found, "//:lib", "bin/python3", "3.13.2", "--extra_toolchains=//:py3132")
		r := found.bazel("build", "--extra_toolchains=//:py3132", "//:bin")
		if r.err == nil {
			t.Fatal("a binary built with a toolchain that found no interpreter")
		}
		if want := "has no interpreter to run binaries and tests"; !strings.Contains(r.stderr, want) {
			t.Errorf("the error lacks %q:\n%s", want, tail(r.stderr, 20))
		}
	})

	t.Run("named interpreter of another release", func(t *testing.T) {
		if other.Path == "" {
			t.Skip("no interpreter of another minor version on the host")
		}
		wrong := newWorkspace(t, dir, bzlmod, other.Path)
		r := wrong.bazel("build", "--extra_toolchains=//:py313", "//:lib")
		if r.err == nil {
			t.Fatalf("a toolchain for 3.13 took PYC_PYTHON=%s (%s)", other.Path, other.Version)
		}
		for _, want := range []string{"wants CPython 3.13 (python_version)", "is CPython " + other.Version, "PYC_PYTHON=" + other.Path} {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("the error lacks %q:\n%s", want, tail(r.stderr, 20))
			}
		}
	})
}
