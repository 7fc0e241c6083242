// Package opcode holds CPython's opcode tables: numbers, names, argument
// kinds, inline cache sizes and stack effects of the real instructions and
// of the compiler's pseudo-instructions.
//
// A Table describes one bytecode version (one magic number). The facts in a
// Table are generated from the interpreter's own modules (opcode, _opcode,
// _opcode_metadata) by the program in gen/, and tests compare every entry
// with a live interpreter of that version. Pseudo-instruction targets, which
// no Python module exposes, are written by hand from
// Include/internal/pycore_opcode_metadata.h and checked by the assembler's
// oracle tests.
//
// Invariants of a Table:
//   - Op numbers are CPython's: real instructions are 0..255, pseudo
//     instructions 256 and up; Name(op) is "" for a number no instruction has.
//   - Effect(op, oparg, jump) is the net stack effect CPython's
//     compiler uses (compile.c stack_effect): pushed minus popped for a real
//     instruction (the same with or without the jump), and the pseudo
//     instruction's own rule (SETUP_* push their handler's values only on
//     the jump).
//   - Specialized instructions are listed (Name, Deopt) but have no stack
//     effect: the compiler never emits them.
package opcode

import "fmt"

// Op is an opcode number: 0-255 for real instructions, 256 and up for
// pseudo instructions.
type Op uint16

// Flags are the static properties of an opcode.
type Flags uint16

// The flags, named after _opcode's has_* functions.
const (
	HasArg       Flags = 1 << iota // takes an oparg (opcode.hasarg)
	HasConst                       // oparg indexes co_consts
	HasName                        // oparg indexes co_names (possibly shifted)
	HasJump                        // oparg is a jump target
	HasFree                        // oparg indexes the free/cell variables
	HasLocal                       // oparg indexes the fast locals
	HasExc                         // pushes an exception handler (SETUP_*)
	Pseudo                         // a pseudo instruction, replaced before assembly
	Specialized                    // a specialized (adaptive) form of another instruction
	Instrumented                   // an INSTRUMENTED_* form, never in a code object's co_code
	BackwardJump                   // jumps backwards (oparg is subtracted)
)

// Effect is a stack effect as a function of the oparg:
//
//	Const + Mul*oparg + And1*(oparg&1) + Lo8*(oparg&0xFF) + Hi8*(oparg>>8) + Eq3*(oparg==3)
//
// Every net stack effect of CPython 3.13's instructions has this form.
type Effect struct {
	Const, Mul, And1, Lo8, Hi8, Eq3 int8
	// Valid is false for instructions the compiler can't use (specialized
	// and instrumented forms, INSTRUMENTED_LINE).
	Valid bool
}

// Of evaluates the effect at oparg.
func (e Effect) Of(oparg int) int {
	n := int(e.Const) + int(e.Mul)*oparg + int(e.And1)*(oparg&1) + int(e.Lo8)*(oparg&0xFF) + int(e.Hi8)*(oparg>>8)
	if oparg == 3 {
		n += int(e.Eq3)
	}
	return n
}

// Info is one opcode's entry.
type Info struct {
	Name  string
	Flags Flags
	// Cache is the number of inline cache code units after the instruction.
	Cache uint8
	// Deopt is the base instruction of a specialized one; the opcode itself
	// otherwise.
	Deopt Op
	// NoJump and Jump are the stack effects without and with the jump
	// taken (equal for every real instruction).
	NoJump, Jump Effect
	// Targets are a pseudo instruction's possible real instructions.
	Targets []Op
}

// Table is the opcode set of one bytecode version.
type Table struct {
	// Version names the bytecode version, e.g. "3.13".
	Version string
	// HaveArgument is opcode.HAVE_ARGUMENT: real opcodes >= it take an arg.
	HaveArgument Op
	// MinInstrumented is opcode.MIN_INSTRUMENTED_OPCODE.
	MinInstrumented Op
	// MinPseudo is the first pseudo opcode (256).
	MinPseudo Op
	info      []Info
	byName    map[string]Op
}

func newTable(version string, haveArgument, minInstrumented Op, info []Info) *Table {
	t := &Table{Version: version, HaveArgument: haveArgument, MinInstrumented: minInstrumented, MinPseudo: 256, info: info, byName: make(map[string]Op, len(info))}
	for i, in := range info {
		if in.Name != "" {
			t.byName[in.Name] = Op(i)
		}
	}
	return t
}

// Len returns one more than the largest opcode.
func (t *Table) Len() int { return len(t.info) }

// Info returns op's entry; the zero Info for an unknown number.
func (t *Table) Info(op Op) *Info {
	if int(op) < len(t.info) {
		return &t.info[op]
	}
	return &zeroInfo
}

var zeroInfo Info

// Name returns op's name, or "" for an unknown number.
func (t *Table) Name(op Op) string { return t.Info(op).Name }

// Lookup returns the opcode named name.
func (t *Table) Lookup(name string) (Op, bool) {
	op, ok := t.byName[name]
	return op, ok
}

// MustLookup returns the opcode named name; it panics for an unknown name,
// so it is only for package-level variables of code that knows its Table.
func (t *Table) MustLookup(name string) Op {
	op, ok := t.byName[name]
	if !ok {
		panic(fmt.Sprintf("opcode %s: no opcode %q", t.Version, name))
	}
	return op
}

// Has reports whether op has every flag in f.
func (t *Table) Has(op Op, f Flags) bool { return t.Info(op).Flags&f == f }

// Cache returns the number of inline cache entries after op.
func (t *Table) Cache(op Op) int { return int(t.Info(op).Cache) }

// StackEffect returns op's net stack effect with oparg; jump selects the
// effect on the jump (for SETUP_* pseudo instructions: on the way into
// the handler). ok is false where CPython's compiler reports an invalid
// stack effect.
func (t *Table) StackEffect(op Op, oparg int, jump bool) (effect int, ok bool) {
	in := t.Info(op)
	e := in.NoJump
	if jump {
		e = in.Jump
	}
	if !e.Valid {
		return 0, false
	}
	return e.Of(oparg), true
}

// IsPseudo reports whether op is a pseudo instruction.
func (t *Table) IsPseudo(op Op) bool { return op >= t.MinPseudo }

// Size returns the number of code units an instruction takes in co_code:
// its EXTENDED_ARG prefixes, itself and its inline caches.
func (t *Table) Size(op Op, oparg int) int {
	n := 1 + t.Cache(op)
	if oparg > 0xFF {
		n++
	}
	if oparg > 0xFFFF {
		n++
	}
	if oparg > 0xFFFFFF {
		n++
	}
	return n
}

// ForVersion returns the table of CPython major.minor, or nil when this
// package has none.
func ForVersion(major, minor int) *Table {
	if major == 3 && minor == 13 {
		return V313
	}
	return nil
}
