package please

import (
	"bytes"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/rules-pyc/rules_pyc/internal/pyref"
	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

// handWritten are sources that exercise what makes bytes differ: set
// constants (hash order before 3.11), encodings, line endings, docstrings and
// asserts (removed by -O and -OO), an empty module, files in subdirectories.
var handWritten = map[string]string{
	"sets.py":           "def f(x):\n    return x in {\"alpha\", \"beta\", \"gamma\", \"delta\", \"epsilon\", \"zeta\"}\n",
	"bom_crlf.py":       "\ufeff# A BOM and CRLF line endings.\r\nS = 'caf\u00e9'\r\n",
	"latin1.py":         "# -*- coding: latin-1 -*-\nS = '\xe9t\xe9'\n",
	"docs.py":           "\"\"\"Module doc.\"\"\"\n\n\ndef f(x):\n    \"\"\"Function doc.\"\"\"\n    assert x, 'x must be true'\n    return __debug__\n",
	"empty.py":          "",
	"__init__.py":       "from .sets import f\n",
	"sub/nested.py":     "from . import x\n\nVALUES = (1, 2.5, 3j, b'b', None, ..., frozenset({1, 2}))\n",
	"sub/deeper/raw.py": "import sys\n\ndef main():\n    raise SystemExit(sys.argv)\n",
}

// stdlibNames are modules of the interpreter's own library added to the
// corpus when it has them: large ones, and nntplib before ftplib, after
// which one interpreter process writes another ftplib pyc than a fresh one.
var stdlibNames = []string{"nntplib.py", "ftplib.py", "weakref.py", "typing.py", "argparse.py"}

// variant is one pyc_library configuration, in a package of its own over a
// copy of the corpus.
type variant struct {
	pkg    string
	attrs  string // pyc_library arguments besides name and srcs
	levels []int
	mode   pyref.Mode
	legacy bool
}

var variants = []variant{
	{pkg: "default", levels: []int{0}, mode: pyref.CheckedHash},
	{pkg: "levels", attrs: "optimize = [2, 0, 1],\n    invalidation_mode = \"unchecked_hash\",", levels: []int{0, 1, 2}, mode: pyref.UncheckedHash},
	{pkg: "legacy/timestamp", attrs: "layout = \"legacy\",\n    invalidation_mode = \"timestamp\",", levels: []int{0}, mode: pyref.Timestamp, legacy: true},
	{pkg: "legacy/oo", attrs: "layout = \"legacy\",\n    optimize = [2],", levels: []int{2}, mode: pyref.CheckedHash, legacy: true},
}

// output returns where CPython looks for the pyc of src (relative to the
// package) at level, relative to the package: computed from the
// interpreter's own cache tag.
func (v variant) output(src, cacheTag string, level int) string {
	stem := strings.TrimSuffix(src, ".py")
	if v.legacy {
		return stem + ".pyc"
	}
	name := path.Base(stem) + "." + cacheTag
	if level > 0 {
		name += fmt.Sprintf(".opt-%d", level)
	}
	return path.Join(path.Dir(src), "__pycache__", name+".pyc")
}

// references returns py_compile's pyc for each spec, each from a fresh
// process of py: started by the test, or for a chroot interpreter by one
// driver process inside the chroot (each start through scripts/chroot costs
// a tenth of a second).
func references(t *testing.T, py pythons.Interpreter, specs []pyref.Spec) []pyref.Result {
	t.Helper()
	refs, err := py.References(specs, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return refs
}

// corpusFiles returns the corpus for py: the hand-written sources and the
// stdlibNames it has (relative path -> content).
func corpusFiles(t *testing.T, py pythons.Interpreter) map[string]string {
	t.Helper()
	files := map[string]string{}
	for name, text := range handWritten {
		files[name] = text
	}
	lib := py.Stdlib(t)
	has := map[string]bool{}
	for _, f := range lib.Files {
		has[f] = true
	}
	for _, name := range stdlibNames {
		if has[name] {
			b, err := os.ReadFile(filepath.Join(lib.Root, name))
			if err != nil {
				t.Fatal(err)
			}
			files["std/"+name] = string(b)
		}
	}
	return files
}

// TestPycLibraryMatchesPyCompile builds pyc_library targets in every layout,
// optimization level and invalidation mode, in the root package and in
// nested ones, with every interpreter found (the sid chroot's too, with plz
// run inside the chroot), and compares every output with what py_compile
// writes in a fresh process for the same source under its path from the
// repository root.
func TestPycLibraryMatchesPyCompile(t *testing.T) {
	requirePlease(t)
	for _, py := range append(pythons.Require(t, 1), chrooted(t)...) {
		t.Run(interpreterName(py), func(t *testing.T) {
			corpus := corpusFiles(t, py)
			srcs := make([]string, 0, len(corpus))
			for name := range corpus {
				srcs = append(srcs, name)
			}
			sort.Strings(srcs)
			files := map[string]string{
				"BUILD.plz": "subinclude(\"///pyc//build_defs:pyc\")\n\npyc_library(\n    name = \"top\",\n    srcs = [\"top.py\"],\n)\n",
				"top.py":    "TOP = {'root', 'package'}\n",
			}
			for _, v := range variants {
				files[v.pkg+"/BUILD.plz"] = fmt.Sprintf("subinclude(\"///pyc//build_defs:pyc\")\n\npyc_library(\n    name = \"lib\",\n    srcs = glob([\"**/*.py\"]),\n    %s\n)\n", v.attrs)
				for name, text := range corpus {
					files[v.pkg+"/"+name] = text
				}
			}
			r := newHostRepo(t, py, "", files)
			r.mustPlz("build", "//...")

			type check struct{ got, name string }
			var checks []check
			var specs []pyref.Spec
			checks = append(checks, check{r.gen(path.Join("__pycache__", "top."+py.CacheTag+".pyc")), "top.py"})
			specs = append(specs, pyref.Spec{Source: filepath.Join(r.dir, "top.py"), DFile: "top.py", Mode: pyref.CheckedHash})
			for _, v := range variants {
				for _, src := range srcs {
					for _, level := range v.levels {
						name := v.pkg + "/" + src
						checks = append(checks, check{r.gen(path.Join(v.pkg, v.output(src, py.CacheTag, level))), fmt.Sprintf("%s -O%d %s", name, level, v.mode)})
						specs = append(specs, pyref.Spec{Source: filepath.Join(r.dir, filepath.FromSlash(name)), DFile: name, Optimize: level, Mode: v.mode})
					}
				}
			}
			refs := references(t, py, specs)
			bad := 0
			for i, c := range checks {
				got, err := os.ReadFile(c.got)
				if err != nil {
					bad++
					t.Errorf("%s: %v", c.name, err)
					continue
				}
				if refs[i].Error != "" {
					t.Fatalf("%s: py_compile refused it: %s", c.name, refs[i].Error)
				}
				if !bytes.Equal(got, refs[i].Data) {
					bad++
					t.Errorf("%s: %s differs from py_compile's: %s", c.name, c.got, firstDiff(got, refs[i].Data))
				}
			}
			if n := countPycs(t, filepath.Join(r.dir, "plz-out", "gen")); n != len(checks) {
				t.Errorf("plz-out/gen holds %d .pyc files, want the %d declared", n, len(checks))
			}
			if bad == 0 {
				t.Logf("%s: %d outputs identical to py_compile's", py, len(checks))
			}
		})
	}
}

// countPycs counts the .pyc files under dir.
func countPycs(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() && strings.HasSuffix(p, ".pyc") {
			n++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// chrooted returns the sid chroot's interpreters (none when the chroot can't
// be had, but under CI that fails the test).
func chrooted(t *testing.T) []pythons.Interpreter {
	t.Helper()
	found := pythons.Chrooted(t)
	if len(found) == 0 && pythons.OnCI() {
		t.Fatal("the chroot's interpreters are needed under CI (see the log above)")
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
