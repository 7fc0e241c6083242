// Command oneshot measures what one `pyc @paramfile` run costs: the way Bazel
// runs a PycCompile action with the sandboxed, standalone and remote
// strategies, where every action starts pyc and its interpreters afresh.
//
// For each batch size it writes a paramfile of that many generated modules
// (about 6 KB of ordinary code each, the modules of bench/bazel) and runs pyc
// on it again and again, interleaving the binaries given, and reports the
// median wall time, the mean CPU time and the mean page faults of the whole
// process tree (pyc, its interpreter servers and their forked compiles).
//
// The paramfile names the interpreter (--python), which compiles through
// the CPython backend, or for a release the native compiler covers is only
// asked its version; with -python_version it names the release instead and
// no interpreter, as rules_pyc's toolchain does for a 3.13 it compiles
// natively.
//
//	go run ./bench/oneshot -python /usr/bin/python3.12
//	go run ./bench/oneshot -python /usr/bin/python3.12 -pyc ./pyc-before -pyc ./pyc
//	go run ./bench/oneshot -python_version 3.13.0 -pyc ./pyc-before -pyc ./pyc
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
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
	version := flag.String("python_version", "", "name this release (X.Y.Z) in the paramfile instead of an interpreter")
	sizes := flag.String("sizes", "1,3,6,11,24", "sources per run, comma-separated")
	runs := flag.Int("runs", 60, "runs per binary and size")
	flag.Parse()

	target := []string{"--python_version", *version}
	switch {
	case *version != "" && *python != "":
		return errors.New("-python and -python_version: name one")
	case *version == "":
		if *python == "" {
			p, err := exec.LookPath("python3")
			if err != nil {
				return err
			}
			*python = p
		}
		target = []string{"--python", *python}
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
	fmt.Printf("pyc @paramfile (%s), %d runs each\n\n", strings.Join(target, " "), *runs)
	fmt.Println("| sources | pyc | wall (median) | CPU (mean) | page faults (mean) |")
	fmt.Println("|---:|---|---:|---:|---:|")
	for _, n := range ns {
		params, err := writeBatch(dir, target, n)
		if err != nil {
			return err
		}
		walls := make([][]time.Duration, len(pycs))
		cpus := make([]time.Duration, len(pycs))
		faults := make([]int64, len(pycs))
		for r := 0; r < *runs; r++ {
			for i, pyc := range pycs {
				u, err := once(pyc, params)
				if err != nil {
					return err
				}
				walls[i] = append(walls[i], u.wall)
				cpus[i] += u.cpu
				faults[i] += u.faults
			}
		}
		for i, pyc := range pycs {
			w := walls[i]
			sort.Slice(w, func(a, b int) bool { return w[a] < w[b] })
			fmt.Printf("| %d | %s | %.1f ms | %.1f ms | %d |\n", n, pyc,
				ms(w[len(w)/2]), ms(cpus[i]/time.Duration(*runs)), faults[i]/int64(*runs))
		}
	}
	return nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// writeBatch writes n modules and a paramfile that compiles them for
// target (--python PATH or --python_version X.Y.Z), as the rules write one
// for a target, and returns the paramfile's path.
func writeBatch(dir string, target []string, n int) (string, error) {
	src := filepath.Join(dir, fmt.Sprintf("src%d", n))
	out := filepath.Join(dir, fmt.Sprintf("out%d", n))
	if err := os.MkdirAll(src, 0o755); err != nil {
		return "", err
	}
	args := append(slices.Clone(target), "--invalidation_mode", "checked_hash", "--optimize", "0")
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

// usage is what one run cost: its wall time, and the CPU time and the minor
// page faults of its process tree (wait4 counts the descendants pyc waited
// for).
type usage struct {
	wall, cpu time.Duration
	faults    int64
}

// once runs pyc on the paramfile and returns what it cost.
func once(pyc, params string) (usage, error) {
	cmd := exec.Command(pyc, "@"+params)
	cmd.Env = []string{"PATH=/usr/bin:/bin"}
	var stderr strings.Builder
	cmd.Stdout, cmd.Stderr = io.Discard, &stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if err != nil {
		return usage{}, fmt.Errorf("%s @%s: %w\n%s", pyc, params, err, stderr.String())
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return usage{}, errors.New("no resource usage for the pyc process")
	}
	return usage{
		wall:   wall,
		cpu:    time.Duration(ru.Utime.Nano() + ru.Stime.Nano()),
		faults: ru.Minflt,
	}, nil
}
