package parser

import "github.com/rules-pyc/rules_pyc/compiler/release"

// The releases of 3.13 that changed what the parser does. Each is the first
// release with the change, the one 3.13.18's changelog (Misc/NEWS) lists it
// under where an entry names it; see docs/native.md for how they were found.
var (
	// fixJoinedStrDebug: the debug text of f"{x=}" is no longer decoded as
	// an f-string part (action_helpers.c _PyPegen_joined_str; gh-124363,
	// listed under 3.13.2 in 3.13.18's changelog, Misc/NEWS).
	fixJoinedStrDebug = release.Release{Major: 3, Minor: 13, Micro: 2}
	// barryFuture: "from __future__ import barry_as_FLUFL" switches the
	// parser to "<>" (gh-125331, 3.13.3).
	barryFuture = release.Release{Major: 3, Minor: 13, Micro: 3}
	// identifierConstants: an identifier that NFKC-normalizes to None,
	// True or False raises ValueError (gh-133516, 3.13.4).
	identifierConstants = release.Release{Major: 3, Minor: 13, Micro: 4}
	// fixSoftKeywordPrefix: SOFT_KEYWORD no longer matches a name that is
	// only a prefix of a soft keyword ("ma" for "match"; gh-130077, 3.13.6).
	fixSoftKeywordPrefix = release.Release{Major: 3, Minor: 13, Micro: 6}
	// fixActionErrorCheck: a rule's action fails when an error is pending
	// even if it returned a value. No entry of 3.13.18's changelog
	// (Misc/NEWS) names it (gh-145783, 3.13.13, and gh-151763, 3.13.15, are
	// candidates); the estimate is the first release after 3.13.5.
	fixActionErrorCheck = release.Release{Major: 3, Minor: 13, Micro: 6}
)

var (
	// fixFormatSpecRaw: the literal parts of a format spec in a raw
	// f-string are not escape-decoded (gh-137314, 3.13.6).
	fixFormatSpecRaw = release.Release{Major: 3, Minor: 13, Micro: 6}
	// fixExclamationTypo: "exclamanation" is spelled "exclamation" in the
	// f-string conversion error (gh-135496, 3.13.6).
	fixExclamationTypo = release.Release{Major: 3, Minor: 13, Micro: 6}
)

// escapeWarningLine: an invalid escape's warning is reported at the line
// of the escape, not the token's first line (gh-116042, 3.13.3).
var escapeWarningLine = release.Release{Major: 3, Minor: 13, Micro: 3}

// 3.13.16 (gh-151464) tokenizes "<>" as "<" and ">" unless the future
// import barry_as_FLUFL has been parsed: the scanner makes the two tokens
// for that release and later until newImportFromModule tells it of the
// import (scanner.KeepDiamond), and the grammar's noteq_bitwise_or and
// invalid_diamond alternatives (actions checkDiamond, diamondError) take
// them; the parser itself needs no release check for it.

// parseStringCheckLine is the line of Parser/string_parser.c, in rel, of
// the check of _PyPegen_parse_string that failed (1, 2 or 3: a prefix not
// followed by a quote, a last quote that does not match, a triple quote
// not closed by three), which PyErr_BadInternalCall names in the
// SystemError's message. The function moved down 45 lines with the
// warnings' positions of gh-116042 (3.13.3; 3.13.0 has it at 229, 3.13.5
// and 3.13.15 at 274).
func parseStringCheckLine(rel release.Release, check int) int {
	line := [...]int{229, 246, 257}[check-1]
	if rel.AtLeast(escapeWarningLine) {
		line += 45
	}
	return line
}
