// Command frontend measures the native front end against CPython's own
// parser on the same sources, in one run: every .py file of a standard
// library (site-packages left out), read into memory once, parsed on one
// core.
//
//	go run ./bench/frontend --python "$(pyenv root)/versions/3.13.0/bin/python3" -r 5
//
// For the front end it reports CPU time, MB/s and files/s for parsing alone
// (frontend.Parse) and for parsing and dumping (frontend.Dump), allocations
// and bytes allocated per file, and the process's peak resident memory. For
// CPython, in the same run, the interpreter given reads the same files into
// memory and times compile(src, name, 'exec', ast.PyCF_ONLY_AST) (parse and
// build the ast module's objects) and _symtable.symtable(src, name, 'exec')
// (parse to the C AST and build the symbol table), with its peak memory.
// Each measurement is repeated -r times, the rounds of the two sides
// alternating (so that a change in the machine's speed during the run falls
// on both alike), and the median is reported; the table goes to stdout as
// Markdown.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"time"

	"github.com/rules-pyc/rules_pyc/bench/internal/corpus"
	"github.com/rules-pyc/rules_pyc/bench/internal/pyside"
	"github.com/rules-pyc/rules_pyc/compiler/release"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/frontend"
)

func main() {
	python := flag.String("python", "python3", "the CPython whose stdlib is parsed and which is measured beside the front end")
	dir := flag.String("dir", "", "parse the .py files under this directory instead of the interpreter's stdlib")
	version := flag.String("python-version", "", "the release the front end imitates (default: the interpreter's)")
	rounds := flag.Int("r", 3, "repetitions; the median is reported")
	flag.Parse()
	if err := run(*python, *dir, *version, *rounds); err != nil {
		fmt.Fprintf(os.Stderr, "bench/frontend: %v\n", err)
		os.Exit(1)
	}
}

func run(python, dir, version string, rounds int) error {
	c, rel, err := corpus.Prepare(python, dir, version, release.Supported, "front end")
	if err != nil {
		return err
	}

	// One core: the front end is single-threaded, and so is CPython's parser.
	runtime.GOMAXPROCS(1)

	parse := func() (rejected int) {
		for i, src := range c.Srcs {
			if _, serr := frontend.Parse(c.Names[i], src, rel); serr != nil {
				rejected++
			}
		}
		return rejected
	}
	dump := func() (rejected int) {
		for i, src := range c.Srcs {
			if _, serr, err := frontend.Dump(c.Names[i], src, rel); serr != nil || err != nil {
				rejected++
			}
		}
		return rejected
	}
	py, err := pyside.Start(python, pythonBench, c.Names)
	if err != nil {
		return err
	}
	// The rounds alternate between the two sides: the front end's two
	// measurements, then CPython's two.
	ours := []struct {
		name string
		f    func() int
	}{{"front end: parse (frontend.Parse)", parse}, {"front end: parse + ast.dump text (frontend.Dump)", dump}}
	theirs := []struct{ name, measure string }{
		{"CPython: compile(src, name, 'exec', ast.PyCF_ONLY_AST)", "parse"},
		{"CPython: _symtable.symtable(src, name, 'exec')", "symtable"},
	}
	rows := make([]row, len(ours)+len(theirs))
	cpus := make([][]time.Duration, len(rows))
	var rejected int
	for range rounds {
		for i, m := range ours {
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			t0 := corpus.CPUTime()
			rejected = m.f()
			cpus[i] = append(cpus[i], corpus.CPUTime()-t0)
			runtime.ReadMemStats(&after)
			rows[i] = row{
				name:          m.name,
				allocsPerFile: float64(after.Mallocs-before.Mallocs) / float64(len(c.Srcs)),
				bytesPerFile:  float64(after.TotalAlloc-before.TotalAlloc) / float64(len(c.Srcs)),
			}
		}
		for i, m := range theirs {
			cpu, err := py.Time(m.measure)
			if err != nil {
				return err
			}
			cpus[len(ours)+i] = append(cpus[len(ours)+i], cpu)
			rows[len(ours)+i].name = m.name
		}
	}
	for i := range rows {
		rows[i].cpu = corpus.Median(cpus[i])
	}
	goPeak := corpus.PeakRSS()
	pyPeak, err := py.Close()
	if err != nil {
		return err
	}

	fmt.Printf("%d files, %.1f MB (%d rejected by the front end); one core; median of %d\n\n", len(c.Names), corpus.MB(c.Bytes), rejected, rounds)
	fmt.Println("| what | CPU (s) | MB/s | files/s | allocations/file | KB allocated/file |")
	fmt.Println("|---|---:|---:|---:|---:|---:|")
	for _, r := range rows {
		s := r.cpu.Seconds()
		allocs, kb := "", ""
		if r.allocsPerFile > 0 {
			allocs = fmt.Sprintf("%.0f", r.allocsPerFile)
			kb = fmt.Sprintf("%.0f", r.bytesPerFile/1024)
		}
		fmt.Printf("| %s | %.2f | %.1f | %.0f | %s | %s |\n", r.name, s, corpus.MB(c.Bytes)/s, float64(len(c.Names))/s, allocs, kb)
	}
	fmt.Printf("\nPeak resident memory: front end process %.0f MB (the %.1f MB corpus included); %s %.0f MB.\n",
		float64(goPeak)/(1<<20), corpus.MB(c.Bytes), "CPython", float64(pyPeak)/(1<<20))
	return nil
}

// row is one measured line of the table.
type row struct {
	name          string
	cpu           time.Duration
	allocsPerFile float64
	bytesPerFile  float64
}

// pythonBench is CPython's side: its parser alone, and its parser with the
// symbol table, over the corpus.
const pythonBench = `import _symtable, ast
def parse():
    for n, s in zip(names, srcs):
        try:
            compile(s, n, "exec", ast.PyCF_ONLY_AST)
        except Exception:
            pass
def symtable():
    for n, s in zip(names, srcs):
        try:
            _symtable.symtable(s, n, "exec")
        except Exception:
            pass
measures = {"parse": parse, "symtable": symtable}
`
