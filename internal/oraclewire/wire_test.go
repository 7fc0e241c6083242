package oraclewire

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/native/pyobj"
	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

// roundTrip is a driver that sends back, for each Python expression of the
// request, wire_enc of its value (with fresh strs tagged), and wire_enc of
// wire_dec of that form.
const roundTrip = `
import json, sys

def other(v):
    raise TypeError(type(v).__name__)

for expr in json.load(sys.stdin):
    form = wire_enc(eval(expr), other, fresh=True)
    again = wire_enc(wire_dec(form), other)
    sys.stdout.write(json.dumps([form, again]) + "\n")
`

// TestScalars sends scalars of every kind through a real interpreter's
// wire_enc, decodes them here, encodes them again and compares with what
// the interpreter wrote; wire_dec gives the interpreter back the same value.
func TestScalars(t *testing.T) {
	found := pythons.Require(t, 1)
	py := found[len(found)-1]
	cases := []struct {
		expr  string
		kind  pyobj.Kind
		fresh bool
		check func(s Scalar) bool
	}{
		{"None", pyobj.None, false, nil},
		{"True", pyobj.Bool, false, func(s Scalar) bool { return s.Value.Bool() }},
		{"False", pyobj.Bool, false, func(s Scalar) bool { return !s.Value.Bool() }},
		{"...", pyobj.Ellipsis, false, nil},
		{"-12345678901234567890123", pyobj.Int, false, func(s Scalar) bool { return s.Value.BigInt().String() == "-12345678901234567890123" }},
		{"7", pyobj.Int, false, func(s Scalar) bool { return s.Value.BigInt().Int64() == 7 }},
		{"-0.0", pyobj.Float, false, func(s Scalar) bool { return math.Signbit(s.Value.Float()) }},
		{"1e308*10", pyobj.Float, false, func(s Scalar) bool { return math.IsInf(s.Value.Float(), 1) }},
		{"complex(1.5, -2)", pyobj.Complex, false, func(s Scalar) bool { re, im := s.Value.Complex(); return re == 1.5 && im == -2 }},
		{"'h\\xe9\\U0001f600\\udc80'", pyobj.Str, false, func(s Scalar) bool { return s.Value.Str() == "h\u00e9\U0001f600\xed\xb2\x80" }},
		{"'a'", pyobj.Str, false, nil},
		{"'%%'.replace('%%', '%')", pyobj.Str, true, func(s Scalar) bool { return s.Value.Str() == "%" }},
		{"b'\\x00\\xff'", pyobj.Bytes, false, func(s Scalar) bool { return s.Value.Bytes() == "\x00\xff" }},
	}
	exprs := make([]string, len(cases))
	for i, c := range cases {
		exprs[i] = c.expr
	}
	err := Run(context.Background(), "test", py, roundTrip, exprs, len(exprs), func(i int, line []byte) error {
		c := cases[i]
		var forms [2]json.RawMessage
		if err := json.Unmarshal(line, &forms); err != nil {
			return err
		}
		tag, parts, err := Split(forms[0])
		if err != nil {
			return err
		}
		s, ok, err := DecodeScalar(tag, parts)
		if !ok || err != nil {
			t.Errorf("%s: %s: not decoded as a scalar (%v)", c.expr, forms[0], err)
			return nil
		}
		if s.Kind != c.kind || s.Fresh != c.fresh || (c.check != nil && !c.check(s)) {
			t.Errorf("%s: %s decoded as %v %v (fresh %v)", c.expr, forms[0], s.Kind, s.Value, s.Fresh)
		}
		back, ok := EncodeScalar(s.Kind, s.Value)
		if !ok {
			t.Errorf("%s: %v not encoded", c.expr, s.Kind)
			return nil
		}
		data, err := json.Marshal(back)
		if err != nil {
			return err
		}
		var want []any
		if err := json.Unmarshal(forms[1], &want); err != nil {
			return err
		}
		wantData, err := json.Marshal(want)
		if err != nil {
			return err
		}
		if !bytes.Equal(data, wantData) {
			t.Errorf("%s: encoded here as %s, by the interpreter as %s", c.expr, data, forms[1])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestContainersAreTheCallers: a tuple's form is not a scalar's.
func TestContainersAreTheCallers(t *testing.T) {
	tag, parts, err := Split([]byte(`["t", [["N"]]]`))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := DecodeScalar(tag, parts); ok || err != nil {
		t.Errorf("a tuple decoded as a scalar (ok %v, err %v)", ok, err)
	}
}
