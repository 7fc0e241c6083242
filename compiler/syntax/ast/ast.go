// Package ast holds the abstract syntax trees of Python source, node for node
// as CPython's ast module builds them (Parser/Python.asdl of the target
// release).
//
// Invariants of a tree that the front end builds:
//
//   - Every type of Python.asdl has a Go counterpart with the same fields, in
//     the same order (the node types are generated from the interpreter's own
//     description of its ast classes; see gen/), and one field that is not
//     Python's follows them: Name.SymbolAt, the symbol table's note for the
//     compiler. Sum types are interfaces
//     (ModNode, Stmt, Expr, Pattern, TypeParam), their constructors and the
//     product types are structs used through pointers, and the enumerations
//     (ExprContext, BoolOperator, Operator, UnaryOperator, CmpOperator) are
//     small integers numbered as CPython numbers them (1 = first
//     constructor; 0 is never valid). A sum type with a single constructor
//     (excepthandler, type_ignore) is that constructor's struct.
//   - Go names are Python's, in CamelCase, with these exceptions: the
//     statement Expr is ExprStmt (Expr is the expression interface), the sum
//     type mod is ModNode (Mod is the operator), the enumerations' types are
//     named above, and the field id is ID.
//   - An optional node (expr?, arg?, ...) is nil for Python's None; a list is
//     a Go slice, empty lists are nil or empty alike. Lists of optional
//     nodes (Dict.Keys, Arguments.KwDefaults) hold nil for None.
//   - An optional identifier or string (identifier?, string?) is "" for None:
//     Python identifiers are never empty, and CPython's parser never gives an
//     empty type comment. An optional int (ImportFrom.Level) is always set
//     by the parser; it cannot hold None.
//   - Every node with positions in Python (stmt, expr, pattern, excepthandler,
//     type_param, arg, keyword, alias) embeds Loc: 1-based lines and 0-based
//     columns counted in UTF-8 bytes of the decoded source line, exactly
//     CPython's lineno, col_offset, end_lineno and end_col_offset.
//   - Identifiers are valid UTF-8 (NFKC-normalized by the parser). Constant
//     strings are Values (see Value for their encoding).
//
// Nodes are allocated from an Arena, in bulk; a tree lives as long as any of
// its nodes is referenced.
package ast

import "fmt"

//go:generate go run ./gen -schema gen/schema-3.13.json

// Loc is the position of a node in the source: Lineno and EndLineno are
// 1-based lines, ColOffset and EndColOffset 0-based byte offsets into the
// UTF-8 text of their line. The span ends just before EndColOffset.
type Loc struct {
	Lineno, ColOffset, EndLineno, EndColOffset int
}

// Location returns l itself, so that a located node can be positioned
// through its interface.
func (l *Loc) Location() *Loc { return l }

// Node is any node of a tree: a constructor of a sum type or a product type.
type Node interface {
	// Class is the node's Python class.
	Class() Class
}

// Located is a node that has a position.
type Located interface {
	Node
	Location() *Loc
}

// ClassInfo describes a node class as Python's ast module does.
type ClassInfo struct {
	// Name is the Python class name, GoName the Go struct's; Base is the
	// ASDL type it belongs to (the sum type, or the product type itself).
	Name, GoName, Base string
	// Since and Until are the first and last minor versions of Python 3 that
	// have the class, among those in Minors (Until 0: the newest).
	Since, Until int
	// Fields are _fields, in order; Attributes _attributes.
	Fields     []FieldInfo
	Attributes []string
}

// FieldInfo describes a field of a node class.
type FieldInfo struct {
	// Name is Python's name of the field, GoName the struct field's.
	Name, GoName string
	// Type is the ASDL type, such as "expr?", "identifier*" or "constant".
	Type string
	// Since and Until are as in ClassInfo.
	Since, Until int
}

// Info describes c; the zero ClassInfo (Name "invalid") for a c that is
// not a class.
func (c Class) Info() *ClassInfo {
	if c < numClasses {
		return &classes[c]
	}
	return &classes[ClassInvalid]
}

// String returns the Python class name.
func (c Class) String() string { return c.Info().Name }

// ClassByName returns the class of a Python class name.
func ClassByName(name string) (Class, bool) {
	for c := Class(1); c < numClasses; c++ {
		if classes[c].Name == name {
			return c, true
		}
	}
	return ClassInvalid, false
}

// TypeParamParts returns a type parameter's name, its bound (a TypeVar's
// bound or constraints; nil for the other kinds, which have none) and its
// default value (nil when it has none).
func TypeParamParts(tp TypeParam) (name string, bound, def Expr) {
	switch tp := tp.(type) {
	case *TypeVar:
		return tp.Name, tp.Bound, tp.DefaultValue
	case *TypeVarTuple:
		return tp.Name, nil, tp.DefaultValue
	case *ParamSpec:
		return tp.Name, nil, tp.DefaultValue
	}
	panic(fmt.Sprintf("ast: unexpected type parameter %T", tp))
}
