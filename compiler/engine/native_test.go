package engine_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rules-pyc/rules_pyc/compiler/engine"
	"github.com/rules-pyc/rules_pyc/compiler/failure"
	"github.com/rules-pyc/rules_pyc/compiler/pycfile"
	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

// nativeSources are sources that exercise what a backend does besides the
// bytes of a valid module: warnings (the tokenizer's, the parser's and the
// compiler's), each kind of error (tokenizer, parser, future statements,
// symbol table, compiler, marshal's ValueError for code nested deeper than
// it goes, which py_compile does not wrap), and errors after warnings.
var nativeSources = map[string]string{
	"plain.py":     "import os\ndef f(a, b=2):\n    return [x * a for x in range(b)]\nclass C:\n    def m(self): self.y = {1, 2, 3}\n",
	"warnings.py":  "x = '\\d'\nif x is 1: pass\ny = 1if x else 2\nassert (x, 1)\n",
	"warnerror.py": "x = '\\d'\ndef f(:\n",
	"tokenizer.py": "x = 'abc\n",
	"indent.py":    "def f():\nreturn 1\n",
	"future.py":    "from __future__ import braces\n",
	"late.py":      "import os\nfrom __future__ import annotations\n",
	"symtable.py":  "def f(a):\n    global a\n",
	"codegen.py":   "return 1\n",
	"nul.py":       "x = 1\x00\n",
	"cookie.py":    "# -*- coding: no-such-codec -*-\nx = 1\n",
	"latin1.py":    "# -*- coding: latin-1 -*-\nx = '\xe9'\nif x is 'a': pass\n",
	// Folding ~True warns from C (DeprecationWarning), attributed to the
	// frame that called compile(): in py_compile's importlib, which
	// ignores it.
	"invert.py": "x = ~True\ny = ~False\n",
	"docs.py":   "'''Module doc.'''\ndef f():\n    '''Function doc.'''\n    assert f, 'msg'\n    return __debug__\n",
	// 998 nested lambdas are the most marshal takes (MAX_MARSHAL_STACK_DEPTH).
	"deepest.py": "f = " + strings.Repeat("lambda: ", 998) + "1\n",
	"toodeep.py": "f = " + strings.Repeat("lambda: ", 999) + "1\n",
}

// outcome is what a backend made of one source at one level and mode.
type outcome struct {
	data     []byte
	stub     bool
	errMsg   string
	warnings string
}

// compileWith compiles every source of dir with e at every level and mode,
// one at a time, and returns the outcomes by "name -oN mode" and every
// compile's warnings in the order of the compiles.  Nothing may reach the
// engine's Stderr: a compile's warnings belong to its result.
func compileWith(t *testing.T, cfg engine.Config, dir string, names []string, stub bool) (map[string]outcome, string) {
	t.Helper()
	var stderr syncBuffer
	cfg.Stderr = &stderr
	cfg.Jobs = 1
	e := engine.New(cfg)
	out := map[string]outcome{}
	var warnings strings.Builder
	for _, name := range names {
		for _, opt := range []int{0, 1, 2} {
			for _, mode := range []pycfile.Invalidation{pycfile.CheckedHash, pycfile.UncheckedHash, pycfile.Timestamp} {
				res, err := e.Compile(context.Background(), engine.Job{
					Source: filepath.Join(dir, name), Name: filepath.Join(dir, name),
					Optimize: opt, Mode: mode, Stub: stub,
				})
				o := outcome{data: res.Data, stub: res.Stub, warnings: res.Warnings}
				warnings.WriteString(res.Warnings)
				var ce *failure.CompileError
				switch {
				case errors.As(err, &ce):
					o.errMsg = ce.Msg
				case err != nil:
					t.Fatalf("%s: %v", name, err)
				}
				out[fmt.Sprintf("%s -o%d %s", name, opt, mode)] = o
			}
		}
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if s := stderr.String(); s != "" {
		t.Errorf("backend %s wrote on the engine's stderr, not in a result:\n%s", cfg.Backend, s)
	}
	return out, warnings.String()
}

// TestNativeBackendAsCPython compiles sources with every 3.13 interpreter
// this process can run through the CPython backend, and with the native
// backend for that interpreter's release (named by the interpreter, by its
// version alone, and by Auto): the .pyc bytes in every mode and level, the
// errors' messages, the stubs and the warnings printed must be the
// CPython backend's.
func TestNativeBackendAsCPython(t *testing.T) {
	var found []pythons.Interpreter
	for _, py := range pythons.Find(t) {
		if py.Major == 3 && py.Minor == 13 && !py.Embedded {
			found = append(found, py)
		}
	}
	if len(found) == 0 {
		t.Skip("no CPython 3.13 (TestChrootInterpreters covers the chroot's)")
	}
	dir := t.TempDir()
	var names []string
	for name, src := range nativeSources {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		names = append(names, name)
	}
	for _, py := range found {
		t.Run(py.Version, func(t *testing.T) {
			for _, stub := range []bool{false, true} {
				want, wantErr := compileWith(t, engine.Config{Backend: engine.CPython, Python: py.Path}, dir, names, stub)
				// The sources must reach what they are for.
				rejected, stubs := 0, 0
				for _, w := range want {
					if w.errMsg != "" {
						rejected++
					}
					if w.stub {
						stubs++
					}
				}
				if rejected < 8*9 || (stub && stubs != rejected) || strings.Count(wantErr, "SyntaxWarning") < 40 {
					t.Fatalf("the CPython backend rejected %d, made %d stubs and printed %d warnings:\n%s", rejected, stubs, strings.Count(wantErr, "SyntaxWarning"), wantErr)
				}
				for _, cfg := range []engine.Config{
					{Backend: engine.Native, Python: py.Path},
					{Backend: engine.Native, Version: py.Version},
					{Backend: engine.Auto, Python: py.Path},
					{Backend: engine.Auto, Version: py.Version},
				} {
					got, gotErr := compileWith(t, cfg, dir, names, stub)
					what := fmt.Sprintf("backend %s, python %q, version %q, stub %v", cfg.Backend, cfg.Python, cfg.Version, stub)
					for k, w := range want {
						g := got[k]
						if !bytes.Equal(g.data, w.data) || g.stub != w.stub || g.errMsg != w.errMsg {
							t.Errorf("%s: %s:\n got %d bytes (stub %v), error %q\nwant %d bytes (stub %v), error %q",
								what, k, len(g.data), g.stub, g.errMsg, len(w.data), w.stub, w.errMsg)
						}
						if g.warnings != w.warnings {
							t.Errorf("%s: %s: warnings\n%s\nwant\n%s", what, k, g.warnings, w.warnings)
						}
					}
					if gotErr != wantErr {
						t.Errorf("%s: warnings\n%s\nwant\n%s", what, gotErr, wantErr)
					}
				}
			}
		})
	}
}

// TestTargetSelection checks the release each backend chooses, and that a
// native target named by a version starts no interpreter (PATH is empty).
func TestTargetSelection(t *testing.T) {
	var py313, older pythons.Interpreter
	for _, py := range pythons.Find(t) {
		switch {
		case py.Embedded:
		case py.Major == 3 && py.Minor == 13:
			py313 = py
		case py.Major == 3 && py.Minor == 12:
			older = py
		}
	}
	t.Setenv("PATH", "")
	ctx := context.Background()
	cases := []targetCase{
		{engine.Config{Backend: engine.Native}, engine.Native, "3.13.18", ""},
		{engine.Config{Backend: engine.Native, Version: "3.13"}, engine.Native, "3.13.18", ""},
		// What pyc --version says a bare 3.13 means is what is chosen.
		{engine.Config{Backend: engine.Auto, Version: engine.DefaultNativeVersion}, engine.Native, engine.NativeDefault(), ""},
		{engine.Config{Backend: engine.Native, Version: "3.13.5"}, engine.Native, "3.13.5", ""},
		{engine.Config{Backend: engine.Native, Version: "3.13.0"}, engine.Native, "3.13.0", ""},
		{engine.Config{Backend: engine.Auto, Version: "3.13.1"}, engine.Native, "3.13.1", ""},
		{engine.Config{Backend: engine.Native, Version: "3.13.4"}, "", "", "generator expressions"},
		{engine.Config{Backend: engine.Native, Version: "3.13.19"}, "", "", "newer than the newest"},
		{engine.Config{Backend: engine.Native, Version: "3.12"}, "", "", "knows no release of it"},
		{engine.Config{Backend: engine.Native, Version: "3.12.1"}, "", "", "does not know 3.12"},
		// Auto for a release it does not cover goes to CPython: python3,
		// which an empty PATH does not have.
		{engine.Config{Backend: engine.Auto, Version: "3.12"}, "", "", "python3"},
		{engine.Config{Backend: engine.Auto}, "", "", "python3"},
	}
	if py313.Path != "" {
		cases = append(cases,
			targetCase{engine.Config{Backend: engine.Native, Python: py313.Path}, engine.Native, py313.Version, ""},
			targetCase{engine.Config{Backend: engine.Auto, Python: py313.Path, Version: "3.13"}, engine.Native, py313.Version, ""},
			targetCase{engine.Config{Backend: engine.Auto, Python: py313.Path, Version: "3.12"}, "", "", "was requested"},
		)
	}
	if older.Path != "" {
		cases = append(cases,
			targetCase{engine.Config{Backend: engine.Auto, Python: older.Path}, engine.CPython, older.Version, ""},
			targetCase{engine.Config{Backend: engine.Native, Python: older.Path}, "", "", "does not know 3.12"},
		)
	}
	for _, c := range cases {
		name := fmt.Sprintf("%s python=%q version=%q", c.cfg.Backend, c.cfg.Python, c.cfg.Version)
		t.Run(name, func(t *testing.T) {
			e := engine.New(c.cfg)
			defer e.Close()
			target, err := e.Target(ctx, "", "", "")
			if c.backend == "" {
				if err == nil || !strings.Contains(err.Error(), c.errMatch) {
					t.Fatalf("got %v, %v; want an error containing %q", target, err, c.errMatch)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if target.Backend != c.backend || target.Release.String() != c.release || target.CacheTag != "cpython-313" && c.backend == engine.Native {
				t.Errorf("got %s (%s, %s); want %s %s", target, target.Backend, target.Release, c.backend, c.release)
			}
			if c.backend == engine.Native && (c.cfg.Python != "") != (target.Interpreter != nil) {
				t.Errorf("Interpreter %v for python %q", target.Interpreter, c.cfg.Python)
			}
		})
	}
}

// targetCase is a configuration and the target it must choose: a backend
// and release, or ("" backend) an error containing errMatch.
type targetCase struct {
	cfg      engine.Config
	backend  engine.Backend
	release  string
	errMatch string
}

// syncBuffer is a bytes.Buffer safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestRepointedInterpreterLink compiles through one link to an interpreter,
// re-points the link to another interpreter, and compiles again in the same
// engine, as a persistent worker does when a Bazel toolchain's interpreter
// repository (which links bin/python3) is set up again with another
// interpreter: the second job must be the second interpreter's, for every
// backend.
func TestRepointedInterpreterLink(t *testing.T) {
	found := pythons.Require(t, 2)
	// The oldest, a 3.13 (which auto compiles natively) when there is one,
	// and the newest: each link target a different release.
	seq := []pythons.Interpreter{found[0]}
	for _, py := range found {
		if py.Major == 3 && py.Minor == 13 && !py.Embedded {
			seq = append(seq, py)
			break
		}
	}
	seq = append(seq, found[len(found)-1])
	if seq[0].CacheTag == seq[len(seq)-1].CacheTag {
		t.Fatalf("need two minor versions, found %v", found)
	}
	dir := t.TempDir()
	link := filepath.Join(dir, "python3")
	src := filepath.Join(dir, "m.py")
	if err := os.WriteFile(src, []byte("x = [i for i in range(3)]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, backend := range []engine.Backend{engine.CPython, engine.Auto} {
		t.Run(string(backend), func(t *testing.T) {
			e := engine.New(engine.Config{Backend: backend, Stderr: discard{}})
			defer e.Close()
			for _, py := range seq {
				if err := os.Remove(link); err != nil && !os.IsNotExist(err) {
					t.Fatal(err)
				}
				if err := os.Symlink(py.Path, link); err != nil {
					t.Fatal(err)
				}
				target, err := e.Target(context.Background(), "", link, "")
				if err != nil {
					t.Fatalf("through the link to %s: %v", py, err)
				}
				if target.CacheTag != py.CacheTag {
					t.Errorf("through the link to %s: the target is %s (cache tag %s, want %s)", py, target, target.CacheTag, py.CacheTag)
				}
				res, err := e.Compile(context.Background(), engine.Job{Python: link, Source: src, Name: "m.py", Mode: pycfile.CheckedHash})
				if err != nil {
					t.Fatalf("compile through the link to %s: %v", py, err)
				}
				if !bytes.Equal(res.Data[:4], py.Magic[:]) {
					t.Errorf("through the link to %s: magic %x, want %x", py, res.Data[:4], py.Magic[:])
				}
			}
		})
	}
}

// TestNativeLimits: a native compile is bound by Config.Timeout like the
// CPython backend's (a TimeoutError that says the native compile was
// stopped), and stops when its context ends (the context's error); a
// compile after either, in the same process (whose pooled memory the
// stopped compile may have left), gives the usual bytes.
func TestNativeLimits(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "big.py")
	if err := os.WriteFile(path, []byte(strings.Repeat("x = [1, 2, 3]\n", 50000)), 0o644); err != nil {
		t.Fatal(err)
	}
	job := engine.Job{Source: path, Name: path, Mode: pycfile.CheckedHash}
	for _, tc := range []struct {
		name    string
		timeout time.Duration
		cancel  bool
		check   func(err error) bool
	}{
		{"timeout", time.Nanosecond, false, func(err error) bool {
			var te *failure.TimeoutError
			return errors.As(err, &te) && te.Native && te.Limit == time.Nanosecond &&
				strings.Contains(err.Error(), "the native compile was stopped")
		}},
		{"cancelled", 0, true, func(err error) bool { return errors.Is(err, context.Canceled) }},
		{"neither", 0, false, func(err error) bool { return err == nil }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := engine.New(engine.Config{Backend: engine.Native, Version: "3.13.0", Timeout: tc.timeout, Jobs: 1})
			defer e.Close()
			ctx, cancel := context.WithCancel(context.Background())
			if tc.cancel {
				cancel()
			}
			defer cancel()
			res, err := e.Compile(ctx, job)
			if !tc.check(err) {
				t.Errorf("got %v", err)
			}
			if err != nil && res.Data != nil {
				t.Errorf("a stopped compile returned %d bytes", len(res.Data))
			}
			e2 := engine.New(engine.Config{Backend: engine.Native, Version: "3.13.0", Jobs: 1})
			defer e2.Close()
			if res, err := e2.Compile(context.Background(), job); err != nil || len(res.Data) < 16 {
				t.Errorf("the next compile: %v, %d bytes", err, len(res.Data))
			}
		})
	}
}

// TestUnreproducibleSystemError: a lambda reading __classdict__ in a class
// body's comprehension makes CPython 3.13.0 to 3.13.5 raise a SystemError
// whose message holds a memory address (get_ref_type's "unknown scope in
// unit <module> (ADDRESS)"), which no other process can write: there the
// native backend must refuse the source (so that auto hands it to CPython)
// rather than guess; where CPython's message holds no address (later
// releases), both backends must give the same one.
func TestUnreproducibleSystemError(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "classdict.py")
	if err := os.WriteFile(path, []byte("class _C:\n    res = [(lambda: __classdict__)() for _ in [1]]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	job := engine.Job{Source: path, Name: path, Mode: pycfile.CheckedHash}
	tested := 0
	for _, py := range pythons.Find(t) {
		if py.Major != 3 || py.Minor != 13 || py.Embedded {
			continue
		}
		tested++
		t.Run(py.Version, func(t *testing.T) {
			cpy := engine.New(engine.Config{Backend: engine.CPython, Python: py.Path, Jobs: 1})
			defer cpy.Close()
			_, err := cpy.Compile(context.Background(), job)
			var want *failure.CompileError
			if !errors.As(err, &want) || !strings.HasPrefix(want.Msg, "Sorry: SystemError: ") {
				t.Fatalf("CPython %s: got %v, want a SystemError", py.Version, err)
			}
			nat := engine.New(engine.Config{Backend: engine.Native, Version: py.Version, Jobs: 1})
			defer nat.Close()
			_, err = nat.Compile(context.Background(), job)
			if strings.Contains(want.Msg, "unknown scope in unit") {
				var unsup *failure.UnsupportedError
				if !errors.As(err, &unsup) {
					t.Errorf("native %s: got %v, want the source refused (CPython: %s)", py.Version, err, want.Msg)
				}
				return
			}
			var got *failure.CompileError
			if !errors.As(err, &got) || got.Msg != want.Msg {
				t.Errorf("native %s: got %v, want %q", py.Version, err, want.Msg)
			}
		})
	}
	if tested == 0 {
		t.Skip("no CPython 3.13 (TestChrootInterpreters covers the chroot's)")
	}
}
