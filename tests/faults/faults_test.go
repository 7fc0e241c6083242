//go:build linux

package faults

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rules-pyc/rules_pyc/compiler/native"
	"github.com/rules-pyc/rules_pyc/compiler/release"
	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

// outcome is what a fault must lead to.
type outcome int

const (
	// refused: the interpreter is unusable.  The command line exits 2, a
	// one-shot run 1, and the worker answers the request with exit code 1.
	refused outcome = iota
	// failed: every source fails, with a message each; exit status (or
	// the response's exit code) 1.
	failed
	// compiled: every source compiles to py_compile's bytes; exit 0.
	compiled
)

// faultCase is one kind of misbehaving interpreter.
type faultCase struct {
	name string
	// script is the interpreter: a shell script's body, or a fakepython
	// mode ("fake MODE N") wrapping a real CPython.
	script  string
	options []string // pyc's options
	sources int      // how many sources the run compiles (0: 2)
	outcome outcome
	want    []string // in the message (refused, failed) or in pyc's stderr (compiled)
	modes   modeSet
	bounds  bounds // zero: defaultBounds
}

// quick is the start-up limit of most cases: an interpreter that has said
// nothing by then is refused.
var quick = []string{"--startup-timeout", "500ms"}

var faultCases = []faultCase{
	// Before the interpreter says who it is.
	{name: "silent", script: "exec cat", options: quick, outcome: refused,
		want: []string{"did not say which Python it is within 500ms"}},
	{name: "sleeping", script: "exec sleep 1000", options: quick, outcome: refused,
		want: []string{"did not say which Python it is within 500ms"}, modes: append(modeSet{srcMode}, allModes...)},
	{name: "sleeping, default start-up limit", script: "exec sleep 1000", outcome: refused,
		want: []string{"did not say which Python it is within 10s"}, modes: modeSet{cliMode, protoMode}},
	{name: "flooding stdout", script: "exec yes", outcome: refused,
		want: []string{"limit of 65536 bytes"}},
	{name: "flooding stderr", script: "yes >&2 &\nexec sleep 1000", options: quick, outcome: refused,
		want: []string{"did not say which Python it is within 500ms"}},
	{name: "crashing at start", script: "echo 'Fatal Python error: cannot start' >&2\nkill -SEGV $$", outcome: refused,
		want: []string{"segmentation fault", "Fatal Python error: cannot start"}},
	{name: "answering garbage", script: "printf 'no answer but garbage'\nexec sleep 1000", options: quick, outcome: refused,
		want: []string{"first answer would be", "over the limit of 65536 bytes"}},
	{name: "partial handshake, then silent", script: `printf '\100\000\000\000cpython\0003.13'` + "\nexec sleep 1000", options: quick, outcome: refused,
		want: []string{"did not say which Python it is within 500ms"}},
	{name: "partial handshake, then exit", script: `printf '\100\000\000\000cpython'`, outcome: refused,
		want: []string{"unexpected answer"}},
	{name: "closing stdout", script: "exec >&-\nexec sleep 1000", options: quick, outcome: refused,
		want: []string{"no answer: EOF"}},

	// After a good start: a real CPython behind a fake that fails later.
	{name: "exiting after each first compile", script: "fake exit 1", options: []string{"-j", "1"}, sources: 3, outcome: compiled},
	{name: "exiting at its first compile", script: "fake exit 0", outcome: failed,
		want: []string{"the interpreter process died", "exit status 3"}, modes: append(modeSet{srcMode}, allModes...)},
	{name: "exiting in the middle of a request", script: "fake exit-mid 0", outcome: failed,
		want: []string{"the interpreter process died", "exit status 0"}},
	{name: "answering garbage after a good start", script: "fake garbage 0", outcome: failed,
		want: []string{"stopped answering correctly", "bad answer status 9"}},
	{name: "announcing a huge answer and flooding", script: "fake huge 0", outcome: failed,
		want: []string{"a compile answer would be 4294967280 bytes, over the limit of 1073741824 bytes"}},
	{name: "closing stdout after a good start", script: "fake close-stdout 0", outcome: failed,
		want: []string{"stopped answering correctly", "EOF"}},
	{name: "hanging in a compile", script: "fake hang 0", options: []string{"--timeout", "2s"}, sources: 1, outcome: failed,
		want: []string{"took longer than the limit of 2s"}},
	{name: "flooding stderr after a good start", script: "fake stderr-flood 0", sources: 1, outcome: compiled,
		want: []string{"wrote more than 8388608 bytes on stderr while compiling one source; the rest is dropped"}},
	{name: "sleeping when started again", script: "fake late-start 1", options: []string{"-j", "2", "--startup-timeout", "5s"}, sources: 6, outcome: compiled},
}

// TestFaults runs every fault case in every mode.
func TestFaults(t *testing.T) {
	real := realPython(t)
	for _, c := range faultCases {
		t.Run(c.name, func(t *testing.T) {
			n := c.sources
			if n == 0 {
				n = 2
			}
			for _, m := range append(allModes, srcMode) {
				if !c.modes.has(m) || (m == srcMode && c.modes == nil) {
					continue
				}
				t.Run(m.String(), func(t *testing.T) {
					runCase(t, c, m, real, n)
				})
			}
		})
	}
}

func runCase(t *testing.T, c faultCase, m mode, real pythons.Interpreter, n int) {
	tr := newTree(t, n, 200)
	fake := writeFake(t, c.script, real.Path)
	b := c.bounds
	if b == (bounds{}) {
		b = defaultBounds
	}
	in := &invocation{mode: m, python: fake, options: c.options, tree: tr, bounds: b}
	res := in.run(t)
	t.Logf("%s: exit %d after %s, peak RSS %d MiB", m, res.code, res.elapsed.Round(time.Millisecond), res.peakRSS>>20)
	checkNoLeftovers(t, c.name)

	wantCode := map[outcome]int{refused: 1, failed: 1, compiled: 0}[c.outcome]
	if c.outcome == refused && m == cliMode {
		wantCode = 2
	}
	if res.signaled != 0 {
		t.Fatalf("pyc died by %v", res.signaled)
	}
	if res.code != wantCode {
		t.Errorf("exit code %d, want %d; pyc said:\n%s", res.code, wantCode, res.message)
	}
	where := res.message
	if c.outcome == compiled {
		// The command line's stderr, or the worker's log and its answer.
		where = res.log + "\n" + res.message
	}
	if miss := containsAll(where, c.want); miss != "" {
		t.Errorf("the message lacks %q:\n%s", miss, where)
	}
	if c.outcome == refused && !strings.Contains(res.message, fake) {
		t.Errorf("the message does not name the interpreter %s:\n%s", fake, res.message)
	}
	if c.outcome == failed {
		for _, src := range tr.sources {
			if !strings.Contains(res.message, src) {
				t.Errorf("the message does not name %s:\n%s", src, res.message)
			}
		}
	}
	var refs map[string][]byte
	var done []string
	if c.outcome == compiled {
		refs, done = tr.references(t, real.Path), tr.sources
	}
	tr.checkFiles(t, m, real.CacheTag, refs, done)
}

// realPython is the CPython that the fakes which fail after a good start
// wrap: the newest on the machine.
func realPython(t *testing.T) pythons.Interpreter {
	pys := pythons.Require(t, 1)
	return pys[len(pys)-1]
}

// writeFake writes the interpreter script of a case and returns its path.
func writeFake(t *testing.T, script, real string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "python3")
	body := script
	if mode, n, ok := strings.Cut(strings.TrimPrefix(script, "fake "), " "); strings.HasPrefix(script, "fake ") && ok {
		body = fmt.Sprintf("exec %s %s %s %s \"$0\" \"$@\"", fakeBinary, mode, n, real)
	}
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestDefaultStartsNoCompileServer: with no --backend (auto), an
// interpreter of a release the native compiler covers is only asked its
// version. A fake that exits at its first compile request, in front of a
// real CPython 3.13, then fails nothing: every mode compiles every source to
// that interpreter's py_compile bytes.
func TestDefaultStartsNoCompileServer(t *testing.T) {
	var real pythons.Interpreter
	for _, py := range pythons.Find(t) {
		r := release.Release{Major: py.Major, Minor: py.Minor, Micro: py.Micro}
		if !py.Embedded && native.Check(r) == nil {
			real = py
		}
	}
	if real.Path == "" {
		t.Skip("no CPython of a release the native compiler covers")
	}
	for _, m := range append(allModes, srcMode) {
		t.Run(m.String(), func(t *testing.T) {
			tr := newTree(t, 3, 200)
			fake := writeFake(t, "fake exit 0", real.Path)
			in := &invocation{mode: m, python: fake, tree: tr, bounds: defaultBounds, defaultBackend: true}
			res := in.run(t)
			checkNoLeftovers(t, "default backend")
			if res.signaled != 0 || res.code != 0 {
				t.Fatalf("exit %d (signal %v); pyc said:\n%s", res.code, res.signaled, res.message)
			}
			tr.checkFiles(t, m, real.CacheTag, tr.references(t, real.Path), tr.sources)

			// The same run with the CPython backend fails: the fake does
			// stand in the way of a compile.
			tr = newTree(t, 3, 200)
			in = &invocation{mode: m, python: fake, tree: tr, bounds: defaultBounds}
			if res := in.run(t); res.code == 0 || !strings.Contains(res.message, "the interpreter process died") {
				t.Errorf("--backend cpython: exit %d; want a failure, the interpreter process died; pyc said:\n%s", res.code, res.message)
			}
			checkNoLeftovers(t, "cpython backend")
		})
	}
}
