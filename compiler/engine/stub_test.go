package engine_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/engine"
	"github.com/rules-pyc/rules_pyc/compiler/failure"
	"github.com/rules-pyc/rules_pyc/compiler/pycfile"
	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

// importScript imports module m from the directory in argv[1] and prints the
// exception type and message it raised.
const importScript = `import sys
sys.path.insert(0, sys.argv[1])
try:
    import m
except BaseException as e:
    print(type(e).__name__)
    print(str(e))
else:
    print("no error")
`

// TestStubRaisesLikeTheSource checks the opt-in mode for sources that no
// interpreter can compile: the stub pyc, imported without its source, fails
// with the same exception type and message as importing the source does.
func TestStubRaisesLikeTheSource(t *testing.T) {
	sources := map[string][]byte{
		"py2print":  []byte("import os\nprint 'hello'\n"),
		"py2except": []byte("try:\n    pass\nexcept Exception, e:\n    pass\n"),
		"badcookie": []byte("# -*- coding: no-such-codec -*-\nx = 1\n"),
		"nul":       []byte("x = 1\x00\n"),
		"badutf8":   []byte("x = '\xff'\n"),
		"indent":    []byte("def f():\nreturn 1\n"),
	}
	for _, py := range pythons.Require(t, 2) {
		t.Run(py.Version, func(t *testing.T) {
			e := engine.New(engine.Config{Python: py.Path, Jobs: 1})
			defer e.Close()
			for name, src := range sources {
				srcDir, pycDir := t.TempDir(), t.TempDir()
				source := filepath.Join(srcDir, "m.py")
				if err := os.WriteFile(source, src, 0o644); err != nil {
					t.Fatal(err)
				}
				out := filepath.Join(pycDir, "m.pyc")
				res, err := e.Compile(context.Background(), engine.Job{Source: source, Name: "m.py", Output: out, Mode: pycfile.UncheckedHash, Stub: true})
				var ce *failure.CompileError
				if err == nil && !res.Stub && runImport(t, py.Path, srcDir) == "no error\n" {
					continue // valid in this version (3.14 accepts "except A, B:")
				}
				if !errors.As(err, &ce) || !res.Stub || !res.Written {
					t.Fatalf("%s: got %+v, %v; want a written stub and the compile error", name, res, err)
				}
				fromSource := runImport(t, py.Path, srcDir)
				fromStub := runImport(t, py.Path, pycDir)
				if fromSource != fromStub {
					t.Errorf("%s: importing the source raises\n%s\nimporting the stub raises\n%s", name, fromSource, fromStub)
				}
				again, err := e.Compile(context.Background(), engine.Job{Source: source, Name: "m.py", Mode: pycfile.UncheckedHash, Stub: true})
				if string(again.Data) != string(res.Data) {
					t.Errorf("%s: stub bytes are not deterministic (%v)", name, err)
				}
			}
		})
	}
}

func runImport(t *testing.T, python, dir string) string {
	t.Helper()
	cmd := exec.Command(python, "-S", "-s", "-B", "-c", importScript, dir)
	cmd.Env = []string{"PYTHONHASHSEED=0"}
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("import from %s: %v", dir, err)
	}
	return string(out)
}
