//go:build linux

package faults

import (
	"fmt"
	"os"
	"testing"

	"github.com/rules-pyc/rules_pyc/internal/gobuild"
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
	builds := map[string]*string{"tests/faults/fakepython": &fakeBinary}
	if pycBinary == "" {
		builds["tool/pyc"] = &pycBinary
	}
	for pkg, out := range builds {
		if *out, err = gobuild.Binary(dir, pkg); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	if err := proctree.BecomeSubreaper(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}
