package symtable

import (
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/release"
	"github.com/rules-pyc/rules_pyc/internal/astjson"
	"github.com/rules-pyc/rules_pyc/internal/cputime"
)

// BenchmarkStdlib builds the symbol tables of a quarter of the standard
// library (future statements included) and reports source megabytes per
// CPU second.
func BenchmarkStdlib(b *testing.B) {
	benchTrees, benchSize := astjson.BenchTrees(b)
	b.SetBytes(benchSize)
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cputime.Process()
	for i := 0; i < b.N; i++ {
		for _, tree := range benchTrees {
			fut, err := ParseFuture(tree, "x.py", benchRelease, nil)
			if err != nil {
				continue
			}
			if _, err := Build(tree, Config{Filename: "x.py", Release: benchRelease, Future: fut}); err != nil {
				continue
			}
		}
	}
	b.StopTimer()
	cputime.Report(b, cpu, benchSize, 0)
}

var benchRelease = release.Release{Major: 3, Minor: 13, Micro: 18}
