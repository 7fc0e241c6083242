package heap

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
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

	if err := prefault(2*size, 0); errors.Is(err, unix.EINVAL) {
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

// hugeChildEnv makes the test binary a child of TestPrefaultHugePrefix:
// it runs one prefault of 64 MiB with the prefix the variable gives, in a
// heap nothing has used yet, and prints how much more memory that put on
// huge pages.
const hugeChildEnv = "RULES_PYC_TEST_PREFAULT_HUGE"

func TestMain(m *testing.M) {
	if v := os.Getenv(hugeChildEnv); v != "" {
		os.Exit(hugeChild(v))
	}
	os.Exit(m.Run())
}

func hugeChild(prefix string) int {
	huge, err := strconv.Atoi(prefix)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	before, err := anonHuge()
	if err == nil {
		err = prefault(64<<20, huge)
	}
	after, err2 := anonHuge()
	if err = errors.Join(err, err2); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	fmt.Println(after - before)
	return 0
}

// anonHuge is how much of the process's anonymous memory is on
// transparent huge pages (smaps_rollup's AnonHugePages), in bytes.
func anonHuge() (int64, error) {
	b, err := os.ReadFile("/proc/self/smaps_rollup")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "AnonHugePages:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("smaps_rollup: %q: %w", line, err)
			}
			return kb << 10, nil
		}
	}
	return 0, fmt.Errorf("smaps_rollup has no AnonHugePages line:\n%s", b)
}

// TestPrefaultHugePrefix: the prefix prefault is given goes onto huge
// pages, and nothing does without one, where the kernel gives huge pages
// to the ranges that ask (transparent_hugepage/enabled is madvise, as on
// the project's machines; with always every range gets them, with never
// none does, and there is nothing to tell apart). Each case runs in a
// fresh process, whose heap has reused no page yet.
func TestPrefaultHugePrefix(t *testing.T) {
	if strictOvercommit() {
		t.Skip("strict overcommit: prefault does nothing")
	}
	mode, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	if err != nil || !strings.Contains(string(mode), "[madvise]") {
		t.Skipf("transparent huge pages are not given on request here (%q, %v)", bytes.TrimSpace(mode), err)
	}
	const prefix = 16 << 20
	for _, huge := range []int{0, prefix} {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%d", hugeChildEnv, huge))
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if strings.Contains(stderr.String(), "EINVAL") || strings.Contains(stderr.String(), "invalid argument") {
			t.Skipf("the kernel refuses MADV_POPULATE_WRITE (before Linux 5.14): %s", stderr.String())
		}
		if err != nil {
			t.Fatalf("child with a %d MiB prefix: %v\n%s", huge>>20, err, stderr.String())
		}
		got, err := strconv.ParseInt(strings.TrimSpace(string(out)), 10, 64)
		if err != nil {
			t.Fatalf("child with a %d MiB prefix printed %q", huge>>20, out)
		}
		t.Logf("prefault(64 MiB, %d MiB): %d MiB more on huge pages", huge>>20, got>>20)
		switch {
		case huge == 0 && got > 0:
			t.Errorf("prefault without a prefix put %d MiB on huge pages", got>>20)
		case huge > 0 && got <= 0:
			t.Errorf("prefault with a %d MiB prefix put nothing on huge pages", huge>>20)
		case got > int64(huge):
			t.Errorf("prefault with a %d MiB prefix put %d MiB on huge pages", huge>>20, got>>20)
		}
	}
}
