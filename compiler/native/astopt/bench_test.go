package astopt

import (
	"os"
	"path/filepath"
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
		in := astjson.Find313(b)[0]
		lib := in.Interpreter().Stdlib(b)
		var files []string
		for i, f := range lib.Files {
			if i%4 == 0 {
				files = append(files, filepath.Join(lib.Root, filepath.FromSlash(f)))
			}
		}
		in.Parse(b, astjson.Request{Files: files}, func(rec *astjson.Record) {
			if rec.Tree == nil {
				return
			}
			tree, err := astjson.Convert(rec.Tree)
			if err != nil {
				b.Fatal(err)
			}
			st, err := os.Stat(rec.Name)
			if err != nil {
				b.Fatal(err)
			}
			benchTrees = append(benchTrees, tree.(ast.ModNode))
			benchSize += st.Size()
		})
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
