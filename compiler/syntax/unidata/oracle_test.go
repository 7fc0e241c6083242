package unidata_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/syntax/unidata"
	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

// oracle is a CPython interpreter to compare with.
type oracle struct {
	name    string   // for messages
	argv    []string // command line; the script's arguments follow
	minor   string   // "3.13"
	unicode string   // unicodedata.unidata_version
}

// chrootPythons are the interpreters of the Debian sid chroot that
// scripts/chroot runs (see there).
var chrootPythons = []string{"python3.13", "python3.14", "python3.15"}

const probeScript = `import sys, unicodedata
print("%d.%d" % sys.version_info[:2], sys.version.split()[0], unicodedata.unidata_version)`

var (
	oraclesOnce sync.Once
	oraclesAll  []oracle
	oraclesLog  []string
)

// findOracles returns every interpreter on the machine with its Unicode
// version: those internal/pythons finds, and the sid chroot's (when the
// test runs as root in a checkout that has scripts/chroot).
func findOracles(t *testing.T) []oracle {
	t.Helper()
	oraclesOnce.Do(func() {
		logf := func(format string, args ...any) { oraclesLog = append(oraclesLog, fmt.Sprintf(format, args...)) }
		var cands [][]string
		for _, in := range pythons.Find(t) {
			if in.AtLeast(3, 8) {
				cands = append(cands, []string{in.Path})
			}
		}
		switch root, err := repoRoot(); {
		case err != nil:
			logf("no sid chroot interpreters: %v", err)
		case os.Geteuid() != 0:
			logf("no sid chroot interpreters: scripts/chroot needs root")
		default:
			for _, py := range chrootPythons {
				cands = append(cands, []string{filepath.Join(root, "scripts", "chroot"), py})
			}
		}
		for _, argv := range cands {
			cmd := exec.Command(argv[0], append(argv[1:len(argv):len(argv)], "-S", "-s", "-c", probeScript)...)
			cmd.Env = cleanEnv()
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			f := strings.Fields(string(out))
			if err != nil || len(f) != 3 {
				logf("skip %s: %v %s", strings.Join(argv, " "), err, strings.TrimSpace(stderr.String()))
				continue
			}
			name := f[1] + " (" + strings.Join(argv, " ") + ")"
			oraclesAll = append(oraclesAll, oracle{name: name, argv: argv, minor: f[0], unicode: f[2]})
			logf("%s: Unicode %s", name, f[2])
		}
	})
	for _, line := range oraclesLog {
		t.Log(line)
	}
	return oraclesAll
}

// oraclesFor returns the interpreters whose unicodedata has version v. It
// fails the test when no CPython 3.13 is found at all (3.13 is the native
// compiler's target), and skips it when none has version v.
func oraclesFor(t *testing.T, v string) []oracle {
	t.Helper()
	all := findOracles(t)
	var has313 bool
	var match []oracle
	for _, o := range all {
		has313 = has313 || o.minor == "3.13"
		if o.unicode == v {
			match = append(match, o)
		}
	}
	if !has313 {
		t.Fatalf("no CPython 3.13 on this machine (found %d interpreters); install one (pyenv) or add it with %s", len(all), pythons.EnvVar)
	}
	if len(match) == 0 {
		t.Skipf("no interpreter with Unicode %s on this machine, so its tables are not checked", v)
	}
	return match
}

// forEachOracle runs f for each version's tables and each interpreter of
// that version.
func forEachOracle(t *testing.T, f func(t *testing.T, tab *unidata.Tables, o oracle)) {
	for _, v := range unidata.Versions() {
		t.Run(v, func(t *testing.T) {
			for _, o := range oraclesFor(t, v) {
				t.Run(o.name, func(t *testing.T) { f(t, unidata.ForVersion(v), o) })
			}
		})
	}
}

// run runs script in the interpreter with stdin as input and returns its
// standard output.
func (o oracle) run(t *testing.T, script string, stdin []byte) []byte {
	t.Helper()
	cmd := exec.Command(o.argv[0], append(o.argv[1:len(o.argv):len(o.argv)], "-S", "-s", "-c", script)...)
	cmd.Env = cleanEnv()
	cmd.Stdin = bytes.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v: %s", o.name, err, stderr.String())
	}
	return out
}

// runJSON sends input as JSON and decodes the JSON that script prints.
func (o oracle) runJSON(t *testing.T, script string, input, output any) {
	t.Helper()
	in, err := json.Marshal(input)
	if err != nil {
		t.Fatal(err)
	}
	out := o.run(t, script, in)
	if err := json.Unmarshal(out, output); err != nil {
		t.Fatalf("%s: decoding its answer (%d bytes): %v", o.name, len(out), err)
	}
}

// cleanEnv is the environment without PYTHON* variables.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PYTHON") {
			env = append(env, kv)
		}
	}
	return env
}

// repoRoot finds the checkout's root (the directory with go.mod and
// scripts/chroot) above the working directory.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			if _, err := os.Stat(filepath.Join(dir, "scripts", "chroot")); err != nil {
				return "", fmt.Errorf("%s has no scripts/chroot", dir)
			}
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working directory")
		}
		dir = parent
	}
}
