package flowgraph

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rules-pyc/rules_pyc/compiler/native/instr"
	"github.com/rules-pyc/rules_pyc/compiler/native/opcode"
	"github.com/rules-pyc/rules_pyc/compiler/native/pyobj"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
	"github.com/rules-pyc/rules_pyc/internal/cfgoracle"
)

// snippets are sources that exercise each pass (the cases of CPython's
// test_peepholer and more); every code unit of each is compared with
// CPython, at every optimization level.
var snippets = map[string]string{
	"unary_not": `
def f(x):
    if not x == 2:
        del x
def g(a, b):
    return (not a is b, not a is not b, not a in b, not a not in b, not not a)
`,
	"constant_locals": `
def f():
    x = None
    x = None
    return x
def g():
    x = True
    return x
def h():
    "a docstring"
    return None
`,
	"while_true": `
def f():
    while 1:
        pass
    return list
def g(a):
    while True:
        if a: break
    while 0:
        a()
    return a
`,
	"pack_unpack": `
a, = a,
a, b = b, a
a, b, c = c, b, a
def f(x, y, z):
    x, = x,
    x, y = y, x
    x, y, z = z, y, x
    (x, y), z = (y, x), z
    return x, y, z
`,
	"tuples_of_constants": `
a = 1, 2, 3
("a", "b", "c")
a, b, c = 1, 2, 3
(None, 1, None)
((1, 2), 3, 4)
(~[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9],)
def f(a=1, b=(1, 2), *, c=3, d=(1, 2)):
    return (1, 2), (a, 2), [1, 2], {1, 2}, {"a": 1}
def g(x=(1, 2), y=1, z=2):
    return (1, 2)
`,
	"in_literals": `
a in [1, 2, 3]
a not in ["a", "b", "c"]
a in {None, 1, None}
a not in {(1, 2), 3, 4}
for x in [1, 2, 3]: pass
for x in {1, 2}: pass
def f(a):
    return a in {1, 2, 3}, a not in (1, 2), [x for x in [1, 2]]
`,
	"folding": `
a = 2+3+4
"@"*4
a = "abc" + "def"
a = 3**4, 13//4, 14%4, 13-4, (12,13)[1], 13 << 2, 13 >> 2, 13 & 7, 13 ^ 7, 13 | 7
a = 2 + "b"
a = "x" * 5000
a = 1 << 1000
a = 2 ** 1000
a = "foo"[0], "\u0061\uffff"[1], "\U00012345"[0], "fuu"[10]
a = -0.5, -0.0, -(1.0-1.0), -0, ~-2, +1
a = -"abc", ~"abc"
a = 3 * -5, -3 * 5, 2 * (3 * 4), (-1, 2, 3), (1, 2, -3) * 6
f = lambda x: x in {(3 * -5) + (-1 - 6), (1, -2, 3) * 2, None}
`,
	"jumps": `
def f(cond, t, e):
    return (t if cond
            else e)
def g():
    if a:
        if (c
            or d):
            foo()
    else:
        baz()
def h():
    while a:
        if (c
            or d):
            a = foo()
def i(a, b, c):
    return ((a and b)
            and c), ((a or b) or c), ((a and b) or c), ((a or b) and c)
def j():
    for i in range(5):
        if i > 3:
            print(i)
def k(cond1, cond2):
    if cond1: return 1
    if cond2: return 2
    while 1:
        return 3
    while 1:
        if cond1: return 4
        return 5
    return 6
`,
	"if_expressions": `
def f(x):
    if (x if x else None): return 1
    if x is None: return 2
    if x is not None: return 3
    if None is x: return 4
    if (x is None) is True: return 5
    if not (x is None): return 6
    return 1 if 0 else 2, 1 if 1 else 2, 1 if "" else 2, 1 if (1,) else 2, 1 if 0.0 else 2, 1 if 0j else 2, 1 if b"" else 2, 1 if ... else 2
`,
	"binop_bools": `
def f(x, y):
    if x and not y: pass
    if (x or y) and (x and y): pass
    return (x < y) == True, not (x < y), x < y < 3
`,
	"comprehensions": `
def f(a, b):
    x = [y for y in a for z in [b]]
    s = {z for z in a if z}
    d = {k: v for k, v in a}
    g = (y for y in a)
    return x, s, d, g
class C:
    a = [x for x in range(3)]
    b = [self for self in a]
[x for x in y]
`,
	"format": `
a, b, c = 1, 2, 3
"%s" % a
"%s %r %a" % (a, b, c)
"%-5s %5d %.2f %x %o" % (a, b, c, a, b)
"%%" % ()
"%s %s" % (a,)
f"{a!r:>{b}} {c=}"
`,
	"match": `
def f(x):
    match x:
        case (a, b) if a: return a
        case [a, b, *rest]: return rest
        case {"k": v, **kw}: return v
        case C(p, q=r): return p, r
        case None | True | 1 | "s": return 0
        case _: return x
def g(x):
    match x:
        case {"x": a, "y": b}: a, b = b, a
        case P(a, b): a, b = b, a
`,
	"locals_unknown": `
def f():
    x = 1
    return x
def g():
    return x
    x = 1
def h(p):
    x = 1
    del x
    return x, p
def i(c):
    if c:
        x = 1
    return x
def j():
    try:
        x = 1 / 0
    except:
        pass
    return x
def k():
    x = 1
    try:
        del x
    except:
        pass
    return x
def l():
    x = 1
    x += 1
    return x
`,
	"many_locals": "def f(p):\n" + manyLocals(80) + "    return v0, v70, v79\n" +
		"def g():\n    for v0 in range(3): pass\n" + manyLocals(70) + "    del v66\n    return v66, v1\n",
	"line_numbers": `
def f(a):
    x = 1
    x = 2
    if a:
        pass
    else:
        pass
    for _ in a:
        pass
    while a:
        break
    return (
        x
    )
def g(a):
    return a.b.c(
        1,
        2,
    )
`,
	"exceptions": `
def f(a):
    try:
        a()
    except ValueError as e:
        return e
    except (TypeError, KeyError):
        raise
    else:
        a = 2
    finally:
        print(a)
    return a
def g(a):
    try:
        return a
    finally:
        a = 1
def h(a):
    for x in a:
        try:
            continue
        finally:
            break
def i(a):
    with a as b, a() as c:
        return b
def j(a):
    while a:
        try:
            a()
        except:
            continue
def k(a):
    try:
        a()
    except* OSError as e:
        print(e)
    except* ValueError:
        pass
`,
	"async_and_generators": `
async def f(a):
    async with a as b:
        await b
    async for x in a:
        yield x
    return
async def g(a):
    return [x async for x in a], await a
def h(a):
    yield 1
    yield from a
    x = yield
    return x
def i(a):
    try:
        yield 1
    finally:
        yield 2
def j():
    return (x for x in range(3))
`,
	"closures": `
def f(a, b):
    c = 1
    def g():
        nonlocal c
        c = a + b
        return c
    return g
def h(x):
    return lambda: x
class C:
    def m(self):
        return __class__, super().m()
    def n(self):
        def inner():
            return self
        return inner
def outer():
    x = 1
    class D:
        y = x
    return D
`,
	"type_params": `
def f[T](x: T) -> T: return x
class C[T, *Ts, **P]:
    def m[U](self, u: U = None) -> U: return u
type A = list[int]
type B[T] = dict[str, T]
def g[T: int = str](x=1, *, y=2): return x
`,
	"extended_args": "def f(x):\n    return [" + manyConsts(300) + "], x\n" +
		"def g(x):\n" + manyBranches(80),
	"static_swaps": `
def f(a, b, c):
    a, b = b, a
    a, b, c = c, b, a
    a, b, c = c, a, b
    (a, b), c = c, (a, b)
    a[0], b = b, a
    a, a = b, c
    return a, b, c
`,
	"dead_code": `
def f():
    return 1
    x = 2
def g():
    raise ValueError
    return 1
def h(a):
    while True:
        if a:
            return 1
    return 2
if 0:
    def dead(): pass
if False:
    class Dead: pass
`,
	"globals_and_calls": `
import os, sys as s
from os import path, sep as q
from . import x
from .. import *
print(len(x), *a, **b)
f(a, b=1, *c, **d)
o.m(1, k=2)
super().__init__()
`,
	"assert_and_debug": `
def f(a):
    assert a, "msg"
    assert not a
    if __debug__:
        print(a)
    return __debug__
`,
	"docstrings": `
"""Module docstring."""
class C:
    """Class
       docstring."""
    def m(self):
        """Method
           docstring."""
def f():
    "only a docstring"
def g():
    x = "not a docstring"
`,
}

func manyLocals(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "    v%d = p if %d %% 3 else None\n", i, i)
	}
	return b.String()
}

func manyConsts(n int) string {
	s := make([]string, n)
	for i := range s {
		s[i] = fmt.Sprintf("%d.5", i)
	}
	return strings.Join(s, ", ")
}

func manyBranches(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "    if x == %d:\n        x = x.a%d(%d, 'k%d')\n", i, i, i, i)
	}
	b.WriteString("    while x:\n        x -= 1\n    return x\n")
	return b.String()
}

// TestSnippets compares every code unit of each snippet with CPython, at
// optimization levels 0, 1 and 2.
func TestSnippets(t *testing.T) {
	dir := t.TempDir()
	var files []string
	for name, src := range snippets {
		files = append(files, name+".py")
		if err := os.WriteFile(filepath.Join(dir, name+".py"), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, in := range interpreters(t) {
		t.Run(in.Version, func(t *testing.T) {
			for _, opt := range []int{0, 1, 2} {
				c := sweep(t, in, dir, files, opt)
				t.Logf("%s -O%d: %v", in.Version, opt, c)
				if c.errors > 0 {
					t.Errorf("%d snippets do not compile", c.errors)
				}
			}
		})
	}
}

// rawCase is an instruction sequence written by hand for optimize_cfg.
type rawCase struct {
	name    string
	instrs  []cfgoracle.Row
	consts  []cfgoracle.Const
	nlocals int
}

// ri is an instruction of a raw case: a name, an oparg (a label for
// jumps) and a line (-1: none).
func ri(name string, arg int32, line int32) cfgoracle.Row {
	op, ok := opcode.V313.Lookup(name)
	if !ok {
		panic("no opcode " + name)
	}
	return cfgoracle.Row{Op: int32(op), Arg: arg, Loc: instr.Location{Line: line, EndLine: -1, Col: -1, EndCol: -1}}
}

// lbl places label n in a raw case.
func lbl(n int32) cfgoracle.Row { return cfgoracle.Row{Op: cfgoracle.LabelOp, Arg: n} }

func intConsts(n int) []cfgoracle.Const {
	out := make([]cfgoracle.Const, n)
	for i := range out {
		out[i] = cfgoracle.Const{Kind: pyobj.Int, Value: ast.IntValue(int64(i))}
	}
	return out
}

// rawCases are the sequences of test_peepholer's direct CFG tests, and
// more.
func rawCases() []rawCase {
	cases := []rawCase{
		{"forward non-constant condition", []cfgoracle.Row{
			ri("LOAD_NAME", 1, 11), ri("POP_JUMP_IF_TRUE", 1, 12), ri("LOAD_CONST", 2, 13), ri("RETURN_VALUE", 0, 13),
			lbl(1), ri("LOAD_CONST", 3, 14), ri("RETURN_VALUE", 0, 14)}, intConsts(5), 0},
		{"forward constant condition", []cfgoracle.Row{
			ri("LOAD_CONST", 3, 11), ri("POP_JUMP_IF_TRUE", 1, 12), ri("LOAD_CONST", 2, 13),
			lbl(1), ri("LOAD_CONST", 3, 14), ri("RETURN_VALUE", 0, 14)}, intConsts(5), 0},
		{"backward non-constant condition", []cfgoracle.Row{
			lbl(1), ri("LOAD_NAME", 1, 11), ri("POP_JUMP_IF_TRUE", 1, 12), ri("LOAD_NAME", 2, 13), ri("RETURN_VALUE", 0, 13)}, intConsts(5), 0},
		{"backward constant condition", []cfgoracle.Row{
			lbl(1), ri("LOAD_CONST", 3, 11), ri("POP_JUMP_IF_TRUE", 1, 12), ri("LOAD_CONST", 2, 13), ri("RETURN_VALUE", 0, 13)}, intConsts(5), 0},
		{"except handler label", []cfgoracle.Row{
			ri("SETUP_FINALLY", 1, 10), ri("POP_BLOCK", 0, -1), ri("RETURN_CONST", 1, 11),
			lbl(1), ri("RETURN_CONST", 2, 12)}, intConsts(5), 0},
		{"no unsafe static swap", []cfgoracle.Row{
			ri("LOAD_CONST", 0, 1), ri("LOAD_CONST", 1, 2), ri("LOAD_CONST", 2, 3), ri("SWAP", 3, 4),
			ri("STORE_FAST", 1, 4), ri("STORE_FAST", 1, 4), ri("POP_TOP", 0, 4), ri("LOAD_CONST", 0, 5), ri("RETURN_VALUE", 0, 5)}, intConsts(3), 1},
		{"dead store same line", []cfgoracle.Row{
			ri("LOAD_CONST", 0, 1), ri("LOAD_CONST", 1, 2), ri("LOAD_CONST", 2, 3), ri("STORE_FAST", 1, 4),
			ri("STORE_FAST", 1, 4), ri("STORE_FAST", 1, 4), ri("LOAD_CONST", 0, 5), ri("RETURN_VALUE", 0, 5)}, intConsts(3), 1},
		{"dead store different lines", []cfgoracle.Row{
			ri("LOAD_CONST", 0, 1), ri("LOAD_CONST", 1, 2), ri("LOAD_CONST", 2, 3), ri("STORE_FAST", 1, 4),
			ri("STORE_FAST", 1, 5), ri("STORE_FAST", 1, 6), ri("LOAD_CONST", 0, 5), ri("RETURN_VALUE", 0, 5)}, intConsts(3), 1},
	}
	for _, op1 := range []string{"JUMP", "JUMP_NO_INTERRUPT"} {
		for _, op2 := range []string{"JUMP", "JUMP_NO_INTERRUPT"} {
			for _, l := range [][2]int32{{4, 5}, {-1, -1}, {-1, 5}, {6, -1}, {7, 7}} {
				cases = append(cases, rawCase{fmt.Sprintf("jump threading %s %s %v", op1, op2, l), []cfgoracle.Row{
					lbl(2), ri("LOAD_NAME", 0, 10), ri(op1, 1, l[0]), ri("LOAD_NAME", 1, 20), lbl(1), ri(op2, 2, l[1])}, intConsts(5), 0})
			}
		}
	}
	return cases
}

// TestRaw runs hand-written sequences through both optimizers, and a
// fixed sample of random ones (RAW_RANDOM_N of them, 300 by default).
func TestRaw(t *testing.T) {
	cases := rawCases()
	n := 300
	if testing.Short() {
		n = 100
	}
	if s := os.Getenv("RAW_RANDOM_N"); s != "" {
		fmt.Sscan(s, &n)
	}
	r := rand.New(rand.NewSource(1))
	for i := 0; i < n; i++ {
		cases = append(cases, randomCase(r, fmt.Sprintf("random %d", i)))
	}
	items := make([]cfgoracle.RawItem, len(cases))
	for i, c := range cases {
		items[i] = cfgoracle.RawItem{Instrs: c.instrs, Consts: c.consts, NLocals: c.nlocals}
	}
	for _, in := range interpreters(t) {
		t.Run(in.Version, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
			defer cancel()
			want, err := cfgoracle.RunRaw(ctx, in, items)
			if err != nil {
				t.Fatal(err)
			}
			bad, raised := 0, 0
			for i, c := range cases {
				if want[i].Error != "" {
					raised++
				}
				if err := checkRaw(c, want[i]); err != nil {
					bad++
					if bad <= 10 {
						t.Errorf("%s: %v", c.name, err)
					}
				}
			}
			t.Logf("%s: %d sequences (%d that optimize_cfg rejects), %d differ", in.Version, len(cases), raised, bad)
		})
	}
}

// rawSequence turns a raw case's rows into a Sequence (labels as labels).
func rawSequence(rows []cfgoracle.Row) instr.Sequence {
	var seq instr.Sequence
	labels := map[int32]instr.Label{}
	label := func(n int32) instr.Label {
		l, ok := labels[n]
		if !ok {
			l = seq.NewLabel()
			labels[n] = l
		}
		return l
	}
	for _, r := range rows {
		if r.Op == cfgoracle.LabelOp {
			_ = seq.Place(label(r.Arg))
			continue
		}
		op := opcode.Op(r.Op)
		arg := r.Arg
		if opcode.V313.Has(op, opcode.HasJump) || opcode.V313.Has(op, opcode.HasExc) {
			arg = int32(label(r.Arg))
		}
		seq.Instrs = append(seq.Instrs, instr.Instr{Op: op, Arg: arg, Loc: r.Loc, Handler: instr.NoHandler})
	}
	return seq
}

func checkRaw(c rawCase, want *cfgoracle.Opt) error {
	p := pyobj.NewProcess(nil)
	o, err := New(opcode.V313, p)
	if err != nil {
		return err
	}
	seq := rawSequence(c.instrs)
	consts := cfgoracle.Objects(p, c.consts, func(int) *pyobj.Object { return nil })
	g, err := o.Build(&seq)
	if err != nil {
		if want.Error != "" {
			return nil
		}
		return err
	}
	if err := g.OptimizeCodeUnit(&consts, p.NewConstCache(), c.nlocals, 0); err != nil {
		if want.Error != "" {
			return nil
		}
		return err
	}
	out := g.Sequence()
	return cfgoracle.CompareOpt(opcode.V313, &out, consts, want, func(*pyobj.Object) int { return -1 })
}

// randomCase makes a random sequence that CPython's optimize_cfg can take
// (it checks little: every path ends in a return or a jump, SETUP_* and
// POP_BLOCK pair up in straight code, no label ends the sequence or starts
// with an unconditional jump, every label's first instruction has a line,
// locals and constants are in range).
func randomCase(r *rand.Rand, name string) rawCase {
	consts := []cfgoracle.Const{
		{Kind: pyobj.None, Value: ast.NoneValue()},
		{Kind: pyobj.Int, Value: ast.IntValue(0)},
		{Kind: pyobj.Int, Value: ast.IntValue(1)},
		{Kind: pyobj.Bool, Value: ast.BoolValue(true)},
		{Kind: pyobj.Bool, Value: ast.BoolValue(false)},
		{Kind: pyobj.Str, Value: ast.StrValue("")},
		{Kind: pyobj.Str, Value: ast.StrValue("s")},
		{Kind: pyobj.Tuple, Items: []cfgoracle.Const{}},
		{Kind: pyobj.Tuple, Items: intConsts(2)},
		{Kind: pyobj.Float, Value: ast.FloatValue(0)},
		{Kind: pyobj.Int, Value: ast.IntValue(7)},
	}
	nlocals := []int{0, 2, 5, 70}[r.Intn(4)]
	line := int32(1)
	nextLine := func() int32 {
		switch r.Intn(4) {
		case 0:
			return -1
		case 1:
			line++
		}
		return line
	}
	local := func() int32 { return int32(r.Intn(nlocals)) }
	cnst := func() int32 { return int32(r.Intn(len(consts))) }
	var out []cfgoracle.Row
	emit := func(name string, arg int32) { out = append(out, ri(name, arg, nextLine())) }
	// straight emits a short run of straight-line code.
	straight := func() {
		for k := r.Intn(4) + 1; k > 0; k-- {
			switch r.Intn(22) {
			case 0:
				emit("NOP", 0)
			case 1:
				emit("LOAD_CONST", cnst())
				emit("POP_TOP", 0)
			case 2:
				emit("LOAD_NAME", 0)
				emit("COPY", 1)
				emit("POP_TOP", 0)
				emit("POP_TOP", 0)
			case 3:
				n := int32(r.Intn(4))
				for i := int32(0); i < n; i++ {
					emit("LOAD_CONST", cnst())
				}
				emit("BUILD_TUPLE", n)
				if r.Intn(2) == 0 {
					emit("UNPACK_SEQUENCE", n)
					for i := int32(0); i < n; i++ {
						emit("POP_TOP", 0)
					}
				} else {
					emit("POP_TOP", 0)
				}
			case 4:
				emit("LOAD_CONST", cnst())
				emit("TO_BOOL", 0)
				emit("POP_TOP", 0)
			case 5:
				emit("LOAD_NAME", 1)
				emit("UNARY_NOT", 0)
				emit("TO_BOOL", 0)
				if r.Intn(2) == 0 {
					emit("UNARY_NOT", 0)
				}
				emit("POP_TOP", 0)
			case 6:
				emit("LOAD_NAME", 1)
				emit("LOAD_NAME", 2)
				emit([]string{"IS_OP", "CONTAINS_OP", "COMPARE_OP"}[r.Intn(3)], int32(r.Intn(2)))
				emit("TO_BOOL", 0)
				emit("POP_TOP", 0)
			case 7:
				emit("LOAD_GLOBAL", int32(r.Intn(4)))
				emit("PUSH_NULL", 0)
				emit("CALL", 0)
				emit("POP_TOP", 0)
			case 8, 9:
				if nlocals > 0 {
					emit("LOAD_NAME", 0)
					emit("STORE_FAST", local())
					if r.Intn(2) == 0 {
						emit("LOAD_FAST", local())
						emit("LOAD_FAST", local())
						emit("POP_TOP", 0)
						emit("POP_TOP", 0)
					}
				}
			case 10:
				if nlocals > 0 {
					emit([]string{"DELETE_FAST", "LOAD_FAST_CHECK"}[r.Intn(2)], local())
					if out[len(out)-1].Op != int32(opcode.V313.MustLookup("DELETE_FAST")) {
						emit("POP_TOP", 0)
					}
				}
			case 11:
				if nlocals > 0 {
					emit("LOAD_FAST_AND_CLEAR", local())
					emit("STORE_FAST_MAYBE_NULL", local())
				}
			case 12, 13:
				n := r.Intn(3) + 2
				for i := 0; i < n; i++ {
					emit("LOAD_NAME", int32(i))
				}
				for i := r.Intn(3) + 1; i > 0; i-- {
					emit("SWAP", int32(r.Intn(n)+1))
				}
				for i := 0; i < n; i++ {
					if nlocals > 0 && r.Intn(2) == 0 {
						emit("STORE_FAST", local())
					} else {
						emit("POP_TOP", 0)
					}
				}
			case 14:
				if nlocals > 0 {
					emit("LOAD_NAME", 0)
					l := local()
					emit("STORE_FAST", l)
					emit("LOAD_NAME", 0)
					emit("STORE_FAST", l)
				}
			case 15:
				emit("LOAD_CONST", cnst())
				emit("LOAD_CONST", cnst())
				emit("BUILD_TUPLE", 2)
				emit("LOAD_CONST", cnst())
				emit("BUILD_TUPLE", 2)
				emit("POP_TOP", 0)
			default:
				emit("LOAD_NAME", int32(r.Intn(3)))
				emit("POP_TOP", 0)
			}
		}
	}
	nseg := r.Intn(8) + 2
	labelled := make([]bool, nseg)
	var labels []int32
	for i := range labelled {
		if i > 0 && r.Intn(3) > 0 {
			labelled[i] = true
			labels = append(labels, int32(i))
		}
	}
	pick := func() (int32, bool) {
		if len(labels) == 0 {
			return 0, false
		}
		return labels[r.Intn(len(labels))], true
	}
	type handler struct {
		label int32
		kind  int
	}
	var handlers []handler
	for i := 0; i < nseg; i++ {
		if labelled[i] {
			// A jump target has a line: CPython copies a target without
			// one into the blocks jumping to it, forever if it jumps to
			// itself.
			out = append(out, lbl(int32(i)))
			line++
			if r.Intn(3) == 0 {
				out = append(out, ri("NOP", 0, line))
			} else {
				out = append(out, ri("LOAD_NAME", 2, line))
				emit("POP_TOP", 0)
			}
		}
		if r.Intn(4) == 0 {
			h := int32(1000 + len(handlers))
			setup := []string{"SETUP_FINALLY", "SETUP_CLEANUP", "SETUP_WITH"}[r.Intn(3)]
			emit(setup, h)
			handlers = append(handlers, handler{h, r.Intn(2)})
			straight()
			emit("POP_BLOCK", 0)
		}
		straight()
		last := i == nseg-1
		switch k := r.Intn(10); {
		case last && k < 5:
			emit("LOAD_CONST", cnst())
			emit("RETURN_VALUE", 0)
		case last && k < 8:
			emit("RETURN_CONST", cnst())
		case last:
			if t, ok := pick(); ok {
				emit([]string{"JUMP", "JUMP_NO_INTERRUPT"}[r.Intn(2)], t)
			} else {
				emit("RETURN_CONST", cnst())
			}
		case k < 4:
			if t, ok := pick(); ok {
				if r.Intn(2) == 0 {
					emit("LOAD_CONST", cnst())
				} else {
					emit("LOAD_NAME", 0)
				}
				if r.Intn(3) == 0 {
					emit("TO_BOOL", 0)
				}
				emit([]string{"POP_JUMP_IF_FALSE", "POP_JUMP_IF_TRUE", "POP_JUMP_IF_NONE", "POP_JUMP_IF_NOT_NONE"}[r.Intn(4)], t)
			}
		case k == 4:
			if t, ok := pick(); ok {
				emit("LOAD_CONST", 0)
				emit("LOAD_NAME", 1)
				emit("IS_OP", int32(r.Intn(2)))
				emit([]string{"POP_JUMP_IF_FALSE", "POP_JUMP_IF_TRUE"}[r.Intn(2)], t)
			}
		case k == 5:
			if t, ok := pick(); ok {
				emit([]string{"JUMP", "JUMP_NO_INTERRUPT"}[r.Intn(2)], t)
			}
		case k == 6:
			emit("LOAD_NAME", 0)
			emit("RAISE_VARARGS", 1)
		}
	}
	for _, h := range handlers {
		out = append(out, lbl(h.label))
		emit("POP_TOP", 0)
		straight()
		if h.kind == 0 {
			emit("RERAISE", 0)
		} else {
			emit("RETURN_CONST", cnst())
		}
	}
	return rawCase{name: name, instrs: out, consts: consts, nlocals: nlocals}
}
