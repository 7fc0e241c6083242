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
// its peak memory. Each measurement is repeated -r times and the median is
// reported; the table goes to stdout as Markdown.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"github.com/rules-pyc/rules_pyc/bench/internal/corpus"
	"github.com/rules-pyc/rules_pyc/compiler/native"
	"github.com/rules-pyc/rules_pyc/compiler/release"
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
		err = native.Check(rel)
	}
	if err != nil {
		return err
	}
	c, err := corpus.Load(dir)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "%d files, %.1f MB, from %s; native compiler as %s; CPython %s (%s)\n",
		len(c.Names), corpus.MB(c.Bytes), dir, rel, info.Version, info.Executable)

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
	var cpus []time.Duration
	var allocs, allocBytes uint64
	for range rounds {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		t0 := corpus.CPUTime()
		compileAll()
		cpus = append(cpus, corpus.CPUTime()-t0)
		runtime.ReadMemStats(&after)
		allocs, allocBytes = after.Mallocs-before.Mallocs, after.TotalAlloc-before.TotalAlloc
	}
	rows := []row{{
		name:          "native: native.Compile (source to marshalled code object)",
		cpu:           corpus.Median(cpus),
		allocsPerFile: float64(allocs) / float64(len(c.Srcs)),
		bytesPerFile:  float64(allocBytes) / float64(len(c.Srcs)),
	}}
	goPeak := corpus.PeakRSS()
	py, err := measurePython(python, c, rounds)
	if err != nil {
		return err
	}
	rows = append(rows, py)

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
			py.cpu.Seconds()/s)
	}
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

// pythonBench reads the files named on stdin (one per line) into memory,
// then times compile() and marshal.dumps() over them, rounds times, and
// prints the median CPU time and its peak resident size.
const pythonBench = `import json, marshal, sys, time
names = sys.stdin.read().split("\n")[:-1]
srcs = [open(n, "rb").read() for n in names]
rounds = int(sys.argv[1])
def run():
    for n, s in zip(names, srcs):
        try:
            marshal.dumps(compile(s, n, "exec", dont_inherit=True))
        except Exception:
            pass
times = []
for _ in range(rounds):
    t = time.process_time()
    run()
    times.append(time.process_time() - t)
out = {"compile": sorted(times)[len(times) // 2]}
# VmHWM: getrusage's ru_maxrss survives exec, so it would report the
# parent's peak when that is larger.
for line in open("/proc/self/status"):
    if line.startswith("VmHWM:"):
        out["maxrss"] = int(line.split()[1]) * 1024
print(json.dumps(out))
`

// pyPeak is CPython's peak resident size, set by measurePython.
var pyPeak int64

func measurePython(python string, c *corpus.Corpus, rounds int) (row, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, "-S", "-s", "-c", pythonBench, fmt.Sprint(rounds))
	cmd.Env = append(os.Environ(), "PYTHONHASHSEED=0")
	cmd.Stdin = strings.NewReader(strings.Join(c.Names, "\n") + "\n")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return row{}, fmt.Errorf("%s: %w: %s", python, err, stderr.String())
	}
	var res struct {
		Compile float64
		Maxrss  int64
	}
	if err := json.Unmarshal(out, &res); err != nil {
		return row{}, fmt.Errorf("%s: %w", python, err)
	}
	pyPeak = res.Maxrss
	return row{
		name: "CPython: marshal.dumps(compile(src, name, 'exec', dont_inherit=True))",
		cpu:  time.Duration(res.Compile * float64(time.Second)),
	}, nil
}
