package lint

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// gazelleVersion pins the gazelle that generates the Go packages' BUILD files.
const gazelleVersion = "v0.47.0"

// gazelleDirs are the directories whose BUILD files gazelle owns.
var gazelleDirs = []string{"compiler", "tool", "internal"}

// TestGazelle fails when a Go package's BUILD.bazel is not what gazelle
// generates from the Go sources (a file added, an import changed, ...).
// -index=false resolves this module's imports from the gazelle:prefix alone,
// so gazelle never asks the network.
func TestGazelle(t *testing.T) {
	args := append([]string{"run", "github.com/bazelbuild/bazel-gazelle/cmd/gazelle@" + gazelleVersion,
		"-index=false", "-mode=diff"}, gazelleDirs...)
	cmd := exec.Command("go", args...)
	cmd.Dir = repoRoot(t)
	// Stat what gazelle reads, so that `go test` caches the result only
	// until a Go source or a BUILD file there changes.
	statStarlarkFiles(t, cmd.Dir)
	for _, dir := range gazelleDirs {
		err := filepath.WalkDir(filepath.Join(cmd.Dir, dir), func(path string, d fs.DirEntry, err error) error {
			if err == nil {
				_, err = os.Stat(path)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("gazelle: %v\n%s\nregenerate with: go run github.com/bazelbuild/bazel-gazelle/cmd/gazelle@%s -index=false %s",
			err, out, gazelleVersion, strings.Join(gazelleDirs, " "))
	}
}
