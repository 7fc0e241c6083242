// Package instr is the instruction sequence and the code unit metadata
// that code generation builds, the CFG optimizer rewrites and the assembler
// turns into a code object (CPython's _PyInstructionSequence and
// _PyCompile_CodeUnitMetadata).
//
// Invariants:
//   - A jump instruction's Arg is a Label, until the assembler resolves it
//     to a byte offset; a handler's Label likewise.
//   - A Label is placed at most once; Sequence.Index maps a placed label
//     to the index of the instruction that follows it.
//   - A Location uses CPython's conventions: lines 1-based, columns
//     0-based UTF-8 byte offsets, -1 for "none" in any field; NoLocation is
//     all -1 (an instruction that has no line, e.g. a RETURN_VALUE added at
//     the end of a module).
package instr

import (
	"fmt"

	"github.com/rules-pyc/rules_pyc/compiler/native/opcode"
	"github.com/rules-pyc/rules_pyc/compiler/native/pyobj"
)

// Location is an instruction's source span.
type Location struct {
	Line, EndLine, Col, EndCol int32
}

// NoLocation is CPython's NO_LOCATION.
var NoLocation = Location{-1, -1, -1, -1}

// Label names a position in a Sequence; NoLabel is none.
type Label int32

// NoLabel is the absent label (-1, as CPython's h_label).
const NoLabel Label = -1

// Handler is an instruction's exception handler
// (_PyExceptHandlerInfo): the handler's label (NoLabel: none), the stack
// depth at its start and whether it pushes the last instruction offset.
// The depth and the flag share one int32, so that a Handler is 8 bytes
// and an Instr 32: every pass of the CFG optimizer and of the assembler
// walks arrays of Instrs.
type Handler struct {
	Label Label
	// depth is the start depth shifted left by one, with the lasti flag
	// in bit 0.
	depth int32
}

// Start depths a Handler holds: CPython's exception table encodes the
// depth (less one, shifted left by one) in at most 30 bits, so no code
// object has a handler deeper than MaxStartDepth.
const (
	MinStartDepth = -1
	MaxStartDepth = 1<<29 - 1
)

// NewHandler returns the handler at label l with start depth startDepth
// (clamped to [MinStartDepth, MaxStartDepth]) that pushes the last
// instruction offset when lasti is set.
func NewHandler(l Label, startDepth int32, lasti bool) Handler {
	startDepth = min(max(startDepth, MinStartDepth), MaxStartDepth)
	h := Handler{Label: l, depth: startDepth << 1}
	if lasti {
		h.depth |= 1
	}
	return h
}

// StartDepth is the stack depth at the handler's start.
func (h Handler) StartDepth() int32 { return h.depth >> 1 }

// PreserveLasti reports whether the handler pushes the last instruction
// offset.
func (h Handler) PreserveLasti() bool { return h.depth&1 != 0 }

// NoHandler is an instruction outside every try block.
var NoHandler = NewHandler(NoLabel, -1, false)

// Instr is one instruction.
type Instr struct {
	Op  opcode.Op
	Arg int32
	Loc Location
	// Handler is the exception handler in effect.
	Handler Handler
}

// Sequence is a code unit's instructions and labels.
type Sequence struct {
	Instrs []Instr
	labels []int32 // label -> instruction index; -1 until placed
}

// NewLabel returns a label not placed yet.
func (s *Sequence) NewLabel() Label {
	s.labels = append(s.labels, -1)
	return Label(len(s.labels) - 1)
}

// Place puts l before the next instruction added.
func (s *Sequence) Place(l Label) error {
	if l < 0 || int(l) >= len(s.labels) {
		return fmt.Errorf("instr: place label %d: no such label", l)
	}
	if s.labels[l] >= 0 {
		return fmt.Errorf("instr: label %d placed twice", l)
	}
	s.labels[l] = int32(len(s.Instrs))
	return nil
}

// Add appends an instruction outside any handler. Code generation adds
// every instruction through it: it must stay small enough to be inlined.
func (s *Sequence) Add(op opcode.Op, arg int32, loc Location) {
	s.Instrs = append(s.Instrs, Instr{Op: op, Arg: arg, Loc: loc, Handler: NoHandler})
}

// Index returns the index of the instruction at label l.
func (s *Sequence) Index(l Label) (int, error) {
	if l < 0 || int(l) >= len(s.labels) || s.labels[l] < 0 {
		return 0, fmt.Errorf("instr: label %d is not placed", l)
	}
	return int(s.labels[l]), nil
}

// Placed is Index for a loop that walks every jump: the index, or -1
// when l is not a placed label, small enough to be inlined where
// Index, which makes its error, is a call (Index says what is wrong).
func (s *Sequence) Placed(l Label) int {
	if uint(l) < uint(len(s.labels)) {
		return int(s.labels[l])
	}
	return -1
}

// Labels returns the number of labels made.
func (s *Sequence) Labels() int { return len(s.labels) }

// Metadata is a code unit's metadata (_PyCompile_CodeUnitMetadata), with
// each dictionary as the list of its keys in index order.
type Metadata struct {
	// Name and QualName are strs; QualName nil means Name.
	Name, QualName *pyobj.Object
	// Consts are the constants in index order (co_consts before the
	// assembler makes its tuple).
	Consts []*pyobj.Object
	// Names are u_names (co_names).
	Names []*pyobj.Object
	// VarNames are the fast locals, parameters first (u_varnames).
	VarNames []*pyobj.Object
	// CellVars are u_cellvars in index order; FreeVars are u_freevars,
	// whose indexes continue after the cells (index len(CellVars)+i).
	CellVars, FreeVars []*pyobj.Object
	// FastHidden are the names of u_fasthidden (locals of inlined
	// comprehensions), by value.
	FastHidden                                map[string]bool
	ArgCount, PosOnlyArgCount, KwOnlyArgCount int32
	FirstLineNo                               int32
}

// Unit is what the CFG optimizer hands the assembler for one code unit.
type Unit struct {
	Seq  Sequence
	Meta Metadata
	// Flags are the code flags (compute_code_flags).
	Flags int32
	// StackDepth is the computed maximum stack depth; NLocalsPlus the
	// number of fast locals, cells and free variables.
	StackDepth, NLocalsPlus int32
}

// NLocalsPlus returns the number of fast locals, cells and free variables
// the metadata gives a code object: the locals, the cells that are not
// also locals, and the free variables (flowgraph.c prepare_localsplus).
func (m *Metadata) NLocalsPlus() int32 {
	n := len(m.VarNames) + len(m.FreeVars)
	for _, vi := range m.CellLocals(nil) {
		if vi < 0 {
			n++
		}
	}
	return int32(n)
}

// fewCellLocals is the number of cells or locals up to which CellLocals
// scans the locals for each cell instead of building a map of them.
const fewCellLocals = 16

// CellLocals returns, for each cell variable in order, the index in
// VarNames of the local of the same name (a parameter a nested scope uses,
// which keeps its local's slot: build_cellfixedoffsets,
// compute_localsplus_info), or -1 for a cell that is not a local. It
// writes into dst, grown if short. Few cells or few locals are matched by
// a scan of the locals per cell; many of both through a map of the locals'
// names, so a function of thousands of variables that nested functions
// use costs linear time.
func (m *Metadata) CellLocals(dst []int32) []int32 {
	cells, vars := m.CellVars, m.VarNames
	if cap(dst) < len(cells) {
		dst = make([]int32, len(cells))
	}
	dst = dst[:len(cells)]
	if len(cells) <= fewCellLocals || len(vars) <= fewCellLocals {
		for ci, c := range cells {
			dst[ci] = -1
			for vi, v := range vars {
				if v == c || v.Str() == c.Str() {
					dst[ci] = int32(vi)
					break
				}
			}
		}
		return dst
	}
	first := make(map[string]int32, len(vars))
	for vi, v := range vars {
		if _, ok := first[v.Str()]; !ok {
			first[v.Str()] = int32(vi)
		}
	}
	for ci, c := range cells {
		if vi, ok := first[c.Str()]; ok {
			dst[ci] = vi
		} else {
			dst[ci] = -1
		}
	}
	return dst
}

// Insert puts in before the instruction at index pos
// (_PyInstructionSequence_InsertInstruction): labels placed at pos or
// later move with their instructions.
func (s *Sequence) Insert(pos int, in Instr) error {
	if pos < 0 || pos > len(s.Instrs) {
		return fmt.Errorf("instr: insert at %d of %d instructions", pos, len(s.Instrs))
	}
	s.Instrs = append(s.Instrs, Instr{})
	copy(s.Instrs[pos+1:], s.Instrs[pos:])
	s.Instrs[pos] = in
	for i, at := range s.labels {
		if at >= int32(pos) {
			s.labels[i] = at + 1
		}
	}
	return nil
}

// Buffers keeps the storage of sequences that are no longer needed, for
// new sequences of the same compile to reuse: a compile makes two
// sequences per code unit (code generation's and the CFG optimizer's), and
// growing each afresh was most of the compile's allocation. The zero value
// is ready; a nil *Buffers reuses nothing.
type Buffers struct {
	instrs [][]Instr
	labels [][]int32
}

// Release hands s's storage to b and leaves s empty. Nothing may use s's
// instructions or labels afterwards.
func (b *Buffers) Release(s *Sequence) {
	if b == nil {
		return
	}
	if cap(s.Instrs) > 0 {
		b.instrs = append(b.instrs, s.Instrs[:0])
	}
	if cap(s.labels) > 0 {
		b.labels = append(b.labels, s.labels[:0])
	}
	*s = Sequence{}
}

// Instrs returns an empty instruction slice with room for n, from released
// storage when some is large enough.
func (b *Buffers) Instrs(n int) []Instr {
	if b != nil {
		for i := len(b.instrs) - 1; i >= 0; i-- {
			if s := b.instrs[i]; cap(s) >= n {
				b.instrs[i] = b.instrs[len(b.instrs)-1]
				b.instrs = b.instrs[:len(b.instrs)-1]
				return s
			}
		}
	}
	return make([]Instr, 0, n)
}

// Init empties s and gives it released storage, if there is some.
func (b *Buffers) Init(s *Sequence) {
	*s = Sequence{}
	if b == nil {
		return
	}
	if n := len(b.instrs); n > 0 {
		s.Instrs = b.instrs[n-1]
		b.instrs = b.instrs[:n-1]
	}
	if n := len(b.labels); n > 0 {
		s.labels = b.labels[n-1]
		b.labels = b.labels[:n-1]
	}
}

// Trim bounds the released storage: it keeps buffers, in the order they
// were released, while their capacities add up to at most max
// instructions (and the same for labels), and drops the rest.
func (b *Buffers) Trim(max int) {
	kept := b.instrs[:0]
	total := 0
	for _, s := range b.instrs {
		if total+cap(s) <= max {
			kept = append(kept, s)
			total += cap(s)
		}
	}
	clear(b.instrs[len(kept):])
	b.instrs = kept
	keptLabels := b.labels[:0]
	total = 0
	for _, s := range b.labels {
		if total+cap(s) <= max {
			keptLabels = append(keptLabels, s)
			total += cap(s)
		}
	}
	clear(b.labels[len(keptLabels):])
	b.labels = keptLabels
}
