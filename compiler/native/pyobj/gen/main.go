// Command gen writes the set of strs that are already interned in
// CPython's reference process (a fresh `python -S -s` that imported
// py_compile and built the ast types, as compiler/interp's server does)
// before it compiles a source, for package pyobj.
//
// Interning decides how marshal writes a str and, through the rebuilt
// frozensets and class qualified names of docs/determinism-cause.md
// (causes A and D), the shape of the object graph, so the native compiler
// must know this set exactly for every str a source can contain.
//
// Method: there is no API that lists the interned strs, so gen asks about
// candidates. It gathers candidates from (1) every str reachable in a
// process in the reference state (gc's objects and their referents, type
// and module dicts, the code objects of every loaded module, re-read from
// its loader), (2) every identifier and str literal of the interpreter's
// own standard library, and (3) the static strings of
// Include/internal/pycore_global_strings.h (-globalstrings). Then a second,
// clean process in the reference state asks sys.intern about a new copy of
// each candidate: the result is another object exactly when an equal str
// was interned. That process's own code uses only one-letter names and
// names that are interned at start-up anyway (builtins, methods of str and
// bytes, attributes of sys), and builds every other str at run time from
// bytes, so it adds nothing to the set it measures. strs of one code point
// below U+0100 and "" are interned singletons in 3.13 and are not listed.
//
// Usage, from the repository root:
//
//	go run ./compiler/native/pyobj/gen -python "$(pyenv root)/versions/3.13.0/bin/python3" \
//	    -globalstrings pycore_global_strings.h
//
// where pycore_global_strings.h is that release's file (for example
// `git show v3.13.0:Include/internal/pycore_global_strings.h` in a CPython
// clone). -python is a command line split at spaces ("scripts/chroot
// python3.13" works). The result is compiler/native/pyobj/startupX_Y_Z_gen.go.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"go/format"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// candidatesScript prints candidate strs, NUL-separated, as surrogatepass
// UTF-8. It may intern anything: it only proposes.
const candidatesScript = `
import py_compile, sys
compile(b"", "", "exec")
import gc, os, sysconfig, tokenize, ast, types
out = set()
seen = {}
def code(co):
    if id(co) in seen:
        return
    seen[id(co)] = co  # keeps co alive: ids of dead objects are reused
    for name in ("co_names", "co_varnames", "co_cellvars", "co_freevars"):
        out.update(getattr(co, name))
    out.add(co.co_name); out.add(co.co_qualname); out.add(co.co_filename)
    for c in co.co_consts:
        value(c)
def value(v):
    if isinstance(v, str):
        out.add(v)
    elif isinstance(v, (tuple, frozenset, list, set)):
        for x in v:
            value(x)
    elif isinstance(v, types.CodeType):
        code(v)
for o in gc.get_objects():
    try:
        for r in gc.get_referents(o):
            value(r)
        if isinstance(o, dict):
            for k in o:
                value(k)
        if isinstance(o, types.FunctionType):
            code(o.__code__)
        if isinstance(o, type):
            out.update(k for k in vars(o) if isinstance(k, str))
            out.add(o.__name__); out.add(o.__qualname__)
    except Exception:
        pass
for name, m in list(sys.modules.items()):
    out.add(name)
    out.update(k for k in vars(m) if isinstance(k, str))
    spec = getattr(m, "__spec__", None)
    loader = getattr(spec, "loader", None)
    try:
        c = loader.get_code(name)
    except Exception:
        c = None
    if c is not None:
        code(c)
out.update(sys.builtin_module_names)
root = sysconfig.get_path("stdlib")
for d, dirs, files in os.walk(root):
    dirs[:] = [x for x in dirs if x not in ("site-packages", "dist-packages", "__pycache__")]
    for f in files:
        if not f.endswith(".py"):
            continue
        try:
            with open(os.path.join(d, f), "rb") as fh:
                toks = list(tokenize.tokenize(fh.readline))
        except Exception:
            continue
        for t in toks:
            if t.type == tokenize.NAME:
                out.add(t.string)
            elif t.type == tokenize.STRING:
                try:
                    v = ast.literal_eval(t.string)
                except Exception:
                    continue
                if isinstance(v, str):
                    out.add(v)
for line in sys.stdin.buffer.read().split(b"\0"):
    if line:
        out.add(line.decode("utf-8", "surrogatepass"))
sys.stdout.buffer.write(b"\0".join(s.encode("utf-8", "surrogatepass") for s in sorted(out) if "\0" not in s))
print(sys.version.split()[0], file=sys.stderr)
`

// probeScript reads NUL-separated candidates and writes one byte per
// candidate: 1 when an equal str is interned. Its code interns nothing
// new (see the package comment).
//
// The strs "" and chr(0)..chr(255) are immortal singletons: asking
// sys.intern about them would intern them. For them the probe reads the
// interned state from marshal's type code instead and appends 257 bytes
// (chr(0)..chr(255), then "").
const probeScript = `I=__import__
S=I(b'sys'.decode())
I(b'py_compile'.decode())
compile(b'',b'<x>'.decode(),b'exec'.decode())
M=I(b'marshal'.decode()).dumps
N=S.intern
E=b'utf-8'.decode()
P=b'surrogatepass'.decode()
R=[]
for d in S.stdin.buffer.read().split(bytes(1)):
    c=d.decode(E,P)
    if len(c)<2 and (c=='' or ord(c)<256):
        R.append(2)
    else:
        R.append(int(N(c) is not c))
for k in range(257):
    c=chr(k) if k<256 else ''
    R.append(int(M(c)[0]&127 in (90,65,116)))
S.stdout.buffer.write(bytes(R))
`

func main() {
	python := flag.String("python", "", "interpreter command line (split at spaces)")
	globals := flag.String("globalstrings", "", "the release's Include/internal/pycore_global_strings.h")
	dir := flag.String("dir", filepath.Join("compiler", "native", "pyobj"), "directory of package pyobj")
	flag.Parse()
	if *python == "" || *globals == "" || flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: gen -python 'COMMAND [ARGS]' -globalstrings FILE [-dir DIR]")
		os.Exit(2)
	}
	if err := run(strings.Fields(*python), *globals, *dir); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func runPython(python []string, script string, stdin []byte) (stdout, stderr []byte, err error) {
	cmd := exec.Command(python[0], append(python[1:], "-S", "-s", "-c", script)...)
	cmd.Env = []string{"PYTHONHASHSEED=0", "PATH=" + os.Getenv("PATH")}
	cmd.Stdin = bytes.NewReader(stdin)
	var e bytes.Buffer
	cmd.Stderr = &e
	out, err := cmd.Output()
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %v: %s", strings.Join(python, " "), err, e.String())
	}
	return out, e.Bytes(), nil
}

// globalStrings reads the literals of STRUCT_FOR_ID and STRUCT_FOR_STR.
func globalStrings(text string) []string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "STRUCT_FOR_ID(") && strings.HasSuffix(line, ")"):
			out = append(out, line[len("STRUCT_FOR_ID("):len(line)-1])
		case strings.HasPrefix(line, "STRUCT_FOR_STR(") && strings.HasSuffix(line, "\")"):
			i := strings.Index(line, "\"")
			lit := line[i+1 : len(line)-2]
			lit = strings.NewReplacer(`\\`, `\`, `\"`, `"`, `\n`, "\n", `\t`, "\t").Replace(lit)
			out = append(out, lit)
		}
	}
	return out
}

func run(python []string, globalsFile, dir string) error {
	text, err := os.ReadFile(globalsFile)
	if err != nil {
		return err
	}
	globals := globalStrings(string(text))
	if len(globals) < 500 {
		return fmt.Errorf("%s: only %d static strings found", globalsFile, len(globals))
	}
	cand, stderr, err := runPython(python, candidatesScript, []byte(strings.Join(globals, "\x00")))
	if err != nil {
		return err
	}
	version := strings.TrimSpace(string(stderr))
	if i := strings.LastIndex(version, "\n"); i >= 0 {
		version = version[i+1:]
	}
	all := bytes.Split(cand, []byte{0})
	answer, _, err := runPython(python, probeScript, cand)
	if err != nil {
		return err
	}
	if len(answer) != len(all)+257 {
		return fmt.Errorf("%d answers for %d candidates", len(answer), len(all))
	}
	var single strings.Builder
	for _, a := range answer[len(all):] {
		single.WriteByte('0' + a)
	}
	var set []string
	for i, c := range all {
		if answer[i] == 1 && !singleton(string(c)) && !installedFile(string(c)) {
			set = append(set, string(c))
		}
	}
	sort.Strings(set)
	for _, g := range globals {
		if !singleton(g) && !contains(set, g) {
			return fmt.Errorf("static string %q is not interned in %s", g, version)
		}
	}
	var b bytes.Buffer
	ident := strings.ReplaceAll(version, ".", "_")
	fmt.Fprintf(&b, "// Code generated by compiler/native/pyobj/gen from CPython %s. DO NOT EDIT.\n\npackage pyobj\n\n", version)
	fmt.Fprintf(&b, "// The one-character strs chr(0)..chr(255) and \"\" that are interned: 1.\n")
	fmt.Fprintf(&b, "func init() {\n\tregisterStartup(%q,\n", version)
	for i := 0; i < 257; i += 64 {
		fmt.Fprintf(&b, "\t\t%q", single.String()[i:min(i+64, 257)])
		if i+64 < 257 {
			b.WriteString(" +\n")
		}
	}
	fmt.Fprintf(&b, ",\n\t\tstartup%s[:])\n}\n\n", ident)
	// A package-level array of string literals is laid out by the linker:
	// nothing runs or allocates to make it.
	fmt.Fprintf(&b, "// The %d strs interned in CPython %s's reference process before it\n// compiles, sorted.\nvar startup%s = [...]string{\n", len(set), version, ident)
	line := 0
	for _, s := range set {
		q := strconv.Quote(s)
		if line > 0 && line+len(q)+2 > 96 {
			b.WriteString("\n")
			line = 0
		}
		if line == 0 {
			b.WriteString("\t")
		} else {
			b.WriteString(" ")
		}
		b.WriteString(q)
		b.WriteString(",")
		line += len(q) + 2
	}
	b.WriteString("\n}\n")
	fmt.Fprintf(os.Stderr, "gen: %s: %d candidates, %d interned\n", version, len(all), len(set))
	src, err := format.Source(b.Bytes())
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "startup"+ident+"_gen.go"), src, 0o644)
}

func singleton(s string) bool {
	r := []rune(s)
	return len(r) == 0 || (len(r) == 1 && r[0] < 0x100)
}

// installedFile reports whether s is the file name of a module the
// reference process imported (an absolute path of a .py file, its code's
// co_filename): it says where that interpreter is installed, which differs
// from one machine to the next, so the set leaves such names out (only a
// source holding one as a constant could tell the difference).
func installedFile(s string) bool {
	return strings.HasPrefix(s, "/") && strings.HasSuffix(s, ".py")
}

func contains(sorted []string, s string) bool {
	i := sort.SearchStrings(sorted, s)
	return i < len(sorted) && sorted[i] == s
}
