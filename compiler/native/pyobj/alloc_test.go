package pyobj

import (
	"bytes"
	"testing"
	"unsafe"
)

// TestCarved checks the pieces carved from a Process's blocks: equal to
// their input, capacity equal to length, and unchanged by later pieces
// and by appends to earlier ones, for sizes below, at and above a block.
func TestCarved(t *testing.T) {
	p := NewProcess(nil)
	type carved struct {
		items []*Object
		b     []byte
		s     string
		want  []byte
		objs  []*Object
	}
	var all []carved
	for _, n := range []int{0, 1, 7, 63, 64, 65, 200, 255, 256, 257, 1000, 1023, 1024, 1025, 2047, 2048, 2049, 5000, 3, 17000} {
		src := make([]byte, n)
		items := make([]*Object, n)
		for i := range src {
			src[i] = byte(i*7 + n)
			items[i] = p.NewInt(int64(i))
		}
		c := carved{items: p.Items(items), b: p.Bytes(src), s: p.String(src), want: src, objs: items}
		if len(c.items) != n || cap(c.items) != n || len(c.b) != n || cap(c.b) != n {
			t.Fatalf("size %d: items len %d cap %d, bytes len %d cap %d", n, len(c.items), cap(c.items), len(c.b), cap(c.b))
		}
		_ = append(c.items, nil)
		_ = append(c.b, 0xFF)
		all = append(all, c)
	}
	for _, c := range all {
		n := len(c.want)
		if !bytes.Equal(c.b, c.want) || c.s != string(c.want) {
			t.Errorf("size %d: a carved piece changed", n)
		}
		for i, o := range c.items {
			if o != c.objs[i] {
				t.Errorf("size %d: item %d changed", n, i)
				break
			}
		}
	}
	for i := 0; i < 100; i++ {
		c := p.NewCodeFields()
		if c.Name != nil || c.key != "" || c.merged {
			t.Fatalf("code fields %d are not zero", i)
		}
		c.Name = p.NewStr("x")
	}
}

// TestObjectSize checks that an Object stays in its size class (the
// constant cache's hash fills what was padding).
func TestObjectSize(t *testing.T) {
	if n := unsafe.Sizeof(Object{}); n > 96 {
		t.Errorf("Object is %d bytes, want at most 96", n)
	}
}

// TestFreeReuses checks that a Process ended by Free gives its blocks to a
// later Process cleared: every object, items slice and code object made
// after it is zero but for what its constructor sets, and the memory is
// handed out again (sync.Pool may drop a Process now and then, so the
// test asks that of one round in several).
func TestFreeReuses(t *testing.T) {
	reused := 0
	var last map[*Object]bool
	for round := 0; round < 20; round++ {
		p := NewProcess(nil)
		made := map[*Object]bool{}
		for i := 0; i < 300; i++ {
			o := p.NewStr("s" + string(rune('a'+i%26)) + string(rune('a'+i/26)))
			if o.Interned || o.Immortal || o.Items != nil || o.Code != nil || o.Refs != 0 || o.RefIx != 0 || o.cache != 0 || o.hash != 0 {
				t.Fatalf("round %d: object %d not zero: %+v", round, i, o)
			}
			if last[o] {
				reused++
			}
			made[o] = true
			o.Refs, o.RefIx, o.hash = 7, 8, 9
			items := p.Items([]*Object{o, o})
			if items[0] != o || items[1] != o {
				t.Fatalf("round %d: items %v", round, items)
			}
			c := p.NewCodeFields()
			if c.Consts != nil || c.Bytecode != nil || c.key != "" || c.ArgCount != 0 {
				t.Fatalf("round %d: code fields not zero: %+v", round, c)
			}
			c.ArgCount, c.key = 3, "k"
		}
		if p.NewInt(5) == nil || !p.NewInt(5).Immortal {
			t.Fatalf("round %d: the small ints are not set up again", round)
		}
		p.Free()
		last = made
	}
	if reused == 0 {
		t.Error("no object was handed out again after Free")
	}
}
