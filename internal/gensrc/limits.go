package gensrc

import (
	"fmt"
	"strings"
)

// genLimits makes a construct at or around one of CPython's limits: the
// parser's stack of 6000 nested rule calls (MemoryError), the tokenizer's
// 200 nested brackets, 100 indentation levels and 150 nested f-strings,
// format specs nested past 2 levels, 4300-digit ints, and lines longer than
// the 999-byte pieces an error's text is read back in.
func genLimits(r *rng) (string, []byte) {
	switch r.intn(8) {
	case 0, 1:
		return deepChain(r)
	case 2:
		return deepBrackets(r)
	case 3:
		return deepIndent(r)
	case 4:
		return deepFString(r)
	case 5:
		return hugeLiteral(r)
	case 6:
		return longLine(r)
	default:
		return manyItems(r)
	}
}

// links are constructs that nest an expression, with their opening text,
// closing text, and the rule calls each level costs in CPython's parser
// (roughly: the chain's total is aimed around the limit, not computed).
var links = []struct {
	open, close string
	cost        int
}{
	{"-", "", 1}, {"+", "", 1}, {"~", "", 1}, {"not ", "", 1}, {"await ", "", 1},
	{"lambda:", "", 2}, {"lambda x:", "", 2}, {"2**", "", 2}, {"a if b else ", "", 1},
	{"x or ", "", 1}, {"x and ", "", 1}, {"x + ", "", 1}, {"x * ", "", 1}, {"x | ", "", 1},
	{"(", ")", 14}, {"[", "]", 14}, {"f(", ")", 16}, {"x[", "]", 16}, {"{", "}", 14},
	{"*", "", 1}, {"yield ", "", 2},
}

// deepChain nests random links until their cost is near the parser's
// limit, in a random statement context, ending with a valid or an invalid
// innermost expression.
func deepChain(r *rng) (string, []byte) {
	target := r.between(5900, 6030)
	if r.chance(1, 4) {
		target = r.between(100, 6030)
	}
	var kinds []int
	switch r.intn(3) {
	case 0: // one kind
		kinds = []int{r.intn(len(links))}
	case 1: // two kinds
		kinds = []int{r.intn(len(links)), r.intn(len(links))}
	default:
		for i := 0; i < 4; i++ {
			kinds = append(kinds, r.intn(len(links)))
		}
	}
	var open strings.Builder
	var closes []string
	cost, brackets := 0, 0
	for cost < target {
		l := links[pick(r, kinds)]
		if l.close != "" {
			if brackets >= 190 {
				l = links[0]
			} else {
				brackets++
			}
		}
		open.WriteString(l.open)
		if l.close != "" {
			closes = append(closes, l.close)
		}
		cost += l.cost
	}
	inner := pick(r, []string{"1", "x", "x y", "1 +", "x = 1", "f(x)", "x)", "", "lambda", "*x", "yield", "x.", "(x := 1)", "'s'", "f'{x}'"})
	var b strings.Builder
	b.WriteString(open.String())
	b.WriteString(inner)
	for i := len(closes) - 1; i >= 0; i-- {
		b.WriteString(closes[i])
	}
	e := b.String()
	ctx := pick(r, []string{"x = %s\n", "%s\n", "def f():\n    return %s\n", "f(%s)\n", "%s = 1\n", "y: %s\n",
		"for x in %s: pass\n", "if %s:\n    pass\n", "x = [%s]\n", "print(f'{%s}')\n", "assert %s\n", "del %s\n",
		"with %s as y: pass\n", "class C(%s): pass\n", "x = %s y\n", "x = %s,\n", "@%s\ndef f(): pass\n"})
	return fmt.Sprintf("chain of %d (cost %d) in %q, innermost %q", len(kinds), cost, ctx, inner), []byte(fmt.Sprintf(ctx, e))
}

func deepBrackets(r *rng) (string, []byte) {
	n := r.between(190, 205)
	if r.chance(1, 5) {
		n = r.between(1, 205)
	}
	pairs := map[byte]byte{'(': ')', '[': ']', '{': '}'}
	var open []byte
	for i := 0; i < n; i++ {
		open = append(open, pick(r, []byte("(([{")))
	}
	var b strings.Builder
	b.WriteString(pick(r, []string{"x = ", "", "f", "def f(): return ", "x = f'{"}))
	for i, c := range open {
		b.WriteByte(c)
		if r.chance(1, 40) {
			b.WriteString(pick(r, []string{"\n", "\\\n", "\r\n", "  # c\n"}))
		}
		_ = i
	}
	b.WriteString(pick(r, []string{"1", "", "x y", "x,", "*x", "lambda: 1"}))
	damage := r.intn(6)
	for i := len(open) - 1; i >= 0; i-- {
		c := pairs[open[i]]
		switch {
		case damage == 1 && i == len(open)/2:
			c = ')'
		case damage == 2 && i < 3:
			continue
		}
		b.WriteByte(c)
	}
	if damage == 3 {
		b.WriteString(")")
	}
	b.WriteString("\n")
	if damage == 4 {
		b.WriteString("y = (\n")
	}
	return fmt.Sprintf("%d brackets, damage %d", n, damage), []byte(b.String())
}

func deepIndent(r *rng) (string, []byte) {
	n := r.between(95, 103)
	if r.chance(1, 5) {
		n = r.between(1, 103)
	}
	var b strings.Builder
	unit := pick(r, []string{" ", "  ", "\t", " \t", "\f "})
	header := pick(r, []string{"if x:", "while x:", "for x in y:", "with x:", "try:", "def f():", "class C:", "if x:  # c", "match x:\n%scase 1:"})
	for i := 0; i < n; i++ {
		h := header
		if strings.Contains(h, "%s") {
			h = fmt.Sprintf(h, strings.Repeat(unit, i+1))
			i++
		}
		if r.chance(1, 30) {
			b.WriteString(strings.Repeat(unit, i) + pick(r, []string{"# comment", "", "\f", "pass;"}) + "\n")
		}
		b.WriteString(strings.Repeat(unit, i) + h + "\n")
	}
	end := pick(r, []string{"pass", "x = 1", "pass\n" + strings.Repeat(unit, n/2) + "pass", "pass\n" + strings.Repeat(unit, n/2) + " pass",
		"pass\n" + strings.Repeat(unit, n+1) + "pass", "", "'''\n'''", "(\n)"})
	b.WriteString(strings.Repeat(unit, n) + end + "\n")
	if strings.HasPrefix(header, "try") {
		b.WriteString("finally: pass\n")
	}
	return fmt.Sprintf("%d levels of %q under %q", n, unit, header), []byte(b.String())
}

func deepFString(r *rng) (string, []byte) {
	n := r.between(140, 152)
	if r.chance(1, 4) {
		n = r.between(1, 152)
	}
	quote := pick(r, []string{"'", "\"", "'''"})
	var b strings.Builder
	b.WriteString("x = ")
	for i := 0; i < n; i++ {
		b.WriteString(pick(r, []string{"f", "rf", "F"}) + quote + pick(r, []string{"", "a", " "}) + "{")
	}
	b.WriteString(pick(r, []string{"1", "x", "x!r", "x=", "x:>{w}", "", "x:{a:{b:{c}}}"}))
	for i := 0; i < n; i++ {
		b.WriteString("}" + quote)
	}
	b.WriteString("\n")
	spec := r.between(1, 4)
	if r.chance(1, 3) {
		// Format specs nested spec levels deep.
		b.Reset()
		b.WriteString("x = f'{x:")
		for i := 0; i < spec; i++ {
			b.WriteString("{y:")
		}
		for i := 0; i < spec; i++ {
			b.WriteString("}")
		}
		b.WriteString("}'\n")
		return fmt.Sprintf("format spec nested %d deep", spec), []byte(b.String())
	}
	return fmt.Sprintf("%d nested f-strings in %s", n, quote), []byte(b.String())
}

func hugeLiteral(r *rng) (string, []byte) {
	digits := func(n int, set string) string {
		var b strings.Builder
		b.WriteByte(set[1+r.intn(len(set)-1)])
		for i := 1; i < n; i++ {
			if r.chance(1, 50) {
				b.WriteByte('_')
			}
			b.WriteByte(set[r.intn(len(set))])
		}
		return b.String()
	}
	switch r.intn(6) {
	case 0:
		n := pick(r, []int{4299, 4300, 4301, 4302, 5000, 640, 641, 10000})
		return fmt.Sprintf("%d decimal digits", n), []byte("x = " + digits(n, "0123456789") + "\n")
	case 1:
		n := r.between(3500, 3700)
		return fmt.Sprintf("%d hex digits", n), []byte("x = 0x" + digits(n, "0123456789abcdef") + "\n")
	case 2:
		n := r.between(10, 400)
		return fmt.Sprintf("float of %d digits", n), []byte("x = " + digits(n, "0123456789") + "." + digits(n, "0123456789") + "e-" + fmt.Sprint(r.intn(400)) + "\n")
	case 3:
		n := r.between(1000, 100000)
		return fmt.Sprintf("string of %d characters", n), []byte("x = '" + strings.Repeat(pick(r, []string{"a", "é", "\\n", "\U0001F600"}), n) + "'\n")
	case 4:
		n := r.between(4290, 4310)
		return fmt.Sprintf("%d decimal digits, then an error", n), []byte("x = " + digits(n, "0123456789") + pick(r, []string{" +", "\ny = (", " x"}) + "\n")
	}
	n := r.between(4300, 20000)
	return fmt.Sprintf("binary of %d digits", n), []byte("x = 0b" + digits(n, "01") + "\n")
}

// longLine makes a line longer than 999 bytes with an error at a random
// place of it, so that the error's text is read back in pieces.
func longLine(r *rng) (string, []byte) {
	n := r.between(900, 4100)
	unit := pick(r, []string{"x + ", "é + ", "\U0001F600 ", "'é' + ", "a, ", "f(x)+", "中 + "})
	var b strings.Builder
	b.WriteString(pick(r, []string{"", "# -*- coding: latin-1 -*-\n", "\ufeff", "x = 1\n", "# coding: utf-8\n"}))
	b.WriteString("x = ")
	count := 0
	errAt := r.intn(n)
	for b.Len() < n {
		if count == errAt/len(unit) {
			b.WriteString(pick(r, []string{"$ ", "x y ", "1 = ", ") ", "\x00", "\xff", "'a", "(  "}))
		}
		b.WriteString(unit)
		count++
	}
	b.WriteString(pick(r, []string{"x\n", "x", "(\n", "x\ny\n", "x y\n"}))
	return fmt.Sprintf("line of %d bytes of %q", b.Len(), unit), []byte(b.String())
}

func manyItems(r *rng) (string, []byte) {
	n := r.between(1000, 30000)
	switch r.intn(4) {
	case 0:
		return fmt.Sprintf("%d statements", n), []byte(strings.Repeat("x = 1\n", n) + pick(r, []string{"", "x y\n", "(\n"}))
	case 1:
		return fmt.Sprintf("list of %d", n), []byte("x = [" + strings.Repeat("1, ", n) + pick(r, []string{"]", "", "1 2]"}) + "\n")
	case 2:
		return fmt.Sprintf("%d continuation lines", n), []byte("x = 1" + strings.Repeat(" \\\n+ 1", n) + pick(r, []string{"\n", "", " \\\n", " +\n"}))
	}
	return fmt.Sprintf("%d concatenated strings", n), []byte("x = (" + strings.Repeat("'a' f'{x}' ", n/10+1) + ")\n")
}
