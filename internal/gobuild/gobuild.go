// Package gobuild builds this module's programs for the tests that run them
// as users do (a real binary, over real pipes): one way, used by every
// TestMain that needs pyc or a helper program. It also finds the checkout
// they are built from, for the tests that read its other files (scripts,
// examples, BUILD files).
package gobuild

import (
	"errors"
	"fmt"
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
// returns the binary's path. It builds with -trimpath, so the binary
// holds no path of the checkout (Bazel and Please tests copy it into
// their workspaces); the go command's output is in the error.
func Binary(dir, pkg string) (string, error) {
	bin := filepath.Join(dir, path.Base(pkg))
	out, err := exec.Command("go", "build", "-trimpath", "-o", bin, Module+"/"+pkg).CombinedOutput()
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
