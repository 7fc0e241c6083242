package symtable

import (
	"sync"
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/release"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
	"github.com/rules-pyc/rules_pyc/internal/astjson"
	"github.com/rules-pyc/rules_pyc/internal/cputime"
)

// benchTrees are CPython's trees of a quarter of the 3.13 standard library
// (the first interpreter found), converted once, and their sources' size.
var (
	benchOnce  sync.Once
	benchTrees []ast.ModNode
	benchSize  int64
)

func loadBenchTrees(b *testing.B) {
	benchOnce.Do(func() {
		benchTrees, benchSize = astjson.Find313(b)[0].StdlibTrees(b, 4)
	})
}

// BenchmarkStdlib builds the symbol tables of a quarter of the standard
// library (future statements included) and reports source megabytes per
// CPU second.
func BenchmarkStdlib(b *testing.B) {
	loadBenchTrees(b)
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
