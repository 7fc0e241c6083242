// Package worker tests the pyc binary as a Bazel persistent worker: it builds
// the real binary once, starts it as Bazel would, and talks to it over real
// pipes in both wire formats, with real CPython interpreters compiling.
// Where the tests compare .pyc bytes or messages, the reference is what
// py_compile itself writes in a fresh process (internal/pyref).
//
// The tests run on Linux only: they find the worker's interpreter children in
// /proc and make the test process a child subreaper, so that a process the
// worker leaves behind is re-parented to the test and cannot go unnoticed.
package worker
