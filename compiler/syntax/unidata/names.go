package unidata

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/rules-pyc/rules_pyc/compiler/release"
)

// NameRules are the ways CPython releases read, in "\N{...}" escapes, the
// names that Unicode makes by rule (Hangul syllables, CJK unified and Tangut
// ideographs). Other names are read alike by every release.
type NameRules uint8

const (
	// AnyCaseRuleNames: CPython 3.13.13 and later 3.13 releases, 3.14.4
	// and later, 3.15 (CPython issue gh-80667). "HANGUL SYLLABLE "
	// followed by the jamo short names, "CJK UNIFIED IDEOGRAPH-" and
	// "TANGUT IDEOGRAPH-" followed by the code point in 4 or 5 hex digits
	// without leading zeros, all in any ASCII case.
	AnyCaseRuleNames NameRules = iota
	// UpperCaseRuleNames: CPython 3.13.0 to 3.13.12, 3.14.0 to 3.14.3, and
	// 3.12 and before. The names of Hangul syllables and CJK unified
	// ideographs in upper case only, the code point in 4 or 5 hex digits
	// (leading zeros allowed); no names for Tangut ideographs.
	UpperCaseRuleNames
)

// String returns the constant's name.
func (r NameRules) String() string {
	switch r {
	case AnyCaseRuleNames:
		return "AnyCaseRuleNames"
	case UpperCaseRuleNames:
		return "UpperCaseRuleNames"
	}
	return fmt.Sprintf("NameRules(%d)", uint8(r))
}

// NameRulesFor returns the rules of a CPython release.
func NameRulesFor(r release.Release) NameRules {
	switch {
	case r.Major == 3 && r.Minor == 13 && r.Micro < 13,
		r.Major == 3 && r.Minor == 14 && r.Micro < 4,
		r.Major < 3 || r.Major == 3 && r.Minor < 13:
		return UpperCaseRuleNames
	}
	return AnyCaseRuleNames
}

// Lookup returns the character that a "\N{name}" escape of a string literal
// names in the newest CPython releases (AnyCaseRuleNames); LookupRules
// takes the rules of an older release.
func (t *Tables) Lookup(name string) (rune, bool) {
	return t.LookupRules(name, AnyCaseRuleNames)
}

// LookupRules returns the character that a "\N{name}" escape names, as
// CPython's unicodedata _getcode reads it for string literals (named
// sequences not allowed), under the given rules for the names made by
// rule (see NameRules):
//
//   - a Hangul syllable: "HANGUL SYLLABLE " followed by the jamo short
//     names of its leading consonant, vowel and trailing consonant, each
//     the longest that matches, which must use up the name;
//   - a CJK unified or Tangut ideograph, by its code point in hex;
//   - otherwise a character name or a name alias, with ASCII letters in
//     any case. Named sequences, loose matching (UAX #44 LM2) and names
//     that unicodedata does not know are refused.
//
// The name table is inflated on the first call that needs it (a few
// milliseconds). If that failed (a damaged table, which the tests rule
// out), such names would be refused.
func (t *Tables) LookupRules(name string, rules NameRules) (rune, bool) {
	hasPrefix := hasPrefixFold
	if rules == UpperCaseRuleNames {
		hasPrefix = strings.HasPrefix
	}
	switch {
	case hasPrefix(name, hangulPrefix):
		return lookupHangul(name[len(hangulPrefix):], rules)
	case hasPrefix(name, cjkPrefix):
		return lookupHex(name[len(cjkPrefix):], t.ideographs, rules)
	case rules == AnyCaseRuleNames && hasPrefix(name, tangutPrefix):
		return lookupHex(name[len(tangutPrefix):], t.tangut, rules)
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
	up = appendUpper(up, name)
	r, ok := names[string(up)]
	return r, ok
}

const (
	hangulPrefix = "HANGUL SYLLABLE "
	cjkPrefix    = "CJK UNIFIED IDEOGRAPH-"
	tangutPrefix = "TANGUT IDEOGRAPH-"
)

// appendUpper appends s with ASCII letters in upper case (only those:
// CPython's Py_TOUPPER).
func appendUpper(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
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
// longest trailing consonant, which must use up the name. The jamo are in
// upper case, or in any case under AnyCaseRuleNames.
func lookupHangul(s string, rules NameRules) (rune, bool) {
	if rules == AnyCaseRuleNames {
		if len(s) > 8 { // the longest syllable is 3+3+2 letters
			return 0, false
		}
		var buf [8]byte
		s = string(appendUpper(buf[:0], s))
	}
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

// lookupHex reads the code point of an ideograph in 4 or 5 hex digits: in
// upper case, leading zeros allowed (UpperCaseRuleNames), or in any case
// without leading zeros (AnyCaseRuleNames). It must be in one of runs.
func lookupHex(hex string, runs [][2]int32, rules NameRules) (rune, bool) {
	if len(hex) != 4 && len(hex) != 5 || rules == AnyCaseRuleNames && hex[0] == '0' {
		return 0, false
	}
	var v int32
	for i := 0; i < len(hex); i++ {
		c := hex[i]
		if rules == AnyCaseRuleNames && 'a' <= c && c <= 'f' {
			c -= 'a' - 'A'
		}
		switch {
		case '0' <= c && c <= '9':
			v = v*16 + int32(c-'0')
		case 'A' <= c && c <= 'F':
			v = v*16 + int32(c-'A'+10)
		default:
			return 0, false
		}
	}
	for _, r := range runs {
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
