package unidata

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Lookup returns the character that a "\N{name}" escape of a string literal
// names, as CPython's unicodedata _getcode does it for string literals (no
// named sequences):
//
//   - "HANGUL SYLLABLE " (any ASCII case) followed by the jamo short names
//     of a syllable in upper case, each the longest that matches, e.g.
//     "hangul syllable GAG";
//   - "CJK UNIFIED IDEOGRAPH-" (any ASCII case) followed by 4 or 5
//     upper-case hex digits naming a unified ideograph;
//   - otherwise a character name or a name alias, with ASCII letters in any
//     case. Named sequences, loose matching (UAX #44 LM2) and names of
//     characters that unicodedata does not name (Tangut ideographs and the
//     like) are rejected.
//
// The name table is inflated on the first call (a few milliseconds); if
// that fails, Lookup reports false for every name not made by rule.
func (t *Tables) Lookup(name string) (rune, bool) {
	if hasPrefixFold(name, "HANGUL SYLLABLE ") {
		return lookupHangul(name[len("HANGUL SYLLABLE "):])
	}
	if hasPrefixFold(name, "CJK UNIFIED IDEOGRAPH-") {
		return t.lookupIdeograph(name[len("CJK UNIFIED IDEOGRAPH-"):])
	}
	if len(name) == 0 || len(name) > t.maxNameLen {
		return 0, false
	}
	names := t.nameMap()
	if names == nil {
		return 0, false
	}
	var buf [128]byte
	up := buf[:0]
	if len(name) > len(buf) {
		up = make([]byte, 0, len(name))
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		up = append(up, c)
	}
	r, ok := names[string(up)]
	return r, ok
}

// hasPrefixFold reports whether s starts with prefix (upper-case ASCII),
// ignoring the case of ASCII letters.
func hasPrefixFold(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		if c != prefix[i] {
			return false
		}
	}
	return true
}

// Jamo short names (Unicode's Jamo.txt), by index of the leading
// consonant, vowel and trailing consonant of a syllable.
var (
	jamoL = []string{"G", "GG", "N", "D", "DD", "R", "M", "B", "BB", "S", "SS", "", "J", "JJ", "C", "K", "T", "P", "H"}
	jamoV = []string{"A", "AE", "YA", "YAE", "EO", "E", "YEO", "YE", "O", "WA", "WAE", "OE", "YO", "U", "WEO", "WE", "WI", "YU", "EU", "YI", "I"}
	jamoT = []string{"", "G", "GG", "GS", "N", "NJ", "NH", "D", "L", "LG", "LM", "LB", "LS", "LT", "LP", "LH", "M", "B", "BS", "S", "SS", "NG", "J", "C", "K", "T", "P", "H"}
)

// longestJamo returns the index and length of the longest name in names
// that s starts with (the first of equal length), or -1.
func longestJamo(s string, names []string) (int, int) {
	best, bestLen := -1, -1
	for i, n := range names {
		if len(n) > bestLen && strings.HasPrefix(s, n) {
			best, bestLen = i, len(n)
		}
	}
	return best, max(bestLen, 0)
}

// lookupHangul parses the jamo part of a syllable's name the way CPython
// does: the longest leading consonant, then the longest vowel, then the
// longest trailing consonant, which must use up the name.
func lookupHangul(s string) (rune, bool) {
	l, n := longestJamo(s, jamoL)
	s = s[n:]
	v, n := longestJamo(s, jamoV)
	s = s[n:]
	tr, n := longestJamo(s, jamoT)
	s = s[n:]
	if l < 0 || v < 0 || tr < 0 || s != "" {
		return 0, false
	}
	return hangulSBase + rune((l*hangulVCount+v)*hangulTCount+tr), true
}

// lookupIdeograph reads 4 or 5 upper-case hex digits naming a unified
// ideograph.
func (t *Tables) lookupIdeograph(hex string) (rune, bool) {
	if len(hex) != 4 && len(hex) != 5 {
		return 0, false
	}
	var v int32
	for i := 0; i < len(hex); i++ {
		c := hex[i]
		switch {
		case '0' <= c && c <= '9':
			v = v*16 + int32(c-'0')
		case 'A' <= c && c <= 'F':
			v = v*16 + int32(c-'A'+10)
		default:
			return 0, false
		}
	}
	for _, r := range t.ideographs {
		if r[0] <= v && v <= r[1] {
			return v, true
		}
	}
	return 0, false
}

// nameMap returns the map from name to character, inflating it on first
// use, or nil if the table is damaged.
func (t *Tables) nameMap() map[string]rune {
	t.namesOnce.Do(func() {
		t.names, t.namesErr = t.inflateNames()
	})
	return t.names
}

// inflateNames decodes namesDeflated: lines "DELTA\tNAME\n" in code point
// order, DELTA the hex distance from the previous line's code point (from
// -1 before the first line), empty when it is 1.
func (t *Tables) inflateNames() (map[string]rune, error) {
	z, err := base64.StdEncoding.DecodeString(t.namesDeflated)
	if err != nil {
		return nil, fmt.Errorf("unidata %s: name table: %w", t.version, err)
	}
	text, err := io.ReadAll(flate.NewReader(bytes.NewReader(z)))
	if err != nil {
		return nil, fmt.Errorf("unidata %s: name table: %w", t.version, err)
	}
	all := string(text)
	m := make(map[string]rune, t.nameCount)
	r := rune(-1)
	for line := 1; all != ""; line++ {
		nl := strings.IndexByte(all, '\n')
		tab := strings.IndexByte(all, '\t')
		if nl < 0 || tab < 0 || tab > nl {
			return nil, fmt.Errorf("unidata %s: name table line %d is malformed", t.version, line)
		}
		delta := int64(1)
		if tab > 0 {
			delta, err = strconv.ParseInt(all[:tab], 16, 32)
			if err != nil {
				return nil, fmt.Errorf("unidata %s: name table line %d: %w", t.version, line, err)
			}
		}
		r += rune(delta)
		m[all[tab+1:nl]] = r
		all = all[nl+1:]
	}
	if len(m) != t.nameCount {
		return nil, fmt.Errorf("unidata %s: name table has %d names, want %d", t.version, len(m), t.nameCount)
	}
	return m, nil
}
