package pyobj

import (
	"math"
	"sync"
	"unsafe"

	"github.com/rules-pyc/rules_pyc/compiler/native/internal/chunks"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
)

// Interned is the set of strs already interned in the reference process
// (a fresh `python3.13 -S -s` that imported py_compile) before it compiles
// anything. Has must be safe for concurrent use.
type Interned interface {
	Has(s string) bool
}

// Process is the object space of one compile: the objects it creates and
// the interned strings, starting from the reference process's. A Process
// is not safe for concurrent use; make one per compile.
type Process struct {
	startup Interned
	// fast is startup when it is a generated set (hashes shared).
	fast     *startupSet
	interned internTable
	// idents remembers Identifier's recent answers by the address and
	// length of the string asked about (see Identifier).
	idents *[identSlots]identEntry
	small  [262]*Object // ints -5..256
	latin1 [256]*Object // one-code-point strs below U+0100
	bytes1 [256]*Object // one-byte bytes
	empty  struct{ str, bytes, tuple *Object }
	nextID uint32
	slab   []Object // the current block, taken up to nslab
	nslab  int
	nans   map[any]*Object // the NaN objects by their values' identity
	slabs  int             // blocks allocated so far
	// Bulk storage of what objects hold (alloc.go), and the number of
	// blocks of each allocated so far.
	itemBlock []*Object
	byteBlock []byte
	strBlock  []byte
	codeBlock []CodeObject
	nbytes    int
	ncodes    int
	// itemCur is the block itemBlock is the rest of (the next one is
	// twice its size).
	itemCur []*Object
	// caches are the constant caches made for this Process, released
	// with it.
	caches []*ConstCache
	// The blocks of each kind taken (the current one last), and those
	// Free kept for reuse.
	objBlocks  chunks.List[Object]
	itemBlocks chunks.List[*Object]
	codeBlocks chunks.List[CodeObject]
	byteBlocks chunks.List[byte]
}

// NewProcess returns a Process whose interned strs start as startup's
// (nil: only the singletons).
func NewProcess(startup Interned) *Process {
	p, ok := processPool.Get().(*Process)
	if !ok {
		p = new(Process)
	}
	p.startup, p.interned = startup, newInternTable()
	p.fast, _ = startup.(*startupSet)
	if p.idents == nil {
		p.idents = new([identSlots]identEntry)
	}
	return p
}

// processPool keeps the Processes ended by Free, with the blocks of
// objects, of items and of code objects each filled, cleared, and its
// blocks of bytes.
var processPool sync.Pool

// Free ends the Process's life and its objects': nothing may refer to
// them any more (the compile's output is marshalled bytes). It releases
// the tables (Release), clears the blocks of objects, of tuple items and
// of code objects it filled and keeps them (up to a bound, see
// maxKeptObjects) and its blocks of bytes, with the Process itself, for
// the next NewProcess, which makes its objects there, in the same order,
// before it allocates new blocks. The strs carved from the Process's
// storage are not reused (a caller may still hold a str).
func (p *Process) Free() {
	p.Release()
	p.objBlocks.Release(maxKeptObjects, true)
	p.itemBlocks.Release(maxKeptItems, true)
	p.codeBlocks.Release(maxKeptCodes, true)
	// Bytes overwrites every byte it hands out: no clearing.
	p.byteBlocks.Release(maxKeptBytes, false)
	// The counts of blocks, which size the new ones, start again, so that
	// a small module gets small blocks once the kept ones are taken.
	*p = Process{
		objBlocks: p.objBlocks, itemBlocks: p.itemBlocks,
		codeBlocks: p.codeBlocks, byteBlocks: p.byteBlocks,
		idents: p.idents,
	}
	processPool.Put(p)
}

// Release ends the Process's life: its tables (interned strs, constant
// caches) serve later Processes. No method of it or of its constant caches
// may be called after it (the objects made stay valid).
func (p *Process) Release() {
	p.interned.release()
	// The entries hold strings' bytes (the compile's source): none is
	// kept past the compile.
	clear(p.idents[:])
	for _, c := range p.caches {
		c.release()
	}
	p.caches = nil
}

// startupHas reports whether the start-up set holds s (hash h).
func (p *Process) startupHas(s string, h uint64) bool {
	switch {
	case p.startup == nil:
		return false
	case p.fast != nil && s != "":
		if _, ok := latin1Char(s); !ok {
			return p.fast.hasHashed(s, h)
		}
	}
	return p.startup.Has(s)
}

// obj makes a new object, taken from a block allocated in bulk (by
// index: a slice advanced past each object would be stored again, with a
// write barrier test, for every one).
func (p *Process) obj(k Kind, v ast.Value) *Object {
	o := p.newObj()
	o.Kind, o.Value = k, v
	return o
}

// newObj takes the next object of the block, zero (a block is taken
// zero: chunks.List.Take, and Free releases the object blocks cleared).
// It is small enough to be inlined, so that the callers that make most
// objects set only the fields they need, with no ast.Value passed to obj
// and copied there.
func (p *Process) newObj() *Object {
	if p.nslab == len(p.slab) {
		p.newSlab()
	}
	p.nslab++
	return &p.slab[p.nslab-1]
}

// identified gives o, new, its identity (Object.id): only the objects
// whose constant key is their identity need one, and so only they get
// one (code objects, floats and complex numbers, for their NaNs), not
// every object obj makes.
func (p *Process) identified(o *Object) *Object {
	p.nextID++
	o.id = p.nextID
	return o
}

// newSlab takes the next block of objects. Blocks grow from 32 objects
// to 4,096: a small module makes only a few dozen, and a Process that
// Free kept for reuse starts from its last block and goes on with the
// others it kept.
func (p *Process) newSlab() {
	p.slab, p.nslab = p.objBlocks.Take(1, 32<<min(p.slabs, 7)), 0
	p.slabs++
}

// singletonStr returns the immortal singleton str s ("" or one code point
// below U+0100), interned when the start-up set says so (measured: 3.13.0
// and 3.13.18 intern all 257 at start-up; the sets record it per release
// rather than assume it).
func (p *Process) singletonStr(s string) *Object {
	if o := p.interned.get(s, hashStr(s)); o != nil {
		return o
	}
	if p.startup == nil || p.startup.Has(s) {
		return p.immortalStr(s)
	}
	o := p.obj(Str, ast.StrValue(s))
	o.Immortal = true
	return o
}

// immortalStr returns the interned, immortal str s, created once.
func (p *Process) immortalStr(s string) *Object {
	return p.immortalStrHashed(s, hashStr(s))
}

func (p *Process) immortalStrHashed(s string, h uint64) *Object {
	if o := p.interned.get(s, h); o != nil {
		return o
	}
	o := p.obj(Str, ast.StrValue(s))
	o.Interned, o.Immortal = true, true
	p.interned.put(s, h, o)
	return o
}

// NewStr returns a str with the code points s encodes (see ast.Value), as
// CPython makes one from text: the cached singleton for "" and for one
// code point below U+0100, a new object otherwise.
func (p *Process) NewStr(s string) *Object {
	if s == "" {
		if p.empty.str == nil {
			p.empty.str = p.singletonStr("")
		}
		return p.empty.str
	}
	if c, ok := latin1Char(s); ok {
		if p.latin1[c] == nil {
			p.latin1[c] = p.singletonStr(s)
		}
		return p.latin1[c]
	}
	o := p.newObj()
	o.Kind, o.Value = Str, ast.StrValue(s)
	return o
}

// NewStrFresh returns a new str object even where NewStr returns a
// singleton: CPython makes such strs where it builds a str without its
// singleton cache (str.replace in the AST optimizer's rewrite of
// '%'-formatting: '%s%%' % x gives a new '%').
func (p *Process) NewStrFresh(s string) *Object {
	return p.obj(Str, ast.StrValue(s))
}

// latin1Char reports whether s encodes exactly one code point below U+0100.
func latin1Char(s string) (byte, bool) {
	switch {
	case len(s) == 1 && s[0] < 0x80:
		return s[0], true
	case len(s) == 2 && (s[0] == 0xC2 || s[0] == 0xC3) && s[1]&0xC0 == 0x80:
		return (s[0]&0x1F)<<6 | s[1]&0x3F, true
	}
	return 0, false
}

// NewBytes returns a bytes object made from data (PyBytes_FromStringAndSize
// with data): the singletons for length 0 and 1.
func (p *Process) NewBytes(b string) *Object {
	switch len(b) {
	case 0:
		return p.EmptyBytes()
	case 1:
		if p.bytes1[b[0]] == nil {
			o := p.obj(Bytes, ast.BytesValue(b))
			o.Immortal = true
			p.bytes1[b[0]] = o
		}
		return p.bytes1[b[0]]
	}
	return p.obj(Bytes, ast.BytesValue(b))
}

// NewBytesFresh returns a new bytes object even where NewBytes returns a
// singleton: CPython's bytes_repeat allocates its result, so b'ab' * 0
// (folded by the AST optimizer) is an empty bytes, not the singleton.
func (p *Process) NewBytesFresh(b string) *Object {
	return p.obj(Bytes, ast.BytesValue(b))
}

// NewBytesResized returns a bytes object that CPython made by resizing a
// buffer (the assembler's tables): b” is the singleton, any other length
// a new object.
func (p *Process) NewBytesResized(b string) *Object {
	if len(b) == 0 {
		return p.EmptyBytes()
	}
	o := p.newObj()
	o.Kind, o.Value = Bytes, ast.BytesValue(b)
	return o
}

// EmptyBytes returns b”.
func (p *Process) EmptyBytes() *Object {
	if p.empty.bytes == nil {
		p.empty.bytes = p.obj(Bytes, ast.BytesValue(""))
		p.empty.bytes.Immortal = true
	}
	return p.empty.bytes
}

// NewInt returns the int i: the immortal singleton for -5..256.
func (p *Process) NewInt(i int64) *Object {
	if -5 <= i && i <= 256 {
		if p.small[i+5] == nil {
			o := p.obj(Int, ast.IntValue(i))
			o.Immortal = true
			p.small[i+5] = o
		}
		return p.small[i+5]
	}
	o := p.newObj()
	o.Kind, o.Value = Int, ast.IntValue(i)
	return o
}

// NewTuple returns a tuple of items (retained): () is the singleton.
func (p *Process) NewTuple(items []*Object) *Object {
	if len(items) == 0 {
		if p.empty.tuple == nil {
			p.empty.tuple = p.obj(Tuple, ast.Value{})
			p.empty.tuple.Immortal = true
		}
		return p.empty.tuple
	}
	o := p.newObj()
	o.Kind, o.Items = Tuple, items
	return o
}

// NewFrozenSet returns the frozenset PyFrozenSet_New makes of items,
// given in insertion order: the distinct items (the first of equal ones),
// in the iteration order of its table.
func (p *Process) NewFrozenSet(items []*Object) *Object {
	return p.frozenSetInOrder(setOrderOf(items))
}

// frozenSetInOrder returns a frozenset whose iteration order is items'
// (retained; distinct).
func (p *Process) frozenSetInOrder(items []*Object) *Object {
	o := p.newObj()
	o.Kind, o.Items = FrozenSet, items
	return o
}

// NewCode returns a code object.
func (p *Process) NewCode(c *CodeObject) *Object {
	o := p.identified(p.newObj())
	o.Kind, o.Code = Code, c
	return o
}

// FromValue returns a new object for a constant, as the parser or the
// AST optimizer creates it (singletons where CPython has them; new
// objects for the items of a tuple or frozenset).
func (p *Process) FromValue(v ast.Value) *Object {
	switch v.Kind() {
	case ast.NoneKind:
		return NoneObj
	case ast.BoolKind:
		if v.Bool() {
			return TrueObj
		}
		return FalseObj
	case ast.EllipsisKind:
		return EllipsisObj
	case ast.IntKind:
		if i, ok := v.Int64(); ok {
			return p.NewInt(i)
		}
		return p.obj(Int, v)
	case ast.FloatKind, ast.ComplexKind:
		k := Float
		if v.Kind() == ast.ComplexKind {
			k = Complex
		}
		id := v.Identity()
		if id == nil {
			return p.identified(p.obj(k, v))
		}
		// A NaN: one object per Value made (ast.Value.Identity), as
		// CPython's objects are.
		if o := p.nans[id]; o != nil {
			return o
		}
		o := p.identified(p.obj(k, v))
		if p.nans == nil {
			p.nans = map[any]*Object{}
		}
		p.nans[id] = o
		return o
	case ast.StrKind:
		return p.NewStr(v.Str())
	case ast.BytesKind:
		if v.Fresh() {
			return p.NewBytesFresh(v.Bytes())
		}
		return p.NewBytes(v.Bytes())
	case ast.TupleKind, ast.FrozenSetKind:
		elems := v.Elems()
		// No elements: an empty list, not nil, as before (no allocation).
		items := make([]*Object, 0)
		if len(elems) > 0 {
			items = p.newItems(len(elems))
		}
		for i, e := range elems {
			items[i] = p.FromValue(e)
		}
		if v.Kind() == ast.TupleKind {
			return p.NewTuple(items)
		}
		// The value's elements are already in the set's order (the AST
		// optimizer built it as PyFrozenSet_New does).
		return p.frozenSetInOrder(items)
	}
	return NoneObj
}

// Identifier returns the interned str s, as the parser makes identifiers
// (_PyPegen_new_identifier interns them for good).
func (p *Process) Identifier(s string) *Object {
	// The parser hands most Names of an identifier one string (the one
	// it reported first), and the compiler asks about the names it
	// reads from the tree: the same bytes again and again, found by
	// their address without hashing them. An entry holds the bytes it
	// is keyed by, so they cannot be reused for another string while
	// it is there.
	d := unsafe.StringData(s)
	e := &p.idents[uintptr(unsafe.Pointer(d))%identSlots]
	if e.data == d && e.n == len(s) && e.o != nil {
		return e.o
	}
	o := p.identifier(s)
	*e = identEntry{d, len(s), o}
	return o
}

// identSlots is the number of entries of Identifier's table.
const identSlots = 512

// identEntry is an entry of Identifier's table: the interned str for the
// string of n bytes at data.
type identEntry struct {
	data *byte
	n    int
	o    *Object
}

// identifier is Identifier without its table of recent answers.
func (p *Process) identifier(s string) *Object {
	h := hashStr(s)
	// p.interned.get, with the strings compared inline (the parser asks
	// for every identifier token, and nearly every one is found).
	t := &p.interned
	free := -1 // the empty slot where the probe stopped
	if t.slots != nil {
		mask := uint64(len(t.slots) - 1)
		for i := home(h, mask); ; i = (i + 1) & mask {
			sl := &t.slots[i]
			if sl.h == h && EqualStr(sl.s, s) {
				sl.o.Immortal = true
				return sl.o
			}
			if sl.h == 0 {
				free = int(i)
				break
			}
		}
	}
	if _, ok := latin1Char(s); ok || s == "" {
		return p.InternImmortal(p.NewStr(s))
	}
	// A str the start-up set holds and one it does not come out alike
	// here: a new interned, immortal object (so the set is not asked).
	o := p.newObj()
	o.Kind, o.Value = Str, ast.StrValue(s)
	o.Interned, o.Immortal = true, true
	// The constant cache's hash of it, from the one just computed (the
	// names tuples of code objects are hashed by their items' hashes).
	o.hash = nonzero(uint32(h >> 32))
	if free >= 0 && 2*(t.n+1) <= len(t.slots) {
		// put would probe again from the home slot to the one the
		// look-up stopped at (nothing was filed in between: obj files
		// nothing); filed there directly.
		t.slots[free] = internSlot{h: h, s: s, o: o}
		t.used = append(t.used, int32(free))
		t.n++
		return o
	}
	t.put(s, h, o)
	return o
}

// IsInterned reports whether a str equal to s is interned now.
func (p *Process) IsInterned(s string) bool {
	h := hashStr(s)
	if p.interned.get(s, h) != nil {
		return true
	}
	return p.startupHas(s, h)
}

// Intern interns the str o (PyUnicode_InternInPlace): it returns the
// interned str equal to o if there is one (o itself when o is interned),
// and otherwise marks o interned and returns it.
func (p *Process) Intern(o *Object) *Object {
	if o.Kind != Str || o.Interned {
		return o
	}
	s := o.Value.Str()
	h := hashStr(s)
	// p.interned.get, keeping the empty slot where the look-up stopped:
	// a str not found is filed there (put would probe again from the
	// home slot; asking the start-up set files nothing in the table).
	t := &p.interned
	free := -1
	if t.slots != nil {
		mask := uint64(len(t.slots) - 1)
		for i := home(h, mask); ; i = (i + 1) & mask {
			sl := &t.slots[i]
			if sl.h == h && EqualStr(sl.s, s) {
				return sl.o
			}
			if sl.h == 0 {
				free = int(i)
				break
			}
		}
	}
	if p.startupHas(s, h) {
		// immortalStrHashed, without its look-up.
		o = p.newObj()
		o.Kind, o.Value = Str, ast.StrValue(s)
		o.Immortal = true
	}
	o.Interned = true
	if free >= 0 && 2*(t.n+1) <= len(t.slots) {
		t.slots[free] = internSlot{h: h, s: s, o: o}
		t.used = append(t.used, int32(free))
		t.n++
		return o
	}
	t.put(s, h, o)
	return o
}

// InternImmortal is Intern, and the result is immortal (3.13 interns
// names this way).
func (p *Process) InternImmortal(o *Object) *Object {
	o = p.Intern(o)
	if o.Kind == Str {
		o.Immortal = true
	}
	return o
}

// key appends o's constant key (_PyCode_ConstantKey) in a form where two
// keys are equal exactly when CPython's keys compare equal.
func (p *Process) key(b []byte, o *Object) []byte {
	switch o.Kind {
	case None:
		return append(b, 'N')
	case Ellipsis:
		return append(b, '.')
	case Bool:
		if o.Value.Bool() {
			return append(b, 'T')
		}
		return append(b, 'F')
	case Int:
		if i, ok := o.Value.Int64(); ok {
			b = append(b, 'i')
			return appendUvarint(b, uint64(i))
		}
		b = append(b, 'I')
		return appendString(b, o.Value.BigInt().Text(16))
	case Float:
		f := o.Value.Float()
		if math.IsNaN(f) {
			return appendUvarint(append(b, 'n'), uint64(o.id))
		}
		return appendUvarint(append(b, 'f'), math.Float64bits(f))
	case Complex:
		re, im := o.Value.Complex()
		if math.IsNaN(re) || math.IsNaN(im) {
			return appendUvarint(append(b, 'n'), uint64(o.id))
		}
		b = appendUvarint(append(b, 'c'), math.Float64bits(re))
		return appendUvarint(b, math.Float64bits(im))
	case Str:
		return appendString(append(b, 's'), o.Value.Str())
	case Bytes:
		return appendString(append(b, 'y'), o.Value.Bytes())
	case Tuple:
		b = appendUvarint(append(b, '('), uint64(len(o.Items)))
		for _, it := range o.Items {
			b = p.key(b, it)
		}
		return b
	case FrozenSet:
		keys := make([]string, len(o.Items))
		for i, it := range o.Items {
			keys[i] = string(p.key(nil, it))
		}
		sortStrings(keys)
		b = appendUvarint(append(b, '{'), uint64(len(keys)))
		for _, k := range keys {
			b = appendString(b, k)
		}
		return b
	case Code:
		if p.keyedByContents(o) {
			return p.codeKey(b, o)
		}
	}
	// A code object without contents (a placeholder), and anything else:
	// identity (given here to an object made without one).
	if o.id == 0 {
		p.identified(o)
	}
	return appendUvarint(append(b, 'K'), uint64(o.id))
}

// keyedByContents tells a code object with contents, which is keyed by
// them, from a placeholder, which is keyed by identity.
func (p *Process) keyedByContents(o *Object) bool {
	c := o.Code
	return o.Kind == Code && c != nil && c.Name != nil && c.Consts != nil && c.Names != nil &&
		c.LocalsPlusNames != nil && c.LineTable != nil && c.ExceptionTable != nil
}

// codeKey appends a code object's key: code objects are their own
// constant keys, and two are equal when code_richcompare says so: the
// same name, argument counts, flags, first line, instructions (fresh
// ones: opcodes, opargs and zeroed caches), constants by their keys,
// names, fast local names, line table and exception table (not the
// qualified name, file name, kinds of locals or stack size). So the
// second compile of a function in a finally body's exceptional copy is
// merged into the first.
func (p *Process) codeKey(b []byte, o *Object) []byte {
	c := o.Code
	if c.merged {
		// The cache holds no other code object equal to this one, and
		// every code object inside a constant was merged first (the
		// compiler adds a code object to its parent's constants through
		// the cache): its identity stands for its value.
		return appendUvarint(append(b, 'c'), uint64(o.id))
	}
	return append(b, p.fullCodeKey(c)...)
}

// fullCodeKey is the key of a code object by its contents, computed once.
func (p *Process) fullCodeKey(c *CodeObject) string {
	if c.key == "" {
		k := appendString([]byte{'C'}, c.Name.Value.Str())
		for _, v := range [...]int32{c.ArgCount, c.PosOnlyArgCount, c.KwOnlyArgCount, c.Flags, c.FirstLineNo} {
			k = appendUvarint(k, uint64(uint32(v)))
		}
		k = appendString(k, string(c.Bytecode))
		k = p.key(k, c.Consts)
		k = p.key(k, c.Names)
		k = p.key(k, c.LocalsPlusNames)
		k = appendString(k, c.LineTable.Value.Bytes())
		k = appendString(k, c.ExceptionTable.Value.Bytes())
		c.key = string(k)
	}
	return c.key
}

func appendUvarint(b []byte, v uint64) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

func appendString(b []byte, s string) []byte {
	return append(appendUvarint(b, uint64(len(s))), s...)
}

// NewCodeObject creates a code object as _PyCode_New does: it interns the
// names and local names (for good), the name-like str constants (also
// inside tuples and frozensets: a frozenset one of whose strs is replaced
// by an already interned equal is rebuilt as a new frozenset), and the
// file name, name and qualified name. Tuples are changed in place, as
// CPython does, even when other code objects share them. A stack size of 0
// becomes 1, as init_code makes it.
func (p *Process) NewCodeObject(c *CodeObject) *Object {
	if c.StackSize == 0 {
		c.StackSize = 1
	}
	p.internStrings(c.Names)
	p.internConstants(c.Consts, nil)
	p.internStrings(c.LocalsPlusNames)
	c.Filename = p.Intern(c.Filename)
	c.Name = p.Intern(c.Name)
	c.QualName = p.Intern(c.QualName)
	return p.NewCode(c)
}

func (p *Process) internStrings(t *Object) {
	for i := len(t.Items) - 1; i >= 0; i-- {
		// Most names are identifiers, interned and immortal already:
		// InternImmortal would return them unchanged.
		if o := t.Items[i]; !o.Interned || !o.Immortal {
			t.Items[i] = p.InternImmortal(o)
		}
	}
}

func (p *Process) internConstants(t *Object, modified *bool) {
	for i := len(t.Items) - 1; i >= 0; i-- {
		v := t.Items[i]
		switch v.Kind {
		case Str:
			// An interned str is its own interned str: Intern would
			// return it (most str constants are in several code
			// objects, and interned by the first).
			if !v.Interned && v.IsNameLike() {
				if w := p.Intern(v); w != v {
					t.Items[i] = w
					if modified != nil {
						*modified = true
					}
				}
			}
		case Tuple:
			p.internConstants(v, nil)
		case FrozenSet:
			tmp := &Object{Kind: Tuple, Items: append([]*Object(nil), v.Items...)}
			changed := false
			p.internConstants(tmp, &changed)
			if changed {
				t.Items[i] = p.NewFrozenSet(tmp.Items)
				if modified != nil {
					*modified = true
				}
			}
		}
	}
}
