package codegen

import (
	"sync"

	"github.com/rules-pyc/rules_pyc/compiler/native/pyobj"
)

// slabs is the storage a Generate carves its units' object lists,
// children lists and results from (chunks allocated in bulk).
// Result.Free clears it and keeps it for the next Generate, so that a
// compile does not allocate, and the collector does not sweep, the same
// chunks again for every module. (The name indexes' keys, from
// compiler.strs, are not among them: a recycled unit keeps its keys'
// room for the next compile, see nameIndex.reset.)
type slabs struct {
	objChunks chunks[*pyobj.Object]
	outChunks chunks[Unit]
	kidChunks chunks[*Unit]
}

// chunks are the chunks of one kind: those taken by the current Generate,
// in order, and those an earlier one released that are still free.
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
// they were taken (a compile asks for sizes in the same growing order),
// up to max elements in all.
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

// The most a released result keeps of each kind, so that one huge module
// does not pin its storage in a long-lived process.
const (
	maxKeptObjs  = 16384
	maxKeptUnits = 1024
	maxKeptKids  = 4096
)

var slabPool sync.Pool

func getSlabs() *slabs {
	if s, ok := slabPool.Get().(*slabs); ok {
		return s
	}
	return new(slabs)
}

// Free gives r's storage to the next Generate. Nothing may use r, its
// units or the lists they hold afterwards (code objects made from them
// by Config.Finish hold copies).
func (r *Result) Free() {
	s := r.slabs
	if s == nil {
		return
	}
	r.slabs, r.Top = nil, nil
	s.objChunks.release(maxKeptObjs)
	s.outChunks.release(maxKeptUnits)
	s.kidChunks.release(maxKeptKids)
	slabPool.Put(s)
}
