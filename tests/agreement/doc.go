// Package agreement tests the native front end against CPython itself:
// for every source, the front end's ast.dump line must be byte for byte the
// one CPython 3.13 prints for
//
//	print(ast.dump(ast.parse(open(FILE, 'rb').read(), FILE), include_attributes=True))
//
// and, for a source CPython rejects, the front end's error formatted by
// syntaxerr.Format must be byte for byte what py_compile.compile(FILE)
// writes to stderr. The answers come from the real interpreters on the
// machine, asked in the test through internal/pyoracle; each interpreter is
// compared with the front end imitating its own release.
//
// The sources: every .py file of each 3.13 standard library found
// (TestStdlib), mutants of them made by internal/mutate (TestMutants), and
// the pyc binary run end to end on both, with an empty PATH
// (TestBinary). A file on which the interpreter itself gives no answer
// (ast.dump's RecursionError on a very deep tree, a crash) is counted and
// listed as an oracle failure, never as an agreement.
package agreement
