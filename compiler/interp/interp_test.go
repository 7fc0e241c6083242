package interp_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rules-pyc/rules_pyc/compiler/failure"
	"github.com/rules-pyc/rules_pyc/compiler/interp"
	"github.com/rules-pyc/rules_pyc/internal/pyref"
	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

// opts are the options of the tests' servers.
var opts = interp.Options{Stderr: os.Stderr}

func probe(t *testing.T, py pythons.Interpreter) *interp.Info {
	t.Helper()
	info, err := interp.Probe(context.Background(), py.Path, opts)
	if err != nil {
		t.Fatalf("Probe(%s): %v", py, err)
	}
	return info
}

// start starts a server for an interpreter already identified.
func start(t *testing.T, info *interp.Info) *interp.Server {
	t.Helper()
	s, err := interp.Launch(context.Background(), "", info, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Kill(); s.Close() })
	return s
}

// launch starts a server that identifies the interpreter.
func launch(t *testing.T, py pythons.Interpreter) *interp.Server {
	t.Helper()
	s, err := interp.Launch(context.Background(), py.Path, nil, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Kill(); s.Close() })
	return s
}

// compile compiles one source with s.
func compile(s *interp.Server, name string, src []byte, optimize int) ([]byte, error) {
	a, err := s.Compile(context.Background(), interp.Request{Name: name, Source: src, Optimize: optimize})
	return a.Code, err
}

func TestProbeAgreesWithInterpreter(t *testing.T) {
	for _, py := range pythons.Require(t, 2) {
		t.Run(py.Version, func(t *testing.T) {
			info := probe(t, py)
			if info.Version != py.Version || info.Magic != py.Magic || info.CacheTag != py.CacheTag {
				t.Errorf("Probe = %s %x %s, interpreter says %s %x %s", info.Version, info.Magic, info.CacheTag, py.Version, py.Magic, py.CacheTag)
			}
			if err := info.Check(""); err != nil {
				t.Error(err)
			}
			if err := info.Check(py.Version); err != nil {
				t.Error(err)
			}
			if err := info.Check(strings.Join(strings.Split(py.Version, ".")[:2], ".")); err != nil {
				t.Error(err)
			}
			// The neighbours: another minor version, another micro release.
			for _, other := range []string{"2.7", fmt.Sprintf("3.%d", py.Minor-1), fmt.Sprintf("3.%d", py.Minor+1), fmt.Sprintf("3.%d.%d", py.Minor, py.Micro+1)} {
				if err := info.Check(other); err == nil || !strings.Contains(err.Error(), "was requested") {
					t.Errorf("Check(%s) = %v, want a mismatch error", other, err)
				}
			}
			if err := info.Check("3.x"); err == nil || !strings.Contains(err.Error(), "bad Python version") {
				t.Errorf("Check(3.x) = %v, want a usage error", err)
			}
		})
	}
}

// identifiers are the two ways of finding out what an interpreter is: the
// probe, and the compile server's first answer.
var identifiers = []struct {
	name     string
	identify func(python string, stderr io.Writer) (*interp.Info, error)
}{
	{"Probe", func(python string, _ io.Writer) (*interp.Info, error) {
		return interp.Probe(context.Background(), python, interp.Options{})
	}},
	{"Launch", func(python string, stderr io.Writer) (*interp.Info, error) {
		s, err := interp.Launch(context.Background(), python, nil, interp.Options{Stderr: stderr})
		if err != nil {
			return nil, err
		}
		defer s.Close()
		return s.Info(), nil
	}},
}

func TestLaunchAgreesWithProbe(t *testing.T) {
	for _, py := range pythons.Require(t, 2) {
		t.Run(py.Version, func(t *testing.T) {
			got, want := launch(t, py).Info(), probe(t, py)
			if *got != *want {
				t.Errorf("the server says %+v, the probe %+v", *got, *want)
			}
		})
	}
}

func TestRefusesWhatIsNotCPython3(t *testing.T) {
	dir := t.TempDir()
	notExec := filepath.Join(dir, "python3")
	if err := os.WriteFile(notExec, []byte("#!/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	fake := filepath.Join(dir, "fakepy")
	if err := os.WriteFile(fake, []byte("#!/bin/sh\necho not python >&2\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		python, want string
	}{
		{filepath.Join(dir, "missing"), "no such file"},
		{dir, "not an executable file"},
		{notExec, "not an executable file"},
		{fake, "not python"},
		{"no-such-python-anywhere", "on PATH"},
	}
	root := os.Getenv("PYENV_ROOT")
	if root == "" {
		root = filepath.Join(os.Getenv("HOME"), ".pyenv")
	}
	for _, old := range []string{"2.7", "3.6", "3.7"} {
		matches, _ := filepath.Glob(filepath.Join(root, "versions", old+".*", "bin", "python"))
		for _, m := range matches {
			// The message names the version found and the one required.
			tests = append(tests, struct{ python, want string }{m, " " + old + ".* 3.8 or newer is required"})
		}
	}
	for _, id := range identifiers {
		for _, tt := range tests {
			var stderr bytes.Buffer
			_, err := id.identify(tt.python, &stderr)
			want := strings.Split(tt.want, "*")
			if err == nil || !strings.Contains(err.Error(), want[0]) || !strings.Contains(err.Error(), want[len(want)-1]) {
				t.Errorf("%s(%s) = %v, want an error containing %q", id.name, tt.python, err, tt.want)
			}
			if stderr.Len() > 0 {
				t.Errorf("%s(%s) let the interpreter print %q", id.name, tt.python, stderr.String())
			}
		}
	}
}

// TestLaunchThroughLauncher starts the interpreter through a script that
// runs it: the server that serves is started from the interpreter itself,
// as Start does, not through the script.
func TestLaunchThroughLauncher(t *testing.T) {
	py := pythons.Require(t, 1)[0]
	real, err := filepath.EvalSymlinks(py.Path)
	if err != nil {
		t.Fatal(err)
	}
	launcher := filepath.Join(t.TempDir(), "python3")
	if err := os.WriteFile(launcher, []byte("#!/bin/sh\nexec "+real+" \"$@\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	s, err := interp.Launch(context.Background(), launcher, nil, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Info().Path != launcher || s.Info().Executable != real {
		t.Errorf("Info = %+v, want Path %s and Executable %s", *s.Info(), launcher, real)
	}
	if _, err := compile(s, "m.py", []byte("x = 1\n"), 0); err != nil {
		t.Fatal(err)
	}
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", s.Pid()))
	if err != nil {
		t.Fatal(err)
	}
	if argv0 := strings.Split(string(cmdline), "\x00")[0]; argv0 != real {
		t.Errorf("the server runs %s, want %s", argv0, real)
	}
}

// TestServerOfAnotherInterpreter starts a server for one interpreter's
// identity from another interpreter's file, as when the file is replaced
// between the probe and the start: the start refuses.
func TestServerOfAnotherInterpreter(t *testing.T) {
	pys := pythons.Require(t, 2)
	info := *probe(t, pys[0])
	other := pys[len(pys)-1]
	if other.Magic == info.Magic {
		t.Skip("needs two interpreters with different magic numbers")
	}
	info.Executable = other.Path
	s, err := interp.Launch(context.Background(), "", &info, opts)
	var ie *failure.InterpreterError
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), "changed") || !strings.Contains(err.Error(), other.Version) {
		t.Errorf("got %v, want an InterpreterError saying the interpreter changed to %s", err, other.Version)
	}
	if s != nil {
		s.Kill()
	}
}

// TestServerMatchesFreshPyCompile compiles a few sources through one server,
// each several times and in between others, and compares the marshal data
// with py_compile in a fresh process.
func TestServerMatchesFreshPyCompile(t *testing.T) {
	dir := t.TempDir()
	sources := map[string]string{
		"sets.py":    "x = 1\nif x in {'alpha', 'beta', 'gamma', 'delta'}:\n    y = frozenset({1, 2, 3})\n",
		"strings.py": "A = 'finalize._Info'\nB = 'a b c'\nC = ('a b c', 'a b c')\ndef f():\n    return 'finalize._Info'\n",
		"latin.py":   "# -*- coding: latin-1 -*-\ns = '\u00e9t\u00e9'\n", // written in Latin-1
		"bom.py":     "\ufeffprint('bom')\r\n",
		"koi8.py":    "# -*- coding: koi8-r -*-\ns = 'abc'\n", // a codec no one has imported yet
		"docs.py":    "'''module doc'''\ndef f():\n    '''fdoc'''\n    assert f\n    return __debug__\n",
	}
	var names []string
	for name, src := range sources {
		p := filepath.Join(dir, name)
		data := []byte(src)
		if name == "latin.py" {
			data = bytes.ReplaceAll([]byte(src), []byte("\u00e9"), []byte{0xe9})
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		names = append(names, p)
	}
	for _, py := range pythons.Require(t, 2) {
		t.Run(py.Version, func(t *testing.T) {
			s := launch(t, py)
			for round := 0; round < 2; round++ {
				for _, p := range names {
					for opt := 0; opt <= 2; opt++ {
						ref, err := pyref.Compile(py.Path, pyref.Spec{Source: p, DFile: "pkg/" + filepath.Base(p), Optimize: opt, Mode: pyref.UncheckedHash}, dir)
						if err != nil {
							t.Fatal(err)
						}
						src, err := os.ReadFile(p)
						if err != nil {
							t.Fatal(err)
						}
						got, err := compile(s, "pkg/"+filepath.Base(p), src, opt)
						if err != nil {
							t.Fatalf("%s: %v", p, err)
						}
						if !bytes.Equal(got, ref.Data[16:]) {
							t.Errorf("%s -O%d: marshal data differs from py_compile's (%d vs %d bytes) at %d", filepath.Base(p), opt, len(got), len(ref.Data)-16, firstDiff(got, ref.Data[16:]))
						}
					}
				}
			}
		})
	}
}

// TestCompileErrorsMatchPyCompile checks that rejected sources give py_compile's
// own message, and that the server goes on working afterwards.
func TestCompileErrorsMatchPyCompile(t *testing.T) {
	dir := t.TempDir()
	bad := map[string][]byte{
		"syntax.py":   []byte("def f(:\n    pass\n"),
		"indent.py":   []byte("if 1:\npass\n"),
		"cookie.py":   []byte("# -*- coding: no-such-codec -*-\nx = 1\n"),
		"utf8.py":     []byte("x = '\xff\xfe'\n"),
		"nul.py":      []byte("x = 1\x00\n"),
		"nested.py":   []byte("x = " + strings.Repeat("(", 300) + strings.Repeat(")", 300) + "\n"),
		"unclosed.py": []byte("x = [1,\n"),
	}
	for _, py := range pythons.Require(t, 2) {
		t.Run(py.Version, func(t *testing.T) {
			s := start(t, probe(t, py))
			for name, src := range bad {
				p := filepath.Join(dir, name)
				if err := os.WriteFile(p, src, 0o644); err != nil {
					t.Fatal(err)
				}
				ref, err := pyref.Compile(py.Path, pyref.Spec{Source: p, DFile: name}, dir)
				if err != nil {
					t.Fatal(err)
				}
				_, err = compile(s, name, src, 0)
				var ce *failure.CompileError
				if ref.Error == "" {
					if err != nil {
						t.Errorf("%s: py_compile accepts it, server says %v", name, err)
					}
					continue
				}
				if !errors.As(err, &ce) {
					t.Fatalf("%s: got %v, want a CompileError", name, err)
				}
				if ce.Msg != ref.Error {
					t.Errorf("%s: message\n%s\npy_compile says\n%s", name, ce.Msg, ref.Error)
				}
			}
			if _, err := compile(s, "ok.py", []byte("x = 1\n"), 0); err != nil {
				t.Errorf("server unusable after errors: %v", err)
			}
		})
	}
}

// slowSource takes CPython seconds to compile (flat, so that no
// interpreter's recursion limit is hit).
func slowSource() []byte {
	var b strings.Builder
	for i := range 300000 {
		fmt.Fprintf(&b, "a%d = %d\n", i, i)
	}
	return []byte(b.String())
}

// compiling starts compiling a slow source on s and returns the pid of the
// process the server forked for it, and the compile's result.
func compiling(t *testing.T, s *interp.Server) (child int, result <-chan error) {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		_, err := compile(s, "slow.py", slowSource(), 0)
		done <- err
	}()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if child = firstChild(s.Pid()); child != 0 {
			return child, done
		}
		select {
		case err := <-done:
			t.Fatalf("the compile ended (%v) before the process forked for it was seen", err)
		default:
		}
	}
	t.Fatalf("server %d forked no compile within 20s", s.Pid())
	return 0, nil
}

// TestCrashingCompileIsReported kills the process a server forked for a
// compile: the compile reports a crash, and the server goes on serving.
func TestCrashingCompileIsReported(t *testing.T) {
	py := pythons.Require(t, 1)[0]
	s := start(t, probe(t, py))
	child, done := compiling(t, s)
	if err := syscall.Kill(child, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err := <-done
	var cr *failure.CrashError
	if !errors.As(err, &cr) || !strings.Contains(err.Error(), "signal 9") {
		t.Fatalf("got %v, want a CrashError for signal 9", err)
	}
	if _, err := compile(s, "ok.py", []byte("x = 1\n"), 0); err != nil {
		t.Errorf("server unusable after a crash: %v", err)
	}
}

// TestKilledServer kills a server between compiles and while it compiles:
// the next compile, or the one in flight, fails with a ServerError that
// says it died, and the compile it had forked goes with it.
func TestKilledServer(t *testing.T) {
	py := pythons.Require(t, 1)[0]
	info := probe(t, py)

	s := start(t, info)
	if _, err := compile(s, "a.py", []byte("x = 1\n"), 0); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(s.Pid(), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_, err := compile(s, "a.py", []byte("x = 1\n"), 0)
	var se *failure.ServerError
	if !errors.As(err, &se) || !se.Died || !strings.Contains(err.Error(), "died") {
		t.Fatalf("after kill -9: got %v, want a ServerError saying it died", err)
	}

	s = start(t, info)
	child, done := compiling(t, s)
	if err := syscall.Kill(s.Pid(), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if err := <-done; !errors.As(err, &se) || !se.Died {
		t.Fatalf("killed while compiling: got %v, want a ServerError saying it died", err)
	}
	waitGone(t, child, time.Second)
}

// TestTimeout ends a compile with its context: the server and the compile
// it forked are killed promptly.
func TestTimeout(t *testing.T) {
	py := pythons.Require(t, 1)[0]
	s := start(t, probe(t, py))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := s.Compile(ctx, interp.Request{Name: "slow.py", Source: slowSource()})
		done <- err
	}()
	var child int
	for deadline := time.Now().Add(20 * time.Second); child == 0 && time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		child = firstChild(s.Pid())
	}
	if child == 0 {
		t.Fatal("no compile forked within 20s")
	}
	cancel()
	startT := time.Now()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	if d := time.Since(startT); d > 5*time.Second {
		t.Errorf("the cancellation took %s to take effect", d)
	}
	waitGone(t, s.Pid(), time.Second)
	waitGone(t, child, time.Second)
}

func firstChild(pid int) int {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", pid, pid))
	if err != nil {
		return 0
	}
	f := strings.Fields(string(data))
	if len(f) == 0 {
		return 0
	}
	n := 0
	for _, c := range f[0] {
		n = n*10 + int(c-'0')
	}
	return n
}

// waitGone waits up to d for pid to end (a zombie has ended).
func waitGone(t *testing.T, pid int, d time.Duration) {
	t.Helper()
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if !running(pid) {
			return
		}
	}
	t.Errorf("process %d still runs %s later", pid, d)
}

// running reports whether pid exists and is not a zombie.
func running(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	i := strings.LastIndexByte(string(stat), ')')
	return i >= 0 && i+2 < len(stat) && stat[i+2] != 'Z'
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// namesScript prints every string that the code objects of the Python source
// given on stdin hold interned.
const namesScript = `import sys
CodeType = type((lambda: 0).__code__)
NAME_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
def walk(c, out):
    # Names are always interned; string constants when made of name characters.
    for attr in ("co_names", "co_varnames", "co_freevars", "co_cellvars"):
        out.update(getattr(c, attr))
    for s in c.co_consts:
        if type(s) is str and s and set(s) <= NAME_CHARS:
            out.add(s)
        elif type(s) is CodeType:
            walk(s, out)
    out.add(c.co_name)
    out.add(getattr(c, "co_qualname", c.co_name))
out = set()
walk(compile(sys.stdin.read(), "<server>", "exec"), out)
print(" ".join(sorted(out)))
`

// TestServerNamesLeaveNoTrace guards the rule stated in server.py: a source
// that uses every name of the server (and of the reference driver) as
// string constants compiles to exactly py_compile's bytes.
func TestServerNamesLeaveNoTrace(t *testing.T) {
	for _, py := range pythons.Require(t, 2) {
		t.Run(py.Version, func(t *testing.T) {
			cmd := exec.Command(py.Path, "-S", "-s", "-c", namesScript)
			cmd.Stdin = strings.NewReader(interp.ServerSource() + "\n" + pyref.Script())
			out, err := cmd.Output()
			if err != nil {
				t.Fatal(err)
			}
			names := strings.Fields(string(out))
			// Each name appears once, as a string constant: its reference
			// count is then 1 unless the process holds the name elsewhere.
			var src strings.Builder
			src.WriteString("NAMES = (\n")
			for _, n := range names {
				src.WriteString("    '" + n + "',\n")
			}
			src.WriteString(")\n")
			dir := t.TempDir()
			p := filepath.Join(dir, "names.py")
			if err := os.WriteFile(p, []byte(src.String()), 0o644); err != nil {
				t.Fatal(err)
			}
			ref, err := pyref.Compile(py.Path, pyref.Spec{Source: p, DFile: "names.py", Mode: pyref.UncheckedHash}, dir)
			if err != nil {
				t.Fatal(err)
			}
			if ref.Error != "" {
				t.Fatalf("generated source does not compile: %s", ref.Error)
			}
			s := start(t, probe(t, py))
			got, err := compile(s, "names.py", []byte(src.String()), 0)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, ref.Data[16:]) {
				t.Errorf("a source using the server's names differs from py_compile's at byte %d: some name in server.py is not held by a py_compile process", firstDiff(got, ref.Data[16:]))
			}
		})
	}
}

// silentPython writes an "interpreter" that never answers and returns its
// path.
func silentPython(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "python3")
	if err := os.WriteFile(p, []byte("#!/bin/sh\nexec sleep 1000\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestStartupLimit: an interpreter that says nothing is refused at the
// start-up limit, by Launch and by Probe, with a StartTimeoutError naming
// it; and a cancelled context ends the wait at once.
func TestStartupLimit(t *testing.T) {
	silent := silentPython(t)
	for _, id := range identifiers {
		t.Run(id.name, func(t *testing.T) {
			start := time.Now()
			var err error
			switch id.name {
			case "Probe":
				_, err = interp.Probe(context.Background(), silent, interp.Options{StartupTimeout: 300 * time.Millisecond})
			default:
				_, err = interp.Launch(context.Background(), silent, nil, interp.Options{StartupTimeout: 300 * time.Millisecond})
			}
			took := time.Since(start)
			var st *failure.StartTimeoutError
			var ie *failure.InterpreterError
			if !errors.As(err, &st) || !errors.As(err, &ie) || st.Limit != 300*time.Millisecond || !strings.Contains(err.Error(), silent) {
				t.Errorf("got %v, want an InterpreterError with a StartTimeoutError of 300ms naming %s", err, silent)
			}
			if took < 300*time.Millisecond || took > 5*time.Second {
				t.Errorf("refused after %s, want the limit of 300ms", took)
			}

			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(100*time.Millisecond, cancel)
			start = time.Now()
			switch id.name {
			case "Probe":
				_, err = interp.Probe(ctx, silent, interp.Options{})
			default:
				_, err = interp.Launch(ctx, silent, nil, interp.Options{})
			}
			if !errors.Is(err, context.Canceled) {
				t.Errorf("cancelled: got %v, want context.Canceled", err)
			}
			if took := time.Since(start); took > 5*time.Second {
				t.Errorf("the cancellation took %s to end the wait", took)
			}
		})
	}
}

// TestAnswerLimit: a compile answer over the limit is not read; the server
// is stopped with a ServerError that says so.
func TestAnswerLimit(t *testing.T) {
	py := pythons.Require(t, 1)[0]
	s, err := interp.Launch(context.Background(), py.Path, nil, interp.Options{MaxAnswer: 256})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := compile(s, "small.py", []byte(""), 0); err != nil {
		t.Fatalf("an answer under the limit: %v", err)
	}
	_, err = compile(s, "big.py", []byte("x = '"+strings.Repeat("y", 1000)+"'\n"), 0)
	var se *failure.ServerError
	var le *failure.LimitError
	if !errors.As(err, &se) || !errors.As(err, &le) || le.Limit != 256 || le.Announced <= 256 {
		t.Fatalf("got %v, want a ServerError for an answer over the limit of 256 bytes", err)
	}
	waitGone(t, s.Pid(), time.Second)
}
