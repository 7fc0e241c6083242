//go:build linux

package faults

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/rules-pyc/rules_pyc/internal/proctree"
)

// The binaries under test: pyc, and the misbehaving interpreter.
var pycBinary, fakeBinary string

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "pyc-faults-test-")
	if err != nil {
		fmt.Fprintf(os.Stderr, "temp dir: %v\n", err)
		return 1
	}
	defer os.RemoveAll(dir)
	pycBinary = os.Getenv("RULES_PYC_FAULTS_PYC")
	builds := map[string]*string{"github.com/rules-pyc/rules_pyc/tests/faults/fakepython": &fakeBinary}
	if pycBinary == "" {
		builds["github.com/rules-pyc/rules_pyc/tool/pyc"] = &pycBinary
	}
	for pkg, out := range builds {
		*out = filepath.Join(dir, filepath.Base(pkg))
		build := exec.Command("go", "build", "-o", *out, pkg)
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			fmt.Fprintf(os.Stderr, "go build %s: %v\n", pkg, err)
			return 1
		}
	}
	if err := proctree.BecomeSubreaper(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}
