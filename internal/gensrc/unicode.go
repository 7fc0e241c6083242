package gensrc

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// genUnicode makes a short program whose identifiers, strings, bytes,
// f-strings and comments hold random characters: from every plane, from
// the classes PEP 3131 and NFKC treat specially, and (in escapes) lone
// surrogates and values past U+10FFFF.
func genUnicode(r *rng) (string, []byte) {
	var parts []string
	var b strings.Builder
	for n := r.between(1, 4); n > 0; n-- {
		form := pick(r, unicodeForms)
		var args []any
		for i := strings.Count(form, "%s"); i > 0; i-- {
			var a string
			switch pick(r, []string{"id", "id", "str", "esc", "comment", "raw"}) {
			case "id":
				a = randIdent(r)
			case "str":
				a = randText(r, r.between(1, 6))
			case "esc":
				a = randEscapes(r)
			case "comment":
				a = "x  # " + randText(r, r.between(1, 6))
			default:
				a = randText(r, 1)
			}
			args = append(args, a)
		}
		line := fmt.Sprintf(form, args...)
		parts = append(parts, fmt.Sprintf("%q", form))
		b.WriteString(line)
	}
	return "forms " + strings.Join(parts, ", "), []byte(b.String())
}

var unicodeForms = []string{
	"%s = 1\n", "x = %s\n", "x = '%s'\n", "x = \"%s\"\n", "x = b'%s'\n", "x = f'%s{%s}%s'\n", "x = rf'{%s!r:%s}'\n",
	"# %s\n", "def %s(%s): pass\n", "class %s: pass\n", "x.%s = %s\n", "import %s\n", "from %s import %s\n",
	"x = '''%s\n%s'''\n", "x = u'%s'\n", "x = f'{%s=}'\n", "x = %s.%s\n", "%s: int = %s\n", "x = f'{x:%s}'\n",
	"match x:\n    case %s(%s=1): pass\n", "x = r'%s'\n", "lambda %s: %s\n", "x = %s %s\n", "x = '%s' '%s'\n",
	"type %s[%s] = int\n", "x = {%s: 1}\n", "%s\n", "x = f'''{\n%s\n}'''\n", "global %s\n", "x = %s(%s=1)\n",
}

// charClasses are ranges of code points, each a class the front end
// treats in its own way.
var charClasses = [][2]rune{
	{0x20, 0x7e}, {0x80, 0xff}, {0x100, 0x24f}, {0x370, 0x3ff}, {0x400, 0x4ff}, {0x590, 0x6ff}, {0x900, 0x97f},
	{0x300, 0x36f}, {0x1ab0, 0x1aff}, {0x2000, 0x206f}, {0x2070, 0x209f}, {0x2100, 0x218f}, {0x2460, 0x24ff},
	{0x3000, 0x303f}, {0x3040, 0x30ff}, {0x3300, 0x33ff}, {0x4e00, 0x4e40}, {0xac00, 0xac40}, {0x1100, 0x11ff},
	{0xe000, 0xe010}, {0xf900, 0xfaff}, {0xfb00, 0xfb4f}, {0xfe00, 0xfe0f}, {0xfe30, 0xfe4f}, {0xfe70, 0xfeff},
	{0xff00, 0xffef}, {0xfff0, 0xffff}, {0x10000, 0x1007f}, {0x1d400, 0x1d7ff}, {0x1f300, 0x1f6ff},
	{0x1e900, 0x1e95f}, {0x20000, 0x20010}, {0x2ebf0, 0x2ee5d}, {0x2ee5e, 0x2ee70}, {0x31350, 0x323af},
	{0xe0000, 0xe01ef}, {0xf0000, 0xf0010}, {0x10fff0, 0x10ffff}, {0x0, 0x1f}, {0x7f, 0x9f},
	{0x1885, 0x1886}, {0x2118, 0x2118}, {0x212e, 0x212e}, {0x309b, 0x309c}, {0xb7, 0xb7}, {0x387, 0x387},
	{0x1369, 0x1371}, {0x19da, 0x19da}, {0x200c, 0x200d}, {0x0, 0x10ffff}, {0x0, 0x10ffff},
}

func randRune(r *rng) rune {
	c := pick(r, charClasses)
	for {
		x := c[0] + rune(r.intn(int(c[1]-c[0]+1)))
		if x >= 0xd800 && x <= 0xdfff {
			continue
		}
		if x == 0 {
			x = 'x'
		}
		return x
	}
}

// randText is n random characters (no surrogates, no NUL).
func randText(r *rng, n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteRune(randRune(r))
	}
	return b.String()
}

// randIdent is an identifier of random letters, usually starting with an
// ASCII or a non-ASCII letter, sometimes with anything first.
func randIdent(r *rng) string {
	var b strings.Builder
	if r.chance(2, 3) {
		b.WriteString(pick(r, []string{"x", "_", "é", "ﬁ", "Ⅸ", "ℌ", "ｘ", "𝐱", "µ", "ª", "ǅ", "ᵃ", "ｉｆ", "Ｎｏｎｅ", "𝐓𝐫𝐮𝐞", "ﾞ", "㍿"}))
	}
	for i := r.intn(4); i >= 0; i-- {
		x := randRune(r)
		if x < 0x80 && !(x >= 'a' && x <= 'z' || x >= '0' && x <= '9' || x == '_') {
			x = 'a'
		}
		b.WriteRune(x)
	}
	return b.String()
}

// randEscapes is the text of a string literal made of escapes of random
// values: \x, octal, \u and \U (surrogates and values past U+10FFFF
// included), and some \N{...} names.
func randEscapes(r *rng) string {
	var b strings.Builder
	for n := r.between(1, 5); n > 0; n-- {
		switch r.intn(6) {
		case 0:
			fmt.Fprintf(&b, `\x%02x`, r.intn(256))
		case 1:
			fmt.Fprintf(&b, `\%o`, r.intn(512))
		case 2:
			fmt.Fprintf(&b, `\u%04x`, r.intn(0x10000))
		case 3:
			fmt.Fprintf(&b, `\ud%03x`, 0x800+r.intn(0x800))
		case 4:
			v := r.intn(0x110010)
			fmt.Fprintf(&b, `\U%08x`, v)
		default:
			b.WriteString(pick(r, []string{`\N{BULLET}`, `\N{bullet}`, `\N{LINE FEED}`, `\N{LF}`, `\N{BYTE ORDER MARK}`,
				`\N{HANGUL SYLLABLE GAG}`, `\N{hangul syllable gag}`, `\N{CJK UNIFIED IDEOGRAPH-2EBF0}`, `\N{TANGUT IDEOGRAPH-17000}`,
				`\N{ZERO WIDTH NO-BREAK SPACE}`, `\N{LATIN CAPITAL LETTER GHA}`, `\N{NULL}`, `\N{}`, `\N{ }`, `\N{EM DASH`}))
		}
	}
	if !utf8.ValidString(b.String()) {
		return "x"
	}
	return b.String()
}
