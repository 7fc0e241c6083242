package bazel

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rules-pyc/rules_pyc/internal/fixtures"
)

// fixtureRC returns the bazelrc that scripts/fixtures writes for sets: the
// rule sets unpacked from the fixtures, as --override_module flags.
func fixtureRC(t testing.TB, sets ...string) string {
	t.Helper()
	dir := fixtures.Dir(t)
	cmd := exec.Command(filepath.Join(env.repo, "scripts", "fixtures"), sets...)
	cmd.Env = append(os.Environ(), fixtures.Env+"="+dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("scripts/fixtures %s: %v\n%s", strings.Join(sets, " "), err, stderr.String())
	}
	return strings.TrimSpace(string(out))
}
