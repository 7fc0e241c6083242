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
//     the assembler picks; jump opargs and handlers are labels.
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

	target  []int32 // per instruction: target index of a jump
	offset  []int32 // per instruction: offset in code units
	handler []int32 // per instruction: handler instruction index, -1 none
	code    []byte
	lines   []byte
	excs    []byte
}

// New returns an assembler for the opcode table tab, making objects in p
// and sharing them through cache.
func New(tab *opcode.Table, p *pyobj.Process, cache *pyobj.ConstCache) *Assembler {
	a := &Assembler{tab: tab, p: p, cache: cache}
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
	if err := a.resolve(&u.Seq); err != nil {
		return nil, err
	}
	a.emit(u.Seq.Instrs, u.Meta.FirstLineNo)
	// assemble_emit: the exception table, the line table and the
	// bytecode go through the cache in this order.
	excs := a.cache.MergeOne(a.p.NewBytesResized(string(a.excs)))
	lines := a.cache.MergeOne(a.p.NewBytesResized(string(a.lines)))
	a.cache.MergeOne(a.p.NewBytesResized(string(a.code)))
	return a.makeCode(u, filename, lines, excs)
}

// resolve maps labels to instruction indexes, picks the direction of
// pseudo jumps and computes jump opargs as code-unit offsets, adding
// EXTENDED_ARGs until the sizes settle (resolve_jump_offsets).
func (a *Assembler) resolve(s *instr.Sequence) error {
	n := len(s.Instrs)
	a.target = grow(a.target, n)
	a.offset = grow(a.offset, n+1)
	a.handler = grow(a.handler, n)
	for i := range s.Instrs {
		in := &s.Instrs[i]
		a.handler[i] = -1
		if in.Handler.Label != instr.NoLabel {
			depth := in.Handler.StartDepth - 1
			if in.Handler.PreserveLasti {
				depth--
			}
			if depth < 0 {
				return fmt.Errorf("assemble: instruction %d: handler start depth %d is too small", i, in.Handler.StartDepth)
			}
			h, err := s.Index(in.Handler.Label)
			if err != nil {
				return fmt.Errorf("assemble: handler of instruction %d: %w", i, err)
			}
			a.handler[i] = int32(h)
		}
		if !a.tab.Has(in.Op, opcode.HasJump) {
			continue
		}
		t, err := s.Index(instr.Label(in.Arg))
		if err != nil {
			return fmt.Errorf("assemble: jump %d (%s): %w", i, a.tab.Name(in.Op), err)
		}
		if t >= n {
			return fmt.Errorf("assemble: jump %d (%s) to the end of the code", i, a.tab.Name(in.Op))
		}
		a.target[i] = int32(t)
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
				return fmt.Errorf("assemble: pseudo jump %s left in the sequence", a.tab.Name(in.Op))
			}
		}
		// As CPython, the first size estimate uses the target's index.
		in.Arg = int32(t)
	}
	for i := range s.Instrs {
		in := &s.Instrs[i]
		if a.tab.IsPseudo(in.Op) || a.tab.Name(in.Op) == "" {
			return fmt.Errorf("assemble: instruction %d: opcode %d (%s) can't be assembled", i, in.Op, a.tab.Name(in.Op))
		}
		if in.Arg < 0 {
			return fmt.Errorf("assemble: instruction %d (%s): negative oparg %d", i, a.tab.Name(in.Op), in.Arg)
		}
	}
	for {
		total := int32(0)
		for i := range s.Instrs {
			a.offset[i] = total
			total += int32(a.tab.Size(s.Instrs[i].Op, int(s.Instrs[i].Arg)))
		}
		a.offset[n] = total
		changed := false
		for i := range s.Instrs {
			in := &s.Instrs[i]
			if !a.tab.Has(in.Op, opcode.HasJump) {
				continue
			}
			size := a.tab.Size(in.Op, int(in.Arg))
			next := a.offset[i] + int32(size)
			to := a.offset[a.target[i]]
			backward := a.tab.Has(in.Op, opcode.BackwardJump)
			if to < next {
				if !backward {
					return fmt.Errorf("assemble: instruction %d (%s) jumps backwards", i, a.tab.Name(in.Op))
				}
				in.Arg = next - to
			} else {
				if backward {
					return fmt.Errorf("assemble: instruction %d (%s) jumps forwards", i, a.tab.Name(in.Op))
				}
				in.Arg = to - next
			}
			if a.tab.Size(in.Op, int(in.Arg)) != size {
				changed = true
			}
		}
		if !changed {
			return nil
		}
	}
}

func grow(s []int32, n int) []int32 {
	if cap(s) < n {
		return make([]int32, n, n+n/4)
	}
	return s[:n]
}

// emit writes the bytecode, the location table and the exception table.
func (a *Assembler) emit(ins []instr.Instr, firstLine int32) {
	a.code = a.code[:0]
	for i := range ins {
		a.code = a.writeInstr(a.code, &ins[i])
	}
	a.lines = a.lines[:0]
	lineno := firstLine
	loc := instr.NoLocation
	size := 0
	for i := range ins {
		if ins[i].Loc != loc {
			a.lines, lineno = writeLocation(a.lines, loc, size, lineno)
			loc = ins[i].Loc
			size = 0
		}
		size += a.tab.Size(ins[i].Op, int(ins[i].Arg))
	}
	a.lines, _ = writeLocation(a.lines, loc, size, lineno)

	a.excs = a.excs[:0]
	cur := instr.NoHandler
	curIx := int32(-1)
	start := int32(0)
	for i := range ins {
		if a.handler[i] != curIx {
			if curIx >= 0 {
				a.excs = writeException(a.excs, start, a.offset[i], a.offset[curIx], cur)
			}
			start = a.offset[i]
			cur, curIx = ins[i].Handler, a.handler[i]
		}
	}
	if curIx >= 0 {
		a.excs = writeException(a.excs, start, a.offset[len(ins)], a.offset[curIx], cur)
	}
}

func (a *Assembler) writeInstr(b []byte, in *instr.Instr) []byte {
	arg := uint32(in.Arg)
	if arg > 0xFFFFFF {
		b = append(b, byte(a.extendedArg), byte(arg>>24))
	}
	if arg > 0xFFFF {
		b = append(b, byte(a.extendedArg), byte(arg>>16))
	}
	if arg > 0xFF {
		b = append(b, byte(a.extendedArg), byte(arg>>8))
	}
	b = append(b, byte(in.Op), byte(arg))
	for c := a.tab.Cache(in.Op); c > 0; c-- {
		b = append(b, 0, 0) // CACHE
	}
	return b
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
	depth := h.StartDepth - 1
	lasti := int32(0)
	if h.PreserveLasti {
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
	names := a.cache.MergeOne(a.p.NewTuple(append([]*pyobj.Object(nil), m.Names...)))
	consts := a.cache.MergeOne(a.p.NewTuple(append([]*pyobj.Object(nil), m.Consts...)))

	nlocals := len(m.VarNames)
	nplus := int(u.NLocalsPlus)
	lpNames := make([]*pyobj.Object, nplus)
	kinds := make([]byte, nplus)
	set := func(off int, name *pyobj.Object, kind byte) error {
		if off < 0 || off >= nplus {
			return fmt.Errorf("assemble: local %q at %d, outside the %d fast locals", name.Str(), off, nplus)
		}
		lpNames[off], kinds[off] = name, kind
		return nil
	}
	// Most code units have no cells: build the name sets only for those
	// that have.
	var cells, vars map[string]bool
	if len(m.CellVars) > 0 {
		cells = make(map[string]bool, len(m.CellVars))
		for _, c := range m.CellVars {
			cells[c.Str()] = true
		}
		vars = make(map[string]bool, nlocals)
		for _, v := range m.VarNames {
			vars[v.Str()] = true
		}
	}
	for i, v := range m.VarNames {
		kind := byte(KindLocal)
		if m.FastHidden != nil && m.FastHidden[v.Str()] {
			kind |= KindHidden
		}
		if cells != nil && cells[v.Str()] {
			kind |= KindCell
		}
		if err := set(i, v, kind); err != nil {
			return nil, err
		}
	}
	dropped := 0
	for i, c := range m.CellVars {
		if vars[c.Str()] {
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
			return nil, fmt.Errorf("assemble: fast local %d has no name", i)
		}
	}
	lpKinds := a.p.NewBytesResized(string(kinds))
	lpTuple := a.cache.MergeOne(a.p.NewTuple(lpNames))

	qual := m.QualName
	if qual == nil {
		qual = m.Name
	}
	code := make([]byte, len(a.code))
	copy(code, a.code)
	return a.p.NewCodeObject(&pyobj.CodeObject{
		ArgCount:        m.PosOnlyArgCount + m.ArgCount,
		PosOnlyArgCount: m.PosOnlyArgCount,
		KwOnlyArgCount:  m.KwOnlyArgCount,
		StackSize:       u.StackDepth,
		Flags:           u.Flags,
		Bytecode:        code,
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
	}), nil
}
