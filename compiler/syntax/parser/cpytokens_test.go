package parser

import (
	"encoding/json"
	"strings"
	"unicode/utf8"

	"github.com/rules-pyc/rules_pyc/compiler/release"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/syntaxerr"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/token"
	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

// This file feeds the parser the tokens of CPython's own tokenizer
// (_tokenize.TokenizerIter), to measure the parser alone
// (BenchmarkParseCPythonTokens).

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
	// meta holds the debug texts the tokens' Meta refer to.
	meta []string
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

func (l *sliceLexer) NextReusing(t *token.Token) *syntaxerr.Error { return l.Next(t) }

func (l *sliceLexer) Metadata(t *token.Token) string {
	if t.Meta == 0 {
		return ""
	}
	return l.meta[t.Meta-1]
}

// tokensFromCPython converts TokenizerIter's tokens (character columns) to
// the parser's (byte columns and offsets, bracket levels, the debug text
// of f"{x=}" on the token after the "=").
func tokensFromCPython(c cpyTokens) (string, []token.Token, []string) {
	text := string(c.Text)
	// Byte offset of each line start; column conversion per line.
	lines := strings.SplitAfter(text, "\n")
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
		tk.Start = token.Pos{Line: int32(t[1]), Col: int32(byteCol(t[1], t[2]))}
		tk.End = token.Pos{Line: int32(t[3]), Col: int32(byteCol(t[3], t[4]))}
		if tk.Start.Col >= 0 && t[1] <= len(lines) {
			tk.Off = int32(lineOff[t[1]]) + tk.Start.Col
		}
		if tk.End.Col >= 0 && t[3] <= len(lines) {
			tk.EndOff = int32(lineOff[t[3]]) + tk.End.Col
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
		tk.Level = uint16(level)
		// An implicit NEWLINE spans one column to CPython's parser.
		if kind == token.NEWLINE && tk.End == tk.Start && tk.Start.Col >= 0 {
			tk.End.Col++
		}
		// TokenizerIter ends a literal part written "{{" or "}}" before its
		// second brace; the parser's token ends after it.
		if kind == token.FSTRING_MIDDLE && tk.EndOff > tk.Off && int(tk.EndOff) < len(text) {
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
	var meta []string
	for i := range out {
		k := out[i].Kind
		if i > 0 && out[i-1].Kind == token.EQUAL && len(stack) > 0 && stack[len(stack)-1].field &&
			(k == token.EXCLAMATION || k == token.COLON || k == token.RBRACE) {
			meta = append(meta, text[out[stack[len(stack)-1].i].EndOff:out[i].Off])
			out[i].Meta = int32(len(meta))
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
	return text, out, meta
}

// parseWithTokens parses text from toks as Parse parses a source: an
// optimistic first pass, and the whole parse again if that pass is
// abandoned (see ahead.go).
func parseWithTokens(text string, toks []token.Token, meta []string, rel release.Release) (*ast.Module, *syntaxerr.Error) {
	cfg := config{filename: "x.py", rel: rel, src: text}
	warnings := 0
	p := newParser(&sliceLexer{toks: toks, src: text, raw: []byte(text), filename: "x.py", meta: meta}, cfg)
	p.optimistic, p.limit, p.levelLimit, p.tokWarnings = true, optimisticLimit, optimisticLimit, &warnings
	m, serr := p.parseModule()
	abandoned := p.abandon
	p.release()
	if !abandoned {
		return m, serr
	}
	p = newParser(&sliceLexer{toks: toks, src: text, raw: []byte(text), filename: "x.py", meta: meta}, cfg)
	defer p.release()
	return p.parseModule()
}

var _ = json.Marshal
var _ = pythons.Find
