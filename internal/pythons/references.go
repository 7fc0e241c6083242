package pythons

import (
	"context"
	"os/exec"

	"github.com/rules-pyc/rules_pyc/internal/pyref"
)

// Runner starts the interpreter for pyref's reference compiles, as Command
// does: directly, or through scripts/chroot for a chroot's interpreter
// (pyref then sets each command's environment itself).
func (i Interpreter) Runner() pyref.Runner {
	return func(args ...string) *exec.Cmd { return i.Command(context.Background(), args...) }
}

// References returns py_compile's result for each spec, each from a fresh
// process of the interpreter (pyref's reference): started from here, on
// all CPUs, or for a chroot's interpreter by one driver process inside the
// chroot (pyref.CompileAllBatch), since each start through scripts/chroot
// costs about a tenth of a second.
func (i Interpreter) References(specs []pyref.Spec, tmp string) ([]pyref.Result, error) {
	if i.Chroot != "" {
		return pyref.CompileAllBatch(i.Runner(), specs, tmp)
	}
	return pyref.CompileAllWith(i.Runner(), specs, tmp)
}
