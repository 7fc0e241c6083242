package pyobj

import "sort"

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
}

// NewConstCache returns an empty cache for objects of p.
func (p *Process) NewConstCache() *ConstCache {
	return &ConstCache{p: p, m: make(map[string]*Object, 256)}
}

// Len returns the number of keys in the cache.
func (c *ConstCache) Len() int { return len(c.m) }

// Merge is merge_consts_recursive: it returns the cached object equal to
// o, or registers o. A newly registered tuple has its items replaced by
// their cached equals (in place); a newly registered non-empty frozenset is
// replaced by a new frozenset of the cached items, which is returned.
func (c *ConstCache) Merge(o *Object) *Object {
	if o.Kind == None || o.Kind == Ellipsis {
		return o
	}
	var k string
	if c.p.keyedByContents(o) {
		// A code object's key is long (its instructions, tables and
		// constants) and already a string.
		k = c.p.fullCodeKey(o.Code)
		if t, ok := c.m[k]; ok {
			return t
		}
		o.Code.merged = true
	} else {
		c.buf = c.p.key(c.buf[:0], o)
		if t, ok := c.m[string(c.buf)]; ok {
			return t
		}
		k = string(c.buf)
	}
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
