package marshal_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/native/marshal"
	"github.com/rules-pyc/rules_pyc/compiler/native/opcode"
	"github.com/rules-pyc/rules_pyc/compiler/native/pyobj"
	"github.com/rules-pyc/rules_pyc/internal/codeoracle"
	"github.com/rules-pyc/rules_pyc/internal/cputime"
	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

// BenchmarkTail measures the back end's tail over a fixed-seed sample of
// 3.13's stdlib (every file with BENCH_TAIL_ALL=1): for each source, make
// the constants and names, assemble every code object (jumps, tables,
// local kinds, interning, the constant cache) and marshal the tree. The
// input, CPython's own instruction sequences, is read before the clock
// starts. bytes/s is source bytes.
func BenchmarkTail(b *testing.B) { benchTail(b, false) }

// BenchmarkDump is BenchmarkTail's marshal step alone: the code object
// trees are made before the clock starts.
func BenchmarkDump(b *testing.B) { benchTail(b, true) }

func benchTail(b *testing.B, dumpOnly bool) {
	var py *pythons.Interpreter
	for _, in := range pythons.Find(b) {
		if in.Major == 3 && in.Minor == 13 && !in.Embedded {
			in := in
			py = &in
			break
		}
	}
	if py == nil {
		b.Skip("no CPython 3.13 here")
	}
	lib := py.Stdlib(b)
	files := lib.Files
	if os.Getenv("BENCH_TAIL_ALL") == "" {
		files = sample(files, 200, 7)
	}
	sources := make([]codeoracle.Source, len(files))
	for i, f := range files {
		sources[i] = codeoracle.Source{Path: filepath.Join(lib.Root, f), Name: f}
	}
	var inputs []*codeoracle.File
	var names []string
	var size int64
	err := codeoracle.Run(context.Background(), *py, sources, 0, func(i int, f *codeoracle.File) error {
		if f.Error == "" {
			inputs = append(inputs, f)
			names = append(names, sources[i].Name)
			st, err := os.Stat(sources[i].Path)
			if err != nil {
				return err
			}
			size += st.Size()
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	startup, err := pyobj.StartupInterned(py.Version)
	if err != nil {
		b.Fatal(err)
	}
	var w marshal.Writer
	var tops []*pyobj.Object
	if dumpOnly {
		for i, f := range inputs {
			top, err := codeoracle.Replay(opcode.V313, startup, names[i], f)
			if err != nil {
				b.Fatal(err)
			}
			tops = append(tops, top)
		}
	}
	b.SetBytes(size)
	// The machine is shared: CPU time (this process's user and system
	// time, which includes the garbage collector) is reported besides the
	// wall time.
	cpu0 := cputime.Process()
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		for _, top := range tops {
			if _, err := w.Dump(top); err != nil {
				b.Fatal(err)
			}
		}
		if dumpOnly {
			continue
		}
		for i, f := range inputs {
			top, err := codeoracle.Replay(opcode.V313, startup, names[i], f)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := w.Dump(top); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.StopTimer()
	cpu := cputime.Process() - cpu0
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
	b.ReportMetric(float64(size)*float64(b.N)/cpu.Seconds()/1e6, "cpu-MB/s")
}
