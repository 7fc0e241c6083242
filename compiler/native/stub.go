package native

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/astdump"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/syntaxerr"
)

// argsShape is how the exception's args tuple is built, which the stub
// reproduces: CPython raises some SyntaxErrors with (msg, location) and
// others with (msg,) and sets the location as attributes only.
type argsShape uint8

const (
	// argsLocated: (msg, (filename, lineno, offset, text, end_lineno,
	// end_offset)), or the 4-tuple (filename, lineno, offset, text) when
	// the error has no end (_PyPegen_raise_tokenizer_init_error).
	argsLocated argsShape = iota
	// argsMessage: (msg,), whatever the attributes (PyErr_Format then
	// PyErr_SyntaxLocationObject: the future statements, the symbol table;
	// MemoryError, RecursionError, ValueError).
	argsMessage
)

// stubSource is the module the CPython backend's server compiles in place
// of a source that raised serr (compiler/interp's get_code): `raise
// Cls(*args)` with the exception's class and args, the location's file name
// replaced by the compile's name when it is None (never, for the errors
// here).
func stubSource(serr *syntaxerr.Error, shape argsShape, r reprFunc) ([]byte, error) {
	cls := serr.Type.String()
	var args []byte
	args = append(args, '(')
	args = r(args, ast.StrValue(serr.Msg))
	switch {
	case serr.Type == syntaxerr.UnicodeDecodeError:
		// Its args are the codec's (encoding, object, start, end, reason),
		// which the error does not keep.
		return nil, errors.New("a UnicodeDecodeError's arguments are not known")
	case shape == argsMessage || serr.NoLocation || !serr.Type.IsSyntaxError():
		args = append(args, ',')
	default:
		args = append(args, ", ("...)
		args = r(args, ast.StrValue(surrogateEscape(serr.Filename)))
		args = append(args, ", "...)
		args = strconv.AppendInt(args, int64(serr.Lineno), 10)
		args = append(args, ", "...)
		args = strconv.AppendInt(args, int64(serr.Offset), 10)
		args = append(args, ", "...)
		if serr.HasText {
			args = r(args, ast.StrValue(surrogateEscape(serr.Text)))
		} else {
			args = append(args, "None"...)
		}
		if !serr.NoEnd {
			args = append(args, ", "...)
			args = strconv.AppendInt(args, int64(serr.EndLineno), 10)
			args = append(args, ", "...)
			if serr.NoEndOffset {
				args = append(args, "None"...)
			} else {
				args = strconv.AppendInt(args, int64(serr.EndOffset), 10)
			}
		}
		args = append(args, "))"...)
		return []byte("raise " + cls + "(*" + string(args) + ")\n"), nil
	}
	args = append(args, ')')
	return []byte("raise " + cls + "(*" + string(args) + ")\n"), nil
}

// reprFunc appends repr(v).
type reprFunc func(b []byte, v ast.Value) []byte

// stub compiles the stub of a source that raised serr, as the CPython
// backend does: same release and level, same name.
func stub(req Request, serr *syntaxerr.Error, shape argsShape) ([]byte, error) {
	var reprErr error
	r := func(b []byte, v ast.Value) []byte {
		out, err := astdump.AppendRepr(b, v, req.Release)
		if err != nil && reprErr == nil {
			reprErr = err
		}
		return out
	}
	src, err := stubSource(serr, shape, r)
	if err == nil {
		err = reprErr
	}
	if err != nil {
		return nil, &UnsupportedError{Stage: "stub", Err: err}
	}
	res, err := compileTraced(Request{Source: src, Name: req.Name, Release: req.Release, Optimize: req.Optimize}, nil)
	if err != nil {
		return nil, &FaultError{Stage: "stub", Err: fmt.Errorf("compile the stub %q: %w", src, err)}
	}
	return res.Code, nil
}
