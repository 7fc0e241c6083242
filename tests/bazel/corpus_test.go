package bazel

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/rules-pyc/rules_pyc/internal/pyref"
	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

// variant is one way the corpus is compiled: one py_library per variant over
// the same sources. Their outputs have distinct names, as CPython's do.
type variant struct {
	target string
	mode   string // py_compile.PycInvalidationMode member
	opt    int
	omit   bool
}

var variants = []variant{
	{"checked_o0", "CHECKED_HASH", 0, false},
	{"unchecked_o1", "UNCHECKED_HASH", 1, false},
	{"checked_o2", "CHECKED_HASH", 2, false},
	{"unchecked_omit", "UNCHECKED_HASH", 0, true},
}

// attr returns the precompile_invalidation_mode value for the variant.
func (v variant) attr() string { return strings.ToLower(v.mode) }

// cliMode returns the --invalidation-mode value of the pyc CLI.
func (v variant) cliMode() string { return strings.ReplaceAll(v.attr(), "_", "-") }

// output returns where CPython looks for the compiled rel (a path below the
// corpus package, such as std/abc.py), relative to the workspace.
func (v variant) output(rel, cacheTag string) string {
	dir, base := filepath.Split(rel)
	stem := strings.TrimSuffix(base, ".py")
	if v.omit {
		return filepath.Join("corpus", dir, stem+".pyc")
	}
	tag := cacheTag
	if v.opt > 0 {
		tag += fmt.Sprintf(".opt-%d", v.opt)
	}
	return filepath.Join("corpus", dir, "__pycache__", stem+"."+tag+".pyc")
}

// handWritten are sources that exercise what makes bytes differ: set constants
// (hash order before 3.11), encodings, line endings, docstrings and asserts
// (removed by -O and -OO), an empty module, a file in a subdirectory.
var handWritten = map[string]string{
	"sets.py":       "def f(x):\n    return x in {\"alpha\", \"beta\", \"gamma\", \"delta\", \"epsilon\", \"zeta\"}\n",
	"bom_crlf.py":   "\ufeff# A BOM and CRLF line endings.\r\nS = 'caf\u00e9'\r\n",
	"latin1.py":     "# -*- coding: latin-1 -*-\nS = '\xe9t\xe9'\n",
	"docs.py":       "\"\"\"Module doc.\"\"\"\n\n\ndef f(x):\n    \"\"\"Function doc.\"\"\"\n    assert x, 'x must be true'\n    return __debug__\n",
	"empty.py":      "",
	"unicode.py":    "caf\u00e9 = 1\n\u03c0 = 3.14\n",
	"sub/nested.py": "from . import x\n\nVALUES = (1, 2.5, 3j, b'b', None, ..., frozenset({1, 2}))\n",
}

// corpusWorkspace is the generated workspace: every variant over the
// hand-written sources and part of the interpreter's own standard library.
type corpusWorkspace struct {
	*workspace
	py   pythons.Interpreter
	srcs []string // paths below corpus/
}

// The corpus workspaces, one per mode, created on first use.
var corpora = map[mode]*corpusWorkspace{}

// corpus returns the corpus workspace of mode m with sources for py.
func corpus(t testing.TB, m mode, py pythons.Interpreter) *corpusWorkspace {
	t.Helper()
	c := corpora[m]
	if c == nil {
		root := cloneA(t)
		dir := filepath.Join(env.tmp, "corpus-"+string(m))
		writeFiles(t, dir, map[string]string{
			"MODULE.bazel": fmt.Sprintf(`module(name = "corpus")

bazel_dep(name = "rules_pyc")
local_path_override(
    module_name = "rules_pyc",
    path = %q,
)

bazel_dep(name = "platforms", version = "0.0.10")

pyc = use_extension("@rules_pyc//rules:extensions.bzl", "pyc")
pyc.system_interpreter(name = "corpus_python")
use_repo(pyc, "corpus_python")

# The same interpreter for Windows targets only (TestToolchainConstraints):
# the toolchain above, with this machine's constraints, does not match them.
pyc.system_interpreter(
    name = "corpus_python_windows",
    target_compatible_with = ["@platforms//os:windows"],
)

# A third-party module with plain py_library targets, for pyc_library.
bazel_dep(name = "thirdparty")
local_path_override(
    module_name = "thirdparty",
    path = "thirdparty",
)
`, root),
			"WORKSPACE": fmt.Sprintf(`workspace(name = "corpus")

local_repository(
    name = "rules_pyc",
    path = %q,
    repo_mapping = {"@rules_go": "@io_bazel_rules_go"},
)

load("@rules_pyc//rules:repositories.bzl", "rules_pyc_dependencies", "rules_pyc_register_toolchains")

rules_pyc_dependencies()

rules_pyc_register_toolchains()
`, root),
			"BUILD.bazel":        "",
			"corpus/BUILD.bazel": corpusBuild(),
		})
		writeFiles(t, dir, thirdParty)
		c = &corpusWorkspace{workspace: newWorkspace(t, dir, m, py.Path)}
		corpora[m] = c
	}
	if c.py.Path != py.Path || c.srcs == nil {
		c.useInterpreter(t, py)
	}
	return c
}

// corpusBuild is corpus/BUILD.bazel: one py_library per variant.
func corpusBuild() string {
	var b strings.Builder
	b.WriteString("load(\"@rules_pyc//rules:defs.bzl\", \"py_library\")\n")
	for _, v := range variants {
		retention := "keep_source"
		if v.omit {
			retention = "omit_source"
		}
		fmt.Fprintf(&b, `
py_library(
    name = %q,
    srcs = glob(["**/*.py"]),
    precompile_invalidation_mode = %q,
    precompile_optimize_level = %d,
    precompile_source_retention = %q,
)
`, v.target, v.attr(), v.opt, retention)
	}
	return b.String()
}

// useInterpreter rewrites the corpus sources for py (its own standard
// library is part of them) and makes it the toolchain's interpreter.
func (c *corpusWorkspace) useInterpreter(t testing.TB, py pythons.Interpreter) {
	t.Helper()
	dir := filepath.Join(c.dir, "corpus")
	for _, sub := range []string{"std", "sub"} {
		if err := os.RemoveAll(filepath.Join(dir, sub)); err != nil {
			t.Fatal(err)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".py") {
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
				t.Fatal(err)
			}
		}
	}
	writeFiles(t, dir, handWritten)
	srcs := sortedKeys(handWritten)
	for _, std := range stdlibSample(t, py) {
		rel := filepath.Join("std", filepath.Base(std))
		if err := copyFile(std, filepath.Join(dir, rel)); err != nil {
			t.Fatal(err)
		}
		srcs = append(srcs, rel)
	}
	sort.Strings(srcs)
	c.srcs = srcs
	c.py = py
	c.python = py.Path
}

// stdlibSample returns about 25 modules of py's standard library, as paths
// on the host: the ones whose bytes were seen to depend on what a process
// did before (see the notes in docs/rules.md on determinism), and a spread
// of the rest. A chroot interpreter's come from a copy (Interpreter.Stdlib).
func stdlibSample(t testing.TB, py pythons.Interpreter) []string {
	t.Helper()
	lib := py.Stdlib(t)
	var all []string
	has := map[string]bool{}
	for _, f := range lib.Files {
		if !strings.Contains(f, "/") {
			all = append(all, f)
			has[f] = true
		}
	}
	if len(all) == 0 {
		t.Fatalf("%s: no modules in %s", py, lib.Root)
	}
	picked := map[string]bool{}
	for _, name := range []string{"ftplib.py", "weakref.py", "typing.py", "argparse.py", "inspect.py", "nntplib.py"} {
		if has[name] {
			picked[filepath.Join(lib.Root, name)] = true
		}
	}
	for i := 0; i < len(all); i += len(all)/20 + 1 {
		picked[filepath.Join(lib.Root, all[i])] = true
	}
	return sortedKeys(picked)
}

// build builds the corpus and returns the PycCompile spawns of the build.
func (c *corpusWorkspace) build(t testing.TB, args ...string) []spawn {
	t.Helper()
	log := filepath.Join(t.TempDir(), "exec.json")
	c.mustBazel("build", append([]string{"--execution_log_json_file=" + log}, append(args, "//corpus/...")...)...)
	return withMnemonic(readExecLog(t, log), "PycCompile")
}

// outputs reads every .pyc the corpus build must have written, keyed by its
// path relative to the workspace.
func (c *corpusWorkspace) outputs(t testing.TB, root string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	for _, v := range variants {
		for _, src := range c.srcs {
			out := v.output(src, c.py.CacheTag)
			b, err := os.ReadFile(filepath.Join(root, out))
			if err != nil {
				t.Fatalf("%s (%s): %v", out, v.target, err)
			}
			files[out] = b
		}
	}
	return files
}

// references returns py_compile's bytes for every source of the corpus in
// every variant, keyed like outputs, each from a fresh `python -S -s`
// process with a clean environment and PYTHONHASHSEED=0 (pyref): started
// two at a time by the test, or for a chroot interpreter by one driver
// process inside the chroot, since every start through scripts/chroot
// costs a tenth of a second.
func (c *corpusWorkspace) references(t testing.TB) map[string][]byte {
	t.Helper()
	var specs []pyref.Spec
	var keys []string
	for _, v := range variants {
		for _, src := range c.srcs {
			specs = append(specs, pyref.Spec{
				Source:   filepath.Join(c.dir, "corpus", src),
				DFile:    "corpus/" + filepath.ToSlash(src),
				Optimize: v.opt,
				Mode:     pyref.Mode(v.mode),
			})
			keys = append(keys, v.output(src, c.py.CacheTag))
		}
	}
	refs, err := c.py.References(specs, t.TempDir())
	if err != nil {
		t.Fatalf("%s: py_compile of the corpus: %v", c.py, err)
	}
	want := make(map[string][]byte, len(keys))
	for i, r := range refs {
		if r.Error != "" {
			t.Fatalf("%s: py_compile rejected %s: %s", c.py, specs[i].Source, r.Error)
		}
		want[keys[i]] = r.Data
	}
	return want
}

// pyCompile returns what CPython's py_compile writes for src in a fresh
// `python -S -s` process with a clean environment and PYTHONHASHSEED=0
// (pyref's reference), in mode (a py_compile.PycInvalidationMode name).
func pyCompile(t testing.TB, py pythons.Interpreter, src, dfile string, opt int, mode pyref.Mode) []byte {
	t.Helper()
	r, err := pyref.CompileWith(py.Runner(), pyref.Spec{Source: src, DFile: dfile, Optimize: opt, Mode: mode}, t.TempDir())
	if err != nil {
		t.Fatalf("%s: %v", py, err)
	}
	if r.Error != "" {
		t.Fatalf("%s: py_compile rejected %s: %s", py, src, r.Error)
	}
	return r.Data
}

// cliCompile runs the pyc CLI as compileall over a copy of the corpus
// sources, once per variant, and returns the files it wrote.
func (c *corpusWorkspace) cliCompile(t testing.TB) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	for _, v := range variants {
		dir := t.TempDir()
		for _, src := range c.srcs {
			if err := copyFile(filepath.Join(c.dir, "corpus", src), filepath.Join(dir, "corpus", src)); err != nil {
				t.Fatal(err)
			}
		}
		args := []string{"--python", c.py.Path, "--invalidation-mode", v.cliMode(), "-o", fmt.Sprint(v.opt), "-q"}
		if v.omit {
			args = append(args, "-b")
		}
		// A chroot interpreter's pyc runs beside it, inside the chroot.
		cmd := c.py.Program(context.Background(), env.pyc, append(args, "corpus")...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("pyc CLI (%s) with %s: %v\n%s", v.target, c.py, err, tail(string(out), 30))
		}
		for _, src := range c.srcs {
			out := v.output(src, c.py.CacheTag)
			b, err := os.ReadFile(filepath.Join(dir, out))
			if err != nil {
				t.Fatalf("pyc CLI (%s): %v", v.target, err)
			}
			files[out] = b
		}
	}
	return files
}

// firstDiff describes where a and b differ.
func firstDiff(a, b []byte) string {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if a[i] != b[i] {
			return fmt.Sprintf("first difference at byte %d of %d/%d", i, len(a), len(b))
		}
	}
	return fmt.Sprintf("lengths %d and %d", len(a), len(b))
}

// TestPycBytesMatchPyCompile builds the corpus with every interpreter found,
// the chroot's included (Bazel runs in the chroot, so the toolchain names
// them by their path there), and compares each .pyc Bazel wrote with
// py_compile's and the pyc CLI's.
func TestPycBytesMatchPyCompile(t *testing.T) {
	for _, py := range append(pythons.Require(t, 1), chrooted(t)...) {
		t.Run(interpreterName(py), func(t *testing.T) {
			c := corpus(t, bzlmod, py)
			spawns := c.build(t)
			if len(spawns) != len(variants) {
				t.Errorf("%d PycCompile actions, want one per target (%d)", len(spawns), len(variants))
			}
			checkCorpusBytes(t, c, c.outputs(t, filepath.Join(c.dir, "bazel-bin")))
		})
	}
}

// TestPycBytesMatchPyCompileWorkspace does the same in WORKSPACE mode, with
// the default interpreter.
func TestPycBytesMatchPyCompileWorkspace(t *testing.T) {
	c := corpus(t, workspaceM, pickPython(t))
	c.build(t)
	checkCorpusBytes(t, c, c.outputs(t, filepath.Join(c.dir, "bazel-bin")))
}

// checkCorpusBytes compares the files Bazel wrote with py_compile's and the CLI's.
func checkCorpusBytes(t *testing.T, c *corpusWorkspace, got map[string][]byte) {
	cli := c.cliCompile(t)
	refs := c.references(t)
	bad := 0
	for _, v := range variants {
		for _, src := range c.srcs {
			out := v.output(src, c.py.CacheTag)
			want := refs[out]
			if !bytes.Equal(got[out], want) {
				bad++
				t.Errorf("%s: Bazel's pyc differs from py_compile's: %s", out, firstDiff(got[out], want))
			}
			if !bytes.Equal(cli[out], want) {
				bad++
				t.Errorf("%s: the pyc CLI's differs from py_compile's: %s", out, firstDiff(cli[out], want))
			}
		}
	}
	if bad == 0 {
		t.Logf("%s: %d files x %d variants identical to py_compile and the CLI", c.py, len(c.srcs), len(variants))
	}
}

// chrooted returns the chroot's interpreters, which Bazel (run inside the
// chroot) can use as they are. None when the chroot can't be had, but under
// CI that fails the test.
func chrooted(t testing.TB) []pythons.Interpreter {
	t.Helper()
	found := pythons.Chrooted(t)
	if len(found) == 0 && pythons.OnCI() {
		t.Fatalf("the chroot's interpreters are needed under CI (see the log above)")
	}
	return found
}

// interpreterName names a subtest: version and where the interpreter lives.
func interpreterName(py pythons.Interpreter) string {
	if py.Chroot != "" {
		return py.Version + "-chroot"
	}
	return py.Version + "-" + filepath.Base(filepath.Dir(filepath.Dir(py.Path)))
}
