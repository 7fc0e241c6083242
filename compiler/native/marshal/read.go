package marshal

import (
	"encoding/binary"
	"fmt"
	"math"
)

// Item is one object of a marshal stream as Read finds it: its type byte
// (without FLAG_REF), whether FLAG_REF was set, and its contents. A
// back-reference is resolved to the Item it names.
type Item struct {
	Type byte
	Ref  bool
	// Int is an int's value when it fits in int64 (TYPE_INT, or a small
	// TYPE_LONG); Digits are a TYPE_LONG's 15-bit digits, and Neg its sign.
	Int    int64
	Digits []uint16
	Neg    bool
	Float  [2]float64
	// Str holds str (UTF-8 bytes as written) and bytes contents.
	Str   string
	Items []*Item
	Code  *CodeItem
}

// CodeItem is a code object's fields.
type CodeItem struct {
	ArgCount, PosOnlyArgCount, KwOnlyArgCount, StackSize, Flags int32
	Bytecode, Consts, Names, LocalsPlusNames, LocalsPlusKinds   *Item
	Filename, Name, QualName                                    *Item
	FirstLineNo                                                 int32
	LineTable, ExceptionTable                                   *Item
}

// Read parses one object written with format version 4. It is for tests
// and diagnostics: it reads what the Writer and CPython 3.13 write (no
// lists, dicts or sets).
func Read(b []byte) (*Item, error) {
	r := &reader{b: b}
	it := r.object(0)
	if r.err != nil {
		return nil, r.err
	}
	return it, nil
}

type reader struct {
	b    []byte
	pos  int
	refs []*Item
	err  error
}

func (r *reader) fail(format string, args ...any) *Item {
	if r.err == nil {
		r.err = fmt.Errorf("marshal: at %d: %s", r.pos, fmt.Sprintf(format, args...))
	}
	return &Item{}
}

func (r *reader) bytes(n int) []byte {
	if n < 0 || r.pos+n > len(r.b) {
		r.fail("truncated")
		r.pos = len(r.b)
		return make([]byte, n&0xFFFF)
	}
	p := r.b[r.pos : r.pos+n]
	r.pos += n
	return p
}

func (r *reader) u32() uint32 { return binary.LittleEndian.Uint32(r.bytes(4)) }

func (r *reader) object(depth int) *Item {
	if r.err != nil {
		return &Item{}
	}
	if depth > maxDepth {
		return r.fail("too deep")
	}
	code := r.bytes(1)[0]
	it := &Item{Type: code &^ FlagRef, Ref: code&FlagRef != 0}
	if it.Ref {
		r.refs = append(r.refs, it)
	}
	switch it.Type {
	case typeNone, typeTrue, typeFalse, typeEllipsis, typeNull:
	case typeRef:
		n := r.u32()
		if int(n) >= len(r.refs) {
			return r.fail("back-reference %d of %d", n, len(r.refs))
		}
		return r.refs[n]
	case typeInt:
		it.Int = int64(int32(r.u32()))
	case typeLong:
		n := int32(r.u32())
		if n < 0 {
			it.Neg, n = true, -n
		}
		if n < 0 || int(n) > len(r.b) {
			return r.fail("%d digits", n)
		}
		it.Digits = make([]uint16, n)
		for i := range it.Digits {
			it.Digits[i] = binary.LittleEndian.Uint16(r.bytes(2))
		}
	case typeBinaryFloat:
		it.Float[0] = math.Float64frombits(binary.LittleEndian.Uint64(r.bytes(8)))
	case typeBinaryComplex:
		it.Float[0] = math.Float64frombits(binary.LittleEndian.Uint64(r.bytes(8)))
		it.Float[1] = math.Float64frombits(binary.LittleEndian.Uint64(r.bytes(8)))
	case typeString, typeUnicode, typeInterned, typeASCII, typeASCIIInterned:
		it.Str = string(r.bytes(int(r.u32())))
	case typeShortASCII, typeShortASCIIInterne:
		it.Str = string(r.bytes(int(r.bytes(1)[0])))
	case typeSmallTuple, typeTuple, typeFrozenSet:
		var n int
		if it.Type == typeSmallTuple {
			n = int(r.bytes(1)[0])
		} else {
			n = int(r.u32())
		}
		if n < 0 || n > len(r.b) {
			return r.fail("%d items", n)
		}
		it.Items = make([]*Item, n)
		for i := range it.Items {
			it.Items[i] = r.object(depth + 1)
		}
	case typeCode:
		c := &CodeItem{}
		it.Code = c
		for _, p := range []*int32{&c.ArgCount, &c.PosOnlyArgCount, &c.KwOnlyArgCount, &c.StackSize, &c.Flags} {
			*p = int32(r.u32())
		}
		for _, p := range []**Item{&c.Bytecode, &c.Consts, &c.Names, &c.LocalsPlusNames, &c.LocalsPlusKinds, &c.Filename, &c.Name, &c.QualName} {
			*p = r.object(depth + 1)
		}
		c.FirstLineNo = int32(r.u32())
		c.LineTable = r.object(depth + 1)
		c.ExceptionTable = r.object(depth + 1)
	default:
		return r.fail("type %q", it.Type)
	}
	return it
}

// Codes returns the code objects of the tree at top in pre-order (a code
// object, then those in its co_consts, in order).
func Codes(top *Item) []*CodeItem {
	var out []*CodeItem
	var walk func(*Item)
	walk = func(it *Item) {
		if it.Code == nil {
			return
		}
		out = append(out, it.Code)
		for _, c := range it.Code.Consts.Items {
			walk(c)
		}
	}
	walk(top)
	return out
}
