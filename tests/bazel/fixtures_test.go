package bazel

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// fixturesDir returns the directory of the real clients' source archives:
// $RULES_PYC_FIXTURES, else ../shared/fixtures from the repository root.
// A test that needs them skips when they are absent, unless CI=true: there
// they must be present, and their absence fails the test.
func fixturesDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("RULES_PYC_FIXTURES")
	if dir == "" {
		dir = filepath.Join(env.repo, "..", "shared", "fixtures")
	}
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but the fixtures are missing: %v", err)
		}
		t.Skipf("no fixtures (%v); set RULES_PYC_FIXTURES", err)
	}
	return dir
}

// fixtureRC returns the bazelrc that scripts/fixtures writes for sets: the
// rule sets unpacked from the fixtures, as --override_module flags.
func fixtureRC(t testing.TB, sets ...string) string {
	t.Helper()
	dir := fixturesDir(t)
	cmd := exec.Command(filepath.Join(env.repo, "scripts", "fixtures"), sets...)
	cmd.Env = append(os.Environ(), "RULES_PYC_FIXTURES="+dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("scripts/fixtures %s: %v\n%s", strings.Join(sets, " "), err, stderr.String())
	}
	return strings.TrimSpace(string(out))
}
