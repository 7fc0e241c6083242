// Package lint checks the repository's Starlark with the project's own scripts.
package lint

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rules-pyc/rules_pyc/internal/gobuild"
)

// repoRoot returns the root of the checkout this test file belongs to.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := gobuild.Root()
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// TestBuildifier fails when any BUILD, .bzl, MODULE.bazel or WORKSPACE file is
// not formatted as buildifier formats it or has a lint warning.
func TestBuildifier(t *testing.T) {
	root := repoRoot(t)
	// Stat every Starlark file here, in the test process, so that `go test`
	// caches the result only until one of them changes.
	if n := statStarlarkFiles(t, root); n == 0 {
		t.Fatalf("no Starlark files found under %s", root)
	}
	cmd := exec.Command("bash", filepath.Join(root, "scripts", "buildifier"))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("scripts/buildifier: %v\n%s\nfix with: scripts/buildifier --fix", err, out)
	}
}

// statStarlarkFiles stats the files scripts/buildifier checks and returns how many there are.
func statStarlarkFiles(t *testing.T, root string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() && (name == ".git" || strings.HasPrefix(name, "bazel-")) {
			return filepath.SkipDir
		}
		if d.Type().IsRegular() && (strings.HasSuffix(name, ".bzl") || strings.HasSuffix(name, ".bazel") ||
			name == "BUILD" || name == "WORKSPACE") {
			if _, err := os.Stat(path); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walk %s: %v", root, err)
	}
	return n
}
