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

// Parse parses src, read from filename, as CPython rel's parser does: the
// tree, or the exception the parser raises. The one exception of
// compile(src, filename, 'exec', ast.PyCF_ONLY_AST) it does not give is
// that of the tree's conversion to Python objects (too deep a tree): Dump
// gives that one.
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
	dump, depth, err := astdump.AppendDepth(nil, mod, rel)
	if depth > MaxObjectDepth {
		return nil, tooDeep(), nil
	}
	if err != nil {
		return nil, nil, err
	}
	return dump, nil, nil
}

// MaxObjectDepth is the deepest tree, in nodes on one path (the module is
// 1), that ast.parse turns into Python objects. CPython's ast2obj_*
// functions (Python/Python-ast.c) count one level per node against
// Py_C_RECURSION_LIMIT (10,000 in 3.13's builds for Linux), starting from
// the C recursion depth of the compile() call: 3 when ast.parse is called
// from a module's code as the dump command calls it (2 for compile()
// called there directly; more under exec()), at any depth of Python
// frames (3.13 runs Python calls without C recursion). Bisected with the
// dump command on 3.13.0 and 3.13.18: "x = 1+1+...+1" converts with 9,995
// terms (a path of 9,997 nodes: Module, Assign, 9,994 BinOps, the leftmost
// Constant) and raises with 9,996; 49 other shapes (chains of Attribute,
// Call, Subscript and BinOp under arguments, keywords, comprehensions,
// handlers, withitems, type parameters, patterns, f-strings, lambdas,
// decorators and 98 nested ifs) raise exactly past this depth.
const MaxObjectDepth = 9997

// tooDeep is the exception of a tree deeper than MaxObjectDepth: ast.parse
// raises RecursionError("maximum recursion depth exceeded during ast
// construction"), and py_compile, which never converts the tree, reports
// the RecursionError of its own passes over the tree (Python/ast_opt.c,
// Python/symtable.c: the same limit, a smaller start), whose message is
// the one py_compile prints and so the one kept here. Where the two
// counts part (a tree too deep for one and not the other), py_compile's
// answer is not the dump's, and the agreement tests count such a file as
// an oracle failure.
func tooDeep() *syntaxerr.Error {
	return &syntaxerr.Error{Type: syntaxerr.RecursionError,
		Msg: "maximum recursion depth exceeded during compilation", NoLocation: true}
}
