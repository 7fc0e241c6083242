// Package marshal writes a code object tree as CPython 3.13's marshal
// (Python/marshal.c, format version 4) writes it in py_compile's fresh
// process, byte for byte.
//
// The bytes depend on object identity: marshal gives an object FLAG_REF
// (and a back-reference number) when w_ref sees a reference count above
// one, an immortal object or an interned str, and writes a later
// occurrence of a flagged object as a back-reference. The Writer computes
// each object's reference count from the tree itself, plus the references
// CPython holds while it writes:
//
//   - the top-level code object is held by py_compile (count + 1);
//   - co_code is a new bytes object that the code object also caches
//     (count 2: always flagged, never shared);
//   - a frozenset's items are held by the list marshal sorts them in
//     (count + 1 while written), and the sort key of each item is its own
//     marshal dump, made while the set's iterator holds it (count + 1).
//
// Invariants: Dump leaves every object's scratch fields (Refs, RefIx) as
// it found them (zero); the tree is not changed.
package marshal

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/big"
	"slices"

	"github.com/rules-pyc/rules_pyc/compiler/native/pyobj"
)

// FlagRef is marshal's FLAG_REF bit of a type byte.
const FlagRef = 0x80

// Type codes of format version 4.
const (
	typeNull              = '0'
	typeNone              = 'N'
	typeFalse             = 'F'
	typeTrue              = 'T'
	typeEllipsis          = '.'
	typeInt               = 'i'
	typeLong              = 'l'
	typeBinaryFloat       = 'g'
	typeBinaryComplex     = 'y'
	typeString            = 's'
	typeInterned          = 't'
	typeRef               = 'r'
	typeTuple             = '('
	typeCode              = 'c'
	typeUnicode           = 'u'
	typeFrozenSet         = '>'
	typeASCII             = 'a'
	typeASCIIInterned     = 'A'
	typeSmallTuple        = ')'
	typeShortASCII        = 'z'
	typeShortASCIIInterne = 'Z'
)

// maxDepth is MAX_MARSHAL_STACK_DEPTH.
const maxDepth = 2000

// ErrTooDeep is the error of an object nested deeper than marshal goes:
// CPython's marshal.dumps raises ValueError with this message.
var ErrTooDeep = errors.New("object too deeply nested to marshal")

// Writer writes objects. It keeps its buffers between calls; it is not
// safe for concurrent use.
type Writer struct {
	buf   []byte
	seen  []*pyobj.Object
	nrefs int32
	depth int
	err   error
	// local holds the back-reference numbers of a sub-dump (a frozenset
	// item's sort key), whose numbering is its own.
	local map[*pyobj.Object]int32
}

// Dump returns the marshal bytes of top as py_compile writes them (top
// held by a variable).
func (w *Writer) Dump(top *pyobj.Object) ([]byte, error) {
	return w.DumpAfter(nil, top)
}

// DumpAfter returns prefix followed by Dump's bytes, in one new array (a
// .pyc's header and its code object need no second copy).
func (w *Writer) DumpAfter(prefix []byte, top *pyobj.Object) ([]byte, error) {
	if err := w.dump(prefix, top); err != nil {
		return nil, err
	}
	// A copy that is not zeroed first.
	return append([]byte(nil), w.buf...), nil
}

// DumpTo is DumpAfter writing into dst's memory instead of a new array:
// it returns append(dst[:0], prefix..., Dump's bytes...), which the
// caller owns, and w keeps none of it. The caller that reuses dst from
// one dump to the next allocates and copies nothing.
func (w *Writer) DumpTo(dst, prefix []byte, top *pyobj.Object) ([]byte, error) {
	own := w.buf
	w.buf = dst
	err := w.dump(prefix, top)
	out := w.buf
	w.buf = own
	if err != nil {
		return nil, err
	}
	return out, nil
}

// dump writes prefix and top's bytes in w.buf.
func (w *Writer) dump(prefix []byte, top *pyobj.Object) error {
	w.buf = append(w.buf[:0], prefix...)
	w.count(top)
	top.Refs++
	defer w.reset()
	w.nrefs = 0
	w.err = nil
	w.object(top)
	return w.err
}

// Trim drops w's output buffer when its capacity exceeds max bytes, so
// that a Writer kept between dumps does not pin the largest output.
func (w *Writer) Trim(max int) {
	if cap(w.buf) > max {
		w.buf = nil
	}
	if cap(w.seen) > max/8 {
		w.seen = nil
	}
}

// Dump is Writer.Dump with a new Writer.
func Dump(top *pyobj.Object) ([]byte, error) {
	var w Writer
	return w.Dump(top)
}

// count adds one reference to o, and counts o's own references the first
// time o is reached. The singletons marshal writes by type code alone
// (None, True, False, ...) are not counted: no reference of theirs is
// ever asked about, and the package's own are shared by concurrent
// compiles.
func (w *Writer) count(o *pyobj.Object) {
	if o == nil || o.Kind <= pyobj.Ellipsis {
		return
	}
	o.Refs++
	if o.Refs > 1 {
		return
	}
	w.seen = append(w.seen, o)
	switch o.Kind {
	case pyobj.Tuple, pyobj.FrozenSet:
		for _, it := range o.Items {
			switch {
			case it == nil || it.Kind <= pyobj.Ellipsis:
			case it.Kind < pyobj.Tuple:
				// A scalar refers to nothing: counted here, without a
				// call.
				it.Refs++
				if it.Refs == 1 {
					w.seen = append(w.seen, it)
				}
			default:
				w.count(it)
			}
		}
	case pyobj.Code:
		c := o.Code
		w.count(c.Consts)
		w.count(c.Names)
		w.count(c.LocalsPlusNames)
		w.countLeaf(c.LocalsPlusKinds)
		w.countLeaf(c.Filename)
		w.countLeaf(c.Name)
		w.countLeaf(c.QualName)
		w.countLeaf(c.LineTable)
		w.countLeaf(c.ExceptionTable)
	}
}

// countLeaf is count for a code object's field that is a str or bytes,
// which refers to nothing: inlined, so that the six such fields of every
// code object (local kinds, file name, name, qualified name, line and
// exception tables) cost no call. A CodeObject holds only strs and bytes
// there (see pyobj.CodeObject); any other object would need count's walk
// of what it refers to, and is refused rather than miscounted (a call of
// count here would make this too large to be inlined).
func (w *Writer) countLeaf(o *pyobj.Object) {
	if o != nil && o.Kind > pyobj.Ellipsis {
		if o.Kind >= pyobj.Tuple {
			panic("marshal: a code object's str or bytes field holds a " + o.Kind.String())
		}
		if o.Refs++; o.Refs == 1 {
			w.seen = append(w.seen, o)
		}
	}
}

func (w *Writer) reset() {
	for _, o := range w.seen {
		o.Refs, o.RefIx = 0, 0
	}
	// A Writer kept for the next dump holds no objects of this one.
	clear(w.seen)
	w.seen = w.seen[:0]
}

// ref is w_ref for an object that gets FLAG_REF (write tests that): it
// writes a back-reference and returns true for an object written before;
// otherwise it numbers the object and returns the flag. An
// object numbered here stays flaggable for the rest of the dump (a count
// only falls back to what it was after a frozenset's extra references,
// and an object that was flagged only through them has no other place in
// the tree), so items takes any numbered object as a back-reference.
func (w *Writer) ref(o *pyobj.Object) (flag byte, done bool) {
	ix := o.RefIx
	if w.local != nil {
		ix = w.local[o]
	}
	if ix > 0 {
		w.backRef(ix)
		return 0, true
	}
	w.nrefs++
	if w.local != nil {
		w.local[o] = w.nrefs
	} else {
		o.RefIx = w.nrefs
	}
	return FlagRef, false
}

// backRef writes a back-reference to the object numbered ix (+1).
func (w *Writer) backRef(ix int32) {
	w.typeAndUint32(typeRef, uint32(ix-1))
}

// typeAndUint32 writes the type byte t and the little-endian n that
// follows it, in one append.
func (w *Writer) typeAndUint32(t byte, n uint32) {
	w.buf = append(w.buf, t, byte(n), byte(n>>8), byte(n>>16), byte(n>>24))
}

func (w *Writer) object(o *pyobj.Object) {
	if o == nil {
		if w.err == nil {
			w.err = fmt.Errorf("a code object field is missing")
		}
		return
	}
	if w.depth >= maxDepth {
		if w.err == nil {
			w.err = ErrTooDeep
		}
		return
	}
	if w.singleton(o) {
		return
	}
	w.depth++
	w.write(o)
	w.depth--
}

// write is object for an object that is no singleton, within the depth
// limit.
func (w *Writer) write(o *pyobj.Object) {
	// The test of w_ref, here so that an object without the flag costs
	// no call.
	var flag byte
	if o.Immortal || o.Refs > 1 || (o.Kind == pyobj.Str && o.Interned) {
		var done bool
		if flag, done = w.ref(o); done {
			return
		}
	}
	switch o.Kind {
	case pyobj.Int:
		w.int(o, flag)
	case pyobj.Float:
		w.buf = append(w.buf, typeBinaryFloat|flag)
		w.buf = binary.LittleEndian.AppendUint64(w.buf, math.Float64bits(o.Value.Float()))
	case pyobj.Complex:
		re, im := o.Value.Complex()
		w.buf = append(w.buf, typeBinaryComplex|flag)
		w.buf = binary.LittleEndian.AppendUint64(w.buf, math.Float64bits(re))
		w.buf = binary.LittleEndian.AppendUint64(w.buf, math.Float64bits(im))
	case pyobj.Bytes:
		w.pstring(typeString|flag, o.Value.Bytes())
	case pyobj.Str:
		w.str(o, flag)
	case pyobj.Tuple:
		if n := len(o.Items); n < 256 {
			w.buf = append(w.buf, typeSmallTuple|flag, byte(n))
		} else {
			w.typeAndUint32(typeTuple|flag, uint32(n))
		}
		w.items(o.Items)
	case pyobj.FrozenSet:
		w.frozenset(o, flag)
	case pyobj.Code:
		w.code(o.Code, flag)
	default:
		w.err = fmt.Errorf("can't write a %s", o.Kind)
	}
}

// singleton writes o by its type code alone when o is one of the
// singletons (no reference, no nesting), and reports whether it was.
func (w *Writer) singleton(o *pyobj.Object) bool {
	var c byte
	switch o.Kind {
	case pyobj.None:
		c = typeNone
	case pyobj.Ellipsis:
		c = typeEllipsis
	case pyobj.Bool:
		c = typeFalse
		if o.Value.Bool() {
			c = typeTrue
		}
	default:
		return false
	}
	w.buf = append(w.buf, c)
	return true
}

// items writes a tuple's items. The singletons and the back-references
// to objects written before, most items, are written here without a call
// to object; within the depth limit only (object reports an item beyond
// it, even a singleton, as CPython does).
func (w *Writer) items(items []*pyobj.Object) {
	if w.depth >= maxDepth || w.local != nil {
		for _, it := range items {
			w.object(it)
		}
		return
	}
	for _, it := range items {
		if it == nil {
			w.object(it)
			continue
		}
		// The singletons are the kinds up to Ellipsis: one test for
		// every other item.
		if it.Kind <= pyobj.Ellipsis && w.singleton(it) {
			continue
		}
		// An object numbered before was flagged when it was numbered,
		// and stays so while the dump runs (see ref).
		if ix := it.RefIx; ix > 0 {
			w.backRef(ix)
			continue
		}
		w.depth++
		w.write(it)
		w.depth--
	}
}

func (w *Writer) str(o *pyobj.Object, flag byte) {
	s := o.Value.Str()
	ascii := isASCII(s)
	switch {
	case ascii && len(s) < 256:
		t := byte(typeShortASCII)
		if o.Interned {
			t = typeShortASCIIInterne
		}
		w.buf = append(w.buf, t|flag, byte(len(s)))
		w.buf = append(w.buf, s...)
	case ascii:
		t := byte(typeASCII)
		if o.Interned {
			t = typeASCIIInterned
		}
		w.pstring(t|flag, s)
	default:
		t := byte(typeUnicode)
		if o.Interned {
			t = typeInterned
		}
		w.pstring(t|flag, s)
	}
}

// isASCII reports whether s has no byte above 0x7F. The bytes are read
// as words that together cover s, their high bits gathered and tested
// once: for 8 bytes and more, 32 and then 8 at a time from the start
// (docstrings make the average str long) and the last 8, overlapping;
// for 4 to 7, the first and the last 4; for fewer, the first, middle and
// last byte, which are all of them.
func isASCII(s string) bool {
	const high = 0x8080808080808080
	n := len(s)
	switch {
	case n >= 8:
		acc := load64(s[n-8:])
		for ; len(s) > 32; s = s[32:] {
			acc |= load64(s) | load64(s[8:]) | load64(s[16:]) | load64(s[24:])
		}
		for ; len(s) > 8; s = s[8:] {
			acc |= load64(s)
		}
		return acc&high == 0
	case n >= 4:
		return (load32(s)|load32(s[n-4:]))&high == 0
	case n > 0:
		return (s[0]|s[n>>1]|s[n-1])&0x80 == 0
	}
	return true
}

// load64 returns the first eight bytes of s, little-endian (the compiler
// merges the byte loads into one).
func load64(s string) uint64 {
	s = s[:8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// load32 is load64 for the first four bytes.
func load32(s string) uint64 {
	s = s[:4]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24
}

func (w *Writer) pstring(t byte, s string) {
	w.typeAndUint32(t, uint32(len(s)))
	w.buf = append(w.buf, s...)
}

func (w *Writer) int(o *pyobj.Object, flag byte) {
	if i, ok := o.Value.Int64(); ok && i >= math.MinInt32 && i <= math.MaxInt32 {
		w.typeAndUint32(typeInt|flag, uint32(int32(i)))
		return
	}
	// TYPE_LONG: the number of 15-bit digits (negative for a negative
	// number), then the digits of the absolute value, least significant
	// first.
	v := o.Value.BigInt()
	neg := v.Sign() < 0
	v.Abs(v)
	var digits []uint16
	mask := big.NewInt(0x7FFF)
	d := new(big.Int)
	for v.Sign() > 0 {
		digits = append(digits, uint16(d.And(v, mask).Uint64()))
		v.Rsh(v, 15)
	}
	n := int32(len(digits))
	if neg {
		n = -n
	}
	w.typeAndUint32(typeLong|flag, uint32(n))
	for _, dg := range digits {
		w.buf = binary.LittleEndian.AppendUint16(w.buf, dg)
	}
}

func (w *Writer) frozenset(o *pyobj.Object, flag byte) {
	w.typeAndUint32(typeFrozenSet|flag, uint32(len(o.Items)))
	// The sort key of each item is its own dump, made by a new writer
	// while the set's iterator holds the item. The writers share one
	// scratch buffer and one table of back-references (cleared for each),
	// and the keys are copied into one array.
	type pair struct {
		key  []byte
		item *pyobj.Object
	}
	pairs := make([]pair, len(o.Items))
	ends := make([]int, len(o.Items))
	var keys, scratch []byte
	local := map[*pyobj.Object]int32{}
	for i, it := range o.Items {
		// The iterator's reference, then the pair's, until the set is
		// written. The singletons are left alone, as count leaves them:
		// their references are never asked about, and the package's own
		// are shared by concurrent compiles.
		if it.Kind > pyobj.Ellipsis {
			it.Refs++
		}
		if len(local) > 64 {
			// A new table rather than the clearing of a large one.
			local = map[*pyobj.Object]int32{}
		} else {
			clear(local)
		}
		sub := Writer{buf: scratch[:0], depth: w.depth, local: local}
		sub.object(it)
		if sub.err != nil && w.err == nil {
			w.err = sub.err
		}
		scratch = sub.buf
		keys = append(keys, sub.buf...)
		ends[i] = len(keys)
		pairs[i].item = it
	}
	start := 0
	for i := range pairs {
		pairs[i].key = keys[start:ends[i]:ends[i]]
		start = ends[i]
	}
	slices.SortStableFunc(pairs, func(a, b pair) int { return bytes.Compare(a.key, b.key) })
	for _, p := range pairs {
		w.object(p.item)
	}
	for _, it := range o.Items {
		if it.Kind > pyobj.Ellipsis {
			it.Refs--
		}
	}
}

func (w *Writer) code(c *pyobj.CodeObject, flag byte) {
	w.buf = append(w.buf, typeCode|flag)
	for _, v := range []int32{c.ArgCount, c.PosOnlyArgCount, c.KwOnlyArgCount, c.StackSize, c.Flags} {
		w.buf = binary.LittleEndian.AppendUint32(w.buf, uint32(v))
	}
	// co_code: a new bytes object, also held by the code object's cache.
	w.nrefs++
	w.typeAndUint32(typeString|FlagRef, uint32(len(c.Bytecode)))
	w.buf = append(w.buf, c.Bytecode...)
	// The fields all have the depth of this code object.
	back := w.depth < maxDepth && w.local == nil
	w.field(c.Consts, back)
	w.field(c.Names, back)
	w.field(c.LocalsPlusNames, back)
	w.field(c.LocalsPlusKinds, back)
	w.field(c.Filename, back)
	w.field(c.Name, back)
	w.field(c.QualName, back)
	w.buf = binary.LittleEndian.AppendUint32(w.buf, uint32(c.FirstLineNo))
	w.field(c.LineTable, back)
	w.field(c.ExceptionTable, back)
}

// field is object for a code object's field o, with the tests object
// and write make done here as items does them for a tuple's items, when
// back says that this may be done: within the depth limit, and outside
// a frozenset's sort-key dumps, whose numbering is their own. A field
// numbered before (the file name, an empty tuple, a table shared with
// another code object) is written as its back-reference, and any other
// field but a singleton goes to write directly.
func (w *Writer) field(o *pyobj.Object, back bool) {
	if back && o != nil && o.Kind > pyobj.Ellipsis {
		if ix := o.RefIx; ix > 0 {
			w.backRef(ix)
			return
		}
		w.depth++
		w.write(o)
		w.depth--
		return
	}
	w.object(o)
}
