package native

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/release"
	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

// TestConcurrentCompiles compiles the written cases from several
// goroutines at once and compares every result with a compile made alone.
// Compiles share the start-up objects, the singletons and the pools of
// reused scratch; none may write to what another compile reads. Run it
// under `go test -race` (scripts/test does) to have the race detector check
// every access; without it, a result that differs still fails it.
func TestConcurrentCompiles(t *testing.T) {
	py := pythons.Local(t, 3, 13)[0]
	rel, _, err := release.Parse(py.Version)
	if err != nil {
		t.Fatal(err)
	}
	srcs := [][]byte{[]byte("x = frozenset({None, True, ...})\ny = 1 in {None, False, 2.5, 'a'}\n")}
	for _, c := range cases {
		srcs = append(srcs, []byte(c.src))
	}
	// And every 25th file of the interpreter's standard library.
	lib := py.Stdlib(t)
	for i := 0; i < len(lib.Files); i += 25 {
		src, err := os.ReadFile(filepath.Join(lib.Root, lib.Files[i]))
		if err != nil {
			t.Fatal(err)
		}
		srcs = append(srcs, src)
	}
	want := make([][]byte, len(srcs))
	for i, src := range srcs {
		res, err := Compile(Request{Source: src, Name: fmt.Sprintf("case%d.py", i), Release: rel, File: src})
		if err == nil {
			want[i] = res.Code
		}
	}
	rounds := 3
	if testing.Short() {
		rounds = 1
	}
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range rounds {
				for k := range srcs {
					i := (k + g*7 + r) % len(srcs)
					res, err := Compile(Request{Source: srcs[i], Name: fmt.Sprintf("case%d.py", i), Release: rel, File: srcs[i]})
					var got []byte
					if err == nil {
						got = res.Code
					}
					if !bytes.Equal(got, want[i]) {
						errs <- fmt.Errorf("case %d compiled beside others gave other bytes than alone", i)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
