package flowgraph

import (
	"fmt"

	"github.com/rules-pyc/rules_pyc/compiler/native/instr"
	"github.com/rules-pyc/rules_pyc/compiler/native/opcode"
	"github.com/rules-pyc/rules_pyc/compiler/native/pyobj"
)

// maxCopySize is MAX_COPY_SIZE: the largest exit block that is copied
// into the blocks jumping to it.
const maxCopySize = 4

// removeUnreachable is remove_unreachable: it counts each block's
// predecessors (fall through, jumps and SETUP_* handlers from reachable
// blocks) and empties the blocks that have none. It reports whether it
// emptied a block that held instructions.
func (g *CFG) removeUnreachable() bool {
	// Every block is in the list (see resetVisited): the order of the
	// resets does not matter, here and in the sweep at the end.
	blocks := g.blocks
	for i := range blocks {
		blocks[i].predecessors = 0
	}
	g.resetVisited()
	props := &g.o.props
	stack := g.todo[:0]
	blocks[0].predecessors = 1
	blocks[0].mark = g.epoch
	stack = append(stack, 0)
	for len(stack) > 0 {
		bi := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		b := &blocks[bi]
		if _, lp := lastOf(props, b); b.next != none && lp.fallsThrough() {
			n := &blocks[b.next]
			if n.mark != g.epoch {
				n.mark = g.epoch
				stack = append(stack, b.next)
			}
			n.predecessors++
		}
		// A jump is always its block's last instruction (a block ends
		// after every jump); only SETUP_* may have a target elsewhere.
		ins := b.instrs
		if !b.pushes && len(ins) > 0 {
			ins = ins[len(ins)-1:]
		}
		for i := range ins {
			in := &ins[i]
			if props[in.Op&opMask]&(pJump|pBlockPush) != 0 {
				t := &blocks[in.Arg]
				if t.mark != g.epoch {
					t.mark = g.epoch
					stack = append(stack, in.Arg)
				}
				t.predecessors++
			}
		}
	}
	g.todo = stack
	g.edges = false
	emptied := false
	for i := range blocks {
		if b := &blocks[i]; b.predecessors == 0 {
			emptied = emptied || len(b.instrs) > 0
			b.instrs = b.instrs[:0]
			b.handler = false
		}
	}
	return emptied
}

// removeRedundantNopsIn is basicblock_remove_redundant_nops: it drops the
// NOPs that carry no line of their own. It reports whether it emptied a
// block of NOPs without a line (see removeRedundantNops).
func (g *CFG) removeRedundantNopsIn(bi int32) bool {
	b := &g.blocks[bi]
	if b.noNop {
		return false
	}
	nop := g.o.opc.nop
	ins := b.instrs
	// Most blocks have no NOP: find the first one before copying.
	first := 0
	for first < len(ins) && ins[first].Op != nop {
		first++
	}
	if first == len(ins) {
		b.noNop = true
		return false
	}
	// kept: a NOP stays (it carries a line of its own).
	kept := false
	dest := first
	prevLine := int32(-1)
	if first > 0 {
		prevLine = ins[first-1].Loc.Line
	}
	n := len(ins)
	for src := first; src < n; src++ {
		in := &ins[src]
		line := in.Loc.Line
		if in.Op == nop {
			if line < 0 {
				continue
			}
			if prevLine == line {
				continue
			}
			if src < n-1 {
				nextLine := ins[src+1].Loc.Line
				if nextLine == line {
					continue
				}
				if nextLine < 0 {
					ins[src+1].Loc = ins[src].Loc
					continue
				}
			} else if next := g.nextNonEmpty(b.next); next != none {
				nextLoc := instr.NoLocation
				for _, in := range g.blocks[next].instrs {
					if in.Op == nop && in.Loc.Line == instr.NoLocation.Line {
						continue
					}
					nextLoc = in.Loc
					break
				}
				if line == nextLoc.Line {
					continue
				}
			}
			kept = true
		}
		// Copying an instruction onto itself (no NOP dropped yet) is
		// harmless and cheaper than testing for it.
		ins[dest] = *in
		dest++
		prevLine = line
	}
	b.instrs = ins[:dest]
	b.noNop = !kept
	// An emptied block whose NOPs had a line hands the line on to its
	// last NOP, which then has the line of the block after (see
	// removeRedundantNops); one whose last NOP has none had none.
	if dest == 0 && ins[n-1].Loc.Line < 0 {
		g.unlined = true
		return true
	}
	return false
}

// removeRedundantNops is remove_redundant_nops. It reports whether it
// emptied a block of NOPs without a line: otherwise a second sweep right
// after it drops nothing.
//
// A NOP is kept when it has a line L, the last instruction kept before it
// in the block has none or another, and the instruction after it has a
// line other than L; that instruction, when the sweep drops it, is a NOP
// whose line M is that of the next instruction kept (it is dropped for
// having the line of the one after it, or hands its location on to it)
// or, at the end of the block, that of the next block's first line, so
// the second sweep compares L with M again. A NOP at the end of a block
// is compared with the next non-empty block's first line (the line of its
// first instruction that is not a NOP without a line, none if there is
// no such instruction), which the sweep of that block leaves as it is by
// the same argument, and which is that of the block after when the sweep
// empties it, unless the block held NOPs without a line only: its first
// line was none, and becomes the next block's.
func (g *CFG) removeRedundantNops() bool {
	unlined := false
	blocks := g.blocks
	for b := int32(0); b != none; b = blocks[b].next {
		if !blocks[b].noNop && g.removeRedundantNopsIn(b) {
			unlined = true
		}
	}
	return unlined
}

// removeRedundantNopsAndPairs is remove_redundant_nops_and_pairs: a
// LOAD_CONST or COPY 1 followed by POP_TOP becomes two NOPs, also across
// a fall through into a block that is no jump target. It reports whether
// the NOP sweep of its last round, which found no pair and so changed
// nothing but what the sweep did, emptied a block of NOPs without a line:
// otherwise a NOP sweep right after it drops nothing (see
// removeRedundantNops; that round swept every block in list order, as
// removeRedundantNops does).
func (g *CFG) removeRedundantNopsAndPairs() bool {
	// The sweep records such a block in g.unlined, which the loop below
	// leaves in memory: a result tested at every call made the loop
	// spill more.
	o := g.o
	popTop := o.opc.popTop
	props := &o.props
	for done := false; !done; {
		done = true
		g.unlined = false
		var cur *instruction
		// curBlock is the block of cur.
		curBlock := int32(none)
		blocks := g.blocks
		for bi := int32(0); bi != none; bi = blocks[bi].next {
			b := &blocks[bi]
			if !b.noNop {
				g.removeRedundantNopsIn(bi)
			}
			if b.labelled {
				cur = nil
			}
			ins := b.instrs
			for i := range ins {
				if ins[i].Op != popTop {
					continue
				}
				// The instruction before, in this block or at the end
				// of the one that falls through into it.
				prev, prevBlock := cur, curBlock
				if i > 0 {
					prev, prevBlock = &ins[i-1], bi
				}
				if prev == nil {
					continue
				}
				if prev.Op == o.opc.loadConst || (prev.Op == o.opc.copy && prev.Arg == 1) {
					prev.Op, prev.Arg = o.opc.nop, 0
					ins[i].Op, ins[i].Arg = o.opc.nop, 0
					blocks[prevBlock].noNop = false
					b.noNop = false
					done = false
				}
			}
			if len(ins) > 0 {
				cur, curBlock = &ins[len(ins)-1], bi
			}
			// cur is b's last instruction, or that of the block before
			// when b is empty (which falls through).
			if cur != nil {
				if cp := props[cur.Op&opMask]; cp&pJump != 0 || (len(ins) > 0 && !cp.fallsThrough()) {
					cur = nil
				}
			}
		}
	}
	return g.unlined
}

// removeRedundantJumps is remove_redundant_jumps: an unconditional jump to
// the next non-empty block becomes a NOP.
func (g *CFG) removeRedundantJumps() (int, error) {
	changes := 0
	blocks := g.blocks
	props := &g.o.props
	for bi := int32(0); bi != none; bi = blocks[bi].next {
		b := &blocks[bi]
		l, lp := lastOf(props, b)
		if lp&pUncond == 0 {
			continue
		}
		t := g.nextNonEmpty(l.Arg)
		if t == none {
			return 0, fmt.Errorf("jump with no target")
		}
		if t == g.nextNonEmpty(b.next) {
			changes++
			l.Op, l.Arg = g.o.opc.nop, 0
			b.noNop = false
		}
	}
	return changes, nil
}

// removeRedundantNopsAndJumps is remove_redundant_nops_and_jumps. CPython
// repeats the two sweeps until a round changes nothing; here a round whose
// jump sweep changes nothing is the last unless its NOP sweep emptied a
// block of NOPs without a line. Otherwise the NOP sweep finds nothing on
// the graph it leaves (see removeRedundantNops) and the jump sweep then
// sees the graph it has just seen, so CPython's extra round changes
// nothing.
func (g *CFG) removeRedundantNopsAndJumps() error {
	return g.nopsAndJumps(false)
}

// nopsAndJumps is removeRedundantNopsAndJumps for a graph that may be
// swept already: a NOP sweep of every block would drop nothing, so the
// first round starts with the jump sweep.
func (g *CFG) nopsAndJumps(swept bool) error {
	for {
		again := false
		if !swept {
			again = g.removeRedundantNops()
		}
		swept = false
		jumps, err := g.removeRedundantJumps()
		if err != nil {
			return err
		}
		if jumps == 0 && !again {
			return nil
		}
	}
}

// inlineSmallOrNoLinenoBlocks is inline_small_or_no_lineno_blocks: a jump
// to a small exit block, or to a block without line numbers that does not
// fall through, is replaced by a copy of that block.
func (g *CFG) inlineSmallOrNoLinenoBlocks() error {
	o := g.o
	// A block inlines the blocks of a chain of jumps one per round: more
	// rounds than there are blocks means the chain is a cycle of blocks
	// without line numbers, which CPython copies forever.
	rounds := 0
	for changes := true; changes; {
		if rounds++; rounds > len(g.blocks)+1 {
			return fmt.Errorf("blocks without line numbers jump to each other in a cycle")
		}
		changes = false
		blocks := g.blocks
		props := &o.props
		for bi := int32(0); bi != none; bi = blocks[bi].next {
			b := &blocks[bi]
			l, lp := lastOf(props, b)
			if lp&pUncond == 0 {
				continue
			}
			ti := l.Arg
			t := &blocks[ti]
			// What exitsScope and hasFallthrough tell of t.
			_, tp := lastOf(props, t)
			small := tp&pScopeExit != 0 && len(t.instrs) <= maxCopySize
			noLine := hasNoLineno(t) && !tp.fallsThrough()
			if !small && !noLine {
				continue
			}
			if ti == bi {
				// CPython appends the block to itself until memory
				// runs out.
				return fmt.Errorf("a block without line numbers jumps to itself")
			}
			removed := l.Op
			l.Op, l.Arg = o.opc.nop, 0
			b.noNop, b.lined = false, false
			g.room(b, len(t.instrs))
			b.instrs = append(b.instrs, t.instrs...)
			b.pushes = b.pushes || t.pushes
			if noLine {
				nl := b.last()
				if o.isUncond(nl.Op) && removed == o.opc.jump {
					// Keep the eval breaker check.
					nl.Op = o.opc.jump
				}
			}
			t.predecessors--
			changes = true
		}
	}
	return nil
}

// jumpThread is jump_thread: the jump at the end of block bi, whose
// target starts with the jump tgt, jumps straight to tgt's target.
func (g *CFG) jumpThread(bi int32, inst int, tgt instruction, op opcode.Op) (bool, error) {
	in := &g.blocks[bi].instrs[inst]
	if in.Arg == tgt.Arg {
		return false, nil
	}
	in.Op, in.Arg = g.o.opc.nop, 0
	if err := g.addJump(bi, op, tgt.Arg, tgt.Loc); err != nil {
		return false, err
	}
	return true, nil
}

// constValue is get_const_value.
func constValue(consts []*pyobj.Object, arg int32) (*pyobj.Object, error) {
	if arg < 0 || int(arg) >= len(consts) {
		return nil, fmt.Errorf("LOAD_CONST index %d is out of range for consts (len=%d)", arg, len(consts))
	}
	return consts[arg], nil
}

// constScanMax is the length of a unit's constant list up to which
// addConst looks for a constant by a scan rather than through
// CFG.constIndex.
const constScanMax = 16

// addConst is add_const: the constant goes through the compile's constant
// cache, and its index is that of the identical object in consts, which
// it is appended to if absent. CPython scans the list for it; past
// constScanMax items the first index of each object is kept in a map
// instead (while optimize runs, the list only grows, and only here), so
// that a unit with many constants and many folds (a class of thousands
// of methods with defaults) is not quadratic.
func (g *CFG) addConst(o *pyobj.Object, consts *[]*pyobj.Object, cache *pyobj.ConstCache) int32 {
	o = cache.MergeOne(o)
	cs := *consts
	if len(cs) > constScanMax {
		return g.addConstIndexed(o, consts)
	}
	for i, c := range cs {
		if c == o {
			return int32(i)
		}
	}
	*consts = append(cs, o)
	return int32(len(*consts) - 1)
}

// addConstIndexed is addConst's lookup through CFG.constIndex, brought up
// to date with the items appended since the last.
func (g *CFG) addConstIndexed(o *pyobj.Object, consts *[]*pyobj.Object) int32 {
	cs := *consts
	if g.constIndex == nil {
		g.constIndex = make(map[*pyobj.Object]int32, len(cs))
	}
	for ; g.constIndexed < len(cs); g.constIndexed++ {
		c := cs[g.constIndexed]
		if _, ok := g.constIndex[c]; !ok {
			g.constIndex[c] = int32(g.constIndexed)
		}
	}
	if i, ok := g.constIndex[o]; ok {
		return i
	}
	*consts = append(cs, o)
	return int32(len(*consts) - 1)
}

// foldTuple is fold_tuple_on_constants: n LOAD_CONSTs followed by
// BUILD_TUPLE n (at index at) become NOPs and a LOAD_CONST of the tuple.
func (g *CFG) foldTuple(bi int32, at int, n int, consts *[]*pyobj.Object, cache *pyobj.ConstCache) error {
	ins := g.blocks[bi].instrs[at-n : at+1]
	for i := 0; i < n; i++ {
		if !g.o.has(ins[i].Op, pConst) {
			return nil
		}
	}
	items := make([]*pyobj.Object, n)
	for i := 0; i < n; i++ {
		if ins[i].Op != g.o.opc.loadConst {
			return fmt.Errorf("internal error: failed to get value of a constant")
		}
		c, err := constValue(*consts, ins[i].Arg)
		if err != nil {
			return err
		}
		items[i] = c
	}
	idx := g.addConst(g.o.p.NewTuple(items), consts, cache)
	for i := 0; i < n; i++ {
		ins[i].Op, ins[i].Arg = g.o.opc.nop, 0
	}
	ins[n].Op, ins[n].Arg = g.o.opc.loadConst, idx
	if n > 0 {
		g.blocks[bi].noNop = false
	}
	return nil
}

// visitedSwap marks a visited stack slot in swaptimize.
const visitedSwap = -1

// swaptimize replaces the run of SWAPs and NOPs starting at *ix with an
// optimal one of the same effect; *ix moves to the run's last instruction.
func (g *CFG) swaptimize(bi int32, ix *int) {
	o := g.o
	ins := g.blocks[bi].instrs[*ix:]
	depth := int(ins[0].Arg)
	length := 0
	more := false
	for length = 1; length < len(ins); length++ {
		op := ins[length].Op
		if op == o.opc.swap {
			depth = max(depth, int(ins[length].Arg))
			more = true
		} else if op != o.opc.nop {
			break
		}
	}
	if !more {
		return
	}
	stack := g.o.ints[:0]
	for i := 0; i < depth; i++ {
		stack = append(stack, i)
	}
	for i := 0; i < length; i++ {
		if ins[i].Op == o.opc.swap {
			a := int(ins[i].Arg)
			if a < 1 || a > depth {
				return
			}
			stack[0], stack[a-1] = stack[a-1], stack[0]
		}
	}
	current := length - 1
	for i := 0; i < depth; i++ {
		if stack[i] == visitedSwap || stack[i] == i {
			continue
		}
		j := i
		for {
			if j != 0 {
				ins[current].Op, ins[current].Arg = o.opc.swap, int32(j+1)
				current--
			}
			if stack[j] == visitedSwap {
				break
			}
			next := stack[j]
			stack[j] = visitedSwap
			j = next
		}
	}
	for ; current >= 0; current-- {
		ins[current].Op, ins[current].Arg = o.opc.nop, 0
	}
	g.o.ints = stack
	*ix += length - 1
}

// swappable is SWAPPABLE: instructions that may trade places.
func (g *CFG) swappable(op opcode.Op) bool {
	c := &g.o.opc
	return op == c.storeFast || op == c.storeFastMaybeNull || op == c.popTop
}

// storesTo is STORES_TO.
func (g *CFG) storesTo(in *instruction) int32 {
	if in.Op == g.o.opc.storeFast || in.Op == g.o.opc.storeFastMaybeNull {
		return in.Arg
	}
	return -1
}

// nextSwappable is next_swappable_instruction.
func (g *CFG) nextSwappable(ins []instruction, i int, line int32) int {
	for i++; i < len(ins); i++ {
		in := &ins[i]
		if line >= 0 && in.Loc.Line != line {
			return -1
		}
		if in.Op == g.o.opc.nop {
			continue
		}
		if g.swappable(in.Op) {
			return i
		}
		return -1
	}
	return -1
}

// applyStaticSwaps is apply_static_swaps: SWAPs before swappable
// instructions are applied by swapping the instructions.
func (g *CFG) applyStaticSwaps(bi int32, i int) {
	ins := g.blocks[bi].instrs
	for ; i >= 0; i-- {
		swap := &ins[i]
		if swap.Op != g.o.opc.swap {
			if swap.Op == g.o.opc.nop || g.swappable(swap.Op) {
				continue
			}
			return
		}
		j := g.nextSwappable(ins, i, -1)
		if j < 0 {
			return
		}
		k := j
		line := ins[j].Loc.Line
		for count := swap.Arg - 1; count > 0; count-- {
			k = g.nextSwappable(ins, k, line)
			if k < 0 {
				return
			}
		}
		sj, sk := g.storesTo(&ins[j]), g.storesTo(&ins[k])
		if sj >= 0 || sk >= 0 {
			if sj == sk {
				return
			}
			for idx := j + 1; idx < k; idx++ {
				s := g.storesTo(&ins[idx])
				if s >= 0 && (s == sj || s == sk) {
					return
				}
			}
		}
		swap.Op, swap.Arg = g.o.opc.nop, 0
		ins[j], ins[k] = ins[k], ins[j]
	}
}

// optimizeLoadConst is basicblock_optimize_load_const. CPython's walk
// follows the constant the last instruction loaded (a COPY 1 of a
// LOAD_CONST loads it again), and its cases act only before the opcodes
// of Optimizer.constNext: this walk goes from one of those to the next,
// and works out the constant loaded before each from the instructions
// since the last (constBefore). m is the index of the first of those
// opcodes past the block's first instruction.
func (g *CFG) optimizeLoadConst(bi int32, m int, consts *[]*pyobj.Object, cache *pyobj.ConstCache) error {
	c := &g.o.opc
	ins := g.blocks[bi].instrs
	// nops: a NOP was written into the block.
	nops := false
	// isConst and arg are CPython's state before instruction from: the
	// last instruction it took loaded constant arg.
	isConst, arg, from := false, int32(0), 0
	for ; m < len(ins); m = g.o.nextConstUse(ins, from+1) {
		i := m - 1
		isConst, arg = g.constBefore(ins[from:m], isConst, arg)
		from = m
		if !isConst {
			continue
		}
		in := &ins[i]
		next := ins[m].Op
		switch next {
		case c.popJumpIfFalse, c.popJumpIfTrue:
			v, err := constValue(*consts, arg)
			if err != nil {
				return err
			}
			in.Op, in.Arg = c.nop, 0
			nops = true
			// The jump becomes unconditional or goes.
			g.edges = true
			if truth(v) == (next == c.popJumpIfTrue) {
				ins[i+1].Op = c.jump
			} else {
				ins[i+1].Op, ins[i+1].Arg = c.nop, 0
				nops = true
			}
		case c.isOp:
			v, err := constValue(*consts, arg)
			if err != nil {
				return err
			}
			if v.Kind != pyobj.None || len(ins) <= i+2 {
				break
			}
			isInstr := &ins[i+1]
			j := &ins[i+2]
			if j.Op == c.toBool {
				j.Op, j.Arg = c.nop, 0
				nops = true
				if len(ins) <= i+3 {
					break
				}
				j = &ins[i+3]
			}
			invert := isInstr.Arg != 0
			if j.Op == c.popJumpIfFalse {
				invert = !invert
			} else if j.Op != c.popJumpIfTrue {
				break
			}
			in.Op, in.Arg = c.nop, 0
			nops = true
			isInstr.Op, isInstr.Arg = c.nop, 0
			nops = true
			if invert {
				j.Op = c.popJumpIfNotNone
			} else {
				j.Op = c.popJumpIfNone
			}
		case c.returnValue:
			in.Op, in.Arg = c.nop, 0
			nops = true
			// CPython's walk skips the RETURN_CONST, keeping its state.
			from = m + 1
			ins[m].Op, ins[m].Arg = c.returnConst, arg
		case c.toBool:
			v, err := constValue(*consts, arg)
			if err != nil {
				return err
			}
			b := pyobj.FalseObj
			if truth(v) {
				b = pyobj.TrueObj
			}
			idx := g.addConst(b, consts, cache)
			in.Op, in.Arg = c.nop, 0
			nops = true
			ins[i+1].Op, ins[i+1].Arg = c.loadConst, idx
		}
	}
	if nops {
		g.blocks[bi].noNop = false
	}
	return nil
}

// nextConstUse returns the index of the first instruction of ins from i
// on whose opcode is one of Optimizer.constNext (i or len(ins), whichever
// is larger: none). It is not inlined: in optimizeLoadConst's loop the
// compiler keeps the index of this loop on the stack.
//
//go:noinline
func (o *Optimizer) nextConstUse(ins []instruction, i int) int {
	if i >= len(ins) {
		return i
	}
	next := &o.constNext
	rest := ins[i:]
	for j := range rest {
		if next[rest[j].Op&opMask] {
			return i + j
		}
	}
	return len(ins)
}

// constBefore is the state of basicblock_optimize_load_const's walk
// after the instructions ins, from the state isConst and arg before them:
// whether the last instruction that is no COPY 1 of a LOAD_CONST loads a
// constant, and which. A run of COPY 1s keeps the state when it is a
// constant's, and is no constant's otherwise.
func (g *CFG) constBefore(ins []instruction, isConst bool, arg int32) (bool, int32) {
	c := &g.o.opc
	k := len(ins) - 1
	for k >= 0 && ins[k].Op == c.copy && ins[k].Arg == 1 {
		k--
	}
	if k < 0 {
		return isConst, arg
	}
	return ins[k].Op == c.loadConst, ins[k].Arg
}

// peepFrom returns the index of the first instruction of ins from i on
// that a case of optimize_basic_block may change something at (len(ins):
// none). The others have an opcode without a case, or one whose case acts
// only before other opcodes than the next one.
func (o *Optimizer) peepFrom(ins []instruction, i int) int {
	want, kind := &o.peepNext, &o.peepNextOf
	for ; i < len(ins); i++ {
		if w := want[ins[i].Op&opMask]; w != 0 {
			next := uint8(nextAny)
			if i+1 < len(ins) {
				next = kind[ins[i+1].Op&opMask]
			}
			if w&next != 0 {
				return i
			}
		}
	}
	return i
}

// optimizeBasicBlock is optimize_basic_block, for a block whose
// instruction start is the first peepFrom finds.
func (g *CFG) optimizeBasicBlock(bi int32, start int, consts *[]*pyobj.Object, cache *pyobj.ConstCache) error {
	c := &g.o.opc
	// nops: a NOP was written into the block (folding and threading
	// clear the block's noNop themselves).
	nops := false
	nopInstr := instruction{Op: c.nop, Handler: noHandler}
	// Each threading follows one jump; more than there are blocks means
	// the jumps form a cycle, where CPython never stops.
	threads := 0
	thread := func(i int, target instruction, op opcode.Op) (int, error) {
		done, err := g.jumpThread(bi, i, target, op)
		if err != nil || !done {
			return i, err
		}
		if threads++; threads > len(g.blocks) {
			return i, fmt.Errorf("jump threading does not end (a cycle of jumps)")
		}
		return i - 1, nil
	}
	// swaps tells whether the block has a SWAP for the second loop.
	swaps := false
	peep := &g.o.peep
	for i := start; i < len(g.blocks[bi].instrs); i++ {
		ins := g.blocks[bi].instrs
		// Skip the instructions none of the cases below changes
		// anything at.
		if i = g.o.peepFrom(ins, i); i == len(ins) {
			break
		}
		in := &ins[i]
		op, arg := in.Op, in.Arg
		kind := peep[op&opMask]
		target := nopInstr
		if kind == peepCondJump || kind == peepJump {
			if t := g.blocks[in.Arg].instrs; len(t) > 0 {
				target = t[0]
			}
		}
		var next opcode.Op
		if i+1 < len(ins) {
			next = ins[i+1].Op
		}
		switch kind {
		case peepBuildTuple:
			if arg < 0 {
				return fmt.Errorf("BUILD_TUPLE %d", arg)
			}
			if next == c.unpackSequence && arg == ins[i+1].Arg {
				switch arg {
				case 1:
					in.Op, in.Arg = c.nop, 0
					nops = true
					ins[i+1].Op, ins[i+1].Arg = c.nop, 0
					nops = true
					continue
				case 2, 3:
					in.Op, in.Arg = c.nop, 0
					nops = true
					ins[i+1].Op = c.swap
					swaps = true
					continue
				}
			}
			if i >= int(arg) {
				if err := g.foldTuple(bi, i, int(arg), consts, cache); err != nil {
					return err
				}
			}
		case peepCondJump:
			if target.Op == c.jump {
				var err error
				if i, err = thread(i, target, op); err != nil {
					return err
				}
			}
		case peepJump:
			var err error
			switch target.Op {
			case c.jump:
				i, err = thread(i, target, c.jump)
			case c.jumpNoInterrupt:
				i, err = thread(i, target, op)
			}
			if err != nil {
				return err
			}
			continue
		case peepStoreFast:
			if op == next && arg == ins[i+1].Arg && in.Loc.Line == ins[i+1].Loc.Line {
				in.Op, in.Arg = c.popTop, 0
			}
		case peepSwap:
			swaps = true
			if arg == 1 {
				in.Op, in.Arg = c.nop, 0
				nops = true
			}
		case peepLoadGlobal:
			if next == c.pushNull && arg&1 == 0 {
				in.Arg = arg | 1
				ins[i+1].Op, ins[i+1].Arg = c.nop, 0
				nops = true
			}
		case peepCompareOp:
			if next == c.toBool {
				in.Op, in.Arg = c.nop, 0
				nops = true
				ins[i+1].Op, ins[i+1].Arg = c.compareOp, arg|16
				continue
			}
		case peepContainsOrIs:
			if next == c.toBool {
				in.Op, in.Arg = c.nop, 0
				nops = true
				ins[i+1].Op, ins[i+1].Arg = op, arg
				continue
			}
		case peepToBool:
			if next == c.toBool {
				in.Op, in.Arg = c.nop, 0
				nops = true
				continue
			}
		case peepUnaryNot:
			if next == c.toBool {
				in.Op, in.Arg = c.nop, 0
				nops = true
				ins[i+1].Op, ins[i+1].Arg = c.unaryNot, 0
				continue
			}
			if next == c.unaryNot {
				in.Op, in.Arg = c.nop, 0
				nops = true
				ins[i+1].Op, ins[i+1].Arg = c.nop, 0
				nops = true
				continue
			}
		}
	}
	if swaps || nops {
		g.blocks[bi].noNop = false
	}
	for i := 0; swaps && i < len(g.blocks[bi].instrs); i++ {
		if g.blocks[bi].instrs[i].Op == c.swap {
			g.swaptimize(bi, &i)
			g.applyStaticSwaps(bi, i)
		}
	}
	return nil
}

// optimize is optimize_cfg.
func (g *CFG) optimize(consts *[]*pyobj.Object, cache *pyobj.ConstCache) error {
	if err := g.optimizeBlocks(consts, cache); err != nil {
		return err
	}
	return g.nopsAndJumps(g.sweepPairs())
}

// optimizeBlocks is optimize_cfg up to its remove_redundant_nops_and_pairs.
func (g *CFG) optimizeBlocks(consts *[]*pyobj.Object, cache *pyobj.ConstCache) error {
	// The index of the constants is this call's (and dropped at its
	// end, or at the next call's start after an error).
	g.constIndex, g.constIndexed = nil, 0
	if err := g.inlineSmallOrNoLinenoBlocks(); err != nil {
		return err
	}
	g.removeUnreachable()
	g.resolveLineNumbers()
	// basicblock_optimize_load_const changes nothing in a block without
	// an opcode of Optimizer.constNext after its first instruction.
	blocks := g.blocks
	for b := int32(0); b != none; b = blocks[b].next {
		ins := blocks[b].instrs
		m := g.o.nextConstUse(ins, 1)
		if m >= len(ins) {
			continue
		}
		if err := g.optimizeLoadConst(b, m, consts, cache); err != nil {
			return err
		}
	}
	for b := int32(0); b != none; b = blocks[b].next {
		// Most blocks have nothing the pass may change: no call.
		ins := blocks[b].instrs
		start := g.o.peepFrom(ins, 0)
		if start == len(ins) {
			continue
		}
		if err := g.optimizeBasicBlock(b, start, consts, cache); err != nil {
			return err
		}
	}
	g.constIndex, g.constIndexed = nil, 0
	return nil
}

// sweepPairs is optimize_cfg from its remove_redundant_nops_and_pairs to
// its remove_redundant_nops_and_jumps. It reports whether the graph is
// swept: a NOP sweep of every block would drop nothing, so the first NOP
// sweep of remove_redundant_nops_and_jumps may be skipped. That holds
// when the last round of the pairs' sweep emptied no block of NOPs
// without a line and remove_unreachable emptied no block that held
// instructions (a NOP at the end of a block is compared with the first
// line of the next block that holds any). TestSweptSkip checks it.
func (g *CFG) sweepPairs() bool {
	unlined := g.removeRedundantNopsAndPairs()
	// The second remove_unreachable finds what the first did (the same
	// blocks reachable, the same predecessor counts) unless an edge of
	// the graph changed since: only jump threading, a constant condition
	// and the copy of an exit block change one (NOPs and the pairs made
	// NOPs neither end a block nor make it fall through: a jump or a
	// return is always the last instruction).
	if g.edges && g.removeUnreachable() {
		return false
	}
	return !unlined
}
