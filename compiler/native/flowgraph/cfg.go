// Package flowgraph is CPython 3.13's control-flow-graph optimizer
// (Python/flowgraph.c) for the native compiler: it turns a code unit's
// instruction sequence, as code generation writes it (labels, pseudo
// instructions, SETUP_*/POP_BLOCK exception blocks), into the final
// instruction sequence the assembler takes (real instructions and the
// pseudo jumps JUMP/JUMP_NO_INTERRUPT, an exception handler on every
// instruction, the maximum stack depth and the number of fast locals).
//
// Every pass is CPython's, run in CPython's order on the same graph, so
// that the output is the one CPython produces for the same input:
// jump threading, dead and unreachable code, constant folding of tuples and
// of LOAD_CONST followed by a test, swap elimination, superinstructions,
// the "maybe uninitialized" analysis of fast locals, the removal of unused
// constants, line number propagation, cold block placement, the stack
// depth, the prologue for cells, free variables and generators, and the
// conversion of pseudo instructions.
//
// Invariants:
//   - A graph is a slice of blocks linked by index (next, jump targets,
//     exception handlers); block 0 is the entry. Blocks are never freed:
//     CPython empties unreachable blocks but keeps them in the list, and
//     several passes depend on that.
//   - The input's jump and SETUP_* opargs are labels of the Sequence; the
//     output's are labels of the output Sequence, one per block, placed in
//     block order (_PyCfg_ToInstructionSequence).
//   - Nothing here depends on the patch release within 3.13: flowgraph.c
//     is the same from 3.13.0 to 3.13.15 except for checks of malformed
//     input, which are errors here in every release.
//   - Malformed input (a jump to a label that is not placed, a stack
//     underflow, inconsistent stack depths, a constant index out of range)
//     gives an error, never a panic.
package flowgraph

import (
	"fmt"
	"math"

	"github.com/rules-pyc/rules_pyc/compiler/native/instr"
	"github.com/rules-pyc/rules_pyc/compiler/native/opcode"
	"github.com/rules-pyc/rules_pyc/compiler/native/pyobj"
)

// none is the absent block index (CPython's NULL).
const none = -1

// instruction is a cfg_instr. It is the sequence's instruction type, so
// that the graph is made and written out by block copies: in the graph a
// label is a block index, so the Arg of an instruction with a target
// (a jump, SETUP_*) is the target block's index (CPython's i_target; its
// i_oparg, the label, is read by no pass), and Handler.Label is the
// innermost handler's block (none: no handler). Handler's start depth and
// lasti flag stay NoHandler's inside the graph (they are the handler
// block's, written out by Final and Sequence).
type instruction = instr.Instr

// noHandler is the handler of an instruction outside every try block.
var noHandler = instr.NoHandler

// block is a basicblock.
type block struct {
	instrs []instruction
	// next is the block reached by falling through (b_next), also the
	// order in which blocks are laid out.
	next int32
	// labelled is IS_LABEL(b_label): the block is a jump target or was
	// given a label by a pass.
	labelled bool
	// mark is CFG.epoch when the block is visited (b_visited): resetting
	// every block's flag is one increment of the epoch.
	mark         uint32
	handler      bool // b_except_handler
	cold, warm   bool
	lasti        bool // b_preserve_lasti
	predecessors int32
	startDepth   int32
	unsafe       uint64 // b_unsafe_locals_mask
	// scannedMask is unsafe when scan_block_for_locals last scanned the
	// block (scanned: it did).
	scannedMask uint64
	scanned     bool
	exceptStack int32 // index into CFG.stacks, none when unset
	// noNop: the block holds no NOP, so the NOP sweep can skip it. Only
	// the sweep sets it, when it leaves no NOP in the block; every pass
	// that may write a NOP into a block, or add instructions to it,
	// clears it first. A new block has it clear.
	noNop bool
	// lined: every instruction of the block has a line (line
	// propagation left it so, and no instruction was added since); false
	// says nothing. The second propagation need not look for the first
	// instruction without a line in such a block.
	lined bool
	// pushes: the block may hold a SETUP_* (Build found one in it, or a
	// block that may was copied into it); false means it holds none, so
	// only its last instruction may have a target.
	pushes bool
}

// CFG is one code unit's control-flow graph.
type CFG struct {
	o      *Optimizer
	blocks []block
	// stacks are the exception stacks of label_exception_targets.
	stacks []exceptStack
	// todo is a traversal stack of block indexes.
	todo []int32
	// seen is the union of the properties of the input's opcodes: passes
	// that provably change nothing without some opcode are skipped.
	seen props
	// epoch is the mark of a visited block (block.mark); it is never 0,
	// the mark of a block not visited since it was made or unmarked.
	epoch uint32
	// edges: since removeUnreachable last counted predecessors, a jump
	// may have been retargeted, removed or made unconditional, or a block
	// added (see optimize).
	edges bool
	// pushes: SETUP_* may be in the graph (the input had some and
	// convertPseudoOps has not run), so an instruction other than a
	// block's last may have a target.
	pushes bool
	// constIndex maps each constant of the unit's list to its first
	// index while optimize runs, once the list is past constScanMax
	// (addConst); constIndexed is how many of the list's items it holds.
	constIndex   map[*pyobj.Object]int32
	constIndexed int
	// settled: OptimizeCodeUnit skipped the second line resolution, as
	// every block that holds instructions was lined (see allLined).
	settled bool
	// unlined: a NOP sweep emptied a block of NOPs without a line since
	// removeRedundantNopsAndPairs last cleared it (see there).
	unlined bool
}

// Optimizer optimizes the code units of one compile. It holds the opcode
// table and scratch space; it is not safe for concurrent use.
type Optimizer struct {
	// Buffers, when set, gives the sequences CFG.Sequence makes storage
	// released before (see instr.Buffers).
	Buffers *instr.Buffers

	tab *opcode.Table
	p   *pyobj.Process
	// refs is the output's scratch: what a reference to each block
	// becomes (CFG.refs).
	refs []int32
	// props and effect are indexed by opcode & opMask; effect is the
	// stack effect of the opcodes whose effect does not depend on the
	// oparg or the jump (pVarEffect: ask the table).
	props  [opMask + 1]props
	effect [opMask + 1]int8
	// plain is the stack effect of the opcodes the stack depth pass only
	// adds up (known, a fixed effect, no target, execution goes on to the
	// next instruction), notPlain for the others. It and linear hold
	// int32s, which the pass adds without widening them first.
	plain [opMask + 1]int32
	// linear is the stack effect of the other opcodes the stack depth
	// pass only adds up whose effect depends on the oparg through its
	// value and its low bit alone (CALL, BUILD_*, LOAD_ATTR,
	// LOAD_GLOBAL...), so that it needs no general formula.
	linear [opMask + 1]linearEffect
	// super is what insert_superinstructions' walk does with an opcode
	// (superConst...; 0: nothing).
	super [opMask + 1]uint8
	// peep is the case of optimize_basic_block for an opcode
	// (peepBuildTuple...; 0: none).
	peep [opMask + 1]uint8
	// peepNext is, for an opcode with a case in peep, the next opcodes
	// before which its case may change something, as bits of peepNextOf
	// (nextAny: all, the end of the block too): most cases do nothing
	// unless the next instruction is one opcode or two (LOAD_GLOBAL
	// before PUSH_NULL, COMPARE_OP before TO_BOOL...).
	peepNext   [opMask + 1]uint8
	peepNextOf [opMask + 1]uint8
	// constNext are the opcodes before which a case of
	// basicblock_optimize_load_const acts (after a constant's load).
	constNext [opMask + 1]bool
	// local is what each opcode does to a fast local (localUnset...).
	local [opMask + 1]uint8
	// effects are the stack effects of the pVarEffect opcodes, without
	// and with the jump.
	effects [opMask + 1][2]opcode.Effect
	opc     ops
	// g is the graph Build makes, reused by the next Build.
	g CFG
	// arena holds the instructions of g's blocks.
	arena []instruction
	// spare is the room of the arena past the unit's instructions, from
	// which a full block that grows takes its new storage (room).
	spare []instruction
	// scratch for building graphs and remapping constants.
	blockOf []int32
	starts  []uint8
	jumps   []int32
	ints    []int
}

// Reset makes o the optimizer of another compile, whose objects are made
// in p, with no Buffers. Its tables and scratch memory are kept.
func (o *Optimizer) Reset(p *pyobj.Process) {
	o.p = p
	o.Buffers = nil
}

// props are the static properties of an opcode this package asks about.
type props uint32

// fallsThrough reports whether a block whose last instruction has these
// properties goes on to the next block (0, an empty block's, does): its
// last instruction neither leaves the scope nor jumps unconditionally.
func (p props) fallsThrough() bool { return p&(pScopeExit|pUncond) == 0 }

const (
	pJump      props = 1 << iota // OPCODE_HAS_JUMP
	pBlockPush                   // IS_BLOCK_PUSH_OPCODE (SETUP_*)
	pScopeExit                   // IS_SCOPE_EXIT_OPCODE
	pUncond                      // IS_UNCONDITIONAL_JUMP_OPCODE
	pConst                       // OPCODE_HAS_CONST
	pEvalBreak                   // OPCODE_HAS_EVAL_BREAK
	pArg                         // OPCODE_HAS_ARG
	pAssembler                   // IS_ASSEMBLER_OPCODE
	pKnown                       // an opcode of the table
	pVarEffect                   // the stack effect depends on the oparg or the jump
	pPopBlock                    // POP_BLOCK
	pCell                        // an oparg that fix_cell_offsets rewrites
	pConvert                     // a pseudo instruction convert_pseudo_ops rewrites
	pRename                      // one it makes another opcode (LOAD_CLOSURE, STORE_FAST_MAYBE_NULL)
	pUnset                       // makes a fast local maybe unset (DELETE_FAST, LOAD_FAST_AND_CLEAR, STORE_FAST_MAYBE_NULL)
	pExcept                      // an opcode label_exception_targets does more for than set its handler
	pNop                         // NOP
	// pBuild: Build does more for the opcode than copy it (a target, a
	// terminator, NOP, or no opcode of the input: unknown or an
	// assembler opcode).
	pBuild
)

// opMask covers every opcode number of 3.13 (pseudo instructions end at
// 267).
const opMask = 511

// ops are the opcodes the passes name.
type ops struct {
	nop, popTop, loadConst, returnConst, returnValue, raiseVarargs, reraise   opcode.Op
	jump, jumpNoInterrupt, jumpForward, jumpBackward, jumpBackwardNI          opcode.Op
	popJumpIfFalse, popJumpIfTrue, popJumpIfNone, popJumpIfNotNone, forIter   opcode.Op
	setupFinally, setupWith, setupCleanup, popBlock, yieldValue, resume       opcode.Op
	copy, swap, buildTuple, unpackSequence                                    opcode.Op
	storeFast, storeFastMaybeNull, loadFast, loadFastCheck, loadFastAndClear  opcode.Op
	deleteFast, loadGlobal, pushNull, compareOp, toBool, containsOp, isOp     opcode.Op
	unaryNot, loadFastLoadFast, storeFastLoadFast, storeFastStoreFast         opcode.Op
	makeCell, loadClosure, loadDeref, storeDeref, deleteDeref, loadFromDictOr opcode.Op
	copyFreeVars, returnGenerator, call, callFunctionEx, callKw               opcode.Op
}

// New returns an optimizer for the opcode table tab (3.13's) that makes
// new constants in p.
func New(tab *opcode.Table, p *pyobj.Process) (*Optimizer, error) {
	if tab == nil || tab.Version != "3.13" {
		return nil, fmt.Errorf("no optimizer for opcode table %v", tab)
	}
	o := &Optimizer{tab: tab, p: p}
	var missing []string
	look := func(name string) opcode.Op {
		op, ok := tab.Lookup(name)
		if !ok {
			missing = append(missing, name)
		}
		return op
	}
	o.opc = ops{
		nop: look("NOP"), popTop: look("POP_TOP"), loadConst: look("LOAD_CONST"),
		returnConst: look("RETURN_CONST"), returnValue: look("RETURN_VALUE"),
		raiseVarargs: look("RAISE_VARARGS"), reraise: look("RERAISE"),
		jump: look("JUMP"), jumpNoInterrupt: look("JUMP_NO_INTERRUPT"),
		jumpForward: look("JUMP_FORWARD"), jumpBackward: look("JUMP_BACKWARD"),
		jumpBackwardNI: look("JUMP_BACKWARD_NO_INTERRUPT"),
		popJumpIfFalse: look("POP_JUMP_IF_FALSE"), popJumpIfTrue: look("POP_JUMP_IF_TRUE"),
		popJumpIfNone: look("POP_JUMP_IF_NONE"), popJumpIfNotNone: look("POP_JUMP_IF_NOT_NONE"),
		forIter:      look("FOR_ITER"),
		setupFinally: look("SETUP_FINALLY"), setupWith: look("SETUP_WITH"), setupCleanup: look("SETUP_CLEANUP"),
		popBlock: look("POP_BLOCK"), yieldValue: look("YIELD_VALUE"), resume: look("RESUME"),
		copy: look("COPY"), swap: look("SWAP"), buildTuple: look("BUILD_TUPLE"),
		unpackSequence: look("UNPACK_SEQUENCE"),
		storeFast:      look("STORE_FAST"), storeFastMaybeNull: look("STORE_FAST_MAYBE_NULL"),
		loadFast: look("LOAD_FAST"), loadFastCheck: look("LOAD_FAST_CHECK"),
		loadFastAndClear: look("LOAD_FAST_AND_CLEAR"), deleteFast: look("DELETE_FAST"),
		loadGlobal: look("LOAD_GLOBAL"), pushNull: look("PUSH_NULL"), compareOp: look("COMPARE_OP"),
		toBool: look("TO_BOOL"), containsOp: look("CONTAINS_OP"), isOp: look("IS_OP"),
		unaryNot: look("UNARY_NOT"), loadFastLoadFast: look("LOAD_FAST_LOAD_FAST"),
		storeFastLoadFast: look("STORE_FAST_LOAD_FAST"), storeFastStoreFast: look("STORE_FAST_STORE_FAST"),
		makeCell: look("MAKE_CELL"), loadClosure: look("LOAD_CLOSURE"), loadDeref: look("LOAD_DEREF"),
		storeDeref: look("STORE_DEREF"), deleteDeref: look("DELETE_DEREF"),
		loadFromDictOr: look("LOAD_FROM_DICT_OR_DEREF"), copyFreeVars: look("COPY_FREE_VARS"),
		returnGenerator: look("RETURN_GENERATOR"), call: look("CALL"),
		callFunctionEx: look("CALL_FUNCTION_EX"), callKw: look("CALL_KW"),
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("opcode table %s lacks %v", tab.Version, missing)
	}
	if tab.Len() > opMask+1 {
		return nil, fmt.Errorf("opcode table %s has opcodes above %d", tab.Version, opMask)
	}
	for i := 0; i < tab.Len(); i++ {
		op := opcode.Op(i)
		if tab.Name(op) == "" {
			continue
		}
		p := pKnown
		e0, ok0 := tab.StackEffect(op, 0, false)
		e1, ok1 := tab.StackEffect(op, 0, true)
		in := tab.Info(op)
		if !ok0 || !ok1 || e0 != e1 || in.NoJump != in.Jump || in.NoJump.Mul|in.NoJump.And1|in.NoJump.Lo8|in.NoJump.Hi8|in.NoJump.Eq3 != 0 {
			p |= pVarEffect
			o.effects[i] = [2]opcode.Effect{in.NoJump, in.Jump}
		} else {
			o.effect[i] = int8(e0)
		}
		if tab.Has(op, opcode.HasJump) {
			p |= pJump
		}
		if tab.Has(op, opcode.HasConst) {
			p |= pConst
		}
		if tab.Has(op, opcode.HasArg) {
			p |= pArg
		}
		o.props[i] = p
	}
	set := func(p props, list ...opcode.Op) {
		for _, op := range list {
			o.props[op] |= p
		}
	}
	c := &o.opc
	set(pBlockPush, c.setupFinally, c.setupWith, c.setupCleanup)
	set(pScopeExit, c.returnValue, c.returnConst, c.raiseVarargs, c.reraise)
	set(pUncond, c.jump, c.jumpNoInterrupt, c.jumpForward, c.jumpBackward, c.jumpBackwardNI)
	set(pAssembler, c.jumpForward, c.jumpBackward, c.jumpBackwardNI)
	// HAS_EVAL_BREAK_FLAG in pycore_opcode_metadata.h, for the opcodes the
	// compiler emits (the specialized and instrumented forms never reach
	// it); no Python module exposes this flag.
	set(pEvalBreak, c.call, c.callFunctionEx, c.callKw, c.jumpBackward, c.resume, c.jump)
	set(pPopBlock, c.popBlock)
	set(pNop, c.nop)
	set(pCell, c.makeCell, c.loadClosure, c.loadDeref, c.storeDeref, c.deleteDeref, c.loadFromDictOr)
	set(pConvert, c.setupFinally, c.setupWith, c.setupCleanup, c.loadClosure, c.storeFastMaybeNull)
	set(pRename, c.loadClosure, c.storeFastMaybeNull)
	set(pUnset, c.deleteFast, c.loadFastAndClear, c.storeFastMaybeNull)
	for _, op := range []opcode.Op{c.deleteFast, c.loadFastAndClear, c.storeFastMaybeNull} {
		o.local[op] = localUnset
	}
	o.local[c.storeFast] = localSet
	o.local[c.loadFastCheck] = localSet
	o.local[c.loadFast] = localLoad
	set(pExcept, c.setupFinally, c.setupWith, c.setupCleanup, c.popBlock, c.yieldValue, c.resume)
	for op, p := range o.props {
		if p&pJump != 0 {
			o.props[op] |= pExcept
		}
		if p&(pJump|pScopeExit|pBlockPush|pNop|pAssembler) != 0 || p&pKnown == 0 {
			o.props[op] |= pBuild
		}
	}
	peep := func(k uint8, list ...opcode.Op) {
		for _, op := range list {
			o.peep[op] = k
		}
	}
	peep(peepBuildTuple, c.buildTuple)
	peep(peepCondJump, c.popJumpIfNotNone, c.popJumpIfNone, c.popJumpIfFalse, c.popJumpIfTrue)
	peep(peepJump, c.jump, c.jumpNoInterrupt)
	peep(peepStoreFast, c.storeFast)
	peep(peepSwap, c.swap)
	peep(peepLoadGlobal, c.loadGlobal)
	peep(peepCompareOp, c.compareOp)
	peep(peepContainsOrIs, c.containsOp, c.isOp)
	peep(peepToBool, c.toBool)
	peep(peepUnaryNot, c.unaryNot)
	// Every opcode, and the end of the block, is nextAny.
	for op := range o.peepNextOf {
		o.peepNextOf[op] = nextAny
	}
	o.peepNextOf[c.toBool] |= nextToBool
	o.peepNextOf[c.unaryNot] |= nextUnaryNot
	o.peepNextOf[c.pushNull] |= nextPushNull
	o.peepNextOf[c.storeFast] |= nextStoreFast
	for op, k := range o.peep {
		switch k {
		case peepStoreFast:
			o.peepNext[op] = nextStoreFast
		case peepLoadGlobal:
			o.peepNext[op] = nextPushNull
		case peepCompareOp, peepContainsOrIs, peepToBool:
			o.peepNext[op] = nextToBool
		case peepUnaryNot:
			o.peepNext[op] = nextToBool | nextUnaryNot
		case 0:
		default:
			o.peepNext[op] = nextAny
		}
	}
	for op, p := range o.props {
		o.plain[op] = notPlain
		if p&(pKnown|pVarEffect|pJump|pBlockPush|pUncond|pScopeExit) == pKnown {
			o.plain[op] = int32(o.effect[op])
		}
	}
	for op, p := range o.props {
		e := &o.effects[op][0]
		if p&(pKnown|pVarEffect|pJump|pBlockPush|pUncond|pScopeExit) == pKnown|pVarEffect &&
			e.Valid && e.Lo8|e.Hi8|e.Eq3 == 0 {
			o.linear[op] = linearEffect{c: int32(e.Const), mul: int32(e.Mul), and1: int32(e.And1), ok: true}
		}
	}
	for op, p := range o.props {
		if p&pConst != 0 {
			o.super[op] = superConst
		}
	}
	for _, op := range []opcode.Op{c.popJumpIfFalse, c.popJumpIfTrue, c.isOp, c.returnValue, c.toBool} {
		o.constNext[op] = true
	}
	o.super[c.loadFast] = superLoadFast
	o.super[c.storeFast] = superStoreFast
	return o, nil
}

// The cases of optimize_basic_block (Optimizer.peep): a switch on these
// constants is a jump table, where one on the opcodes (variables) is a
// chain of comparisons.
const (
	peepBuildTuple = 1 + iota
	peepCondJump
	peepJump
	peepStoreFast
	peepSwap
	peepLoadGlobal
	peepCompareOp
	peepContainsOrIs
	peepToBool
	peepUnaryNot
)

// The bits of Optimizer.peepNextOf: nextAny is every opcode's, the others
// name the opcodes the cases of optimize_basic_block look for after
// theirs.
const (
	nextAny = 1 << iota
	nextToBool
	nextUnaryNot
	nextPushNull
	nextStoreFast
)

// What insert_superinstructions' walk does with an opcode
// (Optimizer.super): mark the constant it loads as used, or look for a
// superinstruction starting with it.
const (
	superConst = 1 + iota
	superLoadFast
	superStoreFast
)

// linearEffect is an opcode's stack effect c + mul*oparg + and1*(oparg&1)
// (Optimizer.linear); ok is false for the opcodes whose effect is not.
type linearEffect struct {
	c, mul, and1 int32
	ok           bool
}

// notPlain marks the opcodes of Optimizer.plain that are not (no stack
// effect of 3.13 is this low).
const notPlain = math.MinInt32

func (o *Optimizer) has(op opcode.Op, p props) bool {
	return o.props[op&opMask]&p != 0
}

// stackEffect is the stack effect CPython's compiler gives op.
func (o *Optimizer) stackEffect(op opcode.Op, arg int32, jump bool) (int32, bool) {
	p := o.props[op&opMask]
	if p&(pVarEffect|pKnown) == pKnown {
		return int32(o.effect[op&opMask]), true
	}
	if op > opMask || p&pKnown == 0 {
		return 0, false
	}
	j := 0
	if jump {
		j = 1
	}
	e := &o.effects[op][j]
	if !e.Valid {
		return 0, false
	}
	return effectOf(e, arg), true
}

// effectOf is e.Of(arg), for the optimizer's loops.
func effectOf(e *opcode.Effect, arg int32) int32 {
	n := int32(e.Const) + int32(e.Mul)*arg + int32(e.And1)*(arg&1) + int32(e.Lo8)*(arg&0xFF) + int32(e.Hi8)*(arg>>8)
	if arg == 3 {
		n += int32(e.Eq3)
	}
	return n
}

func (o *Optimizer) isJump(op opcode.Op) bool      { return o.has(op, pJump) }
func (o *Optimizer) isBlockPush(op opcode.Op) bool { return o.has(op, pBlockPush) }
func (o *Optimizer) hasTarget(op opcode.Op) bool   { return o.has(op, pJump|pBlockPush) }
func (o *Optimizer) isScopeExit(op opcode.Op) bool { return o.has(op, pScopeExit) }
func (o *Optimizer) isUncond(op opcode.Op) bool    { return o.has(op, pUncond) }

// last returns b's last instruction, or nil.
func (b *block) last() *instruction {
	if n := len(b.instrs); n > 0 {
		return &b.instrs[n-1]
	}
	return nil
}

// noFallthrough is BB_NO_FALLTHROUGH.
func (g *CFG) noFallthrough(b *block) bool {
	l := b.last()
	return l != nil && g.o.has(l.Op, pScopeExit|pUncond)
}

func (g *CFG) hasFallthrough(b *block) bool { return !g.noFallthrough(b) }

// lastOf returns b's last instruction (nil: none) and its properties
// from props (0 for none: an empty block falls through and has no jump),
// for the walks of every block: what b.last, hasFallthrough and isJump
// tell, with the table through a pointer the walk takes once (each of
// those loads and checks the optimizer, and finds the last instruction,
// again).
func lastOf(props *[opMask + 1]props, b *block) (*instruction, props) {
	n := len(b.instrs)
	if n == 0 {
		return nil, 0
	}
	l := &b.instrs[n-1]
	return l, props[l.Op&opMask]
}

// exitsScope is basicblock_exits_scope.
func (g *CFG) exitsScope(b *block) bool {
	l := b.last()
	return l != nil && g.o.isScopeExit(l.Op)
}

// hasEvalBreak is basicblock_has_eval_break.
func (g *CFG) hasEvalBreak(b *block) bool {
	ins := b.instrs
	for i := range ins {
		if g.o.props[ins[i].Op&opMask]&pEvalBreak != 0 {
			return true
		}
	}
	return false
}

// hasNoLineno is basicblock_has_no_lineno.
func hasNoLineno(b *block) bool {
	ins := b.instrs
	for i := range ins {
		if ins[i].Loc.Line >= 0 {
			return false
		}
	}
	return true
}

// newBlock appends an empty block and returns its index.
func (g *CFG) newBlock() int32 {
	g.edges = true
	g.blocks = append(g.blocks, block{next: none, exceptStack: none, startDepth: 0})
	return int32(len(g.blocks) - 1)
}

// nextNonEmpty is next_nonempty_block.
func (g *CFG) nextNonEmpty(b int32) int32 {
	for b != none && len(g.blocks[b].instrs) == 0 {
		b = g.blocks[b].next
	}
	return b
}

// addop is basicblock_addop: the new instruction has no target and no
// handler (CPython's fresh array slots are zeroed).
func (g *CFG) addop(b int32, op opcode.Op, arg int32, loc instr.Location) {
	bb := &g.blocks[b]
	bb.noNop, bb.lined = false, false
	g.room(bb, 1)
	bb.instrs = append(bb.instrs, instruction{Op: op, Arg: arg, Loc: loc, Handler: noHandler})
}

// room makes room in b for extra more instructions: a full block moves
// to storage taken from the arena's spare room (new storage when that is
// used up), with twice what it needs, as append would grow it.
func (g *CFG) room(b *block, extra int) {
	ins := b.instrs
	if cap(ins)-len(ins) >= extra {
		return
	}
	n := 2 * (len(ins) + extra)
	o := g.o
	if len(o.spare) < n {
		o.spare = make([]instruction, max(n, 256))
	}
	grown := o.spare[:len(ins):n]
	o.spare = o.spare[n:]
	copy(grown, ins)
	b.instrs = grown
}

// addJump is basicblock_add_jump.
func (g *CFG) addJump(b int32, op opcode.Op, target int32, loc instr.Location) error {
	g.edges = true
	if l := g.blocks[b].last(); l != nil && g.o.isJump(l.Op) {
		return fmt.Errorf("jump added after a jump")
	}
	bb := &g.blocks[b]
	bb.noNop, bb.lined = false, false
	g.room(bb, 1)
	bb.instrs = append(bb.instrs, instruction{Op: op, Arg: target, Loc: loc, Handler: noHandler})
	return nil
}

// resetVisited is the first half of make_cfg_traversal_stack: no block
// is visited afterwards. CPython clears the flag of the blocks in the
// b_next list, which holds every block of the graph here (passes insert
// blocks into it and reorder it, but never drop one), so a new epoch is
// the same.
func (g *CFG) resetVisited() {
	g.epoch++
}

// Build makes the graph of an instruction sequence as code generation
// wrote it (compile.c instr_sequence_to_cfg): a new block starts at every
// jump or handler target and after every jump, return or raise. The graph
// reuses the memory of the previous one: it is valid until the next Build.
func (o *Optimizer) Build(seq *instr.Sequence) (*CFG, error) {
	// One array holds every instruction; a block's slice has no spare
	// capacity, so appending to it moves it out of the array.
	n := len(seq.Instrs)
	if cap(o.arena) < n {
		o.arena = make([]instruction, n+n/2)
	}
	arena := o.arena[:n]
	copy(arena, seq.Instrs)
	o.spare = o.arena[n:cap(o.arena)]
	return o.build(seq, arena)
}

// buildOwned is Build on seq's own storage, which holds the graph's
// instructions: seq's instructions must not be used afterwards (the
// unit's stage replaces or drops them), and the copy is saved. The
// arena's storage is then all spare room.
func (o *Optimizer) buildOwned(seq *instr.Sequence) (*CFG, error) {
	if n := len(seq.Instrs) / 2; cap(o.arena) < n {
		o.arena = make([]instruction, n+n/2)
	}
	o.spare = o.arena[:cap(o.arena)]
	return o.build(seq, seq.Instrs)
}

// build is Build on arena, which holds seq's instructions.
func (o *Optimizer) build(seq *instr.Sequence, arena []instruction) (*CFG, error) {
	n := len(arena)
	if cap(o.starts) < n {
		o.starts = make([]uint8, n)
		o.blockOf = make([]int32, n)
	}
	// starts marks where a block may start: at a jump or handler target
	// (startLabel) and after a jump, return or raise (startAfter).
	starts := o.starts[:n]
	clear(starts)
	// jumps are the indexes of the instructions with a target.
	jumps := o.jumps[:0]
	var seen props
	// One walk validates the instructions, drops any handler (code
	// generation's input has none: the graph computes them) and finds
	// the block boundaries. The errors read the opcode again (d.Op): with
	// op live into them, the walk stored it on the stack at every
	// instruction.
	nh := noHandler
	for i := range arena {
		d := &arena[i]
		op := d.Op
		if op > opMask {
			return nil, badOpcode(i, d.Op)
		}
		p := o.props[op]
		seen |= p
		d.Handler = nh
		if p&pBuild == 0 {
			continue
		}
		if p&(pKnown|pAssembler) != pKnown {
			return nil, badOpcode(i, d.Op)
		}
		if p&(pJump|pScopeExit) != 0 && i+1 < n {
			starts[i+1] |= startAfter
		}
		if p&(pJump|pBlockPush) == 0 {
			if p&pNop != 0 {
				starts[i] |= startNop
			}
			continue
		}
		if p&pBlockPush != 0 {
			starts[i] |= startPush
		}
		t := seq.Placed(instr.Label(d.Arg))
		if t < 0 {
			_, err := seq.Index(instr.Label(d.Arg))
			return nil, fmt.Errorf("instruction %d (%s): %w", i, o.tab.Name(d.Op), err)
		}
		if t >= n {
			return nil, fmt.Errorf("instruction %d (%s) jumps to the end of the code", i, o.tab.Name(d.Op))
		}
		starts[t] |= startLabel
		d.Arg = int32(t)
		jumps = append(jumps, int32(i))
	}
	o.jumps = jumps
	g := &o.g
	g.seen = seen
	g.pushes = seen&pBlockPush != 0
	g.settled = false
	g.o = o
	g.blocks = g.blocks[:0]
	g.epoch = 1
	blockOf := o.blockOf[:n]
	// cfg_builder_maybe_start_new_block, as both UseLabel and Addop call
	// it: the first block takes a label at the first instruction; after
	// that a block is never empty where a new one may start, so it ends
	// at every label and after every terminator, and the new block is
	// labelled when it starts at a label.
	cur := g.newBlock()
	start := 0
	if n > 0 && starts[0]&startLabel != 0 {
		g.blocks[cur].labelled = true
		blockOf[0] = cur
	}
	// A block without NOP is marked so (noNop), a block with SETUP_* too
	// (pushes).
	hasNop := n > 0 && starts[0]&startNop != 0
	hasPush := n > 0 && starts[0]&startPush != 0
	for i := 1; i < n; i++ {
		s := starts[i]
		if s == 0 {
			continue
		}
		if s&(startLabel|startAfter) == 0 {
			hasNop = hasNop || s&startNop != 0
			hasPush = hasPush || s&startPush != 0
			continue
		}
		g.blocks[cur].instrs = arena[start:i:i]
		g.blocks[cur].noNop = !hasNop
		g.blocks[cur].pushes = hasPush
		hasNop = s&startNop != 0
		hasPush = s&startPush != 0
		start = i
		nb := g.newBlock()
		g.blocks[nb].labelled = s&startLabel != 0
		g.blocks[cur].next = nb
		cur = nb
		// Only jump targets, which start blocks, are looked up.
		blockOf[i] = cur
	}
	g.blocks[cur].instrs = arena[start:n:n]
	g.blocks[cur].noNop = !hasNop
	g.blocks[cur].pushes = hasPush
	// translate_jump_labels_to_targets: each jump's oparg is already the
	// index of its target.
	for _, i := range jumps {
		in := &arena[i]
		in.Arg = blockOf[in.Arg]
	}
	return g, nil
}

// badOpcode is build's error for an opcode no input has.
func badOpcode(i int, op opcode.Op) error {
	return fmt.Errorf("instruction %d: opcode %d can't be in a code unit's input", i, op)
}

// Block boundaries in Optimizer.starts.
const (
	startLabel uint8 = 1 << iota
	startAfter
	// startNop and startPush are no block starts: the instruction is a
	// NOP, a SETUP_*.
	startNop
	startPush
)
