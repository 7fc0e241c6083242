package cli

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"regexp/syntax"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/spf13/pflag"

	"github.com/rules-pyc/rules_pyc/compiler/engine"
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

	python         string
	pythonVersion  string
	timeout        time.Duration
	startupTimeout time.Duration

	// hasPython is set when --python was given: only then does an
	// interpreter name the release for the native and auto backends.
	hasPython bool

	// backend is --backend.
	backend engine.Backend
	// dumpAST is --dump-ast's FILE; hasDumpAST is set when it was given.
	dumpAST    string
	hasDumpAST bool
	// target is the release --dump-ast imitates.
	target release.Release
}

// defaultBackend is --backend's default: native for a release the native
// compiler covers, CPython otherwise.
const defaultBackend = engine.Auto

// usageError is a command line that can't be run; its message says what
// to fix.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// rawArgs are the flag values as given, before they are checked and turned
// into options.
type rawArgs struct {
	jobs, recursion   int
	levels            []int
	mode              string
	ddir, strip, prep string
	rx, limit, list   string
	force, noRecurse  bool
	legacy, hardlink  bool
	quiet             int
	python, pyVersion string
	timeout, startup  time.Duration
	backend, dumpAST  string
	help, version     bool
}

// flagKind says how a flag takes its value.
type flagKind int

const (
	switchFlag   flagKind = iota // no value
	countFlag                    // no value, counted (-qq)
	intFlag                      // an int, read as Python's int() reads it
	levelsFlag                   // an int, repeatable
	stringFlag                   // a string
	durationFlag                 // a Go duration (30s, 2m)
)

// flagSpec is one option: it drives the flag's definition, argparse-style
// abbreviation of long names, and the help text.
type flagSpec struct {
	short, long string
	arg         string // the value's name in the help ("N"); "" for none
	kind        flagKind
	help        string // the help text, lines already wrapped
	// value points at where the value goes.
	value func(r *rawArgs) any
}

// name is the flag's pflag name: its long name, or its short one.
func (f flagSpec) name() string {
	if f.long != "" {
		return f.long
	}
	return f.short
}

// takesValue reports whether the flag reads an argument.
func (f flagSpec) takesValue() bool { return f.kind != switchFlag && f.kind != countFlag }

var flagSpecs = []flagSpec{
	{"h", "help", "", switchFlag, "show this help and exit",
		func(r *rawArgs) any { return &r.help }},
	{"", "version", "", switchFlag, "show pyc's version and the CPython releases its\nnative compiler covers, and exit",
		func(r *rawArgs) any { return &r.version }},
	{"j", "workers", "N", intFlag, "compile N files at once; 0 (the default) means one\nper CPU. The output and the listing do not depend on N.",
		func(r *rawArgs) any { return &r.jobs }},
	{"o", "", "LEVEL", levelsFlag, "optimization level: 0, 1 (python -O) or 2 (python\n-OO); repeat to write one .pyc per level (.opt-1,\n.opt-2 names). -1 means 0. Default: 0.",
		func(r *rawArgs) any { return &r.levels }},
	{"", "invalidation-mode", "MODE", stringFlag, "checked-hash (the default: reproducible; the importer\nchecks the source hash), unchecked-hash (reproducible;\nthe importer trusts the .pyc) or timestamp (records\nthe source's mtime and size: not reproducible).",
		func(r *rawArgs) any { return &r.mode }},
	{"d", "", "DESTDIR", stringFlag, "directory to prepend to file paths recorded in the\n.pyc, for tracebacks where the source is not at its\nbuild path. For a directory argument, its files are\nrecorded as DESTDIR/<path inside the directory>.",
		func(r *rawArgs) any { return &r.ddir }},
	{"s", "", "STRIPDIR", stringFlag, "part of the path to left-strip from each source path\nbefore it is recorded (whole components only; a\nSTRIPDIR that is not a prefix is ignored with a\nmessage). Not with -d.",
		func(r *rawArgs) any { return &r.strip }},
	{"p", "", "PREPENDDIR", stringFlag, "path to prepend to each recorded path, after -s.\nNot with -d.",
		func(r *rawArgs) any { return &r.prep }},
	{"x", "", "REGEX", stringFlag, "skip files whose path matches REGEX anywhere (like\nPython's re.search). The syntax is Go's RE2: no\nbackreferences or lookaround, \\d and \\w are ASCII,\nand $ matches only at the very end.",
		func(r *rawArgs) any { return &r.rx }},
	{"e", "", "DIR", stringFlag, "skip symlinks that resolve to a file outside DIR.",
		func(r *rawArgs) any { return &r.limit }},
	{"i", "", "FILE", stringFlag, "also compile the files and directories listed in\nFILE, one per line (\"-\": read the list from stdin).",
		func(r *rawArgs) any { return &r.list }},
	{"f", "", "", switchFlag, "rewrite outputs even when they are up to date.",
		func(r *rawArgs) any { return &r.force }},
	{"q", "", "", countFlag, "print only errors; -qq prints nothing on stdout (not\neven errors; the exit status still tells). CPython's\nwarnings still go to stderr, as with compileall.",
		func(r *rawArgs) any { return &r.quiet }},
	{"l", "", "", switchFlag, "don't recurse into subdirectories.",
		func(r *rawArgs) any { return &r.noRecurse }},
	{"r", "", "N", intFlag, "recurse at most N levels (wins over -l).",
		func(r *rawArgs) any { return &r.recursion }},
	{"b", "", "", switchFlag, "write legacy x.pyc beside x.py instead of\n__pycache__/x.<tag>.pyc.",
		func(r *rawArgs) any { return &r.legacy }},
	{"", "hardlink-dupes", "", switchFlag, "when two -o levels give identical bytes, hard-link\nthe later .pyc to the earlier one (needs two or more\n-o levels).",
		func(r *rawArgs) any { return &r.hardlink }},
	{"", "python", "PATH", stringFlag, "the interpreter whose exact release the .pyc files\nare for (default: python3 on PATH, not looked for\nwhen --python-version alone names a release the\nnative compiler covers). With auto (the default) or\nnative it is only asked its version when the native\ncompiler covers that release; otherwise (auto, or\n--backend cpython) it compiles.",
		func(r *rawArgs) any { return &r.python }},
	{"", "python-version", "X.Y", stringFlag, "the CPython release the .pyc files are for: X.Y or\nX.Y.Z. With --python, fail unless it is this version.\nAlone, a release the native compiler covers (3.13.N,\nor 3.13 for the newest 3.13 known) needs no\ninterpreter; for another, python3 compiles and must\nbe this version (--backend cpython: always).",
		func(r *rawArgs) any { return &r.pyVersion }},
	{"", "timeout", "DURATION", durationFlag, "per-file compile limit, e.g. 30s or 2m (default\n1m), for both backends. A file that takes longer\nfails; the others go on. An interpreter's start\ncounts under --startup-timeout.",
		func(r *rawArgs) any { return &r.timeout }},
	{"", "startup-timeout", "DURATION", durationFlag, "limit for an interpreter to start and say which\nversion it is, e.g. 30s (default 10s). One that has\nnot by then is stopped and refused (exit status 2).",
		func(r *rawArgs) any { return &r.startup }},
	{"", "backend", "NAME", stringFlag, "auto (the default): the native compiler for a\nrelease it covers, a real CPython for any other\n(covered: " + engine.NativeCovered() + ").\ncpython: the interpreter --python (or python3)\ncompiles. native: rules_pyc's own compiler, which\nstarts no interpreter (--python, if given, is only\nasked its version); it refuses a release it does not\ncover.",
		func(r *rawArgs) any { return &r.backend }},
	{"", "dump-ast", "FILE", stringFlag, "with the native backend: print on stdout the line\nprint(ast.dump(ast.parse(src, FILE),\ninclude_attributes=True)) prints, and exit 0; for a\nsource CPython rejects, print on stderr what\npy_compile writes for FILE, and exit 1. No PATH or\n-i with it; the compile options have no effect.",
		func(r *rawArgs) any { return &r.dumpAST }},
}

// newFlagSet defines every flag of flagSpecs, with its value in r.
func newFlagSet(r *rawArgs) *pflag.FlagSet {
	fs := pflag.NewFlagSet("pyc", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	fs.SortFlags = false
	r.mode = "checked-hash"
	r.python = "python3"
	r.timeout = engine.DefaultTimeout
	r.startup = engine.DefaultStartupTimeout
	r.backend = string(defaultBackend)
	for _, f := range flagSpecs {
		switch v := f.value(r).(type) {
		case *bool:
			fs.BoolVarP(v, f.name(), f.short, *v, f.help)
		case *int:
			if f.kind == countFlag {
				fs.CountVarP(v, f.name(), f.short, f.help)
			} else {
				fs.VarP(pyIntValue{v}, f.name(), f.short, f.help)
			}
		case *[]int:
			fs.VarP(levelList{v}, f.name(), f.short, f.help)
		case *string:
			fs.StringVarP(v, f.name(), f.short, *v, f.help)
		case *time.Duration:
			fs.DurationVarP(v, f.name(), f.short, *v, f.help)
		}
	}
	return fs
}

// errVersion is parseArgs's answer to --version.
var errVersion = errors.New("--version")

// parseArgs reads the command line. It returns pflag.ErrHelp for -h/--help,
// errVersion for --version (--help wins when both are given) and a
// *usageError for anything else that is wrong.
func parseArgs(args []string) (*options, error) {
	args, err := expandAbbrev(args)
	if err != nil {
		return nil, err
	}
	r := &rawArgs{}
	fs := newFlagSet(r)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return nil, pflag.ErrHelp
		}
		return nil, usagef("%s", flagError(err))
	}
	if r.help {
		return nil, pflag.ErrHelp
	}
	if r.version {
		return nil, errVersion
	}
	o := &options{
		paths: fs.Args(), jobs: r.jobs, force: r.force, quiet: r.quiet, legacy: r.legacy, hardlink: r.hardlink,
		limit: r.limit, list: r.list, python: r.python, pythonVersion: r.pyVersion,
		timeout: r.timeout, startupTimeout: r.startup,
		dumpAST: r.dumpAST, hasDumpAST: fs.Changed("dump-ast"), hasPython: fs.Changed("python"),
	}
	if err := o.checkBackend(r.backend, fs.Changed("backend")); err != nil {
		return nil, err
	}
	if o.jobs < 0 {
		return nil, usagef("-j %d: the number of workers must be 0 (one per CPU) or more", o.jobs)
	}
	if o.timeout <= 0 {
		return nil, usagef("--timeout %s: the per-file limit must be positive, e.g. 60s or 5m", o.timeout)
	}
	if o.startupTimeout <= 0 {
		return nil, usagef("--startup-timeout %s: the start-up limit must be positive, e.g. 10s or 1m", o.startupTimeout)
	}
	if o.mode, err = pycfile.ParseInvalidation(r.mode); err != nil {
		return nil, usagef("argument --invalidation-mode: invalid choice: %q (choose from 'checked-hash', 'timestamp', 'unchecked-hash')", r.mode)
	}
	if o.levels, err = normalizeLevels(r.levels); err != nil {
		return nil, err
	}
	if o.hardlink && len(o.levels) < 2 {
		return nil, usagef("Hardlinking of duplicated bytecode makes sense only for more than one optimization level: give two or more different -o levels with --hardlink-dupes")
	}

	o.maxLevels = defaultMaxLevels
	if r.noRecurse {
		o.maxLevels = 0
	}
	if fs.Changed("r") {
		o.maxLevels = r.recursion
	}

	o.ddir, o.hasDdir = r.ddir, fs.Changed("d")
	o.stripdir, o.hasStrip = r.strip, fs.Changed("s")
	o.prependdir, o.hasPrepend = r.prep, fs.Changed("p")
	if o.hasDdir && (o.hasStrip || o.hasPrepend) {
		return nil, usagef("-d cannot be used in combination with -s or -p: use -d DESTDIR alone, or -s STRIPDIR and -p PREPENDDIR")
	}

	if r.rx != "" {
		if o.rx, err = compileRegexp(r.rx); err != nil {
			return nil, err
		}
	}
	return o, nil
}

// flagError is pflag's message for a command line it can't parse, with an
// option that has no long name named as it is spelled: pflag names the
// flag of -r "-r, --r", and pyc has no --r.
func flagError(err error) string {
	var bad *pflag.InvalidValueError
	if !errors.As(err, &bad) {
		return err.Error()
	}
	f := bad.GetFlag()
	name := "--" + f.Name
	if f.Shorthand != "" {
		name = "-" + f.Shorthand
		if f.Name != f.Shorthand {
			name += ", --" + f.Name
		}
	}
	return fmt.Sprintf("invalid argument %q for %q flag: %v", bad.GetValue(), name, errors.Unwrap(bad))
}

// compileRegexp compiles -x's pattern; the error gives the regexp
// library's reason.
func compileRegexp(pattern string) (*regexp.Regexp, error) {
	re, err := regexp.Compile(pattern)
	if err == nil {
		return re, nil
	}
	reason := err.Error()
	var se *syntax.Error
	if errors.As(err, &se) {
		reason = se.Code.String()
		if se.Expr != "" && se.Expr != pattern {
			reason += " in " + strconv.Quote(se.Expr)
		}
	}
	return nil, usagef("argument -x: invalid regular expression %q: %s (the syntax is Go's RE2, see pyc --help)", pattern, reason)
}

// checkBackend checks --backend (given: whether it was on the command
// line) and what goes with it: --dump-ast needs the native backend (the
// default then), which parses as the release --python-version names (the
// newest 3.13 by default) and no --python.
func (o *options) checkBackend(backend string, given bool) error {
	b, err := engine.ParseBackend(backend)
	if err != nil {
		return usagef("argument --backend: invalid choice: %q (choose from 'cpython', 'native', 'auto')", backend)
	}
	o.backend = b
	if !o.hasDumpAST {
		return nil
	}
	if !given {
		b, o.backend = engine.Native, engine.Native
	}
	if b != engine.Native {
		return usagef("--dump-ast needs --backend native (the %s backend compiles; it prints no trees)", b)
	}
	if o.hasPython {
		return usagef("--dump-ast parses with the native front end alone: give --python-version, not --python")
	}
	version := o.pythonVersion
	if version == "" {
		version = engine.DefaultNativeVersion
	}
	r, _, err := release.Parse(version)
	if err == nil {
		err = release.Supported(r)
	}
	if err != nil {
		if errors.Is(err, release.ErrSyntax) {
			return usagef("--python-version: %v", err)
		}
		return usagef("--python-version: %v (it knows %s)", err, release.Known())
	}
	o.target = r
	if o.dumpAST == "" {
		return usagef("--dump-ast: give the file to parse")
	}
	if len(o.paths) > 0 || o.list != "" {
		return usagef("--dump-ast FILE parses one file: give no PATH and no -i list with it")
	}
	return nil
}

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

// pyIntValue is an int flag read as argparse's type=int reads it: with
// Python's int(), so " 0", "+1", "1_000" and non-ASCII digits are numbers,
// and "0x10" is not.
type pyIntValue struct{ n *int }

func (v pyIntValue) String() string {
	if v.n == nil {
		return "0"
	}
	return strconv.Itoa(*v.n)
}

func (v pyIntValue) Set(s string) error {
	n, err := pyInt(s)
	if err != nil {
		return err
	}
	*v.n = n
	return nil
}

func (v pyIntValue) Type() string { return "int" }

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
	n, err := pyInt(v)
	if err != nil {
		return err
	}
	*l.levels = append(*l.levels, n)
	return nil
}

func (l levelList) Type() string { return "LEVEL" }

// pyInt is Python's int(s) for a str s: surrounding whitespace is ignored,
// a sign may lead, and the digits are any Unicode decimal digits, with
// single underscores between them.  The whitespace is the ASCII " \t\n\v\f\r"
// and non-ASCII white space (not str.strip()'s, which also strips
// \x1c-\x1f).
func pyInt(s string) (int, error) {
	bad := fmt.Errorf("invalid int value: %q", s)
	t := strings.TrimFunc(s, func(r rune) bool {
		if r < 0x80 {
			return strings.ContainsRune(" \t\n\v\f\r", r)
		}
		return unicode.IsSpace(r)
	})
	var digits []byte
	neg := false
	if t != "" && (t[0] == '+' || t[0] == '-') {
		neg = t[0] == '-'
		t = t[1:]
	}
	afterDigit := false
	for _, r := range t {
		if r == '_' {
			if !afterDigit {
				return 0, bad
			}
			afterDigit = false
			continue
		}
		d, ok := decimalValue(r)
		if !ok {
			return 0, bad
		}
		digits = append(digits, '0'+d)
		afterDigit = true
	}
	if !afterDigit {
		return 0, bad
	}
	n, err := strconv.Atoi(string(digits))
	if err != nil {
		return 0, fmt.Errorf("int value %q: out of range", s)
	}
	if neg {
		n = -n
	}
	return n, nil
}

// decimalValue is the value of a Unicode decimal digit (general category
// Nd, which Python's int() accepts).  Unicode allocates them in runs of
// ten, from 0 to 9, so a digit's value is its distance from the start of
// its range, modulo 10.
func decimalValue(r rune) (byte, bool) {
	if r >= '0' && r <= '9' {
		return byte(r - '0'), true
	}
	if r < 0x80 || !unicode.Is(unicode.Nd, r) {
		return 0, false
	}
	for _, rg := range unicode.Nd.R16 {
		if rune(rg.Lo) <= r && r <= rune(rg.Hi) {
			return byte((r - rune(rg.Lo)) % 10), true
		}
	}
	for _, rg := range unicode.Nd.R32 {
		if rune(rg.Lo) <= r && r <= rune(rg.Hi) {
			return byte((r - rune(rg.Lo)) % 10), true
		}
	}
	return 0, false
}

// expandAbbrev replaces unambiguous prefixes of long option names with the
// full name, as argparse does ("--inval" for "--invalidation-mode"). It
// skips option values and stops at "--".
func expandAbbrev(args []string) ([]string, error) {
	out := make([]string, 0, len(args))
	takes := map[string]bool{}
	for _, f := range flagSpecs {
		if f.short != "" {
			takes["-"+f.short] = f.takesValue()
		}
		if f.long != "" {
			takes["--"+f.long] = f.takesValue()
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

// usageText is printed by --help: an introduction, the options of
// flagSpecs, and the outputs and exit statuses.
var usageText = usageHead + optionsHelp() + usageTail

const usageHead = `usage: pyc [options] PATH...
       pyc [--python-version 3.13[.N]] --dump-ast FILE
       pyc --version

Compile Python sources to .pyc files, byte for byte what CPython's
py_compile writes, with the options of python -m compileall. A PATH that is
a file is compiled; a directory is walked in sorted order (skipping
__pycache__ and symlinked directories) and every .py file in it is compiled.
The bytecode comes from rules_pyc's own compiler for the CPython releases
it covers (3.13), which needs no interpreter: pyc --python-version 3.13 src/
runs on a machine with no Python at all. For any other release a real
CPython (--python) compiles, run as a pool of long-lived processes.

Unlike compileall, the default invalidation mode is checked-hash, so the
output is reproducible: the same sources give the same bytes on every run
and machine. Pass --invalidation-mode timestamp for compileall's default.

An output that already holds exactly the bytes that would be written is left
alone (no "Compiling" line) unless -f is given.

Options:
`

const usageTail = `
Output: compileall's lines on stdout ("Listing '...'...", "Compiling
'...'...", "*** " and the error) unless -q; on a terminal, a progress line
on stderr during long runs.

Exit status:
  0  every file compiled (or was up to date)
  1  a file failed to compile or be written, a directory could not be
     listed, or the -i list could not be read (every other file is still
     compiled); or the run was interrupted (SIGINT, SIGTERM)
  2  bad usage, or no usable interpreter (missing, not CPython 3.8 or
     newer, not --python-version, or silent past --startup-timeout), or a
     release the native backend does not cover: the message says what to
     fix
With --dump-ast: 0 the dump was printed, 1 the source was rejected
(py_compile's message on stderr) or could not be read, 2 bad usage.

Inside Bazel, pyc also runs as a persistent worker (pyc [--python PATH]
--persistent_worker), runs one request from a flag file (pyc @FILE), and
takes rules_python's precompiler arguments (pyc --src S --src_name N --pyc P
...); see docs/worker.md and docs/arguments.md.
`

// optionsHelp lists flagSpecs as argparse lays out its help: the option's
// spellings, then its text from column 25, on the next line when the
// spellings are longer.
func optionsHelp() string {
	const column = 24
	var b strings.Builder
	for _, f := range flagSpecs {
		var names []string
		arg := ""
		if f.arg != "" {
			arg = " " + f.arg
		}
		if f.short != "" {
			names = append(names, "-"+f.short+arg)
		}
		if f.long != "" {
			names = append(names, "--"+f.long+arg)
		}
		left := "  " + strings.Join(names, ", ")
		lines := strings.Split(f.help, "\n")
		if len(left) < column-1 {
			b.WriteString(left + strings.Repeat(" ", column-len(left)) + lines[0] + "\n")
			lines = lines[1:]
		} else {
			b.WriteString(left + "\n")
		}
		for _, l := range lines {
			b.WriteString(strings.Repeat(" ", column) + l + "\n")
		}
	}
	return b.String()
}
