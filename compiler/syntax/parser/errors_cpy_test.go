package parser

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/release"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/syntaxerr"
	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

// errorScript compiles each file as ast.parse does and reports the
// exception (or "ok"), with CPython's tokens of the file.
const errorScript = `
import sys, json, ast, io, tokenize, _tokenize
out = []
for path in json.load(sys.stdin):
    data = open(path, 'rb').read()
    r = {}
    try:
        compile(data, path, 'exec', ast.PyCF_ONLY_AST)
        r['ok'] = True
    except BaseException as e:
        r['type'] = type(e).__name__
        if isinstance(e, SyntaxError):
            r['msg'] = e.msg
            r['pos'] = [e.lineno, e.offset, e.end_lineno, e.end_offset]
            r['text'] = e.text
        else:
            r['msg'] = str(e)
    try:
        text = data.decode('utf-8')
        text = text.replace('\r\n', '\n').replace('\r', '\n')
        if not text.endswith('\n'):
            text += '\n'
        toks = [[t[0], t[2][0], t[2][1], t[3][0], t[3][1]]
                for t in _tokenize.TokenizerIter(io.StringIO(text).readline, extra_tokens=False)]
        r['tokens'] = {'text': [ord(c) for c in text], 'toks': toks}
    except Exception as e:
        r['tokerr'] = repr(e)
    out.append(r)
print(json.dumps(out))
`

type errorAnswer struct {
	OK     bool      `json:"ok"`
	Type   string    `json:"type"`
	Msg    string    `json:"msg"`
	Pos    []*int    `json:"pos"`
	Text   *string   `json:"text"`
	Tokens cpyTokens `json:"tokens"`
	TokErr string    `json:"tokerr"`
}

func readCases(t *testing.T, name string) []string {
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var cases []string
	for _, c := range strings.Split(string(data), "\n----\n") {
		var lines []string
		for _, l := range strings.Split(c, "\n") {
			if !strings.HasPrefix(l, "# ") && l != "#" {
				lines = append(lines, l)
			}
		}
		c = strings.Join(lines, "\n")
		if strings.TrimSpace(c) != "" {
			cases = append(cases, strings.TrimRight(c, "\n")+"\n")
		}
	}
	return cases
}

func fmtErr(e *syntaxerr.Error) string {
	if e == nil {
		return "ok"
	}
	return fmt.Sprintf("%s: %q at (%d, %d, %d, %d) text %q", e.Type, e.Msg, e.Lineno, e.Offset, e.EndLineno, e.EndOffset, e.Text)
}

func wantErr(a errorAnswer) string {
	if a.OK {
		return "ok"
	}
	if a.Pos == nil {
		return fmt.Sprintf("%s: %q", a.Type, a.Msg)
	}
	v := func(p *int) int {
		if p == nil {
			return -999
		}
		return *p
	}
	text := ""
	if a.Text != nil {
		text = *a.Text
	}
	return fmt.Sprintf("%s: %q at (%d, %d, %d, %d) text %q", a.Type, a.Msg, v(a.Pos[0]), v(a.Pos[1]), v(a.Pos[2]), v(a.Pos[3]), text)
}

// TestErrorsWithCPythonTokens compares the errors of invalid programs
// (testdata/errors.txt) with the interpreter's, parsing CPython's own
// tokens. Programs CPython's tokenizer rejects are left to the tests with
// the real tokenizer.
func TestErrorsWithCPythonTokens(t *testing.T) {
	var py pythons.Interpreter
	found := false
	for _, in := range pythons.Find(t) {
		if in.Major == 3 && in.Minor == 13 {
			py, found = in, true
		}
	}
	if !found {
		t.Skip("no CPython 3.13 on the host")
	}
	cases := readCases(t, "errors.txt")
	dir := t.TempDir()
	var paths []string
	for i, c := range cases {
		p := filepath.Join(dir, fmt.Sprintf("case%03d.py", i))
		if err := os.WriteFile(p, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	var answers []errorAnswer
	py.RunJSON(t, errorScript, paths, &answers)
	rel := release.Release{Major: py.Major, Minor: py.Minor, Micro: py.Micro}
	bad, skipped := 0, 0
	for i, a := range answers {
		if a.TokErr != "" {
			skipped++
			continue
		}
		text, toks := tokensFromCPython(a.Tokens)
		l := &sliceLexer{toks: toks, src: text, raw: []byte(cases[i]), filename: paths[i]}
		p := newParser(l, config{filename: paths[i], rel: rel, src: text})
		_, err := p.parseModule()
		p.release()
		got, want := fmtErr(err), wantErr(a)
		if got != want {
			bad++
			t.Errorf("case %d %q:\n got %s\nwant %s", i, cases[i], got, want)
		}
	}
	t.Logf("%d cases, %d differ, %d left to the real tokenizer", len(cases), bad, skipped)
}
