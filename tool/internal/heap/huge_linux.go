package heap

import (
	"bytes"
	"fmt"
	"os"
	"runtime"
	"unsafe"

	"golang.org/x/sys/unix"
)

// adviseHugePages grows the heap by n bytes that nothing has touched yet,
// asks the kernel to back them with transparent huge pages
// (MADV_HUGEPAGE), and frees them again for the compiles to use. It
// returns the address of the range, and the kernel's refusal if it
// refused.
//
// A large allocation is fresh memory from the kernel, which the runtime
// knows to be zero and does not touch; once it is garbage its pages go
// back to the runtime's page heap, where the next allocations find them,
// and the kernel keeps the advice on that address range for the life of
// the process (the runtime's scavenger returns pages with MADV_DONTNEED,
// which keeps it too). A heap that grows beyond the range gets ordinary
// pages there.
func adviseHugePages(n int) (uintptr, error) {
	b := make([]byte, n)
	addr := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	err := unix.Madvise(b, unix.MADV_HUGEPAGE)
	runtime.KeepAlive(b)
	runtime.GC()
	if err != nil {
		return addr, fmt.Errorf("madvise(MADV_HUGEPAGE) of %d MiB of heap: %w", n>>20, err)
	}
	return addr, nil
}

// strictOvercommit reports whether the kernel commits memory strictly
// (vm.overcommit_memory=2), or whether that can't be read.
func strictOvercommit() bool {
	b, err := os.ReadFile("/proc/sys/vm/overcommit_memory")
	return err != nil || string(bytes.TrimSpace(b)) == "2"
}
