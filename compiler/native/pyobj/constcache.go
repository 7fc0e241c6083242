package pyobj

import (
	"hash/maphash"
	"sort"
)

// ConstCache is the compiler's constant cache (compile.c c_const_cache):
// one per compile, shared by every code unit, so that equal constants are
// one object. Equality is _PyCode_ConstantKey's: type and value, with 0.0
// and -0.0, 1, 1.0 and True all apart, NaNs by identity, and code objects
// by code_richcompare's fields (a placeholder without contents by
// identity).
type ConstCache struct {
	p   *Process
	m   map[string]*Object
	buf []byte
	// codes holds the code objects with contents, by a summary of their
	// fields: the full keys (long: instructions, tables and constants) are
	// built and compared only for code objects with the same summary,
	// which are rare (a function compiled twice, in a finally body's two
	// copies).
	codes  map[codeHead][]*Object
	ncodes int
	seed   maphash.Seed
}

// codeHead is what ConstCache files a code object under: some of the
// fields code_richcompare compares, and a hash of its instructions and
// tables.
type codeHead struct {
	name                                          string
	argCount, posOnly, kwOnly, flags, firstLineNo int32
	sum                                           uint64
}

// NewConstCache returns an empty cache for objects of p.
func (p *Process) NewConstCache() *ConstCache {
	return &ConstCache{p: p, m: make(map[string]*Object, 64), seed: maphash.MakeSeed()}
}

// Len returns the number of keys in the cache.
func (c *ConstCache) Len() int { return len(c.m) + c.ncodes }

// mergeCode is Merge for a code object with contents.
func (c *ConstCache) mergeCode(o *Object) *Object {
	co := o.Code
	var h maphash.Hash
	h.SetSeed(c.seed)
	h.Write(co.Bytecode)
	h.WriteString(co.LineTable.Value.Bytes())
	h.WriteString(co.ExceptionTable.Value.Bytes())
	head := codeHead{
		name: co.Name.Value.Str(), argCount: co.ArgCount, posOnly: co.PosOnlyArgCount, kwOnly: co.KwOnlyArgCount,
		flags: co.Flags, firstLineNo: co.FirstLineNo, sum: h.Sum64(),
	}
	same := c.codes[head]
	if len(same) > 0 {
		k := c.p.fullCodeKey(co)
		for _, t := range same {
			if t == o || c.p.fullCodeKey(t.Code) == k {
				return t
			}
		}
	}
	if c.codes == nil {
		c.codes = make(map[codeHead][]*Object)
	}
	c.codes[head] = append(same, o)
	c.ncodes++
	co.merged = true
	return o
}

// Merge is merge_consts_recursive: it returns the cached object equal to
// o, or registers o. A newly registered tuple has its items replaced by
// their cached equals (in place); a newly registered non-empty frozenset is
// replaced by a new frozenset of the cached items, which is returned.
func (c *ConstCache) Merge(o *Object) *Object {
	if o.Kind == None || o.Kind == Ellipsis {
		return o
	}
	if c.p.keyedByContents(o) {
		return c.mergeCode(o)
	}
	c.buf = c.p.key(c.buf[:0], o)
	if t, ok := c.m[string(c.buf)]; ok {
		return t
	}
	k := string(c.buf)
	c.m[k] = o
	switch o.Kind {
	case Tuple:
		for i, it := range o.Items {
			if u := c.Merge(it); u != it {
				o.Items[i] = u
			}
		}
	case FrozenSet:
		if len(o.Items) == 0 {
			return o
		}
		items := make([]*Object, len(o.Items))
		for i, it := range o.Items {
			items[i] = c.Merge(it)
		}
		n := c.p.NewFrozenSet(items)
		c.m[k] = n
		return n
	}
	return o
}

// MergeOne is _PyCompile_ConstCacheMergeOne: the cached object equal to
// o, or o, registered; items are not merged.
func (c *ConstCache) MergeOne(o *Object) *Object {
	c.buf = c.p.key(c.buf[:0], o)
	if t, ok := c.m[string(c.buf)]; ok {
		return t
	}
	c.m[string(c.buf)] = o
	return o
}

func sortStrings(s []string) { sort.Strings(s) }
