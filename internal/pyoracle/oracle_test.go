package pyoracle

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rules-pyc/rules_pyc/compiler/syntax/syntaxerr"
	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

// sources are files of every kind the oracle must answer for, named by
// what they hold.
var sources = []struct {
	name string
	src  string
	want Kind
}{
	{"empty.py", "", Parsed},
	{"assign.py", "x = 1\n", Parsed},
	{"features.py", "async def f(a, /, b=2, *c, d, **e) -> 'r':\n    return [await g(i) async for i in h if (j := i)]\n" +
		"match p:\n    case [1, *r] if r: pass\n    case {'k': v, **kw}: pass\n" +
		"type T[X: int] = list[X]\nwith (a as b, c): pass\ntry: pass\nexcept* E: pass\n", Parsed},
	{"fstrings.py", "f'{x!r:>{w}} {y=} {\"nested\" + f\"{z}\"}'\nrb'\\x00' b'\\xff'\n", Parsed},
	{"unicode.py", "caf\u00e9 = '\u00e9t\u00e9 \U0001F600 \u200b \\ud800'\n\uff21 = 1\n", Parsed},
	{"crlf.py", "if x:\r\n    y = 1\r\n", Parsed},
	{"bom.py", "\ufeffx = 1\n", Parsed},
	{"numbers.py", "x = 1_000 + 0x_ff + 1e10 + 2j + 123456789012345678901234567890\n", Parsed},
	{"invalid.py", "def f(:\n    pass\n", Rejected},
	{"never-closed.py", "x = (1,\ny = 2\n", Rejected},
	{"indent.py", "if x:\npass\n", Rejected},
	{"tab.py", "if x:\n\tif y:\n        pass\n", Rejected},
	{"null.py", "x = 1\x00\n", Rejected},
	{"cookie.py", "# -*- coding: bogus -*-\nx = 1\n", Rejected},
	{"utf8.py", "x = '\xff'\n", Rejected},
	{"quirk.py", "x = 'File \"<string>\"' +\n", Rejected},
	{"wide.py", "\u4e2d\u6587 = (\u3000 1 +\n", Rejected},
	{"stack.py", "x = " + strings.Repeat("-", 200000) + "1\n", Rejected},
	{"deep-add.py", "x = " + strings.Repeat("1+", 100000) + "1\n", Rejected},
	{"deep-lambda.py", "x = " + strings.Repeat("lambda:", 1000) + "1\n", Failed},
	{"bad\xffname.py", "def f(:\n", Rejected},
	{"space name.py", "x = 1\n", Parsed},
}

// dumpCommand is the command, with FILE taken from argv.
const dumpCommand = `import ast, sys
FILE = sys.argv[1]
print(ast.dump(ast.parse(open(FILE, 'rb').read(), FILE), include_attributes=True))`

// pycCommand is py_compile.compile(FILE), writing its output to argv[2].
const pycCommand = `import py_compile, sys
py_compile.compile(sys.argv[1], cfile=sys.argv[2])`

func writeSources(t *testing.T) []string {
	dir := t.TempDir()
	var files []string
	for _, s := range sources {
		p := filepath.Join(dir, s.name)
		if err := os.WriteFile(p, []byte(s.src), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	return files
}

func runAll(t *testing.T, py pythons.Interpreter, files []string, opts Options) []Result {
	t.Helper()
	var out []Result
	err := Run(context.Background(), py, files, opts, func(i int, r Result) error {
		if i != len(out) {
			return fmt.Errorf("result %d delivered after %d others", i, len(out))
		}
		if r.File != files[i] {
			return fmt.Errorf("result %d is for %q, want %q", i, r.File, files[i])
		}
		out = append(out, r)
		return nil
	})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if len(out) != len(files) {
		t.Fatalf("Run delivered %d results for %d files", len(out), len(files))
	}
	return out
}

// TestAgreesWithTheCommands compares each answer of the oracle with the
// two commands it stands for, run afresh for each file: the dump command's
// stdout, and py_compile's stderr (with warnings off, as in the oracle).
func TestAgreesWithTheCommands(t *testing.T) {
	for _, py := range pythons.Minor(t, 3, 13) {
		t.Run(py.Version, func(t *testing.T) {
			files := writeSources(t)
			results := runAll(t, py, files, Options{})
			for i, r := range results {
				s := sources[i]
				t.Run(s.name, func(t *testing.T) {
					if r.Kind != s.want {
						t.Fatalf("%s: %s (%s%s), want %s", s.name, r.Kind, r.Exc, r.Failure, s.want)
					}
					ctx := context.Background()
					var stdout, stderr bytes.Buffer
					cmd := py.Command(ctx, "-S", "-s", "-W", "ignore", "-c", dumpCommand, r.File)
					cmd.Stdout, cmd.Stderr = &stdout, &stderr
					err := cmd.Run()
					switch r.Kind {
					case Parsed:
						if err != nil {
							t.Fatalf("the dump command failed: %v: %s", err, stderr.String())
						}
						if got := stdout.String(); got != r.Dump+"\n" {
							t.Errorf("the dump command printed\n%.300q, the oracle says\n%.300q", got, r.Dump+"\n")
						}
					case Rejected, Failed:
						if err == nil {
							t.Fatalf("the dump command succeeded on a file the oracle calls %s", r.Kind)
						}
						if r.Kind == Failed && !strings.Contains(r.Failure, "RecursionError") {
							t.Errorf("failure %q does not say RecursionError", r.Failure)
						}
					}
					if r.Kind != Rejected {
						return
					}
					stderr.Reset()
					cmd = py.Command(ctx, "-S", "-s", "-W", "ignore", "-c", pycCommand, r.File, filepath.Join(t.TempDir(), "out.pyc"))
					cmd.Stderr = &stderr
					if err := cmd.Run(); err != nil {
						t.Fatalf("py_compile: %v: %s", err, stderr.String())
					}
					if got := stderr.String(); got != r.PyCompile {
						t.Errorf("py_compile wrote\n%q, the oracle says\n%q", got, r.PyCompile)
					}
					// The exception's attributes, through syntaxerr.Format,
					// give py_compile's message.
					e, ok := r.Exc.SyntaxErr(r.File)
					if !ok {
						t.Fatalf("syntaxerr.Error can't hold %s", r.Exc)
					}
					if got := syntaxerr.Format(e); got != r.PyCompile && !strings.Contains(s.name, "deep-add") {
						t.Errorf("syntaxerr.Format(%s) =\n%q, py_compile wrote\n%q", r.Exc, got, r.PyCompile)
					}
				})
			}
			// Two processes give the same answers.
			if again := runAll(t, py, files, Options{Procs: 2}); !reflect.DeepEqual(again, results) {
				t.Errorf("with two processes the results differ")
			}
		})
	}
}

// crashingPython returns an interpreter that runs py with a 256 KiB stack,
// on which a deeply nested (but valid) expression overflows the C stack
// and kills the process with SIGSEGV.
func crashingPython(t *testing.T) pythons.Interpreter {
	var host []pythons.Interpreter
	for _, py := range pythons.Minor(t, 3, 13) {
		if py.Chroot == "" {
			host = append(host, py)
		}
	}
	if len(host) == 0 {
		t.Skip("no CPython 3.13 on the host")
	}
	py := host[0]
	wrapper := filepath.Join(t.TempDir(), "python3")
	script := fmt.Sprintf("#!/bin/sh\nulimit -s 256\nexec '%s' \"$@\"\n", py.Path)
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	py.Path = wrapper
	return py
}

// TestCrash checks that a file the interpreter dies on is Failed, and that
// the files after it are still answered.
func TestCrash(t *testing.T) {
	py := crashingPython(t)
	dir := t.TempDir()
	var files []string
	for i, src := range []string{"x = 1\n", "x = " + strings.Repeat("[", 180) + strings.Repeat("]", 180) + "\n", "def f(:\n", "y = 2\n"} {
		p := filepath.Join(dir, fmt.Sprintf("f%d.py", i))
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	results := runAll(t, py, files, Options{})
	want := []Kind{Parsed, Failed, Rejected, Parsed}
	for i, r := range results {
		if r.Kind != want[i] {
			t.Errorf("%s: %s (%s), want %s", filepath.Base(r.File), r.Kind, r.Failure, want[i])
		}
	}
	if !strings.Contains(results[1].Failure, "died") || !strings.Contains(results[1].Failure, "signal") {
		t.Errorf("failure %q does not say that the interpreter died of a signal", results[1].Failure)
	}
	// The crash is real: the same command dies on that file by itself.
	out, err := exec.Command(py.Path, "-S", "-s", "-c", dumpCommand, files[1]).CombinedOutput()
	if err == nil {
		t.Errorf("the dump command succeeded with a small stack: %.200s", out)
	}
}

// TestTimeout checks that a file taking longer than FileTimeout is Failed
// and the others are answered.
func TestTimeout(t *testing.T) {
	py := pythons.Minor(t, 3, 13)[0]
	dir := t.TempDir()
	var files []string
	for i, src := range []string{"x = 1\n", strings.Repeat("x = [1, 2, 3]\n", 300000), "y = 2\n"} {
		p := filepath.Join(dir, fmt.Sprintf("f%d.py", i))
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	start := time.Now()
	results := runAll(t, py, files, Options{FileTimeout: time.Second})
	want := []Kind{Parsed, Failed, Parsed}
	for i, r := range results {
		if r.Kind != want[i] {
			t.Errorf("%s: %s (%s), want %s", filepath.Base(r.File), r.Kind, r.Failure, want[i])
		}
	}
	if !strings.Contains(results[1].Failure, "more than 1s") {
		t.Errorf("failure %q does not name the time limit", results[1].Failure)
	}
	t.Logf("%s", time.Since(start))
}

// TestNoInterpreter checks that an interpreter that can't run the driver
// is an error, not a batch of failures.
func TestNoInterpreter(t *testing.T) {
	py := pythons.Interpreter{Path: "/bin/false", Version: "none"}
	err := Run(context.Background(), py, []string{"x.py"}, Options{}, func(int, Result) error {
		t.Error("a result was delivered")
		return nil
	})
	if err == nil || !strings.Contains(err.Error(), "did not start its driver") {
		t.Errorf("Run = %v, want an error saying the driver did not start", err)
	}
}

// TestRecursionBoundary finds, with the dump command itself, the deepest
// chain of lambdas whose tree ast.dump still prints, and checks that the
// oracle answers for it and fails one lambda deeper: the recursion limit of
// the driver matches the command's. (The boundary is searched with the first
// interpreter and checked with the command on the others.)
func TestRecursionBoundary(t *testing.T) {
	dir := t.TempDir()
	write := func(n int) string {
		p := filepath.Join(dir, fmt.Sprintf("lambda%d.py", n))
		if err := os.WriteFile(p, []byte("x = "+strings.Repeat("lambda:", n)+"1\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	lo, hi := 0, 0 // the command dumps lo lambdas and fails on hi
	for k, py := range pythons.Minor(t, 3, 13) {
		t.Run(py.Version, func(t *testing.T) {
			dumps := func(n int) bool {
				return py.Command(context.Background(), "-S", "-s", "-c", dumpCommand, write(n)).Run() == nil
			}
			if k == 0 {
				lo, hi = 1, 4000
				if !dumps(lo) || dumps(hi) {
					t.Fatalf("the dump command: %d lambdas fail or %d succeed", lo, hi)
				}
				for hi-lo > 1 {
					mid := (lo + hi) / 2
					if dumps(mid) {
						lo = mid
					} else {
						hi = mid
					}
				}
			} else if !dumps(lo) || dumps(hi) {
				t.Fatalf("the boundary moved: the dump command fails on %d lambdas or prints %d", lo, hi)
			}
			results := runAll(t, py, []string{write(lo), write(hi)}, Options{})
			if results[0].Kind != Parsed || results[1].Kind != Failed {
				t.Errorf("the dump command prints %d nested lambdas and fails on %d; the oracle: %s (%s), %s (%s)",
					lo, hi, results[0].Kind, results[0].Failure, results[1].Kind, results[1].Failure)
			}
			t.Logf("%s: ast.dump prints %d nested lambdas, not %d", py, lo, hi)
		})
	}
}
