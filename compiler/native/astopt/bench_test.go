package astopt

import (
	"testing"

	"github.com/rules-pyc/rules_pyc/internal/astjson"
	"github.com/rules-pyc/rules_pyc/internal/cputime"
)

// BenchmarkStdlib optimizes a quarter of the standard library's trees and
// reports source megabytes per CPU second. The trees are optimized in
// place, so after the first round there is little left to fold: this
// measures the walk, which is most of the cost.
func BenchmarkStdlib(b *testing.B) {
	benchTrees, benchSize := astjson.BenchTrees(b)
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
