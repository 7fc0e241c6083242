package main

import (
	"fmt"
	"io"
	"slices"
	"time"
)

// method is one way of compiling the corpus.
type method struct {
	name    string
	short   string // key, and the label on the chart
	divide  int    // the in-process limit is its time divided by the cores
	run     func() (sample, error)
	samples []sample
}

// result is the median of a method's samples.
type result struct {
	name, short string
	wall, cpu   time.Duration // for the whole corpus
	sys         time.Duration // the sys part of cpu
	filesPerSec float64
	files       int // compiled per measurement
	mem         memory
	n           int
}

// summarize takes the median wall and CPU time of each method, scaled to
// the whole corpus.
func summarize(methods []method) []result {
	var out []result
	for _, m := range methods {
		walls := make([]time.Duration, len(m.samples))
		cpus := make([]time.Duration, len(m.samples))
		syss := make([]time.Duration, len(m.samples))
		var mem memory
		for i, s := range m.samples {
			walls[i] = time.Duration(float64(s.wall) * s.scale)
			cpus[i] = time.Duration(float64(s.cpu) * s.scale)
			syss[i] = time.Duration(float64(s.sys) * s.scale)
			mem.goPeak = max(mem.goPeak, s.mem.goPeak)
			mem.serverPeak = max(mem.serverPeak, s.mem.serverPeak)
			mem.servers = max(mem.servers, s.mem.servers)
			mem.goCPU = max(mem.goCPU, s.mem.goCPU)
		}
		r := result{name: m.name, short: m.short, wall: median(walls), cpu: median(cpus), sys: median(syss), mem: mem, n: len(m.samples), files: m.samples[0].files}
		if m.divide > 1 {
			r.wall /= time.Duration(m.divide)
		}
		total := float64(m.samples[0].files) * m.samples[0].scale
		r.filesPerSec = total / r.wall.Seconds()
		out = append(out, r)
	}
	return out
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// report is what a run prints.
type report struct {
	python, pythonPath    string
	cores, files          int
	bytes                 int64
	cfg                   config
	loadBefore, loadAfter string
	// results are in the order run builds the methods: worker, worker
	// batched, compileall, a process per file, in-process limit, pyc's
	// command line, and rules_python's worker when it was measured.
	results []result
}

func (r report) write(w io.Writer) {
	fmt.Fprintf(w, "CPython %s, %d stdlib files (%.1f MB), %d cores, median of %d runs; load average %s before, %s after\n\n",
		r.python, r.files, float64(r.bytes)/1e6, r.cores, r.cfg.repeats, r.loadBefore, r.loadAfter)
	worker := r.results[0]
	fmt.Fprintln(w, "| method | wall (s) | CPU (s) | of which sys (s) | CPU/file (ms) | files/s | wall vs worker |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|")
	for _, x := range r.results {
		fmt.Fprintf(w, "| %s | %.2f | %.2f | %.2f | %.2f | %.0f | %.2fx |\n", x.name, x.wall.Seconds(), x.cpu.Seconds(), x.sys.Seconds(),
			x.cpu.Seconds()*1000/float64(r.files), x.filesPerSec, x.wall.Seconds()/worker.wall.Seconds())
	}
	batched, compileall, perProcess, limit := r.results[1], r.results[2], r.results[3], r.results[4]
	cli := r.results[5]
	var rulesPython *result
	if len(r.results) > 6 {
		rulesPython = &r.results[6]
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| target | wall, 1 source/request | wall, batched | met (wall) | CPU, 1 source/request | CPU, batched |")
	fmt.Fprintln(w, "|---|---:|---:|---|---:|---:|")
	type target struct {
		name    string
		ratio   func(x result, d func(result) time.Duration) float64
		want    float64
		atLeast bool
	}
	targets := []target{
		// By CPU, the in-process limit is one interpreter's CPU time:
		// spread over the cores it is the same CPU.
		{"worker / in-process limit (≤ 1)", func(x result, d func(result) time.Duration) float64 { return d(x).Seconds() / d(limit).Seconds() }, 1, false},
		{"compileall -j0 / worker (≥ 1.4)", func(x result, d func(result) time.Duration) float64 { return d(compileall).Seconds() / d(x).Seconds() }, 1.4, true},
		{"process per file / worker (≥ 20)", func(x result, d func(result) time.Duration) float64 { return d(perProcess).Seconds() / d(x).Seconds() }, 20, true},
	}
	if rulesPython != nil {
		targets = append(targets, target{"rules_python's worker / worker (≥ 10)", func(x result, d func(result) time.Duration) float64 {
			return d(*rulesPython).Seconds() / d(x).Seconds()
		}, 10, true})
	}
	for _, t := range targets {
		wall := func(x result) time.Duration { return x.wall }
		cpu := func(x result) time.Duration { return x.cpu }
		a, b := t.ratio(worker, wall), t.ratio(batched, wall)
		ok := func(v float64) bool {
			if t.atLeast {
				return v >= t.want
			}
			return v <= t.want
		}
		verdict := "yes"
		switch {
		case !ok(a) && !ok(b):
			verdict = "no"
		case !ok(a):
			verdict = "batched only"
		case !ok(b):
			verdict = "1 source/request only"
		}
		fmt.Fprintf(w, "| %s | %.2fx | %.2fx | %s | %.2fx | %.2fx |\n", t.name, a, b, verdict, t.ratio(worker, cpu), t.ratio(batched, cpu))
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "All cores, command line: compileall -j0 / pyc -j 0 = %.2fx in wall time, %.2fx in CPU time (target: at least 4x).\n\n",
		compileall.wall.Seconds()/cli.wall.Seconds(), compileall.cpu.Seconds()/cli.cpu.Seconds())
	fmt.Fprintf(w, "Worker CPU per file over the in-process compile: %.2f ms (1 source/request), %.2f ms (batched).\n\n",
		(worker.cpu-limit.cpu).Seconds()*1000/float64(r.files), (batched.cpu-limit.cpu).Seconds()*1000/float64(r.files))
	fmt.Fprintln(w, "| worker memory (peak RSS) | 1 source/request | batched |")
	fmt.Fprintln(w, "|---|---:|---:|")
	b := batched
	fmt.Fprintf(w, "| pyc (Go) process | %.1f MiB | %.1f MiB |\n", mib(worker.mem.goPeak), mib(b.mem.goPeak))
	fmt.Fprintf(w, "| largest interpreter server | %.1f MiB | %.1f MiB |\n", mib(worker.mem.serverPeak), mib(b.mem.serverPeak))
	fmt.Fprintf(w, "| interpreter servers | %d | %d |\n", worker.mem.servers, b.mem.servers)
	fmt.Fprintln(w)
	fmt.Fprintf(w, "Peak RSS of the pyc process against the target of 100 MB: %.1f MB (1 source/request), %.1f MB (batched).\n",
		float64(worker.mem.goPeak)/1e6, float64(b.mem.goPeak)/1e6)
	if rulesPython != nil {
		fmt.Fprintf(w, "rules_python's precompiler worker: peak RSS %.1f MiB.\n", mib(rulesPython.mem.goPeak))
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "CPU of the pyc (Go) process itself: %.2f s (1 source/request), %.2f s (batched); the rest of the worker's CPU is its interpreters and their forks.\n",
		worker.mem.goCPU.Seconds(), b.mem.goCPU.Seconds())
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }
