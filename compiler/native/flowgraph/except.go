package flowgraph

// maxBlocks is CO_MAXBLOCKS: code generation refuses deeper nesting of
// try blocks ("too many statically nested blocks"), so an exception stack
// never holds more handlers.
const maxBlocks = 21

// markExceptHandlers is mark_except_handlers.
func (g *CFG) markExceptHandlers() {
	for b := int32(0); b != none; b = g.blocks[b].next {
		for i := range g.blocks[b].instrs {
			in := &g.blocks[b].instrs[i]
			if g.o.isBlockPush(in.op) {
				g.blocks[in.target].handler = true
			}
		}
	}
}

// newStack returns the index of a new exception stack holding a copy of
// src (depth 0 and a none handler when src is none).
func (g *CFG) newStack(src int32) int32 {
	var s []int32
	if src == none {
		s = append(make([]int32, 0, 8), none)
	} else {
		s = append(make([]int32, 0, len(g.stacks[src])+4), g.stacks[src]...)
	}
	g.stacks = append(g.stacks, s)
	return int32(len(g.stacks) - 1)
}

// labelExceptionTargets is label_exception_targets: it gives every
// instruction its exception handler (the innermost SETUP_* in effect),
// turns POP_BLOCK into NOP, marks the handlers that keep lasti, and sets
// the depth-1 bit of RESUME after a yield inside one try block.
func (g *CFG) labelExceptionTargets() error {
	o := g.o
	g.resetVisited()
	g.stacks = g.stacks[:0]
	todo := g.todo[:0]
	entry := int32(0)
	g.blocks[entry].visited = true
	g.blocks[entry].exceptStack = g.newStack(none)
	todo = append(todo, entry)
	for len(todo) > 0 {
		bi := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		b := &g.blocks[bi]
		stack := b.exceptStack
		b.exceptStack = none
		handler := g.stacks[stack][len(g.stacks[stack])-1]
		lastYieldDepth := -1
		for i := range b.instrs {
			in := &b.instrs[i]
			switch {
			case o.isBlockPush(in.op):
				t := &g.blocks[in.target]
				if !t.visited {
					t.exceptStack = g.newStack(stack)
					t.visited = true
					todo = append(todo, in.target)
				}
				if in.op == o.op.setupWith || in.op == o.op.setupCleanup {
					t.lasti = true
				}
				if len(g.stacks[stack]) > maxBlocks+1 {
					return errorf("too many nested exception blocks")
				}
				g.stacks[stack] = append(g.stacks[stack], in.target)
				handler = in.target
			case in.op == o.op.popBlock:
				s := g.stacks[stack]
				if len(s) < 2 {
					return errorf("POP_BLOCK without a block")
				}
				s = s[:len(s)-1]
				g.stacks[stack] = s
				handler = s[len(s)-1]
				in.op, in.arg = o.op.nop, 0
			case o.isJump(in.op):
				in.except = handler
				t := &g.blocks[in.target]
				if !t.visited {
					if g.hasFallthrough(b) {
						t.exceptStack = g.newStack(stack)
					} else {
						t.exceptStack = stack
						stack = none
					}
					t.visited = true
					todo = append(todo, in.target)
				}
			case in.op == o.op.yieldValue:
				in.except = handler
				lastYieldDepth = len(g.stacks[stack]) - 1
			case in.op == o.op.resume:
				in.except = handler
				if in.arg != resumeAtFuncStart {
					if lastYieldDepth == 1 {
						in.arg |= resumeDepth1Mask
					}
					lastYieldDepth = -1
				}
			default:
				in.except = handler
			}
		}
		if g.hasFallthrough(b) && b.next != none && !g.blocks[b.next].visited {
			if stack == none {
				return errorf("fall through after a jump that took the exception stack")
			}
			nb := &g.blocks[b.next]
			nb.exceptStack = stack
			nb.visited = true
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
