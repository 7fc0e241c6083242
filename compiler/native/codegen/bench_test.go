package codegen

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/native/astopt"
	"github.com/rules-pyc/rules_pyc/compiler/native/instr"
	"github.com/rules-pyc/rules_pyc/compiler/native/pyobj"
	"github.com/rules-pyc/rules_pyc/compiler/native/symtable"
	"github.com/rules-pyc/rules_pyc/compiler/release"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/parser"
	"github.com/rules-pyc/rules_pyc/internal/cputime"
	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

// benchTrees are the native parser's trees of a quarter of the first 3.13
// standard library found, optimized by astopt once, with their futures.
var (
	benchOnce    sync.Once
	benchTrees   []ast.ModNode
	benchFutures []symtable.Future
	benchSize    int64
	benchRelease release.Release
)

func loadBenchTrees(b *testing.B) {
	benchOnce.Do(func() {
		found := pythons.Local(b, 3, 13)
		if len(found) == 0 {
			b.Skip("no CPython 3.13")
		}
		py := found[0]
		rel, _, err := release.Parse(py.Version)
		if err != nil {
			b.Fatal(err)
		}
		benchRelease = rel
		lib := py.Stdlib(b)
		for i, f := range lib.Files {
			if i%4 != 0 {
				continue
			}
			src, err := os.ReadFile(filepath.Join(lib.Root, filepath.FromSlash(f)))
			if err != nil {
				b.Fatal(err)
			}
			mod, serr, err := parser.Parse(f, src, rel, parser.Options{})
			if err != nil || serr != nil {
				continue
			}
			fut, err := symtable.ParseFuture(mod, f, rel, nil)
			if err != nil {
				continue
			}
			if err := astopt.Optimize(mod, astopt.Config{Release: rel, FutureAnnotations: fut.Features&symtable.FutureAnnotations != 0}); err != nil {
				continue
			}
			benchTrees = append(benchTrees, mod)
			benchFutures = append(benchFutures, fut)
			benchSize += int64(len(src))
		}
	})
}

// BenchmarkSymtableCodegen builds the symbol table of each tree and
// generates its code (without the CFG optimizer and the assembler: nested
// code objects are placeholders), as native.Compile runs these two stages,
// and reports source megabytes per CPU second.
func BenchmarkSymtableCodegen(b *testing.B) {
	loadBenchTrees(b)
	startup, err := pyobj.StartupFor(benchRelease)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(benchSize)
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cputime.Process()
	var bufs instr.Buffers
	for i := 0; i < b.N; i++ {
		for k, tree := range benchTrees {
			st, err := symtable.Build(tree, symtable.Config{Filename: "x.py", Release: benchRelease, Future: benchFutures[k]})
			if err != nil {
				continue
			}
			p := pyobj.NewProcess(startup)
			// The sequences' storage is reused as the pipeline reuses it.
			finish := func(u *Unit) (*pyobj.Object, error) {
				bufs.Release(&u.Seq)
				return p.NewCode(&pyobj.CodeObject{}), nil
			}
			Generate(tree, st, Config{Filename: "x.py", Release: benchRelease, Process: p, Finish: finish, Buffers: &bufs})
			p.Release()
		}
	}
	b.StopTimer()
	cputime.Report(b, cpu, benchSize, 0)
}
