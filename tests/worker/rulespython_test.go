//go:build linux

package worker

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rules-pyc/rules_pyc/internal/pyref"
	"github.com/rules-pyc/rules_pyc/tool/worker/workerpb"
)

// rulesPythonCase is one PyCompile action as rules_python's precompile.bzl
// writes it.
type rulesPythonCase struct {
	mode     string // precompile_invalidation_mode, resolved
	optimize int    // precompile_optimize_level
}

func (c rulesPythonCase) refMode() pyref.Mode {
	return pyref.Mode(strings.ToUpper(c.mode))
}

// rulesPythonArgs are the lines of the action's multiline param file, in
// rules_python's order and spelling.
func rulesPythonArgs(c rulesPythonCase, src, shortPath, pyc, version string) []string {
	return []string{
		"--invalidation_mode", c.mode,
		"--src", src,
		"--src_name", shortPath,
		"--pyc", pyc,
		"--optimize", fmt.Sprint(c.optimize),
		"--python_version", version,
	}
}

// TestRulesPythonDropIn runs pyc exactly as rules_python runs its
// precompiler: started with nothing but --persistent_worker in the execroot
// (python3 on PATH), sent JSON requests with ids (Bazel 5+ ends each with a
// newline) whose arguments are those of precompile.bzl, and, for the
// standalone strategy, run once with the @param file.  The outputs are
// py_compile's bytes for each mode and optimize level: python3's for a
// release the native compiler does not cover; for one it covers, those of
// the release --python_version X.Y names (the newest known; see
// TestDefaultNoInterpreter), or, with no interpreter of that release here,
// python3's with --backend cpython at start-up.
func TestRulesPythonDropIn(t *testing.T) {
	in := python(t)
	version := majorMinor(in)
	execroot := t.TempDir()
	src := "pkg/sub/mod.py"
	if err := os.MkdirAll(filepath.Join(execroot, "pkg/sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	text := []byte("\"\"\"A module of a py_library.\"\"\"\nimport os\n\nHERE = os.path.dirname(__file__)\n\n\ndef main():\n    assert HERE, 'x'\n    return 0\n")
	if err := os.WriteFile(filepath.Join(execroot, src), text, 0o644); err != nil {
		t.Fatal(err)
	}
	digest := sha256.Sum256(text)
	env := []string{
		"PATH=" + filepath.Dir(in.Path) + ":/usr/bin:/bin",
		"PYTHONHASHSEED=0", "PYTHONNOUSERSITE=1", "PYTHONSAFEPATH=1",
	}
	cases := []rulesPythonCase{{"checked_hash", 0}, {"unchecked_hash", 0}, {"checked_hash", 1}, {"unchecked_hash", 2}}
	// rules_python writes __pycache__/<stem>.<tag>.pyc, the same name at
	// every optimize level; each case here has a configuration of its own.
	pycPath := func(i int, oneShot bool) string {
		cfg := fmt.Sprintf("k8-fastbuild-%d", i)
		if oneShot {
			cfg += "-standalone"
		}
		p := filepath.Join("bazel-out", cfg, "bin/pkg/sub/__pycache__", "mod."+in.CacheTag+".pyc")
		if err := os.MkdirAll(filepath.Join(execroot, filepath.Dir(p)), 0o755); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// The default backend, auto, compiles a release the native compiler
	// covers natively: with no interpreter named, for the newest release
	// of X.Y known, whatever python3 on PATH is.
	// Without an interpreter of that release here, the worker is started
	// with --backend cpython, and python3 on PATH compiles.
	oracle := in
	var startup []string
	if o, covered, found := nativeOracle(t, version); covered {
		if found {
			oracle = o
		} else {
			t.Logf("--python_version %s compiles as the newest %s release known, and no interpreter of it is here: --backend cpython", version, version)
			startup = []string{"--backend", "cpython"}
		}
	}
	t.Logf("the outputs must be those of %s", oracle)
	want := make([][]byte, len(cases))
	for i, c := range cases {
		r, err := pyref.CompileWith(oracle.Runner(), pyref.Spec{Source: filepath.Join(execroot, src), DFile: src, Optimize: c.optimize, Mode: c.refMode()}, t.TempDir())
		if err != nil || r.Error != "" {
			t.Fatalf("py_compile: %v %s", err, r.Error)
		}
		want[i] = r.Data
	}

	t.Run("worker", func(t *testing.T) {
		wk := startWorker(t, jsonLines, workerOptions{dir: execroot, env: env, startup: startup})
		for i, c := range cases {
			req := &workerpb.WorkRequest{
				RequestId: int32(i + 1),
				Arguments: rulesPythonArgs(c, src, src, pycPath(i, false), version),
				Inputs:    []*workerpb.Input{{Path: src, Digest: digest[:]}},
			}
			if err := wk.send(req); err != nil {
				t.Fatal(err)
			}
		}
		wk.closeStdin()
		resps := wk.recvAll()
		if len(resps) != len(cases) {
			t.Errorf("%d responses for %d requests", len(resps), len(cases))
		}
		for _, r := range resps {
			i := int(r.GetRequestId()) - 1
			if i < 0 || i >= len(cases) || r.GetExitCode() != 0 {
				t.Errorf("response %v", r)
				continue
			}
			if got := mustReadFile(t, filepath.Join(execroot, pycPath(i, false))); !bytes.Equal(got, want[i]) {
				t.Errorf("%+v: output differs from py_compile's\n got %x\nwant %x", cases[i], got, want[i])
			}
		}
		if code := wk.wait(10 * time.Second); code != 0 {
			t.Errorf("exit code %d, want 0", code)
		}
		wk.checkStderr()
		checkNoLeftovers(t)
	})

	t.Run("standalone", func(t *testing.T) {
		for i, c := range cases {
			params := filepath.Join(execroot, fmt.Sprintf("bazel-out/mod-%d.pyc-0.params", i))
			lines := rulesPythonArgs(c, src, src, pycPath(i, true), version)
			if err := os.WriteFile(params, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(pycBinary, append(append([]string{}, startup...), "@"+params)...)
			cmd.Dir, cmd.Env = execroot, env
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Errorf("%+v: pyc @params: %v\n%s", c, err, out)
				continue
			}
			if got := mustReadFile(t, filepath.Join(execroot, pycPath(i, true))); !bytes.Equal(got, want[i]) {
				t.Errorf("%+v: output differs from py_compile's", c)
			}
		}
		checkNoLeftovers(t)
	})
}
