package unidata_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/syntax/unidata"
	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

// oracle is a CPython interpreter to compare with, with the version of its
// unicodedata.
type oracle struct {
	pythons.Interpreter
	unicode string // unicodedata.unidata_version
}

// argv is the command line that runs the interpreter.
func (o oracle) argv() []string {
	if o.Chroot != "" {
		return []string{o.Chroot, o.Path}
	}
	return []string{o.Path}
}

const unicodeVersionScript = `import unicodedata; print(unicodedata.unidata_version)`

var (
	oraclesOnce sync.Once
	oraclesAll  []oracle
	oraclesLog  []string
)

// findOracles returns every CPython on the machine (the host's and the sid
// chroot's) with its Unicode version. It fails the test when there is no
// CPython 3.13, the native compiler's target.
func findOracles(t *testing.T) []oracle {
	t.Helper()
	pythons.Minor(t, 3, 13)
	oraclesOnce.Do(func() {
		for _, in := range append(pythons.Find(t), pythons.Chrooted(t)...) {
			cmd := in.Command(context.Background(), "-S", "-s", "-c", unicodeVersionScript)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			v := strings.TrimSpace(string(out))
			if err != nil || v == "" {
				oraclesLog = append(oraclesLog, fmt.Sprintf("skip %s: %v %s", in, err, strings.TrimSpace(stderr.String())))
				continue
			}
			oraclesAll = append(oraclesAll, oracle{in, v})
			oraclesLog = append(oraclesLog, fmt.Sprintf("%s: Unicode %s", in, v))
		}
	})
	for _, line := range oraclesLog {
		t.Log(line)
	}
	return oraclesAll
}

// oraclesFor returns the interpreters whose unicodedata has version v, and
// skips the test when there is none (failing it when there is no 3.13 at
// all).
func oraclesFor(t *testing.T, v string) []oracle {
	t.Helper()
	var match []oracle
	for _, o := range findOracles(t) {
		if o.unicode == v {
			match = append(match, o)
		}
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
				t.Run(o.String(), func(t *testing.T) { f(t, unidata.ForVersion(v), o) })
			}
		})
	}
}

// run runs script in the interpreter with stdin as input and returns its
// standard output.
func (o oracle) run(t *testing.T, script string, stdin []byte) []byte {
	t.Helper()
	cmd := o.Command(context.Background(), "-S", "-s", "-c", script)
	cmd.Stdin = bytes.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v: %s", o, err, stderr.String())
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
		t.Fatalf("%s: decoding its answer (%d bytes): %v", o, len(out), err)
	}
}
