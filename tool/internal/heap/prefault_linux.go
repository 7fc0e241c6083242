package heap

import (
	"bytes"
	"fmt"
	"os"
	"runtime"

	"golang.org/x/sys/unix"
)

// prefault grows the heap by n bytes, has the kernel make them resident in
// one call (madvise MADV_POPULATE_WRITE, Linux 5.14 and later; an older
// kernel refuses it, and nothing else changes), and frees them again: the
// compiles' allocations then take those pages without a fault each. The
// runtime clears a freed page again before it reuses it for objects, which
// costs less than the fault did. The first huge bytes are asked for on
// transparent huge pages first (MADV_HUGEPAGE; a kernel without them, or
// with them set to never, ignores or refuses that, and they are made
// resident on ordinary pages): the runtime hands out the lowest free pages
// first, so that is where the compiles' allocations live. Under strict
// overcommit (vm.overcommit_memory=2) growing the heap counts against the
// commit limit, and the runtime cannot survive a failed heap mapping, so
// there it is not done. The error is the kernel's refusal to make the pages
// resident, for the tests: the command line goes on without.
func prefault(n, huge int) error {
	if strictOvercommit() {
		return nil
	}
	b := make([]byte, n)
	if huge > 0 {
		_ = unix.Madvise(b[:min(huge, n)], unix.MADV_HUGEPAGE) // only advice
	}
	err := unix.Madvise(b, unix.MADV_POPULATE_WRITE)
	runtime.KeepAlive(b)
	runtime.GC()
	if err != nil {
		return fmt.Errorf("madvise(MADV_POPULATE_WRITE) of %d MiB of heap: %w", n>>20, err)
	}
	return nil
}

// strictOvercommit reports whether the kernel commits memory strictly
// (vm.overcommit_memory=2), or whether that can't be read.
func strictOvercommit() bool {
	b, err := os.ReadFile("/proc/sys/vm/overcommit_memory")
	return err != nil || string(bytes.TrimSpace(b)) == "2"
}
