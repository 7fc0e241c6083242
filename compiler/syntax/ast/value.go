package ast

import (
	"math"
	"math/big"
)

// ValueKind is the Python type of a constant.
type ValueKind uint8

// The kinds of constant. The zero Value has kind NoKind and is not a valid
// constant.
const (
	NoKind        ValueKind = iota
	NoneKind                // None
	BoolKind                // True, False
	EllipsisKind            // ...
	IntKind                 // int, any size
	FloatKind               // float
	ComplexKind             // complex (the parser makes only imaginary literals: real part +0.0)
	StrKind                 // str
	BytesKind               // bytes
	TupleKind               // tuple of constants (made by constant folding, not by the parser)
	FrozenSetKind           // frozenset of constants (made by constant folding, not by the parser)
)

var valueKindNames = [...]string{
	NoKind:        "invalid",
	NoneKind:      "NoneType",
	BoolKind:      "bool",
	EllipsisKind:  "ellipsis",
	IntKind:       "int",
	FloatKind:     "float",
	ComplexKind:   "complex",
	StrKind:       "str",
	BytesKind:     "bytes",
	TupleKind:     "tuple",
	FrozenSetKind: "frozenset",
}

// String returns the name of the Python type.
func (k ValueKind) String() string {
	if int(k) < len(valueKindNames) {
		return valueKindNames[k]
	}
	return "invalid"
}

// Value is a Python constant: the value of a Constant or MatchSingleton node.
// It is small and compared with Equal, not ==.
//
// Representation invariants:
//   - An int that fits in int64 is held inline; a larger one in a big.Int
//     (never a big.Int that fits in int64), so that equal ints have one form.
//   - A str is held as the UTF-8 encoding of its code points, where a
//     surrogate code point (U+D800..U+DFFF, which a Python str may hold: the
//     literal "\ud800") is written in its own 3-byte form (ED A0 80 for
//     U+D800), each surrogate of a pair separately. This is what Python's
//     str.encode('utf-8', 'surrogatepass') writes, and what marshal writes
//     for a str. AppendCodePoint and DecodeCodePoint read and write it.
//   - A bytes value is held as its bytes, in a Go string.
type Value struct {
	kind ValueKind
	// num is the bool (0, 1), the int64, the float64's bits or the complex
	// number's imaginary part's bits.
	num uint64
	str string
	// ext holds what is rare: a big int, a complex number's real part,
	// tuple and frozenset elements.
	ext *valueExt
}

type valueExt struct {
	big   *big.Int
	real  float64
	elems []Value
}

// NoneValue returns None.
func NoneValue() Value { return Value{kind: NoneKind} }

// EllipsisValue returns Ellipsis.
func EllipsisValue() Value { return Value{kind: EllipsisKind} }

// BoolValue returns True or False.
func BoolValue(b bool) Value {
	v := Value{kind: BoolKind}
	if b {
		v.num = 1
	}
	return v
}

// IntValue returns the int i.
func IntValue(i int64) Value { return Value{kind: IntKind, num: uint64(i)} }

// BigIntValue returns the int b. b is not retained if it fits in int64;
// otherwise the Value keeps b, which must not be changed afterwards.
func BigIntValue(b *big.Int) Value {
	if b.IsInt64() {
		return IntValue(b.Int64())
	}
	return Value{kind: IntKind, ext: &valueExt{big: b}}
}

// FloatValue returns the float f.
// A NaN gets an identity of its own (see Identity).
func FloatValue(f float64) Value {
	v := Value{kind: FloatKind, num: math.Float64bits(f)}
	if math.IsNaN(f) {
		v.ext = &valueExt{}
	}
	return v
}

// ComplexValue returns the complex number re+im*j. One with a NaN part
// gets an identity of its own (see Identity).
func ComplexValue(re, im float64) Value {
	v := Value{kind: ComplexKind, num: math.Float64bits(im)}
	if math.Float64bits(re) != 0 || math.IsNaN(im) {
		v.ext = &valueExt{real: re}
	}
	return v
}

// Identity returns what tells apart constants that are equal but distinct
// objects to CPython, whose constant cache merges NaNs only by identity:
// for a float or complex number with a NaN, a token that the copies of
// one Value share and that each FloatValue or ComplexValue call making one
// has anew (so a tuple repeated by the AST optimizer holds one NaN object
// several times, and two folds make two). Nil for every other value.
func (v Value) Identity() any {
	switch v.kind {
	case FloatKind:
		if v.ext != nil && math.IsNaN(v.Float()) {
			return v.ext
		}
	case ComplexKind:
		if re, im := v.Complex(); v.ext != nil && (math.IsNaN(re) || math.IsNaN(im)) {
			return v.ext
		}
	}
	return nil
}

// StrValue returns the str whose code points s encodes (see Value).
func StrValue(s string) Value { return Value{kind: StrKind, str: s} }

// BytesValue returns the bytes b.
func BytesValue(b string) Value { return Value{kind: BytesKind, str: b} }

// FreshBytesValue returns the bytes b as an object of its own where
// CPython would share a singleton: the empty bytes that bytes_repeat
// allocates for a non-empty bytes repeated 0 times (b'ab' * 0 is not the
// singleton).
// The mark goes wherever the value does (into tuples and frozensets,
// out of subscripts), so that the object is made anew (see Fresh).
func FreshBytesValue(b string) Value { return Value{kind: BytesKind, str: b, num: 1} }

// Fresh reports whether v is a bytes FreshBytesValue made.
func (v Value) Fresh() bool { return v.kind == BytesKind && v.num != 0 }

// TupleValue returns the tuple of elems (retained).
func TupleValue(elems []Value) Value {
	return Value{kind: TupleKind, ext: &valueExt{elems: elems}}
}

// FrozenSetValue returns the frozenset of elems (retained), which are
// distinct; their order is the order the set is written in.
func FrozenSetValue(elems []Value) Value {
	return Value{kind: FrozenSetKind, ext: &valueExt{elems: elems}}
}

// Kind returns the constant's Python type.
func (v Value) Kind() ValueKind { return v.kind }

// Bool returns a bool's value.
func (v Value) Bool() bool { return v.num != 0 }

// Int64 returns an int's value and true if it fits in int64.
func (v Value) Int64() (int64, bool) {
	if v.kind != IntKind || v.ext != nil {
		return 0, false
	}
	return int64(v.num), true
}

// BigInt returns an int's value as a new big.Int.
func (v Value) BigInt() *big.Int {
	if v.ext != nil && v.ext.big != nil {
		return new(big.Int).Set(v.ext.big)
	}
	return big.NewInt(int64(v.num))
}

// Float returns a float's value.
func (v Value) Float() float64 { return math.Float64frombits(v.num) }

// Complex returns a complex number's real and imaginary parts.
func (v Value) Complex() (re, im float64) {
	if v.ext != nil {
		re = v.ext.real
	}
	return re, math.Float64frombits(v.num)
}

// Str returns a str's encoded code points (see Value).
func (v Value) Str() string { return v.str }

// Bytes returns a bytes value's bytes.
func (v Value) Bytes() string { return v.str }

// Elems returns a tuple's or frozenset's elements.
func (v Value) Elems() []Value {
	if v.ext == nil {
		return nil
	}
	return v.ext.elems
}

// Equal reports whether v and w are the same constant: same type and same
// value, floats compared by their bits (so 0.0 and -0.0 differ, and a NaN
// equals itself), elements in order.
func (v Value) Equal(w Value) bool {
	if v.kind != w.kind || v.num != w.num || v.str != w.str {
		return false
	}
	switch {
	case v.ext == nil && w.ext == nil:
		return true
	case v.ext == nil || w.ext == nil:
		return false
	}
	a, b := v.ext, w.ext
	if (a.big == nil) != (b.big == nil) || (a.big != nil && a.big.Cmp(b.big) != 0) {
		return false
	}
	if math.Float64bits(a.real) != math.Float64bits(b.real) || len(a.elems) != len(b.elems) {
		return false
	}
	for i := range a.elems {
		if !a.elems[i].Equal(b.elems[i]) {
			return false
		}
	}
	return true
}
