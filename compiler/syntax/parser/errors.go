package parser

import (
	"unicode/utf8"

	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/syntaxerr"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/token"
)

// The tokenizer's states after an error (Include/errcode.h), as Done
// reports them.
const (
	eOK         = 10
	eEOF        = 11
	eToken      = 13
	eDone       = 16
	eError      = 17
	eTabSpace   = 18
	eTooDeep    = 20
	eDedent     = 21
	eDecode     = 22
	eLineCont   = 25
	eColOverflw = 29
)

// currentPos stands for "where the tokenizer is now" as an error's end
// (pegen's CURRENT_POS).
const currentPos = -5

// setExc makes e the pending exception unless one is pending already.
func (p *Parser) setExc(e *syntaxerr.Error) {
	p.errorIndicator = true
	if p.exc == nil {
		p.exc = e
	}
}

// tokenizerError turns a failed token fetch into the pending error
// (_Pypegen_tokenizer_error). err is the error the tokenizer raised itself,
// if any; otherwise the tokenizer's state tells what went wrong.
func (p *Parser) tokenizerError(err *syntaxerr.Error) {
	p.errorIndicator = true
	if err != nil {
		if p.exc == nil {
			p.exc = err
		}
		return
	}
	if p.exc != nil {
		return
	}
	st := p.lex.State()
	msg := ""
	typ := syntaxerr.SyntaxError
	col := -1
	switch st.Done {
	case eToken:
		msg = "invalid token"
	case eEOF:
		if len(st.Parens) > 0 {
			p.raiseUnclosedParen(st)
		} else {
			p.raiseSyntaxError("unexpected EOF while parsing")
		}
		return
	case eDedent:
		p.raiseIndentationError("unindent does not match any outer indentation level")
		return
	case eTabSpace:
		typ = syntaxerr.TabError
		msg = "inconsistent use of tabs and spaces in indentation"
	case eTooDeep:
		typ = syntaxerr.IndentationError
		msg = "too many levels of indentation"
	case eLineCont:
		col = st.Cur - st.Buf - 1
		msg = "unexpected character after line continuation character"
	default:
		msg = "unknown parsing error"
	}
	if col < 0 {
		col = 0
	}
	p.raiseErrorKnownLocation(typ, st.Lineno, col, st.Lineno, -1, msg)
}

// raiseUnclosedParen reports the innermost open bracket
// (raise_unclosed_parentheses_error).
func (p *Parser) raiseUnclosedParen(st lexState) {
	top := st.Parens[len(st.Parens)-1]
	p.raiseErrorKnownLocation(syntaxerr.SyntaxError, top.Line, top.Col, top.Line, -1,
		"'"+string(rune(top.Char))+"' was never closed")
}

// raiseError reports an error at the last token fetched, or at the next
// token when useMark is set (_PyPegen_raise_error).
func (p *Parser) raiseError(typ syntaxerr.Type, useMark bool, msg string) any {
	if p.errorIndicator && p.exc != nil {
		return nil
	}
	if p.fill == 0 {
		p.raiseLocated(typ, 0, 0, 0, -1, msg)
		return nil
	}
	if useMark && p.mark == p.fill && !p.fillToken() {
		p.errorIndicator = true
		return nil
	}
	var t *token.Token
	switch {
	case p.knownErrToken != nil:
		t = p.knownErrToken
	case useMark:
		t = &p.toks[p.mark]
	default:
		t = &p.toks[p.fill-1]
	}
	var col int
	if t.Start.Col == -1 {
		st := p.lex.State()
		if st.Cur == st.Buf {
			col = 0
		} else {
			col = st.Cur - st.LineStart
		}
	} else {
		col = t.Start.Col + 1
	}
	endCol := -1
	if t.End.Col != -1 {
		endCol = t.End.Col + 1
	}
	p.raiseLocated(typ, t.Start.Line, col, t.End.Line, endCol, msg)
	return nil
}

func (p *Parser) raiseSyntaxError(msg string) any {
	return p.raiseError(syntaxerr.SyntaxError, false, msg)
}

func (p *Parser) raiseIndentationError(msg string) any {
	return p.raiseError(syntaxerr.IndentationError, false, msg)
}

func (p *Parser) raiseOnNextToken(msg string) any {
	return p.raiseError(syntaxerr.SyntaxError, true, msg)
}

// raiseOnNextTokenUnlessError is "PyErr_Occurred() ? NULL :
// RAISE_SYNTAX_ERROR_ON_NEXT_TOKEN(msg)".
func (p *Parser) raiseOnNextTokenUnlessError(msg string) any {
	if p.exc != nil {
		return nil
	}
	return p.raiseOnNextToken(msg)
}

// raiseErrorKnownLocation raises an error between two 0-based byte columns
// (RAISE_ERROR_KNOWN_LOCATION); a column may be currentPos.
func (p *Parser) raiseErrorKnownLocation(typ syntaxerr.Type, line, col, endLine, endCol int, msg string) any {
	if col != currentPos {
		col++
	}
	if endCol != currentPos {
		endCol++
	}
	p.raiseLocated(typ, line, col, endLine, endCol, msg)
	return nil
}

// locOf returns the span of a token or a node.
func locOf(x any) span {
	switch x := x.(type) {
	case *token.Token:
		return tokSpan(x)
	case ast.Located:
		return *x.Location()
	}
	panic("parser: locOf of a value without a location")
}

// raiseKnownLocation raises a SyntaxError spanning a token or node
// (RAISE_SYNTAX_ERROR_KNOWN_LOCATION).
func (p *Parser) raiseKnownLocation(a any, msg string) any {
	l := locOf(a)
	return p.raiseErrorKnownLocation(syntaxerr.SyntaxError, l.Lineno, l.ColOffset, l.EndLineno, l.EndColOffset, msg)
}

// raiseKnownRange raises a SyntaxError from the start of a to the end of b
// (RAISE_SYNTAX_ERROR_KNOWN_RANGE).
func (p *Parser) raiseKnownRange(a, b any, msg string) any {
	la, lb := locOf(a), locOf(b)
	return p.raiseErrorKnownLocation(syntaxerr.SyntaxError, la.Lineno, la.ColOffset, lb.EndLineno, lb.EndColOffset, msg)
}

// raiseStartingFrom raises a SyntaxError from the start of a to where the
// tokenizer is (RAISE_SYNTAX_ERROR_STARTING_FROM).
func (p *Parser) raiseStartingFrom(a any, msg string) any {
	l := locOf(a)
	return p.raiseErrorKnownLocation(syntaxerr.SyntaxError, l.Lineno, l.ColOffset, currentPos, currentPos, msg)
}

// raiseLocated sets the pending error at 1-based byte columns, converting
// them to character offsets in the error's source line
// (_PyPegen_raise_error_known_location).
func (p *Parser) raiseLocated(typ syntaxerr.Type, line, col, endLine, endCol int, msg string) {
	if p.errorIndicator && p.exc != nil {
		return
	}
	p.errorIndicator = true
	st := p.lex.State()
	if endLine == currentPos {
		endLine = st.Lineno
	}
	if endCol == currentPos {
		endCol = st.Cur - st.LineStart
	}
	text, ok := p.fileLine(line)
	if !ok {
		text = p.bufferLine(line, st)
	}
	colNumber := byteToCharOffset(text, col)
	endColNumber := endCol
	if endCol > 0 {
		endColNumber = byteToCharOffset(text, endCol)
	}
	p.exc = &syntaxerr.Error{
		Type:      typ,
		Msg:       msg,
		Filename:  p.filename,
		Lineno:    line,
		Offset:    colNumber,
		EndLineno: endLine,
		EndOffset: endColNumber,
		Text:      text,
		HasText:   true,
	}
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
