package codegen

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/native/instr"
	"github.com/rules-pyc/rules_pyc/compiler/native/pyobj"
	"github.com/rules-pyc/rules_pyc/compiler/native/symtable"
	"github.com/rules-pyc/rules_pyc/compiler/release"
	"github.com/rules-pyc/rules_pyc/compiler/stop"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/parser"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/syntaxerr"
)

// generateSrc parses src and generates its code, calling finish for each
// finished unit, with stop as Config.Stop.
func generateSrc(t *testing.T, src string, finish func(*Unit) (*pyobj.Object, error), p *pyobj.Process, stop <-chan struct{}) error {
	t.Helper()
	rel := release.Release{Major: 3, Minor: 13}
	mod, serr, err := parser.Parse("x.py", []byte(src), rel, parser.Options{})
	if err != nil || serr != nil {
		t.Fatalf("parse: %v %v", err, serr)
	}
	fut, err := symtable.ParseFuture(mod, "x.py", rel, nil)
	if err != nil {
		t.Fatal(err)
	}
	st, err := symtable.Build(mod, symtable.Config{Filename: "x.py", Release: rel, Future: fut})
	if err != nil {
		t.Fatal(err)
	}
	_, err = Generate(mod, st, Config{Filename: "x.py", Release: rel, Process: p, Finish: finish, Buffers: &instr.Buffers{}, Stop: stop})
	return err
}

// TestStopPolled checks that code generation polls Config.Stop while a
// unit grows, not only when it starts: the channel is closed when the
// function f finishes, after the module's unit began, and the module's
// 80,000 instructions must not all be generated.
func TestStopPolled(t *testing.T) {
	startup, err := pyobj.StartupFor(release.Release{Major: 3, Minor: 13})
	if err != nil {
		t.Fatal(err)
	}
	src := "def f(): pass\n" + strings.Repeat("x = 1\n", 40000)
	for _, tc := range []struct {
		name    string
		close   bool
		stopped bool
	}{{"open", false, false}, {"closed after f", true, true}} {
		t.Run(tc.name, func(t *testing.T) {
			p := pyobj.NewProcess(startup)
			ch := make(chan struct{})
			units := 0
			finish := func(u *Unit) (*pyobj.Object, error) {
				units++
				if tc.close && units == 1 {
					close(ch)
				}
				return p.NewCode(&pyobj.CodeObject{}), nil
			}
			stopped := stop.Run(func() {
				if err := generateSrc(t, src, finish, p, ch); err != nil {
					t.Fatal(err)
				}
			})
			if stopped != tc.stopped || (!stopped && units != 2) || (stopped && units != 1) {
				t.Errorf("stopped %v after %d units, want stopped %v", stopped, units, tc.stopped)
			}
		})
	}
}

// TestUnitTooLarge checks that a code unit whose instructions pass
// maxUnitInstrs fails with a MemoryError rather than growing on, and that
// one below it compiles. The bound is lowered here (at its real value such
// a unit takes over a gigabyte); the sources are sequence patterns whose
// captures make code quadratic in their number, as CPython's does.
func TestUnitTooLarge(t *testing.T) {
	rel := release.Release{Major: 3, Minor: 13}
	startup, err := pyobj.StartupFor(rel)
	if err != nil {
		t.Fatal(err)
	}
	saved := maxUnitInstrs
	defer func() { maxUnitInstrs = saved }()
	maxUnitInstrs = 5000
	for _, tc := range []struct {
		captures int
		tooLarge bool
	}{{40, false}, {200, true}} {
		names := make([]string, tc.captures)
		for i := range names {
			names[i] = fmt.Sprintf("a%d", i)
		}
		src := "def f(x):\n    match x:\n        case [" + strings.Join(names, ", ") + "]: pass\n"
		p := pyobj.NewProcess(startup)
		units := 0
		finish := func(u *Unit) (*pyobj.Object, error) {
			units++
			return p.NewCode(&pyobj.CodeObject{}), nil
		}
		err = generateSrc(t, src, finish, p, nil)
		var e *syntaxerr.Error
		switch {
		case !tc.tooLarge && err != nil:
			t.Errorf("%d captures: %v", tc.captures, err)
		case !tc.tooLarge && units != 2:
			t.Errorf("%d captures: %d code units finished, want 2", tc.captures, units)
		case tc.tooLarge && !errors.As(err, &e):
			t.Errorf("%d captures: got %v, want a MemoryError", tc.captures, err)
		case tc.tooLarge && (e.Type != syntaxerr.MemoryError || e.Msg != "code object too large to compile (more than 5000 instructions)"):
			t.Errorf("%d captures: got %s: %s, want MemoryError: code object too large to compile (more than 5000 instructions)", tc.captures, e.Type, e.Msg)
		}
	}
}
