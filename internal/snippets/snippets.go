// Package snippets lists the source snippets that Python files hold, as
// inputs for the front end's agreement tests: CPython's own test suites keep
// thousands of programs (valid ones, and invalid ones with the exact error
// they must raise) as string constants and doctests, and each is an input
// that the native front end must treat as the interpreter does.
//
// The snippets are found by the interpreter itself (extract.py): every str
// and bytes constant of each file's tree, its textwrap.dedent form when
// that differs, and the source of every doctest example in a str. A str is
// given as UTF-8 with lone surrogates passed through, so some snippets are
// not valid UTF-8; that is deliberate, they are inputs too. The list holds
// each distinct snippet once, in the order first met, so it depends only on
// the files and the interpreter.
package snippets

import (
	_ "embed"
	"encoding/base64"
	"fmt"
	"path"
	"testing"

	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

//go:embed extract.py
var extractScript string

// Extract returns the distinct snippets of files (paths the interpreter can
// read), as py finds them. Files py cannot parse hold no snippets.
func Extract(t testing.TB, py pythons.Interpreter, files []string) [][]byte {
	t.Helper()
	var enc []string
	py.RunJSON(t, extractScript, files, &enc)
	out := make([][]byte, len(enc))
	for i, s := range enc {
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			t.Fatalf("%s: snippet %d: %v", py, i, err)
		}
		out[i] = b
	}
	return out
}

// SyntaxTests are the test modules of CPython 3.13's suite that are mostly
// about source text: the grammar, its error messages, tokens, literals,
// f-strings, identifiers, positions and the AST. Their snippets are the
// fixed set the agreement tests compare in CI.
var SyntaxTests = []string{
	"test_syntax.py", "test_exceptions.py", "test_fstring.py", "test_grammar.py",
	"test_eof.py", "test_unicode_identifiers.py", "test_string_literals.py",
	"test_tokenize.py", "test_ast/test_ast.py", "test_positional_only_arg.py",
	"test_patma.py", "test_type_params.py", "test_type_aliases.py", "test_genexps.py",
	"test_listcomps.py", "test_setcomps.py", "test_dictcomps.py", "test_unpack.py",
	"test_unpack_ex.py", "test_keywordonlyarg.py", "test_compile.py", "test_named_expressions.py",
	"test_coroutines.py", "test_except_star.py", "test_future_stmt/test_future.py",
	"test_flufl.py", "test_utf8source.py", "test_source_encoding.py", "test_pep646_syntax.py",
	"test_decorators.py", "test_with.py", "test_global.py", "test_scope.py", "test_string.py",
	"test_unparse.py", "test_syntax_warnings.py", "test_peepholer.py",
	"test_traceback.py", "test_codeop.py", "test_doctest/test_doctest.py", "test_ast/snippets.py",
	"test_cmd_line_script.py", "test_repl.py", "test_capi/test_run.py", "test_builtin.py",
}

// Select returns the paths (relative to a standard library's root, with
// '/' separators) of files that are test modules named in names: a name is
// a path below test/ ("test_ast/test_ast.py").
func Select(files []string, names []string) []string {
	want := map[string]bool{}
	for _, n := range names {
		want[path.Join("test", n)] = true
	}
	var out []string
	for _, f := range files {
		if want[f] {
			out = append(out, f)
		}
	}
	return out
}

// TestFiles returns every file below test/ of files.
func TestFiles(files []string) []string {
	var out []string
	for _, f := range files {
		if len(f) > 5 && f[:5] == "test/" {
			out = append(out, f)
		}
	}
	return out
}

// String names a snippet in a report: its index and a prefix of its text.
func String(i int, b []byte) string {
	const max = 60
	s := b
	if len(s) > max {
		s = s[:max]
	}
	more := ""
	if len(b) > max {
		more = fmt.Sprintf("... (%d bytes)", len(b))
	}
	return fmt.Sprintf("snippet %d %q%s", i, s, more)
}
