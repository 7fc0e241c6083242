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

	"github.com/rules-pyc/rules_pyc/compiler/engine"
	"github.com/rules-pyc/rules_pyc/tool/cli"
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
		return once(startup, func(ctx context.Context, h worker.Handler) int {
			return worker.RunOnce(ctx, flagFiles, h, os.Stderr)
		})
	}
	if precompile.IsRequest(args) {
		return once(nil, func(ctx context.Context, h worker.Handler) int {
			res := h(ctx, &worker.Request{Arguments: args})
			os.Stderr.WriteString(res.Output)
			return res.ExitCode
		})
	}
	ctx, stop := worker.ShutdownContext(context.Background())
	defer stop()
	return cli.Main(ctx, args, os.Stdin, os.Stdout, os.Stderr)
}

// oneShotBacklog is engine.Config.Backlog for a process that runs one
// request: another interpreter server starts only once more than this many
// sources per running server wait.  Starting one (interpreter start-up and
// importing py_compile) costs about as much CPU as compiling six to eight
// ordinary modules, so for a few sources a second server costs more than it
// saves, in CPU and even in wall time (see docs/benchmarks.md).
const oneShotBacklog = 8

// newEngine builds the engine and the request handler from startup options.
// backlog is engine.Config.Backlog.
func newEngine(startup []string, backlog int) (*engine.Engine, worker.Handler, *precompile.Startup, error) {
	s, err := precompile.ParseStartup(startup)
	if err != nil {
		return nil, nil, nil, err
	}
	e := engine.New(engine.Config{Jobs: s.Jobs, Backlog: backlog, Timeout: s.Timeout, Stderr: os.Stderr})
	return e, precompile.Handler(e, s.Defaults), s, nil
}

// once runs a single request.
func once(startup []string, do func(context.Context, worker.Handler) int) int {
	e, h, _, err := newEngine(startup, oneShotBacklog)
	if err != nil {
		fmt.Fprintf(os.Stderr, "pyc: %v\n", err)
		return 2
	}
	defer e.Close()
	ctx, stop := worker.ShutdownContext(context.Background())
	defer stop()
	return do(ctx, h)
}

// serve runs the persistent worker until stdin ends or a signal arrives.
func serve(startup []string) int {
	logger := log.New(os.Stderr, "pyc worker: ", log.LstdFlags)
	out, err := worker.TakeStdout()
	if err != nil {
		logger.Printf("%v", err)
		return 1
	}
	e, h, s, err := newEngine(startup, 0)
	if err != nil {
		logger.Printf("%v", err)
		return 2
	}
	defer e.Close()
	p := protocol.Auto
	if s.Protocol != "" {
		if p, err = protocol.Parse(s.Protocol); err != nil {
			logger.Printf("--worker_protocol: %v", err)
			return 2
		}
	}
	ctx, stop := worker.ShutdownContext(context.Background())
	defer stop()
	if err := worker.NewServer(p, os.Stdin, out, h, logger).Serve(ctx); err != nil {
		logger.Printf("%v", err)
		return 1
	}
	return 0
}
