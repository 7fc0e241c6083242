package codegen

import (
	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
)

// ErrUnsupported is returned for constructs this package does not
// generate code for yet.
type ErrUnsupported struct{ What string }

func (e *ErrUnsupported) Error() string { return "codegen: " + e.What + " is not supported yet" }

// match is compiler_match (not written yet).
func (c *compiler) match(s *ast.Match) {
	c.fail(&ErrUnsupported{"the match statement"})
}

// unparse is _PyAST_ExprAsUnicode (not written yet).
func unparse(e ast.Expr) (string, error) {
	return "", &ErrUnsupported{"an annotation under 'from __future__ import annotations'"}
}
