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
// Each measurement is repeated -r times and the median is reported; the
// table goes to stdout as Markdown.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"github.com/rules-pyc/rules_pyc/bench/internal/corpus"
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
	info, err := corpus.Describe(python)
	if err != nil {
		return err
	}
	if dir == "" {
		dir = info.Stdlib
	}
	if version == "" {
		version = info.Version
	}
	rel, _, err := release.Parse(version)
	if err == nil {
		err = release.Supported(rel)
	}
	if err != nil {
		return err
	}
	c, err := corpus.Load(dir)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "%d files, %.1f MB, from %s; front end as %s; CPython %s (%s)\n",
		len(c.Names), corpus.MB(c.Bytes), dir, rel, info.Version, info.Executable)

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
	var rows []row
	var rejected int
	for _, m := range []struct {
		name string
		f    func() int
	}{{"front end: parse (frontend.Parse)", parse}, {"front end: parse + ast.dump text (frontend.Dump)", dump}} {
		var cpus []time.Duration
		var allocs, allocBytes uint64
		for range rounds {
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			t0 := corpus.CPUTime()
			rejected = m.f()
			cpus = append(cpus, corpus.CPUTime()-t0)
			runtime.ReadMemStats(&after)
			allocs, allocBytes = after.Mallocs-before.Mallocs, after.TotalAlloc-before.TotalAlloc
		}
		rows = append(rows, row{
			name:          m.name,
			cpu:           corpus.Median(cpus),
			allocsPerFile: float64(allocs) / float64(len(c.Srcs)),
			bytesPerFile:  float64(allocBytes) / float64(len(c.Srcs)),
		})
	}
	goPeak := corpus.PeakRSS()
	py, err := measurePython(python, c, rounds)
	if err != nil {
		return err
	}
	rows = append(rows, py...)

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

// pythonBench reads the files named on stdin (one per line) into memory,
// then times each way of parsing them, rounds times, and prints the CPU
// times and its peak resident size.
const pythonBench = `import _symtable, ast, json, sys, time
names = sys.stdin.read().split("\n")[:-1]
srcs = [open(n, "rb").read() for n in names]
rounds = int(sys.argv[1])
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
out = {}
for name, f in (("parse", parse), ("symtable", symtable)):
    times = []
    for _ in range(rounds):
        t = time.process_time()
        f()
        times.append(time.process_time() - t)
    out[name] = sorted(times)[len(times) // 2]
# VmHWM: getrusage's ru_maxrss survives exec, so it would report the
# parent's peak when that is larger.
for line in open("/proc/self/status"):
    if line.startswith("VmHWM:"):
        out["maxrss"] = int(line.split()[1]) * 1024
print(json.dumps(out))
`

// pyPeak is CPython's peak resident size, set by measurePython.
var pyPeak int64

func measurePython(python string, c *corpus.Corpus, rounds int) ([]row, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, "-S", "-s", "-c", pythonBench, fmt.Sprint(rounds))
	cmd.Stdin = strings.NewReader(strings.Join(c.Names, "\n") + "\n")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s: %w: %s", python, err, stderr.String())
	}
	var res struct {
		Parse, Symtable float64
		Maxrss          int64
	}
	if err := json.Unmarshal(out, &res); err != nil {
		return nil, fmt.Errorf("%s: %w", python, err)
	}
	pyPeak = res.Maxrss
	sec := func(f float64) time.Duration { return time.Duration(f * float64(time.Second)) }
	return []row{
		{name: "CPython: compile(src, name, 'exec', ast.PyCF_ONLY_AST)", cpu: sec(res.Parse)},
		{name: "CPython: _symtable.symtable(src, name, 'exec')", cpu: sec(res.Symtable)},
	}, nil
}
