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
