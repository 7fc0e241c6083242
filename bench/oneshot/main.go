// Command oneshot measures what one `pyc @paramfile` run costs: the way Bazel
// runs a PycCompile action with the sandboxed, standalone and remote
// strategies, where every action starts pyc and its interpreters afresh.
//
// For each batch size it writes a paramfile of that many generated modules
// (about 6 KB of ordinary code each, the modules of bench/bazel) and runs pyc
// on it again and again, interleaving the binaries given, and reports the
// median wall time and the mean CPU time of the whole process tree (pyc, its
// interpreter servers and their forked compiles).
//
//	go run ./bench/oneshot -python /usr/bin/python3.12
//	go run ./bench/oneshot -python /usr/bin/python3.12 -pyc ./pyc-before -pyc ./pyc
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/rules-pyc/rules_pyc/bench/internal/pysrc"
	"github.com/rules-pyc/rules_pyc/internal/gobuild"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench/oneshot:", err)
		os.Exit(1)
	}
}

type list []string

func (l *list) String() string     { return strings.Join(*l, ",") }
func (l *list) Set(v string) error { *l = append(*l, v); return nil }

func run() error {
	var pycs list
	flag.Var(&pycs, "pyc", "a pyc binary to measure (repeat to compare; default: built from this checkout)")
	python := flag.String("python", "", "the interpreter (default: python3 on PATH)")
	sizes := flag.String("sizes", "1,3,6,11,24", "sources per run, comma-separated")
	runs := flag.Int("runs", 60, "runs per binary and size")
	flag.Parse()

	if *python == "" {
		p, err := exec.LookPath("python3")
		if err != nil {
			return err
		}
		*python = p
	}
	dir, err := os.MkdirTemp("", "rules_pyc-oneshot-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if len(pycs) == 0 {
		// Built as README.md builds it.
		bin, err := gobuild.Binary(dir, "tool/pyc")
		if err != nil {
			return err
		}
		pycs = list{bin}
	}

	var ns []int
	for _, f := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return fmt.Errorf("-sizes: bad size %q", f)
		}
		ns = append(ns, n)
	}
	fmt.Printf("pyc @paramfile, %d runs each, interpreter %s\n\n", *runs, *python)
	fmt.Println("| sources | pyc | wall (median) | CPU (mean) |")
	fmt.Println("|---:|---|---:|---:|")
	for _, n := range ns {
		params, err := writeBatch(dir, *python, n)
		if err != nil {
			return err
		}
		walls := make([][]time.Duration, len(pycs))
		cpus := make([]time.Duration, len(pycs))
		for r := 0; r < *runs; r++ {
			for i, pyc := range pycs {
				wall, cpu, err := once(pyc, params)
				if err != nil {
					return err
				}
				walls[i] = append(walls[i], wall)
				cpus[i] += cpu
			}
		}
		for i, pyc := range pycs {
			w := walls[i]
			sort.Slice(w, func(a, b int) bool { return w[a] < w[b] })
			fmt.Printf("| %d | %s | %.1f ms | %.1f ms |\n", n, pyc,
				ms(w[len(w)/2]), ms(cpus[i]/time.Duration(*runs)))
		}
	}
	return nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// writeBatch writes n modules and a paramfile that compiles them, as the
// rules write one for a target, and returns the paramfile's path.
func writeBatch(dir, python string, n int) (string, error) {
	src := filepath.Join(dir, fmt.Sprintf("src%d", n))
	out := filepath.Join(dir, fmt.Sprintf("out%d", n))
	if err := os.MkdirAll(src, 0o755); err != nil {
		return "", err
	}
	args := []string{"--python", python, "--invalidation_mode", "checked_hash", "--optimize", "0"}
	for m := 0; m < n; m++ {
		name := fmt.Sprintf("mod%02d.py", m)
		if err := os.WriteFile(filepath.Join(src, name), []byte(pysrc.Module(n, m)), 0o644); err != nil {
			return "", err
		}
		args = append(args, "--src", filepath.Join(src, name), "--src_name", "pkg/"+name,
			"--pyc", filepath.Join(out, name+"c"))
	}
	params := filepath.Join(dir, fmt.Sprintf("batch%d.params", n))
	return params, os.WriteFile(params, []byte(strings.Join(args, "\n")+"\n"), 0o644)
}

// once runs pyc on the paramfile and returns its wall time and the CPU time
// of its process tree (wait4 counts the descendants pyc waited for).
func once(pyc, params string) (time.Duration, time.Duration, error) {
	cmd := exec.Command(pyc, "@"+params)
	cmd.Env = []string{"PATH=/usr/bin:/bin"}
	var stderr strings.Builder
	cmd.Stdout, cmd.Stderr = io.Discard, &stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if err != nil {
		return 0, 0, fmt.Errorf("%s @%s: %w\n%s", pyc, params, err, stderr.String())
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0, 0, errors.New("no resource usage for the pyc process")
	}
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	return wall, cpu, nil
}
