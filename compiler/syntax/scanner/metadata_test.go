package scanner_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/release"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/scanner"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/source"
)

// debugCases are f-strings made of one debug replacement field: the
// parser turns the metadata of the first token after the expression that
// carries one (the '!', ':' or '}') into the field's text, the first value
// of the JoinedStr.
var debugCases = []errorCase{
	{"plain", "f'{x=}'\n"},
	{"spaces", "f'{ x = }'\n"},
	{"conversion", "f'{x=!r}'\n"},
	{"conversion spec", "f'{x = !s:>10}'\n"},
	{"spec", "f'{x=:>10}'\n"},
	{"nested spec", "f'{x=:>{w}.{p}}'\n"},
	{"call keyword", "f'{f(a=1)=}'\n"},
	{"comparison", "f'{x==y=} '\n"},
	{"not equal", "f'{x!=y=}'\n"},
	{"not equal numbers", "f'{1!=2=}'\n"},
	{"not equal conversion", "f'{1!=2=!r}'\n"},
	{"not equal spec", "f'{a!=b=:>9}'\n"},
	{"walrus", "f'{(x:=1)=}'\n"},
	{"subscript string", "f'{d[\"a\"]=}'\n"},
	{"comment", "f'''{x # a comment\n=}'''\n"},
	{"comment after equal", "f'''{x = # a comment\n}'''\n"},
	{"two comments", "f'''{x # one\n+ y # two\n=}'''\n"},
	{"hash in string", "f'{\"#\"=}'\n"},
	{"hash in string and comment", "f'''{\"#\" # c\n=}'''\n"},
	{"escaped quote hash", "f'''{'\\'#' # c\n=}'''\n"},
	{"escaped quote double", `f"""{"\"#" # c` + "\n" + `=}"""` + "\n"},
	{"escaped backslash then quote", `f'''{'\\' # c` + "\n" + `=}'''` + "\n"},
	{"escape in comment", `f'''{x # \' c` + "\n" + `=}'''` + "\n"},
	{"escape outside string", `f'''{x # c` + "\n" + `+ "\\" # d` + "\n" + `=}'''` + "\n"},
	{"multiline", "f'''{\nx\n+\ny\n=}'''\n"},
	{"non-ascii", "f'{été = }'\n"},
	{"lambda", "f'{(lambda x: x)=}'\n"},
	{"nested fstring", "f'{f\"{x}\"=}'\n"},
	{"dict", "f'{ {\"a\": 1}=}'\n"},
	{"crlf", "f'''{x\r\n=}'''\r\n"},
}

// TestDebugMetadata compares the metadata the scanner attaches for each
// debug case with the text CPython's parser made of it.
func TestDebugMetadata(t *testing.T) {
	_, paths := writeCases(t, debugCases)
	for _, in := range oracles(t) {
		t.Run(in.Version, func(t *testing.T) {
			i := 0
			in.RunLines(t, `
import sys, json, ast
for path in json.load(sys.stdin):
    with open(path, 'rb') as f:
        raw = f.read()
    try:
        v = ast.parse(raw).body[0].value
        print(json.dumps(v.values[0].value if isinstance(v, ast.JoinedStr) and isinstance(v.values[0], ast.Constant) else None))
    except SyntaxError as e:
        print(json.dumps({"error": str(e)}))
`, paths, func(line []byte) {
				c := debugCases[i]
				i++
				var want any
				if err := json.Unmarshal(line, &want); err != nil {
					t.Fatal(err)
				}
				w, ok := want.(string)
				if !ok {
					t.Errorf("%s: not a debug f-string to CPython: %v", c.name, want)
					return
				}
				raw, err := os.ReadFile(paths[i-1])
				if err != nil {
					t.Fatal(err)
				}
				src, err := source.Decode(raw, "x.py", in.Release())
				if err != nil {
					t.Fatal(err)
				}
				toks, serr, sc := scanAll(src, scanner.Options{Filename: "x.py"})
				if serr != nil {
					t.Fatalf("%s: %v", c.name, serr)
				}
				got := "(none)"
				for _, tok := range toks {
					if m := sc.Metadata(&tok); m != "" {
						got = m
						break
					}
				}
				if strings.Contains(got, "\\") && !in.Release().AtLeast(release.Release{Major: 3, Minor: 13, Micro: 16}) {
					// Earlier parsers decode escape sequences in the debug
					// text (as in a literal part of the f-string): the
					// AST does not show the metadata as it is.
					return
				}
				if got != w {
					t.Errorf("%s %q: metadata %q, CPython's debug text %q", c.name, c.src, got, w)
				}
			})
		})
	}
}
