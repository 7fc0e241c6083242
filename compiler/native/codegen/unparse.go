package codegen

import (
	"strings"

	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
)

// Precedence levels of Python/ast_unparse.c.
const (
	prTuple = iota
	prTest
	prOr
	prAnd
	prNot
	prCmp
	prExpr
	prBor = prExpr
)

const (
	prBxor = prExpr + 1 + iota
	prBand
	prShift
	prArith
	prTerm
	prFactor
	prPower
	prAwait
	prAtom
)

// unparse is _PyAST_ExprAsUnicode: the text of an annotation under
// "from __future__ import annotations". Lambdas, comprehensions and
// f-strings are not written yet (ErrUnsupported).
func unparse(e ast.Expr) (string, error) {
	u := &unparser{}
	u.expr(e, prTest)
	return u.b.String(), u.err
}

type unparser struct {
	b   strings.Builder
	err error
}

func (u *unparser) s(x string) { u.b.WriteString(x) }

func (u *unparser) sif(c bool, x string) {
	if c {
		u.b.WriteString(x)
	}
}

var binOps = [...]struct {
	op string
	pr int
}{
	ast.Add: {" + ", prArith}, ast.Sub: {" - ", prArith}, ast.Mult: {" * ", prTerm}, ast.MatMult: {" @ ", prTerm},
	ast.Div: {" / ", prTerm}, ast.Mod: {" % ", prTerm}, ast.LShift: {" << ", prShift}, ast.RShift: {" >> ", prShift},
	ast.BitOr: {" | ", prBor}, ast.BitXor: {" ^ ", prBxor}, ast.BitAnd: {" & ", prBand}, ast.FloorDiv: {" // ", prTerm},
	ast.Pow: {" ** ", prPower},
}

var cmpOps = [...]string{ast.Eq: " == ", ast.NotEq: " != ", ast.Lt: " < ", ast.LtE: " <= ", ast.Gt: " > ",
	ast.GtE: " >= ", ast.Is: " is ", ast.IsNot: " is not ", ast.In: " in ", ast.NotIn: " not in "}

func (u *unparser) constant(v ast.Value) {
	if v.Kind() == ast.TupleKind {
		u.s("(")
		for i, x := range v.Elems() {
			u.sif(i > 0, ", ")
			u.constant(x)
		}
		u.sif(len(v.Elems()) == 1, ",")
		u.s(")")
		return
	}
	r := constRepr(v)
	if v.Kind() == ast.FloatKind || v.Kind() == ast.ComplexKind {
		r = strings.ReplaceAll(r, "inf", "1e309")
	}
	u.s(r)
}

func (u *unparser) exprs(es []ast.Expr, pr int) {
	for i, x := range es {
		u.sif(i > 0, ", ")
		u.expr(x, pr)
	}
}

func (u *unparser) expr(e ast.Expr, level int) {
	if u.err != nil {
		return
	}
	switch t := e.(type) {
	case *ast.BoolOp:
		op, pr := " or ", prOr
		if t.Op == ast.And {
			op, pr = " and ", prAnd
		}
		u.sif(level > pr, "(")
		for i, v := range t.Values {
			u.sif(i > 0, op)
			u.expr(v, pr+1)
		}
		u.sif(level > pr, ")")
	case *ast.BinOp:
		o := binOps[t.Op]
		ra := 0
		if t.Op == ast.Pow {
			ra = 1
		}
		u.sif(level > o.pr, "(")
		u.expr(t.Left, o.pr+ra)
		u.s(o.op)
		u.expr(t.Right, o.pr+1-ra)
		u.sif(level > o.pr, ")")
	case *ast.UnaryOp:
		op, pr := "~", prFactor
		switch t.Op {
		case ast.Not:
			op, pr = "not ", prNot
		case ast.UAdd:
			op = "+"
		case ast.USub:
			op = "-"
		}
		u.sif(level > pr, "(")
		u.s(op)
		u.expr(t.Operand, pr)
		u.sif(level > pr, ")")
	case *ast.IfExp:
		u.sif(level > prTest, "(")
		u.expr(t.Body, prTest+1)
		u.s(" if ")
		u.expr(t.Test, prTest+1)
		u.s(" else ")
		u.expr(t.Orelse, prTest)
		u.sif(level > prTest, ")")
	case *ast.Dict:
		u.s("{")
		for i, v := range t.Values {
			u.sif(i > 0, ", ")
			if t.Keys[i] != nil {
				u.expr(t.Keys[i], prTest)
				u.s(": ")
				u.expr(v, prTest)
			} else {
				u.s("**")
				u.expr(v, prExpr)
			}
		}
		u.s("}")
	case *ast.Set:
		u.s("{")
		u.exprs(t.Elts, prTest)
		u.s("}")
	case *ast.List:
		u.s("[")
		u.exprs(t.Elts, prTest)
		u.s("]")
	case *ast.Tuple:
		if len(t.Elts) == 0 {
			u.s("()")
			return
		}
		u.sif(level > prTuple, "(")
		u.exprs(t.Elts, prTest)
		u.sif(len(t.Elts) == 1, ",")
		u.sif(level > prTuple, ")")
	case *ast.Yield:
		if t.Value == nil {
			u.s("(yield)")
			return
		}
		u.s("(yield ")
		u.expr(t.Value, prTest)
		u.s(")")
	case *ast.YieldFrom:
		u.s("(yield from ")
		u.expr(t.Value, prTest)
		u.s(")")
	case *ast.Await:
		u.sif(level > prAwait, "(")
		u.s("await ")
		u.expr(t.Value, prAtom)
		u.sif(level > prAwait, ")")
	case *ast.Compare:
		u.sif(level > prCmp, "(")
		u.expr(t.Left, prCmp+1)
		for i, op := range t.Ops {
			u.s(cmpOps[op])
			u.expr(t.Comparators[i], prCmp+1)
		}
		u.sif(level > prCmp, ")")
	case *ast.Call:
		u.expr(t.Func, prAtom)
		if len(t.Args) == 1 && len(t.Keywords) == 0 {
			if _, ok := t.Args[0].(*ast.GeneratorExp); ok {
				u.err = &ErrUnsupported{"a generator expression in an annotation"}
				return
			}
		}
		u.s("(")
		u.exprs(t.Args, prTest)
		for i, k := range t.Keywords {
			u.sif(i > 0 || len(t.Args) > 0, ", ")
			if k.Arg == "" {
				u.s("**")
			} else {
				u.s(k.Arg)
				u.s("=")
			}
			u.expr(k.Value, prTest)
		}
		u.s(")")
	case *ast.Constant:
		if t.Value.Kind() == ast.EllipsisKind {
			u.s("...")
			return
		}
		u.s(t.Kind)
		u.constant(t.Value)
	case *ast.Attribute:
		u.expr(t.Value, prAtom)
		if k, ok := t.Value.(*ast.Constant); ok && k.Value.Kind() == ast.IntKind {
			u.s(" .")
		} else {
			u.s(".")
		}
		u.s(t.Attr)
	case *ast.Subscript:
		u.expr(t.Value, prAtom)
		u.s("[")
		u.expr(t.Slice, prTuple)
		u.s("]")
	case *ast.Slice:
		if t.Lower != nil {
			u.expr(t.Lower, prTest)
		}
		u.s(":")
		if t.Upper != nil {
			u.expr(t.Upper, prTest)
		}
		if t.Step != nil {
			u.s(":")
			u.expr(t.Step, prTest)
		}
	case *ast.Starred:
		u.s("*")
		u.expr(t.Value, prExpr)
	case *ast.Name:
		u.s(t.ID)
	case *ast.NamedExpr:
		u.sif(level > prTuple, "(")
		u.expr(t.Target, prAtom)
		u.s(" := ")
		u.expr(t.Value, prAtom)
		u.sif(level > prTuple, ")")
	default:
		u.err = &ErrUnsupported{"unparsing a " + e.Class().String() + " in an annotation"}
	}
}
