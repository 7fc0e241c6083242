//go:build linux

package worker

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rules-pyc/rules_pyc/internal/pyref"
	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

// python returns the interpreter most tests compile with: the newest one
// found that is not the extracted 3.14 (which takes longer to find).
func python(t *testing.T) pythons.Interpreter {
	t.Helper()
	found := pythons.Require(t, 1)
	best := found[len(found)-1]
	for i := len(found) - 1; i >= 0; i-- {
		if !found[i].Embedded {
			best = found[i]
			break
		}
	}
	t.Logf("compiling with %s", best)
	return best
}

// majorMinor is "X.Y", as --python_version takes it.
func majorMinor(in pythons.Interpreter) string {
	return fmt.Sprintf("%d.%d", in.Major, in.Minor)
}

// fixtures are small sources that exercise what makes .pyc bytes differ
// between compilers: interned and shared strings, constants, nested code,
// docstrings, non-ASCII text.
var fixtures = map[string]string{
	"consts.py":  "X = 1\nY = 'x'\nZ = (1, 2.5, 3j, None, b'x', ('nested', 'x'))\nBIG = 2 ** 100\n",
	"classes.py": "\"\"\"Module doc.\"\"\"\n\n\nclass C:\n    \"\"\"Class doc.\"\"\"\n    attr = 'C'\n\n    def method(self, x, *args, key=None, **kw):\n        return [a for a in args if a != key] or {x: kw}\n",
	"strings.py": "# -*- coding: utf-8 -*-\nname = 'name'\ns = 'ünïcode ✓'\nt = f'{name!r:>10} {s}'\nu = 'name' + 'name'\n",
	"funcs.py":   "import os\n\n\ndef f(a, b=2):\n    def g():\n        return a + b\n    try:\n        return g()\n    except Exception as e:\n        raise ValueError(str(e)) from e\n    finally:\n        pass\n\n\nlam = lambda x: x * 2\n",
}

// stdlibNames are small stdlib modules present from 3.8 to 3.14.
var stdlibNames = []string{"colorsys.py", "keyword.py", "bisect.py"}

// writeSources writes the fixtures, and copies of a few of in's own stdlib
// modules, into dir and returns the files to compile (with outputs in out).
func writeSources(t *testing.T, in pythons.Interpreter, dir, out string) []file {
	t.Helper()
	var files []file
	for name, text := range fixtures {
		src := filepath.Join(dir, name)
		if err := os.WriteFile(src, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, file{src: src, name: "pkg/" + name, pyc: filepath.Join(out, strings.TrimSuffix(name, ".py")+".pyc")})
	}
	stdlib, err := pyref.Stdlib(in.Path)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range stdlibNames {
		var best string
		for _, p := range stdlib {
			if filepath.Base(p) == want && (best == "" || len(p) < len(best)) {
				best = p
			}
		}
		if best == "" {
			t.Fatalf("%s has no %s in its stdlib", in, want)
		}
		src := filepath.Join(dir, want)
		if err := os.WriteFile(src, mustReadFile(t, best), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, file{src: src, name: want, pyc: filepath.Join(out, strings.TrimSuffix(want, ".py")+".pyc")})
	}
	return files
}

// reference runs py_compile on every file (fresh process each) and returns
// the bytes it writes, indexed like files.
func reference(t *testing.T, in pythons.Interpreter, files []file, mode pyref.Mode, optimize int) [][]byte {
	t.Helper()
	specs := make([]pyref.Spec, len(files))
	for i, f := range files {
		specs[i] = pyref.Spec{Source: f.src, DFile: f.name, Mode: mode, Optimize: optimize}
	}
	res, err := pyref.CompileAll(in.Path, specs, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	out := make([][]byte, len(res))
	for i, r := range res {
		if r.Error != "" {
			t.Fatalf("py_compile refused %s: %s", files[i].src, r.Error)
		}
		out[i] = r.Data
	}
	return out
}
