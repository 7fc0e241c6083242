package flowgraph

import (
	"errors"
	"fmt"

	"github.com/rules-pyc/rules_pyc/compiler/native/instr"
)

// maxBlocks is CO_MAXBLOCKS: code generation refuses deeper nesting of
// try blocks ("too many statically nested blocks"), so an exception stack
// never holds more handlers.
const maxBlocks = 21

// markExceptHandlers is mark_except_handlers, which CPython runs right
// before label_exception_targets, for the blocks that walk did not reach
// (it must run right after it, whose epoch marks the blocks reached):
// labelExceptionTargets marks the handlers of the SETUP_* it meets (it
// changes no SETUP_* and does not read the flag), which are all those of
// the blocks it reached. The others are unreachable, but CPython marks
// the handlers they name too, and mark_cold starts from every marked
// block.
func (g *CFG) markExceptHandlers() {
	blocks := g.blocks
	// The table through a pointer of its own (see stackDepth).
	props := &g.o.props
	for b := range blocks {
		if !blocks[b].pushes || blocks[b].mark == g.epoch {
			continue
		}
		ins := blocks[b].instrs
		for i := range ins {
			in := &ins[i]
			if props[in.Op&opMask]&pBlockPush != 0 {
				blocks[in.Arg].handler = true
			}
		}
	}
}

// ErrExceptStackOverflow is a unit whose try blocks nest deeper than an
// exception stack holds: CPython writes past the end of its array
// (push_except_block) and crashes, which happens before 3.13.16 with more
// than 22 nested inlined comprehensions that hide locals (gh-156091).
var ErrExceptStackOverflow = errors.New("too many nested exception blocks")

// exceptStack is an exception stack (CFG.stacks): the depth, then the
// handlers (handlers[0] is none, the handler outside every try block).
// Only the entries up to the depth mean anything: a push writes the
// entry it uses.
type exceptStack [maxBlocks + 3]int32

// newStack returns a new exception stack holding a copy of src (the empty
// stack when src is none).
func (g *CFG) newStack(src int32) int32 {
	s := int32(len(g.stacks))
	if s < int32(cap(g.stacks)) {
		g.stacks = g.stacks[:s+1]
	} else {
		g.stacks = append(g.stacks, exceptStack{})
	}
	st := &g.stacks[s]
	if src == none {
		st[0], st[1] = 0, none
	} else {
		from := &g.stacks[src]
		n := from[0] + 2
		copy(st[:n], from[:n])
	}
	return s
}

// stack returns stack s: its depth is s[0], its handlers s[1:].
func (g *CFG) stack(s int32) *exceptStack {
	return &g.stacks[s]
}

// labelExceptionTargets is label_exception_targets: it gives every
// instruction its exception handler (the innermost SETUP_* in effect),
// turns POP_BLOCK into NOP, marks the handlers (b_except_handler, see
// markExceptHandlers) and those that keep lasti, and sets
// the depth-1 bit of RESUME after a yield inside one try block.
func (g *CFG) labelExceptionTargets() error {
	o := g.o
	g.resetVisited()
	g.stacks = g.stacks[:0]
	todo := g.todo[:0]
	// The table through a pointer of its own (see stackDepth).
	props := &o.props
	entry := int32(0)
	g.blocks[entry].mark = g.epoch
	g.blocks[entry].exceptStack = g.newStack(none)
	todo = append(todo, entry)
	for len(todo) > 0 {
		bi := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		b := &g.blocks[bi]
		stack := b.exceptStack
		b.exceptStack = none
		st := g.stack(stack)
		handler := st[1+st[0]]
		lastYieldDepth := -1
		ins := b.instrs
		for i := range ins {
			in := &ins[i]
			if props[in.Op&opMask]&pExcept == 0 {
				// The default case below.
				in.Handler.Label = instr.Label(handler)
				continue
			}
			switch {
			case o.isBlockPush(in.Op):
				t := &g.blocks[in.Arg]
				if t.mark != g.epoch {
					t.exceptStack = g.newStack(stack)
					t.mark = g.epoch
					todo = append(todo, in.Arg)
				}
				// mark_except_handlers (see markExceptHandlers).
				t.handler = true
				if in.Op == o.opc.setupWith || in.Op == o.opc.setupCleanup {
					t.lasti = true
				}
				st := g.stack(stack)
				if st[0] >= maxBlocks+1 {
					return ErrExceptStackOverflow
				}
				st[0]++
				st[1+st[0]] = in.Arg
				handler = in.Arg
			case in.Op == o.opc.popBlock:
				st := g.stack(stack)
				if st[0] == 0 {
					return fmt.Errorf("POP_BLOCK without a block")
				}
				st[0]--
				handler = st[1+st[0]]
				in.Op, in.Arg = o.opc.nop, 0
				b.noNop = false
			case o.isJump(in.Op):
				in.Handler.Label = instr.Label(handler)
				t := &g.blocks[in.Arg]
				if t.mark != g.epoch {
					if g.hasFallthrough(b) {
						t.exceptStack = g.newStack(stack)
					} else {
						t.exceptStack = stack
						stack = none
					}
					t.mark = g.epoch
					todo = append(todo, in.Arg)
				}
			case in.Op == o.opc.yieldValue:
				in.Handler.Label = instr.Label(handler)
				lastYieldDepth = int(g.stack(stack)[0])
			case in.Op == o.opc.resume:
				in.Handler.Label = instr.Label(handler)
				if in.Arg != resumeAtFuncStart {
					if lastYieldDepth == 1 {
						in.Arg |= resumeDepth1Mask
					}
					lastYieldDepth = -1
				}
			default:
				in.Handler.Label = instr.Label(handler)
			}
		}
		if _, lp := lastOf(props, b); lp.fallsThrough() && b.next != none && g.blocks[b.next].mark != g.epoch {
			if stack == none {
				return fmt.Errorf("fall through after a jump that took the exception stack")
			}
			nb := &g.blocks[b.next]
			nb.exceptStack = stack
			nb.mark = g.epoch
			todo = append(todo, b.next)
		}
	}
	g.todo = todo
	return nil
}

// RESUME's oparg (pycore_opcode_utils.h).
const (
	resumeAtFuncStart = 0
	resumeDepth1Mask  = 4
)
