package precompile_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/rules-pyc/rules_pyc/compiler/engine"
	"github.com/rules-pyc/rules_pyc/compiler/pycfile"
	"github.com/rules-pyc/rules_pyc/compiler/release"
	"github.com/rules-pyc/rules_pyc/internal/pyref"
	"github.com/rules-pyc/rules_pyc/internal/pythons"
	"github.com/rules-pyc/rules_pyc/tool/precompile"
	"github.com/rules-pyc/rules_pyc/tool/worker"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		want    *precompile.Request
		wantErr string
	}{
		{
			name: "rules_python's order",
			args: []string{"--invalidation_mode", "unchecked_hash", "--src", "a/b.py", "--src_name", "b.py", "--pyc", "out/b.pyc", "--optimize", "2", "--python_version", "3.12"},
			want: &precompile.Request{PythonVersion: "3.12", Mode: pycfile.UncheckedHash, Optimize: 2, Files: []precompile.File{{Src: "a/b.py", Name: "b.py", Pyc: "out/b.pyc"}}},
		},
		{
			name: "sets and = forms",
			args: []string{"--python=/py", "--src=x.py", "--src_name=p/x.py", "--pyc=x.pyc", "--src", "y.py", "--src_name", "p/y.py", "--pyc", "y.pyc", "--on_error", "stub"},
			want: &precompile.Request{Python: "/py", Mode: pycfile.CheckedHash, Stub: true, Files: []precompile.File{{"x.py", "p/x.py", "x.pyc"}, {"y.py", "p/y.py", "y.pyc"}}},
		},
		{
			name: "hyphenated spellings",
			args: []string{"--python-version", "3.12", "--invalidation-mode", "unchecked-hash", "--on-error", "stub", "--src", "x.py", "--pyc", "x.pyc"},
			want: &precompile.Request{PythonVersion: "3.12", Mode: pycfile.UncheckedHash, Stub: true, Files: []precompile.File{{"x.py", "x.py", "x.pyc"}}},
		},
		{
			name: "no names: the source path is recorded",
			args: []string{"--src", "x.py", "--pyc", "x.pyc"},
			want: &precompile.Request{Mode: pycfile.CheckedHash, Files: []precompile.File{{"x.py", "x.py", "x.pyc"}}},
		},
		{
			name: "backend",
			args: []string{"--backend", "native", "--python_version", "3.13.5", "--src", "x.py", "--pyc", "x.pyc"},
			want: &precompile.Request{Backend: engine.Native, PythonVersion: "3.13.5", Mode: pycfile.CheckedHash, Files: []precompile.File{{"x.py", "x.py", "x.pyc"}}},
		},
		{name: "bad backend", args: []string{"--backend", "jython", "--src", "x", "--pyc", "y"}, wantErr: "unknown backend"},
		{name: "unbalanced sets", args: []string{"--src", "x.py", "--pyc", "x.pyc", "--src", "y.py"}, wantErr: "go in sets"},
		{name: "nothing", args: nil, wantErr: "nothing to compile"},
		{name: "bad mode", args: []string{"--invalidation_mode", "sometimes", "--src", "x", "--pyc", "y"}, wantErr: "--invalidation_mode"},
		{name: "bad optimize", args: []string{"--optimize", "3", "--src", "x", "--pyc", "y"}, wantErr: "want 0, 1 or 2"},
		{name: "bad on_error", args: []string{"--on_error", "ignore", "--src", "x", "--pyc", "y"}, wantErr: "want fail or stub"},
		{name: "unknown flag", args: []string{"--frobnicate", "--src", "x", "--pyc", "y"}, wantErr: "unknown flag"},
		{name: "stray argument", args: []string{"--src", "x", "--pyc", "y", "z.py"}, wantErr: "unexpected argument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := precompile.Parse(tt.args)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Parse = %v, want error containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !equal(got, tt.want) {
				t.Errorf("Parse = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func equal(a, b *precompile.Request) bool {
	if a.Backend != b.Backend || a.Python != b.Python || a.PythonVersion != b.PythonVersion || a.Mode != b.Mode || a.Optimize != b.Optimize || a.Stub != b.Stub || len(a.Files) != len(b.Files) {
		return false
	}
	for i := range a.Files {
		if a.Files[i] != b.Files[i] {
			return false
		}
	}
	return true
}

func TestParseDefaults(t *testing.T) {
	var jobs int
	process := func(fs *pflag.FlagSet) { fs.IntVarP(&jobs, "jobs", "j", 0, "") }
	defaults, err := precompile.ParseDefaults([]string{"--python", "/usr/bin/python3", "-j", "3", "--python-version", "3.11"}, process)
	if err != nil {
		t.Fatal(err)
	}
	if jobs != 3 || strings.Join(defaults, " ") != "--python=/usr/bin/python3 --python_version=3.11" {
		t.Errorf("ParseDefaults = %q, jobs %d", defaults, jobs)
	}
	for _, bad := range [][]string{{"--optimize", "9x"}, {"--src", "a.py"}, {"--pyc", "a.pyc"}, {"stray"}, {"--frobnicate"}, {"-j", "2"}} {
		if _, err := precompile.ParseDefaults(bad, nil); err == nil {
			t.Errorf("ParseDefaults(%q) accepted", bad)
		}
	}
}

// TestHandlerMatchesPyCompile runs a batched request under a sandbox dir and
// compares each output with py_compile in a fresh process.
func TestHandlerMatchesPyCompile(t *testing.T) {
	for _, py := range pythons.Require(t, 2) {
		t.Run(py.Version, func(t *testing.T) {
			work := t.TempDir()
			t.Chdir(work)
			sandbox := "sandbox/1"
			if err := os.MkdirAll(filepath.Join(sandbox, "pkg"), 0o755); err != nil {
				t.Fatal(err)
			}
			srcs := map[string]string{"pkg/a.py": "A = {'x', 'y'}\n", "pkg/b.py": "def b():\n    return 'b'\n"}
			args := []string{"--python", py.Path, "--invalidation_mode", "checked_hash", "--optimize", "1", "--python_version", strings.Join(strings.Split(py.Version, ".")[:2], ".")}
			for name, src := range srcs {
				if err := os.WriteFile(filepath.Join(sandbox, name), []byte(src), 0o644); err != nil {
					t.Fatal(err)
				}
				args = append(args, "--src", name, "--src_name", name, "--pyc", "out/"+name+"c")
			}
			e := engine.New(engine.Config{Jobs: 2})
			defer e.Close()
			res := precompile.Handler(e, nil)(context.Background(), &worker.Request{Arguments: args, SandboxDir: sandbox})
			if res.ExitCode != 0 || res.Output != "" || len(res.Outputs) != 2 {
				t.Fatalf("result %+v", res)
			}
			for name := range srcs {
				got, err := os.ReadFile(filepath.Join(sandbox, "out", name+"c"))
				if err != nil {
					t.Fatal(err)
				}
				ref, err := pyref.Compile(py.Path, pyref.Spec{Source: filepath.Join(sandbox, name), DFile: name, Optimize: 1, Mode: pyref.CheckedHash}, work)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, ref.Data) {
					t.Errorf("%s differs from py_compile's", name)
				}
			}
		})
	}
}

func TestHandlerErrors(t *testing.T) {
	py := pythons.Require(t, 1)[0]
	dir := t.TempDir()
	good, bad := filepath.Join(dir, "good.py"), filepath.Join(dir, "bad.py")
	if err := os.WriteFile(good, []byte("x = 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, []byte("x = (\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ref, err := pyref.Compile(py.Path, pyref.Spec{Source: bad, DFile: "pkg/bad.py"}, dir)
	if err != nil || ref.Error == "" {
		t.Fatalf("reference: %v %q", err, ref.Error)
	}
	e := engine.New(engine.Config{Python: py.Path, Jobs: 2})
	defer e.Close()
	h := precompile.Handler(e, []string{"--python", py.Path})
	run := func(args ...string) worker.Result {
		return h(context.Background(), &worker.Request{Arguments: args})
	}

	res := run("--src", good, "--src_name", "pkg/good.py", "--pyc", filepath.Join(dir, "good.pyc"), "--src", bad, "--src_name", "pkg/bad.py", "--pyc", filepath.Join(dir, "bad.pyc"))
	if res.ExitCode != 1 || res.Output != strings.TrimRight(ref.Error, "\n")+"\n" {
		t.Errorf("syntax error: exit %d, output %q; want 1 and py_compile's %q", res.ExitCode, res.Output, ref.Error)
	}
	if _, err := os.Stat(filepath.Join(dir, "bad.pyc")); err == nil {
		t.Error("a pyc was written for the bad source")
	}
	if _, err := os.Stat(filepath.Join(dir, "good.pyc")); err != nil {
		t.Error("the good source of the same request was not compiled")
	}

	res = run("--src", bad, "--src_name", "pkg/bad.py", "--pyc", filepath.Join(dir, "stub.pyc"), "--on_error", "stub")
	if res.ExitCode != 0 || len(res.Outputs) != 1 {
		t.Errorf("stub mode: %+v", res)
	}

	res = run("--python_version", "2.7", "--src", good, "--pyc", filepath.Join(dir, "x.pyc"))
	if res.ExitCode != 1 || !strings.Contains(res.Output, "was requested") {
		t.Errorf("version mismatch: %+v", res)
	}
	res = run("--python", filepath.Join(dir, "nopython"), "--src", good, "--pyc", filepath.Join(dir, "x.pyc"))
	if res.ExitCode != 1 || !strings.Contains(res.Output, "nopython") {
		t.Errorf("missing interpreter: %+v", res)
	}
	res = run("--src", good)
	if res.ExitCode != 2 || !strings.Contains(res.Output, "go in sets") {
		t.Errorf("usage error: %+v", res)
	}
}

// TestHandlerNative runs batched requests with the native backend, chosen
// in each way a request or the worker's startup options can choose it, and
// compares each output with py_compile of the 3.13 interpreter whose
// release the request targets: named by --python (its exact version), by
// rules_python's --python_version X.Y with the startup interpreter, by
// --python_version X.Y.Z alone, and, for the newest release known, by
// --python_version 3.13 alone.
func TestHandlerNative(t *testing.T) {
	var found []pythons.Interpreter
	for _, py := range pythons.Find(t) {
		if py.Major == 3 && py.Minor == 13 && !py.Embedded {
			found = append(found, py)
		}
	}
	if len(found) == 0 {
		t.Skip("no CPython 3.13 (TestChrootInterpreters covers the chroot's)")
	}
	newest, _, err := release.Parse("3.13")
	if err != nil {
		t.Fatal(err)
	}
	for _, py := range found {
		t.Run(py.Version, func(t *testing.T) {
			work := t.TempDir()
			t.Chdir(work)
			sandbox := "sandbox/1"
			if err := os.MkdirAll(filepath.Join(sandbox, "pkg"), 0o755); err != nil {
				t.Fatal(err)
			}
			srcs := map[string]string{
				"pkg/a.py": "A = {'x', 'y'}\nfor i in [1, 2]: pass\n",
				"pkg/b.py": "def b():\n    return [x for x in 'b' if (y := x)]\n",
			}
			for name, src := range srcs {
				if err := os.WriteFile(filepath.Join(sandbox, name), []byte(src), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			ways := []struct {
				name           string
				startup, flags []string
			}{
				{"auto, --python", nil, []string{"--backend", "auto", "--python", py.Path}},
				{"native, --python", nil, []string{"--backend", "native", "--python", py.Path}},
				{"rules_python's request, startup interpreter", []string{"--python", py.Path, "--backend", "auto"}, []string{"--python_version", "3.13"}},
				{"native, --python_version X.Y.Z", nil, []string{"--backend", "native", "--python_version", py.Version}},
			}
			if py.Version == newest.String() {
				ways = append(ways, struct {
					name           string
					startup, flags []string
				}{"auto, --python_version 3.13", []string{"--backend", "auto"}, []string{"--python_version", "3.13"}})
			}
			for i, w := range ways {
				args := append([]string{"--invalidation_mode", "checked_hash", "--optimize", "1"}, w.flags...)
				out := fmt.Sprintf("out%d/", i)
				for name := range srcs {
					args = append(args, "--src", name, "--src_name", name, "--pyc", out+name+"c")
				}
				e := engine.New(engine.Config{Jobs: 2})
				res := precompile.Handler(e, w.startup)(context.Background(), &worker.Request{Arguments: args, SandboxDir: sandbox})
				e.Close()
				if res.ExitCode != 0 || res.Output != "" || len(res.Outputs) != 2 {
					t.Fatalf("%s: result %+v", w.name, res)
				}
				for name := range srcs {
					got, err := os.ReadFile(filepath.Join(sandbox, out, name+"c"))
					if err != nil {
						t.Fatal(err)
					}
					ref, err := pyref.Compile(py.Path, pyref.Spec{Source: filepath.Join(sandbox, name), DFile: name, Optimize: 1, Mode: pyref.CheckedHash}, work)
					if err != nil {
						t.Fatal(err)
					}
					if !bytes.Equal(got, ref.Data) {
						t.Errorf("%s: %s differs from py_compile's", w.name, name)
					}
				}
			}
		})
	}
}

// TestHandlerDefaultMatchesCPython: for a 3.13 interpreter, a request with
// no --backend (the worker's default, auto, which compiles natively) gives
// what --backend cpython gives with the same interpreter: the outputs'
// bytes, the exit code, the messages of sources that fail, the stubs of
// --on_error stub and the SyntaxWarnings (in the output, source by source
// in the request's order), at every level and in every invalidation mode.
// Neither backend writes on the engine's stderr.
func TestHandlerDefaultMatchesCPython(t *testing.T) {
	var found []pythons.Interpreter
	for _, py := range pythons.Find(t) {
		if py.Major == 3 && py.Minor == 13 && !py.Embedded {
			found = append(found, py)
		}
	}
	if len(found) == 0 {
		t.Skip("no CPython 3.13 (TestChrootInterpreters covers the chroot's)")
	}
	srcs := []struct{ name, text string }{
		{"pkg/good.py", "'''doc'''\nassert len([x for x in 'ab' if x]) == 2, 'msg'\ndef f():\n    '''f doc'''\n    return (y for y in __debug__ and 'z')\n"},
		{"pkg/warn.py", "x = '\\d'\nif x is 1: pass\nassert (x, 1)\n"},
		{"pkg/bad.py", "y = '\\d'\ndef f(:\n"},
		{"pkg/sym.py", "def f(a):\n    global a\n"},
		{"pkg/ret.py", "return 1\n"},
	}
	type run struct {
		res    worker.Result
		stderr string
		pycs   map[string]string
	}
	for _, py := range found {
		t.Run(py.Version, func(t *testing.T) {
			work := t.TempDir()
			t.Chdir(work)
			for _, s := range srcs {
				if err := os.MkdirAll(filepath.Dir(s.name), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(s.name, []byte(s.text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			// do runs the request with the backend arguments given, its
			// outputs under out.
			do := func(out string, backend, common []string) run {
				args := append(append([]string{}, backend...), common...)
				for _, s := range srcs {
					args = append(args, "--src", s.name, "--src_name", s.name, "--pyc", filepath.Join(out, s.name+"c"))
				}
				var stderr bytes.Buffer
				e := engine.New(engine.Config{Backend: precompile.DefaultBackend, Jobs: 2, Stderr: &stderr})
				res := precompile.Handler(e, nil)(context.Background(), &worker.Request{Arguments: args, Verbosity: 1})
				e.Close()
				r := run{res: res, stderr: stderr.String(), pycs: map[string]string{}}
				for _, s := range srcs {
					if b, err := os.ReadFile(filepath.Join(out, s.name+"c")); err == nil {
						r.pycs[s.name] = string(b)
					}
				}
				r.res.Outputs = nil // they name out
				return r
			}
			for _, mode := range []string{"checked_hash", "unchecked_hash", "timestamp"} {
				for _, level := range []string{"0", "1", "2"} {
					for _, onError := range []string{"fail", "stub"} {
						common := []string{"--python", py.Path, "--invalidation_mode", mode, "--optimize", level, "--on_error", onError}
						name := fmt.Sprintf("%s -O%s --on_error %s", mode, level, onError)
						out := fmt.Sprintf("%s-%s-%s", mode, level, onError)
						want := do("cpython-"+out, []string{"--backend", "cpython"}, common)
						got := do("default-"+out, nil, common)
						if !strings.Contains(want.res.Output, "SyntaxError") || strings.Count(want.res.Output, "SyntaxWarning") < 4 || len(want.pycs) == 0 {
							t.Fatalf("%s: --backend cpython: %+v, %d pycs; want failures, warnings and outputs", name, want.res, len(want.pycs))
						}
						if got.res.ExitCode != want.res.ExitCode || got.res.Output != want.res.Output {
							t.Errorf("%s: the default: exit %d, output\n%s\n--backend cpython: exit %d, output\n%s", name, got.res.ExitCode, got.res.Output, want.res.ExitCode, want.res.Output)
						}
						if got.stderr != "" || want.stderr != "" {
							t.Errorf("%s: written on the engine's stderr instead of the output: the default %q, --backend cpython %q", name, got.stderr, want.stderr)
						}
						for _, s := range srcs {
							if got.pycs[s.name] != want.pycs[s.name] {
								t.Errorf("%s: %s: the default's pyc (%d bytes) differs from --backend cpython's (%d bytes)", name, s.name, len(got.pycs[s.name]), len(want.pycs[s.name]))
							}
						}
					}
				}
			}
		})
	}
}
