package native

import (
	"errors"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/release"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/syntaxerr"
	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

// How many files of each other release's stdlib TestOtherReleasesAgainstPyCompile
// compares (fixed-seed samples), by default (CI) and with -short: of those
// the native compiler compiles, and of those it rejects.
// RULES_PYC_FULL_SWEEP=1 compares every file, at -O0, -O1 and -O2.
var foreignSizes = map[bool]struct{ compiled, rejected int }{false: {30, 30}, true: {8, 8}}

// TestOtherReleasesAgainstPyCompile compiles the standard libraries of
// other releases, as sources for 3.13, and compares with a 3.13
// interpreter's py_compile exactly as TestStdlibAgainstPyCompile does
// (bytes, messages, warnings). They are real code that 3.13 does not
// expect: Python 2's print statements and backquotes, 3.6's async as a
// name, 3.14's except without parentheses and template strings, 3.15's
// new syntax, escapes that warn. The corpora: the stdlib of every other
// interpreter found (3.8-3.12 and the embedded 3.14 on the host; 3.14 and
// 3.15 in the sid chroot), and of the releases pyenv holds that are too
// old to run the tests (2.7, 3.6, 3.7).
//
// By default a fixed-seed sample of each is compared, with the files the
// native compiler rejects sampled apart from those it compiles, so that
// CPython's error messages are compared on every corpus.
func TestOtherReleasesAgainstPyCompile(t *testing.T) {
	py, rel := firstTarget(t)
	type corpus struct {
		version string
		lib     pythons.Stdlib
	}
	var corpora []corpus
	seen := map[string]bool{}
	for _, other := range pythons.Find(t) {
		if other.Major == 3 && other.Minor == 13 || other.Chroot != "" {
			continue
		}
		lib := other.Stdlib(t)
		if seen[lib.Root] {
			continue
		}
		seen[lib.Root] = true
		corpora = append(corpora, corpus{other.Version, lib})
	}
	for _, old := range pythons.OldStdlibs(t) {
		corpora = append(corpora, corpus{old.Version, old.Lib})
	}
	if len(corpora) == 0 {
		if !pythons.InChroot() {
			t.Fatal("no other release's standard library on the machine: the suite needs at least one interpreter besides 3.13")
		}
		t.Skipf("no release but %s in this chroot; the host's run compares the other releases", py)
	}
	for _, c := range corpora {
		t.Run(c.version, func(t *testing.T) { sweepCorpus(t, py, rel, c.version+"'s stdlib", c.lib) })
	}
}

// firstTarget returns the first 3.13 interpreter found (in the chroot, its
// own) and its release, which the native compiler must cover.
func firstTarget(t *testing.T) (pythons.Interpreter, release.Release) {
	t.Helper()
	py := pythons.Local(t, 3, 13)[0]
	rel, exact, err := release.Parse(py.Version)
	if err != nil || !exact {
		t.Fatalf("%s: version %q: %v", py, py.Version, err)
	}
	if err := Check(rel); err != nil {
		t.Fatalf("%s: %v", py, err)
	}
	return py, rel
}

// sweepCorpus compares the files of lib that pickForeign picks at -O0, or
// under RULES_PYC_FULL_SWEEP all of them at -O0, -O1 and -O2, as sources
// for py.
func sweepCorpus(t *testing.T, py pythons.Interpreter, rel release.Release, name string, lib pythons.Stdlib) {
	levels := []int{0}
	if os.Getenv("RULES_PYC_FULL_SWEEP") != "" {
		levels = []int{0, 1, 2}
	}
	files := pickForeign(t, rel, lib)
	t.Logf("%s: %d of %d files, as sources for %s", name, len(files), len(lib.Files), py)
	for _, opt := range levels {
		t.Run(fmt.Sprintf("O%d", opt), func(t *testing.T) {
			sweep(t, py, rel, lib.Root, files, opt)
		})
	}
}

// pickForeign returns the files of lib to compare: all of them with
// RULES_PYC_FULL_SWEEP, otherwise a fixed-seed sample of those the native
// compiler compiles and one of those it rejects.
func pickForeign(t *testing.T, rel release.Release, lib pythons.Stdlib) []string {
	if os.Getenv("RULES_PYC_FULL_SWEEP") != "" {
		return lib.Files
	}
	// Each file is compiled once, on every core, to sort it.
	rejects := make([]bool, len(lib.Files))
	next := make(chan int)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				path := filepath.Join(lib.Root, filepath.FromSlash(lib.Files[i]))
				src, err := os.ReadFile(path)
				if err != nil {
					t.Error(err)
					continue
				}
				_, err = Compile(Request{Source: src, Name: path, Release: rel, File: src})
				var serr *syntaxerr.Error
				rejects[i] = errors.As(err, &serr)
			}
		}()
	}
	for i := range lib.Files {
		next <- i
	}
	close(next)
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	// A compile that fails otherwise than with a SyntaxError counts as
	// compiled: the sweep reports it.
	var compiled, rejected []string
	for i, f := range lib.Files {
		if rejects[i] {
			rejected = append(rejected, f)
		} else {
			compiled = append(compiled, f)
		}
	}
	size := foreignSizes[testing.Short()]
	r := rand.New(rand.NewSource(int64(len(lib.Files))))
	files := append(sample(r, compiled, size.compiled), sample(r, rejected, size.rejected)...)
	sort.Strings(files)
	return files
}

// sample returns n of files picked by r, or all of them when there are no
// more than n.
func sample(r *rand.Rand, files []string, n int) []string {
	if len(files) <= n {
		return files
	}
	var out []string
	for _, i := range r.Perm(len(files))[:n] {
		out = append(out, files[i])
	}
	return out
}
