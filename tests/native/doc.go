// Package native tests the native compiler's back end against CPython on
// mutants of real sources (internal/codemutate): each mutant is compiled
// through the engine twice, with the native backend and with the CPython
// backend (the interpreter's own py_compile in a process forked from a
// server that has done nothing else, the reference of docs/determinism.md),
// for the release of each CPython 3.13 on the machine, and the .pyc bytes,
// or py_compile's error listing, and the SyntaxWarnings printed on stderr
// must be identical. The optimization levels are spread over the mutants
// (mutant i at -O(i mod 3)). TestPyodideMutants compares mutants in the
// same way with py_compile in the CPython 3.13.2 inside Pyodide, the one
// interpreter here of the releases 3.13.1 to 3.13.3.
package native
