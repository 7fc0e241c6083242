package engine_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/engine"
	"github.com/rules-pyc/rules_pyc/compiler/failure"
	"github.com/rules-pyc/rules_pyc/compiler/pycfile"
	"github.com/rules-pyc/rules_pyc/internal/pyref"
	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

// stackUse matches the C stack usage that 3.14 quotes in its stack overflow
// message ("Stack overflow (used 8160 kB) during compilation"). It depends on
// how much of the stack the process's command line and environment take, so
// it differs between any two processes with different arguments, py_compile's
// own included.
var stackUse = regexp.MustCompile(`\(used \d+ kB\) `)

// TestHostileSources feeds sources that blow the compiler's recursion,
// nesting or C stack limits.  Each gets py_compile's own message, or, where
// the interpreter itself crashes (py_compile in a fresh process crashes too),
// a clear crash error; and the next source compiles on the same engine.
func TestHostileSources(t *testing.T) {
	sources := map[string]string{
		"deep_binop.py":  "x = " + strings.Repeat("1 + ", 300000) + "1\n",
		"deep_parens.py": "x = " + strings.Repeat("(", 1000) + strings.Repeat(")", 1000) + "\n",
		"deep_unary.py":  "x = " + strings.Repeat("-", 100000) + "1\n",
		"deep_lists.py":  "x = " + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + "\n",
	}
	dir := t.TempDir()
	for name, src := range sources {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ok := filepath.Join(dir, "ok.py")
	if err := os.WriteFile(ok, []byte("x = 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, py := range pythons.Require(t, 2) {
		t.Run(py.Version, func(t *testing.T) {
			e := engine.New(engine.Config{Python: py.Path, Jobs: 1, Stderr: discard{}})
			defer e.Close()
			for name := range sources {
				src := filepath.Join(dir, name)
				ref, refErr := pyref.Compile(py.Path, pyref.Spec{Source: src, DFile: name}, dir)
				_, err := e.Compile(context.Background(), engine.Job{Source: src, Name: name, Mode: pycfile.CheckedHash})
				var ce *failure.CompileError
				var cr *failure.CrashError
				switch {
				case refErr != nil:
					// py_compile's own process died: we must report a crash.
					if !errors.As(err, &cr) {
						t.Errorf("%s: py_compile crashed (%v); got %v, want a CrashError", name, refErr, err)
					}
				case ref.Error != "":
					if !errors.As(err, &ce) || stackUse.ReplaceAllString(ce.Msg, "") != stackUse.ReplaceAllString(ref.Error, "") {
						t.Errorf("%s: got %v, want py_compile's message %q", name, err, ref.Error)
					}
				default:
					if err != nil {
						t.Errorf("%s: py_compile accepts it, engine says %v", name, err)
					}
				}
				if _, err := e.Compile(context.Background(), engine.Job{Source: ok, Mode: pycfile.CheckedHash}); err != nil {
					t.Fatalf("after %s the engine cannot compile: %v", name, err)
				}
			}
		})
	}
}
