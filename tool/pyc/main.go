// Command pyc compiles Python sources to .pyc files that are byte for byte
// what CPython's py_compile writes, on every run and every machine.
//
// It runs in one of four modes, chosen by its arguments:
//
//   - pyc [options] PATH...: compileall's command line (see pyc --help);
//   - pyc [startup options] --persistent_worker: a Bazel persistent worker;
//   - pyc [startup options] @FILE (or --flagfile=FILE): one request read from
//     a flag file, as Bazel runs a worker action with the standalone or
//     remote strategy;
//   - pyc --src PATH --src_name NAME --pyc PATH ...: one request given on
//     the command line, in rules_python's precompiler arguments.
package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/rules-pyc/rules_pyc/compiler/engine"
	"github.com/rules-pyc/rules_pyc/tool/cli"
	"github.com/rules-pyc/rules_pyc/tool/internal/heap"
	"github.com/rules-pyc/rules_pyc/tool/precompile"
	"github.com/rules-pyc/rules_pyc/tool/worker"
	"github.com/rules-pyc/rules_pyc/tool/worker/protocol"
)

const persistentFlag = "--persistent_worker"

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	if i := slices.Index(args, persistentFlag); i >= 0 {
		return serve(slices.Delete(slices.Clone(args), i, i+1))
	}
	startup, flagFiles := worker.SplitFlagFiles(args)
	if len(flagFiles) > 0 {
		return once(startup, flagFiles)
	}
	if precompile.IsRequest(args) {
		// The same path as a flag file's request, with the process's own
		// options taken out of the command line first.
		startup, request := splitProcessFlags(args)
		return once(startup, request)
	}
	ctx, stop := worker.ShutdownContext(context.Background())
	defer stop()
	return cli.Main(ctx, args, os.Stdin, os.Stdout, os.Stderr, heap.PaceCommandLine)
}

// oneShotBacklog is engine.Config.Backlog for a process that runs one
// request: another interpreter server starts only once more than this many
// sources per running server wait.  Starting one (interpreter start-up and
// importing py_compile) costs about as much CPU as compiling six to eight
// ordinary modules, so for a few sources a second server costs more than it
// saves, in CPU and even in wall time (see docs/benchmarks.md).
const oneShotBacklog = 8

// startup is the configuration of the whole process, from the worker's
// command line (the arguments before --persistent_worker, or beside the
// flag file in one-shot mode).
type startup struct {
	jobs           int
	timeout        time.Duration // one source's compile
	startupTimeout time.Duration // an interpreter's start, up to its first answer
	protocol       string
	// defaults are the request options given there: they apply to every
	// request unless it says otherwise.
	defaults []string
}

// processFlags defines the process's own options on a flag set whose other
// options are a request's.
func (s *startup) processFlags(fs *pflag.FlagSet) {
	fs.IntVarP(&s.jobs, "jobs", "j", 0, "interpreter servers per interpreter (0: one per CPU)")
	fs.DurationVar(&s.timeout, "timeout", 0, "limit for one source's compile")
	fs.DurationVar(&s.startupTimeout, "startup_timeout", 0, "limit for an interpreter's start, up to its first answer")
	fs.StringVar(&s.protocol, "worker_protocol", "", "proto or json (default: detected)")
}

// parseStartup reads the process's command line.
func parseStartup(args []string) (*startup, error) {
	s := &startup{}
	defaults, err := precompile.ParseDefaults(args, s.processFlags)
	if err != nil {
		return nil, err
	}
	s.defaults = defaults
	switch {
	case s.jobs < 0:
		return nil, fmt.Errorf("--jobs %d: want 0 (one per CPU) or more", s.jobs)
	case s.timeout < 0:
		return nil, fmt.Errorf("--timeout %s: want a positive limit, e.g. 60s", s.timeout)
	case s.startupTimeout < 0:
		return nil, fmt.Errorf("--startup_timeout %s: want a positive limit, e.g. 10s", s.startupTimeout)
	}
	return s, nil
}

// splitProcessFlags takes the process's own options (as processFlags
// defines them, in every spelling) out of a command line that is a
// request.
func splitProcessFlags(args []string) (process, request []string) {
	fs := pflag.NewFlagSet("", pflag.ContinueOnError)
	fs.SetNormalizeFunc(func(_ *pflag.FlagSet, name string) pflag.NormalizedName {
		return pflag.NormalizedName(strings.ReplaceAll(name, "-", "_"))
	})
	(&startup{}).processFlags(fs)
	for i := 0; i < len(args); i++ {
		a := args[i]
		var f *pflag.Flag
		inline := false
		switch {
		case strings.HasPrefix(a, "--"):
			name, _, hasValue := strings.Cut(a[2:], "=")
			f, inline = fs.Lookup(strings.ReplaceAll(name, "-", "_")), hasValue
		case strings.HasPrefix(a, "-") && len(a) > 1:
			f, inline = fs.ShorthandLookup(a[1:2]), len(a) > 2
		}
		if f == nil {
			request = append(request, a)
			continue
		}
		process = append(process, a)
		if !inline && i+1 < len(args) {
			i++
			process = append(process, args[i])
		}
	}
	return process, request
}

// newEngine builds the engine and the request handler from the startup
// options.  backlog is engine.Config.Backlog.
func newEngine(s *startup, backlog int) (*engine.Engine, worker.Handler) {
	e := engine.New(engine.Config{Backend: precompile.DefaultBackend, Jobs: s.jobs, Backlog: backlog, Timeout: s.timeout, StartupTimeout: s.startupTimeout, Stderr: os.Stderr})
	return e, precompile.Handler(e, s.defaults)
}

// once runs a single request: its arguments are request, with flag files
// among them expanded.
func once(args, request []string) int {
	s, err := parseStartup(args)
	if err != nil {
		fmt.Fprintf(os.Stderr, "pyc: %v\n", err)
		return 2
	}
	// The signal handlers go first so that they outlive the engine's
	// Close: a SIGTERM while the servers stop must not kill pyc by the
	// default action.
	ctx, stop := worker.ShutdownContext(context.Background())
	defer stop()
	e, h := newEngine(s, oneShotBacklog)
	defer e.Close()
	heap.LimitOneShot(e.Jobs())
	return worker.RunOnce(ctx, request, h, os.Stderr)
}

// serve runs the persistent worker until stdin ends or a signal arrives.
func serve(args []string) int {
	logger := log.New(os.Stderr, "pyc worker: ", log.LstdFlags)
	out, err := worker.TakeStdout()
	if err != nil {
		logger.Printf("%v", err)
		return 1
	}
	s, err := parseStartup(args)
	if err != nil {
		logger.Printf("%v", err)
		return 2
	}
	p := protocol.Auto
	if s.protocol != "" {
		if p, err = protocol.Parse(s.protocol); err != nil {
			logger.Printf("--worker_protocol: %v", err)
			return 2
		}
	}
	// As in once: the handlers outlive the engine's Close.
	ctx, stop := worker.ShutdownContext(context.Background())
	defer stop()
	e, h := newEngine(s, 0)
	defer e.Close()
	heap.LimitWorker(e.Jobs())
	if err := worker.NewServer(p, os.Stdin, out, h, logger).Serve(ctx); err != nil {
		logger.Printf("%v", err)
		return 1
	}
	return 0
}
