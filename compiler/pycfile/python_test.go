package pycfile

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

// runPython runs script with in, isolated from the user's site and from
// PYTHON* variables, sends input as JSON on stdin and decodes the JSON the
// script prints into output.
func runPython(t *testing.T, in pythons.Interpreter, script string, input, output any) {
	t.Helper()
	req, err := json.Marshal(input)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(in.Path, "-S", "-s", "-c", script)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PYTHON") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Stdin = bytes.NewReader(req)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v: %s", in, err, stderr.String())
	}
	if err := json.Unmarshal(out, output); err != nil {
		t.Fatalf("%s: decode %q: %v", in, out, err)
	}
}

// result is one answer of a script: a value, or the exception it raised.
type result struct {
	OK  *string `json:"ok"`
	Err string  `json:"err"`
}

func (r result) String() string {
	if r.OK != nil {
		return *r.OK
	}
	return "error " + r.Err
}
