package codegen

import (
	"math"
	"strings"

	"github.com/rules-pyc/rules_pyc/compiler/release"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/astdump"
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
// "from __future__ import annotations", as Python/ast_unparse.c writes it.
// The only error is repr()'s, for an int too long to convert (a
// ValueError in CPython).
func unparse(e ast.Expr, rel release.Release) (string, error) {
	u := &unparser{rel: rel}
	u.expr(e, prTest)
	return string(u.b), u.err
}

type unparser struct {
	b   []byte
	rel release.Release
	err error
}

func (u *unparser) s(x string) { u.b = append(u.b, x...) }

func (u *unparser) sif(c bool, x string) {
	if c {
		u.b = append(u.b, x...)
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

// repr appends repr(v) (append_repr): an infinity in a float or in any
// complex number is written as 1e309, which reads back as one.
func (u *unparser) repr(v ast.Value) {
	start := len(u.b)
	b, err := astdump.AppendRepr(u.b, v, u.rel)
	if err != nil {
		if u.err == nil {
			u.err = err
		}
		return
	}
	u.b = b
	inf := v.Kind() == ast.ComplexKind || v.Kind() == ast.FloatKind && math.IsInf(v.Float(), 0)
	if inf && strings.Contains(string(u.b[start:]), "inf") {
		r := strings.ReplaceAll(string(u.b[start:]), "inf", "1e309")
		u.b = append(u.b[:start], r...)
	}
}

// constant is append_ast_constant: tuples item by item, with each item's
// own repr.
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
	u.repr(v)
}

func (u *unparser) exprs(es []ast.Expr, pr int) {
	for i, x := range es {
		u.sif(i > 0, ", ")
		u.expr(x, pr)
	}
}

// arg is append_ast_arg.
func (u *unparser) arg(a *ast.Arg) {
	u.s(a.Arg)
	if a.Annotation != nil {
		u.s(": ")
		u.expr(a.Annotation, prTest)
	}
}

// args is append_ast_args.
func (u *unparser) args(a *ast.Arguments) {
	first := true
	sep := func() {
		u.sif(!first, ", ")
		first = false
	}
	npos, nargs, ndef := len(a.Posonlyargs), len(a.Args), len(a.Defaults)
	for i := 0; i < npos+nargs; i++ {
		sep()
		if i < npos {
			u.arg(a.Posonlyargs[i])
		} else {
			u.arg(a.Args[i-npos])
		}
		if di := i - npos - nargs + ndef; di >= 0 {
			u.s("=")
			u.expr(a.Defaults[di], prTest)
		}
		if npos > 0 && i+1 == npos {
			u.s(", /")
		}
	}
	if a.Vararg != nil || len(a.Kwonlyargs) > 0 {
		sep()
		u.s("*")
		if a.Vararg != nil {
			u.arg(a.Vararg)
		}
	}
	nkw, nkwdef := len(a.Kwonlyargs), len(a.KwDefaults)
	for i := 0; i < nkw; i++ {
		sep()
		u.arg(a.Kwonlyargs[i])
		if di := i - nkw + nkwdef; di >= 0 && a.KwDefaults[di] != nil {
			u.s("=")
			u.expr(a.KwDefaults[di], prTest)
		}
	}
	if a.Kwarg != nil {
		sep()
		u.s("**")
		u.arg(a.Kwarg)
	}
}

// comprehensions is append_ast_comprehensions.
func (u *unparser) comprehensions(gens []*ast.Comprehension) {
	for _, g := range gens {
		if g.IsAsync != 0 {
			u.s(" async for ")
		} else {
			u.s(" for ")
		}
		u.expr(g.Target, prTuple)
		u.s(" in ")
		u.expr(g.Iter, prTest+1)
		for _, x := range g.Ifs {
			u.s(" if ")
			u.expr(x, prTest+1)
		}
	}
}

// fstringElement is append_fstring_element.
func (u *unparser) fstringElement(e ast.Expr, formatSpec bool) {
	switch t := e.(type) {
	case *ast.Constant:
		// escape_braces
		s := t.Value.Str()
		for i := 0; i < len(s); i++ {
			switch s[i] {
			case '{':
				u.s("{{")
			case '}':
				u.s("}}")
			default:
				u.b = append(u.b, s[i])
			}
		}
	case *ast.JoinedStr:
		u.joinedStr(t, formatSpec)
	case *ast.FormattedValue:
		u.formattedValue(t)
	default:
		u.err = errorf("unknown expression kind inside f-string: %s", e.Class())
	}
}

// joinedStr is append_joinedstr: the body built apart, then written as
// f + repr(body), or as it is in a format spec.
func (u *unparser) joinedStr(e *ast.JoinedStr, formatSpec bool) {
	outer := u.b
	u.b = nil
	for _, v := range e.Values {
		u.fstringElement(v, formatSpec)
	}
	body := u.b
	u.b = outer
	if formatSpec {
		u.b = append(u.b, body...)
		return
	}
	u.s("f")
	u.repr(ast.StrValue(string(body)))
}

// formattedValue is append_formattedvalue.
func (u *unparser) formattedValue(e *ast.FormattedValue) {
	outer := u.b
	u.b = nil
	u.expr(e.Value, prTest+1)
	val := u.b
	u.b = outer
	if len(val) > 0 && val[0] == '{' {
		u.s("{ ")
	} else {
		u.s("{")
	}
	u.b = append(u.b, val...)
	switch e.Conversion {
	case 'a':
		u.s("!a")
	case 'r':
		u.s("!r")
	case 's':
		u.s("!s")
	}
	if e.FormatSpec != nil {
		u.s(":")
		u.fstringElement(e.FormatSpec, true)
	}
	u.s("}")
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
	case *ast.Lambda:
		u.sif(level > prTest, "(")
		if len(t.Args.Args)+len(t.Args.Posonlyargs) > 0 {
			u.s("lambda ")
		} else {
			u.s("lambda")
		}
		u.args(t.Args)
		u.s(": ")
		u.expr(t.Body, prTest)
		u.sif(level > prTest, ")")
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
	case *ast.GeneratorExp:
		u.s("(")
		u.expr(t.Elt, prTest)
		u.comprehensions(t.Generators)
		u.s(")")
	case *ast.ListComp:
		u.s("[")
		u.expr(t.Elt, prTest)
		u.comprehensions(t.Generators)
		u.s("]")
	case *ast.SetComp:
		u.s("{")
		u.expr(t.Elt, prTest)
		u.comprehensions(t.Generators)
		u.s("}")
	case *ast.DictComp:
		u.s("{")
		u.expr(t.Key, prTest)
		u.s(": ")
		u.expr(t.Value, prTest)
		u.comprehensions(t.Generators)
		u.s("}")
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
			if g, ok := t.Args[0].(*ast.GeneratorExp); ok {
				// A single generator expression is its own parentheses.
				u.expr(g, prTest)
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
	case *ast.JoinedStr:
		u.joinedStr(t, false)
	case *ast.FormattedValue:
		u.formattedValue(t)
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
	case *ast.NamedExpr:
		u.sif(level > prTuple, "(")
		u.expr(t.Target, prAtom)
		u.s(" := ")
		u.expr(t.Value, prAtom)
		u.sif(level > prTuple, ")")
	default:
		u.err = errorf("unknown expression kind in an annotation: %s", e.Class())
	}
}
