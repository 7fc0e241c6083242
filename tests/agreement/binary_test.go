package agreement

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rules-pyc/rules_pyc/compiler/release"
	"github.com/rules-pyc/rules_pyc/internal/gobuild"
	"github.com/rules-pyc/rules_pyc/internal/pyoracle"
	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

// pycBinary is tool/pyc, built once for the package's tests.
var pycBinary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "agreement-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := func() int {
		defer os.RemoveAll(dir)
		if pycBinary, err = gobuild.Binary(dir, "tool/pyc"); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		return m.Run()
	}()
	os.Exit(code)
}

// binaryStride: every binaryStride-th stdlib file is run through the
// binary, besides every file of test/ named bad*.py (invalid on purpose).
const binaryStride = 40

// binaryMutants is how many mutants (of seed 2) are run through the binary.
const binaryMutants = 300

// trapPath returns a directory to put on PATH that holds python, python3
// and python3.13 programs which, if ever run, write a file into it.
func trapPath(t *testing.T) (dir string, sprung func() bool) {
	dir = t.TempDir()
	marker := filepath.Join(dir, "sprung")
	script := fmt.Sprintf("#!/bin/sh\necho \"$0 $*\" >> '%s'\nexit 3\n", marker)
	for _, name := range []string{"python", "python3", "python3.13", "pyenv"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir, func() bool {
		_, err := os.Stat(marker)
		return err == nil
	}
}

// TestBinary runs pyc --backend native --dump-ast on stdlib files and
// mutants, as a user would, and compares its stdout, stderr and exit
// status with each CPython 3.13's answers for its own release. The binary
// runs with an empty environment, or with a PATH of programs named python
// that record being run: it must start and look for no interpreter.
func TestBinary(t *testing.T) {
	c := mutantCorpus(t)
	mdir := t.TempDir()
	mutants, _ := writeMutants(t, c, 2, binaryMutants, mdir)
	trap, sprung := trapPath(t)
	newest, _, err := release.Parse("3.13")
	if err != nil {
		t.Fatal(err)
	}
	for _, py := range pythons.Minor(t, 3, 13) {
		t.Run(py.Version, func(t *testing.T) {
			rel := releaseOf(t, py)
			lib := py.Stdlib(t)
			var files []string
			for i, f := range lib.Files {
				if i%binaryStride == 0 || strings.HasPrefix(f, "test/") && strings.HasPrefix(path.Base(f), "bad") {
					files = append(files, filepath.Join(lib.Root, filepath.FromSlash(f)))
				}
			}
			files = append(files, mutants...)
			// How the release is named: exactly, and for the newest release
			// known also as 3.13 and by default.
			versions := [][]string{{"--python-version", rel.String()}}
			if rel == newest {
				versions = append(versions, []string{"--python-version", "3.13"}, nil)
			}
			counts := map[string]int{}
			var diffs []string
			start := time.Now()
			err := pyoracle.Run(context.Background(), py, files, pyoracle.Options{Procs: 2}, func(i int, r pyoracle.Result) error {
				if r.Kind == pyoracle.Failed {
					counts[oracleFailed]++
					return nil
				}
				args := append([]string{"--backend", "native"}, versions[i%len(versions)]...)
				args = append(args, "--dump-ast", r.File)
				env := []string{}
				if i%2 == 1 {
					env = []string{"PATH=" + trap}
				}
				diff := runBinary(args, env, r)
				if diff == "" {
					counts["agree"]++
					return nil
				}
				counts[differ]++
				if len(diffs) < 10 {
					diffs = append(diffs, fmt.Sprintf("pyc %s (env %q):\n%s", strings.Join(args, " "), env, diff))
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: %d runs of pyc: %d agree, %d differ, %d oracle failures, in %s", py, len(files),
				counts["agree"], counts[differ], counts[oracleFailed], time.Since(start).Round(time.Millisecond))
			if len(diffs) > 0 {
				t.Errorf("%d runs differ from %s; the first %d:\n\n%s", counts[differ], py, len(diffs), strings.Join(diffs, "\n\n"))
			}
			if counts["agree"] == 0 {
				t.Errorf("no run was compared")
			}
		})
	}
	if sprung() {
		data, _ := os.ReadFile(filepath.Join(trap, "sprung"))
		t.Errorf("pyc --backend native ran a program named python:\n%s", data)
	}
}

// runBinary runs pyc with args and env and returns how its output differs
// from what CPython's answer r calls for ("" if it does not).
func runBinary(args, env []string, r pyoracle.Result) string {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, pycBinary, args...)
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		return fmt.Sprintf("    cannot run it: %v", err)
	}
	switch r.Kind {
	case pyoracle.Parsed:
		if code != 0 || stdout.String() != r.Dump+"\n" {
			return fmt.Sprintf("    CPython parses the file; pyc exits %d with stderr\n%s\n    and stdout (%d bytes):\n%s",
				code, indent(stderr.String()), stdout.Len(), firstDifference(r.Dump+"\n", stdout.String()))
		}
	case pyoracle.Rejected:
		if code != 1 || stdout.Len() != 0 || stderr.String() != r.PyCompile {
			return fmt.Sprintf("    CPython rejects the file (%s); pyc exits %d, %d bytes on stdout, stderr\n%s\n    py_compile:\n%s",
				r.Exc, code, stdout.Len(), indent(stderr.String()), indent(r.PyCompile))
		}
	}
	return ""
}
