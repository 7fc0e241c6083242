package pyobj

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/rules-pyc/rules_pyc/compiler/release"
)

// sortedSet is a set of strs held as one sorted list of values.
type sortedSet []string

// Has reports whether s is in the set.
func (s sortedSet) Has(v string) bool {
	i := sort.SearchStrings(s, v)
	return i < len(s) && s[i] == v
}

// startupSet is one release's generated set, indexed on first use.
type startupSet struct {
	once sync.Once
	set  sortedSet
	// index is set's members in a hash table (nil: search set).
	index *hashSet
	// single says which of chr(0)..chr(255) and "" (index 256) are
	// interned.
	single [257]bool
}

// Has reports whether s is interned.
func (s *startupSet) Has(v string) bool {
	if v == "" {
		return s.single[256]
	}
	if c, ok := latin1Char(v); ok {
		return s.single[c]
	}
	return s.hasHashed(v, 0)
}

// hasHashed is Has for a str that is neither "" nor one code point below
// U+0100, whose hashStr is h (0: not computed yet).
func (s *startupSet) hasHashed(v string, h uint64) bool {
	if s.index == nil {
		return s.set.Has(v)
	}
	if h == 0 {
		h = hashStr(v)
	}
	return s.index.has(v, h)
}

// startupSets are the generated sets of interned strs, by CPython release.
var startupSets = map[string]*startupSet{}

// registerStartup adds a generated set: single as a string of '0' and
// '1' (chr(0)..chr(255), then ""), and the other members, sorted. The
// generated files hold the members as an array of string literals, which
// the linker lays out: nothing is decoded or copied at start-up, and the
// first use only hashes them into the index.
func registerStartup(release, single string, members []string) {
	s := &startupSet{set: sortedSet(members)}
	for i := 0; i < len(single) && i < len(s.single); i++ {
		s.single[i] = single[i] == '1'
	}
	startupSets[release] = s
}

func (s *startupSet) buildIndex() { s.index = newHashSet(s.set) }

// StartupFor is StartupInterned for a release value.
func StartupFor(r release.Release) (Interned, error) { return StartupInterned(r.String()) }

// StartupReleases lists the releases with a generated start-up set.
func StartupReleases() []string {
	var out []string
	for r := range startupSets {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

// StartupInterned returns the strs interned in the reference process of
// CPython release (e.g. "3.13.0") before it compiles anything. A release
// without its own generated set gets the set of the newest release before
// it that has one (the sets are measured on the releases that run here).
func StartupInterned(release string) (Interned, error) {
	s, ok := startupSets[release]
	if !ok {
		best := ""
		for r := range startupSets {
			if releaseLess(r, release) && (best == "" || releaseLess(best, r)) {
				best = r
			}
		}
		if best == "" || !sameMinor(best, release) {
			return nil, fmt.Errorf("no set of start-up interned strings for CPython %s (known: %s)", release, strings.Join(StartupReleases(), ", "))
		}
		s = startupSets[best]
	}
	s.once.Do(s.buildIndex)
	return s, nil
}

func releaseParts(r string) [3]int {
	var p [3]int
	fmt.Sscanf(r, "%d.%d.%d", &p[0], &p[1], &p[2])
	return p
}

func releaseLess(a, b string) bool {
	x, y := releaseParts(a), releaseParts(b)
	for i := range x {
		if x[i] != y[i] {
			return x[i] < y[i]
		}
	}
	return false
}

func sameMinor(a, b string) bool {
	x, y := releaseParts(a), releaseParts(b)
	return x[0] == y[0] && x[1] == y[1]
}
