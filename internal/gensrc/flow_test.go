package gensrc

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

// listRejected is run by a CPython 3.13: it compiles every file named on its
// command line and prints one line for each that it rejects.
const listRejected = `
import sys, warnings
warnings.simplefilter("ignore")
for path in sys.argv[1:]:
    with open(path, "rb") as f:
        src = f.read()
    try:
        compile(src, path, "exec", dont_inherit=True)
    except Exception as e:
        print(path, type(e).__name__, getattr(e, "lineno", ""), e)
`

// TestFlowCompiles: the flow programs are there for the back end, which
// sees only what CPython compiles, so a real CPython 3.13 must compile
// every one of these (the inputs are fixed, so this is no chance). A rule
// the generator gets wrong shows here: "await" written before a unary
// minus, a mistake it once made, puts 1 of these 400 programs here.
func TestFlowCompiles(t *testing.T) {
	py := pythons.Local(t, 3, 13)[0]
	dir := t.TempDir()
	const n = 400
	var paths []string
	for i := range n {
		in, err := Make("flow", 1, i)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, fmt.Sprintf("flow_%03d.py", i))
		if err := os.WriteFile(p, in.Src, 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := py.Command(ctx, append([]string{"-S", "-s", "-c", listRejected}, paths...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v\n%s", py, err, stderr.Bytes())
	}
	rejected := strings.Split(strings.TrimSpace(string(out)), "\n")
	if rejected[0] == "" {
		rejected = nil
	}
	t.Logf("%s rejects %d of %d flow programs", py, len(rejected), n)
	if len(rejected) > 0 {
		t.Errorf("%s rejects %d of %d flow programs:\n%s", py, len(rejected), n, strings.Join(rejected, "\n"))
	}
}
