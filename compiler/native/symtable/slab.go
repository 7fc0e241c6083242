package symtable

import "sync"

// slabs is the storage a Build carves its blocks, their first symbols,
// parameter names and children lists from (chunks allocated in bulk), and
// the map of its blocks. Table.Release clears it and keeps it for the next
// Build, so that a compile does not allocate and the collector does not
// sweep the same chunks again for every module.
type slabs struct {
	blockChunks chunks[Block]
	symChunks   chunks[Symbol]
	varChunks   chunks[string]
	childChunks chunks[*Block]
	blocks      map[blockKey]*Block
}

// chunks are the chunks of one kind: those taken by the current Build, in
// order, and those an earlier Build released that are still free.
type chunks[T any] struct {
	used [][]T
	free [][]T
	next int // the first free chunk not taken yet
	// spare is the array release builds the next free list in.
	spare [][]T
}

// take returns a chunk of at least n elements, all zero: the next free
// chunk when it is long enough, a new one otherwise.
func (c *chunks[T]) take(n int) []T {
	for c.next < len(c.free) {
		s := c.free[c.next]
		c.free[c.next] = nil
		c.next++
		if len(s) >= n {
			c.used = append(c.used, s)
			return s
		}
	}
	s := make([]T, n)
	c.used = append(c.used, s)
	return s
}

// release clears the chunks taken and makes them free again, in the order
// they were taken (a Build asks for sizes in the same growing order), up
// to max elements in all.
func (c *chunks[T]) release(max int) {
	kept := c.spare[:0]
	total := 0
	for _, s := range c.used {
		if total+len(s) > max {
			break
		}
		clear(s)
		kept = append(kept, s)
		total += len(s)
	}
	for _, s := range c.free[c.next:] {
		// Not taken: still zero.
		if total+len(s) <= max {
			kept = append(kept, s)
			total += len(s)
		}
	}
	clear(c.used)
	c.used = c.used[:0]
	clear(c.free)
	c.spare = c.free[:0]
	c.free = kept
	c.next = 0
}

// The most a released table keeps of each kind: about what a module of
// a thousand blocks uses, so that one huge module does not pin its
// storage in a long-lived process.
const (
	maxKeptBlocks   = 1024
	maxKeptSymbols  = 16384
	maxKeptVarnames = 4096
	maxKeptChildren = 4096
	maxKeptMap      = 1024
)

var slabPool sync.Pool

func getSlabs() *slabs {
	if s, ok := slabPool.Get().(*slabs); ok {
		return s
	}
	return &slabs{blocks: make(map[blockKey]*Block)}
}

// Free gives t's storage to the next Build. Nothing may use t, its
// blocks or their symbols afterwards.
func (t *Table) Free() {
	s := t.slabs
	if s == nil {
		return
	}
	t.slabs, t.blocks, t.Top = nil, nil, nil
	s.blockChunks.release(maxKeptBlocks)
	s.symChunks.release(maxKeptSymbols)
	s.varChunks.release(maxKeptVarnames)
	s.childChunks.release(maxKeptChildren)
	if len(s.blocks) > maxKeptMap {
		s.blocks = make(map[blockKey]*Block)
	} else {
		clear(s.blocks)
	}
	slabPool.Put(s)
}
