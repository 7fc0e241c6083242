package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

// expectedFailure is a test of CPython's test_compileall that fails
// against pyc by design: the difference is documented at a line of
// docs/cli.md, which holds phrase.
type expectedFailure struct {
	test   string // the method name, in every command-line class
	line   int    // of docs/cli.md
	phrase string
}

// expectedFailures are the command-line tests of test_compileall that fail
// against pyc, each because of a documented difference.
var expectedFailures = []expectedFailure{
	// compileall with no PATH compiles sys.path; pyc refuses.
	{"test_no_args_compiles_path", 221, "**No PATH** is a usage error"},
	{"test_no_args_respects_force_flag", 221, "**No PATH** is a usage error"},
	{"test_no_args_respects_quiet_flag", 221, "**No PATH** is a usage error"},
	// compileall exits 0 when a PATH can't be listed; pyc exits 1.
	{"test_invalid_arg_produces_message", 219, "**A directory that can't be listed**"},
}

// compileallOutcome is one test's result, as the driver prints it.
type compileallOutcome struct {
	Test    string `json:"test"`
	Outcome string `json:"outcome"`
	Detail  string `json:"detail"`
}

// TestCompileallCommandLineTests runs the command-line tests of each
// interpreter's own test_compileall (its CommandLineTestsBase classes)
// against pyc: every `python -m compileall ARGS` they start runs `pyc
// --backend cpython --python THAT_PYTHON ARGS` instead (see testdata/compileall_cli.py).
// Every test must pass, except the expected failures, which must fail, each
// pointing at the line of docs/cli.md that documents the difference.  A new
// compileall release thus tells what changed.
func TestCompileallCommandLineTests(t *testing.T) {
	checkExpectedFailuresDocumented(t)
	driver, err := filepath.Abs(filepath.Join("testdata", "compileall_cli.py"))
	if err != nil {
		t.Fatal(err)
	}
	pys := interpreters(t)
	if testing.Short() {
		pys = []pythons.Interpreter{pys[0], pys[len(pys)-1]}
	}
	ran := 0
	for _, py := range pys {
		if err := exec.Command(py.Path, "-c", "import test.test_compileall").Run(); err != nil {
			t.Logf("%s: no test.test_compileall (%v): not run", py, err)
			continue
		}
		ran++
		t.Run(py.Version+"_"+filepath.Base(filepath.Dir(filepath.Dir(py.Path))), func(t *testing.T) {
			t.Parallel()
			runCompileallTests(t, py, driver)
		})
	}
	if ran == 0 {
		t.Skip("no interpreter here ships test/test_compileall.py")
	}
}

func runCompileallTests(t *testing.T, py pythons.Interpreter, driver string) {
	cmd := exec.Command(py.Path, driver, pycBinary)
	cmd.Dir = t.TempDir()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", py.Path, driver, err, stderr.String())
	}
	expected := map[string]bool{}
	for _, f := range expectedFailures {
		expected[f.test] = true
	}
	failedAsExpected := map[string]bool{}
	counts := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		var o compileallOutcome
		if err := json.Unmarshal(sc.Bytes(), &o); err != nil {
			t.Fatalf("driver output %q: %v", sc.Text(), err)
		}
		counts[o.Outcome]++
		method := o.Test[strings.LastIndexByte(o.Test, '.')+1:]
		switch {
		case expected[method] && (o.Outcome == "fail" || o.Outcome == "error"):
			failedAsExpected[method] = true
		case expected[method] && o.Outcome == "pass":
			t.Errorf("%s passes now: take it off expectedFailures, and check docs/cli.md", o.Test)
		case o.Outcome == "fail" || o.Outcome == "error":
			t.Errorf("%s: %s\n%s", o.Test, o.Outcome, o.Detail)
		case o.Outcome == "skip":
			t.Logf("%s skipped: %s", o.Test, o.Detail)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: %d passed, %d failed as expected (%d tests), %d skipped", py, counts["pass"], counts["fail"]+counts["error"], len(failedAsExpected), counts["skip"])
	if counts["pass"] == 0 {
		t.Errorf("no test passed: the driver ran nothing?\n%s", stderr.String())
	}
	for _, f := range expectedFailures {
		if !failedAsExpected[f.test] {
			t.Logf("%s: %s did not run here", py, f.test)
		}
	}
}

// checkExpectedFailuresDocumented checks that each expected failure points
// at the line of docs/cli.md that documents it.
func checkExpectedFailuresDocumented(t *testing.T) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "docs", "cli.md"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	for _, f := range expectedFailures {
		if f.line < 1 || f.line > len(lines) || !strings.Contains(lines[f.line-1], f.phrase) {
			at := ""
			for i, l := range lines {
				if strings.Contains(l, f.phrase) {
					at = fmt.Sprintf(" (it is at line %d)", i+1)
				}
			}
			t.Errorf("%s: docs/cli.md:%d does not hold %q%s", f.test, f.line, f.phrase, at)
		}
	}
}
