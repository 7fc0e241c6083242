package please

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/rules-pyc/rules_pyc/internal/pyref"
	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

// pickPython picks the interpreter most tests use: a 3.12 if there is one
// (it still has nntplib), else the newest host interpreter.
func pickPython(t *testing.T) pythons.Interpreter {
	t.Helper()
	found := pythons.Require(t, 1)
	best := found[len(found)-1]
	for _, p := range found {
		if p.Major == 3 && p.Minor == 12 && !p.Embedded {
			return p
		}
	}
	return best
}

// fileState is what tells a rewritten file from an untouched one.
type fileState struct {
	ino   uint64
	mtime int64
	data  []byte
}

// outputStates reads every file under plz-out/gen/pkg for each package.
func outputStates(t *testing.T, r *hostRepo, pkgs []string) map[string]fileState {
	t.Helper()
	states := map[string]fileState{}
	for _, pkg := range pkgs {
		root := r.gen(pkg)
		err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.Type().IsRegular() || !strings.HasSuffix(p, ".pyc") {
				return nil
			}
			info, err := os.Stat(p)
			if err != nil {
				return err
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			st := info.Sys().(*syscall.Stat_t)
			rel, _ := filepath.Rel(r.gen(""), p)
			states[filepath.ToSlash(rel)] = fileState{ino: st.Ino, mtime: info.ModTime().UnixNano(), data: data}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return states
}

// builtTargets runs `plz build //...` and returns the targets it ran a
// command for, from Please's own debug log ("Building target //pkg:name";
// an up-to-date target logs "Not rebuilding ..., nothing's changed"). When
// plz is stopped and run again (see plzLimit), each attempt logs to a file
// of its own and the targets of both count: what the stopped one built, the
// second finds up to date.
func builtTargets(t *testing.T, r *hostRepo) map[string]bool {
	t.Helper()
	dir := t.TempDir()
	logOf := func(attempt int) string { return filepath.Join(dir, fmt.Sprintf("build%d.log", attempt)) }
	res := r.plzEach(func(attempt int) []string {
		return []string{"--log_file=" + logOf(attempt), "--log_file_level=debug", "build", "//..."}
	})
	if res.err != nil {
		t.Fatalf("plz build //... in %s: %v\n%s", r.dir, res.err, tail(res.out, 40))
	}
	built := map[string]bool{}
	logs := 0
	for attempt := 1; attempt <= 2; attempt++ {
		data, err := os.ReadFile(logOf(attempt))
		if errors.Is(err, fs.ErrNotExist) {
			continue // no such attempt, or stopped before it logged
		}
		if err != nil {
			t.Fatal(err)
		}
		logs++
		for _, m := range buildingTarget.FindAllStringSubmatch(string(data), -1) {
			built[m[1]] = true
		}
	}
	if logs == 0 {
		t.Fatalf("plz build //... wrote no log in %s", dir)
	}
	return built
}

var buildingTarget = regexp.MustCompile(`DEBUG: Building target (//[^\s]+)`)

// TestChangedSourceRebuildsOnlyItsRules edits one source that two rules of
// one package compile (one in each layout): those two rules, and no other,
// run again; the edited source's outputs become what py_compile writes for
// the new text, the rebuilt rules' other outputs keep their bytes, and every
// output of the other rules is left as it was (same file, same mtime, same
// bytes). A build with nothing changed then runs nothing and touches
// nothing.
func TestChangedSourceRebuildsOnlyItsRules(t *testing.T) {
	py := pickPython(t)
	lib := func(name, layout string, srcs ...string) string {
		return fmt.Sprintf("pyc_library(\n    name = %q,\n    srcs = [%s],\n    layout = %q,\n)\n", name, quoteList(srcs), layout)
	}
	r := newHostRepo(t, py, "", map[string]string{
		"a/BUILD.plz": "subinclude(\"///pyc//build_defs:pyc\")\n\n" +
			lib("cached", "pycache", "shared.py", "one.py") + "\n" + lib("legacy", "legacy", "shared.py", "two.py"),
		"a/shared.py": "VALUE = 1\n",
		"a/one.py":    "ONE = {'a', 'b'}\n",
		"a/two.py":    "def two():\n    return 2\n",
		"b/BUILD.plz": "subinclude(\"///pyc//build_defs:pyc\")\n\n" + lib("b", "pycache", "x.py", "sub/y.py"),
		"b/x.py":      "X = 'x'\n",
		"b/sub/y.py":  "Y = b'y'\n",
		"c/BUILD.plz": "subinclude(\"///pyc//build_defs:pyc\")\n\n" + lib("c", "legacy", "z.py"),
		"c/z.py":      "import os\nZ = os.sep\n",
	})
	pkgs := []string{"a", "b", "c"}
	rules := []string{"//a:cached", "//a:legacy", "//b:b", "//c:c"}
	if built := builtTargets(t, r); !hasAll(built, rules) {
		t.Fatalf("the first build ran %v, want every rule %v", keys(built), rules)
	}
	before := outputStates(t, r, pkgs)
	tag := py.CacheTag
	changed := map[string]bool{"a/__pycache__/shared." + tag + ".pyc": true, "a/shared.pyc": true}
	if len(before) != 7 {
		t.Fatalf("%d outputs after the first build, want 7: %v", len(before), keys(before))
	}

	writeFiles(t, r.dir, map[string]string{"a/shared.py": "VALUE = 2  # changed\n"})
	built := builtTargets(t, r)
	for _, rule := range rules {
		if want := strings.HasPrefix(rule, "//a:"); built[rule] != want {
			t.Errorf("after editing a/shared.py, %s ran: %v, want %v", rule, built[rule], want)
		}
	}
	after := outputStates(t, r, pkgs)
	for name, b := range before {
		a, ok := after[name]
		switch {
		case !ok:
			t.Errorf("%s is gone after the rebuild", name)
		case changed[name]:
			if bytes.Equal(a.data, b.data) {
				t.Errorf("%s: the edited source's output did not change", name)
			}
		case strings.HasPrefix(name, "a/"):
			if !bytes.Equal(a.data, b.data) {
				t.Errorf("%s: an unchanged source's output changed in its rule's rebuild: %s", name, firstDiff(a.data, b.data))
			}
		default:
			if a.ino != b.ino || a.mtime != b.mtime || !bytes.Equal(a.data, b.data) {
				t.Errorf("%s: the output of a rule without the edited source was rewritten (inode %d -> %d, mtime %d -> %d)", name, b.ino, a.ino, b.mtime, a.mtime)
			}
		}
	}
	for out := range changed {
		ref, err := pyref.CompileWith(py.Runner(), pyref.Spec{Source: filepath.Join(r.dir, "a", "shared.py"), DFile: "a/shared.py", Mode: pyref.CheckedHash}, t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(after[out].data, ref.Data) {
			t.Errorf("%s after the edit differs from py_compile's: %s", out, firstDiff(after[out].data, ref.Data))
		}
	}

	if built := builtTargets(t, r); len(built) != 0 {
		t.Errorf("a build with nothing changed ran %v", keys(built))
	}
	again := outputStates(t, r, pkgs)
	for name, a := range after {
		if g := again[name]; g.ino != a.ino || g.mtime != a.mtime {
			t.Errorf("%s: rewritten by a build with nothing changed", name)
		}
	}
}

func hasAll(set map[string]bool, items []string) bool {
	for _, s := range items {
		if !set[s] {
			return false
		}
	}
	return true
}

// TestBadSource checks the failures: a source that does not compile fails
// its rule with py_compile's message for it (file from the repository root,
// line, caret) while the other rules build; an interpreter that is not the
// configured version fails with a message naming both.
func TestBadSource(t *testing.T) {
	py := pickPython(t)
	r := newHostRepo(t, py, "", map[string]string{
		"pkg/BUILD.plz": "subinclude(\"///pyc//build_defs:pyc\")\n\n" +
			"pyc_library(\n    name = \"bad\",\n    srcs = [\"ok.py\", \"bad.py\"],\n)\n\n" +
			"pyc_library(\n    name = \"good\",\n    srcs = [\"fine.py\"],\n)\n",
		"pkg/ok.py":   "OK = 1\n",
		"pkg/bad.py":  "def ok():\n    return 1\n\n\ndef broken(:\n    pass\n",
		"pkg/fine.py": "FINE = 1\n",
	})
	ref, err := pyref.CompileWith(py.Runner(), pyref.Spec{Source: filepath.Join(r.dir, "pkg", "bad.py"), DFile: "pkg/bad.py"}, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if ref.Error == "" {
		t.Fatal("py_compile accepted the broken source")
	}
	res := r.plz("build", "//pkg:bad")
	if res.err == nil {
		t.Fatal("building a source with a syntax error succeeded")
	}
	for _, line := range strings.Split(ref.Error, "\n") {
		if strings.TrimSpace(line) != "" && !strings.Contains(res.out, line) {
			t.Errorf("plz's output lacks py_compile's line %q\npy_compile says:\n%s\nplz says:\n%s", line, ref.Error, tail(res.out, 30))
		}
	}
	t.Logf("the message:\n%s", tail(res.out, 12))
	r.mustPlz("build", "//pkg:good")

	t.Run("mismatched version", func(t *testing.T) {
		stated := fmt.Sprintf("%d.%d", py.Major, py.Minor+1)
		res := r.plz("build", "-o", "plugin.pyc.pythonversion:"+stated, "//pkg:good")
		if res.err == nil {
			t.Fatalf("a build whose interpreter (%s) is not the configured %s succeeded", py, stated)
		}
		for _, want := range []string{"is CPython " + py.Version, "Python " + stated + " was requested"} {
			if !strings.Contains(res.out, want) {
				t.Errorf("the error lacks %q:\n%s", want, tail(res.out, 20))
			}
		}
	})
}

func quoteList(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestExample runs examples/please as its README says, in a copy of the
// checkout (the example loads the plugin from the checkout it lives in):
// `plz test //...` with the pyc built here and the interpreter found here (a
// 3.13, as the example asks, which the default backend compiles for
// natively, when the host has one), then `plz build //...`; every pyc it
// wrote equals py_compile's.
func TestExample(t *testing.T) {
	requirePlease(t)
	py := pickPython(t)
	for _, p := range pythons.Find(t) {
		if p.Major == 3 && p.Minor == 13 && !p.Embedded && p.Chroot == "" {
			py = p
		}
	}
	t.Logf("the example's interpreter: %s", py)
	root := filepath.Join(t.TempDir(), "rules_pyc")
	copyTree(t, filepath.Join(env.repo, "build_defs"), filepath.Join(root, "build_defs"))
	copyTree(t, filepath.Join(env.repo, "examples", "please"), filepath.Join(root, "examples", "please"))
	copyFile(t, filepath.Join(env.repo, ".plzconfig"), filepath.Join(root, ".plzconfig"))
	r := &hostRepo{t: t, dir: filepath.Join(root, "examples", "please"), py: py}
	overrides := []string{
		"-o", "plugin.pyc.tool:" + env.pyc,
		"-o", "plugin.pyc.interpreter:" + py.Path,
		"-o", fmt.Sprintf("plugin.pyc.pythonversion:%d.%d", py.Major, py.Minor),
	}
	res := r.mustPlz(append(overrides, "test", "//...")...)
	if !strings.Contains(res.out, "1 passed") {
		t.Errorf("plz test //... did not pass one test:\n%s", tail(res.out, 20))
	}
	r.mustPlz(append(overrides, "build", "//...")...)
	tag := py.CacheTag
	checks := map[string]pyref.Spec{
		"app/hello.pyc":      {DFile: "app/hello.py", Mode: pyref.UncheckedHash},
		"greet/greeting.pyc": {DFile: "greet/greeting.py", Mode: pyref.UncheckedHash},
		"greet/__pycache__/__init__." + tag + ".pyc":       {DFile: "greet/__init__.py", Mode: pyref.CheckedHash},
		"greet/__pycache__/greeting." + tag + ".opt-2.pyc": {DFile: "greet/greeting.py", Optimize: 2, Mode: pyref.CheckedHash},
	}
	for out, spec := range checks {
		spec.Source = filepath.Join(r.dir, filepath.FromSlash(spec.DFile))
		ref, err := pyref.CompileWith(py.Runner(), spec, t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(r.gen(out))
		if err != nil {
			t.Errorf("%s: %v", out, err)
			continue
		}
		if !bytes.Equal(got, ref.Data) {
			t.Errorf("%s differs from py_compile's: %s", out, firstDiff(got, ref.Data))
		}
	}
}

// copyTree copies the regular files under src to dst.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "plz-out" {
			return filepath.SkipDir
		}
		if d.Type().IsRegular() {
			rel, err := filepath.Rel(src, p)
			if err != nil {
				return err
			}
			copyFile(t, p, filepath.Join(dst, rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestToolSettings checks the Tool and Backend settings: Tool may be a
// build label (here a rule that provides the pyc binary), whose output the
// rules run; the default Backend, auto, compiles a 3.13 with the native
// compiler, only asking the interpreter its version; Backend native passes
// --backend native and no interpreter, and the native compiler writes the
// target release's py_compile bytes.
func TestToolSettings(t *testing.T) {
	py := pickPython(t)
	r := newHostRepo(t, py, "", map[string]string{
		"tools/BUILD.plz": fmt.Sprintf("genrule(\n    name = \"pyc\",\n    outs = [\"pyc\"],\n    binary = True,\n    cmd = \"cp %s $OUT\",\n    visibility = [\"PUBLIC\"],\n)\n", env.pyc),
		"pkg/BUILD.plz":   "subinclude(\"///pyc//build_defs:pyc\")\n\npyc_library(\n    name = \"lib\",\n    srcs = [\"m.py\"],\n)\n",
		"pkg/m.py":        "M = {'m'}\n",
	})
	t.Run("tool label", func(t *testing.T) {
		r.mustPlz("-o", "plugin.pyc.tool://tools:pyc", "build", "//pkg:lib")
		ref, err := pyref.CompileWith(py.Runner(), pyref.Spec{Source: filepath.Join(r.dir, "pkg", "m.py"), DFile: "pkg/m.py"}, t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(r.gen("pkg/__pycache__/m." + py.CacheTag + ".pyc"))
		if err != nil || !bytes.Equal(got, ref.Data) {
			t.Errorf("with Tool = //tools:pyc: %v, bytes equal to py_compile's: %v", err, bytes.Equal(got, ref.Data))
		}
	})
	t.Run("default backend", func(t *testing.T) {
		// The default, auto, with a 3.13 interpreter that answers pyc's
		// version probe and fails if started as a compile server: the rule
		// compiles natively, as that interpreter's exact release.
		var py313 pythons.Interpreter
		for _, p := range pythons.Minor(t, 3, 13) {
			if p.Chroot == "" && !p.Embedded {
				py313 = p
			}
		}
		if py313.Path == "" {
			t.Skip("no CPython 3.13 on the host (plz runs the host's rules)")
		}
		fake := filepath.Join(t.TempDir(), "python3")
		script := "#!/bin/sh\nfor a in \"$@\"; do\n  case \"$a\" in\n  *'def main('*) echo 'this interpreter was asked to compile' >&2; exit 1;;\n  esac\ndone\nexec '" + py313.Path + "' \"$@\"\n"
		if err := os.WriteFile(fake, []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
		r.mustPlz("-o", "plugin.pyc.pythonversion:3.13", "-o", "plugin.pyc.interpreter:"+fake, "build", "//pkg:lib")
		ref, err := pyref.CompileWith(py313.Runner(), pyref.Spec{Source: filepath.Join(r.dir, "pkg", "m.py"), DFile: "pkg/m.py"}, t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(r.gen("pkg/__pycache__/m." + py313.CacheTag + ".pyc"))
		if err != nil || !bytes.Equal(got, ref.Data) {
			t.Errorf("with the default Backend and %s only asked its version: %v, bytes equal to its py_compile's: %v", py313.Version, err, bytes.Equal(got, ref.Data))
		}
		// With Backend = cpython the same interpreter fails the rule: it
		// does stand in the way of a compile.
		if res := r.plz("-o", "plugin.pyc.backend:cpython", "-o", "plugin.pyc.pythonversion:3.13", "-o", "plugin.pyc.interpreter:"+fake, "build", "//pkg:lib"); res.err == nil || !strings.Contains(res.out, "asked to compile") {
			t.Errorf("Backend = cpython with an interpreter that refuses to compile: %v\n%s", res.err, tail(res.out, 20))
		}
	})
	t.Run("native backend", func(t *testing.T) {
		// The native compiler, for the exact release of a 3.13 on the
		// machine, with an interpreter setting that does not exist: the
		// rule runs no interpreter, and its bytes are that release's
		// py_compile's.
		found := pythons.Minor(t, 3, 13)
		if len(found) == 0 {
			if pythons.OnCI() {
				t.Fatal("no CPython 3.13 to compare the native backend with")
			}
			t.Skip("no CPython 3.13 on the machine")
		}
		py313 := found[0]
		r.mustPlz("-o", "plugin.pyc.backend:native", "-o", "plugin.pyc.pythonversion:"+py313.Version,
			"-o", "plugin.pyc.interpreter:/nonexistent/python3", "build", "//pkg:lib")
		ref, err := pyref.CompileWith(py313.Runner(), pyref.Spec{Source: filepath.Join(r.dir, "pkg", "m.py"), DFile: "pkg/m.py"}, t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(r.gen("pkg/__pycache__/m." + py313.CacheTag + ".pyc"))
		if err != nil || !bytes.Equal(got, ref.Data) {
			t.Errorf("with Backend = native for %s: %v, bytes equal to its py_compile's: %v", py313.Version, err, bytes.Equal(got, ref.Data))
		}
	})
}
