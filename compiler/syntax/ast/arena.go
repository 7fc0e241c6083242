package ast

import "unsafe"

// Slab sizes, in elements: a slab starts small (a short source needs few
// nodes of each type) and doubles up to maxSlab.
const (
	minSlab = 8
	maxSlab = 2048
)

// slab hands out elements of T from chunks allocated in bulk. An element
// stays valid (and keeps its whole chunk alive) as long as it is
// referenced, or until the Arena is Reset.
//
// cur is the chunk free is the rest of, the last and largest allocated:
// Reset clears what was handed out of it and hands it out again (the
// chunks before it are left to the garbage collector). So a slab that
// serves one tree after another soon has a chunk that holds a whole tree's
// nodes of its type, up to maxSlab, and allocates nothing more for trees
// of that size.
type slab[T any] struct {
	free []T
	cur  []T
	size int
}

// one returns a pointer to a new zero T.
func (s *slab[T]) one() *T {
	if len(s.free) == 0 {
		s.size = min(max(2*s.size, minSlab), maxSlab)
		s.free = make([]T, s.size)
		s.cur = s.free
	}
	p := &s.free[0]
	s.free = s.free[1:]
	return p
}

// many returns a slice of n zero Ts whose capacity is n, so that appending
// to it never writes into the slab; nil for n <= 0.
func (s *slab[T]) many(n int) []T {
	if n <= 0 {
		return nil
	}
	if n > len(s.free) {
		if n > maxSlab/4 {
			return make([]T, n)
		}
		s.size = min(max(2*s.size, minSlab, n), maxSlab)
		s.free = make([]T, s.size)
		s.cur = s.free
	}
	r := s.free[:n:n]
	s.free = s.free[n:]
	return r
}

// reset clears what the slab handed out of its current chunk and makes
// the whole chunk free again, if its bytes fit in budget (otherwise it
// drops it); it returns the bytes kept.
func (s *slab[T]) reset(budget int) int {
	c := s.cur
	var t T
	b := len(c) * int(unsafe.Sizeof(t))
	if b > budget {
		*s = slab[T]{}
		return 0
	}
	clear(c[:len(c)-len(s.free)])
	s.free = c
	return b
}

// NewArena returns an empty arena. The zero Arena is ready to use too.
//
// An Arena is not safe for concurrent use. The nodes it hands out are
// ordinary Go values: they are freed by the garbage collector once nothing
// refers to them (a node keeps the chunk it was allocated in alive), unless
// the Arena is Reset (see Reset).
func NewArena() *Arena { return new(Arena) }
