package pythons

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
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
	cmd.Stdin = bytes.NewReader(data)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("%s: %v", i, err)
	}
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 1<<20), 1<<30)
	for sc.Scan() {
		each(sc.Bytes())
	}
	if err := sc.Err(); err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("%s: reading its output: %v", i, err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("%s: %v: %s", i, err, stderr.String())
	}
}
