// Package assemble turns a code unit's final instruction sequence into a
// code object, as CPython 3.13's Python/assemble.c and the code object
// constructor do: jump resolution with EXTENDED_ARG, inline caches, the
// location table (Objects/locations.md), the exception table
// (Objects/exception_handling_notes.txt), fast-local names and kinds, and
// the sharing and interning that decide how marshal writes the result.
//
// Invariants:
//   - The input is what the CFG optimizer produces: real instructions,
//     except the pseudo jumps JUMP and JUMP_NO_INTERRUPT, whose direction
//     the assembler picks; jump opargs and handlers are labels of the
//     unit's sequence (Assemble) or instruction indexes (AssembleFinal).
//   - Every bytes and tuple object the assembler makes goes through the
//     compile's constant cache exactly where CPython's does (exception
//     table, line table, bytecode, names, consts, local names), so equal
//     tables of two code objects are one object, as in CPython.
//   - Nothing here depends on the patch release within 3.13: the
//     assembler and code object creation are the same from 3.13.0 to
//     3.13.15 for every input the compiler produces (only assertions and
//     free-threading code changed).
package assemble

import (
	"fmt"

	"github.com/rules-pyc/rules_pyc/compiler/native/instr"
	"github.com/rules-pyc/rules_pyc/compiler/native/opcode"
	"github.com/rules-pyc/rules_pyc/compiler/native/pyobj"
)

// Localsplus kinds (Include/internal/pycore_code.h).
const (
	KindHidden = 0x10
	KindLocal  = 0x20
	KindCell   = 0x40
	KindFree   = 0x80
)

// Assembler assembles code units of one compile. It keeps scratch buffers
// between calls; it is not safe for concurrent use.
type Assembler struct {
	tab   *opcode.Table
	p     *pyobj.Process
	cache *pyobj.ConstCache

	jump, jumpNoInterrupt, jumpForward, jumpBackward, jumpBackwardNI, extendedArg opcode.Op
	// ops is what the loops ask about each opcode, indexed by opcode &
	// opMask (New checks that the table fits).
	ops [opMask + 1]opInfo

	target  []int32 // per instruction: target index of a jump
	offset  []int32 // per instruction: offset in code units
	handler []int32 // per instruction: handler instruction index, -1 none
	// jumps are the indexes of the jumps, in order; handlers tells
	// whether any instruction has a handler (resolve sets both).
	jumps    []int32
	handlers bool
	code     []byte
	lines    []byte
	excs     []byte
	// makeCode's scratch: the fast locals' names and kinds.
	lpNames []*pyobj.Object
	kinds   []byte
	// cellLocals is makeCode's scratch for Metadata.CellLocals.
	cellLocals []int32
}

// opMask covers every opcode number of the tables (3.13's pseudo
// instructions end at 267).
const opMask = 511

// opInfo is the part of an opcode's table entry the assembler's loops
// read, in one small array instead of the table's entries: the number of
// inline cache entries in the low byte, flags above it, so that one load
// reads both.
type opInfo uint16

const (
	opKnown    opInfo = 1 << (8 + iota) // a real instruction of the table
	opJump                              // opcode.HasJump
	opBackward                          // opcode.BackwardJump
)

// cache is the number of inline cache entries.
func (o opInfo) cache() int32 { return int32(o & 0xFF) }

// New returns an assembler for the opcode table tab, making objects in p
// and sharing them through cache.
func New(tab *opcode.Table, p *pyobj.Process, cache *pyobj.ConstCache) *Assembler {
	a := &Assembler{tab: tab, p: p, cache: cache}
	for i := 0; i < tab.Len() && i <= opMask; i++ {
		op := opcode.Op(i)
		f := opInfo(uint8(tab.Cache(op)))
		if tab.Name(op) != "" && !tab.IsPseudo(op) {
			f |= opKnown
		}
		if tab.Has(op, opcode.HasJump) {
			f |= opJump
		}
		if tab.Has(op, opcode.BackwardJump) {
			f |= opBackward
		}
		a.ops[i] = f
	}
	a.jump = tab.MustLookup("JUMP")
	a.jumpNoInterrupt = tab.MustLookup("JUMP_NO_INTERRUPT")
	a.jumpForward = tab.MustLookup("JUMP_FORWARD")
	a.jumpBackward = tab.MustLookup("JUMP_BACKWARD")
	a.jumpBackwardNI = tab.MustLookup("JUMP_BACKWARD_NO_INTERRUPT")
	a.extendedArg = tab.MustLookup("EXTENDED_ARG")
	return a
}

// Reset makes a the assembler of another compile: objects made in p and
// shared through cache. Its scratch memory is kept.
func (a *Assembler) Reset(p *pyobj.Process, cache *pyobj.ConstCache) {
	a.p, a.cache = p, cache
}

// Assemble makes the code object of u (_PyAssemble_MakeCodeObject). It
// changes u.Seq's instructions (jump directions and offsets).
func (a *Assembler) Assemble(u *instr.Unit, filename *pyobj.Object) (*pyobj.Object, error) {
	return a.assemble(u, u.Seq.Instrs, &u.Seq, filename)
}

// AssembleFinal makes the code object of u from ins, its final
// instructions with jump opargs and handler labels given as instruction
// indexes instead of labels (the CFG optimizer's OptimizeUnitFinal writes
// them so); u.Seq is not read. It changes ins (jump directions and
// offsets).
func (a *Assembler) AssembleFinal(u *instr.Unit, ins []instr.Instr, filename *pyobj.Object) (*pyobj.Object, error) {
	return a.assemble(u, ins, nil, filename)
}

// assemble assembles ins, whose labels are those of s, or instruction
// indexes when s is nil.
func (a *Assembler) assemble(u *instr.Unit, ins []instr.Instr, s *instr.Sequence, filename *pyobj.Object) (*pyobj.Object, error) {
	if err := a.resolve(ins, s); err != nil {
		return nil, err
	}
	a.emit(ins, u.Meta.FirstLineNo)
	// assemble_emit: the exception table, the line table and the
	// bytecode go through the cache in this order.
	excs := a.cache.MergeResizedBytes(a.excs)
	lines := a.cache.MergeResizedBytes(a.lines)
	a.cache.MergeResizedBytes(a.code)
	return a.makeCode(u, filename, lines, excs)
}

// resolve maps labels to instruction indexes, picks the direction of
// pseudo jumps and computes jump opargs as code-unit offsets, adding
// EXTENDED_ARGs until the sizes settle (resolve_jump_offsets). The labels
// of ins are s's, or instruction indexes when s is nil.
func (a *Assembler) resolve(ins []instr.Instr, s *instr.Sequence) error {
	n := len(ins)
	a.target = grow(a.target, n)
	a.offset = grow(a.offset, n+1)
	a.handler = grow(a.handler, n)
	offset := a.offset[:n+1]
	// One walk finds the handlers and jump targets, checks the opcodes
	// and computes the first offsets.
	// The rare cases write to a's fields, not to variables of the loop.
	a.jumps, a.handlers = a.jumps[:0], false
	total := int32(0)
	handler := a.handler[:n]
	for i := range ins {
		in := &ins[i]
		h := int32(-1)
		if in.Handler.Label != instr.NoLabel {
			depth := in.Handler.StartDepth() - 1
			if in.Handler.PreserveLasti() {
				depth--
			}
			if depth < 0 {
				return fmt.Errorf("instruction %d: handler start depth %d is too small", i, in.Handler.StartDepth())
			}
			if l := in.Handler.Label; s == nil && l >= 0 && int(l) <= n {
				// An instruction index (AssembleFinal), without a call.
				h = int32(l)
			} else {
				x, err := index(s, l, n)
				if err != nil {
					return fmt.Errorf("handler of instruction %d: %w", i, err)
				}
				h = int32(x)
			}
			a.handlers = true
		}
		handler[i] = h
		if in.Op > opMask {
			return fmt.Errorf("instruction %d: opcode %d can't be assembled", i, in.Op)
		}
		info := a.ops[in.Op]
		if info&opJump != 0 {
			if err := a.firstJump(s, n, i, in); err != nil {
				return err
			}
			info = a.ops[in.Op&opMask]
		}
		if info&opKnown == 0 {
			return fmt.Errorf("instruction %d: opcode %d (%s) can't be assembled", i, in.Op, a.tab.Name(in.Op))
		}
		arg := in.Arg
		if arg < 0 {
			return fmt.Errorf("instruction %d (%s): negative oparg %d", i, a.tab.Name(in.Op), in.Arg)
		}
		offset[i] = total
		total += 1 + info.cache()
		if arg > 0xFF {
			total += extSize(arg)
		}
	}
	offset[n] = total
	jumps := a.jumps
	// Jump opargs as offsets, until the sizes settle.
	target := a.target[:n]
	for len(jumps) > 0 {
		changed := false
		for _, i := range jumps {
			in := &ins[i]
			f := a.ops[in.Op&opMask]
			size := a.size(in.Op, in.Arg)
			next := offset[i] + size
			to := offset[target[i]]
			if to < next {
				if f&opBackward == 0 {
					return fmt.Errorf("instruction %d (%s) jumps backwards", i, a.tab.Name(in.Op))
				}
				in.Arg = next - to
			} else {
				if f&opBackward != 0 {
					return fmt.Errorf("instruction %d (%s) jumps forwards", i, a.tab.Name(in.Op))
				}
				in.Arg = to - next
			}
			if a.size(in.Op, in.Arg) != size {
				changed = true
			}
		}
		if !changed {
			return nil
		}
		total = 0
		for i := range ins {
			offset[i] = total
			total += a.size(ins[i].Op, ins[i].Arg)
		}
		offset[n] = total
	}
	return nil
}

// firstJump resolves the jump in (instruction i) for the first size
// estimate: its target's index, the direction of a pseudo jump, and the
// target's index as oparg, as CPython estimates.
func (a *Assembler) firstJump(s *instr.Sequence, n, i int, in *instr.Instr) error {
	t, err := index(s, instr.Label(in.Arg), n)
	if err != nil {
		return fmt.Errorf("jump %d (%s): %w", i, a.tab.Name(in.Op), err)
	}
	if t >= n {
		return fmt.Errorf("jump %d (%s) to the end of the code", i, a.tab.Name(in.Op))
	}
	a.target[i] = int32(t)
	a.jumps = append(a.jumps, int32(i))
	forward := t > i
	switch in.Op {
	case a.jump:
		in.Op = a.jumpBackward
		if forward {
			in.Op = a.jumpForward
		}
	case a.jumpNoInterrupt:
		in.Op = a.jumpBackwardNI
		if forward {
			in.Op = a.jumpForward
		}
	default:
		if a.tab.IsPseudo(in.Op) {
			return fmt.Errorf("pseudo jump %s left in the sequence", a.tab.Name(in.Op))
		}
	}
	in.Arg = int32(t)
	return nil
}

// index is s.Index(l), or l itself when s is nil (an instruction index,
// at most n: the end of the code).
func index(s *instr.Sequence, l instr.Label, n int) (int, error) {
	if s != nil {
		return s.Index(l)
	}
	if l < 0 || int(l) > n {
		return 0, fmt.Errorf("instruction index %d out of range [0, %d]", l, n)
	}
	return int(l), nil
}

// extSize is the number of EXTENDED_ARGs of an oparg above 0xFF.
func extSize(arg int32) int32 {
	if arg > 0xFFFF {
		if arg > 0xFFFFFF {
			return 3
		}
		return 2
	}
	return 1
}

// size is opcode.Table.Size: the code units of an instruction with its
// EXTENDED_ARGs and inline caches; arg is not negative.
func (a *Assembler) size(op opcode.Op, arg int32) int32 {
	n := 1 + a.ops[op&opMask].cache()
	if arg > 0xFF {
		n++
		if arg > 0xFFFF {
			n++
			if arg > 0xFFFFFF {
				n++
			}
		}
	}
	return n
}

func grow(s []int32, n int) []int32 {
	if cap(s) < n {
		return make([]int32, n, n+n/4)
	}
	return s[:n]
}

// emit writes the bytecode, the location table and the exception table.
// The offsets resolve computed give each instruction's size.
func (a *Assembler) emit(ins []instr.Instr, firstLine int32) {
	offset := a.offset[:len(ins)+1]
	total := int(offset[len(ins)]) * 2
	if cap(a.code) < total {
		a.code = make([]byte, total, total+total/4)
	}
	code := a.code[:total]
	// CACHE entries are zeros: clear everything, then write the
	// instructions.
	clear(code)
	writeCode(code, ins, offset, byte(a.extendedArg))
	a.code = code
	a.lines = emitLocations(a.lines[:0], ins, offset, firstLine)

	a.excs = a.excs[:0]
	if !a.handlers {
		return
	}
	cur := instr.NoHandler
	curIx := int32(-1)
	start := int32(0)
	handler := a.handler[:len(ins)]
	for i, h := range handler {
		if h != curIx {
			if curIx >= 0 {
				a.excs = writeException(a.excs, start, offset[i], offset[curIx], cur)
			}
			start = offset[i]
			cur, curIx = ins[i].Handler, h
		}
	}
	if curIx >= 0 {
		a.excs = writeException(a.excs, start, offset[len(ins)], offset[curIx], cur)
	}
}

// emitLocations appends the location table of ins to b: one run of
// entries per run of instructions with one location, whose size the
// offsets at its ends give.
func emitLocations(b []byte, ins []instr.Instr, offset []int32, lineno int32) []byte {
	if len(ins) == 0 {
		return b
	}
	// The first run starts with the first instruction; every
	// instruction takes at least one code unit, so no run is empty.
	// The run's location is kept as its two words (locKey), which are
	// what the scan compares.
	key0, key1 := locKey(&ins[0].Loc)
	at := int32(0) // where the run starts
	for i := 1; i < len(ins); i++ {
		k0, k1 := locKey(&ins[i].Loc)
		if k0 == key0 && k1 == key1 {
			continue
		}
		size := offset[i] - at
		line, endLine, col, endCol := int32(key0), int32(key0>>32), int32(key1), int32(key1>>32)
		// The two forms of most entries, inline: writeLocationEntry's
		// short form and one-line form for a run of at most 8 units;
		// a longer run is writeLocation's.
		delta := line - lineno
		switch {
		case size > 8:
			b, lineno = writeLocation(b, instr.Location{Line: line, EndLine: endLine, Col: col, EndCol: endCol}, int(size), lineno)
		case line < 0 || endLine != line || col < 0 || endCol < 0:
			b, lineno = writeLocationEntry(b, instr.Location{Line: line, EndLine: endLine, Col: col, EndCol: endCol}, int(size), lineno)
		case delta == 0 && col < 80 && endCol >= col && endCol-col < 16:
			b = append(b, byte(0x80|(locShort0+int(col>>3))<<3|int(size-1)), byte((col&7)<<4|(endCol-col)))
		case delta >= 0 && delta < 3 && col < 128 && endCol < 128:
			b = append(b, byte(0x80|(locOneLine0+int(delta))<<3|int(size-1)), byte(col), byte(endCol))
			lineno = line
		default:
			b, lineno = writeLocationEntry(b, instr.Location{Line: line, EndLine: endLine, Col: col, EndCol: endCol}, int(size), lineno)
		}
		key0, key1, at = k0, k1, offset[i]
	}
	b, _ = writeLocation(b, ins[len(ins)-1].Loc, int(offset[len(ins)]-at), lineno)
	return b
}

// writeCode writes each instruction of ins, with its EXTENDED_ARGs (ext),
// at twice its offset in code. It is a function of its own, not inlined,
// so that its loop has the registers to itself: inside emit, the values
// emit keeps for later were reloaded at every instruction.
//
//go:noinline
func writeCode(code []byte, ins []instr.Instr, offset []int32, ext byte) {
	offset = offset[:len(ins)]
	for i := range ins {
		in := &ins[i]
		// The instruction's EXTENDED_ARGs start at its offset.
		at := 2 * int(offset[i])
		arg := uint32(in.Arg)
		if arg > 0xFF {
			at = writeExtendedArgs(code, at, arg, ext)
		}
		code[at] = byte(in.Op)
		code[at+1] = byte(arg)
	}
}

// locKey is l as two words, equal for equal locations: the compiler
// loads each with one instruction, so that a location is compared in two
// steps instead of four.
func locKey(l *instr.Location) (uint64, uint64) {
	return uint64(uint32(l.Line)) | uint64(uint32(l.EndLine))<<32,
		uint64(uint32(l.Col)) | uint64(uint32(l.EndCol))<<32
}

// writeExtendedArgs writes the EXTENDED_ARGs (ext) of an oparg above 0xFF
// at b[at:] and returns the offset after them.
func writeExtendedArgs(b []byte, at int, arg uint32, ext byte) int {
	if arg > 0xFFFFFF {
		b[at], b[at+1] = ext, byte(arg>>24)
		at += 2
	}
	if arg > 0xFFFF {
		b[at], b[at+1] = ext, byte(arg>>16)
		at += 2
	}
	b[at], b[at+1] = ext, byte(arg>>8)
	return at + 2
}

// The location entry codes (Objects/locations.md).
const (
	locShort0   = 0
	locOneLine0 = 10
	locNoColumn = 13
	locLong     = 14
	locNone     = 15
)

// writeLocation writes the entries for size code units at loc
// (assemble_emit_location), and returns the line the next entry is
// relative to.
func writeLocation(b []byte, loc instr.Location, size int, lineno int32) ([]byte, int32) {
	if loc.Line >= 0 && loc.EndLine == loc.Line && uint32(loc.Col) < 128 && uint32(loc.EndCol) < 128 {
		// One line with columns (an instruction with many inline
		// caches, most often): the short and one-line forms inline.
		// After the first entry the line delta is 0.
		for size > 0 {
			n := min(size, 8)
			delta := loc.Line - lineno
			switch {
			case delta == 0 && loc.Col < 80 && uint32(loc.EndCol-loc.Col) < 16:
				b = append(b, byte(0x80|(locShort0+int(loc.Col>>3))<<3|(n-1)), byte((loc.Col&7)<<4|(loc.EndCol-loc.Col)))
			case uint32(delta) < 3:
				b = append(b, byte(0x80|(locOneLine0+int(delta))<<3|(n-1)), byte(loc.Col), byte(loc.EndCol))
				lineno = loc.Line
			default:
				b, lineno = writeLocationEntry(b, loc, n, lineno)
			}
			size -= n
		}
		return b, lineno
	}
	for size > 0 {
		n := size
		if n > 8 {
			n = 8
		}
		b, lineno = writeLocationEntry(b, loc, n, lineno)
		size -= n
	}
	return b, lineno
}

func writeLocationEntry(b []byte, loc instr.Location, n int, lineno int32) ([]byte, int32) {
	first := func(code int) byte { return byte(0x80 | code<<3 | (n - 1)) }
	if loc.Line < 0 {
		return append(b, first(locNone)), lineno
	}
	delta := loc.Line - lineno
	col, endCol := loc.Col, loc.EndCol
	if col < 0 || endCol < 0 {
		if loc.EndLine == loc.Line || loc.EndLine < 0 {
			b = append(b, first(locNoColumn))
			return appendSignedVarint(b, delta), loc.Line
		}
	} else if loc.EndLine == loc.Line {
		if delta == 0 && col < 80 && endCol-col < 16 && endCol >= col {
			return append(b, first(locShort0+int(col>>3)), byte((col&7)<<4|(endCol-col))), lineno
		}
		if delta >= 0 && delta < 3 && col < 128 && endCol < 128 {
			return append(b, first(locOneLine0+int(delta)), byte(col), byte(endCol)), loc.Line
		}
	}
	b = append(b, first(locLong))
	b = appendSignedVarint(b, delta)
	b = appendVarint(b, uint32(loc.EndLine-loc.Line))
	b = appendVarint(b, uint32(col+1))
	b = appendVarint(b, uint32(endCol+1))
	return b, loc.Line
}

func appendVarint(b []byte, v uint32) []byte {
	for v >= 64 {
		b = append(b, byte(64|v&63))
		v >>= 6
	}
	return append(b, byte(v))
}

func appendSignedVarint(b []byte, v int32) []byte {
	if v < 0 {
		return appendVarint(b, uint32(-v)<<1|1)
	}
	return appendVarint(b, uint32(v)<<1)
}

// writeException writes one exception table entry
// (assemble_emit_exception_table_entry).
func writeException(b []byte, start, end, target int32, h instr.Handler) []byte {
	depth := h.StartDepth() - 1
	lasti := int32(0)
	if h.PreserveLasti() {
		depth--
		lasti = 1
	}
	b = appendExceptionItem(b, start, 0x80)
	b = appendExceptionItem(b, end-start, 0)
	b = appendExceptionItem(b, target, 0)
	return appendExceptionItem(b, depth<<1|lasti, 0)
}

func appendExceptionItem(b []byte, v int32, msb byte) []byte {
	const cont = 64
	// Most items take one or two bytes.
	if uint32(v) < 1<<6 {
		return append(b, byte(v)|msb)
	}
	if uint32(v) < 1<<12 {
		return append(b, byte(v>>6)|cont|msb, byte(v)&0x3f)
	}
	for _, shift := range [...]uint{24, 18, 12, 6} {
		if v >= 1<<shift {
			b = append(b, byte(v>>shift)&0x3f|cont|msb)
			msb = 0
		}
	}
	return append(b, byte(v)&0x3f|msb)
}

// makeCode builds the code object (makecode, _PyCode_New).
func (a *Assembler) makeCode(u *instr.Unit, filename, lines, excs *pyobj.Object) (*pyobj.Object, error) {
	m := &u.Meta
	names := a.cache.MergeOne(a.p.NewTuple(a.p.Items(m.Names)))
	consts := a.cache.MergeOne(a.p.NewTuple(a.p.Items(m.Consts)))

	nlocals := len(m.VarNames)
	nplus := int(u.NLocalsPlus)
	if cap(a.lpNames) < nplus {
		a.lpNames = make([]*pyobj.Object, nplus, nplus+nplus/4)
		a.kinds = make([]byte, nplus, nplus+nplus/4)
	}
	lpNames, kinds := a.lpNames[:nplus], a.kinds[:nplus]
	clear(lpNames)
	set := func(off int, name *pyobj.Object, kind byte) error {
		if off < 0 || off >= nplus {
			return fmt.Errorf("local %q at %d, outside the %d fast locals", name.Str(), off, nplus)
		}
		lpNames[off], kinds[off] = name, kind
		return nil
	}
	a.cellLocals = m.CellLocals(a.cellLocals)
	cellLocals := a.cellLocals
	for i, v := range m.VarNames {
		kind := byte(KindLocal)
		if m.FastHidden != nil && m.FastHidden[v.Str()] {
			kind |= KindHidden
		}
		if err := set(i, v, kind); err != nil {
			return nil, err
		}
	}
	dropped := 0
	for i, c := range m.CellVars {
		if vi := cellLocals[i]; vi >= 0 {
			// A cell that is also a local keeps the local's slot.
			kinds[vi] |= KindCell
			dropped++
			continue
		}
		if err := set(i+nlocals-dropped, c, KindCell); err != nil {
			return nil, err
		}
	}
	for j, f := range m.FreeVars {
		if err := set(len(m.CellVars)+j+nlocals-dropped, f, KindFree); err != nil {
			return nil, err
		}
	}
	for i, n := range lpNames {
		if n == nil {
			return nil, fmt.Errorf("fast local %d has no name", i)
		}
	}
	lpKinds := a.p.NewBytesResized(a.p.String(kinds))
	lpTuple := a.cache.MergeOne(a.p.NewTuple(a.p.Items(lpNames)))
	// The scratch keeps no object of this compile.
	clear(lpNames)

	qual := m.QualName
	if qual == nil {
		qual = m.Name
	}
	co := a.p.NewCodeFields()
	*co = pyobj.CodeObject{
		ArgCount:        m.PosOnlyArgCount + m.ArgCount,
		PosOnlyArgCount: m.PosOnlyArgCount,
		KwOnlyArgCount:  m.KwOnlyArgCount,
		StackSize:       u.StackDepth,
		Flags:           u.Flags,
		Bytecode:        a.p.Bytes(a.code),
		Consts:          consts,
		Names:           names,
		LocalsPlusNames: lpTuple,
		LocalsPlusKinds: lpKinds,
		Filename:        filename,
		Name:            m.Name,
		QualName:        qual,
		FirstLineNo:     m.FirstLineNo,
		LineTable:       lines,
		ExceptionTable:  excs,
	}
	return a.p.NewCodeObject(co), nil
}
