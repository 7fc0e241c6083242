package scanner

import (
	"fmt"

	"github.com/rules-pyc/rules_pyc/compiler/syntax/source"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/syntaxerr"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/token"
)

// CurrentPos, given to RaiseAt as an end line or end column, stands for
// the tokenizer's current position (pegen's CURRENT_POS).
const CurrentPos = -5

// tokenError is the exception CPython's parser raises when it fetches the
// error token t (initialize_token).
func (s *Scanner) tokenError(t *token.Token) *syntaxerr.Error {
	if s.done == Decode && s.raised != nil {
		// _Pypegen_raise_decode_error.
		return s.Raise(t, syntaxerr.SyntaxError, "(unicode error) "+s.raised.Msg)
	}
	if s.raised != nil {
		return s.raised
	}
	// _Pypegen_tokenizer_error.
	switch s.done {
	case EOF:
		if s.level > 0 {
			return s.UnclosedParen()
		}
		return s.Raise(t, syntaxerr.SyntaxError, "unexpected EOF while parsing")
	case Dedent:
		return s.Raise(t, syntaxerr.IndentationError, "unindent does not match any outer indentation level")
	case TabSpace:
		return s.RaiseAt(syntaxerr.TabError, s.lineno, 1, s.lineno, 0, "inconsistent use of tabs and spaces in indentation")
	case TooDeep:
		return s.RaiseAt(syntaxerr.IndentationError, s.lineno, 1, s.lineno, 0, "too many levels of indentation")
	case LineCont:
		col := s.cur - s.buf - 1
		if col < 0 {
			col = 0
		}
		return s.RaiseAt(syntaxerr.SyntaxError, s.lineno, col+1, s.lineno, 0, "unexpected character after line continuation character")
	}
	return s.RaiseAt(syntaxerr.SyntaxError, s.lineno, 1, s.lineno, 0, "unknown parsing error")
}

// UnclosedParen is the error for the innermost open bracket: "'(' was
// never closed" at the bracket (raise_unclosed_parentheses_error). It
// must only be called with Level() > 0.
func (s *Scanner) UnclosedParen() *syntaxerr.Error {
	i := s.level - 1
	if i < 0 {
		i = 0
	}
	line := s.parenlinenostack[i]
	return s.RaiseAt(syntaxerr.SyntaxError, line, s.parencolstack[i]+1, line, 0,
		fmt.Sprintf("'%c' was never closed", s.parenstack[i]))
}

// Raise is the error CPython's parser raises at token t with
// RAISE_SYNTAX_ERROR and RAISE_INDENTATION_ERROR (_PyPegen_raise_error,
// the token not taken from the mark): from t's start to its end, or, for a
// token without columns, at the tokenizer's current column.
func (s *Scanner) Raise(t *token.Token, typ syntaxerr.Type, msg string) *syntaxerr.Error {
	col := int(t.Start.Col) + 1
	if t.Start.Col == -1 {
		if s.cur == s.buf {
			col = 0
		} else {
			col = s.cur - s.lineStart
		}
	}
	endCol := -1
	if t.End.Col != -1 {
		endCol = int(t.End.Col) + 1
	}
	return s.RaiseAt(typ, int(t.Start.Line), col, int(t.End.Line), endCol, msg)
}

// RaiseAt is the error CPython's parser raises at a known location
// (_PyPegen_raise_error_known_location): col and endCol are 1-based byte
// columns (or CurrentPos), turned into character offsets against the
// error's line (ErrorLine); an endCol of 0 or less is kept as it is.
func (s *Scanner) RaiseAt(typ syntaxerr.Type, lineno, col, endLineno, endCol int, msg string) *syntaxerr.Error {
	if endLineno == CurrentPos {
		endLineno = s.lineno
	}
	if endCol == CurrentPos {
		endCol = s.cur - s.lineStart
	}
	line := s.ErrorLine(lineno)
	off := source.CharOffset(line, col)
	endOff := endCol
	if endCol > 0 {
		endOff = source.CharOffset(line, endCol)
	}
	return &syntaxerr.Error{
		Type: typ, Msg: msg, Filename: s.opts.Filename,
		Lineno: lineno, Offset: off, EndLineno: endLineno, EndOffset: endOff,
		Text: line, HasText: true,
	}
}

// ErrorLine is the text CPython's parser puts in a SyntaxError for line
// lineno: the line read back from the file when the source is file backed
// and that works, else the tokenizer's current buffer when the line is
// not before the tokenizer's line, else the line found in the tokenizer's
// input (without its newline).
func (s *Scanner) ErrorLine(lineno int) string {
	if s.opts.FileBacked {
		if line, ok := s.src.ReadBackLine(lineno); ok {
			return line
		}
	}
	if s.lineno <= lineno && s.inp > s.buf {
		from := s.buf
		if s.ft.errorLineFromLineStart {
			from = s.lineStart
		}
		return source.DecodeReplace(s.text[from:s.inp])
	}
	return s.lineFromBuffers(lineno)
}

// lineFromBuffers finds line lineno in the tokenizer's input
// (get_error_line_from_tokenizer_buffers): the search stops at the end of
// what the tokenizer has read.
func (s *Scanner) lineFromBuffers(lineno int) string {
	buf := s.src.LookupBuffer()
	end := len(buf)
	if len(buf) > 0 && len(buf) == len(s.text) && &buf[0] == &s.text[0] {
		end = s.inp
	}
	if end < 0 {
		end = len(buf)
	}
	cur := 0
	for i := 0; i < lineno-1; i++ {
		nl := indexByte(buf[cur:], '\n')
		if nl < 0 || cur+nl+1 > end {
			break
		}
		cur += nl + 1
	}
	next := indexByte(buf[cur:], '\n')
	if next < 0 {
		next = len(buf) - cur
	}
	return source.DecodeReplace(buf[cur : cur+next])
}
