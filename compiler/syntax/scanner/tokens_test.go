package scanner_test

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"strings"
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/release"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/scanner"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/source"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/token"
)

// validCases are sources the tokenizer accepts whole, chosen for the
// corners of CPython's tokenizer. Many are not valid programs: the
// parser would reject them, the tokenizer does not.
var validCases = []errorCase{
	// Lines, indentation, continuation.
	{"empty", ""},
	{"only newline", "\n"},
	{"only comment", "# just a comment"},
	{"blank lines", "\n\n   \n\t\n"},
	{"no final newline", "x = 1"},
	{"crlf", "if x:\r\n    y = 1\r\n"},
	{"cr only", "if x:\r    y = 1\r\rz\r"},
	{"mixed newlines", "a\r\nb\rc\nd"},
	{"form feed", "\fx = 1\n\f\nif x:\n\f    y\n"},
	{"tabs", "if x:\n\tif y:\n\t\tz\n\tw\n"},
	{"tab indentation consistent", "if x:\n\ta\n\tb\n"},
	{"dedent several", "if a:\n  if b:\n    if c:\n      d\ne\n"},
	{"dedent at eof", "if a:\n  if b:\n    c"},
	{"comment lines in block", "if a:\n    b\n  # comment\n# comment\n    c\n"},
	{"continuation", "x = 1 + \\\n    2\n"},
	{"continuation crlf", "x = 1 + \\\r\n    2\r\n"},
	{"continuation indentation", "if x:\n  \\\n  y\n"},
	{"continuation blank", "x = \\\n\\\n1\n"},
	{"brackets over lines", "x = (1,\n  2,\n\n  # c\n  3)\n"},
	{"deep brackets", "x = " + strings.Repeat("(", 199) + strings.Repeat(")", 199) + "\n"},
	{"deep indentation", deepIndent(98)},
	{"semicolons", "a; b;c\n"},
	// Strings.
	{"prefixes", "r'' u'' R\"\" U\"\" b'' B'' br'' rb'' Br'' bR'' RB'' rB''\n"},
	{"triple quotes", "'''a\nb''' \"\"\"c\n\"d\"\"\"\n"},
	{"empty strings", "'' \"\" '''''' \"\"\"\"\"\"\n"},
	{"escaped quotes", "'a\\'b' \"c\\\"d\" '''e\\'''f'''\n"},
	{"escaped newline", "'a\\\nb'\n"},
	{"escaped crlf", "'a\\\r\nb'\r\n"},
	{"raw backslash", "r'\\\\' + r'a\\\\b' + r'\\''\n"},
	{"non-ascii string", "'été 中文 😀'\n"},
	{"invalid utf-8 comment", "# \xff\xfe\nx = 1\n"},
	{"bytes", "b'\\x00\\xff' b'''\nx'''\n"},
	{"adjacent strings", "'a' 'b' f'c' rb'd'\n"},
	{"prefix-like names", "bu ub rr ff bf fb ur f r b u\n"},
	{"string after name", "print'x'\n"},
	// f-strings.
	{"fstring simple", "f'a{b}c'\n"},
	{"fstring prefixes", "f'' F'' rf'' fr'' Rf'' fR'' FR'' RF'' rF'' Fr''\n"},
	{"fstring triple", "f'''a\n{b}\nc'''\n"},
	{"fstring nested", "f'{f\"{x}\"}'\n"},
	{"fstring same quotes", "f'{'a' + f'{'b'}'}'\n"},
	{"fstring conversion", "f'{a!r} {b!s:>10} {c!a}'\n"},
	{"fstring format spec nested", "f'{a:{b}.{c}f}'\n"},
	{"fstring spec with colon", "f'{a:%H:%M}'\n"},
	{"fstring debug", "f'{a=} {b = } {c=!r} {d=:>5} {e=!s:{w}}'\n"},
	{"fstring debug expr", "f'{a + b=} {f(x, y)=}'\n"},
	{"fstring debug comparison", "f'{a!=b} {a==b=} {a<=b}'\n"},
	{"fstring walrus", "f'{(x:=1)}'\n"},
	{"fstring lambda", "f'{(lambda x: x)(1)}'\n"},
	{"fstring dict", "f'{ {1: 2}[1] }'\n"},
	{"fstring braces", "f'{{}} {{a}} }}{{'\n"},
	{"fstring braces around field", "f'{{{a}}}'\n"},
	{"fstring named escape", "f'\\N{BULLET}{a}\\N{EM DASH}'\n"},
	{"fstring raw backslash", "rf'\\{a}\\\\' fr'\\N{x}'\n"},
	{"fstring escaped quote", "f'a\\'b{c}'\n"},
	{"fstring backslash in expr", "f'{\"\\n\".join(a)}'\n"},
	{"fstring multiline expr", "f'''{\na\n+\nb\n}'''\n"},
	{"fstring comment in expr", "f'''{a # c\n}'''\n"},
	{"fstring debug comment", "f'''{a = # c\n}'''\n"},
	{"fstring debug hash in string", "f'{\"#\" = }'\n"},
	{"fstring format spec newline triple", "f'''{a:\n}'''\n"},
	{"fstring empty spec", "f'{a:}'\n"},
	{"fstring spec braces", "f'{a:{{}}}'\n"},
	{"fstring in spec debug", "f'{a:{b=}}'\n"},
	{"fstring two levels", "f'{a:{b:{c}}}'\n"},
	{"fstring non-ascii", "f'été {été} {\"中\"}'\n"},
	{"fstring continuation", "f'a\\\nb{c}'\n"},
	{"fstring crlf", "f'''a\r\n{b}\r\n'''\r\n"},
	{"fstring nested eq", "f'{a[b==c]}' f'{d(e=1)}'\n"},
	{"fstring debug in call", "f'{f(a=1)=}'\n"},
	// Numbers.
	{"integers", "0 00 0_0 7 1_000 0x_1f 0XAB 0o_17 0O7 0b_1 0B10\n"},
	{"floats", "1. .5 1.5 1e5 1E-5 1e+5 0e0 00.5 09.5 1_0.2_5e1_0 0.0\n"},
	{"imaginary", "1j 1J 0j 1.5j .5j 1e5j 09j 00j\n"},
	{"number keywords", "1if x else y\n[0x1for x in y]\n1or 2\n1and 2\n1in x\n1is x\n1not in x\n0o7if 1 else 2\n0b1else\n1.5if a else b\n1jif a else b\n1e5or 2\n"},
	{"warning numbers", "x = [0x1for x in y]\nz = 1if y else 2\nw = 1or 2\nv = 0o7and 1\nu = 1.5is 2\n"},
	{"warning fstring escape", "x = f'\\{6}'\ny = f'\\}}'\n"},
	{"number dots", "1..real 1 .real x.y ...\n"},
	{"number then name", "1 abc\n"},
	// Operators.
	{"operators", "+ - * / // % ** @ << >> & | ^ ~ < > <= >= == != <> -> : := , ; . ... = += -= *= /= //= %= **= @= <<= >>= &= |= ^= ! ( ) [ ] { }\n"},
	{"odd punctuation", "$ ? `\n"},
	{"backslash in expression", "x = [1,\\\n2]\n"},
	// Identifiers.
	{"non-ascii names", "été = 中文 + Привет + ᾩ + ℘ + ℮ + _x\n"},
	{"nfkc names", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 = ﬁ + ª\n"},
	{"xid continue", "a\u0301 = x\u200d + y\u200c\n"},
	{"soft keywords", "match case type _\n"},
	{"keywords", "False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield\n"},
	// Decoding.
	{"bom", "\xef\xbb\xbfx = 1\n"},
	{"cookie latin-1", "# -*- coding: latin-1 -*-\nx = 'é\xe9'\n"},
	{"cookie cp1252", "# coding=cp1252\nx = '\x80\x9f'\n"},
	{"cookie line 2", "#!/usr/bin/env python\n# vim: set fileencoding=iso-8859-15 :\nx = '\xa4'\n"},
	{"cookie koi8-r names", "# coding: koi8-r\n\xc1\xc2 = 1\n"},
	{"cookie with crlf", "# coding: cp1251\r\nx = '\xe0'\r\n"},
	{"cookie bom utf-8", "\xef\xbb\xbf# coding: utf-8\nx = 1\n"},
	{"cookie uppercase", "# CODING: latin-1\nx = 'é'\n"},
	{"cookie utf-8 variants", "# coding: UTF_8-unix\nx = 1\n"},
}

// TestValidTokens compares the tokens of every valid case with
// TokenizerIter's, and the SyntaxWarnings with compile()'s where compile()
// accepts the source.
func TestValidTokens(t *testing.T) {
	_, paths := writeCases(t, validCases)
	for _, in := range oracles(t) {
		t.Run(in.Version, func(t *testing.T) {
			rel := in.Release()
			var toks []pyTokens
			in.RunLines(t, tokensScript, paths, func(line []byte) {
				var r pyTokens
				if err := json.Unmarshal(line, &r); err != nil {
					t.Fatalf("oracle output: %v", err)
				}
				toks = append(toks, r)
			})
			var files [][2]string
			for _, p := range paths {
				files = append(files, [2]string{p, "x.py"})
			}
			var compiled []compileResult
			in.RunLines(t, compileScript, map[string]any{"files": files, "werror": false}, func(line []byte) {
				var r compileResult
				if err := json.Unmarshal(line, &r); err != nil {
					t.Fatalf("oracle output: %v", err)
				}
				compiled = append(compiled, r)
			})
			for i, c := range validCases {
				raw, err := os.ReadFile(paths[i])
				if err != nil {
					t.Fatal(err)
				}
				src, err := source.Decode(raw, "x.py", rel)
				if err != nil {
					t.Errorf("%s: %v", c.name, err)
					continue
				}
				if toks[i].Skip != "" {
					// Bytes that are not UTF-8 where the tokenizer does
					// not look (a comment): TokenizerIter can't read
					// them, compile() accepts them.
					if _, serr, _ := scanAll(src, scanner.Options{Filename: "x.py"}); serr != nil || compiled[i].Err != nil {
						t.Errorf("%s: scanner %v, compile() %v", c.name, serr, compiled[i].Err)
					}
					continue
				}
				if toks[i].Err != nil {
					t.Errorf("%s: not a valid case: the oracle's tokenizer fails: %v", c.name, toks[i].Err)
					continue
				}
				if d := compareTokens(src, toks[i]); d != "" {
					t.Errorf("%s %q: %s", c.name, clip(raw), d)
				}
				_, serr, s := scanAll(src, scanner.Options{Filename: "x.py"})
				if serr != nil {
					t.Errorf("%s: %v", c.name, serr)
				}
				if strings.HasPrefix(c.name, "warning") && (compiled[i].Err != nil || len(compiled[i].Warnings) == 0) {
					t.Errorf("%s: meant to compile with warnings: %v, %v", c.name, compiled[i].Err, compiled[i].Warnings)
				}
				if compiled[i].Err != nil {
					continue
				}
				var gw, ww []string
				for _, w := range s.Warnings() {
					gw = append(gw, fmt.Sprintf("%d %s", w.Lineno, w.Msg))
				}
				for _, w := range compiled[i].Warnings {
					ww = append(ww, fmt.Sprintf("%d %s", pyInt(w[1]), w[0]))
				}
				if strings.Join(gw, "|") != strings.Join(ww, "|") {
					t.Errorf("%s: warnings %q, want %q", c.name, gw, ww)
				}
			}
		})
	}
}

// TestKeywordKinds scans every valid case with and without
// Options.Keywords: the tokens must be the same but for the kinds of the
// NAME tokens that spell a keyword (token.Lookup of their text).
func TestKeywordKinds(t *testing.T) {
	rel := release.Release{Major: 3, Minor: 13, Micro: 0}
	for _, c := range validCases {
		src, err := source.Decode([]byte(c.src), "x.py", rel)
		if err != nil {
			continue
		}
		plain, perr, _ := scanAll(src, scanner.Options{Filename: "x.py"})
		kw, kerr, _ := scanAll(src, scanner.Options{Filename: "x.py", Keywords: true})
		if (perr == nil) != (kerr == nil) || len(plain) != len(kw) {
			t.Errorf("%s: %d tokens and %v without Keywords, %d and %v with", c.name, len(plain), perr, len(kw), kerr)
			continue
		}
		for i, p := range plain {
			if p.Kind == token.NAME {
				p.Kind = token.Lookup(string(src.Text[p.Off:p.EndOff]))
			}
			if p != kw[i] {
				t.Errorf("%s: token %d is %+v with Keywords, want %+v", c.name, i, kw[i], p)
			}
		}
	}
}

// TestQuickPath compares the scanner with and without the quick path of
// the regular mode's common tokens (regular, against normal alone) on
// every valid and error case and on random sources, for both ends of
// 3.13, with and without Options.Keywords.
func TestQuickPath(t *testing.T) {
	srcs := []string{"", "x", "x ", "x\t\f.y", "a.b.c(1)\n", "a .5\n", "a..b\n", "a...\n", "f.'x'\n", "x.\n", "(x\n.y)\n",
		"rb'x' rbx'y' bb'z' r\"\" f'{a}' u''\n", "x\n  \n\ty\n", "if x:\n  y.z = 'q'\n",
		"if a:\n    b\n    c\n  d\n", "if a:\n    b\n\tc\n", "if a:\n \tb\n \tc\n", "x = (\n  1,\n    2\n)\n", "a\n\n  \n#c\n  #d\nb\n",
		"if a:\n  b\n  )\n", "if a:\n  b\n  1\n  .5\n  'x'\n  rb''\n  é\n", "a\n\\\nb\n", "a\r\n  b\r\n", "if a:\n  b\n  ", "a\\\n.b\n", "é.x\n", "xé\n", "\x00\n", "a\v\n"}
	for _, c := range validCases {
		srcs = append(srcs, c.src)
	}
	for _, c := range errorCases {
		srcs = append(srcs, c.src)
	}
	r := rand.New(rand.NewSource(7))
	n := 3000
	if testing.Short() {
		n = 500
	}
	for range n {
		srcs = append(srcs, randomSource(r, 1+r.Intn(40)))
	}
	for _, micro := range []int{0, 18} {
		rel := release.Release{Major: 3, Minor: 13, Micro: micro}
		for _, raw := range srcs {
			src, err := source.Decode([]byte(raw), "x.py", rel)
			if err != nil {
				continue
			}
			for _, kw := range []bool{false, true} {
				if d := scanner.QuickDiff(src, scanner.Options{Filename: "x.py", Keywords: kw}); d != "" {
					t.Errorf("3.13.%d, keywords %v, %q: %s", micro, kw, raw, d)
				}
			}
		}
	}
}
