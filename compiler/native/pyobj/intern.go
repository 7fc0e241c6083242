package pyobj

import (
	"hash/maphash"
	"math/bits"
	"sync"
	"unsafe"
)

// The interned strs of a Process and the start-up sets are looked up for
// every identifier the parser makes and every name the compiler adds, so
// they are open-addressed tables of their own rather than Go maps: one
// hash per look-up (kept in the slot, so that a probe compares strings
// only when the hashes agree), no iteration (the order of a table never
// shows in any output), and the Process's slots are reused from one
// compile to the next.

// strSeed seeds the tables' hash (random per process: a source cannot be
// made to collide on purpose); nothing in the output depends on it.
var strSeed = maphash.MakeSeed()

// strKeys are the random keys of hashStr's mix (of every length), drawn once
// per process from strSeed.
var strKeys = func() [3]uint64 {
	var k [3]uint64
	for i := range k {
		k[i] = maphash.String(strSeed, string(rune('a'+i))) | 1
	}
	return k
}()

// hashStr hashes s for the intern tables and the start-up sets. A string
// of up to 32 bytes (nearly every identifier and most qualified names) is
// read as words that together cover it (from 17 bytes on, the first 16
// bytes and the last 16, overlapping; from 8 bytes on, two overlapping
// 8-byte words; from 4 bytes on, two overlapping 4-byte halves of one
// word) and mixed with 64-bit multiplications under random keys (wyhash's
// mum), the length entering the last; a longer string is read 32 bytes
// a turn. The runtime's hash costs about 65 instructions for an
// identifier (its call chain and set-up), this one about 20.
func hashStr(s string) uint64 {
	// The words are read through the string's pointer, within its n
	// bytes, as EqualStr reads them: with no bounds checks there is no
	// call to panic, and a function that calls nothing needs no stack
	// frame or stack check, which every identifier paid for when the
	// long strings went to the runtime's hash from here.
	n := len(s)
	d := unsafe.Pointer(unsafe.StringData(s))
	var a, b uint64
	switch {
	case n > 32:
		// 32 bytes a turn in two lanes, each lane's two words mixed
		// into what it had, then the last 32 bytes (overlapping).
		for i := 0; n-i > 32; i += 32 {
			a = mum(load64At(d, i)^strKeys[1]^a, load64At(d, i+8)^strKeys[2])
			b = mum(load64At(d, i+16)^strKeys[2]^b, load64At(d, i+24)^strKeys[0])
		}
		a = mum(load64At(d, n-32)^strKeys[1]^a, load64At(d, n-24)^strKeys[2])
		b = mum(load64At(d, n-16)^strKeys[2]^b, load64At(d, n-8)^strKeys[0])
	case n > 16:
		// Qualified names ("Class.method") are often this long: the
		// first 16 and the last 16 bytes, mixed into two words.
		a = mum(load64At(d, 0)^strKeys[1], load64At(d, 8)^strKeys[2])
		b = mum(load64At(d, n-16)^strKeys[2], load64At(d, n-8)^strKeys[0])
	case n >= 8:
		a = load64At(d, 0)
		b = load64At(d, n-8)
	case n >= 4:
		a = uint64(*(*uint32)(d)) | uint64(*(*uint32)(unsafe.Add(d, n-4)))<<32
	case n > 0:
		a = uint64(*(*byte)(d))<<16 | uint64(*(*byte)(unsafe.Add(d, n>>1)))<<8 | uint64(*(*byte)(unsafe.Add(d, n-1)))
	}
	return mum(mum(a^strKeys[0], b^strKeys[1])^uint64(n), strKeys[2]) | 1
}

// load64At is the machine word of the 8 bytes at d+i (which the caller
// keeps within its string).
func load64At(d unsafe.Pointer, i int) uint64 {
	return *(*uint64)(unsafe.Add(d, i))
}

// mum multiplies x and y to 128 bits and folds the halves together.
func mum(x, y uint64) uint64 {
	hi, lo := bits.Mul64(x, y)
	return hi ^ lo
}

// EqualStr reports whether x == y. Go compiles a string comparison to a
// length test and a call to the runtime's memequal; names are short and
// are compared where the hashes or lengths already agree (the intern
// tables, the symbol table's and the code generator's name scans), so a
// string of up to 16 bytes is compared here inline, as the words that
// hashStr reads from it (which together cover every byte), with no call.
func EqualStr(x, y string) bool {
	n := len(x)
	if n != len(y) {
		return false
	}
	if uint(n-4) > 12 {
		// Shorter than 4 or longer than 16 bytes.
		return x == y
	}
	px, py := unsafe.Pointer(unsafe.StringData(x)), unsafe.Pointer(unsafe.StringData(y))
	if n >= 8 {
		return *(*uint64)(px) == *(*uint64)(py) &&
			*(*uint64)(unsafe.Add(px, n-8)) == *(*uint64)(unsafe.Add(py, n-8))
	}
	return *(*uint32)(px) == *(*uint32)(py) &&
		*(*uint32)(unsafe.Add(px, n-4)) == *(*uint32)(unsafe.Add(py, n-4))
}

// internSlot is one slot of an internTable: a str and its interned object.
type internSlot struct {
	h uint64
	s string
	o *Object
}

// internTable maps strs to their interned objects (linear probing, at
// most half full).
type internTable struct {
	slots []internSlot
	n     int
	// used are the indexes of the filled slots, so that release clears
	// only those (a module fills a few hundred of the 4,096).
	used []int32
}

// minInternSlots is a new table's size. Most modules intern a few
// hundred strs, but a large one interns thousands: from a smaller start
// it would grow its table (rehashing every str) once or more, and probe
// a fuller one. The slots are kept between compiles, so a larger table
// costs only its first allocation (128 KB; the strs of a compile are
// spread over it thin either way).
const minInternSlots = 4096

// internTablePools keeps empty tables for reuse, by size: pool k holds
// tables of minInternSlots<<k slots. A compile starts with a table of the
// first size (a table that grew for a large module, handed to a smaller
// one, would spread its few strs over all of it: more cache lines to
// touch); a table that grows takes the next size from the pools.
var internTablePools [maxInternPool + 1]sync.Pool

// maxInternPool is the largest size kept, as a shift of minInternSlots
// (16,384 slots, 512 KB).
const maxInternPool = 2

// internPool returns the pool for tables of n slots, nil for a size
// not kept.
func internPool(n int) *sync.Pool {
	for k := 0; k <= maxInternPool; k++ {
		if n == minInternSlots<<k {
			return &internTablePools[k]
		}
	}
	return nil
}

// internSlots returns n empty slots, a kept table's when there is one.
func internSlots(n int) []internSlot {
	if pool := internPool(n); pool != nil {
		if t, ok := pool.Get().(*internTable); ok {
			return t.slots
		}
	}
	return make([]internSlot, n)
}

func newInternTable() internTable {
	if t, ok := internTablePools[0].Get().(*internTable); ok {
		return *t
	}
	return internTable{slots: make([]internSlot, minInternSlots)}
}

// release gives the table's slots back for reuse; the table is empty
// afterwards.
func (t *internTable) release() {
	pool := internPool(len(t.slots))
	if pool == nil {
		*t = internTable{}
		return
	}
	for _, i := range t.used {
		t.slots[i] = internSlot{}
	}
	kept := &internTable{slots: t.slots, used: t.used[:0]}
	*t = internTable{}
	pool.Put(kept)
}

// get returns the object interned for s (hash h), nil if none.
func (t *internTable) get(s string, h uint64) *Object {
	if t.slots == nil {
		return nil
	}
	mask := uint64(len(t.slots) - 1)
	for i := home(h, mask); ; i = (i + 1) & mask {
		sl := &t.slots[i]
		if sl.h == h && sl.s == s {
			return sl.o
		}
		if sl.h == 0 {
			return nil
		}
	}
}

// put records o as the interned object for s (hash h), which has none.
func (t *internTable) put(s string, h uint64, o *Object) {
	if t.slots == nil {
		*t = newInternTable()
	}
	if 2*(t.n+1) > len(t.slots) {
		t.grow()
	}
	mask := uint64(len(t.slots) - 1)
	i := home(h, mask)
	for t.slots[i].h != 0 {
		i = (i + 1) & mask
	}
	t.slots[i] = internSlot{h: h, s: s, o: o}
	t.used = append(t.used, int32(i))
	t.n++
}

func (t *internTable) grow() {
	old := t.slots
	t.slots = internSlots(2 * len(old))
	mask := uint64(len(t.slots) - 1)
	used := t.used[:0]
	for _, j := range t.used {
		sl := old[j]
		old[j] = internSlot{}
		i := home(sl.h, mask)
		for t.slots[i].h != 0 {
			i = (i + 1) & mask
		}
		t.slots[i] = sl
		used = append(used, int32(i))
	}
	t.used = used
	if pool := internPool(len(old)); pool != nil {
		// Emptied above.
		pool.Put(&internTable{slots: old})
	}
}

// home is the first slot a table of mask+1 slots tries for hash h. The
// low bit of every hashStr is set (0 marks an empty slot), so it is
// shifted out: with it, only odd slots would be home slots, and the
// probes of neighbouring hashes would run into each other.
func home(h, mask uint64) uint64 { return (h >> 1) & mask }

// hashSet is a read-only set of strs (safe for concurrent use), for the
// start-up sets. A slot holds a member's hash (0: empty) and its index in
// members, which the set shares rather than copies.
type hashSet struct {
	hs      []uint64
	ix      []int32
	members []string
}

// newHashSet indexes members, which must be distinct.
func newHashSet(members []string) *hashSet {
	n := 16
	for n < 2*len(members) {
		n *= 2
	}
	set := &hashSet{hs: make([]uint64, n), ix: make([]int32, n), members: members}
	mask := uint64(n - 1)
	for k, s := range members {
		h := hashStr(s)
		i := home(h, mask)
		for set.hs[i] != 0 {
			i = (i + 1) & mask
		}
		set.hs[i], set.ix[i] = h, int32(k)
	}
	return set
}

func (set *hashSet) has(s string, h uint64) bool {
	mask := uint64(len(set.hs) - 1)
	for i := home(h, mask); ; i = (i + 1) & mask {
		switch set.hs[i] {
		case h:
			if set.members[set.ix[i]] == s {
				return true
			}
		case 0:
			return false
		}
	}
}
