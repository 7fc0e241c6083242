// Command embedpython extracts the CPython 3.14 interpreter that the Go module
// github.com/kluctl/go-embed-python carries and prints the path of its
// python3 executable.
//
// It is a test-only module: the tests of rules_pyc run it through
// internal/pythons so that CPython 3.14 is available on every machine that
// can reach the Go module proxy, without adding the 36 MB dependency to the
// product's own go.mod.
//
// Usage:
//
//	go run . DIR
//
// The interpreter is extracted into DIR-<content hash>, so a new version of
// the embedded interpreter never mixes with an old extraction. The module's
// extraction API holds a lock file beside that directory while it writes, so
// concurrent runs are safe, and files already extracted with the right size
// are left alone.
package main

import (
	"fmt"
	"os"

	"github.com/kluctl/go-embed-python/python"
)

func main() {
	if len(os.Args) != 2 || os.Args[1] == "" {
		fmt.Fprintln(os.Stderr, "usage: embedpython DIR")
		os.Exit(2)
	}
	exe, err := extract(os.Args[1])
	if err != nil {
		fmt.Fprintf(os.Stderr, "embedpython: %v\n", err)
		os.Exit(1)
	}
	fmt.Println(exe)
}

// extract unpacks the embedded interpreter into dir and returns the path of
// its python3 executable.
func extract(dir string) (string, error) {
	ep, err := python.NewEmbeddedPythonWithTmpDir(dir, true)
	if err != nil {
		return "", fmt.Errorf("extract the embedded python into %s: %w", dir, err)
	}
	exe, err := ep.GetExePath()
	if err != nil {
		return "", fmt.Errorf("locate the extracted python in %s: %w", dir, err)
	}
	return exe, nil
}
