package engine_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/engine"
	"github.com/rules-pyc/rules_pyc/compiler/pycfile"
	"github.com/rules-pyc/rules_pyc/internal/pyref"
	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

// importedByPyCompile lists the top-level modules loaded from files by the
// time `import py_compile` returns, at start-up included: the ones a file in
// the working directory could shadow. (3.13 imports linecache, tokenize and
// re from files while it starts `python -c`.)
const importedByPyCompile = `import sys
import py_compile
print(" ".join(sorted(n for n in set(sys.modules)
                      if "." not in n and getattr(sys.modules[n], "__file__", None))))
`

// TestWorkingDirectoryModulesAreNotImported runs the engine from a
// directory holding a file for every module py_compile's process loads from
// a file, each of which exits the interpreter when imported: the compile
// servers, and the probe that reads an interpreter's release for the auto
// backend, must use the standard library's modules, and the bytes must be
// py_compile's.
func TestWorkingDirectoryModulesAreNotImported(t *testing.T) {
	src := filepath.Join(t.TempDir(), "m.py")
	source := "# -*- coding: latin-1 -*-\nimport enum\nclass C(enum.Enum):\n    A = 'caf\xe9'\n"
	if err := os.WriteFile(src, []byte(source), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, py := range pythons.Require(t, 2) {
		t.Run(py.Version+"-"+filepath.Base(filepath.Dir(filepath.Dir(py.Path))), func(t *testing.T) {
			cmd := exec.Command(py.Path, "-S", "-s", "-c", importedByPyCompile)
			cmd.Dir = t.TempDir()
			cmd.Env = []string{"PYTHONHASHSEED=0"}
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("list the modules py_compile imports: %v", err)
			}
			names := strings.Fields(string(out))
			if len(names) < 3 {
				t.Fatalf("py_compile imports only %q: the listing is wrong", names)
			}
			ref, err := pyref.Compile(py.Path, pyref.Spec{Source: src, DFile: "pkg/m.py", Mode: pyref.UncheckedHash}, t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			if ref.Error != "" {
				t.Fatalf("py_compile refused the source: %s", ref.Error)
			}

			shadow := t.TempDir()
			for _, n := range names {
				body := "raise SystemExit('imported " + n + " from the working directory')\n"
				if err := os.WriteFile(filepath.Join(shadow, n+".py"), []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			t.Chdir(shadow)
			for _, backend := range []engine.Backend{engine.CPython, engine.Auto} {
				e := engine.New(engine.Config{Backend: backend, Python: py.Path, Jobs: 1})
				res, err := e.Compile(context.Background(), engine.Job{Source: src, Name: "pkg/m.py", Mode: pycfile.UncheckedHash})
				e.Close()
				if err != nil {
					t.Errorf("%s backend: compile from a directory shadowing %s: %v", backend, strings.Join(names, ", "), err)
					continue
				}
				if !bytes.Equal(res.Data, ref.Data) {
					t.Errorf("%s backend: bytes differ from py_compile's (%d vs %d bytes)", backend, len(res.Data), len(ref.Data))
				}
			}
		})
	}
}
