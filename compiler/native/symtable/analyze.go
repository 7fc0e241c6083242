package symtable

import (
	"fmt"
	"sync"

	"github.com/rules-pyc/rules_pyc/compiler/release"
)

// The second pass decides the scope of every name (symtable_analyze). A
// block is analyzed with the names bound in the function blocks around it
// (bound), the names declared global around it (global), the type
// parameters in scope (typeParams) and, for an annotation scope that can
// see a class, that class's block. It reports the names free in it and its
// children (free), from which its parent learns which of its locals are
// cells.
//
// Only the free sets are iterated (their order becomes the order of the
// symbols update_symbols adds), so only they are Python sets (pyset); the
// others are only asked for membership.

// nameSet is a set of names whose order never matters, copied on write:
// a block hands its sets to each child, and children rarely change them
// (a global declaration, a local that shadows a declared global or a type
// parameter), so a set is shared until someone writes to it. A small set
// is a slice (most are a few names), a larger one a map.
type nameSet struct {
	list []string            // the names, while m is nil
	m    map[string]struct{} // the names, once there are more than nameSetSmall
	own  bool                // list or m belongs to this set alone (else copy before writing)
}

const nameSetSmall = 8

func (s *nameSet) len() int {
	if s.m != nil {
		return len(s.m)
	}
	return len(s.list)
}

func (s *nameSet) has(name string) bool {
	if s.m != nil {
		_, ok := s.m[name]
		return ok
	}
	for _, n := range s.list {
		if n == name {
			return true
		}
	}
	return false
}

// share returns a set with s's names for another holder; later writes to
// either copy first.
func (s *nameSet) share() nameSet {
	s.own = false
	return nameSet{list: s.list, m: s.m}
}

// write makes the set its own, with room for extra more names.
func (s *nameSet) write(extra int) {
	var sp spareSet
	s.writeWith(extra, &sp)
}

// spareSet is storage a frame keeps for its newBound between blocks.
type spareSet struct {
	list []string
	m    map[string]struct{}
}

// writeWith is write with extra names to come, taking its storage from sp
// (the frame's, which nothing refers to once the block that used it last
// is done) instead of allocating; the storage returns to sp with keep.
// It reports whether it did (false: s was its own already).
func (s *nameSet) writeWith(extra int, sp *spareSet) bool {
	if s.own {
		return false
	}
	n := s.len()
	if s.m != nil || n+extra > nameSetSmall {
		m := sp.m
		if m == nil {
			m = make(map[string]struct{}, n+extra)
		} else {
			clear(m)
		}
		for k := range s.m {
			m[k] = struct{}{}
		}
		for _, k := range s.list {
			m[k] = struct{}{}
		}
		s.m, s.list = m, nil
	} else {
		l := sp.list[:0]
		if cap(l) < n+extra {
			l = make([]string, 0, max(n+extra, 4))
		}
		s.list = append(l, s.list...)
	}
	s.own = true
	return true
}

// keep gives s's storage to sp for the next block at the same depth.
func (s *nameSet) keep(sp *spareSet) {
	if s.m != nil {
		sp.m = s.m
	} else if cap(s.list) > cap(sp.list) {
		sp.list = s.list[:0]
	}
}

func (s *nameSet) add(name string) {
	if s.own && s.m != nil {
		// One map write, without a look-up first.
		s.m[name] = struct{}{}
		return
	}
	if s.has(name) {
		return
	}
	s.write(1)
	if s.m == nil && len(s.list) >= nameSetSmall {
		m := make(map[string]struct{}, 2*nameSetSmall)
		for _, k := range s.list {
			m[k] = struct{}{}
		}
		s.m, s.list = m, nil
	}
	if s.m != nil {
		s.m[name] = struct{}{}
	} else {
		s.list = append(s.list, name)
	}
}

func (s *nameSet) discard(name string) {
	if !s.has(name) {
		return
	}
	s.write(0)
	if s.m != nil {
		delete(s.m, name)
		return
	}
	for i, n := range s.list {
		if n == name {
			last := len(s.list) - 1
			s.list[i] = s.list[last]
			s.list = s.list[:last]
			return
		}
	}
}

// union adds o's names to s.
func (s *nameSet) union(o *nameSet) {
	switch {
	case o.len() == 0:
	case s.len() == 0:
		*s = o.share()
	default:
		s.write(o.len())
		for k := range o.m {
			s.add(k)
		}
		for _, k := range o.list {
			s.add(k)
		}
	}
}

// Releases whose symbol tables differ from 3.13.0's (see docs/native.md).
var (
	// gh-145701: an inlined comprehension in a class that uses
	// __classdict__ or __conditional_annotations__ leaves them to the
	// class as it leaves __class__ (listed under 3.13.13 in 3.13.18's
	// changelog, Misc/NEWS).
	inlineDropsClassdict = release.Release{Major: 3, Minor: 13, Micro: 13}
)

type analyzer struct {
	b   *builder
	rel release.Release
	// frames[d] holds the sets of the block being analyzed at depth d;
	// siblings reuse it (blocks are analyzed depth first).
	frames []*frame
}

// frame is the working sets of one block's analysis, and the copies of
// them its current child gets (analyze_child_block's).
type frame struct {
	local, newGlobal, newBound, inlinedCells nameSet
	newFree                                  pyset
	childBound, childGlobal, childTypeParams nameSet
	childFree                                pyset
	scopes                                   []Scope
	// boundSpare is newBound's storage when it copies what it shares;
	// localSpare is local's, kept from the last block at this depth.
	boundSpare, localSpare spareSet
}

// frame returns the frame for depth, emptied (tables and arrays kept for
// reuse: nothing refers to them once the previous block there is done).
func (a *analyzer) frame(depth int) *frame {
	for len(a.frames) <= depth {
		a.frames = append(a.frames, new(frame))
	}
	f := a.frames[depth]
	f.local.keep(&f.localSpare)
	f.local = nameSet{list: f.localSpare.list[:0], own: true}
	if f.local.list == nil {
		f.local.list = make([]string, 0, nameSetSmall)
	}
	f.newGlobal, f.newBound, f.inlinedCells = nameSet{}, nameSet{}, nameSet{}
	f.newFree.reset()
	return f
}

// framePool keeps the frames of finished analyses for the next compile's
// (scratch only: every frame is emptied before use, see analyzer.frame).
var framePool sync.Pool

// maxPooledFrames bounds the depth of frames kept, and maxPooledSet the
// size of a kept map: a map that grew large costs its size again each
// time a smaller block clears it.
const (
	maxPooledFrames = 16
	maxPooledSet    = 256
)

func analyze(t *Table, b *builder) error {
	a := &analyzer{b: b, rel: t.Release}
	kept, _ := framePool.Get().(*[]*frame)
	if kept != nil {
		a.frames = *kept
	} else {
		kept = new([]*frame)
	}
	var free pyset
	var global, typeParams nameSet
	err := a.block(t.Top, nil, &free, &global, &typeParams, nil, 0)
	fs := a.frames[:min(len(a.frames), maxPooledFrames)]
	for _, f := range fs {
		f.local.keep(&f.localSpare)
		*f = frame{
			local:      nameSet{list: f.local.list[:0]},
			newFree:    f.newFree,
			childFree:  f.childFree,
			scopes:     f.scopes[:0],
			boundSpare: f.boundSpare.pooled(),
			localSpare: f.localSpare.pooled(),
		}
	}
	*kept = fs
	framePool.Put(kept)
	return err
}

// pooled returns sp without a map that grew large.
func (sp spareSet) pooled() spareSet {
	if len(sp.m) > maxPooledSet {
		sp.m = nil
	}
	return sp
}

// block is analyze_block at depth. bound is nil for the module. The sets
// are the block's own (analyze_child_block's copies): it may change them.
func (a *analyzer) block(ste *Block, bound *nameSet, free *pyset, global, typeParams *nameSet, classEntry *Block, depth int) error {
	f := a.frame(depth)
	n := len(ste.Symbols.list)
	if cap(f.scopes) < n+4 {
		f.scopes = make([]Scope, n, n+n/2+4)
	}
	scopes := f.scopes[:n]
	local, newGlobal, newBound, inlinedCells, newFree := &f.local, &f.newGlobal, &f.newBound, &f.inlinedCells, &f.newFree

	// newGlobal and newBound are what the block hands its children (and
	// only them): a block without children does not make them. Most
	// functions have none, and a function's newBound inside a function or
	// class is a copy of its locals and everything bound around it. The
	// set of locals is only read for a function's newBound: without one,
	// it is not kept (nil for name).
	hasChildren := len(ste.Children) > 0
	if !hasChildren || !ste.FunctionLike() {
		local = nil
	} else if n > nameSetSmall {
		// More names than a list holds may be bound: a map from the
		// start (the last block's at this depth, if it had one).
		m := f.localSpare.m
		if m == nil {
			m = make(map[string]struct{}, n)
		} else {
			clear(m)
		}
		*local = nameSet{m: m, own: true}
	}

	// A class's names are not visible in the blocks inside it: they get
	// what the class got.
	if ste.Type == ClassBlock && hasChildren {
		*newGlobal = global.share()
		if bound != nil {
			*newBound = bound.share()
		}
	}
	for i, sym := range ste.Symbols.list {
		if err := a.name(ste, scopes, i, sym.Name, sym.Flags, bound, local, free, global, typeParams, classEntry); err != nil {
			return err
		}
	}
	if !hasChildren {
	} else if ste.Type != ClassBlock {
		if ste.FunctionLike() {
			*newBound = local.share()
		}
		if bound != nil && bound.len() != 0 {
			if newBound.len() == 0 {
				*newBound = bound.share()
			} else {
				spare := newBound.writeWith(bound.len(), &f.boundSpare)
				newBound.union(bound)
				if spare {
					newBound.keep(&f.boundSpare)
				}
			}
		}
		*newGlobal = global.share()
	} else {
		spare := newBound.writeWith(2, &f.boundSpare)
		newBound.add("__class__")
		newBound.add("__classdict__")
		if spare {
			newBound.keep(&f.boundSpare)
		}
	}

	for _, child := range ste.Children {
		var childClass *Block
		if child.CanSeeClassScope {
			if ste.Type == ClassBlock {
				childClass = ste
			} else {
				childClass = classEntry
			}
		}
		// Comprehensions other than generator expressions are inlined,
		// except in annotation scopes nested in classes.
		inline := child.Comprehension != NoComprehension && !child.Generator && !ste.CanSeeClassScope
		f.childFree.reset()
		f.childFree.merge(newFree)
		f.childBound, f.childGlobal, f.childTypeParams = newBound.share(), newGlobal.share(), typeParams.share()
		if err := a.block(child, &f.childBound, &f.childFree, &f.childGlobal, &f.childTypeParams, childClass, depth+1); err != nil {
			return err
		}
		if inline {
			scopes = a.inline(ste, child, scopes, &f.childFree, inlinedCells)
			child.CompInlined = true
		}
		newFree.merge(&f.childFree)
		if child.Free || child.ChildFree {
			ste.ChildFree = true
		}
	}

	// The children of inlined comprehensions become this block's.
	spliced := false
	for _, c := range ste.Children {
		if c.CompInlined {
			spliced = true
			break
		}
	}
	if spliced {
		var children []*Block
		for _, c := range ste.Children {
			if c.CompInlined {
				children = append(children, c.Children...)
			} else {
				children = append(children, c)
			}
		}
		ste.Children = children
	}

	// Every name this block makes free set ste.Free; its cells, and the
	// names it passes on or marks DefFreeClass, come from its children's
	// free names; an inlined comprehension may bring either.
	ste.CellsOrFrees = ste.Free || spliced || newFree.used > 0
	if ste.FunctionLike() {
		analyzeCells(ste, scopes, newFree, inlinedCells)
	} else if ste.Type == ClassBlock {
		// drop_class_free
		if newFree.discard("__class__") {
			ste.NeedsClassClosure = true
		}
		if newFree.discard("__classdict__") {
			ste.NeedsClassdict = true
		}
	}
	a.update(ste, scopes, bound, newFree, inlinedCells, ste.Type == ClassBlock || ste.CanSeeClassScope)
	free.merge(newFree)
	f.scopes = scopes[:0]
	return nil
}

// analyzeCells makes cells of the locals of a function-like block that a
// child uses freely or an inlined comprehension keeps in a cell
// (analyze_cells); most blocks have neither, and need no walk.
func analyzeCells(ste *Block, scopes []Scope, newFree *pyset, inlinedCells *nameSet) {
	if newFree.used == 0 && inlinedCells.len() == 0 {
		return
	}
	if inlinedCells.len() == 0 {
		// The children's free names are fewer than the block's symbols
		// as a rule: each is looked up among the symbols, rather than
		// every symbol hashed to look it up in the set. A name made a
		// cell leaves the set as discard takes it out, a dummy in its
		// slot; in what order they leave does not change the set.
		for i := range newFree.table {
			e := &newFree.table[i]
			if e.state != slotActive {
				continue
			}
			if j := ste.Symbols.find(e.key); j >= 0 && scopes[j] == Local {
				scopes[j] = Cell
				*e = setEntry{state: slotDummy, hash: -1}
				newFree.used--
			}
		}
		return
	}
	for i, sym := range ste.Symbols.list {
		if scopes[i] != Local {
			continue
		}
		if !newFree.contains(sym.Name) && !inlinedCells.has(sym.Name) {
			continue
		}
		scopes[i] = Cell
		newFree.discard(sym.Name)
	}
}

// name decides the scope of one name of ste (analyze_name). local is nil
// when nothing reads the block's set of locals.
func (a *analyzer) name(ste *Block, scopes []Scope, i int, name string, flags Flags,
	bound, local *nameSet, free *pyset, global, typeParams *nameSet, classEntry *Block) error {
	if flags&DefGlobal != 0 {
		if flags&DefNonlocal != 0 {
			return a.directiveError(ste, name, fmt.Sprintf(msgNonlocalAndGlobal, name))
		}
		scopes[i] = GlobalExplicit
		global.add(name)
		if bound != nil {
			bound.discard(name)
		}
		return nil
	}
	if flags&DefNonlocal != 0 {
		if bound == nil {
			return a.directiveError(ste, name, msgNonlocalAtModule)
		}
		if !bound.has(name) {
			return a.directiveError(ste, name, fmt.Sprintf(msgNoBindingNonlocal, name))
		}
		if typeParams.has(name) {
			return a.directiveError(ste, name, fmt.Sprintf(msgNonlocalTypeParam, name))
		}
		scopes[i] = Free
		ste.Free = true
		free.add(name)
		return nil
	}
	if flags&DefBound != 0 {
		scopes[i] = Local
		if local != nil {
			local.add(name)
		}
		// The sets are mostly empty: no call then.
		if global.len() != 0 {
			global.discard(name)
		}
		if flags&DefTypeParam != 0 {
			typeParams.add(name)
		} else if typeParams.len() != 0 {
			typeParams.discard(name)
		}
		return nil
	}
	// In an annotation scope that sees a class, a name the class binds
	// (or declares global) is looked up in the class, then globally, even
	// when a function around also binds it.
	if classEntry != nil {
		cf := classEntry.Symbols.Lookup(name)
		if cf&DefGlobal != 0 {
			scopes[i] = GlobalExplicit
			return nil
		}
		if cf&DefBound != 0 && cf&DefNonlocal == 0 {
			scopes[i] = GlobalImplicit
			return nil
		}
	}
	if bound != nil && bound.has(name) {
		scopes[i] = Free
		ste.Free = true
		free.add(name)
		return nil
	}
	if global.has(name) {
		scopes[i] = GlobalImplicit
		return nil
	}
	if ste.Nested {
		ste.Free = true
	}
	scopes[i] = GlobalImplicit
	return nil
}

// directiveError is a SyntaxError at the first global or nonlocal
// declaration of name in ste (error_at_directive).
func (a *analyzer) directiveError(ste *Block, name, msg string) error {
	for _, d := range ste.directives {
		if d.name == name {
			return newError(a.b.cfg.Filename, a.b.cfg.Text, msg, d.loc)
		}
	}
	return fmt.Errorf("no declaration of %q recorded in block %q (%s)", name, ste.Name, msg)
}

// inline merges an inlined comprehension's names into its parent ste
// (inline_comprehension) and returns scopes, grown with the names it adds.
func (a *analyzer) inline(ste, comp *Block, scopes []Scope, compFree *pyset, inlinedCells *nameSet) []Scope {
	var drop []string
	for _, sym := range comp.Symbols.list {
		k, flags := sym.Name, sym.Flags
		if flags&DefParam != 0 {
			continue // the comprehension's argument .0
		}
		scope := flags.Scope()
		defs := flags.Defs()
		if scope == Cell || defs&DefCompCell != 0 {
			inlinedCells.add(k)
		}
		existing, ok := ste.Symbols.Get(k)
		// __class__ (and later __classdict__, __conditional_annotations__)
		// is never free through a class (see drop_class_free).
		if scope == Free && ste.Type == ClassBlock && a.classOwned(k) {
			scope = GlobalImplicit
			compFree.discard(k)
			drop = append(drop, k)
		}
		if !ok {
			ste.Symbols.Set(k, defs)
			scopes = append(scopes, scope)
		} else if existing&DefBound != 0 && ste.Type != ClassBlock && !freeInAnyChild(comp, k) {
			// A free name of the comprehension that is a local of the
			// function around it is simply a local there.
			compFree.discard(k)
		}
	}
	comp.Free = compFree.used > 0
	for _, k := range drop {
		comp.Symbols.Delete(k)
	}
	return scopes
}

// classOwned reports whether name is one of the implicit cells of a class
// that an inlined comprehension must not make free through the class.
func (a *analyzer) classOwned(name string) bool {
	if name == "__class__" {
		return true
	}
	return a.rel.AtLeast(inlineDropsClassdict) && (name == "__classdict__" || name == "__conditional_annotations__")
}

func freeInAnyChild(b *Block, name string) bool {
	for _, c := range b.Children {
		if c.Scope(name) == Free {
			return true
		}
	}
	return false
}

// update records the decided scopes in ste's symbols and adds the free
// names of its children that it passes on (update_symbols).
func (a *analyzer) update(ste *Block, scopes []Scope, bound *nameSet, free *pyset, inlinedCells *nameSet, classFlag bool) {
	list := ste.Symbols.list
	cells := inlinedCells.len() > 0 // seldom: no look-ups then
	for i := range list {
		f := list[i].Flags
		if cells && inlinedCells.has(list[i].Name) {
			f |= DefCompCell
		}
		list[i].Flags = f.withScope(scopes[i])
	}
	free.each(func(name string) {
		if i := ste.Symbols.find(name); i >= 0 {
			// A free name of a method that is also a name of the class.
			if classFlag {
				ste.Symbols.list[i].Flags |= DefFreeClass
			}
			return
		}
		if bound != nil && !bound.has(name) {
			return // a global
		}
		ste.Symbols.Set(name, Flags(0).withScope(Free))
	})
}
