package gobuild

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestBinary(t *testing.T) {
	dir := t.TempDir()
	bin, err := Binary(dir, "tool/pyc")
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "--help").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--python-version") {
		t.Fatalf("%s --help: %v\n%s", bin, err, out)
	}
	if err := CheckStatic(bin); err != nil {
		t.Errorf("Binary builds as README.md does, with CGO_ENABLED=0: %v", err)
	}
	if _, err := Binary(dir, "no/such/package"); err == nil || !strings.Contains(err.Error(), "no/such/package") {
		t.Fatalf("building a package that does not exist: %v, want an error naming it", err)
	}
}

// TestCheckStatic checks CheckStatic on the go command itself, a static
// binary, and on a dynamically linked one, the host's env(1).
func TestCheckStatic(t *testing.T) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Fatal(err)
	}
	if goCmd, err = filepath.EvalSymlinks(goCmd); err != nil {
		t.Fatal(err)
	}
	if err := CheckStatic(goCmd); err != nil {
		t.Errorf("the go command: %v", err)
	}
	env, err := exec.LookPath("env")
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckStatic(env); err == nil || !strings.Contains(err.Error(), "dynamically linked") {
		t.Errorf("%s: CheckStatic = %v, want an error saying it is dynamically linked", env, err)
	}
	if err := CheckStatic(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("a missing file: no error")
	}
}

// TestRoot checks that Root is the checkout: its go.mod declares Module,
// and the go command, asked from here, names the same directory.
func TestRoot(t *testing.T) {
	root, err := Root()
	if err != nil {
		t.Fatal(err)
	}
	mod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil || !strings.HasPrefix(string(mod), "module "+Module+"\n") {
		t.Fatalf("%s/go.mod: %v, want a file that declares module %s", root, err, Module)
	}
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}").Output()
	if err != nil {
		t.Fatalf("go list -m: %v", err)
	}
	if got := strings.TrimSpace(string(out)); got != root {
		t.Errorf("Root() = %s, the go command's main module is in %s", root, got)
	}
}
