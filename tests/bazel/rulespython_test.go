package bazel

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/interp"
	"github.com/rules-pyc/rules_pyc/internal/pyref"
	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

// rulesPythonVersions are the rules_python releases tested for real (from
// the fixtures, through scripts/fixtures).
var rulesPythonVersions = []string{"1.9.2", "2.3.2"}

// checkImports is the start of every main module of the interop workspace:
// it notes each module CPython compiles from source instead of loading its
// .pyc (SourceLoader.source_to_code runs only then), imports the modules
// given, and prints one line per module: `module: pyc|source <cached file>`.
const checkImports = `import importlib._bootstrap_external as _external
import importlib
import sys

_compiled = set()
_source_to_code = _external.SourceLoader.source_to_code


def _noting(self, data, path, *args, **kwargs):
    _compiled.add(path)
    return _source_to_code(self, data, path, *args, **kwargs)


_external.SourceLoader.source_to_code = _noting

for _name in sys.argv[1:] or MODULES:
    _module = importlib.import_module(_name)
    _how = "source" if _module.__spec__.origin in _compiled else "pyc"
    print("%s: %s %s" % (_name, _how, _module.__spec__.cached))
if _compiled:
    sys.exit("compiled from source: %s" % sorted(_compiled))
`

// singleBzl is a rule whose targets return one PyInfo provider only: Bazel's
// built-in one (kind "builtin") or rules_python's (kind "rules_python"), as
// rule sets written against one of them do.
const singleBzl = `"""Python libraries that return one of the two PyInfo providers."""

load("@rules_python//python:py_info.bzl", RulesPythonPyInfo = "PyInfo")

def _single_py_info_library_impl(ctx):
    sources = depset(ctx.files.srcs)
    provider = PyInfo if ctx.attr.kind == "builtin" else RulesPythonPyInfo
    return [
        DefaultInfo(files = sources, runfiles = ctx.runfiles(files = ctx.files.srcs)),
        provider(transitive_sources = sources, imports = depset()),
    ]

single_py_info_library = rule(
    implementation = _single_py_info_library_impl,
    attrs = {
        "kind": attr.string(mandatory = True, values = ["builtin", "rules_python"]),
        "srcs": attr.label_list(allow_files = [".py"]),
    },
)
`

// singleMain is the main module of the binaries over //pycsingle.
const singleMain = "import pycsingle\n\nprint('kinds:', ' '.join(pycsingle.KINDS))\nprint('cached:', pycsingle.__spec__.cached)\n"

// interopModules are what every program of the interop workspace imports:
// rules_python's and rules_pyc's libraries, each depending on the other's.
var interopModules = []string{"rpbase", "rpbase.c", "pycmid", "pycmid.b", "rptop", "rptop.a"}

// interopSources are the Python sources of the interop workspace's own
// libraries, with the rule set that compiles each.
var interopSources = map[string]string{
	"rpbase/__init__.py": "rules_python",
	"rpbase/c.py":        "rules_python",
	"pycmid/__init__.py": "rules_pyc",
	"pycmid/b.py":        "rules_pyc",
	"rptop/__init__.py":  "rules_python",
	"rptop/a.py":         "rules_python",
}

// interopWorkspace writes a bzlmod workspace that uses rules_python version
// v (from the fixtures) and rules_pyc together:
//
//   - rules_python's libraries precompile with a pyc_precompiler, registered
//     before rules_python's own exec tools toolchain;
//   - //rptop (rules_python) depends on //pycmid (rules_pyc), which depends
//     on //rpbase (rules_python);
//   - //app has a py_binary and a py_test of each rule set over //rptop;
//   - //single has a library that returns only Bazel's PyInfo and one that
//     returns only rules_python's; rules_pyc's //pycsingle depends on both,
//     and //app has a binary of each rule set over it;
//   - the module thirdparty (an external repository) has rules_python
//     libraries, one that precompiles and one that does not, compiled by a
//     pyc_library in //third and run by a rules_pyc py_binary;
//   - the interpreter is the same for rules_python's local runtime and
//     rules_pyc's toolchain.
func interopWorkspace(t *testing.T, v string, py pythons.Interpreter) *workspace {
	t.Helper()
	rc := fixtureRC(t, "rules_python-"+v)
	dir := filepath.Join(env.tmp, "rules_python-"+v)
	if _, err := os.Stat(dir); err == nil {
		w := newWorkspace(t, dir, bzlmod, py.Path)
		w.rcs = []string{rc}
		return w
	}
	main := func(modules ...string) string {
		quoted := make([]string, len(modules))
		for i, m := range modules {
			quoted[i] = fmt.Sprintf("%q", m)
		}
		return "MODULES = [" + strings.Join(quoted, ", ") + "]\n\n" + checkImports
	}
	files := map[string]string{
		"MODULE.bazel": fmt.Sprintf(`module(name = "interop")

bazel_dep(name = "rules_pyc")
local_path_override(
    module_name = "rules_pyc",
    path = %q,
)

bazel_dep(name = "rules_python", version = %q)

# rules_python 2.x's local runtime repository names @platforms as the root
# module sees it.
bazel_dep(name = "platforms", version = "0.0.10")

bazel_dep(name = "thirdparty")
local_path_override(
    module_name = "thirdparty",
    path = "thirdparty",
)

pyc = use_extension("@rules_pyc//rules:extensions.bzl", "pyc")
pyc.system_interpreter(
    name = "interop_python",
    path = %q,
)

# rules_python's interpreter: the same one, found on this machine.
local_runtime_repo = use_repo_rule("@rules_python//python/local_toolchains:repos.bzl", "local_runtime_repo")

local_runtime_toolchains_repo = use_repo_rule("@rules_python//python/local_toolchains:repos.bzl", "local_runtime_toolchains_repo")

local_runtime_repo(
    name = "local_python3",
    interpreter_path = %q,
    on_failure = "fail",
)

local_runtime_toolchains_repo(
    name = "local_toolchains",
    runtimes = ["local_python3"],
)

# pyc as rules_python's precompiler: before any other exec tools toolchain.
register_toolchains("//tools:exec_tools_toolchain")

register_toolchains("@local_toolchains//:all")
`, cloneA(t), v, py.Path, py.Path),
		".bazelrc":     "common --@rules_python//python/config_settings:precompile=enabled\n",
		".bazelignore": "thirdparty\n",
		"BUILD.bazel":  "",
		"tools/BUILD.bazel": `load("@rules_pyc//rules:defs.bzl", "pyc_precompiler")
load("@rules_python//python:py_exec_tools_toolchain.bzl", "py_exec_tools_toolchain")

pyc_precompiler(
    name = "precompiler",
    interpreter = "@local_python3//:python_runtimes",
)

py_exec_tools_toolchain(
    name = "exec_tools",
    precompiler = ":precompiler",
)

toolchain(
    name = "exec_tools_toolchain",
    toolchain = ":exec_tools",
    toolchain_type = "@rules_python//python:exec_tools_toolchain_type",
)
`,
		"rpbase/BUILD.bazel": `load("@rules_python//python:py_library.bzl", "py_library")

py_library(
    name = "rpbase",
    srcs = ["__init__.py", "c.py"],
    visibility = ["//visibility:public"],
)
`,
		"rpbase/__init__.py": "",
		"rpbase/c.py":        "VALUES = frozenset({'c', 3})\n\n\ndef c():\n    return 'c'\n",
		"pycmid/BUILD.bazel": `load("@rules_pyc//rules:defs.bzl", "py_library")

py_library(
    name = "pycmid",
    srcs = ["__init__.py", "b.py"],
    visibility = ["//visibility:public"],
    deps = ["//rpbase"],
)
`,
		"pycmid/__init__.py": "",
		"pycmid/b.py":        "from rpbase import c\n\n\ndef b():\n    return 'b' + c.c()\n",
		"rptop/BUILD.bazel": `load("@rules_python//python:py_library.bzl", "py_library")

py_library(
    name = "rptop",
    srcs = ["__init__.py", "a.py"],
    visibility = ["//visibility:public"],
    deps = ["//pycmid"],
)
`,
		"rptop/__init__.py": "",
		"rptop/a.py":        "from pycmid import b\n\n\ndef a():\n    return 'a' + b.b()\n",
		"app/BUILD.bazel": `load("@rules_pyc//rules:defs.bzl", pyc_py_binary = "py_binary", pyc_py_test = "py_test")
load("@rules_python//python:py_binary.bzl", "py_binary")
load("@rules_python//python:py_test.bzl", "py_test")

py_binary(
    name = "rp_main",
    srcs = ["rp_main.py"],
    deps = ["//rptop"],
)

py_test(
    name = "rp_test",
    srcs = ["rp_test.py"],
    deps = ["//rptop"],
)

pyc_py_binary(
    name = "pyc_main",
    srcs = ["pyc_main.py"],
    deps = ["//rptop"],
)

pyc_py_test(
    name = "pyc_test",
    srcs = ["pyc_test.py"],
    deps = ["//rptop"],
)

py_binary(
    name = "rp_single",
    srcs = ["rp_single.py"],
    deps = ["//pycsingle"],
)

pyc_py_binary(
    name = "pyc_single",
    srcs = ["pyc_single.py"],
    deps = ["//pycsingle"],
)

pyc_py_binary(
    name = "third_main",
    srcs = ["third_main.py"],
    deps = ["//third:third_pyc"],
)
`,
		"single/single.bzl": singleBzl,
		"single/BUILD.bazel": `load(":single.bzl", "single_py_info_library")

# A library that returns only Bazel's built-in PyInfo, and one that returns
# only rules_python's.
single_py_info_library(
    name = "builtin",
    srcs = ["builtin_only.py"],
    kind = "builtin",
    visibility = ["//visibility:public"],
)

single_py_info_library(
    name = "rules_python",
    srcs = ["rules_python_only.py"],
    kind = "rules_python",
    visibility = ["//visibility:public"],
)
`,
		"single/builtin_only.py":      "KIND = 'builtin'\n",
		"single/rules_python_only.py": "KIND = 'rules_python'\n",
		"pycsingle/BUILD.bazel": `load("@rules_pyc//rules:defs.bzl", "py_library")

py_library(
    name = "pycsingle",
    srcs = ["__init__.py"],
    visibility = ["//visibility:public"],
    deps = [
        "//single:builtin",
        "//single:rules_python",
    ],
)
`,
		"pycsingle/__init__.py": "from single import builtin_only, rules_python_only\n\nKINDS = [builtin_only.KIND, rules_python_only.KIND]\n",
		"app/rp_single.py":      singleMain,
		"app/pyc_single.py":     singleMain,
		"app/rp_main.py":        main(interopModules...),
		"app/rp_test.py":        main(interopModules...),
		"app/pyc_main.py":       main(interopModules...),
		"app/pyc_test.py":       main(interopModules...),
		"app/third_main.py":     main("lib.util", "lib.inner.core"),
		"third/BUILD.bazel": `load("@rules_pyc//rules:defs.bzl", "pyc_library")

pyc_library(
    name = "third_pyc",
    visibility = ["//visibility:public"],
    deps = ["@thirdparty//lib"],
)
`,
		"thirdparty/MODULE.bazel": fmt.Sprintf("module(name = \"thirdparty\")\n\nbazel_dep(name = \"rules_python\", version = %q)\n", v),
		"thirdparty/BUILD.bazel":  "",
		"thirdparty/lib/BUILD.bazel": `load("@rules_python//python:py_library.bzl", "py_library")

# Not precompiled by rules_python: pyc_library compiles it.
py_library(
    name = "lib",
    srcs = ["__init__.py", "util.py"],
    imports = [".."],
    precompile = "disabled",
    visibility = ["//visibility:public"],
    deps = ["//lib/inner"],
)
`,
		"thirdparty/lib/__init__.py": "",
		"thirdparty/lib/util.py":     "from lib.inner import core\n\n\ndef twice(x):\n    return core.once(x) * 2\n",
		"thirdparty/lib/inner/BUILD.bazel": `load("@rules_python//python:py_library.bzl", "py_library")

# Precompiled by rules_python (with pyc_precompiler): pyc_library uses its pyc.
py_library(
    name = "inner",
    srcs = ["__init__.py", "core.py"],
    imports = ["../.."],
    visibility = ["//visibility:public"],
)
`,
		"thirdparty/lib/inner/__init__.py": "",
		"thirdparty/lib/inner/core.py":     "def once(x):\n    \"\"\"Returns x.\"\"\"\n    return x\n",
	}
	writeFiles(t, dir, files)
	w := newWorkspace(t, dir, bzlmod, py.Path)
	w.rcs = []string{rc}
	return w
}

// importLines parses what checkImports printed: module -> "pyc" or "source".
func importLines(t *testing.T, out string) map[string]string {
	t.Helper()
	got := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		name, rest, ok := strings.Cut(sc.Text(), ": ")
		if !ok {
			continue
		}
		how, cached, _ := strings.Cut(rest, " ")
		if how == "pyc" {
			if _, err := os.Stat(cached); err != nil {
				how = "pyc missing: " + cached
			}
		}
		got[name] = how
	}
	return got
}

// rulesPythonPython picks the interpreter of the rules_python tests: a
// CPython 3.13 (rules_python's requests then carry --python_version 3.13,
// pyc_precompiler names the interpreter, and pyc compiles natively for its
// exact release; rules_pyc's toolchain compiles natively too), the host's
// when there is one, else the chroot's. Never the embedded 3.14, which
// rules_python's local runtime cannot describe.
func rulesPythonPython(t *testing.T) pythons.Interpreter {
	t.Helper()
	return interpreters313(t)[0]
}

// TestRulesPythonMixedGraphs builds the interop workspace with each
// rules_python release: rules_pyc's and rules_python's targets depend on one
// another, both PyInfo providers flow both ways, and every program, of
// either rule set, imports every module from its .pyc (none is compiled from
// source at run time); rules_pyc accepts a dep that returns only one of the
// two PyInfo providers, either one; the .pyc files are py_compile's.
func TestRulesPythonMixedGraphs(t *testing.T) {
	py := rulesPythonPython(t)
	for _, v := range rulesPythonVersions {
		t.Run(v, func(t *testing.T) {
			w := interopWorkspace(t, v, py)
			w.mustBazel("build", "//...")
			w.mustBazel("test", "--test_output=errors", "//app:all")

			for _, bin := range []string{"rp_main", "pyc_main"} {
				out := w.mustBazel("run", "//app:"+bin).stdout
				got := importLines(t, out)
				for _, m := range interopModules {
					if got[m] != "pyc" {
						t.Errorf("//app:%s: %s imported from %q, want its pyc\n%s", bin, m, got[m], out)
					}
				}
			}

			// A rules_pyc library over targets that return one PyInfo each
			// (Bazel's, rules_python's), in binaries of both rule sets.
			for _, bin := range []string{"rp_single", "pyc_single"} {
				out := w.mustBazel("run", "//app:"+bin).stdout
				if !strings.Contains(out, "kinds: builtin rules_python\n") || !strings.Contains(out, "pycsingle/__pycache__/__init__."+py.CacheTag+".pyc") {
					t.Errorf("//app:%s: want both single-provider libraries imported and pycsingle from its pyc, got\n%s", bin, out)
				}
			}
			// (Each of those has one PyInfo indeed.)
			single := w.mustBazel("cquery", "--output=starlark",
				`--starlark:expr=str(len([k for k in providers(target).keys() if k.endswith("PyInfo")]))`,
				"//single:builtin + //single:rules_python").stdout
			if got := strings.Fields(single); len(got) != 2 || got[0] != "1" || got[1] != "1" {
				t.Errorf("//single:builtin and //single:rules_python provide %q PyInfo providers, want one each", got)
			}

			// Both providers, from targets of both rule sets.
			out := w.mustBazel("cquery", "--output=starlark",
				`--starlark:expr=" ".join(sorted([k.rpartition("%")[2] for k in providers(target).keys() if k.endswith("PyInfo")]))`,
				"//rpbase + //pycmid + //rptop + //third:third_pyc").stdout
			for i, line := range strings.Split(strings.TrimSpace(out), "\n") {
				if strings.Count(line, "PyInfo") < 2 {
					t.Errorf("target %d of //rpbase, //pycmid, //rptop, //third:third_pyc provides %q, want both PyInfo providers", i, line)
				}
			}

			// Every .pyc of the graph is py_compile's, whoever declared it:
			// rules_pyc's PycCompile or rules_python's PyCompile through pyc.
			bin := filepath.Join(w.dir, "bazel-bin")
			for _, src := range sortedKeys(interopSources) {
				dir, base := filepath.Split(src)
				out := filepath.Join(bin, dir, "__pycache__", strings.TrimSuffix(base, ".py")+"."+py.CacheTag+".pyc")
				got, err := os.ReadFile(out)
				if err != nil {
					t.Errorf("%s (%s): %v", src, interopSources[src], err)
					continue
				}
				if want := pyCompile(t, py, filepath.Join(w.dir, src), src, 0, pyref.CheckedHash); !bytes.Equal(got, want) {
					t.Errorf("%s (%s): differs from py_compile's: %s", src, interopSources[src], firstDiff(got, want))
				}
			}
		})
	}
}

// TestRulesPythonPycLibrary runs a rules_pyc binary over a pyc_library of an
// external repository's rules_python libraries: the one rules_python does
// not precompile is compiled by pyc_library's aspect (name recorded relative
// to its repository), the other keeps rules_python's .pyc (its --src_name);
// both are py_compile's, and the binary imports both from them.
func TestRulesPythonPycLibrary(t *testing.T) {
	py := rulesPythonPython(t)
	for _, v := range rulesPythonVersions {
		t.Run(v, func(t *testing.T) {
			w := interopWorkspace(t, v, py)
			w.mustBazel("build", "//third:third_pyc", "//app:third_main")
			out := w.mustBazel("run", "//app:third_main").stdout
			for _, m := range []string{"lib.util", "lib.inner.core"} {
				if got := importLines(t, out)[m]; got != "pyc" {
					t.Errorf("//app:third_main: %s imported from %q, want its pyc\n%s", m, got, out)
				}
			}

			repos, err := filepath.Glob(filepath.Join(w.dir, "bazel-bin", "external", "thirdparty*"))
			if err != nil || len(repos) != 1 {
				t.Fatalf("the third-party repository's outputs: %q, %v", repos, err)
			}
			repo := filepath.Base(repos[0])
			for src, dfile := range map[string]string{
				"lib/util.py":       "lib/util.py",                       // pyc_library's aspect
				"lib/inner/core.py": "../" + repo + "/lib/inner/core.py", // rules_python's --src_name
			} {
				dir, base := filepath.Split(src)
				got, err := os.ReadFile(filepath.Join(repos[0], dir, "__pycache__", strings.TrimSuffix(base, ".py")+"."+py.CacheTag+".pyc"))
				if err != nil {
					t.Errorf("%s: %v", src, err)
					continue
				}
				want := pyCompile(t, py, filepath.Join(w.dir, "thirdparty", src), dfile, 0, pyref.CheckedHash)
				if !bytes.Equal(got, want) {
					t.Errorf("%s: differs from py_compile's with dfile %s: %s", src, dfile, firstDiff(got, want))
				}
			}
		})
	}
}

// TestRulesPythonPrecompiler makes pyc rules_python's precompiler: under the
// worker strategy every PyCompile action runs in pyc's worker, and under the
// worker, sandboxed and standalone strategies, and -c opt, every .pyc
// rules_python declares equals a fresh py_compile's.
func TestRulesPythonPrecompiler(t *testing.T) {
	py := rulesPythonPython(t)
	for _, v := range rulesPythonVersions {
		t.Run(v, func(t *testing.T) {
			w := interopWorkspace(t, v, py)
			targets := []string{"//rpbase", "//rptop", "//app:rp_main"}
			sources := []string{"rpbase/__init__.py", "rpbase/c.py", "rptop/__init__.py", "rptop/a.py", "app/rp_main.py"}
			strategies := []struct {
				name    string
				flags   []string
				runners []string
				mode    pyref.Mode
			}{
				{"worker", []string{"--strategy=PyCompile=worker"}, []string{"worker", "multiplex-worker"}, pyref.CheckedHash},
				{"sandboxed", []string{"--strategy=PyCompile=sandboxed"}, []string{"linux-sandbox", "processwrapper-sandbox"}, pyref.CheckedHash},
				{"standalone", []string{"--strategy=PyCompile=standalone"}, []string{"local"}, pyref.CheckedHash},
				{"worker -c opt", []string{"--strategy=PyCompile=worker", "-c", "opt"}, []string{"worker", "multiplex-worker"}, pyref.UncheckedHash},
			}
			for _, s := range strategies {
				t.Run(s.name, func(t *testing.T) {
					w := w.in(t)
					w.mustBazel("clean")
					log := filepath.Join(t.TempDir(), "exec.json")
					w.mustBazel("build", append(append([]string{"--execution_log_json_file=" + log}, s.flags...), targets...)...)
					spawns := withMnemonic(readExecLog(t, log), "PyCompile")
					if len(spawns) < len(sources) {
						t.Errorf("%d PyCompile actions ran, want at least %d (one per source)", len(spawns), len(sources))
					}
					runners := map[string]int{}
					for _, sp := range spawns {
						runners[sp.Runner]++
						if !contains(s.runners, sp.Runner) {
							t.Errorf("%s: PyCompile ran with runner %q, want one of %q", sp.TargetLabel, sp.Runner, s.runners)
						}
						if exe := filepath.Base(sp.CommandArgs[0]); exe != "precompiler" {
							t.Errorf("%s: PyCompile ran %s, want the pyc_precompiler", sp.TargetLabel, sp.CommandArgs[0])
						}
					}
					t.Logf("PyCompile runners: %v", runners)

					bin := strings.TrimSpace(w.mustBazel("info", append(s.flags, "bazel-bin")...).stdout)
					var bad []string
					for _, src := range sources {
						dir, base := filepath.Split(src)
						got, err := os.ReadFile(filepath.Join(bin, dir, "__pycache__", strings.TrimSuffix(base, ".py")+"."+py.CacheTag+".pyc"))
						if err != nil {
							t.Errorf("%s: %v", src, err)
							continue
						}
						if want := pyCompile(t, py, filepath.Join(w.dir, src), src, 0, s.mode); !bytes.Equal(got, want) {
							bad = append(bad, src+": "+firstDiff(got, want))
						}
					}
					sort.Strings(bad)
					for _, b := range bad {
						t.Errorf("differs from py_compile's (%s): %s", s.mode, b)
					}
				})
			}
		})
	}
}

// TestRulesPythonPrecompilerNative proves that rules_python's precompile
// requests, which name only --python_version 3.13, compile natively when
// pyc_precompiler's interpreter is a 3.13: that interpreter is a wrapper
// that refuses to start pyc's compile server. Under the worker and the
// sandboxed strategies every PyCompile action still succeeds with
// py_compile's bytes, and the wrapper saw pyc ask the interpreter its
// release; with backend = "cpython" the same wrapper fails the build, so the
// guard is real.
func TestRulesPythonPrecompilerNative(t *testing.T) {
	py := rulesPythonPython(t)
	w := interopWorkspace(t, rulesPythonVersions[0], py)
	guarded := filepath.Join(w.dir, "guarded")
	t.Cleanup(func() { os.RemoveAll(guarded) })
	calls := filepath.Join(t.TempDir(), "calls")
	writeFiles(t, guarded, map[string]string{
		"BUILD.bazel": `load("@rules_pyc//rules:defs.bzl", "pyc_precompiler")
load("@rules_python//python:py_exec_tools_toolchain.bzl", "py_exec_tools_toolchain")

[
    (
        pyc_precompiler(
            name = "precompiler_" + backend,
            backend = backend,
            interpreter = "python3",
        ),
        py_exec_tools_toolchain(
            name = "exec_tools_" + backend,
            precompiler = ":precompiler_" + backend,
        ),
        toolchain(
            name = backend,
            toolchain = ":exec_tools_" + backend,
            toolchain_type = "@rules_python//python:exec_tools_toolchain_type",
        ),
    )
    for backend in ["auto", "cpython"]
]
`,
	})
	writeGuardedPython(t, filepath.Join(guarded, "python3"), py.Path, calls)
	noted := func() map[string]int { return guardedCalls(t, calls) }
	targets := []string{"//rpbase", "//rptop", "//app:rp_main"}
	sources := []string{"rpbase/__init__.py", "rpbase/c.py", "rptop/__init__.py", "rptop/a.py", "app/rp_main.py"}
	for _, strategy := range []string{"worker", "sandboxed"} {
		t.Run(strategy, func(t *testing.T) {
			w := w.in(t)
			os.Remove(calls)
			w.mustBazel("clean")
			log := filepath.Join(t.TempDir(), "exec.json")
			flags := []string{"--extra_toolchains=//guarded:auto", "--strategy=PyCompile=" + strategy, "--execution_log_json_file=" + log}
			w.mustBazel("build", append(flags, targets...)...)
			spawns := withMnemonic(readExecLog(t, log), "PyCompile")
			if len(spawns) < len(sources) {
				t.Errorf("%d PyCompile actions ran, want at least %d", len(spawns), len(sources))
			}
			for _, sp := range spawns {
				if exe := filepath.Base(sp.CommandArgs[0]); exe != "precompiler_auto" {
					t.Errorf("%s: PyCompile ran %s, want //guarded:precompiler_auto", sp.TargetLabel, sp.CommandArgs[0])
				}
			}
			n := noted()
			if n["server"] != 0 {
				t.Errorf("pyc asked the interpreter to start its compile server %d times", n["server"])
			}
			if strategy == "worker" && n["other"] == 0 {
				t.Error("the guarded interpreter was never called: the test does not check what it means to")
			}
			t.Logf("calls of the guarded interpreter: %v", n)
			bin := strings.TrimSpace(w.mustBazel("info", "bazel-bin").stdout)
			for _, src := range sources {
				dir, base := filepath.Split(src)
				got, err := os.ReadFile(filepath.Join(bin, dir, "__pycache__", strings.TrimSuffix(base, ".py")+"."+py.CacheTag+".pyc"))
				if err != nil {
					t.Errorf("%s: %v", src, err)
					continue
				}
				if want := pyCompile(t, py, filepath.Join(w.dir, src), src, 0, pyref.CheckedHash); !bytes.Equal(got, want) {
					t.Errorf("%s differs from py_compile's: %s", src, firstDiff(got, want))
				}
			}
		})
	}
	t.Run("cpython backend is refused", func(t *testing.T) {
		w := w.in(t)
		os.Remove(calls)
		r := w.bazel("build", append([]string{"--extra_toolchains=//guarded:cpython", "--strategy=PyCompile=worker"}, targets...)...)
		if r.err == nil {
			t.Fatalf("with backend = \"cpython\" the build succeeded through an interpreter that refuses to compile:\n%s", tail(r.stderr, 25))
		}
		if n := noted(); n["server"] == 0 {
			t.Errorf("the build failed, but not because pyc asked for its compile server (calls %v):\n%s", n, tail(r.stderr, 25))
		}
	})
}

// TestRulesPythonPrecompilerSyntaxError: a source rules_python precompiles
// with pyc that does not compile fails the build with py_compile's message.
func TestRulesPythonPrecompilerSyntaxError(t *testing.T) {
	py := rulesPythonPython(t)
	v := rulesPythonVersions[0]
	w := interopWorkspace(t, v, py)
	broken := filepath.Join(w.dir, "broken")
	t.Cleanup(func() { os.RemoveAll(broken) })
	writeFiles(t, broken, map[string]string{
		"BUILD.bazel": "load(\"@rules_python//python:py_library.bzl\", \"py_library\")\n\npy_library(\n    name = \"bad\",\n    srcs = [\"bad.py\"],\n    precompile = \"enabled\",\n)\n",
		"bad.py":      "def ok():\n    return 1\n\n\ndef broken(:\n    pass\n",
	})
	want := pyCompileError(t, py, filepath.Join(broken, "bad.py"), "broken/bad.py")
	for _, strategy := range []string{"worker", "sandboxed"} {
		t.Run(strategy, func(t *testing.T) {
			r := w.bazel("build", "--strategy=PyCompile="+strategy, "//broken:bad")
			if r.err == nil {
				t.Fatal("building a source with a syntax error succeeded")
			}
			for _, line := range strings.Split(want, "\n") {
				if strings.TrimSpace(line) != "" && !strings.Contains(r.stderr, line) {
					t.Errorf("Bazel's output lacks py_compile's line %q\npy_compile says:\n%s\nBazel says:\n%s", line, want, tail(r.stderr, 25))
				}
			}
		})
	}
}

// pyCompileError returns py_compile's message for a source that does not
// compile, recorded as dfile.
func pyCompileError(t *testing.T, py pythons.Interpreter, src, dfile string) string {
	t.Helper()
	ref, err := pyref.Compile(py.Path, pyref.Spec{Source: src, DFile: dfile, Mode: pyref.CheckedHash}, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if ref.Error == "" {
		t.Fatalf("py_compile compiled %s", src)
	}
	return ref.Error
}

// writeGuardedPython writes, at path, a CPython that refuses to start pyc's
// compile server (exit status 97) and otherwise runs the interpreter real.
// Each call appends a line to the file calls, "server" or "other", where
// it can write (not from inside a sandbox).
func writeGuardedPython(t *testing.T, path, real, calls string) {
	t.Helper()
	marker, _, _ := strings.Cut(interp.ServerSource(), "\n")
	if len(marker) < 20 {
		t.Fatalf("the compile server's first line %q is too short to recognize it by", marker)
	}
	script := fmt.Sprintf(`#!/bin/sh
# A CPython that refuses to run pyc's compile server, and notes each call.
for arg in "$@"; do
  case "$arg" in
  *%s*)
    echo server >>%s 2>/dev/null
    echo "refused: asked to start pyc's compile server" >&2
    exit 97
    ;;
  esac
done
echo other >>%s 2>/dev/null
exec %s "$@"
`, shellQuote(marker), shellQuote(calls), shellQuote(calls), shellQuote(real))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
}

// guardedCalls counts the lines of a guarded interpreter's calls file.
func guardedCalls(t *testing.T, calls string) map[string]int {
	t.Helper()
	data, err := os.ReadFile(calls)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	n := map[string]int{}
	for _, line := range strings.Fields(string(data)) {
		n[line]++
	}
	return n
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
