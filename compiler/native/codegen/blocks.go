package codegen

import (
	"github.com/rules-pyc/rules_pyc/compiler/native/instr"
	"github.com/rules-pyc/rules_pyc/compiler/native/pyobj"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
)

// pushFblock is compiler_push_fblock; extra carries the datum.
func (c *compiler) pushFblock(loc instr.Location, t fblockType, block, exit instr.Label, extra fblock) {
	if len(c.u.fblocks) >= maxBlocks {
		c.errorf(loc, "too many statically nested blocks")
	}
	extra.typ, extra.block, extra.exit, extra.loc = t, block, exit, loc
	c.u.fblocks = append(c.u.fblocks, extra)
	if t == fbFinallyEnd && c.v313_warnFinally {
		c.disableWarning++
	}
}

func (c *compiler) popFblock(t fblockType) {
	n := len(c.u.fblocks)
	c.u.fblocks = c.u.fblocks[:n-1]
	if t == fbFinallyEnd && c.v313_warnFinally {
		c.disableWarning--
	}
}

func (c *compiler) callExitWithNones(loc instr.Location) {
	c.loadConst(loc, pyobj.NoneObj)
	c.loadConst(loc, pyobj.NoneObj)
	c.loadConst(loc, pyobj.NoneObj)
	c.addop(opCALL, 2, loc)
}

// addYieldFrom is compiler_add_yield_from.
func (c *compiler) addYieldFrom(loc instr.Location, await bool) {
	send, fail, exit := c.newLabel(), c.newLabel(), c.newLabel()
	c.useLabel(send)
	c.jump(opSEND, exit, loc)
	c.jump(pSETUP_FINALLY, fail, loc)
	c.addop(opYIELD_VALUE, 1, loc)
	c.addop(pPOP_BLOCK, 0, noLoc)
	r := int32(resumeAfterYieldFrom)
	if await {
		r = resumeAfterAwait
	}
	c.addop(opRESUME, r, loc)
	c.jump(pJUMP_NO_INTERRUPT, send, loc)
	c.useLabel(fail)
	c.addop(opCLEANUP_THROW, 0, loc)
	c.useLabel(exit)
	c.addop(opEND_SEND, 0, loc)
}

func (c *compiler) popExceptAndReraise(loc instr.Location) {
	c.addop(opCOPY, 3, loc)
	c.addop(opPOP_EXCEPT, 0, loc)
	c.addop(opRERAISE, 1, loc)
}

// unwindFblock is compiler_unwind_fblock.
func (c *compiler) unwindFblock(loc *instr.Location, info *fblock, preserveTOS bool) {
	switch info.typ {
	case fbWhileLoop, fbExceptionHandler, fbExceptionGroupHandler, fbAsyncComprehensionGenerator, fbStopIteration, fbInlinedComprehension:
	case fbForLoop:
		if preserveTOS {
			c.addop(opSWAP, 2, *loc)
		}
		c.addop(opPOP_TOP, 0, *loc)
	case fbTryExcept:
		c.addop(pPOP_BLOCK, 0, *loc)
	case fbFinallyTry:
		c.addop(pPOP_BLOCK, 0, *loc)
		if preserveTOS {
			c.pushFblock(*loc, fbPopValue, instr.NoLabel, instr.NoLabel, fblock{})
		}
		c.stmts(info.body)
		if preserveTOS {
			c.popFblock(fbPopValue)
		}
		*loc = noLoc
	case fbFinallyEnd:
		if preserveTOS {
			c.addop(opSWAP, 2, *loc)
		}
		c.addop(opPOP_TOP, 0, *loc)
		if preserveTOS {
			c.addop(opSWAP, 2, *loc)
		}
		c.addop(pPOP_BLOCK, 0, *loc)
		c.addop(opPOP_EXCEPT, 0, *loc)
	case fbWith, fbAsyncWith:
		*loc = info.loc
		c.addop(pPOP_BLOCK, 0, *loc)
		if preserveTOS {
			c.addop(opSWAP, 2, *loc)
		}
		c.callExitWithNones(*loc)
		if info.typ == fbAsyncWith {
			c.addop(opGET_AWAITABLE, 2, *loc)
			c.loadConst(*loc, pyobj.NoneObj)
			c.addYieldFrom(*loc, true)
		}
		c.addop(opPOP_TOP, 0, *loc)
		*loc = noLoc
	case fbHandlerCleanup:
		if info.hasVar {
			c.addop(pPOP_BLOCK, 0, *loc)
		}
		if preserveTOS {
			c.addop(opSWAP, 2, *loc)
		}
		c.addop(pPOP_BLOCK, 0, *loc)
		c.addop(opPOP_EXCEPT, 0, *loc)
		if info.hasVar {
			c.loadConst(*loc, pyobj.NoneObj)
			c.nameop(*loc, info.name, ast.Store)
			c.nameop(*loc, info.name, ast.Del)
		}
	case fbPopValue:
		if preserveTOS {
			c.addop(opSWAP, 2, *loc)
		}
		c.addop(opPOP_TOP, 0, *loc)
	}
}

// unwindFblockStack is compiler_unwind_fblock_stack; with wantLoop it
// stops at the innermost loop and returns it (nil: no loop).
func (c *compiler) unwindFblockStack(loc *instr.Location, preserveTOS, wantLoop bool) *fblock {
	n := len(c.u.fblocks)
	if n == 0 {
		return nil
	}
	top := c.u.fblocks[n-1]
	if top.typ == fbExceptionGroupHandler {
		c.errorf(*loc, "'break', 'continue' and 'return' cannot appear in an except* block")
	}
	if wantLoop && (top.typ == fbWhileLoop || top.typ == fbForLoop) {
		t := top
		return &t
	}
	c.u.fblocks = c.u.fblocks[:n-1]
	c.unwindFblock(loc, &top, preserveTOS)
	loop := c.unwindFblockStack(loc, preserveTOS, wantLoop)
	c.u.fblocks = append(c.u.fblocks[:n-1], top)
	return loop
}

// tryParts are the fields Try and TryStar share.
type tryParts struct {
	loc       instr.Location
	body      []ast.Stmt
	handlers  []*ast.ExceptHandler
	orelse    []ast.Stmt
	finalbody []ast.Stmt
}

// tryFinally is compiler_try_finally and compiler_try_star_finally.
func (c *compiler) tryFinally(s tryParts, star bool) {
	loc := s.loc
	body, end, exit, cleanup := c.newLabel(), c.newLabel(), c.newLabel(), c.newLabel()
	c.jump(pSETUP_FINALLY, end, loc)
	c.useLabel(body)
	c.pushFblock(loc, fbFinallyTry, body, end, fblock{body: s.finalbody})
	if len(s.handlers) > 0 {
		if star {
			c.tryStarExcept(s)
		} else {
			c.tryExcept(s)
		}
	} else {
		c.stmts(s.body)
	}
	c.addop(pPOP_BLOCK, 0, noLoc)
	c.popFblock(fbFinallyTry)
	c.stmts(s.finalbody)
	c.jump(pJUMP_NO_INTERRUPT, exit, noLoc)
	c.useLabel(end)
	c.jump(pSETUP_CLEANUP, cleanup, noLoc)
	c.addop(opPUSH_EXC_INFO, 0, noLoc)
	c.pushFblock(noLoc, fbFinallyEnd, end, instr.NoLabel, fblock{})
	c.stmts(s.finalbody)
	c.popFblock(fbFinallyEnd)
	c.addop(opRERAISE, 0, noLoc)
	c.useLabel(cleanup)
	c.popExceptAndReraise(noLoc)
	c.useLabel(exit)
}

// tryExcept is compiler_try_except.
func (c *compiler) tryExcept(s tryParts) {
	loc := s.loc
	body, except, end, cleanup := c.newLabel(), c.newLabel(), c.newLabel(), c.newLabel()
	c.jump(pSETUP_FINALLY, except, loc)
	c.useLabel(body)
	c.pushFblock(loc, fbTryExcept, body, instr.NoLabel, fblock{})
	c.stmts(s.body)
	c.popFblock(fbTryExcept)
	c.addop(pPOP_BLOCK, 0, noLoc)
	c.stmts(s.orelse)
	c.jump(pJUMP_NO_INTERRUPT, end, noLoc)
	n := len(s.handlers)
	c.useLabel(except)
	c.jump(pSETUP_CLEANUP, cleanup, noLoc)
	c.addop(opPUSH_EXC_INFO, 0, noLoc)
	c.pushFblock(loc, fbExceptionHandler, instr.NoLabel, instr.NoLabel, fblock{})
	for i, h := range s.handlers {
		hloc := locAt(h.Location())
		if h.Type == nil && i < n-1 {
			c.errorf(hloc, "default 'except:' must be last")
		}
		except = c.newLabel()
		if h.Type != nil {
			c.expr(h.Type)
			c.addop(opCHECK_EXC_MATCH, 0, hloc)
			c.jump(opPOP_JUMP_IF_FALSE, except, hloc)
		}
		if h.Name != "" {
			cleanupEnd, cleanupBody := c.newLabel(), c.newLabel()
			c.nameop(hloc, h.Name, ast.Store)
			c.jump(pSETUP_CLEANUP, cleanupEnd, hloc)
			c.useLabel(cleanupBody)
			c.pushFblock(hloc, fbHandlerCleanup, cleanupBody, instr.NoLabel, fblock{name: h.Name, hasVar: true})
			c.stmts(h.Body)
			c.popFblock(fbHandlerCleanup)
			c.addop(pPOP_BLOCK, 0, noLoc)
			c.addop(pPOP_BLOCK, 0, noLoc)
			c.addop(opPOP_EXCEPT, 0, noLoc)
			c.loadConst(noLoc, pyobj.NoneObj)
			c.nameop(noLoc, h.Name, ast.Store)
			c.nameop(noLoc, h.Name, ast.Del)
			c.jump(pJUMP_NO_INTERRUPT, end, noLoc)
			c.useLabel(cleanupEnd)
			c.loadConst(noLoc, pyobj.NoneObj)
			c.nameop(noLoc, h.Name, ast.Store)
			c.nameop(noLoc, h.Name, ast.Del)
			c.addop(opRERAISE, 1, noLoc)
		} else {
			cleanupBody := c.newLabel()
			c.addop(opPOP_TOP, 0, hloc)
			c.useLabel(cleanupBody)
			c.pushFblock(hloc, fbHandlerCleanup, cleanupBody, instr.NoLabel, fblock{})
			c.stmts(h.Body)
			c.popFblock(fbHandlerCleanup)
			c.addop(pPOP_BLOCK, 0, noLoc)
			c.addop(opPOP_EXCEPT, 0, noLoc)
			c.jump(pJUMP_NO_INTERRUPT, end, noLoc)
		}
		c.useLabel(except)
	}
	c.popFblock(fbExceptionHandler)
	c.addop(opRERAISE, 0, noLoc)
	c.useLabel(cleanup)
	c.popExceptAndReraise(noLoc)
	c.useLabel(end)
}

// tryStarExcept is compiler_try_star_except.
func (c *compiler) tryStarExcept(s tryParts) {
	loc := s.loc
	body, except, orelse, end, cleanup, reraiseStar := c.newLabel(), c.newLabel(), c.newLabel(), c.newLabel(), c.newLabel(), c.newLabel()
	c.jump(pSETUP_FINALLY, except, loc)
	c.useLabel(body)
	c.pushFblock(loc, fbTryExcept, body, instr.NoLabel, fblock{})
	c.stmts(s.body)
	c.popFblock(fbTryExcept)
	c.addop(pPOP_BLOCK, 0, noLoc)
	c.jump(pJUMP_NO_INTERRUPT, orelse, noLoc)
	n := len(s.handlers)
	c.useLabel(except)
	c.jump(pSETUP_CLEANUP, cleanup, noLoc)
	c.addop(opPUSH_EXC_INFO, 0, noLoc)
	c.pushFblock(loc, fbExceptionGroupHandler, instr.NoLabel, instr.NoLabel, fblock{})
	for i, h := range s.handlers {
		hloc := locAt(h.Location())
		except = c.newLabel()
		exceptWithError := c.newLabel()
		noMatch := c.newLabel()
		if i == 0 {
			c.addop(opBUILD_LIST, 0, hloc)
			c.addop(opCOPY, 2, hloc)
		}
		if h.Type != nil {
			c.expr(h.Type)
			c.addop(opCHECK_EG_MATCH, 0, hloc)
			c.addop(opCOPY, 1, hloc)
			c.jump(opPOP_JUMP_IF_NONE, noMatch, hloc)
		}
		cleanupEnd, cleanupBody := c.newLabel(), c.newLabel()
		if h.Name != "" {
			c.nameop(hloc, h.Name, ast.Store)
		} else {
			c.addop(opPOP_TOP, 0, hloc)
		}
		c.jump(pSETUP_CLEANUP, cleanupEnd, hloc)
		c.useLabel(cleanupBody)
		c.pushFblock(hloc, fbHandlerCleanup, cleanupBody, instr.NoLabel, fblock{name: h.Name, hasVar: h.Name != ""})
		c.stmts(h.Body)
		c.popFblock(fbHandlerCleanup)
		c.addop(pPOP_BLOCK, 0, noLoc)
		if h.Name != "" {
			c.loadConst(noLoc, pyobj.NoneObj)
			c.nameop(noLoc, h.Name, ast.Store)
			c.nameop(noLoc, h.Name, ast.Del)
		}
		c.jump(pJUMP_NO_INTERRUPT, except, noLoc)
		c.useLabel(cleanupEnd)
		if h.Name != "" {
			c.loadConst(noLoc, pyobj.NoneObj)
			c.nameop(noLoc, h.Name, ast.Store)
			c.nameop(noLoc, h.Name, ast.Del)
		}
		c.addop(opLIST_APPEND, 3, noLoc)
		c.addop(opPOP_TOP, 0, noLoc)
		c.jump(pJUMP_NO_INTERRUPT, exceptWithError, noLoc)
		c.useLabel(except)
		c.addop(opNOP, 0, noLoc)
		c.jump(pJUMP_NO_INTERRUPT, exceptWithError, noLoc)
		c.useLabel(noMatch)
		c.addop(opPOP_TOP, 0, hloc)
		c.useLabel(exceptWithError)
		if i == n-1 {
			c.addop(opLIST_APPEND, 1, noLoc)
			c.jump(pJUMP_NO_INTERRUPT, reraiseStar, noLoc)
		}
	}
	c.popFblock(fbExceptionGroupHandler)
	reraise := c.newLabel()
	c.useLabel(reraiseStar)
	c.addop(opCALL_INTRINSIC_2, intrinsic2PrepReraiseStar, noLoc)
	c.addop(opCOPY, 1, noLoc)
	c.jump(opPOP_JUMP_IF_NOT_NONE, reraise, noLoc)
	c.addop(opPOP_TOP, 0, noLoc)
	c.addop(pPOP_BLOCK, 0, noLoc)
	c.addop(opPOP_EXCEPT, 0, noLoc)
	c.jump(pJUMP_NO_INTERRUPT, end, noLoc)
	c.useLabel(reraise)
	c.addop(pPOP_BLOCK, 0, noLoc)
	c.addop(opSWAP, 2, noLoc)
	c.addop(opPOP_EXCEPT, 0, noLoc)
	c.addop(opRERAISE, 0, noLoc)
	c.useLabel(cleanup)
	c.popExceptAndReraise(noLoc)
	c.useLabel(orelse)
	c.stmts(s.orelse)
	c.useLabel(end)
}
