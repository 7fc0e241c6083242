// Package cli is the pyc command line: python -m compileall's options with
// compileall's meaning (pyc [options] PATH...), its listing lines and its
// walk order, on top of the compile engine. Unlike compileall, the default
// invalidation mode is checked-hash, and an output that already holds
// exactly the bytes that would be written is left alone.
package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/spf13/pflag"

	"github.com/rules-pyc/rules_pyc/compiler/engine"
	"github.com/rules-pyc/rules_pyc/internal/pypath"
	"github.com/rules-pyc/rules_pyc/internal/pyrepr"
)

// Exit statuses.
const (
	// ExitOK: every file compiled or was up to date.
	ExitOK = 0
	// ExitFailed: a file failed, a directory could not be listed, or the
	// -i list could not be read. Every other file was still compiled.
	ExitFailed = 1
	// ExitUsage: the command line is wrong, or the interpreter is unusable.
	ExitUsage = 2
)

// Main runs the command line args (without the program name) and returns
// the exit status. stdin is read for "-i -"; stdout receives compileall's
// listing lines, stderr errors about the run itself and, on a terminal, the
// progress line. pace, unless nil, is called before the first compile
// starts, with the number of compiles that may run at once and the number
// that will run in this process (the native compiler's; none when an
// interpreter compiles): the binary sets up its heap by them.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, pace func(jobs, inProcess int)) int {
	opts, err := parseArgs(args)
	if errors.Is(err, pflag.ErrHelp) {
		io.WriteString(stdout, usageText)
		return ExitOK
	}
	if errors.Is(err, errVersion) {
		io.WriteString(stdout, versionText())
		return ExitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "pyc: error: %v\nRun 'pyc --help' to see the options.\n", err)
		return ExitUsage
	}
	if opts.hasDumpAST {
		return dumpAST(opts, stdout, stderr)
	}
	return run(ctx, opts, stdin, stdout, stderr, pace)
}

// outcome is what compiling one task gave.
type outcome struct {
	done     chan struct{}
	written  bool
	warnings string // what the compiles printed on stderr
	err      error
}

func run(ctx context.Context, opts *options, stdin io.Reader, stdout, stderr io.Writer, pace func(jobs, inProcess int)) int {
	dests := opts.paths
	if opts.list != "" {
		listed, err := readList(opts.list, stdin)
		if err != nil {
			if opts.quiet < 2 {
				fmt.Fprintf(stdout, "Error reading file list %s\n", opts.list)
			}
			fmt.Fprintf(stderr, "pyc: %v\n", err)
			return ExitFailed
		}
		dests = append(dests, listed...)
	} else if len(dests) == 0 {
		fmt.Fprintf(stderr, "pyc: error: no PATH given: name the files and directories to compile (compileall's default, every directory on sys.path, is not supported)\nRun 'pyc --help' to see the options.\n")
		return ExitUsage
	}

	prog := newProgress(stderr, opts.quiet < 2)
	defer prog.close()
	python := ""
	if opts.hasPython {
		python = opts.python
	}
	e := engine.New(engine.Config{
		Backend:        opts.backend,
		Python:         python,
		Version:        opts.pythonVersion,
		Jobs:           opts.jobs,
		Timeout:        opts.timeout,
		StartupTimeout: opts.startupTimeout,
		Stderr:         guardedWriter{prog, stderr},
	})
	defer e.Close()
	target, err := e.Target(ctx, "", "", "")
	if err != nil {
		if ctx.Err() != nil {
			if opts.quiet < 2 {
				fmt.Fprintln(stdout, interruptedLine)
			}
			return ExitFailed
		}
		fmt.Fprintf(stderr, "pyc: error: %v%s\n", err, targetHint(opts, err))
		return ExitUsage
	}

	pl := &planner{opts: opts, cacheTag: target.CacheTag}
	for _, d := range dests {
		if err := pl.add(d); err != nil {
			fmt.Fprintf(stderr, "pyc: %v\n", err)
			return ExitFailed
		}
	}
	if pace != nil {
		inProcess := 0
		if target.Backend == engine.Native {
			inProcess = pl.tasks() * len(opts.levels)
		}
		pace(e.Jobs(), inProcess)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	outcomes, wait := compileAll(ctx, e, opts, pl, prog)
	defer wait()
	out := newLinePrinter(stdout, guardedWriter{prog, stderr}, prog)
	defer out.flush()
	return report(ctx, opts, pl, outcomes, out)
}

// compileAll starts compiling every task of the plan on e.Jobs()
// goroutines (the engine's pool bounds the interpreters to the same
// number), in the plan's order.  The done channel of a task's outcome is
// closed once the outcome is known.  wait returns when the goroutines
// have; once ctx ends they take no more tasks.
func compileAll(ctx context.Context, e *engine.Engine, opts *options, pl *planner, prog *progress) (outcomes []outcome, wait func()) {
	var tasks []int
	outcomes = make([]outcome, len(pl.steps))
	for i, s := range pl.steps {
		if s.task != nil {
			tasks = append(tasks, i)
			outcomes[i].done = make(chan struct{})
		}
	}
	prog.begin(len(tasks))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(e.Jobs(), len(tasks)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				o := &outcomes[i]
				o.written, o.warnings, o.err = compileTask(ctx, e, opts, pl.steps[i].task)
				prog.step()
				close(o.done)
			}
		}()
	}
	go func() {
		defer close(next)
		for _, i := range tasks {
			select {
			case next <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	return outcomes, wg.Wait
}

// report prints the plan's lines and each task's outcome in the plan's
// order, as compileall prints them, as the outcomes become known, and
// returns the exit status.  A file's warnings go to stderr where
// compileall's one process prints them: after its "Compiling" line and
// before its error, so that they come in the listing's order whatever -j
// is.
func report(ctx context.Context, opts *options, pl *planner, outcomes []outcome, out *linePrinter) int {
	status := ExitOK
	for i, s := range pl.steps {
		if s.line != "" {
			out.print(s.line)
		}
		if s.failed {
			status = ExitFailed
		}
		if s.task == nil {
			continue
		}
		o := &outcomes[i]
		select {
		case <-o.done:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		name := pyrepr.String(s.task.source)
		if opts.quiet == 0 && (o.err != nil || o.written) {
			out.print("Compiling " + name + "...")
		}
		out.warn(o.warnings)
		if o.err != nil {
			status = ExitFailed
			switch opts.quiet {
			case 0:
				out.print("*** " + errorText(o.err))
			case 1:
				out.print("*** Error compiling " + name + "...")
				out.print(errorText(o.err))
			}
		}
	}
	if ctx.Err() != nil {
		if opts.quiet < 2 {
			out.print(interruptedLine)
		}
		return ExitFailed
	}
	return status
}

// interruptedLine ends a run that a signal stopped (with exit status 1), as
// compileall ends on KeyboardInterrupt.
const interruptedLine = "\n[interrupted]"

// compileTask compiles one file at every level, as compile_file does: the
// levels in order, stopping at the first error, and with --hardlink-dupes a
// level whose bytes equal the previous level's is hard-linked to its file.
// written reports whether any output changed; warnings are every level's.
func compileTask(ctx context.Context, e *engine.Engine, opts *options, t *task) (written bool, warnings string, err error) {
	for i, level := range opts.levels {
		job := engine.Job{
			Source:   t.source,
			Name:     t.name,
			Output:   t.outputs[i],
			Optimize: level,
			Mode:     opts.mode,
			Force:    opts.force,
			NoData:   true,
		}
		if opts.hardlink && i > 0 {
			job.HardlinkTo = t.outputs[i-1]
		}
		res, err := e.Compile(ctx, job)
		warnings += res.Warnings
		if err != nil {
			return written, warnings, err
		}
		written = written || res.Written
	}
	return written, warnings, nil
}

// readList reads -i FILE ("-": stdin): one path per line, stripped of
// surrounding whitespace as compileall strips it. Blank lines are skipped
// (compileall would try to list the directory "").
func readList(name string, stdin io.Reader) ([]string, error) {
	var r io.Reader = stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, fmt.Errorf("read file list: %w", err)
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read file list %s: %w", name, err)
	}
	var paths []string
	for _, line := range strings.SplitAfter(string(data), "\n") {
		if p := pypath.Strip(line); p != "" {
			paths = append(paths, p)
		}
	}
	return paths, nil
}

// linePrinter prints stdout lines, buffered unless stdout is a terminal,
// with the progress line erased first, and the files' warnings on stderr.
type linePrinter struct {
	w      *bufio.Writer
	tty    bool
	prog   *progress
	stderr io.Writer
}

func newLinePrinter(w, stderr io.Writer, prog *progress) *linePrinter {
	return &linePrinter{w: bufio.NewWriter(w), tty: isTerminal(w), prog: prog, stderr: stderr}
}

// warn writes a file's warnings to stderr, after the lines printed so far
// (stdout is flushed first: the two may be one file).
func (p *linePrinter) warn(text string) {
	if text == "" {
		return
	}
	p.w.Flush()
	io.WriteString(p.stderr, text)
}

func (p *linePrinter) print(line string) {
	p.prog.write(func() {
		p.w.WriteString(line)
		p.w.WriteByte('\n')
		if p.tty || p.prog.tty != nil {
			p.w.Flush()
		}
	})
}

func (p *linePrinter) flush() { p.w.Flush() }
