package heap

import (
	"errors"
	"runtime"
	"runtime/debug"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// minorFaults is the process's count of minor page faults so far.
func minorFaults(t *testing.T) int64 {
	t.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return ru.Minflt
}

// touch writes one byte in every 4 KB page of b.
func touch(b []byte) {
	for i := 0; i < len(b); i += 4096 {
		b[i] = 1
	}
}

// TestPrefault: after prefault, memory the heap hands out is resident, so
// writing it costs no page fault per page; without, the same writes to
// fresh memory fault once per page (counted in the process's rusage).
func TestPrefault(t *testing.T) {
	if strictOvercommit() {
		t.Skip("strict overcommit: prefault does nothing")
	}
	defer debug.SetGCPercent(debug.SetGCPercent(-1)) // no collection in between
	const size = 32 << 20
	pages := int64(size / 4096)

	fresh, err := unix.Mmap(-1, 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Munmap(fresh)
	before := minorFaults(t)
	touch(fresh)
	if n := minorFaults(t) - before; n < pages/2 {
		t.Fatalf("writing %d fresh pages faulted %d times; the count does not see faults", pages, n)
	}

	if err := prefault(2 * size); errors.Is(err, unix.EINVAL) {
		t.Skipf("the kernel refuses it (before Linux 5.14): %v", err)
	} else if err != nil {
		t.Fatal(err)
	}
	before = minorFaults(t)
	b := make([]byte, size)
	touch(b)
	runtime.KeepAlive(b)
	if n := minorFaults(t) - before; n > pages/10 {
		t.Errorf("after prefault, writing %d pages of new heap faulted %d times, want at most %d", pages, n, pages/10)
	}
}
