package bazel

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

// pickPython picks the interpreter the examples and most tests use: a 3.12
// if there is one, else the newest interpreter found.
func pickPython(t testing.TB) pythons.Interpreter {
	t.Helper()
	found := pythons.Require(t, 1)
	best := found[0]
	for _, p := range found {
		if p.Embedded {
			continue
		}
		if p.Major == 3 && p.Minor == 12 {
			return p
		}
		if p.AtLeast(best.Major, best.Minor) {
			best = p
		}
	}
	return best
}

// checkoutA is the clone the examples and the generated workspaces use.
var checkoutA = struct {
	once sync.Once
	dir  string
}{}

func cloneA(t testing.TB) string {
	t.Helper()
	checkoutA.once.Do(func() {
		checkoutA.dir = checkout(t, filepath.Join(env.tmp, "a", "rules_pyc"))
	})
	if checkoutA.dir == "" {
		t.Fatal("checkout A could not be created")
	}
	return checkoutA.dir
}

// exampleWorkspace returns the example of mode m in checkout root, run the way
// examples/README.md says: with examples/offline.bazelrc.
func exampleWorkspace(t testing.TB, root string, m mode, python string) *workspace {
	dir := filepath.Join(root, "examples", string(m))
	w := newWorkspace(t, dir, m, python)
	w.rcs = []string{filepath.Join(root, "examples", "offline.bazelrc")}
	w.ownGo = true
	return w
}

// loaderLine matches what app/hello.py prints for each module.
var loaderLine = regexp.MustCompile(`^(\S+): (\w+) (\S+)$`)

// loaders returns module -> (loader, file) from hello's output.
func loaders(t testing.TB, out string) map[string][2]string {
	t.Helper()
	m := map[string][2]string{}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		if g := loaderLine.FindStringSubmatch(sc.Text()); g != nil {
			m[g[1]] = [2]string{g[2], g[3]}
		}
	}
	return m
}

// examplePython is the interpreter the examples run on: they target
// CPython 3.13 (python_version = "3.13"), compiled natively for the exact
// release of the interpreter found. The host's 3.13 (pyenv's) if there is
// one, named through PYC_PYTHON; else the chroot's.
func examplePython(t *testing.T) pythons.Interpreter {
	t.Helper()
	return interpreters313(t)[0]
}

// TestExamples builds, runs and tests both examples, in bzlmod and in
// WORKSPACE mode, and checks how their modules were imported.
func TestExamples(t *testing.T) {
	root := cloneA(t)
	py := examplePython(t)
	for _, m := range []mode{bzlmod, workspaceM} {
		t.Run(string(m), func(t *testing.T) {
			checkExample(t, exampleWorkspace(t, root, m, py.Path), py)
		})
	}
}

// checkExample builds and tests the example in w, runs its binaries and
// checks that they imported every module from the pyc the rules compiled
// for py.
func checkExample(t *testing.T, w *workspace, py pythons.Interpreter) {
	t.Helper()
	w.mustBazel("build", "//...")
	w.mustBazel("test", "//...")
	if py.Major == 3 && py.Minor == 13 {
		// Compiled natively for the interpreter's exact release.
		checkNativeCommand(t, w, "//greet", "bin/python3", py.Version)
	}

	out := w.mustBazel("run", "//app:hello").stdout
	if !strings.Contains(out, "Hello, world!") {
		t.Errorf("//app:hello printed %q, want Hello, world!", out)
	}
	tag := py.CacheTag
	for module, file := range map[string]string{
		"__main__":       "app/__pycache__/hello." + tag + ".pyc",
		"greet":          "greet/__pycache__/__init__." + tag + ".pyc",
		"greet.greeting": "greet/__pycache__/greeting." + tag + ".pyc",
	} {
		got := loaders(t, out)[module]
		if got[0] != "SourceFileLoader" || !strings.HasSuffix(got[1], file) {
			t.Errorf("//app:hello: %s loaded by %v, want SourceFileLoader with cache %s", module, got, file)
		} else if _, err := os.Stat(got[1]); err != nil {
			t.Errorf("//app:hello: %s: cached file: %v", module, err)
		}
	}

	out = w.mustBazel("run", "//app:shout", "--", "hi", "there").stdout
	if !strings.Contains(out, "HI THERE!") {
		t.Errorf("//app:shout printed %q, want HI THERE!", out)
	}
	if got := loaders(t, out)["legacy.shout"]; !strings.HasSuffix(got[1], "legacy/__pycache__/shout."+tag+".pyc") {
		t.Errorf("//app:shout: legacy.shout loaded by %v, want the pyc pyc_library compiled", got)
	}
	if _, err := os.Stat(filepath.Join(w.dir, "bazel-bin", "app", "shout.runfiles", runfilesRoot(w.mode), "legacy", "__pycache__", "shout."+tag+".pyc")); err != nil {
		t.Errorf("//app:shout: pyc_library's output is not in the runfiles: %v", err)
	}
}

// TestNewestChrootInterpreter takes the newest interpreter of the chroot
// (3.15) through Bazel end to end: the bzlmod example built, tested and run
// with it (its binaries import every module from a pyc with its magic
// number and cache tag, which CPython only accepts when they are its own),
// and a toolchain that states the previous minor version is refused.
func TestNewestChrootInterpreter(t *testing.T) {
	found := chrooted(t)
	if len(found) == 0 {
		t.Skip("no chroot interpreters (see the log)")
	}
	py := found[len(found)-1]
	t.Logf("with %s (magic %x, cache tag %s)", py, py.Magic[:], py.CacheTag)
	t.Run("example", func(t *testing.T) {
		// The bzlmod example, for this interpreter's release instead of 3.13.
		root := cloneA(t)
		dir := filepath.Join(root, "examples", "bzlmod-newest")
		if err := copyTree(filepath.Join(root, "examples", "bzlmod"), dir); err != nil {
			t.Fatal(err)
		}
		module := filepath.Join(dir, "MODULE.bazel")
		b, err := os.ReadFile(module)
		if err != nil {
			t.Fatal(err)
		}
		stated := `python_version = "3.13"`
		if !strings.Contains(string(b), stated) {
			t.Fatalf("examples/bzlmod/MODULE.bazel lacks %s", stated)
		}
		b = []byte(strings.Replace(string(b), stated, fmt.Sprintf(`python_version = "%d.%d"`, py.Major, py.Minor), 1))
		if err := os.WriteFile(module, b, 0o644); err != nil {
			t.Fatal(err)
		}
		w := newWorkspace(t, dir, bzlmod, py.Path)
		w.rcs = []string{filepath.Join(root, "examples", "offline.bazelrc")}
		w.ownGo = true
		checkExample(t, w, py)
	})
	t.Run("mismatched", func(t *testing.T) {
		checkMismatch(t, corpus(t, bzlmod, py), fmt.Sprintf("%d.%d", py.Major, py.Minor-1))
	})
}

// runfilesRoot is the directory of the main repository in the examples' runfiles.
func runfilesRoot(m mode) string {
	if m == bzlmod {
		return "_main"
	}
	return "rules_pyc_example_workspace"
}

// TestSourcelessBinary runs the omit_source binary straight from bazel-bin
// and checks that every module came from a .pyc with no .py in the runfiles.
func TestSourcelessBinary(t *testing.T) {
	root := cloneA(t)
	py := examplePython(t)
	for _, m := range []mode{bzlmod, workspaceM} {
		t.Run(string(m), func(t *testing.T) {
			w := exampleWorkspace(t, root, m, py.Path)
			w.mustBazel("build", "//app:hello_sourceless")
			bin := filepath.Join(w.dir, "bazel-bin", "app", "hello_sourceless")

			manifest, err := os.ReadFile(bin + ".runfiles_manifest")
			if err != nil {
				t.Fatal(err)
			}
			pycs := 0
			for _, line := range strings.Split(string(manifest), "\n") {
				name, _, _ := strings.Cut(line, " ")
				if strings.HasSuffix(name, ".py") {
					t.Errorf("runfiles hold a source: %s", name)
				}
				if strings.HasSuffix(name, ".pyc") {
					pycs++
				}
			}
			if pycs != 3 {
				t.Errorf("runfiles hold %d .pyc files, want 3 (app/hello, greet/__init__, greet/greeting)", pycs)
			}

			out := runCommand(t, w.dir, nil, bin)
			got := loaders(t, out)
			for _, module := range []string{"__main__", "greet", "greet.greeting"} {
				if got[module][0] != "SourcelessFileLoader" {
					t.Errorf("%s loaded by %v, want SourcelessFileLoader", module, got[module])
				}
			}
			if len(got) != 3 {
				t.Errorf("hello_sourceless printed %q, want three modules", out)
			}
		})
	}
}

// TestRootBuild builds rules_pyc itself as its root .bazelrc says, offline:
// `scripts/bazel build --config=offline //...` with pyc built by go build.
func TestRootBuild(t *testing.T) {
	w := newWorkspace(t, cloneA(t), bzlmod, pickPython(t).Path)
	cmd := w.command("build", "--config=offline", "--color=no", "--curses=no", "--repo_env=PYC_PYTHON="+w.python, "//...")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("scripts/bazel build --config=offline //... at the root: %v\n%s", err, tail(string(out), 30))
	}
}
