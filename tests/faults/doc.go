// Package faults tests that the built pyc binary never hangs, floods memory
// or leaves a process or a partial file behind, whatever its interpreter or
// the OS does.  It runs pyc in each of its modes (the command line, a
// one-shot @paramfile run, the persistent worker in proto and in JSON) with
// fake interpreters of every kind (silent, flooding, sleeping, crashing at
// start or after some compiles, answering garbage or half a handshake,
// closing stdout, exiting in the middle of a request; those that fail after
// a good start wrap a real CPython, see fakepython), and stops pyc with
// SIGTERM and SIGKILL at random moments.  Each run checks the time pyc takes
// against a generous bound, its peak memory, its message and exit code,
// that no process it started is left (the test process is a child
// subreaper, so orphans come back to it), and that no partial or temporary
// file is left.
//
// The tests run on Linux only (/proc, PR_SET_CHILD_SUBREAPER).  They build
// pyc from this tree, or use the binary named by RULES_PYC_FAULTS_PYC: that
// is how the suite is run against an older pyc.
package faults
