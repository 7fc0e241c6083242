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
// cur is the chunk last allocated, of which the first used elements are
// handed out (an index rather than a slice of the rest: handing one out
// then stores one word, not a slice's three). Reset clears what was
// handed out of it and hands it out again (the chunks before it
// are left to the garbage collector), or, when the tree needed more than
// cur, replaces it with one chunk as large as all that tree took, budget
// permitting. So a slab that serves one tree after another soon has one
// chunk that holds a whole tree's nodes of its type and allocates nothing
// more for trees of that size. One chunk rather than a list of them keeps
// one and many small enough to be inlined into the node constructors.
type slab[T any] struct {
	cur  []T
	used int
	size int
	// spent is what was handed out of the chunks before cur since the
	// last reset.
	spent int
	// want is, between reset and keepMore, the size of a chunk that would
	// have held the whole tree, when cur did not.
	want int
}

// one returns a pointer to a new zero T.
func (s *slab[T]) one() *T {
	if s.used >= len(s.cur) {
		s.spent += s.used
		s.size = min(max(2*s.size, minSlab), maxSlab)
		s.cur = make([]T, s.size)
		s.used = 0
	}
	p := &s.cur[s.used]
	s.used++
	return p
}

// many returns a slice of n zero Ts whose capacity is n, so that appending
// to it never writes into the slab; nil for n <= 0.
func (s *slab[T]) many(n int) []T {
	if n <= 0 {
		return nil
	}
	if n > len(s.cur)-s.used {
		if n > maxSlab/4 {
			return make([]T, n)
		}
		s.spent += s.used
		s.size = min(max(2*s.size, minSlab, n), maxSlab)
		s.cur = make([]T, s.size)
		s.used = 0
	}
	i := s.used
	s.used = i + n
	return s.cur[i : i+n : i+n]
}

// reset clears what the slab handed out of its current chunk and makes
// the whole chunk free again, if its bytes fit in budget (otherwise it
// drops it); it returns the bytes kept. It notes in want how large a chunk
// the tree needed, for keepMore: the Arena resets every slab before it
// lets any take a larger chunk, so that each keeps its current chunk
// before another grows.
func (s *slab[T]) reset(budget int) int {
	c := s.cur
	used := s.used
	s.want = 0
	if s.spent > 0 {
		s.want = s.spent + used
		s.want += s.want / 8
	}
	s.spent = 0
	b := len(c) * elemSize[T]()
	if b > budget {
		want := s.want
		*s = slab[T]{want: want}
		return 0
	}
	clear(c[:used])
	s.used = 0
	return b
}

// keepMore replaces the current chunk with one of the size reset noted,
// when the tree needed more than it and the difference fits in budget; it
// returns the bytes it added.
func (s *slab[T]) keepMore(budget int) int {
	want := s.want
	s.want = 0
	extra := (want - len(s.cur)) * elemSize[T]()
	if want <= len(s.cur) || extra > budget {
		return 0
	}
	s.cur = make([]T, want)
	s.used = 0
	s.size = max(s.size, min(want, maxSlab))
	return extra
}

// elemSize is the size of a T in bytes.
func elemSize[T any]() int {
	var t T
	return int(unsafe.Sizeof(t))
}

// NewArena returns an empty arena. The zero Arena is ready to use too.
//
// An Arena is not safe for concurrent use. The nodes it hands out are
// ordinary Go values: they are freed by the garbage collector once nothing
// refers to them (a node keeps the chunk it was allocated in alive), unless
// the Arena is Reset (see Reset).
func NewArena() *Arena { return new(Arena) }
