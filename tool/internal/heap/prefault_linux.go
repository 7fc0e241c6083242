package heap

import (
	"bytes"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"unsafe"

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
// resident on ordinary pages), from the first huge page boundary in the
// heap grown, since only a whole aligned huge page can be one: the runtime
// hands out the lowest free pages first, so that is where the compiles'
// allocations live. Under strict overcommit (vm.overcommit_memory=2)
// growing the heap counts against the commit limit, and the runtime cannot
// survive a failed heap mapping, so there it is not done. The error is the
// kernel's refusal to make the pages resident, for the tests: the command
// line goes on without.
func prefault(n, huge int) error {
	if strictOvercommit() {
		return nil
	}
	b := make([]byte, n)
	if huge > 0 {
		size := hugePageSize()
		if off := int(-uintptr(unsafe.Pointer(unsafe.SliceData(b))) & uintptr(size-1)); off < n {
			_ = unix.Madvise(b[off:min(off+huge, n)], unix.MADV_HUGEPAGE) // only advice
		}
	}
	err := unix.Madvise(b, unix.MADV_POPULATE_WRITE)
	runtime.KeepAlive(b)
	runtime.GC()
	if err != nil {
		return fmt.Errorf("madvise(MADV_POPULATE_WRITE) of %d MiB of heap: %w", n>>20, err)
	}
	return nil
}

// hugePageSize is the size of a transparent huge page: the kernel's
// hpage_pmd_size, or 2 MiB (x86-64's) when that can't be read.
func hugePageSize() int {
	b, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size")
	if err == nil {
		if n, err := strconv.Atoi(string(bytes.TrimSpace(b))); err == nil && n > 0 && n&(n-1) == 0 {
			return n
		}
	}
	return 2 << 20
}

// strictOvercommit reports whether the kernel commits memory strictly
// (vm.overcommit_memory=2), or whether that can't be read.
func strictOvercommit() bool {
	b, err := os.ReadFile("/proc/sys/vm/overcommit_memory")
	return err != nil || string(bytes.TrimSpace(b)) == "2"
}
