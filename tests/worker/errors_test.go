//go:build linux

package worker

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rules-pyc/rules_pyc/internal/pyref"
	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

// badSources do not compile, each for a different reason.
var badSources = []struct{ name, text string }{
	{"syntax.py", "def f(:\n    pass\n"},
	{"indent.py", "if True:\nprint('x')\n"},
	{"encoding.py", "# -*- coding: latin-1 -*-\nS = '\xe9'\nT = b'\xff' +\n"},
	{"utf8.py", "S = '\xff\xfe'\n"},
	{"nul.py", "X = 1\x00\n"},
	{"py2.py", "print 'python 2'\n"},
}

// TestCompileErrors sends sources that do not compile, with every
// interpreter: the response has a non-zero exit code and py_compile's own
// message in its output, and no file is written.  With --on_error stub the
// output is written, and running it raises the exception compile() raises
// for the source, with the same message.
func TestCompileErrors(t *testing.T) {
	dir := t.TempDir()
	var files []file
	for _, b := range badSources {
		f := file{src: filepath.Join(dir, b.name), name: "pkg/" + b.name}
		if err := os.WriteFile(f.src, []byte(b.text), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	for _, in := range pythons.Require(t, 1) {
		t.Run(in.Version, func(t *testing.T) {
			specs := make([]pyref.Spec, len(files))
			for i, f := range files {
				specs[i] = pyref.Spec{Source: f.src, DFile: f.name, Mode: pyref.CheckedHash}
			}
			refs, err := pyref.CompileAll(in.Path, specs, t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			out := t.TempDir()
			wk := startWorker(t, protoWire, workerOptions{startup: []string{"--python", in.Path, "-j", "2"}})
			for i, f := range files {
				f.pyc = filepath.Join(out, "fail-"+filepath.Base(f.src)+"c")
				if err := wk.send(compileRequest(int32(i+1), []file{f})); err != nil {
					t.Fatal(err)
				}
				stub := f
				stub.pyc = filepath.Join(out, "stub-"+filepath.Base(f.src)+"c")
				if err := wk.send(compileRequest(int32(100+i), []file{stub}, "--on_error", "stub")); err != nil {
					t.Fatal(err)
				}
			}
			wk.closeStdin()
			resps := wk.recvAll()
			if len(resps) != 2*len(files) {
				t.Errorf("%d responses for %d requests", len(resps), 2*len(files))
			}
			for _, r := range resps {
				id := int(r.GetRequestId())
				if id >= 100 {
					i := id - 100
					if r.GetExitCode() != 0 {
						t.Errorf("%s with --on_error stub: exit code %d: %s", files[i].name, r.GetExitCode(), r.GetOutput())
						continue
					}
					checkStub(t, in, filepath.Join(out, "stub-"+filepath.Base(files[i].src)+"c"), files[i])
					continue
				}
				i := id - 1
				if refs[i].Error == "" {
					t.Errorf("py_compile compiled %s; the test needs a source it refuses", files[i].name)
					continue
				}
				if r.GetExitCode() == 0 {
					t.Errorf("%s: exit code 0 for a source that does not compile", files[i].name)
				}
				if got, want := strings.TrimRight(r.GetOutput(), "\n"), strings.TrimRight(refs[i].Error, "\n"); got != want {
					t.Errorf("%s: output\n%s\nwant py_compile's message\n%s", files[i].name, got, want)
				}
				if _, err := os.Lstat(filepath.Join(out, "fail-"+filepath.Base(files[i].src)+"c")); err == nil {
					t.Errorf("%s: an output was written for a source that does not compile", files[i].name)
				}
			}
			if code := wk.wait(10 * time.Second); code != 0 {
				t.Errorf("exit code %d, want 0", code)
			}
			wk.checkStderr()
		})
	}
}

// stubCheck runs a stub's code and compiles its source, and prints the
// exception each raises.
const stubCheck = `import marshal, sys
pyc, src, name = sys.argv[1:]
def describe(f):
    try:
        f()
    except BaseException as e:
        return "%s: %s" % (type(e).__name__, e)
    return "no exception"
with open(pyc, "rb") as f:
    code = marshal.loads(f.read()[16:])
with open(src, "rb") as f:
    source = f.read()
print(describe(lambda: exec(code, {"__name__": "stub"})))
print(describe(lambda: compile(source, name, "exec", dont_inherit=True)))
`

// checkStub checks that running the stub raises what compiling the source
// raises.
func checkStub(t *testing.T, in pythons.Interpreter, pyc string, f file) {
	t.Helper()
	out, err := exec.Command(in.Path, "-S", "-s", "-c", stubCheck, pyc, f.src, f.name).CombinedOutput()
	if err != nil {
		t.Errorf("check stub %s: %v\n%s", pyc, err, out)
		return
	}
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	if len(lines) != 2 || lines[0] != lines[1] || lines[0] == "no exception" {
		t.Errorf("%s: the stub raises\n%s\ncompiling the source raises\n%s", f.name, lines[0], strings.Join(lines[1:], "\n"))
	}
}
