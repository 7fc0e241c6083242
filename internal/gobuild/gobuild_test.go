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
	if _, err := Binary(dir, "no/such/package"); err == nil || !strings.Contains(err.Error(), "no/such/package") {
		t.Fatalf("building a package that does not exist: %v, want an error naming it", err)
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
