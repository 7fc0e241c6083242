package marshal_test

import (
	"encoding/hex"
	"math"
	"math/big"
	"strings"
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/native/marshal"
	"github.com/rules-pyc/rules_pyc/compiler/native/pyobj"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

func bigInt(s string) ast.Value {
	b, _ := new(big.Int).SetString(s, 10)
	return ast.BigIntValue(b)
}

// valueCases pair a constant with the Python expression that makes it.
var valueCases = []struct {
	v    ast.Value
	expr string
}{
	{ast.IntValue(0), "0"},
	{ast.IntValue(-5), "-5"},
	{ast.IntValue(1<<31 - 1), "2**31-1"},
	{ast.IntValue(-1 << 31), "-2**31"},
	{ast.IntValue(1 << 31), "2**31"},
	{ast.IntValue(-1<<31 - 1), "-2**31-1"},
	{ast.IntValue(math.MaxInt64), "2**63-1"},
	{bigInt("-123456789012345678901234567890123"), "-123456789012345678901234567890123"},
	{bigInt("32768"), "32768"},
	{ast.FloatValue(1.5), "1.5"},
	{ast.FloatValue(math.Copysign(0, -1)), "-0.0"},
	{ast.FloatValue(math.Inf(1)), "float('inf')"},
	{ast.ComplexValue(0, 2), "2j"},
	{ast.ComplexValue(math.Copysign(0, -1), -3), "complex(-0.0, -3.0)"},
	{ast.StrValue("hello world"), "'hello world'"},
	{ast.StrValue(strings.Repeat("x y", 100)), "'x y' * 100"},
	{ast.StrValue("caf\u00e9 \u20ac"), "'caf\\xe9 \\u20ac'"},
	{ast.StrValue("\xed\xa0\x80"), "'\\ud800'"},
	{ast.StrValue("\U0001F600"), "'\\U0001F600'"},
	{ast.BytesValue("\x00\xffab"), "b'\\x00\\xffab'"},
	{ast.BytesValue(""), "b''"},
	{ast.TupleValue(nil), "()"},
	{ast.TupleValue([]ast.Value{ast.NoneValue(), ast.BoolValue(true), ast.BoolValue(false), ast.EllipsisValue()}), "(None, True, False, ...)"},
	{ast.FrozenSetValue([]ast.Value{ast.StrValue("b c"), ast.IntValue(3), ast.FloatValue(2.5)}), "frozenset({'b c', 3, 2.5})"},
}

func bigTuple() ast.Value {
	items := make([]ast.Value, 300)
	for i := range items {
		items[i] = ast.IntValue(int64(i * 1000))
	}
	return ast.TupleValue(items)
}

// TestValuesLoadInInterpreters writes each constant with the Writer and
// has every CPython 3.13 on the machine load the bytes: the result must
// equal the value the Python expression makes (same types, same reprs, a
// frozenset's items in any order: the interpreters run with random string
// hashes, so two equal frozensets built in different orders may iterate
// differently; the order marshal writes is tested in pyobj with
// PYTHONHASHSEED=0).
func TestValuesLoadInInterpreters(t *testing.T) {
	cases := append(valueCases[:len(valueCases):len(valueCases)], struct {
		v    ast.Value
		expr string
	}{bigTuple(), "tuple(i * 1000 for i in range(300))"})
	var in []map[string]string
	for _, c := range cases {
		p := pyobj.NewProcess(nil)
		b, err := marshal.Dump(p.FromValue(c.v))
		if err != nil {
			t.Fatal(err)
		}
		in = append(in, map[string]string{"hex": hex.EncodeToString(b), "expr": c.expr})
	}
	const script = `
import json, marshal, sys
def canon(v):
    if type(v) is frozenset:
        return ("frozenset", sorted(repr(canon(x)) for x in v))
    if type(v) is tuple:
        return ("tuple", [canon(x) for x in v])
    return (type(v).__name__, repr(v))
out = []
for c in json.load(sys.stdin):
    got = marshal.loads(bytes.fromhex(c["hex"]))
    want = eval(c["expr"])
    out.append([canon(got) == canon(want), repr(got)[:200]])
json.dump(out, sys.stdout)
`
	var found int
	for _, py := range pythons.Find(t) {
		if py.Major != 3 || py.Minor != 13 {
			continue
		}
		found++
		var out [][2]any
		py.RunJSON(t, script, in, &out)
		for i, o := range out {
			if o[0] != true {
				t.Errorf("%s: %s loads as %v", py.Version, cases[i].expr, o[1])
			}
		}
	}
	if found == 0 {
		t.Skip("no CPython 3.13 here")
	}
}

// TestReadRoundTrip reads what the Writer writes.
func TestReadRoundTrip(t *testing.T) {
	p := pyobj.NewProcess(nil)
	s := p.NewStr("shared str")
	top := p.NewTuple([]*pyobj.Object{s, s, p.FromValue(bigInt("-99999999999999999999"))})
	b, err := marshal.Dump(top)
	if err != nil {
		t.Fatal(err)
	}
	it, err := marshal.Read(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(it.Items) != 3 || it.Items[0] != it.Items[1] || !it.Items[0].Ref || it.Items[0].Str != "shared str" || !it.Items[2].Neg {
		t.Errorf("read back %+v", it)
	}
	if _, err := marshal.Read(b[:len(b)-1]); err == nil {
		t.Error("truncated stream read without error")
	}
}

// TestDumpAfter: DumpAfter gives the prefix and then Dump's bytes, in a
// new array (the prefix is not written to), for each constant and with
// one Writer used again and again, as a compile's scratch Writer is.
func TestDumpAfter(t *testing.T) {
	p := pyobj.NewProcess(nil)
	var w marshal.Writer
	for _, prefix := range [][]byte{nil, {}, []byte("0123456789abcdef")} {
		for _, c := range valueCases {
			top := p.FromValue(c.v)
			want, err := marshal.Dump(top)
			if err != nil {
				t.Fatal(err)
			}
			keep := string(prefix)
			got, err := w.DumpAfter(prefix, top)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != keep+string(want) {
				t.Errorf("DumpAfter(%q, %s) = %x, want %x", keep, c.expr, got, append([]byte(keep), want...))
			}
			if len(got) > 0 {
				got[0] ^= 0xff
			}
			if string(prefix) != keep {
				t.Fatalf("DumpAfter(%q, %s) wrote to its prefix", keep, c.expr)
			}
		}
	}
}

// TestCodeLeafFields: the count pass counts a code object's local kinds,
// names and tables without walking them, which is right only for strs and
// bytes; another object there is refused, not miscounted.
func TestCodeLeafFields(t *testing.T) {
	p := pyobj.NewProcess(nil)
	code := func(filename *pyobj.Object) *pyobj.Object {
		empty := p.NewTuple(nil)
		return p.NewCode(&pyobj.CodeObject{
			StackSize: 1, Bytecode: []byte{0x79, 0},
			Consts: empty, Names: empty, LocalsPlusNames: empty,
			LocalsPlusKinds: p.EmptyBytes(), Filename: filename,
			Name: p.NewStr("f"), QualName: p.NewStr("f"),
			LineTable: p.EmptyBytes(), ExceptionTable: p.EmptyBytes(),
		})
	}
	if _, err := marshal.Dump(code(p.NewStr("x.py"))); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if recover() == nil {
			t.Error("a tuple as a code object's file name was marshalled")
		}
	}()
	_, _ = marshal.Dump(code(p.NewTuple([]*pyobj.Object{p.NewStr("x.py")})))
}
