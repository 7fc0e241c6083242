//go:build linux

package faults

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestLargeSource: the limits leave legitimate work alone.  A generated
// 36 MB source (its marshalled code is about 66 MB) compiles on the
// command line with the default limits.
func TestLargeSource(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles a 36 MB source: about 30 s and 4 GB")
	}
	real := realPython(t)
	tr := &tree{dir: t.TempDir(), sources: []string{"src/big.py"}}
	if err := os.Mkdir(filepath.Join(tr.dir, "src"), 0o755); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	for i := 0; b.Len() < 36_000_000; i++ {
		fmt.Fprintf(&b, "v%d = %d + w%d * 'abc%d'\n", i, i, i%100, i)
	}
	if err := os.WriteFile(filepath.Join(tr.dir, "src", "big.py"), b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	in := &invocation{mode: cliMode, python: real.Path, options: []string{"--timeout", "10m"}, tree: tr,
		bounds: bounds{within: 10 * time.Minute, rss: 12 << 30}}
	res := in.run(t)
	t.Logf("exit %d after %s, peak RSS %d MiB", res.code, res.elapsed.Round(time.Millisecond), res.peakRSS>>20)
	if res.code != 0 {
		t.Fatalf("exit %d:\n%s", res.code, res.message)
	}
	out, err := os.ReadFile(filepath.Join(tr.dir, tr.output(cliMode, tr.sources[0], real.CacheTag)))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("the pyc is %d bytes", len(out))
	if len(out) < 16 || !bytes.Equal(out[:4], real.Magic[:]) || len(out) < b.Len() {
		t.Errorf("the pyc (%d bytes) is not a whole pyc of %s", len(out), real)
	}
	checkNoLeftovers(t, "large source")
}
