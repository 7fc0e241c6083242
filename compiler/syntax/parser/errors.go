package parser

import (
	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/syntaxerr"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/token"
)

// The tokenizer's status codes (CPython's tok->done, Include/errcode.h),
// as lexState reports them.
const (
	codeOK       = iota // E_OK
	codeEOF             // E_EOF: the end of the input was reached
	codeError           // E_ERROR: the tokenizer raised an error itself
	codeDedent          // E_DEDENT
	codeTabSpace        // E_TABSPACE
	codeTooDeep         // E_TOODEEP
	codeLineCont        // E_LINECONT
	codeDecode          // E_DECODE
	codeEOFS            // E_EOFS
	codeEOLS            // E_EOLS
)

// currentPos stands for "where the tokenizer is now" as an error's end
// (pegen's CURRENT_POS).
const currentPos = -5

// tokenizerError makes the error of a failed token fetch pending, unless
// one is pending already (_Pypegen_tokenizer_error). The tokenizer builds
// it: the SyntaxError it raised itself, or the one CPython's parser makes
// of its status code (E_EOF, E_DEDENT, ...), at the error token.
func (p *Parser) tokenizerError(err *syntaxerr.Error) {
	p.setErrorIndicator()
	if p.exc == nil {
		p.exc = err
	}
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
		p.setErrorIndicator()
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
	p.setErrorIndicator()
	p.exc = p.lex.Raise(t, typ, msg)
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
	return span{}
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

// raiseLocated sets the pending error between 1-based byte columns (or
// currentPos), which the tokenizer converts to character offsets in the
// error's line (_PyPegen_raise_error_known_location).
func (p *Parser) raiseLocated(typ syntaxerr.Type, line, col, endLine, endCol int, msg string) {
	if p.errorIndicator && p.exc != nil {
		return
	}
	p.setErrorIndicator()
	p.exc = p.lex.RaiseAt(typ, line, col, endLine, endCol, msg)
}
