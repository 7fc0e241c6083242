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
