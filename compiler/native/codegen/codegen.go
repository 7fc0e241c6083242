// Package codegen is CPython 3.13's code generation (the code-generating
// half of Python/compile.c) in Go: it walks a module's optimized tree with
// its symbol table and writes, for every code unit (module, function,
// lambda, class body, generator expression, annotation scope), the
// instruction sequence and metadata that CPython's compiler hands its CFG
// optimizer.
//
// Invariants:
//
//   - For a tree that CPython's AST optimizer produced (or
//     compiler/native/astopt, which produces the same) and its symbol table,
//     each Unit's sequence is _testinternalcapi.compiler_codegen's for that
//     unit, instruction for instruction (opcode, oparg, location; jump
//     targets as labels), and its metadata (constants in index order, names,
//     varnames, cellvars, freevars, argument counts, first line) is the
//     compiler unit's, for the release in Config.Release.
//   - Constants are pyobj objects merged through the compile's constant
//     cache in CPython's order, so that identity (and marshal's FLAG_REF)
//     follows; a nested unit's code object is made by Config.Finish at the
//     point where CPython assembles it.
//   - Every error compile.c raises comes back as a *syntaxerr.Error with
//     CPython's message and location, and every SyntaxWarning it emits is
//     reported with its text and line, in order. Codegen never panics on a
//     tree the parser can produce.
package codegen

import (
	"fmt"
	"math"
	"sort"
	"sync"
	"unsafe"

	"github.com/rules-pyc/rules_pyc/compiler/native/instr"
	"github.com/rules-pyc/rules_pyc/compiler/native/opcode"
	"github.com/rules-pyc/rules_pyc/compiler/native/pyobj"
	"github.com/rules-pyc/rules_pyc/compiler/native/symtable"
	"github.com/rules-pyc/rules_pyc/compiler/release"
	"github.com/rules-pyc/rules_pyc/compiler/stop"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/syntaxerr"
)

// Config says how to generate code.
type Config struct {
	// Filename is the name the source is compiled under.
	Filename string
	// Release is the CPython release to imitate.
	Release release.Release
	// Optimize is the optimization level (0, 1, 2).
	Optimize int
	// Process and Cache are the compile's object space and constant cache
	// (nil: new ones).
	Process *pyobj.Process
	Cache   *pyobj.ConstCache
	// Finish turns a finished unit into its code object (the CFG optimizer
	// and the assembler), called where CPython's optimize_and_assemble
	// runs, before the parent loads it. nil: a placeholder code object.
	Finish func(u *Unit) (*pyobj.Object, error)
	// Text gives errors their source line (see symtable.TextFunc).
	Text symtable.TextFunc
	// FreshStrs are the str and bytes constants loaded as new objects
	// rather than as the singletons pyobj.NewStr and pyobj.NewBytes give
	// (astopt.Config.OnFreshStr).
	FreshStrs map[*ast.Constant]bool
	// Buffers, when set, gives each unit's sequence storage that Finish
	// released (see instr.Buffers).
	Buffers *instr.Buffers
	// Stop, when set, stops the compile once it is closed (see package
	// stop): it is polled every stopEvery instructions of a unit.
	Stop <-chan struct{}
}

// Unit is one code unit: its instruction sequence, metadata and flags
// (the CFG optimizer's input), and the units nested in it in the order
// they were compiled.
type Unit struct {
	instr.Unit
	// Code is the unit's code object (Config.Finish's, or a placeholder).
	Code *pyobj.Object
	// NParams is the number of parameters (ste_varnames' length), which
	// the CFG optimizer needs.
	NParams  int
	Children []*Unit
}

// Warning is a SyntaxWarning compile.c emits: its text and line.
type Warning struct {
	Msg    string
	Lineno int
}

// Result is what Generate produces.
type Result struct {
	Top      *Unit
	Warnings []Warning
	// slabs is the storage the units came from (see Free).
	slabs *slabs
}

// scope types of compiler units (COMPILER_SCOPE_*).
type scopeType uint8

const (
	scopeModule scopeType = iota
	scopeClass
	scopeFunction
	scopeAsyncFunction
	scopeLambda
	scopeComprehension
	scopeTypeParams
)

// frame block types (enum fblocktype).
type fblockType uint8

const (
	fbWhileLoop fblockType = iota
	fbForLoop
	fbTryExcept
	fbFinallyTry
	fbFinallyEnd
	fbWith
	fbAsyncWith
	fbHandlerCleanup
	fbPopValue
	fbExceptionHandler
	fbExceptionGroupHandler
	fbAsyncComprehensionGenerator
	fbStopIteration
	// fbInlinedComprehension (3.13.16+) is an inlined comprehension's
	// handler that restores the locals it hid: it counts toward
	// CO_MAXBLOCKS (gh-156091; before, deep nesting overflowed the
	// exception stack of the flow graph).
	fbInlinedComprehension
)

// maxBlocks is CO_MAXBLOCKS.
const maxBlocks = 21

type fblock struct {
	typ   fblockType
	block instr.Label
	exit  instr.Label
	loc   instr.Location
	// datum: the finally body (fbFinallyTry), the handler's name
	// (fbHandlerCleanup, "" for none).
	body   []ast.Stmt
	name   string
	hasVar bool
}

// nameIndex is a unit's u_names or u_varnames: a Python dict of str keys
// to their insertion index, whose order CPython's code object keeps (first
// use in the generated code). Nearly every name is a symbol of the unit's
// block, whose position there the symbol table gives (nameop looks it up
// anyway, for the scope): such a name is found by that position, an array
// access whether it is in the list yet or not. The other names (attributes,
// imported names, a class body's implicit names) are kept apart, found by a
// scan up to smallIndex of them and by a map past that. No name is in both:
// one kept apart is no symbol of the block, and adopt moves it when the
// block gains it as a symbol (an inlined comprehension's, see
// pushInlinedState). The list is the unit's output; the rest is scratch
// that a recycled unit keeps (see compiler.recycle).
type nameIndex struct {
	list []*pyobj.Object
	// syms are the symbols of the unit's block.
	syms *symtable.Symbols
	// bySlot holds, by position in syms, the index of the symbol's name
	// in list plus one (0: not in list yet).
	bySlot []int32
	// others are the names that are not symbols of the block, and
	// otherIx their indexes in list; m maps them past smallIndex.
	others  []string
	otherIx []int32
	m       map[string]int32
	// spare is an empty map for m when the others outgrow a scan.
	spare map[string]int32
}

// reset empties the index for another unit, keeping its scratch.
func (d *nameIndex) reset() {
	if d.m != nil {
		clear(d.m)
		d.spare = d.m
	}
	// Field by field: a new value would be built and copied whole.
	d.list, d.syms, d.m = nil, nil, nil
	d.bySlot, d.others, d.otherIx = d.bySlot[:0], d.others[:0], d.otherIx[:0]
}

// smallIndex is the size up to which an index is searched by a scan,
// which costs less than a map's hash and probe up to about this size
// (measured over the standard library: 16 costs more, 48 no less).
const smallIndex = 32

// symbol returns the index of the name of the symbol at position at of
// the unit's block, adding it to the list if it is not there.
func (d *nameIndex) symbol(c *compiler, at int) int32 {
	if v := d.bySlot[at]; v != 0 {
		return v - 1
	}
	return d.addSymbol(c, at)
}

// addSymbol is symbol for a name not in the list yet.
func (d *nameIndex) addSymbol(c *compiler, at int) int32 {
	i := d.add(c, d.syms.List()[at].Name)
	d.bySlot[at] = i + 1
	return i
}

// start readies the empty index for a unit whose block has syms.
func (d *nameIndex) start(syms *symtable.Symbols) {
	d.syms = syms
	d.size(syms.Len())
}

// size makes bySlot n long, for a block of n symbols: start sizes it for
// the block's symbols, adopt for those pushInlinedState adds.
func (d *nameIndex) size(n int) {
	if n > cap(d.bySlot) {
		grown := make([]int32, n, n+8)
		copy(grown, d.bySlot)
		d.bySlot = grown
		return
	}
	old := len(d.bySlot)
	d.bySlot = d.bySlot[:n]
	clear(d.bySlot[old:])
}

// nonSymbol returns the index of the name s, which is no symbol of the
// unit's block, adding it to the list if it is not there.
func (d *nameIndex) nonSymbol(c *compiler, s string) int32 {
	if i := d.other(s); i >= 0 {
		return i
	}
	return d.addOther(c, s)
}

// index returns the index of the name s, whether a symbol of the unit's
// block or not, adding it to the list if it is not there.
func (d *nameIndex) index(c *compiler, s string) int32 {
	// One kept apart is found without a look-up in the symbols.
	if i := d.other(s); i >= 0 {
		return i
	}
	if at := d.syms.Index(s); at >= 0 {
		return d.symbol(c, at)
	}
	return d.addOther(c, s)
}

// addOther adds s, which is no symbol of the unit's block and not in the
// list, to the list and the names kept apart, and returns its index.
func (d *nameIndex) addOther(c *compiler, s string) int32 {
	i := d.add(c, s)
	d.others = append(d.others, s)
	d.otherIx = append(d.otherIx, i)
	if d.m != nil {
		d.m[s] = i
	} else if len(d.others) > smallIndex {
		d.m = d.spare
		d.spare = nil
		if d.m == nil {
			d.m = make(map[string]int32, 2*len(d.others))
		}
		for j, k := range d.others {
			d.m[k] = d.otherIx[j]
		}
	}
	return i
}

// other returns the index of s among the names that are no symbols, -1
// if it is not one of them.
func (d *nameIndex) other(s string) int32 {
	if d.m != nil {
		if i, ok := d.m[s]; ok {
			return i
		}
		return -1
	}
	for j, k := range d.others {
		if k == s {
			return d.otherIx[j]
		}
	}
	return -1
}

// adopt records that the unit's block gained a symbol, s, at position at
// (see pushInlinedState): bySlot makes room for it and, if s is one of the
// names kept apart, holds its index from now on.
func (d *nameIndex) adopt(at int, s string) {
	d.size(at + 1)
	i := d.other(s)
	if i < 0 {
		return
	}
	j := 0
	for d.others[j] != s {
		j++
	}
	last := len(d.others) - 1
	d.others[j], d.otherIx[j] = d.others[last], d.otherIx[last]
	d.others, d.otherIx = d.others[:last], d.otherIx[:last]
	if d.m != nil {
		delete(d.m, s)
	}
	d.bySlot[at] = i + 1
}

// add appends s to the list and returns its index.
func (d *nameIndex) add(c *compiler, s string) int32 {
	i := int32(len(d.list))
	if len(d.list) == cap(d.list) {
		// Grown from the compile's storage, as the first room is.
		l := c.objs(max(2*len(d.list), 8))
		d.list = append(l, d.list...)
	}
	d.list = append(d.list, c.p.Identifier(s))
	return i
}

// constIndex is the unit's constants (u_consts): each constant, merged
// through the constant cache, with its index; searched as nameIndex is.
type constIndex struct {
	m     map[*pyobj.Object]int32
	list  []*pyobj.Object
	spare map[*pyobj.Object]int32
	// seen has the bit objBit(o) set for every o in list, while the list
	// is scanned (m is nil): a constant whose bit is clear is not there,
	// and its first use in the unit, most uses of most constants, skips
	// the scan of the whole list.
	seen uint64
}

// objBit is o's bit in constIndex.seen, from its address (objects are
// carved from the Process's blocks, at most a few cache lines apart).
func objBit(o *pyobj.Object) uint64 {
	return 1 << (uintptr(unsafe.Pointer(o)) * 0x9e3779b97f4a7c15 >> 58)
}

// reset empties the index for another unit, keeping its map.
func (d *constIndex) reset() {
	if d.m != nil {
		clear(d.m)
		d.spare = d.m
	}
	d.m, d.list, d.seen = nil, nil, 0
}

func (d *constIndex) index(c *compiler, o *pyobj.Object) int32 {
	bit := objBit(o)
	if d.m != nil {
		if i, ok := d.m[o]; ok {
			return i
		}
	} else if d.seen&bit != 0 {
		for i, k := range d.list {
			if k == o {
				return int32(i)
			}
		}
	}
	d.seen |= bit
	i := int32(len(d.list))
	if len(d.list) == cap(d.list) {
		l := c.objs(max(2*len(d.list), 8))
		d.list = append(l, d.list...)
	}
	d.list = append(d.list, o)
	if d.m != nil {
		d.m[o] = i
	} else if len(d.list) > smallIndex {
		d.m = d.spare
		d.spare = nil
		if d.m == nil {
			d.m = make(map[*pyobj.Object]int32, 2*len(d.list))
		}
		for j, k := range d.list {
			d.m[k] = int32(j)
		}
	}
	return i
}

// unit is a code unit being compiled: its state, and the scratch that a
// finished unit keeps for the next one (see compiler.recycle).
type unit struct {
	unitState

	consts      constIndex
	names       nameIndex
	varnames    nameIndex
	cellvars    map[string]int32
	cellList    []string
	freevars    map[string]int32
	freeList    []string
	fasthidden  map[string]bool
	fblocks     []fblock
	staticAttrs map[string]bool
}

// unitState is the part of a unit that a new one starts with zeroed.
type unitState struct {
	out      *Unit
	seq      *instr.Sequence
	scope    scopeType
	ste      *symtable.Block
	name     string
	qualname string
	qualObj  *pyobj.Object
	private  string
	hasPriv  bool
	// nextCheck is the sequence length at which addop calls checkpoint.
	nextCheck int
	// fastEnd is the sequence length at which addop stops taking its
	// fast path: at most nextCheck (no checkpoint is due before it) and
	// at most the sequence's capacity (an instruction fits without
	// growing it). Nothing but addopSlow grows the sequence's capacity
	// except Sequence.Insert, which only grows it, so the bound stays
	// true; it is 0 for a new unit, whose first instruction takes the
	// slow path.
	fastEnd int

	freeStarted               bool
	inInlinedComp             int
	argcount, posonly, kwonly int32
	firstLine                 int32
}

type compiler struct {
	cfg              Config
	p                *pyobj.Process
	cache            *pyobj.ConstCache
	st               *symtable.Table
	future           symtable.Future
	u                *unit
	stack            []*unit
	interactive      bool
	warnings         []Warning
	disableWarning   int
	v313_1           bool                            // 3.13.1+ (gh-125038): GET_ITER in inlined comprehensions' outermost loops
	v313_warnFinally bool                            // 3.13.10+ (gh-139640): no warnings from a finally body's exceptional copy
	v313_16          bool                            // 3.13.16+: an inlined comprehension hiding locals is a frame block
	nanObjs          map[*ast.Constant]*pyobj.Object // see nanConst

	// freeUnits are finished units whose scratch serves new ones;
	// freeInlined the same for inlined comprehensions' states.
	freeUnits   []*unit
	freeInlined []*inlinedState
	// objSlab is storage for the units' object lists, taken in pieces;
	// outSlab for the units' results. Each new block is twice the last
	// (up to a bound): small modules need little.
	objSlab    []*pyobj.Object
	outSlab    []Unit
	kidSlab    []*Unit
	objN, outN int
	// slabs gives the slabs above, and keeps them for Result.Free.
	slabs *slabs

	// importMask has importBit set for each name the module block
	// imports (setImportMask), so that most names need no look-up in
	// isImportOriginated.
	importMask uint64

	// buf is scratch for strings built before they are carved from the
	// compile's storage (pyobj.Process.String): qualified names, cleaned
	// docstrings.
	buf []byte
}

// unitPtrs returns an empty list of units with room for n, from the
// compile's storage.
func (c *compiler) unitPtrs(n int) []*Unit {
	if len(c.kidSlab) < n {
		c.kidSlab = c.slabs.kidChunks.Take(max(n, 64), 0)
	}
	l := c.kidSlab[:0:n]
	c.kidSlab = c.kidSlab[n:]
	return l
}

// objs returns an empty list of objects with room for n, from the
// compile's storage.
func (c *compiler) objs(n int) []*pyobj.Object {
	if len(c.objSlab) < n {
		c.objN = min(max(2*c.objN, 64), 1024)
		c.objSlab = c.slabs.objChunks.Take(max(n, c.objN), 0)
	}
	l := c.objSlab[:0:n]
	c.objSlab = c.objSlab[n:]
	return l
}

// newUnit returns a unit for enterScope, with the scratch of a finished
// one if there is one.
func (c *compiler) newUnit() *unit {
	var u *unit
	if n := len(c.freeUnits); n > 0 {
		u = c.freeUnits[n-1]
		c.freeUnits = c.freeUnits[:n-1]
	} else {
		u = &unit{}
	}
	if len(c.outSlab) == 0 {
		c.outN = min(max(2*c.outN, 2), 32)
		c.outSlab = c.slabs.outChunks.Take(c.outN, 0)
	}
	u.out = &c.outSlab[0]
	c.outSlab = c.outSlab[1:]
	return u
}

// recycle keeps a finished unit's scratch for a later unit: its name
// indexes' keys and maps, its cell, free and hidden-name maps and its
// frame blocks. Nothing refers to a unit once it is finished (its result
// is u.out).
func (c *compiler) recycle(u *unit) {
	u.names.reset()
	u.varnames.reset()
	u.consts.reset()
	// Most units leave these maps empty: clearing an empty map still
	// costs a call.
	if len(u.cellvars) > 0 {
		clear(u.cellvars)
	}
	if len(u.freevars) > 0 {
		clear(u.freevars)
	}
	if len(u.fasthidden) > 0 {
		clear(u.fasthidden)
	}
	if len(u.staticAttrs) > 0 {
		clear(u.staticAttrs)
	}
	clear(u.fblocks)
	// Zeroing the state alone spares copying the scratch into a new
	// unit value and back.
	u.unitState = unitState{}
	u.cellList, u.freeList, u.fblocks = u.cellList[:0], u.freeList[:0], u.fblocks[:0]
	c.freeUnits = append(c.freeUnits, u)
}

// Generate compiles mod (optimized, with its symbol table) and returns the
// module's unit with every nested unit. With an error, the Result holds
// only the warnings emitted before it (CPython prints them first).
func Generate(mod ast.ModNode, st *symtable.Table, cfg Config) (*Result, error) {
	c := &compiler{cfg: cfg, st: st, future: st.Future}
	c.p = cfg.Process
	if c.p == nil {
		c.p = pyobj.NewProcess(nil)
	}
	c.cache = cfg.Cache
	if c.cache == nil {
		c.cache = c.p.NewConstCache()
	}
	c.v313_1 = cfg.Release.AtLeast(release.Release{Major: 3, Minor: 13, Micro: 1})
	c.v313_warnFinally = cfg.Release.AtLeast(release.Release{Major: 3, Minor: 13, Micro: 10})
	c.v313_16 = cfg.Release.AtLeast(release.Release{Major: 3, Minor: 13, Micro: 16})
	kept, _ := unitPool.Get().(*pooledUnits)
	if kept != nil {
		c.freeUnits, c.stack, c.freeInlined = kept.free, kept.stack, kept.inlined
	} else {
		kept = new(pooledUnits)
	}
	c.setImportMask()
	c.slabs = getSlabs()
	top, err := c.module(mod)
	// The finished units' scratch serves the next compile (a unit is
	// emptied when it finishes: see recycle), and so does the stack.
	clear(c.stack[:cap(c.stack)])
	*kept = pooledUnits{
		free:    c.freeUnits[:min(len(c.freeUnits), maxPooledUnits)],
		stack:   c.stack[:0],
		inlined: c.freeInlined[:min(len(c.freeInlined), maxPooledUnits)],
	}
	unitPool.Put(kept)
	if err != nil {
		// The warnings emitted before the error: CPython prints them
		// before py_compile reports the error.
		return &Result{Warnings: c.warnings, slabs: c.slabs}, err
	}
	return &Result{Top: top, Warnings: c.warnings, slabs: c.slabs}, nil
}

// unitPool keeps the finished units of a compile (emptied by recycle:
// they hold scratch only) and its emptied unit stack for the next compile.
var unitPool sync.Pool

type pooledUnits struct {
	free, stack []*unit
	inlined     []*inlinedState
}

// maxPooledUnits bounds the units kept: nesting deeper than this is rare.
const maxPooledUnits = 16

type genError struct{ err error }

// module is compiler_mod.
func (c *compiler) module(mod ast.ModNode) (u *Unit, err error) {
	defer func() {
		if r := recover(); r != nil {
			ge, ok := r.(genError)
			if !ok {
				panic(r)
			}
			u, err = nil, ge.err
		}
	}()
	c.enterScope("<module>", scopeModule, c.st.Top, 1)
	addNone := true
	switch m := mod.(type) {
	case *ast.Module:
		c.body(instr.Location{Line: 1, EndLine: 1, Col: 0, EndCol: 0}, m.Body)
	case *ast.Interactive:
		if findAnn(m.Body) {
			c.addop(opSETUP_ANNOTATIONS, 0, instr.Location{Line: 1, EndLine: 1})
		}
		c.interactive = true
		for _, s := range m.Body {
			c.stmt(s)
		}
	case *ast.Expression:
		c.expr(m.Body)
		addNone = false
	default:
		return nil, fmt.Errorf("cannot compile a %T", mod)
	}
	return c.finishUnit(addNone), nil
}

// fail stops code generation with err.
func (c *compiler) fail(err error) {
	panic(genError{err})
}

// errorf is compiler_error.
func (c *compiler) errorf(loc instr.Location, format string, args ...any) {
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	e := &syntaxerr.Error{
		Type:      syntaxerr.SyntaxError,
		Msg:       msg,
		Filename:  c.cfg.Filename,
		Lineno:    int(loc.Line),
		Offset:    int(loc.Col) + 1,
		EndLineno: int(loc.EndLine),
		EndOffset: int(loc.EndCol) + 1,
	}
	if c.cfg.Text != nil {
		e.Text, e.HasText = c.cfg.Text(int(loc.Line))
	}
	c.fail(e)
}

// warn is compiler_warn.
func (c *compiler) warn(loc instr.Location, format string, args ...any) {
	if c.disableWarning > 0 {
		return
	}
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	c.warnings = append(c.warnings, Warning{Msg: msg, Lineno: int(loc.Line)})
}

// locOf is n's location as an instruction's. It is one call more than
// locAt(n.Location()), which the hot sites write instead (locOf is just
// over the inliner's budget).
func locOf(n ast.Located) instr.Location { return locAt(n.Location()) }

// locAt is l as an instruction's location.
func locAt(l *ast.Loc) instr.Location {
	return instr.Location{Line: int32(l.Lineno), EndLine: int32(l.EndLineno), Col: int32(l.ColOffset), EndCol: int32(l.EndColOffset)}
}

var noLoc = instr.NoLocation

// enterScope is compiler_enter_scope.
func (c *compiler) enterScope(name string, st scopeType, ste *symtable.Block, lineno int) {
	if ste == nil {
		c.fail(fmt.Errorf("no symbol table block for %s", name))
	}
	u := c.newUnit()
	u.scope, u.ste, u.name = st, ste, name
	u.seq = &u.out.Seq
	c.cfg.Buffers.Init(u.seq)
	syms := &ste.Symbols
	u.names.start(syms)
	u.varnames.start(syms)
	for i, v := range ste.Varnames {
		// The parameters are the first symbols a function's block
		// records, as a rule.
		if i < syms.Len() && syms.List()[i].Name == v {
			u.varnames.symbol(c, i)
		} else {
			u.varnames.index(c, v)
		}
	}
	var cells, frees []string
	// Most blocks have neither cells nor free variables: the symbol
	// table says which, and their symbols need no walk.
	if ste.CellsOrFrees {
		for _, s := range ste.Symbols.List() {
			sc := s.Flags.Scope()
			if sc == symtable.Cell || s.Flags&symtable.DefCompCell != 0 {
				cells = append(cells, s.Name)
			}
			if sc == symtable.Free || s.Flags&symtable.DefFreeClass != 0 {
				frees = append(frees, s.Name)
			}
		}
	}
	if len(cells) > 1 {
		sort.Strings(cells)
	}
	if len(frees) > 1 {
		sort.Strings(frees)
	}
	for _, n := range cells {
		u.addCell(n)
	}
	if ste.NeedsClassClosure {
		u.addCell("__class__")
	}
	if ste.NeedsClassdict {
		u.addCell("__classdict__")
	}
	for _, n := range frees {
		u.addFree(n)
	}
	u.freeStarted = true
	u.firstLine = int32(lineno)
	if st == scopeClass && u.staticAttrs == nil {
		u.staticAttrs = map[string]bool{}
	}
	if c.u != nil {
		c.stack = append(c.stack, c.u)
		u.private, u.hasPriv = c.u.private, c.u.hasPriv
	}
	c.u = u
	loc := instr.Location{Line: int32(lineno), EndLine: int32(lineno)}
	if st == scopeModule {
		loc.Line = 0
	} else {
		c.setQualname()
	}
	c.addop(opRESUME, 0, loc)
}

func (u *unit) addCell(n string) int32 {
	if i, ok := u.cellvars[n]; ok {
		return i
	}
	if u.cellvars == nil {
		u.cellvars = make(map[string]int32)
	}
	i := int32(len(u.cellList))
	u.cellvars[n] = i
	u.cellList = append(u.cellList, n)
	return i
}

func (u *unit) addFree(n string) int32 {
	if i, ok := u.freevars[n]; ok {
		return i
	}
	if u.freevars == nil {
		u.freevars = make(map[string]int32)
	}
	// dict_add_o numbers a name added after the unit started by the
	// dict's size, without the cells' offset, as CPython does.
	i := int32(len(u.freeList))
	if u.freeStarted {
		u.freevars[n] = i
		u.freeList = append(u.freeList, n)
		return i
	}
	i = int32(len(u.cellList) + len(u.freeList))
	u.freevars[n] = i
	u.freeList = append(u.freeList, n)
	return i
}

// setQualname is compiler_set_qualname.
func (c *compiler) setQualname() {
	u := c.u
	n := len(c.stack)
	var base, locals string
	hasBase := false
	if n > 1 {
		parent := c.stack[n-1]
		if parent.scope == scopeTypeParams {
			if n == 2 {
				u.qualname = u.name
				return
			}
			parent = c.stack[n-2]
		}
		force := false
		if u.scope == scopeFunction || u.scope == scopeAsyncFunction || u.scope == scopeClass {
			mangled := u.name
			if parent.hasPriv {
				mangled = symtable.Mangle(parent.private, u.name)
			}
			// The symbol table noted where the block that binds the
			// name (parent's) has it.
			if scopeAt(parent.ste, mangled, u.ste.NameAt) == symtable.GlobalExplicit {
				force = true
			}
		}
		if !force {
			// One concatenation for the whole name.
			base = parent.qualname
			if parent.scope == scopeFunction || parent.scope == scopeAsyncFunction || parent.scope == scopeLambda {
				locals = ".<locals>"
			}
			hasBase = true
		}
	}
	if hasBase {
		b := append(c.buf[:0], base...)
		b = append(b, locals...)
		b = append(b, '.')
		b = append(b, u.name...)
		c.buf = b[:0]
		u.qualname = c.p.String(b)
		u.qualObj = c.p.NewStr(u.qualname)
	} else {
		u.qualname = u.name
	}
}

// scopeAt returns the scope of name in b, looking first at the symbol at
// position hint (see ast.Name.SymbolAt).
func scopeAt(b *symtable.Block, name string, hint int32) symtable.Scope {
	if syms := b.Symbols.List(); uint(hint) < uint(len(syms)) && syms[hint].Name == name {
		return syms[hint].Flags.Scope()
	}
	return b.Scope(name)
}

// exitScope is compiler_exit_scope.
func (c *compiler) exitScope() *Unit {
	out := c.u.out
	n := len(c.stack)
	if n > 0 {
		c.u = c.stack[n-1]
		c.stack = c.stack[:n-1]
		kids := c.u.out.Children
		if len(kids) == cap(kids) {
			grown := c.unitPtrs(max(2*len(kids), 4))
			kids = append(grown, kids...)
		}
		c.u.out.Children = append(kids, out)
	} else {
		c.u = nil
	}
	return out
}

// finishUnit is optimize_and_assemble followed by compiler_exit_scope: it
// adds the return at the end, fills in the metadata and makes the code
// object.
func (c *compiler) finishUnit(addNone bool) *Unit {
	u := c.u
	flags := c.codeFlags()
	if addNone {
		c.loadConst(noLoc, pyobj.NoneObj)
	}
	c.addop(opRETURN_VALUE, 0, noLoc)
	out := u.out
	out.Flags = flags
	m := &out.Meta
	m.Name = c.p.Identifier(u.name)
	if u.qualObj != nil {
		m.QualName = u.qualObj
	} else {
		m.QualName = m.Name
	}
	m.Consts = u.consts.list
	m.Names = u.names.list
	m.VarNames = u.varnames.list
	if len(u.cellList) > 0 {
		m.CellVars = c.objs(len(u.cellList))
		for _, n := range u.cellList {
			m.CellVars = append(m.CellVars, c.p.Identifier(n))
		}
	}
	if len(u.freeList) > 0 {
		m.FreeVars = c.objs(len(u.freeList))
		for _, n := range u.freeList {
			m.FreeVars = append(m.FreeVars, c.p.Identifier(n))
		}
	}
	// Every key of u_fasthidden, also those set back to False when their
	// comprehension ended: compute_localsplus_info tests membership.
	if len(u.fasthidden) > 0 {
		for n := range u.fasthidden {
			if m.FastHidden == nil {
				m.FastHidden = map[string]bool{}
			}
			m.FastHidden[n] = true
		}
	}
	m.ArgCount, m.PosOnlyArgCount, m.KwOnlyArgCount = u.argcount, u.posonly, u.kwonly
	m.FirstLineNo = u.firstLine
	out.NParams = len(u.ste.Varnames)
	if c.cfg.Finish != nil {
		code, err := c.cfg.Finish(out)
		if err != nil {
			c.fail(err)
		}
		out.Code = code
	} else {
		out.Code = c.p.NewCode(&pyobj.CodeObject{})
	}
	c.exitScope()
	c.recycle(u)
	return out
}

// code flags.
const (
	coOptimized      = 0x1
	coNewLocals      = 0x2
	coVarargs        = 0x4
	coVarkeywords    = 0x8
	coNested         = 0x10
	coGenerator      = 0x20
	coCoroutine      = 0x80
	coAsyncGenerator = 0x200
)

// codeFlags is compute_code_flags.
func (c *compiler) codeFlags() int32 {
	ste := c.u.ste
	var f int32
	if ste.FunctionLike() {
		f |= coNewLocals | coOptimized
		if ste.Nested {
			f |= coNested
		}
		switch {
		case ste.Generator && !ste.Coroutine:
			f |= coGenerator
		case !ste.Generator && ste.Coroutine:
			f |= coCoroutine
		case ste.Generator && ste.Coroutine:
			f |= coAsyncGenerator
		}
		if ste.Varargs {
			f |= coVarargs
		}
		if ste.Varkeywords {
			f |= coVarkeywords
		}
	}
	f |= int32(c.future.Features)
	return f
}

// ---- emitting ----

// maxUnitInstrs bounds the instructions of one code unit before the CFG
// optimizer: some constructs make code quadratic in their size (a match
// pattern's captures rotate the stack, one SWAP per item below them), and
// CPython builds all of it before optimizing it away: a sequence pattern
// of 2,000 captures takes it 490 MB, one of 20,000 more memory than the
// machine has (the kernel kills it). Past this bound (about 270 MB of
// instructions here, 1.35 GB at the failing compile's peak; the first
// patterns to reach it take CPython over 1 GB) the compile fails with a
// MemoryError instead, what CPython raises when its memory runs out. A
// variable, so that tests can lower it.
var maxUnitInstrs = 1 << 23

// stopEvery is how many instructions of a unit code generation emits
// between two polls of Config.Stop (a power of two).
const stopEvery = 1 << 16

// addop appends an instruction to the unit's sequence, calling checkpoint
// when one is due.
func (c *compiler) addop(op opcode.Op, arg int32, loc instr.Location) {
	if !c.u.tryAdd(op, arg, loc) {
		c.addopSlow(op, arg, loc)
	}
}

// tryAdd is addop's fast path, taken while the sequence is shorter than
// fastEnd: it appends what instr.Sequence.Add appends and reports true,
// or reports false and leaves the rest to addopSlow. addop, with its
// call of addopSlow, is over the inliner's budget; the hottest callers
// (a name's load or store, a constant's, an attribute's, a call's
// PUSH_NULL and CALL, an expression statement's POP_TOP) write
// "if !c.u.tryAdd(...) { c.addopSlow(...) }" and spare the call.
func (u *unit) tryAdd(op opcode.Op, arg int32, loc instr.Location) bool {
	s := u.seq
	n := len(s.Instrs)
	if n >= u.fastEnd {
		return false
	}
	// s.Instrs resliced in place: only its length is stored.
	s.Instrs = s.Instrs[:n+1]
	s.Instrs[n] = instr.Instr{Op: op, Arg: arg, Loc: loc, Handler: instr.NoHandler}
	return true
}

// addopSlow is addop when a checkpoint is due or the sequence has no room
// left. It sets fastEnd again.
func (c *compiler) addopSlow(op opcode.Op, arg int32, loc instr.Location) {
	u := c.u
	if n := len(u.seq.Instrs); n >= u.nextCheck {
		c.checkpoint(n)
	}
	u.seq.Add(op, arg, loc)
	u.fastEnd = min(u.nextCheck, cap(u.seq.Instrs))
}

// checkpoint fails a unit of n instructions past maxUnitInstrs, and stops
// the compile if it was asked to. addop calls it at the unit's first
// instruction, every stopEvery instructions after, and at maxUnitInstrs.
func (c *compiler) checkpoint(n int) {
	if n >= maxUnitInstrs {
		c.tooLarge()
	}
	stop.Poll(c.cfg.Stop)
	c.u.nextCheck = min(n&^(stopEvery-1)+stopEvery, maxUnitInstrs)
}

// tooLarge fails the compile of a code unit past maxUnitInstrs.
func (c *compiler) tooLarge() {
	c.fail(&syntaxerr.Error{Type: syntaxerr.MemoryError, NoLocation: true,
		Msg: fmt.Sprintf("code object too large to compile (more than %d instructions)", maxUnitInstrs)})
}

func (c *compiler) newLabel() instr.Label { return c.u.seq.NewLabel() }

func (c *compiler) useLabel(l instr.Label) {
	if err := c.u.seq.Place(l); err != nil {
		c.fail(err)
	}
}

func (c *compiler) jump(op opcode.Op, l instr.Label, loc instr.Location) {
	c.addop(op, int32(l), loc)
}

// addConst is compiler_add_const: o merged through the constant cache,
// and its index in the unit's constants.
func (c *compiler) addConst(o *pyobj.Object) int32 {
	return c.u.consts.index(c, c.cache.Merge(o))
}

func (c *compiler) loadConst(loc instr.Location, o *pyobj.Object) {
	u := c.u
	if arg := u.consts.index(c, c.cache.Merge(o)); !u.tryAdd(opLOAD_CONST, arg, loc) {
		c.addopSlow(opLOAD_CONST, arg, loc)
	}
}

// nanConst returns the object of a constant that holds a NaN: one per
// node, however often the node is compiled (a while loop's test, a
// finally body). CPython's constant cache merges NaNs by identity, and
// the node's object is one object; values made anew would not merge.
func (c *compiler) nanConst(k *ast.Constant) *pyobj.Object {
	if o, ok := c.nanObjs[k]; ok {
		return o
	}
	o := c.p.FromValue(k.Value)
	if c.nanObjs == nil {
		c.nanObjs = map[*ast.Constant]*pyobj.Object{}
	}
	c.nanObjs[k] = o
	return o
}

// nanKinds are the kinds of constant that may be or hold a NaN, which
// hasNaN looks into.
const nanKinds = 1<<ast.FloatKind | 1<<ast.ComplexKind | 1<<ast.TupleKind | 1<<ast.FrozenSetKind

// hasNaN reports whether v is or holds a NaN float or complex number.
func hasNaN(v ast.Value) bool {
	switch v.Kind() {
	case ast.FloatKind:
		return math.IsNaN(v.Float())
	case ast.ComplexKind:
		re, im := v.Complex()
		return math.IsNaN(re) || math.IsNaN(im)
	case ast.TupleKind, ast.FrozenSetKind:
		for _, e := range v.Elems() {
			if hasNaN(e) {
				return true
			}
		}
	}
	return false
}

// loadValue loads the constant v: the cache's object when it holds an
// equal one (no object is made for it then), a new object otherwise.
func (c *compiler) loadValue(loc instr.Location, v ast.Value) {
	u := c.u
	if arg := u.consts.index(c, c.cache.MergeValue(v)); !u.tryAdd(opLOAD_CONST, arg, loc) {
		c.addopSlow(opLOAD_CONST, arg, loc)
	}
}

func (c *compiler) loadIdent(loc instr.Location, s string) {
	c.loadConst(loc, c.p.Identifier(s))
}

// mangle is _Py_MaybeMangle with the unit's private name.
func (c *compiler) mangle(name string) string {
	// Outside a class (no private name, hasPriv false) Mangle changes
	// nothing.
	return symtable.MaybeMangle(c.u.private, c.u.ste, name)
}

// addName is compiler_addop_name.
func (c *compiler) addName(op opcode.Op, name string, loc instr.Location) {
	u := c.u
	arg := u.names.index(c, symtable.MaybeMangle(u.private, u.ste, name))
	switch op {
	case opLOAD_ATTR:
		arg <<= 1
	case pLOAD_METHOD:
		op = opLOAD_ATTR
		arg = arg<<1 | 1
	case opLOAD_SUPER_ATTR:
		arg = arg<<2 | 2
	case pLOAD_SUPER_METHOD:
		op = opLOAD_SUPER_ATTR
		arg = arg<<2 | 3
	case pLOAD_ZERO_SUPER_ATTR:
		op = opLOAD_SUPER_ATTR
		arg <<= 2
	case pLOAD_ZERO_SUPER_METHOD:
		op = opLOAD_SUPER_ATTR
		arg = arg<<2 | 1
	}
	if !u.tryAdd(op, arg, loc) {
		c.addopSlow(op, arg, loc)
	}
}

// addNameRaw is compiler_addop_o on u_names (no mangling).
func (c *compiler) addNameRaw(op opcode.Op, name string, loc instr.Location) {
	c.addop(op, c.u.names.index(c, name), loc)
}
