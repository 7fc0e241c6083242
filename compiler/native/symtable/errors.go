package symtable

import (
	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/syntaxerr"
)

// TextFunc returns the text CPython gives a SyntaxError it raises after
// parsing, for line n: PyErr_ProgramTextObject reads it back from the file
// the source was compiled under, so it is None (ok false) when no such file
// exists. A nil TextFunc gives no text.
type TextFunc func(n int) (text string, ok bool)

// The messages of the symbol table's errors, CPython's texts (a %s is the
// name, or the construct, inserted by Sprintf).
const (
	msgGlobalParam         = "name '%s' is parameter and global"
	msgNonlocalParam       = "name '%s' is parameter and nonlocal"
	msgGlobalAfterAssign   = "name '%s' is assigned to before global declaration"
	msgNonlocalAfterAssign = "name '%s' is assigned to before nonlocal declaration"
	msgGlobalAfterUse      = "name '%s' is used prior to global declaration"
	msgNonlocalAfterUse    = "name '%s' is used prior to nonlocal declaration"
	msgGlobalAnnot         = "annotated name '%s' can't be global"
	msgNonlocalAnnot       = "annotated name '%s' can't be nonlocal"
	msgImportStar          = "import * only allowed at module level"
	msgNamedExprCompClass  = "assignment expression within a comprehension cannot be used in a class body"
	msgNamedExprCompBound  = "assignment expression within a comprehension cannot be used in a TypeVar bound"
	msgNamedExprCompAlias  = "assignment expression within a comprehension cannot be used in a type alias"
	msgNamedExprCompTParam = "assignment expression within a comprehension cannot be used within the definition of a generic"
	msgNamedExprConflict   = "assignment expression cannot rebind comprehension iteration variable '%s'"
	msgInnerLoopConflict   = "comprehension inner loop cannot rebind assignment expression target '%s'"
	msgNamedExprIterExpr   = "assignment expression cannot be used in a comprehension iterable expression"
	msgInAnnotation        = "%s cannot be used within an annotation"
	msgInTypeVariable      = "%s cannot be used within %s"
	msgInTypeAlias         = "%s cannot be used within a type alias"
	msgInTypeParams        = "%s cannot be used within the definition of a generic"
	msgDuplicateTypeParam  = "duplicate type parameter '%s'"
	msgDuplicateArgument   = "duplicate argument '%s' in function definition"
	msgNonlocalAndGlobal   = "name '%s' is nonlocal and global"
	msgNonlocalAtModule    = "nonlocal declaration not allowed at module level"
	msgNoBindingNonlocal   = "no binding for nonlocal '%s' found"
	msgNonlocalTypeParam   = "nonlocal binding not allowed for type parameter '%s'"
	msgReservedTypeParam   = "reserved name '%s' cannot be used for type parameter"
	msgRecursion           = "maximum recursion depth exceeded during compilation"
)

// newError is a SyntaxError at loc as CPython raises it after parsing
// (PyErr_RangedSyntaxLocationObject): 1-based columns counted in bytes, the
// text read back for the line.
func newError(filename string, text TextFunc, msg string, loc ast.Loc) *syntaxerr.Error {
	e := &syntaxerr.Error{
		Type:      syntaxerr.SyntaxError,
		Msg:       msg,
		Filename:  filename,
		Lineno:    loc.Lineno,
		Offset:    loc.ColOffset + 1,
		EndLineno: loc.EndLineno,
		EndOffset: loc.EndColOffset + 1,
	}
	if text != nil {
		e.Text, e.HasText = text(loc.Lineno)
	}
	return e
}

// recursionError is the RecursionError CPython raises for a tree nested
// too deeply.
func recursionError() *syntaxerr.Error {
	return &syntaxerr.Error{Type: syntaxerr.RecursionError, Msg: msgRecursion, NoLocation: true}
}
