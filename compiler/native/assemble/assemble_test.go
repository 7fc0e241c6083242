package assemble_test

import (
	"encoding/hex"
	"fmt"
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/native/assemble"
	"github.com/rules-pyc/rules_pyc/compiler/native/instr"
	"github.com/rules-pyc/rules_pyc/compiler/native/marshal"
	"github.com/rules-pyc/rules_pyc/compiler/native/opcode"
	"github.com/rules-pyc/rules_pyc/compiler/native/pyobj"
	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

var tab = opcode.V313

func op(name string) opcode.Op { return tab.MustLookup(name) }

// unit builds a code unit from instructions; a jump's Arg and a handler's
// Label are instruction indexes, turned into labels here.
type spec struct {
	name  string
	instr []instr.Instr
}

func build(t *testing.T, p *pyobj.Process, s spec) *instr.Unit {
	t.Helper()
	u := &instr.Unit{StackDepth: 4}
	u.Meta.Name = p.Identifier("f")
	u.Meta.FirstLineNo = 10
	u.Meta.Consts = []*pyobj.Object{pyobj.NoneObj}
	u.Meta.Names = []*pyobj.Object{p.Identifier("x")}
	labels := map[int]instr.Label{}
	label := func(i int) instr.Label {
		if l, ok := labels[i]; ok {
			return l
		}
		l := u.Seq.NewLabel()
		labels[i] = l
		return l
	}
	for _, in := range s.instr {
		if tab.Has(in.Op, opcode.HasJump) {
			label(int(in.Arg))
		}
		if in.Handler.Label != instr.NoLabel {
			label(int(in.Handler.Label))
		}
	}
	for i, in := range s.instr {
		if l, ok := labels[i]; ok {
			if err := u.Seq.Place(l); err != nil {
				t.Fatal(err)
			}
		}
		if tab.Has(in.Op, opcode.HasJump) {
			in.Arg = int32(labels[int(in.Arg)])
		}
		if in.Handler.Label != instr.NoLabel {
			in.Handler.Label = labels[int(in.Handler.Label)]
		}
		u.Seq.Instrs = append(u.Seq.Instrs, in)
	}
	return u
}

func loc(l, el, c, ec int32) instr.Location {
	return instr.Location{Line: l, EndLine: el, Col: c, EndCol: ec}
}

func nops(n int, l instr.Location) []instr.Instr {
	out := make([]instr.Instr, n)
	for i := range out {
		out[i] = instr.Instr{Op: op("NOP"), Loc: l, Handler: instr.NoHandler}
	}
	return out
}

func cases() []spec {
	h := func(target int, depth int32, lasti bool) instr.Handler {
		return instr.NewHandler(instr.Label(target), depth, lasti)
	}
	var out []spec
	// Jumps over 300 and 70,000 code units (one and two EXTENDED_ARGs), a
	// backward jump, and a pseudo JUMP in both directions.
	{
		var in []instr.Instr
		add := func(x ...instr.Instr) { in = append(in, x...) }
		add(instr.Instr{Op: op("RESUME"), Loc: loc(10, 10, 0, 0), Handler: instr.NoHandler})
		add(instr.Instr{Op: op("LOAD_CONST"), Loc: loc(11, 11, 4, 8), Handler: instr.NoHandler})
		add(instr.Instr{Op: op("POP_JUMP_IF_FALSE"), Arg: 305, Loc: loc(11, 11, 4, 8), Handler: instr.NoHandler})
		add(nops(300, loc(12, 12, 0, 4))...)
		add(instr.Instr{Op: op("JUMP"), Arg: 70310, Loc: loc(13, 13, 0, 4), Handler: instr.NoHandler})
		add(instr.Instr{Op: op("JUMP"), Arg: 1, Loc: loc(14, 14, 0, 4), Handler: instr.NoHandler}) // 304: backward
		add(instr.Instr{Op: op("NOP"), Loc: loc(15, 15, 0, 4), Handler: instr.NoHandler})          // 305
		add(nops(70004, loc(16, 16, 0, 1))...)
		add(instr.Instr{Op: op("JUMP_NO_INTERRUPT"), Arg: 305, Loc: loc(17, 17, 0, 4), Handler: instr.NoHandler}) // 70310... index
		add(instr.Instr{Op: op("RETURN_CONST"), Loc: loc(18, 18, 0, 4), Handler: instr.NoHandler})
		// fix the forward target of the first JUMP: the RETURN_CONST.
		in[303].Arg = int32(len(in) - 1)
		out = append(out, spec{"jumps", in})
	}
	// Locations: every entry form, long runs split in 8-unit entries,
	// negative and large line deltas, wide columns, spans over lines, no
	// columns, no location, and instructions with caches.
	{
		in := []instr.Instr{
			{Op: op("RESUME"), Loc: loc(10, 10, 0, 0)},
			{Op: op("LOAD_CONST"), Loc: loc(10, 10, 79, 94)},   // short form limits
			{Op: op("LOAD_CONST"), Loc: loc(10, 10, 80, 81)},   // one-line form
			{Op: op("LOAD_CONST"), Loc: loc(12, 12, 127, 127)}, // one-line, delta 2
			{Op: op("LOAD_CONST"), Loc: loc(15, 15, 128, 300)}, // long form
			{Op: op("LOAD_CONST"), Loc: loc(5, 9, 3, 2)},       // negative delta, several lines
			{Op: op("LOAD_CONST"), Loc: loc(5, 5, 10, 4)},      // end before start
			{Op: op("LOAD_CONST"), Loc: loc(100000, 100000, -1, -1)},
			{Op: op("LOAD_CONST"), Loc: loc(7, -1, -1, -1)},
			{Op: op("LOAD_CONST"), Loc: loc(7, 8, -1, -1)},
			{Op: op("LOAD_CONST"), Loc: instr.NoLocation},
			{Op: op("LOAD_ATTR"), Arg: 0, Loc: loc(20, 20, 0, 5)}, // 10 code units
			{Op: op("BUILD_TUPLE"), Arg: 0x123456, Loc: loc(20, 20, 0, 5)},
			{Op: op("LOAD_CONST"), Loc: loc(21, 21, 4000, 5000)},
			{Op: op("RETURN_CONST"), Loc: loc(1, 1, 0, 1)},
		}
		for i := range in {
			in[i].Handler = instr.NoHandler
		}
		out = append(out, spec{"locations", in})
	}
	// Exception table: handlers with and without lasti, several depths,
	// ranges and targets beyond 64, 4096 and 262144 code units. (CPython
	// starts a new entry only where the handler changes, so each range
	// has its own handler.)
	{
		var in []instr.Instr
		add := func(x ...instr.Instr) { in = append(in, x...) }
		add(instr.Instr{Op: op("RESUME"), Loc: loc(10, 10, 0, 0), Handler: instr.NoHandler})
		sizes := []int{3, 100, 5000, 270000}
		for i, n := range sizes {
			body := nops(n, loc(int32(11+i), int32(11+i), 0, 1))
			for j := range body {
				body[j].Handler = h(-2-i, int32(2+i), i%2 == 1) // target set below
			}
			add(body...)
		}
		add(instr.Instr{Op: op("RETURN_CONST"), Loc: loc(30, 30, 0, 4), Handler: instr.NoHandler})
		first := len(in)
		for i := range sizes {
			add(instr.Instr{Op: op("PUSH_EXC_INFO"), Loc: loc(int32(31+i), int32(31+i), 0, 4), Handler: h(first+len(sizes), 3, true)})
		}
		add(instr.Instr{Op: op("RERAISE"), Arg: 1, Loc: loc(40, 40, 0, 4), Handler: instr.NoHandler})
		for j := range in {
			if l := in[j].Handler.Label; l < 0 && l != instr.NoLabel {
				in[j].Handler.Label = instr.Label(first + int(-2-l))
			}
		}
		out = append(out, spec{"exceptions", in})
	}
	return out
}

// decodeScript loads each code object and answers with CPython's own view
// of it: the instructions (without EXTENDED_ARG) with the offset of their
// first prefix, full oparg and jump target, the positions of every code
// unit, and the exception table.
const decodeScript = `
import dis, json, marshal, sys
out = []
for h in json.load(sys.stdin):
    co = marshal.loads(bytes.fromhex(h))
    ins = []
    start = None
    for i in dis.get_instructions(co, show_caches=False):
        if i.opname == "EXTENDED_ARG":
            if start is None:
                start = i.offset
            continue
        ins.append([start if start is not None else i.offset, i.opname, i.arg, i.jump_target])
        start = None
    pos = [[-1 if x is None else x for x in p] for p in co.co_positions()]
    exc = [[e.start, e.end, e.target, e.depth, e.lasti] for e in dis._parse_exception_table(co)]
    out.append(dict(ins=ins, pos=pos, exc=exc, size=len(co.co_code)))
json.dump(out, sys.stdout)
`

type decoded struct {
	Ins  [][4]any `json:"ins"`
	Pos  [][4]int `json:"pos"`
	Exc  [][5]any `json:"exc"`
	Size int      `json:"size"`
}

// TestAgainstCPythonDecoders assembles sequences that the standard library
// rarely or never produces (long jumps with EXTENDED_ARGs, every location
// entry form, exception table items of every width) and has each CPython
// 3.13 on the machine read the code objects back with its own decoders
// (dis, co_positions, the exception table parser): every instruction,
// jump target, position and handler must be the one intended.
func TestAgainstCPythonDecoders(t *testing.T) {
	var found []pythons.Interpreter
	for _, py := range pythons.Find(t) {
		if py.Major == 3 && py.Minor == 13 {
			found = append(found, py)
		}
	}
	if len(found) == 0 {
		t.Skip("no CPython 3.13 here")
	}
	specs := cases()
	var units []*instr.Unit
	var hexes []string
	for _, s := range specs {
		p := pyobj.NewProcess(nil)
		cache := p.NewConstCache()
		a := assemble.New(tab, p, cache)
		u := build(t, p, s)
		orig := append([]instr.Instr(nil), u.Seq.Instrs...)
		code, err := a.Assemble(u, p.NewStr("t.py"))
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		b, err := marshal.Dump(code)
		if err != nil {
			t.Fatal(err)
		}
		hexes = append(hexes, hex.EncodeToString(b))
		u.Seq.Instrs = orig
		units = append(units, u)
	}
	for _, py := range found {
		var got []decoded
		py.RunJSON(t, decodeScript, hexes, &got)
		for k, s := range specs {
			check(t, py.Version+" "+s.name, units[k], &got[k])
		}
	}
}

func num(v any) int {
	if f, ok := v.(float64); ok {
		return int(f)
	}
	return -1
}

func check(t *testing.T, name string, u *instr.Unit, d *decoded) {
	ins := u.Seq.Instrs
	if len(d.Ins) != len(ins) {
		t.Fatalf("%s: %d instructions decoded, %d assembled", name, len(d.Ins), len(ins))
	}
	start := make([]int, len(ins)+1) // byte offset of each instruction's first unit
	for i := range ins {
		start[i] = num(d.Ins[i][0])
	}
	start[len(ins)] = d.Size
	bad := 0
	fail := func(format string, args ...any) {
		if bad++; bad <= 10 {
			t.Errorf("%s: %s", name, fmt.Sprintf(format, args...))
		}
	}
	for i, in := range ins {
		opname := d.Ins[i][1].(string)
		want := tab.Name(in.Op)
		if tab.Has(in.Op, opcode.HasJump) {
			target, err := u.Seq.Index(instr.Label(in.Arg))
			if err != nil {
				t.Fatal(err)
			}
			if num(d.Ins[i][3]) != start[target] {
				fail("instruction %d (%s): jumps to %v, want %d", i, opname, d.Ins[i][3], start[target])
			}
			if tab.IsPseudo(in.Op) {
				ok := false
				for _, tg := range tab.Info(in.Op).Targets {
					ok = ok || tab.Name(tg) == opname
				}
				if !ok {
					fail("instruction %d: %s for %s", i, opname, want)
				}
				continue
			}
		} else if tab.Has(in.Op, opcode.HasArg) && num(d.Ins[i][2]) != int(in.Arg) {
			fail("instruction %d (%s): arg %v, want %d", i, opname, d.Ins[i][2], in.Arg)
		}
		if opname != want {
			fail("instruction %d: %s, want %s", i, opname, want)
		}
		l := in.Loc
		wantPos := [4]int{int(l.Line), int(l.EndLine), int(l.Col), int(l.EndCol)}
		// CPython's decoders give a line without columns an end line equal
		// to the line, and no columns for a span whose columns are unknown.
		if l.Line >= 0 && l.Col < 0 && (l.EndLine == l.Line || l.EndLine < 0) {
			wantPos[1] = int(l.Line)
		}
		if l.Line < 0 {
			wantPos = [4]int{-1, -1, -1, -1}
		}
		for unit := start[i] / 2; unit < start[i+1]/2; unit++ {
			if d.Pos[unit] != wantPos {
				fail("instruction %d (%s), unit %d: position %v, want %v", i, opname, unit, d.Pos[unit], wantPos)
				break
			}
		}
		// The handler covering the instruction.
		var got *[5]any
		for j := range d.Exc {
			if num(d.Exc[j][0]) <= start[i] && start[i] < num(d.Exc[j][1]) {
				got = &d.Exc[j]
			}
		}
		h := in.Handler
		switch {
		case h.Label == instr.NoLabel && got != nil:
			fail("instruction %d: handler %v, want none", i, *got)
		case h.Label != instr.NoLabel && got == nil:
			fail("instruction %d: no handler", i)
		case h.Label != instr.NoLabel:
			target, _ := u.Seq.Index(h.Label)
			depth := int(h.StartDepth()) - 1
			if h.PreserveLasti() {
				depth--
			}
			if num(got[2]) != start[target] || num(got[3]) != depth || got[4].(bool) != h.PreserveLasti() {
				fail("instruction %d: handler %v, want target %d depth %d lasti %v", i, *got, start[target], depth, h.PreserveLasti())
			}
		}
	}
}

// TestInChroot runs this package's tests again with the chroot's 3.13.
func TestInChroot(t *testing.T) { pythons.RunInChroot(t) }

// TestErrors: bad input gives errors, never a panic.
func TestErrors(t *testing.T) {
	jump := instr.Instr{Op: op("JUMP"), Arg: 0, Handler: instr.NoHandler}
	tests := []struct {
		name string
		seq  func(*instr.Sequence)
	}{
		{"unplaced label", func(s *instr.Sequence) { s.NewLabel(); s.Instrs = append(s.Instrs, jump) }},
		{"unknown label", func(s *instr.Sequence) {
			s.Instrs = append(s.Instrs, instr.Instr{Op: op("JUMP"), Arg: 9, Handler: instr.NoHandler})
		}},
		{"jump to the end", func(s *instr.Sequence) {
			l := s.NewLabel()
			s.Instrs = append(s.Instrs, jump)
			_ = s.Place(l)
		}},
		{"pseudo instruction", func(s *instr.Sequence) { s.Add(op("SETUP_FINALLY"), 0, instr.NoLocation) }},
		{"unknown opcode", func(s *instr.Sequence) { s.Add(3, 0, instr.NoLocation) }},
		{"negative oparg", func(s *instr.Sequence) { s.Add(op("LOAD_CONST"), -1, instr.NoLocation) }},
		{"handler depth", func(s *instr.Sequence) {
			l := s.NewLabel()
			_ = s.Place(l)
			s.Instrs = append(s.Instrs, instr.Instr{Op: op("NOP"), Handler: instr.NewHandler(l, 0, false)})
		}},
		{"backward jump forwards", func(s *instr.Sequence) {
			l := s.NewLabel()
			s.Instrs = append(s.Instrs, instr.Instr{Op: op("JUMP_BACKWARD"), Arg: int32(l), Handler: instr.NoHandler})
			_ = s.Place(l)
			s.Add(op("NOP"), 0, instr.NoLocation)
		}},
	}
	for _, tt := range tests {
		p := pyobj.NewProcess(nil)
		a := assemble.New(tab, p, p.NewConstCache())
		u := &instr.Unit{}
		u.Meta.Name = p.Identifier("f")
		tt.seq(&u.Seq)
		if _, err := a.Assemble(u, p.NewStr("f.py")); err == nil {
			t.Errorf("%s: no error", tt.name)
		}
	}
	// Local names that do not fit.
	p := pyobj.NewProcess(nil)
	a := assemble.New(tab, p, p.NewConstCache())
	u := &instr.Unit{NLocalsPlus: 1}
	u.Meta.Name = p.Identifier("f")
	u.Meta.VarNames = []*pyobj.Object{p.Identifier("a"), p.Identifier("b")}
	u.Seq.Add(op("RETURN_CONST"), 0, instr.NoLocation)
	if _, err := a.Assemble(u, p.NewStr("f.py")); err == nil {
		t.Error("too many locals: no error")
	}
	// A fast local without a name, assembled right after the error
	// above, which had named the first one: makeCode's scratch must not
	// keep that name (it takes the scratch as empty on entry).
	u = &instr.Unit{NLocalsPlus: 1}
	u.Meta.Name = p.Identifier("f")
	u.Seq.Add(op("RETURN_CONST"), 0, instr.NoLocation)
	if _, err := a.Assemble(u, p.NewStr("f.py")); err == nil {
		t.Error("a fast local without a name: no error")
	}
}
