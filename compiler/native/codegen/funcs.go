package codegen

import (
	"errors"
	"fmt"

	"github.com/rules-pyc/rules_pyc/compiler/native/instr"
	"github.com/rules-pyc/rules_pyc/compiler/native/pyobj"
	"github.com/rules-pyc/rules_pyc/compiler/native/symtable"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/astdump"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/syntaxerr"
)

// refType is get_ref_type.
func (c *compiler) refType(name string) symtable.Scope {
	if c.u.scope == scopeClass && (name == "__class__" || name == "__classdict__") {
		return symtable.Cell
	}
	return c.u.ste.Scope(name)
}

// namesRepr is repr() of a tuple of strs.
func (c *compiler) namesRepr(names []*pyobj.Object) string {
	b := []byte{'('}
	for i, n := range names {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, c.repr(ast.StrValue(n.Str()))...)
	}
	if len(names) == 1 {
		b = append(b, ',')
	}
	return string(append(b, ')'))
}

// makeClosure is compiler_make_closure.
func (c *compiler) makeClosure(loc instr.Location, child *Unit, flags int32) {
	if n := len(child.Meta.FreeVars); n > 0 {
		for _, fv := range child.Meta.FreeVars {
			name := fv.Str()
			var arg int32
			var ok bool
			ref := c.refType(name)
			if ref == 0 {
				// get_ref_type's SystemError names the block's id, the
				// address of its node in CPython's memory, which no
				// other process can write.
				c.fail(&ErrUnsupported{What: fmt.Sprintf("CPython rejects this source with a SystemError whose message holds one of its memory addresses (_PyST_GetScope(name=%s) failed in %s)",
					c.repr(ast.StrValue(name)), c.u.name)})
			}
			if ref == symtable.Cell {
				arg, ok = c.u.cellvars[name]
			} else {
				arg, ok = c.u.freevars[name]
			}
			if !ok {
				// CPython 3.13 reaches this for a lambda in a comprehension
				// of a class body that reads __class__ (super() too) or,
				// from 3.13.6 or so, __classdict__: py_compile reports
				// the SystemError.
				c.fail(&syntaxerr.Error{Type: syntaxerr.SystemError, NoLocation: true,
					Msg: fmt.Sprintf("compiler_lookup_arg(name=%s) with reftype=%d failed in %s; freevars of code %s: %s",
						c.repr(ast.StrValue(name)), ref, c.u.name, child.Meta.Name.Str(), c.namesRepr(child.Meta.FreeVars))})
			}
			c.addop(pLOAD_CLOSURE, arg, loc)
		}
		flags |= mfClosure
		c.addop(opBUILD_TUPLE, int32(n), loc)
	}
	c.loadConst(loc, child.Code)
	c.addop(opMAKE_FUNCTION, 0, loc)
	for _, f := range []int32{mfClosure, mfAnnotations, mfKwDefaults, mfDefaults} {
		if flags&f != 0 {
			c.addop(opSET_FUNCTION_ATTRIBUTE, f, loc)
		}
	}
}

func (c *compiler) decorators(decos []ast.Expr) {
	for _, d := range decos {
		c.expr(d)
	}
}

func (c *compiler) applyDecorators(decos []ast.Expr) {
	for i := len(decos) - 1; i >= 0; i-- {
		c.addop(opCALL, 0, locOf(decos[i]))
	}
}

// kwonlyDefaults is compiler_visit_kwonlydefaults; it reports whether a
// dict was pushed.
func (c *compiler) kwonlyDefaults(loc instr.Location, args []*ast.Arg, defaults []ast.Expr) bool {
	var keys []*pyobj.Object
	for i, a := range args {
		if i >= len(defaults) || defaults[i] == nil {
			continue
		}
		keys = append(keys, c.mangledIdent(a.Arg))
		c.expr(defaults[i])
	}
	if keys == nil {
		return false
	}
	c.loadConst(loc, c.p.NewTuple(keys))
	c.addop(opBUILD_CONST_KEY_MAP, int32(len(keys)), loc)
	return true
}

// mangledIdent is the str object of a possibly mangled identifier: the
// identifier itself when mangling leaves it alone, else a new str.
func (c *compiler) mangledIdent(name string) *pyobj.Object {
	m := c.mangle(name)
	if m == name {
		return c.p.Identifier(name)
	}
	return c.p.NewStr(m)
}

func (c *compiler) argAnnotation(id string, ann ast.Expr, n *int, loc instr.Location) {
	if ann == nil {
		return
	}
	c.loadConst(loc, c.mangledIdent(id))
	if c.future.Features&symtable.FutureAnnotations != 0 {
		c.annexpr(ann)
	} else if st, ok := ann.(*ast.Starred); ok {
		c.expr(st.Value)
		c.addop(opUNPACK_SEQUENCE, 1, loc)
	} else {
		c.expr(ann)
	}
	*n += 2
}

// annexpr is compiler_visit_annexpr: the annotation as a string.
func (c *compiler) annexpr(e ast.Expr) {
	s, err := unparse(e, c.cfg.Release)
	if err != nil {
		var long *astdump.IntTooLongError
		if errors.As(err, &long) {
			err = &syntaxerr.Error{Type: syntaxerr.ValueError, Msg: long.Error(), NoLocation: true}
		}
		c.fail(err)
	}
	c.loadConst(locAt(e.Location()), c.p.NewStr(s))
}

// annotations is compiler_visit_annotations.
func (c *compiler) annotations(loc instr.Location, a *ast.Arguments, returns ast.Expr) bool {
	n := 0
	for _, x := range a.Args {
		c.argAnnotation(x.Arg, x.Annotation, &n, loc)
	}
	for _, x := range a.Posonlyargs {
		c.argAnnotation(x.Arg, x.Annotation, &n, loc)
	}
	if a.Vararg != nil && a.Vararg.Annotation != nil {
		c.argAnnotation(a.Vararg.Arg, a.Vararg.Annotation, &n, loc)
	}
	for _, x := range a.Kwonlyargs {
		c.argAnnotation(x.Arg, x.Annotation, &n, loc)
	}
	if a.Kwarg != nil && a.Kwarg.Annotation != nil {
		c.argAnnotation(a.Kwarg.Arg, a.Kwarg.Annotation, &n, loc)
	}
	c.argAnnotation("return", returns, &n, loc)
	if n > 0 {
		c.addop(opBUILD_TUPLE, int32(n), loc)
		return true
	}
	return false
}

// defaultArguments is compiler_default_arguments.
func (c *compiler) defaultArguments(loc instr.Location, a *ast.Arguments) int32 {
	var flags int32
	if len(a.Defaults) > 0 {
		for _, d := range a.Defaults {
			c.expr(d)
		}
		c.addop(opBUILD_TUPLE, int32(len(a.Defaults)), loc)
		flags |= mfDefaults
	}
	if len(a.Kwonlyargs) > 0 {
		if c.kwonlyDefaults(loc, a.Kwonlyargs, a.KwDefaults) {
			flags |= mfKwDefaults
		}
	}
	return flags
}

// forbiddenName is forbidden_name (it raises).
func (c *compiler) forbiddenName(loc instr.Location, name string, ctx ast.ExprContext) {
	if name == "__debug__" {
		c.forbiddenDebug(loc, ctx)
	}
}

// forbiddenDebug is forbidden_name for __debug__ (out of line, so that
// forbiddenName is inlined where every name passes).
func (c *compiler) forbiddenDebug(loc instr.Location, ctx ast.ExprContext) {
	switch ctx {
	case ast.Store:
		c.errorf(loc, "cannot assign to __debug__")
	case ast.Del:
		c.errorf(loc, "cannot delete __debug__")
	}
}

func (c *compiler) checkDebugArgs(a *ast.Arguments) {
	one := func(x *ast.Arg) {
		if x != nil {
			c.forbiddenName(locAt(x.Location()), x.Arg, ast.Store)
		}
	}
	for _, x := range a.Posonlyargs {
		one(x)
	}
	for _, x := range a.Args {
		one(x)
	}
	one(a.Vararg)
	for _, x := range a.Kwonlyargs {
		one(x)
	}
	one(a.Kwarg)
}

// wrapInStopIterationHandler is wrap_in_stopiteration_handler.
func (c *compiler) wrapInStopIterationHandler() {
	handler := c.newLabel()
	if err := c.u.seq.Insert(0, instr.Instr{Op: pSETUP_CLEANUP, Arg: int32(handler), Loc: noLoc, Handler: instr.NoHandler}); err != nil {
		c.fail(err)
	}
	c.loadConst(noLoc, pyobj.NoneObj)
	c.addop(opRETURN_VALUE, 0, noLoc)
	c.useLabel(handler)
	c.addop(opCALL_INTRINSIC_1, intrinsicStopIterationError, noLoc)
	c.addop(opRERAISE, 1, noLoc)
}

// typeParamBoundOrDefault is compiler_type_param_bound_or_default.
func (c *compiler) typeParamBoundOrDefault(e ast.Expr, name string, blk *symtable.Block, allowStarred bool) {
	c.enterScope(name, scopeTypeParams, blk, e.Location().Lineno)
	if st, ok := e.(*ast.Starred); ok && allowStarred {
		c.expr(st.Value)
		c.addop(opUNPACK_SEQUENCE, 1, locAt(e.Location()))
	} else {
		c.expr(e)
	}
	c.addop(opRETURN_VALUE, 0, locAt(e.Location()))
	child := c.finishUnit(true)
	c.makeClosure(locAt(e.Location()), child, 0)
}

// typeParams is compiler_type_params.
func (c *compiler) typeParams(tps []ast.TypeParam) {
	if len(tps) == 0 {
		return
	}
	seenDefault := false
	for _, tp := range tps {
		loc := locAt(tp.Location())
		name, bound, def := ast.TypeParamParts(tp)
		c.loadIdent(loc, name)
		switch tp.(type) {
		case *ast.TypeVar:
			if bound != nil {
				c.typeParamBoundOrDefault(bound, name, c.st.BoundBlock(tp), false)
				intr := int32(intrinsic2TypeVarWithBound)
				if _, ok := bound.(*ast.Tuple); ok {
					intr = intrinsic2TypeVarWithConstraints
				}
				c.addop(opCALL_INTRINSIC_2, intr, loc)
			} else {
				c.addop(opCALL_INTRINSIC_1, intrinsicTypeVar, loc)
			}
		case *ast.TypeVarTuple:
			c.addop(opCALL_INTRINSIC_1, intrinsicTypeVarTuple, loc)
		case *ast.ParamSpec:
			c.addop(opCALL_INTRINSIC_1, intrinsicParamSpec, loc)
		}
		if def != nil {
			seenDefault = true
			_, isTuple := tp.(*ast.TypeVarTuple)
			c.typeParamBoundOrDefault(def, name, c.st.DefaultBlock(tp), isTuple)
			c.addop(opCALL_INTRINSIC_2, intrinsic2SetTypeparamDefault, loc)
		} else if seenDefault {
			c.errorf(loc, "non-default type parameter '%s' follows default type parameter", name)
		}
		c.addop(opCOPY, 1, loc)
		c.nameop(loc, name, ast.Store)
	}
	c.addop(opBUILD_TUPLE, int32(len(tps)), locOf(tps[0]))
}

// function is compiler_function.
func (c *compiler) function(s ast.Stmt, isAsync bool) {
	var (
		args    *ast.Arguments
		returns ast.Expr
		decos   []ast.Expr
		name    string
		tps     []ast.TypeParam
		body    []ast.Stmt
	)
	if f, ok := s.(*ast.AsyncFunctionDef); ok {
		args, returns, decos, name, tps, body = f.Args, f.Returns, f.DecoratorList, f.Name, f.TypeParams, f.Body
	} else {
		f := s.(*ast.FunctionDef)
		args, returns, decos, name, tps, body = f.Args, f.Returns, f.DecoratorList, f.Name, f.TypeParams, f.Body
	}
	c.checkDebugArgs(args)
	c.decorators(decos)
	firstLine := s.Location().Lineno
	if len(decos) > 0 {
		firstLine = decos[0].Location().Lineno
	}
	loc := locAt(s.Location())
	generic := len(tps) > 0
	funcflags := c.defaultArguments(loc, args)
	ntp := 0
	if generic {
		if funcflags&mfDefaults != 0 {
			ntp++
		}
		if funcflags&mfKwDefaults != 0 {
			ntp++
		}
		if ntp == 2 {
			c.addop(opSWAP, 2, loc)
		}
		c.enterScope("<generic parameters of "+name+">", scopeTypeParams, c.st.TypeParamsBlock(s), firstLine)
		c.typeParams(tps)
		for i := 0; i < ntp; i++ {
			c.addop(opLOAD_FAST, int32(i), loc)
		}
	}
	if c.annotations(loc, args, returns) {
		funcflags |= mfAnnotations
	}
	ste := c.st.Block(s)
	c.functionBody(s, ste, isAsync, name, args, body, funcflags, firstLine)
	if generic {
		c.addop(opSWAP, 2, loc)
		c.addop(opCALL_INTRINSIC_2, intrinsic2SetFunctionTypeParams, loc)
		c.u.argcount = int32(ntp)
		child := c.finishUnit(false)
		c.makeClosure(loc, child, 0)
		if ntp > 0 {
			c.addop(opSWAP, int32(ntp+1), loc)
			c.addop(opCALL, int32(ntp-1), loc)
		} else {
			c.addop(opPUSH_NULL, 0, loc)
			c.addop(opCALL, 0, loc)
		}
	}
	c.applyDecorators(decos)
	// The symbol table noted where the enclosing block has the name.
	c.nameopAt(loc, name, ast.Store, ste.NameAt)
}

// functionBody is compiler_function_body, for s whose block is ste.
func (c *compiler) functionBody(s ast.Stmt, ste *symtable.Block, isAsync bool, name string, args *ast.Arguments, body []ast.Stmt, funcflags int32, firstLine int) {
	st := scopeFunction
	if isAsync {
		st = scopeAsyncFunction
	}
	c.enterScope(name, st, ste, firstLine)
	first := 0
	doc := pyobj.NoneObj
	if d, ok := docString(body); ok {
		first = 1
		if c.cfg.Optimize < 2 {
			doc = c.p.NewStr(c.cleanDoc(d))
		}
	}
	c.addConst(doc)
	c.u.argcount = int32(len(args.Args))
	c.u.posonly = int32(len(args.Posonlyargs))
	c.u.kwonly = int32(len(args.Kwonlyargs))
	start := c.newLabel()
	c.useLabel(start)
	stopIter := c.u.ste.Coroutine || c.u.ste.Generator
	if stopIter {
		c.pushFblock(noLoc, fbStopIteration, start, instr.NoLabel, fblock{})
	}
	for _, x := range body[first:] {
		c.stmt(x)
	}
	if stopIter {
		c.wrapInStopIterationHandler()
		c.popFblock(fbStopIteration)
	}
	child := c.finishUnit(true)
	c.makeClosure(locAt(s.Location()), child, funcflags)
}

// docString is _PyAST_GetDocString.
func docString(body []ast.Stmt) (string, bool) {
	if len(body) == 0 {
		return "", false
	}
	e, ok := body[0].(*ast.ExprStmt)
	if !ok {
		return "", false
	}
	k, ok := e.Value.(*ast.Constant)
	if !ok || k.Value.Kind() != ast.StrKind {
		return "", false
	}
	return k.Value.Str(), true
}

// classBody is compiler_class_body, for s whose block is ste.
func (c *compiler) classBody(s *ast.ClassDef, ste *symtable.Block, firstLine int) {
	c.enterScope(s.Name, scopeClass, ste, firstLine)
	loc := instr.Location{Line: int32(firstLine), EndLine: int32(firstLine)}
	c.u.private, c.u.hasPriv = s.Name, true
	c.nameop(loc, "__name__", ast.Load)
	c.nameop(loc, "__module__", ast.Store)
	c.loadConst(loc, c.u.qualnameObj(c))
	c.nameop(loc, "__qualname__", ast.Store)
	c.loadConst(loc, c.p.NewInt(int64(c.u.firstLine)))
	c.nameop(loc, "__firstlineno__", ast.Store)
	if len(s.TypeParams) > 0 {
		c.nameop(loc, ".type_params", ast.Load)
		c.nameop(loc, "__type_params__", ast.Store)
	}
	if c.u.ste.NeedsClassdict {
		c.addop(opLOAD_LOCALS, 0, loc)
		c.addop(opSTORE_DEREF, c.u.addCell("__classdict__"), loc)
	}
	c.body(loc, s.Body)
	attrs := make([]string, 0, len(c.u.staticAttrs))
	for a := range c.u.staticAttrs {
		attrs = append(attrs, a)
	}
	sortStrings(attrs)
	items := make([]*pyobj.Object, len(attrs))
	for i, a := range attrs {
		items[i] = c.p.Identifier(a)
	}
	c.loadConst(noLoc, c.p.NewTuple(items))
	c.nameop(noLoc, "__static_attributes__", ast.Store)
	if c.u.ste.NeedsClassdict {
		i := c.u.cellvars["__classdict__"]
		c.addop(pLOAD_CLOSURE, i, noLoc)
		c.nameop(noLoc, "__classdictcell__", ast.Store)
	}
	if c.u.ste.NeedsClassClosure {
		i := c.u.cellvars["__class__"]
		c.addop(pLOAD_CLOSURE, i, noLoc)
		c.addop(opCOPY, 1, noLoc)
		c.nameop(noLoc, "__classcell__", ast.Store)
	} else {
		c.loadConst(noLoc, pyobj.NoneObj)
	}
	c.addop(opRETURN_VALUE, 0, noLoc)
	child := c.finishUnit(true)
	loc = locAt(s.Location())
	c.addop(opLOAD_BUILD_CLASS, 0, loc)
	c.addop(opPUSH_NULL, 0, loc)
	c.makeClosure(loc, child, 0)
	c.loadIdent(loc, s.Name)
}

// qualnameObj is the unit's u_qualname object.
func (u *unit) qualnameObj(c *compiler) *pyobj.Object {
	if u.qualObj == nil {
		u.qualObj = c.p.Identifier(u.name)
	}
	return u.qualObj
}

// checkClassdictTypeParam refuses a generic class defined in a class body
// with a type parameter named __classdict__: CPython 3.13.0 crashes
// (SIGSEGV) assembling its generic parameters' code, on a NULL item of a
// tuple it merges into the constant cache (seen with every such source
// tried, whatever the class bodies hold); the releases up to
// symtable.ReservedTypeParamName, which refuses the name, are taken to do
// the same.
func (c *compiler) checkClassdictTypeParam(s *ast.ClassDef) {
	for _, tp := range s.TypeParams {
		if name, _, _ := ast.TypeParamParts(tp); name == "__classdict__" {
			c.fail(&ErrUnsupported{What: "CPython " + c.cfg.Release.String() + " crashes compiling a generic class defined in a class body with a type parameter named __classdict__"})
		}
	}
}

// class is compiler_class.
func (c *compiler) class(s *ast.ClassDef) {
	c.decorators(s.DecoratorList)
	firstLine := s.Lineno
	if len(s.DecoratorList) > 0 {
		firstLine = s.DecoratorList[0].Location().Lineno
	}
	loc := locAt(s.Location())
	generic := len(s.TypeParams) > 0
	if generic && c.u.scope == scopeClass && !c.cfg.Release.AtLeast(symtable.ReservedTypeParamName) {
		c.checkClassdictTypeParam(s)
	}
	if generic {
		c.enterScope("<generic parameters of "+s.Name+">", scopeTypeParams, c.st.TypeParamsBlock(s), firstLine)
		c.u.private, c.u.hasPriv = s.Name, true
		c.typeParams(s.TypeParams)
		c.nameop(loc, ".type_params", ast.Store)
	}
	ste := c.st.Block(s)
	c.classBody(s, ste, firstLine)
	if generic {
		c.nameop(loc, ".type_params", ast.Load)
		c.addop(opCALL_INTRINSIC_1, intrinsicSubscriptGeneric, loc)
		c.nameop(loc, ".generic_base", ast.Store)
		bases := make([]ast.Expr, len(s.Bases), len(s.Bases)+1)
		copy(bases, s.Bases)
		// Rare (generic classes only): one node of its own.
		nm := new(ast.Name)
		nm.ID, nm.Ctx = ".generic_base", ast.Load
		nm.Loc = s.Loc
		bases = append(bases, nm)
		c.callHelper(loc, 2, bases, s.Keywords)
		child := c.finishUnit(false)
		c.makeClosure(loc, child, 0)
		c.addop(opPUSH_NULL, 0, loc)
		c.addop(opCALL, 0, loc)
	} else {
		c.callHelper(loc, 2, s.Bases, s.Keywords)
	}
	c.applyDecorators(s.DecoratorList)
	// The symbol table noted where the enclosing block has the name.
	c.nameopAt(loc, s.Name, ast.Store, ste.NameAt)
}

// typeAliasBody is compiler_typealias_body.
func (c *compiler) typeAliasBody(s *ast.TypeAlias) {
	loc := locAt(s.Location())
	name := s.Name.(*ast.Name).ID
	c.enterScope(name, scopeFunction, c.st.Block(s), s.Lineno)
	c.addConst(pyobj.NoneObj)
	c.expr(s.Value)
	c.addop(opRETURN_VALUE, 0, loc)
	child := c.finishUnit(false)
	c.makeClosure(loc, child, 0)
	c.addop(opBUILD_TUPLE, 3, loc)
	c.addop(opCALL_INTRINSIC_1, intrinsicTypeAlias, loc)
}

// typeAlias is compiler_typealias.
func (c *compiler) typeAlias(s *ast.TypeAlias) {
	loc := locAt(s.Location())
	name := s.Name.(*ast.Name).ID
	generic := len(s.TypeParams) > 0
	if generic {
		c.enterScope("<generic parameters of "+name+">", scopeTypeParams, c.st.TypeParamsBlock(s), s.Lineno)
		c.loadIdent(loc, name)
		c.typeParams(s.TypeParams)
	} else {
		c.loadIdent(loc, name)
		c.loadConst(loc, pyobj.NoneObj)
	}
	c.typeAliasBody(s)
	if generic {
		child := c.finishUnit(false)
		c.makeClosure(loc, child, 0)
		c.addop(opPUSH_NULL, 0, loc)
		c.addop(opCALL, 0, loc)
	}
	c.nameop(loc, name, ast.Store)
}

// lambda is compiler_lambda.
func (c *compiler) lambda(e *ast.Lambda) {
	c.checkDebugArgs(e.Args)
	loc := locAt(e.Location())
	funcflags := c.defaultArguments(loc, e.Args)
	c.enterScope("<lambda>", scopeLambda, c.st.Block(e), e.Lineno)
	c.addConst(pyobj.NoneObj)
	c.u.argcount = int32(len(e.Args.Args))
	c.u.posonly = int32(len(e.Args.Posonlyargs))
	c.u.kwonly = int32(len(e.Args.Kwonlyargs))
	c.expr(e.Body)
	var child *Unit
	if c.u.ste.Generator {
		child = c.finishUnit(false)
	} else {
		c.addop(opRETURN_VALUE, 0, locAt(e.Body.Location()))
		child = c.finishUnit(true)
	}
	c.makeClosure(loc, child, funcflags)
}
