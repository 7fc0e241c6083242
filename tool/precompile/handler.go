package precompile

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/rules-pyc/rules_pyc/compiler/engine"
	"github.com/rules-pyc/rules_pyc/compiler/failure"
	"github.com/rules-pyc/rules_pyc/tool/worker"
)

// Handler returns the worker handler that runs requests on e.  defaults are
// request arguments that come before each request's own (the worker's
// startup arguments), so a request can override them.
func Handler(e *engine.Engine, defaults []string) worker.Handler {
	return func(ctx context.Context, req *worker.Request) worker.Result {
		args := append(append([]string{}, defaults...), req.Arguments...)
		r, err := Parse(args)
		if err != nil {
			return worker.Result{ExitCode: 2, Output: fmt.Sprintf("pyc: %v\n", err)}
		}
		return Run(ctx, e, r, req)
	}
}

// Run compiles every file of r, all at once (the engine's pools bound the
// real parallelism).  Paths are resolved under the request's sandbox.
// The result lists the outputs written; its output holds, source by source
// in the request's order, the warnings compiling it printed (as
// py_compile's process prints them on stderr) and the py_compile message
// of a source that failed.
func Run(ctx context.Context, e *engine.Engine, r *Request, req *worker.Request) worker.Result {
	python := r.Python
	if python != "" {
		python = req.Resolve(python)
	}
	if _, err := e.Target(ctx, r.Backend, python, r.PythonVersion); err != nil {
		return worker.Result{ExitCode: 1, Output: fmt.Sprintf("pyc: %v\n", err)}
	}
	type outcome struct {
		written  string // the output, when this request wrote it
		warnings string // what compiling it printed on stderr
		msg      string // what to tell the user
		failed   bool
	}
	outcomes := make([]outcome, len(r.Files))
	var wg sync.WaitGroup
	for i, f := range r.Files {
		wg.Add(1)
		go func() {
			defer wg.Done()
			job := engine.Job{
				Backend:  r.Backend,
				Python:   python,
				Version:  r.PythonVersion,
				Source:   req.Resolve(f.Src),
				Name:     f.Name,
				Output:   req.Resolve(f.Pyc),
				Optimize: r.Optimize,
				Mode:     r.Mode,
				Stub:     r.Stub,
				NoData:   true,
			}
			res, err := e.Compile(ctx, job)
			if res.Written {
				outcomes[i].written = job.Output
			}
			outcomes[i].warnings = res.Warnings
			switch {
			case err == nil:
			case res.Stub:
				if req.Verbosity > 0 {
					outcomes[i].msg = fmt.Sprintf("pyc: %s does not compile; wrote a module that raises the error on import:\n%s", f.Name, err)
				}
			case isNamed(err):
				outcomes[i].msg, outcomes[i].failed = err.Error(), true
			default:
				outcomes[i].msg, outcomes[i].failed = fmt.Sprintf("pyc: %s: %v", f.Name, err), true
			}
		}()
	}
	wg.Wait()
	var res worker.Result
	var out strings.Builder
	for _, o := range outcomes {
		if o.written != "" {
			res.Outputs = append(res.Outputs, o.written)
		}
		out.WriteString(o.warnings)
		if o.msg != "" {
			out.WriteString(strings.TrimRight(o.msg, "\n"))
			out.WriteByte('\n')
		}
		if o.failed {
			res.ExitCode = 1
		}
	}
	if ctx.Err() != nil {
		res.ExitCode = 1
	}
	res.Output = out.String()
	return res
}

// isNamed reports errors whose message names the source already: py_compile's
// own, and Python's OSError text for a source that can't be read.  Others
// get the source's name in front.
func isNamed(err error) bool {
	var ce *failure.CompileError
	var se *failure.SourceError
	return errors.As(err, &ce) || errors.As(err, &se)
}
