//go:build linux

package worker

import (
	"fmt"
	"os"
	"testing"

	"github.com/rules-pyc/rules_pyc/internal/gobuild"
	"github.com/rules-pyc/rules_pyc/internal/proctree"
)

// pycBinary is the pyc binary built for this test run.
var pycBinary string

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "pyc-worker-test-")
	if err != nil {
		fmt.Fprintf(os.Stderr, "temp dir: %v\n", err)
		return 1
	}
	defer os.RemoveAll(dir)
	if pycBinary, err = gobuild.Binary(dir, "tool/pyc"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	// Orphans of the worker's process tree become children of this process
	// instead of init's, so the leak checks see them.
	if err := proctree.BecomeSubreaper(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}
