package flowgraph

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/native/instr"
	"github.com/rules-pyc/rules_pyc/compiler/native/opcode"
	"github.com/rules-pyc/rules_pyc/compiler/native/pyobj"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
)

// fuzzOps are the opcodes the fuzz target draws from: every opcode a
// pass names, and a few others.
var fuzzOps = []string{
	"NOP", "POP_TOP", "LOAD_CONST", "RETURN_CONST", "RETURN_VALUE", "RAISE_VARARGS", "RERAISE",
	"JUMP", "JUMP_NO_INTERRUPT", "POP_JUMP_IF_FALSE", "POP_JUMP_IF_TRUE", "POP_JUMP_IF_NONE",
	"POP_JUMP_IF_NOT_NONE", "FOR_ITER", "SEND", "SETUP_FINALLY", "SETUP_WITH", "SETUP_CLEANUP",
	"POP_BLOCK", "YIELD_VALUE", "RESUME", "COPY", "SWAP", "BUILD_TUPLE", "UNPACK_SEQUENCE",
	"STORE_FAST", "STORE_FAST_MAYBE_NULL", "LOAD_FAST", "LOAD_FAST_CHECK", "LOAD_FAST_AND_CLEAR",
	"DELETE_FAST", "LOAD_GLOBAL", "PUSH_NULL", "COMPARE_OP", "TO_BOOL", "CONTAINS_OP", "IS_OP",
	"UNARY_NOT", "LOAD_CLOSURE", "LOAD_DEREF", "STORE_DEREF", "CALL", "LOAD_NAME", "END_FOR",
}

// FuzzOptimize feeds arbitrary instruction sequences (three bytes an
// instruction: opcode, oparg, line) through the whole stage: it may
// refuse them, but must not panic or loop forever.
func FuzzOptimize(f *testing.F) {
	f.Add([]byte{2, 0, 1, 4, 0, 1})
	f.Add([]byte{7, 0, 0, 0, 0, 0, 7, 1, 0})
	f.Add([]byte{15, 3, 1, 23, 1, 1, 18, 0, 0, 3, 1, 2, 16, 0, 2, 4, 0, 2})
	f.Add([]byte{2, 1, 1, 9, 4, 1, 2, 2, 2, 9, 0, 2, 8, 0, 3, 4, 0, 3})
	f.Fuzz(func(t *testing.T, data []byte) {
		p := pyobj.NewProcess(nil)
		o, err := New(opcode.V313, p)
		if err != nil {
			t.Fatal(err)
		}
		seq := fuzzSequence(data)
		n := len(seq.Instrs)
		consts := []*pyobj.Object{pyobj.NoneObj, p.FromValue(ast.IntValue(0)), pyobj.TrueObj, p.FromValue(ast.StrValue("s"))}
		meta := instr.Metadata{Consts: consts, FirstLineNo: 1,
			VarNames: []*pyobj.Object{p.Identifier("a"), p.Identifier("b")},
			CellVars: []*pyobj.Object{p.Identifier("b"), p.Identifier("c")},
			FreeVars: []*pyobj.Object{p.Identifier("d")}}
		u := instr.Unit{Seq: seq, Meta: meta}
		if n > 0 && data[0]&1 != 0 {
			u.Flags = coGenerator
		}
		_ = o.OptimizeUnit(&u, p.NewConstCache(), 1)
	})
}

// fuzzSequence decodes the fuzz targets' input: three bytes an
// instruction (opcode, oparg, line), each instruction at a label of its
// own, a target being one of those labels or the end.
func fuzzSequence(data []byte) instr.Sequence {
	tab := opcode.V313
	var seq instr.Sequence
	n := len(data) / 3
	labels := make([]instr.Label, n+1)
	for i := range labels {
		labels[i] = seq.NewLabel()
	}
	for i := 0; i < n; i++ {
		op := tab.MustLookup(fuzzOps[int(data[3*i])%len(fuzzOps)])
		arg := int32(int8(data[3*i+1]))
		if tab.Has(op, opcode.HasJump) || tab.Has(op, opcode.HasExc) {
			arg = int32(labels[int(data[3*i+1])%(n+1)])
		}
		_ = seq.Place(labels[i])
		line := int32(data[3*i+2]) - 1
		seq.Add(op, arg, instr.Location{Line: line, EndLine: line, Col: -1, EndCol: -1})
	}
	return seq
}

// FuzzNopSweepTwice checks what removeRedundantNopsAndJumps relies on: a
// sweep of every block right after another that emptied no block of NOPs
// without a line drops nothing and changes no location.
func FuzzNopSweepTwice(f *testing.F) {
	f.Add([]byte{0, 0, 5, 0, 0, 6, 0, 0, 0, 1, 0, 6})
	f.Add([]byte{0, 0, 5, 0, 0, 0, 0, 0, 6, 8, 3, 7, 0, 0, 7, 0, 0, 0, 1, 0, 7})
	f.Fuzz(func(t *testing.T, data []byte) {
		checkNopSweepTwice(t, data)
	})
}

// TestNopSweepTwice is FuzzNopSweepTwice on random graphs made mostly of
// NOPs with few distinct lines, where the sweep has the most to decide.
func TestNopSweepTwice(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	// The opcodes drawn (indexes of fuzzOps): NOP most often, POP_TOP,
	// RETURN_VALUE, JUMP, JUMP_NO_INTERRUPT, POP_JUMP_IF_FALSE.
	ops := []byte{0, 0, 0, 0, 0, 1, 4, 7, 8, 9}
	for range 50000 {
		data := make([]byte, 3*(1+r.IntN(14)))
		for i := 0; i < len(data); i += 3 {
			data[i] = ops[r.IntN(len(ops))]
			data[i+1] = byte(r.IntN(16))
			data[i+2] = byte(r.IntN(4))
		}
		checkNopSweepTwice(t, data)
	}
}

func checkNopSweepTwice(t *testing.T, data []byte) {
	t.Helper()
	o, err := New(opcode.V313, pyobj.NewProcess(nil))
	if err != nil {
		t.Fatal(err)
	}
	seq := fuzzSequence(data)
	g, err := o.Build(&seq)
	if err != nil {
		return
	}
	if g.removeRedundantNops() {
		return
	}
	var before [][]instruction
	for b := int32(0); b != none; b = g.blocks[b].next {
		before = append(before, slices.Clone(g.blocks[b].instrs))
	}
	g.removeRedundantNops()
	i := 0
	for b := int32(0); b != none; b = g.blocks[b].next {
		if !slices.Equal(before[i], g.blocks[b].instrs) {
			t.Fatalf("input %v: the second sweep changed block %d:\n%v\nto\n%v", data, b, before[i], g.blocks[b].instrs)
		}
		i++
	}
}

// TestSettledSkips checks the two steps skipped for a unit whose blocks
// are all lined after optimize_cfg (CFG.settled): the second
// resolve_line_numbers of OptimizeCodeUnit, and, without SETUP_*, the
// NOP and jump sweeps at the end of convert_pseudo_ops but for the entry
// block's NOPs. On random sequences (jumps in every direction,
// instructions with and without lines, locals and constants for the
// peephole passes and superinstructions), running either step where it
// was skipped must change nothing.
func TestSettledSkips(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	// Indexes of fuzzOps: NOP, POP_TOP, LOAD_CONST, RETURN_VALUE, JUMP,
	// JUMP_NO_INTERRUPT, POP_JUMP_IF_FALSE, POP_JUMP_IF_TRUE, SETUP_FINALLY,
	// POP_BLOCK, RESUME, COPY, STORE_FAST, LOAD_FAST, LOAD_CLOSURE, CALL.
	ops := []byte{0, 0, 1, 2, 2, 4, 7, 8, 9, 10, 15, 18, 20, 21, 25, 25, 27, 27, 27, 38, 41}
	n := 20000
	if testing.Short() {
		n = 5000
	}
	resolved, swept := 0, 0
	for range n {
		a, b := checkSettledSkips(t, randomInput(r, ops, 24, 4, 5))
		if a {
			resolved++
		}
		if b {
			swept++
		}
	}
	if resolved < n/20 || swept < n/20 {
		t.Fatalf("too few units checked: %d for the line resolution, %d for the sweeps, of %d", resolved, swept, n)
	}
}

// graphState is a graph's blocks in list order, for comparisons.
func graphState(g *CFG) [][]instruction {
	var s [][]instruction
	for b := int32(0); b != none; b = g.blocks[b].next {
		s = append(s, slices.Clone(g.blocks[b].instrs))
	}
	return s
}

// randomInput is a random input for fuzzSequence: 1 to n instructions
// with opcodes drawn from ops (indexes of fuzzOps), opargs below args
// and lines below lines.
func randomInput(r *rand.Rand, ops []byte, n, args, lines int) []byte {
	data := make([]byte, 3*(1+r.IntN(n)))
	for i := 0; i < len(data); i += 3 {
		data[i] = ops[r.IntN(len(ops))]
		data[i+1] = byte(r.IntN(args))
		data[i+2] = byte(r.IntN(lines))
	}
	return data
}

// testGraph is the graph of data's sequence (nil if Build refuses it),
// its process and the constants the random sequences load.
func testGraph(t *testing.T, data []byte) (*CFG, *pyobj.Process, []*pyobj.Object) {
	t.Helper()
	p := pyobj.NewProcess(nil)
	o, err := New(opcode.V313, p)
	if err != nil {
		t.Fatal(err)
	}
	seq := fuzzSequence(data)
	g, err := o.Build(&seq)
	if err != nil {
		return nil, p, nil
	}
	return g, p, []*pyobj.Object{pyobj.NoneObj, p.FromValue(ast.IntValue(0)), pyobj.TrueObj, p.FromValue(ast.StrValue("s"))}
}

// checkSettledSkips runs the stage on data's sequence, and each step
// skipped for it; it reports whether it checked the line resolution and
// the sweeps.
func checkSettledSkips(t *testing.T, data []byte) (resolved, swept bool) {
	t.Helper()
	g, p, consts := testGraph(t, data)
	if g == nil {
		return false, false
	}
	if err := g.OptimizeCodeUnit(&consts, p.NewConstCache(), 2, 1); err != nil || !g.settled {
		return false, false
	}
	before := graphState(g)
	g.resolveLineNumbers()
	if after := graphState(g); !slices.EqualFunc(before, after, slices.Equal) {
		t.Fatalf("input %v: the skipped line resolution changed the graph:\n%v\nto\n%v", data, before, after)
	}
	meta := instr.Metadata{Consts: consts, FirstLineNo: 1,
		VarNames: []*pyobj.Object{p.Identifier("a"), p.Identifier("b")},
		CellVars: []*pyobj.Object{p.Identifier("b")}}
	flags := int32(0)
	if data[0]&1 != 0 {
		flags = coGenerator
	}
	// finishGraph's steps up to the sweeps.
	if _, err := g.stackDepth(); err != nil {
		return true, false
	}
	_, fixed, cells, err := g.prepareLocalsplus(&meta, flags)
	if err != nil {
		return true, false
	}
	if err := g.convertPseudoOps(fixed, cells); err != nil || g.seen&pBlockPush != 0 {
		return true, false
	}
	before = graphState(g)
	if err := g.removeRedundantNopsAndJumps(); err != nil {
		t.Fatalf("input %v: the skipped sweeps fail: %v", data, err)
	}
	if after := graphState(g); !slices.EqualFunc(before, after, slices.Equal) {
		t.Fatalf("input %v: the skipped sweeps changed the graph:\n%v\nto\n%v", data, before, after)
	}
	return true, true
}

// TestSweptSkip checks the NOP sweep optimize skips at the start of its
// remove_redundant_nops_and_jumps when sweepPairs reports the graph
// swept: on random sequences (NOPs with and without lines, pairs for
// remove_redundant_nops_and_pairs, jumps that threading and
// remove_unreachable change), that sweep must change nothing.
func TestSweptSkip(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	// Indexes of fuzzOps: NOP, POP_TOP, LOAD_CONST, RETURN_VALUE, JUMP,
	// JUMP_NO_INTERRUPT, POP_JUMP_IF_FALSE, POP_JUMP_IF_TRUE, SETUP_FINALLY,
	// POP_BLOCK, COPY, STORE_FAST, LOAD_FAST.
	ops := []byte{0, 0, 0, 0, 1, 1, 2, 2, 4, 7, 7, 8, 9, 10, 15, 18, 21, 25, 27}
	n := 50000
	if testing.Short() {
		n = 10000
	}
	checked := 0
	for range n {
		if checkSweptSkip(t, randomInput(r, ops, 20, 6, 4)) {
			checked++
		}
	}
	if checked < n/4 {
		t.Fatalf("too few graphs checked: %d of %d", checked, n)
	}
}

// checkSweptSkip runs optimize on data's sequence up to the skipped NOP
// sweep, and that sweep; it reports whether sweepPairs skipped it.
func checkSweptSkip(t *testing.T, data []byte) bool {
	t.Helper()
	g, p, consts := testGraph(t, data)
	if g == nil {
		return false
	}
	// OptimizeCodeUnit's steps before optimize.
	if g.seen&(pBlockPush|pPopBlock) != 0 {
		if err := g.labelExceptionTargets(); err != nil {
			return false
		}
		g.markExceptHandlers()
	}
	if err := g.optimizeBlocks(&consts, p.NewConstCache()); err != nil || !g.sweepPairs() {
		return false
	}
	before := graphState(g)
	g.removeRedundantNops()
	if after := graphState(g); !slices.EqualFunc(before, after, slices.Equal) {
		t.Fatalf("input %v: the skipped NOP sweep changed the graph:\n%v\nto\n%v", data, before, after)
	}
	return true
}
