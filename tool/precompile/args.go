// Package precompile runs compile requests written in rules_python's
// precompiler arguments: the unit of work of the Bazel worker and of the
// one-shot (@paramfile) mode.
//
//	--invalidation_mode checked_hash|unchecked_hash|timestamp
//	--optimize N
//	--python_version X.Y
//	--src PATH --src_name NAME --pyc PATH      (repeated, as sets)
//
// plus rules_pyc's own:
//
//	--python PATH          the interpreter to compile with (or that names the
//	                       release the native compiler imitates)
//	--backend NAME         auto (DefaultBackend), cpython or native (see
//	                       compiler/engine)
//	--on_error fail|stub   what a source that does not compile does
package precompile

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"

	"github.com/rules-pyc/rules_pyc/compiler/engine"
	"github.com/rules-pyc/rules_pyc/compiler/pycfile"
)

// DefaultBackend is the backend of a request that names none, unless the
// process's start-up arguments name one: the native compiler when the
// release (the interpreter --python's exact version, else
// --python_version) is one it covers, the interpreter otherwise.
const DefaultBackend = engine.Auto

// File is one source of a request.
type File struct {
	// Src is the source to read.
	Src string
	// Name is recorded in the pyc (co_filename) and used in messages.
	Name string
	// Pyc is the output.
	Pyc string
}

// Request is a parsed set of arguments.
type Request struct {
	// Backend is empty when the request names none (the process's
	// default).
	Backend       engine.Backend
	Python        string
	PythonVersion string
	Mode          pycfile.Invalidation
	Optimize      int
	// Stub: a source that does not compile still gets its pyc, one that
	// raises the same exception when imported.
	Stub  bool
	Files []File
}

// IsRequest reports whether a command line is written in these arguments
// rather than compileall's: it names a source with --src.
func IsRequest(args []string) bool {
	for _, a := range args {
		if a == "--src" || strings.HasPrefix(a, "--src=") {
			return true
		}
	}
	return false
}

func requestFlags(r *Request, backend, mode, onError *string, src, names, pycs *[]string) *pflag.FlagSet {
	fs := pflag.NewFlagSet("pyc", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.SortFlags = false
	// rules_python spells options with underscores, the command line (like
	// compileall) with hyphens: accept both.
	fs.SetNormalizeFunc(func(_ *pflag.FlagSet, name string) pflag.NormalizedName {
		return pflag.NormalizedName(strings.ReplaceAll(name, "-", "_"))
	})
	fs.StringVar(&r.Python, "python", "", "interpreter to compile with (default: python3 on PATH)")
	fs.StringVar(&r.PythonVersion, "python_version", "", "the interpreter must be this version (X.Y or X.Y.Z); without --python, the release the native compiler imitates")
	fs.StringVar(backend, "backend", "", "auto, cpython or native (default: the process's, auto)")
	fs.StringVar(mode, "invalidation_mode", "checked_hash", "checked_hash, unchecked_hash or timestamp")
	fs.IntVar(&r.Optimize, "optimize", 0, "optimization level: 0, 1 or 2")
	fs.StringVar(onError, "on_error", "fail", "fail, or stub: write a pyc that raises the compile error when imported")
	fs.StringArrayVar(src, "src", nil, "source file (repeatable)")
	fs.StringArrayVar(names, "src_name", nil, "name recorded in the pyc for the matching --src")
	fs.StringArrayVar(pycs, "pyc", nil, "output for the matching --src")
	return fs
}

// Parse reads a request's arguments.
func Parse(args []string) (*Request, error) {
	r := &Request{}
	var backend, mode, onError string
	var src, names, pycs []string
	fs := requestFlags(r, &backend, &mode, &onError, &src, &names, &pycs)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if backend != "" {
		b, err := engine.ParseBackend(backend)
		if err != nil {
			return nil, fmt.Errorf("--backend: %w", err)
		}
		r.Backend = b
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q: sources are given with --src", fs.Arg(0))
	}
	var err error
	if r.Mode, err = pycfile.ParseInvalidation(mode); err != nil {
		return nil, fmt.Errorf("--invalidation_mode: %w", err)
	}
	if r.Optimize < 0 || r.Optimize > 2 {
		return nil, fmt.Errorf("--optimize %d: want 0, 1 or 2", r.Optimize)
	}
	switch onError {
	case "fail":
	case "stub":
		r.Stub = true
	default:
		return nil, fmt.Errorf("--on_error %q: want fail or stub", onError)
	}
	if len(src) != len(pycs) || (len(names) != 0 && len(names) != len(src)) {
		return nil, fmt.Errorf("--src, --src_name and --pyc go in sets: got %d --src, %d --src_name, %d --pyc", len(src), len(names), len(pycs))
	}
	if len(src) == 0 {
		return nil, errors.New("nothing to compile: give --src PATH --src_name NAME --pyc PATH")
	}
	for i := range src {
		f := File{Src: src[i], Pyc: pycs[i], Name: src[i]}
		if len(names) > 0 {
			f.Name = names[i]
		}
		r.Files = append(r.Files, f)
	}
	return r, nil
}

// ParseDefaults reads the request options of a worker's command line
// (without --persistent_worker), which apply to every request unless it says
// otherwise: every option there must be a valid request option (sources
// excepted), or one that process defines on the flag set (its own options,
// such as --jobs), whose values land where it says.  The request options
// given are returned in their order, as arguments to put before each
// request's own.
func ParseDefaults(args []string, process func(*pflag.FlagSet)) ([]string, error) {
	r := &Request{}
	var backend, mode, onError string
	var src, names, pycs []string
	fs := requestFlags(r, &backend, &mode, &onError, &src, &names, &pycs)
	own := map[string]bool{}
	fs.VisitAll(func(f *pflag.Flag) { own[f.Name] = true })
	if process != nil {
		process(fs)
	}
	if err := fs.Parse(args); err != nil {
		return nil, fmt.Errorf("startup arguments: %w", err)
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("startup arguments: unexpected argument %q", fs.Arg(0))
	}
	var defaults []string
	var err error
	fs.Visit(func(f *pflag.Flag) {
		switch {
		case !own[f.Name]:
		case f.Name == "src" || f.Name == "src_name" || f.Name == "pyc":
			err = fmt.Errorf("startup arguments: --%s belongs in a request, not on the worker's command line", f.Name)
		default:
			defaults = append(defaults, "--"+f.Name+"="+f.Value.String())
		}
	})
	return defaults, err
}
