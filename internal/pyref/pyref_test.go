package pyref_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/rules-pyc/rules_pyc/internal/pyref"
	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

// TestBatchAgreesWithOneProcessEach checks CompileAllBatch against
// CompileAllWith (a process started by the test for each spec), with every
// host interpreter and the chroot's newest (through scripts/chroot): the
// same bytes, the same py_compile errors, in every mode and level.
func TestBatchAgreesWithOneProcessEach(t *testing.T) {
	dir := t.TempDir()
	sources := map[string]string{
		"sets.py":  "S = {'a', 'b', 'c'}\nF = frozenset({1, 2})\n",
		"docs.py":  "\"\"\"doc\"\"\"\ndef f(x):\n    assert x\n    return __debug__\n",
		"bad.py":   "def f(:\n",
		"latin.py": "# -*- coding: latin-1 -*-\nS = '\xe9'\n",
	}
	var specs []pyref.Spec
	for name, text := range sources {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		for i, mode := range []pyref.Mode{pyref.CheckedHash, pyref.UncheckedHash, pyref.Timestamp} {
			specs = append(specs, pyref.Spec{Source: p, DFile: "pkg/" + name, Optimize: i, Mode: mode})
		}
	}
	interpreters := pythons.Require(t, 1)
	if c := pythons.Chrooted(t); len(c) > 0 {
		interpreters = append(interpreters, c[len(c)-1])
	}
	for _, py := range interpreters {
		t.Run(py.Version, func(t *testing.T) {
			run := func(args ...string) *exec.Cmd { return py.Command(context.Background(), args...) }
			one, err := pyref.CompileAllWith(run, specs, t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			batch, err := pyref.CompileAllBatch(run, specs, t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			errors := 0
			for i, s := range specs {
				if one[i].Error != "" {
					errors++
				}
				if !bytes.Equal(one[i].Data, batch[i].Data) || one[i].Error != batch[i].Error {
					t.Errorf("%s -O%d %s: batch gave %d bytes, error %q; one process gave %d bytes, error %q",
						s.DFile, s.Optimize, s.Mode, len(batch[i].Data), batch[i].Error, len(one[i].Data), one[i].Error)
				}
			}
			if errors != 3 {
				t.Errorf("%d specs failed to compile, want the 3 of bad.py", errors)
			}
		})
	}
}
