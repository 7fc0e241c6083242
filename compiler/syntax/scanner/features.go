package scanner

import "github.com/rules-pyc/rules_pyc/compiler/release"

// features are the tokenizer behaviours that changed within 3.13, on for
// the releases that have them. docs/native.md ("Version differences")
// lists them with their first release.
type features struct {
	// '}' and '!' always end a debug expression's text (3.13.0: only the
	// first of '}', '!' and ':').
	exprEndAlways bool
	// A newline in the format spec of a single-quoted f-string is an
	// error.
	noNewlineInSpec bool
	// Only a '=' at the replacement field's top bracket level marks a
	// debug expression (gh-139516, listed under 3.13.10 in 3.13.18's
	// changelog, Misc/NEWS).
	debugAtTop bool
	// A '#' inside a string of a debug expression does not start a
	// comment (gh-135148, 3.13.6).
	hashInStrings bool
	// An error line found in the tokenizer's buffer starts at the current
	// line, not at the buffer's start (no changelog entry names it).
	errorLineFromLineStart bool
	// The byte columns of a tokenizer error with a known range (leading
	// zeros) are converted to characters.
	knownRangeChars bool
	// A ':' at the top of a replacement field ends the expression's text
	// even when an earlier '!' (of "!=") did. Seen in 3.13.18, where
	// f'{a!=b=:>9}' has the debug text "a!=b="; the change that makes it
	// could as well be that the '!' of "!=" no longer ends the text: no
	// tree tells the two apart.
	colonEndAlways bool
	// Removing the comments of a debug expression skips escaped
	// characters (an escaped quote does not end a string).
	commentEscapes bool
	// "<>" is two tokens, '<' and '>' (earlier: one NOTEQUAL token),
	// until the parser has seen "from __future__ import barry_as_FLUFL"
	// (KeepDiamond).
	splitDiamond bool
	// A replacement field that starts right where the last one of a
	// format spec ended starts its expression's text too (earlier it kept
	// the start of the spec's first nested field: f'{x:{1}{y=}}' had the
	// debug text "1}{y=", 3.13.18 gives "y="). Seen in 3.13.18 only.
	nestedFieldStartsExpr bool
}

func rel(micro int) release.Release { return release.Release{Major: 3, Minor: 13, Micro: micro} }

func featuresOf(r release.Release) features {
	return features{
		exprEndAlways:          r.AtLeast(rel(2)),
		noNewlineInSpec:        r.AtLeast(rel(4)),
		debugAtTop:             r.AtLeast(rel(10)),
		hashInStrings:          r.AtLeast(rel(6)),
		errorLineFromLineStart: r.AtLeast(rel(1)),
		knownRangeChars:        r.AtLeast(rel(16)),
		splitDiamond:           r.AtLeast(rel(16)),
		commentEscapes:         r.AtLeast(rel(16)),
		colonEndAlways:         r.AtLeast(rel(16)),
		nestedFieldStartsExpr:  r.AtLeast(rel(16)),
	}
}
