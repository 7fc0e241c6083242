package gensrc

import (
	"fmt"
	"strings"
)

// genText makes a small program (valid or damaged), then changes it as
// bytes: newline conventions, continuation lines, the end of the file,
// BOMs and coding declarations, NUL bytes, invalid UTF-8 and odd
// characters at positions of every class, form feeds and tabs.
func genText(r *rng) (string, []byte) {
	g := &pgen{r: r, budget: r.between(3, 40)}
	src := []byte(g.program())
	var whats []string
	for n := r.between(1, 4); n > 0; n-- {
		t := pick(r, textEdits)
		var what string
		src, what = t(r, src)
		whats = append(whats, what)
	}
	return strings.Join(whats, "; "), src
}

var textEdits = []func(r *rng, src []byte) ([]byte, string){
	newlines, newlines, endOfFile, endOfFile, cookie, cookie, cookie, bom, nulByte,
	invalidUTF8, invalidUTF8, invalidUTF8, oddChar, oddChar, whitespace, continuation,
}

// positions returns the offsets in src of the kind of place named: "name"
// (inside an identifier), "string" (inside a string literal), "comment",
// "indent" (line starts), "eol" (before a newline), "any".
func positions(src []byte, class string) []int {
	var out []int
	inStr, inComment := byte(0), false
	lineStart := true
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch class {
		case "name":
			if !inComment && inStr == 0 && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_') {
				out = append(out, i)
			}
		case "string":
			if inStr != 0 {
				out = append(out, i)
			}
		case "comment":
			if inComment {
				out = append(out, i)
			}
		case "indent":
			if lineStart {
				out = append(out, i)
			}
		case "eol":
			if c == '\n' || c == '\r' {
				out = append(out, i)
			}
		default:
			out = append(out, i)
		}
		lineStart = false
		switch {
		case c == '\n' || c == '\r':
			inComment = false
			lineStart = true
		case inComment:
		case inStr != 0:
			if c == '\\' {
				i++
			} else if c == inStr {
				inStr = 0
			}
		case c == '#':
			inComment = true
		case c == '\'' || c == '"':
			inStr = c
		}
	}
	if class == "any" || class == "eol" {
		out = append(out, len(src))
	}
	return out
}

var positionClasses = []string{"name", "string", "comment", "indent", "eol", "any", "any"}

// insertAt puts ins at a random place of the class, or at the end when
// there is none.
func insertAt(r *rng, src []byte, class string, ins string) ([]byte, string) {
	ps := positions(src, class)
	at := len(src)
	if len(ps) > 0 {
		at = pick(r, ps)
	} else {
		class = "end"
	}
	out := make([]byte, 0, len(src)+len(ins))
	out = append(out, src[:at]...)
	out = append(out, ins...)
	out = append(out, src[at:]...)
	return out, fmt.Sprintf("%q in %s at %d", ins, class, at)
}

func newlines(r *rng, src []byte) ([]byte, string) {
	lines := strings.SplitAfter(string(src), "\n")
	mode := r.intn(4)
	var b strings.Builder
	for _, l := range lines {
		if !strings.HasSuffix(l, "\n") {
			b.WriteString(l)
			continue
		}
		nl := "\n"
		switch mode {
		case 0:
			nl = "\r\n"
		case 1:
			nl = "\r"
		case 2:
			nl = pick(r, []string{"\n", "\r\n", "\r"})
		default:
			if r.chance(1, 3) {
				nl = pick(r, []string{"\r\n", "\r", "\r\r\n", "\n\r", "\\\r\n", "\\\r", " \\\n"})
			}
		}
		b.WriteString(strings.TrimSuffix(l, "\n") + nl)
	}
	return []byte(b.String()), fmt.Sprintf("newlines (mode %d)", mode)
}

func endOfFile(r *rng, src []byte) ([]byte, string) {
	s := strings.TrimRight(string(src), "\r\n")
	end := pick(r, []string{"", "\\", "\\\n", " \\", "\\\r\n", "\\\r", "  ", "\t", "\f", "#", "# end", "\n\n\n", "\n    ",
		"\n\t", "\n  x", "\ninvalid indent", "(", "'''", "'", "\\\n\\\n", "\n\\", "\x0c\n", " \n \n", "\r", "\n#\\"})
	if r.chance(1, 10) {
		s = ""
	}
	return []byte(s + end), fmt.Sprintf("end the file with %q", end)
}

// codecNames are names for coding declarations: codecs of every family,
// aliases and spellings, codecs that are not text encodings, and unknown
// names. The iso2022 codecs are left out: the front end refuses them
// by design (docs/native.md says why), and every input naming one would
// differ for that reason alone.
var codecNames = []string{
	"utf-8", "utf8", "UTF-8", "utf_8", "utf-8-sig", "u8", "latin-1", "latin1", "iso-8859-1", "iso8859-15",
	"cp1252", "windows-1252", "ascii", "us-ascii", "646", "utf-16", "utf-16-le", "utf-16be", "utf-32",
	"utf-7", "U7", "shift_jis", "sjis", "euc-jp", "euc_kr", "gbk", "gb2312", "gb18030", "big5", "big5hkscs",
	"cp932", "cp949", "johab", "hz", "koi8-r", "koi8-u", "cp037", "cp500", "cp437", "cp850",
	"mac-roman", "macroman", "mac_cyrillic", "tis-620", "cp1255", "palmos", "ptcp154", "unicode_escape",
	"raw_unicode_escape", "punycode", "idna", "rot13", "rot-13", "base64", "hex", "zlib", "bogus", "undefined",
	"latin-9", "utf-8-variant", "iso-8859-1-x", "utf-8x", "latin-1-extra", "mbcs", "oem", "charmap",
}

func cookie(r *rng, src []byte) ([]byte, string) {
	name := pick(r, codecNames)
	form := pick(r, []string{
		"# -*- coding: %s -*-\n", "# coding: %s\n", "# coding=%s\n", "#coding:%s\n", "# vim: set fileencoding=%s :\n",
		"\t# coding: %s\n", "\f# coding: %s\n", "#!/usr/bin/python\n# coding: %s\n", "\n# coding: %s\n",
		"# comment\n# coding: %s\n", "x = 1\n# coding: %s\n", "\n\n# coding: %s\n", "# coding: %s", "#  coding : %s\n",
		"# coding: %s\r\n", "# coding: %s\r", "\ufeff# coding: %s\n", "   # coding: %s\n", "# encoding: %s\n",
		"# coding: %s  # trailing\n", "'''\n# coding: %s\n'''\n", "\\\n# coding: %s\n", "# coding:\t%s\n",
	})
	head := fmt.Sprintf(form, name)
	body := src
	if r.chance(1, 2) {
		// Non-ASCII bytes in the body, which the codec may or may not
		// decode: Latin-1 bytes, UTF-8 sequences, UTF-16 code units.
		body, _ = insertAt(r, body, pick(r, []string{"string", "comment", "name", "any"}), pick(r, []string{
			"\xe9", "\xc3\xa9", "\x81\x40", "\xa4\xa2", "\xff\xfe", "\x80", "\x82\xa0", "+AGE-", "~{", "\x1b$B", "\x8e", "\\u00e9", "\\x",
		}))
	}
	out := append([]byte(head), body...)
	return out, fmt.Sprintf("declare %q", head)
}

func bom(r *rng, src []byte) ([]byte, string) {
	const b = "\ufeff"
	switch r.intn(5) {
	case 0:
		return append([]byte(b+b), src...), "two BOMs"
	case 1:
		return append([]byte("\xef\xbb"), src...), "half a BOM"
	case 2:
		out, what := insertAt(r, src, pick(r, positionClasses), b)
		return out, "BOM " + what
	case 3:
		return append([]byte("\xff\xfe"), src...), "a UTF-16 BOM"
	}
	return append([]byte(b), src...), "BOM"
}

func nulByte(r *rng, src []byte) ([]byte, string) {
	return insertAt(r, src, pick(r, positionClasses), pick(r, []string{"\x00", "\x00\x00", "\\\x00", "\x00\n"}))
}

// badUTF8 are byte sequences that are not UTF-8, by kind: stray
// continuation bytes, truncated sequences of each length, overlong forms,
// surrogates, beyond U+10FFFF, bytes never used.
var badUTF8 = []string{
	"\x80", "\xbf", "\xc3", "\xe2\x82", "\xf0\x9f\x98", "\xc0\xaf", "\xc1\xbf", "\xe0\x80\xaf", "\xf0\x80\x80\xaf",
	"\xed\xa0\x80", "\xed\xbf\xbf", "\xed\xa0\x80\xed\xb0\x80", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xff", "\xfe",
	"\xf8\x88\x80\x80\x80", "\xc3\x28", "\xe2\x28\xa1", "\xe2\x82\x28", "\xf0\x28\x8c\xbc", "\xc3\xa9\x80",
}

func invalidUTF8(r *rng, src []byte) ([]byte, string) {
	return insertAt(r, src, pick(r, positionClasses), pick(r, badUTF8))
}

// oddChars are characters that are not Python tokens, or odd ones in
// identifiers and strings: spaces of other kinds, format and bidi
// controls, C0 and C1 controls, combining marks, NFKC-changing letters,
// private use, unassigned and noncharacters, astral characters.
var oddChars = []string{
	"\u00a0", "\u2000", "\u3000", "\u200b", "\u200c", "\u200d", "\u2028", "\u2029", "\u0085", "\u202e", "\u2066",
	"\u2069", "\u200f", "\u061c", "\x01", "\x1b", "\x7f", "\x0b", "\x1c", "\x1f", "\u0080", "\u009f", "\u00ad",
	"\u0301", "\u0660", "\u00b7", "\u0387", "\u1369", "\u19da", "\ufb01", "\u2160", "\uff21", "\u212a", "\u2126",
	"\u00b5", "\ue000", "\U000f0000", "\u0378", "\ufffe", "\uffff", "\U0001f600", "\U0001d400", "\U0002ebf0",
	"\U0002ee5d", "\U000e0100", "\u1885", "\u2118", "\u212e", "\u309b", "\u309c", "\ufe33", "\u2040", "\u20ac", "$",
	"?", "`", "!", "\\", "\u037e", "\uff08", "\u2212", "\u00d7",
}

func oddChar(r *rng, src []byte) ([]byte, string) {
	return insertAt(r, src, pick(r, positionClasses), pick(r, oddChars))
}

func whitespace(r *rng, src []byte) ([]byte, string) {
	ws := pick(r, []string{"\f", "\t", " \t", "\t ", "\f\t", "        \t", "\x0b", "\f\f", "  \f  "})
	return insertAt(r, src, pick(r, []string{"indent", "indent", "any", "eol"}), ws)
}

func continuation(r *rng, src []byte) ([]byte, string) {
	return insertAt(r, src, pick(r, []string{"eol", "any", "indent", "string", "comment"}),
		pick(r, []string{"\\\n", " \\\n", "\\\n\\\n", "\\ \n", "\\\n\n", "\\\r\n", "\\"}))
}
