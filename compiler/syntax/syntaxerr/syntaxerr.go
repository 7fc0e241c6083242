// Package syntaxerr is the error the front end reports for a source CPython
// rejects: a Python SyntaxError (or one of its subclasses IndentationError
// and TabError) with CPython's message and location.
//
// The fields are those of the SyntaxError instance CPython would raise, so
// that the listing py_compile prints for it can be reproduced (Format).
package syntaxerr

import (
	"fmt"
	"path/filepath"
)

// Type is the Python exception class.
type Type uint8

const (
	SyntaxError Type = iota
	IndentationError
	TabError
)

func (t Type) String() string {
	switch t {
	case IndentationError:
		return "IndentationError"
	case TabError:
		return "TabError"
	}
	return "SyntaxError"
}

// Error is a SyntaxError as CPython raises it.
type Error struct {
	Type Type
	Msg  string
	// Filename is the name the source was compiled under.
	Filename string
	// Lineno and EndLineno are 1-based lines; Offset and EndOffset are
	// 1-based columns counted in characters (code points) of Text, as
	// SyntaxError counts them. A zero value stands for Python's None where
	// CPython leaves an attribute unset (NoLocation).
	Lineno, Offset, EndLineno, EndOffset int
	// Text is the source line the error is on, as SyntaxError.text holds
	// it (usually with its newline); HasText is false where it is None.
	Text    string
	HasText bool
	// NoLocation marks an error raised without a location (all of lineno,
	// offset, end_lineno and end_offset None).
	NoLocation bool
}

// Error returns str() of the exception: "msg (file, line N)", with the
// file's base name, as SyntaxError.__str__ writes it.
func (e *Error) Error() string {
	switch {
	case e.Filename != "" && !e.NoLocation:
		return fmt.Sprintf("%s (%s, line %d)", e.Msg, filepath.Base(e.Filename), e.Lineno)
	case e.Filename != "":
		return fmt.Sprintf("%s (%s)", e.Msg, filepath.Base(e.Filename))
	case !e.NoLocation:
		return fmt.Sprintf("%s (line %d)", e.Msg, e.Lineno)
	}
	return e.Msg
}
