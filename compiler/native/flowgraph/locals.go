package flowgraph

import (
	"fmt"
	"math"

	"github.com/rules-pyc/rules_pyc/compiler/native/opcode"
	"github.com/rules-pyc/rules_pyc/compiler/native/pyobj"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
)

// truth is PyObject_IsTrue for the objects a code object's constants can
// be.
func truth(o *pyobj.Object) bool {
	switch o.Kind {
	case pyobj.None:
		return false
	case pyobj.Bool:
		return o.Value.Bool()
	case pyobj.Int:
		if i, ok := o.Value.Int64(); ok {
			return i != 0
		}
		return o.Value.BigInt().Sign() != 0
	case pyobj.Float:
		f := o.Value.Float()
		return f != 0 || math.IsNaN(f)
	case pyobj.Complex:
		re, im := o.Value.Complex()
		return re != 0 || im != 0 || math.IsNaN(re) || math.IsNaN(im)
	case pyobj.Str:
		return o.Value.Str() != ""
	case pyobj.Bytes:
		return o.Value.Bytes() != ""
	case pyobj.Tuple, pyobj.FrozenSet:
		if len(o.Items) > 0 {
			return true
		}
		// A tuple or frozenset made from a value, not from objects.
		return o.Value.Kind() == ast.TupleKind && len(o.Value.Elems()) > 0 ||
			o.Value.Kind() == ast.FrozenSetKind && len(o.Value.Elems()) > 0
	}
	return true // Ellipsis, code objects
}

// constUses returns the table in which insertSuperinstructions marks the
// constants instructions use, for removeUnusedConsts: -1 for each of the
// n constants but constant 0, which is always kept (it may be a
// docstring). It is nil when there are no constants.
func (g *CFG) constUses(n int) []int {
	if n == 0 {
		return nil
	}
	if cap(g.o.ints) < 2*n {
		g.o.ints = make([]int, 2*n)
	}
	indexMap := g.o.ints[:n]
	for i := range indexMap {
		indexMap[i] = -1
	}
	indexMap[0] = 0
	return indexMap
}

// removeUnusedConsts is remove_unused_consts: the constants no
// instruction uses are dropped, keeping the order of the others.
// indexMap is constUses' table, in which insertSuperinstructions marked
// the constants in use (indexMap[i] = i); nil when consts is empty.
func (g *CFG) removeUnusedConsts(consts *[]*pyobj.Object, indexMap []int) {
	n := len(indexMap)
	if n == 0 {
		return
	}
	props := &g.o.props
	used := 0
	for i := 0; i < n; i++ {
		if indexMap[i] != -1 {
			indexMap[used] = indexMap[i]
			used++
		}
	}
	if used == n {
		return
	}
	cs := *consts
	for i := 0; i < used; i++ {
		cs[i] = cs[indexMap[i]]
	}
	clear(cs[used:])
	*consts = cs[:used]
	reverse := g.o.ints[n : 2*n]
	for i := range reverse {
		reverse[i] = -1
	}
	for i := 0; i < used; i++ {
		reverse[indexMap[i]] = i
	}
	blocks := g.blocks
	for bi := int32(0); bi != none; bi = blocks[bi].next {
		ins := blocks[bi].instrs
		for i := range ins {
			in := &ins[i]
			if props[in.Op&opMask]&pConst != 0 {
				in.Arg = int32(reverse[in.Arg])
			}
		}
	}
}

// What an opcode does to a fast local, for scan_block_for_locals
// (Optimizer.local).
const (
	localUnset = 1 + iota // DELETE_FAST, LOAD_FAST_AND_CLEAR, STORE_FAST_MAYBE_NULL
	localSet              // STORE_FAST, LOAD_FAST_CHECK
	localLoad             // LOAD_FAST
)

// maybePush is maybe_push: b is (re)scanned when unsafe adds locals that
// may be unset at its start.
func (g *CFG) maybePush(bi int32, unsafe uint64) {
	b := &g.blocks[bi]
	both := b.unsafe | unsafe
	if b.unsafe != both {
		b.unsafe = both
		if b.mark != g.epoch {
			g.todo = append(g.todo, bi)
			b.mark = g.epoch
		}
	}
}

// scanChanges tells whether scanBlockForLocals may change or push
// anything for b; callers skip the call otherwise (most blocks).
func (g *CFG) scanChanges(b *block) bool {
	if b.unsafe == 0 && g.seen&pUnset == 0 {
		// No local may be unset here and no instruction makes one so:
		// nothing to check, nothing to pass on.
		return false
	}
	// Scanned before with the same mask: the instructions the scan made
	// LOAD_FAST_CHECK clear their local as LOAD_FAST did, so it would
	// change nothing and push nothing new.
	return !b.scanned || b.scannedMask != b.unsafe
}

// scanBlockForLocals is scan_block_for_locals: a LOAD_FAST of a local
// that may be unset becomes LOAD_FAST_CHECK. It is called for the blocks
// scanChanges tells it may change something for.
func (g *CFG) scanBlockForLocals(bi int32) {
	c := &g.o.opc
	sb := &g.blocks[bi]
	unsafe := sb.unsafe
	sb.scanned, sb.scannedMask = true, unsafe
	ins := g.blocks[bi].instrs
	// Without an instruction that unsets a local, once no local may be
	// unset the rest of the block changes nothing, and the block passes
	// nothing on to its handlers and successors.
	unsets := g.seen&pUnset != 0
	// The table through a pointer of its own: g.o was loaded and checked
	// for nil at every instruction.
	local := &g.o.local
	for i := range ins {
		in := &ins[i]
		if in.Handler.Label != none {
			g.maybePush(int32(in.Handler.Label), unsafe)
		}
		k := local[in.Op&opMask]
		if k == 0 || in.Arg >= 64 || in.Arg < 0 {
			continue
		}
		bit := uint64(1) << uint(in.Arg)
		switch k {
		case localUnset:
			unsafe |= bit
		case localSet:
			unsafe &^= bit
		case localLoad:
			if unsafe&bit != 0 {
				in.Op = c.loadFastCheck
			}
			unsafe &^= bit
		}
		if unsafe == 0 && !unsets {
			return
		}
	}
	b := &g.blocks[bi]
	l, lp := lastOf(&g.o.props, b)
	if b.next != none && lp.fallsThrough() {
		g.maybePush(b.next, unsafe)
	}
	if lp&pJump != 0 {
		g.maybePush(l.Arg, unsafe)
	}
}

// fastScanManyLocals is fast_scan_many_locals: locals from the 65th on
// are followed within each block only.
func (g *CFG) fastScanManyLocals(nlocals int) {
	c := &g.o.opc
	states := make([]int, nlocals-64)
	blocknum := 0
	blocks := g.blocks
	for bi := int32(0); bi != none; bi = blocks[bi].next {
		blocknum++
		ins := blocks[bi].instrs
		for i := range ins {
			in := &ins[i]
			arg := int(in.Arg)
			if arg < 64 || arg >= nlocals {
				continue
			}
			switch in.Op {
			case c.deleteFast, c.loadFastAndClear, c.storeFastMaybeNull:
				states[arg-64] = blocknum - 1
			case c.storeFast:
				states[arg-64] = blocknum
			case c.loadFast:
				if states[arg-64] != blocknum {
					in.Op = c.loadFastCheck
				}
				states[arg-64] = blocknum
			}
		}
	}
}

// addChecksForLoadsOfUninitializedVariables is
// add_checks_for_loads_of_uninitialized_variables.
func (g *CFG) addChecksForLoadsOfUninitializedVariables(nlocals, nparams int) {
	if nlocals == 0 {
		return
	}
	if nlocals > 64 {
		g.fastScanManyLocals(nlocals)
		nlocals = 64
	}
	var start uint64
	for i := nparams; i < nlocals; i++ {
		start |= uint64(1) << uint(i)
	}
	if start == 0 && g.seen&pUnset == 0 {
		// Every local is a parameter and no instruction unsets one:
		// no block would be scanned.
		return
	}
	g.resetVisited()
	g.todo = g.todo[:0]
	g.maybePush(0, start)
	// scanBlockForLocals pushes blocks but makes none.
	blocks := g.blocks
	for bi := int32(0); bi != none; bi = blocks[bi].next {
		if g.scanChanges(&blocks[bi]) {
			g.scanBlockForLocals(bi)
		}
	}
	for len(g.todo) > 0 {
		bi := g.todo[len(g.todo)-1]
		g.todo = g.todo[:len(g.todo)-1]
		blocks[bi].mark = 0
		if g.scanChanges(&blocks[bi]) {
			g.scanBlockForLocals(bi)
		}
	}
}

// makeSuperInstruction is make_super_instruction; it reports whether it
// made one.
func (g *CFG) makeSuperInstruction(in1, in2 *instruction, super opcode.Op) bool {
	l1, l2 := in1.Loc.Line, in2.Loc.Line
	if l1 >= 0 && l2 >= 0 && l1 != l2 {
		return false
	}
	if in1.Arg >= 16 || in2.Arg >= 16 {
		return false
	}
	in1.Op, in1.Arg = super, in1.Arg<<4|in2.Arg
	in2.Op, in2.Arg = g.o.opc.nop, 0
	return true
}

// insertSuperinstructions is insert_superinstructions. The same walk
// marks in uses (constUses' table; nil: no constants) the constants
// that instructions use, which remove_unused_consts looks for before
// add_checks_for_loads_of_uninitialized_variables: neither pass, nor
// this one, reads or changes a constant load, so the walk of
// remove_unused_consts can be this one.
func (g *CFG) insertSuperinstructions(uses []int) error {
	c := &g.o.opc
	kinds := &g.o.super
	made := false
	blocks := g.blocks
	for bi := int32(0); bi != none; bi = blocks[bi].next {
		ins := blocks[bi].instrs
		for i := range ins {
			in := &ins[i]
			k := kinds[in.Op&opMask]
			if k == 0 {
				continue
			}
			if k == superConst {
				if uses != nil {
					if in.Arg < 0 || int(in.Arg) >= len(uses) {
						return fmt.Errorf("LOAD_CONST index %d is out of range for consts (len=%d)", in.Arg, len(uses))
					}
					uses[in.Arg] = int(in.Arg)
				}
				continue
			}
			if i+1 >= len(ins) {
				break
			}
			next := &ins[i+1]
			switch k {
			case superLoadFast:
				if next.Op == c.loadFast && g.makeSuperInstruction(in, next, c.loadFastLoadFast) {
					made = true
					blocks[bi].noNop = false
				}
			case superStoreFast:
				super := c.storeFastLoadFast
				if next.Op == c.storeFast {
					super = c.storeFastStoreFast
				} else if next.Op != c.loadFast {
					continue
				}
				if g.makeSuperInstruction(in, next, super) {
					made = true
					blocks[bi].noNop = false
				}
			}
		}
	}
	// The graph is as remove_redundant_nops_and_jumps left it at the end
	// of optimize_cfg (only LOAD_FAST_CHECKs changed since, which no NOP
	// decision reads) unless a superinstruction left a NOP: only then
	// can remove_redundant_nops find anything.
	if made {
		g.removeRedundantNops()
	}
	return nil
}
