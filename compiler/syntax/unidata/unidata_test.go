package unidata_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/rules-pyc/rules_pyc/compiler/release"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/unidata"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/unidata/internal/generate"
)

// maxReported bounds the differences a test lists before it stops.
const maxReported = 20

// reporter counts differences and lists the first maxReported.
type reporter struct {
	t *testing.T
	n int
}

func (r *reporter) errorf(format string, args ...any) {
	r.t.Helper()
	r.n++
	if r.n <= maxReported {
		r.t.Errorf(format, args...)
	}
}

func (r *reporter) done(what string, total int) {
	r.t.Helper()
	if r.n > maxReported {
		r.t.Errorf("... %d differences in all", r.n)
	}
	r.t.Logf("%s: %d checked, %d differ", what, total, r.n)
}

func isSurrogate(r rune) bool { return 0xD800 <= r && r < 0xE000 }

// propertiesScript prints, for every code point, one byte of str
// predicates (1 c.isidentifier(), 2 ('a'+c).isidentifier(), 4
// c.isprintable(), 8 c.isspace()) and then, for every code point, one byte
// of unicodedata.combining(c).
const propertiesScript = `import sys, unicodedata
flags = bytearray(0x110000)
ccc = bytearray(0x110000)
for c in range(0x110000):
    ch = chr(c)
    flags[c] = (ch.isidentifier() | ("a" + ch).isidentifier() << 1
                | ch.isprintable() << 2 | ch.isspace() << 3)
    ccc[c] = unicodedata.combining(ch)
sys.stdout.buffer.write(flags + ccc)
`

// TestProperties compares the identifier, printable and space predicates
// and the combining class of every code point with the interpreter's.
func TestProperties(t *testing.T) {
	forEachOracle(t, func(t *testing.T, tab *unidata.Tables, o oracle) {
		out := o.run(t, propertiesScript, nil)
		if len(out) != 2*0x110000 {
			t.Fatalf("%s printed %d bytes, want %d", o, len(out), 2*0x110000)
		}
		rep := reporter{t: t}
		for r := rune(0); r <= 0x10FFFF; r++ {
			f := out[r]
			// str.isidentifier(): XID_Start or '_' first.
			if got, want := tab.IsXIDStart(r) || r == '_', f&1 != 0; got != want {
				rep.errorf("U+%04X: IsXIDStart || '_' = %v, %s says chr(c).isidentifier() = %v", r, got, o, want)
			}
			if got, want := tab.IsXIDContinue(r), f&2 != 0; got != want {
				rep.errorf("U+%04X: IsXIDContinue = %v, %s says ('a'+chr(c)).isidentifier() = %v", r, got, o, want)
			}
			if got, want := tab.IsPrintable(r), f&4 != 0; got != want {
				rep.errorf("U+%04X: IsPrintable = %v, %s says %v", r, got, o, want)
			}
			if got, want := tab.IsSpace(r), f&8 != 0; got != want {
				rep.errorf("U+%04X: IsSpace = %v, %s says %v", r, got, o, want)
			}
			if got, want := tab.CombiningClass(r), out[0x110000+r]; got != want {
				rep.errorf("U+%04X: CombiningClass = %d, %s says %d", r, got, o, want)
			}
		}
		rep.done("code points", 0x110000)
	})
}

// TestOutOfRange checks that runes that are no code points have no
// properties (Go lets a rune be negative or above 0x10FFFF).
func TestOutOfRange(t *testing.T) {
	for _, v := range unidata.Versions() {
		tab := unidata.ForVersion(v)
		for _, r := range []rune{-1, -0x80000000, 0x110000, 0x7FFFFFFF} {
			if tab.IsXIDStart(r) || tab.IsXIDContinue(r) || tab.IsPrintable(r) || tab.IsSpace(r) || tab.CombiningClass(r) != 0 {
				t.Errorf("%s: rune %d has a property", v, r)
			}
		}
	}
}

const nfkcEachScript = `import json, sys, unicodedata
out = {}
for c in range(0x110000):
    if 0xD800 <= c < 0xE000:
        continue
    n = unicodedata.normalize("NFKC", chr(c))
    if n != chr(c):
        out[c] = n
json.dump(out, sys.stdout)
`

// TestNFKCEachCodePoint compares NFKC of every code point alone (surrogates
// aside: UTF-8 has none) with the interpreter's.
func TestNFKCEachCodePoint(t *testing.T) {
	forEachOracle(t, func(t *testing.T, tab *unidata.Tables, o oracle) {
		var changed map[rune]string
		o.runJSON(t, nfkcEachScript, nil, &changed)
		rep := reporter{t: t}
		n := 0
		for r := rune(0); r <= 0x10FFFF; r++ {
			if isSurrogate(r) {
				continue
			}
			n++
			s := string(r)
			want, ok := changed[r]
			if !ok {
				want = s
			}
			if got := tab.NFKC(s); got != want {
				rep.errorf("NFKC(U+%04X) = %+q, %s says %+q", r, got, o, want)
			}
		}
		rep.done(fmt.Sprintf("code points (%d change)", len(changed)), n)
	})
}

const atomsScript = `import json, sys, unicodedata as ud
dec, marks = [], []
for c in range(0x110000):
    if 0xD800 <= c < 0xE000:
        continue
    ch = chr(c)
    if ud.decomposition(ch):
        dec.append(c)
    if ud.combining(ch):
        marks.append(c)
json.dump({"decomposable": dec, "marks": marks}, sys.stdout)
`

const nfkcListScript = `import json, sys, unicodedata
json.dump([unicodedata.normalize("NFKC", s) for s in json.load(sys.stdin)], sys.stdout)
`

// TestNFKCCorpus compares NFKC of strings built to exercise decomposition,
// canonical reordering and composition with the interpreter's: every
// character that has a decomposition, alone and beside combining marks and
// other such characters; bases with combining marks in every order; Hangul
// jamo and syllables in all sorts of sequences; and random sequences drawn
// from those characters, ASCII and other code points. The seed is fixed;
// -short takes fewer random strings.
func TestNFKCCorpus(t *testing.T) {
	forEachOracle(t, func(t *testing.T, tab *unidata.Tables, o oracle) {
		var atoms struct {
			Decomposable []rune `json:"decomposable"`
			Marks        []rune `json:"marks"`
		}
		o.runJSON(t, atomsScript, nil, &atoms)
		if len(atoms.Decomposable) == 0 || len(atoms.Marks) == 0 {
			t.Fatalf("%s lists no characters with decompositions or no combining marks", o)
		}
		corpus := nfkcCorpus(tab, atoms.Decomposable, atoms.Marks, testing.Short())
		var want []string
		o.runJSON(t, nfkcListScript, corpus, &want)
		if len(want) != len(corpus) {
			t.Fatalf("%s answered %d strings for %d", o, len(want), len(corpus))
		}
		rep := reporter{t: t}
		changed := 0
		for i, s := range corpus {
			got := tab.NFKC(s)
			if got != want[i] {
				rep.errorf("NFKC(%+q) = %+q, %s says %+q", s, got, o, want[i])
				continue
			}
			if got != s {
				changed++
			}
			if again := tab.NFKC(got); again != got {
				rep.errorf("NFKC(%+q) = %+q, not itself", got, again)
			}
		}
		rep.done(fmt.Sprintf("strings (%d change)", changed), len(corpus))
	})
}

// nfkcCorpus builds the strings of TestNFKCCorpus.
func nfkcCorpus(tab *unidata.Tables, decomposable, marks []rune, short bool) []string {
	rng := rand.New(rand.NewPCG(1, 2))
	pick := func(rs []rune) rune { return rs[rng.IntN(len(rs))] }
	var jamo []rune // leading, vowel and trailing jamo, old ones too
	for r := rune(0x1100); r <= 0x11FF; r++ {
		jamo = append(jamo, r)
	}
	var syllables []rune // some LV and some LVT syllables
	for i := 0; i < 200; i++ {
		syllables = append(syllables, 0xAC00+rune(rng.IntN(11172)))
		syllables = append(syllables, 0xAC00+28*rune(rng.IntN(399)))
	}
	// Combining marks of different classes, to reorder.
	byClass := map[uint8]rune{}
	for _, m := range marks {
		c := tab.CombiningClass(m)
		if _, ok := byClass[c]; !ok && c != 0 {
			byClass[c] = m
		}
	}
	var classMarks []rune
	for _, m := range byClass {
		classMarks = append(classMarks, m)
	}
	classMarks = append(classMarks, 0x0301, 0x0323, 0x031B, 0x0345, 0x0308, 0x0327, 0x0338)

	var corpus []string
	add := func(rs ...rune) { corpus = append(corpus, string(rs)) }
	for _, d := range decomposable {
		add(d, pick(classMarks))
		add(pick(classMarks), d)
		add(d, pick(decomposable))
		add('a', d, pick(marks), pick(marks))
	}
	bases := []rune{'a', 'e', 'o', 'u', 'A', 0x3B1, 0x415, 0x928, 0x0B47, 0x0DD9, 0x1025, 0x1B05, 0x3099, 0x1100}
	for _, b := range bases {
		for i := 0; i < 200; i++ {
			rs := []rune{b}
			for j := rng.IntN(4) + 1; j > 0; j-- {
				rs = append(rs, pick(classMarks))
			}
			add(rs...)
		}
	}
	// Long runs of marks (3.13.14 sorts runs longer than a few marks
	// another way), with many of equal class.
	for i := 0; i < 2000; i++ {
		rs := []rune{bases[rng.IntN(len(bases))]}
		few := classMarks[:1+rng.IntN(len(classMarks))]
		for j := 10 + rng.IntN(60); j > 0; j-- {
			if rng.IntN(3) == 0 {
				rs = append(rs, pick(marks))
			} else {
				rs = append(rs, few[rng.IntN(min(len(few), 4))])
			}
		}
		add(rs...)
	}
	for _, n := range []int{300, 5000} {
		rs := []rune{'a'}
		for j := 0; j < n; j++ {
			rs = append(rs, classMarks[rng.IntN(len(classMarks))])
		}
		add(rs...)
	}
	for i := 0; i < 3000; i++ {
		var rs []rune
		for j := rng.IntN(5) + 1; j > 0; j-- {
			if rng.IntN(4) == 0 {
				rs = append(rs, pick(syllables))
			} else {
				rs = append(rs, pick(jamo))
			}
		}
		add(rs...)
	}
	random := 100000
	if short {
		random = 20000
	}
	for i := 0; i < random; i++ {
		var rs []rune
		for j := rng.IntN(8) + 1; j > 0; j-- {
			switch k := rng.IntN(20); {
			case k < 8:
				rs = append(rs, pick(decomposable))
			case k < 13:
				rs = append(rs, pick(marks))
			case k < 15:
				rs = append(rs, rune('a'+rng.IntN(26)))
			case k < 17:
				rs = append(rs, pick(jamo))
			case k < 18:
				rs = append(rs, pick(syllables))
			default:
				r := rune(rng.IntN(0x110000))
				if isSurrogate(r) {
					r = 'x'
				}
				rs = append(rs, r)
			}
		}
		add(rs...)
	}
	return corpus
}

// TestNFKCLongRun checks that canonical ordering is not quadratic: a
// million combining marks in descending order of class take well under a
// second (a quadratic sort would take hours).
func TestNFKCLongRun(t *testing.T) {
	marks := []rune{0x0345, 0x0301, 0x0323, 0x0327, 0x05B0}
	var b strings.Builder
	b.WriteByte('a')
	for i := 0; i < 1_000_000; i++ {
		b.WriteRune(marks[i*len(marks)/1_000_000])
	}
	s := b.String()
	start := time.Now()
	out := unidata.V15_1.NFKC(s)
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("NFKC of a million marks took %v", d)
	}
	// The marks after the first character must ascend by class.
	var last uint8
	for i, r := range []rune(out)[1:] {
		c := unidata.V15_1.CombiningClass(r)
		if c < last {
			t.Fatalf("mark %d of the result (U+%04X, class %d) follows class %d", i, r, c, last)
		}
		last = c
	}
}

// TestNFKCInvalidUTF8 checks that an invalid byte counts as U+FFFD.
func TestNFKCInvalidUTF8(t *testing.T) {
	for _, v := range unidata.Versions() {
		tab := unidata.ForVersion(v)
		for _, s := range []string{"\xff", "a\xc3", "\xed\xa0\x80x", "\ufb01\x80"} {
			want := tab.NFKC(string([]rune(s))) // one U+FFFD per invalid byte
			if got := tab.NFKC(s); got != want || !utf8.ValidString(got) {
				t.Errorf("%s: NFKC(%+q) = %+q, want %+q", v, s, got, want)
			}
		}
	}
}

// TestNoAllocation checks that the property checks and NFKC of a string
// already in NFKC allocate nothing, and that NFKC then returns its argument
// itself.
func TestNoAllocation(t *testing.T) {
	inputs := []string{"", "x", "snake_case_name", "déjà_vu", "παράδειγμα", "имя", "変数", "한국어", "a\u200c"}
	for _, v := range unidata.Versions() {
		tab := unidata.ForVersion(v)
		for _, s := range inputs {
			if tab.NFKC(s) != s {
				t.Fatalf("%s: %+q is not in NFKC; pick inputs that are", v, s)
			}
			if n := testing.AllocsPerRun(100, func() { sink = tab.NFKC(s) }); n != 0 {
				t.Errorf("%s: NFKC(%+q) allocates %v times", v, s, n)
			}
			if out := tab.NFKC(s); len(s) > 0 && !sameString(out, s) {
				t.Errorf("%s: NFKC(%+q) returned a copy", v, s)
			}
		}
		n := testing.AllocsPerRun(10, func() {
			for r := rune(0); r < 0x3000; r++ {
				_ = tab.IsXIDStart(r) || tab.IsXIDContinue(r) || tab.IsPrintable(r) || tab.IsSpace(r)
			}
		})
		if n != 0 {
			t.Errorf("%s: property checks allocate", v)
		}
	}
}

var sink string

// sameString reports whether a and b are the same bytes in memory.
func sameString(a, b string) bool {
	return len(a) == len(b) && unsafe.StringData(a) == unsafe.StringData(b)
}

// TestVersions checks the registry.
func TestVersions(t *testing.T) {
	vs := unidata.Versions()
	if len(vs) == 0 || unidata.ForVersion("15.1.0") != unidata.V15_1 {
		t.Fatalf("Versions() = %v, ForVersion(15.1.0) = %p, V15_1 = %p", vs, unidata.ForVersion("15.1.0"), unidata.V15_1)
	}
	for _, v := range vs {
		tab := unidata.ForVersion(v)
		if tab == nil || tab.Version() != v {
			t.Fatalf("ForVersion(%q) = %v", v, tab)
		}
		if err := tab.Check(); err != nil {
			t.Error(err)
		}
	}
	for _, v := range []string{"", "15.1", "15.0.0", "x"} {
		if unidata.ForVersion(v) != nil {
			t.Errorf("ForVersion(%q) is not nil", v)
		}
	}
}

// TestUnicodeVersion checks UnicodeVersion and ForRelease against every
// interpreter on the machine.
func TestUnicodeVersion(t *testing.T) {
	for _, o := range findOracles(t) {
		r := release.Release{Major: o.Major, Minor: o.Minor, Micro: o.Micro}
		if got := unidata.UnicodeVersion(r); got != o.unicode {
			t.Errorf("UnicodeVersion(%v) = %q, %s has %q", r, got, o, o.unicode)
		}
		tab := unidata.ForRelease(r)
		if want := unidata.ForVersion(o.unicode); tab != want {
			t.Errorf("ForRelease(%v) = %v, want the tables of %q (%v)", r, tab, o.unicode, want)
		}
	}
	if unidata.ForRelease(release.Release{Major: 3, Minor: 13}) != unidata.V15_1 {
		t.Errorf("ForRelease(3.13.0) is not V15_1")
	}
}

// TestGeneratedFilesAreCurrent regenerates each version's file with each
// interpreter of that version and compares it with the committed one: the
// tables are what the generator makes, and interpreters that share a
// Unicode version agree on every fact the tables hold.
func TestGeneratedFilesAreCurrent(t *testing.T) {
	if testing.Short() {
		t.Skip("regenerating takes a few seconds per interpreter; the other tests check every fact")
	}
	forEachOracle(t, func(t *testing.T, tab *unidata.Tables, o oracle) {
		var stderr bytes.Buffer
		res, err := generate.Run(o.argv(), "", &stderr)
		if err != nil {
			t.Fatalf("generating with %s: %v\n%s", o, err, stderr.String())
		}
		committed, err := os.ReadFile(res.Name)
		if err != nil {
			t.Fatalf("the committed file for Unicode %s: %v", res.Version, err)
		}
		if !bytes.Equal(committed, res.Source) {
			t.Errorf("%s differs from what %s generates; regenerate it (docs/native.md, section Unicode)", res.Name, o)
		}
		t.Log(res.Summary)
	})
}

// namesScript lists every name unicodedata.name gives (Hangul syllables and
// CJK unified ideographs included), the name aliases (found as dump.py
// finds them: the names that the namereplace handler gives to plane 15's
// private use code points) and the named sequences.
const namesScript = `import codecs, json, sys, unicodedata as ud
names = []
for c in range(0x110000):
    n = ud.name(chr(c), None)
    if n is not None:
        names.append([c, n])
aliases, sequences = [], []
for c in range(0xF0000, 0x100000):
    b = chr(c).encode("ascii", "namereplace")
    if b.startswith(b"\\N{"):
        n = b[3:-1].decode("ascii")
        s = ud.lookup(n)
        if len(s) == 1:
            aliases.append([ord(s), n])
        else:
            sequences.append(n)
json.dump({"names": names, "aliases": aliases, "sequences": sequences}, sys.stdout)
`

// escapeScript answers, for each name, the code point that the
// unicode_escape codec makes of "\N{name}" (-1 when it refuses the name).
const escapeScript = `import codecs, json, sys
out = []
for q in json.load(sys.stdin):
    try:
        s = codecs.decode(b"\\N{" + q.encode("utf-8") + b"}", "unicode_escape")
    except UnicodeDecodeError:
        out.append(-1)
        continue
    out.append(ord(s) if len(s) == 1 else -2)
json.dump(out, sys.stdout)
`

// literalScript answers the same for a string literal "\N{name}" compiled
// as source, as the parser reads it (-1 for a SyntaxError).
const literalScript = `import json, sys
out = []
for q in json.load(sys.stdin):
    try:
        s = eval(compile('"\\N{' + q + '}"', "<name>", "eval"))
    except SyntaxError:
        out.append(-1)
        continue
    out.append(ord(s) if len(s) == 1 else -2)
json.dump(out, sys.stdout)
`

// TestLookup compares Lookup with what CPython makes of "\N{name}": every
// name and alias as given, in lower case and in random mixed case; named
// sequences; and many names that must be refused (cut short, lengthened,
// with other spaces, hyphens or underscores, non-ASCII look-alike letters,
// Hangul syllables with lower-case or spliced jamo, ideographs with lower-case,
// short, long or out-of-range hex). Every answer comes from the
// unicode_escape codec; a sample also from compiling string literals.
func TestLookup(t *testing.T) {
	forEachOracle(t, func(t *testing.T, tab *unidata.Tables, o oracle) {
		var known struct {
			Names     [][2]json.RawMessage `json:"names"`
			Aliases   [][2]json.RawMessage `json:"aliases"`
			Sequences []string             `json:"sequences"`
		}
		o.runJSON(t, namesScript, nil, &known)
		names, err := decodePairs(known.Names)
		if err != nil {
			t.Fatal(err)
		}
		aliases, err := decodePairs(known.Aliases)
		if err != nil {
			t.Fatal(err)
		}
		if len(names) == 0 || len(aliases) == 0 || len(known.Sequences) == 0 {
			t.Fatalf("%s lists %d names, %d aliases, %d named sequences", o, len(names), len(aliases), len(known.Sequences))
		}
		queries := lookupQueries(names, aliases, known.Sequences)
		var want []int
		o.runJSON(t, escapeScript, queries, &want)
		if len(want) != len(queries) {
			t.Fatalf("%s answered %d names for %d", o, len(want), len(queries))
		}
		rules := unidata.NameRulesFor(release.Release{Major: o.Major, Minor: o.Minor, Micro: o.Micro})
		t.Logf("names made by rule: %v", rules)
		rep := reporter{t: t}
		accepted := 0
		for i, q := range queries {
			r, ok := tab.LookupRules(q, rules)
			got := -1
			if ok {
				got = int(r)
				accepted++
			}
			if got != want[i] {
				rep.errorf("Lookup(%q) = %d, %s says %d", q, got, o, want[i])
			}
		}
		rep.done(fmt.Sprintf("names (%d accepted)", accepted), len(queries))

		// A sample through the parser's own path, string literals.
		var sample []string
		var sampleWant []int
		for i := 0; i < len(queries); i += 37 {
			if q := queries[i]; !strings.ContainsAny(q, "\"\\\r\n") {
				sample = append(sample, q)
				sampleWant = append(sampleWant, want[i])
			}
		}
		var lit []int
		o.runJSON(t, literalScript, sample, &lit)
		if len(lit) != len(sample) {
			t.Fatalf("%s answered %d literals for %d", o, len(lit), len(sample))
		}
		for i, q := range sample {
			if lit[i] != sampleWant[i] {
				t.Errorf("%s: the literal \"\\N{%s}\" gives %d, the codec %d", o, q, lit[i], sampleWant[i])
			}
		}
		t.Logf("%d string literals agree with the codec", len(sample))
	})
}

type named struct {
	r    rune
	name string
}

func decodePairs(raw [][2]json.RawMessage) ([]named, error) {
	out := make([]named, len(raw))
	for i, p := range raw {
		if err := json.Unmarshal(p[0], &out[i].r); err != nil {
			return nil, err
		}
		if err := json.Unmarshal(p[1], &out[i].name); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// lookupQueries builds the names of TestLookup (fixed seed).
func lookupQueries(names, aliases []named, sequences []string) []string {
	rng := rand.New(rand.NewPCG(3, 4))
	var qs []string
	add := func(q string) {
		// A name in "\N{...}" ends at the first '}'; NUL can't be in
		// source.
		if !strings.ContainsAny(q, "}\x00") && utf8.ValidString(q) {
			qs = append(qs, q)
		}
	}
	mixed := func(s string) string {
		b := []byte(s)
		for i, c := range b {
			if 'A' <= c && c <= 'Z' && rng.IntN(2) == 0 {
				b[i] = c + 'a' - 'A'
			}
		}
		return string(b)
	}
	mutate := func(s string) string {
		if s == "" {
			return "X"
		}
		i := rng.IntN(len(s))
		switch rng.IntN(12) {
		case 0:
			return s[:len(s)-1]
		case 1:
			return s + "X"
		case 2:
			return s + " "
		case 3:
			return " " + s
		case 4:
			return strings.Replace(s, " ", "  ", 1)
		case 5:
			return strings.Replace(s, " ", "-", 1)
		case 6:
			return strings.Replace(s, "-", " ", 1)
		case 7:
			return strings.ReplaceAll(s, " ", "_")
		case 8:
			return strings.Replace(s, "K", "\u212a", 1) // KELVIN SIGN
		case 9:
			return strings.Replace(strings.ToLower(s), "i", "\u0131", 1) // DOTLESS I
		case 10:
			return s[:i] + s[i+1:]
		default:
			return s[:i] + string(rune('A'+rng.IntN(26))) + s[i:]
		}
	}
	var hangul []string
	for i, n := range names {
		switch {
		case strings.HasPrefix(n.name, "CJK UNIFIED IDEOGRAPH-"):
			add(n.name)
			if i%10 == 0 {
				add(strings.ToLower(n.name))
				add(mixed(n.name[:22]) + n.name[22:])
				add(n.name[:22] + strings.ToLower(n.name[22:]))
				add(n.name[:22] + "0" + n.name[22:])
				add(mutate(n.name))
			}
		case strings.HasPrefix(n.name, "HANGUL SYLLABLE "):
			hangul = append(hangul, n.name[len("HANGUL SYLLABLE "):])
			add(n.name)
			add(mixed(n.name))
			add(strings.ToLower(n.name[:16]) + n.name[16:])
			if i%5 == 0 {
				add(mutate(n.name))
			}
		default:
			add(n.name)
			add(strings.ToLower(n.name))
			add(mixed(n.name))
			if i%3 == 0 {
				add(mutate(n.name))
			}
		}
	}
	for _, a := range aliases {
		add(a.name)
		add(strings.ToLower(a.name))
		add(mixed(a.name))
		add(mutate(a.name))
	}
	for _, s := range sequences {
		add(s)
		add(strings.ToLower(s))
	}
	// Hangul jamo spliced: pieces of syllable names glued together.
	for i := 0; i < 20000; i++ {
		a, b := hangul[rng.IntN(len(hangul))], hangul[rng.IntN(len(hangul))]
		q := "HANGUL SYLLABLE " + a[:rng.IntN(len(a)+1)] + b[rng.IntN(len(b)+1):]
		if i%2 == 1 {
			q = mixed(q)
		}
		add(q)
	}
	for _, s := range []string{"", "A", "HANGUL SYLLABLE", "HANGUL SYLLABLE ", "HANGUL SYLLABLE G", "HANGUL SYLLABLE GAGGG",
		"CJK UNIFIED IDEOGRAPH", "CJK UNIFIED IDEOGRAPH-", "CJK UNIFIED IDEOGRAPH-4E0", "CJK UNIFIED IDEOGRAPH-004E00",
		"CJK UNIFIED IDEOGRAPH-+4E0", "CJK UNIFIED IDEOGRAPH- 4E00", "CJK UNIFIED IDEOGRAPH-4E00 ", "CJK UNIFIED IDEOGRAPH-F900",
		"CJK COMPATIBILITY IDEOGRAPH-F900", "TANGUT IDEOGRAPH-17000", "KHITAN SMALL SCRIPT CHARACTER-18B00",
		"NUSHU CHARACTER-1B170", "U+0041", "LATIN SMALL LETTER A\u0301", "\u00e9", strings.Repeat("LATIN ", 60)} {
		add(s)
	}
	for v := 0; v < 0x40000; v += 0x97 {
		add(fmt.Sprintf("CJK UNIFIED IDEOGRAPH-%04X", v))
		add(fmt.Sprintf("TANGUT IDEOGRAPH-%04X", v))
	}
	// Tangut ideographs (which unicodedata.name does not name before 3.15)
	// and their neighbours.
	for v := 0x16F00; v < 0x18F00; v++ {
		add(fmt.Sprintf("TANGUT IDEOGRAPH-%X", v))
		if v%7 == 0 {
			add(fmt.Sprintf("tangut ideograph-%x", v))
			add(fmt.Sprintf("TANGUT IDEOGRAPH-0%X", v))
			add(fmt.Sprintf("TANGUT COMPONENT-%03d", v%800))
		}
	}
	return qs
}
