package ast

// Slab sizes, in elements: a slab starts small (a short source needs few
// nodes of each type) and doubles up to maxSlab.
const (
	minSlab = 8
	maxSlab = 1024
)

// slab hands out elements of T from chunks allocated in bulk. An element
// stays valid (and keeps its whole chunk alive) as long as it is referenced.
type slab[T any] struct {
	free []T
	size int
}

// one returns a pointer to a new zero T.
func (s *slab[T]) one() *T {
	if len(s.free) == 0 {
		s.size = min(max(2*s.size, minSlab), maxSlab)
		s.free = make([]T, s.size)
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
	}
	r := s.free[:n:n]
	s.free = s.free[n:]
	return r
}

// NewArena returns an empty arena. The zero Arena is ready to use too.
//
// An Arena is not safe for concurrent use. The nodes it hands out are
// ordinary Go values: they are freed by the garbage collector once nothing
// refers to them (a node keeps the chunk it was allocated in alive).
func NewArena() *Arena { return new(Arena) }
