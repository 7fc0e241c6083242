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
//     table, line table, names, consts, local names), so equal tables of
//     two code objects are one object, as in CPython. The bytecode, whose
//     bytes object CPython also merges but nothing written refers to, is
//     no object here (see assemble).
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

	offset []int32 // per instruction: offset in code units
	// jumps are the indexes of the jumps, in order, and targets their
	// targets' indexes; handlers tells whether any instruction has a
	// handler (resolve sets them).
	jumps    []int32
	targets  []int32
	handlers bool
	// indexed is Assemble's copy of the sequence, with instruction
	// indexes for labels.
	indexed []instr.Instr
	code    []byte
	lines   []byte
	excs    []byte
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
// read, in one small array instead of the table's entries: the code units
// of the instruction with its inline cache entries (without
// EXTENDED_ARGs) in the low byte, flags above it, so that one load reads
// both.
type opInfo uint16

const (
	opKnown    opInfo = 1 << (8 + iota) // a real instruction of the table
	opJump                              // opcode.HasJump
	opBackward                          // opcode.BackwardJump
)

// units is the number of code units of the instruction and its inline
// cache entries.
func (o opInfo) units() int32 { return int32(o & 0xFF) }

// New returns an assembler for the opcode table tab, making objects in p
// and sharing them through cache.
func New(tab *opcode.Table, p *pyobj.Process, cache *pyobj.ConstCache) *Assembler {
	a := &Assembler{tab: tab, p: p, cache: cache}
	for i := 0; i < tab.Len() && i <= opMask; i++ {
		op := opcode.Op(i)
		f := opInfo(uint8(1 + tab.Cache(op)))
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
	ins, err := a.toIndexes(u.Seq.Instrs, &u.Seq)
	if err != nil {
		return nil, err
	}
	code, err := a.assemble(u, ins, filename)
	// The jumps' directions and offsets, into the sequence.
	for i := range ins {
		u.Seq.Instrs[i].Op, u.Seq.Instrs[i].Arg = ins[i].Op, ins[i].Arg
	}
	return code, err
}

// AssembleFinal makes the code object of u from ins, its final
// instructions with jump opargs and handler labels given as instruction
// indexes instead of labels (the CFG optimizer's OptimizeUnitFinal writes
// them so); u.Seq is not read. It changes ins (jump directions and
// offsets).
func (a *Assembler) AssembleFinal(u *instr.Unit, ins []instr.Instr, filename *pyobj.Object) (*pyobj.Object, error) {
	return a.assemble(u, ins, filename)
}

// toIndexes returns a copy of ins (a's scratch) whose jump opargs and
// handler labels, labels of s, are instruction indexes.
func (a *Assembler) toIndexes(ins []instr.Instr, s *instr.Sequence) ([]instr.Instr, error) {
	out := append(a.indexed[:0], ins...)
	a.indexed = out
	for i := range out {
		in := &out[i]
		if l := in.Handler.Label; l != instr.NoLabel {
			x, err := s.Index(l)
			if err != nil {
				return nil, fmt.Errorf("handler of instruction %d: %w", i, err)
			}
			in.Handler.Label = instr.Label(x)
		}
		if in.Op <= opMask && a.ops[in.Op]&opJump != 0 {
			x, err := s.Index(instr.Label(in.Arg))
			if err != nil {
				return nil, fmt.Errorf("jump %d (%s): %w", i, a.tab.Name(in.Op), err)
			}
			in.Arg = int32(x)
		}
	}
	return out, nil
}

// assemble assembles ins, whose labels are instruction indexes.
func (a *Assembler) assemble(u *instr.Unit, ins []instr.Instr, filename *pyobj.Object) (*pyobj.Object, error) {
	if err := a.resolve(ins); err != nil {
		return nil, err
	}
	a.emit(ins, u.Meta.FirstLineNo)
	// assemble_emit: the exception table and the line table go through
	// the cache in this order. CPython's cache takes the bytecode's bytes
	// object too, but nothing written refers to that object: the code
	// object keeps a copy of the bytes and marshal writes a new object
	// for co_code. Another bytes object of the compile equal to it (a
	// constant, a later table) would be filed as that object instead of
	// as itself: one object stands for the value either way, held by
	// the same references, so leaving the bytecode out changes no byte
	// of the output.
	excs := a.cache.MergeResizedBytes(a.excs)
	lines := a.cache.MergeResizedBytes(a.lines)
	return a.makeCode(u, filename, lines, excs)
}

// resolve checks ins, whose labels are instruction indexes, picks the
// direction of pseudo jumps and computes jump opargs as code-unit
// offsets, adding EXTENDED_ARGs until the sizes settle
// (resolve_jump_offsets).
func (a *Assembler) resolve(ins []instr.Instr) error {
	n := len(ins)
	a.offset = grow(a.offset, n+1)
	// jumps has room for every instruction: the walks fill it without
	// appending.
	a.jumps = grow(a.jumps, n)
	// One walk checks the instructions, finds the jumps and computes the
	// first offsets: the plain one as far as it goes, then the checking
	// one, which reports what is wrong.
	w := a.walk(ins)
	if w.i < n {
		if err := a.walkChecked(ins, &w); err != nil {
			return err
		}
	}
	a.handlers = w.handlers
	offset := a.offset[:n+1]
	offset[n] = w.total
	jumps := a.jumps[:w.jumps]
	a.jumps = jumps
	if len(jumps) == 0 {
		return nil
	}
	// The first estimate left each jump's target index as its oparg.
	a.targets = grow(a.targets, len(jumps))
	targets := a.targets[:len(jumps)]
	for k, i := range jumps {
		targets[k] = ins[i].Arg
	}
	// Jump opargs as offsets, until the sizes settle.
	for {
		changed := false
		for k, i := range jumps {
			in := &ins[i]
			f := a.ops[in.Op&opMask]
			size := a.size(in.Op, in.Arg)
			next := offset[i] + size
			to := offset[targets[k]]
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
		total := int32(0)
		for i := range ins {
			offset[i] = total
			total += a.size(ins[i].Op, ins[i].Arg)
		}
		offset[n] = total
	}
}

// walkState is the state of resolve's first walk: the next instruction,
// the offset it starts at, the number of jumps found and whether any
// instruction has a handler.
type walkState struct {
	i        int
	total    int32
	jumps    int
	handlers bool
}

// walk is resolve's first walk for what a well-formed sequence holds: it
// stops at the first instruction it does not take (a wrong one), for
// walkChecked to go on from. Its loop calls nothing and carries little,
// so that what it carries stays in registers.
func (a *Assembler) walk(ins []instr.Instr) walkState {
	n := len(ins)
	offset := a.offset[:n]
	jumps := a.jumps[:n]
	total, nj, handlers := int32(0), 0, false
	i := 0
loop:
	for ; i < n; i++ {
		in := &ins[i]
		// An instruction with the handler of the one before it (most
		// in a try block) was checked with that one.
		if l := in.Handler.Label; l != instr.NoLabel && (i == 0 || in.Handler != ins[i-1].Handler) {
			if handlerDepth(in.Handler) < 0 || l < 0 || int(l) > n {
				break
			}
			handlers = true
		}
		op := in.Op
		if op > opMask {
			break
		}
		info := a.ops[op]
		arg := in.Arg
		// Most instructions are real ones that are no jump, with an
		// oparg below 256: one test each for both.
		if info&(opKnown|opJump) != opKnown || uint32(arg) > 0xFF {
			if info&opJump != 0 {
				// The oparg is the target's index, which it stays for
				// the first estimate.
				if arg < 0 || int(arg) >= n {
					break
				}
				if info&opKnown == 0 {
					// A pseudo jump: its direction picks the real one
					// (another pseudo jump is left for walkChecked to
					// report).
					forward := int(arg) > i
					switch {
					case op == a.jump && forward, op == a.jumpNoInterrupt && forward:
						op = a.jumpForward
					case op == a.jump:
						op = a.jumpBackward
					case op == a.jumpNoInterrupt:
						op = a.jumpBackwardNI
					default:
						break loop
					}
					info = a.ops[op&opMask]
					if info&opKnown == 0 {
						break
					}
					in.Op = op
				}
				jumps[nj] = int32(i)
				nj++
			} else if info&opKnown == 0 || arg < 0 {
				break
			}
			offset[i] = total
			total += info.units()
			if arg > 0xFF {
				total += extSize(arg)
			}
			continue
		}
		offset[i] = total
		total += info.units()
	}
	return walkState{i: i, total: total, jumps: nj, handlers: handlers}
}

// handlerDepth is the stack depth an exception table entry records for h
// (negative: h's start depth is too small).
func handlerDepth(h instr.Handler) int32 {
	depth := h.StartDepth() - 1
	if h.PreserveLasti() {
		depth--
	}
	return depth
}

// walkChecked is resolve's first walk from instruction w.i on, reporting
// the first wrong instruction.
func (a *Assembler) walkChecked(ins []instr.Instr, w *walkState) error {
	n := len(ins)
	offset := a.offset[:n]
	for i := w.i; i < n; i++ {
		in := &ins[i]
		if l := in.Handler.Label; l != instr.NoLabel {
			if handlerDepth(in.Handler) < 0 {
				return fmt.Errorf("instruction %d: handler start depth %d is too small", i, in.Handler.StartDepth())
			}
			if l < 0 || int(l) > n {
				return fmt.Errorf("handler of instruction %d: instruction index %d out of range [0, %d]", i, l, n)
			}
			w.handlers = true
		}
		if in.Op > opMask {
			return fmt.Errorf("instruction %d: opcode %d can't be assembled", i, in.Op)
		}
		info := a.ops[in.Op]
		if info&opJump != 0 {
			if err := a.firstJump(n, i, in); err != nil {
				return err
			}
			a.jumps[w.jumps] = int32(i)
			w.jumps++
			info = a.ops[in.Op&opMask]
		}
		if info&opKnown == 0 {
			return fmt.Errorf("instruction %d: opcode %d (%s) can't be assembled", i, in.Op, a.tab.Name(in.Op))
		}
		arg := in.Arg
		if arg < 0 {
			return fmt.Errorf("instruction %d (%s): negative oparg %d", i, a.tab.Name(in.Op), in.Arg)
		}
		offset[i] = w.total
		w.total += info.units()
		if arg > 0xFF {
			w.total += extSize(arg)
		}
	}
	w.i = n
	return nil
}

// firstJump checks the jump in (instruction i) and picks the direction
// of a pseudo jump; its oparg, its target's index, is the first
// estimate's, as CPython's.
func (a *Assembler) firstJump(n, i int, in *instr.Instr) error {
	t := int(in.Arg)
	if t < 0 || t > n {
		return fmt.Errorf("jump %d (%s): instruction index %d out of range [0, %d]", i, a.tab.Name(in.Op), t, n)
	}
	if t == n {
		return fmt.Errorf("jump %d (%s) to the end of the code", i, a.tab.Name(in.Op))
	}
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
	return nil
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
	n := a.ops[op&opMask].units()
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
	if a.handlers {
		a.excs = emitExceptions(a.excs, ins, offset)
	}
}

// emitExceptions appends the exception table of ins to b: one entry per
// run of instructions with one handler label, with the handler of the
// run's first instruction (assemble_exception_table). A run's end is
// found by a loop that compares labels only.
func emitExceptions(b []byte, ins []instr.Instr, offset []int32) []byte {
	n := len(ins)
	offset = offset[:n+1]
	for i := 0; i < n; {
		h := ins[i].Handler
		j := i + 1
		for j < n && ins[j].Handler.Label == h.Label {
			j++
		}
		if h.Label != instr.NoLabel {
			b = writeException(b, offset[i], offset[j], offset[h.Label], h)
		}
		i = j
	}
	return b
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
		// a longer run is writeLocation's. A run these tests send to
		// writeLocationEntry gets the bytes it would get here. The
		// short form, the most common, is tested first: its line and
		// end line are lineno (one comparison of key0), not negative.
		delta := line - lineno
		switch {
		case size > 8:
			b, lineno = writeLocation(b, instr.Location{Line: line, EndLine: endLine, Col: col, EndCol: endCol}, int(size), lineno)
		case key0 == uint64(uint32(lineno))*(1<<32|1) && lineno >= 0 && uint32(col) < 80 && uint32(endCol-col) < 16:
			b = append(b, byte(0x80|(locShort0+int(col>>3))<<3|int(size-1)), byte((col&7)<<4|(endCol-col)))
		case endLine == line && line >= 0 && uint32(delta) < 3 && uint32(col) < 128 && uint32(endCol) < 128:
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

// writeLocation writes the entries for size (at least 1) code units at loc
// (assemble_emit_location), and returns the line the next entry is
// relative to.
func writeLocation(b []byte, loc instr.Location, size int, lineno int32) ([]byte, int32) {
	if loc.Line >= 0 && loc.EndLine == loc.Line && uint32(loc.Col) < 128 && uint32(loc.EndCol) < 128 {
		// One line with columns (an instruction with many inline
		// caches, most often): the short and one-line forms inline.
		// The first entry moves the line to loc.Line whatever its
		// form, so every later entry has the line delta 0 and differs
		// from the one before only in its size: their bytes are worked
		// out once.
		n := min(size, 8)
		delta := loc.Line - lineno
		short := loc.Col < 80 && uint32(loc.EndCol-loc.Col) < 16
		switch {
		case delta == 0 && short:
			b = append(b, byte(0x80|(locShort0+int(loc.Col>>3))<<3|(n-1)), byte((loc.Col&7)<<4|(loc.EndCol-loc.Col)))
		case uint32(delta) < 3:
			b = append(b, byte(0x80|(locOneLine0+int(delta))<<3|(n-1)), byte(loc.Col), byte(loc.EndCol))
		default:
			b, _ = writeLocationEntry(b, loc, n, lineno)
		}
		size -= n
		if short {
			first, second := byte(0x80|(locShort0+int(loc.Col>>3))<<3), byte((loc.Col&7)<<4|(loc.EndCol-loc.Col))
			for ; size > 8; size -= 8 {
				b = append(b, first|7, second)
			}
			if size > 0 {
				b = append(b, first|byte(size-1), second)
			}
		} else {
			for ; size > 0; size -= 8 {
				b = append(b, byte(0x80|locOneLine0<<3|(min(size, 8)-1)), byte(loc.Col), byte(loc.EndCol))
			}
		}
		return b, loc.Line
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
	// The long form: four varints, most of one byte each (a line delta
	// below 32 either way, fewer than 64 lines, columns below 63),
	// written then in one append.
	zz := uint32(delta) << 1
	if delta < 0 {
		zz = uint32(-delta)<<1 | 1
	}
	lines, c, ec := uint32(loc.EndLine-loc.Line), uint32(col+1), uint32(endCol+1)
	if zz|lines|c|ec < 64 {
		return append(b, first(locLong), byte(zz), byte(lines), byte(c), byte(ec)), loc.Line
	}
	b = append(b, first(locLong))
	b = appendSignedVarint(b, delta)
	b = appendVarint(b, lines)
	b = appendVarint(b, c)
	b = appendVarint(b, ec)
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
	names := a.cache.MergeTuple(m.Names)
	consts := a.cache.MergeTuple(m.Consts)

	nlocals := len(m.VarNames)
	nplus := int(u.NLocalsPlus)
	if cap(a.lpNames) < nplus {
		a.lpNames = make([]*pyobj.Object, nplus, nplus+nplus/4)
		a.kinds = make([]byte, nplus, nplus+nplus/4)
	}
	// lpNames holds no object on entry: every return below clears what
	// it set (the test for a slot without a name relies on that).
	lpNames, kinds := a.lpNames[:nplus], a.kinds[:nplus]
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
			clear(lpNames)
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
			clear(lpNames)
			return nil, err
		}
	}
	for j, f := range m.FreeVars {
		if err := set(len(m.CellVars)+j+nlocals-dropped, f, KindFree); err != nil {
			clear(lpNames)
			return nil, err
		}
	}
	for i, n := range lpNames {
		if n == nil {
			clear(lpNames)
			return nil, fmt.Errorf("fast local %d has no name", i)
		}
	}
	lpKinds := a.p.NewBytesResized(a.p.String(kinds))
	lpTuple := a.cache.MergeTuple(lpNames)
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
