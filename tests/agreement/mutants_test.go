package agreement

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rules-pyc/rules_pyc/internal/mutate"
	"github.com/rules-pyc/rules_pyc/internal/pyoracle"
	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

// The mutants CI compares: seed 1, mutants 0 to 9,999 (1,000 with -short).
// Other seeds and counts explore further:
//
//	go test ./tests/agreement -run Mutants -mutants.seed=N -mutants.count=M
var (
	mutantSeed  = flag.Uint64("mutants.seed", 1, "seed of the mutants TestMutants compares")
	mutantCount = flag.Int("mutants.count", 10000, "number of mutants TestMutants compares (1,000 with -short unless set)")
	mutantKeep  = flag.String("mutants.keep", "", "write the mutants that differ to this directory")
)

// mutantCorpus is the corpus of the mutants: the standard library of the
// first 3.13 found (pyenv's 3.13.0 on the project's machines), so that a
// seed makes the same mutants wherever that interpreter is the same.
func mutantCorpus(t *testing.T) *mutate.Corpus {
	t.Helper()
	py := pythons.Minor(t, 3, 13)[0]
	lib := py.Stdlib(t)
	srcs := lib.Sources(t)
	c, err := mutate.NewCorpus(lib.Files, srcs)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("mutants are cut from the stdlib of %s (%d files)", py, len(lib.Files))
	return c
}

// writeMutants writes mutants 0..n-1 of seed into dir.
func writeMutants(t *testing.T, c *mutate.Corpus, seed uint64, n int, dir string) ([]string, []mutate.Mutant) {
	t.Helper()
	files := make([]string, n)
	ms := make([]mutate.Mutant, n)
	for i := range n {
		ms[i] = c.Mutant(seed, i)
		files[i] = filepath.Join(dir, fmt.Sprintf("m%d_%05d.py", seed, i))
		if err := os.WriteFile(files[i], ms[i].Src, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return files, ms
}

// TestMutants compares the front end with each CPython 3.13 on mutants of
// real sources, and logs the histogram of CPython's messages they reach.
func TestMutants(t *testing.T) {
	n := *mutantCount
	if testing.Short() && !flagSet("mutants.count") {
		n = 1000
	}
	c := mutantCorpus(t)
	dir := t.TempDir()
	files, ms := writeMutants(t, c, *mutantSeed, n, dir)
	label := func(i int) string { return ms[i].String() }
	for k, py := range pythons.Minor(t, 3, 13) {
		t.Run(py.Version, func(t *testing.T) {
			h := mutate.NewHistogram()
			parsed, kept := 0, 0
			observe := func(i int, r pyoracle.Result, outcome string) {
				switch r.Kind {
				case pyoracle.Parsed:
					parsed++
				case pyoracle.Rejected:
					h.Add(r.Exc.Type, r.Exc.Msg)
				}
				if outcome == differ && *mutantKeep != "" {
					keep(t, files[i], ms[i].Src)
					kept++
				}
			}
			start := time.Now()
			ty := compareFiles(t, py, fmt.Sprintf("%d mutants of seed %d against %s", n, *mutantSeed, py), files, label, observe)
			t.Logf("%s in %s", py, time.Since(start).Round(time.Millisecond))
			if k == 0 || testing.Verbose() {
				t.Logf("%s parses %d of the %d mutants; the messages of the others:\n%s", py, parsed, n, h)
			}
			if kept > 0 {
				t.Logf("%d differing mutants written to %s", kept, *mutantKeep)
			}
			ty.report(t)
		})
	}
}

// keep copies a mutant into -mutants.keep.
func keep(t *testing.T, file string, src []byte) {
	if err := os.MkdirAll(*mutantKeep, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(*mutantKeep, filepath.Base(file)), src, 0o644); err != nil {
		t.Fatal(err)
	}
}

// flagSet reports whether the named flag was given on the command line.
func flagSet(name string) bool {
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}
