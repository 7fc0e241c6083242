// Package frontend is the native front end's pipeline for one source file:
// bytes in, then CPython's ast.dump line or the exception CPython raises
// out. It joins the parser (compiler/syntax/parser) and the dump
// (compiler/syntax/astdump), and is what pyc --dump-ast, the agreement
// tests and bench/frontend run.
//
// Nothing here starts or looks for an interpreter, and nothing depends on
// anything but the source's bytes, its file name and the release imitated.
package frontend

import (
	"github.com/rules-pyc/rules_pyc/compiler/release"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/astdump"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/parser"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/syntaxerr"
)

// Parse parses src, read from filename, as CPython rel parses it:
// ast.parse(src, filename), or the exception compile(src, filename, 'exec',
// ast.PyCF_ONLY_AST) raises.
func Parse(filename string, src []byte, rel release.Release) (*ast.Module, *syntaxerr.Error) {
	return parser.ParseFile(filename, src, rel)
}

// Dump returns the line print(ast.dump(ast.parse(src, filename),
// include_attributes=True)) prints for src as CPython rel, without the
// newline; or serr, the exception CPython raises for the source (for
// syntaxerr.Format); or err, set when the source parses but ast.dump itself
// would raise (an int too long for repr(), astdump.IntTooLongError).
func Dump(filename string, src []byte, rel release.Release) (dump []byte, serr *syntaxerr.Error, err error) {
	mod, serr := Parse(filename, src, rel)
	if serr != nil {
		return nil, serr, nil
	}
	dump, err = astdump.Append(nil, mod, rel)
	if err != nil {
		return nil, nil, err
	}
	return dump, nil, nil
}
