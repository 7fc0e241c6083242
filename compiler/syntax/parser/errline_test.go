package parser

import (
	"bytes"
	"unicode/utf8"

	"github.com/rules-pyc/rules_pyc/compiler/syntax/syntaxerr"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/token"
)

// Error building for sliceLexer, which knows only the tokens it handed
// out: the state CPython's tokenizer would have is approximated (the
// current position is the end of the last token; brackets are counted from
// the tokens). Errors whose location depends on more than that are left to
// the tests with the real tokenizer.

func (l *sliceLexer) Raised() *syntaxerr.Error { return nil }

func (l *sliceLexer) State() lexState {
	st := lexState{Code: codeOK}
	if l.i > 0 && l.toks[l.i-1].Kind == token.ENDMARKER {
		st.Code = codeEOF
	}
	for _, t := range l.toks[:l.i] {
		switch t.Kind {
		case token.LPAR, token.LSQB, token.LBRACE:
			st.Parens = append(st.Parens, paren{Char: l.src[t.Off], Line: int(t.Start.Line), Col: int(t.Start.Col)})
		case token.RPAR, token.RSQB, token.RBRACE:
			if len(st.Parens) > 0 {
				st.Parens = st.Parens[:len(st.Parens)-1]
			}
		case token.FSTRING_START:
			st.FStringDepth++
		case token.FSTRING_END:
			st.FStringDepth--
		}
	}
	return st
}

// cur returns the approximate tokenizer position: the line and byte
// column where the last token handed out ends.
func (l *sliceLexer) cur() (line, col int) {
	if l.i == 0 {
		return 1, 0
	}
	t := l.toks[l.i-1]
	if (t.Kind == token.INDENT || t.Kind == token.DEDENT) && l.i < len(l.toks) {
		// The tokenizer stands after the indentation, at the next token.
		n := l.toks[l.i]
		return int(n.Start.Line), int(n.Start.Col)
	}
	if t.End.Col < 0 {
		return int(t.End.Line), 0
	}
	return int(t.End.Line), int(t.End.Col)
}

func (l *sliceLexer) Raise(t *token.Token, typ syntaxerr.Type, msg string) *syntaxerr.Error {
	col := int(t.Start.Col) + 1
	if t.Start.Col == -1 {
		_, c := l.cur()
		col = c
	}
	endCol := -1
	if t.End.Col != -1 {
		endCol = int(t.End.Col) + 1
	}
	return l.RaiseAt(typ, int(t.Start.Line), col, int(t.End.Line), endCol, msg)
}

func (l *sliceLexer) RaiseAt(typ syntaxerr.Type, line, col, endLine, endCol int, msg string) *syntaxerr.Error {
	cl, cc := l.cur()
	if endLine == currentPos {
		endLine = cl
	}
	if endCol == currentPos {
		endCol = cc
	}
	text, ok := fileLine(l.raw, line)
	if !ok {
		text = bufferLine(l.src, line)
	}
	off := byteToCharOffset(text, col)
	endOff := endCol
	if endCol > 0 {
		endOff = byteToCharOffset(text, endCol)
	}
	return &syntaxerr.Error{Type: typ, Msg: msg, Filename: l.filename, Lineno: line, Offset: off,
		EndLineno: endLine, EndOffset: endOff, Text: text, HasText: true}
}

// fileLine returns line n of the source as CPython reads it back from the
// file to show with an error (_PyErr_ProgramDecodedTextObject): with
// universal newlines, in chunks of at most 999 bytes of which the line's
// last one is kept, up to a NUL byte, decoded with the source's declared
// encoding (errors replaced) or as strict UTF-8 when none is declared. ok
// is false when CPython gets no line (n beyond the file, or undecodable).
func fileLine(raw []byte, n int) (string, bool) {
	if n <= 0 {
		return "", false
	}
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
	if !utf8.Valid(buf) {
		return "", false
	}
	return string(buf), true
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

// bufferLine returns line n of the decoded text, without its newline.
func bufferLine(s string, n int) string {
	cur := 0
	for i := 0; i < n-1; i++ {
		nl := bytes.IndexByte([]byte(s[cur:]), '\n')
		if nl < 0 {
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

// byteToCharOffset converts a 1-based byte offset into line to a 1-based
// character offset (_PyPegen_byte_offset_to_character_offset): the number
// of characters that decoding the first col bytes gives, an incomplete
// character at the end counting as one; col is clipped to the line's length
// plus one.
func byteToCharOffset(line string, col int) int {
	if col > len(line)+1 {
		col = len(line) + 1
	}
	if col <= 0 {
		return 0
	}
	s := line
	if col < len(s) {
		s = s[:col]
	}
	n := 0
	for i := 0; i < len(s); n++ {
		if s[i] < utf8.RuneSelf {
			i++
			continue
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		if size <= 1 {
			// An invalid or truncated sequence: UTF-8 decoding with
			// "replace" gives one U+FFFD for its maximal valid prefix.
			size = invalidRun(s[i:])
		}
		i += size
	}
	// col may be len(line)+1: one past the end counts one more.
	if col > len(line) {
		n++
	}
	return n
}

// invalidRun returns the length of the maximal prefix of s that starts a
// valid UTF-8 sequence but does not complete one (at least 1), which
// Python's decoder replaces by a single U+FFFD.
func invalidRun(s string) int {
	c := s[0]
	var need int
	lo, hi := byte(0x80), byte(0xBF)
	switch {
	case c >= 0xC2 && c <= 0xDF:
		need = 1
	case c == 0xE0:
		need, lo = 2, 0xA0
	case c >= 0xE1 && c <= 0xEC || c == 0xEE || c == 0xEF:
		need = 2
	case c == 0xED:
		need, hi = 2, 0x9F
	case c == 0xF0:
		need, lo = 3, 0x90
	case c >= 0xF1 && c <= 0xF3:
		need = 3
	case c == 0xF4:
		need, hi = 3, 0x8F
	default:
		return 1
	}
	i := 1
	for ; i <= need && i < len(s); i++ {
		b := s[i]
		if i == 1 {
			if b < lo || b > hi {
				return 1
			}
		} else if b < 0x80 || b > 0xBF {
			return i
		}
	}
	return i
}
