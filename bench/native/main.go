// Command native measures the native compiler against CPython's own
// compiler on the same sources, in one run: every .py file of a standard
// library (site-packages left out), read into memory once, compiled on one
// core at -O0.
//
//	go run ./bench/native --python "$(pyenv root)/versions/3.13.0/bin/python3" -r 3
//
// For the native compiler it reports CPU time, MB/s and files/s of
// native.Compile (the whole pipeline: decoding, parsing, the AST optimizer,
// the symbol table, code generation, the CFG optimizer, the assembler and
// marshal), allocations and bytes allocated per file, and the process's
// peak resident memory. For CPython, in the same run, the interpreter given
// reads the same files into memory and times compile(src, name, 'exec',
// dont_inherit=True) followed by marshal.dumps() of the code object (what
// py_compile does once the source is read, without writing the file), with
// its peak memory. Each measurement is repeated -r times, the rounds of the
// two sides alternating (so that a change in the machine's speed during the
// run falls on both alike), and the median is reported, with each round's
// ratio; the table goes to stdout as Markdown.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/rules-pyc/rules_pyc/bench/internal/corpus"
	"github.com/rules-pyc/rules_pyc/bench/internal/pyside"
	"github.com/rules-pyc/rules_pyc/compiler/native"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/syntaxerr"
)

func main() {
	python := flag.String("python", "python3", "the CPython whose stdlib is compiled and which is measured beside the native compiler")
	dir := flag.String("dir", "", "compile the .py files under this directory instead of the interpreter's stdlib")
	version := flag.String("python-version", "", "the release the native compiler imitates (default: the interpreter's)")
	rounds := flag.Int("r", 3, "repetitions; the median is reported")
	flag.Parse()
	if err := run(*python, *dir, *version, *rounds); err != nil {
		fmt.Fprintf(os.Stderr, "bench/native: %v\n", err)
		os.Exit(1)
	}
}

func run(python, dir, version string, rounds int) error {
	c, rel, err := corpus.Prepare(python, dir, version, native.Check, "native compiler")
	if err != nil {
		return err
	}

	// One core: the native compiler compiles a file on one goroutine, and
	// CPython's compiler is single-threaded.
	runtime.GOMAXPROCS(1)

	var rejected, failed int
	compileAll := func() {
		rejected, failed = 0, 0
		for i, src := range c.Srcs {
			_, err := native.Compile(native.Request{Source: src, Name: c.Names[i], Release: rel, File: src})
			if err != nil {
				var serr *syntaxerr.Error
				if errors.As(err, &serr) {
					rejected++
				} else {
					failed++
				}
			}
		}
	}
	py, err := pyside.Start(python, pythonBench, c.Names)
	if err != nil {
		return err
	}
	// The rounds alternate: one of the native compiler, one of CPython.
	var cpus, pyCPUs []time.Duration
	var ratios []string
	var allocs, allocBytes uint64
	for range rounds {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		t0 := corpus.CPUTime()
		compileAll()
		cpu := corpus.CPUTime() - t0
		runtime.ReadMemStats(&after)
		allocs, allocBytes = after.Mallocs-before.Mallocs, after.TotalAlloc-before.TotalAlloc
		pyCPU, err := py.Time("compile")
		if err != nil {
			return err
		}
		cpus, pyCPUs = append(cpus, cpu), append(pyCPUs, pyCPU)
		ratios = append(ratios, fmt.Sprintf("%.2fx", pyCPU.Seconds()/cpu.Seconds()))
	}
	goPeak := corpus.PeakRSS()
	pyPeak, err := py.Close()
	if err != nil {
		return err
	}
	rows := []row{{
		name:          "native: native.Compile (source to marshalled code object)",
		cpu:           corpus.Median(cpus),
		allocsPerFile: float64(allocs) / float64(len(c.Srcs)),
		bytesPerFile:  float64(allocBytes) / float64(len(c.Srcs)),
	}, {
		name: "CPython: marshal.dumps(compile(src, name, 'exec', dont_inherit=True))",
		cpu:  corpus.Median(pyCPUs),
	}}
	pyRow := rows[1]

	fmt.Printf("%d files, %.1f MB (%d rejected as SyntaxError, %d not compiled by the native compiler); one core; -O0; median of %d\n\n",
		len(c.Names), corpus.MB(c.Bytes), rejected, failed, rounds)
	fmt.Println("| what | CPU (s) | MB/s | files/s | allocations/file | KB allocated/file | vs CPython |")
	fmt.Println("|---|---:|---:|---:|---:|---:|---:|")
	for _, r := range rows {
		s := r.cpu.Seconds()
		allocs, kb := "", ""
		if r.allocsPerFile > 0 {
			allocs = fmt.Sprintf("%.0f", r.allocsPerFile)
			kb = fmt.Sprintf("%.0f", r.bytesPerFile/1024)
		}
		fmt.Printf("| %s | %.2f | %.1f | %.0f | %s | %s | %.2fx |\n", r.name, s, corpus.MB(c.Bytes)/s, float64(len(c.Names))/s, allocs, kb,
			pyRow.cpu.Seconds()/s)
	}
	fmt.Printf("\nEach round's ratio, in order: %s.\n", strings.Join(ratios, ", "))
	fmt.Printf("\nPeak resident memory: native compiler process %.0f MB (the %.1f MB corpus included); CPython %.0f MB.\n",
		float64(goPeak)/(1<<20), corpus.MB(c.Bytes), float64(pyPeak)/(1<<20))
	return nil
}

// row is one measured line of the table.
type row struct {
	name          string
	cpu           time.Duration
	allocsPerFile float64
	bytesPerFile  float64
}

// pythonBench is CPython's side: compile() followed by marshal.dumps() of
// the code object, over the corpus (what py_compile does once the source is
// read, without writing the file).
const pythonBench = `import marshal
def compile_all():
    for n, s in zip(names, srcs):
        try:
            marshal.dumps(compile(s, n, "exec", dont_inherit=True))
        except Exception:
            pass
measures = {"compile": compile_all}
`
