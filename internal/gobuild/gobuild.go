// Package gobuild builds this module's programs for the tests that run them
// as users do (a real binary, over real pipes): one way, used by every
// TestMain that needs pyc or a helper program. It also finds the checkout
// they are built from, for the tests that read its other files (scripts,
// examples, BUILD files).
package gobuild

import (
	"debug/elf"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"strings"
)

// Module is this module's path.
const Module = "github.com/rules-pyc/rules_pyc"

// Binary builds the program pkg, a package of this module named by its
// path inside it ("tool/pyc"), into dir under the package's last name, and
// returns the binary's path. It builds as README.md tells users to:
// with -trimpath, so the binary holds no path of the checkout (Bazel and
// Please tests copy it into their workspaces), and with CGO_ENABLED=0, so
// it is static and owes nothing to the machine's C compiler (see
// docs/rules.md). The go command's output is in the error.
func Binary(dir, pkg string) (string, error) {
	bin := filepath.Join(dir, path.Base(pkg))
	cmd := exec.Command("go", "build", "-trimpath", "-o", bin, Module+"/"+pkg)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build %s: %v\n%s", pkg, err, strings.TrimSpace(string(out)))
	}
	return bin, nil
}

// Root returns the root of the checkout this package was compiled from.
func Root() (string, error) {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "", errors.New("gobuild: cannot locate the source of the checkout")
	}
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", "..")), nil
}

// CheckStatic returns an error unless the ELF executable at bin is
// statically linked: no program interpreter and no shared library. A Go
// binary built with cgo has both (the C library), and its bytes depend on
// the C compiler that built runtime/cgo.
func CheckStatic(bin string) error {
	f, err := elf.Open(bin)
	if err != nil {
		return fmt.Errorf("gobuild: %w", err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return fmt.Errorf("%s is dynamically linked: it has a program interpreter", bin)
		}
	}
	libs, err := f.ImportedLibraries()
	if err != nil {
		return fmt.Errorf("%s: the shared libraries it needs: %w", bin, err)
	}
	if len(libs) > 0 {
		return fmt.Errorf("%s is dynamically linked against %s", bin, strings.Join(libs, ", "))
	}
	return nil
}
