package parser

import (
	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/token"
)

// This file holds the grammar's actions: the construction of nodes and the
// helpers of CPython's Parser/action_helpers.c.

// dummyName is the value of an alternative that has several items and no
// action, and the function of the Call node that carries call arguments
// between rules (pegen's _PyPegen_dummy_name).
var dummyName = &ast.Name{ID: "", Ctx: ast.Load}

// Intermediate values of the grammar, as in pegen.h.
type (
	cmpopExpr struct {
		op ast.CmpOperator
		e  ast.Expr
	}
	keyValue struct {
		key, value ast.Expr
	}
	keyPattern struct {
		key     ast.Expr
		pattern ast.Pattern
	}
	nameDefault struct {
		arg   *ast.Arg
		value ast.Expr
	}
	slashWithDefault struct {
		plainNames        []*ast.Arg
		namesWithDefaults []*nameDefault
	}
	starEtc struct {
		vararg     *ast.Arg
		kwonlyargs []*nameDefault
		kwarg      *ast.Arg
	}
	keywordOrStarred struct {
		element   any // *ast.Keyword or ast.Expr
		isKeyword bool
	}
	// resultWithMeta is an f-string conversion or format spec with the
	// debug text the tokenizer attached to its first token.
	resultWithMeta struct {
		result   ast.Expr
		metadata string
	}
)

var augOps = [...]ast.Operator{
	ast.Add, ast.Sub, ast.Mult, ast.MatMult, ast.Div, ast.Mod, ast.Pow,
	ast.LShift, ast.RShift, ast.BitOr, ast.BitXor, ast.BitAnd, ast.FloorDiv,
}

// augOp returns a pointer to a shared copy of op (augassign's value must
// be a pointer, nil meaning failure).
func augOp(op ast.Operator) *ast.Operator {
	for i := range augOps {
		if augOps[i] == op {
			return &augOps[i]
		}
	}
	return &augOps[0]
}

func pick(c bool, a, b string) string {
	if c {
		return a
	}
	return b
}

func isTuple(e ast.Expr) bool {
	_, ok := e.(*ast.Tuple)
	return ok
}

// nameID returns the identifier of a Name node ("" for any other node,
// which only the dummy values of the second pass can be).
func nameID(e ast.Expr) string {
	if n, ok := e.(*ast.Name); ok {
		return n.ID
	}
	return ""
}

// optNameID returns the identifier of a Name node, or "" for none.
func optNameID(e ast.Expr) string { return nameID(e) }

func namesToIDs(names []ast.Expr) []string {
	ids := make([]string, len(names))
	for i, n := range names {
		ids[i] = nameID(n)
	}
	return ids
}

func countDots(toks []*token.Token) int {
	n := 0
	for _, t := range toks {
		if t.Kind == token.ELLIPSIS {
			n += 3
		} else {
			n++
		}
	}
	return n
}

// seqInsertInFront returns a new sequence of a followed by seq.
func seqInsertInFront[T any](a T, seq []T) []T {
	out := make([]T, len(seq)+1)
	out[0] = a
	copy(out[1:], seq)
	return out
}

// seqAppend returns a new sequence of seq followed by a.
func seqAppend[T any](seq []T, a T) []T {
	out := make([]T, len(seq)+1)
	copy(out, seq)
	out[len(seq)] = a
	return out
}

func joinSequences[T any](a, b []T) []T {
	out := make([]T, 0, len(a)+len(b))
	out = append(out, a...)
	return append(out, b...)
}

func (p *Parser) stmts1(s ast.Stmt) []ast.Stmt {
	l := p.a.StmtList(1)
	l[0] = s
	return l
}

func (p *Parser) exprs1(e ast.Expr) []ast.Expr {
	l := p.a.ExprList(1)
	l[0] = e
	return l
}

func (p *Parser) aliases1(a *ast.Alias) []*ast.Alias {
	l := p.a.AliasList(1)
	l[0] = a
	return l
}

func (p *Parser) flattenStmts(seqs [][]ast.Stmt) []ast.Stmt {
	n := 0
	for _, s := range seqs {
		n += len(s)
	}
	out := p.a.StmtList(n)
	i := 0
	for _, s := range seqs {
		// Most lines hold one statement: copy would call into the
		// runtime (typedslicecopy) for each.
		if len(s) == 1 {
			out[i] = s[0]
			i++
			continue
		}
		i += copy(out[i:], s)
	}
	return out
}

// ---------------------------------------------------------------- modules

func (p *Parser) makeModule(body []ast.Stmt) *ast.Module {
	m := p.a.NewModule()
	m.Body = body
	m.TypeIgnores = p.typeIgnores
	return m
}

func (p *Parser) newInteractive(body []ast.Stmt) *ast.Interactive {
	m := p.a.NewInteractive()
	m.Body = body
	return m
}

func (p *Parser) newExpression(body ast.Expr) *ast.Expression {
	m := p.a.NewExpression()
	m.Body = body
	return m
}

func (p *Parser) newFunctionType(argtypes []ast.Expr, returns ast.Expr) *ast.FunctionType {
	m := p.a.NewFunctionType()
	m.Argtypes = argtypes
	m.Returns = returns
	return m
}

// interactiveExit ends an interactive statement at the end of the input.
func (p *Parser) interactiveExit() []ast.Stmt { return nil }

// ---------------------------------------------------------------- statements

func (p *Parser) newPass(l span) ast.Stmt {
	n := p.a.NewPass()
	n.Loc = l
	return n
}

func (p *Parser) newBreak(l span) ast.Stmt {
	n := p.a.NewBreak()
	n.Loc = l
	return n
}

func (p *Parser) newContinue(l span) ast.Stmt {
	n := p.a.NewContinue()
	n.Loc = l
	return n
}

func (p *Parser) newExprStmt(e ast.Expr, l span) ast.Stmt {
	n := p.a.NewExprStmt()
	n.Value = e
	n.Loc = l
	return n
}

func (p *Parser) newAnnAssign(target, ann, value ast.Expr, simple int, l span) ast.Stmt {
	n := p.a.NewAnnAssign()
	n.Target, n.Annotation, n.Value, n.Simple = target, ann, value, simple
	n.Loc = l
	return n
}

func (p *Parser) newAssign(targets []ast.Expr, value ast.Expr, tc string, l span) ast.Stmt {
	n := p.a.NewAssign()
	n.Targets, n.Value, n.TypeComment = targets, value, tc
	n.Loc = l
	return n
}

func (p *Parser) newAugAssign(target ast.Expr, op ast.Operator, value ast.Expr, l span) ast.Stmt {
	n := p.a.NewAugAssign()
	n.Target, n.Op, n.Value = target, op, value
	n.Loc = l
	return n
}

func (p *Parser) newReturn(value ast.Expr, l span) ast.Stmt {
	n := p.a.NewReturn()
	n.Value = value
	n.Loc = l
	return n
}

func (p *Parser) newRaise(exc, cause ast.Expr, l span) ast.Stmt {
	n := p.a.NewRaise()
	n.Exc, n.Cause = exc, cause
	n.Loc = l
	return n
}

func (p *Parser) newGlobal(names []string, l span) ast.Stmt {
	n := p.a.NewGlobal()
	n.Names = names
	n.Loc = l
	return n
}

func (p *Parser) newNonlocal(names []string, l span) ast.Stmt {
	n := p.a.NewNonlocal()
	n.Names = names
	n.Loc = l
	return n
}

func (p *Parser) newDelete(targets []ast.Expr, l span) ast.Stmt {
	n := p.a.NewDelete()
	n.Targets = targets
	n.Loc = l
	return n
}

func (p *Parser) newAssert(test, msg ast.Expr, l span) ast.Stmt {
	n := p.a.NewAssert()
	n.Test, n.Msg = test, msg
	n.Loc = l
	return n
}

func (p *Parser) newImport(names []*ast.Alias, l span) ast.Stmt {
	n := p.a.NewImport()
	n.Names = names
	n.Loc = l
	return n
}

func (p *Parser) newImportFrom(module string, names []*ast.Alias, level int, l span) ast.Stmt {
	n := p.a.NewImportFrom()
	n.Module, n.Names, n.Level = module, names, level
	n.Loc = l
	return n
}

// newImportFromModule is an import from a named module; on releases that
// honour it, "from __future__ import barry_as_FLUFL" switches the parser to
// "<>" from here on (_PyPegen_checked_future_import).
func (p *Parser) newImportFromModule(module string, names []*ast.Alias, level int, l span) ast.Stmt {
	if p.rel.AtLeast(barryFuture) && level == 0 && module == "__future__" {
		for _, a := range names {
			if a.Name == "barry_as_FLUFL" {
				p.barry = true
				if p.sc != nil {
					p.sc.KeepDiamond()
				}
			}
		}
	}
	return p.newImportFrom(module, names, level, l)
}

func (p *Parser) newAlias(name, asname string, l span) *ast.Alias {
	n := p.a.NewAlias()
	n.Name, n.Asname = name, asname
	n.Loc = l
	return n
}

// joinNamesWithDot makes the Name "a.b" of a dotted module name.
func (p *Parser) joinNamesWithDot(a, b ast.Expr) ast.Expr {
	n := p.a.NewName()
	n.ID = nameID(a) + "." + nameID(b)
	if p.onIdentifier != nil {
		p.onIdentifier(n.ID)
	}
	n.Ctx = ast.Load
	la, lb := a.Location(), b.Location()
	n.Loc = span{Lineno: la.Lineno, ColOffset: la.ColOffset, EndLineno: lb.EndLineno, EndColOffset: lb.EndColOffset}
	return n
}

func (p *Parser) newClassDef(name string, call ast.Expr, body []ast.Stmt, typeParams []ast.TypeParam, l span) ast.Stmt {
	n := p.a.NewClassDef()
	n.Name = name
	if c, ok := call.(*ast.Call); ok {
		n.Bases, n.Keywords = c.Args, c.Keywords
	}
	n.Body = body
	n.TypeParams = typeParams
	n.Loc = l
	return n
}

func (p *Parser) classDefDecorators(decorators []ast.Expr, s ast.Stmt) ast.Stmt {
	c, ok := s.(*ast.ClassDef)
	if !ok {
		// The dummy value of an invalid_* rule (second pass only).
		return s
	}
	n := p.a.NewClassDef()
	*n = *c
	n.DecoratorList = decorators
	return n
}

func (p *Parser) newFunctionDef(async bool, name string, args *ast.Arguments, body []ast.Stmt, returns ast.Expr, tc string, typeParams []ast.TypeParam, l span) ast.Stmt {
	if args == nil {
		args = p.emptyArguments()
	}
	if async {
		n := p.a.NewAsyncFunctionDef()
		n.Name, n.Args, n.Body, n.Returns, n.TypeComment, n.TypeParams = name, args, body, returns, tc, typeParams
		n.Loc = l
		return n
	}
	n := p.a.NewFunctionDef()
	n.Name, n.Args, n.Body, n.Returns, n.TypeComment, n.TypeParams = name, args, body, returns, tc, typeParams
	n.Loc = l
	return n
}

func (p *Parser) functionDefDecorators(decorators []ast.Expr, s ast.Stmt) ast.Stmt {
	switch f := s.(type) {
	case *ast.AsyncFunctionDef:
		n := p.a.NewAsyncFunctionDef()
		*n = *f
		n.DecoratorList = decorators
		return n
	case *ast.FunctionDef:
		n := p.a.NewFunctionDef()
		*n = *f
		n.DecoratorList = decorators
		return n
	}
	// The dummy value of an invalid_* rule (second pass only).
	return s
}

func (p *Parser) newIf(test ast.Expr, body, orelse []ast.Stmt, l span) ast.Stmt {
	n := p.a.NewIf()
	n.Test, n.Body, n.Orelse = test, body, orelse
	n.Loc = l
	return n
}

func (p *Parser) newWhile(test ast.Expr, body, orelse []ast.Stmt, l span) ast.Stmt {
	n := p.a.NewWhile()
	n.Test, n.Body, n.Orelse = test, body, orelse
	n.Loc = l
	return n
}

func (p *Parser) newFor(async bool, target, iter ast.Expr, body, orelse []ast.Stmt, tc string, l span) ast.Stmt {
	if async {
		n := p.a.NewAsyncFor()
		n.Target, n.Iter, n.Body, n.Orelse, n.TypeComment = target, iter, body, orelse, tc
		n.Loc = l
		return n
	}
	n := p.a.NewFor()
	n.Target, n.Iter, n.Body, n.Orelse, n.TypeComment = target, iter, body, orelse, tc
	n.Loc = l
	return n
}

func (p *Parser) newWith(async bool, items []*ast.WithItem, body []ast.Stmt, tc string, l span) ast.Stmt {
	if async {
		n := p.a.NewAsyncWith()
		n.Items, n.Body, n.TypeComment = items, body, tc
		n.Loc = l
		return n
	}
	n := p.a.NewWith()
	n.Items, n.Body, n.TypeComment = items, body, tc
	n.Loc = l
	return n
}

func (p *Parser) newWithItem(e, vars ast.Expr) *ast.WithItem {
	n := p.a.NewWithItem()
	n.ContextExpr, n.OptionalVars = e, vars
	return n
}

func (p *Parser) newTry(star bool, body []ast.Stmt, handlers []*ast.ExceptHandler, orelse, final []ast.Stmt, l span) ast.Stmt {
	if star {
		n := p.a.NewTryStar()
		n.Body, n.Handlers, n.Orelse, n.Finalbody = body, handlers, orelse, final
		n.Loc = l
		return n
	}
	n := p.a.NewTry()
	n.Body, n.Handlers, n.Orelse, n.Finalbody = body, handlers, orelse, final
	n.Loc = l
	return n
}

func (p *Parser) newExceptHandler(typ ast.Expr, name string, body []ast.Stmt, l span) *ast.ExceptHandler {
	n := p.a.NewExceptHandler()
	n.Type, n.Name, n.Body = typ, name, body
	n.Loc = l
	return n
}

func (p *Parser) newTypeAlias(name ast.Expr, typeParams []ast.TypeParam, value ast.Expr, l span) ast.Stmt {
	n := p.a.NewTypeAlias()
	n.Name, n.TypeParams, n.Value = name, typeParams, value
	n.Loc = l
	return n
}

func (p *Parser) newTypeVar(name string, bound, def ast.Expr, l span) ast.TypeParam {
	n := p.a.NewTypeVar()
	n.Name, n.Bound, n.DefaultValue = name, bound, def
	n.Loc = l
	return n
}

func (p *Parser) newTypeVarTuple(name string, def ast.Expr, l span) ast.TypeParam {
	n := p.a.NewTypeVarTuple()
	n.Name, n.DefaultValue = name, def
	n.Loc = l
	return n
}

func (p *Parser) newParamSpec(name string, def ast.Expr, l span) ast.TypeParam {
	n := p.a.NewParamSpec()
	n.Name, n.DefaultValue = name, def
	n.Loc = l
	return n
}

// ---------------------------------------------------------------- parameters

func (p *Parser) newArg(name string, ann ast.Expr, l span) *ast.Arg {
	n := p.a.NewArg()
	n.Arg, n.Annotation = name, ann
	n.Loc = l
	return n
}

func (p *Parser) addTypeCommentToArg(a *ast.Arg, tc *token.Token) *ast.Arg {
	if tc == nil {
		return a
	}
	n := p.a.NewArg()
	*n = *a
	n.TypeComment = p.typeComment(tc)
	return n
}

func (p *Parser) nameDefaultPair(a *ast.Arg, value ast.Expr, tc *token.Token) *nameDefault {
	nd := scratchOne(&p.scratch.nds)
	nd.arg, nd.value = p.addTypeCommentToArg(a, tc), value
	return nd
}

// scratchVals holds, from parse to parse, the parser's own values that
// actions read only while a parse lasts (they copy what they keep into the
// tree): comparison pairs, key-value pairs, keyword or starred arguments,
// parameters with defaults. They are handed out one by one instead of
// being allocated each, and release clears them.
type scratchVals struct {
	cmpops []cmpopExpr
	kvs    []keyValue
	kws    []keywordOrStarred
	nds    []nameDefault
}

// scratchOne returns a pointer to a new zero element of *s. A full buffer
// is left to the pointers already handed out and a larger one started.
func scratchOne[T any](s *[]T) *T {
	n := len(*s)
	if n == cap(*s) {
		*s = make([]T, 0, max(2*n, 64))
		n = 0
	}
	*s = (*s)[:n+1]
	return &(*s)[n]
}

// takeList returns n zero elements of *l, with capacity n, for the pops
// of the loop stacks' scratch lists. A full buffer is left to the lists
// already handed out and a larger one started.
func takeList[T any](l *[]T, n int) []T {
	m := len(*l)
	if n > cap(*l)-m {
		*l = make([]T, 0, max(2*cap(*l), n, 256))
		m = 0
	}
	*l = (*l)[:m+n]
	return (*l)[m : m+n : m+n]
}

func (v *scratchVals) reset() {
	clear(v.cmpops)
	v.cmpops = v.cmpops[:0]
	clear(v.kvs)
	v.kvs = v.kvs[:0]
	clear(v.kws)
	v.kws = v.kws[:0]
	clear(v.nds)
	v.nds = v.nds[:0]
}

func (p *Parser) newCmpop(op ast.CmpOperator, e ast.Expr) *cmpopExpr {
	c := scratchOne(&p.scratch.cmpops)
	c.op, c.e = op, e
	return c
}

func (p *Parser) newKeyValue(key, value ast.Expr) *keyValue {
	kv := scratchOne(&p.scratch.kvs)
	kv.key, kv.value = key, value
	return kv
}

func (p *Parser) newKeywordOrStarred(element any, isKeyword bool) *keywordOrStarred {
	k := scratchOne(&p.scratch.kws)
	k.element, k.isKeyword = element, isKeyword
	return k
}

// typeComment returns the text of a TYPE_COMMENT token, "" for none.
func (p *Parser) typeComment(tc *token.Token) string {
	if tc == nil {
		return ""
	}
	return p.tokText(tc)
}

// exprList returns an arena list of n expressions, empty but not nil for
// n == 0 (as make gives).
func (p *Parser) exprList(n int) []ast.Expr {
	if n == 0 {
		return []ast.Expr{}
	}
	return p.a.ExprList(n)
}

// exprsInFront is seqInsertInFront for expressions, in the arena.
func (p *Parser) exprsInFront(a ast.Expr, seq []ast.Expr) []ast.Expr {
	out := p.a.ExprList(len(seq) + 1)
	out[0] = a
	for i, e := range seq {
		out[i+1] = e
	}
	return out
}

// argList returns the args of plain followed by those of pairs, as an
// arena list (not nil).
func (p *Parser) argList(plain []*ast.Arg, pairs []*nameDefault) []*ast.Arg {
	n := len(plain) + len(pairs)
	if n == 0 {
		return []*ast.Arg{}
	}
	out := p.a.ArgList(n)
	i := copy(out, plain)
	for _, nd := range pairs {
		out[i] = nd.arg
		i++
	}
	return out
}

// defaultList returns the values of a followed by those of b, as an arena
// list (not nil).
func (p *Parser) defaultList(a, b []*nameDefault) []ast.Expr {
	out := p.exprList(len(a) + len(b))
	i := 0
	for _, nd := range a {
		out[i] = nd.value
		i++
	}
	for _, nd := range b {
		out[i] = nd.value
		i++
	}
	return out
}

// makeArguments builds the arguments of a function or lambda from the
// parts the parameter rules parsed (_PyPegen_make_arguments).
func (p *Parser) makeArguments(slashNoDefault []*ast.Arg, slashWithDef *slashWithDefault, plain []*ast.Arg, withDefault []*nameDefault, star *starEtc) *ast.Arguments {
	n := p.a.NewArguments()
	switch {
	case slashNoDefault != nil:
		n.Posonlyargs = slashNoDefault
	case slashWithDef != nil:
		n.Posonlyargs = p.argList(slashWithDef.plainNames, slashWithDef.namesWithDefaults)
	}
	n.Args = p.argList(plain, withDefault)
	if slashWithDef != nil {
		n.Defaults = p.defaultList(slashWithDef.namesWithDefaults, withDefault)
	} else {
		n.Defaults = p.defaultList(nil, withDefault)
	}
	if star != nil {
		n.Vararg = star.vararg
		n.Kwonlyargs = p.argList(nil, star.kwonlyargs)
		n.KwDefaults = p.defaultList(nil, star.kwonlyargs)
		n.Kwarg = star.kwarg
	}
	return n
}

func (p *Parser) emptyArguments() *ast.Arguments { return p.a.NewArguments() }

// ---------------------------------------------------------------- expressions

func (p *Parser) newBoolOp(op ast.BoolOperator, values []ast.Expr, l span) ast.Expr {
	n := p.a.NewBoolOp()
	n.Op, n.Values = op, values
	n.Loc = l
	return n
}

func (p *Parser) newNamedExpr(target, value ast.Expr, l span) ast.Expr {
	n := p.a.NewNamedExpr()
	n.Target, n.Value = target, value
	n.Loc = l
	return n
}

func (p *Parser) newBinOp(left ast.Expr, op ast.Operator, right ast.Expr, l span) ast.Expr {
	n := p.a.NewBinOp()
	n.Left, n.Op, n.Right = left, op, right
	n.Loc = l
	return n
}

func (p *Parser) newUnaryOp(op ast.UnaryOperator, operand ast.Expr, l span) ast.Expr {
	n := p.a.NewUnaryOp()
	n.Op, n.Operand = op, operand
	n.Loc = l
	return n
}

func (p *Parser) newLambda(args *ast.Arguments, body ast.Expr, l span) ast.Expr {
	if args == nil {
		args = p.emptyArguments()
	}
	n := p.a.NewLambda()
	n.Args, n.Body = args, body
	n.Loc = l
	return n
}

func (p *Parser) newIfExp(test, body, orelse ast.Expr, l span) ast.Expr {
	n := p.a.NewIfExp()
	n.Test, n.Body, n.Orelse = test, body, orelse
	n.Loc = l
	return n
}

func (p *Parser) newDict(pairs []*keyValue, l span) ast.Expr {
	n := p.a.NewDict()
	n.Keys = p.exprList(len(pairs))
	n.Values = p.exprList(len(pairs))
	for i, kv := range pairs {
		n.Keys[i], n.Values[i] = kv.key, kv.value
	}
	n.Loc = l
	return n
}

func (p *Parser) newSet(elts []ast.Expr, l span) ast.Expr {
	n := p.a.NewSet()
	n.Elts = elts
	n.Loc = l
	return n
}

func (p *Parser) newListComp(elt ast.Expr, gens []*ast.Comprehension, l span) ast.Expr {
	n := p.a.NewListComp()
	n.Elt, n.Generators = elt, gens
	n.Loc = l
	return n
}

func (p *Parser) newSetComp(elt ast.Expr, gens []*ast.Comprehension, l span) ast.Expr {
	n := p.a.NewSetComp()
	n.Elt, n.Generators = elt, gens
	n.Loc = l
	return n
}

func (p *Parser) newDictComp(key, value ast.Expr, gens []*ast.Comprehension, l span) ast.Expr {
	n := p.a.NewDictComp()
	n.Key, n.Value, n.Generators = key, value, gens
	n.Loc = l
	return n
}

func (p *Parser) newGeneratorExp(elt ast.Expr, gens []*ast.Comprehension, l span) ast.Expr {
	n := p.a.NewGeneratorExp()
	n.Elt, n.Generators = elt, gens
	n.Loc = l
	return n
}

func (p *Parser) newComprehension(target, iter ast.Expr, ifs []ast.Expr, isAsync int) *ast.Comprehension {
	n := p.a.NewComprehension()
	n.Target, n.Iter, n.Ifs, n.IsAsync = target, iter, ifs, isAsync
	return n
}

func (p *Parser) newAwait(value ast.Expr, l span) ast.Expr {
	n := p.a.NewAwait()
	n.Value = value
	n.Loc = l
	return n
}

func (p *Parser) newYield(value ast.Expr, l span) ast.Expr {
	n := p.a.NewYield()
	n.Value = value
	n.Loc = l
	return n
}

func (p *Parser) newYieldFrom(value ast.Expr, l span) ast.Expr {
	n := p.a.NewYieldFrom()
	n.Value = value
	n.Loc = l
	return n
}

func (p *Parser) newCompare(left ast.Expr, pairs []*cmpopExpr, l span) ast.Expr {
	n := p.a.NewCompare()
	n.Left = left
	n.Ops = p.a.CmpOperatorList(len(pairs))
	n.Comparators = p.a.ExprList(len(pairs))
	for i, c := range pairs {
		n.Ops[i], n.Comparators[i] = c.op, c.e
	}
	n.Loc = l
	return n
}

func (p *Parser) newCall(fn ast.Expr, args []ast.Expr, keywords []*ast.Keyword, l span) ast.Expr {
	n := p.a.NewCall()
	n.Func, n.Args, n.Keywords = fn, args, keywords
	n.Loc = l
	return n
}

// newCallFrom calls fn with the arguments carried by call (a Call whose
// function is dummyName), or with none.
func (p *Parser) newCallFrom(fn ast.Expr, call ast.Expr, l span) ast.Expr {
	if c, ok := call.(*ast.Call); ok {
		return p.newCall(fn, c.Args, c.Keywords, l)
	}
	return p.newCall(fn, nil, nil, l)
}

func (p *Parser) newConstant(v ast.Value, l span) ast.Expr {
	n := p.a.NewConstant()
	n.Value = v
	n.Loc = l
	return n
}

func (p *Parser) newAttribute(value ast.Expr, attr string, ctx ast.ExprContext, l span) ast.Expr {
	n := p.a.NewAttribute()
	n.Value, n.Attr, n.Ctx = value, attr, ctx
	n.Loc = l
	return n
}

func (p *Parser) newSubscript(value, slice ast.Expr, ctx ast.ExprContext, l span) ast.Expr {
	n := p.a.NewSubscript()
	n.Value, n.Slice, n.Ctx = value, slice, ctx
	n.Loc = l
	return n
}

func (p *Parser) newStarred(value ast.Expr, ctx ast.ExprContext, l span) ast.Expr {
	n := p.a.NewStarred()
	n.Value, n.Ctx = value, ctx
	n.Loc = l
	return n
}

func (p *Parser) newList(elts []ast.Expr, ctx ast.ExprContext, l span) ast.Expr {
	n := p.a.NewList()
	n.Elts, n.Ctx = elts, ctx
	n.Loc = l
	return n
}

func (p *Parser) newTuple(elts []ast.Expr, ctx ast.ExprContext, l span) ast.Expr {
	n := p.a.NewTuple()
	n.Elts, n.Ctx = elts, ctx
	n.Loc = l
	return n
}

func (p *Parser) newSlice(lower, upper, step ast.Expr, l span) ast.Expr {
	n := p.a.NewSlice()
	n.Lower, n.Upper, n.Step = lower, upper, step
	n.Loc = l
	return n
}

func (p *Parser) newKeyword(arg string, value ast.Expr, l span) *ast.Keyword {
	n := p.a.NewKeyword()
	n.Arg, n.Value = arg, value
	n.Loc = l
	return n
}

// setExprContext returns a copy of e with the context ctx, recursively for
// tuples, lists and starred expressions (_PyPegen_set_expr_context).
func (p *Parser) setExprContext(e ast.Expr, ctx ast.ExprContext) ast.Expr {
	switch e := e.(type) {
	case *ast.Name:
		n := p.a.NewName()
		n.ID, n.Ctx, n.Loc = e.ID, ctx, e.Loc
		return n
	case *ast.Tuple:
		n := p.a.NewTuple()
		n.Elts, n.Ctx, n.Loc = p.setSeqContext(e.Elts, ctx), ctx, e.Loc
		return n
	case *ast.List:
		n := p.a.NewList()
		n.Elts, n.Ctx, n.Loc = p.setSeqContext(e.Elts, ctx), ctx, e.Loc
		return n
	case *ast.Subscript:
		n := p.a.NewSubscript()
		n.Value, n.Slice, n.Ctx, n.Loc = e.Value, e.Slice, ctx, e.Loc
		return n
	case *ast.Attribute:
		n := p.a.NewAttribute()
		n.Value, n.Attr, n.Ctx, n.Loc = e.Value, e.Attr, ctx, e.Loc
		return n
	case *ast.Starred:
		n := p.a.NewStarred()
		n.Value, n.Ctx, n.Loc = p.setExprContext(e.Value, ctx), ctx, e.Loc
		return n
	}
	return e
}

func (p *Parser) setSeqContext(seq []ast.Expr, ctx ast.ExprContext) []ast.Expr {
	if len(seq) == 0 {
		return nil
	}
	out := p.a.ExprList(len(seq))
	for i, e := range seq {
		out[i] = p.setExprContext(e, ctx)
	}
	return out
}

// ensureReal and ensureImaginary check the parts of a complex literal in a
// pattern.
func (p *Parser) ensureReal(e ast.Expr) ast.Expr {
	if c, ok := e.(*ast.Constant); !ok || c.Value.Kind() == ast.ComplexKind {
		p.raiseKnownLocation(e, "real number required in complex literal")
		return nil
	}
	return e
}

func (p *Parser) ensureImaginary(e ast.Expr) ast.Expr {
	if c, ok := e.(*ast.Constant); !ok || c.Value.Kind() != ast.ComplexKind {
		p.raiseKnownLocation(e, "imaginary number required in complex literal")
		return nil
	}
	return e
}

// collectCallSeqs builds the Call that carries positional arguments a and
// keyword or starred arguments b (_PyPegen_collect_call_seqs).
func (p *Parser) collectCallSeqs(a []ast.Expr, b []*keywordOrStarred, l span) ast.Expr {
	if b == nil {
		return p.newCall(dummyName, a, nil, l)
	}
	starreds := 0
	for _, k := range b {
		if !k.isKeyword {
			if _, ok := k.element.(ast.Expr); ok {
				starreds++
			}
		}
	}
	args := p.exprList(len(a) + starreds)
	i := copy(args, a)
	for _, k := range b {
		if !k.isKeyword {
			if e, ok := k.element.(ast.Expr); ok {
				args[i] = e
				i++
			}
		}
	}
	return p.newCall(dummyName, args, p.seqDeleteStarredExprs(b), l)
}

// seqExtractStarredExprs returns the starred expressions of kw, nil for
// none.
func (p *Parser) seqExtractStarredExprs(kw []*keywordOrStarred) []ast.Expr {
	n := 0
	for _, k := range kw {
		if !k.isKeyword {
			if _, ok := k.element.(ast.Expr); ok {
				n++
			}
		}
	}
	if n == 0 {
		return nil
	}
	out := p.a.ExprList(n)
	i := 0
	for _, k := range kw {
		if !k.isKeyword {
			if e, ok := k.element.(ast.Expr); ok {
				out[i] = e
				i++
			}
		}
	}
	return out
}

// seqDeleteStarredExprs returns the keywords of kw, nil for none.
func (p *Parser) seqDeleteStarredExprs(kw []*keywordOrStarred) []*ast.Keyword {
	n := 0
	for _, k := range kw {
		if k.isKeyword {
			if _, ok := k.element.(*ast.Keyword); ok {
				n++
			}
		}
	}
	if n == 0 {
		return nil
	}
	out := p.a.KeywordList(n)
	i := 0
	for _, k := range kw {
		if k.isKeyword {
			if kw, ok := k.element.(*ast.Keyword); ok {
				out[i] = kw
				i++
			}
		}
	}
	return out
}

// ---------------------------------------------------------------- patterns

func (p *Parser) newMatch(subject ast.Expr, cases []*ast.MatchCase, l span) ast.Stmt {
	n := p.a.NewMatch()
	n.Subject, n.Cases = subject, cases
	n.Loc = l
	return n
}

func (p *Parser) newMatchCase(pattern ast.Pattern, guard ast.Expr, body []ast.Stmt) *ast.MatchCase {
	n := p.a.NewMatchCase()
	n.Pattern, n.Guard, n.Body = pattern, guard, body
	return n
}

func (p *Parser) newMatchSequence(patterns []ast.Pattern, l span) ast.Pattern {
	n := p.a.NewMatchSequence()
	n.Patterns = patterns
	n.Loc = l
	return n
}

func (p *Parser) newMatchAs(pattern ast.Pattern, name string, l span) ast.Pattern {
	n := p.a.NewMatchAs()
	n.Pattern, n.Name = pattern, name
	n.Loc = l
	return n
}

func (p *Parser) orPattern(patterns []ast.Pattern, l span) ast.Pattern {
	if len(patterns) == 1 {
		return patterns[0]
	}
	n := p.a.NewMatchOr()
	n.Patterns = patterns
	n.Loc = l
	return n
}

func (p *Parser) newMatchValue(value ast.Expr, l span) ast.Pattern {
	n := p.a.NewMatchValue()
	n.Value = value
	n.Loc = l
	return n
}

func (p *Parser) newMatchSingleton(v ast.Value, l span) ast.Pattern {
	n := p.a.NewMatchSingleton()
	n.Value = v
	n.Loc = l
	return n
}

func (p *Parser) newMatchStar(name string, l span) ast.Pattern {
	n := p.a.NewMatchStar()
	n.Name = name
	n.Loc = l
	return n
}

func (p *Parser) newMatchMapping(items []*keyPattern, rest string, l span) ast.Pattern {
	n := p.a.NewMatchMapping()
	if len(items) > 0 {
		n.Keys = make([]ast.Expr, len(items))
		n.Patterns = make([]ast.Pattern, len(items))
		for i, kp := range items {
			n.Keys[i], n.Patterns[i] = kp.key, kp.pattern
		}
	}
	n.Rest = rest
	n.Loc = l
	return n
}

func (p *Parser) newMatchClass(cls ast.Expr, patterns []ast.Pattern, keywords []*keyPattern, l span) ast.Pattern {
	n := p.a.NewMatchClass()
	n.Cls, n.Patterns = cls, patterns
	if len(keywords) > 0 {
		n.KwdAttrs = make([]string, len(keywords))
		n.KwdPatterns = make([]ast.Pattern, len(keywords))
		for i, kp := range keywords {
			n.KwdAttrs[i], n.KwdPatterns[i] = nameID(kp.key), kp.pattern
		}
	}
	n.Loc = l
	return n
}

// ---------------------------------------------------------------- checks and errors

// checkBarryAsFlufl accepts "!=" (or, under barry_as_FLUFL, "<>") as the
// not-equal operator (_PyPegen_check_barry_as_flufl).
func (p *Parser) checkBarryAsFlufl(t *token.Token) *token.Token {
	text := p.tokText(t)
	if p.barry && text != "<>" {
		p.raiseSyntaxError("with Barry as BDFL, use '<>' instead of '!='")
		return nil
	}
	if !p.barry && text != "!=" {
		return nil
	}
	return t
}

// checkDiamond takes "<" and ">" written together as the not-equal
// operator "<>" under barry_as_FLUFL (3.13.16 and later tokenize "<>" as
// these two tokens).
func (p *Parser) checkDiamond(lt, gt *token.Token) *token.Token {
	if lt.End != gt.Start || !p.barry {
		return nil
	}
	return lt
}

// diamondError is the error for "<>" outside barry_as_FLUFL (3.13.16 and
// later).
func (p *Parser) diamondError(lt, gt *token.Token) any {
	if lt.End != gt.Start || p.barry {
		return nil
	}
	return p.raiseKnownRange(lt, gt, "invalid syntax.  Maybe you meant '!=' instead of '<>'?")
}

// isLegacyStmt reports whether e is the name print or exec
// (_PyPegen_check_legacy_stmt).
func isLegacyStmt(e ast.Expr) bool {
	n, ok := e.(*ast.Name)
	return ok && (n.ID == "print" || n.ID == "exec")
}

func (p *Parser) legacyCallError(a, b ast.Expr) any {
	if !isLegacyStmt(a) {
		return nil
	}
	id := nameID(a)
	return p.raiseKnownRange(a, b, "Missing parentheses in call to '"+id+"'. Did you mean "+id+"(...)?")
}

func (p *Parser) forgotCommaError(a, b ast.Expr) any {
	if isLegacyStmt(a) || p.toks[p.mark-1].Level == 0 {
		return nil
	}
	return p.raiseKnownRange(a, b, "invalid syntax. Perhaps you forgot a comma?")
}

func (p *Parser) kvpairColonError(a ast.Expr) any {
	l := a.Location()
	return p.raiseErrorKnownLocation(0, l.Lineno, l.EndColOffset-1, l.EndLineno, -1, "':' expected after dictionary key")
}

func lastComprehensionItem(c *ast.Comprehension) ast.Expr {
	if len(c.Ifs) == 0 {
		return c.Iter
	}
	return c.Ifs[len(c.Ifs)-1]
}

func (p *Parser) nonparenGenexpInCall(args ast.Expr, comps []*ast.Comprehension) any {
	c, ok := args.(*ast.Call)
	if !ok || len(c.Args) <= 1 {
		return nil
	}
	return p.raiseKnownRange(c.Args[len(c.Args)-1], lastComprehensionItem(comps[len(comps)-1]),
		"Generator expression must be parenthesized")
}

func (p *Parser) argumentsParsingError(e ast.Expr) any {
	unpacking := false
	c, _ := e.(*ast.Call)
	if c == nil {
		c = &ast.Call{}
	}
	for _, k := range c.Keywords {
		if k.Arg == "" {
			unpacking = true
		}
	}
	if unpacking {
		return p.raiseSyntaxError("positional argument follows keyword argument unpacking")
	}
	return p.raiseSyntaxError("positional argument follows keyword argument")
}

// The kinds of assignment target an invalid target is looked for in.
const (
	starTargets = iota
	delTargets
	forTargets
)

// invalidTarget returns the first part of e that cannot be a target of the
// kind given (_PyPegen_get_invalid_target), nil if all can.
func invalidTarget(e ast.Expr, kind int) ast.Expr {
	switch n := e.(type) {
	case nil:
		return nil
	case *ast.List:
		for _, x := range n.Elts {
			if t := invalidTarget(x, kind); t != nil {
				return t
			}
		}
		return nil
	case *ast.Tuple:
		for _, x := range n.Elts {
			if t := invalidTarget(x, kind); t != nil {
				return t
			}
		}
		return nil
	case *ast.Starred:
		if kind == delTargets {
			return e
		}
		return invalidTarget(n.Value, kind)
	case *ast.Compare:
		// "a in b" of "for a in b" parses as a comparison: look at its
		// left side.
		if kind == forTargets {
			if n.Ops[0] == ast.In {
				return invalidTarget(n.Left, kind)
			}
			return nil
		}
		return e
	case *ast.Name, *ast.Subscript, *ast.Attribute:
		return nil
	}
	return e
}

func (p *Parser) raiseInvalidTarget(kind int, e ast.Expr) any {
	t := invalidTarget(e, kind)
	if t == nil {
		return nil
	}
	if kind == delTargets {
		return p.raiseKnownLocation(t, "cannot delete "+exprName(t))
	}
	return p.raiseKnownLocation(t, "cannot assign to "+exprName(t))
}

// exprName names an expression in "cannot assign to ..." messages
// (_PyPegen_get_expr_name).
func exprName(e ast.Expr) string {
	switch n := e.(type) {
	case *ast.Attribute:
		return "attribute"
	case *ast.Subscript:
		return "subscript"
	case *ast.Starred:
		return "starred"
	case *ast.Name:
		return "name"
	case *ast.List:
		return "list"
	case *ast.Tuple:
		return "tuple"
	case *ast.Lambda:
		return "lambda"
	case *ast.Call:
		return "function call"
	case *ast.BoolOp, *ast.BinOp, *ast.UnaryOp:
		return "expression"
	case *ast.GeneratorExp:
		return "generator expression"
	case *ast.Yield, *ast.YieldFrom:
		return "yield expression"
	case *ast.Await:
		return "await expression"
	case *ast.ListComp:
		return "list comprehension"
	case *ast.SetComp:
		return "set comprehension"
	case *ast.DictComp:
		return "dict comprehension"
	case *ast.Dict:
		return "dict literal"
	case *ast.Set:
		return "set display"
	case *ast.JoinedStr, *ast.FormattedValue:
		return "f-string expression"
	case *ast.Constant:
		switch n.Value.Kind() {
		case ast.NoneKind:
			return "None"
		case ast.BoolKind:
			if n.Value.Bool() {
				return "True"
			}
			return "False"
		case ast.EllipsisKind:
			return "ellipsis"
		}
		return "literal"
	case *ast.Compare:
		return "comparison"
	case *ast.IfExp:
		return "conditional expression"
	case *ast.NamedExpr:
		return "named expression"
	}
	return ""
}

// The values that stand in for the dummy result of an invalid_* rule (a
// Name to CPython, whatever the type of the rule that returns it): they let
// the second pass go on as CPython's does, without being part of any tree
// that is returned.
var (
	dummyStmt    ast.Stmt    = &ast.Pass{}
	dummyPattern ast.Pattern = &ast.MatchAs{}
	dummyArgs                = &ast.Arguments{}
	dummyArg                 = &ast.Arg{}
)

// anyTo converts the value of an invalid_* rule to the type of the rule
// that returns it.
func anyTo[T any](v any) T {
	var zero T
	if v == nil {
		return zero
	}
	if t, ok := v.(T); ok {
		return t
	}
	var d any
	switch any(&zero).(type) {
	case *ast.Expr:
		d = ast.Expr(dummyName)
	case *ast.Stmt:
		d = dummyStmt
	case *ast.Pattern:
		d = dummyPattern
	case **ast.Arguments:
		d = dummyArgs
	case **ast.Arg:
		d = dummyArg
	case **ast.Alias:
		d = &ast.Alias{}
	case **ast.WithItem:
		d = &ast.WithItem{ContextExpr: dummyName}
	case **ast.ExceptHandler:
		d = &ast.ExceptHandler{}
	case **ast.MatchCase:
		d = &ast.MatchCase{Pattern: dummyPattern}
	case **ast.Comprehension:
		d = &ast.Comprehension{Target: dummyName, Iter: dummyName}
	case *ast.TypeParam:
		d = ast.TypeParam(&ast.TypeVar{})
	case **starEtc:
		d = &starEtc{}
	case **keywordOrStarred:
		d = &keywordOrStarred{element: ast.Expr(dummyName)}
	case **keyValue:
		d = &keyValue{value: dummyName}
	case **resultWithMeta:
		d = &resultWithMeta{result: dummyName}
	case **token.Token:
		d = &token.Token{}
	}
	if t, ok := d.(T); ok {
		return t
	}
	return zero
}
