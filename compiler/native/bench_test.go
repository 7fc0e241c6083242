package native

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/release"
	"github.com/rules-pyc/rules_pyc/internal/cputime"
	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

// benchSources are the .py files of the first 3.13 standard library found,
// read once, and their release.
var (
	benchOnce    sync.Once
	benchSources [][]byte
	benchNames   []string
	benchSize    int64
	benchRelease release.Release
)

func loadBench(b *testing.B) {
	benchOnce.Do(func() {
		py := pythons.Local(b, 3, 13)[0]
		lib := py.Stdlib(b)
		for _, f := range lib.Files {
			src, err := os.ReadFile(filepath.Join(lib.Root, f))
			if err != nil {
				b.Fatal(err)
			}
			benchSources = append(benchSources, src)
			benchNames = append(benchNames, f)
			benchSize += int64(len(src))
		}
		r, _, err := release.Parse(py.Version)
		if err != nil {
			b.Fatal(err)
		}
		benchRelease = r
	})
}

// BenchmarkStdlib compiles every file of the standard library at -O0 (the
// whole pipeline: parse to marshal) on one goroutine, and reports source
// megabytes and files per CPU second.
func BenchmarkStdlib(b *testing.B) {
	loadBench(b)
	b.SetBytes(benchSize)
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cputime.Process()
	for i := 0; i < b.N; i++ {
		for k, src := range benchSources {
			Compile(Request{Source: src, Name: benchNames[k], Release: benchRelease, File: src})
		}
	}
	b.StopTimer()
	cputime.Report(b, cpu, benchSize, len(benchSources))
}
