package unidata

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sort"
	"unicode/utf8"
)

// Hangul syllables decompose and compose by rule (Unicode §3.12).
const (
	hangulSBase  = 0xAC00
	hangulLBase  = 0x1100
	hangulVBase  = 0x1161
	hangulTBase  = 0x11A7
	hangulLCount = 19
	hangulVCount = 21
	hangulTCount = 28
	hangulNCount = hangulVCount * hangulTCount
	hangulSCount = hangulLCount * hangulNCount
)

// NFKC returns unicodedata.normalize('NFKC', s). s and the result are UTF-8;
// an invalid byte of s counts as U+FFFD. When s is already in NFKC, the
// result is s itself and nothing is allocated.
func (t *Tables) NFKC(s string) string {
	if t.quickNFKC(s) {
		return s
	}
	return t.nfkc(s)
}

// quickNFKC reports whether s is certainly in NFKC: valid UTF-8, with no
// character that NFKC changes or that may compose with the one before it,
// and its combining marks in canonical order (Unicode's quick check, with
// every "maybe" taken as "no").
func (t *Tables) quickNFKC(s string) bool {
	var last uint8
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			last = 0
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			return false
		}
		f, ccc := t.record(r)
		if f&(flagNFKCChanges|flagComposesBack) != 0 || ccc != 0 && ccc < last {
			return false
		}
		last = ccc
		i += n
	}
	return true
}

// nfkc is the full algorithm: compatibility decomposition, canonical
// ordering, canonical composition.
func (t *Tables) nfkc(s string) string {
	nd := t.normTables()
	buf := make([]rune, 0, len(s)+len(s)/2)
	for _, r := range s {
		buf = t.appendNFKD(nd, buf, r)
	}
	t.reorder(buf)
	return string(t.compose(nd, buf))
}

// normData is the decoded data of the slow path.
type normData struct {
	// decompKeys are the code points whose NFKD is not themselves, Hangul
	// syllables aside, sorted; decompRunes[decompEnds[i-1]:decompEnds[i]]
	// (from 0 for i == 0) is the NFKD of decompKeys[i].
	decompKeys  []rune
	decompEnds  []int32
	decompRunes []rune
	// compositions holds the primary composites as
	// first<<42 | second<<21 | composite, sorted.
	compositions []uint64
}

// normTables decodes normDeflated once. The generated tables are checked
// by the tests, so decoding does not fail; if the data were damaged all
// the same, NFKC would decompose and compose nothing (Check reports it).
func (t *Tables) normTables() *normData {
	t.normOnce.Do(func() {
		nd, err := decodeNorm(t.normDeflated)
		if err != nil {
			nd, t.normErr = &normData{}, fmt.Errorf("unidata %s: %w", t.version, err)
		}
		t.norm = nd
	})
	return t.norm
}

// decodeNorm reads the form that gen/main.go's normalization writes.
func decodeNorm(b64 string) (*normData, error) {
	z, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, fmt.Errorf("normalization data: %w", err)
	}
	p, err := io.ReadAll(flate.NewReader(bytes.NewReader(z)))
	if err != nil {
		return nil, fmt.Errorf("normalization data: %w", err)
	}
	bad := false
	next := func() uint64 {
		v, n := binary.Uvarint(p)
		if n <= 0 {
			bad = true
			return 0
		}
		p = p[n:]
		return v
	}
	nd := &normData{}
	n := next()
	if n > uint64(len(p)) {
		return nil, errors.New("normalization data: bad decomposition count")
	}
	nd.decompKeys = make([]rune, 0, n)
	nd.decompEnds = make([]int32, 0, n)
	r := rune(0)
	for i := uint64(0); i < n && !bad; i++ {
		r += rune(next())
		k := next()
		if k > uint64(len(p)) {
			return nil, errors.New("normalization data: bad decomposition length")
		}
		for j := uint64(0); j < k; j++ {
			nd.decompRunes = append(nd.decompRunes, rune(next()))
		}
		nd.decompKeys = append(nd.decompKeys, r)
		nd.decompEnds = append(nd.decompEnds, int32(len(nd.decompRunes)))
	}
	n = next()
	if n > uint64(len(p)) {
		return nil, errors.New("normalization data: bad composition count")
	}
	nd.compositions = make([]uint64, 0, n)
	first := uint64(0)
	for i := uint64(0); i < n && !bad; i++ {
		first += next()
		second, comp := next(), next()
		nd.compositions = append(nd.compositions, first<<42|second<<21|comp)
	}
	if bad || len(p) != 0 {
		return nil, errors.New("normalization data: malformed")
	}
	return nd, nil
}

// appendNFKD appends the full compatibility decomposition of r.
func (t *Tables) appendNFKD(nd *normData, buf []rune, r rune) []rune {
	if s := r - hangulSBase; 0 <= s && s < hangulSCount {
		buf = append(buf, hangulLBase+s/hangulNCount, hangulVBase+s%hangulNCount/hangulTCount)
		if tr := s % hangulTCount; tr != 0 {
			buf = append(buf, hangulTBase+tr)
		}
		return buf
	}
	if t.flags(r)&flagDecomposes == 0 {
		return append(buf, r)
	}
	keys := nd.decompKeys
	i := sort.Search(len(keys), func(i int) bool { return keys[i] >= r })
	if i == len(keys) || keys[i] != r {
		return append(buf, r) // not reached with consistent tables
	}
	start := int32(0)
	if i > 0 {
		start = nd.decompEnds[i-1]
	}
	return append(buf, nd.decompRunes[start:nd.decompEnds[i]]...)
}

// reorder puts every run of combining marks (non-zero class) into
// ascending order of class, keeping the order of marks of equal class: an
// insertion sort for short runs, a counting sort for long ones (so that a
// run of a million marks is not quadratic).
func (t *Tables) reorder(buf []rune) {
	var classes []uint8 // for long runs
	for i := 0; i < len(buf); {
		if t.CombiningClass(buf[i]) == 0 {
			i++
			continue
		}
		j := i + 1
		for j < len(buf) && t.CombiningClass(buf[j]) != 0 {
			j++
		}
		if run := buf[i:j]; len(run) <= 16 {
			t.insertionSort(run)
		} else {
			classes = t.countingSort(run, classes)
		}
		i = j
	}
}

// insertionSort sorts marks by class, stably.
func (t *Tables) insertionSort(run []rune) {
	for i := 1; i < len(run); i++ {
		c := t.CombiningClass(run[i])
		for j := i; j > 0 && t.CombiningClass(run[j-1]) > c; j-- {
			run[j-1], run[j] = run[j], run[j-1]
		}
	}
}

// countingSort sorts marks by class, stably, using scratch for the classes;
// it returns scratch for reuse.
func (t *Tables) countingSort(run []rune, scratch []uint8) []uint8 {
	classes := append(scratch[:0], make([]uint8, len(run))...)
	var count [257]int
	for i, r := range run {
		c := t.CombiningClass(r)
		classes[i] = c
		count[int(c)+1]++
	}
	for c := 1; c < len(count); c++ {
		count[c] += count[c-1]
	}
	sorted := make([]rune, len(run))
	for i, r := range run {
		c := classes[i]
		sorted[count[c]] = r
		count[c]++
	}
	copy(run, sorted)
	return classes
}

// compose applies canonical composition to a decomposed, ordered buf, in
// place, and returns the shortened slice.
func (t *Tables) compose(nd *normData, buf []rune) []rune {
	out := buf[:0]
	starter := -1     // index in out of the last starter, -1 before the first
	var lastCCC uint8 // class of the last character kept after that starter
	for _, r := range buf {
		ccc := t.CombiningClass(r)
		if starter >= 0 {
			// r is blocked from the starter when a character kept
			// between them has class 0 (then it would be the starter)
			// or a class >= r's.
			adjacent := len(out)-1 == starter
			if adjacent || lastCCC < ccc {
				if c, ok := t.composePair(nd, out[starter], r); ok {
					out[starter] = c
					continue
				}
			}
		}
		if ccc == 0 {
			starter = len(out)
		}
		lastCCC = ccc
		out = append(out, r)
	}
	return out
}

// composePair returns the primary composite of a and b.
func (t *Tables) composePair(nd *normData, a, b rune) (rune, bool) {
	if l := a - hangulLBase; 0 <= l && l < hangulLCount {
		if v := b - hangulVBase; 0 <= v && v < hangulVCount {
			return hangulSBase + (l*hangulVCount+v)*hangulTCount, true
		}
		return 0, false
	}
	if s := a - hangulSBase; 0 <= s && s < hangulSCount && s%hangulTCount == 0 {
		if tr := b - hangulTBase; 0 < tr && tr < hangulTCount {
			return a + tr, true
		}
		return 0, false
	}
	if t.flags(b)&flagComposesBack == 0 {
		return 0, false
	}
	key := uint64(a)<<42 | uint64(b)<<21
	cs := nd.compositions
	i := sort.Search(len(cs), func(i int) bool { return cs[i] >= key })
	if i < len(cs) && cs[i]>>21 == key>>21 {
		return rune(cs[i] & (1<<21 - 1)), true
	}
	return 0, false
}
