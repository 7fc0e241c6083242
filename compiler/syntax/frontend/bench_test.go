package frontend

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/release"
	"github.com/rules-pyc/rules_pyc/internal/cputime"
	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

// stdlib reads the standard library of the first CPython 3.13 found into
// memory.
func stdlib(b *testing.B) (names []string, srcs [][]byte, size int64, rel release.Release) {
	py := pythons.Minor(b, 3, 13)[0]
	lib := py.Stdlib(b)
	for _, f := range lib.Files {
		p := filepath.Join(lib.Root, filepath.FromSlash(f))
		data, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		names = append(names, p)
		srcs = append(srcs, data)
		size += int64(len(data))
	}
	return names, srcs, size, release.Release{Major: py.Major, Minor: py.Minor, Micro: py.Micro}
}

// BenchmarkParseStdlib parses a whole 3.13 standard library per iteration
// (run it with -cpu 1 for one core). It reports MB/s, MB per CPU second and
// allocations per file; bench/frontend sets the figures beside CPython's.
func BenchmarkParseStdlib(b *testing.B) {
	names, srcs, size, rel := stdlib(b)
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	start := cputime.Process()
	for b.Loop() {
		for i, src := range srcs {
			Parse(names[i], src, rel)
		}
	}
	cputime.Report(b, start, size, 0)
	b.ReportMetric(float64(testing.AllocsPerRun(1, func() {
		for i, src := range srcs {
			Parse(names[i], src, rel)
		}
	}))/float64(len(srcs)), "allocs/file")
}

// BenchmarkDumpStdlib parses and dumps a whole 3.13 standard library per
// iteration.
func BenchmarkDumpStdlib(b *testing.B) {
	names, srcs, size, rel := stdlib(b)
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	start := cputime.Process()
	for b.Loop() {
		for i, src := range srcs {
			Dump(names[i], src, rel)
		}
	}
	cputime.Report(b, start, size, 0)
}
