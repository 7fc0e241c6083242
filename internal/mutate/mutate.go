// Package mutate makes mutants of real Python source for the front end's
// agreement tests: a window of lines cut from a corpus file, then one to
// three random edits in the units a programmer works in (tokens deleted,
// inserted, replaced, swapped, duplicated or moved; lines re-indented,
// split, joined, deleted, duplicated; strings, numbers and odd characters
// damaged). Most mutants are invalid in some way, and the edits are chosen
// to reach many of CPython's different error messages, not only "invalid
// syntax".
//
// A mutant depends only on the corpus, the seed and its index: Mutant(seed,
// i) is the same on every run and machine with the same corpus, and any one
// mutant can be made again alone.
package mutate

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// Corpus is the source mutants are cut from.
type Corpus struct {
	names []string
	srcs  []string
}

// NewCorpus returns a corpus of the given files (names[i] holds srcs[i]).
// The order matters: the same files in another order give other mutants.
func NewCorpus(names, srcs []string) (*Corpus, error) {
	if len(names) != len(srcs) {
		return nil, fmt.Errorf("mutate: %d names for %d sources", len(names), len(srcs))
	}
	if len(srcs) == 0 {
		return nil, fmt.Errorf("mutate: empty corpus")
	}
	return &Corpus{names: names, srcs: srcs}, nil
}

// Mutant is one mutated window of source.
type Mutant struct {
	Seed  uint64
	Index int
	// Origin names the window: "file.py:12-30" (lines, 1-based,
	// inclusive).
	Origin string
	// Edits describes each edit made, in order.
	Edits []string
	Src   []byte
}

// String names the mutant for a report: seed, index, origin and edits.
func (m Mutant) String() string {
	return fmt.Sprintf("mutant %d/%d of %s (%s)", m.Seed, m.Index, m.Origin, strings.Join(m.Edits, "; "))
}

// Mutant returns mutant index of seed.
func (c *Corpus) Mutant(seed uint64, index int) Mutant {
	r := &rng{rand.NewPCG(seed, uint64(index))}
	m := Mutant{Seed: seed, Index: index}
	win := c.window(r, &m)
	toks := lex(win)
	for n := 1 + r.intn(3); n > 0; n-- {
		toks = edit(r, toks, &m)
	}
	m.Src = []byte(render(toks))
	return m
}

// Edit returns src with one to three random edits, the same edits Mutant
// makes, drawn from seed and index (Origin is "source"): a way to damage
// sources that come from elsewhere (generated programs, snippets).
func Edit(src string, seed uint64, index int) Mutant {
	r := &rng{rand.NewPCG(seed, uint64(index))}
	m := Mutant{Seed: seed, Index: index, Origin: "source"}
	toks := lex(src)
	for n := 1 + r.intn(3); n > 0; n-- {
		toks = edit(r, toks, &m)
	}
	m.Src = []byte(render(toks))
	return m
}

// rng draws numbers from PCG, whose output is fixed by its definition
// (math/rand/v2 does not promise that its other methods stay the same).
type rng struct{ p *rand.PCG }

// intn returns a number in [0, n); n must be positive.
func (r *rng) intn(n int) int { return int((r.p.Uint64() >> 1) % uint64(n)) }

// chance is true with probability num/den.
func (r *rng) chance(num, den int) bool { return r.intn(den) < num }

func pick[T any](r *rng, xs []T) T { return xs[r.intn(len(xs))] }

// window cuts a run of lines from a random file: usually a few lines,
// sometimes forty, usually ending with the block it starts in; usually
// dedented by its first statement's indentation, as a programmer pasting it
// would; rarely without its last newline.
func (c *Corpus) window(r *rng, m *Mutant) string {
	f := r.intn(len(c.srcs))
	lines := strings.SplitAfter(c.srcs[f], "\n")
	if len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	if len(lines) == 0 {
		m.Origin = c.names[f] + ":empty"
		return ""
	}
	n := 1 + r.intn(1+r.intn(40))
	start := r.intn(len(lines))
	end := min(start+n, len(lines))
	// Mostly, the window ends before the first line indented less than its
	// first (the end of the block it starts in), as a programmer would cut
	// it; the rest of the time it is cut blindly.
	// The window's indentation is its first statement line's.
	ref := lines[start]
	for _, l := range lines[start:end] {
		if t := strings.TrimSpace(l); t != "" && t[0] != '#' {
			ref = l
			break
		}
	}
	indent := leadingBlanks(ref)
	if r.chance(5, 6) {
		first := len(indent)
		for i := start + 1; i < end; i++ {
			l := strings.TrimSpace(lines[i])
			if l != "" && l[0] != '#' && len(leadingBlanks(lines[i])) < first {
				end = i
				break
			}
		}
	}
	m.Origin = fmt.Sprintf("%s:%d-%d", c.names[f], start+1, end)
	win := lines[start:end]
	if r.chance(11, 12) {
		if indent != "" {
			out := make([]string, len(win))
			for i, l := range win {
				out[i] = strings.TrimPrefix(l, indent)
			}
			win = out
		}
	}
	s := strings.Join(win, "")
	if r.chance(1, 12) {
		s = strings.TrimRight(s, "\r\n")
	}
	return s
}

func leadingBlanks(s string) string {
	return s[:len(s)-len(strings.TrimLeft(s, " \t\f"))]
}

// edit makes one random edit of toks.
func edit(r *rng, toks []token, m *Mutant) []token {
	total := 0
	for _, e := range edits {
		total += e.weight
	}
	n := r.intn(total)
	e := edits[len(edits)-1]
	for _, c := range edits {
		if n < c.weight {
			e = c
			break
		}
		n -= c.weight
	}
	out, what := e.do(r, toks)
	m.Edits = append(m.Edits, what)
	return out
}

// editor is one kind of edit with its weight among the others.
type editor struct {
	weight int
	do     func(r *rng, toks []token) ([]token, string)
}

var edits = []editor{
	{10, deleteToken},
	{10, insertToken},
	{6, replaceToken},
	{12, replaceRelated},
	{6, swapTokens},
	{4, duplicateToken},
	{2, moveToken},
	{12, reindentLine},
	{3, deleteLine},
	{3, duplicateLine},
	{5, joinLines},
	{6, splitLine},
	{9, damageString},
	{5, damageNumber},
	{5, insertOdd},
	{2, sourcePrefix},
	{18, insertStatement},
	{6, renameName},
	{8, replaceConstant},
	{4, swapOperator},
	{1, nestDeeply},
}

// at returns the index of a random token that is not the end marker, or
// -1 when there is none.
func at(r *rng, toks []token, want func(token) bool) int {
	var idx []int
	for i, t := range toks {
		if t.cls != cEnd && (want == nil || want(t)) {
			idx = append(idx, i)
		}
	}
	if len(idx) == 0 {
		return -1
	}
	return pick(r, idx)
}

// lineOf returns the line number (1-based) of toks[i].
func lineOf(toks []token, i int) int {
	n := 1
	for _, t := range toks[:i] {
		n += strings.Count(t.pre+t.text, "\n")
	}
	return n
}

func describe(toks []token, i int) string {
	return fmt.Sprintf("%q on line %d", toks[i].text, lineOf(toks, i))
}

func insertAt(toks []token, i int, t token) []token {
	out := make([]token, 0, len(toks)+1)
	out = append(out, toks[:i]...)
	out = append(out, t)
	return append(out, toks[i:]...)
}

func removeAt(toks []token, i int) []token {
	out := make([]token, 0, len(toks))
	out = append(out, toks[:i]...)
	return append(out, toks[i+1:]...)
}

func notNewline(t token) bool { return t.cls != cNewline }

func deleteToken(r *rng, toks []token) ([]token, string) {
	i := at(r, toks, nil)
	if i < 0 {
		return toks, "nothing to delete"
	}
	what := "delete " + describe(toks, i)
	// The blanks before the token stay, unless it starts a line.
	pre := toks[i].pre
	toks = removeAt(toks, i)
	if i < len(toks) && (i == 0 || toks[i-1].cls == cNewline) {
		toks[i].pre = pre
	}
	return toks, what
}

// vocabulary holds the tokens and snippets inserted: keywords, soft
// keywords, operators, literals of every kind, and pieces of grammar whose
// misplacement has its own message.
var vocabulary = []string{
	"False", "None", "True", "and", "as", "assert", "async", "await", "break", "class",
	"continue", "def", "del", "elif", "else", "except", "finally", "for", "from", "global",
	"if", "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise",
	"return", "try", "while", "with", "yield", "match", "case", "type", "_", "print", "exec",
	"(", ")", "[", "]", "{", "}", ",", ":", ";", ".", "...", "=", "==", "!=", "<>", ":=",
	"+", "-", "*", "**", "/", "//", "%", "@", "|", "&", "^", "~", "<<", ">>", "<", ">",
	"<=", ">=", "->", "+=", "-=", "*=", "**=", "!", "\\",
	"1", "0", "1.5", "1j", "0x1f", "10_000", "'s'", `"s"`, "b'b'", "f'{x}'", "rb'r'",
	"'''t'''", `u"u"`, "x", "y", "self", "f", "f(x)", "a.b", "a[0]",
	"*x", "**kw", "x=1", "lambda: 0", "lambda x:", "yield x", "await x", "(x := 1)",
	"[x for x in y]", "{k: v}", "{x, y}", "(x, y)", "not x", "x if y", "x if y else z",
	"import x", "from . import", "*,", "/,", "-> int", "@decorator\n", "global x\n",
	"del x", "f'{'", "f'{x!z}'", "f'{x=!r:>10}'", "f'{}'", "print 'hi'", "exec 'code'",
	"def f():", "class C:", "if x:", "else:", "try:", "except:", "finally:", "with x as y:",
	"for x in y:", "while x:", "return", "case _:", "match x:", "type X = int", "*a, b = c",
	"async def f():", "async for x in y:", "async with x:", "except* E:", "nonlocal x\n",
	"__debug__ = 1", "None = 1", "f() = 1", "(a, b) += 1", "x + 1 = 2", "{**x}", "[*x]",
	"'a' 'b'", "1 if 2", "def f(*, **k):", "def f(a=1, b):", "def f(a, a):", "f(**x, *y)",
	"f(x for x in y, 1)", "f(a=1, a=2)", "import a.b as", "from x import (a, b,)", "from x import *",
}

func insertToken(r *rng, toks []token) ([]token, string) {
	if len(toks) == 0 {
		// An earlier edit removed every token, the end marker included
		// (seed 1, mutant 23898 of the 3.13.0 stdlib corpus).
		v := pick(r, vocabulary)
		return []token{{text: v, cls: cOther}}, fmt.Sprintf("insert %q into nothing", v)
	}
	i := r.intn(len(toks)) // toks ends with the end marker
	v := pick(r, vocabulary)
	t := token{pre: "", text: v, cls: cOther}
	if toks[i].pre != "" || r.chance(1, 2) {
		t.pre, toks[i].pre = toks[i].pre, " "
	}
	return insertAt(toks, i, t), fmt.Sprintf("insert %q on line %d", v, lineOf(toks, i))
}

func replaceToken(r *rng, toks []token) ([]token, string) {
	i := at(r, toks, notNewline)
	if i < 0 {
		return toks, "nothing to replace"
	}
	v := pick(r, vocabulary)
	what := fmt.Sprintf("replace %s with %q", describe(toks, i), v)
	toks[i].text, toks[i].cls = v, cOther
	return toks, what
}

// related maps tokens to ones a programmer confuses them with.
var related = map[string][]string{
	"=":      {"==", ":=", "+=", "", "=="},
	"==":     {"=", "is", ":=", "==="},
	":":      {"", ";", "=", "::", ":="},
	",":      {"", ";", ".", ",,"},
	"(":      {"", "[", "{", "(("},
	")":      {"", "]", "}", "))"},
	"[":      {"", "(", "{"},
	"]":      {"", ")", "}"},
	"{":      {"", "(", "["},
	"}":      {"", ")", "]"},
	".":      {",", "..", "", "->"},
	"def":    {"class", "lambda", "async def", "def def"},
	"class":  {"def", "class class"},
	"if":     {"elif", "while", "else", "if if"},
	"elif":   {"if", "else", "else if"},
	"else":   {"elif", "else if", "except", "finally"},
	"for":    {"async for", "while", "for for"},
	"in":     {"not in", "is", "of", "="},
	"import": {"from", "import import", "as"},
	"from":   {"import", "yield from"},
	"return": {"yield", "return return", "raise"},
	"not":    {"!", "not not", "is not"},
	"is":     {"==", "is not", "in"},
	"and":    {"&&", "or", "&"},
	"or":     {"||", "and", "|"},
	"lambda": {"def", "lambda lambda"},
	"with":   {"async with", "with with"},
	"try":    {"except", "finally"},
	"except": {"except*", "finally", "catch", "except Exception as e, f"},
	"as":     {"=", "as as", "in"},
	"->":     {"-", ">", "=>", ":"},
	"*":      {"**", "", "* *"},
	"**":     {"*", "***", ""},
	"@":      {"@@", "", "*"},
	"None":   {"none", "null", "Nothing"},
	"True":   {"true", "False"},
	"self":   {"self.", "self,"},
	"await":  {"async", "yield"},
	"async":  {"await", "async async"},
	"yield":  {"return", "yield yield", "await"},
	"pass":   {"", "pass pass", "..."},
}

// replaceRelated replaces a token with one it is often confused with, or
// a keyword with a name.
func replaceRelated(r *rng, toks []token) ([]token, string) {
	i := at(r, toks, func(t token) bool { _, ok := related[t.text]; return ok })
	if i < 0 {
		return replaceToken(r, toks)
	}
	v := pick(r, related[toks[i].text])
	what := fmt.Sprintf("replace %s with %q", describe(toks, i), v)
	toks[i].text, toks[i].cls = v, cOther
	return toks, what
}

func swapTokens(r *rng, toks []token) ([]token, string) {
	i := at(r, toks, notNewline)
	if i < 0 || i+1 >= len(toks) || toks[i+1].cls == cEnd || toks[i+1].cls == cNewline {
		return deleteToken(r, toks)
	}
	what := fmt.Sprintf("swap %s and %q", describe(toks, i), toks[i+1].text)
	toks[i].text, toks[i+1].text = toks[i+1].text, toks[i].text
	toks[i].cls, toks[i+1].cls = toks[i+1].cls, toks[i].cls
	return toks, what
}

func duplicateToken(r *rng, toks []token) ([]token, string) {
	i := at(r, toks, notNewline)
	if i < 0 {
		return insertToken(r, toks)
	}
	t := toks[i]
	t.pre = pick(r, []string{"", " "})
	return insertAt(toks, i+1, t), "duplicate " + describe(toks, i)
}

func moveToken(r *rng, toks []token) ([]token, string) {
	i := at(r, toks, notNewline)
	if i < 0 {
		return insertToken(r, toks)
	}
	t := toks[i]
	what := "move " + describe(toks, i)
	toks = removeAt(toks, i)
	if len(toks) == 0 {
		return []token{t}, what + " to nowhere"
	}
	j := r.intn(len(toks))
	t.pre = " "
	return insertAt(toks, j, t), what + fmt.Sprintf(" to line %d", lineOf(toks, j))
}

// lineStarts returns the index of the first token of each line.
func lineStarts(toks []token) []int {
	starts := []int{0}
	for i, t := range toks {
		if (t.cls == cNewline || t.cls == cContinuation) && i+1 < len(toks) {
			starts = append(starts, i+1)
		}
	}
	return starts
}

// lineEnd returns the index just past the newline ending the line that
// starts at toks[s].
func lineEnd(toks []token, s int) int {
	for i := s; i < len(toks); i++ {
		if toks[i].cls == cNewline || toks[i].cls == cContinuation {
			return i + 1
		}
	}
	return len(toks)
}

var indents = []string{" ", "  ", "    ", "        ", "\t", "\t\t", " \t", "\t ", "\f", "   ", "\t    ", "    \t"}

func reindentLine(r *rng, toks []token) ([]token, string) {
	if len(toks) == 0 {
		return insertToken(r, toks)
	}
	starts := lineStarts(toks)
	s := pick(r, starts)
	old := toks[s].pre
	var what string
	switch r.intn(4) {
	case 0:
		toks[s].pre = pick(r, indents) + old
		what = "indent more"
	case 1:
		toks[s].pre = old[:r.intn(len(old)+1)]
		what = "indent less"
	case 2:
		toks[s].pre = strings.ReplaceAll(old, "        ", "\t")
		if toks[s].pre == old {
			toks[s].pre = strings.ReplaceAll(old, "\t", "    ")
		}
		what = "tabs for spaces"
	default:
		toks[s].pre = pick(r, indents)
		what = "indent anew"
	}
	return toks, fmt.Sprintf("%s line %d (%q to %q)", what, lineOf(toks, s), old, toks[s].pre)
}

func deleteLine(r *rng, toks []token) ([]token, string) {
	starts := lineStarts(toks)
	if len(starts) < 2 {
		return deleteToken(r, toks)
	}
	k := r.intn(len(starts))
	s, e := starts[k], lineEnd(toks, starts[k])
	what := fmt.Sprintf("delete line %d", lineOf(toks, s))
	return append(append([]token(nil), toks[:s]...), toks[e:]...), what
}

func duplicateLine(r *rng, toks []token) ([]token, string) {
	starts := lineStarts(toks)
	k := r.intn(len(starts))
	s, e := starts[k], lineEnd(toks, starts[k])
	line := append([]token(nil), toks[s:e]...)
	if len(line) == 0 || line[len(line)-1].cls != cNewline {
		line = append(line, token{text: "\n", cls: cNewline})
	}
	for i := range line {
		if line[i].cls == cEnd {
			line[i].cls = cOther
		}
	}
	out := append(append(append([]token(nil), toks[:e]...), line...), toks[e:]...)
	return out, fmt.Sprintf("duplicate line %d", lineOf(toks, s))
}

func joinLines(r *rng, toks []token) ([]token, string) {
	i := at(r, toks, func(t token) bool { return t.cls == cNewline || t.cls == cContinuation })
	if i < 0 || i+1 >= len(toks) {
		return splitLine(r, toks)
	}
	what := fmt.Sprintf("join line %d with the next", lineOf(toks, i))
	next := toks[i+1].pre
	toks = removeAt(toks, i)
	toks[i].pre = pick(r, []string{" ", "", next, "; "})
	if toks[i].pre == "; " {
		toks[i].pre = ""
		toks = insertAt(toks, i, token{text: ";", cls: cOp})
		toks[i+1].pre = " "
	}
	return toks, what
}

func splitLine(r *rng, toks []token) ([]token, string) {
	i := at(r, toks, notNewline)
	if i < 0 {
		return insertToken(r, toks)
	}
	nl := pick(r, []string{"\n", "\n", "\\\n", "\r\n", "\r"})
	what := fmt.Sprintf("break the line before %s with %q", describe(toks, i), nl)
	cls := cNewline
	if nl == "\\\n" {
		cls = cContinuation
	}
	pre := toks[i].pre
	toks = insertAt(toks, i, token{pre: pre, text: nl, cls: cls})
	toks[i+1].pre = pick(r, append([]string{""}, indents...))
	return toks, what
}

// stringDamage are edits of a string literal's text.
var stringDamage = []func(r *rng, s string) string{
	func(r *rng, s string) string { return s[:len(s)-1] }, // drop the closing quote
	func(r *rng, s string) string { return strings.TrimLeft(s, "rRbBuUfF")[1:] },
	func(r *rng, s string) string {
		return pick(r, []string{"f", "b", "rb", "u", "bf", "fr", "ub", "B", "F", "Rb", "z"}) + strings.TrimLeft(s, "rRbBuUfF")
	},
	func(r *rng, s string) string {
		return insertInside(r, s, pick(r, []string{"{", "}", "{x", "{x!z}", "{x:{y:{z}}}", "{=}", "{x!}", "{:", "{lambda x: 1}", "{yield}", "{*x}", "{x=!a}", "{#}", "{\\n}"}))
	},
	func(r *rng, s string) string {
		return insertInside(r, s, pick(r, []string{`\N{foo}`, `\N{`, `\x`, `\x4`, `\u12`, `\U1234567`, `\777`, `\d`, `\N{LATIN SMALL LETTER A}`, `\U00110000`}))
	},
	func(r *rng, s string) string {
		return insertInside(r, s, pick(r, []string{"\n", "é", "\x00", "\u00ff", "'", `"`, "\\"}))
	},
}

// insertInside inserts ins somewhere after the opening quote of string s.
func insertInside(r *rng, s, ins string) string {
	q := strings.IndexAny(s, `'"`)
	if q < 0 || q+1 > len(s) {
		return s + ins
	}
	i := q + 1 + r.intn(len(s)-q)
	return s[:i] + ins + s[i:]
}

func damageString(r *rng, toks []token) ([]token, string) {
	i := at(r, toks, func(t token) bool { return t.cls == cString && len(t.text) >= 2 })
	if i < 0 {
		return insertOdd(r, toks)
	}
	old := toks[i].text
	toks[i].text = pick(r, stringDamage)(r, old)
	return toks, fmt.Sprintf("damage the string %q on line %d into %q", old, lineOf(toks, i), toks[i].text)
}

func damageNumber(r *rng, toks []token) ([]token, string) {
	i := at(r, toks, func(t token) bool { return t.cls == cNumber })
	if i < 0 {
		return insertToken(r, toks)
	}
	old := toks[i].text
	switch r.intn(5) {
	case 0:
		toks[i].text = old + pick(r, []string{"_", "j", "e", "x", "L", "__1", "a", ".", "e+", "_j", "0x"})
	case 1:
		toks[i].text = pick(r, []string{"0", "0x", "0o", "0b", "1_", "00"}) + old
	case 2:
		toks[i].text = pick(r, []string{"0b2", "0o8", "09", "1__0", "1_e5", "0x_", "1.e", "0_7", "1e", "0xg", "1_000_", "5.j", "012"})
	default:
		k := r.intn(len(old) + 1)
		toks[i].text = old[:k] + pick(r, []string{"_", ".", "e", "j", "x"}) + old[k:]
	}
	return toks, fmt.Sprintf("damage the number %q into %q", old, toks[i].text)
}

// oddities are characters that are not Python tokens, or not where they
// land.
var oddities = []string{"$", "?", "`", "\x00", "\xff", "\xc3", "\u00a0", "\u200b", "\u20ac", "\f", "\r", "\\", "\x1b", "\u2028", "\ufeff", "\u00e9", "\U0001F600", "\u0660", "'", `"`, "'''", "#", "\t", "!"}

func insertOdd(r *rng, toks []token) ([]token, string) {
	if len(toks) == 0 {
		// Every token is gone, the end marker included (seed 3, mutant
		// 40397 of the 3.13.0 stdlib corpus).
		v := pick(r, oddities)
		return []token{{text: v, cls: cOther}}, fmt.Sprintf("insert %q into nothing", v)
	}
	i := r.intn(len(toks))
	v := pick(r, oddities)
	t := token{pre: toks[i].pre, text: v, cls: cOther}
	toks[i].pre = pick(r, []string{"", " "})
	return insertAt(toks, i, t), fmt.Sprintf("insert %q on line %d", v, lineOf(toks, i))
}

// prefixes are what a source may start with: encoding declarations (good,
// unknown, mismatched with the text), a BOM, future imports.
var prefixes = []string{
	"# -*- coding: latin-1 -*-\n", "# coding: bogus\n", "# coding=utf-8\n", "\ufeff",
	"\ufeff# coding: latin-1\n", "#!/usr/bin/python\n# vim: set fileencoding=ascii :\n",
	"from __future__ import annotations\n", "from __future__ import braces\n",
	"from __future__ import barry_as_FLUFL\n", "from __future__ import nested_scopes, bogus\n",
	"x = 1\nfrom __future__ import annotations\n", "# coding: utf-16\n",
}

func sourcePrefix(r *rng, toks []token) ([]token, string) {
	v := pick(r, prefixes)
	return insertAt(toks, 0, token{text: v, cls: cOther}), fmt.Sprintf("start with %q", v)
}
