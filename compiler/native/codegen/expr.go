package codegen

import (
	"github.com/rules-pyc/rules_pyc/compiler/native/instr"
	"github.com/rules-pyc/rules_pyc/compiler/native/opcode"
	"github.com/rules-pyc/rules_pyc/compiler/native/pyobj"
	"github.com/rules-pyc/rules_pyc/compiler/native/symtable"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
)

// stackUseGuideline is STACK_USE_GUIDELINE.
const stackUseGuideline = 30

// nameop is compiler_nameop.
func (c *compiler) nameop(loc instr.Location, name string, ctx ast.ExprContext) {
	c.nameopAt(loc, name, ctx, -1)
}

// nameopAt is nameop for a name whose symbol may be at position hint in the
// current block (an ast.Name's SymbolAt).
func (c *compiler) nameopAt(loc instr.Location, name string, ctx ast.ExprContext, hint int32) {
	c.forbiddenName(loc, name, ctx)
	u := c.u
	mangled := symtable.MaybeMangle(c.u.private, c.u.ste, name) // c.mangle, inlined
	const (
		opFast = iota
		opGlobal
		opDeref
		opName
	)
	optype := opName
	// The symbol at hint, if it is this name's, spares a search.
	var scope symtable.Scope
	at := int(hint)
	if syms := u.ste.Symbols.List(); uint(at) < uint(len(syms)) && symtable.SameName(syms[at].Name, mangled) {
		scope = syms[at].Flags.Scope()
	} else {
		scope, at = u.ste.ScopeAt(mangled)
	}
	isFree := false
	switch scope {
	case symtable.Free:
		optype, isFree = opDeref, true
	case symtable.Cell:
		optype = opDeref
	case symtable.Local:
		if u.ste.FunctionLike() || u.fasthidden[mangled] {
			optype = opFast
		}
	case symtable.GlobalImplicit:
		if u.ste.FunctionLike() {
			optype = opGlobal
		}
	case symtable.GlobalExplicit:
		optype = opGlobal
	}
	var op opcode.Op
	switch optype {
	case opDeref:
		switch ctx {
		case ast.Load:
			if u.ste.Type == symtable.ClassBlock && u.inInlinedComp == 0 {
				op = opLOAD_FROM_DICT_OR_DEREF
				c.addop(opLOAD_LOCALS, 0, loc)
			} else if u.ste.CanSeeClassScope {
				op = opLOAD_FROM_DICT_OR_DEREF
				c.addop(opLOAD_DEREF, u.addFree("__classdict__"), loc)
			} else {
				op = opLOAD_DEREF
			}
		case ast.Store:
			op = opSTORE_DEREF
		default:
			op = opDELETE_DEREF
		}
		var arg int32
		if isFree {
			arg = u.addFree(mangled)
		} else {
			arg = u.addCell(mangled)
		}
		if !u.tryAdd(op, arg, loc) {
			c.addopSlow(op, arg, loc)
		}
		return
	case opFast:
		switch ctx {
		case ast.Load:
			op = opLOAD_FAST
		case ast.Store:
			op = opSTORE_FAST
		default:
			op = opDELETE_FAST
		}
		// A local is a symbol of the block (at >= 0).
		if arg := u.varnames.symbol(c, at); !u.tryAdd(op, arg, loc) {
			c.addopSlow(op, arg, loc)
		}
		return
	case opGlobal:
		switch ctx {
		case ast.Load:
			if u.ste.CanSeeClassScope && scope == symtable.GlobalImplicit {
				op = opLOAD_FROM_DICT_OR_GLOBALS
				c.addop(opLOAD_DEREF, u.addFree("__classdict__"), loc)
			} else {
				op = opLOAD_GLOBAL
			}
		case ast.Store:
			op = opSTORE_GLOBAL
		default:
			op = opDELETE_GLOBAL
		}
	case opName:
		switch ctx {
		case ast.Load:
			if u.ste.Type == symtable.ClassBlock && u.inInlinedComp > 0 {
				op = opLOAD_GLOBAL
			} else {
				op = opLOAD_NAME
			}
		case ast.Store:
			op = opSTORE_NAME
		default:
			op = opDELETE_NAME
		}
	}
	var arg int32
	if at >= 0 {
		arg = u.names.symbol(c, at)
	} else {
		arg = u.names.nonSymbol(c, mangled)
	}
	if op == opLOAD_GLOBAL {
		arg <<= 1
	}
	if !u.tryAdd(op, arg, loc) {
		c.addopSlow(op, arg, loc)
	}
}

var binaryOps = [...]int32{ast.Add: 0, ast.BitAnd: 1, ast.FloorDiv: 2, ast.LShift: 3, ast.MatMult: 4,
	ast.Mult: 5, ast.Mod: 6, ast.BitOr: 7, ast.Pow: 8, ast.RShift: 9, ast.Sub: 10, ast.Div: 11, ast.BitXor: 12}

func (c *compiler) binary(loc instr.Location, op ast.Operator, inplace bool) {
	arg := binaryOps[op]
	if inplace {
		arg += 13
	}
	c.addop(opBINARY_OP, arg, loc)
}

// comparison (Py_LT.. and their masks).
var compareArgs = [...]int32{
	ast.Lt:    0<<5 | 2,
	ast.LtE:   1<<5 | 2 | 8,
	ast.Eq:    2<<5 | 8,
	ast.NotEq: 3<<5 | 1 | 2 | 4,
	ast.Gt:    4<<5 | 4,
	ast.GtE:   5<<5 | 4 | 8,
}

// addCompare is compiler_addcompare.
func (c *compiler) addCompare(loc instr.Location, op ast.CmpOperator) {
	switch op {
	case ast.Is:
		c.addop(opIS_OP, 0, loc)
	case ast.IsNot:
		c.addop(opIS_OP, 1, loc)
	case ast.In:
		c.addop(opCONTAINS_OP, 0, loc)
	case ast.NotIn:
		c.addop(opCONTAINS_OP, 1, loc)
	default:
		c.addop(opCOMPARE_OP, compareArgs[op], loc)
	}
}

// checkIsArg is check_is_arg.
func checkIsArg(e ast.Expr) bool {
	k, ok := e.(*ast.Constant)
	if !ok {
		return true
	}
	switch k.Value.Kind() {
	case ast.NoneKind, ast.BoolKind, ast.EllipsisKind:
		return true
	}
	return false
}

func constTypeName(v ast.Value) string {
	switch v.Kind() {
	case ast.NoneKind:
		return "NoneType"
	case ast.BoolKind:
		return "bool"
	case ast.EllipsisKind:
		return "ellipsis"
	case ast.IntKind:
		return "int"
	case ast.FloatKind:
		return "float"
	case ast.ComplexKind:
		return "complex"
	case ast.StrKind:
		return "str"
	case ast.BytesKind:
		return "bytes"
	case ast.TupleKind:
		return "tuple"
	case ast.FrozenSetKind:
		return "frozenset"
	}
	return "object"
}

// inferType is infer_type ("" for NULL).
func inferType(e ast.Expr) string {
	switch t := e.(type) {
	case *ast.Tuple:
		return "tuple"
	case *ast.List, *ast.ListComp:
		return "list"
	case *ast.Dict, *ast.DictComp:
		return "dict"
	case *ast.Set, *ast.SetComp:
		return "set"
	case *ast.GeneratorExp:
		return "generator"
	case *ast.Lambda:
		return "function"
	case *ast.JoinedStr, *ast.FormattedValue:
		return "str"
	case *ast.Constant:
		return constTypeName(t.Value)
	}
	return ""
}

// checkCompare is check_compare.
func (c *compiler) checkCompare(e *ast.Compare) {
	left := checkIsArg(e.Left)
	leftExpr := e.Left
	for i, op := range e.Ops {
		rightExpr := e.Comparators[i]
		right := checkIsArg(rightExpr)
		if op == ast.Is || op == ast.IsNot {
			if !right || !left {
				lit := rightExpr
				if !left {
					lit = leftExpr
				}
				if op == ast.Is {
					c.warn(locAt(e.Location()), "\"is\" with '%s' literal. Did you mean \"==\"?", inferType(lit))
				} else {
					c.warn(locAt(e.Location()), "\"is not\" with '%s' literal. Did you mean \"!=\"?", inferType(lit))
				}
				return
			}
		}
		left = right
		leftExpr = rightExpr
	}
}

// jumpIf is compiler_jump_if.
func (c *compiler) jumpIf(loc instr.Location, e ast.Expr, next instr.Label, cond bool) {
	switch t := e.(type) {
	case *ast.UnaryOp:
		if t.Op == ast.Not {
			c.jumpIf(loc, t.Operand, next, !cond)
			return
		}
	case *ast.BoolOp:
		n := len(t.Values) - 1
		cond2 := t.Op == ast.Or
		next2 := next
		if cond2 != cond {
			next2 = c.newLabel()
		}
		for i := 0; i < n; i++ {
			c.jumpIf(loc, t.Values[i], next2, cond2)
		}
		c.jumpIf(loc, t.Values[n], next, cond)
		if next2 != next {
			c.useLabel(next2)
		}
		return
	case *ast.IfExp:
		end, next2 := c.newLabel(), c.newLabel()
		c.jumpIf(loc, t.Test, next2, false)
		c.jumpIf(loc, t.Body, next, cond)
		c.jump(pJUMP_NO_INTERRUPT, end, noLoc)
		c.useLabel(next2)
		c.jumpIf(loc, t.Orelse, next, cond)
		c.useLabel(end)
		return
	case *ast.Compare:
		n := len(t.Ops) - 1
		if n > 0 {
			c.checkCompare(t)
			cleanup := c.newLabel()
			el := locAt(e.Location())
			c.expr(t.Left)
			for i := 0; i < n; i++ {
				c.expr(t.Comparators[i])
				c.addop(opSWAP, 2, el)
				c.addop(opCOPY, 2, el)
				c.addCompare(el, t.Ops[i])
				c.addop(opTO_BOOL, 0, el)
				c.jump(opPOP_JUMP_IF_FALSE, cleanup, el)
			}
			c.expr(t.Comparators[n])
			c.addCompare(el, t.Ops[n])
			c.addop(opTO_BOOL, 0, el)
			if cond {
				c.jump(opPOP_JUMP_IF_TRUE, next, el)
			} else {
				c.jump(opPOP_JUMP_IF_FALSE, next, el)
			}
			end := c.newLabel()
			c.jump(pJUMP_NO_INTERRUPT, end, noLoc)
			c.useLabel(cleanup)
			c.addop(opPOP_TOP, 0, el)
			if !cond {
				c.jump(pJUMP_NO_INTERRUPT, next, noLoc)
			}
			c.useLabel(end)
			return
		}
	}
	c.expr(e)
	el := locAt(e.Location())
	c.addop(opTO_BOOL, 0, el)
	if cond {
		c.jump(opPOP_JUMP_IF_TRUE, next, el)
	} else {
		c.jump(opPOP_JUMP_IF_FALSE, next, el)
	}
}

func (c *compiler) boolop(e *ast.BoolOp) {
	loc := locAt(e.Location())
	jumpi := opPOP_JUMP_IF_TRUE
	if e.Op == ast.And {
		jumpi = opPOP_JUMP_IF_FALSE
	}
	end := c.newLabel()
	n := len(e.Values) - 1
	for i := 0; i < n; i++ {
		c.expr(e.Values[i])
		c.addop(opCOPY, 1, loc)
		c.addop(opTO_BOOL, 0, loc)
		c.jump(jumpi, end, loc)
		c.addop(opPOP_TOP, 0, loc)
	}
	c.expr(e.Values[n])
	c.useLabel(end)
}

func allConst(es []ast.Expr) bool {
	for _, e := range es {
		if _, ok := e.(*ast.Constant); !ok || e == nil {
			return false
		}
	}
	return true
}

// starunpack is starunpack_helper.
func (c *compiler) starunpack(loc instr.Location, elts []ast.Expr, pushed int, build, add, extend opcode.Op, tuple bool) {
	n := len(elts)
	if n > 2 && allConst(elts) {
		items := c.objs(n)[:n]
		for i, e := range elts {
			items[i] = c.p.FromValue(e.(*ast.Constant).Value)
		}
		if tuple && pushed == 0 {
			c.loadConst(loc, c.p.NewTuple(items))
		} else {
			var folded *pyobj.Object
			if add == opSET_ADD {
				folded = c.p.NewFrozenSet(items)
			} else {
				folded = c.p.NewTuple(items)
			}
			c.addop(build, int32(pushed), loc)
			c.loadConst(loc, folded)
			c.addop(extend, 1, loc)
			if tuple {
				c.addop(opCALL_INTRINSIC_1, intrinsicListToTuple, loc)
			}
		}
		return
	}
	big := n+pushed > stackUseGuideline
	seenStar := false
	for _, e := range elts {
		if _, ok := e.(*ast.Starred); ok {
			seenStar = true
			break
		}
	}
	if !seenStar && !big {
		for _, e := range elts {
			c.expr(e)
		}
		if tuple {
			c.addop(opBUILD_TUPLE, int32(n+pushed), loc)
		} else {
			c.addop(build, int32(n+pushed), loc)
		}
		return
	}
	built := false
	if big {
		c.addop(build, int32(pushed), loc)
		built = true
	}
	for i, e := range elts {
		if st, ok := e.(*ast.Starred); ok {
			if !built {
				c.addop(build, int32(i+pushed), loc)
				built = true
			}
			c.expr(st.Value)
			c.addop(extend, 1, loc)
		} else {
			c.expr(e)
			if built {
				c.addop(add, 1, loc)
			}
		}
	}
	if tuple {
		c.addop(opCALL_INTRINSIC_1, intrinsicListToTuple, loc)
	}
}

// assignmentHelper is unpack_helper and assignment_helper.
func (c *compiler) assignmentHelper(loc instr.Location, elts []ast.Expr) {
	n := len(elts)
	seenStar := false
	for i, e := range elts {
		if _, ok := e.(*ast.Starred); ok {
			if seenStar {
				c.errorf(loc, "multiple starred expressions in assignment")
			}
			if i >= 1<<8 || n-i-1 >= (1<<31-1)>>8 {
				c.errorf(loc, "too many expressions in star-unpacking assignment")
			}
			c.addop(opUNPACK_EX, int32(i+(n-i-1)<<8), loc)
			seenStar = true
		}
	}
	if !seenStar {
		c.addop(opUNPACK_SEQUENCE, int32(n), loc)
	}
	for _, e := range elts {
		if st, ok := e.(*ast.Starred); ok {
			c.expr(st.Value)
		} else {
			c.expr(e)
		}
	}
}

// subdict is compiler_subdict.
func (c *compiler) subdict(e *ast.Dict, begin, end int) {
	n := end - begin
	big := n*2 > stackUseGuideline
	loc := locAt(e.Location())
	if n > 1 && !big && allConstKeys(e.Keys[begin:end]) {
		for i := begin; i < end; i++ {
			c.expr(e.Values[i])
		}
		keys := make([]*pyobj.Object, n)
		for i := begin; i < end; i++ {
			keys[i-begin] = c.p.FromValue(e.Keys[i].(*ast.Constant).Value)
		}
		c.loadConst(loc, c.p.NewTuple(keys))
		c.addop(opBUILD_CONST_KEY_MAP, int32(n), loc)
		return
	}
	if big {
		c.addop(opBUILD_MAP, 0, loc)
	}
	for i := begin; i < end; i++ {
		c.expr(e.Keys[i])
		c.expr(e.Values[i])
		if big {
			c.addop(opMAP_ADD, 1, loc)
		}
	}
	if !big {
		c.addop(opBUILD_MAP, int32(n), loc)
	}
}

func allConstKeys(es []ast.Expr) bool {
	for _, e := range es {
		if e == nil {
			return false
		}
		if _, ok := e.(*ast.Constant); !ok {
			return false
		}
	}
	return true
}

// dict is compiler_dict.
func (c *compiler) dict(e *ast.Dict) {
	loc := locAt(e.Location())
	n := len(e.Values)
	haveDict := false
	elements := 0
	for i := 0; i < n; i++ {
		if e.Keys[i] == nil {
			if elements > 0 {
				c.subdict(e, i-elements, i)
				if haveDict {
					c.addop(opDICT_UPDATE, 1, loc)
				}
				haveDict = true
				elements = 0
			}
			if !haveDict {
				c.addop(opBUILD_MAP, 0, loc)
				haveDict = true
			}
			c.expr(e.Values[i])
			c.addop(opDICT_UPDATE, 1, loc)
		} else if elements*2 > stackUseGuideline {
			c.subdict(e, i-elements, i+1)
			if haveDict {
				c.addop(opDICT_UPDATE, 1, loc)
			}
			haveDict = true
			elements = 0
		} else {
			elements++
		}
	}
	if elements > 0 {
		c.subdict(e, n-elements, n)
		if haveDict {
			c.addop(opDICT_UPDATE, 1, loc)
		}
		haveDict = true
	}
	if !haveDict {
		c.addop(opBUILD_MAP, 0, loc)
	}
}

// compare is compiler_compare.
func (c *compiler) compare(e *ast.Compare) {
	loc := locAt(e.Location())
	c.checkCompare(e)
	c.expr(e.Left)
	n := len(e.Ops) - 1
	if n == 0 {
		c.expr(e.Comparators[0])
		c.addCompare(loc, e.Ops[0])
		return
	}
	cleanup := c.newLabel()
	for i := 0; i < n; i++ {
		c.expr(e.Comparators[i])
		c.addop(opSWAP, 2, loc)
		c.addop(opCOPY, 2, loc)
		c.addCompare(loc, e.Ops[i])
		c.addop(opCOPY, 1, loc)
		c.addop(opTO_BOOL, 0, loc)
		c.jump(opPOP_JUMP_IF_FALSE, cleanup, loc)
		c.addop(opPOP_TOP, 0, loc)
	}
	c.expr(e.Comparators[n])
	c.addCompare(loc, e.Ops[n])
	end := c.newLabel()
	c.jump(pJUMP_NO_INTERRUPT, end, noLoc)
	c.useLabel(cleanup)
	c.addop(opSWAP, 2, loc)
	c.addop(opPOP_TOP, 0, loc)
	c.useLabel(end)
}

// checkCaller is check_caller.
func (c *compiler) checkCaller(e ast.Expr) {
	switch e.(type) {
	case *ast.Constant, *ast.Tuple, *ast.List, *ast.ListComp, *ast.Dict, *ast.DictComp,
		*ast.Set, *ast.SetComp, *ast.GeneratorExp, *ast.JoinedStr, *ast.FormattedValue:
		c.warn(locAt(e.Location()), "'%s' object is not callable; perhaps you missed a comma?", inferType(e))
	}
}

// checkSubscripter is check_subscripter.
func (c *compiler) checkSubscripter(e ast.Expr) {
	switch t := e.(type) {
	case *ast.Constant:
		switch t.Value.Kind() {
		case ast.NoneKind, ast.EllipsisKind, ast.IntKind, ast.BoolKind, ast.FloatKind, ast.ComplexKind, ast.FrozenSetKind:
		default:
			return
		}
	case *ast.Set, *ast.SetComp, *ast.GeneratorExp, *ast.Lambda:
	default:
		return
	}
	c.warn(locAt(e.Location()), "'%s' object is not subscriptable; perhaps you missed a comma?", inferType(e))
}

// checkIndex is check_index.
func (c *compiler) checkIndex(e, s ast.Expr) {
	it := inferType(s)
	if it == "" || it == "int" || it == "bool" {
		return
	}
	switch t := e.(type) {
	case *ast.Constant:
		switch t.Value.Kind() {
		case ast.StrKind, ast.BytesKind, ast.TupleKind:
		default:
			return
		}
	case *ast.Tuple, *ast.List, *ast.ListComp, *ast.JoinedStr, *ast.FormattedValue:
	default:
		return
	}
	c.warn(locAt(e.Location()), "%s indices must be integers or slices, not %s; perhaps you missed a comma?", inferType(e), it)
}

// isImportOriginated is is_import_originated.
func (c *compiler) isImportOriginated(e ast.Expr) bool {
	n, ok := e.(*ast.Name)
	if !ok {
		return false
	}
	if c.importMask&importBit(n.ID) == 0 {
		return false
	}
	return c.st.Top.Lookup(n.ID)&symtable.DefImport != 0
}

// setImportMask computes compiler.importMask from the module block's
// symbols, before any code is generated: an inlined comprehension at module
// level later swaps its own flags in for some of the module's names while
// it compiles (pushInlined, as CPython does), and CPython's look-up sees
// those, but the mask must hold every name the module imports.
func (c *compiler) setImportMask() {
	for _, sym := range c.st.Top.Symbols.List() {
		if sym.Flags&symtable.DefImport != 0 {
			c.importMask |= importBit(sym.Name)
		}
	}
}

// importBit is a name's bit in compiler.importMask, from its length and
// first byte.
func importBit(s string) uint64 {
	if s == "" {
		return 1
	}
	return 1 << ((uint(len(s))*7 + uint(s[0])) & 63)
}

// canOptimizeSuperCall is can_optimize_super_call: the test of the
// attribute's value, which most attributes fail, is inlined where it is
// called.
func (c *compiler) canOptimizeSuperCall(attr *ast.Attribute) bool {
	call, ok := attr.Value.(*ast.Call)
	return ok && c.canOptimizeSuperCallOf(attr, call)
}

// canOptimizeSuperCallOf is canOptimizeSuperCall for an attribute of
// call's value.
func (c *compiler) canOptimizeSuperCallOf(attr *ast.Attribute, call *ast.Call) bool {
	fn, ok := call.Func.(*ast.Name)
	if !ok || fn.ID != "super" || attr.Attr == "__class__" || len(call.Keywords) != 0 {
		return false
	}
	if c.u.ste.Scope("super") != symtable.GlobalImplicit {
		return false
	}
	if c.st.Top.Scope("super") != 0 {
		return false
	}
	n := len(call.Args)
	if n == 2 {
		for _, a := range call.Args {
			if _, ok := a.(*ast.Starred); ok {
				return false
			}
		}
		return true
	}
	if n != 0 {
		return false
	}
	if c.u.argcount == 0 && c.u.posonly == 0 {
		return false
	}
	return c.refType("__class__") == symtable.Free
}

// loadArgsForSuper is load_args_for_super.
func (c *compiler) loadArgsForSuper(e *ast.Call) {
	loc := locAt(e.Location())
	c.nameop(locAt(e.Func.Location()), e.Func.(*ast.Name).ID, ast.Load)
	if len(e.Args) == 2 {
		c.expr(e.Args[0])
		c.expr(e.Args[1])
		return
	}
	c.nameop(loc, "__class__", ast.Load)
	if len(c.u.varnames.list) == 0 {
		c.fail(errorf("super() without arguments in a unit without locals"))
	}
	c.nameop(loc, c.u.varnames.list[0].Str(), ast.Load)
}

// updateStartLocationToMatchAttr is update_start_location_to_match_attr:
// the test here, which most attributes (on one line) pass, is inlined
// where it is called.
func updateStartLocationToMatchAttr(loc instr.Location, attr *ast.Attribute) instr.Location {
	if int(loc.Line) == attr.EndLineno {
		return loc
	}
	return moveStartToAttr(loc, attr)
}

// moveStartToAttr is updateStartLocationToMatchAttr for an attribute
// that ends on another line than loc starts.
func moveStartToAttr(loc instr.Location, attr *ast.Attribute) instr.Location {
	loc.Line = int32(attr.EndLineno)
	n := ast.CodePointCount(attr.Attr)
	if n <= attr.EndColOffset {
		loc.Col = int32(attr.EndColOffset - n)
	} else {
		loc.Col, loc.EndCol = -1, -1
	}
	if loc.Line > loc.EndLine {
		loc.EndLine = loc.Line
	}
	if loc.Line == loc.EndLine && loc.Col > loc.EndCol {
		loc.EndCol = loc.Col
	}
	return loc
}

// maybeOptimizeMethodCall is maybe_optimize_method_call.
func (c *compiler) maybeOptimizeMethodCall(e *ast.Call) bool {
	meth, ok := e.Func.(*ast.Attribute)
	if !ok || meth.Ctx != ast.Load {
		return false
	}
	if c.isImportOriginated(meth.Value) {
		return false
	}
	argsl, kwdsl := len(e.Args), len(e.Keywords)
	extra := 0
	if kwdsl != 0 {
		extra = 1
	}
	if argsl+kwdsl+extra >= stackUseGuideline {
		return false
	}
	for _, a := range e.Args {
		if _, ok := a.(*ast.Starred); ok {
			return false
		}
	}
	for _, k := range e.Keywords {
		if k.Arg == "" {
			return false
		}
	}
	loc := locAt(meth.Location())
	if c.canOptimizeSuperCall(meth) {
		// The method's keywords' names take the location moved to
		// the attribute, as the NOP does.
		loc = c.superAttr(meth, pLOAD_ZERO_SUPER_METHOD, pLOAD_SUPER_METHOD, loc)
	} else {
		c.expr(meth.Value)
		loc = updateStartLocationToMatchAttr(loc, meth)
		c.addName(pLOAD_METHOD, meth.Attr, loc)
	}
	for _, a := range e.Args {
		c.expr(a)
	}
	if kwdsl > 0 {
		for _, k := range e.Keywords {
			c.expr(k.Value)
		}
		c.kwNames(loc, e.Keywords)
		loc = updateStartLocationToMatchAttr(locAt(e.Location()), meth)
		c.addop(opCALL_KW, int32(argsl+kwdsl), loc)
	} else {
		loc = updateStartLocationToMatchAttr(locAt(e.Location()), meth)
		if !c.u.tryAdd(opCALL, int32(argsl), loc) {
			c.addopSlow(opCALL, int32(argsl), loc)
		}
	}
	return true
}

// validateKeywords is validate_keywords: going through the keywords in
// order, the first one named __debug__, or named again by a later one, is an
// error (a repeat reported at its next occurrence). CPython compares each
// keyword with every later one; past a few keywords the next occurrences
// come from one map instead, so that a call with tens of thousands of
// keywords takes linear time, with the same error.
func (c *compiler) validateKeywords(kws []*ast.Keyword) {
	if len(kws) <= 16 {
		for i, k := range kws {
			if k.Arg == "" {
				continue
			}
			c.forbiddenName(locAt(k.Location()), k.Arg, ast.Store)
			for _, o := range kws[i+1:] {
				if o.Arg == k.Arg {
					c.errorf(locAt(o.Location()), "keyword argument repeated: %s", k.Arg)
				}
			}
		}
		return
	}
	next := nextSame(len(kws), func(i int) string { return kws[i].Arg })
	for i, k := range kws {
		if k.Arg == "" {
			continue
		}
		c.forbiddenName(locAt(k.Location()), k.Arg, ast.Store)
		if j := next[i]; j >= 0 {
			c.errorf(locAt(kws[j].Location()), "keyword argument repeated: %s", k.Arg)
		}
	}
}

// nextSame returns, for each of n names, the index of the same name's next
// occurrence, or -1 (an empty name has none): what validate_keywords and
// validate_kwd_attrs find by comparing each name with every later one, in
// linear time.
func nextSame(n int, name func(int) string) []int {
	next := make([]int, n)
	seen := make(map[string]int, n)
	for i := n - 1; i >= 0; i-- {
		next[i] = -1
		if a := name(i); a != "" {
			if j, ok := seen[a]; ok {
				next[i] = j
			}
			seen[a] = i
		}
	}
	return next
}

func (c *compiler) call(e *ast.Call) {
	if len(e.Keywords) != 0 {
		c.validateKeywords(e.Keywords)
	}
	if c.maybeOptimizeMethodCall(e) {
		return
	}
	c.checkCaller(e.Func)
	c.expr(e.Func)
	if loc := locAt(e.Func.Location()); !c.u.tryAdd(opPUSH_NULL, 0, loc) {
		c.addopSlow(opPUSH_NULL, 0, loc)
	}
	c.callHelper(locAt(e.Location()), 0, e.Args, e.Keywords)
}

func (c *compiler) joinedStr(e *ast.JoinedStr) {
	loc := locAt(e.Location())
	n := len(e.Values)
	if n > stackUseGuideline {
		c.loadConst(loc, c.p.NewStr(""))
		c.addName(pLOAD_METHOD, "join", loc)
		c.addop(opBUILD_LIST, 0, loc)
		for _, v := range e.Values {
			c.expr(v)
			c.addop(opLIST_APPEND, 1, loc)
		}
		c.addop(opCALL, 1, loc)
		return
	}
	for _, v := range e.Values {
		c.expr(v)
	}
	if n > 1 {
		c.addop(opBUILD_STRING, int32(n), loc)
	} else if n == 0 {
		c.loadConst(loc, c.p.NewStr(""))
	}
}

func (c *compiler) formattedValue(e *ast.FormattedValue) {
	c.expr(e.Value)
	loc := locAt(e.Location())
	switch e.Conversion {
	case 's':
		c.addop(opCONVERT_VALUE, 1, loc)
	case 'r':
		c.addop(opCONVERT_VALUE, 2, loc)
	case 'a':
		c.addop(opCONVERT_VALUE, 3, loc)
	}
	if e.FormatSpec != nil {
		c.expr(e.FormatSpec)
		c.addop(opFORMAT_WITH_SPEC, 0, loc)
	} else {
		c.addop(opFORMAT_SIMPLE, 0, loc)
	}
}

// subkwargs is compiler_subkwargs.
func (c *compiler) subkwargs(loc instr.Location, kws []*ast.Keyword, begin, end int) {
	n := end - begin
	big := n*2 > stackUseGuideline
	if n > 1 && !big {
		for _, k := range kws[begin:end] {
			c.expr(k.Value)
		}
		keys := make([]*pyobj.Object, n)
		for i, k := range kws[begin:end] {
			keys[i] = c.p.Identifier(k.Arg)
		}
		c.loadConst(loc, c.p.NewTuple(keys))
		c.addop(opBUILD_CONST_KEY_MAP, int32(n), loc)
		return
	}
	if big {
		c.addop(opBUILD_MAP, 0, noLoc)
	}
	for _, k := range kws[begin:end] {
		c.loadIdent(loc, k.Arg)
		c.expr(k.Value)
		if big {
			c.addop(opMAP_ADD, 1, noLoc)
		}
	}
	if !big {
		c.addop(opBUILD_MAP, int32(n), loc)
	}
}

// kwNames is compiler_call_simple_kw_helper.
func (c *compiler) kwNames(loc instr.Location, kws []*ast.Keyword) {
	names := c.objs(len(kws))
	for _, k := range kws {
		names = append(names, c.p.Identifier(k.Arg))
	}
	c.loadConst(loc, c.p.NewTuple(names))
}

// callHelper is compiler_call_helper.
func (c *compiler) callHelper(loc instr.Location, n int, args []ast.Expr, kws []*ast.Keyword) {
	if len(kws) != 0 {
		c.validateKeywords(kws)
	}
	nelts, nkw := len(args), len(kws)
	ex := nelts+nkw*2 > stackUseGuideline
	for _, a := range args {
		if _, ok := a.(*ast.Starred); ok {
			ex = true
		}
	}
	for _, k := range kws {
		if k.Arg == "" {
			ex = true
		}
	}
	if !ex {
		for _, a := range args {
			c.expr(a)
		}
		if nkw > 0 {
			for _, k := range kws {
				c.expr(k.Value)
			}
			c.kwNames(loc, kws)
			c.addop(opCALL_KW, int32(n+nelts+nkw), loc)
		} else {
			if !c.u.tryAdd(opCALL, int32(n+nelts), loc) {
				c.addopSlow(opCALL, int32(n+nelts), loc)
			}
		}
		return
	}
	if st, ok := firstStarred(args); n == 0 && nelts == 1 && ok {
		c.expr(st.Value)
	} else {
		c.starunpack(loc, args, n, opBUILD_LIST, opLIST_APPEND, opLIST_EXTEND, true)
	}
	if nkw > 0 {
		haveDict := false
		nseen := 0
		for i, k := range kws {
			if k.Arg == "" {
				if nseen > 0 {
					c.subkwargs(loc, kws, i-nseen, i)
					if haveDict {
						c.addop(opDICT_MERGE, 1, loc)
					}
					haveDict = true
					nseen = 0
				}
				if !haveDict {
					c.addop(opBUILD_MAP, 0, loc)
					haveDict = true
				}
				c.expr(k.Value)
				c.addop(opDICT_MERGE, 1, loc)
			} else {
				nseen++
			}
		}
		if nseen > 0 {
			c.subkwargs(loc, kws, nkw-nseen, nkw)
			if haveDict {
				c.addop(opDICT_MERGE, 1, loc)
			}
		}
	}
	arg := int32(0)
	if nkw > 0 {
		arg = 1
	}
	c.addop(opCALL_FUNCTION_EX, arg, loc)
}

func firstStarred(args []ast.Expr) (*ast.Starred, bool) {
	if len(args) == 0 {
		return nil, false
	}
	st, ok := args[0].(*ast.Starred)
	return st, ok
}

func (c *compiler) exprs(es []ast.Expr) {
	for _, e := range es {
		c.expr(e)
	}
}

// expr is compiler_visit_expr.
func (c *compiler) expr(e ast.Expr) {
	// The commonest expressions (names, calls, attributes, constants) are taken
	// before the switch's search, each by one comparison of the
	// interface's type word, and with its location read from the node's
	// field rather than through the interface.
	if n, ok := e.(*ast.Name); ok {
		c.nameopAt(locAt(&n.Loc), n.ID, n.Ctx, n.SymbolAt)
		return
	}
	if t, ok := e.(*ast.Call); ok {
		c.call(t)
		return
	}
	if t, ok := e.(*ast.Attribute); ok {
		c.attribute(locAt(&t.Loc), t)
		return
	}
	if t, ok := e.(*ast.Constant); ok {
		loc := locAt(&t.Loc)
		// Most constants are neither fresh strs nor NaNs: both are
		// decided here without a call (a look-up in an empty map is one).
		if len(c.cfg.FreshStrs) != 0 && c.cfg.FreshStrs[t] {
			if t.Value.Kind() == ast.BytesKind {
				c.loadConst(loc, c.p.NewBytesFresh(t.Value.Bytes()))
			} else {
				c.loadConst(loc, c.p.NewStrFresh(t.Value.Str()))
			}
		} else if nanKinds&(1<<t.Value.Kind()) != 0 && hasNaN(t.Value) {
			c.loadConst(loc, c.nanConst(t))
		} else {
			c.loadValue(loc, t.Value)
		}
		return
	}
	loc := locAt(e.Location())
	switch t := e.(type) {
	case *ast.NamedExpr:
		c.expr(t.Value)
		c.addop(opCOPY, 1, loc)
		c.expr(t.Target)
	case *ast.BoolOp:
		c.boolop(t)
	case *ast.BinOp:
		c.expr(t.Left)
		c.expr(t.Right)
		c.binary(loc, t.Op, false)
	case *ast.UnaryOp:
		c.expr(t.Operand)
		switch t.Op {
		case ast.UAdd:
			c.addop(opCALL_INTRINSIC_1, intrinsicUnaryPositive, loc)
		case ast.Not:
			c.addop(opTO_BOOL, 0, loc)
			c.addop(opUNARY_NOT, 0, loc)
		case ast.Invert:
			c.addop(opUNARY_INVERT, 0, loc)
		default:
			c.addop(opUNARY_NEGATIVE, 0, loc)
		}
	case *ast.Lambda:
		c.lambda(t)
	case *ast.IfExp:
		end, next := c.newLabel(), c.newLabel()
		c.jumpIf(loc, t.Test, next, false)
		c.expr(t.Body)
		c.jump(pJUMP_NO_INTERRUPT, end, noLoc)
		c.useLabel(next)
		c.expr(t.Orelse)
		c.useLabel(end)
	case *ast.Dict:
		c.dict(t)
	case *ast.Set:
		c.starunpack(loc, t.Elts, 0, opBUILD_SET, opSET_ADD, opSET_UPDATE, false)
	case *ast.GeneratorExp:
		c.comprehension(e, compGenExp, "<genexpr>", t.Generators, t.Elt, nil)
	case *ast.ListComp:
		c.comprehension(e, compListComp, "<listcomp>", t.Generators, t.Elt, nil)
	case *ast.SetComp:
		c.comprehension(e, compSetComp, "<setcomp>", t.Generators, t.Elt, nil)
	case *ast.DictComp:
		c.comprehension(e, compDictComp, "<dictcomp>", t.Generators, t.Key, t.Value)
	case *ast.Yield:
		if !c.u.ste.FunctionLike() {
			c.errorf(loc, "'yield' outside function")
		}
		if t.Value != nil {
			c.expr(t.Value)
		} else {
			c.loadConst(loc, pyobj.NoneObj)
		}
		c.addYield(loc)
	case *ast.YieldFrom:
		if !c.u.ste.FunctionLike() {
			c.errorf(loc, "'yield from' outside function")
		}
		if c.u.scope == scopeAsyncFunction {
			c.errorf(loc, "'yield from' inside async function")
		}
		c.expr(t.Value)
		c.addop(opGET_YIELD_FROM_ITER, 0, loc)
		c.loadConst(loc, pyobj.NoneObj)
		c.addYieldFrom(loc, false)
	case *ast.Await:
		if !c.u.ste.FunctionLike() {
			c.errorf(loc, "'await' outside function")
		}
		if c.u.scope != scopeAsyncFunction && c.u.scope != scopeComprehension {
			c.errorf(loc, "'await' outside async function")
		}
		c.expr(t.Value)
		c.addop(opGET_AWAITABLE, 0, loc)
		c.loadConst(loc, pyobj.NoneObj)
		c.addYieldFrom(loc, true)
	case *ast.Compare:
		c.compare(t)
	case *ast.JoinedStr:
		c.joinedStr(t)
	case *ast.FormattedValue:
		c.formattedValue(t)
	case *ast.Subscript:
		c.subscript(t)
	case *ast.Starred:
		if t.Ctx == ast.Store {
			c.errorf(loc, "starred assignment target must be in a list or tuple")
		}
		c.errorf(loc, "can't use starred expression here")
	case *ast.Slice:
		n := c.slice(t)
		c.addop(opBUILD_SLICE, int32(n), loc)
	case *ast.Name:
		c.nameopAt(loc, t.ID, t.Ctx, t.SymbolAt)
	case *ast.List:
		switch t.Ctx {
		case ast.Store:
			c.assignmentHelper(loc, t.Elts)
		case ast.Load:
			c.starunpack(loc, t.Elts, 0, opBUILD_LIST, opLIST_APPEND, opLIST_EXTEND, false)
		default:
			c.exprs(t.Elts)
		}
	case *ast.Tuple:
		switch t.Ctx {
		case ast.Store:
			c.assignmentHelper(loc, t.Elts)
		case ast.Load:
			c.starunpack(loc, t.Elts, 0, opBUILD_LIST, opLIST_APPEND, opLIST_EXTEND, true)
		default:
			c.exprs(t.Elts)
		}
	default:
		c.fail(errorf("unexpected expression %T", e))
	}
}

// superAttr loads the attribute or method a of a super() call that
// canOptimizeSuperCall allows: op0 is the instruction when the call has
// no arguments, op2 when it has two. It returns loc with its start moved
// to the attribute (update_start_location_to_match_attr), which CPython
// goes on with.
func (c *compiler) superAttr(a *ast.Attribute, op0, op2 opcode.Op, loc instr.Location) instr.Location {
	call := a.Value.(*ast.Call)
	c.loadArgsForSuper(call)
	op := op0
	if len(call.Args) > 0 {
		op = op2
	}
	c.addName(op, a.Attr, loc)
	loc = updateStartLocationToMatchAttr(loc, a)
	c.addop(opNOP, 0, loc)
	return loc
}

// attribute is compiler_visit_expr1's Attribute.
func (c *compiler) attribute(loc instr.Location, e *ast.Attribute) {
	if e.Ctx == ast.Load && c.canOptimizeSuperCall(e) {
		c.superAttr(e, pLOAD_ZERO_SUPER_ATTR, opLOAD_SUPER_ATTR, loc)
		return
	}
	c.maybeAddStaticAttribute(e)
	c.expr(e.Value)
	loc = updateStartLocationToMatchAttr(locAt(&e.Loc), e)
	switch e.Ctx {
	case ast.Load:
		c.addName(opLOAD_ATTR, e.Attr, loc)
	case ast.Store:
		c.forbiddenName(loc, e.Attr, e.Ctx)
		c.addName(opSTORE_ATTR, e.Attr, loc)
	default:
		c.addName(opDELETE_ATTR, e.Attr, loc)
	}
}

func (c *compiler) addYield(loc instr.Location) {
	if c.u.ste.Generator && c.u.ste.Coroutine {
		c.addop(opCALL_INTRINSIC_1, intrinsicAsyncGenWrap, loc)
	}
	c.addop(opYIELD_VALUE, 0, loc)
	c.addop(opRESUME, resumeAfterYield, loc)
}

// maybeAddStaticAttribute is compiler_maybe_add_static_attribute_to_class.
func (c *compiler) maybeAddStaticAttribute(e *ast.Attribute) {
	n, ok := e.Value.(*ast.Name)
	if !ok || e.Ctx != ast.Store || n.ID != "self" {
		return
	}
	for i := len(c.stack) - 1; i >= 0; i-- {
		if c.stack[i].scope == scopeClass {
			c.stack[i].staticAttrs[e.Attr] = true
			return
		}
	}
}

func isTwoElementSlice(s ast.Expr) bool {
	sl, ok := s.(*ast.Slice)
	return ok && sl.Step == nil
}

// subscript is compiler_subscript.
func (c *compiler) subscript(e *ast.Subscript) {
	loc := locAt(e.Location())
	if e.Ctx == ast.Load {
		c.checkSubscripter(e.Value)
		c.checkIndex(e.Value, e.Slice)
	}
	c.expr(e.Value)
	if isTwoElementSlice(e.Slice) && e.Ctx != ast.Del {
		c.slice(e.Slice.(*ast.Slice))
		if e.Ctx == ast.Load {
			c.addop(opBINARY_SLICE, 0, loc)
		} else {
			c.addop(opSTORE_SLICE, 0, loc)
		}
		return
	}
	c.expr(e.Slice)
	switch e.Ctx {
	case ast.Load:
		c.addop(opBINARY_SUBSCR, 0, loc)
	case ast.Store:
		c.addop(opSTORE_SUBSCR, 0, loc)
	default:
		c.addop(opDELETE_SUBSCR, 0, loc)
	}
}

// slice is compiler_slice.
func (c *compiler) slice(s *ast.Slice) int {
	n := 2
	if s.Lower != nil {
		c.expr(s.Lower)
	} else {
		c.loadConst(locAt(s.Location()), pyobj.NoneObj)
	}
	if s.Upper != nil {
		c.expr(s.Upper)
	} else {
		c.loadConst(locAt(s.Location()), pyobj.NoneObj)
	}
	if s.Step != nil {
		n++
		c.expr(s.Step)
	}
	return n
}

// augAssign is compiler_augassign.
func (c *compiler) augAssign(s *ast.AugAssign) {
	e := s.Target
	loc := locAt(e.Location())
	switch t := e.(type) {
	case *ast.Attribute:
		c.expr(t.Value)
		c.addop(opCOPY, 1, loc)
		loc = updateStartLocationToMatchAttr(loc, t)
		c.addName(opLOAD_ATTR, t.Attr, loc)
	case *ast.Subscript:
		c.expr(t.Value)
		if isTwoElementSlice(t.Slice) {
			c.slice(t.Slice.(*ast.Slice))
			c.addop(opCOPY, 3, loc)
			c.addop(opCOPY, 3, loc)
			c.addop(opCOPY, 3, loc)
			c.addop(opBINARY_SLICE, 0, loc)
		} else {
			c.expr(t.Slice)
			c.addop(opCOPY, 2, loc)
			c.addop(opCOPY, 2, loc)
			c.addop(opBINARY_SUBSCR, 0, loc)
		}
	case *ast.Name:
		c.nameopAt(loc, t.ID, ast.Load, t.SymbolAt)
	default:
		c.fail(errorf("invalid node type %T for augmented assignment", e))
	}
	c.expr(s.Value)
	c.binary(locAt(s.Location()), s.Op, true)
	loc = locAt(e.Location())
	switch t := e.(type) {
	case *ast.Attribute:
		loc = updateStartLocationToMatchAttr(loc, t)
		c.addop(opSWAP, 2, loc)
		c.addName(opSTORE_ATTR, t.Attr, loc)
	case *ast.Subscript:
		if isTwoElementSlice(t.Slice) {
			c.addop(opSWAP, 4, loc)
			c.addop(opSWAP, 3, loc)
			c.addop(opSWAP, 2, loc)
			c.addop(opSTORE_SLICE, 0, loc)
		} else {
			c.addop(opSWAP, 3, loc)
			c.addop(opSWAP, 2, loc)
			c.addop(opSTORE_SUBSCR, 0, loc)
		}
	case *ast.Name:
		c.nameopAt(loc, t.ID, ast.Store, t.SymbolAt)
	}
}

func (c *compiler) checkAnnExpr(e ast.Expr) {
	c.expr(e)
	c.addop(opPOP_TOP, 0, locAt(e.Location()))
}

func (c *compiler) checkAnnSubscr(e ast.Expr) {
	switch t := e.(type) {
	case *ast.Slice:
		if t.Lower != nil {
			c.checkAnnExpr(t.Lower)
		}
		if t.Upper != nil {
			c.checkAnnExpr(t.Upper)
		}
		if t.Step != nil {
			c.checkAnnExpr(t.Step)
		}
	case *ast.Tuple:
		for _, x := range t.Elts {
			c.checkAnnSubscr(x)
		}
	default:
		c.checkAnnExpr(e)
	}
}

// annAssign is compiler_annassign.
func (c *compiler) annAssign(s *ast.AnnAssign) {
	loc := locAt(s.Location())
	if s.Value != nil {
		c.expr(s.Value)
		c.expr(s.Target)
	}
	futureAnn := c.future.Features&symtable.FutureAnnotations != 0
	switch t := s.Target.(type) {
	case *ast.Name:
		c.forbiddenName(loc, t.ID, ast.Store)
		if s.Simple != 0 && (c.u.scope == scopeModule || c.u.scope == scopeClass) {
			if futureAnn {
				c.annexpr(s.Annotation)
			} else {
				c.expr(s.Annotation)
			}
			c.addName(opLOAD_NAME, "__annotations__", loc)
			c.loadConst(loc, c.mangledIdent(t.ID))
			c.addop(opSTORE_SUBSCR, 0, loc)
		}
	case *ast.Attribute:
		c.forbiddenName(loc, t.Attr, ast.Store)
		if s.Value == nil {
			c.checkAnnExpr(t.Value)
		}
	case *ast.Subscript:
		if s.Value == nil {
			c.checkAnnExpr(t.Value)
			c.checkAnnSubscr(t.Slice)
		}
	default:
		c.fail(errorf("invalid node type %T for annotated assignment", s.Target))
	}
	if s.Simple == 0 && !futureAnn && (c.u.scope == scopeModule || c.u.scope == scopeClass) {
		c.checkAnnExpr(s.Annotation)
	}
}
