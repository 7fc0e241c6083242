package astjson

import (
	"strings"
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
)

// TestConvertAndDiff converts a real tree twice: the copies must be equal,
// and every kind of change to one must be reported at its place.
func TestConvertAndDiff(t *testing.T) {
	in := Find313(t)[0]
	src := "def f(a, *, b=1):\n    return {a: 'x\\ud800', **b}, 1.5, 2j, 10**30, b'\\xff', None, ...\n"
	var req Request
	req.AddSource([]byte(src))
	var recs []*Record
	in.Parse(t, req, func(r *Record) { recs = append(recs, r) })
	if len(recs) != 1 || recs[0].ParseError != "" {
		t.Fatalf("the interpreter did not parse the source: %+v", recs)
	}
	conv := func() *ast.Module {
		n, err := Convert(recs[0].Tree)
		if err != nil {
			t.Fatal(err)
		}
		return n.(*ast.Module)
	}
	if d := Diff(conv(), conv()); d != "" {
		t.Fatalf("two conversions of one tree differ: %s", d)
	}
	ret := func(m *ast.Module) *ast.Tuple {
		return m.Body[0].(*ast.FunctionDef).Body[0].(*ast.Return).Value.(*ast.Tuple)
	}
	m := conv()
	if s := ret(m).Elts[0].(*ast.Dict).Values[0].(*ast.Constant).Value.Str(); s != "x\xed\xa0\x80" {
		t.Fatalf("'x\\ud800' converted to %q", s)
	}
	tests := []struct {
		change func(m *ast.Module)
		want   string
	}{
		{func(m *ast.Module) { m.Body[0].(*ast.FunctionDef).Name = "g" }, `Module.body[0] -> FunctionDef.name: want "f", got "g"`},
		{func(m *ast.Module) { m.Body[0].(*ast.FunctionDef).Args.Kwonlyargs[0].Arg = "c" }, `FunctionDef.args -> arguments.kwonlyargs[0] -> arg.arg: want "b", got "c"`},
		{func(m *ast.Module) { ret(m).Elts[1].(*ast.Constant).Value = ast.FloatValue(1.25) }, "Tuple.elts[1] -> Constant.value: want float 0x1.8p+00 (1.5), got float 0x1.4p+00 (1.25)"},
		{func(m *ast.Module) { ret(m).Elts = ret(m).Elts[:3] }, "Tuple.elts: want 7 elements, got 3"},
		{func(m *ast.Module) { ret(m).Elts[0].(*ast.Dict).Keys[1] = ret(m).Elts[1] }, "Dict.keys[1]: want None, got Constant at 2:"},
		{func(m *ast.Module) { ret(m).Ctx = ast.Store }, "Tuple.ctx: want Load, got Store"},
		{func(m *ast.Module) { ret(m).EndColOffset++ }, "Return.value -> Tuple: position: want 2:11-2:"},
		{func(m *ast.Module) { m.Body[0].(*ast.FunctionDef).Args = nil }, "FunctionDef.args: want arguments, got None"},
	}
	for _, tt := range tests {
		got := conv()
		tt.change(got)
		d := Diff(conv(), got)
		if !strings.Contains(d, tt.want) {
			t.Errorf("Diff = %q, want one containing %q", d, tt.want)
		}
	}
}
