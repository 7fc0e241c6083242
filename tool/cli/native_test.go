package cli

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

// TestNativeUsage: command lines the native backend can't run exit 2 with
// a message that says why, compile nothing and, run as the built binary
// with an empty environment (no PATH, no interpreter reachable), look for
// no interpreter.
func TestNativeUsage(t *testing.T) {
	cases := []struct {
		args []string
		want string // in stderr
	}{
		{[]string{"--backend", "native"}, "no PATH given"},
		{[]string{"--backend", "bogus", "pkg"}, `invalid choice: "bogus"`},
		{[]string{"--backend", "cpython", "--dump-ast", "x.py"}, "--dump-ast needs --backend native"},
		{[]string{"--backend", "auto", "--dump-ast", "x.py"}, "--dump-ast needs --backend native"},
		{[]string{"--backend", "native", "--python", "/usr/bin/python3", "--dump-ast", "x.py"}, "give --python-version, not --python"},
		{[]string{"--backend", "native", "--python-version", "3.12", "--dump-ast", "x.py"}, "knows no release of it"},
		{[]string{"--backend", "native", "--python-version", "3.12.1", "--dump-ast", "x.py"}, "does not know 3.12"},
		{[]string{"--backend", "native", "--python-version", "3.13.99", "--dump-ast", "x.py"}, "newer than the newest release"},
		{[]string{"--backend", "native", "--python-version", "3.x", "--dump-ast", "x.py"}, "want X.Y or X.Y.Z"},
		{[]string{"--backend", "native", "--dump-ast", "x.py", "pkg"}, "give no PATH"},
		{[]string{"--backend", "native", "--dump-ast", "x.py", "-i", "-"}, "give no PATH and no -i list"},
		{[]string{"--backend", "native", "--dump-ast", ""}, "give the file to parse"},
		{[]string{"--backend", "native", "--dump-ast"}, "flag needs an argument"},
		// Compiling: a release the native compiler does not cover.
		{[]string{"--backend", "native", "--python-version", "3.12", "pkg"}, "knows no release of it"},
		{[]string{"--backend", "native", "--python-version", "3.13.4", "pkg"}, "generator expressions changed"},
		{[]string{"--backend=native", "--python-version=3.13.99", "-o", "1", "pkg"}, "newer than the newest release"},
		{[]string{"--back", "native", "--python-version", "3.12.1", "pkg"}, "(use --backend cpython with --python)"},
	}
	dir := t.TempDir()
	buildTree(t, dir, pkgTree)
	if err := os.WriteFile(filepath.Join(dir, "x.py"), []byte("x = 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, dir)
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			stdout, stderr, code := runMain(t, dir, c.args, "")
			if code != ExitUsage || !strings.HasPrefix(stderr, "pyc: error: ") || !strings.Contains(stderr, c.want) {
				t.Errorf("exit %d, stderr %q; want exit 2 and %q", code, stderr, c.want)
			}
			if stdout != "" {
				t.Errorf("stdout %q, want nothing", stdout)
			}
			bin := runBare(t, dir, c.args)
			if bin.code != code || bin.stdout != stdout || bin.stderr != stderr {
				t.Errorf("the binary with an empty environment: exit %d, stdout %q, stderr %q; Main: exit %d, stderr %q",
					bin.code, bin.stdout, bin.stderr, code, stderr)
			}
		})
	}
	if d := diffSnapshots(before, snapshot(t, dir)); d != "" {
		t.Errorf("the tree changed:\n%s", d)
	}
}

// TestAutoWithoutInterpreter: under auto, a release the native compiler
// does not cover needs an interpreter; with none reachable (the binary
// with an empty environment) the message says both why the native
// compiler was not used and why no interpreter was, and a malformed
// version is refused as such before any interpreter is looked for.
func TestAutoWithoutInterpreter(t *testing.T) {
	cases := []struct {
		version string
		want    []string // in stderr
	}{
		{"3.13.99", []string{"3.13.99 is newer than the newest release the native compiler knows", "it covers 3.13.0", "the CPython backend cannot compile for it", `"python3"`, "(name an interpreter of that release with --python"}},
		{"3.12", []string{"knows no release of it", "the CPython backend cannot compile for it", "(name an interpreter of that release with --python"}},
		{"3.13.4", []string{"generator expressions changed", "the CPython backend cannot compile for it"}},
		{"3.x", []string{`bad Python version "3.x": want X.Y or X.Y.Z`}},
	}
	dir := t.TempDir()
	buildTree(t, dir, pkgTree)
	before := snapshot(t, dir)
	for _, c := range cases {
		t.Run(c.version, func(t *testing.T) {
			bin := runBare(t, dir, []string{"--python-version", c.version, "pkg"})
			if bin.code != ExitUsage || bin.stdout != "" || !strings.HasPrefix(bin.stderr, "pyc: error: ") {
				t.Fatalf("exit %d, stdout %q, stderr %q; want exit 2, no output, an error", bin.code, bin.stdout, bin.stderr)
			}
			for _, w := range c.want {
				if !strings.Contains(bin.stderr, w) {
					t.Errorf("stderr %q lacks %q", bin.stderr, w)
				}
			}
			if c.version == "3.x" && strings.Contains(bin.stderr, "python3") {
				t.Errorf("stderr %q: a malformed version looked for an interpreter", bin.stderr)
			}
		})
	}
	if d := diffSnapshots(before, snapshot(t, dir)); d != "" {
		t.Errorf("the tree changed:\n%s", d)
	}
}

// TestUnsupportedSourceNeedsAnInterpreter: a source the native compiler
// cannot reproduce for its release (3.13.0 crashes on it), with no
// interpreter named, fails on its own with a message that says how to
// compile it; the other files are compiled.
func TestUnsupportedSourceNeedsAnInterpreter(t *testing.T) {
	dir := t.TempDir()
	buildTree(t, dir, []node{
		{path: "pkg/crash.py", data: "class W:\n    class C[__classdict__]: pass\n"},
		{path: "pkg/ok.py", data: "x = 1\n"},
	})
	bin := runBare(t, dir, []string{"--python-version", "3.13.0", "pkg"})
	want := []string{
		"Compiling 'pkg/crash.py'...\n*** the native compiler cannot compile this source as CPython does (codegen): CPython 3.13.0 crashes",
		" (compile it with an interpreter of that release: --python PATH, with --backend auto or cpython)\n",
		"Compiling 'pkg/ok.py'...\n",
	}
	for _, w := range want {
		if !strings.Contains(bin.stdout, w) {
			t.Errorf("stdout %q lacks %q", bin.stdout, w)
		}
	}
	if bin.code != 1 {
		t.Errorf("exit %d, want 1", bin.code)
	}
	if _, err := os.Stat(filepath.Join(dir, "pkg", "__pycache__", "ok.cpython-313.pyc")); err != nil {
		t.Errorf("the other file: %v", err)
	}
}

// TestDumpASTUnreadable: a FILE that can't be read exits 1 with the
// OSError Python raises for open(FILE, 'rb').read(), without a traceback
// and without an interpreter.
func TestDumpASTUnreadable(t *testing.T) {
	py := interpreters(t)[0]
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "dir.py"), 0o755); err != nil {
		t.Fatal(err)
	}
	paths := []string{filepath.Join(dir, "missing.py"), filepath.Join(dir, "dir.py"), filepath.Join(dir, "missing", "x.py")}
	if p := unreadableFile(); p != "" {
		paths = append(paths, p)
	}
	for _, p := range paths {
		t.Run(p, func(t *testing.T) {
			out, _ := exec.Command(py.Path, "-S", "-s", "-c",
				"import sys\ntry:\n open(sys.argv[1], 'rb').read()\nexcept OSError as e:\n print(type(e).__name__ + ': ' + str(e))",
				p).Output()
			if len(out) == 0 {
				t.Fatalf("%s reads %s", py, p)
			}
			want := "pyc: " + string(out)
			got := runBare(t, dir, []string{"--backend", "native", "--dump-ast", p})
			if got.code != ExitFailed || got.stderr != want || got.stdout != "" {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit 1 and %q", got.code, got.stdout, got.stderr, want)
			}
		})
	}
}

// bareRun is what a run of the pyc binary gave.
type bareRun struct {
	stdout, stderr string
	code           int
}

// runBare runs the pyc binary in dir with an empty environment: no PATH,
// so no interpreter can be found.
func runBare(t *testing.T, dir string, args []string) bareRun {
	t.Helper()
	cmd := exec.Command(pycBinary, args...)
	cmd.Dir = dir
	cmd.Env = []string{}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("pyc %v: %v", args, err)
		}
		code = ee.ExitCode()
	}
	return bareRun{stdout.String(), stderr.String(), code}
}

// TestBackendAuto: --backend auto and --backend cpython compile as the
// default does with an interpreter the native compiler does not cover.
func TestBackendAuto(t *testing.T) {
	var py pythons.Interpreter
	for _, p := range interpreters(t) {
		if p.Major == 3 && p.Minor < 13 && !p.Embedded {
			py = p
		}
	}
	if py.Path == "" {
		t.Skip("no interpreter older than 3.13")
	}
	var want map[string]string
	var wantOut string
	for _, backend := range []string{"", "cpython", "auto"} {
		dir := t.TempDir()
		buildTree(t, dir, pkgTree)
		args := []string{"--python", py.Path, "pkg"}
		if backend != "" {
			args = append([]string{"--backend", backend}, args...)
		}
		stdout, stderr, code := runMain(t, dir, args, "")
		if code != ExitOK {
			t.Fatalf("%v: exit %d, stderr %q", args, code, stderr)
		}
		snap := snapshot(t, dir)
		if backend == "" {
			want, wantOut = snap, stdout
			continue
		}
		if d := diffSnapshots(want, snap); d != "" || stdout != wantOut {
			t.Errorf("--backend %s differs from the default:\n%s\nstdout %q, default %q", backend, d, stdout, wantOut)
		}
	}
}

// nativeTree is pkgTree with sources that warn and that fail.
var nativeTree = append(append([]node(nil), pkgTree...),
	node{path: "pkg/warn.py", data: "x = '\\d'\nif x is 1: pass\nassert (x, 1)\n"},
	node{path: "pkg/bad.py", data: "y = '\\d'\ndef f(:\n"},
	node{path: "pkg/sym.py", data: "def f(a):\n    global a\n"},
)

// TestBackendNative: the native backend writes the tree, the listing, the
// warnings and the errors that the CPython backend does with an
// interpreter of the same release, one file at a time (-j 1, compileall's
// order of everything), at every level and in every mode, and does so with
// three files at a time (-j 3: the warnings still come in the listing's
// order, as with the CPython backend under -j 3, also checked): named
// by --python (native, auto and the default, auto, read its version; the
// default also with an interpreter that answers only that question and
// fails if asked to compile), and by --python-version alone, run as the
// binary with an empty environment (no interpreter reachable).
func TestBackendNative(t *testing.T) {
	var found []pythons.Interpreter
	for _, p := range interpreters(t) {
		if p.Major == 3 && p.Minor == 13 && !p.Embedded {
			found = append(found, p)
		}
	}
	if len(found) == 0 {
		t.Skip("no CPython 3.13 (TestChrootInterpreters covers the chroot's)")
	}
	for _, py := range found {
		probeOnly := probeOnlyPython(t, py.Path)
		for _, mode := range []string{"checked-hash", "unchecked-hash", "timestamp"} {
			common := []string{"-o", "0", "-o", "1", "-o", "2", "--invalidation-mode", mode}
			dir := t.TempDir()
			buildTree(t, dir, nativeTree)
			ref := append([]string{"--backend", "cpython", "--python", py.Path, "-j", "1"}, append(common, "pkg")...)
			wantOut, wantErr, wantCode := runMain(t, dir, ref, "")
			if wantCode != ExitFailed || strings.Count(wantErr, "SyntaxWarning") < 10 || !strings.Contains(wantOut, "***") {
				t.Fatalf("%v: exit %d, stdout %q, stderr %q; want failures and warnings", ref, wantCode, wantOut, wantErr)
			}
			want := snapshot(t, dir)
			for _, args := range [][]string{
				{"--backend", "cpython", "--python", py.Path},
				{"--backend", "native", "--python", py.Path},
				{"--backend", "auto", "--python", py.Path},
				{"--python", py.Path},
				{"--python", probeOnly},
				{"--backend", "native", "--python-version", py.Version},
				{"--backend", "auto", "--python-version", py.Version},
				{"--python-version", py.Version},
			} {
				dir := t.TempDir()
				buildTree(t, dir, nativeTree)
				bare := slices.Contains(args, "--python-version")
				args = append(args, append(common, "-j", "3", "pkg")...)
				var got bareRun
				if bare {
					got = runBare(t, dir, args)
				} else {
					got.stdout, got.stderr, got.code = runMain(t, dir, args, "")
				}
				if got.code != wantCode || got.stdout != wantOut || got.stderr != wantErr {
					t.Errorf("%v: exit %d, stdout\n%s\nstderr\n%s\nwant exit %d, stdout\n%s\nstderr\n%s", args, got.code, got.stdout, got.stderr, wantCode, wantOut, wantErr)
				}
				if d := diffSnapshots(want, snapshot(t, dir)); d != "" {
					t.Errorf("%v: the tree differs from the CPython backend's:\n%s", args, d)
				}
			}
		}
	}
}

// probeOnlyPython writes an interpreter that runs real for anything but
// the CPython backend's compile server (so pyc's probe learns real's
// version), and fails at once, saying so, when it is started as that
// server: a run that compiles with it compiles with no interpreter.
func probeOnlyPython(t *testing.T, real string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "python3")
	script := "#!/bin/sh\nfor a in \"$@\"; do\n  case \"$a\" in\n  *'def main('*) echo 'this interpreter was asked to compile' >&2; exit 1;;\n  esac\ndone\nexec '" + real + "' \"$@\"\n"
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	// The script must tell the server apart: the CPython backend fails
	// with it.
	dir := t.TempDir()
	buildTree(t, dir, pkgTree)
	stdout, stderr, code := runMain(t, dir, []string{"--backend", "cpython", "--python", path, "pkg"}, "")
	if code == ExitOK || !strings.Contains(stdout+stderr, "asked to compile") {
		t.Fatalf("--backend cpython --python %s: exit %d, stdout %q, stderr %q; want a failure", path, code, stdout, stderr)
	}
	return path
}

// TestDefaultWithoutInterpreter: with no interpreter reachable, no --python
// and no --python-version, the default backend has no release to compile
// for: exit 2, and the message says that --python-version 3.13 needs no
// interpreter; with it, the tree compiles (TestBackendNative compares the
// bytes).
func TestDefaultWithoutInterpreter(t *testing.T) {
	dir := t.TempDir()
	buildTree(t, dir, pkgTree)
	got := runBare(t, dir, []string{"pkg"})
	if got.code != ExitUsage || got.stdout != "" || !strings.Contains(got.stderr, `"python3"`) || !strings.Contains(got.stderr, "--python-version: 3.13 needs no interpreter") {
		t.Errorf("exit %d, stdout %q, stderr %q; want exit 2 and the hint", got.code, got.stdout, got.stderr)
	}
	got = runBare(t, dir, []string{"--backend", "cpython", "pkg"})
	if got.code != ExitUsage || strings.Contains(got.stderr, "3.13 needs no interpreter") {
		t.Errorf("--backend cpython: exit %d, stderr %q; want exit 2 without the hint", got.code, got.stderr)
	}
	got = runBare(t, dir, []string{"-q", "--python-version", "3.13", "pkg"})
	if got.code != ExitOK || got.stdout != "" || got.stderr != "" {
		t.Errorf("--python-version 3.13: exit %d, stdout %q, stderr %q; want exit 0 and nothing", got.code, got.stdout, got.stderr)
	}
}

// TestDumpASTDefault: --dump-ast without --backend parses natively, as
// --backend native does, with no interpreter reachable.
func TestDumpASTDefault(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "x.py"), []byte("x = [i for i in y]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "bad.py"), []byte("def f(:\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, file := range []string{"x.py", "bad.py"} {
		for _, version := range [][]string{nil, {"--python-version", "3.13.0"}} {
			want := runBare(t, dir, append(append([]string{"--backend", "native"}, version...), "--dump-ast", file))
			got := runBare(t, dir, append(append([]string{}, version...), "--dump-ast", file))
			if got != want || (want.stdout == "") == (want.code == ExitOK) {
				t.Errorf("%s %v: exit %d, stdout %q, stderr %q; --backend native: exit %d, stdout %q, stderr %q",
					file, version, got.code, got.stdout, got.stderr, want.code, want.stdout, want.stderr)
			}
		}
	}
}

// TestWarningsInListingOrder: with more than one compile at a time, each
// file's warnings still reach stderr in the listing's order, after its
// "Compiling" line, although the first file takes far longer to compile
// than the second (about 1 MB against a line): natively, and through the
// CPython backend with a 3.12 or newer interpreter (which warns about
// the same escape).
func TestWarningsInListingOrder(t *testing.T) {
	slow := "x = '\\d'\n" + strings.Repeat("y = [1, 2, 3, (4, 5), {6: 7}, 'eight', f(9, z=10)]\n", 20000)
	tree := []node{{path: "pkg/a.py", data: slow}, {path: "pkg/b.py", data: "w = '\\d'\n"}}
	runs := [][]string{{"--python-version", "3.13"}}
	for _, p := range interpreters(t) {
		if p.Major == 3 && p.Minor >= 12 && !p.Embedded {
			runs = append(runs, []string{"--backend", "cpython", "--python", p.Path})
			break
		}
	}
	want := "pkg/a.py:1: SyntaxWarning: invalid escape sequence '\\d'\n  x = '\\d'\n" +
		"pkg/b.py:1: SyntaxWarning: invalid escape sequence '\\d'\n  w = '\\d'\n"
	for _, args := range runs {
		dir := t.TempDir()
		buildTree(t, dir, tree)
		args = append(args, "-j", "2", "pkg")
		stdout, stderr, code := runMain(t, dir, args, "")
		if code != ExitOK || stderr != want {
			t.Errorf("%v: exit %d, stdout %q, stderr\n%s\nwant\n%s", args, code, stdout, stderr, want)
		}
	}
}
