package scanner_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/syntax/scanner"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/source"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/syntaxerr"
	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

// compileScript compiles each file named in its input with
// compile(bytes, name, 'exec', ast.PyCF_ONLY_AST) and prints the exception
// (type and attributes, or the message of a non-SyntaxError) and the
// SyntaxWarnings, one JSON line per file. With "-W error" style input it
// turns the warnings into errors.
const compileScript = `
import sys, json, ast, warnings
args = json.load(sys.stdin)
if args["werror"]:
    warnings.simplefilter("error")
else:
    warnings.simplefilter("always")
for path, name in args["files"]:
    with open(path, 'rb') as f:
        raw = f.read()
    r = None
    with warnings.catch_warnings(record=not args["werror"]) as ws:
        if not args["werror"]:
            warnings.simplefilter("always")
        try:
            compile(raw, name, 'exec', ast.PyCF_ONLY_AST)
        except SyntaxError as e:
            r = [type(e).__name__, e.msg, e.lineno, e.offset, e.end_lineno, e.end_offset, e.text]
        except Exception as e:
            r = [type(e).__name__, str(e)]
    wl = [[str(w.message), w.lineno] for w in (ws or []) if w.category is SyntaxWarning]
    print(json.dumps({"err": r, "warnings": wl}))
`

type compileResult struct {
	Err      []any   `json:"err"`
	Warnings [][]any `json:"warnings"`
}

// pyInt is a JSON number or null (-999) as the oracle sends it.
func pyInt(v any) int {
	if f, ok := v.(float64); ok {
		return int(f)
	}
	return -999
}

// describe writes an error the way the oracle's list does, for comparison.
func describe(e *syntaxerr.Error) string {
	if e == nil {
		return "no error"
	}
	if !e.Type.IsSyntaxError() {
		return fmt.Sprintf("%s: %s", e.Type, e.Msg)
	}
	li, of, el, eo := e.Lineno, e.Offset, e.EndLineno, e.EndOffset
	if e.NoLocation {
		li, of, el, eo = -999, -999, -999, -999
	} else if e.NoEnd {
		el, eo = -999, -999
	}
	text := "None"
	if e.HasText {
		text = fmt.Sprintf("%q", e.Text)
	}
	return fmt.Sprintf("%s %q %d %d %d %d %s", e.Type, e.Msg, li, of, el, eo, text)
}

func describeOracle(r []any) string {
	if r == nil {
		return "no error"
	}
	if len(r) == 2 {
		return fmt.Sprintf("%s: %s", r[0], r[1])
	}
	text := "None"
	if s, ok := r[6].(string); ok {
		text = fmt.Sprintf("%q", s)
	}
	return fmt.Sprintf("%s %q %d %d %d %d %s", r[0], r[1], pyInt(r[2]), pyInt(r[3]), pyInt(r[4]), pyInt(r[5]), text)
}

// tokenizerErrorsOf decodes and scans raw to its first error, as CPython's
// parser meets it when the tokens before it are valid.
func tokenizerErrorOf(raw []byte, name string, in pythons.Interpreter, fileBacked, werror bool) (*syntaxerr.Error, []scanner.Warning) {
	src, err := source.Decode(raw, name, in.Release())
	if err != nil {
		if se, ok := err.(*syntaxerr.Error); ok {
			return se, nil
		}
		return &syntaxerr.Error{Type: 99, Msg: err.Error()}, nil
	}
	_, serr, s := scanAll(src, scanner.Options{Filename: name, FileBacked: fileBacked, WarningsAsErrors: werror})
	return serr, s.Warnings()
}

// errorCase is a source whose SyntaxError comes from the tokenizer (or the
// decoding): the tokens before the error are a valid prefix of a program,
// so CPython's parser reaches the error token.
type errorCase struct {
	name string
	src  string
}

// werrorOnly names the error cases whose tokenizer error is a
// SyntaxWarning made an error: without -W error the parser fails first.
var werrorOnly = map[string]bool{"number then if-like": true}

var errorCases = []errorCase{
	// Indentation.
	{"dedent", "if x:\n    a\n  b\n"},
	{"dedent deep", "if x:\n  if y:\n      a\n    b\n"},
	{"tab then spaces", "if 1:\n\tx\n        y\n"},
	{"spaces then tab", "if 1:\n        x\n\ty\n"},
	{"tab indent altcol", "if 1:\n    \tx\n\t    y\n"},
	{"tab vs spaces deeper", "if 1:\n\tif 2:\n\t\tx\n\t        y\n"},
	{"formfeed resets", "if 1:\n  x\n\f  y\n"},
	{"continuation in indentation", "if 1:\n  x\n \\\n   y\n"},
	{"continuation indentation dedent", "if 1:\n    x\n  \\\n  y\n"},
	{"too deep", strings.Repeat("", 0) + deepIndent(100)},
	{"unindent to tab", "if 1:\n\tif 2:\n\t\tx\n\t  y\n"},
	// Line continuation.
	{"char after continuation", "x = 1 \\ y\n"},
	{"continuation then comment", "x = 1 + \\ # c\n 2\n"},
	{"continuation at eof", "x = \\"},
	{"continuation at eof newline", "x = \\\n"},
	{"continuation twice", "x = 1 + \\\n\\ y\n"},
	{"continuation after multiline", "x = '''a\nb''' \\ c\n"},
	// Strings.
	{"unterminated", "x = 'abc\n"},
	{"unterminated eof", "x = 'abc"},
	{"unterminated double", "x = \"abc\ny = 2\n"},
	{"unterminated escaped quote", "x = 'abc\\'\n"},
	{"unterminated triple", "x = '''abc\n\ndef\n"},
	{"unterminated triple double", "x = 1\ny = \"\"\"abc\nd"},
	{"unterminated bytes", "x = b'abc\n"},
	{"unterminated raw", "x = r'abc\\\n"},
	{"unterminated non-ascii", "x = 'été\n"},
	{"unterminated after unicode", "é = 1; x = 'a\n"},
	{"unterminated escaped newline", "x = 'a\\\nb\n"},
	// Numbers.
	{"decimal underscore end", "x = 1_\n"},
	{"decimal double underscore", "x = 1__0\n"},
	{"decimal letter", "x = 1abc\n"},
	{"decimal letter underscore", "x = 1_a\n"},
	{"hex empty", "x = 0x\n"},
	{"hex underscore end", "x = 0x1_\n"},
	{"hex letter", "x = 0x1g\n"},
	{"octal digit", "x = 0o8\n"},
	{"octal later digit", "x = 0o17_9\n"},
	{"octal empty", "x = 0o\n"},
	{"octal letter", "x = 0o1a\n"},
	{"binary digit", "x = 0b2\n"},
	{"binary later digit", "x = 0b1_0_3\n"},
	{"binary empty", "x = 0b_\n"},
	{"binary letter", "x = 0b1x\n"},
	{"leading zeros", "x = 0777\n"},
	{"leading zeros underscore", "x = 0_7\n"},
	{"leading zeros non-ascii before", "é = 0777\n"},
	{"zero underscore end", "x = 0_\n"},
	{"float exponent sign", "x = 1e+\n"},
	{"float exponent letter", "x = 1ex\n"},
	{"float exponent underscore", "x = 1e1_\n"},
	{"float fraction underscore", "x = 1.5_\n"},
	{"imaginary letter", "x = 1jx\n"},
	{"float letter", "x = 1.5x\n"},
	{"dot number letter", "x = .5x\n"},
	{"zero float letter", "x = 0.e\n"},
	{"number then not keyword", "x = 1not in y\n"},
	{"number then keyword-like", "x = 1andy\n"},
	{"number then if-like", "x = 1ifx\n"},
	// Brackets.
	{"unmatched paren", "x = )\n"},
	{"unmatched bracket", "x = 1]\n"},
	{"unmatched brace", "x = }\n"},
	{"mismatch", "x = (]\n"},
	{"mismatch other line", "x = (\n]\n"},
	{"mismatch brace", "x = [1, 2}\n"},
	{"never closed", "x = (1,\n"},
	{"never closed nested", "x = [(1,\n 2), {3:\n"},
	{"never closed non-ascii", "é = (1,\n"},
	{"too many nested", "x = " + strings.Repeat("(", 200) + "\n"},
	// Characters.
	{"control character", "x = \x01\n"},
	{"delete character", "x = 1\x7f\n"},
	{"euro in name", "x = a€\n"},
	{"euro alone", "x = €\n"},
	{"nbsp", "x = \u00a0\n"},
	{"zero width space in name", "x = a\u200bb\n"},
	{"invalid start char", "x = ¹\n"},
	{"combining mark start", "x = \u0301a\n"},
	{"invalid char mid name", "abc = déf€ghi\n"},
	{"invalid char end", "x = abc€\n"},
	{"invalid utf-8 identifier", "x = \xff\n"},
	{"invalid utf-8 in name", "x = ab\xc3(\n"},
	{"invalid utf-8 continuation", "x = a\xe2\x82x\n"},
	{"invalid utf-8 truncated", "x = a\xe2\x82\n"},
	{"invalid utf-8 surrogate", "x = \xed\xa0\x80\n"},
	{"invalid utf-8 after bom", "\xef\xbb\xbfx = \xff\n"},
	// f-strings.
	{"fstring single close brace", "f'}'\n"},
	{"fstring single close brace later", "f'abc }'\n"},
	{"fstring unmatched paren", "f'{)}'\n"},
	{"fstring unmatched bracket in expr", "f'{a]}'\n"},
	{"fstring unterminated", "f'abc\n"},
	{"fstring unterminated expr", "f'{a\n"},
	{"fstring unterminated triple", "f'''abc\n\n"},
	{"fstring unterminated triple expr", "x = f'''{a\n"},
	{"fstring nested too deeply", "f'{a:{b:{c:{d}}}}'\n"},
	{"fstring string quote", "f'{'a\n"},
	{"fstring newline in spec", "x = f'{1:\n}'\n"},
	{"fstring newline in spec triple", "x = f'''{1:\n}'''\n"},
	{"fstring backslash brace", "f'\\{x}'\n"},
	{"fstring named escape", "f'\\N{BULLET} {x}'\n"},
	{"fstring nested unterminated", "f'{f\"{x\n"},
	{"fstring double brace then error", "f'{{}}}'\n"},
	{"fstring in format spec unmatched", "f'{x:}}'\n"},
	{"fstring too many nested", deepFString(150)},
	// Error lines read back from the file (long lines, newlines, codecs).
	{"long line never closed", "x = (" + strings.Repeat("a", 1500) + "\n"},
	{"long line never closed later", "y = 1\nx = [" + strings.Repeat("é", 700) + ",\n"},
	{"long line dedent", "if x:\n    a\n  " + strings.Repeat("b", 1200) + "\n"},
	{"long line split character", "x = (" + strings.Repeat("a", 993) + "é" + strings.Repeat("b", 10) + "\n"},
	{"long line exact piece", "x = (" + strings.Repeat("a", 993) + "\n"},
	{"long line continuation", strings.Repeat("a", 1100) + " \\ b\n"},
	{"long previous line", strings.Repeat("#", 2500) + "\nx = (\n"},
	{"cr newlines never closed", "x = 1\ry = (1,\r"},
	{"crlf dedent", "if x:\r\n    a\r\n  b\r\n"},
	{"bom never closed", "\xef\xbb\xbfx = (1,\n"},
	{"latin-1 never closed", "# coding: latin-1\nx = ('\xe9\xe9',\n"},
	{"latin-1 dedent", "# coding: latin-1\nif x:\n    a = '\xe9'\n  b = '\xe8'\n"},
	{"cp1252 tab error", "# coding: cp1252\nif 1:\n\tx = '\x80'\n        y = '\x80'\n"},
	{"invalid utf-8 dedent", "if x:\n    a\n  b = '\xff'\n"},
	{"never closed earlier line", "x = (1,\n\n\n"},
	{"latin-1 never closed earlier line", "# coding: latin-1\nx = ('\xe9',\n\n\n"},
	{"cp1252 never closed earlier line", "# coding: cp1252\n\nx = ['\x80\xe9',\n1,\n"},
	{"never closed two brackets", "x = (\ny = [1,\n"},
	// Decoding.
	{"null byte", "x = 1\x00\n"},
	{"unknown encoding", "# coding: foo\n"},
	{"unknown encoding line 2", "#!python\n# -*- coding: nope -*-\nx = 1\n"},
	{"not text encoding", "# coding: hex\n"},
	{"not text encoding alias", "# coding: rot13\nx = 1\n"},
	{"undefined encoding", "# coding: undefined\nx = 1\n"},
	{"bom with latin-1", "\xef\xbb\xbf# coding: latin-1\n"},
	{"bom with utf8 spelling", "\xef\xbb\xbf# coding: utf8\n"},
	{"bom with utf-8", "\xef\xbb\xbf# coding: UTF-8\nx = \xff\n"},
	{"ascii undecodable", "# coding: ascii\nx = 1\ny = '\xff'\n"},
	{"ascii crlf position", "\r\n# coding: ascii\r\nx = '\xff'\n"},
	{"cp1252 undefined", "# coding: cp1252\nx = '\x81'\n"},
	{"cp1255 undefined", "# coding: cp1255\nx = '\xca'\n"},
	{"utf8 spelled strict", "# coding: utf8\nx = '\xff'\n"},
	{"utf-8 not validated", "# coding: utf-8\nx = \xff\n"},
	{"cookie after code", "x = 1\n# coding: ascii\nx = \xe9\n"},
	{"cookie blank first line", "\n# coding: ascii\nx = '\xe9'\n"},
	{"cookie empty name then second", "# coding:\n# coding: ascii\nx='\xe9'\n"},
	{"cookie vim", "#!/usr/bin/python\n# vim: set fileencoding=nope :\n"},
	{"cookie not in comment", "x = 1 # coding: nope\n"},
	{"cookie short line", "#coding=x\n"},
	{"latin-1 then error", "# coding: latin-1\nx = '\xe9' $ 1\ny = é€\n"},
	{"koi8-u then error", "# coding: koi8_u\nx = (\n\xae\xbe)\n"},
	{"cp037 cookie ebcdic", "# coding: cp037\nx = 1\n"},
	{"mac_roman error", "# coding: mac_roman\nx = (\n\x80\x81 )\n"},
	{"iso8859-5 error", "# coding: iso-8859-5\n\xb0 = (\n"},
}

// deepIndent nests n blocks, one more than CPython allows at n = 100.
func deepIndent(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteString(strings.Repeat(" ", i))
		b.WriteString("if x:\n")
	}
	b.WriteString(strings.Repeat(" ", n))
	b.WriteString("pass\n")
	return b.String()
}

// deepFString nests n f-strings.
func deepFString(n int) string {
	var b strings.Builder
	b.WriteString("x = ")
	quotes := []string{"'", "\"", "'''", "\"\"\""}
	for i := 0; i < n; i++ {
		b.WriteString("f" + quotes[i%4] + "{")
	}
	b.WriteString("1")
	for i := n - 1; i >= 0; i-- {
		b.WriteString("}" + quotes[i%4])
	}
	b.WriteString("\n")
	return b.String()
}

// writeCases writes each case's source to a file of its own.
func writeCases(t *testing.T, cases []errorCase) (string, []string) {
	t.Helper()
	dir := t.TempDir()
	paths := make([]string, len(cases))
	for i, c := range cases {
		paths[i] = filepath.Join(dir, fmt.Sprintf("case%03d.py", i))
		if err := os.WriteFile(paths[i], []byte(c.src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir, paths
}

// TestErrors compares the error of every error case with CPython's
// compile(), for a source compiled under a name that is no file (the
// error's text then comes from the tokenizer's buffers) and under its own
// file's name (the text is read back from the file), with SyntaxWarnings
// as warnings and as errors.
func TestErrors(t *testing.T) {
	_, paths := writeCases(t, errorCases)
	for _, in := range oracles(t) {
		for _, mode := range []struct {
			name               string
			fileBacked, werror bool
		}{{"buffer", false, false}, {"file", true, false}, {"werror", false, true}} {
			t.Run(in.Version+"/"+mode.name, func(t *testing.T) {
				var files [][2]string
				for _, p := range paths {
					name := "x.py"
					if mode.fileBacked {
						name = p
					}
					files = append(files, [2]string{p, name})
				}
				var results []compileResult
				in.RunLines(t, compileScript, map[string]any{"files": files, "werror": mode.werror}, func(line []byte) {
					var r compileResult
					if err := json.Unmarshal(line, &r); err != nil {
						t.Fatalf("oracle output: %v", err)
					}
					results = append(results, r)
				})
				for i, c := range errorCases {
					if werrorOnly[c.name] && !mode.werror {
						continue
					}
					got, warnings := tokenizerErrorOf([]byte(c.src), files[i][1], in, mode.fileBacked, mode.werror)
					if g, w := describe(got), describeOracle(results[i].Err); g != w {
						t.Errorf("%s %q:\n got %s\nwant %s", c.name, clip([]byte(c.src)), g, w)
					}
					if got == nil || !mode.werror {
						var gw, ww []string
						for _, w := range warnings {
							gw = append(gw, fmt.Sprintf("%d %s", w.Lineno, w.Msg))
						}
						for _, w := range results[i].Warnings {
							ww = append(ww, fmt.Sprintf("%d %s", pyInt(w[1]), w[0]))
						}
						if strings.Join(gw, "|") != strings.Join(ww, "|") && got == nil {
							t.Errorf("%s: warnings %q, want %q", c.name, gw, ww)
						}
					}
				}
			})
		}
	}
}
