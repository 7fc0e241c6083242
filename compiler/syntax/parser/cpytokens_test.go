package parser

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/rules-pyc/rules_pyc/compiler/release"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/syntaxerr"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/token"
	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

// This file tests the parser on its own, with the tokens of CPython's own
// tokenizer (_tokenize.TokenizerIter), and compares the trees through
// CPython's ast.dump: the tree is rebuilt from JSON in the interpreter.

// tokenizeScript tokenizes files as CPython's parser sees them: decoded,
// without a BOM, newlines translated, a final newline added.
const tokenizeScript = `
import sys, json, io, tokenize, _tokenize
out = []
for path in json.load(sys.stdin):
    data = open(path, 'rb').read()
    try:
        enc, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(enc)
        if text.startswith('\ufeff'):
            text = text[1:]
        text = text.replace('\r\n', '\n').replace('\r', '\n')
        if not text.endswith('\n'):
            text += '\n'
        toks = [[t[0], t[2][0], t[2][1], t[3][0], t[3][1]]
                for t in _tokenize.TokenizerIter(io.StringIO(text).readline, extra_tokens=False)]
        out.append({'text': [ord(c) for c in text], 'toks': toks})
    except Exception as e:
        out.append({'error': repr(e)})
print(json.dumps(out))
`

type cpyTokens struct {
	Text  []rune   `json:"text"`
	Toks  [][5]int `json:"toks"`
	Error string   `json:"error"`
}

// sliceLexer hands out tokens computed beforehand.
type sliceLexer struct {
	toks     []token.Token
	i        int
	src      string
	raw      []byte
	filename string
}

func (l *sliceLexer) Next(t *token.Token) *syntaxerr.Error {
	if l.i >= len(l.toks) {
		*t = l.toks[len(l.toks)-1]
		return nil
	}
	*t = l.toks[l.i]
	l.i++
	return nil
}

// tokensFromCPython converts TokenizerIter's tokens (character columns) to
// the parser's (byte columns and offsets, bracket levels, the debug text
// of f"{x=}" on the token after the "=").
func tokensFromCPython(c cpyTokens) (string, []token.Token) {
	text := string(c.Text)
	// Byte offset of each line start; column conversion per line.
	var lines []string
	for _, l := range strings.SplitAfter(text, "\n") {
		lines = append(lines, l)
	}
	lineOff := make([]int, len(lines)+2)
	off := 0
	for i, l := range lines {
		lineOff[i+1] = off
		off += len(l)
	}
	lineOff[len(lines)+1] = off
	byteCol := func(line, col int) int {
		if col < 0 || line < 1 || line > len(lines) {
			return col
		}
		s := lines[line-1]
		b := 0
		for i := 0; i < col && b < len(s); i++ {
			_, size := utf8.DecodeRuneInString(s[b:])
			b += size
		}
		return b
	}
	var out []token.Token
	level := 0
	for _, t := range c.Toks {
		kind := token.Kind(t[0])
		tk := token.Token{Kind: kind}
		tk.Start = token.Pos{Line: t[1], Col: byteCol(t[1], t[2])}
		tk.End = token.Pos{Line: t[3], Col: byteCol(t[3], t[4])}
		if tk.Start.Col >= 0 && t[1] <= len(lines) {
			tk.Off = lineOff[t[1]] + tk.Start.Col
		}
		if tk.End.Col >= 0 && t[3] <= len(lines) {
			tk.EndOff = lineOff[t[3]] + tk.End.Col
		}
		if tk.Start.Col < 0 {
			tk.Off, tk.EndOff = 0, 0
		}
		switch kind {
		case token.LPAR, token.LSQB, token.LBRACE:
			level++
		case token.RPAR, token.RSQB, token.RBRACE:
			level--
		}
		tk.Level = level
		// An implicit NEWLINE spans one column to CPython's parser.
		if kind == token.NEWLINE && tk.End == tk.Start && tk.Start.Col >= 0 {
			tk.End.Col++
		}
		// TokenizerIter ends a literal part written "{{" or "}}" before its
		// second brace; the parser's token ends after it.
		if kind == token.FSTRING_MIDDLE && tk.EndOff > tk.Off && tk.EndOff < len(text) {
			if c := text[tk.EndOff-1]; (c == '{' || c == '}') && text[tk.EndOff] == c {
				tk.End.Col++
			}
		}
		out = append(out, tk)
	}
	// Debug text: a field "{" expr "=" followed by "!", ":" or "}": the
	// text between the "{" and that token goes on the latter.
	type open struct {
		i     int
		field bool
	}
	var stack []open
	for i := range out {
		k := out[i].Kind
		if i > 0 && out[i-1].Kind == token.EQUAL && len(stack) > 0 && stack[len(stack)-1].field &&
			(k == token.EXCLAMATION || k == token.COLON || k == token.RBRACE) {
			out[i].Metadata = text[out[stack[len(stack)-1].i].EndOff:out[i].Off]
		}
		switch k {
		case token.LPAR, token.LSQB, token.LBRACE:
			field := k == token.LBRACE && i > 0 && (out[i-1].Kind == token.FSTRING_START || out[i-1].Kind == token.FSTRING_MIDDLE ||
				out[i-1].Kind == token.COLON && len(stack) > 0 && stack[len(stack)-1].field)
			stack = append(stack, open{i, field})
		case token.RPAR, token.RSQB, token.RBRACE:
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		}
	}
	return text, out
}

// astJSON serializes a tree for rebuilding in Python.
func astJSON(n any) any {
	if n == nil {
		return nil
	}
	v := reflect.ValueOf(n)
	if v.Kind() == reflect.Pointer && v.IsNil() {
		return nil
	}
	node, ok := n.(ast.Node)
	if !ok {
		panic(fmt.Sprintf("astJSON: %T", n))
	}
	info := node.Class().Info()
	m := map[string]any{"_class": info.Name}
	ev := v.Elem()
	for _, f := range info.Fields {
		fv := ev.FieldByName(f.GoName)
		m[f.Name] = fieldJSON(fv, f.Type)
	}
	if loc, ok := n.(ast.Located); ok {
		l := loc.Location()
		m["lineno"], m["col_offset"], m["end_lineno"], m["end_col_offset"] = l.Lineno, l.ColOffset, l.EndLineno, l.EndColOffset
	}
	if ti, ok := n.(*ast.TypeIgnore); ok {
		m["lineno"] = ti.Lineno
	}
	return m
}

func fieldJSON(fv reflect.Value, typ string) any {
	switch {
	case strings.HasSuffix(typ, "*"):
		out := []any{}
		for i := 0; i < fv.Len(); i++ {
			out = append(out, fieldJSON(fv.Index(i), strings.TrimSuffix(typ, "*")))
		}
		return out
	}
	base := strings.TrimSuffix(typ, "?")
	switch base {
	case "identifier", "string":
		s := fv.String()
		if s == "" && strings.HasSuffix(typ, "?") {
			return nil
		}
		return s
	case "int":
		return fv.Int()
	case "constant":
		return valueJSON(fv.Interface().(ast.Value))
	case "expr_context", "boolop", "operator", "unaryop", "cmpop":
		return map[string]any{"_enum": fmt.Sprint(fv.Interface())}
	}
	if fv.Kind() == reflect.Interface || fv.Kind() == reflect.Pointer {
		if fv.IsNil() {
			return nil
		}
		return astJSON(fv.Interface())
	}
	panic("fieldJSON: " + typ)
}

func valueJSON(v ast.Value) any {
	switch v.Kind() {
	case ast.NoneKind:
		return map[string]any{"k": "None"}
	case ast.BoolKind:
		return map[string]any{"k": "bool", "v": v.Bool()}
	case ast.EllipsisKind:
		return map[string]any{"k": "Ellipsis"}
	case ast.IntKind:
		return map[string]any{"k": "int", "v": v.BigInt().String()}
	case ast.FloatKind:
		return map[string]any{"k": "float", "v": strconv.FormatUint(math.Float64bits(v.Float()), 10)}
	case ast.ComplexKind:
		re, im := v.Complex()
		return map[string]any{"k": "complex", "re": strconv.FormatUint(math.Float64bits(re), 10), "im": strconv.FormatUint(math.Float64bits(im), 10)}
	case ast.StrKind:
		cps := []int{}
		s := v.Str()
		for i := 0; i < len(s); {
			r, size := ast.DecodeCodePoint(s[i:])
			cps = append(cps, int(r))
			i += size
		}
		return map[string]any{"k": "str", "v": cps}
	case ast.BytesKind:
		bs := []int{}
		for _, b := range []byte(v.Bytes()) {
			bs = append(bs, int(b))
		}
		return map[string]any{"k": "bytes", "v": bs}
	}
	panic("valueJSON")
}

// compareScript rebuilds each tree and compares its dump with CPython's.
const compareScript = `
import sys, json, ast, struct
def val(j):
    k = j['k']
    if k == 'None': return None
    if k == 'bool': return j['v']
    if k == 'Ellipsis': return ...
    if k == 'int': return int(j['v'])
    if k == 'float': return struct.unpack('<d', struct.pack('<Q', int(j['v'])))[0]
    if k == 'complex':
        re = struct.unpack('<d', struct.pack('<Q', int(j['re'])))[0]
        im = struct.unpack('<d', struct.pack('<Q', int(j['im'])))[0]
        return complex(re, im)
    if k == 'str': return ''.join(map(chr, j['v']))
    if k == 'bytes': return bytes(j['v'])
def build(j):
    if isinstance(j, list): return [build(x) for x in j]
    if not isinstance(j, dict): return j
    if '_enum' in j: return getattr(ast, j['_enum'])()
    if 'k' in j and '_class' not in j: return val(j)
    cls = getattr(ast, j['_class'])
    node = cls.__new__(cls)
    for k, v in j.items():
        if k == '_class': continue
        setattr(node, k, build(v))
    return node
req = json.load(sys.stdin)
out = []
for path, tree in req:
    want = ast.dump(ast.parse(open(path, 'rb').read(), path), include_attributes=True)
    got = ast.dump(build(tree), include_attributes=True)
    if want == got:
        out.append(None)
    else:
        i = 0
        while i < min(len(want), len(got)) and want[i] == got[i]: i += 1
        out.append([want[max(0,i-150):i+150], got[max(0,i-150):i+150]])
print(json.dumps(out))
`

func parseWithTokens(text string, toks []token.Token, rel release.Release) (*ast.Module, *syntaxerr.Error) {
	p := newParser(&sliceLexer{toks: toks, src: text, raw: []byte(text), filename: "x.py"}, config{filename: "x.py", rel: rel, src: text})
	defer p.release()
	return p.parseModule()
}

var _ = json.Marshal
var _ = pythons.Find

// TestStdlibWithCPythonTokens parses the standard library of a 3.13
// interpreter from CPython's tokens and compares each tree's dump.
func TestStdlibWithCPythonTokens(t *testing.T) {
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
	std := py.Stdlib(t)
	files := std.Files
	if only := os.Getenv("PARSER_TEST_FILES"); only != "" {
		files = strings.Split(only, ",")
	}
	// A fixed sample by default (every 8th file, every 40th with -short);
	// PARSER_FULL=1 parses them all.
	if os.Getenv("PARSER_FULL") == "" {
		step := 8
		if testing.Short() {
			step = 40
		}
		var sample []string
		for i := 0; i < len(files); i += step {
			sample = append(sample, files[i])
		}
		files = sample
	}
	rel := release.Release{Major: py.Major, Minor: py.Minor, Micro: py.Micro}
	const batch = 200
	fails := 0
	for lo := 0; lo < len(files); lo += batch {
		hi := min(lo+batch, len(files))
		var paths []string
		for _, f := range files[lo:hi] {
			paths = append(paths, std.Root+"/"+f)
		}
		var toks []cpyTokens
		py.RunJSON(t, tokenizeScript, paths, &toks)
		var req [][2]any
		var idx []int
		for i, c := range toks {
			if c.Error != "" {
				continue
			}
			text, tk := tokensFromCPython(c)
			m, err := parseWithTokens(text, tk, rel)
			if err != nil {
				fails++
				t.Errorf("%s: %v (%s)", paths[i], err, err.Msg)
				continue
			}
			req = append(req, [2]any{paths[i], astJSON(m)})
			idx = append(idx, i)
		}
		var res []any
		py.RunJSON(t, compareScript, req, &res)
		for j, r := range res {
			if r != nil {
				fails++
				if fails < 30 {
					d := r.([]any)
					t.Errorf("%s: dumps differ:\nwant %s\ngot  %s", paths[idx[j]], d[0], d[1])
				}
			}
		}
	}
	t.Logf("%d files, %d failures", len(files), fails)
}
