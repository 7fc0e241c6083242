// Package astopt is CPython 3.13's AST optimizer (Python/ast_opt.c), which
// compile() runs on the tree before the symbol table and code generation:
// constant folding with Python's own semantics and ast_opt.c's limits,
// '%' formatting of a str with a tuple rewritten into an f-string, list and
// set displays after "in" and in for loops turned into tuples and
// frozensets, "not" folded into "is not" and "not in", and __debug__
// replaced by its value.
//
// Invariants:
//
//   - Optimize changes the tree in place and leaves it as CPython's
//     optimizer leaves the same tree for the same release, optimization
//     level and future features: ast.dump of the result is
//     ast.dump(compile(src, name, 'exec', ast.PyCF_OPTIMIZED_AST,
//     optimize=level)) (new nodes included, with their positions: the
//     pieces of a rewritten '%' format have none, -1).
//   - Arithmetic is Python's: ints of any size, floats as IEEE doubles with
//     Python's floor division, modulo and power rules (the C library's pow
//     is taken as correctly rounded), complex numbers with CPython's
//     algorithms. An operation that raises in Python is left unfolded.
//   - It never panics and recurses no deeper than the tree; a tree deeper
//     than CPython's limit gives CPython's RecursionError.
package astopt

import (
	"fmt"

	"github.com/rules-pyc/rules_pyc/compiler/native/pyobj"
	"github.com/rules-pyc/rules_pyc/compiler/release"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/syntaxerr"
)

// Config says how to optimize.
type Config struct {
	// Optimize is the optimization level (0, 1 or 2: -O, -OO); __debug__
	// is True at 0.
	Optimize int
	// FutureAnnotations: the module has "from __future__ import
	// annotations" (annotations are left alone).
	FutureAnnotations bool
	// Release is the CPython release to imitate.
	Release release.Release
	// Depth is the C recursion depth in use when the optimizer starts (see
	// symtable.Config.Depth); zero means DefaultDepth.
	Depth int
	// OnFreshStr, when set, is called with each str or bytes constant the
	// optimizer makes that CPython makes as a new object where one made
	// from text would be a cached singleton: a literal segment of a
	// '%'-format rewrite that held "%%" (parse_literal's str.replace), so
	// "%%" alone gives a '%' that is neither the latin-1 singleton nor
	// interned; and the empty bytes a non-empty bytes repeated 0 times
	// folds to (bytes_repeat allocates it: b'ab' * 0 is not b'').
	// Code generation must load those as new objects
	// (codegen.Config.FreshStrs).
	OnFreshStr func(*ast.Constant)
	// Arena, when set, is where the nodes the optimizer makes are
	// allocated (the parser's, usually); a new Arena otherwise.
	Arena *ast.Arena
}

// RecursionLimit is CPython 3.13's Py_C_RECURSION_LIMIT, and DefaultDepth
// the depth at which py_compile's compile() starts the optimizer.
const (
	RecursionLimit = 10000
	DefaultDepth   = 3
)

// Optimize optimizes mod in place (_PyAST_Optimize). Its only error is
// CPython's RecursionError for a tree too deep.
func Optimize(mod ast.ModNode, cfg Config) error {
	o := &optimizer{cfg: cfg, depth: cfg.Depth, calc: calcFor(cfg.Release), arena: cfg.Arena}
	if o.arena == nil {
		o.arena = ast.NewArena()
	}
	if o.depth == 0 {
		o.depth = DefaultDepth
	}
	o.limit = RecursionLimit
	var err error
	switch m := mod.(type) {
	case *ast.Module:
		err = o.body(m.Body)
	case *ast.Interactive:
		err = o.stmts(m.Body)
	case *ast.Expression:
		m.Body, err = o.expr(m.Body)
	case *ast.FunctionType:
	default:
		err = fmt.Errorf("cannot optimize a %T", mod)
	}
	return err
}

type optimizer struct {
	cfg          Config
	calc         calc
	depth, limit int
	arena        *ast.Arena
}

func recursionError() error {
	return &syntaxerr.Error{Type: syntaxerr.RecursionError,
		Msg: "maximum recursion depth exceeded during compilation", NoLocation: true}
}

// body optimizes a module's, function's or class's statements
// (astfold_body): a first statement that folding turned into a string
// constant is wrapped in an f-string, so that it does not become a
// docstring.
func (o *optimizer) body(ss []ast.Stmt) error {
	doc := isDocString(ss)
	if err := o.stmts(ss); err != nil {
		return err
	}
	if !doc && isDocString(ss) {
		st := ss[0].(*ast.ExprStmt)
		js := o.arena.NewJoinedStr()
		js.Loc = st.Loc
		js.Values = []ast.Expr{st.Value}
		st.Value = js
	}
	return nil
}

func isDocString(ss []ast.Stmt) bool {
	if len(ss) == 0 {
		return false
	}
	e, ok := ss[0].(*ast.ExprStmt)
	if !ok {
		return false
	}
	c, ok := e.Value.(*ast.Constant)
	return ok && c.Value.Kind() == ast.StrKind
}

func (o *optimizer) stmts(ss []ast.Stmt) error {
	for _, s := range ss {
		if s == nil {
			continue
		}
		if err := o.stmt(s); err != nil {
			return err
		}
	}
	return nil
}

// exprs optimizes a list of expressions in place; None entries (Dict.keys,
// kw_defaults) stay.
func (o *optimizer) exprs(es []ast.Expr) error {
	for i, e := range es {
		if e == nil || o.leaf(e) {
			continue
		}
		ne, err := o.inner(e)
		if err != nil {
			return err
		}
		// Stored unconditionally: comparing two interfaces of one type
		// costs a call.
		es[i] = ne
	}
	return nil
}

// optExpr optimizes an optional expression.
func (o *optimizer) optExpr(e ast.Expr) (ast.Expr, error) {
	if e == nil {
		return nil, nil
	}
	return o.expr(e)
}

func (o *optimizer) annotations() bool { return !o.cfg.FutureAnnotations }

func (o *optimizer) stmt(s ast.Stmt) error {
	o.depth++
	if o.depth > o.limit {
		return recursionError()
	}
	if err := o.stmt1(s); err != nil {
		return err
	}
	o.depth--
	return nil
}

func (o *optimizer) stmt1(s ast.Stmt) error {
	var err error
	switch s := s.(type) {
	case *ast.FunctionDef:
		return o.funcDef(s.TypeParams, s.Args, s.Body, s.DecoratorList, &s.Returns)
	case *ast.AsyncFunctionDef:
		return o.funcDef(s.TypeParams, s.Args, s.Body, s.DecoratorList, &s.Returns)
	case *ast.ClassDef:
		if err := o.typeParams(s.TypeParams); err != nil {
			return err
		}
		if err := o.exprs(s.Bases); err != nil {
			return err
		}
		if err := o.keywords(s.Keywords); err != nil {
			return err
		}
		if err := o.body(s.Body); err != nil {
			return err
		}
		return o.exprs(s.DecoratorList)
	case *ast.Return:
		s.Value, err = o.optExpr(s.Value)
	case *ast.Delete:
		err = o.exprs(s.Targets)
	case *ast.Assign:
		if err = o.exprs(s.Targets); err == nil && !o.leaf(s.Value) {
			s.Value, err = o.inner(s.Value)
		}
	case *ast.AugAssign:
		if s.Target, err = o.expr(s.Target); err == nil {
			s.Value, err = o.expr(s.Value)
		}
	case *ast.AnnAssign:
		if s.Target, err = o.expr(s.Target); err != nil {
			return err
		}
		if o.annotations() {
			if s.Annotation, err = o.expr(s.Annotation); err != nil {
				return err
			}
		}
		s.Value, err = o.optExpr(s.Value)
	case *ast.TypeAlias:
		if s.Name, err = o.expr(s.Name); err != nil {
			return err
		}
		if err = o.typeParams(s.TypeParams); err != nil {
			return err
		}
		s.Value, err = o.expr(s.Value)
	case *ast.For:
		if s.Target, err = o.expr(s.Target); err != nil {
			return err
		}
		if s.Iter, err = o.expr(s.Iter); err != nil {
			return err
		}
		if err = o.stmts(s.Body); err != nil {
			return err
		}
		if err = o.stmts(s.Orelse); err != nil {
			return err
		}
		s.Iter = o.foldIter(s.Iter)
	case *ast.AsyncFor:
		if s.Target, err = o.expr(s.Target); err != nil {
			return err
		}
		if s.Iter, err = o.expr(s.Iter); err != nil {
			return err
		}
		if err = o.stmts(s.Body); err != nil {
			return err
		}
		err = o.stmts(s.Orelse)
	case *ast.While:
		if s.Test, err = o.expr(s.Test); err != nil {
			return err
		}
		if err = o.stmts(s.Body); err != nil {
			return err
		}
		err = o.stmts(s.Orelse)
	case *ast.If:
		if !o.leaf(s.Test) {
			if s.Test, err = o.inner(s.Test); err != nil {
				return err
			}
		}
		if err = o.stmts(s.Body); err != nil {
			return err
		}
		err = o.stmts(s.Orelse)
	case *ast.With:
		if err = o.withItems(s.Items); err == nil {
			err = o.stmts(s.Body)
		}
	case *ast.AsyncWith:
		if err = o.withItems(s.Items); err == nil {
			err = o.stmts(s.Body)
		}
	case *ast.Raise:
		if s.Exc, err = o.optExpr(s.Exc); err == nil {
			s.Cause, err = o.optExpr(s.Cause)
		}
	case *ast.Try:
		err = o.try(s.Body, s.Handlers, s.Orelse, s.Finalbody)
	case *ast.TryStar:
		err = o.try(s.Body, s.Handlers, s.Orelse, s.Finalbody)
	case *ast.Assert:
		if s.Test, err = o.expr(s.Test); err == nil {
			s.Msg, err = o.optExpr(s.Msg)
		}
	case *ast.ExprStmt:
		if !o.leaf(s.Value) {
			s.Value, err = o.inner(s.Value)
		}
	case *ast.Match:
		if s.Subject, err = o.expr(s.Subject); err != nil {
			return err
		}
		for _, c := range s.Cases {
			if c.Pattern, err = o.pattern(c.Pattern); err != nil {
				return err
			}
			if c.Guard, err = o.optExpr(c.Guard); err != nil {
				return err
			}
			if err = o.stmts(c.Body); err != nil {
				return err
			}
		}
	case *ast.Import, *ast.ImportFrom, *ast.Global, *ast.Nonlocal, *ast.Pass, *ast.Break, *ast.Continue:
	default:
		return fmt.Errorf("unexpected statement %T", s)
	}
	return err
}

func (o *optimizer) funcDef(tps []ast.TypeParam, args *ast.Arguments, body []ast.Stmt, decorators []ast.Expr, returns *ast.Expr) error {
	if err := o.typeParams(tps); err != nil {
		return err
	}
	if err := o.arguments(args); err != nil {
		return err
	}
	if err := o.body(body); err != nil {
		return err
	}
	if err := o.exprs(decorators); err != nil {
		return err
	}
	if o.annotations() {
		var err error
		*returns, err = o.optExpr(*returns)
		return err
	}
	return nil
}

func (o *optimizer) try(body []ast.Stmt, handlers []*ast.ExceptHandler, orelse, final []ast.Stmt) error {
	if err := o.stmts(body); err != nil {
		return err
	}
	for _, h := range handlers {
		var err error
		if h.Type, err = o.optExpr(h.Type); err != nil {
			return err
		}
		if err := o.stmts(h.Body); err != nil {
			return err
		}
	}
	if err := o.stmts(orelse); err != nil {
		return err
	}
	return o.stmts(final)
}

func (o *optimizer) withItems(items []*ast.WithItem) error {
	for _, it := range items {
		var err error
		if it.ContextExpr, err = o.expr(it.ContextExpr); err != nil {
			return err
		}
		if it.OptionalVars, err = o.optExpr(it.OptionalVars); err != nil {
			return err
		}
	}
	return nil
}

func (o *optimizer) keywords(ks []*ast.Keyword) error {
	for _, k := range ks {
		if k == nil {
			continue
		}
		var err error
		if k.Value, err = o.expr(k.Value); err != nil {
			return err
		}
	}
	return nil
}

func (o *optimizer) arguments(a *ast.Arguments) error {
	if a == nil {
		return nil
	}
	if o.annotations() {
		if err := o.args(a.Posonlyargs); err != nil {
			return err
		}
		if err := o.args(a.Args); err != nil {
			return err
		}
		if err := o.arg(a.Vararg); err != nil {
			return err
		}
		if err := o.args(a.Kwonlyargs); err != nil {
			return err
		}
	}
	if err := o.exprs(a.KwDefaults); err != nil {
		return err
	}
	if o.annotations() {
		if err := o.arg(a.Kwarg); err != nil {
			return err
		}
	}
	return o.exprs(a.Defaults)
}

// args optimizes the annotations of a group of parameters.
func (o *optimizer) args(args []*ast.Arg) error {
	for _, arg := range args {
		if err := o.arg(arg); err != nil {
			return err
		}
	}
	return nil
}

// arg optimizes a parameter's annotation, if it has one (most have
// none, which is decided where arg is inlined).
func (o *optimizer) arg(arg *ast.Arg) error {
	if arg == nil || arg.Annotation == nil {
		return nil
	}
	return o.annotation(arg)
}

// annotation optimizes the annotation of arg, which has one.
func (o *optimizer) annotation(arg *ast.Arg) error {
	var err error
	arg.Annotation, err = o.expr(arg.Annotation)
	return err
}

func (o *optimizer) typeParams(tps []ast.TypeParam) error {
	for _, tp := range tps {
		var err error
		switch tp := tp.(type) {
		case *ast.TypeVar:
			if tp.Bound, err = o.optExpr(tp.Bound); err == nil {
				tp.DefaultValue, err = o.optExpr(tp.DefaultValue)
			}
		case *ast.ParamSpec:
			tp.DefaultValue, err = o.optExpr(tp.DefaultValue)
		case *ast.TypeVarTuple:
			tp.DefaultValue, err = o.optExpr(tp.DefaultValue)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (o *optimizer) pattern(p ast.Pattern) (ast.Pattern, error) {
	o.depth++
	if o.depth > o.limit {
		return p, recursionError()
	}
	var err error
	switch p := p.(type) {
	case *ast.MatchValue:
		p.Value, err = o.expr(p.Value)
	case *ast.MatchSequence:
		err = o.patterns(p.Patterns)
	case *ast.MatchMapping:
		if err = o.exprs(p.Keys); err == nil {
			err = o.patterns(p.Patterns)
		}
	case *ast.MatchClass:
		if p.Cls, err = o.expr(p.Cls); err == nil {
			if err = o.patterns(p.Patterns); err == nil {
				err = o.patterns(p.KwdPatterns)
			}
		}
	case *ast.MatchAs:
		if p.Pattern != nil {
			p.Pattern, err = o.pattern(p.Pattern)
		}
	case *ast.MatchOr:
		err = o.patterns(p.Patterns)
	case *ast.MatchSingleton, *ast.MatchStar:
	}
	if err != nil {
		return p, err
	}
	o.depth--
	return p, nil
}

func (o *optimizer) patterns(ps []ast.Pattern) error {
	for i, p := range ps {
		np, err := o.pattern(p)
		if err != nil {
			return err
		}
		ps[i] = np
	}
	return nil
}

func (o *optimizer) comprehensions(gens []*ast.Comprehension) error {
	for _, g := range gens {
		var err error
		if g.Target, err = o.expr(g.Target); err != nil {
			return err
		}
		if g.Iter, err = o.expr(g.Iter); err != nil {
			return err
		}
		if err = o.exprs(g.Ifs); err != nil {
			return err
		}
		g.Iter = o.foldIter(g.Iter)
	}
	return nil
}

// expr optimizes e and returns what replaces it (astfold_expr).
func (o *optimizer) expr(e ast.Expr) (ast.Expr, error) {
	if o.leaf(e) {
		return e, nil
	}
	return o.inner(e)
}

// inner is expr for an expression its caller has found not to be a leaf.
// expr is over the inliner's budget, and most of its calls from the
// hottest sites were for leaves, which it returns as they are: those
// sites test for a leaf themselves and call inner.
func (o *optimizer) inner(e ast.Expr) (ast.Expr, error) {
	o.depth++
	if o.depth > o.limit {
		return e, recursionError()
	}
	ne, err := o.expr1(e)
	if err != nil {
		return e, err
	}
	o.depth--
	return ne, nil
}

// leaf reports whether e is a leaf that never changes (a constant, a name
// other than a load of __debug__) and one more level would not reach the
// recursion limit: expr returns it as it is, without the depth's round
// trip, and exprs does not call expr for it.
func (o *optimizer) leaf(e ast.Expr) bool {
	if o.depth >= o.limit {
		return false
	}
	switch n := e.(type) {
	case *ast.Constant:
		return true
	case *ast.Name:
		return n.Ctx != ast.Load || n.ID != "__debug__"
	}
	return false
}

func (o *optimizer) expr1(e ast.Expr) (ast.Expr, error) {
	var err error
	switch e := e.(type) {
	case *ast.BoolOp:
		err = o.exprs(e.Values)
	case *ast.BinOp:
		// The hot operands are tested for a leaf here: no call for
		// them (expr would return a leaf as it is).
		if !o.leaf(e.Left) {
			if e.Left, err = o.inner(e.Left); err != nil {
				return e, err
			}
		}
		if !o.leaf(e.Right) {
			if e.Right, err = o.inner(e.Right); err != nil {
				return e, err
			}
		}
		return o.foldBinOp(e), nil
	case *ast.UnaryOp:
		if e.Operand, err = o.expr(e.Operand); err != nil {
			return e, err
		}
		return o.foldUnaryOp(e), nil
	case *ast.Lambda:
		if err = o.arguments(e.Args); err == nil {
			e.Body, err = o.expr(e.Body)
		}
	case *ast.IfExp:
		if e.Test, err = o.expr(e.Test); err == nil {
			if e.Body, err = o.expr(e.Body); err == nil {
				e.Orelse, err = o.expr(e.Orelse)
			}
		}
	case *ast.Dict:
		if err = o.exprs(e.Keys); err == nil {
			err = o.exprs(e.Values)
		}
	case *ast.Set:
		err = o.exprs(e.Elts)
	case *ast.ListComp:
		if e.Elt, err = o.expr(e.Elt); err == nil {
			err = o.comprehensions(e.Generators)
		}
	case *ast.SetComp:
		if e.Elt, err = o.expr(e.Elt); err == nil {
			err = o.comprehensions(e.Generators)
		}
	case *ast.DictComp:
		if e.Key, err = o.expr(e.Key); err == nil {
			if e.Value, err = o.expr(e.Value); err == nil {
				err = o.comprehensions(e.Generators)
			}
		}
	case *ast.GeneratorExp:
		if e.Elt, err = o.expr(e.Elt); err == nil {
			err = o.comprehensions(e.Generators)
		}
	case *ast.Await:
		e.Value, err = o.expr(e.Value)
	case *ast.Yield:
		e.Value, err = o.optExpr(e.Value)
	case *ast.YieldFrom:
		e.Value, err = o.expr(e.Value)
	case *ast.Compare:
		if !o.leaf(e.Left) {
			if e.Left, err = o.inner(e.Left); err != nil {
				return e, err
			}
		}
		if err = o.exprs(e.Comparators); err != nil {
			return e, err
		}
		// A list or set displayed after the last "in" or "not in" becomes
		// a tuple or frozenset.
		if n := len(e.Ops); n > 0 && n <= len(e.Comparators) && (e.Ops[n-1] == ast.In || e.Ops[n-1] == ast.NotIn) {
			e.Comparators[n-1] = o.foldIter(e.Comparators[n-1])
		}
	case *ast.Call:
		if !o.leaf(e.Func) {
			e.Func, err = o.inner(e.Func)
		}
		if err == nil {
			// Most calls have no keywords: no call for them.
			if err = o.exprs(e.Args); err == nil && len(e.Keywords) != 0 {
				err = o.keywords(e.Keywords)
			}
		}
	case *ast.FormattedValue:
		if e.Value, err = o.expr(e.Value); err == nil {
			e.FormatSpec, err = o.optExpr(e.FormatSpec)
		}
	case *ast.JoinedStr:
		err = o.exprs(e.Values)
	case *ast.Attribute:
		if !o.leaf(e.Value) {
			e.Value, err = o.inner(e.Value)
		}
	case *ast.Subscript:
		if !o.leaf(e.Value) {
			if e.Value, err = o.inner(e.Value); err != nil {
				return e, err
			}
		}
		if !o.leaf(e.Slice) {
			if e.Slice, err = o.inner(e.Slice); err != nil {
				return e, err
			}
		}
		return o.foldSubscript(e), nil
	case *ast.Starred:
		e.Value, err = o.expr(e.Value)
	case *ast.Slice:
		if e.Lower, err = o.optExpr(e.Lower); err == nil {
			if e.Upper, err = o.optExpr(e.Upper); err == nil {
				e.Step, err = o.optExpr(e.Step)
			}
		}
	case *ast.List:
		err = o.exprs(e.Elts)
	case *ast.Tuple:
		if err = o.exprs(e.Elts); err != nil {
			return e, err
		}
		if e.Ctx == ast.Load {
			if v, ok := constTuple(e.Elts); ok {
				return o.constant(e.Loc, v), nil
			}
		}
	case *ast.Name:
		if e.Ctx == ast.Load && e.ID == "__debug__" {
			return o.constant(e.Loc, ast.BoolValue(o.cfg.Optimize == 0)), nil
		}
	case *ast.NamedExpr:
		e.Value, err = o.expr(e.Value)
	case *ast.Constant:
	case nil:
		return e, fmt.Errorf("nil expression")
	default:
		return e, fmt.Errorf("unexpected expression %T", e)
	}
	return e, err
}

// constant is the Constant that replaces a folded node, at its place
// (make_const).
func (o *optimizer) constant(loc ast.Loc, v ast.Value) *ast.Constant {
	c := o.arena.NewConstant()
	c.Loc = loc
	c.Value = v
	return c
}

// constTuple returns the tuple of elts' values if all are constants
// (make_const_tuple).
func constTuple(elts []ast.Expr) (ast.Value, bool) {
	for _, e := range elts {
		if _, ok := e.(*ast.Constant); !ok {
			return ast.Value{}, false
		}
	}
	vals := make([]ast.Value, len(elts))
	for i, e := range elts {
		vals[i] = e.(*ast.Constant).Value
	}
	return ast.TupleValue(vals), true
}

func (o *optimizer) foldUnaryOp(e *ast.UnaryOp) ast.Expr {
	c, ok := e.Operand.(*ast.Constant)
	if !ok {
		// "not" of a single "is", "is not", "in" or "not in" comparison
		// becomes the opposite comparison.
		cmp, isCmp := e.Operand.(*ast.Compare)
		if e.Op != ast.Not || !isCmp || len(cmp.Ops) != 1 {
			return e
		}
		switch cmp.Ops[0] {
		case ast.Is:
			cmp.Ops[0] = ast.IsNot
		case ast.IsNot:
			cmp.Ops[0] = ast.Is
		case ast.In:
			cmp.Ops[0] = ast.NotIn
		case ast.NotIn:
			cmp.Ops[0] = ast.In
		default:
			return e
		}
		return cmp
	}
	v, ok := unaryOp(e.Op, c.Value)
	if !ok {
		return e
	}
	return o.constant(e.Loc, v)
}

func (o *optimizer) foldBinOp(e *ast.BinOp) ast.Expr {
	lc, ok := e.Left.(*ast.Constant)
	if !ok {
		return e
	}
	if t, isTuple := e.Right.(*ast.Tuple); isTuple && e.Op == ast.Mod && lc.Value.Kind() == ast.StrKind && !hasStarred(t.Elts) {
		if js := o.optimizeFormat(e, lc.Value.Str(), t.Elts); js != nil {
			return js
		}
		return e
	}
	rc, ok := e.Right.(*ast.Constant)
	if !ok {
		return e
	}
	v, ok := o.calc.binOp(e.Op, lc.Value, rc.Value)
	if !ok {
		return e
	}
	k := o.constant(e.Loc, v)
	if v.Fresh() && o.cfg.OnFreshStr != nil {
		o.cfg.OnFreshStr(k)
	}
	return k
}

func hasStarred(elts []ast.Expr) bool {
	for _, e := range elts {
		if _, ok := e.(*ast.Starred); ok {
			return true
		}
	}
	return false
}

func (o *optimizer) foldSubscript(e *ast.Subscript) ast.Expr {
	if e.Ctx != ast.Load {
		return e
	}
	vc, ok := e.Value.(*ast.Constant)
	if !ok {
		return e
	}
	ic, ok := e.Slice.(*ast.Constant)
	if !ok {
		return e
	}
	v, ok := subscript(vc.Value, ic.Value)
	if !ok {
		return e
	}
	return o.constant(e.Loc, v)
}

// foldIter turns a list display into a tuple (a constant one if all its
// items are constants) and a set display of constants into a frozenset
// (fold_iter), for the iterable of a for loop or a comprehension and the
// right operand of "in".
func (o *optimizer) foldIter(e ast.Expr) ast.Expr {
	switch e := e.(type) {
	case *ast.List:
		if hasStarred(e.Elts) {
			return e
		}
		if v, ok := constTuple(e.Elts); ok {
			return o.constant(e.Loc, v)
		}
		t := o.arena.NewTuple()
		t.Loc, t.Elts, t.Ctx = e.Loc, e.Elts, e.Ctx
		return t
	case *ast.Set:
		if v, ok := constTuple(e.Elts); ok {
			return o.constant(e.Loc, pyobj.FrozenSetOf(v.Elems()))
		}
	}
	return e
}
