// Package pyobj models the Python objects a code object holds, with their
// identity, as one CPython 3.13 compile creates and shares them.
//
// marshal's output depends on more than values: an object is written with
// FLAG_REF when it is referenced more than once, is immortal, or is an
// interned str, and a second reference to the same object is a
// back-reference. So the native compiler keeps objects, not values: an
// *Object is one CPython object, two pointers are two objects, and the
// state that decides the flags (Interned, Immortal) is on the object.
//
// Invariants:
//   - None, True, False and Ellipsis are the package's singletons; marshal
//     writes them by type code, never by reference.
//   - A Process creates every other object. What CPython caches as
//     immortal singletons is a singleton of the Process: ints -5..256, the
//     empty tuple, bytes of length 0 and 1 made from data, and strs of
//     length 0 or one code point below U+0100 (interned when the start-up
//     set says so; measured: all 257 in 3.13.0 and in 3.13.18).
//   - A str's Interned state only goes from false to true (Process.Intern),
//     as CPython's interning does; interning a str equal to an interned one
//     returns the interned one, as PyUnicode_InternInPlace does.
//   - Tuple and FrozenSet items are objects of this Process. A frozenset's
//     items are distinct by CPython's equality and in its iteration order,
//     the order of CPython's hash table for the same insertions with
//     PYTHONHASHSEED=0's hashes (hash.go).
package pyobj

import (
	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
)

// Kind is an object's Python type.
type Kind uint8

// The kinds of object a code object can hold.
const (
	None Kind = iota
	Bool
	Ellipsis
	Int
	Float
	Complex
	Str
	Bytes
	Tuple
	FrozenSet
	Code
)

var kindNames = [...]string{"NoneType", "bool", "ellipsis", "int", "float", "complex", "str", "bytes", "tuple", "frozenset", "code"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "invalid"
}

// Object is one Python object.
type Object struct {
	Kind Kind
	// Interned is a str's interned state.
	Interned bool
	// Immortal is true for CPython's immortal objects (singletons, static
	// strings, interned identifiers and names).
	Immortal bool
	// cache is the id of the ConstCache that holds this object as the one
	// of its key (0: none), so that merging it again costs no look-up.
	// Never set on the package's singletons, which compiles share.
	cache uint32
	// Value is the value of a scalar (None to Bytes).
	Value ast.Value
	// Items are a tuple's items, or a frozenset's (in iteration order).
	Items []*Object
	// Code is a code object's fields.
	Code *CodeObject

	// id is the object's identity for constant keys that CPython takes
	// from the address (code objects, NaNs): set (Process.identified) on
	// code objects, floats and complex numbers only, 0 on the others.
	id uint32
	// marshal's scratch: reference count at dump time and back-reference
	// index (+1; 0 = not written yet).
	Refs  int32
	RefIx int32
	// hash is a hash of a str's or bytes' value for the constant cache,
	// once computed (0: not yet); it fills what was padding.
	hash uint32
}

// CodeObject is a code object's fields, as marshal writes them.
type CodeObject struct {
	ArgCount, PosOnlyArgCount, KwOnlyArgCount int32
	StackSize, Flags                          int32
	// Bytecode is co_code (what marshal writes: a new bytes object each
	// time, held by the code object's cache as well).
	Bytecode []byte
	Consts   *Object // tuple
	Names    *Object // tuple of str
	// LocalsPlusNames and LocalsPlusKinds: tuple of str, bytes.
	LocalsPlusNames *Object
	LocalsPlusKinds *Object
	// Filename, Name and QualName: str. These three, the kinds and the
	// two tables are never anything but a str or bytes: marshal counts
	// their references without looking into them.
	Filename       *Object
	Name           *Object
	QualName       *Object
	FirstLineNo    int32
	LineTable      *Object // bytes
	ExceptionTable *Object // bytes

	// key is the constant key, once computed (see Process.key), and
	// merged whether a constant cache registered the object: a merged code
	// object is the only one of its value in the compile, so other keys
	// that contain it name it by identity instead of repeating its key.
	key    string
	merged bool
}

// The singletons marshal writes by type code.
var (
	NoneObj     = &Object{Kind: None, Value: ast.NoneValue(), Immortal: true}
	TrueObj     = &Object{Kind: Bool, Value: ast.BoolValue(true), Immortal: true}
	FalseObj    = &Object{Kind: Bool, Value: ast.BoolValue(false), Immortal: true}
	EllipsisObj = &Object{Kind: Ellipsis, Value: ast.EllipsisValue(), Immortal: true}
)

// Str returns a str's encoded code points (see ast.Value).
func (o *Object) Str() string { return o.Value.Str() }

// IsNameLike reports whether a str is made only of [A-Za-z0-9_]
// (codeobject.c should_intern_string: the constants a code object interns).
func (o *Object) IsNameLike() bool {
	if o.Kind != Str {
		return false
	}
	s := o.Value.Str()
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}
