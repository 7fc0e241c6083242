// Package chunks keeps the storage a compile carves its small objects from
// (chunks allocated in bulk) for the next compile: a List hands out
// chunks, and once nothing refers to what was carved from them, Release
// makes them free again, cleared, so that the next compile fills the same
// memory instead of allocating it and having the collector sweep it.
package chunks

// A List is the chunks of one element type: those taken since the last
// Release, in the order taken, and those released and not taken again
// yet. A compile asks for sizes in a growing order, so the next compile
// finds them in the order it needs them. The zero List is empty and ready.
type List[T any] struct {
	used [][]T
	free [][]T
	next int // the first free chunk not taken yet
	// spare is the array Release builds the next free list in.
	spare [][]T
}

// Take returns the next free chunk of at least n elements, or a new one
// of max(size, n) elements, and records it as used. A chunk is all zero
// unless it was released without clearing.
func (l *List[T]) Take(n, size int) []T {
	for l.next < len(l.free) {
		s := l.free[l.next]
		l.free[l.next] = nil
		l.next++
		if len(s) >= n {
			l.used = append(l.used, s)
			return s
		}
	}
	s := make([]T, max(size, n))
	l.used = append(l.used, s)
	return s
}

// Release makes the used chunks free again, up to limit elements in all
// with the free ones not taken, so that one huge module does not pin its
// storage in a long-lived process; the others are left to the collector.
// The used chunks are cleared when clr is set (elements with pointers
// must be, so that they keep nothing alive). Nothing may refer to them
// afterwards.
func (l *List[T]) Release(limit int, clr bool) {
	kept := l.spare[:0]
	total := 0
	for _, s := range l.used {
		if total+len(s) > limit {
			break
		}
		if clr {
			clear(s)
		}
		kept = append(kept, s)
		total += len(s)
	}
	for _, s := range l.free[l.next:] {
		// Not taken: as the last Release left it.
		if total+len(s) <= limit {
			kept = append(kept, s)
			total += len(s)
		}
	}
	clear(l.used)
	l.used = l.used[:0]
	clear(l.free)
	l.spare = l.free[:0]
	l.free = kept
	l.next = 0
}
