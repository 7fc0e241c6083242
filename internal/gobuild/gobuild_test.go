package gobuild

import (
	"os/exec"
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
