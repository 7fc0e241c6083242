package pythons

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/release"
)

// Release is the release the interpreter is (sys.version_info).
func (i Interpreter) Release() release.Release {
	return release.Release{Major: i.Major, Minor: i.Minor, Micro: i.Micro}
}

// RunLines runs script (as a file, with -S -s, in a directory of its own)
// in the interpreter with input as JSON on its stdin, and calls each with
// every line it prints (up to 1 GiB a line). The script's failure, with
// what it printed on stderr, fails t.
func (i Interpreter) RunLines(t testing.TB, script string, input any, each func(line []byte)) {
	t.Helper()
	data, err := json.Marshal(input)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "oracle.py")
	if err := os.WriteFile(file, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := i.Command(context.Background(), "-S", "-s", file)
	cmd.Dir = dir
	StreamLines(t, i.String(), cmd, data, each)
}

// StreamLines runs cmd with stdin as its input and calls each with every
// line it prints (without the newline; up to 1 GiB a line), as it prints
// them. The command's failure, with what it printed on stderr, fails t,
// which name identifies in the message. When each stops the test (t's
// FailNow), the command is killed and waited for, not left running.
func StreamLines(t testing.TB, name string, cmd *exec.Cmd, stdin []byte, each func(line []byte)) {
	t.Helper()
	cmd.Stdin = bytes.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	finished := false
	defer func() {
		if !finished {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	}()
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 1<<20), 1<<30)
	for sc.Scan() {
		each(sc.Bytes())
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("%s: reading its output: %v", name, err)
	}
	finished = true
	if err := cmd.Wait(); err != nil {
		t.Fatalf("%s: %v: %s", name, err, stderr.String())
	}
}
