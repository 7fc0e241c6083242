package scanner

import "unicode"

// defaultTables are the Unicode tables used when Options.Unicode is nil.
//
// Until package unidata (CPython 3.13's Unicode 15.1 tables) is available,
// they derive XID_Start and XID_Continue from Go's unicode package
// (Unicode 15.0) by the definitions of UAX #31, and printability from its
// categories as Python's str.isprintable does. Identifiers using
// characters new in Unicode 15.1 are therefore judged as 15.0 judges them.
func defaultTables() UnicodeTables { return goTables{} }

type goTables struct{}

// xidStartExceptions are the ID_Start characters that are not XID_Start
// (their NFKC forms do not start identifiers).
var xidStartExceptions = []rune{
	0x037A, 0x0E33, 0x0EB3, 0x309B, 0x309C, 0xFC5E, 0xFC5F, 0xFC60, 0xFC61, 0xFC62, 0xFC63,
	0xFDFA, 0xFDFB, 0xFE70, 0xFE72, 0xFE74, 0xFE76, 0xFE78, 0xFE7A, 0xFE7C, 0xFE7E, 0xFF9E, 0xFF9F,
}

// xidContinueExceptions are the ID_Continue characters that are not
// XID_Continue.
var xidContinueExceptions = []rune{
	0x037A, 0x309B, 0x309C, 0xFC5E, 0xFC5F, 0xFC60, 0xFC61, 0xFC62, 0xFC63,
	0xFDFA, 0xFDFB, 0xFE70, 0xFE72, 0xFE74, 0xFE76, 0xFE78, 0xFE7A, 0xFE7C, 0xFE7E,
}

func contains(list []rune, r rune) bool {
	for _, x := range list {
		if x == r {
			return true
		}
	}
	return false
}

func idStart(r rune) bool {
	if unicode.Is(unicode.Pattern_Syntax, r) || unicode.Is(unicode.Pattern_White_Space, r) {
		return false
	}
	return unicode.IsLetter(r) || unicode.Is(unicode.Nl, r) || unicode.Is(unicode.Other_ID_Start, r)
}

func idContinue(r rune) bool {
	if idStart(r) {
		return true
	}
	if unicode.Is(unicode.Pattern_Syntax, r) || unicode.Is(unicode.Pattern_White_Space, r) {
		return false
	}
	return unicode.In(r, unicode.Mn, unicode.Mc, unicode.Nd, unicode.Pc, unicode.Other_ID_Continue)
}

func (goTables) IsXIDStart(r rune) bool { return idStart(r) && !contains(xidStartExceptions, r) }

func (goTables) IsXIDContinue(r rune) bool {
	return idContinue(r) && !contains(xidContinueExceptions, r)
}

func (goTables) IsPrintable(r rune) bool {
	if r == ' ' {
		return true
	}
	if r < 0 || r > unicode.MaxRune {
		return false
	}
	if unicode.In(r, unicode.Cc, unicode.Cf, unicode.Cs, unicode.Co, unicode.Zl, unicode.Zp, unicode.Zs) {
		return false
	}
	// Unassigned code points (Cn) are not printable.
	return unicode.In(r, unicode.L, unicode.M, unicode.N, unicode.P, unicode.S)
}
