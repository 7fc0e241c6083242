package native

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/release"
	"github.com/rules-pyc/rules_pyc/internal/cputime"
	"github.com/rules-pyc/rules_pyc/internal/passes"
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

// TestMeasurePasses compiles every tenth .py file (in lexical order) under
// NATIVE_MEASURE_DIR (a 3.13 standard library) NATIVE_MEASURE_PASSES times
// at -O0, as 3.13.0, on one goroutine, for instruction counts (callgrind,
// which needs GODEBUG=asyncpreemptoff=1 and GOGC=off for steady figures:
// the difference between runs of different numbers of passes is what a
// warm pass costs). See docs/native.md for the command.
func TestMeasurePasses(t *testing.T) {
	s := passes.FromEnv(t, "NATIVE")
	rel := release.Release{Major: 3, Minor: 13, Micro: 0}
	for range s.Passes {
		for i, src := range s.Sources {
			Compile(Request{Source: src, Name: s.Names[i], Release: rel, File: src})
		}
	}
	s.Log(t)
}
