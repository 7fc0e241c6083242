package lint

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// gazelleVersion pins the gazelle that generates the Go packages' BUILD files
// and rules/go_repositories.bzl: the version MODULE.bazel builds with.
const gazelleVersion = "v0.38.0"

// TestOneGazelle fails when MODULE.bazel builds with another gazelle than the
// one that generates the BUILD files.
func TestOneGazelle(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(repoRoot(t), "MODULE.bazel"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`bazel_dep\(name = "gazelle", version = "([^"]+)"\)`).FindSubmatch(b)
	if m == nil {
		t.Fatal("MODULE.bazel has no bazel_dep on gazelle")
	}
	if "v"+string(m[1]) != gazelleVersion {
		t.Errorf("MODULE.bazel builds with gazelle %s, the BUILD files are generated with %s", m[1], gazelleVersion)
	}
}

// gazelleDirs are the directories whose BUILD files gazelle owns.
var gazelleDirs = []string{"compiler", "tool", "internal"}

// TestGazelle fails when a Go package's BUILD.bazel is not what gazelle
// generates from the Go sources (a file added, an import changed, ...).
// gazelle indexes the repository's own packages (so a test whose external
// package imports the library it embeds gets no dependency on that library:
// with -index=false it did, and rules_go refused to link such tests); it
// resolves other modules from the gazelle:prefix and go.mod, without network.
func TestGazelle(t *testing.T) {
	args := append([]string{"run", "github.com/bazelbuild/bazel-gazelle/cmd/gazelle@" + gazelleVersion,
		"-mode=diff"}, gazelleDirs...)
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
		t.Fatalf("gazelle: %v\n%s\nregenerate with: go run github.com/bazelbuild/bazel-gazelle/cmd/gazelle@%s %s",
			err, out, gazelleVersion, strings.Join(gazelleDirs, " "))
	}
}

// TestGoRepositories fails when rules/go_repositories.bzl, the WORKSPACE
// macro that declares the Go modules, is not what gazelle update-repos makes
// of go.mod and go.sum.
func TestGoRepositories(t *testing.T) {
	root := repoRoot(t)
	const macro = "rules/go_repositories.bzl"
	dir := t.TempDir()
	for _, name := range []string{"go.mod", "go.sum", macro} {
		b, err := os.ReadFile(filepath.Join(root, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	workspace := "# gazelle:repository_macro " + macro + "%rules_pyc_go_repositories\n"
	if err := os.WriteFile(filepath.Join(dir, "WORKSPACE"), []byte(workspace), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"run", "github.com/bazelbuild/bazel-gazelle/cmd/gazelle@" + gazelleVersion,
		"update-repos", "-from_file=go.mod", "-to_macro=" + macro + "%rules_pyc_go_repositories"}
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("gazelle update-repos: %v\n%s", err, out)
	}
	want, err := os.ReadFile(filepath.Join(dir, macro))
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(root, macro))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is not what gazelle makes of go.mod and go.sum; regenerate it with\n"+
			"  go run github.com/bazelbuild/bazel-gazelle/cmd/gazelle@%s update-repos -from_file=go.mod -to_macro=%s%%rules_pyc_go_repositories\n"+
			"(it adds a load and a call to WORKSPACE, which already has them: revert that part)\ngazelle writes:\n%s",
			macro, gazelleVersion, macro, want)
	}
}
