// Package astjson lets tests compare the front end's trees with CPython's:
// it runs a real interpreter over sources (oracle.py), which writes each
// ast.parse tree as exact JSON (and ast.dump's text), converts that JSON to
// this project's Go AST (Convert), and compares two Go trees node by node
// (Diff).
//
// The interpreters are the CPython 3.13 releases that internal/pythons finds
// on the machine (Find313): on the host and in the Debian sid chroot.
package astjson

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/release"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

//go:embed oracle.py
var oracleScript string

// Interp is a CPython interpreter that tests can run.
type Interp struct {
	// Name says which interpreter it is, e.g. "3.13.0 (/path/python3)" or
	// "3.13.18 (sid chroot)".
	Name    string
	Release release.Release
	// Stdlib is the directory of its standard library, as the interpreter
	// sees it (inside the chroot for the chroot's interpreter).
	Stdlib string
	py     pythons.Interpreter
}

func (in Interp) String() string { return in.Name }

// Interpreter returns the interpreter as internal/pythons describes it (for
// its Stdlib, or to run other commands).
func (in Interp) Interpreter() pythons.Interpreter { return in.py }

var (
	findOnce sync.Once
	found    []Interp
	findLog  []string
)

// Find313 returns the CPython 3.13 releases on the machine (internal/pythons:
// the host's and the sid chroot's), oldest first, and fails the test when
// there is none.
func Find313(t testing.TB) []Interp {
	t.Helper()
	all := pythons.Minor(t, 3, 13)
	findOnce.Do(func() {
		for _, p := range all {
			if p.Version != fmt.Sprintf("3.13.%d", p.Micro) {
				findLog = append(findLog, fmt.Sprintf("skip %s: not a final release", p))
				continue
			}
			in := Interp{Name: p.String(), py: p}
			if err := in.probe(); err != nil {
				findLog = append(findLog, fmt.Sprintf("skip %s: %v", p, err))
				continue
			}
			found = append(found, in)
		}
	})
	for _, l := range findLog {
		t.Log(l)
	}
	if len(found) == 0 {
		t.Fatal("no final CPython 3.13 release could be run")
	}
	var names []string
	for _, in := range found {
		names = append(names, in.Name)
	}
	t.Logf("CPython 3.13 interpreters: %s", strings.Join(names, ", "))
	return found
}

const probeScript = `import sys, sysconfig, json
v = sys.version_info
print(json.dumps({"impl": sys.implementation.name, "version": [v.major, v.minor, v.micro], "level": v.releaselevel, "stdlib": sysconfig.get_paths()["stdlib"]}))`

func (in *Interp) probe() error {
	cmd := in.command("-c", probeScript)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("%v: %s", err, strings.TrimSpace(stderr.String()))
	}
	var p struct {
		Impl    string `json:"impl"`
		Version []int  `json:"version"`
		Level   string `json:"level"`
		Stdlib  string `json:"stdlib"`
	}
	if err := json.Unmarshal(out, &p); err != nil {
		return fmt.Errorf("probe answered %q: %v", out, err)
	}
	if p.Impl != "cpython" || len(p.Version) != 3 || p.Version[0] != 3 || p.Version[1] != 13 || p.Level != "final" {
		return fmt.Errorf("not a final CPython 3.13: %s", out)
	}
	in.Release = release.Release{Major: 3, Minor: 13, Micro: p.Version[2]}
	in.Stdlib = p.Stdlib
	return nil
}

// command runs the interpreter with args as py_compile's reference process
// runs: -S -s, and PYTHONHASHSEED=0 (which fixes the order of sets of
// strings, which the compiler's output can depend on).
func (in Interp) command(args ...string) *exec.Cmd {
	cmd := in.py.Command(context.Background(), append([]string{"-S", "-s"}, args...)...)
	if cmd.Env == nil {
		cmd.Env = os.Environ()
	}
	cmd.Env = append(cmd.Env, "PYTHONHASHSEED=0")
	return cmd
}

// Request says which sources oracle.py parses (see there).
type Request struct {
	Roots   []string `json:"roots,omitempty"`
	Files   []string `json:"files,omitempty"`
	Sources [][]int  `json:"sources,omitempty"` // each source's bytes
	Every   int      `json:"every,omitempty"`
	Offset  int      `json:"offset,omitempty"`
	Dump    bool     `json:"dump,omitempty"`
	// Extra is Python source that defines extra(name, src): called for
	// every input that could be read (src is its bytes), parsed or not; what
	// it returns becomes Record.Extra (as JSON), an exception it raises
	// Record.ExtraError.
	Extra string `json:"extra,omitempty"`
}

// AddSource adds a source given as its bytes.
func (r *Request) AddSource(src []byte) {
	s := make([]int, len(src))
	for i, b := range src {
		s[i] = int(b)
	}
	r.Sources = append(r.Sources, s)
}

// Record is the interpreter's answer for one source.
type Record struct {
	// Name is the file's path, or "<source N>" for the Nth of
	// Request.Sources.
	Name string `json:"name"`
	// Tree is the JSON of ast.parse's tree (see Convert).
	Tree json.RawMessage `json:"tree"`
	// Dump is ast.dump(tree, include_attributes=True), when asked for.
	Dump *string `json:"dump"`
	// DumpError, ParseError and ReadError say what failed instead:
	// "ExceptionType: message".
	DumpError  string `json:"dump_error"`
	ParseError string `json:"parse_error"`
	ReadError  string `json:"read_error"`
	// Extra is what Request.Extra's function returned; ExtraError what it
	// raised.
	Extra      json.RawMessage `json:"extra"`
	ExtraError string          `json:"extra_error"`
}

// Parse runs oracle.py with req and calls each for every record, in order,
// as the interpreter writes them. It fails the test if the interpreter
// fails or stops early.
func (in Interp) Parse(t testing.TB, req Request, each func(*Record)) {
	t.Helper()
	body, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	n, done := 0, -1
	pythons.StreamLines(t, in.String(), in.command("-c", oracleScript), body, func(line []byte) {
		var end struct {
			Done *int `json:"done"`
		}
		if bytes.HasPrefix(line, []byte(`{"done": `)) && json.Unmarshal(line, &end) == nil && end.Done != nil {
			done = *end.Done
			return
		}
		rec := new(Record)
		if err := json.Unmarshal(line, rec); err != nil {
			t.Fatalf("%s: record %d: %v", in, n, err)
		}
		n++
		each(rec)
	})
	if done != n {
		t.Fatalf("%s: %d records, but it says it wrote %d", in, n, done)
	}
}

// Run runs script with the interpreter and returns what it prints. Any
// failure fails the test.
func (in Interp) Run(t testing.TB, script string) []byte {
	t.Helper()
	cmd := in.command("-c", script)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v: %s", in, err, stderr.String())
	}
	return out
}

// RunJSON runs script with the interpreter, sends input as JSON on stdin
// and decodes the JSON the script prints into output. Any failure fails the
// test.
func (in Interp) RunJSON(t testing.TB, script string, input, output any) {
	t.Helper()
	body, err := json.Marshal(input)
	if err != nil {
		t.Fatal(err)
	}
	out := in.RunBytes(t, script, body)
	if err := json.Unmarshal(out, output); err != nil {
		t.Fatalf("%s: decoding its answer (%d bytes): %v", in, len(out), err)
	}
}

// RunBytes runs script with the interpreter, sends input on stdin and
// returns what the script prints. Any failure fails the test.
func (in Interp) RunBytes(t testing.TB, script string, input []byte) []byte {
	t.Helper()
	cmd := in.command("-c", script)
	cmd.Stdin = bytes.NewReader(input)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v: %s", in, err, stderr.String())
	}
	return out
}

// StdlibFiles returns the paths of every every-th .py file of in's
// standard library, in sorted order.
func (in Interp) StdlibFiles(t testing.TB, every int) []string {
	t.Helper()
	lib := in.Interpreter().Stdlib(t)
	var files []string
	for i, f := range lib.Files {
		if i%every == 0 {
			files = append(files, filepath.Join(lib.Root, filepath.FromSlash(f)))
		}
	}
	return files
}

var (
	benchOnce  sync.Once
	benchTrees []ast.ModNode
	benchSize  int64
)

// BenchTrees returns the trees of a quarter of the first 3.13 standard
// library found (StdlibTrees), converted once per process, and their
// sources' size: the input of the per-stage benchmarks. A benchmark that
// changes the trees changes them for the next one.
func BenchTrees(b *testing.B) ([]ast.ModNode, int64) {
	b.Helper()
	benchOnce.Do(func() {
		benchTrees, benchSize = Find313(b)[0].StdlibTrees(b, 4)
	})
	return benchTrees, benchSize
}

// StdlibTrees returns the trees in's interpreter makes of every every-th
// .py file of its standard library (the files it parses), converted, and
// the sources' total size: the input of the back end's benchmarks.
func (in Interp) StdlibTrees(t testing.TB, every int) ([]ast.ModNode, int64) {
	t.Helper()
	files := in.StdlibFiles(t, every)
	var trees []ast.ModNode
	var size int64
	in.Parse(t, Request{Files: files}, func(rec *Record) {
		if rec.Tree == nil {
			return
		}
		tree, err := Convert(rec.Tree)
		if err != nil {
			t.Fatal(err)
		}
		st, err := os.Stat(rec.Name)
		if err != nil {
			t.Fatal(err)
		}
		trees = append(trees, tree.(ast.ModNode))
		size += st.Size()
	})
	return trees, size
}
