package cli

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/rules-pyc/rules_pyc/compiler/pool"
	"github.com/rules-pyc/rules_pyc/compiler/pycfile"
	"github.com/rules-pyc/rules_pyc/compiler/release"
)

// defaultMaxLevels is how deep a directory is walked without -l or -r:
// compileall uses sys.getrecursionlimit(), 1000 unless changed.
const defaultMaxLevels = 1000

// options are the parsed command line.
type options struct {
	paths []string // PATH arguments, in order

	jobs     int
	levels   []int // sorted, distinct, each 0, 1 or 2
	mode     pycfile.Invalidation
	force    bool
	quiet    int
	legacy   bool
	hardlink bool

	maxLevels int

	ddir       string
	hasDdir    bool
	stripdir   string
	hasStrip   bool
	prependdir string
	hasPrepend bool

	rx    *regexp.Regexp
	limit string // -e; empty: no limit
	list  string // -i; empty: none

	python        string
	pythonVersion string
	timeout       time.Duration

	// backend is "cpython" or "native" ("auto" is resolved to one of them).
	backend string
	// dumpAST is --dump-ast's FILE; hasDumpAST is set when it was given.
	dumpAST    string
	hasDumpAST bool
	// target is the release the native backend imitates.
	target release.Release
}

// The backends (--backend).
const (
	backendCPython = "cpython"
	backendNative  = "native"
	backendAuto    = "auto"
)

// usageError is a command line that can't be run; its message says what
// to fix.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// levelList collects repeated -o LEVEL values, as argparse's
// action='append' with type=int does (no comma lists).
type levelList struct{ levels *[]int }

func (l levelList) String() string {
	if l.levels == nil {
		return ""
	}
	var s []string
	for _, n := range *l.levels {
		s = append(s, strconv.Itoa(n))
	}
	return strings.Join(s, ",")
}

func (l levelList) Set(v string) error {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return fmt.Errorf("invalid int value: %q", v)
	}
	*l.levels = append(*l.levels, n)
	return nil
}

func (l levelList) Type() string { return "LEVEL" }

// flagSpec describes one option for the help text and for argparse-style
// abbreviation of long names.
type flagSpec struct {
	short, long string
	takesValue  bool
}

var flagSpecs = []flagSpec{
	{"h", "help", false},
	{"j", "workers", true},
	{"o", "", true},
	{"", "invalidation-mode", true},
	{"d", "", true},
	{"s", "", true},
	{"p", "", true},
	{"x", "", true},
	{"e", "", true},
	{"i", "", true},
	{"f", "", false},
	{"q", "", false},
	{"l", "", false},
	{"r", "", true},
	{"b", "", false},
	{"", "hardlink-dupes", false},
	{"", "python", true},
	{"", "python-version", true},
	{"", "timeout", true},
	{"", "backend", true},
	{"", "dump-ast", true},
}

// parseArgs reads the command line. It returns pflag.ErrHelp for -h/--help
// and a *usageError for anything else that is wrong.
func parseArgs(args []string) (*options, error) {
	args, err := expandAbbrev(args)
	if err != nil {
		return nil, err
	}
	o := &options{}
	fs := pflag.NewFlagSet("pyc", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	fs.SortFlags = false

	fs.IntVarP(&o.jobs, "workers", "j", 0, "")
	var levels []int
	fs.VarP(levelList{&levels}, "o", "o", "")
	mode := fs.String("invalidation-mode", "checked-hash", "")
	ddir := fs.StringP("d", "d", "", "")
	strip := fs.StringP("s", "s", "", "")
	prepend := fs.StringP("p", "p", "", "")
	rx := fs.StringP("x", "x", "", "")
	fs.StringVarP(&o.limit, "e", "e", "", "")
	fs.StringVarP(&o.list, "i", "i", "", "")
	fs.BoolVarP(&o.force, "f", "f", false, "")
	fs.CountVarP(&o.quiet, "q", "q", "")
	noRecurse := fs.BoolP("l", "l", false, "")
	recursion := fs.IntP("r", "r", 0, "")
	fs.BoolVarP(&o.legacy, "b", "b", false, "")
	fs.BoolVar(&o.hardlink, "hardlink-dupes", false, "")
	fs.StringVar(&o.python, "python", "python3", "")
	fs.StringVar(&o.pythonVersion, "python-version", "", "")
	fs.DurationVar(&o.timeout, "timeout", pool.DefaultTimeout, "")
	fs.StringVar(&o.backend, "backend", backendCPython, "")
	fs.StringVar(&o.dumpAST, "dump-ast", "", "")
	help := fs.BoolP("help", "h", false, "")

	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return nil, pflag.ErrHelp
		}
		return nil, usagef("%s", err)
	}
	if *help {
		return nil, pflag.ErrHelp
	}
	o.paths = fs.Args()
	o.hasDumpAST = fs.Changed("dump-ast")
	if err := o.checkBackend(fs.Changed("python")); err != nil {
		return nil, err
	}

	if o.jobs < 0 {
		return nil, usagef("-j %d: the number of workers must be 0 (one per CPU) or more", o.jobs)
	}
	if o.timeout <= 0 {
		return nil, usagef("--timeout %s: the per-file limit must be positive, e.g. 60s or 5m", o.timeout)
	}
	m, err := pycfile.ParseInvalidation(*mode)
	if err != nil {
		return nil, usagef("argument --invalidation-mode: invalid choice: %q (choose from 'checked-hash', 'timestamp', 'unchecked-hash')", *mode)
	}
	o.mode = m

	o.levels, err = normalizeLevels(levels)
	if err != nil {
		return nil, err
	}
	if o.hardlink && len(o.levels) < 2 {
		return nil, usagef("Hardlinking of duplicated bytecode makes sense only for more than one optimization level: give two or more different -o levels with --hardlink-dupes")
	}

	o.maxLevels = defaultMaxLevels
	if *noRecurse {
		o.maxLevels = 0
	}
	if fs.Changed("r") {
		o.maxLevels = *recursion
	}

	o.ddir, o.hasDdir = *ddir, fs.Changed("d")
	o.stripdir, o.hasStrip = *strip, fs.Changed("s")
	o.prependdir, o.hasPrepend = *prepend, fs.Changed("p")
	if o.hasDdir && (o.hasStrip || o.hasPrepend) {
		return nil, usagef("-d cannot be used in combination with -s or -p: use -d DESTDIR alone, or -s STRIPDIR and -p PREPENDDIR")
	}

	if *rx != "" {
		re, err := regexp.Compile(*rx)
		if err != nil {
			return nil, usagef("argument -x: invalid regular expression %q: %v (the syntax is Go's RE2, see pyc --help)", *rx, errors.Unwrap(err))
		}
		o.rx = re
	}
	return o, nil
}

// checkBackend checks --backend and what goes with it: the native backend
// takes --dump-ast and --python-version (a release it knows; the newest
// 3.13 by default) and no --python; --dump-ast needs the native backend.
func (o *options) checkBackend(hasPython bool) error {
	switch o.backend {
	case backendCPython, backendNative:
	case backendAuto:
		// The native backend does not write bytecode yet.
		o.backend = backendCPython
	default:
		return usagef("argument --backend: invalid choice: %q (choose from 'cpython', 'native', 'auto')", o.backend)
	}
	if o.backend != backendNative {
		if o.hasDumpAST {
			return usagef("--dump-ast needs --backend native (the cpython backend compiles; it prints no trees)")
		}
		return nil
	}
	if hasPython {
		return usagef("--python names an interpreter, and --backend native uses none: give one or the other")
	}
	version := o.pythonVersion
	if version == "" {
		version = defaultNativeVersion
	}
	r, _, err := release.Parse(version)
	if err == nil {
		err = release.Supported(r)
	}
	if err != nil {
		return usagef("--python-version: %v", err)
	}
	o.target = r
	if !o.hasDumpAST {
		return usagef("--backend native: bytecode generation is not there yet; the native backend only parses (--dump-ast FILE). Use --backend cpython to compile")
	}
	if o.dumpAST == "" {
		return usagef("--dump-ast: give the file to parse")
	}
	if len(o.paths) > 0 || o.list != "" {
		return usagef("--dump-ast FILE parses one file: give no PATH and no -i list with it")
	}
	return nil
}

// defaultNativeVersion is the release the native backend imitates when
// --python-version is not given: the newest 3.13 known.
const defaultNativeVersion = "3.13"

// normalizeLevels turns -o values into the sorted set of levels to
// compile. No -o, or -1 (the interpreter's own level, and the children run
// without -O), means 0.
func normalizeLevels(levels []int) ([]int, error) {
	if len(levels) == 0 {
		return []int{0}, nil
	}
	seen := map[int]bool{}
	var out []int
	for _, n := range levels {
		if n < -1 || n > 2 {
			return nil, usagef("argument -o: invalid optimization level %d: use 0, 1 or 2 (or -1 for 0)", n)
		}
		if n == -1 {
			n = 0
		}
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	sort.Ints(out)
	return out, nil
}

// expandAbbrev replaces unambiguous prefixes of long option names with the
// full name, as argparse does ("--inval" for "--invalidation-mode"). It
// skips option values and stops at "--".
func expandAbbrev(args []string) ([]string, error) {
	out := make([]string, 0, len(args))
	takes := map[string]bool{}
	for _, f := range flagSpecs {
		if f.short != "" {
			takes["-"+f.short] = f.takesValue
		}
		if f.long != "" {
			takes["--"+f.long] = f.takesValue
		}
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		out = append(out, a)
		switch {
		case a == "--":
			return append(out, args[i+1:]...), nil
		case strings.HasPrefix(a, "--"):
			name, _, hasValue := strings.Cut(a, "=")
			if _, ok := takes[name]; !ok {
				var matches []string
				for _, f := range flagSpecs {
					if f.long != "" && strings.HasPrefix("--"+f.long, name) {
						matches = append(matches, "--"+f.long)
					}
				}
				if len(matches) > 1 {
					return nil, usagef("ambiguous option: %s could match %s", name, strings.Join(matches, ", "))
				}
				if len(matches) == 0 {
					return nil, usagef("unrecognized option: %s (see pyc --help)", name)
				}
				out[len(out)-1] = matches[0] + a[len(name):]
				name = matches[0]
			}
			if takes[name] && !hasValue && i+1 < len(args) {
				i++
				out = append(out, args[i])
			}
		case strings.HasPrefix(a, "-") && len(a) > 1:
			// A cluster of short options: the first one that takes a value
			// takes the rest of the cluster, or the next argument.
			for k := 1; k < len(a); k++ {
				if takes["-"+a[k:k+1]] {
					if k == len(a)-1 && i+1 < len(args) {
						i++
						out = append(out, args[i])
					}
					break
				}
			}
		}
	}
	return out, nil
}

// usageText is printed by --help.
const usageText = `usage: pyc [options] PATH...
       pyc --backend native [--python-version 3.13[.N]] --dump-ast FILE

Compile Python sources to .pyc files, byte for byte what CPython's
py_compile writes, with the options of python -m compileall. A PATH that is
a file is compiled; a directory is walked in sorted order (skipping
__pycache__ and symlinked directories) and every .py file in it is compiled.
The bytecode comes from a real CPython (--python), run as a pool of
long-lived processes.

Unlike compileall, the default invalidation mode is checked-hash, so the
output is reproducible: the same sources give the same bytes on every run
and machine. Pass --invalidation-mode timestamp for compileall's default.

An output that already holds exactly the bytes that would be written is left
alone (no "Compiling" line) unless -f is given.

Options:
  -h, --help            show this help and exit
  -j N, --workers N     compile N files at once; 0 (the default) means one
                        per CPU. The output and the listing do not depend on N.
  -o LEVEL              optimization level: 0, 1 (python -O) or 2 (python
                        -OO); repeat to write one .pyc per level (.opt-1,
                        .opt-2 names). -1 means 0. Default: 0.
  --invalidation-mode MODE
                        checked-hash (the default: reproducible; the importer
                        checks the source hash), unchecked-hash (reproducible;
                        the importer trusts the .pyc) or timestamp (records
                        the source's mtime and size: not reproducible).
  -d DESTDIR            directory to prepend to file paths recorded in the
                        .pyc, for tracebacks where the source is not at its
                        build path. For a directory argument, its files are
                        recorded as DESTDIR/<path inside the directory>.
  -s STRIPDIR           part of the path to left-strip from each source path
                        before it is recorded (whole components only; a
                        STRIPDIR that is not a prefix is ignored with a
                        message). Not with -d.
  -p PREPENDDIR         path to prepend to each recorded path, after -s.
                        Not with -d.
  -x REGEX              skip files whose path matches REGEX anywhere (like
                        Python's re.search). The syntax is Go's RE2: no
                        backreferences or lookaround, \d and \w are ASCII,
                        and $ matches only at the very end.
  -e DIR                skip symlinks that resolve to a file outside DIR.
  -i FILE               also compile the files and directories listed in
                        FILE, one per line ("-": read the list from stdin).
  -f                    rewrite outputs even when they are up to date.
  -q                    print only errors; -qq prints nothing (not even
                        errors; the exit status still tells).
  -l                    don't recurse into subdirectories.
  -r N                  recurse at most N levels (wins over -l).
  -b                    write legacy x.pyc beside x.py instead of
                        __pycache__/x.<tag>.pyc.
  --hardlink-dupes      when two -o levels give identical bytes, hard-link
                        the later .pyc to the earlier one (needs two or more
                        -o levels).
  --python PATH         the interpreter that compiles (default: python3 on
                        PATH). Its exact build decides the bytes.
  --python-version X.Y  fail unless --python is this version (X.Y or X.Y.Z).
                        With --backend native: the CPython release to
                        imitate, 3.13.N, or 3.13 for the newest 3.13 known
                        (the default).
  --timeout DURATION    per-file compile limit, e.g. 30s or 2m (default 1m).
                        A file that takes longer fails; the others go on.
  --backend NAME        cpython (the default): compile with a real CPython,
                        --python. native: rules_pyc's own compiler, which
                        starts no interpreter; so far it only parses
                        (--dump-ast), and without --dump-ast it exits 2.
                        auto: cpython, until the native backend writes
                        bytecode.
  --dump-ast FILE       with --backend native: print on stdout the line
                        print(ast.dump(ast.parse(src, FILE),
                        include_attributes=True)) prints, and exit 0; for a
                        source CPython rejects, print on stderr what
                        py_compile writes for FILE, and exit 1. No PATH or
                        -i with it; the compile options have no effect.

Output: compileall's lines on stdout ("Listing '...'...", "Compiling
'...'...", "*** " and the error) unless -q; on a terminal, a progress line
on stderr during long runs.

Exit status:
  0  every file compiled (or was up to date)
  1  a file failed to compile or be written, a directory could not be
     listed, or the -i list could not be read; every other file is still
     compiled
  2  bad usage, or no usable interpreter: the message says what to fix
     (also --backend native without --dump-ast: the native backend does
     not write bytecode yet)
With --dump-ast: 0 the dump was printed, 1 the source was rejected (py_compile's
message on stderr) or could not be read, 2 bad usage.

Inside Bazel, pyc also runs as a persistent worker (pyc [--python PATH]
--persistent_worker), runs one request from a flag file (pyc @FILE), and
takes rules_python's precompiler arguments (pyc --src S --src_name N --pyc P
...); see docs/worker.md and docs/arguments.md.
`
