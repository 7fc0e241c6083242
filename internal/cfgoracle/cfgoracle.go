// Package cfgoracle gives tests of the native back end CPython 3.13's own
// answers for the control-flow-graph stage, from a real interpreter: for
// each code unit of a source, the instruction sequence code generation
// writes and the unit's metadata (the optimizer's input), the sequence and
// constants CPython's CFG optimizer makes of it
// (_testinternalcapi.optimize_cfg), and the code object compile() makes
// (instructions with jump targets, positions and exception handlers,
// constants, stack size, number of fast locals).
//
// The input of the module's unit is CPython's exactly. For nested units
// CPython exposes the instructions but not the constant list, which the
// oracle recovers (see oracle.py); Unit.Input says how sure that is. The
// comparison with optimize_cfg holds either way, since both optimizers get
// the same input.
//
// The comparisons (CompareOpt, CompareFinal) take any sequence, so the
// same tests can later feed the native code generator's output through the
// native optimizer.
package cfgoracle

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/rules-pyc/rules_pyc/compiler/native/instr"
	"github.com/rules-pyc/rules_pyc/compiler/native/opcode"
	"github.com/rules-pyc/rules_pyc/compiler/native/pyobj"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
	"github.com/rules-pyc/rules_pyc/internal/oraclewire"
	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

//go:embed oracle.py
var script string

// File is one source's answer: the module's unit, or the error compiling
// it raised.
type File struct {
	Top   *Unit  `json:"top"`
	Error string `json:"error"`
}

// Unit is one code unit.
type Unit struct {
	// Seq is the instruction sequence code generation wrote, jump opargs
	// as instruction indexes.
	Seq []Row `json:"seq"`
	// Consts is the unit's constant list, the optimizer's input.
	Consts []Const `json:"consts"`
	// Input is "exact" (the module's unit, as CPython holds it),
	// "validated" (recovered, and optimize_cfg turns it into the code
	// object's co_consts) or "recovered".
	Input string `json:"input"`
	// NLocals is the number of fast locals, NParams of parameters.
	NLocals, NParams int
	FirstLineNo      int32 `json:"firstlineno"`
	Flags            int32 `json:"flags"`
	// VarNames, CellVars and FreeVars are the compiler's u_varnames,
	// u_cellvars and u_freevars in index order.
	VarNames []oraclewire.HexStr `json:"varnames"`
	CellVars []oraclewire.HexStr `json:"cellvars"`
	FreeVars []oraclewire.HexStr `json:"freevars"`
	// Opt is optimize_cfg's answer for Seq and Consts (with no
	// parameters, as optimize_cfg takes them).
	Opt *Opt `json:"opt"`
	// Final is the code object compile() made of the unit; nil when the
	// unit is in dead code (its code object was dropped).
	Final    *Final  `json:"final"`
	Children []*Unit `json:"children"`
}

// UnmarshalJSON reads a unit (the counts have lower-case names).
func (u *Unit) UnmarshalJSON(b []byte) error {
	type plain Unit
	var v struct {
		plain
		NLocals int `json:"nlocals"`
		NParams int `json:"nparams"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*u = Unit(v.plain)
	u.NLocals, u.NParams = v.NLocals, v.NParams
	return nil
}

// Row is one instruction of a sequence: opcode, oparg (0 for opcodes
// without one), position.
type Row struct {
	Op, Arg int32
	Loc     instr.Location
}

// UnmarshalJSON reads [op, arg, line, end_line, col, end_col].
func (r *Row) UnmarshalJSON(b []byte) error {
	var a [6]int32
	if err := json.Unmarshal(b, &a); err != nil {
		return err
	}
	*r = Row{Op: a[0], Arg: a[1], Loc: instr.Location{Line: a[2], EndLine: a[3], Col: a[4], EndCol: a[5]}}
	return nil
}

// Opt is optimize_cfg's answer, or the error it raised.
type Opt struct {
	Seq    []Row   `json:"seq"`
	Consts []Const `json:"consts"`
	Error  string  `json:"error"`
}

// Final is a code object.
type Final struct {
	Instrs      []FinalRow `json:"instrs"`
	Consts      []Const    `json:"consts"`
	StackSize   int32      `json:"stacksize"`
	NLocalsPlus int32      `json:"nlocalsplus"`
}

// FinalRow is one instruction of a code object: opcode, oparg (with its
// EXTENDED_ARGs), position, the index of the jump target (-1: not a jump)
// and the exception handler.
type FinalRow struct {
	Op, Arg int32
	Loc     instr.Location
	Target  int32
	// HTarget is the handler's instruction index, -1 for none; HDepth and
	// HLasti are the exception table's depth and lasti.
	HTarget, HDepth int32
	HLasti          bool
}

// UnmarshalJSON reads [op, arg, line, end_line, col, end_col, target,
// handler].
func (r *FinalRow) UnmarshalJSON(b []byte) error {
	var parts [8]json.RawMessage
	if err := json.Unmarshal(b, &parts); err != nil {
		return err
	}
	var a [7]int32
	for i := range a {
		if err := json.Unmarshal(parts[i], &a[i]); err != nil {
			return err
		}
	}
	*r = FinalRow{Op: a[0], Arg: a[1], Loc: instr.Location{Line: a[2], EndLine: a[3], Col: a[4], EndCol: a[5]}, Target: a[6], HTarget: -1}
	var h []json.RawMessage
	if err := json.Unmarshal(parts[7], &h); err != nil {
		return err
	}
	if h == nil {
		return nil
	}
	if len(h) != 3 {
		return fmt.Errorf("handler %s", parts[7])
	}
	if err := json.Unmarshal(h[0], &r.HTarget); err != nil {
		return err
	}
	if err := json.Unmarshal(h[1], &r.HDepth); err != nil {
		return err
	}
	return json.Unmarshal(h[2], &r.HLasti)
}

// Const is a constant: a scalar Value, a tuple or frozenset of Items, or
// the code object of child Code.
type Const struct {
	Kind  pyobj.Kind
	Value ast.Value
	Items []Const
	// Code is the index of the unit's child whose code object this is;
	// -1 for a code object of no known child.
	Code int
}

// UnmarshalJSON reads the oracle's tagged form (package oraclewire).
func (c *Const) UnmarshalJSON(b []byte) error {
	tag, parts, err := oraclewire.Split(b)
	if err != nil {
		return err
	}
	if s, ok, err := oraclewire.DecodeScalar(tag, parts); ok {
		c.Kind, c.Value = s.Kind, s.Value
		return err
	}
	if len(parts) < 2 {
		return fmt.Errorf("constant %s: no items or child", b)
	}
	switch tag {
	case "t", "fs":
		if err := json.Unmarshal(parts[1], &c.Items); err != nil {
			return err
		}
		if c.Items == nil {
			c.Items = []Const{}
		}
		c.Kind = pyobj.Tuple
		if tag == "fs" {
			c.Kind = pyobj.FrozenSet
		}
	case "code":
		c.Kind = pyobj.Code
		return json.Unmarshal(parts[1], &c.Code)
	default:
		return fmt.Errorf("unknown constant tag %q", tag)
	}
	return nil
}

// MarshalJSON writes the oracle's tagged form (for raw requests).
func (c Const) MarshalJSON() ([]byte, error) {
	if v, ok := oraclewire.EncodeScalar(c.Kind, c.Value); ok {
		return json.Marshal(v)
	}
	switch c.Kind {
	case pyobj.Tuple:
		return json.Marshal([]any{"t", c.Items})
	case pyobj.FrozenSet:
		return json.Marshal([]any{"fs", c.Items})
	}
	return nil, fmt.Errorf("cfgoracle: can't send a %s constant", c.Kind)
}

// Source is oraclewire.Source, which Run takes.
type Source = oraclewire.Source

// Run compiles every source with py at the optimization level and calls
// each with its answer, in order, from one interpreter process.
func Run(ctx context.Context, py pythons.Interpreter, sources []Source, optimize int, each func(i int, f *File) error) error {
	return oraclewire.RunFiles(ctx, "cfgoracle", py, script, sources, optimize, each)
}

// RawItem is an instruction sequence written by hand: Instrs are
// instructions (Op >= 0) and label placements (Op == LabelOp, Arg the
// label); jump opargs are labels.
type RawItem struct {
	Instrs  []Row
	Consts  []Const
	NLocals int
}

// LabelOp marks a label placement in RawItem.Instrs.
const LabelOp = -1

// RunRaw asks py's optimize_cfg about each item.
func RunRaw(ctx context.Context, py pythons.Interpreter, items []RawItem) ([]*Opt, error) {
	type rawJSON struct {
		Instrs  [][]any `json:"instrs"`
		Consts  []Const `json:"consts"`
		NLocals int     `json:"nlocals"`
	}
	req := make([]rawJSON, len(items))
	for i, it := range items {
		r := rawJSON{Consts: it.Consts, NLocals: it.NLocals}
		if r.Consts == nil {
			r.Consts = []Const{}
		}
		for _, in := range it.Instrs {
			if in.Op == LabelOp {
				r.Instrs = append(r.Instrs, []any{"label", in.Arg})
			} else {
				r.Instrs = append(r.Instrs, []any{in.Op, in.Arg, in.Loc.Line, in.Loc.EndLine, in.Loc.Col, in.Loc.EndCol})
			}
		}
		req[i] = r
	}
	body, err := json.Marshal(map[string]any{"raw": req})
	if err != nil {
		return nil, err
	}
	cmd := py.Command(ctx, "-S", "-s", "-c", oraclewire.Prelude+script)
	cmd.Stdin = bytes.NewReader(body)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("cfgoracle: %s: %v: %s", py, err, stderr.String())
	}
	var res []*Opt
	if err := json.Unmarshal(out, &res); err != nil {
		return nil, fmt.Errorf("cfgoracle: %s: decode: %v", py, err)
	}
	if len(res) != len(items) {
		return nil, fmt.Errorf("cfgoracle: %s: %d answers for %d items", py, len(res), len(items))
	}
	return res, nil
}

// Objects makes the objects of a unit's constants in p: a new object for
// each (singletons where CPython has them), and for a code object the one
// code returns for that child.
func Objects(p *pyobj.Process, consts []Const, code func(child int) *pyobj.Object) []*pyobj.Object {
	out := make([]*pyobj.Object, len(consts))
	for i := range consts {
		out[i] = Object(p, &consts[i], code)
	}
	return out
}

// Object makes one constant's object (see Objects).
func Object(p *pyobj.Process, c *Const, code func(child int) *pyobj.Object) *pyobj.Object {
	switch c.Kind {
	case pyobj.Tuple, pyobj.FrozenSet:
		items := make([]*pyobj.Object, len(c.Items))
		for i := range c.Items {
			items[i] = Object(p, &c.Items[i], code)
		}
		if c.Kind == pyobj.Tuple {
			return p.NewTuple(items)
		}
		return p.NewFrozenSet(items)
	case pyobj.Code:
		return code(c.Code)
	}
	return p.FromValue(c.Value)
}

// Sequence makes an instruction sequence of rows whose jump opargs are
// instruction indexes (as Unit.Seq): each jump target gets a label.
func Sequence(tab *opcode.Table, rows []Row) (instr.Sequence, error) {
	var seq instr.Sequence
	labels := make(map[int32]instr.Label)
	for i, r := range rows {
		op := opcode.Op(r.Op)
		if tab.Has(op, opcode.HasJump) || tab.Has(op, opcode.HasExc) {
			if r.Arg < 0 || int(r.Arg) >= len(rows) {
				return seq, fmt.Errorf("cfgoracle: instruction %d jumps to %d", i, r.Arg)
			}
			if _, ok := labels[r.Arg]; !ok {
				labels[r.Arg] = seq.NewLabel()
			}
		}
	}
	seq.Instrs = make([]instr.Instr, 0, len(rows))
	for i, r := range rows {
		if l, ok := labels[int32(i)]; ok {
			if err := seq.Place(l); err != nil {
				return seq, err
			}
		}
		op := opcode.Op(r.Op)
		arg := r.Arg
		if tab.Has(op, opcode.HasJump) || tab.Has(op, opcode.HasExc) {
			arg = int32(labels[r.Arg])
		}
		seq.Instrs = append(seq.Instrs, instr.Instr{Op: op, Arg: arg, Loc: r.Loc, Handler: instr.NoHandler})
	}
	return seq, nil
}

// Names makes the str objects of names.
func Names(p *pyobj.Process, names []oraclewire.HexStr) []*pyobj.Object {
	out := make([]*pyobj.Object, len(names))
	for i, n := range names {
		out[i] = p.Identifier(string(n))
	}
	return out
}

// Metadata makes the metadata the optimizer reads from u (names, first
// line), with consts.
func (u *Unit) Metadata(p *pyobj.Process, consts []*pyobj.Object) instr.Metadata {
	return instr.Metadata{
		Consts:      consts,
		VarNames:    Names(p, u.VarNames),
		CellVars:    Names(p, u.CellVars),
		FreeVars:    Names(p, u.FreeVars),
		FirstLineNo: u.FirstLineNo,
	}
}

// Diff describes the first difference found between two answers.
type Diff struct {
	What string
}

func (d *Diff) Error() string { return d.What }

func diff(format string, args ...any) error { return &Diff{What: fmt.Sprintf(format, args...)} }

// jumpIndexes returns, for each instruction of seq, the index its jump or
// handler label points to.
func labelIndex(seq *instr.Sequence, l instr.Label) (int32, error) {
	i, err := seq.Index(l)
	return int32(i), err
}

// CompareOpt compares an optimized sequence before the final stage (as
// CFG.Sequence gives it) and its constants with optimize_cfg's answer.
// codeIndex names the child of a code object constant.
func CompareOpt(tab *opcode.Table, got *instr.Sequence, consts []*pyobj.Object, want *Opt, codeIndex func(*pyobj.Object) int) error {
	if want.Error != "" {
		return diff("optimize_cfg raised %s", want.Error)
	}
	n := min(len(got.Instrs), len(want.Seq))
	for i := 0; i < n; i++ {
		g, w := &got.Instrs[i], want.Seq[i]
		arg := g.Arg
		if tab.Has(g.Op, opcode.HasJump) || tab.Has(g.Op, opcode.HasExc) {
			t, err := labelIndex(got, instr.Label(g.Arg))
			if err != nil {
				return err
			}
			arg = t
		} else if !tab.Has(g.Op, opcode.HasArg) {
			arg = 0
		}
		if int32(g.Op) != w.Op || arg != w.Arg || g.Loc != w.Loc {
			return diff("instruction %d: got %s %d %v, want %s %d %v%s", i, tab.Name(g.Op), arg, g.Loc,
				tab.Name(opcode.Op(w.Op)), w.Arg, w.Loc, around(tab, got, want.Seq, i))
		}
	}
	if len(got.Instrs) != len(want.Seq) {
		return diff("%d instructions, want %d%s", len(got.Instrs), len(want.Seq), around(tab, got, want.Seq, n))
	}
	return CompareConsts(consts, want.Consts, codeIndex)
}

// around prints the instructions around i of both sides.
func around(tab *opcode.Table, got *instr.Sequence, want []Row, i int) string {
	var b strings.Builder
	lo, hi := max(0, i-6), i+4
	b.WriteString("\n  got:")
	for j := lo; j < hi && j < len(got.Instrs); j++ {
		fmt.Fprintf(&b, "\n    %3d %s %d %v", j, tab.Name(got.Instrs[j].Op), got.Instrs[j].Arg, got.Instrs[j].Loc)
	}
	b.WriteString("\n  want:")
	for j := lo; j < hi && j < len(want); j++ {
		fmt.Fprintf(&b, "\n    %3d %s %d %v", j, tab.Name(opcode.Op(want[j].Op)), want[j].Arg, want[j].Loc)
	}
	return b.String()
}

// CompareConsts compares constants by type and value (code objects by
// child); frozensets as sets.
func CompareConsts(got []*pyobj.Object, want []Const, codeIndex func(*pyobj.Object) int) error {
	if len(got) != len(want) {
		return diff("%d constants, want %d: got %s, want %s", len(got), len(want), showObjs(got, codeIndex), showConsts(want))
	}
	for i := range got {
		if !sameConst(got[i], &want[i], codeIndex) {
			return diff("constant %d: got %s, want %s", i, showObj(got[i], codeIndex), showConst(&want[i]))
		}
	}
	return nil
}

func sameConst(o *pyobj.Object, c *Const, codeIndex func(*pyobj.Object) int) bool {
	if o.Kind != c.Kind {
		return false
	}
	switch o.Kind {
	case pyobj.Code:
		return codeIndex(o) == c.Code
	case pyobj.Tuple:
		if len(o.Items) != len(c.Items) {
			return false
		}
		for i := range o.Items {
			if !sameConst(o.Items[i], &c.Items[i], codeIndex) {
				return false
			}
		}
		return true
	case pyobj.FrozenSet:
		a := make([]string, len(o.Items))
		for i, it := range o.Items {
			a[i] = showObj(it, codeIndex)
		}
		b := make([]string, len(c.Items))
		for i := range c.Items {
			b[i] = showConst(&c.Items[i])
		}
		sort.Strings(a)
		sort.Strings(b)
		return strings.Join(a, ",") == strings.Join(b, ",")
	case pyobj.Int:
		return o.Value.BigInt().Cmp(c.Value.BigInt()) == 0
	case pyobj.Float:
		return math.Float64bits(o.Value.Float()) == math.Float64bits(c.Value.Float())
	case pyobj.Complex:
		r1, i1 := o.Value.Complex()
		r2, i2 := c.Value.Complex()
		return math.Float64bits(r1) == math.Float64bits(r2) && math.Float64bits(i1) == math.Float64bits(i2)
	case pyobj.Str:
		return o.Value.Str() == c.Value.Str()
	case pyobj.Bytes:
		return o.Value.Bytes() == c.Value.Bytes()
	case pyobj.Bool:
		return o.Value.Bool() == c.Value.Bool()
	}
	return true
}

func showObjs(os []*pyobj.Object, codeIndex func(*pyobj.Object) int) string {
	s := make([]string, len(os))
	for i, o := range os {
		s[i] = showObj(o, codeIndex)
	}
	return "[" + strings.Join(s, ", ") + "]"
}

func showConsts(cs []Const) string {
	s := make([]string, len(cs))
	for i := range cs {
		s[i] = showConst(&cs[i])
	}
	return "[" + strings.Join(s, ", ") + "]"
}

func showObj(o *pyobj.Object, codeIndex func(*pyobj.Object) int) string {
	switch o.Kind {
	case pyobj.Code:
		return fmt.Sprintf("<code %d>", codeIndex(o))
	case pyobj.Tuple, pyobj.FrozenSet:
		return o.Kind.String() + showObjs(o.Items, codeIndex)
	}
	return showValue(o.Kind, o.Value)
}

func showConst(c *Const) string {
	switch c.Kind {
	case pyobj.Code:
		return fmt.Sprintf("<code %d>", c.Code)
	case pyobj.Tuple, pyobj.FrozenSet:
		return c.Kind.String() + showConsts(c.Items)
	}
	return showValue(c.Kind, c.Value)
}

func showValue(k pyobj.Kind, v ast.Value) string {
	switch k {
	case pyobj.None:
		return "None"
	case pyobj.Ellipsis:
		return "..."
	case pyobj.Bool:
		return fmt.Sprint(v.Bool())
	case pyobj.Int:
		return v.BigInt().String()
	case pyobj.Float:
		return fmt.Sprintf("float(%x)", math.Float64bits(v.Float()))
	case pyobj.Complex:
		re, im := v.Complex()
		return fmt.Sprintf("complex(%x,%x)", math.Float64bits(re), math.Float64bits(im))
	case pyobj.Str:
		return fmt.Sprintf("str%q", v.Str())
	case pyobj.Bytes:
		return fmt.Sprintf("bytes%q", v.Bytes())
	}
	return k.String()
}

// CompareFinal compares the optimizer's final sequence (as CFG.Finish
// gives it: pseudo jumps not yet resolved), stack depth, number of fast
// locals and constants with the code object compile() made. The pseudo
// jumps are resolved as the assembler does (by direction), jumps and
// handlers compared by target index, and the handler depth as the
// exception table records it (the handler's start depth, less one, less
// one more when it keeps lasti). A stack depth of 0 matches co_stacksize
// 1, which the code object's constructor makes of it.
func CompareFinal(tab *opcode.Table, got *instr.Sequence, stackDepth, nlocalsplus int32, consts []*pyobj.Object, want *Final, codeIndex func(*pyobj.Object) int) error {
	jump, _ := tab.Lookup("JUMP")
	jumpNI, _ := tab.Lookup("JUMP_NO_INTERRUPT")
	fwd, _ := tab.Lookup("JUMP_FORWARD")
	back, _ := tab.Lookup("JUMP_BACKWARD")
	backNI, _ := tab.Lookup("JUMP_BACKWARD_NO_INTERRUPT")
	n := min(len(got.Instrs), len(want.Instrs))
	rows := make([]Row, len(want.Instrs))
	for i, w := range want.Instrs {
		rows[i] = Row{Op: w.Op, Arg: w.Arg, Loc: w.Loc}
	}
	for i := 0; i < n; i++ {
		g, w := &got.Instrs[i], &want.Instrs[i]
		op, arg := g.Op, g.Arg
		target := int32(-1)
		if tab.Has(op, opcode.HasJump) {
			t, err := labelIndex(got, instr.Label(g.Arg))
			if err != nil {
				return err
			}
			target = t
			switch op {
			case jump:
				op = back
				if t > int32(i) {
					op = fwd
				}
			case jumpNI:
				op = backNI
				if t > int32(i) {
					op = fwd
				}
			}
			arg = w.Arg // jump offsets are the assembler's
		}
		if int32(op) != w.Op || arg != w.Arg || target != w.Target || g.Loc != w.Loc {
			return diff("instruction %d: got %s %d ->%d %v, want %s %d ->%d %v%s", i, tab.Name(op), arg, target, g.Loc,
				tab.Name(opcode.Op(w.Op)), w.Arg, w.Target, w.Loc, around(tab, got, rows, i))
		}
		h := int32(-1)
		var depth int32
		lasti := false
		if g.Handler.Label != instr.NoLabel {
			t, err := labelIndex(got, g.Handler.Label)
			if err != nil {
				return err
			}
			h, lasti = t, g.Handler.PreserveLasti()
			depth = g.Handler.StartDepth() - 1
			if lasti {
				depth--
			}
		}
		if h != w.HTarget || (h >= 0 && (depth != w.HDepth || lasti != w.HLasti)) {
			return diff("instruction %d (%s): handler ->%d depth %d lasti %v, want ->%d depth %d lasti %v%s", i, tab.Name(op), h, depth, lasti,
				w.HTarget, w.HDepth, w.HLasti, around(tab, got, rows, i))
		}
	}
	if len(got.Instrs) != len(want.Instrs) {
		return diff("%d instructions, want %d%s", len(got.Instrs), len(want.Instrs), around(tab, got, rows, n))
	}
	// The code object's constructor (init_code) raises a stack size of 0
	// to 1.
	if max(stackDepth, 1) != want.StackSize {
		return diff("stack depth %d, want %d", stackDepth, want.StackSize)
	}
	if nlocalsplus != want.NLocalsPlus {
		return diff("%d fast locals, cells and free variables, want %d", nlocalsplus, want.NLocalsPlus)
	}
	return CompareConsts(consts, want.Consts, codeIndex)
}
