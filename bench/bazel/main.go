// Command bazel measures what precompiling costs in a clean Bazel build.
//
// It generates a repository of 2,000 modules in 200 py_library targets (each
// package also has a py_binary over its library and its neighbour's, so the
// build has runfiles trees to make, as a real one does), then times a clean
// `bazel build //...` side by side with PycCompile run by the persistent
// worker, by the sandboxed and standalone one-shot strategies, and with
// precompile disabled. Bazel is the project's scripts/bazel; the compiler is
// a pyc built from this checkout with `go build -o pyc ./tool/pyc`.
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
	"strings"
	"time"
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
}

func run() error {
	packages := flag.Int("packages", 200, "py_library targets to generate")
	modules := flag.Int("modules", 10, "modules per target")
	runs := flag.Int("runs", 3, "clean builds per configuration (the median is reported)")
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
	build := exec.Command("go", "build", "-o", "pyc", "./tool/pyc")
	build.Dir = repo
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("go build ./tool/pyc: %w", err)
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
	b := &bazel{repo: repo, dir: ws, userRoot: filepath.Join(dir, "user_root"), python: *python}
	defer b.shutdown()

	// Load, fetch and start the server once before measuring.
	if _, err := b.build(nil, ""); err != nil {
		return err
	}
	results := map[string][]measurement{}
	for i := 0; i < *runs; i++ {
		for _, c := range configs {
			if err := b.cmd("clean").Run(); err != nil {
				return fmt.Errorf("bazel clean: %w", err)
			}
			log := filepath.Join(dir, "exec.json")
			start := time.Now()
			spawns, err := b.build(c.flags, log)
			if err != nil {
				return fmt.Errorf("%s: %w", c.name, err)
			}
			m := measurement{wall: time.Since(start)}
			for _, s := range spawns {
				if s.Mnemonic == "PycCompile" {
					m.actions++
					d, err := time.ParseDuration(s.Metrics.ExecutionWallTime)
					if err != nil {
						return fmt.Errorf("execution log: %w", err)
					}
					m.compile += d
				}
			}
			fmt.Fprintf(os.Stderr, "run %d, %s: %v wall, %d PycCompile actions, %v in them\n",
				i+1, c.name, m.wall.Round(time.Millisecond), m.actions, m.compile.Round(time.Millisecond))
			results[c.name] = append(results[c.name], m)
		}
	}
	report(os.Stdout, results, *packages, *modules, *runs, *python)
	return nil
}

// measurement is one clean build.
type measurement struct {
	wall    time.Duration // the whole `bazel build //...`
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
	fmt.Fprintln(w, "| configuration | clean build | PycCompile actions | time in PycCompile | every run (build / PycCompile) |")
	fmt.Fprintln(w, "|---|---|---|---|---|")
	for _, c := range configs {
		ms := results[c.name]
		var each []string
		for _, m := range ms {
			each = append(each, fmt.Sprintf("%.1f / %.1f", m.wall.Seconds(), m.compile.Seconds()))
		}
		fmt.Fprintf(w, "| %s | %.2f s | %d | %.2f s | %s |\n", c.name,
			median(ms, func(m measurement) time.Duration { return m.wall }).Seconds(), ms[0].actions,
			median(ms, func(m measurement) time.Duration { return m.compile }).Seconds(),
			strings.Join(each, ", "))
	}
	wall := func(name string) float64 {
		return median(results[name], func(m measurement) time.Duration { return m.wall }).Seconds()
	}
	compile := func(name string) float64 {
		return median(results[name], func(m measurement) time.Duration { return m.compile }).Seconds()
	}
	fmt.Fprintf(w, "\nPycCompile time, sandboxed / worker: %.1fx (target: at least 5x)\n", compile("sandboxed")/compile("worker"))
	fmt.Fprintf(w, "clean build, worker / precompile disabled: +%.0f%% (target: at most +25%%)\n", (wall("worker")/wall("precompile disabled")-1)*100)
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
