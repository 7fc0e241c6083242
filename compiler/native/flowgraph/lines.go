package flowgraph

import "github.com/rules-pyc/rules_pyc/compiler/native/instr"

// exitOrEvalCheckWithoutLineno is is_exit_or_eval_check_without_lineno.
// The tests are pure, so the one that fails soonest comes first: a block
// with a line usually has one on its first instruction, while the eval
// break test reads every instruction of a block without one.
func (g *CFG) exitOrEvalCheckWithoutLineno(b *block) bool {
	return hasNoLineno(b) && (g.exitsScope(b) || g.hasEvalBreak(b))
}

// startsLined tells that b's first instruction has a line, so that b is
// no exit or eval check without a line: most blocks, which the callers
// pass without a call.
func startsLined(b *block) bool {
	return len(b.instrs) > 0 && b.instrs[0].Loc.Line >= 0
}

// duplicateExitsWithoutLineno is duplicate_exits_without_lineno: an exit
// block without line numbers that several blocks jump to is copied for
// each, so that every exit gets the line of its one predecessor (PEP 626).
// Predecessor counts are the ones remove_unreachable left, as in CPython.
func (g *CFG) duplicateExitsWithoutLineno() {
	blocks := g.blocks
	props := &g.o.props
	for bi := int32(0); bi != none; bi = blocks[bi].next {
		l, lp := lastOf(props, &blocks[bi])
		if lp&pJump == 0 {
			continue
		}
		ti := g.nextNonEmpty(l.Arg)
		if ti == none {
			continue
		}
		t := &blocks[ti]
		if startsLined(t) || !g.exitOrEvalCheckWithoutLineno(t) || t.predecessors <= 1 {
			continue
		}
		loc := l.Loc
		ni := g.newBlock()
		// newBlock may have moved the blocks.
		blocks = g.blocks
		t = &blocks[ti]
		nb := &blocks[ni]
		g.room(nb, len(t.instrs))
		nb.instrs = append(nb.instrs, t.instrs...)
		nb.instrs[0].Loc = loc
		nb.pushes = t.pushes
		blocks[bi].last().Arg = ni
		t.predecessors--
		nb.predecessors = 1
		nb.next = t.next
		nb.labelled = true
		t.next = ni
	}
	blocks = g.blocks
	for bi := int32(0); bi != none; bi = blocks[bi].next {
		b := &blocks[bi]
		// The tests are pure: the one that fails for most blocks (the
		// next block starts with a line) comes first.
		if b.next == none || startsLined(&blocks[b.next]) {
			continue
		}
		if l, lp := lastOf(props, b); l != nil && lp.fallsThrough() {
			n := &blocks[b.next]
			if g.exitOrEvalCheckWithoutLineno(n) {
				n.instrs[0].Loc = l.Loc
			}
		}
	}
}

// propagateLineNumbers is propagate_line_numbers: an instruction without a
// line takes the location of the one before it in the block, and a block's
// first instruction takes the last location of its only predecessor.
func (g *CFG) propagateLineNumbers() {
	blocks := g.blocks
	props := &g.o.props
	for bi := int32(0); bi != none; bi = blocks[bi].next {
		b := &blocks[bi]
		l, lp := lastOf(props, b)
		if l == nil {
			continue
		}
		// An instruction without a line takes the location of the one
		// before it as this walk leaves it: that of the last one with a
		// line, or none before the first. The instructions with a line
		// are passed in a tight loop (most blocks are all such a run).
		ins := b.instrs
		i := 0
		if b.lined {
			i = len(ins)
		}
		for {
			for i < len(ins) && ins[i].Loc.Line >= 0 {
				i++
			}
			if i == len(ins) {
				break
			}
			if i > 0 {
				ins[i].Loc = ins[i-1].Loc
			} else {
				ins[i].Loc = instr.NoLocation
			}
			i++
		}
		// From the first instruction with a line on, every one has one
		// now; a pass that adds an instruction clears the flag.
		b.lined = ins[0].Loc.Line >= 0
		// The block's last location, ins[len(ins)-1].Loc, is that of its
		// last instruction with a line (none if there is none).
		if lp.fallsThrough() && b.next != none {
			n := &blocks[b.next]
			if n.predecessors == 1 && len(n.instrs) > 0 && n.instrs[0].Loc.Line < 0 {
				n.instrs[0].Loc = ins[len(ins)-1].Loc
			}
		}
		if lp&pJump != 0 {
			t := &blocks[l.Arg]
			if t.predecessors == 1 && len(t.instrs) > 0 && t.instrs[0].Loc.Line < 0 {
				t.instrs[0].Loc = ins[len(ins)-1].Loc
			}
		}
	}
}

// allLined tells that every block that holds instructions is lined
// (block.lined: each of its instructions has a line). resolve_line_numbers
// then changes nothing: each of its steps acts only at a block whose
// first instruction has no line (an exit without one to copy or to give
// the line of the block falling into it, an instruction to give the
// location of the one before it or a first instruction to give that of
// its only predecessor), and an empty block is no exit and has no eval
// break.
func (g *CFG) allLined() bool {
	blocks := g.blocks
	for bi := int32(0); bi != none; bi = blocks[bi].next {
		if b := &blocks[bi]; !b.lined && len(b.instrs) > 0 {
			return false
		}
	}
	return true
}

// resolveLineNumbers is resolve_line_numbers.
func (g *CFG) resolveLineNumbers() {
	g.duplicateExitsWithoutLineno()
	g.propagateLineNumbers()
}
