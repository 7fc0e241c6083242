package native

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
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

// TestMeasurePasses compiles every tenth .py file (in lexical order) under
// NATIVE_MEASURE_DIR (a 3.13 standard library) NATIVE_MEASURE_PASSES times
// at -O0, as 3.13.0, on one goroutine, for instruction counts (callgrind,
// which needs GODEBUG=asyncpreemptoff=1 and GOGC=off for steady figures:
// the difference between runs of different numbers of passes is what a
// warm pass costs). See docs/native.md for the command.
func TestMeasurePasses(t *testing.T) {
	passes := 0
	fmt.Sscan(os.Getenv("NATIVE_MEASURE_PASSES"), &passes)
	dir := os.Getenv("NATIVE_MEASURE_DIR")
	if passes <= 0 || dir == "" {
		t.Skip("NATIVE_MEASURE_PASSES or NATIVE_MEASURE_DIR not set")
	}
	var names []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".py") {
			names = append(names, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var srcs [][]byte
	size := 0
	for i := 0; i < len(names); i += 10 {
		src, err := os.ReadFile(names[i])
		if err != nil {
			t.Fatal(err)
		}
		names[len(srcs)] = names[i]
		srcs = append(srcs, src)
		size += len(src)
	}
	rel := release.Release{Major: 3, Minor: 13, Micro: 0}
	for range passes {
		for i, src := range srcs {
			Compile(Request{Source: src, Name: names[i], Release: rel, File: src})
		}
	}
	t.Logf("%d files, %d bytes, %d passes", len(srcs), size, passes)
}
