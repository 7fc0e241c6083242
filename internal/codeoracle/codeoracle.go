// Package codeoracle gives tests of the native back end CPython's own
// input to the assembler: for each source, the tree of code objects that a
// real interpreter's compile() makes, decoded into instruction sequences
// (opcodes, opargs, source positions from co_positions, jump targets and
// exception handlers from CPython's own exception table parser) and code
// unit metadata, plus the identifiers the parser interns.
//
// Replay turns such a tree back into code objects with the native
// assembler, creating the constants in the order code generation creates
// them (so that the constant cache and interning give them the identity
// CPython gives them), ready for the native marshal writer. When native
// code generation exists, its units take the place of the replayed ones
// and the same comparison runs unchanged.
package codeoracle

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/rules-pyc/rules_pyc/compiler/native/assemble"
	"github.com/rules-pyc/rules_pyc/compiler/native/instr"
	"github.com/rules-pyc/rules_pyc/compiler/native/opcode"
	"github.com/rules-pyc/rules_pyc/compiler/native/pyobj"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
	"github.com/rules-pyc/rules_pyc/internal/oraclewire"
	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

//go:embed oracle.py
var script string

// Unit is one code object as compile() made it.
type Unit struct {
	ArgCount        int32               `json:"argcount"`
	PosOnlyArgCount int32               `json:"posonlyargcount"`
	KwOnlyArgCount  int32               `json:"kwonlyargcount"`
	StackSize       int32               `json:"stacksize"`
	Flags           int32               `json:"flags"`
	FirstLineNo     int32               `json:"firstlineno"`
	Name            oraclewire.HexStr   `json:"name"`
	QualName        oraclewire.HexStr   `json:"qualname"`
	Names           []oraclewire.HexStr `json:"names"`
	VarNames        []oraclewire.HexStr `json:"varnames"`
	CellVars        []oraclewire.HexStr `json:"cellvars"`
	FreeVars        []oraclewire.HexStr `json:"freevars"`
	Code            oraclewire.HexStr   `json:"code"`
	LineTable       oraclewire.HexStr   `json:"linetable"`
	ExceptionTable  oraclewire.HexStr   `json:"exceptiontable"`
	Instrs          []Row               `json:"instrs"`
	Consts          []Const             `json:"consts"`
}

// Row is one instruction of compile()'s code: opcode, oparg, position
// (-1: none), the index of the jump target (-1: not a jump) and the
// handler (target index, depth, lasti; Handler false: none).
type Row struct {
	Op, Arg, Line, EndLine, Col, EndCol, Target int32
	Handler                                     bool
	HTarget, HDepth                             int32
	HLasti                                      bool
}

func (r *Row) UnmarshalJSON(b []byte) error {
	var parts [8]json.RawMessage
	if err := json.Unmarshal(b, &parts); err != nil {
		return err
	}
	for j, p := range []*int32{&r.Op, &r.Arg, &r.Line, &r.EndLine, &r.Col, &r.EndCol, &r.Target} {
		if err := json.Unmarshal(parts[j], p); err != nil {
			return err
		}
	}
	var h []json.RawMessage
	if err := json.Unmarshal(parts[7], &h); err != nil {
		return err
	}
	if h == nil {
		return nil
	}
	r.Handler = true
	if err := json.Unmarshal(h[0], &r.HTarget); err != nil {
		return err
	}
	if err := json.Unmarshal(h[1], &r.HDepth); err != nil {
		return err
	}
	return json.Unmarshal(h[2], &r.HLasti)
}

// Const is a constant: a value, or a nested code object.
type Const struct {
	Value ast.Value
	Code  *Unit
	// Fresh marks a str of at most one code point below U+0100 that is not
	// CPython's cached singleton (the AST optimizer makes such strs).
	Fresh bool
}

// File is one source's answer.
type File struct {
	Top         *Unit               `json:"top"`
	Identifiers []oraclewire.HexStr `json:"identifiers"`
	Error       string              `json:"error"`
	// Kinds, when set, are co_localspluskinds of each code object in
	// pre-order (a code object, then those of its co_consts): the only
	// metadata compile() does not show (which locals are hidden, from
	// inlined comprehensions). Tests read them from CPython's marshal
	// output.
	Kinds [][]byte `json:"-"`
}

// UnmarshalJSON reads the oracle's tagged form (package oraclewire).
func (c *Const) UnmarshalJSON(b []byte) error {
	tag, parts, err := oraclewire.Split(b)
	if err != nil {
		return err
	}
	if s, ok, err := oraclewire.DecodeScalar(tag, parts); ok {
		c.Value, c.Fresh = s.Value, s.Fresh
		return err
	}
	if len(parts) < 2 {
		return fmt.Errorf("constant %s: no items or unit", b)
	}
	switch tag {
	case "t", "fs":
		var items []Const
		if err := json.Unmarshal(parts[1], &items); err != nil {
			return err
		}
		vals := make([]ast.Value, len(items))
		for i, it := range items {
			vals[i] = it.Value
		}
		if tag == "t" {
			c.Value = ast.TupleValue(vals)
		} else {
			c.Value = ast.FrozenSetValue(vals)
		}
	case "code":
		c.Code = new(Unit)
		return json.Unmarshal(parts[1], c.Code)
	default:
		return fmt.Errorf("unknown constant tag %q", tag)
	}
	return nil
}

// Source is oraclewire.Source, which Run takes.
type Source = oraclewire.Source

// Run compiles every source with py at the optimization level and calls
// each with its answer, in order, from one interpreter process.
func Run(ctx context.Context, py pythons.Interpreter, sources []Source, optimize int, each func(i int, f *File) error) error {
	return oraclewire.RunFiles(ctx, "codeoracle", py, script, sources, optimize, each)
}

// Replay assembles f's code objects with the native assembler, in a new
// Process that starts from the interned strs of startup, as CPython's
// compile of the source named filename made them, and returns the
// top-level code object.
func Replay(tab *opcode.Table, startup pyobj.Interned, filename string, f *File) (*pyobj.Object, error) {
	p := pyobj.NewProcess(startup)
	r := &replay{tab: tab, p: p, cache: p.NewConstCache(), kinds: f.Kinds}
	r.asm = assemble.New(tab, p, r.cache)
	r.idents = map[string]bool{}
	for _, id := range f.Identifiers {
		p.Identifier(string(id))
		r.idents[string(id)] = true
	}
	r.filename = p.NewStr(filename)
	return r.unit(f.Top)
}

type replay struct {
	tab      *opcode.Table
	p        *pyobj.Process
	cache    *pyobj.ConstCache
	asm      *assemble.Assembler
	filename *pyobj.Object
	kinds    [][]byte
	next     int
	idents   map[string]bool
}

// object makes a constant's object. A tuple of strs that are all
// identifiers of the source (no dotted import names) is taken to be made of
// the parser's identifier objects, as code generation makes keyword-argument
// names, import lists and __static_attributes__; that matters only for strs
// that interning would not otherwise touch (not made of [A-Za-z0-9_]).
func (r *replay) object(v ast.Value) *pyobj.Object {
	if v.Kind() != ast.TupleKind || len(v.Elems()) == 0 {
		return r.p.FromValue(v)
	}
	for _, e := range v.Elems() {
		if e.Kind() != ast.StrKind || !r.idents[e.Str()] || strings.Contains(e.Str(), ".") {
			return r.p.FromValue(v)
		}
	}
	items := make([]*pyobj.Object, len(v.Elems()))
	for i, e := range v.Elems() {
		items[i] = r.p.Identifier(e.Str())
	}
	return r.p.NewTuple(items)
}

// CO_OPTIMIZED: a function-like scope.
const coOptimized = 0x1

func (r *replay) ids(names []oraclewire.HexStr) []*pyobj.Object {
	out := make([]*pyobj.Object, len(names))
	for i, n := range names {
		out[i] = r.p.Identifier(string(n))
	}
	return out
}

func (r *replay) unit(u *Unit) (*pyobj.Object, error) {
	var m instr.Metadata
	if r.next < len(r.kinds) {
		for i, k := range r.kinds[r.next] {
			if k&assemble.KindHidden != 0 && i < len(u.VarNames) {
				if m.FastHidden == nil {
					m.FastHidden = map[string]bool{}
				}
				m.FastHidden[string(u.VarNames[i])] = true
			}
		}
	}
	r.next++
	m.Name = r.p.Identifier(string(u.Name))
	qual := string(u.QualName)
	classBody := u.Flags&coOptimized == 0 && string(u.Name) != "<module>"
	switch {
	case qual == string(u.Name):
		m.QualName = m.Name
	default:
		// compiler_set_qualname makes a new str.
		m.QualName = r.p.NewStr(qual)
	}
	usedQual := false
	className := "" // the name of the class whose body was the last code const
	for _, c := range u.Consts {
		var o *pyobj.Object
		if c.Code != nil {
			var err error
			if o, err = r.unit(c.Code); err != nil {
				return nil, err
			}
			className = ""
			if c.Code.Flags&coOptimized == 0 {
				className = string(c.Code.Name)
			}
		} else {
			o = r.object(c.Value)
			if className != "" && c.Value.Kind() == ast.StrKind && c.Value.Str() == className {
				// __build_class__'s name argument is the ClassDef's
				// identifier itself.
				o = r.p.Identifier(className)
				className = ""
			}
			if c.Fresh {
				o = r.p.NewStrFresh(c.Value.Str())
			}
			if classBody && !usedQual && c.Value.Kind() == ast.StrKind && c.Value.Str() == qual {
				// The class body loads u_qualname itself as __qualname__.
				o = m.QualName
				usedQual = true
			}
			o = r.cache.Merge(o)
		}
		m.Consts = append(m.Consts, o)
	}
	m.Names = r.ids(u.Names)
	m.VarNames = r.ids(u.VarNames)
	vars := map[string]bool{}
	for _, v := range u.VarNames {
		vars[string(v)] = true
	}
	// Cells that are also locals first: they take no slot of their own.
	var pure []oraclewire.HexStr
	for _, c := range u.CellVars {
		if vars[string(c)] {
			m.CellVars = append(m.CellVars, r.p.Identifier(string(c)))
		} else {
			pure = append(pure, c)
		}
	}
	m.CellVars = append(m.CellVars, r.ids(pure)...)
	m.FreeVars = r.ids(u.FreeVars)
	m.ArgCount = u.ArgCount - u.PosOnlyArgCount
	m.PosOnlyArgCount = u.PosOnlyArgCount
	m.KwOnlyArgCount = u.KwOnlyArgCount
	m.FirstLineNo = u.FirstLineNo

	unit := &instr.Unit{Meta: m, Flags: u.Flags, StackDepth: u.StackSize,
		NLocalsPlus: int32(len(u.VarNames) + len(pure) + len(u.FreeVars))}
	seq := &unit.Seq
	labels := map[int]instr.Label{}
	label := func(i int) instr.Label {
		l, ok := labels[i]
		if !ok {
			l = seq.NewLabel()
			labels[i] = l
		}
		return l
	}
	rows := u.Instrs
	for _, x := range rows {
		if x.Target >= 0 {
			label(int(x.Target))
		}
		if x.Handler {
			label(int(x.HTarget))
		}
	}
	jump := r.tab.MustLookup("JUMP")
	fwd, back := r.tab.MustLookup("JUMP_FORWARD"), r.tab.MustLookup("JUMP_BACKWARD")
	seq.Instrs = make([]instr.Instr, 0, len(rows))
	for i, x := range rows {
		if l, ok := labels[i]; ok {
			if err := seq.Place(l); err != nil {
				return nil, err
			}
		}
		in := instr.Instr{Op: opcode.Op(x.Op), Arg: x.Arg,
			Loc:     instr.Location{Line: x.Line, EndLine: x.EndLine, Col: x.Col, EndCol: x.EndCol},
			Handler: instr.NoHandler}
		if x.Target >= 0 {
			in.Arg = int32(labels[int(x.Target)])
			// The assembler picks the direction of a plain jump itself.
			if in.Op == fwd || in.Op == back {
				in.Op = jump
			}
		}
		if x.Handler {
			sd := x.HDepth + 1
			if x.HLasti {
				sd++
			}
			in.Handler = instr.NewHandler(labels[int(x.HTarget)], sd, x.HLasti)
		}
		seq.Instrs = append(seq.Instrs, in)
	}
	code, err := r.asm.Assemble(unit, r.filename)
	if err != nil {
		return nil, fmt.Errorf("%s: assemble: %w", u.QualName, err)
	}
	c := code.Code
	if string(c.Bytecode) != string(u.Code) {
		return code, &Mismatch{Unit: string(u.QualName), Field: "co_code", Got: c.Bytecode, Want: []byte(u.Code)}
	}
	if c.LineTable.Value.Bytes() != string(u.LineTable) {
		return code, &Mismatch{Unit: string(u.QualName), Field: "co_linetable", Got: []byte(c.LineTable.Value.Bytes()), Want: []byte(u.LineTable)}
	}
	if c.ExceptionTable.Value.Bytes() != string(u.ExceptionTable) {
		return code, &Mismatch{Unit: string(u.QualName), Field: "co_exceptiontable", Got: []byte(c.ExceptionTable.Value.Bytes()), Want: []byte(u.ExceptionTable)}
	}
	return code, nil
}

// Mismatch is a code object attribute that the assembler made differently
// from CPython.
type Mismatch struct {
	Unit, Field string
	Got, Want   []byte
}

func (m *Mismatch) Error() string {
	return fmt.Sprintf("%s: %s differs: got %x, want %x", m.Unit, m.Field, m.Got, m.Want)
}
