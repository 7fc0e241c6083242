// Command worker measures the throughput of pyc's persistent worker against
// the other ways of compiling .pyc files, side by side, on the standard
// library of one interpreter:
//
//   - the worker, multiplex, one source per request (as rules_python sends
//     them) and several per request (as rules_pyc's own rules do);
//   - python -m compileall -j0;
//   - one python -m py_compile process per file, on a sample, extrapolated;
//   - the in-process limit: compile() + marshal.dumps() in one interpreter,
//     divided by the number of cores;
//   - pyc's command line, -j 0, over the corpus directory;
//   - with --rules_python, rules_python's own precompiler worker
//     (tools/precompiler/precompiler.py of its release), one source per
//     request, as Bazel drives it (JSON protocol, 4 requests in flight).
//
// --backend chooses the backend of pyc's worker (auto, cpython or native;
// default: pyc's own default).
//
// Every method is run -r times, the methods interleaved, and the median is
// reported as a Markdown table.  See docs/benchmarks.md.
//
//	go run ./bench/worker [--python PATH] [--backend NAME] [--rules_python precompiler.py] [-n IN_FLIGHT] [-r REPEATS] [--svg FILE]
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/rules-pyc/rules_pyc/internal/gobuild"
)

// config holds the command line.
type config struct {
	python   string
	pyc      string
	inflight int
	batch    int
	jobs     int
	repeats  int
	sampleN  int
	svg      string
	backend  string
	// rulesPython is rules_python's precompiler.py ("": not measured).
	rulesPython string
}

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "bench/worker: %v\n", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	cores := runtime.NumCPU()
	var c config
	fs := flag.NewFlagSet("worker", flag.ContinueOnError)
	fs.StringVar(&c.python, "python", "", "interpreter (default: python3 on PATH, resolved to its executable)")
	fs.StringVar(&c.pyc, "pyc", "", "pyc binary (default: built from this module)")
	fs.IntVar(&c.inflight, "n", 2*cores, "worker requests in flight")
	fs.IntVar(&c.batch, "batch", 10, "sources per request in the batched worker run")
	fs.IntVar(&c.jobs, "j", cores, "worker interpreter processes, and py_compile processes at a time")
	fs.IntVar(&c.repeats, "r", 3, "repetitions of each measurement (the median is reported)")
	fs.IntVar(&c.sampleN, "sample", 200, "files compiled with one py_compile process each")
	fs.StringVar(&c.svg, "svg", "", "also write a bar chart of files/s to this file")
	fs.StringVar(&c.backend, "backend", "", "the backend of pyc's worker: auto, cpython or native (default: pyc's)")
	fs.StringVar(&c.rulesPython, "rules_python", "", "rules_python's tools/precompiler/precompiler.py: also measure its worker")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if c.repeats < 1 || c.inflight < 1 || c.batch < 1 || c.jobs < 1 || c.sampleN < 1 {
		return fmt.Errorf("-r, -n, -batch, -j and -sample must be at least 1")
	}
	if err := becomeSubreaper(); err != nil {
		return err
	}
	var err error
	if c.python, err = resolvePython(c.python); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "pyc-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if c.pyc == "" {
		// Built as README.md builds it.
		if c.pyc, err = gobuild.Binary(tmp, "tool/pyc"); err != nil {
			return fmt.Errorf("build pyc: %w", err)
		}
	}
	version, err := exec.Command(c.python, "-S", "-s", "-c", "import sys; print(sys.version.split()[0])").Output()
	if err != nil {
		return fmt.Errorf("ask %s for its version: %w", c.python, err)
	}
	corp, err := copyStdlib(c.python, filepath.Join(tmp, "stdlib"))
	if err != nil {
		return err
	}
	loadBefore := loadAverage()
	fmt.Fprintf(os.Stderr, "corpus: %d files, %.1f MB of CPython %s's stdlib; load average %s\n",
		len(corp.files), float64(corp.bytes)/1e6, strings.TrimSpace(string(version)), loadBefore)

	methods := []method{
		{name: fmt.Sprintf("pyc worker, 1 source/request, %d in flight", c.inflight), short: "pyc worker, 1 source/request", run: func() (sample, error) {
			return workerRun(c.pyc, c.python, c.backend, corp, filepath.Join(tmp, "out"), c.jobs, c.inflight, 1)
		}},
		{name: fmt.Sprintf("pyc worker, %d sources/request, %d in flight", c.batch, c.inflight), short: fmt.Sprintf("pyc worker, %d sources/request", c.batch), run: func() (sample, error) {
			return workerRun(c.pyc, c.python, c.backend, corp, filepath.Join(tmp, "out"), c.jobs, c.inflight, c.batch)
		}},
		{name: "python -m compileall -j0", short: "compileall -j0", run: func() (sample, error) {
			return compileallRun(c.python, corp)
		}},
		{name: fmt.Sprintf("python -m py_compile, 1 process/file (%d files, extrapolated)", min(c.sampleN, len(corp.files))), short: "a py_compile process per file", run: func() (sample, error) {
			return perProcessRun(c.python, corp, c.sampleN, c.jobs)
		}},
		{name: fmt.Sprintf("in-process compile()+marshal.dumps(), ÷ %d cores", cores), short: "in-process limit", divide: cores, run: func() (sample, error) {
			return inProcessRun(c.python, corp)
		}},
	}
	methods = append(methods, method{name: "pyc -j 0 (command line)", short: "pyc -j 0", run: func() (sample, error) {
		return cliRun(c.pyc, c.python, strings.TrimSpace(string(version)), c.backend, corp)
	}})
	if c.rulesPython != "" {
		methods = append(methods, method{name: fmt.Sprintf("rules_python's precompiler worker, 1 source/request, %d in flight", c.inflight), short: "rules_python worker", run: func() (sample, error) {
			return rulesPythonRun(c.python, c.rulesPython, corp, filepath.Join(tmp, "out"), c.inflight)
		}})
	}
	for r := range c.repeats {
		for i := range methods {
			m := &methods[(i+r)%len(methods)]
			s, err := m.run()
			if err != nil {
				return fmt.Errorf("%s: %w", m.name, err)
			}
			m.samples = append(m.samples, s)
			wall := s.wall.Seconds() * s.scale
			if m.divide > 1 {
				wall /= float64(m.divide)
			}
			fmt.Fprintf(os.Stderr, "round %d: %-64s %7.2fs wall %7.2fs CPU (%.2fs sys)\n", r+1, m.name, wall, s.cpu.Seconds()*s.scale, s.sys.Seconds()*s.scale)
		}
	}
	loadAfter := loadAverage()
	res := summarize(methods)
	rep := report{
		python: strings.TrimSpace(string(version)), pythonPath: c.python, cores: cores,
		files: len(corp.files), bytes: corp.bytes, cfg: c,
		loadBefore: loadBefore, loadAfter: loadAfter, results: res,
	}
	rep.write(stdout)
	if c.svg != "" {
		if err := os.WriteFile(c.svg, []byte(chart(rep)), 0o644); err != nil {
			return fmt.Errorf("write chart: %w", err)
		}
	}
	return nil
}

// resolvePython finds the interpreter's real executable, so that a
// launcher script such as a pyenv shim does not add its start-up to every
// process.
func resolvePython(python string) (string, error) {
	if python == "" {
		python = "python3"
	}
	out, err := exec.Command(python, "-c", "import sys; print(sys.executable)").Output()
	if err != nil {
		return "", fmt.Errorf("run %s: %w", python, err)
	}
	return strings.TrimSpace(string(out)), nil
}

// loadAverage is the first three fields of /proc/loadavg.
func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
