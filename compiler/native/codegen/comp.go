package codegen

import (
	"github.com/rules-pyc/rules_pyc/compiler/native/instr"
	"github.com/rules-pyc/rules_pyc/compiler/native/pyobj"
	"github.com/rules-pyc/rules_pyc/compiler/native/symtable"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
)

type compType uint8

const (
	compGenExp compType = iota
	compListComp
	compSetComp
	compDictComp
)

// compGenerator is compiler_comprehension_generator.
func (c *compiler) compGenerator(loc instr.Location, gens []*ast.Comprehension, i, depth int, elt, val ast.Expr, typ compType, iterOnStack bool) {
	if gens[i].IsAsync != 0 {
		c.asyncCompGenerator(loc, gens, i, depth, elt, val, typ, iterOnStack)
	} else {
		c.syncCompGenerator(loc, gens, i, depth, elt, val, typ, iterOnStack)
	}
}

func (c *compiler) compElement(elt, val ast.Expr, typ compType, depth int) instr.Location {
	eltLoc := locAt(elt.Location())
	switch typ {
	case compGenExp:
		c.expr(elt)
		c.addYield(eltLoc)
		c.addop(opPOP_TOP, 0, eltLoc)
	case compListComp:
		c.expr(elt)
		c.addop(opLIST_APPEND, int32(depth+1), eltLoc)
	case compSetComp:
		c.expr(elt)
		c.addop(opSET_ADD, int32(depth+1), eltLoc)
	case compDictComp:
		c.expr(elt)
		c.expr(val)
		el, vl := elt.Location(), val.Location()
		eltLoc = instr.Location{Line: int32(el.Lineno), EndLine: int32(vl.EndLineno), Col: int32(el.ColOffset), EndCol: int32(vl.EndColOffset)}
		c.addop(opMAP_ADD, int32(depth+1), eltLoc)
	}
	return eltLoc
}

// syncCompGenerator is compiler_sync_comprehension_generator.
func (c *compiler) syncCompGenerator(loc instr.Location, gens []*ast.Comprehension, i, depth int, elt, val ast.Expr, typ compType, iterOnStack bool) {
	start, ifCleanup, anchor := c.newLabel(), c.newLabel(), c.newLabel()
	hasStart := true
	gen := gens[i]
	iterLoc := locAt(gen.Iter.Location())
	if !iterOnStack {
		if i == 0 {
			c.u.argcount = 1
			c.addop(opLOAD_FAST, 0, loc)
		} else {
			var elts []ast.Expr
			switch t := gen.Iter.(type) {
			case *ast.List:
				elts = t.Elts
			case *ast.Tuple:
				elts = t.Elts
			}
			if len(elts) == 1 {
				if _, ok := elts[0].(*ast.Starred); !ok {
					c.expr(elts[0])
					hasStart = false
				}
			}
			if hasStart {
				c.expr(gen.Iter)
				c.addop(opGET_ITER, 0, iterLoc)
			}
		}
	}
	if hasStart {
		depth++
		if c.v313_1 {
			c.addop(opGET_ITER, 0, iterLoc)
		}
		c.useLabel(start)
		c.jump(opFOR_ITER, anchor, iterLoc)
	}
	c.expr(gen.Target)
	for _, e := range gen.Ifs {
		c.jumpIf(loc, e, ifCleanup, false)
	}
	i++
	if i < len(gens) {
		c.compGenerator(loc, gens, i, depth, elt, val, typ, false)
	}
	eltLoc := locAt(elt.Location())
	if i >= len(gens) {
		eltLoc = c.compElement(elt, val, typ, depth)
	}
	c.useLabel(ifCleanup)
	if hasStart {
		c.jump(pJUMP, start, eltLoc)
		c.useLabel(anchor)
		c.addop(opEND_FOR, 0, noLoc)
		c.addop(opPOP_TOP, 0, noLoc)
	}
}

// asyncCompGenerator is compiler_async_comprehension_generator.
func (c *compiler) asyncCompGenerator(loc instr.Location, gens []*ast.Comprehension, i, depth int, elt, val ast.Expr, typ compType, iterOnStack bool) {
	start, except, ifCleanup := c.newLabel(), c.newLabel(), c.newLabel()
	gen := gens[i]
	if !iterOnStack {
		if i == 0 {
			c.u.argcount = 1
			c.addop(opLOAD_FAST, 0, loc)
		} else {
			c.expr(gen.Iter)
			c.addop(opGET_AITER, 0, locAt(gen.Iter.Location()))
		}
	}
	c.useLabel(start)
	c.pushFblock(loc, fbAsyncComprehensionGenerator, start, instr.NoLabel, fblock{})
	c.jump(pSETUP_FINALLY, except, loc)
	c.addop(opGET_ANEXT, 0, loc)
	c.loadConst(loc, pyobj.NoneObj)
	c.addYieldFrom(loc, true)
	c.addop(pPOP_BLOCK, 0, loc)
	c.expr(gen.Target)
	for _, e := range gen.Ifs {
		c.jumpIf(loc, e, ifCleanup, false)
	}
	depth++
	i++
	if i < len(gens) {
		c.compGenerator(loc, gens, i, depth, elt, val, typ, false)
	}
	eltLoc := locAt(elt.Location())
	if i >= len(gens) {
		eltLoc = c.compElement(elt, val, typ, depth)
	}
	c.useLabel(ifCleanup)
	c.jump(pJUMP, start, eltLoc)
	c.popFblock(fbAsyncComprehensionGenerator)
	c.useLabel(except)
	c.addop(opEND_ASYNC_FOR, 0, loc)
}

type inlinedState struct {
	pushedLocals []string
	tempSymbols  []symtable.Symbol
	fastHidden   []string
	cleanup, end instr.Label
}

// pushInlinedState is push_inlined_comprehension_state.
func (c *compiler) pushInlinedState(loc instr.Location, entry *symtable.Block) *inlinedState {
	u := c.u
	st := c.newInlinedState()
	inClass := u.ste.Type == symtable.ClassBlock && u.inInlinedComp == 0
	u.inInlinedComp++
	syms := entry.Symbols.List()
	// The list may not change while it is walked: entry is another block.
	for _, sym := range syms {
		k, symbol := sym.Name, sym.Flags
		scope := symbol.Scope()
		outv := u.ste.Lookup(k)
		outsc := outv.Scope()
		if (scope != outsc && scope != symtable.Free && !(scope == symtable.Cell && outsc == symtable.Free)) || inClass {
			n := u.ste.Symbols.Len()
			u.ste.Symbols.Set(k, symbol)
			if u.ste.Symbols.Len() > n {
				// A new symbol of the block: a name kept apart
				// is found by its position from now on.
				u.names.adopt(n, k)
				u.varnames.adopt(n, k)
			}
			st.tempSymbols = append(st.tempSymbols, symtable.Symbol{Name: k, Flags: outv})
		}
		if (symbol&symtable.DefLocal != 0 && symbol&symtable.DefNonlocal == 0) || inClass {
			if !u.ste.FunctionLike() {
				if !u.fasthidden[k] {
					if u.fasthidden == nil {
						u.fasthidden = map[string]bool{}
					}
					u.fasthidden[k] = true
					st.fastHidden = append(st.fastHidden, k)
				}
			}
			c.addop(opLOAD_FAST_AND_CLEAR, u.varnames.index(c, c.mangle(k)), loc)
			if scope == symtable.Cell {
				if outsc == symtable.Free {
					c.addop(opMAKE_CELL, u.addFree(c.mangle(k)), loc)
				} else {
					c.addop(opMAKE_CELL, u.addCell(c.mangle(k)), loc)
				}
			}
			st.pushedLocals = append(st.pushedLocals, k)
		}
	}
	if len(st.pushedLocals) > 0 {
		if c.v313_16 {
			c.pushFblock(loc, fbInlinedComprehension, instr.NoLabel, instr.NoLabel, fblock{})
		}
		c.addop(opSWAP, int32(len(st.pushedLocals)+1), loc)
		st.cleanup = c.newLabel()
		st.end = c.newLabel()
		c.jump(pSETUP_FINALLY, st.cleanup, loc)
	}
	return st
}

func (c *compiler) restoreInlinedLocals(loc instr.Location, st *inlinedState) {
	n := len(st.pushedLocals)
	c.addop(opSWAP, int32(n+1), loc)
	for i := n - 1; i >= 0; i-- {
		c.addop(pSTORE_FAST_MAYBE_NULL, c.u.varnames.index(c, c.mangle(st.pushedLocals[i])), loc)
	}
}

// popInlinedState is pop_inlined_comprehension_state.
func (c *compiler) popInlinedState(loc instr.Location, st *inlinedState) {
	u := c.u
	u.inInlinedComp--
	for _, s := range st.tempSymbols {
		u.ste.Symbols.Set(s.Name, s.Flags)
	}
	if len(st.pushedLocals) > 0 {
		if c.v313_16 {
			c.popFblock(fbInlinedComprehension)
		}
		c.addop(pPOP_BLOCK, 0, noLoc)
		c.jump(pJUMP_NO_INTERRUPT, st.end, noLoc)
		c.useLabel(st.cleanup)
		c.addop(opSWAP, 2, noLoc)
		c.addop(opPOP_TOP, 0, noLoc)
		c.restoreInlinedLocals(loc, st)
		c.addop(opRERAISE, 0, noLoc)
		c.useLabel(st.end)
		c.restoreInlinedLocals(loc, st)
	}
	for _, k := range st.fastHidden {
		u.fasthidden[k] = false
	}
	// Nothing refers to st any more: its lists serve the next one.
	c.freeInlined = append(c.freeInlined, st)
}

// newInlinedState returns an empty inlinedState, with the lists of a
// finished one if there is one.
func (c *compiler) newInlinedState() *inlinedState {
	n := len(c.freeInlined)
	if n == 0 {
		return &inlinedState{cleanup: instr.NoLabel, end: instr.NoLabel}
	}
	st := c.freeInlined[n-1]
	c.freeInlined = c.freeInlined[:n-1]
	clear(st.tempSymbols)
	*st = inlinedState{
		pushedLocals: st.pushedLocals[:0], tempSymbols: st.tempSymbols[:0], fastHidden: st.fastHidden[:0],
		cleanup: instr.NoLabel, end: instr.NoLabel,
	}
	return st
}

func (c *compiler) compIter(comp *ast.Comprehension) {
	c.expr(comp.Iter)
	if comp.IsAsync != 0 {
		c.addop(opGET_AITER, 0, locAt(comp.Iter.Location()))
	} else {
		c.addop(opGET_ITER, 0, locAt(comp.Iter.Location()))
	}
}

// comprehension is compiler_comprehension.
func (c *compiler) comprehension(e ast.Expr, typ compType, name string, gens []*ast.Comprehension, elt, val ast.Expr) {
	scopeType := c.u.scope
	entry := c.st.Block(e)
	if entry == nil {
		c.fail(errorf("no symbol table block for %s", name))
	}
	inlined := entry.CompInlined
	asyncGen := entry.Coroutine
	loc := locAt(e.Location())
	outermost := gens[0]
	var st *inlinedState
	if inlined {
		c.compIter(outermost)
		st = c.pushInlinedState(loc, entry)
	} else {
		c.enterScope(name, scopeComprehension, entry, e.Location().Lineno)
	}
	if asyncGen && typ != compGenExp && scopeType != scopeAsyncFunction && scopeType != scopeComprehension {
		c.errorf(loc, "asynchronous comprehension outside of an asynchronous function")
	}
	if typ != compGenExp {
		op := opBUILD_LIST
		switch typ {
		case compSetComp:
			op = opBUILD_SET
		case compDictComp:
			op = opBUILD_MAP
		}
		c.addop(op, 0, loc)
		if inlined {
			c.addop(opSWAP, 2, loc)
		}
	}
	c.compGenerator(loc, gens, 0, 0, elt, val, typ, inlined)
	if inlined {
		c.popInlinedState(loc, st)
		return
	}
	if typ != compGenExp {
		c.addop(opRETURN_VALUE, 0, loc)
	} else {
		c.wrapInStopIterationHandler()
	}
	child := c.finishUnit(true)
	c.makeClosure(loc, child, 0)
	c.compIter(outermost)
	c.addop(opCALL, 0, loc)
	if asyncGen && typ != compGenExp {
		c.addop(opGET_AWAITABLE, 0, loc)
		c.loadConst(loc, pyobj.NoneObj)
		c.addYieldFrom(loc, true)
	}
}

// withExceptFinish is compiler_with_except_finish.
func (c *compiler) withExceptFinish(cleanup instr.Label) {
	suppress := c.newLabel()
	c.addop(opTO_BOOL, 0, noLoc)
	c.jump(opPOP_JUMP_IF_TRUE, suppress, noLoc)
	c.addop(opRERAISE, 2, noLoc)
	c.useLabel(suppress)
	c.addop(opPOP_TOP, 0, noLoc)
	c.addop(pPOP_BLOCK, 0, noLoc)
	c.addop(opPOP_EXCEPT, 0, noLoc)
	c.addop(opPOP_TOP, 0, noLoc)
	c.addop(opPOP_TOP, 0, noLoc)
	exit := c.newLabel()
	c.jump(pJUMP_NO_INTERRUPT, exit, noLoc)
	c.useLabel(cleanup)
	c.popExceptAndReraise(noLoc)
	c.useLabel(exit)
}

// asyncWith is compiler_async_with.
func (c *compiler) asyncWith(s *ast.AsyncWith, pos int) {
	loc := locAt(s.Location())
	item := s.Items[pos]
	if c.u.scope != scopeAsyncFunction {
		c.errorf(loc, "'async with' outside async function")
	}
	block, final, exit, cleanup := c.newLabel(), c.newLabel(), c.newLabel(), c.newLabel()
	c.expr(item.ContextExpr)
	loc = locAt(item.ContextExpr.Location())
	c.addop(opBEFORE_ASYNC_WITH, 0, loc)
	c.addop(opGET_AWAITABLE, 1, loc)
	c.loadConst(loc, pyobj.NoneObj)
	c.addYieldFrom(loc, true)
	c.jump(pSETUP_WITH, final, loc)
	c.useLabel(block)
	c.pushFblock(loc, fbAsyncWith, block, final, fblock{})
	if item.OptionalVars != nil {
		c.expr(item.OptionalVars)
	} else {
		c.addop(opPOP_TOP, 0, loc)
	}
	pos++
	if pos == len(s.Items) {
		c.stmts(s.Body)
	} else {
		c.asyncWith(s, pos)
	}
	c.popFblock(fbAsyncWith)
	c.addop(pPOP_BLOCK, 0, loc)
	c.callExitWithNones(loc)
	c.addop(opGET_AWAITABLE, 2, loc)
	c.loadConst(loc, pyobj.NoneObj)
	c.addYieldFrom(loc, true)
	c.addop(opPOP_TOP, 0, loc)
	c.jump(pJUMP, exit, loc)
	c.useLabel(final)
	c.jump(pSETUP_CLEANUP, cleanup, loc)
	c.addop(opPUSH_EXC_INFO, 0, loc)
	c.addop(opWITH_EXCEPT_START, 0, loc)
	c.addop(opGET_AWAITABLE, 2, loc)
	c.loadConst(loc, pyobj.NoneObj)
	c.addYieldFrom(loc, true)
	c.withExceptFinish(cleanup)
	c.useLabel(exit)
}

// with is compiler_with.
func (c *compiler) with(s *ast.With, pos int) {
	item := s.Items[pos]
	block, final, exit, cleanup := c.newLabel(), c.newLabel(), c.newLabel(), c.newLabel()
	c.expr(item.ContextExpr)
	loc := locAt(item.ContextExpr.Location())
	c.addop(opBEFORE_WITH, 0, loc)
	c.jump(pSETUP_WITH, final, loc)
	c.useLabel(block)
	c.pushFblock(loc, fbWith, block, final, fblock{})
	if item.OptionalVars != nil {
		c.expr(item.OptionalVars)
	} else {
		c.addop(opPOP_TOP, 0, loc)
	}
	pos++
	if pos == len(s.Items) {
		c.stmts(s.Body)
	} else {
		c.with(s, pos)
	}
	c.addop(pPOP_BLOCK, 0, noLoc)
	c.popFblock(fbWith)
	c.callExitWithNones(loc)
	c.addop(opPOP_TOP, 0, loc)
	c.jump(pJUMP, exit, loc)
	c.useLabel(final)
	c.jump(pSETUP_CLEANUP, cleanup, loc)
	c.addop(opPUSH_EXC_INFO, 0, loc)
	c.addop(opWITH_EXCEPT_START, 0, loc)
	c.withExceptFinish(cleanup)
	c.useLabel(exit)
}
