// Command bazel measures what precompiling costs in a clean Bazel build.
//
// It generates a repository of 2,000 modules in 200 py_library targets (each
// package also has a py_binary over its library and its neighbour's, so the
// build has runfiles trees to make, as a real one does), then times a clean
// `bazel build //...` side by side with PycCompile run by the persistent
// worker, by the sandboxed and standalone one-shot strategies, with
// precompile disabled, and by the worker with the pycs in place of the
// sources (source_retention=omit_source), after one unmeasured build of each
// (-warmup) has warmed the Bazel server. Bazel is the project's scripts/bazel; the compiler is
// a pyc built from this checkout with `CGO_ENABLED=0 go build -trimpath -o pyc ./tool/pyc`. Besides
// wall time and the PycCompile actions' time, it reports the CPU time the
// whole machine spent during each build (from /proc/stat).
//
// For scale, each round also compiles a copy of the same sources outside
// Bazel, once with the pyc command line (-j 0) and once with CPython's own
// `compileall -j0`, which compiles in place in long-lived processes and is
// the fastest any precompile step could be.
//
//	go run ./bench/bazel -python /usr/bin/python3.12 -runs 3
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/rules-pyc/rules_pyc/internal/gobuild"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench/bazel:", err)
		os.Exit(1)
	}
}

// config is one way of building the generated repository.
type config struct {
	name  string
	flags []string
}

var configs = []config{
	{"worker", []string{"--strategy=PycCompile=worker", "--worker_multiplex"}},
	{"sandboxed", []string{"--strategy=PycCompile=sandboxed"}},
	{"standalone", []string{"--strategy=PycCompile=local"}},
	{"precompile disabled", []string{"--@rules_pyc//rules:precompile=disabled"}},
	// The worker again, with the pycs in place of the sources: the runfiles
	// trees then hold as many files as without precompiling.
	{"worker, omit_source", []string{"--strategy=PycCompile=worker", "--worker_multiplex", "--@rules_pyc//rules:source_retention=omit_source"}},
}

func run() error {
	packages := flag.Int("packages", 200, "py_library targets to generate")
	modules := flag.Int("modules", 10, "modules per target")
	runs := flag.Int("runs", 3, "clean builds per configuration (the median is reported)")
	warmup := flag.Int("warmup", 1, "unmeasured rounds of every configuration first, which warm the Bazel server's JIT")
	python := flag.String("python", "", "the interpreter of the pyc toolchain (default: python3 on PATH)")
	keep := flag.Bool("keep", false, "keep the generated repository and print where it is")
	flag.Parse()

	repo, err := repoRoot()
	if err != nil {
		return err
	}
	if *python == "" {
		if *python, err = exec.LookPath("python3"); err != nil {
			return err
		}
	}
	// Built as README.md builds it, where README.md builds it.
	if _, err := gobuild.Binary(repo, "tool/pyc"); err != nil {
		return err
	}

	dir, err := os.MkdirTemp("", "rules_pyc-bench-")
	if err != nil {
		return err
	}
	if *keep {
		fmt.Fprintln(os.Stderr, "generated repository:", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	ws := filepath.Join(dir, "ws")
	if err := generate(ws, repo, *packages, *modules); err != nil {
		return err
	}
	plain := filepath.Join(dir, "plain")
	if err := generate(plain, repo, *packages, *modules); err != nil {
		return err
	}
	b := &bazel{repo: repo, dir: ws, userRoot: filepath.Join(dir, "user_root"), python: *python}
	defer b.shutdown()

	// Load, fetch and start the server, and warm its JIT, before measuring:
	// a fresh server's first clean builds are slower (in one series the
	// worker's first three took 13.3, 11.4 and 7.9 s, and every one after
	// them 7.3-9.1 s), and a benchmark of a warm server must not charge that
	// to the configurations measured first.
	for i := 0; i < *warmup; i++ {
		for _, c := range configs {
			if err := b.cmd("clean").Run(); err != nil {
				return fmt.Errorf("bazel clean: %w", err)
			}
			if _, err := b.build(c.flags, ""); err != nil {
				return fmt.Errorf("warm-up, %s: %w", c.name, err)
			}
			fmt.Fprintf(os.Stderr, "warm-up %d, %s: done\n", i+1, c.name)
		}
	}
	if *warmup < 1 {
		if _, err := b.build(nil, ""); err != nil {
			return err
		}
	}
	results := map[string][]measurement{}
	for i := 0; i < *runs; i++ {
		// Each round starts one configuration later, so that none always
		// follows the same one, or the commands outside Bazel that end a
		// round.
		for k := range configs {
			c := configs[(i+k)%len(configs)]
			if err := b.cmd("clean").Run(); err != nil {
				return fmt.Errorf("bazel clean: %w", err)
			}
			log := filepath.Join(dir, "exec.json")
			cpu0, err := machineCPU()
			if err != nil {
				return err
			}
			start := time.Now()
			spawns, err := b.build(c.flags, log)
			if err != nil {
				return fmt.Errorf("%s: %w", c.name, err)
			}
			m := measurement{wall: time.Since(start)}
			cpu1, err := machineCPU()
			if err != nil {
				return err
			}
			m.cpu = cpu1 - cpu0
			for _, s := range spawns {
				if s.Mnemonic == "PycCompile" {
					m.actions++
					if s.Metrics.ExecutionWallTime == "" {
						// The log leaves out a zero duration: an
						// action that took under a millisecond.
						continue
					}
					d, err := time.ParseDuration(s.Metrics.ExecutionWallTime)
					if err != nil {
						return fmt.Errorf("execution log: %w", err)
					}
					m.compile += d
				}
			}
			fmt.Fprintf(os.Stderr, "run %d, %s: %v wall, %v CPU, %d PycCompile actions, %v in them\n",
				i+1, c.name, m.wall.Round(time.Millisecond), m.cpu.Round(time.Millisecond), m.actions, m.compile.Round(time.Millisecond))
			results[c.name] = append(results[c.name], m)
		}
		for _, o := range outsideCommands(filepath.Join(repo, "pyc"), *python) {
			d, err := timeOutside(plain, o.args)
			if err != nil {
				return fmt.Errorf("%s: %w", o.name, err)
			}
			fmt.Fprintf(os.Stderr, "run %d, %s: %v wall\n", i+1, o.name, d.Round(time.Millisecond))
			results[o.name] = append(results[o.name], measurement{wall: d})
		}
	}
	report(os.Stdout, results, *packages, *modules, *runs, *python)
	return nil
}

// measurement is one clean build.
type measurement struct {
	wall    time.Duration // the whole `bazel build //...`
	cpu     time.Duration // CPU time the whole machine spent meanwhile
	compile time.Duration // the PycCompile actions' execution time, summed
	actions int
}

func median(ms []measurement, f func(measurement) time.Duration) time.Duration {
	d := make([]time.Duration, len(ms))
	for i, m := range ms {
		d[i] = f(m)
	}
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	return d[len(d)/2]
}

func report(w io.Writer, results map[string][]measurement, packages, modules, runs int, python string) {
	fmt.Fprintf(w, "%d modules in %d py_library targets, clean `bazel build //...`, median of %d runs, %d CPUs, interpreter %s\n\n",
		packages*modules, packages, runs, runtime.NumCPU(), python)
	fmt.Fprintln(w, "| configuration | clean build | machine CPU | PycCompile actions | time in PycCompile | every run (build / PycCompile) |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|")
	for _, c := range configs {
		ms := results[c.name]
		var each []string
		for _, m := range ms {
			each = append(each, fmt.Sprintf("%.1f / %.1f", m.wall.Seconds(), m.compile.Seconds()))
		}
		fmt.Fprintf(w, "| %s | %.2f s | %.1f s | %d | %.2f s | %s |\n", c.name,
			median(ms, func(m measurement) time.Duration { return m.wall }).Seconds(),
			median(ms, func(m measurement) time.Duration { return m.cpu }).Seconds(), ms[0].actions,
			median(ms, func(m measurement) time.Duration { return m.compile }).Seconds(),
			strings.Join(each, ", "))
	}
	wall := func(name string) float64 {
		return median(results[name], func(m measurement) time.Duration { return m.wall }).Seconds()
	}
	compile := func(name string) float64 {
		return median(results[name], func(m measurement) time.Duration { return m.compile }).Seconds()
	}
	fmt.Fprintf(w, "\nThe same %d sources compiled outside Bazel, median of %d runs:\n\n", packages*(modules+2), runs)
	fmt.Fprintln(w, "| command | wall | every run (s) |")
	fmt.Fprintln(w, "|---|---|---|")
	for _, o := range outsideCommands("pyc", python) {
		var each []string
		for _, m := range results[o.name] {
			each = append(each, fmt.Sprintf("%.1f", m.wall.Seconds()))
		}
		fmt.Fprintf(w, "| %s | %.2f s | %s |\n", o.name, wall(o.name), strings.Join(each, ", "))
	}
	cpu := func(name string) float64 {
		return median(results[name], func(m measurement) time.Duration { return m.cpu }).Seconds()
	}
	disabled := wall("precompile disabled")
	fmt.Fprintf(w, "\nPycCompile time, sandboxed / worker: %.1fx (target: at least 5x)\n", compile("sandboxed")/compile("worker"))
	fmt.Fprintf(w, "clean build, worker / precompile disabled: +%.0f%% (target: at most +50%%)\n", (wall("worker")/disabled-1)*100)
	fmt.Fprintf(w, "clean build, worker with omit_source / precompile disabled: +%.0f%%\n", (wall("worker, omit_source")/disabled-1)*100)
	fmt.Fprintf(w, "compileall -j0 alone, as a share of the precompile-disabled build: %.0f%%\n", wall(compileallName)/disabled*100)
	base := cpu("precompile disabled")
	fmt.Fprintf(w, "machine CPU added by precompiling, sandboxed / worker: %.1f s / %.1f s = %.1fx\n",
		cpu("sandboxed")-base, cpu("worker")-base, (cpu("sandboxed")-base)/(cpu("worker")-base))
}

const compileallName = "python -m compileall -j0"

// outside is a command that compiles the generated sources outside Bazel.
type outside struct {
	name string
	args []string
}

func outsideCommands(pyc, python string) []outside {
	return []outside{
		{"pyc -j 0 (command line)", []string{pyc, "--python", python, "-j", "0", "-qq"}},
		{compileallName, []string{python, "-S", "-s", "-m", "compileall", "-q", "-j0", "--invalidation-mode", "checked-hash"}},
	}
}

// timeOutside removes the __pycache__ directories under dir's packages and
// times args run over dir.
func timeOutside(dir string, args []string) (time.Duration, error) {
	pkgs, err := filepath.Glob(filepath.Join(dir, "pkg*"))
	if err != nil {
		return 0, err
	}
	for _, p := range pkgs {
		if err := os.RemoveAll(filepath.Join(p, "__pycache__")); err != nil {
			return 0, err
		}
	}
	// One directory argument: compileall starts a pool of processes per
	// argument.
	cmd := exec.Command(args[0], append(args[1:], dir)...)
	cmd.Env = []string{"PATH=/usr/bin:/bin", "PYTHONHASHSEED=0", "LC_ALL=C.UTF-8"}
	var stderr strings.Builder
	cmd.Stdout, cmd.Stderr = io.Discard, &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return 0, fmt.Errorf("%s: %w\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return time.Since(start), nil
}

// bazel runs scripts/bazel in the generated workspace.
type bazel struct {
	repo, dir, userRoot, python string
}

func (b *bazel) cmd(args ...string) *exec.Cmd {
	cmd := exec.Command(filepath.Join(b.repo, "scripts", "bazel"),
		append([]string{"--output_user_root=" + b.userRoot}, args...)...)
	cmd.Dir = b.dir
	cmd.Stderr = io.Discard
	return cmd
}

func (b *bazel) shutdown() { _ = b.cmd("shutdown").Run() }

// spawn is the part of an execution log entry the benchmark reads.
type spawn struct {
	Mnemonic string `json:"mnemonic"`
	Metrics  struct {
		ExecutionWallTime string `json:"executionWallTime"`
	} `json:"metrics"`
}

// build runs a build of //... and returns the spawns of its execution log.
func (b *bazel) build(flags []string, log string) ([]spawn, error) {
	args := []string{"build", "--color=no", "--curses=no", "--nosandbox_debug",
		"--repo_env=PYC_PYTHON=" + b.python,
		"--@rules_pyc//rules:compiler=@rules_pyc//:pyc",
		"--override_module=rules_go=" + filepath.Join(b.repo, "tests", "bazel", "testdata", "stubs", "rules_go"),
		"--override_module=gazelle=" + filepath.Join(b.repo, "tests", "bazel", "testdata", "stubs", "gazelle"),
	}
	if log != "" {
		args = append(args, "--execution_log_json_file="+log)
	}
	args = append(append(args, flags...), "//...")
	cmd := b.cmd(args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("bazel build: %w\n%s", err, stderr.String())
	}
	if log == "" {
		return nil, nil
	}
	f, err := os.Open(log)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var spawns []spawn
	dec := json.NewDecoder(f)
	for {
		var s spawn
		if err := dec.Decode(&s); errors.Is(err, io.EOF) {
			return spawns, nil
		} else if err != nil {
			return nil, fmt.Errorf("execution log %s: %w", log, err)
		}
		spawns = append(spawns, s)
	}
}

// repoRoot returns the root of this checkout.
func repoRoot() (string, error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}").Output()
	if err != nil {
		return "", fmt.Errorf("go list -m: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

// machineCPU is the CPU time all processes of the machine have spent (user,
// nice, system, interrupts, steal), from the first line of /proc/stat.
func machineCPU() (time.Duration, error) {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, fmt.Errorf("machine CPU: %w", err)
	}
	line, _, _ := strings.Cut(string(data), "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return 0, fmt.Errorf("machine CPU: unexpected /proc/stat line %q", line)
	}
	// user nice system idle iowait irq softirq steal: all but idle and iowait.
	var ticks int64
	for _, i := range []int{1, 2, 3, 6, 7, 8} {
		n, err := strconv.ParseInt(f[i], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("machine CPU: %q: %w", line, err)
		}
		ticks += n
	}
	// The kernel counts in USER_HZ, which is 100 on every Linux ABI Go
	// supports.
	return time.Duration(ticks) * 10 * time.Millisecond, nil
}
