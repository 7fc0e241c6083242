package symtable

import "github.com/rules-pyc/rules_pyc/compiler/native/pyobj"

// CPython's symbol table adds the free names a block passes on from its
// children to the block's symbols in the iteration order of a Python set
// of str (update_symbols), and the compiler reads a comprehension's symbols
// in order. That order depends on the strings' hashes and on the history
// of the set (its size, its deleted entries). pyset reproduces
// Objects/setobject.c's table for the operations the symbol table uses,
// with the hash of a str in a process started with PYTHONHASHSEED=0
// (pyobj.StrHash), the process py_compile's reference output comes from.

const (
	setMinSize   = 8 // PySet_MINSIZE
	linearProbes = 9 // LINEAR_PROBES
	perturbShift = 5 // PERTURB_SHIFT
)

type entryState uint8

const (
	slotEmpty entryState = iota
	slotActive
	slotDummy
)

type setEntry struct {
	key   string
	hash  int64
	state entryState
}

// pyset is a Python set of str: the same table, in the same order. The
// zero pyset is an empty set whose table (of PySet_MINSIZE entries) is
// allocated on the first insertion.
type pyset struct {
	table      []setEntry // len is mask+1; nil for a new empty set
	fill, used int
}

// reset empties s as a new set (keeping a table of the minimum size for
// reuse: a new set starts with one).
func (s *pyset) reset() {
	if len(s.table) == setMinSize {
		clear(s.table)
	} else {
		s.table = nil
	}
	s.fill, s.used = 0, 0
}

// alloc gives a new empty set its table.
func (s *pyset) alloc() {
	if s.table == nil {
		s.table = make([]setEntry, setMinSize)
	}
}

func (s *pyset) mask() uint64 {
	if s.table == nil {
		return setMinSize - 1
	}
	return uint64(len(s.table) - 1)
}

// lookup returns the index of key's entry, or of the empty slot where a
// search for it ends (set_lookkey).
func (s *pyset) lookup(key string, hash int64) int {
	mask := s.mask()
	perturb := uint64(hash)
	i := uint64(hash) & mask
	for {
		probes := 0
		if i+linearProbes <= mask {
			probes = linearProbes
		}
		for j := i; ; j++ {
			e := &s.table[j]
			if e.state == slotEmpty {
				return int(j)
			}
			if e.state == slotActive && e.hash == hash && e.key == key {
				return int(j)
			}
			if probes == 0 {
				break
			}
			probes--
		}
		perturb >>= perturbShift
		i = (i*5 + 1 + perturb) & mask
	}
}

func (s *pyset) contains(key string) bool {
	if s.used == 0 {
		return false
	}
	return s.table[s.lookup(key, pyobj.StrHash(key))].state == slotActive
}

func (s *pyset) add(key string) { s.addEntry(key, pyobj.StrHash(key)) }

// addEntry is set_add_entry: a new key goes to the last deleted slot met
// on its probe sequence, else to the empty slot that ends it.
func (s *pyset) addEntry(key string, hash int64) {
	s.alloc()
	mask := s.mask()
	perturb := uint64(hash)
	i := uint64(hash) & mask
	free := -1
	for {
		probes := 0
		if i+linearProbes <= mask {
			probes = linearProbes
		}
		for j := i; ; j++ {
			e := &s.table[j]
			switch {
			case e.state == slotEmpty:
				if free >= 0 {
					s.used++
					s.table[free] = setEntry{key, hash, slotActive}
					return
				}
				s.fill++
				s.used++
				*e = setEntry{key, hash, slotActive}
				if uint64(s.fill)*5 < mask*3 {
					return
				}
				n := s.used * 4
				if s.used > 50000 {
					n = s.used * 2
				}
				s.resize(n)
				return
			case e.state == slotActive && e.hash == hash && e.key == key:
				return
			case e.state == slotDummy:
				free = int(j)
			}
			if probes == 0 {
				break
			}
			probes--
		}
		perturb >>= perturbShift
		i = (i*5 + 1 + perturb) & mask
	}
}

// insertClean puts a key known to be absent into a table without dummies
// (set_insert_clean).
func insertClean(table []setEntry, key string, hash int64) {
	mask := uint64(len(table) - 1)
	perturb := uint64(hash)
	i := uint64(hash) & mask
	for {
		if table[i].state == slotEmpty {
			table[i] = setEntry{key, hash, slotActive}
			return
		}
		if i+linearProbes <= mask {
			for j := i + 1; j <= i+linearProbes; j++ {
				if table[j].state == slotEmpty {
					table[j] = setEntry{key, hash, slotActive}
					return
				}
			}
		}
		perturb >>= perturbShift
		i = (i*5 + 1 + perturb) & mask
	}
}

// resize rebuilds the table with the smallest size above minUsed
// (set_table_resize).
func (s *pyset) resize(minUsed int) {
	size := setMinSize
	for size <= minUsed {
		size <<= 1
	}
	s.alloc()
	old := s.table
	if size == setMinSize && len(old) == setMinSize && s.fill == s.used {
		return // no dummies: nothing to do
	}
	s.table = make([]setEntry, size)
	s.fill = s.used
	for _, e := range old {
		if e.state == slotActive {
			insertClean(s.table, e.key, e.hash)
		}
	}
}

// discard removes key, leaving a dummy (set_discard_entry); it reports
// whether key was there.
func (s *pyset) discard(key string) bool {
	if s.used == 0 {
		return false
	}
	i := s.lookup(key, pyobj.StrHash(key))
	if s.table[i].state != slotActive {
		return false
	}
	s.table[i] = setEntry{state: slotDummy, hash: -1}
	s.used--
	return true
}

// merge adds other's keys (set_merge: set.update, |=, and the copy of
// PySet_New).
func (s *pyset) merge(other *pyset) {
	if other == s || other.used == 0 {
		return
	}
	s.alloc()
	if (s.fill+other.used)*5 >= (len(s.table)-1)*3 {
		s.resize((s.used + other.used) * 2)
	}
	if s.fill == 0 && len(s.table) == len(other.table) && other.fill == other.used {
		copy(s.table, other.table)
		s.fill, s.used = other.fill, other.used
		return
	}
	if s.fill == 0 {
		s.fill, s.used = other.used, other.used
		for _, e := range other.table {
			if e.state == slotActive {
				insertClean(s.table, e.key, e.hash)
			}
		}
		return
	}
	for _, e := range other.table {
		if e.state == slotActive {
			s.addEntry(e.key, e.hash)
		}
	}
}

// each calls f for every key in the set's iteration order.
func (s *pyset) each(f func(string)) {
	for i := range s.table {
		if s.table[i].state == slotActive {
			f(s.table[i].key)
		}
	}
}
