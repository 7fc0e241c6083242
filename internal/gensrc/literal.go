package gensrc

import (
	"fmt"
	"strings"
)

// genLiteral makes a statement around one or two string literals whose
// bodies mix escapes (valid, truncated, unknown, out of range), f-string
// fields, braces, non-ASCII text, invalid UTF-8, control characters and
// newlines, under every prefix and quote: the order in which CPython
// finds a literal's errors (a UTF-8 error before any escape's, a prefix
// that refuses non-ASCII bytes) is what it tests.
func genLiteral(r *rng) (string, []byte) {
	lit := func() string {
		q := pick(r, literalQuotes)
		var b strings.Builder
		b.WriteString(pick(r, literalPrefixes))
		b.WriteString(q)
		for n := r.between(1, 6); n > 0; n-- {
			b.WriteString(pick(r, literalPieces))
		}
		b.WriteString(q)
		return b.String()
	}
	s := lit()
	if r.chance(3, 10) {
		s += " " + lit()
	}
	form := pick(r, []string{"x = %s", "%s", "print(%s)", "def f():\n    return %s", "f(%s, k=1)", "x = [%s]"})
	end := pick(r, []string{"\n", "", "\r\n", "\r"})
	return fmt.Sprintf("form %q, end %q", form, end), []byte(fmt.Sprintf(form, s) + end)
}

var (
	literalPrefixes = []string{"", "r", "u", "b", "br", "rb", "f", "rf", "fr", "R", "B", "F", "Rb", "fR"}
	literalQuotes   = []string{"'", "\"", "'''", "\"\"\""}
	literalPieces   = []string{
		"a", " ", `\n`, `\x4`, `\x41`, `\xZ`, `\u12`, `\u1234`, `\U0001F600`, `\U00110000`, `\N{LATIN SMALL LETTER A}`,
		`\N{bogus}`, `\N{`, `\N`, `\777`, `\8`, `\q`, `\`, `\\`, `\'`, `\"`, "{", "}", "{{", "}}", "{x}", "{x!r}",
		"{x:>{y}}", "{x=}", "\u00e9", "\xe9", "\xe0\x80", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xff", "\x80",
		"\xe2\x82", "\\\u00e9", "\\\xe9", "\r", "\r\n", "\\\n", "\t", "\x00", "\x0c", `\N{CJK UNIFIED IDEOGRAPH-4E00}`,
	}
)
