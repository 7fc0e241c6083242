package symtable

import (
	"fmt"
	"strings"

	"github.com/rules-pyc/rules_pyc/compiler/release"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
)

// Config says how to build a table.
type Config struct {
	// Filename is the name the source is compiled under (errors carry it).
	Filename string
	// Release is the CPython release to imitate.
	Release release.Release
	// Future is what the module's future statements enable (ParseFuture).
	Future Future
	// Text gives errors their source line (see TextFunc); nil for none.
	Text TextFunc
	// Depth is the C recursion depth CPython has already used when its
	// symbol table starts (Py_C_RECURSION_LIMIT minus the thread's
	// c_recursion_remaining); the table fails with a RecursionError when
	// Depth plus the tree's depth exceeds RecursionLimit. Zero means
	// DefaultDepth.
	Depth int
}

// RecursionLimit is CPython 3.13's Py_C_RECURSION_LIMIT on the platforms
// rules_pyc runs on (64-bit Linux and macOS release builds).
const RecursionLimit = 10000

// DefaultDepth is the recursion depth in use when py_compile.compile,
// called from Python code, runs the symbol table (calls between Python
// functions use no C recursion in 3.13, so the depth of the caller does not
// matter; "python -m py_compile" runs it deeper, through runpy).
const DefaultDepth = 3

// Build builds the symbol table of mod (_PySymtable_Build), which should be
// the tree after the AST optimizer, as compile() builds it. It returns the
// first error CPython would raise, as a *syntaxerr.Error. The only change
// it makes to the tree is the SymbolAt of the Names it visits (so two
// Builds of one tree must not run at the same time).
func Build(mod ast.ModNode, cfg Config) (*Table, error) {
	sl := getSlabs()
	b := &builder{
		cfg:    cfg,
		depth:  cfg.Depth,
		order:  sl.order[:0],
		others: &sl.others,
		slabs:  sl,
	}
	if b.depth == 0 {
		b.depth = DefaultDepth
	}
	start := b.depth
	t := &Table{Future: cfg.Future, Release: cfg.Release, slabs: sl}
	top := b.enter("top", ModuleBlock, blockKey{}, ast.Loc{})
	t.Top = top
	b.global = &top.Symbols
	var err error
	switch m := mod.(type) {
	case *ast.Module:
		err = b.stmts(m.Body)
	case *ast.Interactive:
		err = b.stmts(m.Body)
	case *ast.Expression:
		err = b.expr(m.Body)
	default:
		err = fmt.Errorf("cannot build the table of a %v", mod.Class())
	}
	if err != nil {
		return nil, err
	}
	b.exit()
	t.others = sl.others
	t.order, sl.order = b.order, b.order
	if b.depth != start {
		return nil, fmt.Errorf("recursion depth mismatch (before=%d, after=%d)", start, b.depth)
	}
	if err := analyze(t, b); err != nil {
		return nil, err
	}
	return t, nil
}

// builder holds the state of the first pass (struct symtable).
type builder struct {
	cfg Config
	// order are the blocks of nodes, as Table.order.
	order []*Block
	// others points at the slabs' map of the blocks of other roles, made
	// by the first of them.
	others *map[blockKey]*Block
	stack  []*Block
	cur    *Block
	global *Symbols // the module's symbols (st_global)
	// private is the name of the class being compiled, for mangling
	// (st_private); "" outside classes.
	private string
	depth   int
	nblocks int
	// Blocks and the first symbols of each are allocated in bulk.
	blockSlab []Block
	symSlab   []Symbol
	// varSlab is storage for the blocks' Varnames, taken in pieces.
	varSlab []string
	// childSlab is storage for the blocks' Children, taken in pieces
	// (each with its own capacity) that double as append would double
	// them.
	childSlab []*Block
	// slabs gives the slabs above, and keeps them for the table's
	// Release.
	slabs *slabs
}

// symbolsFirst is the room for symbols a block starts with.
const symbolsFirst = 8

// varnamesFirst is the room for parameters a block with some starts with.
const varnamesFirst = 4

// errorAt is a SyntaxError at loc with the message format fills in.
func (b *builder) errorAt(loc ast.Loc, format string, args ...any) error {
	return newError(b.cfg.Filename, b.cfg.Text, fmt.Sprintf(format, args...), loc)
}

// errorMsg is a SyntaxError at loc with the message msg.
func (b *builder) errorMsg(loc ast.Loc, msg string) error {
	return newError(b.cfg.Filename, b.cfg.Text, msg, loc)
}

// enter opens a new block inside the current one (symtable_enter_block).
func (b *builder) enter(name string, typ BlockType, key blockKey, loc ast.Loc) *Block {
	if len(b.blockSlab) == 0 {
		b.blockSlab = b.slabs.blockChunks.Take(min(max(b.nblocks, 4), 256), 0)
	}
	// The slab's blocks are zero (their chunks are cleared when
	// released): the fields are set in place, where a Block value would be
	// built whole and copied.
	nb := &b.blockSlab[0]
	b.blockSlab = b.blockSlab[1:]
	nb.Type, nb.Name, nb.ID = typ, name, b.nblocks
	nb.Lineno, nb.ColOffset, nb.EndLineno, nb.EndColOffset = loc.Lineno, loc.ColOffset, loc.EndLineno, loc.EndColOffset
	if len(b.symSlab) < symbolsFirst {
		b.symSlab = b.slabs.symChunks.Take(min(max(b.nblocks, 4), 256)*symbolsFirst, 0)
	}
	nb.Symbols.list = b.symSlab[:0:symbolsFirst]
	b.symSlab = b.symSlab[symbolsFirst:]
	b.nblocks++
	prev := b.cur
	if prev != nil {
		nb.Nested = prev.Nested || prev.Type.FunctionLike()
		// bpo-37757: assignment expressions are refused anywhere in a
		// comprehension's outermost iterable, nested blocks included.
		nb.compIterExpr = prev.compIterExpr
		if prev.mangled != nil && typ != ClassBlock {
			nb.mangled = prev.mangled
		}
	}
	// Annotation blocks are not registered: CPython keys them by a node
	// that a later block of the same node replaces, and the compiler never
	// looks one up.
	if typ != AnnotationBlock {
		switch {
		case key.role != roleMain:
			if *b.others == nil {
				*b.others = make(map[blockKey]*Block)
			}
			(*b.others)[key] = nb
		case key.node != nil:
			// Not the module's (Top). A node opens at most one main
			// block, which Table.Block relies on (the oracle tests'
			// checkOrder checks it).
			nb.node, nb.orderAt = key.node, int32(len(b.order))
			b.order = append(b.order, nb)
		}
		if prev != nil {
			if l := prev.Children; len(l) == cap(l) {
				prev.Children = b.children(l)
			}
			prev.Children = append(prev.Children, nb)
		}
	}
	b.stack = append(b.stack, nb)
	b.cur = nb
	return nb
}

// children returns a copy of l, which is full, with twice its room
// (at least two), from the builder's slab.
func (b *builder) children(l []*Block) []*Block {
	n := max(2*cap(l), 2)
	if len(b.childSlab) < n {
		b.childSlab = b.slabs.childChunks.Take(max(n, min(max(b.nblocks, 4), 256)*2), 0)
	}
	grown := b.childSlab[:len(l):n]
	copy(grown, l)
	b.childSlab = b.childSlab[n:]
	return grown
}

// exit closes the current block (symtable_exit_block).
func (b *builder) exit() {
	b.stack = b.stack[:len(b.stack)-1]
	b.cur = nil
	if n := len(b.stack); n > 0 {
		b.cur = b.stack[n-1]
	}
}

// mangle returns name as the current block stores it.
func (b *builder) mangle(blk *Block, name string) string {
	// Outside a class (no private name) Mangle changes nothing.
	return MaybeMangle(b.private, blk, name)
}

// lookup returns the flags of name in blk (symtable_lookup_entry).
func (b *builder) lookup(blk *Block, name string) Flags {
	return blk.Symbols.Lookup(b.mangle(blk, name))
}

// addDef records flag for name in the current block (symtable_add_def).
// A type parameter's name is recorded in the block's set of mangled names
// first (typeParam does it, so that addDef stays small enough to inline).
func (b *builder) addDef(name string, flag Flags, loc *ast.Loc) error {
	return b.addDefIn(b.cur, name, flag, loc)
}

// addDefIn records flag for name in blk, which is the current block or,
// for an assignment expression in a comprehension, the block that binds
// its target (symtable_add_def_helper). The name is mangled as the current
// block mangles it.
func (b *builder) addDefIn(blk *Block, name string, flag Flags, loc *ast.Loc) error {
	_, err := b.addDefAt(blk, name, flag, loc)
	return err
}

// addDefAt is addDefIn that also returns the position of the name's symbol
// in blk.
func (b *builder) addDefAt(blk *Block, name string, flag Flags, loc *ast.Loc) (int, error) {
	mangled := MaybeMangle(b.private, b.cur, name) // b.mangle, inlined
	val := flag
	// find and add, not slot: find is inlined here, and the room for a
	// new symbol is looked at only when there is one.
	at := blk.Symbols.find(mangled)
	if at >= 0 {
		old := blk.Symbols.list[at].Flags
		if flag&DefParam != 0 && old&DefParam != 0 {
			return at, b.errorAt(*loc, msgDuplicateArgument, name)
		}
		if flag&DefTypeParam != 0 && old&DefTypeParam != 0 {
			return at, b.errorAt(*loc, msgDuplicateTypeParam, name)
		}
		val = old | flag
	} else {
		if l := blk.Symbols.list; len(l) == cap(l) {
			// Room for more symbols from the slab, doubled, as append
			// would give it.
			n := max(2*cap(l), symbolsFirst)
			if len(b.symSlab) < n {
				b.symSlab = b.slabs.symChunks.Take(max(n, min(max(b.nblocks, 4), 256)*symbolsFirst), 0)
			}
			grown := b.symSlab[:len(l):n]
			copy(grown, l)
			b.symSlab = b.symSlab[n:]
			blk.Symbols.list = grown
		}
		at = len(blk.Symbols.list)
		blk.Symbols.add(mangled, 0)
	}
	if blk.compIterTarget {
		// An iteration variable of a comprehension: it may not be the
		// target of an assignment expression of the same comprehension.
		if val&(DefGlobal|DefNonlocal) != 0 {
			return at, b.errorAt(*loc, msgInnerLoopConflict, name)
		}
		val |= DefCompIter
	}
	blk.Symbols.list[at].Flags = val
	if flag&DefParam != 0 {
		if blk.Varnames == nil {
			if len(b.varSlab) < varnamesFirst {
				b.varSlab = b.slabs.varChunks.Take(min(max(b.nblocks, 4), 256)*varnamesFirst, 0)
			}
			blk.Varnames = b.varSlab[:0:varnamesFirst]
			b.varSlab = b.varSlab[varnamesFirst:]
		}
		blk.Varnames = append(blk.Varnames, mangled)
	} else if flag&DefGlobal != 0 {
		b.global.Set(mangled, flag|b.global.Lookup(mangled))
	}
	return at, nil
}

// directive records where a global or nonlocal declaration of name is
// (symtable_record_directive).
func (b *builder) directive(name string, loc ast.Loc) {
	b.cur.directives = append(b.cur.directives, directive{b.mangle(b.cur, name), loc})
}

// enterDepth and leaveDepth count the visits CPython counts against its
// recursion limit (statements, expressions, patterns, type parameters).
func (b *builder) enterDepth() error {
	b.depth++
	if b.depth > RecursionLimit {
		return recursionError()
	}
	return nil
}

func (b *builder) stmts(ss []ast.Stmt) error {
	for _, s := range ss {
		if err := b.stmt(s); err != nil {
			return err
		}
	}
	return nil
}

func (b *builder) exprs(es []ast.Expr) error {
	for _, e := range es {
		if e == nil {
			// Dict.keys and kw_defaults hold None.
			continue
		}
		var err error
		if b.depth < RecursionLimit {
			// expr's fast path, without the call to expr.
			switch n := e.(type) {
			case *ast.Name:
				err = b.name(n)
			case *ast.Constant:
			default:
				err = b.expr(e)
			}
		} else {
			err = b.expr(e)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func hasKwonlyDefaults(a *ast.Arguments) bool {
	for i := range a.Kwonlyargs {
		if i < len(a.KwDefaults) && a.KwDefaults[i] != nil {
			return true
		}
	}
	return false
}

func (b *builder) stmt(s ast.Stmt) error {
	if err := b.enterDepth(); err != nil {
		return err
	}
	err := b.stmt1(s)
	b.depth--
	return err
}

func (b *builder) stmt1(s ast.Stmt) error {
	switch s := s.(type) {
	case *ast.FunctionDef:
		return b.funcDef(s, s.Name, s.Args, s.Body, s.DecoratorList, s.Returns, s.TypeParams, s.Loc, false)
	case *ast.AsyncFunctionDef:
		return b.funcDef(s, s.Name, s.Args, s.Body, s.DecoratorList, s.Returns, s.TypeParams, s.Loc, true)
	case *ast.ClassDef:
		return b.classDef(s)
	case *ast.TypeAlias:
		return b.typeAlias(s)
	case *ast.Return:
		if s.Value != nil {
			if err := b.expr(s.Value); err != nil {
				return err
			}
			b.cur.ReturnsValue = true
		}
	case *ast.Delete:
		return b.exprs(s.Targets)
	case *ast.Assign:
		if err := b.exprs(s.Targets); err != nil {
			return err
		}
		return b.expr(s.Value)
	case *ast.AnnAssign:
		return b.annAssign(s)
	case *ast.AugAssign:
		if err := b.expr(s.Target); err != nil {
			return err
		}
		return b.expr(s.Value)
	case *ast.For:
		return b.forStmt(s.Target, s.Iter, s.Body, s.Orelse)
	case *ast.AsyncFor:
		return b.forStmt(s.Target, s.Iter, s.Body, s.Orelse)
	case *ast.While:
		if err := b.expr(s.Test); err != nil {
			return err
		}
		if err := b.stmts(s.Body); err != nil {
			return err
		}
		return b.stmts(s.Orelse)
	case *ast.If:
		if err := b.expr(s.Test); err != nil {
			return err
		}
		if err := b.stmts(s.Body); err != nil {
			return err
		}
		return b.stmts(s.Orelse)
	case *ast.Match:
		if err := b.expr(s.Subject); err != nil {
			return err
		}
		for _, c := range s.Cases {
			if err := b.pattern(c.Pattern); err != nil {
				return err
			}
			if c.Guard != nil {
				if err := b.expr(c.Guard); err != nil {
					return err
				}
			}
			if err := b.stmts(c.Body); err != nil {
				return err
			}
		}
	case *ast.Raise:
		if s.Exc != nil {
			if err := b.expr(s.Exc); err != nil {
				return err
			}
			if s.Cause != nil {
				return b.expr(s.Cause)
			}
		}
	case *ast.Try:
		return b.try(s.Body, s.Handlers, s.Orelse, s.Finalbody)
	case *ast.TryStar:
		return b.try(s.Body, s.Handlers, s.Orelse, s.Finalbody)
	case *ast.Assert:
		if err := b.expr(s.Test); err != nil {
			return err
		}
		if s.Msg != nil {
			return b.expr(s.Msg)
		}
	case *ast.Import:
		return b.aliases(s.Names)
	case *ast.ImportFrom:
		return b.aliases(s.Names)
	case *ast.Global:
		return b.declare(s.Names, s.Loc, DefGlobal)
	case *ast.Nonlocal:
		return b.declare(s.Names, s.Loc, DefNonlocal)
	case *ast.ExprStmt:
		return b.expr(s.Value)
	case *ast.Pass, *ast.Break, *ast.Continue:
	case *ast.With:
		return b.with(s.Items, s.Body)
	case *ast.AsyncWith:
		return b.with(s.Items, s.Body)
	case nil:
		return fmt.Errorf("nil statement")
	default:
		return fmt.Errorf("unexpected statement %v", s.Class())
	}
	return nil
}

func (b *builder) funcDef(s ast.Stmt, name string, args *ast.Arguments, body []ast.Stmt, decorators []ast.Expr,
	returns ast.Expr, typeParams []ast.TypeParam, loc ast.Loc, async bool) error {
	if args == nil {
		return fmt.Errorf("function %q without arguments", name)
	}
	nameAt, err := b.addDefAt(b.cur, name, DefLocal, &loc)
	if err != nil {
		return err
	}
	if err := b.exprs(args.Defaults); err != nil {
		return err
	}
	if err := b.exprs(args.KwDefaults); err != nil {
		return err
	}
	if err := b.exprs(decorators); err != nil {
		return err
	}
	generic := len(typeParams) > 0
	if generic {
		// CPython tests args->defaults != NULL, which holds for every
		// tree its parser (or ast module) makes, even without defaults:
		// the block of a generic function always has ".defaults".
		if err := b.enterTypeParams(name, blockKey{s.Location(), roleTypeParams}, true,
			hasKwonlyDefaults(args), false, loc); err != nil {
			return err
		}
		if err := b.typeParams(typeParams); err != nil {
			return err
		}
	}
	if err := b.annotations(s, loc, args, returns); err != nil {
		return err
	}
	fb := b.enter(name, FunctionBlock, blockKey{s.Location(), roleMain}, loc)
	fb.NameAt = int32(nameAt)
	if async {
		fb.Coroutine = true
	}
	if err := b.arguments(args); err != nil {
		return err
	}
	if err := b.stmts(body); err != nil {
		return err
	}
	b.exit()
	if generic {
		b.exit()
	}
	return nil
}

func (b *builder) classDef(s *ast.ClassDef) error {
	nameAt, err := b.addDefAt(b.cur, s.Name, DefLocal, &s.Loc)
	if err != nil {
		return err
	}
	if err := b.exprs(s.DecoratorList); err != nil {
		return err
	}
	saved := b.private
	generic := len(s.TypeParams) > 0
	if generic {
		if err := b.enterTypeParams(s.Name, blockKey{s.Location(), roleTypeParams}, false, false, true, s.Loc); err != nil {
			return err
		}
		b.private = s.Name
		b.cur.mangled = &mangledSet{names: make(map[string]struct{})}
		if err := b.typeParams(s.TypeParams); err != nil {
			return err
		}
	}
	if err := b.exprs(s.Bases); err != nil {
		return err
	}
	for _, k := range s.Keywords {
		if err := b.expr(k.Value); err != nil {
			return err
		}
	}
	cb := b.enter(s.Name, ClassBlock, blockKey{s.Location(), roleMain}, s.Loc)
	cb.NameAt = int32(nameAt)
	b.private = s.Name
	if generic {
		if err := b.addDef("__type_params__", DefLocal, &s.Loc); err != nil {
			return err
		}
		if err := b.addDef(".type_params", Use, &s.Loc); err != nil {
			return err
		}
	}
	if err := b.stmts(s.Body); err != nil {
		return err
	}
	b.exit()
	if generic {
		b.exit()
	}
	b.private = saved
	return nil
}

func (b *builder) typeAlias(s *ast.TypeAlias) error {
	if err := b.expr(s.Name); err != nil {
		return err
	}
	nm, ok := s.Name.(*ast.Name)
	if !ok {
		return fmt.Errorf("type alias name is a %v", s.Name.Class())
	}
	inClass := b.cur.Type == ClassBlock
	generic := len(s.TypeParams) > 0
	if generic {
		if err := b.enterTypeParams(nm.ID, blockKey{s.Location(), roleTypeParams}, false, false, false, s.Loc); err != nil {
			return err
		}
		if err := b.typeParams(s.TypeParams); err != nil {
			return err
		}
	}
	ab := b.enter(nm.ID, TypeAliasBlock, blockKey{s.Location(), roleMain}, s.Loc)
	ab.CanSeeClassScope = inClass
	if inClass {
		if err := b.addDef("__classdict__", Use, s.Value.Location()); err != nil {
			return err
		}
	}
	if err := b.expr(s.Value); err != nil {
		return err
	}
	b.exit()
	if generic {
		b.exit()
	}
	return nil
}

// enterTypeParams opens the type parameters block of a generic function,
// class or alias (symtable_enter_type_param_block).
func (b *builder) enterTypeParams(name string, key blockKey, hasDefaults, hasKwDefaults, isClass bool, loc ast.Loc) error {
	outer := b.cur.Type
	tb := b.enter(name, TypeParametersBlock, key, loc)
	if outer == ClassBlock {
		tb.CanSeeClassScope = true
		if err := b.addDef("__classdict__", Use, &loc); err != nil {
			return err
		}
	}
	if isClass {
		// .type_params is set when the tuple of parameters is made and
		// used for the bases; .generic_base is the Generic base.
		for _, n := range []string{".type_params", ".generic_base"} {
			if err := b.addDef(n, DefLocal, &loc); err != nil {
				return err
			}
			if err := b.addDef(n, Use, &loc); err != nil {
				return err
			}
		}
	}
	if hasDefaults {
		if err := b.addDef(".defaults", DefParam, &loc); err != nil {
			return err
		}
	}
	if hasKwDefaults {
		if err := b.addDef(".kwdefaults", DefParam, &loc); err != nil {
			return err
		}
	}
	return nil
}

func (b *builder) annAssign(s *ast.AnnAssign) error {
	if nm, ok := s.Target.(*ast.Name); ok {
		cur := b.lookup(b.cur, nm.ID)
		if cur&(DefGlobal|DefNonlocal) != 0 && &b.cur.Symbols != b.global && s.Simple != 0 {
			msg := msgNonlocalAnnot
			if cur&DefGlobal != 0 {
				msg = msgGlobalAnnot
			}
			return b.errorAt(s.Loc, msg, nm.ID)
		}
		if s.Simple != 0 {
			if err := b.addDef(nm.ID, DefAnnot|DefLocal, &nm.Loc); err != nil {
				return err
			}
		} else if s.Value != nil {
			if err := b.addDef(nm.ID, DefLocal, &nm.Loc); err != nil {
				return err
			}
		}
	} else if err := b.expr(s.Target); err != nil {
		return err
	}
	if err := b.annotation(s.Annotation); err != nil {
		return err
	}
	if s.Value != nil {
		return b.expr(s.Value)
	}
	return nil
}

func (b *builder) forStmt(target, iter ast.Expr, body, orelse []ast.Stmt) error {
	if err := b.expr(target); err != nil {
		return err
	}
	if err := b.expr(iter); err != nil {
		return err
	}
	if err := b.stmts(body); err != nil {
		return err
	}
	return b.stmts(orelse)
}

func (b *builder) try(body []ast.Stmt, handlers []*ast.ExceptHandler, orelse, final []ast.Stmt) error {
	if err := b.stmts(body); err != nil {
		return err
	}
	for _, h := range handlers {
		if h.Type != nil {
			if err := b.expr(h.Type); err != nil {
				return err
			}
		}
		if h.Name != "" {
			if err := b.addDef(h.Name, DefLocal, &h.Loc); err != nil {
				return err
			}
		}
		if err := b.stmts(h.Body); err != nil {
			return err
		}
	}
	if err := b.stmts(orelse); err != nil {
		return err
	}
	return b.stmts(final)
}

func (b *builder) with(items []*ast.WithItem, body []ast.Stmt) error {
	for _, it := range items {
		if err := b.expr(it.ContextExpr); err != nil {
			return err
		}
		if it.OptionalVars != nil {
			if err := b.expr(it.OptionalVars); err != nil {
				return err
			}
		}
	}
	return b.stmts(body)
}

// declare handles a global (flag DefGlobal) or nonlocal statement.
func (b *builder) declare(names []string, loc ast.Loc, flag Flags) error {
	global := flag == DefGlobal
	for _, name := range names {
		cur := b.lookup(b.cur, name)
		if cur&(DefParam|DefLocal|Use|DefAnnot) != 0 {
			var msg string
			switch {
			case cur&DefParam != 0:
				msg = pick(global, msgGlobalParam, msgNonlocalParam)
			case cur&Use != 0:
				msg = pick(global, msgGlobalAfterUse, msgNonlocalAfterUse)
			case cur&DefAnnot != 0:
				msg = pick(global, msgGlobalAnnot, msgNonlocalAnnot)
			default:
				msg = pick(global, msgGlobalAfterAssign, msgNonlocalAfterAssign)
			}
			return b.errorAt(loc, msg, name)
		}
		if err := b.addDef(name, flag, &loc); err != nil {
			return err
		}
		b.directive(name, loc)
	}
	return nil
}

func pick(c bool, a, b string) string {
	if c {
		return a
	}
	return b
}

func (b *builder) aliases(names []*ast.Alias) error {
	for _, a := range names {
		name := a.Name
		if a.Asname != "" {
			name = a.Asname
		}
		if name == "*" {
			if b.cur.Type != ModuleBlock {
				return b.errorMsg(a.Loc, msgImportStar)
			}
			continue
		}
		store := name
		if i := strings.IndexByte(name, '.'); i >= 0 {
			store = name[:i]
		}
		if err := b.addDef(store, DefImport, &a.Loc); err != nil {
			return err
		}
	}
	return nil
}

// arguments defines the parameters in the function's block
// (symtable_visit_arguments); their defaults and annotations were visited
// outside it.
func (b *builder) arguments(a *ast.Arguments) error {
	for _, group := range [][]*ast.Arg{a.Posonlyargs, a.Args, a.Kwonlyargs} {
		for _, arg := range group {
			if err := b.addDef(arg.Arg, DefParam, &arg.Loc); err != nil {
				return err
			}
		}
	}
	if a.Vararg != nil {
		if err := b.addDef(a.Vararg.Arg, DefParam, &a.Vararg.Loc); err != nil {
			return err
		}
		b.cur.Varargs = true
	}
	if a.Kwarg != nil {
		if err := b.addDef(a.Kwarg.Arg, DefParam, &a.Kwarg.Loc); err != nil {
			return err
		}
		b.cur.Varkeywords = true
	}
	return nil
}

// annotation visits an annotation: in an annotation block under "from
// __future__ import annotations", else in the current block.
func (b *builder) annotation(e ast.Expr) error {
	future := b.cfg.Future.Features&FutureAnnotations != 0
	if future {
		b.enter("_annotation", AnnotationBlock, blockKey{e.Location(), roleMain}, *e.Location())
	}
	if err := b.expr(e); err != nil {
		return err
	}
	if future {
		b.exit()
	}
	return nil
}

// annotations visits a function's parameter annotations (in one annotation
// block under the future import) and its return annotation
// (symtable_visit_annotations).
func (b *builder) annotations(s ast.Stmt, loc ast.Loc, a *ast.Arguments, returns ast.Expr) error {
	future := b.cfg.Future.Features&FutureAnnotations != 0
	if future {
		b.enter("_annotation", AnnotationBlock, blockKey{s.Location(), roleMain}, loc)
	}
	visit := func(args ...*ast.Arg) error {
		for _, arg := range args {
			if arg != nil && arg.Annotation != nil {
				if err := b.expr(arg.Annotation); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err := visit(a.Posonlyargs...); err != nil {
		return err
	}
	if err := visit(a.Args...); err != nil {
		return err
	}
	if err := visit(a.Vararg, a.Kwarg); err != nil {
		return err
	}
	if err := visit(a.Kwonlyargs...); err != nil {
		return err
	}
	if future {
		b.exit()
	}
	if returns != nil {
		return b.annotation(returns)
	}
	return nil
}

func (b *builder) typeParams(tps []ast.TypeParam) error {
	for _, tp := range tps {
		if err := b.enterDepth(); err != nil {
			return err
		}
		if err := b.typeParam(tp); err != nil {
			return err
		}
		b.depth--
	}
	return nil
}

// ReservedTypeParamName is the first release that refuses a type parameter
// named __classdict__ (in 3.13.0 it breaks the class's __classdict__ cell):
// gh-128632, listed under 3.13.3 in 3.13.18's changelog (Misc/NEWS).
var ReservedTypeParamName = release.Release{Major: 3, Minor: 13, Micro: 3}

func (b *builder) typeParam(tp ast.TypeParam) error {
	name, bound, def := ast.TypeParamParts(tp)
	loc := *tp.Location()
	if b.cur.mangled != nil {
		b.cur.mangled.names[name] = struct{}{}
	}
	if err := b.addDef(name, DefTypeParam|DefLocal, &loc); err != nil {
		return err
	}
	if _, isVar := tp.(*ast.TypeVar); isVar {
		boundInfo := "a TypeVar bound"
		if _, ok := bound.(*ast.Tuple); ok {
			boundInfo = "a TypeVar constraint"
		}
		if err := b.typeVariable(tp, bound, name, roleBound, boundInfo, loc); err != nil {
			return err
		}
	}
	return b.typeVariable(tp, def, name, roleDefault, "a "+tp.Class().String()+" default", loc)
}

// typeVariable visits a type parameter's bound or default in its own block
// (symtable_visit_type_param_bound_or_default).
func (b *builder) typeVariable(tp ast.TypeParam, e ast.Expr, name string, role blockRole, info string, loc ast.Loc) error {
	if name == "__classdict__" && b.cfg.Release.AtLeast(ReservedTypeParamName) {
		return b.errorAt(loc, msgReservedTypeParam, name)
	}
	if e == nil {
		return nil
	}
	inClass := b.cur.CanSeeClassScope
	eloc := *e.Location()
	vb := b.enter(name, TypeVariableBlock, blockKey{tp.Location(), role}, eloc)
	vb.CanSeeClassScope = inClass
	if inClass {
		if err := b.addDef("__classdict__", Use, &eloc); err != nil {
			return err
		}
	}
	vb.ScopeInfo = info
	if err := b.expr(e); err != nil {
		return err
	}
	b.exit()
	return nil
}

func (b *builder) pattern(p ast.Pattern) error {
	if err := b.enterDepth(); err != nil {
		return err
	}
	err := b.pattern1(p)
	b.depth--
	return err
}

func (b *builder) patterns(ps []ast.Pattern) error {
	for _, p := range ps {
		if err := b.pattern(p); err != nil {
			return err
		}
	}
	return nil
}

func (b *builder) pattern1(p ast.Pattern) error {
	// CPython ignores addDef's result for capture names: a capture can't
	// fail (it is never a parameter or a type parameter).
	switch p := p.(type) {
	case *ast.MatchValue:
		return b.expr(p.Value)
	case *ast.MatchSingleton:
	case *ast.MatchSequence:
		return b.patterns(p.Patterns)
	case *ast.MatchStar:
		if p.Name != "" {
			_ = b.addDef(p.Name, DefLocal, &p.Loc)
		}
	case *ast.MatchMapping:
		if err := b.exprs(p.Keys); err != nil {
			return err
		}
		if err := b.patterns(p.Patterns); err != nil {
			return err
		}
		if p.Rest != "" {
			_ = b.addDef(p.Rest, DefLocal, &p.Loc)
		}
	case *ast.MatchClass:
		if err := b.expr(p.Cls); err != nil {
			return err
		}
		if err := b.patterns(p.Patterns); err != nil {
			return err
		}
		return b.patterns(p.KwdPatterns)
	case *ast.MatchAs:
		if p.Pattern != nil {
			if err := b.pattern(p.Pattern); err != nil {
				return err
			}
		}
		if p.Name != "" {
			_ = b.addDef(p.Name, DefLocal, &p.Loc)
		}
	case *ast.MatchOr:
		return b.patterns(p.Patterns)
	default:
		return fmt.Errorf("unexpected pattern %T", p)
	}
	return nil
}

func (b *builder) expr(e ast.Expr) error {
	if b.depth < RecursionLimit {
		// The leaves, the commonest expressions, without the depth's
		// round trip: one more level would not reach the limit.
		switch n := e.(type) {
		case *ast.Name:
			return b.name(n)
		case *ast.Constant:
			return nil
		}
	}
	if err := b.enterDepth(); err != nil {
		return err
	}
	err := b.expr1(e)
	b.depth--
	return err
}

func (b *builder) expr1(e ast.Expr) error {
	switch e := e.(type) {
	case *ast.NamedExpr:
		if err := b.refuseInAnnotationScope("named expression", e.Loc); err != nil {
			return err
		}
		return b.namedExpr(e)
	case *ast.BoolOp:
		return b.exprs(e.Values)
	case *ast.BinOp:
		if err := b.expr(e.Left); err != nil {
			return err
		}
		return b.expr(e.Right)
	case *ast.UnaryOp:
		return b.expr(e.Operand)
	case *ast.Lambda:
		if e.Args == nil {
			return fmt.Errorf("lambda without arguments")
		}
		if err := b.exprs(e.Args.Defaults); err != nil {
			return err
		}
		if err := b.exprs(e.Args.KwDefaults); err != nil {
			return err
		}
		b.enter("lambda", FunctionBlock, blockKey{e.Location(), roleMain}, e.Loc)
		if err := b.arguments(e.Args); err != nil {
			return err
		}
		if err := b.expr(e.Body); err != nil {
			return err
		}
		b.exit()
	case *ast.IfExp:
		if err := b.expr(e.Test); err != nil {
			return err
		}
		if err := b.expr(e.Body); err != nil {
			return err
		}
		return b.expr(e.Orelse)
	case *ast.Dict:
		if err := b.exprs(e.Keys); err != nil {
			return err
		}
		return b.exprs(e.Values)
	case *ast.Set:
		return b.exprs(e.Elts)
	case *ast.GeneratorExp:
		return b.comprehension(e, "genexpr", GeneratorExpression, e.Generators, e.Elt, nil)
	case *ast.ListComp:
		return b.comprehension(e, "listcomp", ListComprehension, e.Generators, e.Elt, nil)
	case *ast.SetComp:
		return b.comprehension(e, "setcomp", SetComprehension, e.Generators, e.Elt, nil)
	case *ast.DictComp:
		return b.comprehension(e, "dictcomp", DictComprehension, e.Generators, e.Key, e.Value)
	case *ast.Yield:
		if err := b.refuseInAnnotationScope("yield expression", e.Loc); err != nil {
			return err
		}
		if e.Value != nil {
			if err := b.expr(e.Value); err != nil {
				return err
			}
		}
		b.cur.Generator = true
		if b.cur.Comprehension != NoComprehension {
			return b.yieldInComprehension(e.Loc)
		}
	case *ast.YieldFrom:
		if err := b.refuseInAnnotationScope("yield expression", e.Loc); err != nil {
			return err
		}
		if err := b.expr(e.Value); err != nil {
			return err
		}
		b.cur.Generator = true
		if b.cur.Comprehension != NoComprehension {
			return b.yieldInComprehension(e.Loc)
		}
	case *ast.Await:
		if err := b.refuseInAnnotationScope("await expression", e.Loc); err != nil {
			return err
		}
		if err := b.expr(e.Value); err != nil {
			return err
		}
		b.cur.Coroutine = true
	case *ast.Compare:
		if err := b.expr(e.Left); err != nil {
			return err
		}
		return b.exprs(e.Comparators)
	case *ast.Call:
		if err := b.expr(e.Func); err != nil {
			return err
		}
		if err := b.exprs(e.Args); err != nil {
			return err
		}
		for _, k := range e.Keywords {
			if k == nil {
				continue
			}
			if err := b.expr(k.Value); err != nil {
				return err
			}
		}
	case *ast.FormattedValue:
		if err := b.expr(e.Value); err != nil {
			return err
		}
		if e.FormatSpec != nil {
			return b.expr(e.FormatSpec)
		}
	case *ast.JoinedStr:
		return b.exprs(e.Values)
	case *ast.Constant:
	case *ast.Attribute:
		return b.expr(e.Value)
	case *ast.Subscript:
		if err := b.expr(e.Value); err != nil {
			return err
		}
		return b.expr(e.Slice)
	case *ast.Starred:
		return b.expr(e.Value)
	case *ast.Slice:
		for _, x := range [3]ast.Expr{e.Lower, e.Upper, e.Step} {
			if x != nil {
				if err := b.expr(x); err != nil {
					return err
				}
			}
		}
	case *ast.Name:
		return b.name(e)
	case *ast.List:
		return b.exprs(e.Elts)
	case *ast.Tuple:
		return b.exprs(e.Elts)
	case nil:
		return fmt.Errorf("nil expression")
	default:
		return fmt.Errorf("unexpected expression %v", e.Class())
	}
	return nil
}

// name records a use or binding of a name.
func (b *builder) name(e *ast.Name) error {
	flag := DefLocal
	if e.Ctx == ast.Load {
		flag = Use
	}
	at, err := b.addDefAt(b.cur, e.ID, flag, &e.Loc)
	if err != nil {
		return err
	}
	// The compiler looks there first for the name's symbol.
	e.SymbolAt = int32(at)
	// super() counts as a use of __class__.
	if e.Ctx == ast.Load && e.ID == "super" && b.cur.Type.FunctionLike() {
		return b.addDef("__class__", Use, &e.Loc)
	}
	return nil
}

// refuseInAnnotationScope fails for a construct (a named, yield or await
// expression) that an annotation or type parameter scope can't hold
// (symtable_raise_if_annotation_block).
func (b *builder) refuseInAnnotationScope(what string, loc ast.Loc) error {
	switch b.cur.Type {
	case AnnotationBlock:
		return b.errorAt(loc, msgInAnnotation, what)
	case TypeVariableBlock:
		return b.errorAt(loc, msgInTypeVariable, what, b.cur.ScopeInfo)
	case TypeAliasBlock:
		return b.errorAt(loc, msgInTypeAlias, what)
	case TypeParametersBlock:
		return b.errorAt(loc, msgInTypeParams, what)
	}
	return nil
}

func (b *builder) yieldInComprehension(loc ast.Loc) error {
	var msg string
	switch b.cur.Comprehension {
	case ListComprehension:
		msg = "'yield' inside list comprehension"
	case SetComprehension:
		msg = "'yield' inside set comprehension"
	case DictComprehension:
		msg = "'yield' inside dict comprehension"
	default:
		msg = "'yield' inside generator expression"
	}
	return b.errorMsg(loc, msg)
}

func (b *builder) namedExpr(e *ast.NamedExpr) error {
	if b.cur.compIterExpr > 0 {
		return b.errorMsg(e.Loc, msgNamedExprIterExpr)
	}
	if b.cur.Comprehension != NoComprehension {
		// Inside a comprehension: the target belongs to the nearest
		// enclosing block that is not one.
		target, ok := e.Target.(*ast.Name)
		if !ok {
			return fmt.Errorf("assignment expression target is a %v", e.Target.Class())
		}
		if err := b.extendNamedExprScope(target); err != nil {
			return err
		}
	}
	if err := b.expr(e.Value); err != nil {
		return err
	}
	return b.expr(e.Target)
}

// extendNamedExprScope binds the target of an assignment expression in a
// comprehension in the enclosing function or module
// (symtable_extend_namedexpr_scope).
func (b *builder) extendNamedExprScope(target *ast.Name) error {
	name := target.ID
	for i := len(b.stack) - 1; i >= 0; i-- {
		blk := b.stack[i]
		if blk.Comprehension != NoComprehension {
			f := b.lookup(blk, name)
			if f&DefCompIter != 0 && f&DefLocal != 0 {
				return b.errorAt(target.Loc, msgNamedExprConflict, name)
			}
			continue
		}
		switch blk.Type {
		case FunctionBlock:
			flag := DefNonlocal
			if b.lookup(blk, name)&DefGlobal != 0 {
				flag = DefGlobal
			}
			if err := b.addDef(name, flag, &target.Loc); err != nil {
				return err
			}
			b.directive(name, target.Loc)
			return b.addDefIn(blk, name, DefLocal, &target.Loc)
		case ModuleBlock:
			if err := b.addDef(name, DefGlobal, &target.Loc); err != nil {
				return err
			}
			b.directive(name, target.Loc)
			return b.addDefIn(blk, name, DefGlobal, &target.Loc)
		case ClassBlock:
			return b.errorMsg(target.Loc, msgNamedExprCompClass)
		case TypeParametersBlock:
			return b.errorMsg(target.Loc, msgNamedExprCompTParam)
		case TypeAliasBlock:
			return b.errorMsg(target.Loc, msgNamedExprCompAlias)
		case TypeVariableBlock:
			return b.errorMsg(target.Loc, msgNamedExprCompBound)
		}
		// An annotation block: look further out.
	}
	return fmt.Errorf("no block for the assignment expression target %q", name)
}

// comprehension visits a comprehension (symtable_handle_comprehension):
// its outermost iterable in the current block, the rest in its own.
func (b *builder) comprehension(e ast.Expr, name string, kind CompKind, gens []*ast.Comprehension, elt, value ast.Expr) error {
	if len(gens) == 0 {
		return fmt.Errorf("%s without generators", name)
	}
	outer := gens[0]
	b.cur.compIterExpr++
	if err := b.expr(outer.Iter); err != nil {
		return err
	}
	b.cur.compIterExpr--
	cb := b.enter(name, FunctionBlock, blockKey{e.Location(), roleMain}, *e.Location())
	cb.Comprehension = kind
	if outer.IsAsync != 0 {
		cb.Coroutine = true
	}
	// The outermost iterator is the argument ".0".
	if err := b.addDef(".0", DefParam, &ast.Loc{Lineno: cb.Lineno, ColOffset: cb.ColOffset,
		EndLineno: cb.EndLineno, EndColOffset: cb.EndColOffset}); err != nil {
		return err
	}
	cb.compIterTarget = true
	if err := b.expr(outer.Target); err != nil {
		return err
	}
	cb.compIterTarget = false
	if err := b.exprs(outer.Ifs); err != nil {
		return err
	}
	for _, g := range gens[1:] {
		cb.compIterTarget = true
		if err := b.expr(g.Target); err != nil {
			return err
		}
		cb.compIterTarget = false
		cb.compIterExpr++
		if err := b.expr(g.Iter); err != nil {
			return err
		}
		cb.compIterExpr--
		if err := b.exprs(g.Ifs); err != nil {
			return err
		}
		if g.IsAsync != 0 {
			cb.Coroutine = true
		}
	}
	if value != nil {
		if err := b.expr(value); err != nil {
			return err
		}
	}
	if err := b.expr(elt); err != nil {
		return err
	}
	isGen := kind == GeneratorExpression
	cb.Generator = isGen
	async := cb.Coroutine && !isGen
	b.exit()
	if async {
		b.cur.Coroutine = true
	}
	return nil
}
