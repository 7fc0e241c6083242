package opcode

import (
	"fmt"
	"math/rand"
	"testing"

	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

// oracleScript answers, for the opcode numbers and opargs it reads, what
// the interpreter's own modules say.
const oracleScript = `
import json, sys, _opcode, opcode, _opcode_metadata as m
req = json.load(sys.stdin)
spec = {n: b for b, ns in m._specializations.items() for n in ns}
out = {"have_argument": m.HAVE_ARGUMENT, "min_instrumented": m.MIN_INSTRUMENTED_OPCODE,
       "opmap": m.opmap, "ops": {}}
for name, op in m.opmap.items():
    has_arg = bool(_opcode.has_arg(op))
    eff = []
    for a in req["opargs"]:
        row = []
        for jump in (False, True):
            try:
                row.append(_opcode.stack_effect(op, a if has_arg else None, jump=jump))
            except ValueError:
                row.append(None)
        eff.append(row)
    out["ops"][name] = dict(arg=has_arg, const=bool(_opcode.has_const(op)), name=bool(_opcode.has_name(op)),
        jump=bool(_opcode.has_jump(op)), free=bool(_opcode.has_free(op)), local=bool(_opcode.has_local(op)),
        exc=bool(_opcode.has_exc(op)), cache=opcode._inline_cache_entries.get(name, 0),
        deopt=spec.get(name, name), effect=eff)
json.dump(out, sys.stdout)
`

type oracleOp struct {
	Arg, Const, Name, Jump, Free, Local, Exc bool
	Cache                                    int
	Deopt                                    string
	Effect                                   [][2]*int
}

type oracleAnswer struct {
	HaveArgument    int                 `json:"have_argument"`
	MinInstrumented int                 `json:"min_instrumented"`
	Opmap           map[string]int      `json:"opmap"`
	Ops             map[string]oracleOp `json:"ops"`
}

// TestAgainstInterpreters compares every entry of V313 with each CPython
// 3.13 on the machine (pyenv's 3.13.0, the chroot's 3.13.N): the same
// opcodes, numbers, flags, cache sizes, specialization bases, and the same
// stack effect for opargs 0..600, a fixed-seed sample of larger ones, and
// the EXTENDED_ARG boundaries.
func TestAgainstInterpreters(t *testing.T) {
	opargs := []int{}
	for a := 0; a <= 600; a++ {
		opargs = append(opargs, a)
	}
	r := rand.New(rand.NewSource(1))
	for i := 0; i < 200; i++ {
		opargs = append(opargs, r.Intn(1<<24))
	}
	opargs = append(opargs, 0xFFFF, 0x10000, 0xFFFFFF)
	for _, py := range pythons.Minor(t, 3, 13) {
		t.Run(py.Version, func(t *testing.T) {
			var ans oracleAnswer
			py.RunJSON(t, oracleScript, map[string]any{"opargs": opargs}, &ans)
			tab := V313
			if int(tab.HaveArgument) != ans.HaveArgument || int(tab.MinInstrumented) != ans.MinInstrumented {
				t.Errorf("HAVE_ARGUMENT/MIN_INSTRUMENTED: %d/%d, interpreter %d/%d", tab.HaveArgument, tab.MinInstrumented, ans.HaveArgument, ans.MinInstrumented)
			}
			count := 0
			for i := 0; i < tab.Len(); i++ {
				if tab.Name(Op(i)) != "" {
					count++
				}
			}
			if count != len(ans.Opmap) {
				t.Errorf("%d opcodes, interpreter %d", count, len(ans.Opmap))
			}
			for name, num := range ans.Opmap {
				op, ok := tab.Lookup(name)
				if !ok || int(op) != num {
					t.Errorf("%s: number %d (known %v), interpreter %d", name, op, ok, num)
					continue
				}
				o := ans.Ops[name]
				in := tab.Info(op)
				want := flagsOf(o, num)
				if got := in.Flags &^ (Pseudo | Specialized | Instrumented | BackwardJump); got != want {
					t.Errorf("%s: flags %b, interpreter %b", name, got, want)
				}
				if int(in.Cache) != o.Cache {
					t.Errorf("%s: %d cache entries, interpreter %d", name, in.Cache, o.Cache)
				}
				if tab.Name(in.Deopt) != o.Deopt {
					t.Errorf("%s: deopt %s, interpreter %s", name, tab.Name(in.Deopt), o.Deopt)
				}
				if tab.Has(op, Specialized) || tab.Has(op, Instrumented) {
					continue
				}
				for i, a := range opargs {
					if !o.Arg && i > 0 {
						break
					}
					for j, jump := range []bool{false, true} {
						got, ok := tab.StackEffect(op, a, jump)
						w := o.Effect[i][j]
						if (w == nil) != !ok || (w != nil && *w != got) {
							t.Errorf("%s oparg %d jump %v: effect %d (valid %v), interpreter %s", name, a, jump, got, ok, show(w))
						}
					}
				}
			}
		})
	}
}

func show(p *int) string {
	if p == nil {
		return "invalid"
	}
	return fmt.Sprint(*p)
}

func flagsOf(o oracleOp, num int) Flags {
	var f Flags
	for _, x := range []struct {
		c bool
		f Flags
	}{{o.Arg, HasArg}, {o.Const, HasConst}, {o.Name, HasName}, {o.Jump, HasJump}, {o.Free, HasFree}, {o.Local, HasLocal}, {o.Exc, HasExc}} {
		if x.c {
			f |= x.f
		}
	}
	return f
}

func TestTable(t *testing.T) {
	tab := V313
	tests := []struct {
		name   string
		oparg  int
		size   int
		pseudo bool
	}{
		{"NOP", 0, 1, false},
		{"LOAD_GLOBAL", 3, 5, false},
		{"LOAD_ATTR", 0x100, 11, false},
		{"CALL", 0x10000, 6, false},
		{"LOAD_CONST", 0x1000000, 4, false},
		{"JUMP", 0, 1, true},
	}
	for _, tt := range tests {
		op := tab.MustLookup(tt.name)
		if got := tab.Size(op, tt.oparg); got != tt.size && !tt.pseudo {
			t.Errorf("Size(%s, %d) = %d, want %d", tt.name, tt.oparg, got, tt.size)
		}
		if tab.IsPseudo(op) != tt.pseudo {
			t.Errorf("IsPseudo(%s) = %v", tt.name, !tt.pseudo)
		}
	}
	jump := tab.Info(tab.MustLookup("JUMP"))
	if len(jump.Targets) != 2 || tab.Name(jump.Targets[1]) != "JUMP_BACKWARD" {
		t.Errorf("JUMP targets %v", jump.Targets)
	}
	if !tab.Has(tab.MustLookup("JUMP_BACKWARD_NO_INTERRUPT"), BackwardJump) || tab.Has(tab.MustLookup("JUMP_FORWARD"), BackwardJump) {
		t.Error("BackwardJump flags")
	}
	if ForVersion(3, 13) != V313 || ForVersion(3, 12) != nil {
		t.Error("ForVersion")
	}
	if tab.Name(3) != "" || tab.Name(60000) != "" {
		t.Error("unknown numbers have names")
	}
}
