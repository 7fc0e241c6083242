package parser

import (
	"bytes"
	"unicode/utf8"

	"github.com/rules-pyc/rules_pyc/compiler/syntax/syntaxerr"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/token"
)

// lexer is the tokenizer as the parser drives it: one token at a time, and
// its state when an error is reported.
type lexer interface {
	// Next scans the next token into t. When the tokenizer fails it sets
	// t.Kind to ERRORTOKEN and returns the error if it raised one itself
	// (CPython's lexer raising SyntaxError), nil if the state's Done code
	// tells what went wrong (E_EOF, E_DEDENT, ...).
	Next(t *token.Token) *syntaxerr.Error
	// State returns the tokenizer's state as error reporting reads it.
	State() lexState
}

// lexState is what CPython's error reporting reads from its tokenizer
// (struct tok_state). Offsets are byte offsets into the decoded source.
type lexState struct {
	// Done is the tokenizer's status: eOK, eEOF, eDone, or an error code.
	Done int
	// Lineno is the line the tokenizer is on.
	Lineno int
	// Cur is where the tokenizer is; LineStart the start of its line; Buf
	// the start of the buffered text (the current line, or the first line
	// of a token spanning several); Inp the end of the buffered text.
	Cur, LineStart, Buf, Inp int
	// Parens are the open brackets, innermost last.
	Parens []paren
	// FStringDepth is the number of f-strings the tokenizer is inside;
	// FStringRaw tells whether the innermost one is raw.
	FStringDepth int
	FStringRaw   bool
}

// paren is an open bracket: its character and where it is (1-based line,
// 0-based byte column).
type paren struct {
	Char      byte
	Line, Col int
}

// fileLine returns line n of the source as CPython reads it back from the
// file to show with an error (_PyErr_ProgramDecodedTextObject): with
// universal newlines, in chunks of at most 999 bytes of which the line's
// last one is kept, up to a NUL byte, decoded with the source's declared
// encoding (errors replaced) or as strict UTF-8 when none is declared. ok
// is false when CPython gets no line (n beyond the file, or undecodable).
func (p *Parser) fileLine(n int) (string, bool) {
	if p.noFile || n <= 0 {
		return "", false
	}
	raw := p.raw
	pos := 0
	buf := make([]byte, 0, 999)
	// fgets reads one chunk as Py_UniversalNewlineFgets does with a
	// 1000-byte buffer: up to 999 bytes, through the first newline, with
	// "\r\n" and a lone "\r" read as "\n".
	fgets := func() bool {
		buf = buf[:0]
		for len(buf) < 999 && pos < len(raw) {
			c := raw[pos]
			pos++
			if c == '\r' {
				if pos < len(raw) && raw[pos] == '\n' {
					pos++
				}
				c = '\n'
			}
			buf = append(buf, c)
			if c == '\n' {
				break
			}
		}
		return len(buf) > 0
	}
	for i := 0; i < n; i++ {
		for {
			if !fgets() {
				return "", false
			}
			// A full chunk that does not end the line: read on.
			if len(buf) < 999 || buf[998] == '\n' || buf[998] == 0 {
				break
			}
		}
	}
	if k := bytes.IndexByte(buf, 0); k >= 0 {
		buf = buf[:k]
	}
	return p.decodeLine(buf)
}

// decodeLine decodes a line read back from the file as CPython does: with
// the declared encoding and errors replaced, or as strict UTF-8.
func (p *Parser) decodeLine(b []byte) (string, bool) {
	if p.declaredEncoding == "" {
		if !utf8.Valid(b) {
			return "", false
		}
		return string(b), true
	}
	if p.decodeReplace != nil {
		return p.decodeReplace(b), true
	}
	return toValidUTF8(b), true
}

// toValidUTF8 decodes b as UTF-8, replacing each maximal invalid subpart
// by U+FFFD as Python's "replace" error handler does.
func toValidUTF8(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	var out []byte
	s := string(b)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 {
			out = utf8.AppendRune(out, utf8.RuneError)
			i += invalidRun(s[i:])
			continue
		}
		out = append(out, s[i:i+size]...)
		i += size
	}
	return string(out)
}

// bufferLine returns the error line CPython takes from its tokenizer when
// it cannot read it from the file.
func (p *Parser) bufferLine(n int, st lexState) string {
	if st.Lineno <= n && st.Inp > st.Buf {
		start := st.Buf
		if p.rel.AtLeast(fixErrorLineStart) {
			start = st.LineStart
		}
		return toValidUTF8([]byte(p.src[start:st.Inp]))
	}
	// get_error_line_from_tokenizer_buffers: line n of the whole string,
	// without its newline.
	cur := 0
	bufEnd := st.Inp
	s := p.src
	for i := 0; i < n-1; i++ {
		nl := bytes.IndexByte([]byte(s[cur:]), '\n')
		if nl < 0 || cur+nl+1 > bufEnd {
			break
		}
		cur += nl + 1
	}
	end := bytes.IndexByte([]byte(s[cur:]), '\n')
	if end < 0 {
		end = len(s) - cur
	}
	return toValidUTF8([]byte(s[cur : cur+end]))
}
