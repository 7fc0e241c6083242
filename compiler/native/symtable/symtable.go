// Package symtable is CPython 3.13's symbol table (Python/symtable.c) and
// its handling of future statements (Python/future.c): for a module's
// syntax tree, the blocks of code it contains (the module, functions,
// lambdas, classes, comprehensions, and the annotation scopes of type
// parameters and type aliases), every name each block binds, uses or
// declares, and the scope the compiler must give it.
//
// Invariants of a Table that Build returns:
//
//   - Every Block, every Symbol's flags and every order are those of
//     CPython's symtable entry for the same tree and release: Flags holds
//     CPython's DEF_* bits with the scope above them (bits 12 and up), so
//     that a Flags value equals the int in the entry's ste_symbols;
//     Symbols are in the insertion order of ste_symbols (including the
//     free names propagated from children, which CPython adds in the
//     iteration order of a set of str: this package reproduces that order
//     as a CPython process started with PYTHONHASHSEED=0 has it);
//     Varnames are the parameters in order; Children are the child blocks
//     in source order, with the children of an inlined comprehension
//     (PEP 709) spliced in its place.
//   - Names are stored mangled (_Py_Mangle) where CPython stores them so.
//   - Annotation blocks (from __future__ import annotations) are visited
//     for their errors but, as in CPython, are not children of any block.
//   - Build reports the first error CPython's symbol table pass would
//     report (a SyntaxError with CPython's message and location, or a
//     RecursionError), never panics, and uses no recursion deeper than the
//     tree itself (its depth is bounded as CPython bounds it).
//
// The code generator reads the table (Table.Block and its variants find the
// block of a node) and may change two things in it, as CPython's compiler
// does: a block's Coroutine flag, and a block's symbols while it compiles
// an inlined comprehension (Symbols.Set).
package symtable

import (
	"unsafe"

	"github.com/rules-pyc/rules_pyc/compiler/release"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
)

// BlockType is the kind of a block, numbered as CPython's _Py_block_ty (the
// "type" of a symtable entry).
type BlockType uint8

// The kinds of block.
const (
	// FunctionBlock is a function, a lambda or a comprehension.
	FunctionBlock BlockType = iota
	ClassBlock
	ModuleBlock
	// AnnotationBlock holds the annotations of a module compiled with
	// "from __future__ import annotations"; it never appears in a Table.
	AnnotationBlock
	// TypeAliasBlock is the value of a "type X = ..." statement.
	TypeAliasBlock
	// TypeParametersBlock holds the type parameters of a generic function,
	// class or type alias.
	TypeParametersBlock
	// TypeVariableBlock is the bound, constraints or default of one type
	// parameter.
	TypeVariableBlock
)

var blockTypeNames = [...]string{
	FunctionBlock:       "FunctionBlock",
	ClassBlock:          "ClassBlock",
	ModuleBlock:         "ModuleBlock",
	AnnotationBlock:     "AnnotationBlock",
	TypeAliasBlock:      "TypeAliasBlock",
	TypeParametersBlock: "TypeParametersBlock",
	TypeVariableBlock:   "TypeVariableBlock",
}

func (t BlockType) String() string {
	if int(t) < len(blockTypeNames) {
		return blockTypeNames[t]
	}
	return "BlockType(?)"
}

// FunctionLike reports whether a block of this type compiles to a code
// object with fast locals (_PyST_IsFunctionLike): functions, lambdas,
// comprehensions, and the annotation scopes of type parameters and
// aliases.
func (t BlockType) FunctionLike() bool {
	return t == FunctionBlock || t == TypeVariableBlock || t == TypeAliasBlock || t == TypeParametersBlock
}

// CompKind says which comprehension a block is, numbered as CPython's
// _Py_comprehension_ty.
type CompKind uint8

// The kinds of comprehension.
const (
	NoComprehension CompKind = iota
	ListComprehension
	DictComprehension
	SetComprehension
	GeneratorExpression
)

// Flags is what the symbol table knows of a name in a block: the DEF_*
// bits of symtable.h and, from bit ScopeOffset on, its Scope.
type Flags uint32

// The flags of a name, CPython's values.
const (
	DefGlobal    Flags = 1 << 0  // global statement
	DefLocal     Flags = 1 << 1  // assigned in the block
	DefParam     Flags = 1 << 2  // formal parameter
	DefNonlocal  Flags = 1 << 3  // nonlocal statement
	Use          Flags = 1 << 4  // used (loaded)
	DefFree      Flags = 1 << 5  // used but not defined in a nested block (unused by 3.13)
	DefFreeClass Flags = 1 << 6  // free in a method of the class with the same name as a local or global of the class
	DefImport    Flags = 1 << 7  // bound by an import
	DefAnnot     Flags = 1 << 8  // annotated
	DefCompIter  Flags = 1 << 9  // iteration variable of a comprehension
	DefTypeParam Flags = 1 << 10 // type parameter
	DefCompCell  Flags = 1 << 11 // a cell of an inlined comprehension

	// DefBound are the flags that bind a name in its block.
	DefBound = DefLocal | DefParam | DefImport

	// ScopeOffset is the bit at which the scope is stored.
	ScopeOffset = 12
	scopeMask   = 15 // DEF_GLOBAL | DEF_LOCAL | DEF_PARAM | DEF_NONLOCAL, as CPython masks it
	defMask     = 1<<ScopeOffset - 1
)

// Scope is where the compiler finds a name at run time.
type Scope uint8

// The scopes, CPython's values. 0 means no scope (a name the block does not
// know).
const (
	Local Scope = 1 + iota
	GlobalExplicit
	GlobalImplicit
	Free
	Cell
)

var scopeNames = [...]string{"", "LOCAL", "GLOBAL_EXPLICIT", "GLOBAL_IMPLICIT", "FREE", "CELL"}

func (s Scope) String() string {
	if int(s) < len(scopeNames) {
		return scopeNames[s]
	}
	return "Scope(?)"
}

// Scope returns the scope stored in f (_PyST_GetScope).
func (f Flags) Scope() Scope { return Scope(f >> ScopeOffset & scopeMask) }

// Defs returns f without its scope: the DEF_* and USE bits.
func (f Flags) Defs() Flags { return f & defMask }

// withScope returns f with its scope bits set to s (which must hold none).
func (f Flags) withScope(s Scope) Flags { return f | Flags(s)<<ScopeOffset }

// Symbol is one name of a block.
type Symbol struct {
	Name  string
	Flags Flags
}

// Block is a symbol table entry (PySTEntryObject): one scope of code.
type Block struct {
	Type BlockType
	// Name is the function's or class's name, "top" for the module,
	// "lambda", "listcomp", "setcomp", "dictcomp", "genexpr", the name of
	// the generic function, class or alias for its type parameters block,
	// the alias's name for its value, the type parameter's for its bound
	// or default.
	Name string
	// Symbols are the names the block knows, in CPython's order.
	Symbols Symbols
	// Varnames are the parameters, in order (mangled), as ste_varnames:
	// positional-only, positional, keyword-only, *args, **kwargs; ".0" for
	// a comprehension; ".defaults", ".kwdefaults" for a type parameters
	// block.
	Varnames []string
	// Children are the blocks directly inside this one, in source order
	// (see the package comment for inlined comprehensions).
	Children []*Block
	// ID numbers the blocks in the order the first pass creates them,
	// from 0 for the module (CPython's ste_id is the node's address).
	ID int
	// The block's position, as ste_lineno etc.: the node's for a function,
	// class, lambda, comprehension or alias, the bound's or default's for
	// a type variable block, 0 for the module.
	Lineno, ColOffset, EndLineno, EndColOffset int

	// Comprehension is the kind of comprehension the block is.
	Comprehension CompKind
	// ScopeInfo describes a type variable block for error messages ("a
	// TypeVar bound", ...).
	ScopeInfo string

	// Nested: the block is inside a function-like block (CO_NESTED).
	Nested bool
	// Free: the block has free variables. ChildFree: a child has.
	Free, ChildFree bool
	// Generator and Coroutine: the block yields, awaits or is async
	// (CO_GENERATOR, CO_COROUTINE, CO_ASYNC_GENERATOR). The compiler may
	// set Coroutine (top-level await, which py_compile never allows).
	Generator, Coroutine bool
	// Varargs, Varkeywords: the block takes *args, **kwargs.
	Varargs, Varkeywords bool
	// ReturnsValue: a return statement with a value.
	ReturnsValue bool
	// NeedsClassClosure: a class whose methods use __class__ (or super);
	// NeedsClassdict: a class whose annotation scopes use __classdict__.
	NeedsClassClosure, NeedsClassdict bool
	// CompInlined: a comprehension compiled inline in its parent (PEP 709).
	CompInlined bool
	// CanSeeClassScope: an annotation scope directly inside a class, which
	// reads the class's names through __classdict__.
	CanSeeClassScope bool

	// NameAt is not CPython's: in the block of a function or class, the
	// position of its name among the symbols of the block that the def or
	// class statement binds it in, which spares the compiler a search
	// when it stores the function or class. A hint only, as
	// ast.Name.SymbolAt is: a reader checks the symbol at that position.
	NameAt int32
	// CellsOrFrees is not CPython's: false only when no symbol of the
	// block is a cell or free or has DefCompCell or DefFreeClass (true
	// when one may be), so that the compiler need not look for the
	// cell and free variables of most blocks.
	CellsOrFrees bool

	// node is the location field of the node whose main block this is
	// (nil for Top and the blocks of other roles), and orderAt the
	// block's position in Table.order.
	node    *ast.Loc
	orderAt int32

	// mangled is the set of names that are mangled in a type parameters
	// block of a generic class and the blocks inside it (nil: every name
	// is), shared by reference as CPython shares ste_mangled_names.
	mangled *mangledSet
	// Pass-one state.
	compIterTarget bool
	compIterExpr   int
	directives     []directive
}

// MangledNames reports which names MaybeMangle mangles in b: all of them
// (nil) or, in the blocks of a generic class's type parameters, only the
// type parameters' names.
func (b *Block) MangledNames() map[string]bool {
	if b.mangled == nil {
		return nil
	}
	m := make(map[string]bool, len(b.mangled.names))
	for n := range b.mangled.names {
		m[n] = true
	}
	return m
}

// Lookup returns the flags of name in b (0 when b does not know it), the
// name taken as it is stored (mangled).
func (b *Block) Lookup(name string) Flags { return b.Symbols.Lookup(name) }

// Scope returns the scope of name in b (_PyST_GetScope); 0 when b does not
// know it.
func (b *Block) Scope(name string) Scope { return b.Symbols.Lookup(name).Scope() }

// ScopeAt returns the scope of name in b, as Scope, and its position in
// b.Symbols (-1 when b does not know it). A name keeps its position for
// the life of the table once Build returned: Set changes flags in place
// and adds new names at the end.
func (b *Block) ScopeAt(name string) (Scope, int) {
	i := b.Symbols.find(name)
	if i < 0 {
		return 0, -1
	}
	return b.Symbols.list[i].Flags.Scope(), i
}

// FunctionLike reports whether b compiles with fast locals
// (_PyST_IsFunctionLike).
func (b *Block) FunctionLike() bool { return b.Type.FunctionLike() }

// mangledSet is a set of names shared by several blocks.
type mangledSet struct{ names map[string]struct{} }

// directive is where a global or nonlocal statement (or the implicit one
// of an assignment expression in a comprehension) declared a name.
type directive struct {
	name string
	loc  ast.Loc
}

// Table is the symbol table of a module. It is not safe for concurrent
// use, not even for reading: Block moves a cursor through the blocks (one
// compile reads its table from one goroutine).
type Table struct {
	// Top is the module's block.
	Top *Block
	// Future is what the module's future statements enable.
	Future Future
	// Release is the CPython release whose symbol table this is.
	Release release.Release
	// order are the blocks of nodes (their main blocks; a node has at
	// most one), in the order the builder made them, which is mostly the
	// order in which the code generator asks for them: Block tries the
	// block after the one it found last, and only then blocks, a map by
	// the node's location field made at the first miss (a map built for
	// every module cost its inserts and its clearing, and most modules
	// never miss). The module's block is Top. others are the blocks of
	// the other roles.
	order  []*Block
	next   int
	blocks map[*ast.Loc]*Block
	others map[blockKey]*Block
	// slabs is the storage the blocks were carved from (nil once
	// released).
	slabs *slabs
}

// blockKey identifies a block by its node's location field and, for a
// node that owns several blocks, which one.
type blockKey struct {
	node *ast.Loc
	role blockRole
}

type blockRole uint8

const (
	roleMain       blockRole = iota
	roleTypeParams           // the type parameters block of a generic def, class or alias
	roleBound                // a type variable's bound or constraints
	roleDefault              // a type parameter's default
)

// Block returns the block of a node that opens one: a *ast.FunctionDef,
// *ast.AsyncFunctionDef, *ast.ClassDef, *ast.Lambda, *ast.ListComp,
// *ast.SetComp, *ast.DictComp, *ast.GeneratorExp, or the value block of a
// *ast.TypeAlias (the module's is Top). Inlined comprehensions have their
// blocks too (CompInlined). nil for any other node.
func (t *Table) Block(n ast.Located) *Block {
	loc := n.Location()
	if i := t.next; i < len(t.order) && t.order[i].node == loc {
		t.next = i + 1
		return t.order[i]
	}
	return t.blockAt(loc)
}

// blockAt is Block for a node whose block is not the one after the
// block found last.
func (t *Table) blockAt(loc *ast.Loc) *Block {
	if t.blocks == nil {
		t.blocks = t.slabs.blocks
		if t.blocks == nil {
			t.blocks = make(map[*ast.Loc]*Block, len(t.order))
			t.slabs.blocks = t.blocks
		}
		for _, b := range t.order {
			t.blocks[b.node] = b
		}
	}
	b := t.blocks[loc]
	if b != nil {
		t.next = int(b.orderAt) + 1
	}
	return b
}

// TypeParamsBlock returns the type parameters block of a generic
// *ast.FunctionDef, *ast.AsyncFunctionDef, *ast.ClassDef or *ast.TypeAlias;
// nil for one without type parameters.
func (t *Table) TypeParamsBlock(n ast.Located) *Block {
	return t.others[blockKey{n.Location(), roleTypeParams}]
}

// BoundBlock returns the block of a TypeVar's bound or constraints; nil
// when it has none.
func (t *Table) BoundBlock(tp ast.TypeParam) *Block {
	return t.others[blockKey{tp.Location(), roleBound}]
}

// DefaultBlock returns the block of a type parameter's default; nil when it
// has none.
func (t *Table) DefaultBlock(tp ast.TypeParam) *Block {
	return t.others[blockKey{tp.Location(), roleDefault}]
}

// Symbols are the names of a block with their flags, in insertion order.
type Symbols struct {
	list []Symbol
	// index maps names to positions in list once it is long enough that
	// a scan costs more than a map.
	index map[string]int32
}

// indexFrom is the length from which Symbols keeps a map. A scan, which
// mostly compares lengths, costs less than a map's hash and probe up to
// about this length (measured over the standard library: 12 and 40 cost
// more).
const indexFrom = 32

// Len returns the number of names.
func (s *Symbols) Len() int { return len(s.list) }

// List returns the names in order. The slice belongs to s: read it, don't
// change it.
func (s *Symbols) List() []Symbol { return s.list }

// Index returns the position of name in the list, -1 if s does not have
// it.
func (s *Symbols) Index(name string) int { return s.find(name) }

func (s *Symbols) find(name string) int {
	if s.index != nil {
		if i, ok := s.index[name]; ok {
			return int(i)
		}
		return -1
	}
	// A scan of a local copy of the list, which the loop keeps in
	// registers (s.list itself would be reloaded after every comparison
	// that calls into the runtime).
	list := s.list
	for i := range list {
		if list[i].Name == name {
			return i
		}
	}
	return -1
}

// SameName is a == b, without the call into the runtime for strings that
// share their bytes: the parser hands every Name of an identifier one
// string, which the symbols keep, so a name found is mostly its own
// symbol's string. Two strings of one length at one address are equal.
func SameName(a, b string) bool {
	return len(a) == len(b) && (unsafe.StringData(a) == unsafe.StringData(b) || a == b)
}

// Get returns the flags of name and whether s has it.
func (s *Symbols) Get(name string) (Flags, bool) {
	if i := s.find(name); i >= 0 {
		return s.list[i].Flags, true
	}
	return 0, false
}

// Lookup returns the flags of name, 0 when s does not have it
// (_PyST_GetSymbol).
func (s *Symbols) Lookup(name string) Flags {
	if i := s.find(name); i >= 0 {
		return s.list[i].Flags
	}
	return 0
}

// Set sets the flags of name, adding it at the end if s does not have it
// (PyDict_SetItem on ste_symbols).
func (s *Symbols) Set(name string, f Flags) {
	if i := s.find(name); i >= 0 {
		s.list[i].Flags = f
		return
	}
	s.add(name, f)
}

// add appends name, which s does not have, with flags f.
func (s *Symbols) add(name string, f Flags) {
	s.list = append(s.list, Symbol{name, f})
	if s.index != nil {
		s.index[name] = int32(len(s.list) - 1)
	} else if len(s.list) > indexFrom {
		s.index = make(map[string]int32, 2*len(s.list))
		for i, sym := range s.list {
			s.index[sym.Name] = int32(i)
		}
	}
}

// Delete removes name, keeping the order of the others.
func (s *Symbols) Delete(name string) {
	i := s.find(name)
	if i < 0 {
		return
	}
	s.list = append(s.list[:i], s.list[i+1:]...)
	if s.index != nil {
		delete(s.index, name)
		for j := i; j < len(s.list); j++ {
			s.index[s.list[j].Name] = int32(j)
		}
	}
}
