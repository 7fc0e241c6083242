package flowgraph

import (
	"errors"
	"fmt"
	"math"

	"github.com/rules-pyc/rules_pyc/compiler/native/instr"
	"github.com/rules-pyc/rules_pyc/compiler/native/pyobj"
)

// Code flags (Include/cpython/code.h) that decide the prologue.
const (
	coGenerator      = 0x20
	coCoroutine      = 0x80
	coAsyncGenerator = 0x200
)

// errInconsistentDepth is stackdepthPush's error, a variable so that
// the function is small enough to be inlined.
var errInconsistentDepth = errors.New("invalid CFG, inconsistent stackdepth")

// stackdepthPush is stackdepth_push.
func (g *CFG) stackdepthPush(bi int32, depth int32) error {
	b := &g.blocks[bi]
	if !(b.startDepth < 0 || b.startDepth == depth) {
		return errInconsistentDepth
	}
	if b.startDepth < depth && b.startDepth < 100 {
		b.startDepth = depth
		g.todo = append(g.todo, bi)
	}
	return nil
}

// stackDepth is calculate_stackdepth: the largest stack any path needs.
// It also records each block's depth at entry, which the exception
// handlers of the output carry.
func (g *CFG) stackDepth() (int32, error) {
	o := g.o
	// Every block is in the list (see resetVisited): the order of the
	// resets does not matter.
	for i := range g.blocks {
		g.blocks[i].startDepth = math.MinInt32
	}
	g.todo = g.todo[:0]
	if err := g.stackdepthPush(0, 0); err != nil {
		return 0, err
	}
	maxDepth := int32(0)
	// The tables through pointers of their own: through o, the loop
	// checked o for nil at every instruction.
	plain, linear := &o.plain, &o.linear
	for len(g.todo) > 0 {
		bi := g.todo[len(g.todo)-1]
		g.todo = g.todo[:len(g.todo)-1]
		b := &g.blocks[bi]
		depth, next, ins := b.startDepth, b.next, b.instrs
		for i := range ins {
			in := &ins[i]
			op := in.Op & opMask
			// Most instructions only add their effect.
			if e := plain[op]; e != notPlain {
				depth += e
				if depth < 0 {
					return 0, fmt.Errorf("invalid CFG, stack underflow")
				}
				maxDepth = max(maxDepth, depth)
				continue
			}
			if l := linear[op]; l.ok {
				depth += l.c + l.mul*in.Arg + l.and1*(in.Arg&1)
				if depth < 0 {
					return 0, fmt.Errorf("invalid CFG, stack underflow")
				}
				maxDepth = max(maxDepth, depth)
				continue
			}
			p := o.props[op]
			// The effect of most opcodes is a constant of the table.
			var effect int32
			if p&(pVarEffect|pKnown) == pKnown {
				effect = int32(o.effect[op])
			} else {
				e := &o.effects[op][0]
				if p&pKnown == 0 || !e.Valid {
					return 0, fmt.Errorf("invalid stack effect for opcode=%d, arg=%d", in.Op, in.Arg)
				}
				effect = effectOf(e, in.Arg)
			}
			newDepth := depth + effect
			if newDepth < 0 {
				return 0, fmt.Errorf("invalid CFG, stack underflow")
			}
			maxDepth = max(maxDepth, newDepth)
			if p&(pJump|pBlockPush) != 0 {
				effect, ok := o.stackEffect(in.Op, in.Arg, true)
				if !ok {
					return 0, fmt.Errorf("invalid stack effect for opcode=%d, arg=%d", in.Op, in.Arg)
				}
				targetDepth := depth + effect
				maxDepth = max(maxDepth, targetDepth)
				if err := g.stackdepthPush(in.Arg, targetDepth); err != nil {
					return 0, err
				}
			}
			depth = newDepth
			if p&(pUncond|pScopeExit) != 0 {
				next = none
				break
			}
		}
		if next != none {
			if err := g.stackdepthPush(next, depth); err != nil {
				return 0, err
			}
		}
	}
	return maxDepth, nil
}

// markWarm is mark_warm: the blocks reached from the entry without an
// exception.
func (g *CFG) markWarm() {
	g.resetVisited()
	stack := g.todo[:0]
	stack = append(stack, 0)
	g.blocks[0].mark = g.epoch
	props := &g.o.props
	for len(stack) > 0 {
		bi := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		b := &g.blocks[bi]
		b.warm = true
		in, p := lastOf(props, b)
		if b.next != none && p.fallsThrough() && g.blocks[b.next].mark != g.epoch {
			g.blocks[b.next].mark = g.epoch
			stack = append(stack, b.next)
		}
		// A jump is always its block's last instruction.
		if p&pJump != 0 && g.blocks[in.Arg].mark != g.epoch {
			g.blocks[in.Arg].mark = g.epoch
			stack = append(stack, in.Arg)
		}
	}
	g.todo = stack
}

// markCold is mark_cold: the blocks reached only through exception
// handlers.
func (g *CFG) markCold() {
	g.markWarm()
	g.resetVisited()
	stack := g.todo[:0]
	blocks := g.blocks
	for bi := int32(0); bi != none; bi = blocks[bi].next {
		if blocks[bi].handler {
			stack = append(stack, bi)
			blocks[bi].mark = g.epoch
		}
	}
	props := &g.o.props
	for len(stack) > 0 {
		bi := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		b := &g.blocks[bi]
		b.cold = true
		in, p := lastOf(props, b)
		if b.next != none && p.fallsThrough() {
			n := &g.blocks[b.next]
			if !n.warm && n.mark != g.epoch {
				n.mark = g.epoch
				stack = append(stack, b.next)
			}
		}
		// A jump is always its block's last instruction.
		if p&pJump != 0 {
			t := &g.blocks[in.Arg]
			if !t.warm && t.mark != g.epoch {
				t.mark = g.epoch
				stack = append(stack, in.Arg)
			}
		}
	}
	g.todo = stack
}

// pushColdBlocksToEnd is push_cold_blocks_to_end.
func (g *CFG) pushColdBlocksToEnd() error {
	if g.blocks[0].next == none {
		return nil
	}
	g.markCold()
	// A cold block that falls through into a warm one gets an explicit
	// jump.
	for bi := int32(0); bi != none; bi = g.blocks[bi].next {
		b := &g.blocks[bi]
		if !b.cold || !g.hasFallthrough(b) || b.next == none || !g.blocks[b.next].warm {
			continue
		}
		next := b.next
		ji := g.newBlock()
		g.blocks[next].labelled = true
		g.addop(ji, g.o.opc.jumpNoInterrupt, 0, instr.NoLocation)
		j := &g.blocks[ji]
		j.instrs[0].Arg = next
		j.cold = true
		j.next = next
		j.predecessors = 1
		g.blocks[bi].next = ji
	}
	if g.blocks[0].cold {
		return fmt.Errorf("the entry block is cold")
	}
	coldHead, coldTail := int32(none), int32(none)
	b := int32(0)
	for g.blocks[b].next != none {
		for g.blocks[b].next != none && !g.blocks[g.blocks[b].next].cold {
			b = g.blocks[b].next
		}
		if g.blocks[b].next == none {
			break
		}
		// g.blocks[b].next starts a run of cold blocks.
		end := g.blocks[b].next
		for g.blocks[end].next != none && g.blocks[g.blocks[end].next].cold {
			end = g.blocks[end].next
		}
		if coldHead == none {
			coldHead = g.blocks[b].next
		} else {
			g.blocks[coldTail].next = g.blocks[b].next
		}
		coldTail = end
		g.blocks[b].next = g.blocks[end].next
		g.blocks[end].next = none
	}
	g.blocks[b].next = coldHead
	if coldHead != none {
		return g.removeRedundantNopsAndJumps()
	}
	return nil
}

// convertPseudoOps is convert_pseudo_ops. Its walk also makes the
// opargs of cell and free variables localsplus indexes (fixed[oparg]),
// when cells is set, which is the walk of fix_cell_offsets: that pass
// runs right before this one, and each instruction is changed by one of
// them only, but for LOAD_CLOSURE, whose oparg is fixed first.
func (g *CFG) convertPseudoOps(fixed []int32, cells bool) error {
	c := &g.o.opc
	// No pass makes the pseudo instructions converted here: without them
	// in the input there is nothing to convert.
	// Without LOAD_CLOSURE and STORE_FAST_MAYBE_NULL only SETUP_* are
	// converted, and only the blocks that may hold one need a look.
	var want props
	if g.seen&pConvert != 0 {
		want |= pConvert
	}
	if cells {
		want |= pCell
	}
	every := cells || g.seen&pRename != 0
	blocks := g.blocks
	// The table through a pointer of its own (see stackDepth).
	props := &g.o.props
	for bi := int32(0); bi != none && want != 0; bi = blocks[bi].next {
		if !every && !blocks[bi].pushes {
			continue
		}
		ins := blocks[bi].instrs
		for i := range ins {
			in := &ins[i]
			p := props[in.Op&opMask]
			if p&want == 0 {
				continue
			}
			if p&want&pCell != 0 {
				if in.Arg < 0 || int(in.Arg) >= len(fixed) {
					return fmt.Errorf("%s oparg %d: the unit has %d cell and free variables", g.o.tab.Name(in.Op), in.Arg, len(fixed))
				}
				in.Arg = fixed[in.Arg]
			}
			if p&want&pConvert == 0 {
				continue
			}
			switch {
			case p&pBlockPush != 0:
				in.Op, in.Arg = c.nop, 0
				blocks[bi].noNop = false
			case in.Op == c.loadClosure:
				in.Op = c.loadFast
			case in.Op == c.storeFastMaybeNull:
				in.Op = c.storeFast
			}
		}
	}
	g.pushes = false
	if g.seen&pBlockPush == 0 && g.settled {
		// The graph is still the fixed point of the NOP and jump sweeps
		// that optimize_cfg left, but for the prologue in the entry
		// block: in a unit without SETUP_*, only the superinstructions'
		// NOPs and the second line resolution changed it since, and
		// insert_superinstructions ends with a NOP sweep (after which
		// CPython asserts no_redundant_nops) that empties no block (a
		// superinstruction's NOP follows its first half), while the
		// line resolution was skipped as a no-op (settled). The
		// prologue's instructions (never NOPs) may make a NOP of the
		// entry block redundant; the entry block is no other block's
		// next and stays non-empty, so no other sweep's decision
		// changes.
		if !blocks[0].noNop {
			g.removeRedundantNopsIn(0)
		}
		return nil
	}
	return g.removeRedundantNopsAndJumps()
}

// normalizeJumps is normalize_jumps: a conditional jump backwards becomes
// the reversed jump over an unconditional jump backwards.
func (g *CFG) normalizeJumps() error {
	c := &g.o.opc
	g.resetVisited()
	blocks := g.blocks
	props := &g.o.props
	for bi := int32(0); bi != none; bi = blocks[bi].next {
		blocks[bi].mark = g.epoch
		l, p := lastOf(props, &blocks[bi])
		if p&(pJump|pUncond) != pJump {
			continue
		}
		if blocks[l.Arg].mark != g.epoch {
			continue // forward
		}
		var reversed = l.Op
		switch l.Op {
		case c.popJumpIfNotNone:
			reversed = c.popJumpIfNone
		case c.popJumpIfNone:
			reversed = c.popJumpIfNotNone
		case c.popJumpIfFalse:
			reversed = c.popJumpIfTrue
		case c.popJumpIfTrue:
			reversed = c.popJumpIfFalse
		default:
			return fmt.Errorf("%s jumps backwards", g.o.tab.Name(l.Op))
		}
		if g.blocks[bi].next == none {
			return fmt.Errorf("%s at the end of the code", g.o.tab.Name(l.Op))
		}
		target, loc := l.Arg, l.Loc
		ji := g.newBlock()
		// newBlock may have moved the blocks.
		blocks = g.blocks
		if err := g.addJump(ji, c.jump, target, loc); err != nil {
			return err
		}
		b := &blocks[bi]
		l = b.last()
		l.Op = reversed
		l.Arg = b.next
		j := &g.blocks[ji]
		j.cold = b.cold
		j.next = b.next
		b.next = ji
	}
	return nil
}

// cellFixedOffsets is build_cellfixedoffsets: the localsplus index of each
// cell and free variable, where a cell that is also a parameter or local
// shares the local's slot.
func cellFixedOffsets(meta *instr.Metadata) []int32 {
	nlocals := len(meta.VarNames)
	ncells := len(meta.CellVars)
	if ncells+len(meta.FreeVars) == 0 {
		return nil
	}
	fixed := make([]int32, ncells+len(meta.FreeVars))
	meta.CellLocals(fixed)
	for i := range fixed {
		if i >= ncells || fixed[i] < 0 {
			fixed[i] = int32(nlocals + i)
		}
	}
	return fixed
}

// insertInstruction is basicblock_insert_instruction.
func (g *CFG) insertInstruction(bi int32, pos int, in instruction) {
	b := &g.blocks[bi]
	b.noNop, b.lined = false, false
	g.room(b, 1)
	b.instrs = append(b.instrs, instruction{})
	copy(b.instrs[pos+1:], b.instrs[pos:])
	b.instrs[pos] = in
}

// insertInstructions puts ins at pos in block bi, in order: what
// insertInstruction of each at pos, pos+1, ... does, with one shift of the
// block's tail instead of one per instruction.
func (g *CFG) insertInstructions(bi int32, pos int, ins []instruction) {
	if len(ins) == 0 {
		return
	}
	b := &g.blocks[bi]
	b.noNop, b.lined = false, false
	g.room(b, len(ins))
	n := len(b.instrs)
	b.instrs = b.instrs[:n+len(ins)]
	copy(b.instrs[pos+len(ins):], b.instrs[pos:n])
	copy(b.instrs[pos:], ins)
}

// insertPrefixInstructions is insert_prefix_instructions: RETURN_GENERATOR
// and POP_TOP for generators and coroutines, MAKE_CELL for each cell in
// localsplus order, COPY_FREE_VARS.
func (g *CFG) insertPrefixInstructions(meta *instr.Metadata, fixed []int32, flags int32) error {
	c := &g.o.opc
	if meta.FirstLineNo <= 0 {
		return fmt.Errorf("first line %d is not positive", meta.FirstLineNo)
	}
	if flags&(coGenerator|coCoroutine|coAsyncGenerator) != 0 {
		loc := instr.Location{Line: meta.FirstLineNo, EndLine: meta.FirstLineNo, Col: -1, EndCol: -1}
		g.insertInstruction(0, 0, instruction{Op: c.returnGenerator, Loc: loc, Handler: noHandler})
		g.insertInstruction(0, 1, instruction{Op: c.popTop, Loc: loc, Handler: noHandler})
	}
	ncells := len(meta.CellVars)
	if ncells > 0 {
		sorted := make([]int32, ncells+len(meta.VarNames))
		for i := 0; i < ncells; i++ {
			if int(fixed[i]) >= len(sorted) {
				return fmt.Errorf("cell %d has offset %d", i, fixed[i])
			}
			sorted[fixed[i]] = int32(i + 1)
		}
		// The MAKE_CELLs go in before the block's first instruction in
		// one shift: CPython inserts them one at a time, which is
		// quadratic in the number of cells (a function with thousands of
		// variables its nested functions use).
		cells := make([]instruction, 0, ncells)
		for i := 0; len(cells) < ncells && i < len(sorted); i++ {
			old := sorted[i] - 1
			if old == -1 {
				continue
			}
			cells = append(cells, instruction{Op: c.makeCell, Arg: old, Loc: instr.NoLocation, Handler: noHandler})
		}
		g.insertInstructions(0, 0, cells)
	}
	if n := len(meta.FreeVars); n > 0 {
		g.insertInstruction(0, 0, instruction{Op: c.copyFreeVars, Arg: int32(n), Loc: instr.NoLocation, Handler: noHandler})
	}
	return nil
}

// fixCellOffsets is fix_cell_offsets but for its walk, which
// convertPseudoOps does: fixed becomes the localsplus index of each cell
// and free variable. It returns the number of cells that share a local's
// slot, and whether any oparg needs fixing.
func (g *CFG) fixCellOffsets(meta *instr.Metadata, fixed []int32) (int, bool) {
	nlocals := int32(len(meta.VarNames))
	dropped := int32(0)
	for i := range fixed {
		if fixed[i] == int32(i)+nlocals {
			fixed[i] -= dropped
		} else {
			dropped++
		}
	}
	// Without cell or free variable opargs in the input, and no
	// MAKE_CELL in the prologue, there is nothing to fix.
	return int(dropped), g.seen&pCell != 0 || len(meta.CellVars) > 0
}

// prepareLocalsplus is prepare_localsplus but for the walk of
// fix_cell_offsets (see fixCellOffsets); it returns nlocalsplus, and the
// localsplus index of each cell and free variable with whether opargs
// need fixing.
func (g *CFG) prepareLocalsplus(meta *instr.Metadata, flags int32) (nlocalsplus int32, fixed []int32, cells bool, err error) {
	n := len(meta.VarNames) + len(meta.CellVars) + len(meta.FreeVars)
	fixed = cellFixedOffsets(meta)
	if err = g.insertPrefixInstructions(meta, fixed, flags); err != nil {
		return 0, nil, false, err
	}
	dropped, cells := g.fixCellOffsets(meta, fixed)
	return int32(n - dropped), fixed, cells, nil
}

// Sequence is _PyCfg_ToInstructionSequence: the graph's instructions in
// block order, one label per block (label k at the k-th block in order),
// jump opargs and handlers as labels. It is Final's output with labels in
// place of instruction indexes.
func (g *CFG) Sequence() instr.Sequence {
	var seq instr.Sequence
	g.o.Buffers.Init(&seq)
	ref, n := g.refs(true)
	if cap(seq.Instrs) < n {
		g.o.Buffers.Release(&instr.Sequence{Instrs: seq.Instrs})
		seq.Instrs = g.o.Buffers.Instrs(n)
	}
	all := seq.Instrs[:n]
	g.write(all, ref)
	// Each label is placed before the instruction its block starts at.
	at := 0
	for b := int32(0); b != none; b = g.blocks[b].next {
		seq.Instrs = all[:at]
		_ = seq.Place(seq.NewLabel())
		at += len(g.blocks[b].instrs)
	}
	seq.Instrs = all
	return seq
}

// OptimizeCodeUnit is _PyCfg_OptimizeCodeUnit: exception handlers, every
// optimization, the removal of unused constants, LOAD_FAST_CHECK for
// locals that may be unset (the first nparams locals are parameters),
// superinstructions, cold blocks moved to the end and line numbers.
// consts is the unit's constant list, which folding appends to and the
// removal of unused constants compacts; cache is the compile's constant
// cache.
func (g *CFG) OptimizeCodeUnit(consts *[]*pyobj.Object, cache *pyobj.ConstCache, nlocals, nparams int) error {
	if len(g.blocks) == 0 || len(g.blocks[0].instrs) == 0 {
		return fmt.Errorf("empty code unit")
	}
	// Without SETUP_* and POP_BLOCK every instruction keeps the handler
	// Build gave it (none), no RESUME follows a yield inside a try block
	// and no block is a handler: the two passes would change nothing.
	if g.seen&(pBlockPush|pPopBlock) != 0 {
		if err := g.labelExceptionTargets(); err != nil {
			return err
		}
		g.markExceptHandlers()
	}
	if err := g.optimize(consts, cache); err != nil {
		return err
	}
	// remove_unused_consts marks the constants in use in the walk of
	// insert_superinstructions (see there) and compacts them after it.
	uses := g.constUses(len(*consts))
	g.addChecksForLoadsOfUninitializedVariables(nlocals, nparams)
	if err := g.insertSuperinstructions(uses); err != nil {
		return err
	}
	g.removeUnusedConsts(consts, uses)
	// Only the blocks reached through an exception handler are cold, and
	// without SETUP_* in the input no block is a handler: the pass would
	// move nothing and add no jump.
	if g.seen&pBlockPush != 0 {
		if err := g.pushColdBlocksToEnd(); err != nil {
			return err
		}
	}
	// The second resolution changes nothing when every block is lined
	// (nearly every unit without try blocks).
	if g.settled = g.allLined(); !g.settled {
		g.resolveLineNumbers()
	}
	return nil
}

// Finish is _PyCfg_OptimizedCfgToInstructionSequence: the stack depth,
// the prologue, the conversion of pseudo instructions and of backward
// conditional jumps, and the final sequence. flags are the code flags.
func (g *CFG) Finish(meta *instr.Metadata, flags int32) (seq instr.Sequence, stackDepth, nlocalsplus int32, err error) {
	if stackDepth, nlocalsplus, err = g.finishGraph(meta, flags); err != nil {
		return
	}
	seq = g.Sequence()
	return
}

// finishGraph is Finish without the final sequence: the graph is left in
// its final form.
func (g *CFG) finishGraph(meta *instr.Metadata, flags int32) (stackDepth, nlocalsplus int32, err error) {
	if stackDepth, err = g.stackDepth(); err != nil {
		return
	}
	nlocalsplus, fixed, cells, err := g.prepareLocalsplus(meta, flags)
	if err != nil {
		return
	}
	if err = g.convertPseudoOps(fixed, cells); err != nil {
		return
	}
	err = g.normalizeJumps()
	return
}

// Final writes the graph's instructions in block order into dst (reusing
// its storage) for the assembler's AssembleFinal: as Sequence writes them,
// except that a jump's oparg and a handler's label are the index of the
// target block's first instruction in the result, not labels. It returns
// the instructions.
func (g *CFG) Final(dst []instr.Instr) []instr.Instr {
	ref, n := g.refs(false)
	if cap(dst) < n {
		dst = make([]instr.Instr, n, n+n/4)
	}
	dst = dst[:n]
	g.write(dst, ref)
	return dst
}

// refs returns what a reference to each block in the list becomes in the
// output: the index of its first instruction (of the next block's, when
// it is empty, as a label placed at it would be), or with labels its
// place in the list (Sequence's labels); and the number of instructions.
func (g *CFG) refs(labels bool) ([]int32, int) {
	if cap(g.o.refs) < len(g.blocks) {
		g.o.refs = make([]int32, len(g.blocks)+len(g.blocks)/2)
	}
	ref := g.o.refs[:len(g.blocks)]
	n, k := 0, int32(0)
	blocks := g.blocks
	for b := int32(0); b != none; b = blocks[b].next {
		ref[b] = int32(n)
		if labels {
			ref[b] = k
			k++
		}
		n += len(blocks[b].instrs)
	}
	return ref, n
}

// write writes the graph's instructions in block order into dst, which
// has room for exactly them, a reference to block b (a target, a
// handler) as ref[b], with each handler's depth and lasti. This is the
// one writer of the graph's output: Final and Sequence differ only in
// ref.
func (g *CFG) write(dst []instr.Instr, ref []int32) {
	props := &g.o.props
	blocks := g.blocks
	at := 0
	for b := int32(0); b != none; b = blocks[b].next {
		ins := blocks[b].instrs
		out := dst[at : at+len(ins)]
		at += len(ins)
		copy(out, ins)
		if g.pushes {
			// SETUP_* is not converted yet: targets anywhere.
			for i := range out {
				if props[out[i].Op&opMask]&(pJump|pBlockPush) != 0 {
					out[i].Arg = ref[out[i].Arg]
				}
			}
		} else if l := len(out) - 1; l >= 0 && props[out[l].Op&opMask]&pJump != 0 {
			// A jump is always its block's last instruction.
			out[l].Arg = ref[out[l].Arg]
		}
	}
	// Without SETUP_* in the input no instruction has a handler: each
	// has noHandler as the graph does.
	if g.seen&pBlockPush == 0 {
		return
	}
	at = 0
	cur, h := int32(none), noHandler
	for b := int32(0); b != none; b = blocks[b].next {
		ins := blocks[b].instrs
		out := dst[at : at+len(ins)]
		at += len(ins)
		for i := range ins {
			if e := int32(ins[i].Handler.Label); e != cur {
				cur = e
				h = noHandler
				if cur != none {
					eb := &blocks[cur]
					h = instr.NewHandler(instr.Label(ref[cur]), eb.startDepth, eb.lasti)
				}
			}
			if cur != none {
				out[i].Handler = h
			}
		}
	}
}

// OptimizeUnit runs the whole CFG stage on u, as compile.c's
// optimize_and_assemble_code_unit does before assembly: u.Seq is replaced
// by the final sequence, u.Meta.Consts by the final constants, and
// u.StackDepth and u.NLocalsPlus are set. nparams is the number of
// parameters (the length of the symbol table's ste_varnames). The graph
// is made in the storage of u.Seq's instructions, which an error leaves
// changed.
func (o *Optimizer) OptimizeUnit(u *instr.Unit, cache *pyobj.ConstCache, nparams int) error {
	g, err := o.optimizeUnit(u, cache, nparams)
	if err != nil {
		return err
	}
	u.Seq = g.Sequence()
	return nil
}

// OptimizeUnitFinal is OptimizeUnit for the assembler's AssembleFinal:
// instead of replacing u.Seq it writes the final instructions into dst
// (reusing its storage, see CFG.Final) and returns them. u.Seq's
// instructions are used up (the graph was made in their storage): u.Seq
// can only be released or dropped afterwards.
func (o *Optimizer) OptimizeUnitFinal(u *instr.Unit, cache *pyobj.ConstCache, nparams int, dst []instr.Instr) ([]instr.Instr, error) {
	g, err := o.optimizeUnit(u, cache, nparams)
	if err != nil {
		return dst, err
	}
	return g.Final(dst), nil
}

// optimizeUnit is the stage up to the output: the graph of u.Seq in its
// final form, u.Meta.Consts, u.StackDepth and u.NLocalsPlus set.
func (o *Optimizer) optimizeUnit(u *instr.Unit, cache *pyobj.ConstCache, nparams int) (*CFG, error) {
	// The graph takes u.Seq's instructions, which both callers replace
	// or drop.
	g, err := o.buildOwned(&u.Seq)
	if err != nil {
		return nil, err
	}
	if err := g.OptimizeCodeUnit(&u.Meta.Consts, cache, len(u.Meta.VarNames), nparams); err != nil {
		return nil, err
	}
	depth, nlp, err := g.finishGraph(&u.Meta, u.Flags)
	if err != nil {
		return nil, err
	}
	u.StackDepth, u.NLocalsPlus = depth, nlp
	return g, nil
}
