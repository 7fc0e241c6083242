package symtable

import (
	"strings"
	"unicode/utf8"

	"github.com/rules-pyc/rules_pyc/compiler/release"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/syntaxerr"
)

// FutureFlags are the CO_FUTURE_* code flags that future statements set.
type FutureFlags uint32

// The future features that change what the compiler does, with CPython's
// code flag values (the others are accepted and change nothing in 3.13).
const (
	FutureBarryAsBDFL FutureFlags = 0x400000  // CO_FUTURE_BARRY_AS_BDFL
	FutureAnnotations FutureFlags = 0x1000000 // CO_FUTURE_ANNOTATIONS
)

// Future is what a module's future statements enable (_PyFutureFeatures).
type Future struct {
	// Features are the flags the statements set. The compiler adds them to
	// every code object's co_flags.
	Features FutureFlags
	// Loc is the position of the last future statement at the start of
	// the module; Lineno is -1 when there is none.
	Loc ast.Loc
}

// noFuture is the Future of a module without future statements.
var noFuture = Future{Loc: ast.Loc{Lineno: -1, ColOffset: -1, EndLineno: -1, EndColOffset: -1}}

// MsgLateFuture is the message of the compiler's error for a future
// statement after the module's start (see Future.IsLate).
const MsgLateFuture = "from __future__ imports must occur at the beginning of the file"

// IsLate reports whether s is a future statement that comes after the
// statements at the module's start that ParseFuture read: the compiler
// rejects it with MsgLateFuture, at s's position, when it compiles it
// (compiler_from_import).
func (f *Future) IsLate(s *ast.ImportFrom) bool {
	if s.Module != "__future__" || s.Level != 0 {
		return false
	}
	// location_is_after: s starts after the end of the last future
	// statement read.
	return s.Lineno > f.Loc.EndLineno || (s.Lineno == f.Loc.EndLineno && s.ColOffset > f.Loc.EndColOffset)
}

// futureAccepted are the features 3.13 accepts and ignores.
var futureAccepted = map[string]bool{
	"nested_scopes":    true,
	"generators":       true,
	"division":         true,
	"absolute_import":  true,
	"with_statement":   true,
	"print_function":   true,
	"unicode_literals": true,
	"generator_stop":   true,
}

// rangedFutureErrors is the first release whose future errors span the
// feature's name (3.13.0 points at the statement's start, with no end
// column): gh-126139, listed under 3.13.1 in 3.13.18's changelog
// (Misc/NEWS).
var rangedFutureErrors = release.Release{Major: 3, Minor: 13, Micro: 1}

// ParseFuture reads the future statements at the start of a module (after
// its docstring), as _PyFuture_FromAST does before the symbol table runs:
// the features they enable, or the error for an unknown feature ("future
// feature X is not defined", "not a chance" for braces). Other kinds of
// module have no future statements. As in CPython, it reads the tree
// before the AST optimizer changes it.
func ParseFuture(mod ast.ModNode, filename string, rel release.Release, text TextFunc) (Future, error) {
	fut := noFuture
	var body []ast.Stmt
	switch m := mod.(type) {
	case *ast.Module:
		body = m.Body
	case *ast.Interactive:
		body = m.Body
	default:
		return fut, nil
	}
	i := 0
	if len(body) > 0 && isDocString(body[0]) {
		i = 1
	}
	for ; i < len(body); i++ {
		s, ok := body[i].(*ast.ImportFrom)
		if !ok || s.Level != 0 || s.Module != "__future__" {
			break
		}
		for _, a := range s.Names {
			switch {
			case futureAccepted[a.Name]:
			case a.Name == "barry_as_FLUFL":
				fut.Features |= FutureBarryAsBDFL
			case a.Name == "annotations":
				fut.Features |= FutureAnnotations
			default:
				msg := "not a chance"
				if a.Name != "braces" {
					msg = "future feature " + truncateUTF8(a.Name, 100) + " is not defined"
				}
				var e *syntaxerr.Error
				if rel.AtLeast(rangedFutureErrors) {
					e = newError(filename, text, msg, a.Loc)
				} else {
					e = newError(filename, text, msg, s.Loc)
					e.EndLineno, e.EndOffset, e.NoEndOffset = s.Lineno, 0, true
				}
				return fut, e
			}
		}
		fut.Loc = s.Loc
	}
	return fut, nil
}

// isDocString reports whether s is a docstring (_PyAST_GetDocString): an
// expression statement of a str constant.
func isDocString(s ast.Stmt) bool {
	e, ok := s.(*ast.ExprStmt)
	if !ok {
		return false
	}
	c, ok := e.Value.(*ast.Constant)
	return ok && c.Value.Kind() == ast.StrKind
}

// truncateUTF8 is C's "%.Ns" on UTF-8 text as PyUnicode_FromFormat reads
// it: at most n bytes, a character cut in two becoming U+FFFD.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}
