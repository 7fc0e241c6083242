package pyobj

import (
	"math"
	"math/bits"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
)

// ConstCache is the compiler's constant cache (compile.c c_const_cache):
// one per compile, shared by every code unit, so that equal constants are
// one object. Equality is _PyCode_ConstantKey's: type and value, with 0.0
// and -0.0, 1, 1.0 and True all apart, NaNs by identity, and code objects
// by code_richcompare's fields (a placeholder without contents by
// identity).
type ConstCache struct {
	p *Process
	// m holds the objects keyed by Process.key: tuples, frozensets,
	// floats, complex numbers, big ints and code placeholders.
	m   map[string]*Object
	buf []byte
	// The scalars most constants are, keyed by their value alone (their
	// type is the table): no key is built and nothing is copied for a
	// lookup. strs and bytes are filed by their value's string.
	strs  valueTable
	bytes valueTable
	ints  valueTable
	bools [2]*Object
	// tuples holds the tuples made only of plain items (see plainHash) by
	// a hash of their key.
	tuples valueTable
	// codes holds the code objects with contents, by codeHash.
	codes valueTable
	// id tells this cache's objects (Object.cache) from every other
	// cache's.
	id uint32
}

// cacheIDs numbers the ConstCaches made (0 is no cache's id).
var cacheIDs atomic.Uint32

func newCacheID() uint32 {
	for {
		if id := cacheIDs.Add(1); id != 0 {
			return id
		}
	}
}

// NewConstCache returns an empty cache for objects of p. Its tables may
// be a released cache's (Process.Release gives them back), so that a
// compile does not grow its maps from nothing.
func (p *Process) NewConstCache() *ConstCache {
	c, ok := cachePool.Get().(*ConstCache)
	if !ok {
		c = &ConstCache{
			m:    make(map[string]*Object, 32),
			strs: newValueTable(128), bytes: newValueTable(64), ints: newValueTable(32),
			tuples: newValueTable(64), codes: newValueTable(64),
		}
	}
	c.p, c.id = p, newCacheID()
	p.caches = append(p.caches, c)
	return c
}

// cachePool holds the released caches, empty.
var cachePool sync.Pool

// maxKeptCacheKeys bounds the keys a released cache may have held to be
// kept for reuse (cleared maps keep their size): one huge source does not
// pin its tables for the life of a worker.
const maxKeptCacheKeys = 4096

// release empties c and gives it back for reuse when it is small; c is
// not used afterwards.
func (c *ConstCache) release() {
	for _, n := range [...]int{len(c.m), len(c.strs.used), len(c.bytes.used), len(c.ints.used), len(c.tuples.used), len(c.codes.used)} {
		if n > maxKeptCacheKeys {
			return
		}
	}
	clear(c.m)
	c.strs.reset()
	c.bytes.reset()
	c.ints.reset()
	c.tuples.reset()
	c.codes.reset()
	c.bools = [2]*Object{}
	c.p, c.id = nil, 0
	if cap(c.buf) > 1<<16 {
		c.buf = nil
	}
	cachePool.Put(c)
}

// Len returns the number of keys in the cache.
func (c *ConstCache) Len() int {
	n := len(c.m) + len(c.codes.used) + len(c.strs.used) + len(c.bytes.used) + len(c.ints.used) + len(c.tuples.used)
	for _, b := range c.bools {
		if b != nil {
			n++
		}
	}
	return n
}

// mergeScalar is Merge and MergeOne for a str, bytes, bool or an int that
// fits in int64: the cached equal object, or o, registered. ok is false
// for every other kind.
func (c *ConstCache) mergeScalar(o *Object) (t *Object, ok bool) {
	var tab *valueTable
	switch o.Kind {
	case Str:
		tab = &c.strs
	case Bytes:
		tab = &c.bytes
	case Int:
		i, small := o.Value.Int64()
		if !small {
			return nil, false
		}
		h := cacheIntHash(i)
		t, j := c.ints.findInt(i, h)
		if t == nil {
			c.ints.insert(j, h, c.hold(o))
			return o, true
		}
		return t, true
	case Bool:
		i := 0
		if o.Value.Bool() {
			i = 1
		}
		if c.bools[i] == nil {
			c.bools[i] = o
		}
		return c.bools[i], true
	default:
		return nil, false
	}
	h := uint32(valueHash(o))
	u, i := find(tab, o.Value.Str(), h)
	if u == nil {
		tab.insert(i, uint64(h), c.hold(o))
		return o, true
	}
	return u, true
}

// MergeValue is Merge(FromValue(v)) without making the object when the
// cache already holds one equal to it: the new object would be dropped at
// once (CPython's cache keeps the first of equal constants, and nothing
// else refers to the new one). Only objects FromValue makes anew are
// looked up first (strs and bytes that are no singleton, ints outside
// -5..256 that fit in int64, floats that are no NaN); a singleton is
// made or taken as before, since making one interns it.
func (c *ConstCache) MergeValue(v ast.Value) *Object {
	switch v.Kind() {
	case ast.NoneKind:
		// FromValue's and Merge's answer.
		return NoneObj
	case ast.StrKind:
		// A str or bytes that is no singleton is a new object (NewStr,
		// NewBytes): filed where the look-up stopped, as Merge would.
		s := v.Str()
		if _, single := latin1Char(s); s != "" && !single {
			return c.mergeText(&c.strs, s, Str)
		}
		// A singleton, made as FromValue makes it; most are cached
		// already.
		if o := c.p.NewStr(s); o.cache == c.id {
			return o
		}
	case ast.BytesKind:
		if b := v.Bytes(); len(b) > 1 {
			return c.mergeText(&c.bytes, b, Bytes)
		}
	case ast.IntKind:
		// An int outside -5..256 is a new object (NewInt): filed where
		// the look-up stopped, as Merge would.
		if i, ok := v.Int64(); ok {
			if i >= -5 && i <= 256 {
				// A singleton, made as FromValue makes it.
				return c.Merge(c.p.NewInt(i))
			}
			h := cacheIntHash(i)
			t, j := c.ints.findInt(i, h)
			if t == nil {
				t = c.p.NewInt(i)
				c.ints.insert(j, h, c.hold(t))
			}
			return t
		}
	case ast.FloatKind:
		if f := v.Float(); !math.IsNaN(f) {
			c.buf = appendUvarint(append(c.buf[:0], 'f'), math.Float64bits(f))
			if t, ok := c.m[string(c.buf)]; ok {
				return t
			}
		}
	}
	return c.Merge(c.p.FromValue(v))
}

// mergeText returns the str or bytes s (k) filed in t, or a new one
// filed where the look-up stopped, as Merge would. s is no singleton (a
// str of at least two code points, bytes of at least two bytes), so
// NewStr and NewBytes would make a new object: made here directly.
func (c *ConstCache) mergeText(t *valueTable, s string, k Kind) *Object {
	h := strHash(s)
	o, i := find(t, s, h)
	if o == nil {
		o = c.p.newObj()
		o.Kind = k
		if k == Str {
			o.Value = ast.StrValue(s)
		} else {
			o.Value = ast.BytesValue(s)
		}
		o.hash = h
		t.insert(i, uint64(h), c.hold(o))
	}
	return o
}

// hold records that o is the object the cache holds for its key.
func (c *ConstCache) hold(o *Object) *Object {
	if o.Kind > Ellipsis {
		o.cache = c.id
	}
	return o
}

// mix folds v into the hash h.
func mix(h, v uint64) uint64 {
	return bits.RotateLeft64((h^v)*0x9e3779b97f4a7c15, 29)
}

// plainHash returns a hash of o's constant key, and ok when o is plain: a
// singleton, a str, bytes, an int that fits in int64, a float, a code
// object keyed by identity (a placeholder, or one the cache holds) or a
// tuple of plain items. Keys of plain objects are compared by plainEqual
// instead of being built; every other object is keyed by Process.key.
// Whether an object is plain depends only on its key, so two objects
// with one key are filed alike.
func (c *ConstCache) plainHash(o *Object) (h uint64, ok bool) {
	switch o.Kind {
	case None:
		return 1, true
	case Ellipsis:
		return 2, true
	case Bool:
		if o.Value.Bool() {
			return 3, true
		}
		return 4, true
	case Int:
		i, ok := o.Value.Int64()
		return mix(5, uint64(i)), ok
	case Float:
		f := o.Value.Float()
		if math.IsNaN(f) {
			return mix(6, uint64(o.id)), true
		}
		return mix(7, math.Float64bits(f)), true
	case Str:
		// The value's hash is 32 bits: the kind above it is enough to
		// tell a str from bytes, with no mixing of its own (an item's
		// hash is mixed into its tuple's).
		return strKind | valueHash(o), true
	case Bytes:
		return bytesKind | valueHash(o), true
	case Tuple:
		return c.itemsHash(o.Items)
	case Code:
		if c.p.keyedByContents(o) && !o.Code.merged {
			return 0, false
		}
		return mix(11, uint64(o.id)), true
	}
	return 0, false
}

// The kinds of plainHash's hashes of strs and bytes, above the value's
// 32-bit hash.
const (
	strKind   = 8 << 32
	bytesKind = 9 << 32
)

// itemsHash is plainHash of a tuple of items.
func (c *ConstCache) itemsHash(items []*Object) (h uint64, ok bool) {
	h = mix(10, uint64(len(items)))
	for _, it := range items {
		// A str with its hash kept (a name, most items) without a
		// call.
		if it.Kind == Str && it.hash != 0 {
			h = mix(h, strKind|uint64(it.hash))
			continue
		}
		ih, ok := c.plainHash(it)
		if !ok {
			return 0, false
		}
		h = mix(h, ih)
	}
	return h, true
}

// valueHash returns a hash of a str's or bytes' value, computed once per
// object (the names of a code unit are hashed for each tuple they are in).
func valueHash(o *Object) uint64 {
	if o.hash == 0 {
		o.hash = strHash(o.Value.Str())
	}
	return uint64(o.hash)
}

// plainEqual reports whether the plain objects a and b have one key.
func plainEqual(a, b *Object) bool {
	if a == b {
		return true
	}
	if a.Kind != b.Kind {
		return false
	}
	switch a.Kind {
	case None, Ellipsis:
		return true
	case Bool:
		return a.Value.Bool() == b.Value.Bool()
	case Int:
		x, _ := a.Value.Int64()
		y, _ := b.Value.Int64()
		return x == y
	case Float:
		x, y := a.Value.Float(), b.Value.Float()
		return !math.IsNaN(x) && math.Float64bits(x) == math.Float64bits(y)
	case Str, Bytes:
		return a.Value.Str() == b.Value.Str()
	case Tuple:
		return slices.EqualFunc(a.Items, b.Items, plainEqual)
	}
	// Code objects and NaNs: identity.
	return false
}

// mergeTuple looks a plain tuple up by its hash h: the cached equal
// tuple and true, or o, registered, and false.
func (c *ConstCache) mergeTuple(o *Object, h uint64) (*Object, bool) {
	t, i := c.tuples.findTuple(o.Items, h)
	if t == nil {
		c.tuples.insert(i, h, c.hold(o))
		return o, false
	}
	return t, true
}

// MergeResizedBytes is MergeOne of the bytes object
// Process.NewBytesResized makes of b (the assembler's tables), without
// making it when an equal one is cached: CPython drops the new object at
// once then, and nothing else refers to it.
func (c *ConstCache) MergeResizedBytes(b []byte) *Object {
	if len(b) == 0 {
		return c.MergeOne(c.p.EmptyBytes())
	}
	h := strHashBytes(b)
	t, i := find(&c.bytes, b, h)
	if t != nil {
		return t
	}
	o := c.p.NewBytesResized(c.p.String(b))
	o.hash = h
	c.bytes.insert(i, uint64(h), c.hold(o))
	return o
}

// mergeCode is Merge for a code object with contents.
func (c *ConstCache) mergeCode(o *Object) *Object {
	co := o.Code
	h := codeHash(co)
	t := &c.codes
	mask := len(t.slots) - 1
	key, keyed := "", false
	for i := int(h) & mask; ; i = (i + 1) & mask {
		sl := &t.slots[i]
		if sl.o == nil {
			t.insert(i, h, c.hold(o))
			co.merged = true
			return o
		}
		if sl.h != h || sl.o.Code.FirstLineNo != co.FirstLineNo || sl.o.Code.Name.Value.Str() != co.Name.Value.Str() {
			continue
		}
		if sl.o == o {
			return o
		}
		if !keyed {
			key, keyed = c.p.fullCodeKey(co), true
		}
		if c.p.fullCodeKey(sl.o.Code) == key {
			return sl.o
		}
	}
}

// codeHash is the hash ConstCache files a code object by: a summary of
// some of the fields code_richcompare compares (name, argument counts,
// flags, first line, the instructions' length and the tables). The full
// keys (long: instructions, tables and constants) are built and compared
// only for code objects with the same summary, which are rare (a function
// compiled twice, in a finally body's two copies). The instructions are
// not hashed: the line table, which gives every instruction's size and
// location, tells apart nearly all code objects that differ only there.
// The tables' and the name's hashes are those they were merged by
// (Object.hash).
func codeHash(co *CodeObject) uint64 {
	h := mix(11, uint64(len(co.Bytecode)))
	h = mix(h, valueHash(co.LineTable)<<32|valueHash(co.ExceptionTable))
	h = mix(h, valueHash(co.Name)<<32|uint64(uint32(co.FirstLineNo)))
	h = mix(h, uint64(uint32(co.ArgCount))<<32|uint64(uint32(co.PosOnlyArgCount)))
	return mix(h, uint64(uint32(co.KwOnlyArgCount))<<32|uint64(uint32(co.Flags)))
}

// Merge is merge_consts_recursive: it returns the cached object equal to
// o, or registers o. A newly registered tuple has its items replaced by
// their cached equals (in place); a newly registered non-empty frozenset is
// replaced by a new frozenset of the cached items, which is returned.
func (c *ConstCache) Merge(o *Object) *Object {
	if o.Kind == None || o.Kind == Ellipsis || o.cache == c.id {
		return o
	}
	if t, ok := c.mergeScalar(o); ok {
		return t
	}
	if c.p.keyedByContents(o) {
		return c.mergeCode(o)
	}
	if o.Kind == Tuple {
		if h, ok := c.plainHash(o); ok {
			if t, found := c.mergeTuple(o, h); found {
				return t
			}
			c.mergeItems(o)
			return o
		}
	}
	c.buf = c.p.key(c.buf[:0], o)
	if t, ok := c.m[string(c.buf)]; ok {
		return t
	}
	k := string(c.buf)
	c.m[k] = o
	switch o.Kind {
	case Tuple:
		c.hold(o)
		c.mergeItems(o)
	case FrozenSet:
		if len(o.Items) == 0 {
			return c.hold(o)
		}
		items := make([]*Object, len(o.Items))
		for i, it := range o.Items {
			items[i] = c.Merge(it)
		}
		n := c.p.NewFrozenSet(items)
		c.m[k] = c.hold(n)
		return n
	}
	return c.hold(o)
}

// mergeItems replaces a newly registered tuple's items by their cached
// equals.
func (c *ConstCache) mergeItems(o *Object) {
	for i, it := range o.Items {
		if u := c.Merge(it); u != it {
			o.Items[i] = u
		}
	}
}

// MergeOne is _PyCompile_ConstCacheMergeOne: the cached object equal to
// o, or o, registered; items are not merged.
func (c *ConstCache) MergeOne(o *Object) *Object {
	if o.cache == c.id {
		return o
	}
	if t, ok := c.mergeScalar(o); ok {
		return t
	}
	if o.Kind == Tuple {
		if h, ok := c.plainHash(o); ok {
			t, _ := c.mergeTuple(o, h)
			return t
		}
	}
	c.buf = c.p.key(c.buf[:0], o)
	if t, ok := c.m[string(c.buf)]; ok {
		return t
	}
	c.m[string(c.buf)] = c.hold(o)
	return o
}

// MergeTuple is MergeOne of a new tuple of a copy of items (the
// assembler's tuples of names and constants), without making it when the
// cache holds an equal one: CPython drops the new tuple at once then, and
// nothing else refers to it.
func (c *ConstCache) MergeTuple(items []*Object) *Object {
	if len(items) > 0 {
		if h, ok := c.itemsHash(items); ok {
			t, i := c.tuples.findTuple(items, h)
			if t == nil {
				t = c.p.NewTuple(c.p.Items(items))
				c.tuples.insert(i, h, c.hold(t))
			}
			return t
		}
	}
	return c.MergeOne(c.p.NewTuple(c.p.Items(items)))
}

func sortStrings(s []string) { sort.Strings(s) }

// valueSlot is one slot of a valueTable: an object (nil: empty) and its
// value's hash.
type valueSlot struct {
	h uint64
	o *Object
}

// valueTable files strs, bytes, ints or plain tuples by their value: an
// open-addressing table with linear probing, at most half full. Instead of a Go map it
// lets a look-up that finds nothing insert at the slot it stopped at (one
// hash and one probe for a new key, where a map hashes the key again to
// insert it), reuses the hash an object keeps (Object.hash), and is
// emptied by clearing only the slots it filled (a map's clear walks all
// of its groups, as many as the largest module it served needed).
type valueTable struct {
	slots []valueSlot
	// used are the indexes of the filled slots.
	used []int32
}

func newValueTable(size int) valueTable {
	return valueTable{slots: make([]valueSlot, size)}
}

// strHash is the hash a valueTable files s by (Object.hash's; never 0):
// the high half of hashStr's, so that Identifier keeps it on the objects
// it makes without hashing again (hashStr sets the low bit).
func strHash(s string) uint32 {
	return nonzero(uint32(hashStr(s) >> 32))
}

// strHashBytes is strHash(string(b)), without a copy: b is only read
// while it is hashed.
func strHashBytes(b []byte) uint32 {
	return strHash(unsafe.String(unsafe.SliceData(b), len(b)))
}

func nonzero(h uint32) uint32 {
	if h == 0 {
		return 1
	}
	return h
}

// find returns the object filed in t for the value s (hash h), or nil and
// the slot where it would be filed.
func find[V string | []byte](t *valueTable, s V, h32 uint32) (*Object, int) {
	h := uint64(h32)
	mask := len(t.slots) - 1
	for i := int(h) & mask; ; i = (i + 1) & mask {
		sl := &t.slots[i]
		if sl.o == nil {
			return nil, i
		}
		if sl.h == h && sl.o.Value.Str() == string(s) {
			return sl.o, i
		}
	}
}

// cacheIntHash is the hash a valueTable files the int v by.
func cacheIntHash(v int64) uint64 { return mix(5, uint64(v)) }

// findInt is find for the int v (hash h), in a table of ints that fit
// in int64.
func (t *valueTable) findInt(v int64, h uint64) (*Object, int) {
	mask := len(t.slots) - 1
	for i := int(h) & mask; ; i = (i + 1) & mask {
		sl := &t.slots[i]
		if sl.o == nil {
			return nil, i
		}
		if sl.h == h {
			if x, _ := sl.o.Value.Int64(); x == v {
				return sl.o, i
			}
		}
	}
}

// findTuple is find for the plain tuple of items (plainHash h), by
// plainEqual.
func (t *valueTable) findTuple(items []*Object, h uint64) (*Object, int) {
	mask := len(t.slots) - 1
	for i := int(h) & mask; ; i = (i + 1) & mask {
		sl := &t.slots[i]
		if sl.o == nil {
			return nil, i
		}
		if sl.h == h && slices.EqualFunc(sl.o.Items, items, plainEqual) {
			return sl.o, i
		}
	}
}

// insert files o (hash h) in slot i, which find returned for its value.
func (t *valueTable) insert(i int, h uint64, o *Object) {
	t.slots[i] = valueSlot{h: h, o: o}
	t.used = append(t.used, int32(i))
	if 2*len(t.used) > len(t.slots) {
		t.grow()
	}
}

func (t *valueTable) grow() {
	old := t.slots
	t.slots = make([]valueSlot, 2*len(old))
	mask := len(t.slots) - 1
	for k, j := range t.used {
		sl := old[j]
		i := int(sl.h) & mask
		for t.slots[i].o != nil {
			i = (i + 1) & mask
		}
		t.slots[i] = sl
		t.used[k] = int32(i)
	}
}

// reset empties t, clearing the slots it filled.
func (t *valueTable) reset() {
	for _, i := range t.used {
		t.slots[i] = valueSlot{}
	}
	t.used = t.used[:0]
}
