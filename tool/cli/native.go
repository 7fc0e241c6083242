package cli

import (
	"fmt"
	"io"
	"os"

	"github.com/rules-pyc/rules_pyc/compiler/syntax/frontend"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/syntaxerr"
)

// dumpAST runs --dump-ast FILE with the native backend: the dump on stdout
// and status 0, or py_compile's message for FILE on stderr and status 1.
// No interpreter is started or looked for.
func dumpAST(opts *options, stdout, stderr io.Writer) int {
	src, err := os.ReadFile(opts.dumpAST)
	if err != nil {
		fmt.Fprintf(stderr, "pyc: %s\n", errorText(err))
		return ExitFailed
	}
	dump, serr, err := frontend.Dump(opts.dumpAST, src, opts.target)
	if serr != nil {
		io.WriteString(stderr, syntaxerr.Format(serr))
		return ExitFailed
	}
	if err != nil {
		// What print(ast.dump(...)) raises instead of printing.
		fmt.Fprintf(stderr, "pyc: ast.dump: ValueError: %v\n", err)
		return ExitFailed
	}
	_, err = stdout.Write(append(dump, '\n'))
	if err != nil {
		fmt.Fprintf(stderr, "pyc: write the dump: %v\n", err)
		return ExitFailed
	}
	return ExitOK
}
