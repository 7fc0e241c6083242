package codegen

import (
	"errors"
	"fmt"
	"slices"
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

// TestAddopFastPath checks what addop's fast path relies on: fastEnd never
// passes the sequence's capacity nor the next checkpoint, so the
// instructions appended are those instr.Sequence.Add appends and the
// checkpoints fall where they did before the fast path (the unit's first
// instruction, every stopEvery after, maxUnitInstrs), an Insert between
// the appends included.
func TestAddopFastPath(t *testing.T) {
	saved := maxUnitInstrs
	defer func() { maxUnitInstrs = saved }()
	maxUnitInstrs = 3*stopEvery + 5
	c := &compiler{u: &unit{}}
	c.u.seq = &instr.Sequence{}
	var want instr.Sequence
	checks := 0
	err := func() (err error) {
		defer func() {
			if r := recover(); r != nil {
				err = r.(genError).err
			}
		}()
		for i := 0; ; i++ {
			u := c.u
			before := u.nextCheck
			loc := instr.Location{Line: int32(i), EndLine: int32(i), Col: 1, EndCol: 2}
			if i == 1000 {
				in := instr.Instr{Op: opNOP, Loc: loc, Handler: instr.NoHandler}
				if err := u.seq.Insert(0, in); err != nil {
					t.Fatal(err)
				}
				if err := want.Insert(0, in); err != nil {
					t.Fatal(err)
				}
			}
			c.addop(opLOAD_FAST, int32(i), loc)
			want.Add(opLOAD_FAST, int32(i), loc)
			if u.nextCheck != before {
				checks++
			}
			if u.fastEnd > cap(u.seq.Instrs) || u.fastEnd > u.nextCheck {
				t.Fatalf("after %d instructions fastEnd is %d (capacity %d, next check %d)", len(u.seq.Instrs), u.fastEnd, cap(u.seq.Instrs), u.nextCheck)
			}
		}
	}()
	if err == nil || !strings.Contains(err.Error(), "code object too large") {
		t.Fatalf("got %v, want the unit too large", err)
	}
	if n := len(c.u.seq.Instrs); n != maxUnitInstrs {
		t.Errorf("failed at %d instructions, want %d", n, maxUnitInstrs)
	}
	if checks != 4 {
		t.Errorf("%d checkpoints moved on, want 4 (at 0 and every %d)", checks, stopEvery)
	}
	if !slices.Equal(c.u.seq.Instrs, want.Instrs) {
		t.Error("the instructions differ from those Sequence.Add appends")
	}
}
