package astopt

import (
	"sync"
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
	"github.com/rules-pyc/rules_pyc/internal/astjson"
	"github.com/rules-pyc/rules_pyc/internal/cputime"
)

var (
	benchOnce  sync.Once
	benchTrees []ast.ModNode
	benchSize  int64
)

// loadBenchTrees converts CPython's trees of a quarter of the first 3.13
// standard library found.
func loadBenchTrees(b *testing.B) {
	benchOnce.Do(func() {
		benchTrees, benchSize = astjson.Find313(b)[0].StdlibTrees(b, 4)
	})
}

// BenchmarkStdlib optimizes a quarter of the standard library's trees and
// reports source megabytes per CPU second. The trees are optimized in
// place, so after the first round there is little left to fold: this
// measures the walk, which is most of the cost.
func BenchmarkStdlib(b *testing.B) {
	loadBenchTrees(b)
	b.SetBytes(benchSize)
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cputime.Process()
	for i := 0; i < b.N; i++ {
		for _, tree := range benchTrees {
			if err := Optimize(tree, Config{}); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.StopTimer()
	cputime.Report(b, cpu, benchSize, 0)
}
