package cli

import (
	"fmt"
	"io"
	"os"

	"github.com/rules-pyc/rules_pyc/compiler/release"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/syntaxerr"
)

// nativeDump is the native front end: it parses src, read from filename,
// as CPython release rel would, and returns the line ast.dump(tree,
// include_attributes=True) gives for it, or the error CPython would raise.
// It is nil while the parser is not part of this build.
var nativeDump func(filename string, src []byte, rel release.Release) (string, *syntaxerr.Error)

// dumpAST runs --dump-ast FILE with the native backend: the dump on stdout
// and status 0, or py_compile's message for FILE on stderr and status 1.
// No interpreter is started or looked for.
func dumpAST(opts *options, stdout, stderr io.Writer) int {
	src, err := os.ReadFile(opts.dumpAST)
	if err != nil {
		fmt.Fprintf(stderr, "pyc: %s\n", errorText(err))
		return ExitFailed
	}
	if nativeDump == nil {
		fmt.Fprintf(stderr, "pyc: error: --dump-ast: the native parser is not part of this build yet\n")
		return ExitUsage
	}
	dump, serr := nativeDump(opts.dumpAST, src, opts.target)
	if serr != nil {
		io.WriteString(stderr, syntaxerr.Format(serr))
		return ExitFailed
	}
	_, err = io.WriteString(stdout, dump)
	if err == nil {
		_, err = io.WriteString(stdout, "\n")
	}
	if err != nil {
		fmt.Fprintf(stderr, "pyc: write the dump: %v\n", err)
		return ExitFailed
	}
	return ExitOK
}
