package pycfile

import (
	"testing"

	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

// TestChrootInterpreters runs this package's tests again inside the sid
// chroot, against its python3.13, python3.14 and python3.15.
func TestChrootInterpreters(t *testing.T) {
	pythons.RunInChroot(t)
}
