package native

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/native/codegen"
	"github.com/rules-pyc/rules_pyc/compiler/native/instr"
	"github.com/rules-pyc/rules_pyc/compiler/native/marshal"
	"github.com/rules-pyc/rules_pyc/compiler/native/opcode"
	"github.com/rules-pyc/rules_pyc/compiler/native/pyobj"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/astdump"
	"github.com/rules-pyc/rules_pyc/internal/cfgoracle"
	"github.com/rules-pyc/rules_pyc/internal/oraclewire"
)

// attribute names the first stage whose result differs for a file whose
// bytes differ, with a description of the difference.
//
// The two marshal streams are read back and compared as trees. When the
// values are the same and only FLAG_REF bits or back-references differ, the
// difference is identity (pyobj: constant sharing and interning, or
// marshal). Otherwise the first differing code object and field say which
// stages can be at fault, and the stage oracles decide (stageOracles).
func attribute(t *testing.T, env *sweepEnv, req Request, path string, got, want []byte) (string, string) {
	gt, err := marshal.Read(got)
	if err != nil {
		return "marshal", fmt.Sprintf("the native output does not read back: %v", err)
	}
	wt, err := marshal.Read(want)
	if err != nil {
		return "oracle", fmt.Sprintf("py_compile's output does not read back: %v", err)
	}
	d := &treeDiff{}
	d.item("", gt, wt)
	if d.what == "" {
		if d.ref != "" {
			return "identity", d.ref + "; " + firstDiff(got, want)
		}
		return "marshal", firstDiff(got, want)
	}
	if stage, detail := stageOracles(t, env, req, path); stage != "" {
		return stage, detail + " (bytes: " + d.what + ")"
	}
	return d.stages, d.what
}

// treeDiff finds the first difference between two marshal trees.
type treeDiff struct {
	// what is the first value difference; stages the stages that can
	// cause it. ref is the first difference of FLAG_REF alone.
	what, stages, ref string
}

func (d *treeDiff) item(path string, g, w *marshal.Item) {
	if d.what != "" {
		return
	}
	switch {
	case g == nil || w == nil:
		if g != w {
			d.set(path, "missing object", "codegen")
		}
		return
	case g.Type != w.Type:
		d.set(path, fmt.Sprintf("type %q, want %q", g.Type, w.Type), "astopt/codegen")
		return
	}
	if g.Ref != w.Ref && d.ref == "" {
		d.ref = fmt.Sprintf("%s: FLAG_REF %v, want %v", path, g.Ref, w.Ref)
	}
	if g.Code != nil || w.Code != nil {
		d.code(path, g.Code, w.Code)
		return
	}
	switch {
	case g.Int != w.Int || g.Neg != w.Neg || !equalDigits(g.Digits, w.Digits):
		d.set(path, fmt.Sprintf("int %d, want %d", g.Int, w.Int), "astopt/codegen")
	case !equalFloats(g.Float, w.Float):
		d.set(path, fmt.Sprintf("float %v, want %v", g.Float, w.Float), "astopt/codegen")
	case g.Str != w.Str:
		d.set(path, fmt.Sprintf("%q, want %q", trim(g.Str), trim(w.Str)), "astopt/codegen")
	case len(g.Items) != len(w.Items):
		d.set(path, fmt.Sprintf("%d items, want %d", len(g.Items), len(w.Items)), "astopt/codegen")
	default:
		for i := range g.Items {
			d.item(fmt.Sprintf("%s[%d]", path, i), g.Items[i], w.Items[i])
		}
	}
}

func (d *treeDiff) set(path, what, stages string) {
	if d.what == "" {
		d.what, d.stages = path+": "+what, stages
	}
}

// code compares two code objects field by field, in the order of the
// stages that decide them.
func (d *treeDiff) code(path string, g, w *marshal.CodeItem) {
	if g == nil || w == nil {
		d.set(path, "code object against another type", "codegen")
		return
	}
	path = path + "<" + w.QualName.Str + ">"
	ints := []struct {
		name   string
		g, w   int32
		stages string
	}{
		{"co_argcount", g.ArgCount, w.ArgCount, "codegen"},
		{"co_posonlyargcount", g.PosOnlyArgCount, w.PosOnlyArgCount, "codegen"},
		{"co_kwonlyargcount", g.KwOnlyArgCount, w.KwOnlyArgCount, "codegen"},
		{"co_flags", g.Flags, w.Flags, "symtable/codegen"},
		{"co_firstlineno", g.FirstLineNo, w.FirstLineNo, "codegen"},
	}
	for _, f := range ints {
		if f.g != f.w {
			d.set(path, fmt.Sprintf("%s %d, want %d", f.name, f.g, f.w), f.stages)
			return
		}
	}
	items := []struct {
		name   string
		g, w   *marshal.Item
		stages string
	}{
		{"co_qualname", g.QualName, w.QualName, "codegen"},
		{"co_name", g.Name, w.Name, "codegen"},
		{"co_localsplusnames", g.LocalsPlusNames, w.LocalsPlusNames, "symtable/codegen"},
		{"co_localspluskinds", g.LocalsPlusKinds, w.LocalsPlusKinds, "symtable/codegen"},
		{"co_names", g.Names, w.Names, "codegen"},
		{"co_code", g.Bytecode, w.Bytecode, "codegen/flowgraph"},
		{"co_consts", g.Consts, w.Consts, "astopt/codegen/flowgraph"},
	}
	for _, f := range items {
		if f.name == "co_code" && f.g != nil && f.w != nil && f.g.Str != f.w.Str {
			d.set(path+".co_code", disDiff(f.g.Str, f.w.Str), f.stages)
			return
		}
		d.item(path+"."+f.name, f.g, f.w)
		if d.what != "" {
			d.stages = f.stages
			return
		}
	}
	if g.StackSize != w.StackSize {
		d.set(path, fmt.Sprintf("co_stacksize %d, want %d", g.StackSize, w.StackSize), "flowgraph")
		return
	}
	for _, f := range []struct {
		name   string
		g, w   *marshal.Item
		stages string
	}{
		{"co_linetable", g.LineTable, w.LineTable, "codegen/flowgraph/assemble"},
		{"co_exceptiontable", g.ExceptionTable, w.ExceptionTable, "flowgraph/assemble"},
		{"co_filename", g.Filename, w.Filename, "native"},
	} {
		d.item(path+"."+f.name, f.g, f.w)
		if d.what != "" {
			d.stages = f.stages
			return
		}
	}
}

func equalDigits(a, b []uint16) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func equalFloats(a, b [2]float64) bool {
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return false
		}
	}
	return true
}

// firstDiff describes where two byte strings part.
func firstDiff(got, want []byte) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	lo := max(i-16, 0)
	hi := func(b []byte) int { return min(i+24, len(b)) }
	return fmt.Sprintf("%d/%d bytes, first difference at %d: got ...%x|%x..., want ...%x|%x...",
		len(got), len(want), i, got[lo:i], got[i:hi(got)], want[lo:i], want[i:hi(want)])
}

// stageOracles compares the native compiler's intermediate results for a
// file with CPython's, stage by stage, and names the first that differs
// ("" when none does): the parser's tree (ast.parse), the optimized tree
// (PyCF_OPTIMIZED_AST), each code unit's instructions and metadata as code
// generation writes them (_testinternalcapi.compiler_codegen), and each
// unit's final instructions, stack depth and constants (compile()'s code
// objects, through internal/cfgoracle).
func stageOracles(t *testing.T, env *sweepEnv, req Request, path string) (string, string) {
	var dumps dumpsAnswer
	if err := env.drv.ask(driverRequest{Op: "dumps", Path: path, Name: req.Name, Opt: req.Optimize}, &dumps); err != nil {
		return "oracle", err.Error()
	}
	units := map[*codegen.Unit]*unitTrace{}
	var top *codegen.Unit
	var parsed, optimized string
	tr := &tracer{
		parsed: func(mod ast.ModNode) {
			parsed, _ = astdump.Dump(mod, req.Release)
		},
		optimized: func(mod ast.ModNode) {
			optimized, _ = astdump.Dump(mod, req.Release)
		},
		generated: func(u *codegen.Unit) {
			units[u] = &unitTrace{rows: rowsOf(&u.Seq)}
			top = u
		},
		optimizedUnit: func(u *codegen.Unit) {
			ut := units[u]
			ut.final = u.Seq
			ut.final.Instrs = slices.Clone(u.Seq.Instrs)
			ut.depth, ut.nlocalsplus = u.StackDepth, u.NLocalsPlus
			ut.consts = slices.Clone(u.Meta.Consts)
		},
	}
	if _, err := compileTraced(req, tr); err != nil {
		return "", ""
	}
	switch {
	case dumps.Parsed == nil || dumps.Optimized == nil:
		return "", ""
	case parsed != *dumps.Parsed:
		return "parser", "ast.dump differs: " + firstDiff([]byte(parsed), []byte(*dumps.Parsed))
	case optimized != *dumps.Optimized:
		return "astopt", "the optimized ast.dump differs: " + firstDiff([]byte(optimized), []byte(*dumps.Optimized))
	}

	var want *cfgoracle.File
	err := cfgoracle.Run(context.Background(), env.py, []cfgoracle.Source{{Path: path, Name: req.Name}}, req.Optimize, func(_ int, f *cfgoracle.File) error {
		want = f
		return nil
	})
	if err != nil || want == nil || want.Top == nil {
		return "oracle", fmt.Sprintf("compiler_codegen: %v", err)
	}
	type pair struct {
		n *codegen.Unit
		c *cfgoracle.Unit
	}
	var pairs []pair
	var walk func(n *codegen.Unit, c *cfgoracle.Unit) string
	walk = func(n *codegen.Unit, c *cfgoracle.Unit) string {
		pairs = append(pairs, pair{n, c})
		if len(n.Children) != len(c.Children) {
			return fmt.Sprintf("%s: %d nested units, want %d", unitName(n), len(n.Children), len(c.Children))
		}
		for i := range n.Children {
			if d := walk(n.Children[i], c.Children[i]); d != "" {
				return d
			}
		}
		return ""
	}
	if d := walk(top, want.Top); d != "" {
		return "codegen", d
	}
	for _, p := range pairs {
		if d := compareRows(units[p.n].rows, p.c.Seq); d != "" {
			return "codegen", unitName(p.n) + ": " + d
		}
		if d := compareMeta(p.n, p.c); d != "" {
			return "symtable/codegen", unitName(p.n) + ": " + d
		}
	}
	for _, p := range pairs {
		ut := units[p.n]
		if p.c.Final == nil || ut.consts == nil {
			continue
		}
		codeIndex := func(o *pyobj.Object) int {
			for i, ch := range p.n.Children {
				if ch.Code == o {
					return i
				}
			}
			return -1
		}
		if err := cfgoracle.CompareFinal(opcode.V313, &ut.final, ut.depth, ut.nlocalsplus, ut.consts, p.c.Final, codeIndex); err != nil {
			return "flowgraph", unitName(p.n) + ": " + trim(err.Error())
		}
	}
	return "assemble/marshal", "every stage's result agrees up to the assembler"
}

// unitTrace is what the tracer kept of one unit.
type unitTrace struct {
	rows               []cfgoracle.Row
	final              instr.Sequence
	depth, nlocalsplus int32
	consts             []*pyobj.Object
}

// rowsOf is a sequence as compiler_codegen lists it: jump and handler
// targets as instruction indexes.
func rowsOf(seq *instr.Sequence) []cfgoracle.Row {
	rows := make([]cfgoracle.Row, len(seq.Instrs))
	for i, in := range seq.Instrs {
		arg := in.Arg
		if opcode.V313.Has(in.Op, opcode.HasJump) || opcode.V313.Has(in.Op, opcode.HasExc) {
			if k, err := seq.Index(instr.Label(in.Arg)); err == nil {
				arg = int32(k)
			} else {
				arg = -1
			}
		}
		rows[i] = cfgoracle.Row{Op: int32(in.Op), Arg: arg, Loc: in.Loc}
	}
	return rows
}

func compareRows(got, want []cfgoracle.Row) string {
	for i := 0; i < min(len(got), len(want)); i++ {
		g, w := got[i], want[i]
		if g.Op != w.Op || g.Arg != w.Arg || g.Loc != w.Loc {
			return fmt.Sprintf("instruction %d: %s %d %v, want %s %d %v", i,
				opcode.V313.Name(opcode.Op(g.Op)), g.Arg, g.Loc, opcode.V313.Name(opcode.Op(w.Op)), w.Arg, w.Loc)
		}
	}
	if len(got) != len(want) {
		return fmt.Sprintf("%d instructions, want %d", len(got), len(want))
	}
	return ""
}

// compareMeta compares what the symbol table decides of a unit.
func compareMeta(n *codegen.Unit, c *cfgoracle.Unit) string {
	strs := func(objs []*pyobj.Object) []string {
		var out []string
		for _, o := range objs {
			out = append(out, o.Value.Str())
		}
		return out
	}
	hex := func(h []oraclewire.HexStr) []string {
		var out []string
		for _, s := range h {
			out = append(out, string(s))
		}
		return out
	}
	switch {
	case !slices.Equal(strs(n.Meta.VarNames), hex(c.VarNames)):
		return fmt.Sprintf("varnames %q, want %q", strs(n.Meta.VarNames), hex(c.VarNames))
	case !slices.Equal(strs(n.Meta.CellVars), hex(c.CellVars)):
		return fmt.Sprintf("cellvars %q, want %q", strs(n.Meta.CellVars), hex(c.CellVars))
	case !slices.Equal(strs(n.Meta.FreeVars), hex(c.FreeVars)):
		return fmt.Sprintf("freevars %q, want %q", strs(n.Meta.FreeVars), hex(c.FreeVars))
	case n.Flags != c.Flags:
		return fmt.Sprintf("flags %#x, want %#x", n.Flags, c.Flags)
	case n.Meta.FirstLineNo != c.FirstLineNo:
		return fmt.Sprintf("first line %d, want %d", n.Meta.FirstLineNo, c.FirstLineNo)
	}
	return ""
}

func unitName(u *codegen.Unit) string {
	if u.Meta.QualName != nil {
		return u.Meta.QualName.Value.Str()
	}
	return "?"
}

// disDiff describes where two co_code strings part: the instructions
// around the first differing code unit, by name.
func disDiff(got, want string) string {
	i := 0
	for i+1 < len(got) && i+1 < len(want) && got[i:i+2] == want[i:i+2] {
		i += 2
	}
	dis := func(code string) string {
		var b strings.Builder
		for k := max(i-6, 0); k+1 < len(code) && k <= i+10; k += 2 {
			if k == i {
				b.WriteString("| ")
			}
			fmt.Fprintf(&b, "%s %d, ", opcode.V313.Name(opcode.Op(code[k])), code[k+1])
		}
		return b.String()
	}
	return fmt.Sprintf("code unit %d: got %s want %s", i/2, dis(got), dis(want))
}
