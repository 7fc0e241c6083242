package codegen

import (
	"strings"

	"github.com/rules-pyc/rules_pyc/compiler/native/instr"
	"github.com/rules-pyc/rules_pyc/compiler/native/pyobj"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
)

func (c *compiler) stmts(ss []ast.Stmt) {
	for _, s := range ss {
		c.stmt(s)
	}
}

// findAnn is find_ann.
func findAnn(ss []ast.Stmt) bool {
	for _, s := range ss {
		switch t := s.(type) {
		case *ast.AnnAssign:
			return true
		case *ast.For:
			if findAnn(t.Body) || findAnn(t.Orelse) {
				return true
			}
		case *ast.AsyncFor:
			if findAnn(t.Body) || findAnn(t.Orelse) {
				return true
			}
		case *ast.While:
			if findAnn(t.Body) || findAnn(t.Orelse) {
				return true
			}
		case *ast.If:
			if findAnn(t.Body) || findAnn(t.Orelse) {
				return true
			}
		case *ast.With:
			if findAnn(t.Body) {
				return true
			}
		case *ast.AsyncWith:
			if findAnn(t.Body) {
				return true
			}
		case *ast.Try:
			for _, h := range t.Handlers {
				if findAnn(h.Body) {
					return true
				}
			}
			if findAnn(t.Body) || findAnn(t.Finalbody) || findAnn(t.Orelse) {
				return true
			}
		case *ast.TryStar:
			for _, h := range t.Handlers {
				if findAnn(h.Body) {
					return true
				}
			}
			if findAnn(t.Body) || findAnn(t.Finalbody) || findAnn(t.Orelse) {
				return true
			}
		case *ast.Match:
			for _, m := range t.Cases {
				if findAnn(m.Body) {
					return true
				}
			}
		}
	}
	return false
}

// body is compiler_body.
func (c *compiler) body(loc instr.Location, ss []ast.Stmt) {
	if c.u.scope == scopeModule && len(ss) > 0 {
		loc = locOf(ss[0])
	}
	if findAnn(ss) {
		c.addop(opSETUP_ANNOTATIONS, 0, loc)
	}
	if len(ss) == 0 {
		return
	}
	first := 0
	if d, ok := docString(ss); ok {
		first = 1
		if c.cfg.Optimize < 2 {
			v := ss[0].(*ast.ExprStmt).Value
			c.loadConst(locAt(v.Location()), c.p.NewStr(c.cleanDoc(d)))
			c.nameop(noLoc, "__doc__", ast.Store)
		}
	}
	for _, s := range ss[first:] {
		c.stmt(s)
	}
}

func (c *compiler) stmt(s ast.Stmt) {
	switch t := s.(type) {
	case *ast.FunctionDef:
		c.function(s, false)
	case *ast.AsyncFunctionDef:
		c.function(s, true)
	case *ast.ClassDef:
		c.class(t)
	case *ast.TypeAlias:
		c.typeAlias(t)
	case *ast.Return:
		c.returnStmt(t)
	case *ast.Delete:
		for _, e := range t.Targets {
			c.expr(e)
		}
	case *ast.Assign:
		c.expr(t.Value)
		for i, e := range t.Targets {
			if i < len(t.Targets)-1 {
				c.addop(opCOPY, 1, locAt(s.Location()))
			}
			c.expr(e)
		}
	case *ast.AugAssign:
		c.augAssign(t)
	case *ast.AnnAssign:
		c.annAssign(t)
	case *ast.For:
		c.forStmt(t)
	case *ast.AsyncFor:
		c.asyncFor(t)
	case *ast.While:
		c.while(t)
	case *ast.If:
		c.ifStmt(t)
	case *ast.Match:
		c.match(t)
	case *ast.Raise:
		n := int32(0)
		if t.Exc != nil {
			c.expr(t.Exc)
			n++
			if t.Cause != nil {
				c.expr(t.Cause)
				n++
			}
		}
		c.addop(opRAISE_VARARGS, n, locAt(s.Location()))
	case *ast.Try:
		p := tryParts{locAt(s.Location()), t.Body, t.Handlers, t.Orelse, t.Finalbody}
		if len(t.Finalbody) > 0 {
			c.tryFinally(p, false)
		} else {
			c.tryExcept(p)
		}
	case *ast.TryStar:
		p := tryParts{locAt(s.Location()), t.Body, t.Handlers, t.Orelse, t.Finalbody}
		if len(t.Finalbody) > 0 {
			c.tryFinally(p, true)
		} else {
			c.tryStarExcept(p)
		}
	case *ast.Assert:
		c.assert(t)
	case *ast.Import:
		c.importStmt(t)
	case *ast.ImportFrom:
		c.fromImport(t)
	case *ast.Global, *ast.Nonlocal:
	case *ast.ExprStmt:
		c.stmtExpr(locAt(s.Location()), t.Value)
	case *ast.Pass:
		c.addop(opNOP, 0, locAt(s.Location()))
	case *ast.Break:
		c.breakStmt(locAt(s.Location()))
	case *ast.Continue:
		c.continueStmt(locAt(s.Location()))
	case *ast.With:
		c.with(t, 0)
	case *ast.AsyncWith:
		c.asyncWith(t, 0)
	}
}

func (c *compiler) stmtExpr(loc instr.Location, v ast.Expr) {
	if c.interactive && len(c.stack) == 0 {
		c.expr(v)
		c.addop(opCALL_INTRINSIC_1, intrinsicPrint, loc)
		c.addop(opPOP_TOP, 0, noLoc)
		return
	}
	if _, ok := v.(*ast.Constant); ok {
		c.addop(opNOP, 0, loc)
		return
	}
	c.expr(v)
	// addop's fast path inline, for the commonest statement.
	if !c.u.tryAdd(opPOP_TOP, 0, noLoc) {
		c.addopSlow(opPOP_TOP, 0, noLoc)
	}
}

func (c *compiler) ifStmt(s *ast.If) {
	end := c.newLabel()
	next := end
	if len(s.Orelse) > 0 {
		next = c.newLabel()
	}
	c.jumpIf(locAt(s.Location()), s.Test, next, false)
	c.stmts(s.Body)
	if len(s.Orelse) > 0 {
		c.jump(pJUMP_NO_INTERRUPT, end, noLoc)
		c.useLabel(next)
		c.stmts(s.Orelse)
	}
	c.useLabel(end)
}

func (c *compiler) forStmt(s *ast.For) {
	loc := locAt(s.Location())
	start, body, cleanup, end := c.newLabel(), c.newLabel(), c.newLabel(), c.newLabel()
	c.pushFblock(loc, fbForLoop, start, end, fblock{})
	c.expr(s.Iter)
	loc = locAt(s.Iter.Location())
	c.addop(opGET_ITER, 0, loc)
	c.useLabel(start)
	c.jump(opFOR_ITER, cleanup, loc)
	c.addop(opNOP, 0, locAt(s.Target.Location()))
	c.useLabel(body)
	c.expr(s.Target)
	c.stmts(s.Body)
	c.jump(pJUMP, start, noLoc)
	c.useLabel(cleanup)
	c.addop(opEND_FOR, 0, noLoc)
	c.addop(opPOP_TOP, 0, noLoc)
	c.popFblock(fbForLoop)
	c.stmts(s.Orelse)
	c.useLabel(end)
}

func (c *compiler) asyncFor(s *ast.AsyncFor) {
	loc := locAt(s.Location())
	if c.u.scope != scopeAsyncFunction {
		c.errorf(loc, "'async for' outside async function")
	}
	start, except, end := c.newLabel(), c.newLabel(), c.newLabel()
	c.expr(s.Iter)
	c.addop(opGET_AITER, 0, locAt(s.Iter.Location()))
	c.useLabel(start)
	c.pushFblock(loc, fbForLoop, start, end, fblock{})
	c.jump(pSETUP_FINALLY, except, loc)
	c.addop(opGET_ANEXT, 0, loc)
	c.loadConst(loc, pyobj.NoneObj)
	c.addYieldFrom(loc, true)
	c.addop(pPOP_BLOCK, 0, loc)
	c.expr(s.Target)
	c.stmts(s.Body)
	c.jump(pJUMP, start, noLoc)
	c.popFblock(fbForLoop)
	c.useLabel(except)
	c.addop(opEND_ASYNC_FOR, 0, locAt(s.Iter.Location()))
	c.stmts(s.Orelse)
	c.useLabel(end)
}

func (c *compiler) while(s *ast.While) {
	loop, body, end, anchor := c.newLabel(), c.newLabel(), c.newLabel(), c.newLabel()
	c.useLabel(loop)
	c.pushFblock(locAt(s.Location()), fbWhileLoop, loop, end, fblock{})
	c.jumpIf(locAt(s.Location()), s.Test, anchor, false)
	c.useLabel(body)
	c.stmts(s.Body)
	c.jumpIf(locAt(s.Location()), s.Test, body, true)
	c.popFblock(fbWhileLoop)
	c.useLabel(anchor)
	c.stmts(s.Orelse)
	c.useLabel(end)
}

func (c *compiler) returnStmt(s *ast.Return) {
	loc := locAt(s.Location())
	_, isConst := s.Value.(*ast.Constant)
	preserve := s.Value != nil && !isConst
	if !c.u.ste.FunctionLike() {
		c.errorf(loc, "'return' outside function")
	}
	if s.Value != nil && c.u.ste.Coroutine && c.u.ste.Generator {
		c.errorf(loc, "'return' with value in async generator")
	}
	if preserve {
		c.expr(s.Value)
	} else if s.Value != nil {
		loc = locAt(s.Value.Location())
		c.addop(opNOP, 0, loc)
	}
	if s.Value == nil || s.Value.Location().Lineno != s.Lineno {
		loc = locAt(s.Location())
		c.addop(opNOP, 0, loc)
	}
	c.unwindFblockStack(&loc, preserve, false)
	if s.Value == nil {
		c.loadConst(loc, pyobj.NoneObj)
	} else if !preserve {
		c.loadValue(loc, s.Value.(*ast.Constant).Value)
	}
	c.addop(opRETURN_VALUE, 0, loc)
}

func (c *compiler) breakStmt(loc instr.Location) {
	origin := loc
	c.addop(opNOP, 0, loc)
	loop := c.unwindFblockStack(&loc, false, true)
	if loop == nil {
		c.errorf(origin, "'break' outside loop")
	}
	c.unwindFblock(&loc, loop, false)
	c.jump(pJUMP, loop.exit, loc)
}

func (c *compiler) continueStmt(loc instr.Location) {
	origin := loc
	c.addop(opNOP, 0, loc)
	loop := c.unwindFblockStack(&loc, false, true)
	if loop == nil {
		c.errorf(origin, "'continue' not properly in loop")
	}
	c.jump(pJUMP, loop.block, loc)
}

// importAs is compiler_import_as.
func (c *compiler) importAs(loc instr.Location, name, asname string) {
	dot := strings.IndexByte(name, '.')
	if dot >= 0 {
		for {
			pos := dot + 1
			rest := name[pos:]
			next := strings.IndexByte(rest, '.')
			attr := rest
			if next >= 0 {
				attr = rest[:next]
			}
			c.addNameRaw(opIMPORT_FROM, attr, loc)
			if next < 0 {
				break
			}
			dot = pos + next
			c.addop(opSWAP, 2, loc)
			c.addop(opPOP_TOP, 0, loc)
		}
		c.nameop(loc, asname, ast.Store)
		c.addop(opPOP_TOP, 0, loc)
		return
	}
	c.nameop(loc, asname, ast.Store)
}

func (c *compiler) importStmt(s *ast.Import) {
	loc := locAt(s.Location())
	for _, a := range s.Names {
		c.loadConst(loc, c.p.NewInt(0))
		c.loadConst(loc, pyobj.NoneObj)
		c.addName(opIMPORT_NAME, a.Name, loc)
		if a.Asname != "" {
			c.importAs(loc, a.Name, a.Asname)
		} else {
			tmp := a.Name
			if i := strings.IndexByte(tmp, '.'); i >= 0 {
				tmp = tmp[:i]
			}
			c.nameop(loc, tmp, ast.Store)
		}
	}
}

func (c *compiler) fromImport(s *ast.ImportFrom) {
	loc := locAt(s.Location())
	c.loadConst(loc, c.p.NewInt(int64(s.Level)))
	names := make([]*pyobj.Object, len(s.Names))
	for i, a := range s.Names {
		names[i] = c.p.Identifier(a.Name)
	}
	fl := c.future.Loc
	after := s.Lineno > fl.EndLineno || (s.Lineno == fl.EndLineno && s.ColOffset > fl.EndColOffset)
	if after && s.Module == "__future__" && s.Level == 0 {
		c.errorf(loc, "from __future__ imports must occur at the beginning of the file")
	}
	c.loadConst(loc, c.p.NewTuple(names))
	c.addName(opIMPORT_NAME, s.Module, loc)
	for i, a := range s.Names {
		if i == 0 && strings.HasPrefix(a.Name, "*") {
			c.addop(opCALL_INTRINSIC_1, intrinsicImportStar, loc)
			c.addop(opPOP_TOP, 0, noLoc)
			return
		}
		c.addName(opIMPORT_FROM, a.Name, loc)
		store := a.Name
		if a.Asname != "" {
			store = a.Asname
		}
		c.nameop(loc, store, ast.Store)
	}
	c.addop(opPOP_TOP, 0, loc)
}

func (c *compiler) assert(s *ast.Assert) {
	always := false
	switch t := s.Test.(type) {
	case *ast.Tuple:
		always = len(t.Elts) > 0
	case *ast.Constant:
		always = t.Value.Kind() == ast.TupleKind && len(t.Value.Elems()) > 0
	}
	if always {
		c.warn(locAt(s.Location()), "assertion is always true, perhaps remove parentheses?")
	}
	if c.cfg.Optimize > 0 {
		return
	}
	end := c.newLabel()
	c.jumpIf(locAt(s.Location()), s.Test, end, true)
	c.addop(opLOAD_ASSERTION_ERROR, 0, locAt(s.Location()))
	if s.Msg != nil {
		c.expr(s.Msg)
		c.addop(opCALL, 0, locAt(s.Location()))
	}
	c.addop(opRAISE_VARARGS, 1, locAt(s.Test.Location()))
	c.useLabel(end)
}
