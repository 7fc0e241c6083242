package parser

import (
	"github.com/rules-pyc/rules_pyc/compiler/syntax/syntaxerr"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/token"
)

// lexer is the tokenizer as the parser drives it: one token at a time, its
// state, and the errors CPython's parser builds from that state
// (Parser/pegen_errors.c), whose location and text depend on it.
type lexer interface {
	// Next scans the next token into t, setting every field of it. When
	// the tokenizer fails it sets
	// t.Kind to ERRORTOKEN and returns the error CPython's parser raises
	// when it fetches that token.
	Next(t *token.Token) *syntaxerr.Error
	// NextReusing is Next that keeps t's Meta from the token t held
	// before, as the rest-of-source check's reused C token does.
	NextReusing(t *token.Token) *syntaxerr.Error
	// Metadata is the debug text t refers to (its Meta), or "".
	Metadata(t *token.Token) string
	// Raised is the exception the tokenizer raised itself with its last
	// error token (CPython's pending exception after _PyTokenizer_Get),
	// or nil when it only set its status code.
	Raised() *syntaxerr.Error
	// State returns the tokenizer's state as error reporting reads it.
	State() lexState
	// Raise is the error raised at token t (_PyPegen_raise_error, from
	// t's start to its end, or at the tokenizer's column for a token
	// without columns).
	Raise(t *token.Token, typ syntaxerr.Type, msg string) *syntaxerr.Error
	// RaiseAt is the error raised between 1-based byte columns, either
	// of which may be currentPos (_PyPegen_raise_error_known_location).
	RaiseAt(typ syntaxerr.Type, line, col, endLine, endCol int, msg string) *syntaxerr.Error
}

// lexState is what CPython's error reporting reads from its tokenizer
// (struct tok_state).
type lexState struct {
	// Code is the tokenizer's status (codeOK, codeEOF, ...).
	Code int
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
